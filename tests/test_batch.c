/*
 * test_batch.c: the batch executor (sim/exec/batch.c) end to end through
 * sim_run: closed-form latency, overload, hand-worked traces with their
 * expected panes (tests/data/batch, files NAME.expected: key, window_start,
 * window_end, pane, timing, emit_time, count, sum), late policies,
 * sessions, and invariants over many seeds.
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

#define ONLY_BATCH (1u << EXEC_BATCH)

/* The registry finds the batch executor under its [run] executors name. */
Test(batch, registered)
{
    cr_assert_eq(exec_type_of(EXEC_BATCH), &exec_batch);
    cr_assert_str_eq(exec_batch.name, "batch");
}

/* Per-record panes of one executor grouped by emit time (= job end):
 * count and latency sum (emit - event time) per job, in emit order. */
typedef struct job_groups {
    size_t n;
    double emit[4096];
    double cnt[4096];
    double sum[4096];
} job_groups;

static void group_jobs(const char *dir, const char *executor, job_groups *j)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0);
    int ce = tcsv_col(&t, "executor"), cs = tcsv_col(&t, "window_start"),
        cm = tcsv_col(&t, "emit_time");
    cr_assert(ce >= 0 && cs >= 0 && cm >= 0);
    memset(j, 0, sizeof *j);
    for (size_t r = 0; r < t.rows; r++) {
        if (strcmp(tcsv_get(&t, r, ce), executor) != 0)
            continue;
        double emit = tcsv_num(&t, r, cm), et = tcsv_num(&t, r, cs);
        if (j->n == 0 || j->emit[j->n - 1] != emit) {
            cr_assert(j->n == 0 || emit > j->emit[j->n - 1], "panes not in emit order");
            cr_assert(j->n < 4096);
            j->emit[j->n++] = emit;
        }
        j->cnt[j->n - 1] += 1;
        j->sum[j->n - 1] += emit - et;
    }
    tcsv_free(&t);
}

/*
 * Closed form.  Poisson arrivals at rate L, no delay, window none, jobs
 * every I s that never overlap.  Job k reads the N_k ~ Poisson(L I)
 * events of ((k-1)I, kI] and ends at kI + S + N_k c / P.  An event's
 * latency is (kI - t) + S + N_k c / P.  (kI - t) is uniform on (0, I):
 * mean I/2.  The batch an event lands in is size-biased: a batch of n
 * events holds n events, so P(an event's batch has n) ~ n P(N = n), whose
 * mean for a Poisson N is E[N^2]/E[N] = 1 + L I.  Hence
 *     mean latency = I/2 + S + (1 + L I) c / P.
 * Tolerance: jobs are i.i.d. (independent Poisson increments), so the
 * per-event mean is a ratio estimator sum(S_k) / sum(N_k) over jobs, whose
 * standard error is sqrt(sum (S_k - m N_k)^2 / (K (K - 1))) / mean(N).
 * We accept |m - theory| < 3.29 SE (99.9% two-sided) for each of three
 * seeds.  The last (final, drain) job is left out: its interval is cut
 * short by the end of the input.
 */
Test(batch, closed_form_mean_latency)
{
    const double L = 20, I = 10, S = 1, c = 0.02, P = 2;
    const double theory = I / 2 + S + (1 + L * I) * c / P; /* 8.01 s */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, seed, L, 1000);
        cf.window.type = WIN_NONE;
        cf.batch.interval = I;
        cf.batch.cutoff = 0;
        cf.batch.setup_cost = S;
        cf.batch.per_event_cost = c;
        cf.batch.parallelism = (int)P;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        job_groups *j = malloc(sizeof *j);
        group_jobs(dir, "batch", j);
        cr_assert(j->n >= 99, "seed %llu: %zu jobs", (unsigned long long)seed, j->n);
        size_t K = j->n - 1;
        double sn = 0, ss = 0;
        for (size_t k = 0; k < K; k++) {
            sn += j->cnt[k];
            ss += j->sum[k];
            /* never overlapping: every job ends before the next is due */
            cr_assert_lt(j->emit[k] - I * (double)(k + 1), I, "seed %llu: job %zu overran",
                         (unsigned long long)seed, k);
        }
        double m = ss / sn, v = 0;
        for (size_t k = 0; k < K; k++) {
            double d = j->sum[k] - m * j->cnt[k];
            v += d * d;
        }
        double se = sqrt(v / ((double)K * (double)(K - 1))) / (sn / (double)K);
        cr_assert_lt(fabs(m - theory), 3.29 * se,
                     "seed %llu: mean latency %.4f s, theory %.4f s, SE %.4f s",
                     (unsigned long long)seed, m, theory, se);
        /* The SE must be small enough for the check to mean something. */
        cr_assert_lt(se, 0.02 * theory, "seed %llu: SE %.4f too large", (unsigned long long)seed, se);
        /* summary.csv agrees with the panes (exact mean, incl. last job) */
        const metrics_summary *su = &o.summary[0];
        cr_assert_eq(su->events, o.events);
        cr_assert_eq(su->counted, o.events);
        cr_assert_eq(su->dropped_late, 0);
        cr_assert_lt(fabs(su->lat_mean - m), 0.05 * theory, "seed %llu: summary lat_mean %.4f vs %.4f",
                     (unsigned long long)seed, su->lat_mean, m);
        /* no delay: latency from event time == from arrival time */
        cr_assert_lt(fabs(su->proc_lat_mean - su->lat_mean), 1e-9);
        /* explainability: wait for the job ~ I/2, then the size-biased job */
        cr_assert_lt(fabs(su->wait_mean - I / 2), 0.05 * I, "wait_mean %.4f", su->wait_mean);
        cr_assert_lt(fabs(su->work_mean - (S + (1 + L * I) * c / P)), 0.05 * (S + (1 + L * I) * c / P),
                     "work_mean %.4f", su->work_mean);
        cr_assert_lt(fabs(su->hold_mean), 1e-6, "hold_mean %.6f (window none: visible at job end)",
                     su->hold_mean);
        free(j);
        trm_rf(dir);
    }
}

