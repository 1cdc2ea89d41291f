/*
 * Lab 09, instructors' reference: a bounded-out-of-orderness watermark
 * whose bound adapts to the delays seen (a running mean and deviation of
 * arrival - event time, like TCP's retransmission timer):
 *     W = max event time - (mean + 4 * mean deviation), never decreasing.
 * It passes `make lab-grade LAB=watermark SRC=<this file>`.
 */
#include <math.h>

#include "model/watermark.h"

typedef struct ref_state {
    double max_event_time;
    double mean, dev;      /* running mean and mean deviation of delays */
    double last;           /* the largest watermark returned */
    int seen;
} ref_state;

static int ref_init(void *state, const config_t *c, const volatile int *stop, char *err,
                    size_t errlen)
{
    ref_state *s = state;
    (void)c;
    (void)stop;
    (void)err;
    (void)errlen;
    s->max_event_time = -INFINITY;
    s->last = -INFINITY;
    return WM_OK;
}

static void ref_observe(void *state, const workload_event *ev)
{
    ref_state *s = state;
    double d = ev->arrival_time - ev->event_time;
    if (!s->seen) {
        s->mean = d;
        s->dev = d / 2;
        s->seen = 1;
    } else {
        s->dev += (fabs(d - s->mean) - s->dev) / 8;
        s->mean += (d - s->mean) / 8;
    }
    if (ev->event_time > s->max_event_time)
        s->max_event_time = ev->event_time;
}

static double ref_get(void *state, const watermark_input *in)
{
    ref_state *s = state;
    (void)in;
    double w = s->max_event_time - (s->mean + 4 * s->dev);
    if (w > s->last)
        s->last = w;
    return s->last;
}

static double ref_next_change(void *state, double now)
{
    (void)state;
    (void)now;
    return INFINITY;
}

const watermark_type lab_watermark = {
    "reference", sizeof(ref_state), 0, ref_init, NULL, ref_observe, ref_get, ref_next_change, NULL
};
