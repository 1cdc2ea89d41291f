/* Broken on purpose (tests/test_labs.c): never makes a promise, so windows
 * only fire when the input ends.  The grader must fail "advances" and
 * "latency". */
#include <math.h>
#include "model/watermark.h"

static int init(void *s, const config_t *c, const volatile int *stop, char *e, size_t n)
{
    (void)s, (void)c, (void)stop, (void)e, (void)n;
    return WM_OK;
}
static void observe(void *s, const workload_event *ev) { (void)s, (void)ev; }
static double get(void *s, const watermark_input *in) { (void)s, (void)in; return -INFINITY; }
static double next(void *s, double now) { (void)s, (void)now; return INFINITY; }

const watermark_type lab_watermark = {"never", 1, 0, init, NULL, observe, get, next, NULL};