/* Mean latency per tenth of the run, by event time. */
static void deciles(const char *dir, double duration, double out[10])
{
    char path[2048];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0);
    int cs = tcsv_col(&t, "window_start"), cm = tcsv_col(&t, "emit_time");
    double n[10] = {0};
    for (int i = 0; i < 10; i++)
        out[i] = 0;
    for (size_t r = 0; r < t.rows; r++) {
        double et = tcsv_num(&t, r, cs);
        int d = (int)(et / duration * 10);
        if (d < 0 || d > 9)
            continue;
        out[d] += tcsv_num(&t, r, cm) - et;
        n[d]++;
    }
    for (int i = 0; i < 10; i++) {
        cr_assert_gt(n[i], 0);
        out[i] /= n[i];
    }
    tcsv_free(&t);
}

/*
 * Overload: with L c / P >= 1 a job takes longer than the interval
 * (here S + L I c / P = 13 s > I = 10 s on average), so jobs queue, each
 * starting when the previous ends, and latency grows with the run (by
 * about 0.3 s per s here).  Checked: the last three tenths of the run
 * (by event time) have 3x the latency of the first tenth, and every job
 * after the first starts exactly when the previous ends (the gap between
 * job ends is the job's own duration S + n c / P).  The control run (L c /
 * P = 0.2) has the same latency from start to end.
 */
Test(batch, overlapping_jobs_latency_grows)
{
    const double dur = 300;
    double load[2] = {0.06, 0.01};
    for (int run = 0; run < 2; run++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, 7, 20, dur);
        cf.window.type = WIN_NONE;
        cf.batch.interval = 10;
        cf.batch.cutoff = 0;
        cf.batch.setup_cost = 1;
        cf.batch.per_event_cost = load[run];
        cf.batch.parallelism = 1;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        double d[10];
        deciles(dir, dur, d);
        if (run == 0) {
            double last = (d[7] + d[8] + d[9]) / 3;
            cr_assert_gt(last, 3 * d[0], "overload: last tenths %.2f s, first %.2f s", last, d[0]);
            job_groups *j = malloc(sizeof *j);
            group_jobs(dir, "batch", j);
            cr_assert_geq(j->n, 20);
            for (size_t k = 1; k < j->n; k++)
                cr_assert_float_eq(j->emit[k] - j->emit[k - 1], 1 + j->cnt[k] * load[run], 1e-6,
                                   "overload: job %zu did not start when job %zu ended", k, k - 1);
            free(j);
        } else {
            cr_assert_lt(d[9], 1.25 * d[0], "stable: last tenth %.2f s, first %.2f s", d[9], d[0]);
            cr_assert_gt(d[9], 0.8 * d[0], "stable: last tenth %.2f s, first %.2f s", d[9], d[0]);
        }
        trm_rf(dir);
    }
}

/* A hand-worked trace, tumbling windows of 10 s, jobs every 20 s costing
 * 1 + 0.1 n s.  Key 1: values 1, 2, 4 at t = 1, 5, 12 (arriving at once)
 * and value 8 at t = 3 arriving at 25.  Job 1 (20 -> 21.3) computes
 * [0,10) = 2 events and [10,20) = 1; the late event is read by job 2
 * (40 -> 41.1, the final job). */
static void late_run(int policy, double cutoff, const char *golden, uint64_t dropped)
{
    config_t cf;
    tcfg(&cf, ONLY_BATCH);
    tcfg_trace(&cf, "late.csv");
    cf.window.type = WIN_TUMBLING;
    cf.window.size = 10;
    cf.batch.interval = 20;
    cf.batch.cutoff = cutoff;
    cf.batch.setup_cost = 1;
    cf.batch.per_event_cost = 0.1;
    cf.batch.parallelism = 1;
    cf.batch.late_policy = policy;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", golden);
    cr_assert_eq(o.summary[0].dropped_late, dropped);
    cr_assert_eq(o.summary[0].counted, 4 - dropped);
    /* restatement: the corrected pane equals the ground truth */
    twindows_exact(dir, "batch", policy == LATE_RESTATE);
    trm_rf(dir);
}

Test(batch, restate_late_event)
{
    late_run(LATE_RESTATE, 0, "late_restate.expected", 0);
}

Test(batch, drop_late_event)
{
    late_run(LATE_DROP, 0, "late_drop.expected", 1);
}

/* cutoff 5: job 1 computes only windows ending by 15, so [10,20) waits
 * for job 2; [0,10) is restated by job 2 as well. */
