/*
 * test_microbatch.c: the micro-batch executor (sim/exec/microbatch.c) end to end
 * through sim_run: hand-worked traces with their expected panes (append,
 * update, no-data batches, overrun), the degenerate cases (window none ==
 * batch; interval -> 0 approaches the stream executor), the three
 * executors agreeing on in-order data, and invariants over many seeds.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLUICE_TEST_BATCH_RUN
#include "data/batch/csv.h"
#include "engine/exec.h"

#define ONLY_MB (1u << EXEC_MICROBATCH)

/* The registry finds the micro-batch executor under its [run] executors
 * name. */
Test(microbatch, registered)
{
    cr_assert_eq(exec_type_of(EXEC_MICROBATCH), &exec_microbatch);
    cr_assert_str_eq(exec_microbatch.name, "microbatch");
}

/* Trigger every 5 s, batches cost 0.5 + 0.1 n s, watermark = max event
 * time - 2 s, tumbling windows of 10 s. */
static void mb_trace(config_t *cf, const char *trace, int mode)
{
    tcfg(cf, ONLY_MB);
    tcfg_trace(cf, trace);
    cf->window.type = WIN_TUMBLING;
    cf->window.size = 10;
    cf->microbatch.interval = 5;
    cf->microbatch.setup_cost = 0.5;
    cf->microbatch.per_event_cost = 0.1;
    cf->microbatch.parallelism = 1;
    cf->microbatch.watermark_delay = 2;
    cf->microbatch.output_mode = mode;
}

/*
 * mb.csv, key 1: (value, event time, arrival) = (1, 1, 1), (2, 8, 9),
 * (4, 13, 14), (8, 4, 16), (16, 25, 26).
 *   batch at  5: reads t=1;  ends  5.6; W := -1
 *   batch at 10: reads t=8;  ends 10.6; W := 6
 *   batch at 15: reads t=13; ends 15.6; W := 11 (passes [0,10))
 *   batch at 20: reads t=4 -- its window [0,10) ends <= W = 11: dropped;
 *                emits [0,10) ON_TIME = 2 events; ends 20.6
 *   batch at 30: reads t=25, input over: every window final; ends 30.6
 * Append emits each window once, ON_TIME; update writes only the rows
 * changed since the last trigger (Structured Streaming programming
 * guide, "Output Modes": "only the rows that were updated in the Result
 * Table since the last trigger"): [0,10) EARLY at 5.6 and 10.6, [10,20)
 * EARLY at 15.6; the batches at 20 and 30 evict them unchanged, without a
 * row; [20,30) changes in the last batch, which makes it final: ON_TIME.
 */
Test(microbatch, append_trace)
{
    config_t cf;
    mb_trace(&cf, "mb.csv", OUT_APPEND);
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "microbatch", "mb_append.expected");
    cr_assert_eq(o.summary[0].dropped_late, 1);
    cr_assert_eq(o.summary[0].counted, 4);
    trm_rf(dir);
}

Test(microbatch, update_trace)
{
    config_t cf;
    mb_trace(&cf, "mb.csv", OUT_UPDATE);
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "microbatch", "mb_update.expected");
    cr_assert_eq(o.summary[0].dropped_late, 1);
    trm_rf(dir);
}

/* mb_nodata.csv: t = 1, 15, 40 (arriving at once).  The batch at 15 moves
 * W to 13, which passes [0,10): a batch with no new data runs at the next
 * trigger (20) just to emit it (Spark's no-data batch), costing only the
 * setup (ends 20.5).  The batch at 40 reads the last event and ends the
 * input. */
Test(microbatch, no_data_batch_emits_final_windows)
{
    config_t cf;
    mb_trace(&cf, "mb_nodata.csv", OUT_APPEND);
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "microbatch", "mb_nodata.expected");
    trm_rf(dir);
}

/* mb_overrun.csv: t = 1..7 and 12, window none, trigger 5 s, batches cost
 * 1 + 1 s per event.  The batch at 5 reads 5 events and ends at 11, past
 * the trigger at 10: the next batch starts at once (11) with t = 6, 7 and
 * ends at 14; the next trigger (15) reads t = 12 and ends at 17. */
