/*
 * output/animate.c: the moving Streaming Systems picture (see
 * output/animate.h).
 */
#include "output/animate.h"

#include "lib/errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/exec.h"
#include "lib/csvread.h"
#include "lib/strbuf.h"
#include "lib/vec.h"
#include "measure/metrics.h"
#include "output/outdir.h"
#include "output/plot.h"

#define PANELS_MAX 8

typedef struct an_event {
    double arrival, event_time;
    uint32_t key;
} an_event;

typedef struct an_pane {
    double emit, start, end;
    long long sum;
    int timing, dup;
    size_t panel;
} an_pane;

typedef struct an_step { /* a timeline sample with a finite watermark */
    double t, wm;
    size_t panel;
} an_step;

typedef struct an_fault {
    double time, resumed;
    size_t panel;
} an_fault;

struct animate_scene {
    char panel[PANELS_MAX][32];
    size_t np;
    an_event *ev;
    size_t nev, capev;
    an_pane *pn;
    size_t npn, cappn;
    an_step *st;
    size_t nst, capst;
    an_fault *ft;
    size_t nft, capft;
    double *frame;
    size_t nframes;
    double x0, x1, y0, y1;  /* the axes: processing time, event time */
    size_t wlo[PANELS_MAX], whi[PANELS_MAX]; /* each panel's run of st */
};

animate_filter animate_filter_all(void)
{
    animate_filter f = {NULL, -1, -INFINITY, INFINITY};
    return f;
}

/* ------------------------------------------------------------- reading */

/* One CSV of the folder, row by row: cols[i] is found in the header and
 * row() gets the fields in that order (NULL for a column the file lacks).
 * optional: a missing file is no error.  0, 2 or -1. */
typedef int (*row_fn)(animate_scene *s, const animate_filter *f, char **v);

static int read_csv(animate_scene *s, const animate_filter *f, const char *dir, const char *name,
                    const char *const *cols, size_t ncols, row_fn row, int optional, char *err,
                    size_t errlen)
{
    char path[4096], e[CSVREAD_ERR_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (optional && access(path, F_OK) != 0)
        return 0;
    csvread *in = csvread_open(path, NULL, NULL, e, sizeof e);
    if (!in) {
        errmsg_set(err, errlen, "%s", e);
        return 2;
    }
    csvread_record rec;
    int idx[16], rc = 0, st, header = 1;
    char *v[16];
    while (rc == 0 && (st = csvread_next(in, &rec)) == CSVREAD_RECORD) {
        if (header) {
            for (size_t i = 0; i < ncols; i++) {
                idx[i] = -1;
                for (size_t j = 0; j < rec.nfields; j++)
                    if (strcmp(rec.fields[j], cols[i]) == 0)
                        idx[i] = (int)j;
            }
            header = 0;
            continue;
        }
        for (size_t i = 0; i < ncols; i++)
            v[i] = idx[i] >= 0 && (size_t)idx[i] < rec.nfields ? rec.fields[idx[i]] : NULL;
        rc = row(s, f, v);
    }
    if (rc == 0 && st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(in));
        rc = 2;
    }
    if (rc == -1)
        errmsg_set(err, errlen, "out of memory");
    csvread_close(in);
    return rc;
}

static double num(const char *t)
{
    if (!t || !*t)
        return NAN;
    if (strcmp(t, "inf") == 0)
        return INFINITY;
    return strtod(t, NULL);
}

static long panel_of(const animate_scene *s, const char *name)
{
    for (size_t p = 0; name && p < s->np; p++)
        if (strcmp(s->panel[p], name) == 0)
            return (long)p;
    return -1;
}

static int on_summary(animate_scene *s, const animate_filter *f, char **v)
{
    if (!v[0] || s->np >= PANELS_MAX || (f->executor && strcmp(v[0], f->executor) != 0))
        return 0;
    snprintf(s->panel[s->np++], sizeof s->panel[0], "%s", v[0]);
    return 0;
}

