/*
 * stream/sink.c: visibility, staging and commit, the at-least-once table
 * (see stream/sink.h).
 */
#include "exec/stream/sink.h"
#include "exec/stream/windows.h"
#include "lib/vec.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int stream_sink_init(stream_sink *k, stream_env *env, int staging, int at_least_once)
{
    k->env = env;
    k->staging = staging;
    k->windowed = env->c->window.type != WIN_NONE;
    k->lateness = env->c->stream.allowed_lateness;
    k->stg.min_end = INFINITY;
    k->rec.peak_latency = NAN;
    idpool_init(&k->vn.p, sizeof(stream_vnode), offsetof(stream_vnode, next));
    if (at_least_once) {
        k->alo.seen = wmap_alloc(sizeof(uint32_t));
        if (!k->alo.seen)
            return -1;
    }
    return 0;
}

void stream_sink_free(stream_sink *k)
{
    wmap_free(k->alo.seen);
    free(k->alo.scratch);
    free(k->vn.v);
    free(k->stg.v);
}

/* ------------------------------------------------------------ visibility */

uint32_t stream_sink_hold(stream_sink *k, const workload_event *ev)
{
    uint32_t i = idpool_get(&k->vn.p, &k->vn.v);
    if (!i)
        return 0;
    k->vn.v[i].ev = *ev;
    k->vn.v[i].next = 0;
    return i;
}

void stream_sink_append(stream_sink *k, uint32_t *head, uint32_t *tail, uint32_t h, uint32_t t)
{
    if (!h)
        return;
    if (*tail)
        k->vn.v[*tail].next = h;
    else
        *head = h;
    *tail = t;
}

/* A pane whose least event time is min_et becomes visible now: the
 * recovery's peak latency (now - min_et is the largest now - event_time
 * of the pane's events, subtraction being monotone). */
static void peak(stream_sink *k, double min_et, double now)
{
    if (k->rec.on && min_et < INFINITY && !(now - min_et <= k->rec.peak_latency))
        k->rec.peak_latency = now - min_et;
}

static void pane_to_metrics(stream_sink *k, pane_t *p, double now)
{
    p->emit_time = now;
    if (k->rec.on && p->duplicate)
        k->rec.duplicates++;
    if (k->probe.pane)
        k->probe.pane(k->probe.ctx, p);
    if (metrics_pane(k->env->m, p) != 0)
        stream_env_oom(k->env);
}

static void merge_to_metrics(stream_sink *k, uint32_t key, window_t old, window_t into)
{
    if (k->probe.merge)
        k->probe.merge(k->probe.ctx, key, old, into);
    if (metrics_window_merged(k->env->m, key, old.start, old.end, into.start, into.end) != 0)
        stream_env_oom(k->env);
}

/* A pane becomes visible downstream now: to metrics, with the events it
 * is the first to count.  At-least-once after a crash: a pane whose index
 * the sink has already seen for its window is a duplicate. */
static void publish(stream_sink *k, pane_t *p, uint32_t vis, double min_et, double now)
{
    if (k->alo.seen && k->windowed) {
        int created = 0;
        uint32_t *seen = wmap_put(k->alo.seen, p->key, p->start, p->end, &created);
        if (!seen) {
            stream_env_oom(k->env);
            return;
        }
        if (p->index < *seen)
            p->duplicate = 1;
        if (p->duplicate)
            SIM_EXPLAIN(k->env->x, "duplicate", p->key, p->start, p->end, "pane #%u of [%g, %g) shown again: count %llu, sum %lld\tat-least-once replay: the sink had already shown %u panes of the window", (unsigned)p->index, p->start, p->end, (unsigned long long)p->count, (long long)p->sum, (unsigned)*seen);
        else
            *seen = p->index + 1;
        if (created && !k->alo.ev && stream_sink_prune_due(k))
            k->alo.ev = stream_env_at(k->env, now, STREAM_T_SINK_PRUNE, 0);
    }
    pane_to_metrics(k, p, now);
    while (vis) {
        uint32_t next = k->vn.v[vis].next;
        metrics_visible(k->env->m, &k->vn.v[vis].ev, now);
        idpool_put(&k->vn.p, k->vn.v, vis);
        vis = next;
    }
    peak(k, min_et, now);
}

/* ---------------------------------------------------------------- output */

static stream_staged *stage(stream_sink *k)
{
    if (vec_ensure(&k->stg.v, &k->stg.cap, k->stg.len + 1, sizeof *k->stg.v) != VEC_OK) {
        stream_env_oom(k->env);
        return NULL;
    }
    return &k->stg.v[k->stg.len++];
}