Test(microbatch, overrun_starts_next_batch_at_once)
{
    config_t cf;
    tcfg(&cf, ONLY_MB);
    tcfg_trace(&cf, "mb_overrun.csv");
    cf.window.type = WIN_NONE;
    cf.microbatch.interval = 5;
    cf.microbatch.setup_cost = 1;
    cf.microbatch.per_event_cost = 1;
    cf.microbatch.parallelism = 1;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "microbatch", "mb_overrun.expected");
    trm_rf(dir);
}

/* With window none and batches shorter than the trigger interval, a
 * micro-batch is exactly a batch job (triggers on the same grid, the same
 * events read, the same cost): every event has the same latency in both,
 * so the means agree to rounding. */
Test(microbatch, window_none_equals_batch)
{
    config_t cf;
    tcfg(&cf, ONLY_MB | (1u << EXEC_BATCH));
    tcfg_poisson(&cf, 11, 20, 500);
    cf.window.type = WIN_NONE;
    cf.batch.interval = cf.microbatch.interval = 4;
    cf.batch.setup_cost = cf.microbatch.setup_cost = 0.5;
    cf.batch.per_event_cost = cf.microbatch.per_event_cost = 0.01;
    cf.batch.parallelism = cf.microbatch.parallelism = 2;
    cf.batch.cutoff = 0;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    cr_assert_eq(o.nexec, 2);
    cr_assert_str_eq(o.summary[0].executor, "batch");
    cr_assert_str_eq(o.summary[1].executor, "microbatch");
    cr_assert_eq(o.summary[0].counted, o.summary[1].counted);
    cr_assert_lt(fabs(o.summary[0].lat_mean - o.summary[1].lat_mean), 1e-9,
                 "batch %.9f vs microbatch %.9f", o.summary[0].lat_mean, o.summary[1].lat_mean);
    trm_rf(dir);
}

/* Update mode with session windows is refused, as in Spark (SPARK-36463):
 * a bad configuration, status SIM_ERR with a message saying why. */
Test(microbatch, update_mode_refuses_sessions)
{
    config_t cf;
    tcfg(&cf, ONLY_MB);
    tcfg_trace(&cf, "mb.csv");
    cf.window.type = WIN_SESSION;
    cf.window.gap = 2;
    cf.microbatch.output_mode = OUT_UPDATE;
    char err[CFG_ERR_MAX] = "";
    sim_outcome o;
    cr_assert_eq(sim_run(&cf, NULL, &o, err, sizeof err), SIM_ERR);
    cr_assert(strstr(err, "update") && strstr(err, "session"), "message: %s", err);
    cf.microbatch.output_mode = OUT_APPEND;
    cr_assert_eq(sim_run(&cf, NULL, &o, err, sizeof err), SIM_OK, "%s", err);
}

/* Stream settings for the comparisons: one worker, constant service of
 * 10 ms, no checkpoints, no sink commit delay. */
static void stream_simple(config_t *cf)
{
    cf->stream.service = SVC_CONSTANT;
    cf->stream.service_mean = 0.01;
    cf->stream.parallelism = 1;
    cf->stream.checkpoint_interval = 0;
    cf->stream.guarantee = GUAR_AT_LEAST_ONCE;
    cf->stream.early_delay = 0;
    cf->stream.allowed_lateness = 0;
}

/*
 * Micro-batch with interval -> 0 approaches the stream executor.  Window
 * none, Poisson 10 events/s, per-event cost = the stream's service time
 * (10 ms), setup 0.1 ms.  The stream is an M/D/1 queue at load 0.1: mean
 * sojourn 10 ms x (1 + 0.1 / (2 x 0.9)) = 10.56 ms.  The micro-batch waits
 * on average interval/2 for its trigger, so at interval 1 s it is ~50x
 * slower; at interval 0 a batch starts as soon as the previous ends, and
 * the only extra cost over the stream is that an event arriving during a
 * batch shares the next batch with the others that arrived meanwhile (at
 * load 0.1, rarely more than one), plus the 0.1 ms setup: we accept 10%.
 * The gap must shrink as the interval does.
 */
