/*
 * capacity: the sustainable throughput of each executor: the highest
 * arrival rate at which its latency stays bounded over the run.
 *
 * Rules of this module
 *  - "Bounded": latency stays bounded exactly when the backlog does
 *    (Little's law), and the backlog is sampled at every bucket end even
 *    when nothing becomes visible (batch).  So: over the run's timeline,
 *    the highest backlog in the last quarter of the input is at most
 *    CAPACITY_GROWTH times the highest in the second quarter, plus the
 *    events of one bucket (peaks, not medians: an overloaded micro-batch
 *    or batch executor has a saw-tooth backlog whose teeth grow).  A queue that cannot keep up grows linearly,
 *    so its ratio tends to 7/3 > CAPACITY_GROWTH; a slow drift needs a
 *    long run to show (the estimate errs high by about the drift one run
 *    cannot see).  The run must be at
 *    least 12 batch (or micro-batch) intervals long, so that every
 *    quarter spans several of them.
 *  - Search per executor and seed: from workload.rate, double (or halve)
 *    until the verdict flips, then bisect `iterations` times; the result is
 *    the highest rate found sustainable.
 *  - The runs write no files: the backlog comes from each run's timeline
 *    samples as they are taken (sim_options.sample), the same values
 *    timeline.csv would hold.
 *  - Replication r uses seed run.seed + r; across replications the 95%
 *    t-interval is reported.  Nothing prints here.
 */
#ifndef SLUICE_CAPACITY_H
#define SLUICE_CAPACITY_H

#include <stddef.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAPACITY_GROWTH 1.25
#define CAPACITY_SKIPPED 1 /* capacity_result.status: nothing was searched */

typedef struct capacity_result {
    int executor;           /* enum config_executor */
    int32_t status;         /* SIM_OK; SIM_ERR (message says why); or
                               CAPACITY_SKIPPED: executor not configured */
    double rate;            /* events/s: highest sustainable rate found */
    char message[512];
} capacity_result;

/* 1 if the run of c keeps latency bounded for its (single) executor, 0 if
 * not, -1 on error (err). */
int capacity_sustainable(const config_t *c, char *err, size_t errlen);

/* Runs the search for each executor of base x replications, in `jobs`
 * processes.  results: EXEC_COUNT * replications records (executors not
 * configured have status CAPACITY_SKIPPED).  Returns 0 or -1 with err. */
int capacity_run_all(const config_t *base, int replications, int iterations, int jobs,
                     capacity_result *results,
                     void (*progress)(void *user, size_t done, size_t total), void *user,
                     const volatile int *stop, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
