/*
 * stream/checkpoint: aligned checkpoints of the stream job: the periodic
 * barrier, its alignment across the workers, and the last completed
 * checkpoint's snapshot.  The rules are in exec/stream.h ("Checkpoints").
 *
 * Rules of this module
 *  - The coordinator only orchestrates: each part snapshots and restores
 *    its own state (stream_source_snapshot at the barrier,
 *    stream_windows_snapshot at completion); this module holds the
 *    copies.  The job (stream/stream.c) decides what a completion
 *    commits, and restores a crash from `last`.
 *  - One checkpoint at a time.  A worker reaches the barrier once it
 *    serves nothing read before it and its channel holds nothing read
 *    before it; it pauses checkpoint_cost s, then takes no new record
 *    until every worker has (alignment).  The checkpoint ends when the
 *    last pause ends: declined if a checkpoint failure was announced
 *    (fail_next), completed otherwise.
 *  - Per worker: CK_NONE (not at the barrier, or none runs), CK_PAUSE,
 *    CK_ALIGNED.  A crash cancels a running checkpoint.
 */
#ifndef SLUICE_STREAM_CHECKPOINT_H
#define SLUICE_STREAM_CHECKPOINT_H

#include "exec/stream/env.h"
#include "exec/stream/source.h"
#include "exec/stream/windows.h"
#include "exec/stream/workers.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { CK_NONE = 0, CK_PAUSE = 1, CK_ALIGNED = 2 };

typedef struct stream_checkpoint {
    stream_env *env;
    event_queue_handle timer; /* next periodic tick (0: none) */
    int active;            /* a checkpoint runs: its barrier is in flight */
    int fail_next;         /* decline the next one to complete */
    int P, done;           /* workers; of them, whose pause has ended */
    int *state;            /* per worker: CK_* */
    event_queue_handle *pause; /* per worker: its pause's end */
    uint64_t completed;    /* checkpoints completed */
    stream_source_snap at_barrier; /* the source at the running one's barrier */
    struct {               /* the last completed checkpoint */
        stream_source_snap source;
        stream_windows_snap windows;
    } last;
} stream_checkpoint;

/* keep: snapshots are taken (the schedule has crashes): the watermark
 * generator of type wt is copied at barriers.  0, or -1 with err filled. */
int stream_checkpoint_init(stream_checkpoint *ck, stream_env *env, int P, int keep,
                           const watermark_type *wt, char *err, size_t errlen);
void stream_checkpoint_free(stream_checkpoint *ck);

/* The barrier's offset while one runs, UINT64_MAX when none does. */
static inline uint64_t stream_checkpoint_barrier(const stream_checkpoint *ck)
{
    return ck->active ? ck->at_barrier.off : UINT64_MAX;
}
/* Worker i is at the barrier (paused or aligned): it takes no record. */
static inline int stream_checkpoint_holds(const stream_checkpoint *ck, int i)
{
    return ck->state[i] != CK_NONE;
}
/* A checkpoint starts: its barrier enters the channels behind the records
 * read so far (the source's state there is kept); the caller then lets
 * each worker reach it (stream_checkpoint_reach). */
void stream_checkpoint_start(stream_checkpoint *ck, const stream_source *src);
/* Worker i reaches the barrier if it is there: its pause starts.  (The
 * test for a running checkpoint is inline: this is asked after every
 * service.) */
void stream_checkpoint_arrive(stream_checkpoint *ck, const stream_workers *wk, int i);
static inline void stream_checkpoint_reach(stream_checkpoint *ck, const stream_workers *wk, int i)
{
    if (ck->active)
        stream_checkpoint_arrive(ck, wk, i);
}
/* Worker i's pause ended: returns 1 when it was the last one. */
int stream_checkpoint_pause_end(stream_checkpoint *ck, int i);
/* The running checkpoint ends: returns 1 completed, 0 declined. */
int stream_checkpoint_end(stream_checkpoint *ck);
/* Keeps the snapshot of the one just completed: the source at its
 * barrier, the operator now.  0 or -1 (OOM). */
int stream_checkpoint_take(stream_checkpoint *ck, const stream_windows *win);
/* A crash: a running checkpoint is cancelled. */
void stream_checkpoint_lose(stream_checkpoint *ck);

#ifdef __cplusplus
}
#endif

#endif
