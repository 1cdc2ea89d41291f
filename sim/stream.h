/*
 * stream: the stream executor (Flink/Beam model): a source reading a log,
 * `parallelism` workers with bounded input buffers (back-pressure), one
 * event-time window operator with watermark, triggers, allowed lateness
 * and accumulation modes, and aligned checkpoints that gate exactly-once
 * output.  Exports exec_stream (exec.h).
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
 *  - Watermark: the source asks its policy (wm.h) after each read and at
 *    the times the policy announces (scripted steps); the source watermark
 *    never decreases.  It travels in-band, behind the records read before
 *    it, to every worker channel (as Flink broadcasts watermarks to all
 *    output channels), and the window operator's watermark is the minimum
 *    over its input channels (Flink's StatusWatermarkValve).  That minimum
 *    equals the source watermark as it was just before the oldest record
 *    still in flight was read, or the source watermark itself when nothing
 *    is in flight: each in-flight record carries that value (wm_prev), and
 *    the operator takes the minimum over the P channel heads, O(P) per
 *    completion.  An event is judged late against the operator watermark
 *    at the end of its service.  When the input has ended and the log is
 *    read, the source watermark becomes +infinity, so every window fires
 *    once the last record is processed.
 *  - Windows and panes (Beam semantics; W = operator watermark, L =
 *    allowed_lateness): an event goes to every window of win_assign (for
 *    sessions, its proto-window merges with every overlapping or touching
 *    window of its key, and the merged window takes the union of their
 *    contents, the earliest pending early-firing timer and the highest
 *    pane index).  A window with end + L <= W is expired: the event skips
 *    it; an event that lands in no window at all is dropped
 *    (metrics_dropped, once).  If W < end the element is on time: the
 *    first element of a pane arms an EARLY timer early_delay s of
 *    processing time later (0 = never); when it fires, an EARLY pane.
 *    When W reaches end, the ON_TIME pane, for every window holding state,
 *    even with nothing new (count 0 in discarding mode).  If end <= W <
 *    end + L the element is late: a LATE pane at once.  A window that
 *    first gets state after W passed its end has no ON_TIME pane: its
 *    panes are LATE.  State is garbage-collected when W reaches end + L.
 *    Pane indexes count 0, 1, 2, ... per window.  Accumulating panes carry
 *    the whole window so far; discarding panes what came since the last.
 *    Window type none: each event is its own ON_TIME pane [t, t], count 1,
 *    at the end of its service; no watermark wait, never late.
 *  - Firing order when W jumps: by deadline (end, or end + L for
 *    collection), then window start, end, key: a binary heap, O(log n) per
 *    window, with lazy deletion of entries whose window merged away.
 *  - Visibility: each window keeps the events not yet counted by an
 *    emitted pane; metrics_visible is called for them with the emit time
 *    of the first pane that counts them (memory = window state).
 *  - Checkpoints every checkpoint_interval s (0 = none): a barrier enters
 *    every channel behind the records read so far; a worker that reaches
 *    it (finished every record read before it) pauses checkpoint_cost s,
 *    then takes no new record until every worker has (barrier alignment).
 *    The checkpoint completes when the last worker's pause ends.  A
 *    checkpoint is not started while the previous one runs (that tick is
 *    skipped).  guarantee exactly_once: panes are staged and become
 *    visible when the next checkpoint completes (emit_time = commit time;
 *    at the end of the input a final checkpoint commits the rest); with
 *    checkpoint_interval = 0 there are no transactions and panes are
 *    visible at once.  at_least_once: visible at once.
 *  - Memory: no malloc per event in steady state; every pool (log, window
 *    state, visibility nodes, timers, heap, staged panes) grows by
 *    doubling and is reused.  Deterministic: no address-dependent order.
 *  - Faults (issue 7) are not modelled yet: on_fault records the fault in
 *    faults.csv with no recovery cost.
 */
#ifndef SLUICE_STREAM_H
#define SLUICE_STREAM_H

#include <stdint.h>
#include "exec.h"

/* exec_stream itself is declared in exec.h. */

/* The worker that routing = hash sends key to, among `parallelism`
 * workers (a fixed integer mix of the key, so hot keys make hot workers
 * as with Flink's keyBy).  Exposed for tests and for users who need to
 * know which keys share a worker. */
uint32_t stream_route(uint32_t key, uint32_t parallelism);

#endif
