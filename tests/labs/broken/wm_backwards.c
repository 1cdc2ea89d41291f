/* Broken on purpose (tests/test_labs.c): the watermark follows the LAST
 * event time read minus 10 s, so it goes backwards whenever events come
 * out of order.  The grader must fail "never backwards". */
#include <math.h>
#include "model/watermark.h"

typedef struct { double last_event_time; } st;

static int init(void *s, const config_t *c, const volatile int *stop, char *e, size_t n)
{
    (void)c, (void)stop, (void)e, (void)n;
    ((st *)s)->last_event_time = -INFINITY;
    return WM_OK;
}
static void observe(void *s, const workload_event *ev) { ((st *)s)->last_event_time = ev->event_time; }
static double get(void *s, const watermark_input *in) { (void)in; return ((st *)s)->last_event_time - 10; }
static double next(void *s, double now) { (void)s, (void)now; return INFINITY; }

const watermark_type lab_watermark = {"backwards", sizeof(st), 0, init, NULL, observe, get, next, NULL};
