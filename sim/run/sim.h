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
#include "engine/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The status of a run: 0 or a negative code, never an exit status (only
 * the CLI maps them: SIM_OK to 0, SIM_INVARIANT to 1, any other to 2). */
#define SIM_OK 0
#define SIM_ERR (-1)       /* bad input, resources or interrupted: err says which */
#define SIM_INVARIANT (-2) /* ran, but an invariant failed: err says which */

typedef struct sim sim_t;

/* What an executor may ask of the run (sim_now, sim_at, sim_faults ...)
 * is declared in engine/context.h, implemented here in run/sim.c. */

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
    /* Called about every 2^16 loop steps with the simulated time and the
     * input's length (run.duration, or a trace's last arrival time). */
    void (*progress)(void *user, double now, double input_end, uint64_t events);
    void *user;
    /* Fold windows that can no longer change (see run/sim.c) once this many
     * (key, window) records are held; 0 = the default, 4096.  Small
     * values fold often (tests use 1 to exercise folding). */
    size_t fold_min;
    /* An executor that is not built in (a test, a course exercise):
     * exec_types[id] (id an enum config_executor value), when set, runs
     * instead of the registry's executor in that slot whenever
     * run.executors selects the slot; it is used for the fault-free
     * reference too.  A NULL array or entry: the registry's.  The types
     * must outlive the run.  See sim/README.md, "An executor". */
    const struct exec_type *const *exec_types;
    /* Plug-in policies of the stream executor (a course exercise, a
     * policy of your own): when set, this watermark policy runs instead
     * of stream.watermark's, and this trigger instead of the default one
     * (model/watermark.h, model/trigger.h say what a policy must do).
     * Used by the fault-free reference too; must outlive the run. */
    const struct watermark_type *watermark_type;
    const struct trigger_type *trigger_type;
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
    /* Non-zero: no fault-free reference even when there are faults, so
     * invariants 2-3 (windows and counted-once sets against the
     * reference) are not checked; for measuring what the reference costs
     * (make bench), never for results. */
    int no_reference;
    /* sluice explain: when set, every executor of the run (never of its
     * fault-free reference) records its decisions, one line each, through
     * this call (engine/context.h, "Explain").  NULL: nothing is recorded
     * and the hooks cost one branch. */
    void (*explain)(void *explain_user, const sim_explain_line *line);
    void *explain_user;
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

#ifdef __cplusplus
}
#endif

#endif
