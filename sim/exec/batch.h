/*
 * batch: the batch executor (exec_batch, a periodic job as a cron-driven
 * Spark/Hive/MapReduce job), and the window store that it shares with the
 * micro-batch executor (exec/microbatch.c).
 *
 * Rules of the batch executor
 *  - Job k is due at k x interval (processing time, k = 1, 2, ...).  Its
 *    input is its data interval: every event that arrived in
 *    ((k-1) x interval, k x interval] (an arrival at exactly k x interval
 *    belongs to job k).  It takes setup_cost + n x per_event_cost /
 *    parallelism seconds for its n events.
 *  - Jobs run one at a time, in order.  A job still running when the next
 *    falls due delays it: the next starts when it ends (the batch form of
 *    overload: when jobs take longer than the interval, they queue and
 *    latency grows without bound).  A delayed job still reads only its own
 *    data interval and uses its logical time for the cutoff, as a
 *    scheduler with data intervals does (Airflow, Oozie, cron over
 *    partitioned input): results never depend on when a job actually ran,
 *    so a crash or slowdown changes latency, never results.
 *  - At its end a job folds the events it read into the window state and
 *    computes every window whose end <= its due time - cutoff.  Its output
 *    (one BATCH pane per computed (key, window), carrying the whole window)
 *    becomes visible atomically at the job's end.  Window type none: one
 *    BATCH pane per event read, at the job's end.
 *  - A window is "computed" once a job's threshold (due - cutoff) passed
 *    its end, even if it was empty then.  An event read later for such a
 *    window is late: late_policy drop counts it as dropped; restate adds it
 *    and emits the window again at the end of the job that read it, with
 *    the corrected whole value and pane index 1, 2, ...  (With sliding
 *    windows an event is dropped only when all its windows are computed.
 *    Session windows: an event is late when the session it would join ends
 *    at or before the threshold.)
 *  - After on_input_end the next job due is the final one: it treats every
 *    window as complete (threshold +infinity); then no job is due.
 *  - Faults (issue 7).  A crash kills the running job: its attempt's work
 *    is wasted (cpu_wasted = time since the attempt started x
 *    parallelism) and it re-runs after faults.detection_delay +
 *    batch.restart_delay, from the start, or, with stages > 1 (the job's
 *    event work split into equal stages whose outputs are kept), from its
 *    last finished stage (each attempt pays setup_cost again).  While
 *    down, due jobs wait and start after the restart, in order.  Input is
 *    durable and output atomic: no loss, no duplicates, only latency.  A
 *    slowdown stretches the part of every job that overlaps it (work
 *    advances at 1/factor).  One faults.csv row per fault: downtime =
 *    restart - crash, caught_up = end of the first job after the restart
 *    that leaves no due job waiting (the backlog of the downtime is
 *    worked off), peak_latency = the highest end - event time of the jobs
 *    up to then, reprocessed = events whose stage work was redone.
 *  - backlog() = events arrived but not yet read by a job (the open data
 *    interval and the due jobs not started); watermark() is NAN (a batch
 *    job has none).
 *  - horizon() (engine/exec.h): at each job's due time the executor records a
 *    floor of the truth horizon (sim_pending_event_time_floor, asked at
 *    most once per mean delay: batch_floor_get below): every event a later
 *    job reads arrived after that time, so its event time is >= it, and
 *    every window it lands in, restates or extends (a session) ends after
 *    it.
 *    After a job ends the promise is the least of that bound (of the last
 *    finished job) and the least end of a window still open in the store
 *    (those wait for a later threshold, perhaps far behind the truth with
 *    a long cutoff).  Nothing else can emit: a killed or queued job has
 *    emitted nothing yet (output is atomic at its end), and the final job
 *    is bounded like any other.  The promise only changes at a job's end,
 *    so horizon() is O(1), and each job checks its panes against the
 *    promise it had made (a broken one fails the invariant
 *    window_horizon).
 *  - Memory: the events of one interval (the open data interval plus the
 *    running job's; more only when jobs queue under overload or after a
 *    crash), one aggregate per open window, and each not-yet-visible
 *    event once (in the pending list of the first window that will show
 *    it).  With late_policy restate a computed window's aggregate is kept
 *    while a later event can still land in it, so that a restated pane
 *    carries the whole corrected value: after each job every computed
 *    window with end < the bound above is freed (no event read from then
 *    on has an earlier event time; a session is touched only by events
 *    at or before its end).  So restate keeps the windows of the stretch
 *    of event time that late data can still reach (the truth's lag
 *    behind the last due time), not the run.  Per key, one session list
 *    (bounded by the keys).
 *
 * Rules of the window store (batch_store_*)
 *  - Holds per (key, window) count and sum, the number of panes emitted,
 *    and the events still waiting to become visible.  O(1) expected per
 *    window update (wmap), O(log n) per window to find the due ones (a
 *    binary min-heap on (end, start, key) with lazy deletion), O(s) per
 *    event for sessions (s = open sessions of its key, a sorted array).
 *  - Retained closed windows (restate) are also on a min-heap on (end,
 *    start, key), so that batch_store_forget frees those behind a bound
 *    in amortised O(log n) each.
 *  - `horizon` splits windows into closed (end <= horizon: already
 *    computed, or behind the watermark) and open.  An event's assignment to
 *    a closed window is dropped, or, when the store retains closed windows
 *    (restate), added and the window marked for re-emission.
 *  - Emission order is (end, start, key) ascending: deterministic.
 *  - The store owns all its memory; batch_store_free(NULL) is fine.
 */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"
