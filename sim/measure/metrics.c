/*
 * metrics: everything measured about one executor in one run, and the
 * invariants checked on it.  The rules are in measure/metrics.h; this file adds:
 *
 *  - "Already counted or dropped" and "already arrived" are lib/seenset
 *    sets of seqs (a sliding bitset: memory about one bit per seq in the
 *    spread of pending events, O(1) test-and-set), so a replayed arrival
 *    is not a second event and an event is counted or dropped once.
 *  - What does grow with a run: one metrics_result per (key, window) seen
 *    downstream (windows.csv needs them all; none for window type none),
 *    one timeline row per bucket and one row per fault.
 *  - Latencies go into lib/hist.h histograms: lat (emit - event_time),
 *    proc (emit - arrival_time), win (pane emit - window end, all panes
 *    including duplicates, none for window type none) and the per-bucket
 *    lat histogram that metrics_sample resets.
 *  - wait_mean and work_mean are means over metrics_processed calls;
 *    hold_mean is computed at the end as proc_lat_mean - wait_mean -
 *    work_mean (so it is an average over different populations when some
 *    processed events are dropped as late: read it as a decomposition of
 *    the mean, not as a per-event figure).  A result within 1e-9 of
 *    proc_lat_mean of zero is rounding noise and reported as 0.
 *  - The final value of a window includes duplicate panes: for delta panes
 *    the duplicates are added (that is what a downstream consumer summing
 *    the panes sees), for whole-window panes the last one wins.
 *  - The on_time_after_watermark check compares an ON_TIME pane's window
 *    end (less the executor's facts.ontime_before) with the last
 *    watermark given to metrics_watermark: executors
 *    report a watermark advance before firing the panes it triggers.
 */
#include "measure/metrics.h"
#include "measure/columns.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/fault.h"
#include "lib/fmt.h"
#include "lib/hist.h"
#include "lib/seenset.h"
#include "lib/vec.h"

/* --------------------------------------------------------------- metrics */

typedef struct timeline_row {
    double time;          /* s: end of the bucket */
    uint64_t arrivals, processed, backlog, dropped, visible;
    double watermark, lat_p50, lat_p99;
} timeline_row;

#define NAME_MAX_LEN 64
#define DETAIL_MAX_LEN 512

/* Change points of the watermark kept per run.duration (watermarks.csv):
 * finer than a slide's pixels, bounded whatever the event rate. */
#define METRICS_WM_POINTS 4000

typedef struct wm_point {
    double time, wm; /* s: processing time of the change, the new watermark */
} wm_point;

struct metrics {
    double checkpoint_cpu;       /* CPU-s of checkpoint pauses */
    metrics_facts x;             /* the executor's own facts */
    const char *executor;        /* x.executor */
    uint64_t seed;               /* [run] seed, for summary.csv */
    int window_type;             /* enum config_window */
    int deltas;               /* x.deltas: panes are deltas */
    FILE *panes_csv;          /* not owned */
    struct {                  /* panes.csv: the last window's cells, */
        double start, end;    /* written once per window (identical bits) */
        char text[2 * FMT_NUM_MAX + 2]; /* "start,end" */
        size_t len;
    } pane_win;

    seenset arrived;           /* dedupe of metrics_arrived */
    seenset done;              /* counted or dropped */
    uint64_t events, counted, dropped, panes, duplicates, processed;
    long double wait_sum, work_sum; /* s */
    double first_arrival, last_emit;

    hist_t *lat, *proc, *win, *bucket_lat;

    /* current bucket */
    uint64_t b_arrivals, b_processed, b_dropped, b_visible;
    timeline_row *rows;       /* one per bucket: grows by doubling */
    size_t nrows, caprows;
    int trows_set;            /* metrics_keep_timeline called: rows go to */
    FILE *trows;              /* trows (not owned; NULL = nowhere) */
    int compare_only;         /* metrics_compare_only: no histograms, no timeline */

    int has_wm;
    double wm, watermark_time;       /* last watermark and when it was set */
    /* watermarks.csv: the watermark's change points, the last change of
     * each wm_dt-long interval of processing time (bounded memory) */
    wm_point *wmpts;
    size_t nwm, capwm;
    double wm_dt;             /* s: run.duration / METRICS_WM_POINTS */
    int wm_oom;               /* a point could not be kept: the write fails */