Test(microbatch, interval_to_zero_approaches_stream)
{
    const double iv[4] = {1, 0.1, 0.01, 0};
    double gap[4];
    double stream_lat = 0;
    for (int i = 0; i < 4; i++) {
        config_t cf;
        tcfg(&cf, ONLY_MB | (1u << EXEC_STREAM));
        tcfg_poisson(&cf, 5, 10, 600);
        cf.window.type = WIN_NONE;
        stream_simple(&cf);
        cf.microbatch.interval = iv[i];
        cf.microbatch.setup_cost = 1e-4;
        cf.microbatch.per_event_cost = 0.01;
        cf.microbatch.parallelism = 1;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        cr_assert_eq(o.nexec, 2);
        cr_assert_str_eq(o.summary[1].executor, "stream");
        stream_lat = o.summary[1].lat_mean;
        gap[i] = o.summary[0].lat_mean - stream_lat;
        cr_assert_gt(gap[i], 0, "interval %g: micro-batch faster than the stream?", iv[i]);
        if (i > 0)
            cr_assert_lt(gap[i], gap[i - 1], "interval %g: gap %.5f did not shrink from %.5f",
                         iv[i], gap[i], gap[i - 1]);
        trm_rf(dir);
    }
    cr_assert_lt(fabs(stream_lat - 0.010556), 0.1 * 0.010556, "stream M/D/1 mean %.5f", stream_lat);
    cr_assert_lt(gap[3], 0.1 * stream_lat, "interval 0: micro-batch %.5f s vs stream %.5f s",
                 gap[3] + stream_lat, stream_lat);
    cr_assert_gt(gap[0], 20 * stream_lat, "interval 1 s: gap %.5f", gap[0]);
}

/* All three executors on an in-order trace with no late data give the
 * same final result for every (key, window), equal to the ground truth. */
Test(microbatch, three_executors_agree_in_order)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION};
    for (int k = 0; k < 3; k++) {
        config_t cf;
        tcfg(&cf, (1u << EXEC_BATCH) | ONLY_MB | (1u << EXEC_STREAM));
        tcfg_poisson(&cf, 21 + (uint64_t)k, 40, 200);
        cf.workload.keys = 4;
        cf.window.type = types[k];
        cf.window.size = 10;
        cf.window.slide = 5;
        cf.window.gap = 0.5;
        stream_simple(&cf);
        cf.stream.service_mean = 0.001;
        cf.stream.watermark = WM_BOUNDED;
        cf.stream.watermark_bound = 0;
        cf.batch.interval = 30;
        cf.batch.cutoff = 0;
        cf.batch.setup_cost = 1;
        cf.batch.per_event_cost = 0.001;
        cf.batch.parallelism = 1;
        cf.microbatch.interval = 2;
        cf.microbatch.setup_cost = 0.1;
        cf.microbatch.per_event_cost = 0.001;
        cf.microbatch.parallelism = 1;
        cf.microbatch.watermark_delay = 0;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        size_t n[3];
        n[0] = twindows_exact(dir, "batch", 1);
        n[1] = twindows_exact(dir, "microbatch", 1);
        n[2] = twindows_exact(dir, "stream", 1);
        cr_assert(n[0] > 0 && n[0] == n[1] && n[1] == n[2], "window type %d: rows %zu %zu %zu",
                  types[k], n[0], n[1], n[2]);
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(o.summary[i].dropped_late, 0, "%s dropped events", o.summary[i].executor);
            cr_assert_float_eq(o.summary[i].windows_exact, 1.0, 1e-12, "%s windows_exact %g",
                               o.summary[i].executor, o.summary[i].windows_exact);
        }
        trm_rf(dir);
    }
}

/* windows.csv final_count/final_sum as text lines, for the windows of the
 * ground truth. */
static char *finals(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/windows.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0);
    int c[5] = {tcsv_col(&t, "key"), tcsv_col(&t, "window_start"), tcsv_col(&t, "window_end"),
                tcsv_col(&t, "final_count"), tcsv_col(&t, "final_sum")};
    int ct = tcsv_col(&t, "truth_count");
    cr_assert(ct >= 0);
    for (int i = 0; i < 5; i++)
        cr_assert(c[i] >= 0);
    char *s = malloc(64 + t.rows * 160);
    size_t len = 0;
    s[0] = 0;
    for (size_t r = 0; r < t.rows; r++)
        if (tcsv_num(&t, r, ct) > 0)
            len += (size_t)sprintf(s + len, "%s,%s,%s,%s,%s\n", tcsv_get(&t, r, c[0]), tcsv_get(&t, r, c[1]),
                               tcsv_get(&t, r, c[2]), tcsv_get(&t, r, c[3]), tcsv_get(&t, r, c[4]));
    tcsv_free(&t);
    return s;
}

