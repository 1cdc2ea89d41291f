/*
 * experiments/capacity.c: sustainable throughput by bisection on the arrival rate
 * (see experiments/capacity.h).
 */
#include "experiments/capacity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/pool.h"
#include "run/sim.h"

/* The peaks of the backlog in the second and the last quarter of the
 * run, gathered from the run's timeline samples (sim_options.sample) as
 * they are taken: at most QUARTER_MAX samples in each quarter (the bucket
 * is chosen so that a quarter holds at most 250). */
#define QUARTER_MAX 256

typedef struct quarters {
    double duration;     /* s: run.duration */
    size_t n2, n4;       /* samples seen in the 2nd and the 4th quarter */
    double max2, max4;   /* their highest backlog; NAN while none */
} quarters;

/* The time as timeline.csv states it (9 significant digits): the quarter
 * boundaries fall on bucket ends, and a sample at exactly duration/4
 * belongs to the quarter the written time puts it in. */
static double as_written(double t)
{
    char b[32];
    snprintf(b, sizeof b, "%.9g", t);
    return strtod(b, NULL);
}

static void on_sample(void *user, const sim_sample *row)
{
    quarters *q = user;
    double t = as_written(row->time), d = q->duration, b = (double)row->backlog;
    if (t > d / 4 && t <= d / 2 && q->n2 < QUARTER_MAX) {
        q->n2++;
        if (!(b <= q->max2))
            q->max2 = b;
    } else if (t > 3 * d / 4 && t <= d && q->n4 < QUARTER_MAX) {
        q->n4++;
        if (!(b <= q->max4))
            q->max4 = b;
    }
}

static int sustainable(const config_t *c, const volatile int *stop, char *err, size_t errlen);

int capacity_sustainable(const config_t *c, char *err, size_t errlen)
{
    return sustainable(c, NULL, err, errlen);
}

/* capacity_sustainable that ends early (-1 "interrupted") once *stop is
 * non-zero.  The run writes no files: its samples come to on_sample. */
static int sustainable(const config_t *c, const volatile int *stop, char *err, size_t errlen)
{
    config_t r = *c;
    r.run.panes_csv = 0;
    double duration = r.run.duration;
    /* About 200 buckets per run, at most 256 in each quarter. */
    if (!(r.run.timeline_bucket > 0))
        r.run.timeline_bucket = duration / 200.0;
    if (duration / r.run.timeline_bucket > 1000)
        r.run.timeline_bucket = duration / 1000.0;
    quarters q = {duration, 0, 0, NAN, NAN};
    sim_options opt = {0};
    opt.stop = stop;
    opt.sample = on_sample;
    opt.sample_user = &q;
    sim_outcome *o = malloc(sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int st = sim_run_opts(&r, NULL, &opt, o, err, errlen);
    free(o);
    if (st == SIM_ERR)
        return -1;
    if (isnan(q.max2) || isnan(q.max4))
        return 0;
    /* slack: the events of one bucket */
    return q.max4 <= CAPACITY_GROWTH * q.max2 + r.workload.rate * r.run.timeline_bucket;
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
        r->status = CAPACITY_SKIPPED;
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
            r->status = SIM_ERR;
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
        r->status = SIM_ERR;
        snprintf(r->message, sizeof r->message, "no bracket found between %g and %g events/s",
                 c.workload.rate / 1e7, c.workload.rate * 1e7);
        return;
    }
    for (int k = 0; k < ctx->iterations; k++) {
        double mid = 0.5 * (lo + hi);
        c.workload.rate = mid;
        int v = sustainable(&c, stop, r->message, sizeof r->message);
        if (v < 0) {
            r->status = SIM_ERR;
            return;
        }
        if (v)
            lo = mid;
        else
            hi = mid;
    }
    r->status = SIM_OK;
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
