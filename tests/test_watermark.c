/*
 * test_watermark.c: the percentile watermark policy (model/watermark.c)
 * is the exact nearest-rank q-quantile of the delays seen so far:
 * D_q = the ceil(q*n)-th smallest of the n delays arrival - event time,
 * W = latest arrival - D_q.
 *
 *  - known answers with few events, q = 1 (the largest delay), q small,
 *    a burst of large delays and its recovery, ties;
 *  - 10,000 random delays (continuous and with many ties) against a
 *    brute-force sorted array after every event, for several q;
 *  - watermark_copy copies the order-statistic structure (a checkpoint
 *    restored then fed the same events gives the same watermarks).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"
#include "model/watermark.h"

static watermark_t *pct_new(double q)
{
    config_t c;
    char err[256] = "";
    config_defaults(&c);
    c.stream.watermark_percentile = q;
    watermark_t *w = watermark_alloc(&watermark_percentile, &c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    return w;
}

/* Feeds one event of delay d arriving at a; returns D_q = a - W. */
static double feed(watermark_t *w, double a, double d)
{
    workload_event e;
    watermark_input in = {a, INFINITY};
    memset(&e, 0, sizeof e);
    e.arrival_time = a;
    e.event_time = a - d;
    watermark_observe(w, &e);
    return a - watermark_get(w, &in);
}

Test(watermark, rank_is_nearest_rank)
{
    cr_assert_eq(watermark_pct_rank(0.5, 0), 0);
    cr_assert_eq(watermark_pct_rank(0.5, 1), 1);
    cr_assert_eq(watermark_pct_rank(0.5, 4), 2);
    cr_assert_eq(watermark_pct_rank(0.5, 5), 3);
    cr_assert_eq(watermark_pct_rank(1.0, 7), 7);
    cr_assert_eq(watermark_pct_rank(0.01, 7), 1);
    cr_assert_eq(watermark_pct_rank(0.99, 100), 99);
    cr_assert_eq(watermark_pct_rank(0.99, 101), 100);
}

Test(watermark, percentile_few_events_known_answers)
{
    /* q = 0.5, delays 4, 1, 3, 2, 5: ranks ceil(n/2) = 1, 1, 2, 2, 3 of
     * {4}, {1,4}, {1,3,4}, {1,2,3,4}, {1,2,3,4,5} -> 4, 1, 3, 2, 3 */
    static const double d[] = {4, 1, 3, 2, 5}, want[] = {4, 1, 3, 2, 3};
    watermark_t *w = pct_new(0.5);
    watermark_input in = {0, INFINITY};
    cr_assert(watermark_get(w, &in) == -INFINITY, "no event: no watermark");
    for (int i = 0; i < 5; i++)
        cr_assert_eq(feed(w, 10.0 + i, d[i]), want[i], "event %d", i);
    cr_assert(isinf(watermark_next_change(w, 3)), "only moves on reads");
    watermark_free(w);
}

Test(watermark, percentile_q1_is_max_delay)
{
    static const double d[] = {0.5, 2, 1, 7, 3, 0};
    double mx = 0;
    watermark_t *w = pct_new(1.0);
    for (int i = 0; i < 6; i++) {
        mx = fmax(mx, d[i]);
        cr_assert_eq(feed(w, 100.0 + i, d[i]), mx, "event %d", i);
    }
    watermark_free(w);
}

Test(watermark, percentile_small_q_is_min_delay_for_few_events)
{
    /* q = 0.01: rank 1 (the smallest) for n <= 100, rank 2 at n = 101 */
    watermark_t *w = pct_new(0.01);
    double got = 0;
    for (int i = 0; i < 100; i++)
        got = feed(w, i, 5.0 + i);
    cr_assert_eq(got, 5.0);
    cr_assert_eq(feed(w, 100, 1000), 6.0, "n = 101: the second smallest");
    watermark_free(w);
}

Test(watermark, percentile_burst_then_recovery)
{
    /* q = 0.9.  100 events of delay 1: D = 1.  A burst of 20 of delay 50:
     * at n = 100 + j the rank is ceil(0.9 n), so D = 50 once the rank
     * passes the 100 ones: ceil(0.9 n) > 100, n >= 112, the 12th burst
     * event (n = 111: rank ceil(99.9) = 100 -> still 1).  Then delays of 1 again: D returns to 1 once n - rank >=
     * 20, i.e. ceil(0.9 n) <= n - 20 -> n >= 200. */
    watermark_t *w = pct_new(0.9);
    double a = 0, got = 0;
    for (int i = 0; i < 100; i++)
        got = feed(w, a++, 1);
    cr_assert_eq(got, 1);
    for (int j = 1; j <= 20; j++) {
        got = feed(w, a++, 50);
        cr_assert_eq(got, j < 12 ? 1.0 : 50.0, "burst event %d", j);
    }
    for (int n = 121; n <= 210; n++) {
        got = feed(w, a++, 1);
        cr_assert_eq(got, n < 200 ? 50.0 : 1.0, "n = %d", n);
    }
    watermark_free(w);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

/* n random delays (ties when `levels` > 0: delays k/levels-ish from a few
 * values), checked after every event against a sorted array. */
static void brute_force(double q, int n, int levels, uint64_t seed)
{
    double *sorted = malloc((size_t)n * sizeof *sorted);
    watermark_t *w = pct_new(q);
    cr_assert_not_null(sorted);
    for (int i = 0; i < n; i++) {
        double u = (double)lcg(&seed) / 9007199254740992.0;
        double d = levels ? floor(u * levels) : -log(1 - u) * 2.0;
        if (i % 1000 < 50)
            d *= 40; /* bursts of large delays */
        double a = 1000.0 + i;
        d = a - (a - d); /* the delay as the policy computes it */
        int j = i;
        while (j > 0 && sorted[j - 1] > d) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = d;
        uint64_t k = (uint64_t)ceil(q * (i + 1));
        if (k < 1)
            k = 1;
        double got = feed(w, a, d);
        double want = a - (a - sorted[k - 1]);
        cr_assert_eq(got, want, "q %g event %d: D %.17g want %.17g", q, i, got, want);
    }
    watermark_free(w);
    free(sorted);
}

Test(watermark, percentile_exact_against_sorted_array, .timeout = 60)
{
    static const double qs[] = {0.5, 0.9, 0.99, 0.999, 1.0, 0.001};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        brute_force(qs[i], 10000, 0, 42 + i);
        brute_force(qs[i], 10000, 7, 99 + i);
    }
}

Test(watermark, percentile_copy_copies_the_structure)
{
    /* a copy taken after 500 events, fed the same next 500 events as the
     * original, gives the same watermark after each; a fresh instance does
     * not (so the copy really carried the delays) */
    uint64_t s = 7;
    watermark_t *a = pct_new(0.9), *b = pct_new(0.9), *fresh = pct_new(0.9);
    watermark_input in = {0, INFINITY};
    for (int i = 0; i < 500; i++)
        feed(a, i, (double)(lcg(&s) % 1000));
    feed(b, 0, 5); /* b has state of its own that the copy must replace */
    watermark_copy(b, a);
    cr_assert_eq(watermark_get(b, &in), watermark_get(a, &in));
    int differs = 0;
    for (int i = 500; i < 1000; i++) {
        double d = (double)(lcg(&s) % 10);
        double x = feed(a, i, d), y = feed(b, i, d), z = feed(fresh, i, d);
        cr_assert_eq(x, y, "event %d", i);
        differs |= x != z;
    }
    cr_assert(differs, "the copy carried the first 500 delays");
    watermark_free(a);
    watermark_free(b);
    watermark_free(fresh);
}
