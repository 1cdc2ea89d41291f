/*
 * hist: log-bucketed histogram of non-negative values (latencies, s) with
 * bounded relative error, exact count, mean and max.
 *
 * Rules of this module
 *  - Buckets grow geometrically by the factor (1+e)^2/(1-e)^2-ish chosen so
 *    that reporting a bucket's geometric midpoint is within HIST_REL_ERR
 *    (1%) of any value in it.  Range HIST_MIN..HIST_MAX seconds (1 us to
 *    ~1 year); smaller values fall in an underflow bucket reported as 0,
 *    larger ones are clamped into the last bucket (max stays exact).
 *  - Memory is fixed (about 2,000 counters) whatever the number of values.
 *  - Mean, min and max are exact (sums in long double).
 */
#ifndef SLUICE_HIST_H
#define SLUICE_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_REL_ERR 0.01
#define HIST_MIN 1e-6
#define HIST_MAX 3.2e7

typedef struct hist hist_t;

hist_t *hist_alloc(void);          /* NULL on OOM */
void hist_free(hist_t *h);         /* hist_free(NULL) is fine */
void hist_reset(hist_t *h);
void hist_add(hist_t *h, double x); /* x < 0 counts as 0 */
void hist_merge(hist_t *into, const hist_t *from);
uint64_t hist_count(const hist_t *h);
double hist_mean(const hist_t *h); /* NAN when empty */
double hist_max(const hist_t *h);  /* NAN when empty */
double hist_min(const hist_t *h);  /* NAN when empty */
/* The q-quantile (0 <= q <= 1), nearest-rank, within HIST_REL_ERR of the
 * exact order statistic; NAN when empty. */
double hist_quantile(const hist_t *h, double q);

/* CDF points for plots: calls fn(user, value, cumulative share) once per
 * non-empty bucket, ascending. */
void hist_cdf(const hist_t *h, void (*fn)(void *user, double x, double p), void *user);

#endif
