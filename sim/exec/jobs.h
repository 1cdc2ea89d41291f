/*
 * jobs: the job runner that the batch executor (exec/batch.c) and the
 * micro-batch executor (exec/microbatch.c) share.  An executor decides
 * which events a job reads, when it starts, and which windows it emits
 * (its policy); jobs runs the job: its attempts under crashes and
 * slowdowns, its stages, the faults.csv rows, the event-time floor and
 * the horizon promise, and the window store its events are folded into.
 *
 * Rules of the runner (jobs_t)
 *  - One job at a time.  A job of n events takes setup_cost + n x
 *    per_event_cost / parallelism seconds of work, split into `stages`
 *    equal stages of event work (micro-batch: one stage).
 *  - Slowdowns (jobs_work_end): while one or more slowdowns of the
 *    schedule are active ([time, time + duration)), work advances at
 *    1/factor, factor being the largest of the active ones: overlapping
 *    slowdowns do not compound (the rule of every executor,
 *    model/fault.h's fault_slowdown_at; the stream workers apply it to
 *    each service that starts while a slowdown is active).  The part of
 *    a job inside the slowdowns is stretched, the rest runs at normal
 *    speed.
 *  - A crash kills the running attempt: its work since the attempt
 *    started (or since its last finished stage, stages > 1) is wasted
 *    (cpu_wasted = that time x parallelism).  After faults.detection_delay
 *    + restart_delay the job re-runs from its last finished stage and
 *    pays setup_cost again; a crash while down restarts the wait.  Input
 *    is durable and output atomic: no loss, no duplicates, only latency.
 *  - faults.csv: one row per fault of the schedule.  downtime = restart -
 *    crash; caught_up = end of the first job the executor says caught up
 *    (jobs_done); peak_latency = the highest end - event time of the jobs
 *    from the restart to then; reprocessed = events whose stage work was
 *    redone.
 *  - The life cycle is one state variable, j->state:
 *      JOBS_IDLE     up, no job.  jobs_start -> RUNNING; a crash -> DOWN.
 *      JOBS_RUNNING  an attempt runs and its end is scheduled (end_h).
 *                    When it ends, rules.ended(owner) folds the events in
 *                    (jobs_fold) and calls jobs_done -> IDLE.  A crash ->
 *                    KILLED.
 *      JOBS_KILLED   down after a crash killed the job; restart_h pending.
 *                    At the restart a new attempt -> RUNNING.
 *      JOBS_DOWN     down after a crash while idle; restart_h pending.
 *                    At the restart -> IDLE, then rules.resumed(owner)
 *                    looks for work.
 *    A crash in KILLED or DOWN keeps the state and moves the restart.
 *    jobs_check asserts each state's invariants (debug builds).
 *  - horizon (engine/exec.h): a job carries the floor of the truth taken
 *    when its input was sealed (jobs_floor; every event a later job reads
 *    arrived after that, so its event time is >= it).  After a job ends
 *    the promise is the least of that bound (of the last finished job)
 *    and the least end of a window still open in the store.  The promise
 *    only changes at a job's end, so jobs_exec_horizon is O(1), and each job
 *    checks its panes against the promise it had made (a broken one fails
 *    the invariant window_horizon).  With a store that retains closed
 *    windows (restate), those behind the bound are freed then.
 *  - jobs_floor asks sim_pending_event_time_floor, which scans the events
 *    in flight (about rate x mean delay of them), at most once per mean
 *    delay of processing time (of the events arrived so far), and only
 *    when something arrived since: O(1) amortised per arrival.  A value
 *    asked earlier is still a valid bound later, only less tight.
 *  - Out of memory: jobs calls sim_abort ("NAME: out of memory") and the
 *    function returns -1; the caller returns at once.
 *
 * Rules of the window store (jobs_store_*)
 *  - Holds per (key, window) count and sum, the number of panes emitted,
 *    and the events still waiting to become visible.  O(1) expected per
 *    window update (wmap), O(log n) per window to find the due ones (a
 *    binary min-heap on (end, start, key) with lazy deletion), O(s) per
 *    event for sessions (s = open sessions of its key, a sorted array).
 *  - Retained closed windows (restate) are also on a min-heap on (end,
 *    start, key), so that jobs_store_forget frees those behind a bound
 *    in amortised O(log n) each.
 *  - `horizon` splits windows into closed (end <= horizon: already
 *    computed, or behind the watermark) and open.  An event's assignment to
 *    a closed window is dropped, or, when the store retains closed windows
 *    (restate), added and the window marked for re-emission.
 *  - Emission order is (end, start, key) ascending: deterministic.
 *  - The store owns all its memory; jobs_store_free(NULL) is fine.
 */
