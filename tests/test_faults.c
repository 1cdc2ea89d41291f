/*
 * test_faults.c: the fault schedule, and crash recovery of all three
 * executors seen from outside: a crash at every event of a small trace
 * keeps every invariant; every executor sees the same schedule; random
 * crashes follow a Poisson process of rate 1/mtbf.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>

#include "model/fault.h"
#include "output/outdir.h"
#include "run/sim.h"

/* A small trace: 40 events on 3 keys over 20 s, a few out of order and
 * two late ones, written to a temporary file. */
static void write_trace(char *path, size_t n)
{
    snprintf(path, n, "/tmp/sluice_faults_trace_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "id,key,value,event_time,arrival_time\n");
    for (int i = 0; i < 40; i++) {
        double et = 0.5 * i + 0.1;
        double delay = (i % 7 == 3) ? 2.3 : 0.2 + 0.05 * (i % 3);
        if (i == 11 || i == 27)
            delay = 9.0; /* late */
        fprintf(f, "%d,%d,%d,%.17g,%.17g\n", i, i % 3, 1 + i % 4, et, et + delay);
    }
    fclose(f);
}

static void base_config(config_t *c, const char *trace)
{
    char err[1024];
    config_defaults(c);
    const char *sets[] = {"workload.source=trace", "window.type=tumbling", "window.size=4",
                          "stream.watermark=bounded", "stream.watermark_bound=1",
                          "stream.allowed_lateness=5", "stream.checkpoint_interval=3",
                          "stream.checkpoint_cost=0.1", "stream.restart_delay=1",
                          "stream.parallelism=2", "batch.interval=5", "batch.setup_cost=0.5",
                          "batch.late_policy=restate", "microbatch.interval=1",
                          "faults.detection_delay=0.3", "run.timeline_bucket=1"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert_eq(config_set(c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
    snprintf(c->workload.trace, sizeof c->workload.trace, "%s", trace);
}

/* One run per event index (a crash exactly at its arrival, and one just
 * after it), for each sink guarantee: every invariant must hold. */
Test(faults, crash_at_every_event_index, .timeout = 240)
{
    char trace[64];
    write_trace(trace, sizeof trace);
    config_t base;
    base_config(&base, trace);
    int runs = 0;
    uint64_t dup_alo = 0, reprocessed = 0;
    for (int g = 0; g < 2; g++) {
        base.stream.guarantee = g ? GUAR_AT_LEAST_ONCE : GUAR_EXACTLY_ONCE;
        for (int i = 0; i < 40; i++) {
            double et = 0.5 * i + 0.1;
            double delay = (i % 7 == 3) ? 2.3 : 0.2 + 0.05 * (i % 3);
            if (i == 11 || i == 27)
                delay = 9.0;
            for (int k = 0; k < 2; k++) {
                config_t c = base;
                c.faults.crash_times.n = 1;
                c.faults.crash_times.v[0] = et + delay + (k ? 0.05 : 0.0);
                sim_outcome o;
                char err[2048];
                int st = sim_run(&c, NULL, &o, err, sizeof err);
                cr_expect_eq(st, SIM_OK, "crash at event %d (+%s, guarantee %d): %s", i,
                             k ? "0.05 s" : "0", g, err);
                for (int e = 0; e < o.nexec; e++) {
                    cr_expect_eq(o.summary[e].crashes, 1, "%s saw no crash", o.executor[e]);
                    cr_expect_eq(o.summary[e].lost, 0);
                    if (g == 0)
                        cr_expect_eq(o.summary[e].duplicates, 0, "%s: duplicates under exactly-once",
                                     o.executor[e]);
                    else
                        dup_alo += o.summary[e].duplicates;
                    reprocessed += o.summary[e].reprocessed;
                }
                runs++;
            }
        }
    }
    cr_expect_eq(runs, 160);
    /* The crashes did bite: the stream replayed events, and at least once
     * re-emitted panes shown after its last checkpoint. */
    cr_expect_gt(reprocessed, 0);
    cr_expect_gt(dup_alo, 0);
    remove(trace);
}

/* faults.csv: each executor has one row per fault of the one schedule,
 * with the same ids, kinds and times. */
Test(faults, every_executor_sees_the_same_schedule)
{
    char trace[64], dir[] = "/tmp/sluice_faults_out_XXXXXX";
    write_trace(trace, sizeof trace);
    cr_assert(mkdtemp(dir));
    config_t c;
    base_config(&c, trace);
    char err[2048];
    cr_assert_eq(config_set(&c, "faults.crash_times=4.2,13", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "faults.slowdown_times=8", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "faults.outage_times=2", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "faults.outage_duration=1", err, sizeof err), CFG_OK, "%s", err);
    sim_outcome o;
    cr_assert_eq(sim_run(&c, dir, &o, err, sizeof err), SIM_OK, "%s", err);
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    cr_assert(fgets(line, sizeof line, f));
    char seen[3][4][128];
    int nrow[3] = {0, 0, 0};
    static const char *names[] = {"batch", "microbatch", "stream"};
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        cr_assert(comma);
        *comma = 0;
        int e = -1;
        for (int i = 0; i < 3; i++)
            if (!strcmp(line, names[i]))
                e = i;
        cr_assert(e >= 0, "unknown executor %s", line);
        /* fault_id,kind,time */
        char *p = comma + 1;
        for (int k = 0; k < 3; k++)
            p = strchr(p, ',') + 1;
        cr_assert(nrow[e] < 4);
        snprintf(seen[e][nrow[e]++], sizeof seen[0][0], "%.*s", (int)(p - comma - 2), comma + 1);
    }
    fclose(f);
    for (int e = 0; e < 3; e++) {
        cr_expect_eq(nrow[e], 4, "%s: %d fault rows", names[e], nrow[e]);
        for (int r = 0; r < nrow[e] && r < nrow[0]; r++)
            cr_expect_str_eq(seen[e][r], seen[0][r], "%s row %d", names[e], r);
    }
    cr_expect_str_eq(seen[0][0], "0,outage,2");
    cr_expect_str_eq(seen[0][1], "1,crash,4.2");
    cr_expect_str_eq(seen[0][2], "2,slowdown,8");
    cr_expect_str_eq(seen[0][3], "3,crash,13");
    outdir_remove_tree(dir);
    remove(trace);
}

/* Random crashes: a Poisson process of rate 1/mtbf over the run.  Over 200
 * seeds of 100 mean intervals each, the total count is Poisson(20000): it
 * must fall in the central 99.9% (+-3.29 sd = +-465); gaps are
 * exponential (mean within 3%), times sorted and inside the run, and the
 * schedule of a seed never changes. */
Test(faults, mtbf_is_a_poisson_process)
{
    config_t c;
    config_defaults(&c);
    c.run.duration = 100000;
    c.faults.mtbf = 1000;
    c.faults.crash_times.n = 1;
    c.faults.crash_times.v[0] = 5; /* explicit ones stay, merged in order */
    size_t total = 0;
    double gap_sum = 0;
    size_t gaps = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        c.run.seed = seed;
        fault_schedule s, s2;
        char err[256];
        cr_assert_eq(fault_schedule_build(&c, &s, err, sizeof err), 0, "%s", err);
        cr_assert_eq(fault_schedule_build(&c, &s2, err, sizeof err), 0, "%s", err);
        cr_assert_eq(s.n, s2.n);
        cr_assert(memcmp(s.v, s2.v, s.n * sizeof *s.v) == 0, "seed %llu not reproducible",
                  (unsigned long long)seed);
        int explicit_seen = 0;
        double prev = 0;
        for (size_t i = 0; i < s.n; i++) {
            cr_assert_eq(s.v[i].kind, FAULT_CRASH);
            cr_assert_eq(s.v[i].id, i);
            cr_assert(s.v[i].time >= prev && s.v[i].time < c.run.duration);
            if (s.v[i].time == 5 && !explicit_seen) {
                explicit_seen = 1;
                continue;
            }
            gap_sum += s.v[i].time - prev;
            gaps++;
            prev = s.v[i].time;
        }
        cr_assert(explicit_seen, "explicit crash missing for seed %llu", (unsigned long long)seed);
        total += s.n - 1;
        fault_schedule_free(&s);
        fault_schedule_free(&s2);
    }
    cr_expect(fabs((double)total - 20000.0) <= 3.29 * sqrt(20000.0), "total %zu", total);
    cr_expect(fabs(gap_sum / (double)gaps - 1000.0) <= 30.0, "mean gap %g", gap_sum / (double)gaps);
}

/* The one slowdown rule (model/fault.h): the largest factor of the active
 * slowdowns, never their product, and where it changes next.  Two
 * slowdowns, x3 over [100, 200) and x2 over [110, 130), and a crash that
 * must not count. */
Test(faults, slowdown_rule_takes_the_largest_active_factor)
{
    fault_t v[] = {
        {.id = 0, .kind = FAULT_SLOWDOWN, .time = 100, .duration = 100, .factor = 3},
        {.id = 1, .kind = FAULT_CRASH, .time = 105},
        {.id = 2, .kind = FAULT_SLOWDOWN, .time = 110, .duration = 20, .factor = 2},
    };
    fault_schedule fs = {3, v};
    double next;
    cr_expect_eq(fault_slowdown_at(&fs, 50, &next), 1);
    cr_expect_eq(next, 100);
    cr_expect_eq(fault_slowdown_at(&fs, 100, &next), 3); /* a start is inside */
    cr_expect_eq(next, 110);
    cr_expect_eq(fault_slowdown_at(&fs, 120, &next), 3); /* 3, not 3 x 2 = 6 */
    cr_expect_eq(next, 130);
    cr_expect_eq(fault_slowdown_at(&fs, 150, &next), 3);
    cr_expect_eq(next, 200);
    cr_expect_eq(fault_slowdown_at(&fs, 200, &next), 1); /* an end is outside */
    cr_expect(isinf(next) && next > 0);
    cr_expect_eq(fault_slowdown_at(NULL, 120, &next), 1);
}
