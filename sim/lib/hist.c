/*
 * hist: log-linear histogram (HdrHistogram-style buckets).
 *
 * Buckets: bucket 0 holds values below HIST_MIN (and negatives, as 0).
 * Above, each power of two [2^e, 2^(e+1)) for e = HIST_EMIN..HIST_EMAX is
 * cut into HIST_SUB = 64 equal sub-buckets; the bucket index comes straight
 * from the exponent and the top 6 mantissa bits of the double (no log()
 * call: hist_add is a few instructions, it runs once per event).
 *
 * Error bound: sub-bucket j of an octave is [lo, hi) with
 * hi/lo = 1 + 1/(64 + j) <= 1 + 1/64.  Its geometric midpoint
 * m = sqrt(lo*hi) is within sqrt(1 + 1/64) - 1 = 0.78% of every value in
 * it (below HIST_REL_ERR = 1%).  Quantiles report m clamped to the exact
 * [min, max], which can only move it closer to the true value.
 *
 * Range: HIST_MIN = 1e-6 falls in octave 2^-20; values at or above
 * 2^25 s (HIST_TOP, 3.36e7 s, just above HIST_MAX) go to the last bucket.
 * 1 + 45*64 = 2881 counters, fixed.
 */
#include "lib/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_EMIN (-20) /* 2^-20 = 9.5e-7 <= HIST_MIN */
#define HIST_EMAX 24    /* 2^24 = 1.7e7 <= HIST_MAX < 2^25 */
#define HIST_TOP 33554432.0 /* 2^(HIST_EMAX + 1) */
#define HIST_NB (1 + (HIST_EMAX - HIST_EMIN + 1) * HIST_SUB)

struct hist {
    uint64_t n;
    long double sum;
    double min, max;
    uint64_t counts[HIST_NB];
};

static inline size_t bucket_of(double x)
{
    if (!(x >= HIST_MIN)) /* also negatives */
        return 0;
    if (x >= HIST_TOP)
        return HIST_NB - 1;
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    int e = (int)(b >> 52) - 1023; /* x is positive and normal here */
    size_t j = (size_t)(b >> (52 - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return 1 + (size_t)(e - HIST_EMIN) * HIST_SUB + j;
}

/* The reported value of bucket i before clamping. */
static double bucket_value(size_t i)
{
    if (i == 0)
        return 0.0;
    int e = (int)((i - 1) / HIST_SUB) + HIST_EMIN;
    double j = (double)((i - 1) % HIST_SUB);
    double lo = ldexp(1.0 + j / HIST_SUB, e), hi = ldexp(1.0 + (j + 1.0) / HIST_SUB, e);
    return sqrt(lo * hi);
}

static double clamp_value(const hist_t *h, size_t i)
{
    double v = bucket_value(i);
    return v < h->min ? h->min : v > h->max ? h->max : v;
}

hist_t *hist_alloc(void)
{
    hist_t *h = malloc(sizeof *h);
    if (h != NULL) {
        memset(h->counts, 0, sizeof h->counts);
        h->n = 0;
        hist_reset(h);
    }
    return h;
}

void hist_free(hist_t *h)
{
    free(h);
}

/* Only counters bucket_of(min) .. bucket_of(max) can be non-zero
 * (bucket_of is monotone and every value added or merged lies in
 * [min, max]), so only they are cleared: a per-bucket histogram of the
 * timeline is reset once per bucket, and clearing all 23 KB each time
 * showed in profiles. */
void hist_reset(hist_t *h)
{
    if (h->n > 0) {
        size_t lo = bucket_of(h->min), hi = bucket_of(h->max);
        memset(&h->counts[lo], 0, (hi - lo + 1) * sizeof h->counts[0]);
    }
    h->n = 0;
    h->sum = 0.0L;
    h->min = INFINITY;
    h->max = -INFINITY;
}

void hist_add(hist_t *h, double x)
{
    if (!(x > 0.0)) /* negatives (and NaN) count as 0 */
        x = 0.0;
    h->counts[bucket_of(x)]++;
    h->n++;
    h->sum += x;
    if (x < h->min)
        h->min = x;
    if (x > h->max)
        h->max = x;
}

void hist_add2(hist_t *a, hist_t *b, double x)
{
    if (!(x > 0.0))
        x = 0.0;
    size_t i = bucket_of(x);
    a->counts[i]++;
    a->n++;
    a->sum += x;
    if (x < a->min)
        a->min = x;
    if (x > a->max)
        a->max = x;
    b->counts[i]++;
    b->n++;
    b->sum += x;
    if (x < b->min)
        b->min = x;
    if (x > b->max)
        b->max = x;
}

void hist_merge(hist_t *into, const hist_t *from)
{
    for (size_t i = 0; i < HIST_NB; i++)
        into->counts[i] += from->counts[i];
    into->n += from->n;
    into->sum += from->sum;
    if (from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
}

uint64_t hist_count(const hist_t *h)
{
    return h->n;
}

double hist_mean(const hist_t *h)
{
    return h->n ? (double)(h->sum / (long double)h->n) : NAN;
}

double hist_max(const hist_t *h)
{
    return h->n ? h->max : NAN;
}

double hist_min(const hist_t *h)
{
    return h->n ? h->min : NAN;
}

double hist_quantile(const hist_t *h, double q)
{
    if (h->n == 0 || isnan(q))
        return NAN;
    if (q < 0.0)
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    /* Nearest rank: the ceil(q*n)-th smallest value, at least the 1st. */
    double r = ceil(q * (double)h->n);
    uint64_t rank = r < 1.0 ? 1 : r >= (double)h->n ? h->n : (uint64_t)r;
    if (rank == 1)
        return h->min; /* the extreme order statistics are exact */
    if (rank == h->n)
        return h->max;
    uint64_t cum = 0;
    for (size_t i = bucket_of(h->min); i < HIST_NB; i++) { /* none below */
        cum += h->counts[i];
        if (cum >= rank)
            return clamp_value(h, i);
    }
    return h->max; /* not reached: the counts sum to n */
}

void hist_cdf(const hist_t *h, void (*fn)(void *user, double x, double p), void *user)
{
    uint64_t cum = 0;
    for (size_t i = 0; i < HIST_NB && cum < h->n; i++) {
        if (h->counts[i] == 0)
            continue;
        cum += h->counts[i];
        /* The last call has cum == n, so p is exactly 1. */
        fn(user, clamp_value(h, i), (double)cum / (double)h->n);
    }
}
