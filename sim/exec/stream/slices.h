/*
 * stream/slices: the not yet visible events of fixed windows (tumbling
 * and sliding), one record per event shared by every window it is in
 * (stream slicing: Traub et al., "Efficient Window Aggregation with
 * General Stream Slicing", EDBT 2019; Flink's slice-based windows),
 * instead of one record per (event, window).
 *
 * Rules of this module
 *  - An event enters the fixed windows of its key whose starts lie in
 *    [a, b] (a: the first that is not late for it, b: the last that holds
 *    it; lateness only ever cuts the earliest ones, so the set is
 *    contiguous).  Its visibility node (stream/sink.h) goes into the
 *    slice (key, b, a): the events with the same windows.
 *  - The next pane emitted by any of those windows is the first to count
 *    the event: stream_slices_take(key, w) takes every slice with
 *    a <= w.start <= b, that is with w.start <= b < w.end and a <= w.start
 *    (an event of window w has b < w.end).  The list it returns is by
 *    (b, a), then in arrival order; every event is taken exactly once.
 *  - A key's slices sit in one array sorted by (b, a): adding and taking
 *    are O(log slices of the key) plus the slices taken; a key with no
 *    slice left has no entry.  Memory: one node per pending event
 *    (stream_vnode) and 24 bytes per slice.
 *  - Not checkpointed here: stream/windows.c copies the slices into its
 *    snapshot (stream_slices_next walks them in key order) and adds them
 *    back on restore; a crash clears them with the sink's pool.
 */
#ifndef SLUICE_STREAM_SLICES_H
#define SLUICE_STREAM_SLICES_H

#include <stddef.h>
#include <stdint.h>

#include "exec/stream/sink.h"
#include "lib/wmap.h"
#include "model/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_slice { /* the pending events with windows [a, b] */
    double b, a;           /* last and first window start */
    uint32_t head, tail;   /* visibility nodes (stream/sink.h) */
} stream_slice;

typedef struct stream_slices {
    stream_sink *out;      /* owner of the nodes */
    wmap_t *keys;          /* (key, 0, 0) -> stream_slice_key */
} stream_slices;

typedef struct stream_slice_key { /* wmap value: one key's slices */
    stream_slice *v;       /* sorted by (b, a) */
    size_t n, cap;
} stream_slice_key;

int stream_slices_init(stream_slices *s, stream_sink *out);
void stream_slices_free(stream_slices *s);
/* Forgets every slice (a crash: the nodes go with stream_sink_lose). */
void stream_slices_clear(stream_slices *s);

/* Adds node v (an event of key in the windows starting in [a, b]).
 * 0 or -1 (OOM). */
int stream_slices_add(stream_slices *s, uint32_t key, double a, double b, uint32_t v);
/* Takes the events window w of key is the first to count (see above):
 * the head of their node list, 0 when none. */
uint32_t stream_slices_take(stream_slices *s, uint32_t key, window_t w);

/* The keys with slices in key order, for a snapshot: *keys (malloc'd,
 * the caller frees) and *vals (likewise) of n = their count entries.
 * 0 or -1 (OOM). */
int stream_slices_sorted(const stream_slices *s, wmap_key **keys, void ***vals, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
