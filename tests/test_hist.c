/* Tests of lib/hist.c: quantiles against exact order statistics, the bucket
 * error bound over the whole range, exact moments, merge, reset, empty,
 * CDF. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "lib/hist.h"
#include "engine/rng.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.999 };

/* The same nearest-rank definition as lib/hist.h: the ceil(q*n)-th smallest. */
static double exact_quantile(const double *sorted, size_t n, double q)
{
    double r = ceil(q * (double)n);
    size_t rank = r < 1 ? 1 : r > (double)n ? n : (size_t)r;
    return sorted[rank - 1];
}

enum dist { LOGNORMAL, EXPONENTIAL };

static void check_quantiles(enum dist d, double p1, double p2, uint64_t seed)
{
    const size_t n = 100000;
    double *x = malloc(n * sizeof *x);
    gsl_rng *r = rng_stream_alloc(seed, RNG_SERVICE);
    hist_t *h = hist_alloc();
    cr_assert(x && r && h);
    long double sum = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = d == LOGNORMAL ? gsl_ran_lognormal(r, p1, p2) : gsl_ran_exponential(r, p1);
        hist_add(h, x[i]);
        sum += x[i];
    }
    qsort(x, n, sizeof *x, cmp_double);
    cr_assert_eq(hist_count(h), n);
    cr_assert_eq(hist_min(h), x[0]);
    cr_assert_eq(hist_max(h), x[n - 1]);
    /* The mean is a long double sum in both: equal up to rounding of the
     * final division (relative 1e-12 is far above that, far below any
     * real error). */
    double mean = (double)(sum / n);
    cr_assert(fabs(hist_mean(h) - mean) <= 1e-12 * mean, "seed %llu mean %.17g want %.17g",
              (unsigned long long)seed, hist_mean(h), mean);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = exact_quantile(x, n, qs[i]), got = hist_quantile(h, qs[i]);
        cr_assert(fabs(got - want) <= HIST_REL_ERR * want,
                  "dist %d seed %llu q=%g: got %.9g want %.9g (rel err %.4f)", (int)d,
                  (unsigned long long)seed, qs[i], got, want, fabs(got - want) / want);
    }
    cr_assert_eq(hist_quantile(h, 0.0), x[0]);
    cr_assert_eq(hist_quantile(h, 1.0), x[n - 1]);
    free(x);
    gsl_rng_free(r);
    hist_free(h);
}

Test(hist, quantiles_lognormal)
{
    /* A latency-like lognormal (median e^-3 = 50 ms, heavy tail) and a
     * wide one spanning ~8 decades. */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_quantiles(LOGNORMAL, -3.0, 1.0, seed);
        check_quantiles(LOGNORMAL, 0.0, 2.5, seed);
    }
}

Test(hist, quantiles_exponential)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_quantiles(EXPONENTIAL, 0.1, 0, seed);
        check_quantiles(EXPONENTIAL, 1000.0, 0, seed);
    }
}

/* Every value in range is reported within sqrt(1+1/64)-1 (0.78%) of
 * itself when it is neither the min nor the max: put it between the range
 * ends and ask for the median (rank 2 of 3). */
Test(hist, bucket_error_bound_whole_range)
{
    const double bound = sqrt(1.0 + 1.0 / 64.0) - 1.0;
    cr_assert(bound < HIST_REL_ERR);
    hist_t *h = hist_alloc();
    double worst = 0;
    for (double x = HIST_MIN; x < HIST_MAX; x *= 1.0037) {
        hist_reset(h);
        hist_add(h, HIST_MIN);
        hist_add(h, x);
        hist_add(h, HIST_MAX);
        double got = hist_quantile(h, 0.5), err = fabs(got - x) / x;
        if (err > worst)
            worst = err;
        cr_assert(err <= bound * (1 + 1e-9), "x=%.9g got %.9g err %.5f", x, got, err);
    }
    /* The bound is tight: some value gets close to it. */
    cr_assert_gt(worst, 0.7 * bound);
    hist_free(h);
}