/*
 * Over many seeds with out-of-order and late data (tumbling and sliding
 * windows: update mode is refused with sessions): every run passes the
 * metrics invariants (conservation, watermark monotone, no ON_TIME pane
 * before the watermark passed its window), append and update modes drop
 * the same events and end with the same final result per window (update
 * only adds EARLY panes before it), and append emits each window once.
 */
Test(microbatch, append_and_update_agree_over_seeds)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_TUMBLING};
    for (uint64_t seed = 200; seed < 209; seed++) {
        char *fin[2];
        uint64_t dropped[2], panes[2];
        for (int mode = 0; mode < 2; mode++) {
            config_t cf;
            tcfg(&cf, ONLY_MB);
            tcfg_poisson(&cf, seed, 30, 200);
            cf.workload.keys = 4;
            cf.workload.delay = DELAY_EXPONENTIAL;
            cf.workload.delay_mean = 1.5;
            cf.workload.late_fraction = 0.05;
            cf.workload.late_delay_mean = 30;
            cf.window.type = types[seed % 3];
            cf.window.size = 10;
            cf.window.slide = 5;
            cf.window.gap = 0.3;
            cf.microbatch.interval = (double)(seed % 3); /* 0, 1 or 2 s */
            cf.microbatch.setup_cost = 0.05;
            cf.microbatch.per_event_cost = 0.002;
            cf.microbatch.parallelism = 2;
            cf.microbatch.watermark_delay = 3;
            cf.microbatch.output_mode = mode ? OUT_UPDATE : OUT_APPEND;
            char dir[64];
            sim_outcome o;
            trun(&cf, dir, sizeof dir, &o);
            const metrics_summary *s = &o.summary[0];
            cr_assert_str_eq(s->invariants, "ok", "seed %llu mode %d", (unsigned long long)seed, mode);
            cr_assert_eq(s->events, s->counted + s->dropped_late, "seed %llu", (unsigned long long)seed);
            dropped[mode] = s->dropped_late;
            panes[mode] = s->panes;
            fin[mode] = finals(dir);
            if (mode == 0) {
                char path[128];
                snprintf(path, sizeof path, "%s/windows.csv", dir);
                tcsv t;
                cr_assert_eq(tcsv_read(path, &t), 0);
                int cp = tcsv_col(&t, "panes");
                for (size_t r = 0; r < t.rows; r++)
                    cr_assert_leq(tcsv_num(&t, r, cp), 1, "seed %llu: append emitted a window twice",
                                  (unsigned long long)seed);
                tcsv_free(&t);
            }
            trm_rf(dir);
        }
        cr_assert_eq(dropped[0], dropped[1], "seed %llu: dropped %llu vs %llu", (unsigned long long)seed,
                     (unsigned long long)dropped[0], (unsigned long long)dropped[1]);
        cr_assert_gt(panes[1], panes[0], "seed %llu: update mode has no EARLY panes?",
                     (unsigned long long)seed);
        cr_assert_str_eq(fin[0], fin[1], "seed %llu: append and update final results differ",
                         (unsigned long long)seed);
        free(fin[0]);
        free(fin[1]);
    }
}

/* ---- faults (issue 7) ---- */

/* three.csv (t = 1, 2, 3), window none, trigger 5 s, batches of 1 + 1 s
 * per event: the batch 5 -> 9 crashes at 7, the query restarts at 7 + 1
 * + 4 = 12 and re-runs that batch from its offset log: output at 16,
 * once; 2 CPU-s wasted, 3 events reprocessed. */
