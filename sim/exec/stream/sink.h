/*
 * stream/sink: where the window operator's panes go: pane visibility,
 * staging and commit (exactly-once), the at-least-once table of panes
 * seen, and what a recovery shows (duplicates, peak latency).  The rules
 * are in exec/stream.h ("Visibility", "Checkpoints", "Crash").
 *
 * Rules of this module
 *  - Visibility: an event not yet counted by an emitted pane sits in a
 *    list of the pool here (one list per window, 1-based indexes, 0 =
 *    end); a pane carries the list of the events it is the first to
 *    count, and metrics_visible is called for them when the pane becomes
 *    visible (publish), with the pane's emit time.  Fixed windows share
 *    one node per event (stream/slices.h); a session window has its own
 *    list.  A recovery's peak latency counts every event of the pane's
 *    window since its last pane (min_et), visible before or not.
 *  - staging (exactly_once with checkpoints or crashes): panes and merge
 *    notices wait, in order, for stream_sink_commit (a completed
 *    checkpoint); a crash discards them (stream_sink_lose).  Otherwise
 *    they are visible at once.
 *  - At-least-once (seen != NULL): a pane whose (window, index) was
 *    already visible is a duplicate.  The table is the external system's
 *    and is not rolled back by a restore; it is pruned of windows no
 *    replay can reach (stream_sink_prune_expired at each snapshot, and
 *    stream_sink_prune_behind the horizon once it doubled).
 *  - Not checkpointed: all of it (staged output is lost in a crash, the
 *    table survives it).
 *  - The probe (a test seam, tests/test_stream_horizon.c) sees every pane
 *    and merge notice just before it reaches metrics.
 */
#ifndef SLUICE_STREAM_SINK_H
#define SLUICE_STREAM_SINK_H

#include <stdint.h>

#include "exec/stream/env.h"
#include "lib/idpool.h"
#include "lib/wmap.h"
#include "measure/metrics.h"
#include "model/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_vnode { /* an event not yet visible downstream */
    workload_event ev;
    uint32_t next;         /* 1-based index, 0 = end */
} stream_vnode;

typedef struct stream_staged { /* output waiting for its commit */
    pane_t p;
    uint32_t vis;          /* vnode list */
    double min_et;         /* least event time the pane is the first to
                              count for its window (+inf: none) */
    int merge;             /* 1: not a pane: window p.start/p.end of p.key
                              merged into [new_start, new_end) */
    double new_start, new_end;
} stream_staged;

typedef struct stream_sink_probe {
    void *ctx;
    void (*pane)(void *ctx, const pane_t *p);
    void (*merge)(void *ctx, uint32_t key, window_t old, window_t into);
} stream_sink_probe;

typedef struct stream_sink {
    stream_env *env;
    int staging;           /* exactly_once with checkpoints (or crashes) */
    int windowed;          /* window.type != none */
    double lateness;       /* allowed_lateness, s */
    struct {               /* the visibility pool */
        stream_vnode *v;   /* 1-based, free list through next */
        idpool p;
    } vn;
    struct {               /* staged output (staging) */
        stream_staged *v;
        size_t len, cap;
        double min_end;    /* least window end among it (+inf: none) */
    } stg;
    struct {               /* at_least_once: (key,start,end) -> panes seen */
        wmap_t *seen;      /* NULL: exactly_once, or no crashes */
        size_t kept;       /* entries after its last pruning */
        event_queue_handle ev; /* pending prune (STREAM_T_SINK_PRUNE) */
        wmap_key *scratch;
        size_t scratch_cap;
    } alo;
    struct {               /* a recovery being watched (a fault row) */
        int on;
        uint64_t duplicates;
        double peak_latency; /* NAN: no pane shown yet */
    } rec;
    stream_sink_probe probe;
} stream_sink;

/* at_least_once: keep the table of panes seen (the schedule has crashes). */
int stream_sink_init(stream_sink *k, stream_env *env, int staging, int at_least_once);
void stream_sink_free(stream_sink *k);

/* An event enters the visibility pool: its node, 0 when out of memory. */
uint32_t stream_sink_hold(stream_sink *k, const workload_event *ev);
/* Appends node list [h, t] to list (*head, *tail). */
void stream_sink_append(stream_sink *k, uint32_t *head, uint32_t *tail, uint32_t h, uint32_t t);
static inline uint32_t stream_sink_next(const stream_sink *k, uint32_t v)
{
    return k->vn.v[v].next;
}
static inline const workload_event *stream_sink_event(const stream_sink *k, uint32_t v)
{
    return &k->vn.v[v].ev;
}

/* A pane with its visibility list vis: visible now, or staged.  min_et:
 * the least event time among the events its window counts for the first
 * time (vis holds those not yet counted by another window's pane), for
 * a recovery's peak latency; +infinity when none. */
void stream_sink_output(stream_sink *k, pane_t *p, uint32_t vis, double min_et);
/* A per-record pane (window none) of ev, when nothing is staged. */
void stream_sink_output_record(stream_sink *k, pane_t *p, const workload_event *ev);
/* A session window that has shown panes was merged into a bigger one:
 * metrics learns it now, or at the commit, in order with the panes. */
void stream_sink_output_merge(stream_sink *k, uint32_t key, window_t old, window_t into);
/* Commits every staged pane and merge at the current time. */
void stream_sink_commit(stream_sink *k);
/* A crash: staged output and the pool go (the table stays). */
void stream_sink_lose(stream_sink *k);

/* Forgets entries of windows with end + L <= src_wm (a snapshot's source
 * watermark: no replay from it reaches them).  0 or -1 (OOM). */
int stream_sink_prune_expired(stream_sink *k, double src_wm);
/* The table has doubled since its last pruning. */
int stream_sink_prune_due(const stream_sink *k);
/* Forgets entries of windows ending before h (the horizon). */
void stream_sink_prune_behind(stream_sink *k, double h);

/* A fault row opens: count duplicates and peak latency from now on. */
void stream_sink_watch(stream_sink *k);
/* It closes: adds what was counted to r and stops counting. */
void stream_sink_unwatch(stream_sink *k, fault_row *r);

#ifdef __cplusplus
}
#endif

#endif
