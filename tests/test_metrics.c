/*
 * Tests of metrics: hand-made sequences of arrivals, visibilities and panes
 * with summary figures worked out by hand, the seq dedupe set against a
 * reference over 200k seqs, completeness against a hand ground truth, each
 * invariant, and golden CSV files (tests/golden/metrics_*.csv).
 *
 * Set SLUICE_UPDATE_GOLDEN=1 to rewrite the golden files (then review the
 * diff by hand before committing).
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"
#include "model/fault.h"
#include "model/truth.h"
#include "lib/hist.h"
#include "engine/exec.h"
#include "measure/metrics.h"
#include "run/sim.h"
#include "model/workload.h"

/* ------------------------------------------------------------- helpers */

static config_t window_cfg(int type, double size)
{
    config_t c;
    memset(&c, 0, sizeof c);
    c.window.type = type;
    c.window.size = size;
    c.window.slide = size;
    c.window.gap = size;
    return c;
}

static workload_event ev_make(uint64_t seq, uint32_t key, int64_t value, double et, double at)
{
    workload_event e;
    memset(&e, 0, sizeof e);
    e.id = seq;
    e.seq = seq;
    e.key = key;
    e.value = value;
    e.event_time = et;
    e.arrival_time = at;
    return e;
}

static pane_t pane_make(uint32_t key, double start, double end, uint32_t index,
                        int timing, double emit, uint64_t count, int64_t sum)
{
    pane_t p;
    memset(&p, 0, sizeof p);
    p.key = key;
    p.start = start;
    p.end = end;
    p.index = index;
    p.timing = timing;
    p.emit_time = emit;
    p.count = count;
    p.sum = sum;
    return p;
}

/* |x - want| <= rel * |want| */
static int near_rel(double x, double want, double rel)
{
    return fabs(x - want) <= rel * fabs(want);
}

/* Contents written to a memory stream by fn. Caller frees. */
static char *capture(int (*fn)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(fn(f), 0);
    fclose(f);
    return buf;
}

/* splitmix64: the tests' own deterministic generator. */
static uint64_t mix_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double mix_unit(uint64_t *s)
{
    return (double)(mix_next(s) >> 11) * 0x1.0p-53;
}

/* --------------------------------------------------- summary by hand */

/*
 * Four events, tumbling windows of 10 s, stream-like:
 *   seq  event  arrival  start  end   visible at
 *    0    1.0    1.5     1.5   1.75    10.0
 *    1    2.0    3.0     3.5   3.75    10.0
 *    2    4.0    4.0     4.0   4.25    12.0
 *    3   11.0   12.0    12.0  12.25    20.0
 * lat (emit - event): 9, 8, 8, 9 -> mean 8.5, max 9
 * proc (emit - arrival): 8.5, 7, 8, 8 -> mean 7.875
 * wait: 0, 0.5, 0, 0 -> 0.125; work: 0.25 each
 * hold = 7.875 - 0.125 - 0.25 = 7.5
 * throughput = 4 / (20 - 1.5)
 */
Test(metrics, summary_by_hand)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    cr_assert_not_null(m);
    workload_event e[4] = {
        ev_make(0, 1, 5, 1.0, 1.5), ev_make(1, 1, 7, 2.0, 3.0),
        ev_make(2, 2, 1, 4.0, 4.0), ev_make(3, 1, 2, 11.0, 12.0),
    };
    double start[4] = { 1.5, 3.5, 4.0, 12.0 };
    for (int i = 0; i < 4; i++) {
        metrics_arrived(m, &e[i]);
        metrics_processed(m, &e[i], start[i], start[i] + 0.25);
    }
    metrics_watermark(m, 10.0, 10.0);
    pane_t p = pane_make(1, 0, 10, 0, PANE_ON_TIME, 10.0, 2, 12);
    cr_assert_eq(metrics_pane(m, &p), 0);
    metrics_visible(m, &e[0], 10.0);
    metrics_visible(m, &e[1], 10.0);
    p = pane_make(2, 0, 10, 0, PANE_ON_TIME, 12.0, 1, 1);
    cr_assert_eq(metrics_pane(m, &p), 0);
    metrics_visible(m, &e[2], 12.0);
    metrics_watermark(m, 20.0, 20.0);
    p = pane_make(1, 10, 20, 0, PANE_ON_TIME, 20.0, 1, 2);
    cr_assert_eq(metrics_pane(m, &p), 0);
    metrics_visible(m, &e[3], 20.0);
    cr_assert_eq(metrics_finish(m, NULL), 0);

    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.executor, "stream");
    cr_assert_eq(s.events, 4);
    cr_assert_eq(s.counted, 4);
    cr_assert_eq(s.dropped_late, 0);
    cr_assert_eq(s.lost, 0);
    cr_assert_eq(s.panes, 3);
    cr_assert_eq(s.duplicates, 0);
    /* Means and max are exact in lib/hist.h (long double sums); 1e-12 only
     * absorbs the final rounding to double. */
    cr_assert(near_rel(s.lat_mean, 8.5, 1e-12), "lat_mean %.17g", s.lat_mean);
    cr_assert(near_rel(s.lat_max, 9.0, 1e-12), "lat_max %.17g", s.lat_max);
    cr_assert(near_rel(s.proc_lat_mean, 7.875, 1e-12), "proc %.17g", s.proc_lat_mean);
    /* Quantiles: nearest rank within HIST_REL_ERR. lat sorted 8,8,9,9:
     * p50 = 8 (rank 2), p95 = p99 = 9. proc sorted 7,8,8,8.5: p50 = 8. */
    cr_assert(near_rel(s.lat_p50, 8.0, HIST_REL_ERR), "p50 %.17g", s.lat_p50);
    cr_assert(near_rel(s.lat_p95, 9.0, HIST_REL_ERR), "p95 %.17g", s.lat_p95);
    cr_assert(near_rel(s.lat_p99, 9.0, HIST_REL_ERR), "p99 %.17g", s.lat_p99);
    cr_assert(near_rel(s.proc_lat_p50, 8.0, HIST_REL_ERR), "pp50 %.17g", s.proc_lat_p50);
    cr_assert(near_rel(s.proc_lat_p99, 8.5, HIST_REL_ERR), "pp99 %.17g", s.proc_lat_p99);
    cr_assert(near_rel(s.wait_mean, 0.125, 1e-12), "wait %.17g", s.wait_mean);
    cr_assert(near_rel(s.work_mean, 0.25, 1e-12), "work %.17g", s.work_mean);
    cr_assert(near_rel(s.hold_mean, 7.5, 1e-12), "hold %.17g", s.hold_mean);
    cr_assert(near_rel(s.throughput, 4.0 / 18.5, 1e-12), "thr %.17g", s.throughput);
    /* window latency: emit - end = 0, 2, 0 -> mean 2/3 */
    cr_assert(near_rel(s.win_lat_mean, 2.0 / 3.0, 1e-12), "win %.17g", s.win_lat_mean);
    cr_assert(near_rel(s.win_lat_p99, 2.0, HIST_REL_ERR), "win99 %.17g", s.win_lat_p99);
    cr_assert_str_eq(s.invariants, "ok");
    cr_assert_str_eq(metrics_failure_detail(m), "");
    /* No truth given: completeness is undefined. */
    cr_assert(isnan(s.complete_final));
    metrics_free(m);
}

