/*
 * win: event-time windows (the Beam/Flink WindowFn).
 *
 * Rules of this module
 *  - A window is the half-open interval [start, end) of event time.
 *  - tumbling(size): [k*size, (k+1)*size) holding t; one window per event.
 *  - sliding(size, slide): every [k*slide, k*slide + size) holding t,
 *    ascending by start, aligned at 0 like Beam's SlidingWindows.  When
 *    size is a whole number m of slides the end is computed as
 *    (k+m)*slide, so every t is in exactly m windows even for decimal
 *    sizes; otherwise ceil(size/slide) or one less (none at all when
 *    slide > size and t falls in a gap).
 *  - Bounds are computed from the integer index k only, so every event of
 *    a window gets bit-identical bounds, and start <= t < end holds
 *    exactly in double arithmetic: t on a boundary belongs to the window
 *    that starts there.  Negative t works (floor, not truncation).
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

/* Largest number of windows win_assign can return for this config: 1,
 * except sliding: m when size = m slides, else ceil(size/slide) + 1 (one
 * spare for rounding of the separately rounded bounds). */
size_t win_max_per_event(const struct cfg_window_s *w);

/* Windows that event time t (finite) belongs to, ascending by start, into
 * out (room for max entries; with fewer than win_max_per_event the latest
 * windows are cut).  Returns how many were written. */
size_t win_assign(const struct cfg_window_s *w, double t, win_t *out, size_t max);

/* Session helpers: two windows overlap (or touch) when they share a point;
 * the merge is their union's hull. */
int win_overlaps(win_t a, win_t b);
win_t win_merge(win_t a, win_t b);

#endif
