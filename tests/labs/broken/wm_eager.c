/* Broken on purpose (tests/test_labs.c): W = the largest event time read,
 * no room for delays, so every out-of-order event is late.  The grader
 * must fail "completeness". */
#include <math.h>
#include "model/watermark.h"

typedef struct { double max_event_time; } st;

static int init(void *s, const config_t *c, const volatile int *stop, char *e, size_t n)
{
    (void)c, (void)stop, (void)e, (void)n;
    ((st *)s)->max_event_time = -INFINITY;
    return WM_OK;
}
static void observe(void *s, const workload_event *ev)
{
    st *p = s;
    if (ev->event_time > p->max_event_time)
        p->max_event_time = ev->event_time;
}
static double get(void *s, const watermark_input *in) { (void)in; return ((st *)s)->max_event_time; }
static double next(void *s, double now) { (void)s, (void)now; return INFINITY; }

const watermark_type lab_watermark = {"eager", sizeof(st), 0, init, NULL, observe, get, next, NULL};