#include "engine/exec.h"
#include "model/fault.h"
#include "measure/metrics.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct batch_store batch_store;

/* What batch_store_add did with an event. */
enum batch_add {
    BATCH_ADD_DROPPED = 0, /* counted in no window: late */
    BATCH_ADD_NOW = 1,     /* visible when the current job's panes are out */
    BATCH_ADD_PENDING = 2, /* held until its first window is emitted */
    BATCH_ADD_OOM = -1
};

/* A store for windows of type w (not none).  retain_closed: keep emitted
 * (closed) windows for restatement.  track_dirty: remember every window
 * changed since its last pane (update output mode).  late_by_time
 * (sessions, without retain_closed): an event is late when its event time
 * is <= the horizon, rather than when the session it would join ends by
 * then; so no accepted event can touch a session already emitted and
 * freed, whatever the timing of the emissions.  NULL on OOM. */
batch_store *batch_store_alloc(const struct config_window_s *w, int retain_closed,
                               int track_dirty, int late_by_time);
void batch_store_free(batch_store *st);

/* Adds ev to its windows; windows with end <= horizon are closed.
 * all_now: every window the event lands in is emitted by the current job,
 * so it is never held (update mode).  Returns enum batch_add. */
int batch_store_add(batch_store *st, const workload_event *ev, double horizon, int all_now);

/* Emits, at emit_time, every open window with end <= due and every window
 * marked for re-emission, in (end, start, key) order.  A window with
 * end <= due gets timing final_timing and is closed (kept when the store
 * retains closed windows, else freed); a changed window with end > due
 * gets update_timing.  Events held for an emitted window become visible.
 * Returns the number of panes, or -1 on OOM / write error. */
long batch_store_emit(batch_store *st, double due, double emit_time,
                      int final_timing, int update_timing, metrics_t *m);

/* 1 if some open window has end <= due (a job would emit it). */
int batch_store_has_due(batch_store *st, double due);
/* The least end of an open window (+infinity when none): every later
 * first emission of a window now held is for a window ending no earlier.
 * Amortised O(log n) (drops stale heap entries). */
double batch_store_min_open_end(batch_store *st);
/* The least end of the panes of the last batch_store_emit (+infinity if
 * it emitted none). */
double batch_store_emitted_min_end(const batch_store *st);
/* Frees every retained closed window with end < bound: the caller knows
 * that no event it will add from now on has event time < bound, so none
 * can land in (or, for a session, touch) such a window again.  Returns
 * how many were freed.  Amortised O(log n) per window (a min-heap on
 * (end, start, key) of the closed windows, lazy deletion). */
