/*
 * sim: the simulation context of one run and its main loop.
 *
 * Rules of this module
 *  - A sim_t owns everything of one run: the clock, the event queue, the
 *    workload, the random streams, the fault schedule, the ground truth,
 *    the executors and their metrics.  There are no globals, so several
 *    runs can live in one process (sweeps, the fault-free reference run).
 *  - The clock is processing time in seconds; it never goes backwards.
 *    Scheduling in the past is a programmer error (assert).
 *  - Main loop: repeatedly take whichever comes first, the next arrival
 *    (workload_peek) or the next queued event (event_queue_peek_time); an arrival wins a
 *    tie.  The run ends when both are exhausted.
 *  - sim_run writes its result files into an existing directory (the CLI
 *    makes it a temporary one and renames it into place on success).
 */
#ifndef SLUICE_SIM_H
#define SLUICE_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "model/config.h"
#include "engine/event_queue.h"
#include "model/fault.h"
#include "measure/metrics.h"
#include "engine/rng.h"

/* The status of a run: 0 or a negative code, never an exit status (only
 * the CLI maps them: SIM_OK to 0, SIM_INVARIANT to 1, any other to 2). */
#define SIM_OK 0
#define SIM_ERR (-1)       /* bad input, resources or interrupted: err says which */
#define SIM_INVARIANT (-2) /* ran, but an invariant failed: err says which */

typedef struct sim sim_t;

double sim_now(const sim_t *s);
/* The run's stop flag (sim_options.stop, may be NULL), for executors that
 * read files while they are set up (a scripted watermark_file). */
const volatile int *sim_stop(const sim_t *s);
/* The address of the clock: *sim_clock(s) == sim_now(s) at all times,
 * valid as long as s; for per-event paths, which read it without a call. */
const double *sim_clock(const sim_t *s);
const config_t *sim_cfg(const sim_t *s);
/* Schedules fn(s, arg, data) at absolute time t >= now.  Returns 0 only
 * when memory ran out (the run then fails with SIM_ERR). */
event_queue_handle sim_at(sim_t *s, double t, event_queue_fn fn, void *arg, uint64_t data);
int sim_cancel(sim_t *s, event_queue_handle h);
/* Moves a pending event; *h becomes its new handle (see event_queue_reschedule). */
int sim_reschedule(sim_t *s, event_queue_handle *h, double t);
/* The random stream of a component (engine/rng.h), created on first use and
 * owned by s.  Each executor that needs its own stream passes its own
 * component number.  NULL when out of memory (the run then stops with
 * SIM_ERR). */
gsl_rng *sim_rng(sim_t *s, unsigned component);
/* Oracle for the perfect watermark: smallest event time not yet arrived. */
double sim_min_pending_event_time(sim_t *s);
/* A lower bound of it (see workload_pending_event_time_floor): O(events in
 * flight) per call, nothing per event; for rare callers (folding, a job's
 * due time).  Every later arrival has an event time >= it. */
double sim_pending_event_time_floor(sim_t *s);
const fault_schedule *sim_faults(const sim_t *s);
/* An executor reports it could not continue (out of memory): the run
 * stops with SIM_ERR and this text. */
void sim_abort(sim_t *s, const char *why);

/* What a run produced, for the CLI. */
typedef struct sim_outcome {
    int status;                   /* SIM_OK, SIM_ERR or SIM_INVARIANT */
    uint64_t events;
    double end_time;              /* s of processing time at the end */
    int nexec;                    /* executors run, order batch, microbatch, stream */
    metrics_summary summary[EXEC_COUNT]; /* their headline figures; the
                                   .executor and .invariants pointers are
                                   replaced by the two arrays below */
    char executor[EXEC_COUNT][16];
    char invariants[EXEC_COUNT][64];
    /* Per-window memory: the most (key, window) records held at once
     * (truth + every executor's results + the fault-free reference's, seen
     * at the fold checks), and the windows folded (written out and
     * forgotten during the run) of the first executor.  0 for window type
     * none. */
    size_t windows_held_max;
    uint64_t windows_folded;
} sim_outcome;

/* One timeline sample of one executor: what its timeline.csv row says
 * about the backlog and the watermark at the end of a bucket. */
typedef struct sim_sample {
    int executor;       /* enum config_executor */
    double time;        /* s of processing time: the bucket's end */
    uint64_t backlog;   /* events accepted but not yet processed */
    double watermark;   /* s of event time; NAN when the executor has none */
} sim_sample;

/* Options of a run (all optional: zero-initialise). */
typedef struct sim_options {
    /* Polled now and then; when *stop becomes non-zero the run ends with
     * SIM_ERR "interrupted" (the CLI sets it from SIGINT/SIGTERM). */
    const volatile int *stop;
    /* Called about every 2^16 loop steps with the simulated time. */
    void (*progress)(void *user, double now, uint64_t events);
    void *user;
    /* Fold windows that can no longer change (see run/sim.c) once this many
     * (key, window) records are held; 0 = the default, 4096.  Small
     * values fold often (tests use 1 to exercise folding). */
    size_t fold_min;
    /* Called with every timeline sample of the run (not of its fault-free
     * reference), in the order they are taken, whether or not out_dir is
     * given: a caller that needs the backlog over time reads it here
     * instead of parsing timeline.csv. */
    void (*sample)(void *sample_user, const sim_sample *row);
    void *sample_user;
    /* Non-zero: the caller has passed this very configuration through
     * sim_check (the CLI does, before it creates the output folder), so
     * the run does not check it again. */
    int checked;
} sim_options;

/* Everything a run refuses before it starts: config_validate (model/config.c,
 * the one place for value and cross-key rules, so the executors may
 * assume them), then budget_check (run/budget.h, resource limits).
 * SIM_OK, or SIM_ERR with err. */
int sim_check(const config_t *c, char *err, size_t errlen);

/* Runs the configuration c and writes summary.csv, panes.csv,
 * timeline.csv, windows.csv, latency.csv, faults.csv and config.ini into
 * out_dir (which must exist; NULL writes nothing).  c must pass sim_check
 * (the run checks it unless opt->checked).  Returns the status;
 * err holds the message for SIM_ERR and SIM_INVARIANT. */
int sim_run(const config_t *c, const char *out_dir, sim_outcome *o,
            char *err, size_t errlen);
int sim_run_opts(const config_t *c, const char *out_dir, const sim_options *opt,
                 sim_outcome *o, char *err, size_t errlen);

#endif
