/* Broken on purpose (tests/test_labs.c): fires an EARLY pane for every
 * element.  The grader must fail "fires every N" and the timer rule. */
#include "model/trigger.h"
static int on_element(const struct config_stream *c, const trigger_pane *p, double now, double *at)
{
    (void)c, (void)p, (void)now, (void)at;
    return TRIG_FIRE;
}
static int on_timer(const struct config_stream *c, const trigger_pane *p, double now)
{
    (void)c, (void)now;
    return p->count > 0 ? TRIG_FIRE : TRIG_CONTINUE;
}
static int on_late(const struct config_stream *c, const trigger_pane *p) { (void)c, (void)p; return TRIG_FIRE; }
static int on_merge(const struct config_stream *c, double a, double b) { (void)c; return b < a ? TRIG_MERGE_TAKE : TRIG_MERGE_KEEP; }
const trigger_type lab_trigger = {"always", on_element, on_timer, on_late, on_merge};
