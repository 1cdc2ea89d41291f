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
 *    overlapping proto-windows of one key (window_overlaps / window_merge).
 *  - none: per-record output; the "window" is [t, t] and the event is its
 *    own result as soon as it is processed.
 *  - Pure functions, no state, no allocation.
 */
#ifndef SLUICE_WINDOW_H
#define SLUICE_WINDOW_H

#include <stddef.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct win {
    double start, end; /* s of event time, [start, end) */
} window_t;

/* Largest number of windows window_assign can return for this config: 1,
 * except sliding: m when size = m slides, else ceil(size/slide) + 1 (one
 * spare for rounding of the separately rounded bounds). */
size_t window_max_per_event(const struct config_window_s *w);

/* Windows that event time t (finite) belongs to, ascending by start, into
 * out (room for max entries; with fewer than window_max_per_event the latest
 * windows are cut).  Returns how many were written. */
size_t window_assign(const struct config_window_s *w, double t, window_t *out, size_t max);

/* Session helpers: two windows overlap (or touch) when they share a point;
 * the merge is their union's hull. */
int window_overlaps(window_t a, window_t b);
window_t window_merge(window_t a, window_t b);

#ifdef __cplusplus
}
#endif

#endif
