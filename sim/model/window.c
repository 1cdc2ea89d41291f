/*
 * win: window assignment.
 *
 * Floating point: a window's bounds are always computed the same way from
 * its integer index k (tumbling: [k*size, (k+1)*size); sliding with size
 * = m slides: [k*slide, (k+m)*slide); other sliding: [k*slide, k*slide +
 * size)), so every event of a window
 * yields bit-identical bounds (they are hash keys in wmap).  The index is
 * first estimated as floor(t / step) and then corrected by one step either
 * way against those computed bounds, so start <= t < end holds exactly for
 * every returned window, and t exactly on a boundary belongs to the window
 * that starts there.
 */
#include "model/window.h"

#include <assert.h>
#include <math.h>

/* Largest k with k * step <= t (step > 0, t finite). */
static double last_start_index(double t, double step)
{
    double k = floor(t / step);
    while (k * step > t)
        k -= 1.0;
    while ((k + 1.0) * step <= t)
        k += 1.0;
    return k;
}

/* When size is a whole number m of slides (up to rounding: relative
 * 1e-9), windows end on the start grid: end = (k + m) * slide.  Then each
 * t is in exactly m windows even with decimal sizes such as 0.3 / 0.1,
 * where k*slide + size would round differently from (k+3)*slide.
 * Returns m, or 0 when size is not a multiple of slide. */
static double slides_per_window(const struct config_window_s *w)
{
    double m = nearbyint(w->size / w->slide);
    if (m >= 1.0 && fabs(m * w->slide - w->size) <= 1e-9 * w->size)
        return m;
    return 0.0;
}

size_t window_max_per_event(const struct config_window_s *w)
{
    if (w->type != WIN_SLIDING)
        return 1;
    assert(w->size > 0 && w->slide > 0);
    double m = slides_per_window(w);
    if (m > 0)
        return (size_t)m;
    /* Mathematically ceil(size / slide); one more because the bounds
     * k*slide and k*slide + size are rounded separately. */
    return (size_t)ceil(w->size / w->slide) + 1;
}

size_t window_assign(const struct config_window_s *w, double t, window_t *out, size_t max)
{
    assert(isfinite(t));
    if (max == 0)
        return 0;
    switch (w->type) {
    case WIN_TUMBLING: {
        assert(w->size > 0);
        double k = last_start_index(t, w->size);
        out[0].start = k * w->size;
        out[0].end = (k + 1.0) * w->size;
        /* (k+1)*size > t by construction of k. */
        return 1;
    }
    case WIN_SLIDING: {
        assert(w->size > 0 && w->slide > 0);
        double m = slides_per_window(w);
        double khi = last_start_index(t, w->slide);
        double klo = khi;
        if (m > 0) {
            klo = khi - m + 1.0;
        } else { /* walk down while the window one slide earlier holds t */
            while ((klo - 1.0) * w->slide + w->size > t)
                klo -= 1.0;
        }
        size_t n = 0;
        for (double k = klo; k <= khi && n < max; k += 1.0) {
            double s = k * w->slide;
            double e = m > 0 ? (k + m) * w->slide : s + w->size;
            if (e > t) { /* false only when slide > size (gaps) */
                out[n].start = s;
                out[n].end = e;
                n++;
            }
        }
        return n;
    }
    case WIN_SESSION:
        assert(w->gap > 0);
        out[0].start = t;
        out[0].end = t + w->gap;
        return 1;
    case WIN_NONE:
    default:
        out[0].start = t;
        out[0].end = t;
        return 1;
    }
}

int window_overlaps(window_t a, window_t b)
{
    return a.start <= b.end && b.start <= a.end;
}

window_t window_merge(window_t a, window_t b)
{
    window_t m = { a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end };
    return m;
}
