/*
 * stream/windows: the window operator of the stream job: the operator
 * watermark, windows and their state, trigger timers, lateness, session
 * merges, the deadline heap (ON_TIME firings and clean-up).  The rules
 * are in exec/stream.h ("Windows and panes", "Firing order", "Session
 * merges").
 *
 * Rules of this module
 *  - Two rules with a name, used wherever they matter (Flink's
 *    WindowOperator.isLate and cleanupTime): a window's clean-up time is
 *    end + allowed lateness (stream_windows_cleanup_time); it is late
 *    (expired) for a watermark W when its clean-up time <= W
 *    (stream_windows_is_late).
 *  - Each window with state has one live entry in the deadline heap: at
 *    its end while its ON_TIME pane is pending, at its clean-up time
 *    after (schedule_deadline).  Entries of windows merged away are
 *    dropped lazily when they come due.
 *  - Sessions follow the profile's rules (model/semantics.h): which
 *    windows meet (touching or not) and whether a late element is tested
 *    on its own or on the merged window (session_drops).
 *  - The trigger (model/trigger.h) decides EARLY and LATE panes and,
 *    through its on_merge hook, which timer a merged session keeps.
 *  - Panes go to the sink (out, stream/sink.h) with the events they are
 *    the first to count: a session window keeps its own list, fixed
 *    windows share one record per event (stream/slices.h), so an event
 *    costs one record whatever the number of windows it is in.
 *  - Checkpointed: every window's state with its not yet visible events
 *    and its pending timer, and the operator watermark
 *    (stream_windows_snap).  Not checkpointed: rep_wm, the watermark
 *    reported downstream, which never goes back.
 */
#ifndef SLUICE_STREAM_WINDOWS_H
#define SLUICE_STREAM_WINDOWS_H

#include <stdint.h>

#include "exec/stream/env.h"
#include "exec/stream/sink.h"
#include "exec/stream/slices.h"
#include "lib/heap.h"
#include "lib/idpool.h"
#include "lib/wmap.h"
#include "model/semantics.h"
#include "model/trigger.h"
#include "model/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_swin { /* state of one (key, window): wmap value */
    uint64_t acc_count;    /* all elements so far */
    int64_t acc_sum;
    uint64_t delta_count;  /* elements since the last pane */
    int64_t delta_sum;
    double delta_min_et;   /* least event time since the last pane (+inf) */
    uint32_t next_pane;
    uint32_t vis_head, vis_tail; /* sessions: sink visibility list (0 =
                                    empty); fixed windows: in slices */
    uint32_t timer;        /* early timer record (1-based, 0 = none) */
    uint32_t ontime_done;  /* ON_TIME fired, or W passed end before state */
} stream_swin;

typedef struct stream_etimer { /* a pending early-firing timer */
    event_queue_handle h;
    double at;
    uint32_t key;
    double start, end;
    uint32_t next_free;
} stream_etimer;

typedef struct stream_snode { /* a live session window of a key */
    double start, end;
    uint32_t next;
} stream_snode;

typedef struct stream_dline { /* heap entry: a window deadline */
    double at, start, end;
    uint32_t key;
    uint32_t kind;         /* DL_ONTIME, DL_GC */
} stream_dline;

typedef struct stream_snapslice { /* one slice in a checkpoint */
    uint32_t key;
    double a, b;           /* its windows' starts (stream/slices.h) */
    size_t first, count;   /* its events in ev */
} stream_snapslice;

typedef struct stream_snapwin { /* one window in a checkpoint */
    wmap_key k;
    stream_swin st;        /* vis_head = first event in ev, vis_tail = count */
    double timer_at;       /* pending early timer, +INFINITY = none */
} stream_snapwin;

/* The operator's checkpointed state. */
typedef struct stream_windows_snap {
    double op_wm;          /* operator watermark */
    double min_end;        /* least end among w (+infinity when none) */
    stream_snapwin *w;
    size_t nw, capw;
    workload_event *ev;    /* not yet visible events of the windows */
    size_t nev, capev;
    stream_snapslice *sl;  /* fixed windows: the slices of those events */
    size_t nsl, capsl;
} stream_windows_snap;

typedef struct stream_windows {
    stream_env *env;
    stream_sink *out;      /* where panes go */
    const trigger_type *trig; /* early and late firings, merges */
    int wtype;             /* enum config_window */
    int sliced;            /* fixed windows: visibility in sl, not per window */
    stream_slices sl;      /* the not yet visible events of fixed windows */
    double lateness;       /* allowed_lateness, s */
    int accumulating;
    semantics_rules rules; /* the engine profile's rules (model/semantics.h) */
    double op_wm;          /* operator watermark */
    double rep_wm;         /* watermark reported downstream: never back */
    wmap_t *win;           /* (key, start, end) -> stream_swin */
    struct {               /* sessions: live windows per key */
        wmap_t *idx;       /* (key, 0, 0) -> uint32 snode head */
        stream_snode *v;   /* pool, 1-based, free list through next */
        idpool p;
    } ses;
    struct {               /* early timers: pool, 1-based */
        stream_etimer *v;  /* free list through next_free */
        idpool p;
    } et;
    heap dl;               /* deadlines (stream_dline), least first */
    window_t *assign;      /* window_assign buffer */
    size_t assign_max;
} stream_windows;

/* Flink's cleanupTime(window): when a window's state goes. */
static inline double stream_windows_cleanup_time(window_t w, double lateness)
{
    return w.end + lateness;
}

/* Flink's isLate(window): a window whose clean-up time the watermark wm
 * has reached takes no more elements. */
static inline int stream_windows_is_late(window_t w, double lateness, double wm)
{
    return stream_windows_cleanup_time(w, lateness) <= wm;
}

int stream_windows_init(stream_windows *win, stream_env *env, stream_sink *out);
void stream_windows_free(stream_windows *win);

/* The operator receives ev after its service.  wr: the source watermark
 * ev was read behind.  dup: at-least-once replay of an event whose
 * per-record pane was already visible. */
void stream_windows_apply(stream_windows *win, const workload_event *ev, double wr, int dup);
/* The operator watermark rises to m (> op_wm), is reported, and what
 * came due fires. */
void stream_windows_raise(stream_windows *win, double m);
/* The operator watermark's input is m now: it rises to m if higher
 * (inline: asked twice per record, mostly with nothing new). */
static inline void stream_windows_advance(stream_windows *win, double m)
{
    if (m > win->op_wm)
        stream_windows_raise(win, m);
}
/* Early timer record i came due. */
void stream_windows_on_timer(stream_windows *win, uint32_t i);
/* The earliest deadline in the heap (+infinity: none). */
double stream_windows_next_deadline(const stream_windows *win);

/* Copies the state into snap (sorted, so a restore rebuilds it in a fixed
 * order).  O(windows log windows + pending events).  0 or -1 (OOM). */
int stream_windows_snapshot(const stream_windows *win, stream_windows_snap *snap);
/* Rebuilds the state of snap (the operator must be empty: after
 * stream_windows_lose).  0 or -1 (OOM). */
int stream_windows_restore(stream_windows *win, const stream_windows_snap *snap);
void stream_windows_snap_free(stream_windows_snap *snap);
/* A crash: every window, timer and heap entry goes. */
void stream_windows_lose(stream_windows *win);

#ifdef __cplusplus
}
#endif

#endif