    wmap_t *results;          /* (key, window) -> metrics_result */
    const workload_t *keys;   /* names the keys in panes.csv, windows.csv (NULL: numbers) */
    int decimals;             /* of the values (sums are written with them) */

    /* folded windows (metrics_fold_window): completeness so far, in fold
     * order, and where their windows.csv rows went */
    long double acc_first, acc_ontime, acc_final;
    uint64_t acc_n, acc_exact, folded;
    FILE *wrows;              /* not owned; NULL = rows go nowhere */
    double fold_h;            /* panes behind it fail "window_horizon" */

    fault_row *faults;        /* one per metrics_fault call */
    size_t nfaults, capfaults;

    /* set by metrics_finish */
    double complete_first, complete_ontime, complete_final, windows_exact;

    char fail_name[NAME_MAX_LEN]; /* "" while every invariant holds */
    char fail_detail[DETAIL_MAX_LEN];
};

void metrics_key_names(metrics_t *m, const workload_t *w)
{
    m->keys = w;
    m->decimals = workload_value_decimals(w);
}

static size_t format_window_cells(char *b, double start, double end);

metrics_t *metrics_alloc(const char *executor, const config_t *c,
                         int panes_are_deltas, FILE *panes_csv)
{
    metrics_facts x = { executor, executor, 1, panes_are_deltas != 0, 1, 0 };
    return metrics_alloc_facts(&x, c, panes_csv);
}

metrics_t *metrics_alloc_facts(const metrics_facts *x, const config_t *c, FILE *panes_csv)
{
    assert(x && x->executor && x->label && c);
    metrics_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->x = *x;
    m->executor = x->executor;
    m->seed = c->run.seed;
    m->window_type = c->window.type;
    m->deltas = x->deltas != 0;
    m->panes_csv = panes_csv;
    m->pane_win.start = m->pane_win.end = NAN;
    m->pane_win.len = format_window_cells(m->pane_win.text, NAN, NAN);
    m->first_arrival = INFINITY;
    m->last_emit = -INFINITY;
    m->wm = -INFINITY;
    m->watermark_time = NAN;
    m->wm_dt = c->run.duration > 0 ? c->run.duration / METRICS_WM_POINTS : 1;
    m->fold_h = -INFINITY;
    m->complete_first = m->complete_ontime = NAN;
    m->complete_final = m->windows_exact = NAN;
    int ok_arr = seenset_init(&m->arrived) == 0;
    int ok_done = seenset_init(&m->done) == 0;
    m->lat = hist_alloc();
    m->proc = hist_alloc();
    m->win = hist_alloc();
    m->bucket_lat = hist_alloc();
    m->results = wmap_alloc(sizeof(metrics_result));
    if (!ok_arr || !ok_done || !m->lat || !m->proc || !m->win || !m->bucket_lat
        || !m->results) {
        metrics_free(m);
        return NULL;
    }
    return m;
}

void metrics_free(metrics_t *m)
{
    if (!m)
        return;
    seenset_free(&m->arrived);
    seenset_free(&m->done);
    hist_free(m->lat);
    hist_free(m->proc);
    hist_free(m->win);
    hist_free(m->bucket_lat);
    wmap_free(m->results);
    free(m->rows);
    free(m->faults);
    free(m->wmpts);
    free(m);
}

void metrics_fail(metrics_t *m, const char *invariant, const char *detail)
{
    if (m->fail_name[0])
        return;
    snprintf(m->fail_name, sizeof m->fail_name, "%s", invariant ? invariant : "unknown");
    snprintf(m->fail_detail, sizeof m->fail_detail, "%s", detail ? detail : "");
}

void metrics_arrived(metrics_t *m, const workload_event *ev)
{
    /* Out of memory in the dedupe set: count it anyway (an over-count
     * shows up as a conservation failure rather than silently). */
    if (seenset_test_set(&m->arrived, ev->seq) == 1)
        return;
    m->events++;
    m->b_arrivals++;
    if (ev->arrival_time < m->first_arrival)
        m->first_arrival = ev->arrival_time;
}