size_t batch_store_forget(batch_store *st, double bound);
/* Open (not yet closed) windows, and all windows including retained ones. */
size_t batch_store_open(const batch_store *st);
size_t batch_store_windows(const batch_store *st);
/* Events held waiting to become visible. */
size_t batch_store_held(const batch_store *st);

/* ---- jobs under faults, shared with exec/microbatch.c ---- */

/* When `work` seconds of normal-speed work started at t0 are done: during
 * a slowdown [time, time + duration) of the schedule, work advances at
 * 1/factor (overlapping slowdowns multiply).  O(slowdowns^2) at worst. */
double batch_work_end(const fault_schedule *fs, double t0, double work);
/* Work done (normal-speed seconds) between t0 and t1: the inverse. */
double batch_work_done(const fault_schedule *fs, double t0, double t1);

/* One faults.csv row per fault of the schedule, filled in as recovery
 * goes on and reported by batch_faults_report at the end of the run. */
typedef struct batch_faults {
    fault_row *rows;     /* owned; indexed by fault id */
    size_t n;
} batch_faults;

int batch_faults_init(batch_faults *bf, sim_t *s);     /* 0, or -1 on OOM */
void batch_faults_free(batch_faults *bf);
/* The row of fault f, initialised now (NULL if f is not of the schedule). */
fault_row *batch_faults_begin(batch_faults *bf, const fault_t *f, double detection_delay);
/* Processing resumed now: closes the downtime of every crash waiting. */
void batch_faults_resumed(batch_faults *bf, double now);
/* A job/batch ended; peak_latency: its events' highest end - event time.
 * For every crash that resumed and has not caught up yet: the peak
 * latency of the recovery is the highest over the jobs since the restart,
 * and caught_up != 0 says this job ends the recovery (nothing of the
 * backlog that built up while down is left). */
void batch_faults_job_done(batch_faults *bf, double end, double peak_latency, int caught_up);
int batch_faults_report(const batch_faults *bf, metrics_t *m);

/* ---- the truth's floor, asked now and then (shared with exec/microbatch.c) ----
 *
 * sim_pending_event_time_floor scans the events in flight (about rate x
 * mean delay of them, Little's law).  Asking it at every job or batch
 * start would cost that much per batch, which is many times per event
 * with tiny intervals; asking at most once per mean delay (of the events
 * arrived so far) of processing time costs O(1) amortised per arrival.
 * A value asked earlier is still a valid bound later (every event that
 * arrives after the later time also arrives after the earlier one), only
 * less tight: the horizon lags by at most one mean delay more. */
typedef struct batch_floor {
    double value;        /* the last answer */
    double at;           /* s: when it was asked */
    double delay_sum;    /* s: sum of arrival - event time (>= 0) */
    uint64_t arrivals;
    uint64_t arrivals_at; /* arrivals when it was asked */
    int asked;
} batch_floor;

/* Counts ev's delay (call on every arrival). */
void batch_floor_arrival(batch_floor *f, const workload_event *ev);
/* A lower bound of the event time of every event arriving from now on:
 * the floor asked now if one mean delay has passed since it was last
 * asked and something arrived since (or the input ended: then it is
 * exact, +infinity), else the last answer (still a lower bound: the floor
 * never decreases).  Asking costs O(events in flight), so a long stretch
 * without arrivals (an outage) asks nothing. */
double batch_floor_get(batch_floor *f, sim_t *s, int input_ended);

/* ---- growable event arrays, shared with exec/microbatch.c ---- */

typedef struct batch_events {
    workload_event *v;
    size_t n, cap;
} batch_events;

/* Appends a copy of ev.  0, or -1 on OOM (then unchanged). */
int batch_events_push(batch_events *a, const workload_event *ev);
void batch_events_free(batch_events *a);

#ifdef __cplusplus
}
#endif

#endif
