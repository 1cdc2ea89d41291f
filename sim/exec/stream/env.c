/*
 * stream/env.c: the job's shared context (see stream/env.h).
 */
#include "exec/stream/env.h"

#include <stdlib.h>

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

int stream_env_grow(void **v, size_t size, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 16;
    void *nv;
    if (need <= *cap)
        return 0;
    while (ncap < need)
        ncap *= 2;
    nv = realloc(*v, ncap * size);
    if (!nv)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}