void metrics_processed(metrics_t *m, const workload_event *ev, double start, double end)
{
    m->processed++;
    m->b_processed++;
    m->wait_sum += start - ev->arrival_time;
    m->work_sum += end - start;
}

void metrics_visible(metrics_t *m, const workload_event *ev, double emit_time)
{
    if (seenset_test_set(&m->done, ev->seq) == 1)
        return;
    m->counted++;
    m->b_visible++;
    if (!m->compare_only) {
        hist_add2(m->lat, m->bucket_lat, emit_time - ev->event_time);
        hist_add(m->proc, emit_time - ev->arrival_time);
    }
    if (emit_time > m->last_emit)
        m->last_emit = emit_time;
}

void metrics_dropped(metrics_t *m, const workload_event *ev, double now)
{
    (void)now;
    if (seenset_test_set(&m->done, ev->seq) == 1)
        return;
    m->dropped++;
    m->b_dropped++;
}

const char *pane_timing_name(int timing)
{
    static const char *const names[] = { "EARLY", "ON_TIME", "LATE", "BATCH" };
    if (timing < 0 || timing > PANE_BATCH)
        return "UNKNOWN";
    return names[timing];
}

/* ------------------------------------------------------ number output */

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A window's "start,end" cells (empty when not finite); a window of
 * window type none has start == end, formatted once. */
static size_t format_window_cells(char *b, double start, double end)
{
    size_t n = (size_t)fmt_num_buf(b, start);
    b[n++] = ',';
    if (same_bits(start, end)) {
        memcpy(b + n, b, n - 1);
        return 2 * n - 1;
    }
    return n + (size_t)fmt_num_buf(b + n, end);
}

/* One panes.csv row, built in a buffer and written with one fwrite (this
 * runs once per event for window type none).  The window's cells are
 * formatted once per window, not once per pane. */
static int write_pane_row(metrics_t *m, const pane_t *p, FILE *f)
{
    char b[256];
    size_t n = strlen(m->executor);
    if (n > 64)
        n = 64;
    memcpy(b, m->executor, n);
    b[n++] = ',';
    if (workload_key_name(m->keys, p->key)) { /* a string key: written apart */
        if (fwrite(b, 1, n, f) != n || workload_write_key(f, m->keys, p->key) != WL_OK)
            return -1;
        n = 0;
    } else {
        n += (size_t)fmt_u64(b + n, p->key);
    }
    b[n++] = ',';
    if (!same_bits(p->start, m->pane_win.start) || !same_bits(p->end, m->pane_win.end)) {
        m->pane_win.len = format_window_cells(m->pane_win.text, p->start, p->end);
        m->pane_win.start = p->start;
        m->pane_win.end = p->end;
    }
    memcpy(b + n, m->pane_win.text, m->pane_win.len);
    n += m->pane_win.len;
    b[n++] = ',';
    n += (size_t)fmt_u64(b + n, p->index);
    b[n++] = ',';
    const char *tn = pane_timing_name(p->timing);
    size_t tl = strlen(tn);
    memcpy(b + n, tn, tl);
    n += tl;
    b[n++] = ',';
    if (isfinite(p->emit_time))
        n += (size_t)fmt_g9(b + n, p->emit_time);
    b[n++] = ',';
    n += (size_t)fmt_u64(b + n, p->count);
    b[n++] = ',';
    n += (size_t)(m->decimals ? workload_format_value(m->keys, p->sum, b + n)
                              : fmt_i64(b + n, p->sum));
    b[n++] = ',';
    b[n++] = p->duplicate ? '1' : '0';
    b[n++] = '\n';
    return fwrite(b, 1, n, f) == n ? 0 : -1;
}