#ifndef SLUICE_JOBS_H
#define SLUICE_JOBS_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"
#include "engine/context.h"
#include "engine/event_queue.h"
#include "model/fault.h"
#include "measure/metrics.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- growable event arrays ---- */

typedef struct jobs_events {
    workload_event *v;
    size_t n, cap;
} jobs_events;

/* Appends a copy of ev.  0, or -1 on OOM (then unchanged). */
int jobs_events_push(jobs_events *a, const workload_event *ev);
void jobs_events_free(jobs_events *a);

/* ---- the window store ---- */

typedef struct jobs_store jobs_store;

/* What jobs_store_add did with an event. */
enum jobs_add {
    JOBS_ADD_DROPPED = 0, /* counted in no window: late */
    JOBS_ADD_NOW = 1,     /* visible when the current job's panes are out */
    JOBS_ADD_PENDING = 2, /* held until its first window is emitted */
    JOBS_ADD_OOM = -1
};

/* A store for windows of type w (not none).  retain_closed: keep emitted
 * (closed) windows for restatement.  track_dirty: remember every window
 * changed since its last pane (update output mode), and close a window
 * made final with nothing new since its last pane without a pane (Spark's
 * update mode writes only the rows changed since the last trigger; its
 * state is still evicted).  late_by_time
 * (sessions, without retain_closed): an event is late when its event time
 * is <= the horizon, rather than when the session it would join ends by
 * then; so no accepted event can touch a session already emitted and
 * freed, whatever the timing of the emissions.  NULL on OOM. */
jobs_store *jobs_store_alloc(const struct config_window_s *w, int retain_closed,
                             int track_dirty, int late_by_time);
void jobs_store_free(jobs_store *st);

/* Adds ev to its windows; windows with end <= horizon are closed.
 * all_now: every window the event lands in is emitted by the current job,
 * so it is never held (update mode).  Returns enum jobs_add. */
int jobs_store_add(jobs_store *st, const workload_event *ev, double horizon, int all_now);

/* Emits, at emit_time, every open window with end <= due and every window
 * marked for re-emission, in (end, start, key) order.  A window with
 * end <= due gets timing final_timing and is closed (kept when the store
 * retains closed windows, else freed; with track_dirty an unchanged one
 * is closed without a pane); a changed window with end > due gets
 * update_timing.  Events held for an emitted window become visible.
 * Returns the number of panes, or -1 on OOM / write error. */
long jobs_store_emit(jobs_store *st, double due, double emit_time,
                     int final_timing, int update_timing, metrics_t *m);

/* 1 if some open window has end <= due (a job would emit it). */
int jobs_store_has_due(jobs_store *st, double due);
/* The least end of an open window (+infinity when none): every later
 * first emission of a window now held is for a window ending no earlier.
 * Amortised O(log n) (drops stale heap entries). */
double jobs_store_min_open_end(jobs_store *st);
/* The least end of the panes of the last jobs_store_emit (+infinity if
 * it emitted none). */
double jobs_store_emitted_min_end(const jobs_store *st);
/* Frees every retained closed window with end < bound: the caller knows
 * that no event it will add from now on has event time < bound, so none
 * can land in (or, for a session, touch) such a window again.  Returns
 * how many were freed.  Amortised O(log n) per window (a min-heap on
 * (end, start, key) of the closed windows, lazy deletion). */
size_t jobs_store_forget(jobs_store *st, double bound);
/* Open (not yet closed) windows, and all windows including retained ones. */
size_t jobs_store_open(const jobs_store *st);
size_t jobs_store_windows(const jobs_store *st);
/* Events held waiting to become visible. */
size_t jobs_store_held(const jobs_store *st);

/* ---- the slowdown rule ---- */

/* When `work` seconds of normal-speed work started at t0 are done under
 * the slowdowns of fs (the rule above).  O(slowdowns^2) at worst. */
double jobs_work_end(const fault_schedule *fs, double t0, double work);
/* Work done (normal-speed seconds) between t0 and t1: the inverse. */
double jobs_work_done(const fault_schedule *fs, double t0, double t1);

/* ---- the runner ---- */

/* What an executor tells the runner once, at jobs_init. */
typedef struct jobs_rules {
    const char *name;          /* "batch", "microbatch": starts messages */
    double setup_cost;         /* s of work per attempt */
    double per_event_cost;     /* s of work per event (on one worker) */
    int parallelism;           /* workers: divides the event work */
    int stages;                /* >= 1: a crash keeps finished stages */
    double restart_delay;      /* s after detection until the restart */
    /* The window store (not made for window type none). */
    int retain_closed, track_dirty, late_by_time;
    /* The running job's work is done now: fold its events in with
     * jobs_fold, then call jobs_done. */
    void (*ended)(void *owner);
    /* Up again after a crash, no job to re-run: look for work. */
    void (*resumed)(void *owner);
} jobs_rules;

