/*
 * stream/source.c: the log, the channels, routing and the source
 * watermark (see stream/source.h).
 */
#include "exec/stream/source.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/stream.h"
#include "engine/context.h"
#include "model/semantics.h"

/* A 32-bit integer mixer (Chris Wellons' "lowbias32"): every key bit
 * affects the worker choice. */
static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Lemire's multiply-shift maps the 32-bit hash onto [0, parallelism)
 * without a division (this is on the per-event path). */
uint32_t stream_route(uint32_t key, uint32_t parallelism)
{
    assert(parallelism > 0);
    return (uint32_t)(((uint64_t)mix32(key) * parallelism) >> 32);
}

int stream_source_init(stream_source *src, stream_env *env, const watermark_type *wt,
                       int track_done, char *err, size_t errlen)
{
    const config_t *c = env->c;
    src->env = env;
    src->src_wm = -INFINITY;
    /* a scripted watermark is a function of processing time already: it
     * follows its own steps (watermark_next_change), never a period */
    src->interval = c->stream.watermark == WM_SCRIPTED ? 0 : semantics_of(&c->stream).watermark_interval;
    src->log.track_done = track_done;
    src->wm = watermark_alloc_stop(wt, c, sim_stop(env->sim), err, errlen);
    if (!src->wm)
        return -1;
    src->oracle = wt->needs_oracle;
    src->P = c->stream.parallelism;
    src->routing = c->stream.routing;
    src->nch = src->routing == ROUTE_SHARED ? 1 : src->P;
    src->ch = calloc((size_t)src->nch, sizeof *src->ch);
    if (!src->ch)
        goto oom;
    for (int i = 0; i < src->nch; i++) {
        uint32_t cap = (uint32_t)c->stream.buffer *
                       (src->routing == ROUTE_SHARED ? (uint32_t)src->P : 1u);
        src->ch[i].cap = cap;
        src->ch[i].v = malloc((size_t)cap * sizeof *src->ch[i].v);
        if (!src->ch[i].v)
            goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "stream executor: out of memory");
    return -1;
}

void stream_source_free(stream_source *src)
{
    watermark_free(src->wm);
    free(src->log.done);
    free(src->log.v);
    free(src->mq.v);
    if (src->ch)
        for (int i = 0; i < src->nch; i++)
            free(src->ch[i].v);
    free(src->ch);
}

/* ------------------------------------------------------------------ log */

static int log_push(stream_log *l, const workload_event *ev)
{
    if (l->end - l->base == l->cap) {
        uint64_t ncap = l->cap ? 2 * l->cap : 1024;
        workload_event *nv = malloc(ncap * sizeof *nv);
        uint8_t *nd = l->track_done ? malloc(ncap) : NULL;
        if (!nv || (l->track_done && !nd)) {
            free(nv);
            free(nd);
            return -1;
        }
        for (uint64_t o = l->base; o < l->end; o++) {
            nv[o & (ncap - 1)] = l->v[o & (l->cap - 1)];
            if (nd)
                nd[o & (ncap - 1)] = l->done[o & (l->cap - 1)];
        }
        free(l->v);
        free(l->done);
        l->v = nv;
        l->done = nd;
        l->cap = ncap;
    }
    l->v[l->end & (l->cap - 1)] = *ev;
    if (l->done)
        l->done[l->end & (l->cap - 1)] = 0;
    l->end++;
    return 0;
}

void stream_source_trim(stream_source *src, uint64_t keep)
{
    if (keep > src->log.base)
        src->log.base = keep;
}

void stream_source_stop_tracking(stream_source *src)
{
    free(src->log.done);
    src->log.done = NULL;
    src->log.track_done = 0;
}

/* Min-queue of unread event times (perfect watermark): offsets whose event
 * times increase from head to tail; amortised O(1) per event. */
static int mq_push(stream_source *src, uint64_t off)
{
    stream_minq *q = &src->mq;
    double t = stream_source_at(src, off)->event_time;
    while (q->len > 0) {
        uint64_t last = q->v[(q->head + q->len - 1) & (q->cap - 1)];
        if (stream_source_at(src, last)->event_time < t)
            break;
        q->len--;
    }
    if (q->len == q->cap) {
        uint64_t ncap = q->cap ? 2 * q->cap : 1024;
        uint64_t *nv = malloc(ncap * sizeof *nv);
        if (!nv)
            return -1;
        for (uint64_t i = 0; i < q->len; i++)
            nv[i] = q->v[(q->head + i) & (q->cap - 1)];
        free(q->v);
        q->v = nv;
        q->cap = ncap;
        q->head = 0;
    }
    q->v[(q->head + q->len) & (q->cap - 1)] = off;
    q->len++;
    return 0;
}

static void mq_read(stream_minq *q, uint64_t off)
{
    if (q->len > 0 && q->v[q->head & (q->cap - 1)] == off) {
        q->head++;
        q->len--;
    }
}

static double mq_min(const stream_source *src)
{
    const stream_minq *q = &src->mq;
    if (q->len == 0)
        return INFINITY;
    return stream_source_at(src, q->v[q->head & (q->cap - 1)])->event_time;
}