Test(metrics, empty_run_is_undefined_not_zero_division)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("batch", &c, 0, NULL);
    cr_assert_eq(metrics_finish(m, NULL), 0);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.events, 0);
    cr_assert_eq(s.throughput, 0.0);
    cr_assert(isnan(s.lat_mean) && isnan(s.lat_p99) && isnan(s.wait_mean));
    cr_assert(isnan(s.hold_mean));
    cr_assert_str_eq(s.invariants, "ok");
    metrics_free(m);
}

/* ------------------------------------------------------------- dedupe */

Test(metrics, dedupe_by_seq)
{
    config_t c = window_cfg(WIN_SLIDING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    workload_event a = ev_make(0, 1, 1, 0.0, 1.0);
    workload_event b = ev_make(1, 1, 1, 0.0, 1.0);
    metrics_arrived(m, &a);
    metrics_arrived(m, &a); /* a replay: still one event */
    metrics_arrived(m, &b);
    metrics_visible(m, &a, 5.0);
    metrics_visible(m, &a, 7.0);  /* second window of a sliding pair */
    metrics_dropped(m, &a, 8.0);  /* dropped from a third: ignored */
    metrics_dropped(m, &b, 2.0);
    metrics_visible(m, &b, 9.0);  /* visible after dropped: ignored */
    metrics_finish(m, NULL);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.events, 2);
    cr_assert_eq(s.counted, 1);
    cr_assert_eq(s.dropped_late, 1);
    cr_assert_eq(s.lost, 0);
    /* Only the first visibility counts for latency: 5 - 0. */
    cr_assert(near_rel(s.lat_mean, 5.0, 1e-12), "lat %.17g", s.lat_mean);
    cr_assert(near_rel(s.lat_max, 5.0, 1e-12));
    cr_assert_str_eq(s.invariants, "ok");
    metrics_free(m);
}

/*
 * The seq set against a plain byte-per-seq reference.  200k seqs are
 * reported in a shuffled-by-jitter order (each seq at i + U(0, 3000)
 * positions), 20% of them a second time much later, half as visible and
 * half as dropped; seq 7, seq 100003 and every 997th seq stay pending
 * until the very end and are then reported in random order (long-stuck
 * events: they must survive the ring sliding past them), and every 8th seq
 * of 50000..60000 is held back by 120000 positions (a dense pending block
 * that must make the ring grow).
 * After every call the counters must move exactly when the reference says
 * the seq was new.
 */
typedef struct report { double when; uint64_t seq; uint32_t tie; } report;

static int report_cmp(const void *a, const void *b)
{
    const report *x = a, *y = b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return x->tie < y->tie ? -1 : x->tie > y->tie;
}

Test(metrics, seqset_against_reference)
{
    const uint64_t n = 200000;
    const uint64_t seeds[] = { 1, 0xC0FFEE };
    for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
        uint64_t rs = seeds[si];
        config_t c = window_cfg(WIN_TUMBLING, 10);
        metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
        report *r = malloc(2 * n * sizeof *r);
        unsigned char *ref = calloc(n, 1);
        cr_assert(r && ref);
        size_t nr = 0;
        for (uint64_t i = 0; i < n; i++) {
            double when = (double)i + 3000.0 * mix_unit(&rs);
            if (i == 7 || i == 100003 || i % 997 == 500)
                when = 1e12 + 1e6 * mix_unit(&rs);
            else if (i >= 50000 && i < 60000 && i % 8 == 0)
                when += 120000.0;
            r[nr].when = when;
            r[nr].seq = i;
            r[nr].tie = (uint32_t)nr;
            nr++;
            if (mix_unit(&rs) < 0.2) {
                r[nr].when = when + 50000.0 * mix_unit(&rs);
                r[nr].seq = i;
                r[nr].tie = (uint32_t)nr;
                nr++;
            }
        }
        qsort(r, nr, sizeof *r, report_cmp);
        uint64_t done = 0;
        for (size_t k = 0; k < nr; k++) {
            workload_event e = ev_make(r[k].seq, 0, 1, 0.0, 0.0);
            metrics_summary s;
            if (mix_next(&rs) & 1)
                metrics_visible(m, &e, 1.0);
            else
                metrics_dropped(m, &e, 1.0);
            if (!ref[r[k].seq]) {
                ref[r[k].seq] = 1;
                done++;
            }
            if (k % 97 == 0 || k + 3 >= nr) {
                metrics_get_summary(m, &s);
                cr_assert_eq(s.counted + s.dropped_late, done,
                             "seed %" PRIu64 ": after report %zu (seq %" PRIu64
                             "): counted+dropped %" PRIu64 ", reference %" PRIu64,
                             seeds[si], k, r[k].seq, s.counted + s.dropped_late, done);
            }
        }
        /* Every seq reported once more: nothing may count again. */
        metrics_summary s0, s1;
        metrics_get_summary(m, &s0);
        for (uint64_t i = 0; i < n; i += 7) {
            workload_event e = ev_make(i, 0, 1, 0.0, 0.0);
            metrics_visible(m, &e, 2.0);
        }
        metrics_get_summary(m, &s1);
        cr_assert_eq(done, n, "seed %" PRIu64, seeds[si]);
        cr_assert_eq(s1.counted, s0.counted, "seed %" PRIu64 ": re-report counted", seeds[si]);
        cr_assert_eq(s1.counted + s1.dropped_late, n, "seed %" PRIu64, seeds[si]);
        free(r);
        free(ref);
        metrics_free(m);
    }
}

