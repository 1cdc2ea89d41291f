/*
 * Tests of folding (run/sim.c, metrics_fold_*): windows that can no longer
 * change are written out and forgotten during the run.
 *
 *  - equivalence: folding as often as possible (fold_min = 1) and never
 *    (fold_min = SIZE_MAX) give byte-identical output files, over window
 *    types, late policies, guarantees and faults; and the first did fold;
 *  - bounded memory: the most (key, window) records held at once stays
 *    flat when the run gets 8 times longer, while the windows folded grow
 *    with it;
 *  - detection: a pane or merge behind a fold fails "window_horizon";
 *  - metrics: completeness summed over folds equals completeness summed
 *    at the end.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"
#include "model/truth.h"
#include "measure/metrics.h"
#include "run/sim.h"

#include "util.h"

static void load(config_t *c, const char *path, const char *const *sets)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    cr_assert_eq(config_load(c, path, err, sizeof err), CFG_OK, "%s", err);
    for (size_t i = 0; sets && sets[i]; i++)
        cr_assert_eq(config_set(c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
}

static void rm_dir(const char *dir)
{
    static const char *const files[] = {"summary.csv", "panes.csv", "timeline.csv",
                                        "windows.csv", "latency.csv", "faults.csv",
                                        "events.csv",  "config.ini"};
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int run_into(const config_t *c, size_t fold_min, char *dir, sim_outcome *o)
{
    char err[1024];
    cr_assert_not_null(mkdtemp(dir));
    sim_options opt = {0};
    opt.fold_min = fold_min;
    int st = sim_run_opts(c, dir, &opt, o, err, sizeof err);
    cr_assert_neq(st, SIM_ERR, "%s", err);
    return st;
}

/* Runs c folding always and never; every output file must be identical. */
static void check_equivalent(const char *path, const char *const *sets, const char *label)
{
    config_t c;
    load(&c, path, sets);
    char a[] = "/tmp/sluice_fold_a_XXXXXX", b[] = "/tmp/sluice_fold_b_XXXXXX";
    sim_outcome oa, ob;
    int sa = run_into(&c, 1, a, &oa);
    int sb = run_into(&c, SIZE_MAX, b, &ob);
    cr_assert_eq(sa, sb, "%s: status %d folding, %d not", label, sa, sb);
    cr_assert_eq(sa, SIM_OK, "%s: invariant failed", label);
    static const char *const files[] = {"summary.csv", "panes.csv", "timeline.csv",
                                        "windows.csv", "latency.csv", "faults.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t na, nb;
        char *x = util_slurp_in(a, files[i], &na), *y = util_slurp_in(b, files[i], &nb);
        cr_assert_eq(x == NULL, y == NULL, "%s: %s exists in one run only", label, files[i]);
        if (x) {
            cr_assert(na == nb && memcmp(x, y, na) == 0,
                      "%s: %s differs between folding and not folding", label, files[i]);
        }
        free(x);
        free(y);
    }
    cr_assert_eq(ob.windows_folded, 0, "%s: fold_min = SIZE_MAX folded", label);
    cr_assert_gt(oa.windows_folded, 0, "%s: nothing was folded", label);
    rm_dir(a);
    rm_dir(b);
}

#define SMALL "tests/data/cli/small.ini"

Test(fold, batch_and_microbatch_same_output_folded_or_not, .timeout = 120)
{
    static const char *const plain[] = {"run.executors=batch,microbatch", NULL};
    static const char *const restate[] = {"run.executors=batch,microbatch",
                                          "batch.late_policy=restate", NULL};
    static const char *const session[] = {"run.executors=batch,microbatch", "window.type=session",
                                          "window.gap=0.3", "microbatch.output_mode=append",
                                          "batch.late_policy=restate", "faults.crash_times=40,70",
                                          NULL};
    static const char *const sliding[] = {"run.executors=batch,microbatch", "window.type=sliding",
                                          "window.slide=2.5", "faults.crash_times=40,70", NULL};
    static const char *const update[] = {"run.executors=batch,microbatch",
                                         "microbatch.output_mode=update", "faults.mtbf=25", NULL};
    check_equivalent(SMALL, plain, "plain");
    check_equivalent(SMALL, restate, "restate");
    check_equivalent(SMALL, session, "session");
    check_equivalent(SMALL, sliding, "sliding with crashes");
    check_equivalent(SMALL, update, "update with MTBF crashes");
}

/* The most records held at once must not follow the run length. */
Test(fold, per_window_memory_stays_flat, .timeout = 120)
{
    static const char *const sets[] = {"run.executors=batch,microbatch", "run.duration=1200",
                                       "window.size=1", "workload.keys=16",
                                       "batch.late_policy=restate", NULL};
    config_t c;
    load(&c, SMALL, sets);
    char err[1024];
    sim_outcome o1, o8;
    cr_assert_eq(sim_run(&c, NULL, &o1, err, sizeof err), SIM_OK, "%s", err);
    c.run.duration *= 8;
    cr_assert_eq(sim_run(&c, NULL, &o8, err, sizeof err), SIM_OK, "%s", err);
    /* 16 keys x 1 s windows: about 19,000 windows in the short run and
     * 150,000 in the long one; without folding the records held would grow
     * 8 times.  The short run is long enough for the fold threshold to
     * settle (its first folds wait for 4,096 records); a bound of 1.5x
     * leaves room for the doubling rule (records held swing between about
     * n and 2n) while failing for anything that grows with the run. */
    cr_assert_gt(o8.windows_folded, 7 * (o1.windows_folded > 0 ? o1.windows_folded : 1) / 2,
                 "folded %" PRIu64 " then %" PRIu64, o1.windows_folded, o8.windows_folded);
    cr_assert_leq((double)o8.windows_held_max, 1.5 * (double)o1.windows_held_max,
                  "records held: %zu in the short run, %zu in the 8x longer one",
                  o1.windows_held_max, o8.windows_held_max);
}

