/* Tests of engine/rng.c: PCG32 as a gsl_rng_type, known answers, the generator
 * property tests of GSL's rng/test.c, and per-component streams. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "engine/rng.h"

Test(rng, known_answer_reference_vector)
{
    /* pcg32_srandom_r(&rng, 42u, 54u) in the reference pcg32-demo. */
    static const uint32_t want[] = { 0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                     0x83d2f293, 0xbfa4784b, 0xcbed606e };
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    cr_assert_not_null(r);
    rng_pcg32_seed(r, 42u, 54u);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        unsigned long got = gsl_rng_get(r);
        cr_assert_eq(got, want[i], "output %zu: got 0x%08lx want 0x%08x", i, got,
                     (unsigned)want[i]);
    }
    gsl_rng_free(r);
}

/* GSL's rng_test: the 10,000th output for seed 1 (gsl_rng_set, default
 * stream) and the first outputs of a derived component stream; both values
 * come from an independent Python transcription of pcg_basic.c. */
Test(rng, known_answer_seed1_and_derived_stream)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_set(r, 1);
    unsigned long k = 0;
    for (int i = 0; i < 10000; i++)
        k = gsl_rng_get(r);
    cr_assert_eq(k, 3731042817UL, "10000th output %lu", k);
    gsl_rng_free(r);
    r = rng_stream_alloc(42, RNG_KEY);
    cr_assert_eq(gsl_rng_get(r), 0x67868e4cUL);
    cr_assert_eq(gsl_rng_get(r), 0xca030b10UL);
    cr_assert_eq(gsl_rng_get(r), 0x0672821eUL);
    gsl_rng_free(r);
}

Test(rng, type_fields)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    cr_assert_str_eq(gsl_rng_name(r), "pcg32");
    cr_assert_eq(gsl_rng_max(r), 0xffffffffUL);
    cr_assert_eq(gsl_rng_min(r), 0UL);
    gsl_rng_free(r);
}

Test(rng, set_uses_default_stream)
{
    /* gsl_rng_set(r, s) == rng_pcg32_seed(r, s, default initseq). */
    gsl_rng *a = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng *b = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_set(a, 12345);
    rng_pcg32_seed(b, 12345, 0xda3e39cb94b95bdbULL >> 1);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(gsl_rng_get(a), gsl_rng_get(b), "step %d", i);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

Test(rng, get_double_in_unit_interval)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_set(r, 7);
    for (int i = 0; i < 1000000; i++) {
        double u = gsl_rng_uniform(r);
        cr_assert(u >= 0.0 && u < 1.0, "draw %d: %.17g", i, u);
    }
    gsl_rng_free(r);
}

/* GSL's rng_float_test: the double output is the integer output scaled by
 * 1/2^32, exactly (both are dyadic rationals that fit in a double). */
Test(rng, integer_double_ratio)
{
    gsl_rng *ri = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng *rf = gsl_rng_alloc(sluice_rng_pcg32);
    rng_pcg32_seed(ri, 99, 3);
    rng_pcg32_seed(rf, 99, 3);
    for (int i = 0; i < 100000; i++) {
        unsigned long k = gsl_rng_get(ri);
        double u = gsl_rng_uniform(rf);
        cr_assert_eq(u, (double)k / 4294967296.0, "step %d: k=%lu u=%.17g", i, k, u);
    }
    gsl_rng_free(ri);
    gsl_rng_free(rf);
}

/* White-box: put the generator in the state whose next output is
 * 0xffffffff (xorshifted bits 27..58 all ones, inverted through the
 * xorshift) and check that get_double gives (2^32-1)/2^32, not 1.0.  The
 * state is {uint64 state, uint64 inc}, as in pcg_basic.c. */