/*
 * Memory of the dedupe sets does not grow with the run: 2M events, each
 * visible 1,000 seqs after its arrival, seq 0 and every 10,007th seq
 * pending until the very end (200 long-stuck events).  A plain bitset from
 * the oldest pending seq would need 2M bits = 250 KB; the ring plus
 * stragglers needs the in-flight spread (1,000 seqs: a few hundred bytes,
 * rounded up to the smallest ring sizes) plus 16 bytes per stuck event
 * (hash set at <= 50% load): under 16 KB.
 */
Test(metrics, dedupe_memory_bounded)
{
    const uint64_t n = 2000000, lag = 1000;
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    size_t peak = 0;
    for (uint64_t i = 0; i < n + lag; i++) {
        if (i < n) {
            workload_event e = ev_make(i, 0, 1, 0.0, 0.0);
            metrics_arrived(m, &e);
        }
        if (i >= lag) {
            uint64_t j = i - lag;
            if (j != 0 && j % 10007 != 0) {
                workload_event e = ev_make(j, 0, 1, 0.0, 0.0);
                metrics_visible(m, &e, 1.0);
            }
        }
        if ((i & 0xffff) == 0 && metrics_dedupe_bytes(m) > peak)
            peak = metrics_dedupe_bytes(m);
    }
    cr_assert_lt(peak, 16384, "dedupe sets peaked at %zu bytes", peak);
    for (uint64_t j = 0; j < n; j += 10007) {
        workload_event e = ev_make(j, 0, 1, 0.0, 0.0);
        metrics_visible(m, &e, 2.0);
    }
    metrics_finish(m, NULL);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.events, n);
    cr_assert_eq(s.counted, n);
    cr_assert_str_eq(s.invariants, "ok");
    metrics_free(m);
}

/* -------------------------------------------------------- completeness */

/*
 * Truth, tumbling 10 s:
 *   key 1 [0,10): t=1 (v 1), 2 (v 2), 3 (v 4)  -> count 3, sum 7
 *   key 2 [0,10): t=5 (v 10)                   -> count 1, sum 10
 *   key 1 [10,20): t=15 (v 100)                -> count 1, sum 100
 * Seen downstream:
 *   key 1 [0,10): EARLY {1 ev, 1}, ON_TIME {1 ev, 2}, LATE {1 ev, 4}
 *                 first 1/3, on time 2/3, final 3/3 (exact)
 *   key 2 [0,10): ON_TIME {1, 10}                -> 1, 1, 1 (exact)
 *   key 1 [10,20): never seen                    -> 0, 0, 0
 *   key 3 [20,30): ON_TIME {1, 5}, not in truth: ignored by completeness
 * complete_first = (1/3 + 1 + 0)/3, complete_ontime = (2/3 + 1 + 0)/3,
 * complete_final = 2/3, windows_exact = 2/3.
 */
static truth_t *hand_truth(const config_t *c)
{
    truth_t *g = truth_alloc(&c->window);
    cr_assert_not_null(g);
    workload_event e[5] = {
        ev_make(0, 1, 1, 1.0, 1.0), ev_make(1, 1, 2, 2.0, 2.0),
        ev_make(2, 1, 4, 3.0, 3.0), ev_make(3, 2, 10, 5.0, 5.0),
        ev_make(4, 1, 100, 15.0, 15.0),
    };
    for (int i = 0; i < 5; i++)
        cr_assert_eq(truth_add(g, &e[i]), 0);
    return g;
}

static void feed_hand_panes(metrics_t *m, int deltas)
{
    /* whole-window panes carry the running total */
    pane_t p[5] = {
        pane_make(1, 0, 10, 0, PANE_EARLY, 4.0, 1, 1),
        pane_make(1, 0, 10, 1, PANE_ON_TIME, 10.0, deltas ? 1 : 2, deltas ? 2 : 3),
        pane_make(2, 0, 10, 0, PANE_ON_TIME, 10.0, 1, 10),
        pane_make(1, 0, 10, 2, PANE_LATE, 12.0, deltas ? 1 : 3, deltas ? 4 : 7),
        pane_make(3, 20, 30, 0, PANE_ON_TIME, 30.0, 1, 5),
    };
    metrics_watermark(m, 10.0, 10.0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(metrics_pane(m, &p[i]), 0);
    metrics_watermark(m, 30.0, 30.0);
    cr_assert_eq(metrics_pane(m, &p[4]), 0);
}

static void check_hand_completeness(int deltas)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    truth_t *g = hand_truth(&c);
    metrics_t *m = metrics_alloc("stream", &c, deltas, NULL);
    feed_hand_panes(m, deltas);
    metrics_finish(m, g);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert(near_rel(s.complete_first, (1.0 / 3 + 1) / 3, 1e-12), "first %.17g",
              s.complete_first);
    cr_assert(near_rel(s.complete_ontime, (2.0 / 3 + 1) / 3, 1e-12), "ontime %.17g",
              s.complete_ontime);
    cr_assert(near_rel(s.complete_final, 2.0 / 3, 1e-12), "final %.17g", s.complete_final);
    cr_assert(near_rel(s.windows_exact, 2.0 / 3, 1e-12), "exact %.17g", s.windows_exact);

    const metrics_result *r = wmap_get(metrics_results(m), 1, 0, 10);
    cr_assert_not_null(r);
    cr_assert_eq(r->first_count, 1);
    cr_assert_eq(r->first_sum, 1);
    cr_assert_eq(r->first_emit, 4.0);
    cr_assert_eq(r->ontime_count, 2);
    cr_assert_eq(r->ontime_sum, 3);
    cr_assert_eq(r->has_ontime, 1);
    cr_assert_eq(r->final_count, 3);
    cr_assert_eq(r->final_sum, 7);
    cr_assert_eq(r->final_emit, 12.0);
    cr_assert_eq(r->panes, 3);
    cr_assert_eq(wmap_size(metrics_results(m)), 3);
    metrics_free(m);
    truth_free(g);
}

Test(metrics, completeness_deltas)
{
    check_hand_completeness(1);
}

Test(metrics, completeness_whole_window)
{
    check_hand_completeness(0);
}

/* More than the truth (duplicates added by an at-least-once replay) is
 * complete (capped at 1) but not exact. */
