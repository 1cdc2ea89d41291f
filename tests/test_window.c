/* Tests of model/window.c: hand values, boundaries, negative times, and the
 * invariants every assignment must satisfy. */
#include <criterion/criterion.h>
#include <math.h>

#include "model/window.h"

static struct config_window_s wcfg(int type, double size, double slide, double gap)
{
    struct config_window_s w = { type, size, slide, gap };
    return w;
}

static void check_one(const struct config_window_s *w, double t, double s, double e)
{
    window_t o[4];
    size_t n = window_assign(w, t, o, 4);
    cr_assert_eq(n, 1, "t=%.17g: %zu windows", t, n);
    cr_assert_eq(o[0].start, s, "t=%.17g: start %.17g want %.17g", t, o[0].start, s);
    cr_assert_eq(o[0].end, e, "t=%.17g: end %.17g want %.17g", t, o[0].end, e);
}

Test(win, tumbling_hand_values)
{
    struct config_window_s w = wcfg(WIN_TUMBLING, 10, 0, 0);
    cr_assert_eq(window_max_per_event(&w), 1);
    check_one(&w, 0.0, 0, 10);
    check_one(&w, -0.0, 0, 10);
    check_one(&w, 9.999, 0, 10);
    check_one(&w, 10.0, 10, 20);     /* on a boundary: the window starting there */
    check_one(&w, 25.5, 20, 30);
    check_one(&w, -0.001, -10, 0);   /* negative: floor, not truncation */
    check_one(&w, -10.0, -10, 0);
    check_one(&w, -10.5, -20, -10);
    check_one(&w, nextafter(10.0, 0), 0, 10);
}

Test(win, tumbling_decimal_boundaries)
{
    /* 0.3 / 0.1 = 2.9999999999999996 in doubles: t = 3*0.1 must still be
     * in the window that starts at 3*0.1, and t = 0.3 (just below 3*0.1)
     * in the one before. */
    struct config_window_s w = wcfg(WIN_TUMBLING, 0.1, 0, 0);
    check_one(&w, 3 * 0.1, 3 * 0.1, 4 * 0.1);
    check_one(&w, 0.3, 2 * 0.1, 3 * 0.1);
    for (int k = -1000; k <= 1000; k++) {
        double b = k * 0.1;
        check_one(&w, b, b, (k + 1) * 0.1);
        check_one(&w, nextafter(b, -INFINITY), (k - 1) * 0.1, b);
    }
}

Test(win, sliding_hand_values)
{
    /* size 10, slide 5: t=7 is in [0,10) and [5,15). */
    struct config_window_s w = wcfg(WIN_SLIDING, 10, 5, 0);
    cr_assert_eq(window_max_per_event(&w), 2);
    window_t o[8];
    cr_assert_eq(window_assign(&w, 7, o, 8), 2);
    cr_assert_eq(o[0].start, 0);
    cr_assert_eq(o[0].end, 10);
    cr_assert_eq(o[1].start, 5);
    cr_assert_eq(o[1].end, 15);
    /* t=10 on a boundary: [5,15) and [10,20), not [0,10). */
    cr_assert_eq(window_assign(&w, 10, o, 8), 2);
    cr_assert_eq(o[0].start, 5);
    cr_assert_eq(o[1].start, 10);
    cr_assert_eq(o[1].end, 20);
    /* t=0: [-5,5) and [0,10). */
    cr_assert_eq(window_assign(&w, 0, o, 8), 2);
    cr_assert_eq(o[0].start, -5);
    cr_assert_eq(o[0].end, 5);
    cr_assert_eq(o[1].start, 0);
    /* negative t=-3: [-10,0) and [-5,5). */
    cr_assert_eq(window_assign(&w, -3, o, 8), 2);
    cr_assert_eq(o[0].start, -10);
    cr_assert_eq(o[1].start, -5);
}

Test(win, sliding_size_not_multiple_of_slide)
{
    /* size 10, slide 3: windows [3k, 3k+10).  t=9: k=0..3 -> 4 windows
     * ([0,10) [3,13) [6,16) [9,19)); t=10: k=1..3 -> 3 windows. */
    struct config_window_s w = wcfg(WIN_SLIDING, 10, 3, 0);
    cr_assert_geq(window_max_per_event(&w), 4);
    window_t o[8];
    cr_assert_eq(window_assign(&w, 9, o, 8), 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(o[i].start, 3.0 * i);
        cr_assert_eq(o[i].end, 3.0 * i + 10);
    }
    cr_assert_eq(window_assign(&w, 10, o, 8), 3);
    cr_assert_eq(o[0].start, 3);
    cr_assert_eq(o[2].start, 9);
}