int stream_source_append(stream_source *src, const workload_event *ev)
{
    if (log_push(&src->log, ev) != 0 || (src->oracle && mq_push(src, src->log.end - 1) != 0))
        return -1;
    return 0;
}

/* ------------------------------------------------------------- channels */

/* Appends a record and returns it, for the caller to fill in place. */
static stream_item *chan_push(stream_chan *c)
{
    uint32_t i = c->head + c->len;
    assert(c->inflight < c->cap);
    if (i >= c->cap)
        i -= c->cap;
    c->len++;
    c->inflight++;
    return &c->v[i];
}

uint64_t stream_source_backlog(const stream_source *src)
{
    uint64_t n = src->log.end - src->log.read;
    for (int i = 0; i < src->nch; i++)
        n += src->ch[i].inflight;
    return n;
}

int stream_source_in_flight(const stream_source *src)
{
    for (int i = 0; i < src->nch; i++)
        if (src->ch[i].inflight)
            return 1;
    return 0;
}

void stream_source_lose(stream_source *src)
{
    for (int i = 0; i < src->nch; i++)
        src->ch[i].len = src->ch[i].head = src->ch[i].inflight = 0;
}

/* ------------------------------------------------------------ watermark */

/* Asks the policy and raises the source watermark to its value. */
static void source_poll(stream_source *src)
{
    watermark_input in;
    double v;
    in.now = *src->env->clock;
    in.min_unread = INFINITY;
    if (src->oracle) {
        double a = sim_min_pending_event_time(src->env->sim), b = mq_min(src);
        in.min_unread = a < b ? a : b;
    }
    v = watermark_get(src->wm, &in);
    if (v > src->src_wm)
        src->src_wm = v;
}

/* The end of the input: once the log is read, +infinity (Flink's final
 * MAX_WATERMARK), except that a scripted watermark is followed to its
 * last step first (its policy still has a next change); returns 1 then. */
static int source_at_end(stream_source *src)
{
    if (!(src->input_ended && src->log.read == src->log.end) ||
        watermark_next_change(src->wm, *src->env->clock) != INFINITY)
        return 0;
    src->src_wm = INFINITY;
    return 1;
}

void stream_source_refresh(stream_source *src)
{
    if (!source_at_end(src) && src->interval == 0)
        source_poll(src);
}

void stream_source_tick(stream_source *src)
{
    if (!source_at_end(src))
        source_poll(src);
}

/* ---------------------------------------------------------------- reads */

void stream_source_read(stream_source *src)
{
    stream_log *l = &src->log;
    while (l->read < l->end) {
        const workload_event *ev = stream_source_at(src, l->read);
        stream_chan *c;
        int target;
        if (src->routing == ROUTE_SHARED || src->P == 1)
            target = 0; /* stream_route(key, 1) is 0 too */
        else if (src->routing == ROUTE_ROUND_ROBIN)
            target = (int)src->rr;
        else
            target = (int)stream_route(ev->key, (uint32_t)src->P);
        c = &src->ch[target];
        if (c->inflight >= c->cap)
            break; /* back-pressure: the source waits */
        stream_item *it = chan_push(c);
        it->ev = *ev;
        it->watermark_prev = src->src_wm;
        it->off = l->read;
        watermark_observe(src->wm, ev);
        if (src->oracle)
            mq_read(&src->mq, l->read);
        l->read++;
        if (l->read > l->hi_read)
            l->hi_read = l->read;
        if (src->routing == ROUTE_ROUND_ROBIN && ++src->rr == (uint32_t)src->P)
            src->rr = 0;
        stream_source_refresh(src);
    }
    /* Without crashes nothing read is needed again; with them the log is
     * kept from the last completed checkpoint (the job trims it then),
     * and after the last crash from the oldest record not processed yet
     * (stream.c, trim_done). */
    if (!l->track_done)
        stream_source_trim(src, l->read);
    if (src->input_ended && l->read == l->end)
        stream_source_refresh(src);
}

/* ------------------------------------------------------ snapshot/restore */

void stream_source_snapshot(const stream_source *src, stream_source_snap *snap)
{
    snap->off = src->log.read;
    snap->src_wm = src->src_wm;
    snap->rr = src->rr;
    if (snap->wm)
        watermark_copy(snap->wm, src->wm);
}

void stream_source_snap_copy(stream_source_snap *dst, const stream_source_snap *from)
{
    dst->off = from->off;
    dst->src_wm = from->src_wm;
    dst->rr = from->rr;
    watermark_copy(dst->wm, from->wm);
}

int stream_source_restore(stream_source *src, const stream_source_snap *snap)
{
    src->log.read = snap->off;
    src->src_wm = snap->src_wm;
    src->rr = snap->rr;
    watermark_copy(src->wm, snap->wm);
    if (src->oracle) {
        src->mq.len = 0;
        for (uint64_t o = src->log.read; o < src->log.end; o++)
            if (mq_push(src, o) != 0)
                return -1;
    }
    return 0;
}