Test(batch, cutoff_delays_windows)
{
    late_run(LATE_RESTATE, 5, "late_cutoff.expected", 0);
}

/* A job that overruns delays the next one: jobs due every 10 s cost
 * 1 + 1 s per event.  Job 1 (due 10) reads 10 events and ends at 21; job
 * 2, due at 20, starts at 21 and reads its own data interval (10, 20]:
 * 3 events, ends at 25.  The event arriving at 20.5, during the delay,
 * belongs to job 3 (due 30, ends 33); job 4 (40) is the final one.
 * Window none: one pane per event at its job's end. */
Test(batch, overrun_delays_next_job)
{
    config_t cf;
    tcfg(&cf, ONLY_BATCH);
    tcfg_trace(&cf, "overrun.csv");
    cf.window.type = WIN_NONE;
    cf.batch.interval = 10;
    cf.batch.cutoff = 0;
    cf.batch.setup_cost = 1;
    cf.batch.per_event_cost = 1;
    cf.batch.parallelism = 1;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "overrun.expected");
    trm_rf(dir);
}

/* Session windows (gap 5) with restate: sessions [1,9) and [12,17) are
 * computed by job 1; the late event at t = 8 bridges them, so job 2 emits
 * the merged session [1,17) with the whole value (pane 1), which is the
 * ground truth's session. */
Test(batch, session_restate_merges)
{
    config_t cf;
    tcfg(&cf, ONLY_BATCH);
    tcfg_trace(&cf, "session.csv");
    cf.window.type = WIN_SESSION;
    cf.window.gap = 5;
    cf.batch.interval = 20;
    cf.batch.cutoff = 0;
    cf.batch.setup_cost = 1;
    cf.batch.per_event_cost = 0.1;
    cf.batch.parallelism = 1;
    cf.batch.late_policy = LATE_RESTATE;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "session_restate.expected");
    trm_rf(dir);
}

/*
 * Invariants over many seeds with out-of-order and late data, all window
 * types and both late policies: conservation (events = counted + dropped,
 * checked by metrics: the run would fail), no loss; with restate every
 * tumbling/sliding window's final result equals the ground truth (every
 * late event is eventually restated in); with drop nothing is restated
 * (every window has exactly one pane).
 */
Test(batch, invariants_over_seeds)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION};
    for (uint64_t seed = 100; seed < 112; seed++) {
        int type = types[seed % 3];
        int policy = (seed / 3) % 2 ? LATE_RESTATE : LATE_DROP;
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, seed, 30, 300);
        cf.workload.keys = 5;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 2;
        cf.workload.late_fraction = 0.05;
        cf.workload.late_delay_mean = 60;
        cf.window.type = type;
        cf.window.size = 10;
        cf.window.slide = 5;
        cf.window.gap = 3;
        cf.batch.interval = 15 + (double)(seed % 4) * 5;
        cf.batch.cutoff = (double)(seed % 3);
        cf.batch.setup_cost = 0.5;
        cf.batch.per_event_cost = 0.001;
        cf.batch.parallelism = 2;
        cf.batch.late_policy = policy;
        char dir[64];
        sim_outcome o;
        trun(&cf, dir, sizeof dir, &o);
        const metrics_summary *s = &o.summary[0];
        cr_assert_str_eq(s->invariants, "ok", "seed %llu", (unsigned long long)seed);
        cr_assert_eq(s->events, s->counted + s->dropped_late, "seed %llu", (unsigned long long)seed);
        cr_assert_eq(s->lost, 0, "seed %llu", (unsigned long long)seed);
        if (policy == LATE_RESTATE) {
            cr_assert_eq(s->dropped_late, 0, "seed %llu: restate drops nothing", (unsigned long long)seed);
            if (type != WIN_SESSION)
                cr_assert_float_eq(s->windows_exact, 1.0, 1e-12, "seed %llu: windows_exact %g",
                                   (unsigned long long)seed, s->windows_exact);
        } else {
            cr_assert_gt(s->dropped_late, 0, "seed %llu: 5%% late events, none dropped?",
                         (unsigned long long)seed);
            char path[128];
            snprintf(path, sizeof path, "%s/windows.csv", dir);
            tcsv t;
            cr_assert_eq(tcsv_read(path, &t), 0);
            int cp = tcsv_col(&t, "panes");
            cr_assert(cp >= 0);
            for (size_t r = 0; r < t.rows; r++)
                cr_assert_leq(tcsv_num(&t, r, cp), 1, "seed %llu: a window restated under drop",
                              (unsigned long long)seed);
            tcsv_free(&t);
        }
        trm_rf(dir);
    }
}

/* ---- faults (issue 7) ---- */

/* The row of faults.csv for `executor` and fault 0, as numbers by column
 * name. */
static double fault_field(const char *dir, const char *executor, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0, "cannot read %s", path);
    int ce = tcsv_col(&t, "executor"), c = tcsv_col(&t, name);
    cr_assert(ce >= 0 && c >= 0, "faults.csv has no column %s", name);
    double v = NAN;
    for (size_t r = 0; r < t.rows; r++)
        if (strcmp(tcsv_get(&t, r, ce), executor) == 0) {
            const char *s = tcsv_get(&t, r, c);
            v = *s ? strtod(s, NULL) : NAN;
            break;
        }
    tcsv_free(&t);
    return v;
}