static int on_event(animate_scene *s, const animate_filter *f, char **v)
{
    an_event e = {num(v[2]), num(v[1]), v[0] ? (uint32_t)strtoul(v[0], NULL, 10) : 0};
    if ((f->key >= 0 && e.key != (uint32_t)f->key) || !(e.arrival >= f->from) ||
        !(e.arrival <= f->to))
        return 0;
    if (vec_ensure(&s->ev, &s->capev, s->nev + 1, sizeof *s->ev) != VEC_OK)
        return -1;
    s->ev[s->nev++] = e;
    return 0;
}

static int on_pane(animate_scene *s, const animate_filter *f, char **v)
{
    long p = panel_of(s, v[0]);
    an_pane x = {num(v[4]), num(v[2]), num(v[3]), v[6] ? strtoll(v[6], NULL, 10) : 0, PANE_BATCH,
                 v[7] && strcmp(v[7], "1") == 0, (size_t)p};
    if (p < 0 || (f->key >= 0 && (!v[1] || strtoll(v[1], NULL, 10) != f->key)) ||
        !(x.emit >= f->from) || !(x.emit <= f->to))
        return 0;
    for (int t = 0; t < 4; t++)
        if (v[5] && strcmp(v[5], pane_timing_name(t)) == 0)
            x.timing = t;
    if (vec_ensure(&s->pn, &s->cappn, s->npn + 1, sizeof *s->pn) != VEC_OK)
        return -1;
    s->pn[s->npn++] = x;
    return 0;
}

static int on_step(animate_scene *s, const animate_filter *f, char **v)
{
    long p = panel_of(s, v[0]);
    an_step x = {num(v[1]), num(v[2]), (size_t)p};
    (void)f;
    if (p < 0 || isnan(x.wm) || x.wm == -INFINITY)
        return 0;
    if (vec_ensure(&s->st, &s->capst, s->nst + 1, sizeof *s->st) != VEC_OK)
        return -1;
    s->st[s->nst++] = x;
    return 0;
}

