/*
 * microbatch: the micro-batch executor (exec_microbatch), modelled on Spark
 * Structured Streaming with a processing-time trigger.
 *
 * Rules of this module
 *  - Triggers fall on multiples of [microbatch] interval (0: a new batch as
 *    soon as the previous one ends).  At a trigger a batch runs when there
 *    is something to do: new input, or a window that the current watermark
 *    makes final (Spark's "no-data batch").  Otherwise nothing happens until
 *    the next arrival (an idle query costs nothing).  So a no-data batch
 *    runs when the watermark has advanced past the end of a window held
 *    in state (MicroBatchExecution.constructNextBatch /
 *    shouldRunAnotherBatch, spark.sql.streaming.noDataMicroBatches.enabled
 *    = true, the default), in both output modes.
 *  - A batch reads every event that arrived up to its start (its offset
 *    range) and takes setup_cost + n x per_event_cost / parallelism.  A
 *    batch that overruns the next trigger delays it: the next batch starts
 *    when it ends and reads everything that arrived meanwhile (Spark's
 *    ProcessingTimeExecutor), so batches grow with the backlog and the
 *    setup cost is amortised.
 *  - Watermark (Spark's MicroBatchExecution.runBatch and
 *    WatermarkTracker.updateWatermark): W of a batch = max event time
 *    read by the batches executed before it - watermark_delay, never
 *    going back; it is updated when a batch ends, whatever the trigger
 *    grid, and used by the next batch, for both dropping and emitting:
 *      * an event's assignment to a window with end <= W is dropped; an
 *        event dropped from all its windows is late (metrics_dropped);
 *      * append mode: a window is emitted once, ON_TIME, by the first batch
 *        whose W >= its end, and its state is dropped;
 *      * update mode: every batch writes each window that changed in it,
 *        EARLY (the whole current value), or ON_TIME when the batch's W
 *        also makes it final; a window made final with nothing new since
 *        its last row is evicted without a row (the programming guide:
 *        update writes "only the rows that were updated ... since the
 *        last trigger").  There are no LATE panes: as in Spark, a row
 *        for a window behind the watermark is dropped, never used to
 *        correct a final result.
 *    "The batches executed before" are those of a shadow schedule: the
 *    data batches this run would have had without crashes (the trigger
 *    grid, costs and slowdowns; sh_* in microbatch.c, O(1) per arrival),
 *    and each event is judged against W of the shadow batches before the
 *    one reading it.  Without crashes the shadow is the run's own
 *    batches (exactly Spark's rule, overruns included); with crashes
 *    Spark's W would depend on where the restart moved the batch
 *    boundaries, and pinning it keeps the results of a run with crashes
 *    equal to the fault-free run (the invariant of issue 7; Spark only
 *    promises to keep rows within the delay).  A batch's W (at its
 *    start t: of the shadow batches started before t) is never below
 *    the W of an event it reads, nor above that of an event arriving
 *    after it starts, so no event can be added to a window after it was
 *    emitted.  No-data batches take no room in the shadow: when one
 *    delays a data batch (interval 0, or setup_cost > interval) the
 *    events are judged as if it had taken no time (sim/MODEL.md).
 *    Session windows: an event is late when its event time is <= W (so
 *    no accepted event can reach back into a session already emitted);
 *    update mode is refused with sessions, as Spark refuses it
 *    (SPARK-36463: a session's bounds change, its rows cannot be upserted).
 *    Window type none: each event is one BATCH pane at the end of the
 *    batch that reads it (a stateless query: no watermark is involved, so
 *    the pane is neither early nor on time).
 *  - All output of a batch becomes visible atomically at the batch's end.
 *  - After on_input_end the next batch reads the rest of the input and
 *    treats the watermark as +infinity for emission (every window is final),
 *    then no batch is scheduled.
 *  - Faults (issue 7), run by exec/jobs.h with one stage: a crash kills
 *    the running batch (cpu_wasted = time since its attempt started x
 *    parallelism); after faults.detection_delay + microbatch.restart_delay
 *    the query restarts and re-runs that batch from its offset log: the
 *    same events, the same watermark (the batch had not committed), so no
 *    loss and no duplicates.  While down no batch starts (the pending
 *    trigger is cancelled); arrivals wait.  Slowdowns stretch the batches
 *    that overlap them (the rule in exec/jobs.h).  faults.csv rows as in
 *    exec/jobs.h, caught_up being the end of the first batch that started
 *    after the restart (it read the whole backlog), or of the re-run when
 *    nothing arrived meanwhile.
 *  - backlog() = events arrived but not yet read by a batch; watermark()
 *    is the W of the last batch (NAN before the first batch ended).
 *  - horizon() (engine/exec.h): when a batch starts the executor records a
 *    floor of the truth horizon (sim_pending_event_time_floor, asked at
 *    most once per mean delay: jobs_floor in exec/jobs.h): every event a
 *    later batch reads arrived after that, so its event time is >= it and
 *    its windows end after it.  After a batch ends the promise is the least of that
 *    bound (of the last finished batch) and the least end of a window
 *    still open in the store (held until the watermark passes it; update
 *    mode re-emits only open windows).  A killed batch has emitted
 *    nothing (output is atomic) and re-runs with its recorded bound.  The
 *    promise only changes at a batch's end, so horizon() is O(1), and
 *    each batch checks its panes against the promise it had made (a
 *    broken one fails the invariant window_horizon).
 *  - Memory: the events of one trigger interval (with the watermark each
 *    was judged against), one aggregate per open window, each
 *    not-yet-visible event once (append mode).  A window's state is freed
 *    when it is emitted final, and nothing is kept per closed window:
 *    late events are judged against the watermark alone.  Per key, one
 *    session list (bounded by the keys).
 */
#ifndef SLUICE_MICROBATCH_H
#define SLUICE_MICROBATCH_H

#include "engine/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const exec_type exec_microbatch;

#ifdef __cplusplus
}
#endif

#endif