/* three.csv: t = 1, 2, 3 arriving at once; window none; a job every 10 s
 * costing 1 + 1 s per event; restart 4 s after a detection delay of 1 s. */
static void three_cfg(config_t *cf)
{
    tcfg(cf, ONLY_BATCH);
    tcfg_trace(cf, "three.csv");
    cf->window.type = WIN_NONE;
    cf->batch.interval = 10;
    cf->batch.cutoff = 0;
    cf->batch.setup_cost = 1;
    cf->batch.per_event_cost = 1;
    cf->batch.parallelism = 1;
    cf->batch.restart_delay = 4;
    cf->faults.detection_delay = 1;
}

/* The job 10 -> 14 crashes at 12: 2 CPU-s wasted, restart at 12 + 1 + 4
 * = 17, the re-run from the start takes 4 s: output at 21, once. */
Test(batch, crash_reruns_job_from_start)
{
    config_t cf;
    three_cfg(&cf);
    cf.faults.crash_times.n = 1;
    cf.faults.crash_times.v[0] = 12;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "crash.expected");
    cr_assert_eq(o.summary[0].duplicates, 0);
    cr_assert_eq(o.summary[0].crashes, 1);
    cr_assert_float_eq(fault_field(dir, "batch", "time"), 12, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "detected"), 13, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "resumed"), 17, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "downtime"), 5, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "cpu_wasted"), 2, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "reprocessed"), 3, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "caught_up"), 21, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "peak_latency"), 20, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "lost"), 0, 1e-9);
    trm_rf(dir);
}

/* A long restart makes the next job queue: three_more.csv adds t = 15,
 * read by the final job (due 20).  Job 1 (10 -> 14) crashes at 12, the
 * restart is at 12 + 1 + 10 = 23; job 1 re-runs 23 -> 27 while job 2
 * waits, then job 2 runs 27 -> 29 and nothing is left: caught up at 29,
 * the peak latency of the recovery is job 1's oldest event, 27 - 1. */
Test(batch, crash_recovery_until_queue_drains)
{
    config_t cf;
    three_cfg(&cf);
    tcfg_trace(&cf, "three_more.csv");
    cf.batch.restart_delay = 10;
    cf.faults.crash_times.n = 1;
    cf.faults.crash_times.v[0] = 12;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "three_more.expected");
    cr_assert_float_eq(fault_field(dir, "batch", "resumed"), 23, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "downtime"), 11, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "caught_up"), 29, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "peak_latency"), 26, 1e-9);
    trm_rf(dir);
}

/* With 3 stages (1 s each after the 1 s setup: 11-12, 12-13, 13-14) a
 * crash at 12.5 keeps stage 1: 0.5 CPU-s wasted, 2 of 3 events' work
 * redone; the re-run (from 17.5) pays setup + 2 stages: output at 20.5. */
Test(batch, crash_reruns_from_last_stage)
{
    config_t cf;
    three_cfg(&cf);
    cf.batch.stages = 3;
    cf.faults.crash_times.n = 1;
    cf.faults.crash_times.v[0] = 12.5;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "crash_stages.expected");
    cr_assert_float_eq(fault_field(dir, "batch", "cpu_wasted"), 0.5, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "reprocessed"), 2, 1e-9);
    cr_assert_float_eq(fault_field(dir, "batch", "resumed"), 17.5, 1e-9);
    trm_rf(dir);
}

/* A slowdown x3 over [11, 13) stretches the job 10 -> 14: 1 s of work
 * by 11, 2/3 s by 13, the remaining 7/3 s after: output at 15.333. */
Test(batch, slowdown_stretches_job)
{
    config_t cf;
    three_cfg(&cf);
    cf.faults.slowdown_times.n = 1;
    cf.faults.slowdown_times.v[0] = 11;
    cf.faults.slowdown_factor = 3;
    cf.faults.slowdown_duration = 2;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    tassert_panes(dir, "batch", "slowdown.expected");
    trm_rf(dir);
}

/* The slowdown rule end to end (sim/MODEL.md, Faults: overlapping
 * slowdowns do not compound).  three.csv (t = 1, 2, 3), window none, a batch job and a
 * micro-batch batch both due at 10 reading the 3 events, each 1 + 3 x 1 =
 * 4 s of work (10 -> 14 without faults).  The same slowdowns stretch both
 * the same way: every pane is emitted at the job's end. */
static void both_cfg(config_t *cf, size_t nslow, const double *times)
{
    tcfg(cf, (1u << EXEC_BATCH) | (1u << EXEC_MICROBATCH));
    tcfg_trace(cf, "three.csv");
    cf->window.type = WIN_NONE;
    cf->batch.interval = cf->microbatch.interval = 10;
    cf->batch.cutoff = 0;
    cf->batch.setup_cost = cf->microbatch.setup_cost = 1;
    cf->batch.per_event_cost = cf->microbatch.per_event_cost = 1;
    cf->batch.parallelism = cf->microbatch.parallelism = 1;
    cf->faults.slowdown_times.n = nslow;
    for (size_t i = 0; i < nslow; i++)
        cf->faults.slowdown_times.v[i] = times[i];
    cf->faults.slowdown_factor = 3;
    cf->faults.slowdown_duration = 2;
}