Test(microbatch, crash_reruns_batch_from_offset_log)
{
    config_t cf;
    tcfg(&cf, ONLY_MB);
    tcfg_trace(&cf, "three.csv");
    cf.window.type = WIN_NONE;
    cf.microbatch.interval = 5;
    cf.microbatch.setup_cost = 1;
    cf.microbatch.per_event_cost = 1;
    cf.microbatch.parallelism = 1;
    cf.microbatch.restart_delay = 4;
    cf.faults.detection_delay = 1;
    cf.faults.crash_times.n = 1;
    cf.faults.crash_times.v[0] = 7;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "microbatch", "mb_crash.expected");
    cr_assert_eq(o.summary[0].crashes, 1);
    cr_assert_eq(o.summary[0].duplicates, 0);
    cr_assert_float_eq(o.summary[0].downtime, 5, 1e-9);
    cr_assert_float_eq(o.summary[0].cpu_wasted, 2, 1e-9);
    cr_assert_eq(o.summary[0].reprocessed, 3);
    /* faults.csv: nothing else waits, so the re-run ends the recovery */
    char path[128];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0);
    cr_assert_eq(t.rows, 1);
    cr_assert_float_eq(tcsv_num(&t, 0, tcsv_col(&t, "resumed")), 12, 1e-9);
    cr_assert_float_eq(tcsv_num(&t, 0, tcsv_col(&t, "caught_up")), 16, 1e-9);
    cr_assert_float_eq(tcsv_num(&t, 0, tcsv_col(&t, "peak_latency")), 15, 1e-9);
    tcsv_free(&t);
    trm_rf(dir);
}

/* Random crashes and a slowdown over many seeds, out-of-order and late
 * data, all window types, both output modes (append for sessions),
 * trigger intervals 0, 1 and 2 s: the run checks against its own
 * fault-free reference that every final result is unchanged.  The batch
 * that crashed is re-run from its offset log and output is atomic (no
 * loss, no duplicates), and which events are dropped as late is pinned to
 * the arrival order (exec/microbatch.h), not to where a crash moved the batch
 * boundaries. */
Test(microbatch, faults_change_no_result_over_seeds)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION};
    uint64_t dropped = 0;
    for (uint64_t seed = 400; seed < 412; seed++) {
        config_t cf;
        tcfg(&cf, ONLY_MB);
        tcfg_poisson(&cf, seed, 20, 200);
        cf.workload.keys = 3;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 1;
        cf.workload.late_fraction = 0.05;
        cf.workload.late_delay_mean = 20;
        cf.window.type = types[seed % 3];
        cf.window.size = 10;
        cf.window.slide = 5;
        cf.window.gap = 1;
        cf.microbatch.interval = (double)(seed % 3);
        cf.microbatch.setup_cost = 0.3;
        cf.microbatch.per_event_cost = 0.01;
        cf.microbatch.parallelism = 1;
        cf.microbatch.watermark_delay = 3;
        cf.microbatch.output_mode = seed % 4 < 2 || cf.window.type == WIN_SESSION ? OUT_APPEND : OUT_UPDATE;
        cf.microbatch.restart_delay = 2;
        cf.faults.mtbf = 15;
        cf.faults.detection_delay = 1;
        cf.faults.slowdown_times.n = 1;
        cf.faults.slowdown_times.v[0] = 100;
        cf.faults.slowdown_factor = 4;
        cf.faults.slowdown_duration = 30;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        const metrics_summary *s = &o.summary[0];
        cr_assert_str_eq(s->invariants, "ok", "seed %llu", (unsigned long long)seed);
        cr_assert_eq(s->duplicates, 0, "seed %llu", (unsigned long long)seed);
        cr_assert_gt(s->crashes, 0, "seed %llu", (unsigned long long)seed);
        dropped += s->dropped_late;
        trm_rf(dir);
    }
    cr_assert_gt(dropped, 0, "no late drops: the check would be vacuous");
}

/* Runs c (no output files) folding as often as sim can (fold_min 1), so
 * that sim also checks every horizon against every pane (window_horizon)
 * and every folded window against the fault-free run. */
static void hz_run(config_t *c, sim_outcome *o)
{
    sim_options opt;
    memset(&opt, 0, sizeof opt);
    opt.fold_min = 1;
    char err[CFG_ERR_MAX];
    err[0] = 0;
    int rc = sim_run_opts(c, NULL, &opt, o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "seed %llu: sim_run gave %d: %s", (unsigned long long)c->run.seed,
                 rc, err);
}