Test(fold, pane_behind_a_fold_fails_window_horizon)
{
    config_t c;
    config_defaults(&c);
    metrics_t *m = metrics_alloc("stream", &c, 0, NULL);
    cr_assert_not_null(m);
    metrics_fold_horizon(m, 100);
    pane_t ok = {1, 100, 110, 0, PANE_ON_TIME, 200, 3, 30, 0};
    metrics_watermark(m, 150, 150);
    cr_assert_eq(metrics_pane(m, &ok), 0);
    cr_assert_str_eq(metrics_failure_detail(m), "");
    pane_t bad = {1, 80, 90, 0, PANE_LATE, 201, 1, 10, 0};
    cr_assert_eq(metrics_pane(m, &bad), 0);
    metrics_summary s;
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "window_horizon");
    cr_assert_not_null(strstr(metrics_failure_detail(m), "[80, 90)"), "%s",
                       metrics_failure_detail(m));
    metrics_free(m);

    m = metrics_alloc("stream", &c, 0, NULL);
    metrics_fold_horizon(m, 100);
    cr_assert_eq(metrics_window_merged(m, 2, 95, 99, 95, 120), 0);
    metrics_get_summary(m, &s);
    cr_assert_str_eq(s.invariants, "window_horizon");
    metrics_free(m);
}

/* Folding windows one by one, then finishing, gives the same
 * completeness as finishing with everything held. */
Test(fold, completeness_summed_over_folds_equals_at_end)
{
    config_t c;
    config_defaults(&c);
    c.window.type = WIN_TUMBLING;
    c.window.size = 10;
    truth_t *g = truth_alloc(&c.window);
    metrics_t *a = metrics_alloc("batch", &c, 0, NULL);
    metrics_t *b = metrics_alloc("batch", &c, 0, NULL);
    cr_assert(g && a && b);
    /* 30 windows of key 1 with 1..3 events; results short by one event in
     * every third window, missing in every seventh */
    uint64_t seq = 0;
    for (int w = 0; w < 30; w++) {
        int n = 1 + w % 3;
        for (int i = 0; i < n; i++) {
            workload_event ev = {seq, seq, 1, i + 1, w * 10.0 + i, w * 10.0 + i + 0.5};
            seq++;
            cr_assert_eq(truth_add(g, &ev), 0);
        }
        if (w % 7 == 3)
            continue;
        uint64_t cnt = (uint64_t)n - (w % 3 == 2 ? 1 : 0);
        pane_t p = {1, w * 10.0, w * 10.0 + 10, 0, PANE_BATCH, w * 10.0 + 12, cnt,
                    (int64_t)(cnt * (cnt + 1) / 2), 0};
        cr_assert_eq(metrics_pane(a, &p), 0);
        cr_assert_eq(metrics_pane(b, &p), 0);
    }
    /* fold the first 12 windows of a in order, and forget them */
    for (int w = 0; w < 12; w++) {
        wmap_key k = {1, w * 10.0, w * 10.0 + 10};
        const truth_value *t = wmap_get(truth_map(g), 1, k.start, k.end);
        cr_assert_eq(metrics_fold_window(a, &k, t), 0);
    }
    cr_assert_eq(metrics_windows_folded(a), 12);
    truth_t *g2 = truth_alloc(&c.window);
    seq = 0;
    for (int w = 0; w < 30; w++)
        for (int i = 0; i < 1 + w % 3; i++) {
            workload_event ev = {seq, seq, 1, i + 1, w * 10.0 + i, w * 10.0 + i + 0.5};
            seq++;
            if (w >= 12)
                cr_assert_eq(truth_add(g2, &ev), 0);
        }
    cr_assert_eq(metrics_finish(a, g2), 0);
    cr_assert_eq(metrics_finish(b, g), 0);
    metrics_summary sa, sb;
    metrics_get_summary(a, &sa);
    metrics_get_summary(b, &sb);
    cr_assert_eq(sa.complete_first, sb.complete_first);
    cr_assert_eq(sa.complete_final, sb.complete_final);
    cr_assert_eq(sa.windows_exact, sb.windows_exact);
    /* by hand: 30 windows; 4 missing (w = 3, 10, 17, 24); w % 3 == 2 short by one */
    int exact = 0, n = 0;
    double fin = 0;
    for (int w = 0; w < 30; w++) {
        n++;
        if (w % 7 == 3)
            continue;
        int cnt = 1 + w % 3;
        fin += w % 3 == 2 ? (cnt - 1.0) / cnt : 1.0;
        exact += w % 3 != 2;
    }
    cr_assert_float_eq(sb.complete_final, fin / n, 1e-15);
    cr_assert_float_eq(sb.windows_exact, (double)exact / n, 1e-15);
    metrics_free(a);
    metrics_free(b);
    truth_free(g);
    truth_free(g2);
}
