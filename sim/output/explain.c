/*
 * output/explain.c: the account of a run (see output/explain.h).
 */
#include "output/explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exec.h"
#include "lib/csvread.h"
#include "lib/strbuf.h"
#include "lib/vec.h"
#include "measure/metrics.h"
#include "model/config.h"
#include "run/sim.h"

typedef struct xline {
    sim_explain_line l;    /* detail and rule point into text */
    char *text;            /* "detail\0rule\0", malloc'd */
} xline;

struct explain_log {
    explain_filter f;
    xline *v;
    size_t n, cap;
    uint64_t left_out;
    int failed;
};

explain_filter explain_filter_all(void)
{
    explain_filter f = {NULL, -1, NAN, -INFINITY, INFINITY, 0};
    return f;
}

explain_log *explain_alloc(const explain_filter *f)
{
    explain_log *x = calloc(1, sizeof *x);
    if (x)
        x->f = *f;
    return x;
}

void explain_free(explain_log *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i].text);
    free(x->v);
    free(x);
}

static int passes(const explain_filter *f, const sim_explain_line *l)
{
    if (f->executor && strcmp(f->executor, l->executor) != 0)
        return 0;
    if (f->key >= 0 && l->key >= 0 && l->key != f->key)
        return 0;
    if ((f->key >= 0 || !isnan(f->window)) && strcmp(l->kind, "watermark") == 0)
        return 0; /* every pane and drop line states the watermark it saw */
    if (!isnan(f->window) && !isnan(l->start) && l->start != f->window)
        return 0;
    return l->time >= f->from && l->time <= f->to;
}

void explain_record(void *log, const sim_explain_line *l)
{
    explain_log *x = log;
    if (!passes(&x->f, l))
        return;
    if (x->f.limit && x->n >= x->f.limit) {
        x->left_out++;
        return;
    }
    size_t nd = strlen(l->detail), nr = strlen(l->rule);
    char *text = malloc(nd + nr + 2);
    if (!text || vec_ensure(&x->v, &x->cap, x->n + 1, sizeof *x->v) != VEC_OK) {
        free(text);
        x->failed = 1;
        return;
    }
    memcpy(text, l->detail, nd + 1);
    memcpy(text + nd + 1, l->rule, nr + 1);
    xline *y = &x->v[x->n++];
    y->l = *l;
    y->l.detail = text;
    y->l.rule = text + nd + 1;
    y->text = text;
}

size_t explain_lines(const explain_log *x) { return x->n; }
uint64_t explain_left_out(const explain_log *x) { return x->left_out; }
int explain_failed(const explain_log *x) { return x->failed; }
const sim_explain_line *explain_line(const explain_log *x, size_t i) { return &x->v[i].l; }

/* A growing string. */

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void put_field(strbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        strbuf_put(b, "%s", s);
        return;
    }
    strbuf_put(b, "\"");
    for (; *s; s++)
        strbuf_put(b, *s == '"' ? "\"\"" : "%c", *s);
    strbuf_put(b, "\"");
}

char *explain_format(const explain_log *x, int csv)
{
    strbuf b = {0};
    strbuf_put(&b, "%s", csv ? "time,executor,kind,key,window_start,window_end,detail,rule\n" : "");
    for (size_t i = 0; i < x->n; i++) {
        const sim_explain_line *l = &x->v[i].l;
        if (csv) {
            strbuf_put(&b, "%.17g,%s,%s,", l->time, l->executor, l->kind);
            if (l->key >= 0)
                strbuf_put(&b, "%lld", (long long)l->key);
            if (isnan(l->start))
                strbuf_put(&b, ",,");
            else
                strbuf_put(&b, ",%.17g,%.17g,", l->start, l->end);
            put_field(&b, l->detail);
            strbuf_put(&b, ",");
            put_field(&b, l->rule);
            strbuf_put(&b, "\n");
            continue;
        }
        strbuf_put(&b, "%10.6g  %-10s %-10s %s\n", l->time, l->executor, l->kind, l->detail);
        if (*l->rule)
            strbuf_put(&b, "%34s rule: %s\n", "", l->rule);
    }
    return strbuf_take(&b);
}