static void expect_panes_at(const config_t *cf, const char *want)
{
    char dir[64];
    sim_outcome o;
    trun(cf, dir, sizeof dir, &o);
    cr_assert_eq(o.nexec, 2);
    const char *ex[] = {"batch", "microbatch"};
    for (int i = 0; i < 2; i++) {
        char *got = tpanes(dir, ex[i]);
        cr_assert_str_eq(got, want, "%s panes:\n%s", ex[i], got);
        free(got);
    }
    trm_rf(dir);
}

/* One slowdown x3 at 11 for 2 s: end 15 + 1/3 (test_jobs.c: jobs/single_slowdown),
 * written %.9g. */
Test(batch, slowdowns_single_batch_and_microbatch)
{
    config_t cf;
    both_cfg(&cf, 1, (double[]){11});
    expect_panes_at(&cf, "1,1,1,0,BATCH,15.3333333,1,1\n"
                         "1,2,2,0,BATCH,15.3333333,1,2\n"
                         "1,3,3,0,BATCH,15.3333333,1,4\n");
}

/* Two slowdowns x3 at 11 and 12 for 2 s each: active over [11, 14), end
 * exactly 16 (test_jobs.c:
 * jobs/overlapping_slowdowns_do_not_compound: 1 s of work by 11, 1 s over
 * [11, 14) at 1/3, the last 2 s by 16; multiplying the factors would
 * give 16 + 2/9). */
Test(batch, slowdowns_overlapping_batch_and_microbatch)
{
    config_t cf;
    both_cfg(&cf, 2, (double[]){11, 12});
    expect_panes_at(&cf, "1,1,1,0,BATCH,16,1,1\n"
                         "1,2,2,0,BATCH,16,1,2\n"
                         "1,3,3,0,BATCH,16,1,4\n");
}

/* A crash at the very end of a job (restart at once) makes the job run
 * twice: its events' latency goes from wait + D to wait + 2 D. */
Test(batch, rerun_doubles_job_latency)
{
    config_t cf;
    three_cfg(&cf);
    cf.batch.restart_delay = 0;
    cf.faults.detection_delay = 0;
    cf.faults.crash_times.n = 1;
    cf.faults.crash_times.v[0] = 13.999;
    char dir[64];
    sim_outcome o;
    trun(&cf, dir, sizeof dir, &o);
    /* fault-free: latencies 13, 12, 11 (mean 12) = wait 9/8/7 + D 4 */
    double mean = o.summary[0].lat_mean;
    cr_assert_float_eq(mean, 12 + 3.999, 1e-6, "mean latency %.6f", mean);
    cr_assert_float_eq(o.summary[0].work_mean, 2 * 4 - 0.001, 1e-6, "work_mean %.6f",
                       o.summary[0].work_mean);
    trm_rf(dir);
}

/* Random crashes and slowdowns over many seeds, windows with late data,
 * both late policies, 1 to 3 stages: the run checks conservation and,
 * against its own fault-free reference run, that every final result is
 * unchanged (jobs read their own data interval whenever they run, input
 * is durable and output atomic: no loss, no duplicates, only latency). */
Test(batch, faults_change_no_result_over_seeds)
{
    double wasted = 0;
    for (uint64_t seed = 300; seed < 308; seed++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, seed, 20, 300);
        cf.workload.keys = 3;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 2;
        cf.workload.late_fraction = 0.05;
        cf.workload.late_delay_mean = 40;
        cf.window.type = seed % 2 ? WIN_TUMBLING : WIN_SESSION;
        cf.window.size = 10;
        cf.window.gap = 1;
        cf.batch.interval = 20;
        cf.batch.cutoff = 2;
        cf.batch.setup_cost = 2;
        cf.batch.per_event_cost = 0.01;
        cf.batch.parallelism = 2;
        cf.batch.stages = 1 + (int)(seed % 3);
        cf.batch.late_policy = seed % 4 < 2 ? LATE_RESTATE : LATE_DROP;
        cf.batch.restart_delay = 3;
        cf.faults.mtbf = 40;
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
        cr_assert_eq(s->lost, 0, "seed %llu", (unsigned long long)seed);
        cr_assert_gt(s->crashes, 0, "seed %llu: mtbf 40 s over 300 s, no crash?", (unsigned long long)seed);
        wasted += s->cpu_wasted;
        trm_rf(dir);
    }
    /* jobs run ~20% of the time: some of the ~60 crashes must hit one */
    cr_assert_gt(wasted, 0, "no crash hit a running job?");
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
 * The horizon promise (engine/exec.h) over seeds and fault variants.  The batch
 * executor checks every pane of a job against the horizon it promised
 * before the job (the promise only changes at a job's end, so that is
 * every value horizon() can have returned); a broken promise fails the
 * invariant window_horizon, so the run must end with "ok".  The variants
 * aim at each path that can emit a pane for an old window: windows held
 * open past the truth by a long cutoff, restatement of late events,
 * sessions extended by a later job, jobs queued behind slow ones or a
 * crash (re-runs), stages, slowdowns and the final job.
 */
