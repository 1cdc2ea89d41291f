/*
 * Lab 10, instructors' reference: "an EARLY pane as soon as the pane holds
 * N = 3 elements, or early_delay s after its first element, whichever
 * comes first" (Beam: AfterWatermark.pastEndOfWindow().withEarlyFirings(
 * AfterFirst.of(AfterPane.elementCountAtLeast(3),
 * AfterProcessingTime.pastFirstElementInPane().plusDelayOf(early_delay)))
 * .withLateFirings(AfterPane.elementCountAtLeast(1))).  It passes
 * `make lab-grade LAB=trigger SRC=<this file>`.
 */
#include <math.h>

#include "model/trigger.h"

#define N 3

static int ref_on_element(const struct config_stream *c, const trigger_pane *p, double now,
                          double *timer_at)
{
    if (p->count >= N)
        return TRIG_FIRE; /* the pane is full; firing also clears the timer */
    if (c->early_delay > 0 && !p->timer_set)
        *timer_at = now + c->early_delay;
    return TRIG_CONTINUE;
}

static int ref_on_timer(const struct config_stream *c, const trigger_pane *p, double now)
{
    (void)c;
    (void)now;
    return p->count > 0 ? TRIG_FIRE : TRIG_CONTINUE;
}

static int ref_on_late(const struct config_stream *c, const trigger_pane *p)
{
    (void)c;
    (void)p;
    return TRIG_FIRE;
}

static int ref_on_merge(const struct config_stream *c, double into_at, double from_at)
{
    (void)c;
    return from_at < into_at ? TRIG_MERGE_TAKE : TRIG_MERGE_KEEP;
}

const trigger_type lab_trigger = {"reference", ref_on_element, ref_on_timer, ref_on_late,
                                  ref_on_merge};
