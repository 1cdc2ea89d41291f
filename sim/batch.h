/*
 * batch: the batch executor (exec_batch, a periodic job as a cron-driven
 * Spark/Hive/MapReduce job), and the window store that it shares with the
 * micro-batch executor (microbatch.c).
 *
 * Rules of the batch executor
 *  - A job is due every [batch] interval seconds of processing time (the
 *    first at `interval`).  It reads every event that arrived since the
 *    previous job started (up to and including its own start time) and
 *    takes setup_cost + n x per_event_cost / parallelism seconds.
 *  - A job that is still running when the next one is due delays it: the
 *    next job starts when the running one ends; missed due times in between
 *    coalesce into that one job (like a cron job guarded by a lock file).
 *  - At its end a job folds the events it read into the window state and
 *    computes every window whose end <= job start - cutoff.  Its output
 *    (one BATCH pane per computed (key, window), carrying the whole window)
 *    becomes visible atomically at the job's end.  Window type none: one
 *    BATCH pane per event read, at the job's end.
 *  - A window is "computed" once a job's threshold (start - cutoff) passed
 *    its end, even if it was empty then.  An event read later for such a
 *    window is late: late_policy drop counts it as dropped; restate adds it
 *    and emits the window again at the end of the job that read it, with
 *    the corrected whole value and pane index 1, 2, ...  (With sliding
 *    windows an event is dropped only when all its windows are computed.
 *    Session windows: an event is late when the session it would join ends
 *    at or before the threshold.)
 *  - After on_input_end the next job due is the final one: it treats every
 *    window as complete (threshold +infinity); then no job is scheduled.
 *  - backlog() = events arrived but not yet read by a job; watermark() is
 *    NAN (a batch job has none).
 *  - Memory: the events of one interval (those arrived and not yet read,
 *    plus those the running job reads), one aggregate per open window, and
 *    each not-yet-visible event once (in the pending list of the first
 *    window that will show it).  With late_policy restate the aggregate of
 *    every computed window is kept for the rest of the run (one small record
 *    per (key, window), like the ground truth), so that a restated pane can
 *    carry the whole corrected value.
 *
 * Rules of the window store (batch_store_*)
 *  - Holds per (key, window) count and sum, the number of panes emitted,
 *    and the events still waiting to become visible.  O(1) expected per
 *    window update (wmap), O(log n) per window to find the due ones (a
 *    binary min-heap on (end, start, key) with lazy deletion), O(s) per
 *    event for sessions (s = open sessions of its key, a sorted array).
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
#include "cfg.h"
#include "metrics.h"
#include "wl.h"

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
 * changed since its last pane (update output mode).  NULL on OOM. */
batch_store *batch_store_alloc(const struct cfg_window_s *w, int retain_closed,
                               int track_dirty);
void batch_store_free(batch_store *st);

/* Adds ev to its windows; windows with end <= horizon are closed.
 * all_now: every window the event lands in is emitted by the current job,
 * so it is never held (update mode).  Returns enum batch_add. */
int batch_store_add(batch_store *st, const wl_event *ev, double horizon, int all_now);

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
/* Open (not yet closed) windows, and all windows including retained ones. */
size_t batch_store_open(const batch_store *st);
size_t batch_store_windows(const batch_store *st);
/* Events held waiting to become visible. */
size_t batch_store_held(const batch_store *st);

/* ---- growable event arrays, shared with microbatch.c ---- */

typedef struct batch_events {
    wl_event *v;
    size_t n, cap;
} batch_events;

/* Appends a copy of ev.  0, or -1 on OOM (then unchanged). */
int batch_events_push(batch_events *a, const wl_event *ev);
void batch_events_free(batch_events *a);

#endif