/* The failure reports of metrics_pane and metrics_watermark, out of line:
 * their text buffers made the per-event callers set up a big stack frame
 * (and a stack protector) every time. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void fail_ontime(metrics_t *m, const pane_t *p)
{
    char d[DETAIL_MAX_LEN];
    snprintf(d, sizeof d,
             "executor %s: ON_TIME pane of key %" PRIu32 " window [%.9g, %.9g) "
             "emitted at t=%.9g while the watermark is %.9g",
             m->executor, p->key, p->start, p->end, p->emit_time, m->wm);
    metrics_fail(m, "on_time_after_watermark", d);
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void fail_wm_back(metrics_t *m, double now, double wm)
{
    char d[DETAIL_MAX_LEN];
    snprintf(d, sizeof d,
             "executor %s: watermark went back from %.9g (set at t=%.9g) "
             "to %.9g at t=%.9g",
             m->executor, m->wm, m->watermark_time, wm, now);
    metrics_fail(m, "watermark_monotone", d);
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void fail_behind(metrics_t *m, const char *what, uint32_t key, double start, double end)
{
    char d[DETAIL_MAX_LEN];
    snprintf(d, sizeof d,
             "executor %s: %s of key %" PRIu32 " window [%.9g, %.9g) after windows "
             "ending before %.9g were folded (its horizon promised none)",
             m->executor, what, key, start, end, m->fold_h);
    metrics_fail(m, "window_horizon", d);
}

int metrics_pane(metrics_t *m, const pane_t *p)
{
    m->panes++;
    if (p->duplicate)
        m->duplicates++;
    if (p->timing == PANE_ON_TIME && m->window_type != WIN_NONE &&
        p->end - m->x.ontime_before > m->wm)
        fail_ontime(m, p);
    if (p->end < m->fold_h && m->window_type != WIN_NONE)
        fail_behind(m, "pane", p->key, p->start, p->end);
    int rc = 0;
    if (m->panes_csv && write_pane_row(m, p, m->panes_csv) != 0)
        rc = -1;
    if (m->window_type == WIN_NONE)
        return rc;

    if (!m->compare_only)
        hist_add(m->win, p->emit_time - p->end);
    int created = 0;
    metrics_result *r = wmap_put(m->results, p->key, p->start, p->end, &created);
    if (!r)
        return -1;
    if (created) {
        r->first_count = p->count;
        r->first_sum = p->sum;
        r->first_emit = p->emit_time;
    }
    if (m->deltas && !created) {
        r->final_count += p->count;
        r->final_sum += p->sum;
    } else {
        r->final_count = p->count;
        r->final_sum = p->sum;
    }
    r->final_emit = p->emit_time;
    r->panes++;
    if (!r->has_ontime && (p->timing == PANE_ON_TIME || p->timing == PANE_BATCH)) {
        r->has_ontime = 1;
        r->ontime_count = r->final_count;
        r->ontime_sum = r->final_sum;
    }
    return rc;
}

int metrics_window_merged(metrics_t *m, uint32_t key, double old_start, double old_end,
                          double new_start, double new_end)
{
    if (m->window_type == WIN_NONE)
        return 0;
    if (old_end < m->fold_h || new_end < m->fold_h)
        fail_behind(m, "merge", key, old_start, old_end);
    const metrics_result *o = wmap_get(m->results, key, old_start, old_end);
    if (!o)
        return 0; /* nothing of it was shown */
    metrics_result old = *o;
    wmap_del(m->results, key, old_start, old_end);
    int created = 0;
    metrics_result *r = wmap_put(m->results, key, new_start, new_end, &created);
    if (!r)
        return -1;
    if (created) {
        *r = old;
        return 0;
    }
    if (m->deltas) {
        r->final_count += old.final_count;
        r->final_sum += old.final_sum;
        if (r->has_ontime) {
            r->ontime_count += old.final_count;
            r->ontime_sum += old.final_sum;
        }
    }
    if (old.first_emit < r->first_emit) {
        r->first_count = old.first_count;
        r->first_sum = old.first_sum;
        r->first_emit = old.first_emit;
    }
    if (!r->has_ontime && old.has_ontime) {
        r->has_ontime = 1;
        r->ontime_count = old.ontime_count;
        r->ontime_sum = old.ontime_sum;
    }
    r->panes += old.panes;
    return 0;
}

void metrics_watermark(metrics_t *m, double now, double wm)
{
    if (isnan(wm))
        return;
    if (m->has_wm && wm < m->wm)
        fail_wm_back(m, now, wm);
    m->has_wm = 1;
    m->wm = wm;
    m->watermark_time = now;
    if (!isfinite(wm))
        return;
    /* one point per wm_dt interval: a later change in the same interval
     * replaces it (drawn as steps, the line is never above the watermark) */
    if (m->nwm && floor(m->wmpts[m->nwm - 1].time / m->wm_dt) == floor(now / m->wm_dt)) {
        m->wmpts[m->nwm - 1] = (wm_point){now, wm};
        return;
    }
    if (vec_ensure(&m->wmpts, &m->capwm, m->nwm + 1, sizeof *m->wmpts) != VEC_OK) {
        m->wm_oom = 1;
        return;
    }
    m->wmpts[m->nwm++] = (wm_point){now, wm};
}

