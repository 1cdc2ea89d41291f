/*
 * exec: the executor interface, a small table of function pointers in the
 * manner of gsl_rng_type.  exec/batch.c, exec/microbatch.c and
 * exec/stream/exec_stream.c each export one `const exec_type`; the registry (exec/registry.c, which
 * implements the last part of this header) lists them by enum
 * config_executor.
 *
 * Rules of this module
 *  - The simulation (run/sim.c) owns the clock, the event queue, the workload
 *    and the fault schedule; an executor only reacts to calls and schedules
 *    its own timers through sim_at()/sim_cancel(): everything it may ask of
 *    the run is in engine/context.h (implemented by run/sim.c).
 *  - Every arrival is offered to every executor at its arrival time, in
 *    arrival order (model/workload.h), before any other event at that same time.
 *  - After on_input_end an executor must drain: finish all work, fire every
 *    open window, and stop scheduling periodic timers, so that the event
 *    queue empties and nothing is in flight when the run ends.
 *  - Executors report what happens through their metrics_t (measure/metrics.h),
 *    and never print.
 *  - An executor states its own facts (label, parallelism, whether its panes
 *    are deltas, whether its output is exactly-once) in its exec_type; sim,
 *    the metrics, summary.csv, the plots and the report read them from
 *    there (exec_facts), and nothing downstream works them out again.
 */
#ifndef SLUICE_EXEC_H
#define SLUICE_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"
#include "model/fault.h"
#include "measure/metrics.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim sim_t;
typedef struct exec exec_t;

typedef struct exec_type {
    const char *name;      /* "batch", "microbatch", "stream" */
    /* Creates the executor's state for the run of s.  e->metrics is ready.
     * Returns the state, or NULL with err filled. */
    void *(*create)(sim_t *s, exec_t *e, char *err, size_t errlen);
    void (*destroy)(void *self);
    /* ev arrives now (sim_now(s) == ev->arrival_time). */
    void (*on_arrival)(void *self, const workload_event *ev);
    /* No more arrivals, ever: drain. */
    void (*on_input_end)(void *self);
    /* A fault of the schedule happens now (crash, slowdown, checkpoint
     * failure; outages are applied to the workload by sim, but are also
     * announced here so that recovery costs can be attributed). */
    void (*on_fault)(void *self, const fault_t *f);
    /* Events arrived but not yet processed (timeline backlog). */
    uint64_t (*backlog)(void *self);
    /* Current watermark (s of event time); NAN when it has none. */
    double (*watermark)(void *self);
    /* Called once after the queue emptied: report fault rows etc. */
    void (*finish)(void *self);
    /* Event-time horizon of the executor's output (may be NULL, which is
     * the same as always returning -INFINITY).  A promise about the rest
     * of the run: from now on the executor emits no pane and makes no
     * metrics_window_merged call for a window whose end < the value
     * returned (for a merge, neither the old nor the new window), whatever
     * happens later: crashes, restores, replays, duplicates, output staged
     * for a later commit, delayed jobs, the drain after on_input_end.
     * Nondecreasing over the run.  sim folds windows behind the minimum
     * of every executor's horizon and the truth's (sim_pending_event_
     * time_floor): writes them out and forgets them, so that per-window memory
     * does not grow with the run.  A pane behind a fold fails the
     * invariant "window_horizon". */
    double (*horizon)(void *self);

    /* ---- facts: what the executor states about itself ---- */
    /* For people: plot legends and report text ("micro-batch"); NULL =
     * name.  One word (no spaces). */
    const char *label;
    /* Its facts for a run of c: sets out->parallelism (workers: CPU-s lost
     * per s of downtime), out->deltas (1 when each pane holds only what is
     * new since the window's previous pane, 0 when it carries the whole
     * window so far) and out->exactly_once (1 when no pane is ever
     * emitted twice, crashes included).  May be NULL: 1 worker, whole
     * windows, exactly-once.  exec_facts fills the rest. */
    void (*facts)(const config_t *c, metrics_facts *out);
} exec_type;

struct exec {
    const exec_type *type;
    void *self;
    sim_t *sim;
    metrics_t *metrics;
    int id;               /* enum config_executor */
};

/* exec_batch, exec_microbatch, exec_stream, ...: model/executors.h. */
#define EXEC_DECLARE(id, name) extern const exec_type exec_##name;
SLUICE_EXECUTORS(EXEC_DECLARE)
#undef EXEC_DECLARE

/* ---- the registry (exec/registry.c) ---- */

/* The executor type for an enum config_executor value; NULL out of range. */
const exec_type *exec_type_of(int id);
/* The built-in executor type called name ("batch"), or NULL. */
const exec_type *exec_type_named(const char *name);
/* The enum config_executor value of the built-in executor called name, or
 * -1 (plots give each executor the style of its place in the registry). */
int exec_id_named(const char *name);
/* The label of the built-in executor called name; name itself for one
 * that is not built in (results folders written before summary.csv had
 * a label column). */
const char *exec_label_named(const char *name);
/* t's facts for a run of c (see exec_type.facts): executor = t->name,
 * label = t->label or t->name, then t->facts. */
void exec_facts(const exec_type *t, const config_t *c, metrics_facts *out);

#ifdef __cplusplus
}
#endif

#endif
