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
 *  - truth_forget drops a window that can no longer change (sim folds
 *    windows behind the truth horizon, sim_min_pending_event_time): with
 *    it, memory follows the windows still open, not the run.  Totals
 *    (truth_events, truth_sum) keep counting forgotten windows.
 */
#ifndef SLUICE_TRUTH_H
#define SLUICE_TRUTH_H

#include <stdint.h>
#include "model/config.h"
#include "model/workload.h"
#include "lib/wmap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct truth_value {
    uint64_t count;
    int64_t sum;
} truth_value;

typedef struct gt truth_t;

truth_t *truth_alloc(const struct config_window_s *w); /* NULL on OOM */
void truth_free(truth_t *g);
int truth_add(truth_t *g, const workload_event *ev);      /* 0, or -1 on OOM */
/* Forgets window (key, start, end) if held (a session: also from its
 * key's session list; forgotten sessions are the oldest of their key, so
 * this is O(1) for them). */
void truth_forget(truth_t *g, uint32_t key, double start, double end);
/* (key, start, end) -> truth_value, for every window holding an event and
 * not forgotten. */
const wmap_t *truth_map(const truth_t *g);
uint64_t truth_events(const truth_t *g);
int64_t truth_sum(const truth_t *g);

#ifdef __cplusplus
}
#endif

#endif
