/*
 * gt: ground truth: the exact result of every (key, window) computed from
 * the whole trace by event time alone, with no arrival-time effects.  It
 * is the reference against which executors' completeness is measured.
 *
 * Rules of this module
 *  - Bounded memory: one aggregate (count, sum) per (key, window), never
 *    the events themselves.  Session windows are merged as events are
 *    added, in any order.
 *  - Window type none keeps only the totals (each event is its own result).
 *  - gt_forget drops a window that can no longer change (sim folds
 *    windows behind the truth horizon, sim_min_pending_event_time): with
 *    it, memory follows the windows still open, not the run.  Totals
 *    (gt_events, gt_sum) keep counting forgotten windows.
 */
#ifndef SLUICE_GT_H
#define SLUICE_GT_H

#include <stdint.h>
#include "cfg.h"
#include "wl.h"
#include "wmap.h"

typedef struct gt_value {
    uint64_t count;
    int64_t sum;
} gt_value;

typedef struct gt gt_t;

gt_t *gt_alloc(const struct cfg_window_s *w); /* NULL on OOM */
void gt_free(gt_t *g);
int gt_add(gt_t *g, const wl_event *ev);      /* 0, or -1 on OOM */
/* Forgets window (key, start, end) if held (a session: also from its
 * key's session list; forgotten sessions are the oldest of their key, so
 * this is O(1) for them). */
void gt_forget(gt_t *g, uint32_t key, double start, double end);
/* (key, start, end) -> gt_value, for every window holding an event and
 * not forgotten. */
const wmap_t *gt_map(const gt_t *g);
uint64_t gt_events(const gt_t *g);
int64_t gt_sum(const gt_t *g);

#endif