/*
 * The horizon promise (engine/exec.h) over seeds and variants.  The executor
 * checks every pane of a batch against the horizon it promised before
 * the batch (the promise only changes at a batch's end, so that is every
 * value horizon() can have returned); a broken promise fails the
 * invariant window_horizon, so the run must end with "ok".  Variants: the
 * three window types and none, append and update, trigger intervals 0, 1
 * and 4 s, watermark delays that hold windows open far behind the truth
 * (30 s without late data) or let late data through, overrunning
 * batches, crashes (re-runs from the offset log), slowdowns, the final
 * batch.
 */
Test(microbatch, horizon_promise_kept_over_seeds)
{
    const int types[4] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION, WIN_NONE};
    const double delays[3] = {0, 3, 30};
    uint64_t folded = 0;
    for (uint64_t seed = 800; seed < 848; seed++) {
        config_t cf;
        tcfg(&cf, ONLY_MB);
        tcfg_poisson(&cf, seed, 20, 200);
        cf.workload.keys = 3;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 0.5;
        cf.workload.late_fraction = (seed / 24) % 2 ? 0.1 : 0;
        cf.workload.late_delay_mean = 20;
        cf.window.type = types[seed % 4];
        cf.window.size = 10;
        cf.window.slide = 4;
        cf.window.gap = 1;
        cf.microbatch.interval = (double[]){0, 1, 4}[(seed / 4) % 3];
        cf.microbatch.watermark_delay = delays[(seed / 12) % 3];
        cf.microbatch.setup_cost = 0.3;
        cf.microbatch.per_event_cost = seed % 5 == 0 ? 0.06 : 0.005; /* 0.06: overruns */
        cf.microbatch.parallelism = 1;
        cf.microbatch.output_mode =
            seed % 2 && cf.window.type != WIN_SESSION ? OUT_UPDATE : OUT_APPEND;
        cf.microbatch.restart_delay = 2;
        cf.faults.detection_delay = 1;
        if (seed % 3 == 0) {
            cf.faults.crash_times.n = 2;
            cf.faults.crash_times.v[0] = 40.2;
            cf.faults.crash_times.v[1] = 41;
        } else if (seed % 3 == 1) {
            cf.faults.mtbf = 15;
        }
        cf.faults.slowdown_times.n = 1;
        cf.faults.slowdown_times.v[0] = 100;
        cf.faults.slowdown_factor = 4;
        cf.faults.slowdown_duration = 30;
        sim_outcome o;
        hz_run(&cf, &o);
        cr_assert_str_eq(o.invariants[0], "ok", "seed %llu", (unsigned long long)seed);
        folded += o.windows_folded;
    }
    cr_assert_gt(folded, 0, "nothing folded: the promises were never tested by sim");
}

/*
 * Folding happens with the micro-batch executor's horizon, and per-window
 * memory stays flat: the executor alone, append and update, a trigger of
 * 1 s, watermark delay 3 s, crashes; a run 10x longer folds 10x more
 * windows and holds about as many (key, window) records at its peak
 * (measured equal for tumbling and sliding, 162/222 for sessions: longer
 * runs see a few longer sessions).  sim folds whenever 64 records are
 * held (sim_options.fold_min), so a horizon too high fails
 * window_horizon, and one stuck low folds nothing.
 */
static void mb_fold_run(config_t *cf, double duration, sim_outcome *o)
{
    cf->run.duration = duration;
    cf->run.panes_csv = 0;
    sim_options opt;
    memset(&opt, 0, sizeof opt);
    opt.fold_min = 64;
    char err[CFG_ERR_MAX];
    err[0] = 0;
    int rc = sim_run_opts(cf, NULL, &opt, o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "sim_run gave %d: %s", rc, err);
    cr_assert_str_eq(o->invariants[0], "ok");
}

