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
/* (key, start, end) -> gt_value, for every window holding an event. */
const wmap_t *gt_map(const gt_t *g);
uint64_t gt_events(const gt_t *g);
int64_t gt_sum(const gt_t *g);

#endif
