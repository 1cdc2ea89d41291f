/*
 * test_capacity.c: sluice capacity finds the sustainable throughput where
 * queueing theory puts it: a stream executor with one worker and 10 ms
 * exponential service saturates at mu = 100 events/s.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/capacity.h"
#include "run/sim.h"

#include "util.h"

static void mm1(config_t *c)
{
    char err[1024];
    config_defaults(c);
    const char *sets[] = {"run.executors=stream", "run.duration=1200", "run.panes_csv=off",
                          "workload.rate=20", "workload.delay=none", "workload.late_fraction=0",
                          "window.type=none", "stream.service=exponential",
                          "stream.service_mean=0.01", "stream.checkpoint_interval=0",
                          "stream.guarantee=at_least_once"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert_eq(config_set(c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
}

/* Below capacity the backlog stays bounded, above it grows: the verdict
 * at rho = 0.8 and rho = 1.3 is not in doubt. */
Test(capacity, verdict_either_side_of_saturation)
{
    config_t c;
    mm1(&c);
    char err[1024];
    c.workload.rate = 80;
    cr_expect_eq(capacity_sustainable(&c, err, sizeof err), 1, "rho 0.8: %s", err);
    c.workload.rate = 130;
    cr_expect_eq(capacity_sustainable(&c, err, sizeof err), 0, "rho 1.3: %s", err);
}

/* The search lands within [-10%, +10%] of mu = 100/s for each of two
 * seeds: finite runs cannot see a very slow drift, so the estimate errs
 * slightly high (a few percent in practice), and below ~0.9 mu the
 * backlog is plainly bounded. */
Test(capacity, search_finds_mu, .timeout = 300)
{
    config_t c;
    mm1(&c);
    capacity_result res[EXEC_COUNT * 2];
    char err[1024];
    cr_assert_eq(capacity_run_all(&c, 2, 7, 2, res, NULL, NULL, NULL, err, sizeof err), 0, "%s",
                 err);
    for (int r = 0; r < 2; r++) {
        const capacity_result *x = &res[EXEC_STREAM * 2 + r];
        cr_assert_eq(x->status, SIM_OK, "%s", x->message);
        cr_expect(x->rate >= 90 && x->rate <= 110, "seed %d: capacity %g events/s", r, x->rate);
        cr_expect_eq(res[EXEC_BATCH * 2 + r].status, CAPACITY_SKIPPED, "batch was not configured");
    }
}

Test(capacity, run_too_short_for_the_batch_interval)
{
    config_t c;
    mm1(&c);
    c.run.executors[EXEC_BATCH] = 1;
    c.batch.interval = 300;
    capacity_result res[EXEC_COUNT];
    char err[1024] = "";
    cr_expect_eq(capacity_run_all(&c, 1, 3, 1, res, NULL, NULL, NULL, err, sizeof err), -1);
    cr_expect(strstr(err, "12 x batch.interval"), "got: %s", err);
}

/* sim_options.sample sees exactly the rows of timeline.csv: the same
 * number, in each the executor's time and backlog (columns 2 and 5). */
typedef struct seen {
    size_t n;
    double time[512];
    uint64_t backlog[512];
} seen;

static void keep(void *user, const sim_sample *row)
{
    seen *s = user;
    cr_assert_eq(row->executor, EXEC_STREAM);
    cr_assert_lt(s->n, 512);
    s->time[s->n] = row->time;
    s->backlog[s->n++] = row->backlog;
}

Test(capacity, samples_are_the_timeline_rows)
{
    config_t c;
    mm1(&c);
    c.workload.rate = 120; /* overloaded: the backlog grows, rows differ */
    c.run.duration = 300;
    c.run.timeline_bucket = 3;
    char dir[64], err[1024];
    util_tmpdir(dir, sizeof dir);
    seen *s = calloc(1, sizeof *s);
    cr_assert(s);
    sim_options opt = {0};
    opt.sample = keep;
    opt.sample_user = s;
    sim_outcome o;
    cr_assert_eq(sim_run_opts(&c, dir, &opt, &o, err, sizeof err), SIM_OK, "%s", err);
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    cr_assert(fgets(line, sizeof line, f));
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        double t;
        unsigned long long arrivals, processed, backlog;
        cr_assert_eq(sscanf(line, "stream,%lf,%llu,%llu,%llu", &t, &arrivals, &processed,
                            &backlog), 4, "%s", line);
        cr_assert_lt(n, s->n, "more rows than samples");
        cr_expect_float_eq(s->time[n], t, 1e-9 * (1 + t), "row %zu", n);
        cr_expect_eq(s->backlog[n], backlog, "row %zu", n);
        n++;
    }
    fclose(f);
    cr_expect_eq(n, s->n, "%zu rows, %zu samples", n, s->n);
    /* rows 50 and 100 end at t = 150 and 300 s: an overloaded queue grows
     * (by about 20 events/s), so the samples are not all alike */
    cr_assert_gt(s->n, 100);
    cr_expect_gt(s->backlog[99], s->backlog[49] + 1000, "%llu then %llu",
                 (unsigned long long)s->backlog[49], (unsigned long long)s->backlog[99]);
    free(s);
    util_rm_rf(dir);
}