Test(win, sliding_with_gaps)
{
    /* slide 10 > size 4: [10k, 10k+4); t=5 is in no window. */
    struct config_window_s w = wcfg(WIN_SLIDING, 4, 10, 0);
    window_t o[4];
    cr_assert_eq(window_assign(&w, 5, o, 4), 0);
    cr_assert_eq(window_assign(&w, 13.5, o, 4), 1);
    cr_assert_eq(o[0].start, 10);
    cr_assert_eq(o[0].end, 14);
    cr_assert_eq(window_assign(&w, 14, o, 4), 0);
}

Test(win, sliding_invariants_many_times)
{
    /* For every config and many t (random and exactly on boundaries):
     * every window holds t, windows ascend by one slide, their count is
     * at most window_max_per_event and exactly size/slide when slide divides
     * size, and a window's bounds do not depend on which t produced it. */
    static const double cfgs[][2] = { { 0.3, 0.1 }, { 1.0, 0.1 }, { 60, 10 }, { 0.9, 0.3 },
                                      { 10, 3 },    { 2.2, 1.1 }, { 7, 7 },   { 1e-3, 1e-4 } };
    uint64_t s = 12345;
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++) {
        struct config_window_s w = wcfg(WIN_SLIDING, cfgs[c][0], cfgs[c][1], 0);
        size_t max = window_max_per_event(&w);
        double ratio = w.size / w.slide;
        int divides = fabs(ratio - nearbyint(ratio)) < 1e-9;
        cr_assert_leq(max, (size_t)ceil(ratio) + 1);
        if (divides)
            cr_assert_eq(max, (size_t)nearbyint(ratio));
        window_t o[32];
        for (int i = 0; i < 20000; i++) {
            double t;
            if (i % 2) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                t = ((double)(s >> 11) / 9007199254740992.0 - 0.1) * 1000 * w.size;
            } else {
                t = (i / 2 - 5000) * w.slide; /* on a start boundary */
                if (i % 4 == 0)
                    t = nextafter(t, -INFINITY);
            }
            size_t n = window_assign(&w, t, o, 32);
            cr_assert_leq(n, max, "cfg %zu t=%.17g", c, t);
            if (divides)
                cr_assert_eq(n, (size_t)nearbyint(ratio), "cfg %zu t=%.17g n=%zu", c, t, n);
            else
                cr_assert_geq(n + 1, (size_t)ceil(ratio), "cfg %zu t=%.17g", c, t);
            for (size_t j = 0; j < n; j++) {
                cr_assert(o[j].start <= t && t < o[j].end, "cfg %zu t=%.17g [%.17g,%.17g)",
                          c, t, o[j].start, o[j].end);
                double k = nearbyint(o[j].start / w.slide);
                cr_assert_eq(o[j].start, k * w.slide, "start off grid");
                if (j)
                    cr_assert_eq(k, nearbyint(o[j - 1].start / w.slide) + 1, "not ascending");
                /* Same window from its own start time: identical bounds. */
                window_t o2[32];
                size_t n2 = window_assign(&w, o[j].start, o2, 32);
                cr_assert_eq(o2[n2 - 1].start, o[j].start);
                cr_assert_eq(o2[n2 - 1].end, o[j].end, "cfg %zu: end differs", c);
            }
        }
    }
}

Test(win, sliding_truncates_to_max)
{
    struct config_window_s w = wcfg(WIN_SLIDING, 10, 1, 0);
    window_t o[3];
    cr_assert_eq(window_assign(&w, 5.5, o, 3), 3);
    cr_assert_eq(o[0].start, -4);
    cr_assert_eq(o[2].start, -2);
    cr_assert_eq(window_assign(&w, 5.5, o, 0), 0);
}

Test(win, session_and_none)
{
    struct config_window_s s = wcfg(WIN_SESSION, 0, 0, 30);
    cr_assert_eq(window_max_per_event(&s), 1);
    check_one(&s, 12.5, 12.5, 42.5);
    check_one(&s, -1, -1, 29);
    struct config_window_s n = wcfg(WIN_NONE, 0, 0, 0);
    cr_assert_eq(window_max_per_event(&n), 1);
    check_one(&n, 3.25, 3.25, 3.25);
}

Test(win, overlaps_and_merge)
{
    window_t a = { 0, 10 }, b = { 5, 15 }, c = { 10, 20 }, d = { 10.5, 11 };
    cr_assert(window_overlaps(a, b));
    cr_assert(window_overlaps(b, a));
    cr_assert(window_overlaps(a, c)); /* touching counts (Flink's TimeWindow) */
    cr_assert(!window_overlaps(a, d));
    cr_assert(window_overlaps(c, d)); /* containment */
    window_t m = window_merge(b, a);
    cr_assert_eq(m.start, 0);
    cr_assert_eq(m.end, 15);
    m = window_merge(c, d);
    cr_assert_eq(m.start, 10);
    cr_assert_eq(m.end, 20);
}