Test(microbatch, folding_keeps_memory_flat)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION};
    for (int i = 0; i < 5; i++) {
        config_t cf;
        tcfg(&cf, ONLY_MB);
        tcfg_poisson(&cf, 950 + (uint64_t)i, 20, 0);
        cf.workload.keys = 5;
        cf.workload.delay = DELAY_CONSTANT;
        cf.workload.delay_mean = 2;
        cf.window.type = types[i % 3];
        cf.window.size = 10;
        cf.window.slide = 5;
        cf.window.gap = 0.5;
        cf.microbatch.interval = 1;
        cf.microbatch.watermark_delay = 3;
        cf.microbatch.output_mode = i < 3 ? OUT_APPEND : OUT_UPDATE;
        cf.faults.crash_times.n = 3;
        cf.faults.crash_times.v[0] = 100;
        cf.faults.crash_times.v[1] = 101;
        cf.faults.crash_times.v[2] = 400;
        sim_outcome a, b;
        mb_fold_run(&cf, 600, &a);
        mb_fold_run(&cf, 6000, &b);
        cr_assert_gt(a.windows_folded, 0, "variant %d: nothing folded", i);
        cr_assert_gt(b.windows_folded, 9 * a.windows_folded, "variant %d", i);
        cr_assert_leq(b.windows_held_max, a.windows_held_max + a.windows_held_max / 2,
                      "variant %d: %zu records held over 6,000 s, %zu over 600 s", i,
                      b.windows_held_max, a.windows_held_max);
    }
}

/* ---- Spark's MicroBatchExecution rules (issue 16 item 2) ---- */

/* Runs cf and asserts its micro-batch panes (key,start,end,index,timing,
 * emit,count,sum lines) equal want. */
static void spark_panes(const config_t *cf, const char *want, sim_outcome *o)
{
    char dir[64];
    trun(cf, dir, sizeof dir, o);
    char *got = tpanes(dir, "microbatch");
    cr_assert_str_eq(got, want, "panes:\n--- got\n%s--- want\n%s", got, want);
    free(got);
    trm_rf(dir);
}

/*
 * Update mode across a no-data batch.  Sources: the Structured Streaming
 * programming guide, "Output Modes" (update: "only the rows that were
 * updated in the Result Table since the last trigger will be written");
 * MicroBatchExecution.runBatch (the watermark is updated at the end of
 * each batch, WatermarkTracker.updateWatermark, and used by the next);
 * MicroBatchExecution.constructNextBatch / shouldRunAnotherBatch with
 * spark.sql.streaming.noDataMicroBatches.enabled (a batch without new
 * data runs when the new watermark lets state be evicted).
 * spark_nodata.csv, key 1, (value, event time, arrival): (1,1,1),
 * (2,3,7), (4,12,12), (8,30,30); trigger 5 s, batches 0.5 + 0.1 n s,
 * delay 2 s, tumbling 10 s:
 *   batch  5: reads t=1, W=-inf: [0,10) row (1,1) at 5.6
 *   batch 10: reads t=3, W=-1:   [0,10) row (2,3) at 10.6
 *   batch 15: reads t=12, W=1:   [10,20) row (1,4) at 15.6; W := 10
 *   batch 20: no data, W=10 >= 10: evicts [0,10) (StateStoreSaveExec);
 *             update mode writes nothing (the row did not change),
 *             append mode writes it, ON_TIME at 20.5 (setup only)
 *   batch 30: the last one (input over: every window final): [30,40)
 *             changed (1,8) at 30.6; [10,20) is evicted unchanged, so
 *             update writes no row for it, append writes it once.
 */
static void spark_nodata_cfg(config_t *cf, int mode)
{
    mb_trace(cf, "../microbatch/spark_nodata.csv", mode);
}

Test(microbatch, spark_update_mode_across_no_data_batch)
{
    config_t cf;
    sim_outcome o;
    spark_nodata_cfg(&cf, OUT_UPDATE);
    spark_panes(&cf,
                "1,0,10,0,EARLY,5.6,1,1\n"
                "1,0,10,1,EARLY,10.6,2,3\n"
                "1,10,20,0,EARLY,15.6,1,4\n"
                "1,30,40,0,ON_TIME,30.6,1,8\n",
                &o);
    cr_assert_eq(o.summary[0].dropped_late, 0);
    /* the same trace in append mode shows the no-data batch at 20 */
    spark_nodata_cfg(&cf, OUT_APPEND);
    spark_panes(&cf,
                "1,0,10,0,ON_TIME,20.5,2,3\n"
                "1,10,20,0,ON_TIME,30.6,1,4\n"
                "1,30,40,0,ON_TIME,30.6,1,8\n",
                &o);
}