void stream_sink_output(stream_sink *k, pane_t *p, uint32_t vis, double min_et)
{
    if (k->staging) {
        stream_staged *x = stage(k);
        if (!x)
            return;
        x->p = *p;
        x->vis = vis;
        x->min_et = min_et;
        x->merge = 0;
        if (p->end < k->stg.min_end)
            k->stg.min_end = p->end;
        return;
    }
    publish(k, p, vis, min_et, *k->env->clock);
}

/* publish() of a per-record pane (window none, nothing staged) whose one
 * event is ev: the same calls in the same order, without a vnode. */
void stream_sink_output_record(stream_sink *k, pane_t *p, const workload_event *ev)
{
    double now = *k->env->clock;
    pane_to_metrics(k, p, now);
    metrics_visible(k->env->m, ev, now);
    peak(k, ev->event_time, now);
}

void stream_sink_output_merge(stream_sink *k, uint32_t key, window_t old, window_t into)
{
    if (k->staging) {
        stream_staged *x = stage(k);
        if (!x)
            return;
        memset(x, 0, sizeof *x);
        x->merge = 1;
        x->p.key = key;
        x->p.start = old.start;
        x->p.end = old.end;
        x->new_start = into.start;
        x->new_end = into.end;
        if (old.end < k->stg.min_end)
            k->stg.min_end = old.end; /* into.end >= old.end */
        return;
    }
    merge_to_metrics(k, key, old, into);
}

void stream_sink_commit(stream_sink *k)
{
    double now = *k->env->clock;
    for (size_t i = 0; i < k->stg.len; i++) {
        stream_staged *x = &k->stg.v[i];
        if (!x->merge)
            publish(k, &x->p, x->vis, x->min_et, now);
        else
            merge_to_metrics(k, x->p.key, (window_t){x->p.start, x->p.end},
                             (window_t){x->new_start, x->new_end});
    }
    k->stg.len = 0;
    k->stg.min_end = INFINITY;
}

void stream_sink_lose(stream_sink *k)
{
    idpool_clear(&k->vn.p);
    k->stg.len = 0; /* exactly-once: uncommitted output is discarded */
    k->stg.min_end = INFINITY;
}

/* ----------------------------------------------------- at-least-once table */

/* A replay from a snapshot reads every event behind a watermark >= its
 * src_wm, so a window with end + L <= src_wm is expired for all of them
 * (not: "absent from the state", since a replay may not yet have
 * re-created a window it will re-create). */
int stream_sink_prune_expired(stream_sink *k, double src_wm)
{
    wmap_key *keys = NULL;
    void **vals = NULL;
    size_t n = wmap_size(k->alo.seen);
    if (wmap_sorted(k->alo.seen, &keys, &vals) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (stream_windows_is_late((window_t){keys[i].start, keys[i].end}, k->lateness, src_wm))
            wmap_del(k->alo.seen, keys[i].key, keys[i].start, keys[i].end);
    free(keys);
    free(vals);
    return 0;
}

int stream_sink_prune_due(const stream_sink *k)
{
    return wmap_size(k->alo.seen) >= 2 * k->alo.kept + 64;
}

/* O(capacity of the table). */
void stream_sink_prune_behind(stream_sink *k, double h)
{
    size_t pos = 0, n = 0;
    wmap_key key;
    while (wmap_next(k->alo.seen, &pos, &key) != NULL) {
        if (!(key.end < h))
            continue;
        if (vec_ensure(&k->alo.scratch, &k->alo.scratch_cap, n + 1, sizeof *k->alo.scratch) != VEC_OK) {
            stream_env_oom(k->env);
            return;
        }
        k->alo.scratch[n++] = key;
    }
    for (size_t i = 0; i < n; i++)
        wmap_del(k->alo.seen, k->alo.scratch[i].key, k->alo.scratch[i].start,
                 k->alo.scratch[i].end);
    k->alo.kept = wmap_size(k->alo.seen);
}

/* -------------------------------------------------------------- recovery */

void stream_sink_watch(stream_sink *k)
{
    k->rec.on = 1;
    k->rec.duplicates = 0;
    k->rec.peak_latency = NAN;
}

void stream_sink_unwatch(stream_sink *k, fault_row *r)
{
    if (!k->rec.on)
        return;
    r->duplicates += k->rec.duplicates;
    r->peak_latency = k->rec.peak_latency;
    k->rec.on = 0;
}