Test(metrics, completeness_overcount_not_exact)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    truth_t *g = truth_alloc(&c.window);
    workload_event e = ev_make(0, 4, 3, 1.0, 1.0);
    truth_add(g, &e);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    metrics_watermark(m, 10.0, 10.0);
    pane_t p = pane_make(4, 0, 10, 0, PANE_ON_TIME, 10.0, 1, 3);
    metrics_pane(m, &p);
    p.index = 1;
    p.emit_time = 11.0;
    p.duplicate = 1;
    metrics_pane(m, &p);
    metrics_finish(m, g);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.duplicates, 1);
    cr_assert_eq(s.panes, 2);
    cr_assert_eq(s.complete_final, 1.0);
    cr_assert_eq(s.complete_first, 1.0);
    cr_assert_eq(s.windows_exact, 0.0);
    const metrics_result *r = wmap_get(metrics_results(m), 4, 0, 10);
    cr_assert_eq(r->final_count, 2);
    cr_assert_eq(r->final_sum, 6);
    metrics_free(m);
    truth_free(g);
}

Test(metrics, window_none_counts_only)
{
    config_t c = window_cfg(WIN_NONE, 0);
    truth_t *g = truth_alloc(&c.window);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    for (uint64_t i = 0; i < 4; i++) {
        workload_event e = ev_make(i, 1, 1, (double)i, (double)i + 0.5);
        truth_add(g, &e);
        metrics_arrived(m, &e);
        if (i == 3) {
            metrics_dropped(m, &e, 4.0);
            continue;
        }
        metrics_processed(m, &e, e.arrival_time + 0.3, e.arrival_time + 1.0);
        pane_t p = pane_make(1, e.event_time, e.event_time, 0, PANE_EARLY,
                             e.arrival_time + 1.0, 1, 1);
        cr_assert_eq(metrics_pane(m, &p), 0);
        metrics_visible(m, &e, p.emit_time);
    }
    metrics_finish(m, g);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.panes, 3);
    cr_assert_eq(wmap_size(metrics_results(m)), 0);
    cr_assert(isnan(s.win_lat_mean));
    /* visible when processed: hold is 0, not 1 - 0.3 - 0.7 in doubles */
    cr_assert_eq(s.hold_mean, 0.0, "hold %.17g", s.hold_mean);
    cr_assert(near_rel(s.wait_mean, 0.3, 1e-12) && near_rel(s.work_mean, 0.7, 1e-12));
    cr_assert(near_rel(s.complete_first, 0.75, 1e-15));
    cr_assert(near_rel(s.complete_ontime, 0.75, 1e-15));
    cr_assert(near_rel(s.complete_final, 0.75, 1e-15));
    cr_assert(near_rel(s.windows_exact, 0.75, 1e-15));
    cr_assert_str_eq(s.invariants, "ok");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(metrics_write_windows(m, g, f), 0);
    fclose(f);
    cr_assert_eq(len, 0, "windows.csv rows for window none: %s", buf);
    free(buf);
    metrics_free(m);
    truth_free(g);
}

/* ---------------------------------------------------------- invariants */

Test(metrics, conservation_fires_with_numbers)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("microbatch", &c, 0, NULL);
    for (uint64_t i = 0; i < 3; i++) {
        workload_event e = ev_make(i, 1, 1, 0.0, 0.0);
        metrics_arrived(m, &e);
    }
    workload_event e0 = ev_make(0, 1, 1, 0.0, 0.0), e1 = ev_make(1, 1, 1, 0.0, 0.0);
    metrics_visible(m, &e0, 1.0);
    metrics_dropped(m, &e1, 1.0);
    metrics_finish(m, NULL);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "conservation");
    cr_assert_eq(s.lost, 1);
    const char *d = metrics_failure_detail(m);
    cr_assert(strstr(d, "events=3") && strstr(d, "counted=1")
              && strstr(d, "dropped_late=1") && strstr(d, "microbatch"), "detail: %s", d);
    metrics_free(m);
}

Test(metrics, conservation_holds_when_drained)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("batch", &c, 0, NULL);
    for (uint64_t i = 0; i < 100; i++) {
        workload_event e = ev_make(i, 1, 1, (double)i, (double)i);
        metrics_arrived(m, &e);
    }
    for (uint64_t i = 100; i-- > 0;) { /* reverse order, some dropped */
        workload_event e = ev_make(i, 1, 1, (double)i, (double)i);
        if (i % 10 == 3)
            metrics_dropped(m, &e, 200.0);
        else
            metrics_visible(m, &e, 200.0);
    }
    metrics_finish(m, NULL);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_eq(s.counted, 90);
    cr_assert_eq(s.dropped_late, 10);
    cr_assert_eq(s.lost, 0);
    cr_assert_str_eq(s.invariants, "ok");
    metrics_free(m);
}

Test(metrics, watermark_monotone)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    metrics_watermark(m, 1.0, -INFINITY);
    metrics_watermark(m, 2.0, 5.0);
    metrics_watermark(m, 3.0, 5.0);   /* equal is fine */
    metrics_watermark(m, 3.5, NAN);   /* "no watermark" is not a value */
    metrics_watermark(m, 4.0, 6.0);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "ok");
    metrics_watermark(m, 7.0, 4.5);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "watermark_monotone");
    const char *d = metrics_failure_detail(m);
    cr_assert(strstr(d, "from 6 ") && strstr(d, "t=4") && strstr(d, "to 4.5 at t=7"),
              "detail: %s", d);
    /* first failure wins */
    metrics_fail(m, "conservation", "later");
    metrics_finish(m, NULL);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "watermark_monotone");
    metrics_free(m);

    m = metrics_alloc("stream", &c, 1, NULL);
    metrics_watermark(m, 1.0, 10.0);
    metrics_watermark(m, 9.0, INFINITY);
    metrics_finish(m, NULL);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "ok");
    metrics_free(m);
}

Test(metrics, on_time_after_watermark)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    metrics_summary s;
    metrics_watermark(m, 5.0, 9.0);
    pane_t early = pane_make(7, 0, 10, 0, PANE_EARLY, 5.0, 1, 1);
    pane_t late = pane_make(7, 0, 10, 0, PANE_LATE, 5.0, 1, 1);
    metrics_pane(m, &early);  /* early and late panes: no watermark rule */
    metrics_pane(m, &late);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "ok");
    metrics_watermark(m, 6.0, 10.0);
    pane_t ok = pane_make(7, 0, 10, 1, PANE_ON_TIME, 6.0, 1, 1);
    metrics_pane(m, &ok);   /* W == end: the window is complete */
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "ok");
    pane_t bad = pane_make(42, 10, 20, 0, PANE_ON_TIME, 6.5, 1, 1);
    metrics_pane(m, &bad);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "on_time_after_watermark");
    const char *d = metrics_failure_detail(m);
    cr_assert(strstr(d, "stream") && strstr(d, "key 42") && strstr(d, "[10, 20)")
              && strstr(d, "watermark is 10"), "detail: %s", d);
    metrics_free(m);

    /* An executor that never reported a watermark cannot fire on time. */
    m = metrics_alloc("stream", &c, 1, NULL);
    metrics_pane(m, &ok);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "on_time_after_watermark");
    metrics_free(m);
}