/* The fields of jobs_rules that [batch] and [microbatch] name alike, from
 * its config struct p: jobs_rules r = {JOBS_COSTS(c->batch), ...}. */
#define JOBS_COSTS(p)                                                         \
    .setup_cost = (p).setup_cost, .per_event_cost = (p).per_event_cost,      \
    .parallelism = (p).parallelism, .restart_delay = (p).restart_delay

enum jobs_state { JOBS_IDLE, JOBS_RUNNING, JOBS_KILLED, JOBS_DOWN };

/* One faults.csv row per fault of the schedule, filled in as recovery
 * goes on and reported by jobs_finish. */
typedef struct jobs_faults {
    fault_row *rows;           /* owned; indexed by fault id */
    size_t n;
} jobs_faults;

/* The truth's floor, asked now and then (jobs_floor). */
typedef struct jobs_floor_cache {
    double value;              /* the last answer */
    double at;                 /* s: when it was asked */
    double delay_sum;          /* s: sum of arrival - event time (>= 0) */
    uint64_t arrivals;
    uint64_t arrivals_at;      /* arrivals when it was asked */
    int asked;
} jobs_floor_cache;

/* The job being run: set by jobs_start, valid until jobs_done. */
typedef struct jobs_job {
    uint64_t n;                /* its events */
    double start;              /* s: its first start */
    double attempt_start;      /* s: start of the current attempt */
    double end;                /* s: when the current attempt ends */
    double bound;              /* truth floor when its input was sealed */
    double stage_work;         /* s of work per stage */
    int stages_done;           /* stages whose output survived a crash */
    double peak;               /* highest end - event time folded (NAN: none) */
    double lo;                 /* least end of its panes without a store */
} jobs_job;

/* The runner of one executor.  Its owner reads the fields marked "read"
 * and writes none. */
typedef struct jobs {
    sim_t *sim;
    metrics_t *m;
    const fault_schedule *fs;
    jobs_rules r;              /* what the owner said at jobs_init */
    void *owner;
    double detection_delay;    /* s: faults.detection_delay */
    jobs_store *st;            /* read: the window store; NULL for window none */
    int state;                 /* read: enum jobs_state */
    event_queue_handle end_h, restart_h;
    jobs_job cur;              /* read: the current job (cur.start, cur.end) */
    double resumed_at;         /* read: s, the last restart (-inf: none) */
    double read_bound;         /* bound of the last finished job */
    double promised;           /* jobs_exec_horizon: no later pane ends before it */
    jobs_floor_cache floor;
    jobs_faults faults;
    const sim_explain *x;      /* sim_explainer: NULL unless explaining */
} jobs_t;

/* Sets j up for the run of s (fault rows, the store for window w unless
 * it is of type none).  0, or -1 on OOM (jobs_free cleans up). */
int jobs_init(jobs_t *j, sim_t *s, metrics_t *m, const struct config_window_s *w,
              const jobs_rules *r, void *owner);
void jobs_free(jobs_t *j);

/* An event arrived now: counts it (metrics_arrived) and its delay. */
void jobs_arrival(jobs_t *j, const workload_event *ev);
/* A lower bound of the event time of every event arriving from now on
 * (input_ended: exact, +infinity).  For the bound of jobs_start. */
double jobs_floor(jobs_t *j, int input_ended);
/* 1 while a job is running or killed (it has not ended yet). */
int jobs_holds_job(const jobs_t *j);

/* IDLE -> RUNNING: a job of n events starts now; bound: what jobs_floor
 * said when its input was sealed.  0, or -1 on OOM. */
int jobs_start(jobs_t *j, uint64_t n, double bound);
/* In rules.ended: one event of the job is done at j->cur.end: it is
 * processed, and added to the store with the horizon and all_now of
 * jobs_store_add (window none: one BATCH pane, visible now).  0, or -1
 * on OOM. */
int jobs_fold(jobs_t *j, const workload_event *ev, double horizon, int all_now);
/* In rules.ended, after the last jobs_fold: RUNNING -> IDLE.  Emits the
 * store's windows (jobs_store_emit with due and the timings), checks the
 * panes against the promise and makes the new one, and closes the
 * recovery of every crash if caught_up.  0, or -1 on OOM. */
int jobs_done(jobs_t *j, double due, int final_timing, int update_timing, int caught_up);

/* A fault of the schedule happens now: its row, and a crash. */
void jobs_on_fault(jobs_t *j, const fault_t *f);
/* exec_type.finish and .horizon of an executor whose state begins with
 * its jobs_t (so that its self pointer points to that jobs_t too, C11
 * 6.7.2.1): the fault rows at the end of the run, and the promise. */
void jobs_exec_finish(void *self);
double jobs_exec_horizon(void *self);

#ifdef __cplusplus
}
#endif

#endif
