/*
 * model/fault.c: the fault schedule of a run (see model/fault.h).
 *
 * Explicit times come from [faults]; random crashes are a Poisson process
 * of rate 1/mtbf drawn from the RNG_FAULT stream over [0, run.duration).
 * The result is sorted by (time, kind, order of appearance), so the same
 * configuration always gives the same schedule, whatever else changes.
 */
#include "model/fault.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "lib/vec.h"

static const char *const kind_names[] = {"crash", "slowdown", "outage", "checkpoint_failure"};

const char *fault_kind_name(int kind)
{
    if (kind < 0 || kind > FAULT_CHECKPOINT_FAIL)
        return "unknown";
    return kind_names[kind];
}

/* Sort key: time, then kind, then the order in which faults were listed
 * (stored temporarily in id). */
static int fault_cmp(const void *a, const void *b)
{
    const fault_t *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int push(fault_schedule *s, size_t *cap, fault_t f)
{
    if (vec_ensure(&s->v, cap, s->n + 1, sizeof *s->v) != VEC_OK)
        return -1;
    f.id = (uint32_t)s->n;
    s->v[s->n++] = f;
    return 0;
}

static int push_list(fault_schedule *s, size_t *cap, const config_list *l, int kind,
                     double duration, double factor)
{
    for (size_t i = 0; i < l->n; i++) {
        fault_t f = {0, kind, l->v[i], duration, factor};
        if (push(s, cap, f) != 0)
            return -1;
    }
    return 0;
}

int fault_schedule_build(const config_t *c, fault_schedule *s, char *err, size_t errlen)
{
    const struct config_faults *fc = &c->faults;
    size_t cap = 0;
    s->n = 0;
    s->v = NULL;
    if (push_list(s, &cap, &fc->crash_times, FAULT_CRASH, 0.0, 1.0) != 0 ||
        push_list(s, &cap, &fc->slowdown_times, FAULT_SLOWDOWN, fc->slowdown_duration,
                  fc->slowdown_factor) != 0 ||
        push_list(s, &cap, &fc->outage_times, FAULT_OUTAGE, fc->outage_duration, 1.0) != 0 ||
        push_list(s, &cap, &fc->checkpoint_failure_times, FAULT_CHECKPOINT_FAIL, 0.0, 1.0) != 0)
        goto oom;
    if (fc->mtbf > 0) {
        gsl_rng *r = rng_stream_alloc(c->run.seed, RNG_FAULT);
        if (!r)
            goto oom;
        double t = 0;
        for (;;) {
            t += gsl_ran_exponential(r, fc->mtbf);
            if (!(t < c->run.duration))
                break;
            fault_t f = {0, FAULT_CRASH, t, 0.0, 1.0};
            if (push(s, &cap, f) != 0) {
                gsl_rng_free(r);
                goto oom;
            }
        }
        gsl_rng_free(r);
    }
    if (s->n > 1)
        qsort(s->v, s->n, sizeof *s->v, fault_cmp);
    for (size_t i = 0; i < s->n; i++)
        s->v[i].id = (uint32_t)i;
    return 0;
oom:
    fault_schedule_free(s);
    snprintf(err, errlen, "out of memory building the fault schedule");
    return -1;
}

void fault_schedule_free(fault_schedule *s)
{
    if (!s)
        return;
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

double fault_slowdown_at(const fault_schedule *fs, double t, double *next)
{
    double f = 0;
    *next = INFINITY;
    for (size_t i = 0; fs && i < fs->n; i++) {
        const fault_t *x = &fs->v[i];
        if (x->kind != FAULT_SLOWDOWN)
            continue;
        /* model/config.c validates both: slowdown_factor in [1, 1e6], and
         * slowdown_duration > 0 whenever slowdown_times is given. */
        assert(x->duration > 0 && x->factor > 0);
        double a = x->time, b = x->time + x->duration;
        if (a <= t && t < b) {
            if (x->factor > f)
                f = x->factor;
            if (b < *next)
                *next = b;
        } else if (a > t && a < *next) {
            *next = a;
        }
    }
    return f > 0 ? f : 1;
}
