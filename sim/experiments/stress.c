/*
 * experiments/stress.c: randomised fault schedules checked against every invariant
 * (see experiments/stress.h).
 */
#include "experiments/stress.h"

#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <gsl/gsl_rng.h>

#include "experiments/pool.h"
#include "engine/rng.h"
#include "run/sim.h"

_Static_assert(sizeof(stress_result) + 4 <= 4096, "a result record must fit in PIPE_BUF");

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stress_config(const config_t *base, size_t i, config_t *out, char *crashes, size_t n)
{
    *out = *base;
    out->run.seed = base->run.seed + (uint64_t)i;
    gsl_rng *r = rng_stream_alloc(out->run.seed, RNG_STRESS);
    double horizon = base->run.duration * 1.1;
    double ci = base->stream.checkpoint_interval;
    double recovery = base->faults.detection_delay + base->stream.restart_delay + 5.0;
    size_t k = 1 + (r ? gsl_rng_uniform_int(r, 3) : 0);
    double t[3];
    for (size_t j = 0; j < k; j++) {
        unsigned how = r ? (unsigned)gsl_rng_uniform_int(r, 3) : 0;
        double u = r ? gsl_rng_uniform(r) : 0.5;
        double v = r ? gsl_rng_uniform(r) : 0.5;
        if (how == 1 && ci > 0) /* inside a checkpoint */
            t[j] = ci * floor(u * horizon / ci) + v * base->stream.checkpoint_cost;
        else if (how == 2 && j > 0) /* during the previous crash's recovery */
            t[j] = t[j - 1] + v * recovery;
        else
            t[j] = u * horizon;
        /* Print-and-parse stable: keep microsecond resolution. */
        t[j] = round(t[j] * 1e6) / 1e6;
    }
    gsl_rng_free(r);
    qsort(t, k, sizeof t[0], cmp_double);
    memset(&out->faults.crash_times, 0, sizeof out->faults.crash_times);
    int len = 0;
    crashes[0] = 0;
    for (size_t j = 0; j < k; j++) {
        out->faults.crash_times.v[out->faults.crash_times.n++] = t[j];
        if (len >= 0 && (size_t)len < n)
            len += snprintf(crashes + len, n - (size_t)len, "%s%.6f", j ? "," : "", t[j]);
    }
}

static void run_one(const config_t *base, size_t i, stress_result *r, const volatile int *stop);

void stress_run_one(const config_t *base, size_t i, stress_result *r)
{
    run_one(base, i, r, NULL);
}

static void run_one(const config_t *base, size_t i, stress_result *r, const volatile int *stop)
{
    config_t c;
    memset(r, 0, sizeof *r);
    stress_config(base, i, &c, r->crash_times, sizeof r->crash_times);
    r->seed = c.run.seed;
    sim_outcome *o = malloc(sizeof *o);
    if (!o) {
        r->status = SIM_ERR;
        snprintf(r->message, sizeof r->message, "out of memory");
        return;
    }
    /* Fold as often as possible: every horizon promise gets tested. */
    sim_options opt = {0};
    opt.fold_min = 1;
    opt.stop = stop;
    r->status = sim_run_opts(&c, NULL, &opt, o, r->message, sizeof r->message);
    if (r->status == SIM_OK)
        r->message[0] = 0;
    free(o);
}

static void task(const void *ctx, size_t i, void *result, const volatile int *stop)
{
    run_one(ctx, i, result, stop);
}

int stress_run_all(const config_t *base, size_t n, int jobs, stress_result *results,
                   void (*progress)(void *user, size_t done, size_t total), void *user,
                   const volatile int *stop, char *err, size_t errlen)
{
    return pool_run(n, jobs, task, base, sizeof *results, results, progress, user, stop, err,
                    errlen);
}

/* Appends to b (n bytes, used so far *len; *len becomes n on overflow). */
static void put(char *b, size_t n, size_t *len, const char *fmt, ...)
{
    if (*len >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b + *len, n - *len, fmt, ap);
    va_end(ap);
    *len = w < 0 || (size_t)w >= n - *len ? n : *len + (size_t)w;
}

/* Appends " word", single-quoted unless it is plain. */
static void put_word(char *b, size_t n, size_t *len, const char *word)
{
    int plain = *word != 0;
    for (const char *p = word; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,=:+@%-",
                       *p) != NULL;
    if (plain) {
        put(b, n, len, " %s", word);
        return;
    }
    put(b, n, len, " '");
    for (const char *p = word; *p; p++)
        put(b, n, len, *p == '\'' ? "'\\''" : "%c", *p);
    put(b, n, len, "'");
}

/* Whether the assignment sets run.seed (it fixes the seed whatever it
 * was: applied to two configurations with different seeds, both end
 * equal). */
static int sets_seed(const char *set)
{
    config_t *c = malloc(2 * sizeof *c);
    if (!c)
        return 0;
    char err[CFG_ERR_MAX];
    config_defaults(&c[0]);
    c[1] = c[0];
    c[0].run.seed = 0;
    c[1].run.seed = 1;
    int yes = config_set(&c[0], set, err, sizeof err) == CFG_OK &&
              config_set(&c[1], set, err, sizeof err) == CFG_OK && c[0].run.seed == c[1].run.seed;
    free(c);
    return yes;
}

int stress_replay_command(const char *prog, const char *config, const char *const *sets,
                          size_t nsets, const stress_result *r, char *buf, size_t n)
{
    size_t len = 0;
    if (n)
        buf[0] = 0;
    put(buf, n, &len, "SLUICE_FOLD_MIN=1");
    put_word(buf, n, &len, prog);
    put(buf, n, &len, " run");
    put_word(buf, n, &len, config);
    for (size_t k = 0; k < nsets; k++) {
        if (sets_seed(sets[k]))
            continue;
        put(buf, n, &len, " --set");
        put_word(buf, n, &len, sets[k]);
    }
    put(buf, n, &len, " --seed %" PRIu64 " --set faults.crash_times=%s", r->seed, r->crash_times);
    return len < n ? 0 : -1;
}