Test(rng, get_double_top_value_below_one)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    cr_assert_eq(gsl_rng_size(r), 2 * sizeof(uint64_t));
    uint64_t y = 0x07fffffff8000000ULL; /* wanted old ^ (old >> 18) */
    uint64_t x = y ^ (y >> 18) ^ (y >> 36) ^ (y >> 54);
    cr_assert_eq(x ^ (x >> 18), y);
    uint64_t st[2];
    memcpy(st, gsl_rng_state(r), sizeof st);
    st[0] = x;
    memcpy(gsl_rng_state(r), st, sizeof st);
    gsl_rng *c = gsl_rng_clone(r);
    cr_assert_eq(gsl_rng_get(c), 0xffffffffUL);
    double u = gsl_rng_uniform(r);
    cr_assert(u < 1.0, "u = %.17g", u);
    cr_assert_eq(u, 4294967295.0 / 4294967296.0);
    gsl_rng_free(r);
    gsl_rng_free(c);
}

/* GSL's rng_state_test: save the state, draw, restore, draw the same. */
Test(rng, state_save_restore)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng *saved = gsl_rng_alloc(sluice_rng_pcg32);
    rng_pcg32_seed(r, 2024, 11);
    for (int i = 0; i < 1000; i++)
        (void)gsl_rng_get(r);
    gsl_rng_memcpy(saved, r);
    unsigned long first[1000];
    for (int i = 0; i < 1000; i++)
        first[i] = gsl_rng_get(r);
    gsl_rng_memcpy(r, saved);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gsl_rng_get(r), first[i], "step %d after restore", i);
    gsl_rng_free(r);
    gsl_rng_free(saved);
}

/* GSL's rng_parallel_state_test: a copy and a clone stay in step through
 * get, uniform_int and uniform (no hidden state shared between them). */
Test(rng, clone_and_copy_stay_in_step)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    rng_pcg32_seed(r, 5, 77);
    for (int i = 0; i < 10000; i++)
        (void)gsl_rng_get(r);
    gsl_rng *c = gsl_rng_clone(r);
    gsl_rng *m = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_memcpy(m, r);
    for (int i = 0; i < 10000; i++) {
        unsigned long a = gsl_rng_get(r);
        cr_assert_eq(a, gsl_rng_get(c), "clone step %d", i);
        cr_assert_eq(a, gsl_rng_get(m), "memcpy step %d", i);
        unsigned long b = gsl_rng_uniform_int(r, 1234);
        cr_assert_eq(b, gsl_rng_uniform_int(c, 1234), "clone step %d", i);
        cr_assert_eq(b, gsl_rng_uniform_int(m, 1234), "memcpy step %d", i);
        double u = gsl_rng_uniform(r);
        cr_assert_eq(u, gsl_rng_uniform(c), "clone step %d", i);
        cr_assert_eq(u, gsl_rng_uniform(m), "memcpy step %d", i);
    }
    gsl_rng_free(r);
    gsl_rng_free(c);
    gsl_rng_free(m);
}

/* GSL's rng_max_test / rng_min_test: over 200,000 draws the largest and
 * smallest outputs come within 7 times the expected gap (max/N2) of the
 * ends of the range, for the seeds GSL uses (1 and 12345). */
Test(rng, max_and_min_cover_range)
{
    const int n2 = 200000;
    unsigned long seeds[] = { 1, 12345 };
    for (size_t s = 0; s < 2; s++) {
        gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
        gsl_rng_set(r, seeds[s]);
        unsigned long mx = 0, mn = 0xffffffffUL;
        for (int i = 0; i < n2; i++) {
            unsigned long k = gsl_rng_get(r);
            cr_assert_leq(k, 0xffffffffUL);
            mx = k > mx ? k : mx;
            mn = k < mn ? k : mn;
        }
        double gap = 4294967295.0 / n2;
        cr_assert(0xffffffffUL - mx <= 7 * gap, "seed %lu: max %lu", seeds[s], mx);
        cr_assert(mn <= 7 * gap, "seed %lu: min %lu", seeds[s], mn);
        gsl_rng_free(r);
    }
}

/* GSL's rng_sum_test: the mean of N uniforms is 1/2 with standard error
 * sqrt(1/12/N); 5 standard errors fail with probability 6e-7 for a good
 * generator (and the seed is fixed, so this is deterministic). */
Test(rng, uniform_mean)
{
    const int n = 1000000;
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    gsl_rng_set(r, 1);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += gsl_rng_uniform(r);
    double mean = sum / n, se = sqrt(1.0 / 12.0 / n);
    cr_assert(fabs(mean - 0.5) < 5 * se, "mean %.6f, se %.6f", mean, se);
    gsl_rng_free(r);
}