/*
 * A batch longer than its trigger interval.  Sources:
 * MicroBatchExecution.runBatch + WatermarkTracker.updateWatermark (the
 * watermark is the max event time of the batches executed so far minus
 * the delay, updated when a batch ends, and used by the next batch),
 * ProcessingTimeExecutor (a batch that overruns its trigger is followed
 * at once by the next), the programming guide, "Handling Late Data and
 * Watermarking" (data within the delay of the latest data processed is
 * aggregated).  spark_overrun.csv, key 1: t = 1, 2, 3, 4, 4.5, 4.8
 * arriving at t (values 1..32), then (64, t=9, arr 9), (128, t=4, arr 11),
 * (256, t=40, arr 40); trigger 5 s, batches 1 + 1 s per event, delay 2 s,
 * tumbling 5 s, append:
 *   batch  5 -> 12: reads the six events, W = -inf; overruns 10
 *   batch 12 -> 15: starts at once, reads t=9 and t=4 with W = 4.8 - 2
 *            = 2.8 (only the first batch has been executed): [0,5) ends
 *            after 2.8, so t=4 is aggregated (a grid-based watermark, of
 *            the arrivals up to the trigger at 10, would have been 7 and
 *            dropped it); W := 9 - 2 = 7
 *   batch 15 -> 16: no data, W = 7 passes [0,5): ON_TIME at 16, 7 rows,
 *            sum 191
 *   batch 40 -> 42: the last one: [5,10) (64) and [40,45) (256).
 */
Test(microbatch, spark_overrunning_batch_watermark_used_by_next)
{
    config_t cf;
    sim_outcome o;
    mb_trace(&cf, "../microbatch/spark_overrun.csv", OUT_APPEND);
    cf.window.size = 5;
    cf.microbatch.setup_cost = 1;
    cf.microbatch.per_event_cost = 1;
    spark_panes(&cf,
                "1,0,5,0,ON_TIME,16,7,191\n"
                "1,5,10,0,ON_TIME,42,1,64\n"
                "1,40,45,0,ON_TIME,42,1,256\n",
                &o);
    cr_assert_eq(o.summary[0].dropped_late, 0);
    cr_assert_eq(o.summary[0].counted, 9);
}

/*
 * Append-mode emission and the eviction boundary.  Sources:
 * StateStoreSaveExec (append: a window is output and its state removed
 * once the watermark predicate, window end <= watermark, holds;
 * WatermarkSupport.watermarkExpression on the window's end), and the
 * same predicate filtering late input rows; the programming guide,
 * "Handling Late Data and Watermarking" (append: the final count is
 * written when the watermark passes the window's end).
 * spark_boundary.csv, key 1: (1, t=1, arr 1), (2, t=12, arr 12),
 * (4, t=9.5, arr 21), (8, t=10, arr 22); trigger 5 s, batches 0.5 +
 * 0.1 n, delay 2, tumbling 10 s, append:
 *   batch  5: reads t=1; batch 15: reads t=12 (W=-1); W := 10
 *   batch 20: no data, W = 10 = end of [0,10): emitted at 20.5, (1,1)
 *   batch 25: the last one, reads t=9.5 and t=10 with W = 10: t=9.5's
 *            window [0,10) ends <= W: dropped; t=10 starts [10,20)
 *            (end 20 > W): kept; emitted at 25.7 with t=12: (2,10).
 */
Test(microbatch, spark_append_emission_at_eviction_boundary)
{
    config_t cf;
    sim_outcome o;
    mb_trace(&cf, "../microbatch/spark_boundary.csv", OUT_APPEND);
    spark_panes(&cf,
                "1,0,10,0,ON_TIME,20.5,1,1\n"
                "1,10,20,0,ON_TIME,25.7,2,10\n",
                &o);
    cr_assert_eq(o.summary[0].dropped_late, 1);
    cr_assert_eq(o.summary[0].counted, 3);
}
