/*
 * stream: the stream executor (Flink/Beam model): a source reading a log,
 * `parallelism` workers with bounded input buffers (back-pressure), one
 * event-time window operator with watermark, triggers, allowed lateness
 * and accumulation modes, and aligned checkpoints that gate exactly-once
 * output.  Exports exec_stream (engine/exec.h).
 *
 * The code is in sim/exec/stream/, one part per file (each its own
 * sub-struct of the job, snapshotting and restoring its own state):
 *   source.c      log, channels, routing, source watermark (stream_source_)
 *   workers.c     service, slowdowns (stream_workers_)
 *   windows.c     operator watermark, windows, triggers, lateness and
 *                 clean-up rules, sessions and their merges (stream_windows_)
 *   sink.c        pane visibility, staging and commit, the at-least-once
 *                 table (stream_sink_)
 *   checkpoint.c  barriers, alignment, the last snapshot (stream_checkpoint_)
 *   horizon.c     the horizon (stream_horizon_)
 *   stream.c      the job: its state (stream/stream.h), creation, timers,
 *                 crash and restore (stream_job_)
 *   env.c         what the parts share: clock, metrics, timers (stream_env_)
 *   exec_stream.c the exec_type table
 *
 * Rules of this executor
 *  - Source log: every arrival is appended to an unbounded FIFO (the Kafka
 *    topic; unread length = backlog).  The source reads the head of the log
 *    only when the channel of the worker it routes to has room: routing
 *    `hash` (keyBy: a mixed hash of the key modulo parallelism), or
 *    `round_robin` (rebalance: strict turns), each with one channel of
 *    `buffer` events per worker; or `shared`: one channel of
 *    parallelism x buffer events served by the lowest-numbered idle
 *    worker (the M/M/c queue).  "Room" counts the events queued plus the
 *    one in service.  A full channel blocks the whole source (head-of-line
 *    blocking: back-pressure); the waiting is part of processing latency.
 *    So the executor's own memory is bounded by parallelism x buffer
 *    events plus window state; the log is the external topic.
 *  - Workers serve FIFO; service times constant / exponential / lognormal
 *    (mean service_mean, log-sd service_sigma) from sim_rng(RNG_SERVICE),
 *    drawn when service starts.  After service the event enters the
 *    window operator at once (the operator itself costs nothing).
 *  - Watermark: the source asks its policy (model/watermark.h) after each read and at
 *    the times the policy announces (scripted steps); the source watermark
 *    never decreases.  It travels in-band, behind the records read before
 *    it, to every worker channel (as Flink broadcasts watermarks to all
 *    output channels), and the window operator's watermark is the minimum
 *    over its input channels (Flink's StatusWatermarkValve).  That minimum
 *    equals the source watermark as it was just before the oldest record
 *    still in flight was read, or the source watermark itself when nothing
 *    is in flight: each in-flight record carries that value (watermark_prev), and
 *    the operator takes the minimum over the P channel heads, O(P) per
 *    completion.  When the input has ended and the log is read, the
 *    source watermark becomes +infinity, so every window fires once the
 *    last record is processed.  The watermark reported downstream
 *    (metrics, timeline) never decreases, not even after a restore.
 *  - Windows and panes (Beam semantics; W = operator watermark, Wr = the
 *    source watermark the event was read behind, Wr >= W, equal with one
 *    worker; L = allowed_lateness): an event goes to every window of
 *    window_assign (for sessions, its proto-window merges with every
 *    overlapping or touching window of its key that has not expired for
 *    it, and the merged window takes the union of their contents, the
 *    pending trigger timer the trigger's on_merge keeps (the built-in
 *    trigger: the earliest) and the highest pane index).  A window
 *    with end + L <= Wr is expired for the event: it skips it; an event
 *    that lands in no window at all is dropped (metrics_dropped, once).
 *    Judging expiry by Wr, which depends only on the order of reads, makes
 *    a replay after a restore drop exactly the events the first attempt
 *    dropped, whatever the timing (Flink judges by W; the same with one
 *    worker).  If W < end the element is on time: the trigger (model/trigger.h)
 *    may ask for a timer (the default: early_delay s of processing time
 *    after the first element of a pane, 0 = never) and fire an EARLY pane
 *    then.  When W reaches end, the ON_TIME pane, for every window holding
 *    state, even with nothing new (count 0 in discarding mode).  If end <=
 *    W the element is late: the default trigger fires a LATE pane at once.
 *    A window that first gets state after W passed its end has no ON_TIME
 *    pane: its panes are LATE.  State is garbage-collected when W reaches
 *    end + L.
 *    Pane indexes count 0, 1, 2, ... per window.  Accumulating panes carry
 *    the whole window so far; discarding panes what came since the last.
 *    Window type none: each event is its own ON_TIME pane [t, t], count 1,
 *    at the end of its service; no watermark wait, never late.
 *  - Firing order when W jumps: by deadline (end, or end + L for
 *    collection), then window start, end, key: a binary heap, O(log n) per
 *    window, with lazy deletion of entries whose window merged away.
 *  - Visibility: the events not yet counted by an emitted pane are kept
 *    (a session window keeps its own; fixed windows share one record per
 *    event, stream/slices.h); metrics_visible is called for them with the
 *    emit time of the first pane that counts them.
 *  - Checkpoints every checkpoint_interval s (0 = none): a barrier enters
 *    every channel behind the records read so far; a worker that reaches
 *    it (finished every record read before it) pauses checkpoint_cost s,
 *    then takes no new record until every worker has (barrier alignment).
 *    The checkpoint completes when the last worker's pause ends.  A
 *    checkpoint is not started while the previous one runs, nor while the
 *    job is down (that tick is skipped).  A checkpoint holds the source
 *    offset of the barrier, the watermark generator's state there, the
 *    operator watermark, every window's state with its not yet visible
 *    events and its pending timer.  guarantee exactly_once: panes are
 *    staged and become visible when the next checkpoint completes
 *    (emit_time = commit time; at the end of the input a final checkpoint
 *    commits the rest, again if one is declined); with
 *    checkpoint_interval = 0 there are no transactions and panes are
 *    visible at once, unless the fault schedule has crashes: then the
 *    final checkpoint is the only commit.  at_least_once: visible at once.
 *  - Crash (model/fault.h): everything since the last completed checkpoint is
 *    lost: records in flight, window state, timers, staged (uncommitted)
 *    panes, a running checkpoint.  Down for detection_delay +
 *    restart_delay + restore_per_entry x windows in the checkpoint; the
 *    source log keeps arriving meanwhile.  Then the checkpoint's state is
 *    restored, the source rewinds to its offset and replays (the log is
 *    kept from the last completed checkpoint on when the schedule has
 *    crashes; from offset 0 when there are no checkpoints).  Replayed
 *    events are not reported to metrics_processed again.  at_least_once:
 *    a replayed pane whose (window, index) was already visible is marked
 *    duplicate (a sink-side table of panes seen per window, pruned at
 *    each checkpoint of windows no replay can reach).  A crash while down
 *    restarts the downtime.  Fault row: detected, resumed, caught_up (the
 *    replay has read past the crash point and the backlog is back to its
 *    level at the crash; NAN if cut short by another crash), downtime,
 *    reprocessed, cpu_wasted (service seconds since the checkpoint plus
 *    the interrupted services), duplicates, peak_latency (highest
 *    visibility latency of a pane shown while recovering; NAN if none).
 *    Slowdown: services started during [time, time + duration) take
 *    factor times longer.  Checkpoint failure: the next checkpoint to
 *    complete is declined (no snapshot, no commit).  Outage: applied to
 *    the workload by sim; only a row here.
 *  - Session merges: when a window that has already shown panes merges
 *    into a bigger one, metrics_window_merged moves what it showed into
 *    the merged window (in emit order, so under exactly_once at the
 *    commit), so the final result of a session is its whole content
 *    whatever panes fired before the merge.
 *  - Horizon (exec_type.horizon, stream/horizon.c derives it):
 *    the least of: the window ends of the staged output; the live
 *    windows (deadline heap top - L); Wr - L of the records not processed
 *    yet (window none: their event times); while a crash can still come
 *    (the schedule has one left, or the job is down), the windows of the
 *    last completed checkpoint and its source watermark - L (window none:
 *    the event times in the log from its offset); and the truth horizon
 *    (events still to arrive).  The value returned is the highest such
 *    least so far.  Without checkpoints but with crashes it stays at the
 *    start of the input until the last crash (a replay from offset 0 can
 *    re-fire every window); exactly_once with crashes and no checkpoints
 *    stages all output until the final commit, so it stays at the first
 *    staged pane until the end.
 *  - Memory, and why it is bounded: channels, parallelism x buffer
 *    records.  Window state (windows, session lists, deadline heap,
 *    timers, not yet visible events): windows not yet collected (end + L
 *    beyond the operator watermark) and their events not yet shown by a
 *    pane; a heap entry of a window merged away stays until the watermark
 *    passes it.  Staged output: the panes since the last commit (one
 *    checkpoint interval).  Snapshot: the windows of the last checkpoint.
 *    At-least-once sink table: windows a replay can still reach, pruned
 *    at each checkpoint and behind the horizon (when it doubled).  The
 *    source log: the unread events (the external topic: it grows with the
 *    backlog only), and with crashes also from the last checkpoint's
 *    offset (one interval); after the last crash of the schedule no
 *    snapshot is taken, and once its replay is through only the unread
 *    events are kept.  Min-queue of unread event times (perfect watermark): at
 *    most the unread events.  One fault row per fault.
 *    Known exceptions, which grow with the run: with crashes and
 *    checkpoint_interval = 0 the log (and the at-least-once sink table)
 *    from offset 0 until the last crash, since a replay may need all of
 *    it; exactly_once with crashes and checkpoint_interval = 0 stages all
 *    output until the end (that is the model: no earlier commit); and a
 *    session that never closes (a key that never pauses for gap) holds
 *    its events until the input ends.
 *  - Limits of replay: exactly-once results equal the fault-free run per
 *    window when what each window holds depends on the order of reads
 *    only.  With routing round_robin or shared a key's events may be
 *    processed out of read order by different workers, so session windows
 *    (whose merges depend on that order) can come out differently after a
 *    crash; use routing = hash (keyBy) for keyed sessions, as in Flink.
 */
#ifndef SLUICE_STREAM_H
#define SLUICE_STREAM_H

#include <stdint.h>
#include "engine/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* exec_stream itself is declared in engine/exec.h. */

/* The worker that routing = hash sends key to, among `parallelism`
 * workers (a fixed integer mix of the key, so hot keys make hot workers
 * as with Flink's keyBy).  Exposed for tests and for users who need to
 * know which keys share a worker. */
uint32_t stream_route(uint32_t key, uint32_t parallelism);

#ifdef __cplusplus
}
#endif

#endif