/* ------------------------------------------------ the first telling window */

typedef struct twin { /* a window of panes.csv and the pane kinds it has */
    char executor[32];
    long long key;
    double start, end;
    unsigned kinds;        /* bit 1 << timing */
} twin;

/* The first window of panes.csv (in its row order) with EARLY, ON_TIME
 * and LATE panes, else the first window: 0 with *w, 2 with err. */
static int telling_window(const char *dir, twin *w, char *err, size_t errlen)
{
    char path[4096], e[CSVREAD_ERR_MAX];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    csvread *in = csvread_open(path, NULL, NULL, e, sizeof e);
    if (!in) {
        snprintf(err, errlen, "%s", e);
        return 2;
    }
    enum { WANT = 1u << PANE_EARLY | 1u << PANE_ON_TIME | 1u << PANE_LATE, MAXW = 4096 };
    twin *v = calloc(MAXW, sizeof *v);
    size_t n = 0;
    int col[5] = {-1, -1, -1, -1, -1}, found = 0, header = 1;
    static const char *const names[5] = {"executor", "key", "window_start", "window_end",
                                         "timing"};
    csvread_record rec;
    while (v && !found && csvread_next(in, &rec) == CSVREAD_RECORD) {
        if (header) {
            for (int i = 0; i < 5; i++)
                for (size_t j = 0; j < rec.nfields; j++)
                    if (strcmp(rec.fields[j], names[i]) == 0)
                        col[i] = (int)j;
            header = 0;
            continue;
        }
        const char *f[5];
        for (int i = 0; i < 5; i++)
            f[i] = col[i] >= 0 && (size_t)col[i] < rec.nfields ? rec.fields[col[i]] : "";
        twin x = {"", strtoll(f[1], NULL, 10), strtod(f[2], NULL), strtod(f[3], NULL), 0};
        snprintf(x.executor, sizeof x.executor, "%s", f[0]);
        size_t i = 0;
        while (i < n && !(v[i].key == x.key && v[i].start == x.start && v[i].end == x.end &&
                          strcmp(v[i].executor, x.executor) == 0))
            i++;
        if (i == n && n < MAXW)
            v[n++] = x;
        for (int t = 0; i < n && t < 4; t++)
            if (strcmp(f[4], pane_timing_name(t)) == 0)
                v[i].kinds |= 1u << t;
        found = i < n && (v[i].kinds & WANT) == WANT;
        if (found)
            *w = v[i];
    }
    csvread_close(in);
    if (!found && v && n > 0) {
        *w = v[0];
        found = 1;
    }
    free(v);
    if (!found)
        snprintf(err, errlen, "%s: no panes", path);
    return found ? 0 : 2;
}

int explain_first_window(const char *dir, size_t limit, char **text, char *what, size_t whatlen,
                         char *err, size_t errlen)
{
    twin w;
    *text = NULL;
    int rc = telling_window(dir, &w, err, errlen);
    if (rc)
        return rc;
    snprintf(what, whatlen, "%s, key %lld, window [%g, %g)", exec_label_named(w.executor), w.key,
             w.start, w.end);
    char path[4096];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    config_t c;
    config_defaults(&c);
    if (config_load(&c, path, err, errlen) != CFG_OK || sim_check(&c, err, errlen) != SIM_OK)
        return 2;
    explain_filter f = explain_filter_all();
    f.executor = w.executor;
    f.key = w.key;
    f.window = w.start;
    f.limit = limit;
    explain_log *x = explain_alloc(&f);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sim_options opt = {.checked = 1, .explain = explain_record, .explain_user = x};
    rc = sim_run_opts(&c, NULL, &opt, NULL, err, errlen) == SIM_ERR ? 2 : 0;
    if (rc == 0 && !(*text = explain_format(x, 0))) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    explain_free(x);
    return rc;
}