static void write_timeline_row(const metrics_t *m, const timeline_row *r, FILE *f);

int metrics_sample(metrics_t *m, double now, uint64_t backlog, double watermark)
{
    if (m->compare_only) {
        m->b_arrivals = m->b_processed = m->b_dropped = m->b_visible = 0;
        return 0;
    }
    if (!m->trows_set && vec_ensure(&m->rows, &m->caprows, m->nrows + 1, sizeof *m->rows) != VEC_OK)
        return -1;
    timeline_row one; /* with metrics_keep_timeline: straight to its stream */
    timeline_row *r = m->trows_set ? &one : &m->rows[m->nrows++];
    r->time = now;
    r->arrivals = m->b_arrivals;
    r->processed = m->b_processed;
    r->backlog = backlog;
    r->dropped = m->b_dropped;
    r->visible = m->b_visible;
    r->watermark = watermark;
    r->lat_p50 = hist_quantile(m->bucket_lat, 0.5);
    r->lat_p99 = hist_quantile(m->bucket_lat, 0.99);
    m->b_arrivals = m->b_processed = m->b_dropped = m->b_visible = 0;
    hist_reset(m->bucket_lat);
    if (m->trows) {
        write_timeline_row(m, r, m->trows);
        if (ferror(m->trows))
            return -1;
    }
    return 0;
}

void metrics_keep_timeline(metrics_t *m, FILE *rows)
{
    m->trows_set = 1;
    m->trows = rows;
}

void metrics_compare_only(metrics_t *m)
{
    metrics_keep_timeline(m, NULL);
    m->compare_only = 1;
}

int metrics_fault(metrics_t *m, const fault_row *r)
{
    if (vec_ensure(&m->faults, &m->capfaults, m->nfaults + 1, sizeof *m->faults) != VEC_OK)
        return -1;
    m->faults[m->nfaults++] = *r;
    return 0;
}

static double share(uint64_t part, uint64_t whole)
{
    if (whole == 0)
        return NAN;
    return part >= whole ? 1.0 : (double)part / (double)whole;
}

/* Adds window (t, r) to the completeness sums (in the order of the
 * calls: folds, then metrics_finish, each in (start, end, key) order, so
 * the long double sums are the same whether or not a run folded). */
static void account(metrics_t *m, const truth_value *t, const metrics_result *r)
{
    if (!t || t->count == 0)
        return;
    m->acc_n++;
    if (!r)
        return;
    m->acc_first += share(r->first_count, t->count);
    if (r->has_ontime)
        m->acc_ontime += share(r->ontime_count, t->count);
    m->acc_final += share(r->final_count, t->count);
    if (r->final_count == t->count && r->final_sum == t->sum)
        m->acc_exact++;
}

int metrics_finish(metrics_t *m, const truth_t *truth)
{
    uint64_t done = m->counted + m->dropped;
    if (m->events != done) {
        char d[DETAIL_MAX_LEN];
        snprintf(d, sizeof d,
                 "executor %s: events=%" PRIu64 " but counted=%" PRIu64
                 " + dropped_late=%" PRIu64 " = %" PRIu64,
                 m->executor, m->events, m->counted, m->dropped, done);
        metrics_fail(m, "conservation", d);
    }

    if (m->window_type == WIN_NONE) {
        double c = share(m->counted, m->events);
        m->complete_first = m->complete_ontime = m->complete_final = c;
        m->windows_exact = c;
        return 0;
    }
    if (!truth)
        return 0;
    wmap_key *tk = NULL;
    void **tv = NULL;
    if (wmap_sorted(truth_map(truth), &tk, &tv) != 0)
        return -1;
    size_t tn = wmap_size(truth_map(truth));
    for (size_t i = 0; i < tn; i++)
        account(m, tv[i], wmap_get(m->results, tk[i].key, tk[i].start, tk[i].end));
    free(tk);
    free(tv);
    /* Sums of shares in long double, in (start, end, key) order. */
    if (m->acc_n) {
        long double n = (long double)m->acc_n;
        m->complete_first = (double)(m->acc_first / n);
        m->complete_ontime = (double)(m->acc_ontime / n);
        m->complete_final = (double)(m->acc_final / n);
        m->windows_exact = (double)m->acc_exact / (double)m->acc_n;
    }
    return 0;
}