Test(metrics, explicit_fail_first_wins)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    metrics_fail(m, "exactly_once_equals_fault_free", "key 3 window [0, 10): 4 != 5");
    metrics_watermark(m, 1.0, 5.0);
    metrics_watermark(m, 2.0, 1.0);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "exactly_once_equals_fault_free");
    cr_assert_str_eq(metrics_failure_detail(m), "key 3 window [0, 10): 4 != 5");
    metrics_free(m);
}

/* ------------------------------------------------- panes.csv numbers */

/* A pane row exactly as fprintf("%.9g"/PRIu64) would write it. */
static size_t expected_pane_row(char *b, size_t cap, const char *ex, const pane_t *p)
{
    const double t[3] = { p->start, p->end, p->emit_time };
    char num[3][40];
    for (int i = 0; i < 3; i++) {
        num[i][0] = '\0';
        if (isfinite(t[i]))
            snprintf(num[i], sizeof num[i], "%.9g", t[i]);
    }
    int n = snprintf(b, cap, "%s,%" PRIu32 ",%s,%s,%" PRIu32 ",%s,%s,%" PRIu64 ",%" PRId64
                     ",%d\n", ex, p->key, num[0], num[1], p->index,
                     pane_timing_name(p->timing), num[2], p->count, p->sum, p->duplicate);
    return (size_t)n;
}

/* A double of the kind `which` (0..7): see pane_rows_match_printf. */
static double awkward_double(uint64_t *rs, int which)
{
    double sign = (mix_next(rs) & 1) ? -1.0 : 1.0;
    switch (which) {
    case 0: /* any magnitude, full mantissa */
        return sign * pow(10.0, -16.0 + 36.0 * mix_unit(rs)) * (1.0 + mix_unit(rs));
    case 1: /* whole numbers */
        return (double)(mix_next(rs) % 2000000000u);
    case 2: /* binary fractions */
        return (double)(mix_next(rs) % 100000000u) / 64.0;
    case 3: /* decimal-looking times: k / 1000, k * 0.1 */
        return (mix_next(rs) & 1) ? (double)(mix_next(rs) % 100000000u) / 1000.0
                                  : (double)(mix_next(rs) % 1000000u) * 0.1;
    case 4: { /* halfway between two 9-digit decimals (near-ties) */
        double e = floor(-6.0 + 20.0 * mix_unit(rs));
        double d = 1e8 + (double)(mix_next(rs) % 900000000u);
        return sign * (d + 0.5) * pow(10.0, e - 8.0);
    }
    case 5: { /* just below a power of ten: rounds up to the next decade */
        double e = floor(-6.0 + 20.0 * mix_unit(rs));
        return pow(10.0, e) * (1.0 - 1e-10 * mix_unit(rs));
    }
    case 6: { /* the %f / %e switch points 1e-4 and 1e9 */
        static const double edge[] = { 1e-4, 1e-5, 9.9999999949e-5, 9.99999995e-5,
                                       1e9, 999999999.4, 999999999.5, 999999999.6,
                                       99999999.95, 0.0, -0.0, 1e17, 1e-12, 5e-324,
                                       1.7976931348623157e308, 0.1, 0.5, 123456789012.0 };
        return edge[mix_next(rs) % (sizeof edge / sizeof edge[0])];
    }
    default: /* latencies: small positive with noise */
        return mix_unit(rs) * mix_unit(rs) * 100.0;
    }
}

/*
 * panes.csv rows are formatted without printf (one row per event for
 * window type none); they must be byte-identical to what fprintf "%.9g"
 * writes.  300k rows = 900k doubles of eight awkward kinds, plus
 * non-finite values that must give empty fields.
 */
Test(metrics, pane_rows_match_printf)
{
    config_t c = window_cfg(WIN_NONE, 0);
    const size_t n = 300000;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_t *m = metrics_alloc("microbatch", &c, 0, f);
    size_t cap = n * 200, elen = 0;
    char *want = malloc(cap);
    cr_assert_not_null(want);
    uint64_t rs = 42;
    for (size_t i = 0; i < n; i++) {
        pane_t p = pane_make((uint32_t)mix_next(&rs), awkward_double(&rs, (int)(i % 8)),
                             awkward_double(&rs, (int)((i + 3) % 8)),
                             (uint32_t)(mix_next(&rs) % 5), (int)(i % 4),
                             awkward_double(&rs, (int)((i + 5) % 8)),
                             mix_next(&rs) >> (mix_next(&rs) % 64),
                             (int64_t)mix_next(&rs) >> (mix_next(&rs) % 64));
        p.duplicate = (int)(i % 3 == 0);
        if (i % 1000 == 1)
            p.emit_time = (i % 2000 == 1) ? NAN : INFINITY;
        cr_assert_eq(metrics_pane(m, &p), 0);
        elen += expected_pane_row(want + elen, cap - elen, "microbatch", &p);
    }
    fflush(f);
    cr_assert_eq(len, elen, "length %zu, printf gives %zu", len, elen);
    for (size_t i = 0, line = 1, ls = 0; i < len; i++) {
        if (buf[i] != want[i]) {
            size_t le = i;
            while (le < len && buf[le] != '\n')
                le++;
            cr_assert_fail("row %zu differs:\n got  %.*s\n want %.*s", line,
                           (int)(le - ls), buf + ls, (int)(le - ls), want + ls);
        }
        if (buf[i] == '\n') {
            line++;
            ls = i + 1;
        }
    }
    metrics_free(m);
    fclose(f);
    free(buf);
    free(want);
}

/* ------------------------------------------------------------ timeline */

