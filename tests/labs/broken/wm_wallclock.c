/* Broken on purpose (tests/test_labs.c): W = processing time - 20 s, which
 * keeps moving while the source is down and then declares the whole
 * backlog late.  The grader must fail the outage workload's completeness. */
#include <math.h>
#include "model/watermark.h"

typedef struct { double last_arrival; } st;

static int init(void *s, const config_t *c, const volatile int *stop, char *e, size_t n)
{
    (void)c, (void)stop, (void)e, (void)n;
    ((st *)s)->last_arrival = -INFINITY;
    return WM_OK;
}
static void observe(void *s, const workload_event *ev) { ((st *)s)->last_arrival = ev->arrival_time; }
static double get(void *s, const watermark_input *in) { (void)s; return in->now - 20; }
static double next(void *s, double now) { (void)s, (void)now; return INFINITY; }

const watermark_type lab_watermark = {"wallclock", sizeof(st), 0, init, NULL, observe, get, next, NULL};