static int on_fault(animate_scene *s, const animate_filter *f, char **v)
{
    long p = panel_of(s, v[0]);
    an_fault x = {num(v[2]), num(v[3]), (size_t)p};
    if (p < 0 || !v[1] || strcmp(v[1], "crash") != 0 || !(x.time >= f->from) ||
        !(x.time <= f->to))
        return 0;
    if (isnan(x.resumed))
        x.resumed = x.time;
    if (vec_ensure(&s->ft, &s->capft, s->nft + 1, sizeof *s->ft) != VEC_OK)
        return -1;
    s->ft[s->nft++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The frames and the axes (see the rules). */
static int layout(animate_scene *s, const animate_filter *f)
{
    size_t n = s->nev + s->npn + s->nft, m = 0;
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return -1;
    double y0 = INFINITY, y1 = -INFINITY, x1 = -INFINITY;
    for (size_t i = 0; i < s->nev; i++) {
        t[m++] = s->ev[i].arrival;
        y0 = fmin(y0, s->ev[i].event_time);
        y1 = fmax(y1, s->ev[i].event_time);
    }
    for (size_t i = 0; i < s->npn; i++) {
        t[m++] = s->pn[i].emit;
        if (isfinite(s->pn[i].start) && isfinite(s->pn[i].end)) {
            y0 = fmin(y0, s->pn[i].start);
            y1 = fmax(y1, s->pn[i].end);
        }
    }
    for (size_t i = 0; i < s->nft; i++) {
        t[m++] = s->ft[i].time;
        x1 = fmax(x1, s->ft[i].resumed);
    }
    for (size_t p = 0; p < s->np; p++) {
        size_t lo = 0, hi;
        while (lo < s->nst && s->st[lo].panel != p)
            lo++;
        for (hi = lo; hi < s->nst && s->st[hi].panel == p;)
            hi++;
        s->wlo[p] = lo;
        s->whi[p] = hi;
    }
    qsort(t, m, sizeof *t, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (isfinite(t[i]) && (u == 0 || t[i] != t[u - 1]))
            t[u++] = t[i];
    if (u > ANIMATE_FRAMES_MAX) {
        double a = t[0], b = t[u - 1];
        for (size_t k = 0; k < ANIMATE_FRAMES_MAX; k++)
            t[k] = a + (b - a) * (double)k / (ANIMATE_FRAMES_MAX - 1);
        u = ANIMATE_FRAMES_MAX;
    }
    s->frame = t;
    s->nframes = u;
    s->x0 = isfinite(f->from) ? f->from : 0;
    x1 = fmax(x1, u ? t[u - 1] : 1);
    s->x1 = isfinite(f->to) ? f->to : x1 + 0.02 * (x1 - s->x0);
    if (!(s->x1 > s->x0))
        s->x1 = s->x0 + 1;
    if (!(y1 >= y0)) {
        y0 = 0;
        y1 = 1;
    }
    double pad = y1 > y0 ? 0.03 * (y1 - y0) : 1;
    s->y0 = y0 - pad;
    s->y1 = y1 + pad;
    return 0;
}

int animate_load(const char *dir, const animate_filter *f, animate_scene **out, char *err,
                 size_t errlen)
{
    static const char *const sum_cols[] = {"executor"};
    static const char *const ev_cols[] = {"key", "event_time", "arrival_time"};
    static const char *const pn_cols[] = {"executor", "key", "window_start", "window_end",
                                          "emit_time", "timing", "sum", "duplicate"};
    static const char *const tl_cols[] = {"executor", "time", "watermark"};
    static const char *const ft_cols[] = {"executor", "kind", "time", "resumed"};
    *out = NULL;
    animate_scene *s = calloc(1, sizeof *s);
    if (!s) {
        errmsg_set(err, errlen, "out of memory");
        return -1;
    }
    int rc = read_csv(s, f, dir, "summary.csv", sum_cols, 1, on_summary, 0, err, errlen);
    if (rc == 0 && s->np == 0) {
        errmsg_set(err, errlen, "%s/summary.csv: no executor %s", dir, f->executor ? f->executor : "rows");
        rc = 2;
    }
    if (rc == 0)
        rc = read_csv(s, f, dir, "events.csv", ev_cols, 3, on_event, 0, err, errlen);
    if (rc == 0)
        rc = read_csv(s, f, dir, "panes.csv", pn_cols, 8, on_pane, 0, err, errlen);
    if (rc == 0)
        rc = read_csv(s, f, dir, "timeline.csv", tl_cols, 3, on_step, 0, err, errlen);
    if (rc == 0)
        rc = read_csv(s, f, dir, "faults.csv", ft_cols, 4, on_fault, 1, err, errlen);
    if (rc == 0 && layout(s, f) != 0) {
        errmsg_set(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        animate_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void animate_free(animate_scene *s)
{
    if (!s)
        return;
    free(s->ev);
    free(s->pn);
    free(s->st);
    free(s->ft);
    free(s->frame);
    free(s);
}

size_t animate_events(const animate_scene *s) { return s->nev; }
size_t animate_panels(const animate_scene *s) { return s->np; }
const char *animate_panel(const animate_scene *s, size_t p) { return s->panel[p]; }
size_t animate_frames(const animate_scene *s) { return s->nframes; }
double animate_frame_time(const animate_scene *s, size_t k) { return s->frame[k]; }

/* The watermark of panel p at time t: of the last sample at or before t;
 * -inf before the first.  timeline.csv has each executor's rows together
 * and in time order: a binary search in the panel's run, O(log n). */
static double wm_at(const animate_scene *s, size_t p, double t)
{
    size_t lo = s->wlo[p], hi = s->whi[p];
    if (lo == hi || s->st[lo].t > t)
        return -INFINITY;
    while (hi - lo > 1) { /* st[lo].t <= t < st[hi].t (hi: the end) */
        size_t mid = lo + (hi - lo) / 2;
        if (s->st[mid].t <= t)
            lo = mid;
        else
            hi = mid;
    }
    return s->st[lo].wm;
}

static int is_late(const animate_scene *s, size_t p, const an_event *e)
{
    return e->event_time < wm_at(s, p, e->arrival);
}

void animate_frame_counts(const animate_scene *s, size_t k, size_t panel, animate_counts *out)
{
    memset(out, 0, sizeof *out);
    double t = s->frame[k];
    for (size_t i = 0; i < s->nev; i++)
        if (s->ev[i].arrival <= t) {
            out->events++;
            out->late += (size_t)is_late(s, panel, &s->ev[i]);
        }
    for (size_t i = 0; i < s->npn; i++)
        if (s->pn[i].panel == panel && s->pn[i].emit <= t)
            out->panes[s->pn[i].timing]++;
    for (size_t i = 0; i < s->nft; i++)
        out->faults += s->ft[i].panel == panel && s->ft[i].time <= t;
}

/* ------------------------------------------------------------ the page */


/* Panel geometry, px. */
enum { PW = 460, PH = 340, ML = 52, MR = 12, MT = 26, MB = 40 };

static const char *const timing_colour[4] = {"#e8a33d", "#2e9e4f", "#d23c3c", "#3558c8"};

static double px(const animate_scene *s, double t)
{
    return ML + (t - s->x0) / (s->x1 - s->x0) * (PW - ML - MR);
}

static double py(const animate_scene *s, double e)
{
    if (e > s->y1)
        e = s->y1;
    if (e < s->y0)
        e = s->y0;
    return PH - MB - (e - s->y0) / (s->y1 - s->y0) * (PH - MB - MT);
}

/* A tick step of 1, 2 or 5 x 10^n giving 3 to 8 ticks over range. */
static double nice_step(double range)
{
    double m = pow(10, floor(log10(range / 4)));
    double r = range / 4 / m;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * m;
}

static void axes(strbuf *b, const animate_scene *s, size_t p)
{
    strbuf_put(b, "<text x=\"%d\" y=\"16\" class=\"an-title\">%s</text>\n", ML,
        exec_label_named(s->panel[p]));
    strbuf_put(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
        ML, MT, PW - ML - MR, PH - MB - MT);
    double dx = nice_step(s->x1 - s->x0), dy = nice_step(s->y1 - s->y0);
    for (double t = ceil(s->x0 / dx) * dx; t <= s->x1; t += dx)
        strbuf_put(b, "<text x=\"%.1f\" y=\"%d\" class=\"an-tick\" text-anchor=\"middle\">%.4g</text>\n",
            px(s, t), PH - MB + 14, fabs(t) < dx / 2 ? 0.0 : t);
    for (double e = ceil(s->y0 / dy) * dy; e <= s->y1; e += dy)
        strbuf_put(b, "<text x=\"%d\" y=\"%.1f\" class=\"an-tick\" text-anchor=\"end\">%.4g</text>\n",
            ML - 4, py(s, e) + 3, fabs(e) < dy / 2 ? 0.0 : e);
    strbuf_put(b, "<text x=\"%d\" y=\"%d\" class=\"an-tick\" text-anchor=\"middle\">processing time (s)"
           "</text>\n", (ML + PW - MR) / 2, PH - 8);
    strbuf_put(b, "<text x=\"12\" y=\"%d\" class=\"an-tick\" text-anchor=\"middle\" transform=\"rotate(-90 "
           "12 %d)\">event time (s)</text>\n", (MT + PH - MB) / 2, (MT + PH - MB) / 2);
    /* the diagonal: no delay */
    double a = fmax(s->x0, s->y0), z = fmin(s->x1, s->y1);
    if (z > a)
        strbuf_put(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
               "stroke-dasharray=\"3 3\"/>\n", px(s, a), py(s, a), px(s, z), py(s, z));
}

/* The bands of the panel's windows (each distinct one once). */
static void bands(strbuf *b, const animate_scene *s, size_t p)
{
    for (size_t i = 0; i < s->npn; i++) {
        const an_pane *x = &s->pn[i];
        int seen = x->panel != p || !(x->end > x->start);
        for (size_t j = 0; j < i && !seen; j++)
            seen = s->pn[j].panel == p && s->pn[j].start == x->start && s->pn[j].end == x->end;
        if (!seen)
            strbuf_put(b, "<rect class=\"an-band\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", ML,
                py(s, x->end), PW - ML - MR, py(s, x->start) - py(s, x->end));
    }
}

/* The watermark step line (revealed by the clip rectangle), or, for an
 * executor without one, its job ends as vertical lines. */
static void watermark(strbuf *b, const animate_scene *s, size_t p)
{
    strbuf_put(b, "<clipPath id=\"an-clip%zu\"><rect class=\"an-clip\" x=\"%d\" y=\"0\" width=\"%d\" "
           "height=\"%d\"/></clipPath>\n", p, ML, PW - ML - MR, PH);
    int any = 0;
    for (size_t i = 0; i < s->nst; i++) {
        if (s->st[i].panel != p)
            continue;
        if (!any)
            strbuf_put(b, "<path class=\"an-wm\" clip-path=\"url(#an-clip%zu)\" d=\"M%.1f %.1f", p,
                px(s, s->st[i].t), py(s, s->st[i].wm));
        else
            strbuf_put(b, "H%.1fV%.1f", px(s, s->st[i].t), py(s, s->st[i].wm));
        any = 1;
    }
    if (any)
        strbuf_put(b, "H%.1f\"/>\n", px(s, s->x1));
    if (any)
        return;
    for (size_t i = 0; i < s->npn; i++) {
        const an_pane *x = &s->pn[i];
        if (x->panel == p && (i == 0 || s->pn[i - 1].emit != x->emit))
            strbuf_put(b, "<line class=\"an-job\" data-t=\"%.17g\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
                x->emit, px(s, x->emit), MT, px(s, x->emit), PH - MB);
    }
}

static void panel(strbuf *b, const animate_scene *s, size_t p)
{
    strbuf_put(b, "<g class=\"an-panel\" data-executor=\"%s\" transform=\"translate(%zu 0)\">\n",
        s->panel[p], p * PW);
    axes(b, s, p);
    bands(b, s, p);
    for (size_t i = 0; i < s->nft; i++)
        if (s->ft[i].panel == p)
            strbuf_put(b, "<g class=\"an-fault\" data-t=\"%.17g\"><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                   "height=\"%d\"/><text x=\"%.1f\" y=\"%d\" class=\"an-tick\">crash: down</text></g>\n",
                s->ft[i].time, px(s, s->ft[i].time), MT,
                fmax(1, px(s, s->ft[i].resumed) - px(s, s->ft[i].time)), PH - MB - MT,
                px(s, s->ft[i].time) + 2, MT + 10);
    watermark(b, s, p);
    for (size_t i = 0; i < s->npn; i++) {
        const an_pane *x = &s->pn[i];
        if (x->panel != p)
            continue;
        double y = py(s, x->end), h = fmax(2, py(s, x->start) - y);
        strbuf_put(b, "<g class=\"an-pane an-%s\" data-t=\"%.17g\"><rect x=\"%.1f\" y=\"%.1f\" width=\"7\" "
               "height=\"%.1f\" fill=\"%s\"%s/><text x=\"%.1f\" y=\"%.1f\" class=\"an-label\">%lld"
               "</text></g>\n",
            pane_timing_name(x->timing), x->emit, px(s, x->emit) - 3.5, y, h,
            timing_colour[x->timing], x->dup ? " stroke=\"#000\" stroke-dasharray=\"2 2\"" : "",
            px(s, x->emit) + 5, y + h / 2 + 3, x->sum);
    }
    for (size_t i = 0; i < s->nev; i++) {
        const an_event *e = &s->ev[i];
        strbuf_put(b, "<circle class=\"an-ev%s\" data-t=\"%.17g\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
            is_late(s, p, e) ? " an-late" : "", e->arrival, px(s, e->arrival), py(s, e->event_time));
    }
    strbuf_put(b, "<line class=\"an-cursor\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n</g>\n",
        px(s, s->x1), MT, px(s, s->x1), PH - MB);
}

static const char an_style[] =
    "<style>#sluice-anim .an-title{font:bold 13px sans-serif}"
    "#sluice-anim .an-tick{font:10px sans-serif;fill:#444}"
    "#sluice-anim .an-label{font:10px sans-serif}"
    "#sluice-anim .an-band:nth-of-type(odd){fill:#eef2fa}#sluice-anim .an-band{fill:#f6f8fc;stroke:#dde}"
    "#sluice-anim .an-ev{fill:#222}#sluice-anim .an-late{fill:#fff;stroke:#d23c3c;stroke-width:1.5}"
    "#sluice-anim .an-wm{fill:none;stroke:#2e9e4f;stroke-width:2}"
    "#sluice-anim .an-job{stroke:#3558c8;stroke-dasharray:4 3}"
    "#sluice-anim .an-fault rect{fill:#888;opacity:.25}"
    "#sluice-anim .an-cursor{stroke:#c00;stroke-width:1}</style>\n";

/* The script: frame k shows what has data-t <= T[k]; the clip rectangle
 * reveals the watermark up to T[k]; #frame=K opens frame K. */
static const char an_script[] =
    "<script>//<![CDATA[\n(function(){var r=document.getElementById('sluice-anim');"
    "var T=JSON.parse(r.getAttribute('data-frames'));var X0=+r.getAttribute('data-x0'),"
    "X1=+r.getAttribute('data-x1'),L=+r.getAttribute('data-ml'),W=+r.getAttribute('data-pw');"
    "var E=r.querySelectorAll('[data-t]'),C=r.querySelectorAll('.an-clip'),"
    "U=r.querySelectorAll('.an-cursor'),S=r.querySelector('.an-slider'),"
    "N=r.querySelector('.an-now'),P=r.querySelector('.an-play'),k=0,tm=null;"
    "function x(t){return L+(t-X0)/(X1-X0)*W;}"
    "function show(i){if(!T.length)return;k=Math.max(0,Math.min(T.length-1,i));var t=T[k],j,q=x(t);"
    "for(j=0;j<E.length;j++)E[j].setAttribute('visibility',+E[j].getAttribute('data-t')<=t?"
    "'visible':'hidden');for(j=0;j<C.length;j++)C[j].setAttribute('width',Math.max(0,q-L));"
    "for(j=0;j<U.length;j++){U[j].setAttribute('x1',q);U[j].setAttribute('x2',q);}"
    "S.value=k;N.textContent='frame '+(k+1)+' of '+T.length+', t = '+t+' s';"
    "r.setAttribute('data-frame',k);}"
    "function stop(){if(tm){clearInterval(tm);tm=null;}P.textContent='play';}"
    "P.onclick=function(){if(tm){stop();return;}if(k>=T.length-1)show(0);P.textContent='pause';"
    "tm=setInterval(function(){if(k>=T.length-1)stop();else show(k+1);},400);};"
    "r.querySelector('.an-back').onclick=function(){stop();show(k-1);};"
    "r.querySelector('.an-step').onclick=function(){stop();show(k+1);};"
    "S.oninput=function(){stop();show(+S.value);};"
    "var m=/frame=(\\d+)/.exec(location.hash);show(m?+m[1]:T.length-1);})();\n//]]></script>\n";

char *animate_html(const animate_scene *s, int standalone)
{
    strbuf b = {0};
    if (standalone)
        strbuf_put(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sluice animate</title>"
                "</head><body style=\"font-family:sans-serif\">\n");
    strbuf_put(&b, "%s<div id=\"sluice-anim\" data-x0=\"%.17g\" data-x1=\"%.17g\" data-ml=\"%d\" "
            "data-pw=\"%d\" data-frames=\"[", an_style, s->x0, s->x1, ML, PW - ML - MR);
    for (size_t k = 0; k < s->nframes; k++)
        strbuf_put(&b, "%s%.17g", k ? "," : "", s->frame[k]);
    strbuf_put(&b, "]\">\n<div><button class=\"an-play\">play</button> <button class=\"an-back\">&#9664; "
            "step</button> <button class=\"an-step\">step &#9654;</button> <input class=\"an-slider\" "
            "type=\"range\" min=\"0\" max=\"%zu\" value=\"%zu\" style=\"width:320px\"/> <span "
            "class=\"an-now\"></span></div>\n", s->nframes ? s->nframes - 1 : 0,
        s->nframes ? s->nframes - 1 : 0);
    strbuf_put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%d\" viewBox=\"0 0 "
            "%zu %d\">\n", s->np * PW, PH, s->np * PW, PH);
    for (size_t p = 0; p < s->np; p++)
        panel(&b, s, p);
    strbuf_put(&b, "</svg>\n<div class=\"an-tick\" style=\"font-size:12px\">dots: events at their "
            "arrival (hollow red: behind the watermark, late); green line: the watermark; dashed "
            "blue: batch job ends; boxes: panes over their window at their emit time, labelled "
            "with their sum: <span style=\"color:%s\">EARLY</span>, <span style=\"color:%s\">ON_TIME"
            "</span>, <span style=\"color:%s\">LATE</span>, <span style=\"color:%s\">BATCH</span> "
            "(dashed outline: a duplicate); grey: down after a crash.</div>\n%s</div>\n",
        timing_colour[0], timing_colour[1], timing_colour[2], timing_colour[3], an_script);
    if (standalone)
        strbuf_put(&b, "</body></html>\n");
    return strbuf_take(&b);
}

/* ------------------------------------------------------------ the GIF */

/* The data of panel p for gnuplot, as blocks (index 0 events, 1 panes,
 * 2 watermark steps, 3 faults), each with a dummy row so that no block
 * is empty. */
static void gif_data(FILE *f, const animate_scene *s, size_t p)
{
    fprintf(f, "# arrival event_time late\n-1e300 0 0\n");
    for (size_t i = 0; i < s->nev; i++)
        fprintf(f, "%.17g %.17g %d\n", s->ev[i].arrival, s->ev[i].event_time,
                is_late(s, p, &s->ev[i]));
    fprintf(f, "\n\n# emit start end colour sum\n-1e300 0 0 0 0\n");
    for (size_t i = 0; i < s->npn; i++)
        if (s->pn[i].panel == p)
            fprintf(f, "%.17g %.17g %.17g %ld %lld\n", s->pn[i].emit, s->pn[i].start, s->pn[i].end,
                    strtol(timing_colour[s->pn[i].timing] + 1, NULL, 16), s->pn[i].sum);
    fprintf(f, "\n\n# time watermark\n-1e300 %.17g\n", s->y0);
    for (size_t i = 0; i < s->nst; i++)
        if (s->st[i].panel == p)
            fprintf(f, "%.17g %.17g\n", s->st[i].t, fmin(s->st[i].wm, s->y1));
    fprintf(f, "\n\n# time resumed\n-1e300 -1e300\n");
    for (size_t i = 0; i < s->nft; i++)
        if (s->ft[i].panel == p)
            fprintf(f, "%.17g %.17g\n", s->ft[i].time, s->ft[i].resumed);
}

static int run_gnuplot(const char *gnuplot, const char *script, char *err, size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0) {
        errmsg_set(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        char *argv[] = {(char *)"gnuplot", (char *)script, NULL};
        int null = open("/dev/null", O_WRONLY); /* its chatter ("N frames") */
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execv(gnuplot, argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            errmsg_set(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        errmsg_set(err, errlen, "gnuplot failed drawing the animation (%s)", script);
        return -1;
    }
    return 0;
}

int animate_gif(const animate_scene *s, const char *path, char *err, size_t errlen)
{
    char gnuplot[4096], tmp[] = "/tmp/sluice-animate.XXXXXX", name[4200], part[4200];
    if (plot_find_program("gnuplot", gnuplot, sizeof gnuplot) != 0) {
        errmsg_set(err, errlen, "gnuplot not found: install it with apt-get install gnuplot-nox");
        return 2;
    }
    if (strpbrk(path, "'\n\r")) {
        errmsg_set(err, errlen, "%s: a quote or line break in the path", path);
        return 2;
    }
    snprintf(part, sizeof part, "%s.tmp", path); /* renamed into place when drawn */
    if (!mkdtemp(tmp)) {
        errmsg_set(err, errlen, "cannot create a temporary folder: %s", strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t p = 0; p < s->np && rc == 0; p++) {
        snprintf(name, sizeof name, "%s/panel%zu.dat", tmp, p);
        FILE *f = fopen(name, "w");
        if (!f) {
            rc = -1;
            break;
        }
        gif_data(f, s, p);
        if (fclose(f) != 0)
            rc = -1;
    }
    snprintf(name, sizeof name, "%s/animate.gp", tmp);
    FILE *g = rc == 0 ? fopen(name, "w") : NULL;
    if (g) {
        double bw = (s->x1 - s->x0) / 120;
        fprintf(g, "set terminal gif animate delay 40 size %zu,%d font ',9'\nset output '%s'\n",
                s->np * PW, PH + 20, part);
        fprintf(g, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nunset key\n"
                   "set xlabel 'processing time (s)'\nset ylabel 'event time (s)'\n"
                   "set style fill solid 0.8 noborder\n",
                s->x0, s->x1, s->y0, s->y1);
        fprintf(g, "array T[%zu]\n", s->nframes ? s->nframes : 1);
        for (size_t k = 0; k < s->nframes; k++)
            fprintf(g, "T[%zu] = %.17g\n", k + 1, s->frame[k]);
        if (!s->nframes)
            fprintf(g, "T[1] = %.17g\n", s->x1);
        fprintf(g, "do for [i=1:%zu] {\n  t = T[i]\n  set multiplot layout 1,%zu title sprintf('t = "
                   "%%g s', t)\n", s->nframes ? s->nframes : 1, s->np);
        for (size_t p = 0; p < s->np; p++) {
            fprintf(g, "  set title '%s'\n  set object 1 rect from t,graph 0 to t,graph 1 "
                       "front lc rgb '#cc0000'\n", exec_label_named(s->panel[p]));
            fprintf(g, "  plot '%s/panel%zu.dat' index 3 using ($1<=t?$1:1/0):(0):($1):($2<t?$2:t):"
                       "(%.17g):(%.17g) with boxxyerror lc rgb '#cccccc', \\\n", tmp, p, s->y0,
                    s->y1);
            fprintf(g, "    '' index 2 using ($1<=t?$1:1/0):2 with steps lw 2 lc rgb '#2e9e4f', \\\n"
                       "    '' index 0 using ($1<=t?$1:1/0):2:($3>0?0xd23c3c:0x222222) with points "
                       "pt 7 ps 0.8 lc rgb variable, \\\n"
                       "    '' index 1 using ($1<=t?$1:1/0):(($2+$3)/2):(%.17g):(($3-$2)/2):4 with "
                       "boxxyerror lc rgb variable, \\\n"
                       "    '' index 1 using ($1<=t?$1+%.17g:1/0):(($2+$3)/2):(sprintf('%%d', $5)) "
                       "with labels left\n", bw, bw);
        }
        fprintf(g, "  unset multiplot\n}\nunset output\n");
        if (fclose(g) != 0)
            rc = -1;
    } else {
        rc = -1;
    }
    if (rc == -1)
        errmsg_set(err, errlen, "cannot write the animation's data in %s", tmp);
    if (rc == 0)
        rc = run_gnuplot(gnuplot, name, err, errlen);
    if (rc == 0 && rename(part, path) != 0) {
        errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    unlink(part);
    for (size_t p = 0; p < s->np; p++) {
        snprintf(name, sizeof name, "%s/panel%zu.dat", tmp, p);
        unlink(name);
    }
    snprintf(name, sizeof name, "%s/animate.gp", tmp);
    unlink(name);
    rmdir(tmp);
    return rc;
}

/* ------------------------------------------------------------ writing */

/* Writes text to dir/name through dir/name.tmp and a rename. */
static int write_file(const char *dir, const char *name, const char *text, char *err,
                      size_t errlen)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int animate_write(const char *dir, const animate_filter *f, int force, char *note, size_t notelen,
                  char *err, size_t errlen)
{
    static const char *const mine[] = {"animation.html", "animation.gif"};
    if (outdir_may_write_into(dir, "the animation", "the animation", force, note, notelen, err,
                              errlen) != 0)
        return 2;
    for (int i = 0; i < 2; i++)
        if (!force && !outdir_owns(dir, mine[i])) {
            errmsg_set(err, errlen, "%s/%s: sluice did not write it; not replacing it: move it away, "
                                 "or add --force to replace it", dir, mine[i]);
            return 2;
        }
    animate_scene *s;
    int rc = animate_load(dir, f, &s, err, errlen);
    if (rc)
        return rc;
    char *html = animate_html(s, 1);
    if (!html) {
        errmsg_set(err, errlen, "out of memory");
        animate_free(s);
        return -1;
    }
    rc = write_file(dir, mine[0], html, err, errlen);
    free(html);
    if (rc != 0) {
        animate_free(s);
        return rc;
    }
    char path[4096], merr[512];
    snprintf(path, sizeof path, "%s/%s", dir, mine[1]);
    rc = animate_gif(s, path, err, errlen);
    animate_free(s);
    if (outdir_mark_add(dir, mine, rc == 0 ? 2 : 1, merr, sizeof merr) != 0 && rc == 0) {
        errmsg_set(err, errlen, "%s", merr);
        rc = -1;
    }
    return rc;
}