Test(hist, exact_moments_negative_and_tiny)
{
    hist_t *h = hist_alloc();
    for (int i = 1; i <= 1000; i++)
        hist_add(h, i);
    cr_assert_eq(hist_mean(h), 500.5);
    cr_assert_eq(hist_min(h), 1);
    cr_assert_eq(hist_max(h), 1000);
    /* nearest rank: the 500th value is 500 */
    cr_assert(fabs(hist_quantile(h, 0.5) - 500) <= HIST_REL_ERR * 500);
    hist_reset(h);
    hist_add(h, -5); /* counts as 0 */
    hist_add(h, 1e-9); /* underflow bucket */
    hist_add(h, 2.0);
    cr_assert_eq(hist_count(h), 3);
    cr_assert_eq(hist_min(h), 0.0);
    cr_assert_eq(hist_max(h), 2.0);
    cr_assert(fabs(hist_mean(h) - (2.0 + 1e-9) / 3) < 1e-15);
    cr_assert_eq(hist_quantile(h, 0.5), 0.0); /* underflow bucket, reported as 0 */
    hist_add(h, 1e9); /* beyond the range: max stays exact */
    cr_assert_eq(hist_max(h), 1e9);
    cr_assert_eq(hist_quantile(h, 1.0), 1e9);
    hist_free(h);
}

Test(hist, empty_is_nan)
{
    hist_t *h = hist_alloc();
    cr_assert_eq(hist_count(h), 0);
    cr_assert(isnan(hist_mean(h)));
    cr_assert(isnan(hist_min(h)));
    cr_assert(isnan(hist_max(h)));
    cr_assert(isnan(hist_quantile(h, 0.5)));
    hist_add(h, 1.0);
    cr_assert(isnan(hist_quantile(h, NAN)));
    cr_assert_eq(hist_quantile(h, 0.5), 1.0); /* clamped to [min, max] */
    cr_assert_eq(hist_quantile(h, -1), 1.0);
    cr_assert_eq(hist_quantile(h, 2), 1.0);
    hist_free(h);
    hist_free(NULL);
}

typedef struct cdf_rec {
    int calls;
    double last_x, last_p;
    int ok;
} cdf_rec;

static void cdf_cb(void *user, double x, double p)
{
    cdf_rec *c = user;
    if (c->calls > 0 && !(x > c->last_x && p > c->last_p))
        c->ok = 0;
    if (!(p > 0 && p <= 1))
        c->ok = 0;
    c->calls++;
    c->last_x = x;
    c->last_p = p;
}

Test(hist, cdf_ascends_and_ends_at_one)
{
    hist_t *h = hist_alloc();
    cdf_rec c = { 0, 0, 0, 1 };
    hist_cdf(h, cdf_cb, &c);
    cr_assert_eq(c.calls, 0);
    gsl_rng *r = rng_stream_alloc(5, RNG_DELAY);
    for (int i = 0; i < 30000; i++)
        hist_add(h, gsl_ran_lognormal(r, 0, 1.5));
    hist_cdf(h, cdf_cb, &c);
    cr_assert(c.ok, "cdf not strictly ascending or p out of (0,1]");
    cr_assert_gt(c.calls, 100);
    cr_assert_eq(c.last_p, 1.0);
    cr_assert_eq(c.last_x, hist_max(h));
    gsl_rng_free(r);
    hist_free(h);
}