/* Chi-square test of gsl_rng_uniform_int(r, 10) over 100,000 draws with a
 * fixed seed: 9 degrees of freedom, rejected at significance 0.001 (and
 * also when suspiciously good, upper tail p > 0.999). */
Test(rng, uniform_int_chi_square)
{
    const unsigned long k = 10;
    const int n = 100000;
    unsigned long seeds[] = { 1, 42, 123456789 };
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
        gsl_rng_set(r, seeds[s]);
        long cnt[10] = { 0 };
        for (int i = 0; i < n; i++) {
            unsigned long v = gsl_rng_uniform_int(r, k);
            cr_assert(v < k);
            cnt[v]++;
        }
        double e = (double)n / k, chi2 = 0;
        for (unsigned long i = 0; i < k; i++)
            chi2 += (cnt[i] - e) * (cnt[i] - e) / e;
        double p = gsl_cdf_chisq_Q(chi2, (double)(k - 1));
        cr_assert(p > 0.001 && p < 0.999, "seed %lu: chi2 %.3f p %.5f", seeds[s], chi2, p);
        gsl_rng_free(r);
    }
}

Test(rng, derive_known_values_and_spread)
{
    /* SplitMix64 of 0 + golden*1: the first output of the reference
     * splitmix64 seeded with 0. */
    cr_assert_eq(rng_derive(0, 1), 0xe220a8397b1dcdafULL);
    /* Distinct for every (master, component) pair we use. */
    uint64_t v[4 * 14];
    size_t n = 0;
    for (uint64_t m = 0; m < 4; m++)
        for (uint64_t c = 0; c < 14; c++)
            v[n++] = rng_derive(m, c);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            cr_assert_neq(v[i], v[j], "collision %zu %zu", i, j);
}

Test(rng, components_give_different_streams)
{
    enum { NC = 13, NOUT = 8 };
    unsigned long out[NC][NOUT];
    for (unsigned c = 1; c <= NC; c++) {
        gsl_rng *r = rng_stream_alloc(42, c);
        cr_assert_not_null(r);
        for (int i = 0; i < NOUT; i++)
            out[c - 1][i] = gsl_rng_get(r);
        gsl_rng_free(r);
    }
    for (int a = 0; a < NC; a++)
        for (int b = a + 1; b < NC; b++)
            cr_assert(memcmp(out[a], out[b], sizeof out[a]) != 0,
                      "components %d and %d give the same stream", a + 1, b + 1);
    /* Same (master, component): same stream; other master: another. */
    gsl_rng *r1 = rng_stream_alloc(42, RNG_KEY);
    gsl_rng *r2 = rng_stream_alloc(42, RNG_KEY);
    gsl_rng *r3 = rng_stream_alloc(43, RNG_KEY);
    int same13 = 1;
    for (int i = 0; i < 100; i++) {
        unsigned long a = gsl_rng_get(r1);
        cr_assert_eq(a, gsl_rng_get(r2), "step %d", i);
        same13 &= a == gsl_rng_get(r3);
    }
    cr_assert(!same13);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    gsl_rng_free(r3);
}

/* gsl_ran_exponential(r, mu) has mean mu and standard deviation mu: the
 * sample mean of n draws is within 5 standard errors (mu/sqrt(n)) of mu
 * unless something is wrong (probability 6e-7 per seed for a good
 * generator; seeds are fixed, so the outcome is deterministic). */
Test(rng, exponential_mean)
{
    const int n = 200000;
    const double mu = 2.5;
    for (unsigned seed = 1; seed <= 5; seed++) {
        gsl_rng *r = rng_stream_alloc(seed, RNG_DELAY);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += gsl_ran_exponential(r, mu);
        double mean = sum / n, se = mu / sqrt((double)n);
        cr_assert(fabs(mean - mu) < 5 * se, "seed %u: mean %.5f want %.5f +- %.5f", seed,
                  mean, mu, 5 * se);
        gsl_rng_free(r);
    }
}
