/*
 * stream/checkpoint.c: barriers, alignment, the last snapshot (see
 * stream/checkpoint.h).
 */
#include "exec/stream/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine/context.h"

int stream_checkpoint_init(stream_checkpoint *ck, stream_env *env, int P, int keep,
                           const watermark_type *wt, char *err, size_t errlen)
{
    ck->env = env;
    ck->P = P;
    ck->state = calloc((size_t)P, sizeof *ck->state);
    ck->pause = calloc((size_t)P, sizeof *ck->pause);
    if (!ck->state || !ck->pause) {
        snprintf(err, errlen, "stream executor: out of memory");
        return -1;
    }
    if (keep) {
        const volatile int *stop = sim_stop(env->sim);
        ck->at_barrier.wm = watermark_alloc_stop(wt, env->c, stop, err, errlen);
        ck->last.source.wm =
            ck->at_barrier.wm ? watermark_alloc_stop(wt, env->c, stop, err, errlen) : NULL;
        if (!ck->last.source.wm)
            return -1;
    }
    return 0;
}

void stream_checkpoint_free(stream_checkpoint *ck)
{
    watermark_free(ck->at_barrier.wm);
    watermark_free(ck->last.source.wm);
    stream_windows_snap_free(&ck->last.windows);
    free(ck->state);
    free(ck->pause);
}

void stream_checkpoint_start(stream_checkpoint *ck, const stream_source *src)
{
    ck->active = 1;
    stream_source_snapshot(src, &ck->at_barrier);
    ck->done = 0;
}

void stream_checkpoint_arrive(stream_checkpoint *ck, const stream_workers *wk, int i)
{
    const stream_worker *w = &wk->w[i];
    const stream_item *h;
    double cost = ck->env->c->stream.checkpoint_cost;
    if (!ck->active || ck->state[i] != CK_NONE || w->busy)
        return;
    h = stream_chan_head(w->ch);
    if (h && h->off < ck->at_barrier.off)
        return;
    ck->state[i] = CK_PAUSE;
    metrics_checkpoint(ck->env->m, cost);
    ck->pause[i] = stream_env_at(ck->env, *ck->env->clock + cost, STREAM_T_PAUSE_END, (uint64_t)i);
}

int stream_checkpoint_pause_end(stream_checkpoint *ck, int i)
{
    ck->state[i] = CK_ALIGNED;
    ck->pause[i] = 0;
    return ++ck->done == ck->P;
}

int stream_checkpoint_end(stream_checkpoint *ck)
{
    ck->active = 0;
    for (int i = 0; i < ck->P; i++) {
        ck->state[i] = CK_NONE;
        ck->pause[i] = 0;
    }
    if (ck->fail_next) {
        /* declined: no snapshot, nothing committed; the next one will */
        ck->fail_next = 0;
        return 0;
    }
    ck->completed++;
    return 1;
}

int stream_checkpoint_take(stream_checkpoint *ck, const stream_windows *win)
{
    if (stream_windows_snapshot(win, &ck->last.windows) != 0)
        return -1;
    stream_source_snap_copy(&ck->last.source, &ck->at_barrier);
    return 0;
}

void stream_checkpoint_lose(stream_checkpoint *ck)
{
    for (int i = 0; i < ck->P; i++) {
        if (ck->pause[i])
            stream_env_cancel(ck->env, ck->pause[i]);
        ck->pause[i] = 0;
        ck->state[i] = CK_NONE;
    }
    ck->active = 0;
}
