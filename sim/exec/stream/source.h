/*
 * stream/source: the source of the stream job: the log (the Kafka topic),
 * the worker channels it feeds, routing, and the source watermark.  The
 * rules are in exec/stream.h ("Source log", "Watermark").
 *
 * Rules of this module
 *  - Offsets are absolute; the log is a ring over [base, end), read up to
 *    `read`.  Without crashes nothing read is kept; with them the job
 *    keeps the log from the last completed checkpoint (stream_source_trim)
 *    and marks which records were processed once (log.done).
 *  - The source watermark never decreases while running; a restore sets
 *    it back to the checkpoint's (stream_source_restore).  Each record
 *    read carries the source watermark just before it was read.
 *  - Checkpointed: the offset, the source watermark, the round-robin
 *    position and the watermark generator at the barrier
 *    (stream_source_snap).  Not checkpointed: the log itself (external),
 *    the channels (lost in a crash).
 */
#ifndef SLUICE_STREAM_SOURCE_H
#define SLUICE_STREAM_SOURCE_H

#include <assert.h>
#include <stdint.h>

#include "exec/stream/env.h"
#include "model/watermark.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_item { /* a record in a worker channel */
    workload_event ev;
    double watermark_prev; /* source watermark just before it was read */
    uint64_t off;          /* its offset in the source log */
} stream_item;

typedef struct stream_chan { /* FIFO ring of queued records */
    stream_item *v;
    uint32_t cap, head, len;
    uint32_t inflight;     /* queued + in service, <= cap */
} stream_chan;

typedef struct stream_log {  /* ring of events, offsets absolute */
    workload_event *v;
    uint64_t cap, base, read, end;
    uint8_t *done;         /* per slot: processed once already (crashes) */
    int track_done;        /* done is kept (crashes, until the replay after
                              the last one has passed every record
                              processed before it) */
    uint64_t hi_read;      /* highest offset read + 1, over all attempts */
} stream_log;

typedef struct stream_minq { /* perfect watermark: monotone deque of the */
    uint64_t *v;             /* offsets of unread events */
    uint64_t cap, head, len;
} stream_minq;

/* The source's checkpointed state (at a barrier). */
typedef struct stream_source_snap {
    uint64_t off;          /* source offset (the barrier) */
    double src_wm;         /* source watermark there */
    uint32_t rr;           /* round-robin position there */
    watermark_t *wm;       /* watermark generator there (NULL: not kept) */
} stream_source_snap;

typedef struct stream_source {
    stream_env *env;
    stream_log log;
    stream_minq mq;        /* only with an oracle watermark */
    watermark_t *wm;       /* the generator (model/watermark.h) */
    int oracle;            /* wm->type->needs_oracle, fixed for the run */
    double src_wm;         /* source watermark */
    int input_ended;       /* no more arrivals: the log is complete */
    int routing, P;        /* enum config_routing, workers */
    stream_chan *ch;       /* P channels, or 1 when shared */
    int nch;
    uint32_t rr;           /* round robin: next worker */
    event_queue_handle wm_timer; /* next scripted watermark step */
    double interval;       /* s between periodic emissions, 0 = per read
                              (semantics_rules.watermark_interval) */
    event_queue_handle tick; /* next periodic emission (interval > 0) */
    uint64_t ticks;        /* periodic emissions scheduled so far */
} stream_source;

/* Sets up channels and the generator (wt).  track_done: the schedule has
 * crashes.  Returns 0, or -1 with err filled. */
int stream_source_init(stream_source *src, stream_env *env, const watermark_type *wt,
                       int track_done, char *err, size_t errlen);
void stream_source_free(stream_source *src);

/* An arrival: appended to the log. */
int stream_source_append(stream_source *src, const workload_event *ev);
/* Asks the policy and raises the source watermark (+infinity once the
 * input has ended and the log is read).  With a periodic interval
 * (interval > 0) only the end of the input raises it here: the policy is
 * asked at the ticks (stream_source_tick), as Flink's periodic emitter
 * (WatermarkGenerator.onPeriodicEmit every auto-watermark-interval). */
void stream_source_refresh(stream_source *src);
/* A periodic emission: asks the policy and raises the source watermark. */
void stream_source_tick(stream_source *src);
/* Reads the log while the channel of the head record has room (a full
 * channel blocks the source: back-pressure), then trims what is not
 * needed again. */
void stream_source_read(stream_source *src);
/* Drops the log before offset keep (never before base). */
void stream_source_trim(stream_source *src, uint64_t keep);
/* log.done of off: returns whether it was processed before, and marks it. */
static inline int stream_source_processed(stream_source *src, uint64_t off)
{
    uint8_t *done = &src->log.done[off & (src->log.cap - 1)];
    int again = *done;
    *done = 1;
    return again;
}
/* No record will have been processed before from now on: log.done goes. */
void stream_source_stop_tracking(stream_source *src);

/* Events arrived but not processed yet: unread plus in the channels. */
uint64_t stream_source_backlog(const stream_source *src);
/* Some channel holds a record queued or in service. */
int stream_source_in_flight(const stream_source *src);
/* A crash: every channel is emptied. */
void stream_source_lose(stream_source *src);

/* Its state at a barrier now (snap->wm is copied when not NULL). */
void stream_source_snapshot(const stream_source *src, stream_source_snap *snap);
void stream_source_snap_copy(stream_source_snap *dst, const stream_source_snap *from);
/* Back to snap: the source rewinds to its offset.  Returns 0 or -1 (OOM). */
int stream_source_restore(stream_source *src, const stream_source_snap *snap);

static inline const workload_event *stream_source_at(const stream_source *src, uint64_t off)
{
    return &src->log.v[off & (src->log.cap - 1)];
}

static inline const stream_item *stream_chan_head(const stream_chan *c)
{
    return c->len ? &c->v[c->head] : NULL;
}

static inline void stream_chan_pop(stream_chan *c, stream_item *out)
{
    assert(c->len > 0);
    *out = c->v[c->head];
    if (++c->head == c->cap)
        c->head = 0;
    c->len--;
}

#ifdef __cplusplus
}
#endif

#endif