void metrics_get_summary(const metrics_t *m, metrics_summary *s)
{
    memset(s, 0, sizeof *s);
    s->executor = m->executor;
    s->events = m->events;
    s->counted = m->counted;
    s->dropped_late = m->dropped;
    s->duplicates = m->duplicates;
    uint64_t done = m->counted + m->dropped;
    s->lost = m->events > done ? m->events - done : 0;
    s->lat_mean = hist_mean(m->lat);
    s->lat_p50 = hist_quantile(m->lat, 0.5);
    s->lat_p95 = hist_quantile(m->lat, 0.95);
    s->lat_p99 = hist_quantile(m->lat, 0.99);
    s->lat_max = hist_max(m->lat);
    s->proc_lat_mean = hist_mean(m->proc);
    s->proc_lat_p50 = hist_quantile(m->proc, 0.5);
    s->proc_lat_p99 = hist_quantile(m->proc, 0.99);
    double span = m->last_emit - m->first_arrival;
    s->throughput = (m->counted > 0 && isfinite(span) && span > 0)
                    ? (double)m->counted / span : 0.0;
    s->panes = m->panes;
    for (size_t i = 0; i < m->nfaults; i++) {
        const fault_row *r = &m->faults[i];
        if (r->kind == FAULT_CRASH)
            s->crashes++;
        if (isfinite(r->downtime))
            s->downtime += r->downtime;
        s->reprocessed += r->reprocessed;
        if (isfinite(r->cpu_wasted))
            s->cpu_wasted += r->cpu_wasted;
    }
    s->win_lat_mean = hist_mean(m->win);
    s->win_lat_p99 = hist_quantile(m->win, 0.99);
    s->complete_first = m->complete_first;
    s->complete_ontime = m->complete_ontime;
    s->complete_final = m->complete_final;
    s->windows_exact = m->windows_exact;
    if (m->processed) {
        s->wait_mean = (double)(m->wait_sum / m->processed);
        s->work_mean = (double)(m->work_sum / m->processed);
    } else {
        s->wait_mean = s->work_mean = NAN;
    }
    /* NAN if any is.  A difference of means cancels: when the three are
     * equal up to rounding (per-record output, visible as soon as
     * processed) say 0 rather than -6.5e-19. */
    s->hold_mean = s->proc_lat_mean - s->wait_mean - s->work_mean;
    if (fabs(s->hold_mean) <= 1e-9 * fabs(s->proc_lat_mean))
        s->hold_mean = 0.0;
    s->checkpoint_cpu = m->checkpoint_cpu;
    s->overhead = m->checkpoint_cpu + s->cpu_wasted + s->downtime * (double)m->x.parallelism;
    s->invariants = m->fail_name[0] ? m->fail_name : "ok";
}

void metrics_checkpoint(metrics_t *m, double cpu_s)
{
    m->checkpoint_cpu += cpu_s;
}

const char *metrics_failure_detail(const metrics_t *m)
{
    return m->fail_detail;
}

size_t metrics_dedupe_bytes(const metrics_t *m)
{
    return seenset_bytes(&m->arrived) + seenset_bytes(&m->done);
}

void metrics_keep_windows(metrics_t *m, FILE *rows)
{
    m->wrows = rows;
}

void metrics_fold_horizon(metrics_t *m, double h)
{
    if (h > m->fold_h)
        m->fold_h = h;
}

uint64_t metrics_windows_folded(const metrics_t *m)
{
    return m->folded;
}

static void write_window_row(const metrics_t *m, const wmap_key *k,
                             const truth_value *t, const metrics_result *r, FILE *f);

