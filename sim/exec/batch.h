/*
 * batch: the batch executor (exec_batch, a periodic job as a cron-driven
 * Spark/Hive/MapReduce job).  Its policy is here: data intervals, the
 * cutoff and late_policy.  Running the jobs (attempts, crashes, stages,
 * slowdowns, fault rows, the horizon promise) and the window store are
 * exec/jobs.h's, shared with the micro-batch executor.
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
 *  - Faults (issue 7), run by exec/jobs.h.  A crash kills the running job: its attempt's work
 *    is wasted (cpu_wasted = time since the attempt started x
 *    parallelism) and it re-runs after faults.detection_delay +
 *    batch.restart_delay, from the start, or, with stages > 1 (the job's
 *    event work split into equal stages whose outputs are kept), from its
 *    last finished stage (each attempt pays setup_cost again).  While
 *    down, due jobs wait and start after the restart, in order.  Input is
 *    durable and output atomic: no loss, no duplicates, only latency.  A
 *    slowdown stretches the part of every job that overlaps it (work
 *    advances at 1/factor; overlapping slowdowns do not compound:
 *    exec/jobs.h).  One faults.csv row per fault: downtime =
 *    restart - crash, caught_up = end of the first job after the restart
 *    that leaves no due job waiting (the backlog of the downtime is
 *    worked off), peak_latency = the highest end - event time of the jobs
 *    up to then, reprocessed = events whose stage work was redone.
 *  - backlog() = events arrived but not yet read by a job (the open data
 *    interval and the due jobs not started); watermark() is NAN (a batch
 *    job has none).
 *  - horizon() (engine/exec.h): at each job's due time the executor records a
 *    floor of the truth horizon (sim_pending_event_time_floor, asked at
 *    most once per mean delay: jobs_floor in exec/jobs.h): every event a later
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
 */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H

#include "engine/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const exec_type exec_batch;

#ifdef __cplusplus
}
#endif

#endif
