/*
 * test_random_configs.c: every invariant holds across random combinations
 * of windows, watermarks, triggers, routing, guarantees, batch policies
 * and faults (crashes, MTBF, outages, slowdowns, failed checkpoints): 400
 * fixed-seed combinations.  A
 * combination the validator refuses must be refused cleanly; one that runs
 * must end with SIM_OK.  Seeds are fixed; a failure prints the --set list
 * that reproduces it with `sluice run tests/data/cli/small.ini`.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/rng.h"
#include "run/sim.h"

typedef struct choice {
    const char *key;
    const char *values[5];
} choice;

static const choice choices[] = {
    {"window.type", {"none", "tumbling", "sliding", "session"}},
    {"window.size", {"1", "5", "10", "60"}},
    {"window.slide", {"1", "2", "5"}},
    {"window.gap", {"0.5", "2", "10"}},
    {"workload.arrival", {"poisson", "constant", "mmpp", "diurnal"}},
    {"workload.delay", {"none", "constant", "exponential", "lognormal", "pareto"}},
    {"workload.key_dist", {"uniform", "zipf"}},
    {"workload.keys", {"1", "3", "50"}},
    {"workload.late_fraction", {"0", "0.05", "0.3"}},
    {"workload.sources", {"1", "3"}},
    {"workload.source_skew", {"0", "2"}},
    {"stream.watermark", {"perfect", "bounded", "percentile"}},
    {"stream.watermark_bound", {"0", "1", "10"}},
    {"stream.allowed_lateness", {"0", "5", "100"}},
    {"stream.accumulation", {"discarding", "accumulating"}},
    {"stream.early_delay", {"0", "1", "7"}},
    {"stream.service_mean", {"0.001", "0.05", "0.3"}},
    {"stream.parallelism", {"1", "2", "4"}},
    {"stream.routing", {"hash", "round_robin", "shared"}},
    {"stream.buffer", {"1", "5", "1000"}},
    {"stream.checkpoint_interval", {"0", "3", "20"}},
    {"stream.guarantee", {"exactly_once", "at_least_once"}},
    {"batch.interval", {"2", "10", "40"}},
    {"batch.late_policy", {"drop", "restate"}},
    {"batch.stages", {"1", "3"}},
    {"microbatch.interval", {"0", "1", "5"}},
    {"microbatch.output_mode", {"append", "update"}},
    {"faults.crash_times", {"", "10", "5,25,26"}},
    {"faults.mtbf", {"0", "15"}},
    {"faults.slowdown_times", {"", "8"}},
    {"faults.outage_times", {"", "12"}},
    {"faults.checkpoint_failure_times", {"", "6"}},
};

static size_t nvalues(const choice *c)
{
    size_t n = 0;
    while (n < 5 && c->values[n])
        n++;
    return n;
}

Test(random_configs, invariants_hold, .timeout = 600)
{
    gsl_rng *r = rng_stream_alloc(20261125, RNG_STRESS);
    cr_assert(r);
    int ran = 0;
    for (int i = 0; i < 400; i++) {
        config_t c;
        char err[2048], sets[4096] = "", a[256];
        config_defaults(&c);
        cr_assert_eq(config_load(&c, "tests/data/cli/small.ini", err, sizeof err), CFG_OK, "%s", err);
        c.run.seed = 1 + gsl_rng_uniform_int(r, 1000000);
        c.run.duration = gsl_rng_uniform(r) < 0.5 ? 20 : 60;
        c.workload.rate = gsl_rng_uniform(r) < 0.5 ? 5 : 40;
        int bad = 0;
        for (size_t k = 0; k < sizeof choices / sizeof choices[0]; k++) {
            if (gsl_rng_uniform(r) >= 0.4)
                continue;
            const choice *ch = &choices[k];
            snprintf(a, sizeof a, "%s=%s", ch->key,
                     ch->values[gsl_rng_uniform_int(r, nvalues(ch))]);
            size_t len = strlen(sets);
            snprintf(sets + len, sizeof sets - len, " --set %s", a);
            if (config_set(&c, a, err, sizeof err) != CFG_OK)
                bad = 1;
        }
        cr_assert(!bad, "a listed value was refused:%s", sets);
        if (config_validate(&c, err, sizeof err) != CFG_OK)
            continue; /* e.g. slide > size: refused cleanly, fine */
        sim_outcome o;
        sim_options opt = {0};
        opt.fold_min = 1; /* fold as often as possible: tests every horizon */
        int st = sim_run_opts(&c, NULL, &opt, &o, err, sizeof err);
        cr_expect_eq(st, SIM_OK, "config %d (--seed %llu --set run.duration=%g --set workload.rate=%g%s): %s",
                     i, (unsigned long long)c.run.seed, c.run.duration, c.workload.rate, sets, err);
        ran++;
    }
    gsl_rng_free(r);
    cr_expect_gt(ran, 300, "only %d of 400 combinations were valid", ran);
}
