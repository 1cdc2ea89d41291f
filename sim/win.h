/*
 * win: event-time windows (the Beam/Flink WindowFn).
 *
 * Rules of this module
 *  - A window is the half-open interval [start, end) of event time.
 *  - tumbling(size): [k*size, (k+1)*size) holding t; one window per event.
 *  - sliding(size, slide): every [k*slide, k*slide + size) holding t,
 *    ascending by start; ceil(size/slide) windows per event at most.
 *  - session(gap): the proto-window [t, t + gap); executors merge
 *    overlapping proto-windows of one key (win_overlaps / win_merge).
 *  - none: per-record output; the "window" is [t, t] and the event is its
 *    own result as soon as it is processed.
 *  - Pure functions, no state, no allocation.
 */
#ifndef SLUICE_WIN_H
#define SLUICE_WIN_H

#include <stddef.h>
#include "cfg.h"

typedef struct win {
    double start, end; /* s of event time, [start, end) */
} win_t;

/* Largest number of windows win_assign can return for this config. */
size_t win_max_per_event(const struct cfg_window_s *w);

/* Windows that event time t belongs to, ascending by start, into out
 * (room for max entries).  Returns how many were written. */
size_t win_assign(const struct cfg_window_s *w, double t, win_t *out, size_t max);

/* Session helpers: two windows overlap (or touch) when they share a point;
 * the merge is their union's hull. */
int win_overlaps(win_t a, win_t b);
win_t win_merge(win_t a, win_t b);

#endif