Test(hist, merge_equals_adding_both_and_reset)
{
    hist_t *a = hist_alloc(), *b = hist_alloc(), *all = hist_alloc();
    gsl_rng *r = rng_stream_alloc(9, RNG_DELAY);
    for (int i = 0; i < 20000; i++) {
        double x = gsl_ran_exponential(r, 0.5), y = gsl_ran_lognormal(r, 1, 1);
        hist_add(a, x);
        hist_add(b, y);
        hist_add(all, x);
        hist_add(all, y);
    }
    hist_merge(a, b);
    cr_assert_eq(hist_count(a), hist_count(all));
    cr_assert_eq(hist_min(a), hist_min(all));
    cr_assert_eq(hist_max(a), hist_max(all));
    cr_assert(fabs(hist_mean(a) - hist_mean(all)) <= 1e-12 * hist_mean(all));
    for (double q = 0; q <= 1.0; q += 0.001)
        cr_assert_eq(hist_quantile(a, q), hist_quantile(all, q), "q=%g", q);
    /* Merging an empty histogram changes nothing, into an empty copies. */
    hist_t *e = hist_alloc();
    hist_merge(a, e);
    cr_assert_eq(hist_count(a), hist_count(all));
    cr_assert_eq(hist_min(a), hist_min(all));
    hist_merge(e, all);
    cr_assert_eq(hist_quantile(e, 0.99), hist_quantile(all, 0.99));
    cr_assert_eq(hist_min(e), hist_min(all));
    /* Reset: empty again, then behaves like a fresh histogram. */
    hist_reset(a);
    cr_assert_eq(hist_count(a), 0);
    cr_assert(isnan(hist_quantile(a, 0.5)));
    hist_add(a, 3.0);
    hist_add(a, 4.0);
    cr_assert_eq(hist_min(a), 3.0);
    cr_assert_eq(hist_max(a), 4.0);
    cr_assert_eq(hist_mean(a), 3.5);
    gsl_rng_free(r);
    hist_free(a);
    hist_free(b);
    hist_free(all);
    hist_free(e);
}

/* hist_add2(a, b, x) is hist_add(a, x) then hist_add(b, x); and hist_reset
 * (which clears only the counters between min's and max's buckets) leaves
 * a histogram that behaves exactly like a new one: over many rounds of
 * values spread over the whole range (incl. 0, negatives, tiny and huge
 * values), every quantile, the CDF and the moments of the reused pair match
 * a fresh histogram fed the same round.  Exact equality: same counters. */
static void cdf_sum(void *user, double x, double p)
{
    double *acc = user;
    acc[0] += x * p;
    acc[1] += 1;
}

Test(hist, add2_and_reset_reuse_match_fresh)
{
    gsl_rng *r = rng_stream_alloc(7, RNG_SERVICE);
    hist_t *a = hist_alloc(), *b = hist_alloc();
    cr_assert(r && a && b);
    for (int round = 0; round < 40; round++) {
        hist_t *fresh = hist_alloc();
        cr_assert(fresh);
        hist_reset(a);
        hist_reset(b);
        int n = 1 + (int)gsl_rng_uniform_int(r, 2000);
        double scale = ldexp(1.0, (int)gsl_rng_uniform_int(r, 50) - 22);
        for (int i = 0; i < n; i++) {
            double x = gsl_ran_exponential(r, scale);
            if (i % 97 == 0)
                x = -x; /* negatives count as 0 */
            hist_add2(a, b, x);
            hist_add(fresh, x);
        }
        const hist_t *hs[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            cr_assert_eq(hist_count(hs[k]), hist_count(fresh), "round %d", round);
            cr_assert_eq(hist_mean(hs[k]), hist_mean(fresh), "round %d", round);
            cr_assert_eq(hist_min(hs[k]), hist_min(fresh), "round %d", round);
            cr_assert_eq(hist_max(hs[k]), hist_max(fresh), "round %d", round);
            for (int q = 0; q <= 100; q++)
                cr_assert_eq(hist_quantile(hs[k], q / 100.0), hist_quantile(fresh, q / 100.0),
                             "round %d q %d", round, q);
            double c1[2] = {0, 0}, c2[2] = {0, 0};
            hist_cdf(hs[k], cdf_sum, c1);
            hist_cdf(fresh, cdf_sum, c2);
            cr_assert_eq(c1[0], c2[0], "round %d", round);
            cr_assert_eq(c1[1], c2[1], "round %d", round);
        }
        hist_free(fresh);
    }
    hist_free(a);
    hist_free(b);
    gsl_rng_free(r);
}