int metrics_fold_window(metrics_t *m, const wmap_key *k, const truth_value *t)
{
    const metrics_result *r = wmap_get(m->results, k->key, k->start, k->end);
    if (!r && !t)
        return 0;
    account(m, t, r);
    int rc = 0;
    if (m->wrows) {
        write_window_row(m, k, t, r, m->wrows);
        if (ferror(m->wrows))
            rc = -1;
    }
    if (r)
        wmap_del(m->results, k->key, k->start, k->end);
    m->folded++;
    return rc;
}

const wmap_t *metrics_results(const metrics_t *m)
{
    return m->results;
}

/* ------------------------------------------------------------ CSV writers */

static int done_writing(FILE *f)
{
    return ferror(f) ? -1 : 0;
}

int metrics_write_summary_header(FILE *f)
{
    return columns_write_header(f, "summary.csv");
}

/* ",x" for each of n doubles. */
static void put_nums(FILE *f, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc(',', f);
        fmt_num(f, x[i]);
    }
}

int metrics_write_summary_row(const metrics_t *m, FILE *f)
{
    metrics_summary s;
    metrics_get_summary(m, &s);
    fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
            s.executor, s.events, s.counted, s.dropped_late, s.duplicates, s.lost);
    const double a[] = { s.lat_mean, s.lat_p50, s.lat_p95, s.lat_p99, s.lat_max,
                         s.proc_lat_mean, s.proc_lat_p99, s.throughput };
    put_nums(f, a, sizeof a / sizeof a[0]);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", s.panes, s.crashes);
    fmt_num(f, s.downtime);
    fprintf(f, ",%" PRIu64 ",%s", s.reprocessed, s.invariants);
    const double b[] = { s.proc_lat_p50, s.cpu_wasted, s.win_lat_mean, s.win_lat_p99,
                         s.complete_first, s.complete_ontime, s.complete_final,
                         s.windows_exact, s.wait_mean, s.work_mean, s.hold_mean,
                         s.checkpoint_cpu, s.overhead };
    put_nums(f, b, sizeof b / sizeof b[0]);
    fprintf(f, ",%s,%d,%d,%d,%" PRIu64 "\n", m->x.label, m->x.parallelism, m->x.deltas,
            m->x.exactly_once, m->seed);
    return done_writing(f);
}

int metrics_write_pane_header(FILE *f)
{
    return columns_write_header(f, "panes.csv");
}

int metrics_write_timeline_header(FILE *f)
{
    return columns_write_header(f, "timeline.csv");
}

static void write_timeline_row(const metrics_t *m, const timeline_row *r, FILE *f)
{
    fprintf(f, "%s,", m->executor);
    fmt_num(f, r->time);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, r->arrivals, r->processed, r->backlog);
    const double a[] = { r->watermark, r->lat_p50, r->lat_p99 };
    put_nums(f, a, 3);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 "\n", r->dropped, r->visible);
}

/* Copies what was written to a temporary stream (rewound, then back at
 * its end). */
static int copy_stream(FILE *from, FILE *to)
{
    char buf[1 << 14];
    size_t n;
    if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    if (ferror(from) || fseek(from, 0, SEEK_END) != 0)
        return -1;
    return 0;
}

int metrics_write_timeline(const metrics_t *m, FILE *f)
{
    if (m->trows && copy_stream(m->trows, f) != 0)
        return -1;
    for (size_t i = 0; i < m->nrows; i++) /* 0 with metrics_keep_timeline */
        write_timeline_row(m, &m->rows[i], f);
    return done_writing(f);
}

int metrics_write_windows_header(FILE *f)
{
    return columns_write_header(f, "windows.csv");
}

static void write_window_row(const metrics_t *m, const wmap_key *k,
                             const truth_value *t, const metrics_result *r, FILE *f)
{
    static const metrics_result none = { 0, 0, NAN, 0, 0, NAN, 0, 0, 0, 0 };
    static const truth_value zero = { 0, 0 };
    if (!r)
        r = &none;
    if (!t)
        t = &zero;
    fprintf(f, "%s,", m->executor);
    workload_write_key(f, m->keys, k->key);
    fputc(',', f);
    fmt_num(f, k->start);
    fputc(',', f);
    fmt_num(f, k->end);
    char ts[32], fs[32], ls[32]; /* sums as the trace writes values (decimals) */
    workload_format_value(m->keys, t->sum, ts);
    workload_format_value(m->keys, r->first_sum, fs);
    workload_format_value(m->keys, r->final_sum, ls);
    fprintf(f, ",%" PRIu64 ",%s,%" PRIu64 ",%s,", t->count, ts, r->first_count, fs);
    fmt_num(f, r->first_emit);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%s,", r->ontime_count, r->final_count, ls);
    fmt_num(f, r->final_emit);
    fprintf(f, ",%" PRIu32 "\n", r->panes);
}

