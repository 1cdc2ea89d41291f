/*
 * stream/workers.c: service and slowdowns of the workers (see
 * stream/workers.h).
 */
#include "exec/stream/workers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "engine/context.h"

int stream_workers_init(stream_workers *wk, stream_env *env, stream_source *src)
{
    const struct config_stream *c = &env->c->stream;
    wk->env = env;
    wk->P = c->parallelism;
    wk->ln_mu = log(c->service_mean) - 0.5 * c->service_sigma * c->service_sigma;
    wk->rng = sim_rng(env->sim, RNG_SERVICE);
    wk->w = calloc((size_t)wk->P, sizeof *wk->w);
    wk->busy = calloc(((size_t)wk->P + 63) / 64, sizeof *wk->busy);
    wk->ch = calloc((size_t)wk->P, sizeof *wk->ch);
    if (!wk->rng || !wk->w || !wk->busy || !wk->ch)
        return -1;
    for (int i = 0; i < wk->P; i++)
        wk->ch[i] = wk->w[i].ch = &src->ch[src->routing == ROUTE_SHARED ? 0 : i];
    return 0;
}

void stream_workers_free(stream_workers *wk)
{
    free(wk->w);
    free(wk->busy);
    free(wk->ch);
}

/* gsl_ran_exponential(r, mu) exactly (GSL computes -mu * log1p(-u) from
 * one gsl_rng_uniform), without its two library calls: this is on the
 * per-event path. */
static inline double exp_draw(const gsl_rng *r, double mu)
{
    double u = r->type->get_double(r->state);
    return -mu * log1p(-u);
}

static double service_time(stream_workers *wk)
{
    const struct config_stream *c = &wk->env->c->stream;
    switch (c->service) {
    case SVC_EXPONENTIAL:
        return exp_draw(wk->rng, c->service_mean);
    case SVC_LOGNORMAL:
        return gsl_ran_lognormal(wk->rng, wk->ln_mu, c->service_sigma);
    default:
        return c->service_mean;
    }
}

int stream_workers_try_start(stream_workers *wk, int i, uint64_t barrier)
{
    stream_worker *w = &wk->w[i];
    if (w->busy || w->ch->len == 0)
        return STREAM_IDLE;
    if (stream_chan_head(w->ch)->off >= barrier)
        return STREAM_AT_BARRIER; /* behind the barrier: wait for it */
    stream_chan_pop(w->ch, &w->cur);
    w->busy = 1;
    wk->busy[i >> 6] |= (uint64_t)1 << (i & 63);
    w->start = *wk->env->clock;
    w->svc_s = service_time(wk);
    if (w->start < wk->slow_until) { /* a straggler, maybe */
        double next;
        w->svc_s *= fault_slowdown_at(sim_faults(wk->env->sim), w->start, &next);
    }
    w->svc = stream_env_at(wk->env, w->start + w->svc_s, STREAM_T_SERVICE_END, (uint64_t)i);
    return STREAM_STARTED;
}

void stream_workers_slow(stream_workers *wk, double until)
{
    if (until > wk->slow_until)
        wk->slow_until = until;
}

double stream_workers_min_wm(const stream_workers *wk, const stream_source *src, double m)
{
    for (int k = 0; k < (wk->P + 63) / 64; k++)
        for (uint64_t bits = wk->busy[k]; bits; bits &= bits - 1) {
            const stream_worker *w = &wk->w[64 * k + __builtin_ctzll(bits)];
            if (w->cur.watermark_prev < m)
                m = w->cur.watermark_prev;
        }
    for (int i = 0; i < src->nch; i++) {
        const stream_item *h = stream_chan_head(&src->ch[i]);
        if (h && h->watermark_prev < m)
            m = h->watermark_prev;
    }
    return m;
}

uint64_t stream_workers_oldest(const stream_workers *wk, const stream_source *src)
{
    uint64_t o = src->log.read;
    for (int i = 0; i < wk->P; i++)
        if (wk->w[i].busy && wk->w[i].cur.off < o)
            o = wk->w[i].cur.off;
    for (int i = 0; i < src->nch; i++) {
        const stream_item *h = stream_chan_head(&src->ch[i]);
        if (h && h->off < o)
            o = h->off;
    }
    return o;
}

double stream_workers_cpu_wasted(const stream_workers *wk, double now)
{
    double s = wk->work_since_ck;
    for (int i = 0; i < wk->P; i++)
        if (wk->w[i].busy)
            s += now - wk->w[i].start;
    return s;
}

void stream_workers_lose(stream_workers *wk)
{
    for (int i = 0; i < wk->P; i++) {
        stream_worker *w = &wk->w[i];
        if (w->busy)
            stream_env_cancel(wk->env, w->svc);
        w->busy = 0;
        w->svc = 0;
    }
    memset(wk->busy, 0, ((size_t)wk->P + 63) / 64 * sizeof *wk->busy);
}