Test(batch, horizon_promise_kept_over_seeds)
{
    const int types[4] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION, WIN_NONE};
    const double cutoffs[3] = {0, 4, 25};
    uint64_t folded = 0;
    for (uint64_t seed = 700; seed < 748; seed++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, seed, 20, 240);
        cf.workload.keys = 4;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 0.5;
        /* without late data the truth runs ahead of a long cutoff */
        cf.workload.late_fraction = (seed / 24) % 2 ? 0.1 : 0;
        cf.workload.late_delay_mean = 30;
        cf.window.type = types[seed % 4];
        cf.window.size = 10;
        cf.window.slide = 4;
        cf.window.gap = 2;
        cf.batch.interval = seed % 5 == 0 ? 3 : 12;
        cf.batch.cutoff = cutoffs[(seed / 4) % 3];
        cf.batch.late_policy = (seed / 12) % 2 ? LATE_RESTATE : LATE_DROP;
        cf.batch.stages = seed % 2 ? 3 : 1;
        cf.batch.setup_cost = 0.5;
        /* interval 3: jobs of ~60 events take ~4 s, so they queue */
        cf.batch.per_event_cost = seed % 5 == 0 ? 0.07 : 0.005;
        cf.batch.parallelism = 1;
        cf.batch.restart_delay = 5;
        cf.faults.detection_delay = 1;
        if (seed % 3 == 0) {
            cf.faults.crash_times.n = 3;
            cf.faults.crash_times.v[0] = 30.5;
            cf.faults.crash_times.v[1] = 31;
            cf.faults.crash_times.v[2] = 100.2;
        } else if (seed % 3 == 1) {
            cf.faults.mtbf = 20;
        }
        cf.faults.slowdown_times.n = 1;
        cf.faults.slowdown_times.v[0] = 150;
        cf.faults.slowdown_factor = 3;
        cf.faults.slowdown_duration = 20;
        sim_outcome o;
        hz_run(&cf, &o);
        cr_assert_str_eq(o.invariants[0], "ok", "seed %llu", (unsigned long long)seed);
        folded += o.windows_folded;
    }
    cr_assert_gt(folded, 0, "nothing folded: the promises were never tested by sim");
}

/*
 * Folding happens with the batch executor's horizon, and per-window
 * memory stays flat: the batch executor alone, delays of 8 s against a
 * cutoff of 5 s (so most windows are restated), crashes; a run 10x longer
 * folds 10x more windows and holds about as many (key, window) records
 * at its peak (measured 85/85 tumbling, 120/135 sliding, 191/227
 * sessions: longer runs see a few longer sessions).  sim folds whenever
 * 64 records are held (sim_options.fold_min), so a horizon too high
 * fails window_horizon, and one stuck low folds nothing and the peak
 * grows tenfold.
 */
static void fold_run(config_t *cf, double duration, sim_outcome *o)
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

Test(batch, folding_keeps_memory_flat)
{
    const int types[3] = {WIN_TUMBLING, WIN_SLIDING, WIN_SESSION};
    for (int i = 0; i < 3; i++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH);
        tcfg_poisson(&cf, 900 + (uint64_t)i, 20, 0);
        cf.workload.keys = 5;
        cf.workload.delay = DELAY_CONSTANT;
        cf.workload.delay_mean = 8;
        cf.window.type = types[i];
        cf.window.size = 10;
        cf.window.slide = 5;
        cf.window.gap = 0.5;
        cf.batch.interval = 15;
        cf.batch.cutoff = 5;
        cf.batch.late_policy = LATE_RESTATE;
        cf.faults.crash_times.n = 3;
        cf.faults.crash_times.v[0] = 100;
        cf.faults.crash_times.v[1] = 101;
        cf.faults.crash_times.v[2] = 400;
        sim_outcome a, b;
        fold_run(&cf, 600, &a);
        fold_run(&cf, 6000, &b);
        cr_assert_gt(a.windows_folded, 0, "type %d: nothing folded", types[i]);
        cr_assert_gt(b.windows_folded, 9 * a.windows_folded, "type %d", types[i]);
        cr_assert_leq(b.windows_held_max, a.windows_held_max + a.windows_held_max / 2,
                      "type %d: %zu records held over 6,000 s, %zu over 600 s", types[i],
                      b.windows_held_max, a.windows_held_max);
    }
}

/* ---- the window store on its own (exec/jobs.h) ---- */

#include "exec/jobs.h"
#include "engine/rng.h"

static workload_event ev_at(uint64_t seq, uint32_t key, double t)
{
    workload_event e;
    memset(&e, 0, sizeof e);
    e.id = e.seq = seq;
    e.key = key;
    e.value = 1;
    e.event_time = e.arrival_time = t;
    return e;
}

/* Memory does not grow with the length of a run: over 2,000 intervals of
 * 50 events on 5 keys, after each emission the store holds only the
 * windows still open and the events waiting in them (at most two windows
 * per key straddle the horizon), and every event is counted once. */