Test(metrics, timeline_buckets_reset)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    metrics_t *m = metrics_alloc("stream", &c, 1, NULL);
    for (uint64_t i = 0; i < 3; i++) {
        workload_event e = ev_make(i, 1, 1, (double)i, (double)i + 1);
        metrics_arrived(m, &e);
        metrics_processed(m, &e, (double)i + 1, (double)i + 1.5);
    }
    workload_event e0 = ev_make(0, 1, 1, 0.0, 1.0);
    metrics_visible(m, &e0, 4.0);
    cr_assert_eq(metrics_sample(m, 5.0, 2, -INFINITY), 0);
    workload_event e1 = ev_make(1, 1, 1, 1.0, 2.0), e2 = ev_make(2, 1, 1, 2.0, 3.0);
    metrics_visible(m, &e1, 6.0);
    metrics_dropped(m, &e2, 6.0);
    cr_assert_eq(metrics_sample(m, 10.0, 0, 7.25), 0);
    cr_assert_eq(metrics_sample(m, 15.0, 0, INFINITY), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(metrics_write_timeline(m, f), 0);
    fclose(f);
    /* lat: bucket 1 holds 4 - 0 = 4; bucket 2 holds 6 - 1 = 5; bucket 3
     * none.  Within 1% the histogram reports 4 and 5 exactly here since
     * quantiles are clamped to [min, max] of the bucket's values. */
    cr_assert_str_eq(buf,
                     "stream,5,3,3,2,,4,4,0,1\n"
                     "stream,10,0,0,0,7.25,5,5,1,1\n"
                     "stream,15,0,0,0,,,,0,0\n");
    free(buf);
    metrics_free(m);
}

/* ------------------------------------------------------ CSV and golden */

Test(metrics, headers_exact)
{
    char *h = capture(metrics_write_summary_header);
    cr_assert_str_eq(h, "executor,events,counted,dropped_late,duplicates,lost,lat_mean,"
                        "lat_p50,lat_p95,lat_p99,lat_max,proc_lat_mean,proc_lat_p99,"
                        "throughput,panes,crashes,downtime,reprocessed,invariants,"
                        "proc_lat_p50,cpu_wasted,win_lat_mean,win_lat_p99,"
                        "complete_first,complete_ontime,complete_final,windows_exact,"
                        "wait_mean,work_mean,hold_mean,checkpoint_cpu,overhead,"
                        "label,parallelism,deltas,exactly_once,seed\n");
    free(h);
    h = capture(metrics_write_pane_header);
    cr_assert_str_eq(h, "executor,key,window_start,window_end,pane,timing,emit_time,"
                        "count,sum,duplicate\n");
    free(h);
    h = capture(metrics_write_timeline_header);
    cr_assert_str_eq(h, "executor,time,arrivals,processed,backlog,watermark,lat_p50,"
                        "lat_p99,dropped,visible\n");
    free(h);
    h = capture(metrics_write_windows_header);
    cr_assert_str_eq(h, "executor,key,window_start,window_end,truth_count,truth_sum,"
                        "first_count,first_sum,first_emit,ontime_count,final_count,"
                        "final_sum,final_emit,panes\n");
    free(h);
    h = capture(metrics_write_latency_header);
    cr_assert_str_eq(h, "executor,measure,latency_s,cdf\n");
    free(h);
    h = capture(metrics_write_faults_header);
    cr_assert_str_eq(h, "executor,fault_id,kind,time,detected,resumed,caught_up,"
                        "downtime,reprocessed,cpu_wasted,duplicates,lost,peak_latency\n");
    free(h);
    cr_assert_str_eq(pane_timing_name(PANE_EARLY), "EARLY");
    cr_assert_str_eq(pane_timing_name(PANE_ON_TIME), "ON_TIME");
    cr_assert_str_eq(pane_timing_name(PANE_LATE), "LATE");
    cr_assert_str_eq(pane_timing_name(PANE_BATCH), "BATCH");
}

/* Compares text with tests/golden/NAME byte for byte (or rewrites it when
 * SLUICE_UPDATE_GOLDEN is set). */
