/*
 * trig: the built-in trigger and the registry (see model/trigger.h).
 */
#include "model/trigger.h"

#include <string.h>

/* ------------------------------------------------- early_processing_time */

static int ept_on_element(const struct config_stream *c, const trigger_pane *p, double now,
                          double *timer_at)
{
    if (c->early_delay > 0 && !p->timer_set)
        *timer_at = now + c->early_delay; /* the first element of a pane */
    return TRIG_CONTINUE;
}

static int ept_on_timer(const struct config_stream *c, const trigger_pane *p, double now)
{
    (void)c;
    (void)now;
    return p->count > 0 ? TRIG_FIRE : TRIG_CONTINUE;
}

static int ept_on_late(const struct config_stream *c, const trigger_pane *p)
{
    (void)c;
    (void)p;
    return TRIG_FIRE; /* AfterPane.elementCountAtLeast(1) */
}

/* The earliest pending timer wins: a merged session fires its EARLY pane
 * when the first of its parts would have. */
static int ept_on_merge(const struct config_stream *c, double into_at, double from_at)
{
    (void)c;
    return from_at < into_at ? TRIG_MERGE_TAKE : TRIG_MERGE_KEEP;
}

const trigger_type trigger_early_processing_time = {
    "early_processing_time", ept_on_element, ept_on_timer, ept_on_late, ept_on_merge
};

/* --------------------------------------------------------------- registry */

const trigger_type *const trigger_types[] = {
    &trigger_early_processing_time,
    NULL
};

const trigger_type *const trigger_default = &trigger_early_processing_time;

const trigger_type *trigger_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; trigger_types[i]; i++)
        if (strcmp(trigger_types[i]->name, name) == 0)
            return trigger_types[i];
    return NULL;
}
