/*
 * trig: the built-in trigger and the registry (see trig.h).
 */
#include "trig.h"

#include <string.h>

/* ------------------------------------------------- early_processing_time */

static int ept_on_element(const struct cfg_stream *c, const trig_pane *p, double now,
                          double *timer_at)
{
    if (c->early_delay > 0 && !p->timer_set)
        *timer_at = now + c->early_delay; /* the first element of a pane */
    return TRIG_CONTINUE;
}

static int ept_on_timer(const struct cfg_stream *c, const trig_pane *p, double now)
{
    (void)c;
    (void)now;
    return p->count > 0 ? TRIG_FIRE : TRIG_CONTINUE;
}

static int ept_on_late(const struct cfg_stream *c, const trig_pane *p)
{
    (void)c;
    (void)p;
    return TRIG_FIRE; /* AfterPane.elementCountAtLeast(1) */
}

const trig_type trig_early_processing_time = {
    "early_processing_time", ept_on_element, ept_on_timer, ept_on_late
};

/* --------------------------------------------------------------- registry */

const trig_type *const trig_types[] = {
    &trig_early_processing_time,
    NULL
};

const trig_type *const trig_default = &trig_early_processing_time;

const trig_type *trig_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; trig_types[i]; i++)
        if (strcmp(trig_types[i]->name, name) == 0)
            return trig_types[i];
    return NULL;
}
