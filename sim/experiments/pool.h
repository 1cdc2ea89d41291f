/*
 * pool: run numbered tasks in worker processes, collect fixed-size results
 * in task order.
 *
 * Rules of this module
 *  - Task t's result lands in results[t] whichever worker ran it, so the
 *    caller's output never depends on the number of workers.
 *  - Workers are fork()ed copies of the caller; a task function must only
 *    write its result record (no shared state survives the fork).
 *  - The parent hands out task numbers through one pipe (4-byte writes,
 *    atomic) and reads result records from another (each record at most
 *    PIPE_BUF bytes, so records never interleave); it polls both, so
 *    neither pipe can fill up and block the other.
 *  - jobs = 1 runs every task in the calling process, in order.
 *  - Stopping: once *stop is non-zero no task is started; the result is
 *    -1 "interrupted".  Workers get SIGTERM (the CLI's handler sets their
 *    own copy of the flag, so a running task ends early and removes what
 *    it wrote), 2 s to exit, then SIGKILL; pool_run returns only after
 *    every worker has been reaped.
 *  - Nothing prints; progress goes through a callback.
 */
#ifndef SLUICE_POOL_H
#define SLUICE_POOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* stop: the flag given to pool_run (may be NULL); a long task polls it
 * and may end early once it is non-zero (its result is then dropped). */
typedef void (*pool_task_fn)(const void *ctx, size_t task, void *result,
                             const volatile int *stop);
typedef void (*pool_progress_fn)(void *user, size_t done, size_t total);

/* Runs tasks 0..total-1; results is an array of total records of
 * result_size bytes (<= PIPE_BUF).  Returns 0, or -1 with err (workers
 * could not start or died, or *stop became non-zero). */
int pool_run(size_t total, int jobs, pool_task_fn fn, const void *ctx, size_t result_size,
             void *results, pool_progress_fn progress, void *user, const volatile int *stop,
             char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