int metrics_write_windows(const metrics_t *m, const truth_t *truth, FILE *f)
{
    if (m->window_type == WIN_NONE)
        return 0;
    /* the rows of folded windows first: they sort before the rest */
    if (m->wrows && copy_stream(m->wrows, f) != 0)
        return -1;
    wmap_key *tk = NULL, *rk = NULL;
    void **tv = NULL, **rv = NULL;
    size_t tn = 0, rn = wmap_size(m->results);
    if (truth) {
        tn = wmap_size(truth_map(truth));
        if (wmap_sorted(truth_map(truth), &tk, &tv) != 0)
            return -1;
    }
    if (wmap_sorted(m->results, &rk, &rv) != 0) {
        free(tk);
        free(tv);
        return -1;
    }
    /* Merge of two sorted lists: O(truth + seen). */
    size_t i = 0, j = 0;
    while (i < tn || j < rn) {
        int c = i >= tn ? 1 : j >= rn ? -1 : wmap_key_cmp(&tk[i], &rk[j]);
        if (c < 0) {
            write_window_row(m, &tk[i], tv[i], NULL, f);
            i++;
        } else if (c > 0) {
            write_window_row(m, &rk[j], NULL, rv[j], f);
            j++;
        } else {
            write_window_row(m, &tk[i], tv[i], rv[j], f);
            i++;
            j++;
        }
    }
    free(tk);
    free(tv);
    free(rk);
    free(rv);
    return done_writing(f);
}

int metrics_write_latency_header(FILE *f)
{
    return columns_write_header(f, "latency.csv");
}

struct cdf_out {
    FILE *f;
    const char *executor, *measure;
};

static void cdf_row(void *user, double x, double p)
{
    const struct cdf_out *o = user;
    fprintf(o->f, "%s,%s,", o->executor, o->measure);
    fmt_num(o->f, x);
    fputc(',', o->f);
    fmt_num(o->f, p);
    fputc('\n', o->f);
}

int metrics_write_latency(const metrics_t *m, FILE *f)
{
    struct cdf_out o = { f, m->executor, "event" };
    hist_cdf(m->lat, cdf_row, &o);
    o.measure = "arrival";
    hist_cdf(m->proc, cdf_row, &o);
    return done_writing(f);
}

int metrics_write_watermarks_header(FILE *f)
{
    return columns_write_header(f, "watermarks.csv");
}

int metrics_write_watermarks(const metrics_t *m, FILE *f)
{
    if (m->wm_oom)
        return -1;
    for (size_t i = 0; i < m->nwm; i++)
        if (fprintf(f, "%s,", m->executor) < 0 || fmt_num(f, m->wmpts[i].time) != 0 ||
            fputc(',', f) == EOF || fmt_num(f, m->wmpts[i].wm) != 0 || fputc('\n', f) == EOF)
            return -1;
    return 0;
}

int metrics_write_faults_header(FILE *f)
{
    return columns_write_header(f, "faults.csv");
}

int metrics_write_faults(const metrics_t *m, FILE *f)
{
    for (size_t i = 0; i < m->nfaults; i++) {
        const fault_row *r = &m->faults[i];
        const char *kind = fault_kind_name(r->kind);
        fprintf(f, "%s,%" PRIu32 ",%s", m->executor, r->fault_id, kind ? kind : "");
        const double a[] = { r->time, r->detected, r->resumed, r->caught_up, r->downtime };
        put_nums(f, a, 5);
        fprintf(f, ",%" PRIu64 ",", r->reprocessed);
        fmt_num(f, r->cpu_wasted);
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", r->duplicates, r->lost);
        fmt_num(f, r->peak_latency);
        fputc('\n', f);
    }
    return done_writing(f);
}
