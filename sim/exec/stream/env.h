/*
 * stream/env: what every part of the stream job shares (exec/stream.h has
 * the executor's rules, sim/README.md which part owns what).
 *
 * Rules of this module
 *  - One stream_env per job, owned by the job (stream/stream.c); each part
 *    keeps a pointer to it and uses it for the clock, metrics, the config
 *    and its timers.  Nothing in it is checkpointed.
 *  - Timers: a part asks for one with stream_env_at(kind, data); the event
 *    runs the job's one timer handler (env->fire, arg env->job), which
 *    dispatches on the kind.  So the job sees every timer of its parts.
 *  - Out of memory: stream_env_oom() aborts the run (sim_abort) once and
 *    sets oom; the job then ignores what comes until sim stops.
 */
#ifndef SLUICE_STREAM_ENV_H
#define SLUICE_STREAM_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/event_queue.h"
#include "measure/metrics.h"
#include "model/config.h"
#include "engine/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The job's timers, by what they are for (the kind is in the low byte of
 * the event's data, the payload above it). */
enum stream_timer {
    STREAM_T_SERVICE_END = 0, /* payload: worker */
    STREAM_T_PAUSE_END,       /* payload: worker (checkpoint pause) */
    STREAM_T_CK_TICK,         /* payload: tick number */
    STREAM_T_EARLY,           /* payload: early-timer record (windows) */
    STREAM_T_RESTORE,
    STREAM_T_WM_STEP,         /* scripted watermark step (source) */
    STREAM_T_SINK_PRUNE,
};

typedef struct stream_env {
    sim_t *sim;
    const double *clock;   /* sim_clock(sim): now, read without a call */
    metrics_t *m;
    const config_t *c;
    event_queue_fn fire;   /* the job's timer handler */
    void *job;             /* its arg */
    int oom;               /* sim_abort was called */
    const sim_explain *x;  /* sim_explainer: NULL unless explaining */
} stream_env;

/* A timer of the job at time t (s): kind and payload come back to
 * env->fire.  Returns its handle (0 when out of memory: sim aborts).
 * Inline: it is on the per-event path (a service end per record). */
static inline event_queue_handle stream_env_at(stream_env *e, double t, enum stream_timer kind,
                                               uint64_t payload)
{
    return sim_at(e->sim, t, e->fire, e->job, payload << 8 | (uint64_t)kind);
}
void stream_env_cancel(stream_env *e, event_queue_handle h);

/* Splits the data of an event of env->fire. */
static inline enum stream_timer stream_env_kind(uint64_t data)
{
    return (enum stream_timer)(data & 0xff);
}
static inline uint64_t stream_env_payload(uint64_t data)
{
    return data >> 8;
}

void stream_env_oom(stream_env *e);

#ifdef __cplusplus
}
#endif

#endif