Test(batch, store_memory_bounded_over_long_run)
{
    config_t c;
    config_defaults(&c);
    c.window.type = WIN_SLIDING;
    c.window.size = 10;
    c.window.slide = 5;
    metrics_t *m = metrics_alloc("batch", &c, 0, NULL);
    cr_assert(m);
    jobs_store *st = jobs_store_alloc(&c.window, 0, 0, 0);
    cr_assert(st);
    uint64_t seq = 0;
    size_t max_windows = 0, max_held = 0;
    for (int k = 0; k < 2000; k++) {
        for (int i = 0; i < 50; i++) {
            workload_event e = ev_at(seq++, (uint32_t)(i % 5), k * 5.0 + i * 0.1);
            metrics_arrived(m, &e);
            int r = jobs_store_add(st, &e, k * 5.0 - 5, 0);
            cr_assert_eq(r, JOBS_ADD_PENDING, "event %llu", (unsigned long long)e.seq);
        }
        cr_assert_geq(jobs_store_emit(st, k * 5.0, k * 5.0 + 1, PANE_BATCH, PANE_BATCH, m), 0);
        if (jobs_store_windows(st) > max_windows)
            max_windows = jobs_store_windows(st);
        if (jobs_store_held(st) > max_held)
            max_held = jobs_store_held(st);
    }
    /* open: [5k-5, 5k+5) and [5k, 5k+10) per key */
    cr_assert_leq(max_windows, 2 * 5, "windows %zu", max_windows);
    cr_assert_leq(max_held, 50, "held %zu", max_held);
    cr_assert_eq(jobs_store_open(st), jobs_store_windows(st));
    cr_assert_geq(jobs_store_emit(st, INFINITY, 1e9, PANE_BATCH, PANE_BATCH, m), 0);
    cr_assert_eq(jobs_store_windows(st), 0);
    cr_assert_eq(jobs_store_held(st), 0);
    jobs_store_free(st);
    metrics_free(m);
}

/* Restate keeps computed windows: a late event for one is added to the
 * whole value and the window is emitted again with the next pane index;
 * with drop it is refused. */
Test(batch, store_restate_and_drop)
{
    config_t c;
    config_defaults(&c);
    c.window.type = WIN_TUMBLING;
    c.window.size = 10;
    for (int restate = 0; restate < 2; restate++) {
        metrics_t *m = metrics_alloc("batch", &c, 0, NULL);
        jobs_store *st = jobs_store_alloc(&c.window, restate, 0, 0);
        cr_assert(m && st);
        workload_event a = ev_at(0, 7, 3), b = ev_at(1, 7, 4);
        cr_assert_eq(jobs_store_add(st, &a, -INFINITY, 0), JOBS_ADD_PENDING);
        cr_assert_eq(jobs_store_emit(st, 10, 11, PANE_BATCH, PANE_BATCH, m), 1);
        cr_assert_eq(jobs_store_windows(st), restate ? 1u : 0u);
        int r = jobs_store_add(st, &b, 10, 0);
        cr_assert_eq(r, restate ? JOBS_ADD_NOW : JOBS_ADD_DROPPED);
        cr_assert_eq(jobs_store_emit(st, 20, 21, PANE_BATCH, PANE_BATCH, m), restate ? 1 : 0);
        const metrics_result *res = wmap_get(metrics_results(m), 7, 0, 10);
        cr_assert(res);
        cr_assert_eq(res->final_count, restate ? 2u : 1u);
        cr_assert_eq(res->panes, restate ? 2u : 1u);
        jobs_store_free(st);
        metrics_free(m);
    }
}

/*
 * Restate with forgetting (jobs_store_forget): a long run of 5 keys,
 * tumbling windows of 5 s (or sessions of gap 1 s), one interval of 5 s
 * per job, 10% of the events late by up to 20 s.  Each job's bound is the
 * least event time of everything added later (what the executor gets
 * from the truth horizon; a bound that looks only at the next job's
 * events is wrong, and this test fails with it).  Forgetting changes no pane: every window's
 * result equals that of a store that keeps everything.  And the store
 * stays flat: it holds only the windows that late data can still reach
 * (the last 20 s, plus the open ones: at most 20 s / 5 s + 3 tumbling
 * windows per key; measured 20 over 200 jobs and over 2,000; sessions 22
 * and 25, the maximum of a random count over a longer run), while the
 * store that keeps everything grows tenfold with the run.
 */
