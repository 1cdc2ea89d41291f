/* Broken on purpose (tests/test_labs.c): the count rule only, no timer and
 * no late panes.  The grader must fail "timer after first", "late pane per
 * element" and the timer rule in a run. */
#include "model/trigger.h"
static int on_element(const struct config_stream *c, const trigger_pane *p, double now, double *at)
{
    (void)c, (void)now, (void)at;
    return p->count >= 3 ? TRIG_FIRE : TRIG_CONTINUE;
}
static int on_timer(const struct config_stream *c, const trigger_pane *p, double now)
{
    (void)c, (void)p, (void)now;
    return TRIG_CONTINUE;
}
static int on_late(const struct config_stream *c, const trigger_pane *p) { (void)c, (void)p; return TRIG_CONTINUE; }
static int on_merge(const struct config_stream *c, double a, double b) { (void)c, (void)a, (void)b; return TRIG_MERGE_KEEP; }
const trigger_type lab_trigger = {"no_timer", on_element, on_timer, on_late, on_merge};