static void check_golden(const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/%s", name);
    if (getenv("SLUICE_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f, "cannot write %s", path);
        fwrite(text, 1, len, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing golden file %s (run from the top folder)", path);
    char *want = malloc(len + 2);
    size_t got = fread(want, 1, len + 1, f);
    fclose(f);
    want[got] = '\0';
    cr_assert(got == len && memcmp(want, text, len) == 0,
              "%s differs from its golden file:\n--- got ---\n%s--- want ---\n%s",
              path, text, want);
    free(want);
}

typedef struct memfile { char *buf; size_t len; FILE *f; } memfile;

static void mf_open(memfile *mf)
{
    mf->buf = NULL;
    mf->len = 0;
    mf->f = open_memstream(&mf->buf, &mf->len);
    cr_assert_not_null(mf->f);
}

static void mf_golden(memfile *mf, const char *name)
{
    cr_assert_eq(fflush(mf->f), 0);
    check_golden(name, mf->buf, mf->len);
    fclose(mf->f);
    free(mf->buf);
}

/*
 * A small two-executor run written the way run/sim.c writes it: panes while
 * they happen, then headers once and each executor's rows.
 *   batch: whole-window BATCH panes, a crash fault row.
 *   stream: discarding panes (deltas), a duplicate, a dropped event, a
 *           slowdown fault with a never-caught-up (NAN) time.
 */
Test(metrics, golden_small_run)
{
    config_t c = window_cfg(WIN_TUMBLING, 10);
    truth_t *g = hand_truth(&c);
    memfile panes, summary, timeline, windows, latency, faults;
    mf_open(&panes);
    cr_assert_eq(metrics_write_pane_header(panes.f), 0);
    /* the facts as the executors state them: batch on 2 workers
     * (overhead = cpu_wasted + downtime x 2), stream at-least-once */
    const metrics_facts bx = { "batch", "batch", 2, 0, 1, 0 };
    const metrics_facts sx = { "stream", "stream", 4, 1, 0, 0 };
    metrics_t *b = metrics_alloc_facts(&bx, &c, panes.f);
    metrics_t *s = metrics_alloc_facts(&sx, &c, panes.f);
    workload_event e[5] = {
        ev_make(0, 1, 1, 1.0, 1.25), ev_make(1, 1, 2, 2.0, 2.5),
        ev_make(2, 2, 10, 5.0, 5.5), ev_make(3, 1, 4, 3.0, 11.0),
        ev_make(4, 1, 100, 15.0, 16.0),
    };
    /* In time order; the stream processes each event 0.125 s after its
     * arrival for 0.25 s; batch only collects until its job at t=28. */
#define ARRIVE(i)                                                            \
    do {                                                                     \
        metrics_arrived(b, &e[i]);                                           \
        metrics_arrived(s, &e[i]);                                           \
        metrics_processed(s, &e[i], e[i].arrival_time + 0.125,               \
                          e[i].arrival_time + 0.375);                        \
    } while (0)
    metrics_watermark(s, 0.0, -INFINITY);
    ARRIVE(0);
    ARRIVE(1);
    pane_t p = pane_make(1, 0, 10, 0, PANE_EARLY, 3.5, 2, 3);
    metrics_pane(s, &p);
    metrics_visible(s, &e[0], 3.5);
    metrics_visible(s, &e[1], 3.5);
    metrics_sample(b, 5.0, 2, NAN);
    metrics_sample(s, 5.0, 0, -INFINITY);
    ARRIVE(2);
    metrics_sample(b, 10.0, 3, NAN);
    metrics_sample(s, 10.0, 0, -INFINITY);
    metrics_watermark(s, 10.5, 10.0);
    p = pane_make(1, 0, 10, 1, PANE_ON_TIME, 10.5, 0, 0); /* empty on-time pane */
    metrics_pane(s, &p);
    p = pane_make(2, 0, 10, 0, PANE_ON_TIME, 10.5, 1, 10);
    metrics_pane(s, &p);
    metrics_visible(s, &e[2], 10.5);
    p.index = 1;
    p.emit_time = 10.75;
    p.duplicate = 1;
    metrics_pane(s, &p);
    ARRIVE(3);
    metrics_dropped(s, &e[3], 11.375);
    metrics_sample(b, 15.0, 4, NAN);
    metrics_sample(s, 15.0, 0, 10.0);
    ARRIVE(4);
    metrics_sample(b, 20.0, 5, NAN);
    metrics_sample(s, 20.0, 0, 10.0);
    metrics_watermark(s, 20.25, 20.0);
    p = pane_make(1, 10, 20, 0, PANE_ON_TIME, 20.25, 1, 100);
    metrics_pane(s, &p);
    metrics_visible(s, &e[4], 20.25);
    metrics_watermark(s, 20.5, INFINITY);
    metrics_sample(b, 25.0, 5, NAN);
    metrics_sample(s, 25.0, 0, INFINITY);
#undef ARRIVE
    fault_row fr = { 1, FAULT_SLOWDOWN, 4.0, NAN, 4.0, NAN, 0.0, 0, 0.0, 0, 0, 7.5 };
    metrics_fault(s, &fr);
    metrics_finish(s, g);

    /* batch: one job from t=28 to t=30 over everything */
    for (int i = 0; i < 5; i++)
        metrics_processed(b, &e[i], 28.0, 28.0 + 0.5 * (i + 1));
    pane_t bp[3] = {
        pane_make(1, 0, 10, 0, PANE_BATCH, 30.0, 3, 7),
        pane_make(2, 0, 10, 0, PANE_BATCH, 30.0, 1, 10),
        pane_make(1, 10, 20, 0, PANE_BATCH, 30.0, 1, 100),
    };
    for (int i = 0; i < 3; i++)
        metrics_pane(b, &bp[i]);
    for (int i = 0; i < 5; i++)
        metrics_visible(b, &e[i], 30.0);
    metrics_sample(b, 30.0, 0, NAN);
    fault_row crash = { 0, FAULT_CRASH, 29.0, 29.5, 31.0, 33.0, 2.0, 5, 1.25, 0, 0, 33.5 };
    metrics_fault(b, &crash);
    metrics_finish(b, g);

    mf_open(&summary);
    mf_open(&timeline);
    mf_open(&windows);
    mf_open(&latency);
    mf_open(&faults);
    cr_assert_eq(metrics_write_summary_header(summary.f), 0);
    cr_assert_eq(metrics_write_timeline_header(timeline.f), 0);
    cr_assert_eq(metrics_write_windows_header(windows.f), 0);
    cr_assert_eq(metrics_write_latency_header(latency.f), 0);
    cr_assert_eq(metrics_write_faults_header(faults.f), 0);
    metrics_t *ex[2] = { b, s };
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(metrics_write_summary_row(ex[i], summary.f), 0);
        cr_assert_eq(metrics_write_timeline(ex[i], timeline.f), 0);
        cr_assert_eq(metrics_write_windows(ex[i], g, windows.f), 0);
        cr_assert_eq(metrics_write_latency(ex[i], latency.f), 0);
        cr_assert_eq(metrics_write_faults(ex[i], faults.f), 0);
    }
    mf_golden(&panes, "metrics_panes.csv");
    mf_golden(&summary, "metrics_summary.csv");
    mf_golden(&timeline, "metrics_timeline.csv");
    mf_golden(&windows, "metrics_windows.csv");
    mf_golden(&latency, "metrics_latency.csv");
    mf_golden(&faults, "metrics_faults.csv");
    metrics_free(b);
    metrics_free(s);
    truth_free(g);
}

/* ------------------------------------------- whole runs: files agree */

typedef struct exec_tot {
    char name[16];
    double events, counted, dropped, complete_final, windows_exact;
    double tl_arrivals, tl_visible, tl_dropped;
    double w_truth, w_n, w_final_share, w_exact;
    double lat_rows;
} exec_tot;

static exec_tot *tot_of(exec_tot *t, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    cr_assert_lt(*n, 3, "unexpected executor %s", name);
    memset(&t[*n], 0, sizeof t[*n]);
    snprintf(t[*n].name, sizeof t[*n].name, "%s", name);
    return &t[(*n)++];
}

/* Splits a CSV line in place (no quoting in sluice's files). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static FILE *open_result(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    return f;
}

/*
 * Runs a small config through sim_run and checks that the output files
 * agree with each other: summary counts = timeline sums; completeness and
 * windows_exact recomputed from windows.csv rows; every truth window is
 * listed once per executor (truth counts add up to the events for
 * tumbling windows); latency CDFs ascend to 1; conservation holds.
 */
static void check_run_files(const char *const *sets, size_t nsets, int tumbling)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    for (size_t i = 0; i < nsets; i++)
        cr_assert_eq(config_set(&c, sets[i], err, sizeof err), CFG_OK, "%s", err);
    char dir[] = "/tmp/sluice_metrics_run_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    sim_outcome o;
    int rc = sim_run(&c, dir, &o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "sim_run: %d %s", rc, err);

    exec_tot t[3];
    int nt = 0;
    char line[4096], *f[40];
    FILE *in = open_result(dir, "summary.csv");
    cr_assert_not_null(fgets(line, sizeof line, in));
    while (fgets(line, sizeof line, in)) {
        int n = split(line, f, 40);
        cr_assert_eq(n, 37, "summary row with %d fields", n);
        exec_tot *x = tot_of(t, &nt, f[0]);
        x->events = atof(f[1]);
        x->counted = atof(f[2]);
        x->dropped = atof(f[3]);
        cr_assert_str_eq(f[5], "0", "%s lost %s", f[0], f[5]);
        cr_assert_str_eq(f[18], "ok", "%s invariants %s", f[0], f[18]);
        x->complete_final = atof(f[25]);
        x->windows_exact = atof(f[26]);
        cr_assert_eq(x->events, x->counted + x->dropped, "%s", f[0]);
        cr_assert_eq(x->events, (double)o.events, "%s", f[0]);
        /* the appended columns are the executor's own facts */
        const exec_type *et = exec_type_named(f[0]);
        cr_assert_not_null(et, "%s", f[0]);
        metrics_facts fx;
        exec_facts(et, &c, &fx);
        char want[128];
        snprintf(want, sizeof want, "%s,%d,%d,%d,%" PRIu64, fx.label, fx.parallelism, fx.deltas,
                 fx.exactly_once, c.run.seed);
        char got[128];
        snprintf(got, sizeof got, "%s,%s,%s,%s,%s", f[32], f[33], f[34], f[35], f[36]);
        cr_assert_str_eq(got, want, "%s", f[0]);
        int want_deltas = !strcmp(f[0], "stream") && c.stream.accumulation == ACC_DISCARDING;
        cr_assert_eq(fx.deltas, want_deltas, "%s deltas", f[0]);
    }
    fclose(in);
    cr_assert_eq(nt, 3);

    in = open_result(dir, "timeline.csv");
    cr_assert_not_null(fgets(line, sizeof line, in));
    while (fgets(line, sizeof line, in)) {
        cr_assert_eq(split(line, f, 40), 10);
        exec_tot *x = tot_of(t, &nt, f[0]);
        x->tl_arrivals += atof(f[2]);
        x->tl_dropped += atof(f[8]);
        x->tl_visible += atof(f[9]);
    }
    fclose(in);

    in = open_result(dir, "windows.csv");
    cr_assert_not_null(fgets(line, sizeof line, in));
    double prev[3][3];
    int have_prev[3] = { 0, 0, 0 };
    while (fgets(line, sizeof line, in)) {
        cr_assert_eq(split(line, f, 40), 14);
        exec_tot *x = tot_of(t, &nt, f[0]);
        /* sorted by window_start, window_end, key within an executor */
        double cur[3] = { atof(f[2]), atof(f[3]), atof(f[1]) };
        int xi = (int)(x - t);
        if (have_prev[xi]) {
            double *p = prev[xi];
            int later = cur[0] > p[0] || (cur[0] == p[0] && (cur[1] > p[1] ||
                        (cur[1] == p[1] && cur[2] > p[2])));
            cr_assert(later, "%s: windows.csv out of order at key %s [%s, %s)", f[0], f[1],
                      f[2], f[3]);
        }
        memcpy(prev[xi], cur, sizeof cur);
        have_prev[xi] = 1;
        double truth = atof(f[4]), fin = atof(f[10]);
        if (truth > 0) {
            x->w_truth += truth;
            x->w_n++;
            x->w_final_share += fin >= truth ? 1.0 : fin / truth;
            x->w_exact += fin == truth && strcmp(f[5], f[11]) == 0;
        }
    }
    fclose(in);

    in = open_result(dir, "latency.csv");
    cr_assert_not_null(fgets(line, sizeof line, in));
    char last_key[64] = "";
    double last_x = 0, last_p = 0;
    while (fgets(line, sizeof line, in)) {
        cr_assert_eq(split(line, f, 40), 4);
        char key[64];
        snprintf(key, sizeof key, "%s/%s", f[0], f[1]);
        double xv = atof(f[2]), pv = atof(f[3]);
        if (strcmp(key, last_key) != 0) {
            cr_assert(last_key[0] == '\0' || last_p == 1.0, "%s: cdf ends at %g", last_key, last_p);
            snprintf(last_key, sizeof last_key, "%s", key);
        } else {
            cr_assert(xv > last_x && pv > last_p, "%s: not ascending at %g", key, xv);
        }
        last_x = xv;
        last_p = pv;
        tot_of(t, &nt, f[0])->lat_rows++;
    }
    cr_assert_eq(last_p, 1.0);
    fclose(in);

    for (int i = 0; i < nt; i++) {
        exec_tot *x = &t[i];
        cr_assert_eq(x->tl_arrivals, x->events, "%s timeline arrivals", x->name);
        cr_assert_eq(x->tl_visible, x->counted, "%s timeline visible", x->name);
        cr_assert_eq(x->tl_dropped, x->dropped, "%s timeline dropped", x->name);
        cr_assert_gt(x->lat_rows, 0, "%s latency rows", x->name);
        cr_assert_gt(x->w_n, 0, "%s truth windows", x->name);
        if (tumbling)
            cr_assert_eq(x->w_truth, x->events, "%s truth counts", x->name);
        else
            cr_assert_eq(x->w_truth, t[0].w_truth, "%s truth counts", x->name);
        /* summary figures are printed with 9 significant digits */
        cr_assert(near_rel(x->complete_final, x->w_final_share / x->w_n, 1e-8),
                  "%s complete_final %.9g vs windows.csv %.9g", x->name, x->complete_final,
                  x->w_final_share / x->w_n);
        cr_assert(near_rel(x->windows_exact, x->w_exact / x->w_n, 1e-8) ||
                  (x->windows_exact == 0 && x->w_exact == 0),
                  "%s windows_exact %.9g vs %.9g", x->name, x->windows_exact,
                  x->w_exact / x->w_n);
    }
    static const char *const names[] = { "summary.csv", "timeline.csv", "windows.csv",
                                         "latency.csv", "faults.csv", "panes.csv",
                                         "events.csv", "config.ini", "watermarks.csv" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    cr_assert_eq(rmdir(dir), 0, "rmdir %s: %s", dir, strerror(errno));
}

Test(metrics, run_files_agree_tumbling_discarding)
{
    static const char *const sets[] = {
        "run.duration=200", "workload.rate=20", "workload.keys=5",
        "window.type=tumbling", "window.size=20", "stream.accumulation=discarding",
        "stream.early_delay=3", "stream.allowed_lateness=10", "batch.interval=50",
        "microbatch.interval=5",
    };
    check_run_files(sets, sizeof sets / sizeof sets[0], 1);
}

Test(metrics, run_files_agree_sliding_accumulating)
{
    static const char *const sets[] = {
        "run.duration=200", "workload.rate=20", "workload.keys=3",
        "window.type=sliding", "window.size=30", "window.slide=10",
        "stream.accumulation=accumulating", "stream.allowed_lateness=5",
        "batch.interval=40", "microbatch.interval=5",
    };
    check_run_files(sets, sizeof sets / sizeof sets[0], 0);
}
