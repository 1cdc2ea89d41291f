/*
 * stream/workers: the `parallelism` workers of the stream job: FIFO
 * service of their channel (stream/source.h), service times, slowdowns.
 * The rules are in exec/stream.h ("Workers serve FIFO").
 *
 * Rules of this module
 *  - A worker serves one record at a time, drawn from the head of its
 *    channel; the service time is drawn when service starts (from
 *    sim_rng(RNG_SERVICE)), times the slowdown factor while a slowdown
 *    lasts.  The record stays counted in its channel's inflight until its
 *    service ends (so a full channel back-pressures the source).
 *  - A worker does not start a record at or behind the barrier of a
 *    running checkpoint (stream/checkpoint.h aligns it).
 *  - Nothing here is checkpointed: a crash loses the records in service
 *    (stream_workers_lose); work_since_ck is the CPU time a crash wastes.
 *  - Per-event scans over the workers (stream_workers_may_start,
 *    stream_workers_min_wm) read the packed busy bits and channel
 *    pointers, and visit only the busy workers' records.
 */
#ifndef SLUICE_STREAM_WORKERS_H
#define SLUICE_STREAM_WORKERS_H

#include <gsl/gsl_rng.h>

#include "exec/stream/env.h"
#include "exec/stream/source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stream_worker {
    stream_chan *ch;       /* own channel, or the shared one */
    int busy;
    stream_item cur;       /* the record in service */
    double start;          /* its service start */
    double svc_s;          /* its service time */
    event_queue_handle svc; /* its service end event */
} stream_worker;

typedef struct stream_workers {
    stream_env *env;
    int P;
    stream_worker *w;
    uint64_t *busy;        /* bit i: w[i].busy (the per-event scans read
                              these words, not the workers) */
    stream_chan **ch;      /* ch[i] = w[i].ch, packed for the same scans */
    gsl_rng *rng;          /* service times */
    double ln_mu;          /* lognormal service: mu of log */
    double slow_until;     /* the latest end of a slowdown begun so far */
    double work_since_ck;  /* service seconds since the last snapshot */
} stream_workers;

/* What stream_workers_try_start did. */
enum { STREAM_IDLE = 0, STREAM_STARTED = 1, STREAM_AT_BARRIER = 2 };

int stream_workers_init(stream_workers *wk, stream_env *env, stream_source *src);
void stream_workers_free(stream_workers *wk);

/* Worker i starts the head of its channel, unless it is busy, the channel
 * is empty or the head is at or behind barrier (the offset of a running
 * checkpoint's barrier; UINT64_MAX when none runs). */
int stream_workers_try_start(stream_workers *wk, int i, uint64_t barrier);
/* Whether worker i is idle with a record waiting in its channel: only
 * then can stream_workers_try_start do anything (inline: the job asks it
 * of every worker after each event). */
static inline int stream_workers_may_start(const stream_workers *wk, int i)
{
    return !(wk->busy[i >> 6] >> (i & 63) & 1) && wk->ch[i]->len != 0;
}
/* Worker i's service ended: returns the record it served. */
static inline const stream_item *stream_workers_done(stream_workers *wk, int i)
{
    stream_worker *w = &wk->w[i];
    w->busy = 0;
    wk->busy[i >> 6] &= ~((uint64_t)1 << (i & 63));
    w->svc = 0;
    w->ch->inflight--;
    wk->work_since_ck += w->svc_s;
    return &w->cur;
}
/* A slowdown began; it lasts until `until`.  A service that starts before
 * the latest such end takes model/fault.h's fault_slowdown_at factor
 * (the rule of every executor) times longer. */
void stream_workers_slow(stream_workers *wk, double until);

/* The least watermark_prev among the records in service and the channel
 * heads, and m (the operator watermark's input valve).  O(busy workers
 * + channels), the channels' lengths read from one packed array. */
double stream_workers_min_wm(const stream_workers *wk, const stream_source *src, double m);
/* The smallest offset of a record read but not processed yet, or
 * log.read.  Channels are FIFO in read order: O(P). */
uint64_t stream_workers_oldest(const stream_workers *wk, const stream_source *src);
/* What a crash now wastes: work_since_ck plus the service seconds the
 * records in service have had by now. */
double stream_workers_cpu_wasted(const stream_workers *wk, double now);
/* A crash: the services are cancelled. */
void stream_workers_lose(stream_workers *wk);

#ifdef __cplusplus
}
#endif

#endif
