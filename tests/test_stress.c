/*
 * test_stress.c: `sluice stress` in make check: 200 seeds of a small
 * faulty config under each sink guarantee, every invariant holding; the
 * schedule of a seed is reproducible and actually hits the awkward places
 * (inside a checkpoint, during a previous crash's recovery).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "stress.h"

static void load(cfg_t *c)
{
    char err[2048];
    cfg_defaults(c);
    cr_assert_eq(cfg_load(c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK, "%s", err);
}

static void run_seeds(cfg_t *c, size_t n)
{
    stress_result *res = calloc(n, sizeof *res);
    cr_assert(res);
    char err[1024];
    cr_assert_eq(stress_run_all(c, n, 2, res, NULL, NULL, NULL, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(res[i].status, SIM_OK,
                     "seed %llu (crash_times=%s) failed: %s", (unsigned long long)res[i].seed,
                     res[i].crash_times, res[i].message);
    free(res);
}

Test(stress, exactly_once_200_seeds, .timeout = 300)
{
    cfg_t c;
    load(&c);
    run_seeds(&c, 200);
}

Test(stress, at_least_once_200_seeds, .timeout = 300)
{
    cfg_t c;
    load(&c);
    char err[1024];
    cr_assert_eq(cfg_set(&c, "stream.guarantee=at_least_once", err, sizeof err), CFG_OK, "%s", err);
    run_seeds(&c, 200);
}

Test(stress, schedules_are_reproducible_and_targeted)
{
    cfg_t c, a, b;
    load(&c);
    char sa[256], sb[256];
    int in_checkpoint = 0, close_pair = 0;
    for (size_t i = 0; i < 300; i++) {
        stress_config(&c, i, &a, sa, sizeof sa);
        stress_config(&c, i, &b, sb, sizeof sb);
        cr_assert_str_eq(sa, sb);
        cr_assert_eq(a.run.seed, c.run.seed + i);
        cr_assert(a.faults.crash_times.n >= 1 && a.faults.crash_times.n <= 3);
        for (size_t k = 0; k < a.faults.crash_times.n; k++) {
            double t = a.faults.crash_times.v[k];
            double ph = fmod(t, c.stream.checkpoint_interval);
            in_checkpoint += ph <= c.stream.checkpoint_cost;
            if (k > 0)
                close_pair += t - a.faults.crash_times.v[k - 1] <=
                              c.faults.detection_delay + c.stream.restart_delay + 5.0;
        }
    }
    /* About a third of crashes are aimed at checkpoints, and about a third
     * follow the previous one within its recovery: both must occur often. */
    cr_expect(in_checkpoint > 50, "crashes inside checkpoints: %d", in_checkpoint);
    cr_expect(close_pair > 30, "crashes during recovery: %d", close_pair);
}
