/*
 * hist: log-bucketed histogram of non-negative values (latencies, s) with
 * bounded relative error, exact count, mean and max.
 *
 * Rules of this module
 *  - Buckets are log-linear (as HdrHistogram): each power of two is cut
 *    into 64 equal sub-buckets, so a bucket's width is at most 1/64 of its
 *    lower bound and its geometric midpoint is within sqrt(1+1/64) - 1 =
 *    0.78% of any value in it, inside HIST_REL_ERR (1%).  Range HIST_MIN
 *    .. 2^25 s (1 us to ~1 year; 2^25 = 3.36e7 is just above HIST_MAX):
 *    smaller values (and negatives and NaN, counted as 0) fall in an
 *    underflow bucket reported as 0 (then clamped to min), larger ones are clamped into the last
 *    bucket; min, max and mean stay exact in both cases.
 *  - Quantiles are nearest-rank: the ceil(q*n)-th smallest value (at least
 *    the 1st).  The 1st and n-th are reported exactly (min, max); others as
 *    their bucket's geometric midpoint clamped to [min, max].
 *  - Memory is fixed (2,881 counters, 23 KB) whatever the number of
 *    values; hist_add is O(1) with no log() call, quantile and cdf scan
 *    the counters (O(2,881)).
 *  - Mean, min and max are exact (sums in long double).  Merging two
 *    histograms gives the same counts as adding all values to one.
 *  - The caller owns a hist_t (hist_alloc / hist_free).
 */
#ifndef SLUICE_HIST_H
#define SLUICE_HIST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HIST_REL_ERR 0.01
#define HIST_MIN 1e-6
#define HIST_MAX 3.2e7

typedef struct hist hist_t;

hist_t *hist_alloc(void);          /* NULL on OOM */
void hist_free(hist_t *h);         /* hist_free(NULL) is fine */
void hist_reset(hist_t *h);
void hist_add(hist_t *h, double x); /* x < 0 counts as 0 */
/* hist_add(a, x) then hist_add(b, x), the bucket found once. */
void hist_add2(hist_t *a, hist_t *b, double x);
void hist_merge(hist_t *into, const hist_t *from);
uint64_t hist_count(const hist_t *h);
double hist_mean(const hist_t *h); /* NAN when empty */
double hist_max(const hist_t *h);  /* NAN when empty */
double hist_min(const hist_t *h);  /* NAN when empty */
/* The q-quantile (0 <= q <= 1), nearest-rank, within HIST_REL_ERR of the
 * exact order statistic; NAN when empty. */
double hist_quantile(const hist_t *h, double q);

/* CDF points for plots: calls fn(user, value, cumulative share) once per
 * non-empty bucket, ascending; value as hist_quantile reports it, the share
 * of values in this bucket or below; the last share is exactly 1.  No
 * call when empty. */
void hist_cdf(const hist_t *h, void (*fn)(void *user, double x, double p), void *user);

#ifdef __cplusplus
}
#endif

#endif
