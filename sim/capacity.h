/*
 * capacity: the sustainable throughput of each executor: the highest
 * arrival rate at which its latency stays bounded over the run.
 *
 * Rules of this module
 *  - "Bounded": over the run's timeline (timeline.csv), the median of the
 *    per-bucket p99 visibility latency in the last quarter of the input
 *    is at most CAPACITY_GROWTH times the median in the second quarter
 *    (plus one bucket width of slack).  A queue that cannot keep up grows
 *    linearly, so its ratio tends to 7/3 > CAPACITY_GROWTH.
 *  - Search per executor and seed: from workload.rate, double (or halve)
 *    until the verdict flips, then bisect `iterations` times; the result is
 *    the highest rate found sustainable.
 *  - Replication r uses seed run.seed + r; across replications the 95%
 *    t-interval is reported.  Nothing prints here.
 */
#ifndef SLUICE_CAPACITY_H
#define SLUICE_CAPACITY_H

#include <stddef.h>
#include "cfg.h"

#define CAPACITY_GROWTH 1.5

typedef struct capacity_result {
    int executor;           /* enum cfg_executor */
    int32_t status;         /* 0 ok, else SIM_ERR */
    double rate;            /* events/s: highest sustainable rate found */
    char message[512];
} capacity_result;

/* 1 if the run of c keeps latency bounded for its (single) executor, 0 if
 * not, -1 on error (err). */
int capacity_sustainable(const cfg_t *c, char *err, size_t errlen);

/* Runs the search for each executor of base x replications, in `jobs`
 * processes.  results: EXEC_COUNT * replications records (executors not
 * configured have status -1).  Returns 0 or -1 with err. */
int capacity_run_all(const cfg_t *base, int replications, int iterations, int jobs,
                     capacity_result *results,
                     void (*progress)(void *user, size_t done, size_t total), void *user,
                     const volatile int *stop, char *err, size_t errlen);

#endif
