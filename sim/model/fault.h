/*
 * fault: the fault schedule of a run.
 *
 * Rules of this module
 *  - One schedule per run, drawn once from its own random stream
 *    (RNG_FAULT) and applied identically to every executor.
 *  - Crashes come from [faults] crash_times and/or a Poisson process with
 *    mean time between failures mtbf over [0, run.duration); slowdowns,
 *    outages and checkpoint failures from their explicit lists.
 *  - The schedule is sorted by time, ties by kind, then by list order;
 *    fault ids number it 0, 1, 2, ...
 *  - The slowdown rule, the same for every executor: while at least one
 *    slowdown is active (time <= t < time + duration), work runs
 *    factor times slower, the largest factor of the active ones;
 *    overlapping slowdowns do not compound (fault_slowdown_at).
 */
#ifndef SLUICE_FAULT_H
#define SLUICE_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fault_kind { FAULT_CRASH, FAULT_SLOWDOWN, FAULT_OUTAGE, FAULT_CHECKPOINT_FAIL };

typedef struct fault {
    uint32_t id;
    int kind;          /* enum fault_kind */
    double time;       /* s of processing time */
    double duration;   /* s (slowdown, outage); 0 otherwise */
    double factor;     /* slowdown: service time multiplier; 1 otherwise */
} fault_t;

typedef struct fault_schedule {
    size_t n;
    fault_t *v;        /* owned; fault_schedule_free releases it */
} fault_schedule;

/* Builds the schedule of c.  Returns 0, or -1 with err on OOM. */
int fault_schedule_build(const config_t *c, fault_schedule *s, char *err, size_t errlen);
void fault_schedule_free(fault_schedule *s);
const char *fault_kind_name(int kind); /* "crash", "slowdown", ... */
/* The slowdown factor at processing time t (1 when no slowdown is
 * active) and, in *next, the next time > t at which it changes
 * (+INFINITY: never).  O(faults); callers ask only while a slowdown may
 * be active. */
double fault_slowdown_at(const fault_schedule *fs, double t, double *next);

#ifdef __cplusplus
}
#endif

#endif
