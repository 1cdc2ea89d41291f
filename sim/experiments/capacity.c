/*
 * experiments/capacity.c: sustainable throughput by bisection on the arrival rate
 * (see experiments/capacity.h).
 */
#include "experiments/capacity.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/outdir.h"
#include "experiments/pool.h"
#include "measure/columns.h"
#include "run/sim.h"

#define CAPACITY_FIELDS 16 /* timeline.csv fields looked at, at most */

static double maximum(const double *v, size_t n)
{
    double m = NAN;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] <= m))
            m = v[i];
    return m;
}

/* Reads timeline.csv of dir: the backlog at each bucket end (columns
 * found in measure/columns.h's table); slack is the number of events of
 * one bucket. */
static int verdict_from_timeline(const char *dir, double duration, double slack, char *err,
                                 size_t errlen)
{
    char path[CFG_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    const int tcol = columns_index("timeline.csv", "time");
    const int bcol = columns_index("timeline.csv", "backlog");
    assert(tcol >= 0 && tcol < bcol && bcol < CAPACITY_FIELDS);
    size_t cap = 256, n2 = 0, n4 = 0;
    double *q2 = malloc(cap * sizeof *q2), *q4 = malloc(cap * sizeof *q4);
    char line[1024];
    int rc = 0;
    if (!q2 || !q4 || !fgets(line, sizeof line, f))
        rc = -1;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        char *field[CAPACITY_FIELDS];
        int k = 0;
        char *p = line;
        field[k++] = p;
        while (k < CAPACITY_FIELDS && (p = strchr(p, ',')) != NULL) {
            *p++ = 0;
            field[k++] = p;
        }
        if (k <= bcol || !*field[bcol])
            continue;
        double t = atof(field[tcol]), lat = atof(field[bcol]);
        double *dst = NULL;
        size_t *nn = NULL;
        if (t > duration / 4 && t <= duration / 2)
            dst = q2, nn = &n2;
        else if (t > 3 * duration / 4 && t <= duration)
            dst = q4, nn = &n4;
        if (!dst || *nn >= cap)
            continue;
        dst[(*nn)++] = lat;
    }
    fclose(f);
    if (rc != 0) {
        free(q2);
        free(q4);
        snprintf(err, errlen, "%s: unreadable", path);
        return -1;
    }
    double m2 = maximum(q2, n2), m4 = maximum(q4, n4);
    free(q2);
    free(q4);
    if (isnan(m2) || isnan(m4))
        return 0;
    return m4 <= CAPACITY_GROWTH * m2 + slack;
}

static int sustainable(const config_t *c, const volatile int *stop, char *err, size_t errlen);

int capacity_sustainable(const config_t *c, char *err, size_t errlen)
{
    return sustainable(c, NULL, err, errlen);
}

/* capacity_sustainable that ends early (-1 "interrupted") once *stop is
 * non-zero; the temporary folder is removed either way. */
static int sustainable(const config_t *c, const volatile int *stop, char *err, size_t errlen)
{
    char tmp[] = "/tmp/sluice_capacity_XXXXXX";
    if (!mkdtemp(tmp)) {
        snprintf(err, errlen, "cannot create a temporary folder in /tmp");
        return -1;
    }
    config_t r = *c;
    r.run.panes_csv = 0;
    double duration = r.run.duration;
    /* About 200 buckets per run, at most 256 in each quarter. */
    if (!(r.run.timeline_bucket > 0))
        r.run.timeline_bucket = duration / 200.0;
    if (duration / r.run.timeline_bucket > 1000)
        r.run.timeline_bucket = duration / 1000.0;
    sim_outcome *o = malloc(sizeof *o);
    sim_options opt = {0};
    opt.stop = stop;
    int v = -1;
    if (!o)
        snprintf(err, errlen, "out of memory");
    else if (sim_run_opts(&r, tmp, &opt, o, err, errlen) != SIM_ERR)
        v = verdict_from_timeline(tmp, duration, r.workload.rate * r.run.timeline_bucket, err,
                                  errlen);
    free(o);
    outdir_remove_tree(tmp);
    return v;
}

typedef struct task_ctx {
    const config_t *base;
    int replications;
    int iterations;
} task_ctx;

static void task(const void *vctx, size_t t, void *result, const volatile int *stop)
{
    const task_ctx *ctx = vctx;
    capacity_result *r = result;
    int id = (int)(t / (size_t)ctx->replications);
    r->executor = id;
    r->rate = NAN;
    if (!ctx->base->run.executors[id]) {
        r->status = -1;
        return;
    }
    config_t c = *ctx->base;
    memset(c.run.executors, 0, sizeof c.run.executors);
    c.run.executors[id] = 1;
    c.run.seed += t % (size_t)ctx->replications;
    /* Capacity is about steady overload, not faults. */
    memset(&c.faults.crash_times, 0, sizeof c.faults.crash_times);
    c.faults.mtbf = 0;
    double lo = NAN, hi = NAN, rate = c.workload.rate;
    for (int k = 0; k < 24 && (isnan(lo) || isnan(hi)); k++) {
        c.workload.rate = rate;
        int v = sustainable(&c, stop, r->message, sizeof r->message);
        if (v < 0) {
            r->status = 2;
            return;
        }
        if (v) {
            lo = rate;
            rate *= 2;
        } else {
            hi = rate;
            rate /= 2;
        }
    }
    if (isnan(lo) || isnan(hi)) {
        r->status = 2;
        snprintf(r->message, sizeof r->message, "no bracket found between %g and %g events/s",
                 c.workload.rate / 1e7, c.workload.rate * 1e7);
        return;
    }
    for (int k = 0; k < ctx->iterations; k++) {
        double mid = 0.5 * (lo + hi);
        c.workload.rate = mid;
        int v = sustainable(&c, stop, r->message, sizeof r->message);
        if (v < 0) {
            r->status = 2;
            return;
        }
        if (v)
            lo = mid;
        else
            hi = mid;
    }
    r->status = 0;
    r->rate = lo;
    r->message[0] = 0;
}

int capacity_run_all(const config_t *base, int replications, int iterations, int jobs,
                     capacity_result *results,
                     void (*progress)(void *user, size_t done, size_t total), void *user,
                     const volatile int *stop, char *err, size_t errlen)
{
    /* Each quarter of the run must see several jobs or batches. */
    if (base->run.executors[EXEC_BATCH] && base->run.duration < 12 * base->batch.interval) {
        snprintf(err, errlen,
                 "capacity: run.duration (%g s) must be at least 12 x batch.interval (%g s), so "
                 "that every quarter of the run sees three jobs",
                 base->run.duration, base->batch.interval);
        return -1;
    }
    if (base->run.executors[EXEC_MICROBATCH] &&
        base->run.duration < 12 * base->microbatch.interval) {
        snprintf(err, errlen, "capacity: run.duration (%g s) must be at least 12 x microbatch.interval (%g s)",
                 base->run.duration, base->microbatch.interval);
        return -1;
    }
    task_ctx ctx = {base, replications, iterations};
    return pool_run((size_t)EXEC_COUNT * (size_t)replications, jobs, task, &ctx, sizeof *results,
                    results, progress, user, stop, err, errlen);
}