static void forget_run(int type, int jobs, size_t *max_forget, size_t *max_keep, size_t *n_keep)
{
    config_t c;
    config_defaults(&c);
    c.window.type = type;
    c.window.size = 5;
    c.window.gap = 1;
    metrics_t *m[2];
    jobs_store *st[2];
    for (int i = 0; i < 2; i++) {
        m[i] = metrics_alloc("batch", &c, 0, NULL);
        st[i] = jobs_store_alloc(&c.window, 1, 0, 0);
        cr_assert(m[i] && st[i]);
    }
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_set(r, 5);
    /* event times of job k are >= 5k - 20; the bound of job k is the
     * least of job k+1 (drawn first) and 5(k+2) - 20 for those after */
    enum { PER = 40 };
    double next[PER];
    for (int i = 0; i < PER; i++)
        next[i] = 5.0 * i / PER;
    uint64_t seq = 0;
    *max_forget = *max_keep = 0;
    for (int k = 0; k < jobs; k++) {
        double cur[PER];
        memcpy(cur, next, sizeof cur);
        double bound = 5.0 * (k + 2) - 20;
        for (int i = 0; i < PER; i++) {
            double t = 5.0 * (k + 1) + 5.0 * i / PER;
            if (gsl_rng_uniform(r) < 0.1)
                t -= 20 * gsl_rng_uniform(r);
            next[i] = t;
            if (t < bound)
                bound = t;
        }
        for (int i = 0; i < PER; i++) {
            workload_event e = ev_at(seq++, (uint32_t)(i % 5), cur[i]);
            for (int j = 0; j < 2; j++) {
                metrics_arrived(m[j], &e);
                cr_assert_neq(jobs_store_add(st[j], &e, 5.0 * k, 0), JOBS_ADD_OOM);
            }
        }
        for (int j = 0; j < 2; j++)
            cr_assert_geq(jobs_store_emit(st[j], 5.0 * (k + 1), 5.0 * (k + 1) + 1, PANE_BATCH,
                                           PANE_BATCH, m[j]), 0);
        jobs_store_forget(st[0], bound);
        if (jobs_store_windows(st[0]) > *max_forget)
            *max_forget = jobs_store_windows(st[0]);
        if (jobs_store_windows(st[1]) > *max_keep)
            *max_keep = jobs_store_windows(st[1]);
    }
    for (int j = 0; j < 2; j++)
        cr_assert_geq(jobs_store_emit(st[j], INFINITY, 1e9, PANE_BATCH, PANE_BATCH, m[j]), 0);
    /* the same results, window by window */
    const wmap_t *a = metrics_results(m[0]), *b = metrics_results(m[1]);
    cr_assert_eq(wmap_size(a), wmap_size(b));
    size_t pos = 0;
    wmap_key key;
    const metrics_result *x;
    while ((x = wmap_next(a, &pos, &key)) != NULL) {
        const metrics_result *y = wmap_get(b, key.key, key.start, key.end);
        cr_assert(y, "window (%u, %g, %g) only with forgetting", key.key, key.start, key.end);
        cr_assert(x->final_count == y->final_count && x->final_sum == y->final_sum &&
                      x->panes == y->panes && x->final_emit == y->final_emit,
                  "window (%u, %g, %g) differs: %llu/%llu %u/%u %g/%g", key.key, key.start, key.end, (unsigned long long)x->final_count, (unsigned long long)y->final_count, x->panes, y->panes, x->final_emit, y->final_emit);
    }
    *n_keep = wmap_size(b);
    gsl_rng_free(r);
    for (int j = 0; j < 2; j++) {
        jobs_store_free(st[j]);
        metrics_free(m[j]);
    }
}

Test(batch, store_restate_forgets_what_no_input_can_touch)
{
    const int types[2] = {WIN_TUMBLING, WIN_SESSION};
    for (int i = 0; i < 2; i++) {
        size_t f200, k200, n200, f2000, k2000, n2000;
        forget_run(types[i], 200, &f200, &k200, &n200);
        forget_run(types[i], 2000, &f2000, &k2000, &n2000);
        cr_assert_leq(f2000, f200 + f200 / 4, "type %d: %zu windows over 2,000 jobs, %zu over 200",
                     types[i], f2000, f200);
        cr_assert_leq(f2000, 5 * (20 / 5 + 3), "type %d: %zu windows", types[i], f2000);
        /* keeping everything grows with the run: the check has teeth */
        cr_assert_gt(k2000, 5 * k200, "type %d", types[i]);
        cr_assert_gt(n2000, 5 * n200, "type %d", types[i]);
    }
}

/* Same configuration and seed: byte-identical outputs, with the parts
 * most likely to depend on iteration order (sessions, restatement,
 * stages, crashes) all on. */
Test(batch, deterministic_outputs)
{
    char dirs[2][64];
    for (int i = 0; i < 2; i++) {
        config_t cf;
        tcfg(&cf, ONLY_BATCH | (1u << EXEC_MICROBATCH));
        tcfg_poisson(&cf, 77, 25, 200);
        cf.workload.keys = 6;
        cf.workload.delay = DELAY_EXPONENTIAL;
        cf.workload.delay_mean = 2;
        cf.workload.late_fraction = 0.05;
        cf.workload.late_delay_mean = 30;
        cf.window.type = WIN_SESSION;
        cf.window.gap = 0.5;
        cf.batch.interval = 15;
        cf.batch.late_policy = LATE_RESTATE;
        cf.batch.stages = 2;
        cf.microbatch.interval = 1;
        cf.faults.crash_times.n = 2;
        cf.faults.crash_times.v[0] = 40;
        cf.faults.crash_times.v[1] = 121;
        sim_outcome o;
        trun(&cf, dirs[i], sizeof dirs[i], &o);
    }
    const char *files[] = {"panes.csv", "windows.csv", "summary.csv", "faults.csv", "timeline.csv"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "%s/%s", dirs[0], files[f]);
        snprintf(b, sizeof b, "%s/%s", dirs[1], files[f]);
        tcsv x, y;
        cr_assert_eq(tcsv_read(a, &x), 0, "%s", a);
        cr_assert_eq(tcsv_read(b, &y), 0, "%s", b);
        cr_assert_gt(x.rows, 0, "%s is empty", files[f]);
        cr_assert_eq(x.rows, y.rows, "%s differs", files[f]);
        for (size_t i = 0; i < (x.rows + 1) * x.cols; i++)
            cr_assert_str_eq(x.cell[i], y.cell[i], "%s differs", files[f]);
        tcsv_free(&x);
        tcsv_free(&y);
    }
    trm_rf(dirs[0]);
    trm_rf(dirs[1]);
}
