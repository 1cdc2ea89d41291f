/*
 * Lab 10: your trigger.  Read README.md in this folder first.
 *
 * The rule to build: an EARLY pane as soon as the pane holds N = 3
 * elements, or early_delay s of processing time after its first element,
 * whichever comes first; a LATE pane for every late element; when two
 * sessions with a pending timer each merge, the earlier timer survives.
 * The ON_TIME pane (the watermark passing the window end) is not yours:
 * the window operator fires it.  Grade it with:
 *
 *     make lab-grade LAB=trigger
 *
 * This file starts as the built-in trigger (early_delay only): it fails
 * the count checks until you add the count rule (TODO).
 */
#include <math.h>

#include "model/trigger.h"

#define N 3

static int my_on_element(const struct config_stream *c, const trigger_pane *p, double now,
                         double *timer_at)
{
    /* p->count: elements since the last pane, this one included.
     * TODO: fire when the pane holds N elements. */
    if (c->early_delay > 0 && !p->timer_set)
        *timer_at = now + c->early_delay; /* the first element of a pane */
    return TRIG_CONTINUE;
}

static int my_on_timer(const struct config_stream *c, const trigger_pane *p, double now)
{
    (void)c;
    (void)now;
    return p->count > 0 ? TRIG_FIRE : TRIG_CONTINUE;
}

static int my_on_late(const struct config_stream *c, const trigger_pane *p)
{
    (void)c;
    (void)p;
    return TRIG_FIRE;
}

static int my_on_merge(const struct config_stream *c, double into_at, double from_at)
{
    (void)c;
    return from_at < into_at ? TRIG_MERGE_TAKE : TRIG_MERGE_KEEP;
}

const trigger_type lab_trigger = {"my_trigger", my_on_element, my_on_timer, my_on_late,
                                  my_on_merge};
