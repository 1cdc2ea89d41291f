/*
 * stream/env.c: the job's shared context (see stream/env.h).
 */
#include "exec/stream/env.h"

#include "engine/context.h"

void stream_env_cancel(stream_env *e, event_queue_handle h)
{
    sim_cancel(e->sim, h);
}

void stream_env_oom(stream_env *e)
{
    if (!e->oom)
        sim_abort(e->sim, "stream executor: out of memory");
    e->oom = 1;
}
