/*
 * sweep: parameter sweeps with replications and confidence intervals.
 *
 * A sweep file is an INI file:
 *
 *   [sweep]
 *   base = default.ini            ; the config every point starts from
 *                                 ; (relative to the sweep file)
 *   replications = 5              ; runs per point (seeds base, base+1, ...)
 *   mode = grid                   ; grid (every combination) or zip
 *   metrics = lat_p99, lat_mean   ; summary columns to aggregate
 *                                 ; (default: every numeric column)
 *   batch.interval = 1, 5, 30, 60 ; any config key: a list of values,
 *   stream.parallelism = lin:1:8:8 ; or lin:FROM:TO:N, or log:FROM:TO:N
 *   marks = 49 Young, 47.7 Daly   ; optional: vertical lines on the plots
 *                                 ; at these values of the first swept key
 *
 * Rules of this module
 *  - Points are numbered in file order; in grid mode the first swept key
 *    varies slowest.  Task t = point * replications + replication.
 *  - Replication r of every point runs with seed base_seed + r (common
 *    random numbers: points differ by their parameters, not their noise).
 *  - Results are collected per task and written in task order, so runs.csv
 *    and sweep.csv are byte-identical whatever the number of workers, and
 *    whichever worker (process or MPI rank) ran which task.
 *  - Confidence intervals: 95% half-width t_{0.975, n-1} * s / sqrt(n)
 *    (gsl_cdf_tdist_Pinv); empty when n < 2.
 *  - At most SWEEP_MAX_RUNS runs (points x replications), counted with
 *    overflow checks: 16 keys of 16 values are refused, not wrapped to 0.
 *  - Errors: "FILE:LINE: message" for the sweep file; a failing task is
 *    recorded (status and message) and the others still run.
 *  - Library code: never prints; progress goes through a callback.
 */
#ifndef SLUICE_SWEEP_H
#define SLUICE_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/config.h"
#include "run/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SWEEP_MAX_PARAMS 16
#define SWEEP_MAX_METRICS 48
#define SWEEP_MAX_MARKS 8
/* At most this many runs (points x replications): a sweep file asking
 * for more is refused with the count, computed without overflow. */
#define SWEEP_MAX_RUNS 1000000

typedef struct sweep sweep_t;

/* The result of one task, a fixed-size record (it crosses pipes and MPI). */
typedef struct sweep_result {
    uint32_t task;
    int32_t status;                 /* SIM_OK, SIM_ERR, SIM_INVARIANT */
    int32_t nexec;
    char executor[EXEC_COUNT][16];
    char invariants[EXEC_COUNT][64];
    double value[EXEC_COUNT][SWEEP_MAX_METRICS]; /* every numeric summary column */
    char message[256];              /* error text when status != SIM_OK */
} sweep_result;

/* Parses a sweep file; NULL with err "FILE:LINE: message" on bad input. */
sweep_t *sweep_load(const char *path, char *err, size_t errlen);
/* sweep_load that ends with "FILE: interrupted" once *stop (may be NULL)
 * becomes non-zero (while reading the sweep file or its base, or checking
 * the points).  The sweep file and base are read through lib/infile.h. */
sweep_t *sweep_load_stop(const char *path, const volatile int *stop, char *err, size_t errlen);
void sweep_free(sweep_t *w);
size_t sweep_points(const sweep_t *w);
size_t sweep_tasks(const sweep_t *w);

/* Builds the config of task t (base + the point's values + seed). */
int sweep_task_config(const sweep_t *w, size_t t, config_t *c, char *err, size_t errlen);
/* The `sluice run` command that replays task t. */
void sweep_task_command(const sweep_t *w, size_t t, char *buf, size_t n);
/* Runs task t in this process. */
void sweep_run_task(const sweep_t *w, size_t t, sweep_result *r);
/* The same, ending early (SIM_ERR "interrupted") once *stop is non-zero. */
void sweep_run_task_stop(const sweep_t *w, size_t t, sweep_result *r, const volatile int *stop);

/* Runs every task in `jobs` worker processes (1 = in this process),
 * calling progress(user, done, total) after each task.  results must hold
 * sweep_tasks() records; they come back in task order.  Returns 0, or -1
 * with err when the workers could not be started. */
int sweep_run_all(const sweep_t *w, int jobs, sweep_result *results,
                  void (*progress)(void *user, size_t done, size_t total), void *user,
                  const volatile int *stop, char *err, size_t errlen);

/* Writes runs.csv (one row per task x executor) and sweep.csv (per point x
 * executor: n, then <metric>_mean and <metric>_ci per metric). */
int sweep_write_runs(const sweep_t *w, const sweep_result *results, FILE *f);
int sweep_write_summary(const sweep_t *w, const sweep_result *results, FILE *f);

/* marks.csv (`x,label`) for sluice plot; sweep_marks() says how many. */
size_t sweep_marks(const sweep_t *w);
int sweep_write_marks(const sweep_t *w, const sweep_result *results, FILE *f);

/* Writes runs.csv, sweep.csv and (when the sweep has marks) marks.csv into
 * the existing folder dir.  0, or -1 with err naming the file. */
int sweep_write_results(const sweep_t *w, const sweep_result *results, const char *dir,
                        char *err, size_t errlen);

/* Names of the numeric summary columns, in summary.csv order. */
size_t sweep_metric_count(void);
const char *sweep_metric_name(size_t i);
/* Copies the numeric columns of a summary into v (sweep_metric_count()). */
void sweep_summary_values(const metrics_summary *s, double *v);

#ifdef __cplusplus
}
#endif

#endif
