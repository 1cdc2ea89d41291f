/*
 * stream/stream: the stream job itself: its parts, its life as one state
 * variable, its timers, crashes and restores, and the exec_type
 * functions (the table is exec_stream, stream/exec_stream.c).  The
 * executor's rules are in exec/stream.h; this header is internal to the
 * executor and to its tests.
 *
 * The job's life (stream_t.state; SQLite pager.c's manner):
 *
 *   STREAM_RUNNING   the input is still arriving; records flow.
 *                    Holds: the input has not ended; no restore pending.
 *   STREAM_DRAINING  the input has ended; records still flow.
 *                    Holds: the input has ended; no restore pending.
 *   STREAM_DRAINED   every record read and processed, the operator
 *                    watermark +infinity (every window fired), the
 *                    periodic checkpoint and watermark timers stopped;
 *                    a checkpoint still runs or output is still staged
 *                    (the final commit).
 *                    Holds: all of that, and ck.active || staged output.
 *   STREAM_DONE      as DRAINED, and nothing runs or waits: a crash now
 *                    loses nothing (a row only) and the horizon is
 *                    +infinity.
 *                    Holds: as DRAINED, no checkpoint, nothing staged.
 *   STREAM_DOWN      crashed, the restore is pending (restore_ev); the
 *                    log keeps arriving, nothing is read or processed.
 *                    Holds: the schedule has crashes; a restore is
 *                    pending; no record in flight or in service, no
 *                    checkpoint, nothing staged, no window state.
 *
 * Transitions (each through set_state, which asserts it is one of these
 * and then stream_check_state):
 *   RUNNING  -> DRAINING   stream_job_on_input_end
 *   DRAINING -> DRAINED    maybe_drained: the last record processed, a
 *                          checkpoint running or output staged
 *   DRAINING -> DONE       maybe_drained: the same, nothing to commit
 *   DRAINED  -> DONE       maybe_drained, after the final checkpoint
 *   RUNNING, DRAINING, DRAINED, DOWN -> DOWN   crash (DOWN -> DOWN: a
 *                          crash while down restarts the downtime)
 *   DOWN     -> RUNNING    on_restore, the input still arriving
 *   DOWN     -> DRAINING   on_restore, the input ended (then
 *                          maybe_drained may move on at once)
 * A crash in DONE changes nothing.  Out of memory is not a state: the
 * run is aborted (sim_abort) and the job ignores what comes until sim
 * stops (stream_env.oom).
 */
#ifndef SLUICE_STREAM_JOB_H
#define SLUICE_STREAM_JOB_H

#include <stddef.h>

#include "engine/exec.h"
#include "exec/stream/sink.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum stream_state {
    STREAM_RUNNING = 0,
    STREAM_DRAINING,
    STREAM_DRAINED,
    STREAM_DONE,
    STREAM_DOWN,
    STREAM_NSTATES
} stream_state;

/* The facts about a job that its state's invariants speak of. */
typedef struct stream_facts {
    int input_ended;       /* the input has ended */
    int unread;            /* the log holds records not read yet */
    int in_flight;         /* a channel holds a record (queued or in service) */
    int busy;              /* a worker serves a record */
    int ck_active;         /* a checkpoint runs */
    int ck_timer;          /* the periodic checkpoint timer is pending */
    int wm_timer;          /* a scripted watermark step is pending */
    int staged;            /* output waits for a commit */
    int windows;           /* window state: a window or a deadline */
    int restore_pending;   /* a restore is scheduled */
    int crashy;            /* the schedule has crashes */
    double op_wm;          /* the operator watermark */
} stream_facts;

/* The first invariant of state st that f breaks, as a short text, or
 * NULL when all hold. */
const char *stream_state_violation(stream_state st, const stream_facts *f);
/* 1: from -> to is one of the transitions listed above. */
int stream_state_may_move(stream_state from, stream_state to);
const char *stream_state_name(stream_state st);

/* The exec_type functions (engine/exec.h) of the job. */
void *stream_job_create(sim_t *sim, exec_t *e, char *err, size_t errlen);
void stream_job_destroy(void *self);
void stream_job_on_arrival(void *self, const workload_event *ev);
void stream_job_on_input_end(void *self);
void stream_job_on_fault(void *self, const fault_t *f);
uint64_t stream_job_backlog(void *self);
double stream_job_watermark(void *self);
void stream_job_finish(void *self);
double stream_job_horizon(void *self);
/* exec_type.facts: parallelism, deltas (discarding accumulation), exactly-once. */
void stream_job_facts(const config_t *c, metrics_facts *out);

/* The job's state (for tests). */
stream_state stream_job_state(const void *self);

/* A test seam: sink sees every pane and merge notice just before it
 * reaches metrics; after_timer(sink.ctx, job) runs after each timer of
 * the job.  Set it right after create. */
typedef struct stream_probe {
    stream_sink_probe sink;
    void (*after_timer)(void *ctx, void *job);
} stream_probe;
void stream_job_set_probe(void *self, const stream_probe *p);

/* Sizes of the job's own structures (for memory tests). */
typedef struct stream_sizes {
    size_t win, heap, log, sink, stg, vn, snap;
} stream_sizes;
void stream_job_sizes(const void *self, stream_sizes *z);

#ifdef __cplusplus
}
#endif

#endif
