/*
 * stream/horizon: the event-time horizon of the stream job's output
 * (exec_type.horizon, engine/exec.h): a promise that no later pane or
 * merge concerns a window ending before it.  The rules are in
 * exec/stream.h ("Horizon"); the proof of each bound is above
 * stream_horizon_bound in stream/horizon.c.
 *
 * Rules of this module
 *  - It only reads the parts (a stream_horizon_view); what it keeps is
 *    the highest value promised so far and the last scan of window none's
 *    bound.  Nothing here is checkpointed: a promise holds across crashes.
 *  - The value never decreases.
 */
#ifndef SLUICE_STREAM_HORIZON_H
#define SLUICE_STREAM_HORIZON_H

#include "exec/stream/checkpoint.h"
#include "exec/stream/sink.h"
#include "exec/stream/source.h"
#include "exec/stream/windows.h"
#include "exec/stream/workers.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_horizon {
    double hz;             /* the highest value promised so far */
    /* window none (none_bound): the least event time in the log and the
     * channels at the last scan, and the truth horizon's floor then (a
     * bound of every arrival since) */
    double nn_min, nn_floor;
    uint64_t nn_mark;      /* log.end at that scan */
    uint64_t nn_size;      /* records it looked at */
} stream_horizon;

/* What the horizon reads of the job. */
typedef struct stream_horizon_view {
    const stream_source *src;
    const stream_workers *wk;
    const stream_windows *win;
    const stream_sink *sink;
    const stream_checkpoint *ck;
    int settled;           /* drained and committed: a crash loses nothing */
    int down;              /* crashed, not restored yet */
    int may_restore;       /* a restore from ck->last can still come */
} stream_horizon_view;

void stream_horizon_init(stream_horizon *hz);
/* The horizon now: the highest bound so far (see horizon.c). */
double stream_horizon_bound(stream_horizon *hz, const stream_horizon_view *v);

#ifdef __cplusplus
}
#endif

#endif
