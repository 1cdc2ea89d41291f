/*
 * test_capacity.c: sluice capacity finds the sustainable throughput where
 * queueing theory puts it: a stream executor with one worker and 10 ms
 * exponential service saturates at mu = 100 events/s.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "experiments/capacity.h"
#include "run/sim.h"

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
