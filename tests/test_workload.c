/* Tests of model/workload.c: the workload generator against its theoretical
 * distributions, stream independence, arrival order, bounded memory, the
 * perfect-watermark oracle, outages, trace files and the profile.
 *
 * Statistical tests use fixed seeds, so they are deterministic; each
 * states its significance level.  Goodness-of-fit tests (KS, chi-square)
 * reject at alpha = 0.001, and each distribution test also checks that the
 * same data REJECT a slightly wrong distribution, so a test that cannot
 * fail would show up. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/workload.h"

#include "util.h"

#define ALPHA 0.001

/* A complete workload configuration built by hand (no model/config.c needed). */
static void base_cfg(config_t *c, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->run.seed = seed;
    c->run.duration = 100;
    c->workload.source = SRC_GENERATE;
    c->workload.rate = 100;
    c->workload.arrival = ARR_POISSON;
    c->workload.mmpp_rate_high = 100;
    c->workload.mmpp_rate_low = 5;
    c->workload.mmpp_high_mean = 1;
    c->workload.mmpp_low_mean = 1;
    c->workload.diurnal_amplitude = 0.5;
    c->workload.diurnal_period = 100;
    c->workload.keys = 10;
    c->workload.key_dist = KEY_UNIFORM;
    c->workload.zipf_s = 1.0;
    c->workload.value_dist = VAL_CONSTANT;
    c->workload.value = 1;
    c->workload.value_max = 10;
    c->workload.delay = DELAY_NONE;
    c->workload.delay_mean = 1;
    c->workload.delay_sigma = 1;
    c->workload.delay_shape = 2;
    c->workload.late_fraction = 0;
    c->workload.late_delay_mean = 10;
    c->workload.sources = 1;
    c->workload.source_skew = 0;
}

/* Every event of c in delivery order; caller frees. */
static workload_event *gen_all(const config_t *c, size_t *n)
{
    char err[512];
    workload_t *w = workload_open(c, err, sizeof err);
    size_t cap = 1024;
    workload_event *v = malloc(cap * sizeof *v);
    cr_assert_not_null(w, "workload_open: %s", err);
    *n = 0;
    while (workload_peek(w) < INFINITY) {
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            cr_assert_not_null(v);
        }
        cr_assert_eq(workload_next(w, &v[*n]), WL_OK);
        (*n)++;
    }
    workload_event none;
    cr_assert_eq(workload_next(w, &none), WL_ERR, "workload_next after the end");
    cr_assert_str_eq(workload_error(w), "");
    cr_assert_eq(workload_count(w), *n);
    workload_free(w);
    return v;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Field by field (workload_event has padding, so no memcmp). */
static int same_events(const workload_event *a, const workload_event *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].id != b[i].id || a[i].seq != b[i].seq || a[i].key != b[i].key ||
            a[i].value != b[i].value || a[i].event_time != b[i].event_time ||
            a[i].arrival_time != b[i].arrival_time)
            return 0;
    return 1;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Kolmogorov distribution tail Q(lambda) = 2 sum (-1)^(j-1) exp(-2 j^2 l^2). */
static double ks_q(double lambda)
{
    double s = 0, sign = 1;
    if (lambda < 0.2)
        return 1.0;
    for (int j = 1; j <= 100; j++) {
        double t = sign * exp(-2.0 * j * j * lambda * lambda);
        s += t;
        if (fabs(t) < 1e-12)
            break;
        sign = -sign;
    }
    s *= 2;
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

typedef double (*cdf_fn)(double x, const double *p);

/* One-sample KS test: p-value of the sample x (sorted here) under cdf,
 * with Stephens' small-sample correction of the statistic. */
static double ks_pvalue_(double *x, size_t n, cdf_fn cdf, const double *p)
{
    double d = 0, sn = sqrt((double)n);
    qsort(x, n, sizeof *x, dcmp);
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], p);
        double a = f - (double)i / (double)n, b = (double)(i + 1) / (double)n - f;
        if (a > d)
            d = a;
        if (b > d)
            d = b;
    }
    return ks_q((sn + 0.12 + 0.11 / sn) * d);
}

static double ks_pvalue(double *x, size_t n, cdf_fn cdf, const double *p)
{
    double pv = ks_pvalue_(x, n, cdf, p);
    cr_log_info("KS n=%zu p=%g", n, pv);
    return pv;
}

static double cdf_exp(double x, const double *p) { return gsl_cdf_exponential_P(x, p[0]); }
static double cdf_lognormal(double x, const double *p) { return gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double cdf_pareto(double x, const double *p) { return gsl_cdf_pareto_P(x, p[0], p[1]); }

/* Delays (arrival - event time) of every event of c. */
static double *delays(const config_t *c, size_t *n)
{
    workload_event *v = gen_all(c, n);
    double *d = malloc(*n * sizeof *d);
    for (size_t i = 0; i < *n; i++)
        d[i] = v[i].arrival_time - v[i].event_time;
    free(v);
    return d;
}

static double mean_of(const double *x, size_t n)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return (double)(s / n);
}

/* ---- arrival processes ---- */

Test(wl, poisson_interarrival_times_are_exponential)
{
    config_t c;
    size_t n;
    base_cfg(&c, 101);
    c.run.duration = 200; /* ~20,000 events */
    workload_event *v = gen_all(&c, &n);
    double *gap = malloc(n * sizeof *gap);
    cr_assert_gt(n, 19000);
    for (size_t i = 1; i < n; i++) {
        cr_assert_eq(v[i].arrival_time, v[i].event_time, "no delay configured");
        gap[i - 1] = v[i].event_time - v[i - 1].event_time;
    }
    double mean = 1.0 / c.workload.rate, wrong = 1.1 / c.workload.rate;
    double p = ks_pvalue(gap, n - 1, cdf_exp, &mean);
    cr_assert_gt(p, ALPHA, "KS vs Exp(rate): p = %g (seed 101)", p);
    p = ks_pvalue(gap, n - 1, cdf_exp, &wrong);
    cr_assert_lt(p, ALPHA, "KS must reject Exp(rate/1.1): p = %g", p);
    free(gap);
    free(v);
}

Test(wl, constant_arrivals_are_evenly_spaced)
{
    config_t c;
    size_t n;
    base_cfg(&c, 1);
    c.workload.arrival = ARR_CONSTANT;
    c.workload.rate = 10;
    c.run.duration = 100;
    workload_event *v = gen_all(&c, &n);
    cr_assert_eq(n, 1000, "k/rate for k = 0..999 lies in [0, 100)");
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(v[i].event_time, (double)i / 10.0, "event %zu", i);
        cr_assert_eq(v[i].id, i);
    }
    free(v);
}

/* Counts of event times per 1 s interval over [0, duration). */
static double *counts_per_second(const workload_event *v, size_t n, size_t nb)
{
    double *k = calloc(nb, sizeof *k);
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)v[i].event_time;
        cr_assert_lt(b, nb);
        k[b] += 1;
    }
    return k;
}

static void mean_var(const double *x, size_t n, double *m, double *var)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *m = s / n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - *m) * (x[i] - *m);
    *var = ss / (n - 1);
}

Test(wl, poisson_counts_have_variance_equal_to_mean)
{
    config_t c;
    size_t n, nb = 2000;
    double m, var;
    base_cfg(&c, 202);
    c.workload.rate = 50;
    c.run.duration = (double)nb;
    workload_event *v = gen_all(&c, &n);
    /* n ~ Poisson(100,000): sd 316; 4.5 sd */
    cr_assert_lt(fabs((double)n - 100000.0), 1423.0, "n = %zu", n);
    double *k = counts_per_second(v, n, nb);
    mean_var(k, nb, &m, &var);
    /* Dispersion test: (nb - 1) var / mean ~ chi2(nb - 1) for Poisson
     * counts; two-sided at alpha = 0.001. */
    double stat = (nb - 1) * var / m;
    cr_log_info("poisson var/mean %g", var / m);
    double lo = gsl_cdf_chisq_Pinv(ALPHA / 2, nb - 1), hi = gsl_cdf_chisq_Qinv(ALPHA / 2, nb - 1);
    cr_assert(stat > lo && stat < hi, "dispersion %g (var/mean %g) outside [%g, %g]", stat,
              var / m, lo, hi);
    free(k);
    free(v);
}

Test(wl, mmpp_counts_are_overdispersed)
{
    config_t c;
    size_t n, nb = 4000;
    double m, var;
    base_cfg(&c, 303);
    c.workload.arrival = ARR_MMPP;
    c.run.duration = (double)nb;
    workload_event *v = gen_all(&c, &n);
    double *k = counts_per_second(v, n, nb);
    mean_var(k, nb, &m, &var);
    /* Stationary 2-state MMPP, rates 100/5, switching rates 1/s each:
     * mean rate 52.5; Var N(T) = 52.5 T + 2 pi1 pi2 (l1-l2)^2 (T/r -
     * (1 - e^-rT)/r^2) with r = 2, T = 1: index of dispersion 25.39.
     * The sample variance of strongly correlated, over-dispersed counts
     * is noisy: +-30% is about 4 standard errors at 4000 intervals. */
    double want = 1 + 2 * 0.25 * 95.0 * 95.0 * (0.5 - (1 - exp(-2.0)) / 4) / 52.5;
    cr_log_info("mmpp mean %g var/mean %g theory %g", m, var / m, want);
    cr_assert_lt(fabs(m - 52.5) / 52.5, 0.08, "mean rate %g", m);
    cr_assert_gt(var / m, 10.0, "clearly over-dispersed: var/mean %g", var / m);
    cr_assert_lt(fabs(var / m - want) / want, 0.3, "var/mean %g, theory %g", var / m, want);
    free(k);
    free(v);
}

static double cdf_phase(double x, const double *p)
{
    /* phase x in [0,1) of the diurnal cycle: density 1 + a sin(2 pi x) */
    return x + p[0] * (1 - cos(2 * M_PI * x)) / (2 * M_PI);
}

Test(wl, diurnal_rate_follows_the_sine)
{
    config_t c;
    size_t n;
    base_cfg(&c, 404);
    c.workload.arrival = ARR_DIURNAL;
    c.run.duration = 2000; /* 20 periods of 100 s, ~200,000 events */
    workload_event *v = gen_all(&c, &n);
    double a = c.workload.diurnal_amplitude, P = c.workload.diurnal_period;
    double peak = 0, trough = 0;
    double *ph = malloc(n * sizeof *ph);
    for (size_t i = 0; i < n; i++) {
        double x = fmod(v[i].event_time, P) / P;
        ph[i] = x;
        if (x >= 0.125 && x < 0.375)
            peak++;
        else if (x >= 0.625 && x < 0.875)
            trough++;
    }
    /* mean of sin over the peak quarter is 2 sqrt 2 / pi = 0.9003: the
     * peak quarter has rate * (1 + 0.9003 a), the trough (1 - 0.9003 a).
     * Expected counts 72,508 and 27,492, sd 270 and 166: 3% is > 5 sd. */
    double q = c.workload.rate * c.run.duration / 4, s = 2 * sqrt(2) / M_PI;
    cr_log_info("diurnal peak %g (%g) trough %g (%g) n %zu", peak, q * (1 + s * a), trough,
                q * (1 - s * a), n);
    cr_assert_lt(fabs(peak / (q * (1 + s * a)) - 1), 0.03, "peak %g", peak);
    cr_assert_lt(fabs(trough / (q * (1 - s * a)) - 1), 0.03, "trough %g", trough);
    cr_assert_lt(fabs((double)n / 200000.0 - 1), 0.02, "mean rate: n = %zu", n);
    /* (peak - trough) / mean quarter = 2 * 0.9003 a: "about the amplitude" */
    cr_assert_lt(fabs((peak - trough) / q - 2 * s * a), 0.05);
    /* and the whole phase distribution, KS at alpha 0.001 */
    double pv = ks_pvalue(ph, n, cdf_phase, &a), wrong = 0.45;
    cr_assert_gt(pv, ALPHA, "phases vs 1 + a sin: p = %g", pv);
    pv = ks_pvalue(ph, n, cdf_phase, &wrong);
    cr_assert_lt(pv, ALPHA, "must reject amplitude 0.45: p = %g", pv);
    free(ph);
    free(v);
}

/* ---- delays ---- */

Test(wl, delay_none_and_constant)
{
    config_t c;
    size_t n;
    base_cfg(&c, 5);
    workload_event *v = gen_all(&c, &n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].arrival_time, v[i].event_time);
    free(v);
    c.workload.delay = DELAY_CONSTANT;
    c.workload.delay_mean = 2.5;
    double *d = delays(&c, &n);
    cr_assert_gt(n, 9000);
    for (size_t i = 0; i < n; i++) /* (t + 2.5) - t: rounding of t + 2.5 only */
        cr_assert_lt(fabs(d[i] - 2.5), 1e-12, "delay %zu = %.17g", i, d[i]);
    free(d);
}

Test(wl, delay_exponential_ks)
{
    config_t c;
    size_t n;
    base_cfg(&c, 606);
    c.run.duration = 200;
    c.workload.delay = DELAY_EXPONENTIAL;
    c.workload.delay_mean = 2;
    double *d = delays(&c, &n);
    /* sd of the mean: 2 / sqrt(20000) = 0.014; 0.07 is 5 sd */
    cr_assert_lt(fabs(mean_of(d, n) - 2), 0.07, "mean %g", mean_of(d, n));
    double mu = 2, wrong = 2.1;
    double p = ks_pvalue(d, n, cdf_exp, &mu);
    cr_assert_gt(p, ALPHA, "p = %g", p);
    cr_assert_lt(ks_pvalue(d, n, cdf_exp, &wrong), ALPHA);
    free(d);
}

Test(wl, delay_lognormal_ks_mean_is_delay_mean)
{
    config_t c;
    size_t n;
    base_cfg(&c, 707);
    c.run.duration = 200;
    c.workload.delay = DELAY_LOGNORMAL;
    c.workload.delay_mean = 2;
    c.workload.delay_sigma = 0.8;
    double *d = delays(&c, &n);
    /* mean = exp(zeta + sigma^2 / 2) = 2; sd of one delay
     * 2 sqrt(e^0.64 - 1) = 1.89, of the mean 0.0134: 0.07 is 5 sd */
    cr_assert_lt(fabs(mean_of(d, n) - 2), 0.07, "mean %g", mean_of(d, n));
    double par[2] = {log(2.0) - 0.32, 0.8}, wrong[2] = {log(2.0), 0.8};
    double p = ks_pvalue(d, n, cdf_lognormal, par);
    cr_assert_gt(p, ALPHA, "p = %g", p);
    cr_assert_lt(ks_pvalue(d, n, cdf_lognormal, wrong), ALPHA,
                 "zeta = ln(mean) (forgetting -sigma^2/2) must be rejected");
    free(d);
}

Test(wl, delay_pareto_ks_mean_is_delay_mean)
{
    config_t c;
    size_t n;
    base_cfg(&c, 808);
    c.run.duration = 200;
    c.workload.delay = DELAY_PARETO;
    c.workload.delay_mean = 2;
    c.workload.delay_shape = 2.5;
    double *d = delays(&c, &n);
    /* scale = mean (a-1)/a = 1.2; every delay >= scale */
    for (size_t i = 0; i < n; i++)
        cr_assert_geq(d[i], 1.2 - 1e-9);
    /* variance 1.2^2 a / ((a-1)^2 (a-2)) = 3.2, sd of the mean 0.0127;
     * the tail is heavy (skewed mean), so a wide 0.1 (8 sd) */
    cr_assert_lt(fabs(mean_of(d, n) - 2), 0.1, "mean %g", mean_of(d, n));
    double par[2] = {2.5, 1.2}, wrong[2] = {2.5, 1.25};
    double p = ks_pvalue(d, n, cdf_pareto, par);
    cr_assert_gt(p, ALPHA, "p = %g", p);
    cr_assert_lt(ks_pvalue(d, n, cdf_pareto, wrong), ALPHA);
    free(d);
}

Test(wl, late_fraction_gets_extra_exponential_delay)
{
    config_t c;
    size_t n, k = 0;
    base_cfg(&c, 909);
    c.run.duration = 200;
    c.workload.late_fraction = 0.1;
    c.workload.late_delay_mean = 5;
    double *d = delays(&c, &n);
    double *late = malloc(n * sizeof *late);
    for (size_t i = 0; i < n; i++)
        if (d[i] > 0)
            late[k++] = d[i];
    /* k ~ Binomial(n, 0.1): sd sqrt(n 0.09) = 42 at n = 20,000; 5 sd */
    double sd = sqrt(n * 0.09);
    cr_assert_lt(fabs((double)k - 0.1 * n), 5 * sd, "late %zu of %zu", k, n);
    double mu = 5, wrong = 6;
    cr_assert_gt(ks_pvalue(late, k, cdf_exp, &mu), ALPHA);
    cr_assert_lt(ks_pvalue(late, k, cdf_exp, &wrong), ALPHA);
    free(late);
    free(d);
}

/* ---- keys and values ---- */

static double key_chi2_p(const workload_event *v, size_t n, int keys, double s)
{
    double *obs = calloc(keys, sizeof *obs), h = 0, chi = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(v[i].key, (uint32_t)keys);
        obs[v[i].key]++;
    }
    for (int k = 1; k <= keys; k++)
        h += pow(k, -s);
    for (int k = 1; k <= keys; k++) {
        double e = n * pow(k, -s) / h;
        chi += (obs[k - 1] - e) * (obs[k - 1] - e) / e;
    }
    free(obs);
    cr_log_info("chi2 keys=%d s=%g: p=%g", keys, s, gsl_cdf_chisq_Q(chi, keys - 1));
    return gsl_cdf_chisq_Q(chi, keys - 1);
}

Test(wl, zipf_frequencies_match_k_pow_minus_s_over_h)
{
    config_t c;
    size_t n;
    base_cfg(&c, 1111);
    c.run.duration = 1000; /* 100,000 events */
    c.workload.keys = 20;
    c.workload.key_dist = KEY_ZIPF;
    c.workload.zipf_s = 1.2;
    workload_event *v = gen_all(&c, &n);
    double p = key_chi2_p(v, n, 20, 1.2);
    cr_assert_gt(p, ALPHA, "chi-square vs k^-1.2/H: p = %g", p);
    cr_assert_lt(key_chi2_p(v, n, 20, 1.1), ALPHA, "must reject s = 1.1");
    free(v);
    /* s = 0 is uniform; uniform keys fit s = 0 too */
    c.workload.key_dist = KEY_UNIFORM;
    v = gen_all(&c, &n);
    cr_assert_gt(key_chi2_p(v, n, 20, 0.0), ALPHA);
    cr_assert_lt(key_chi2_p(v, n, 20, 0.1), ALPHA);
    free(v);
}

Test(wl, zipf_with_many_keys_stays_in_range)
{
    config_t c;
    size_t n, top = 0;
    base_cfg(&c, 1212);
    c.workload.keys = 100000;
    c.workload.key_dist = KEY_ZIPF;
    c.workload.zipf_s = 1.0;
    workload_event *v = gen_all(&c, &n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(v[i].key, 100000u);
        top += v[i].key == 0;
    }
    /* P(key 0) = 1 / H(100000) = 1 / 12.09 = 0.0827; binomial sd at
     * n = 10,000 is 2.75 events... 0.0028 in share: 0.015 is > 5 sd */
    cr_assert_lt(fabs((double)top / n - 1 / 12.0901), 0.015, "share of key 0: %g",
                 (double)top / n);
    free(v);
}

Test(wl, value_distributions)
{
    config_t c;
    size_t n;
    base_cfg(&c, 1313);
    c.workload.value = 7;
    workload_event *v = gen_all(&c, &n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].value, 7);
    free(v);

    c.workload.value_dist = VAL_UNIFORM;
    c.workload.value_max = 6;
    v = gen_all(&c, &n);
    double obs[6] = {0}, chi = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(v[i].value >= 1 && v[i].value <= 6, "value %lld", (long long)v[i].value);
        obs[v[i].value - 1]++;
    }
    for (int k = 0; k < 6; k++)
        chi += (obs[k] - n / 6.0) * (obs[k] - n / 6.0) / (n / 6.0);
    cr_assert_gt(gsl_cdf_chisq_Q(chi, 5), ALPHA, "uniform 1..6: chi2 %g", chi);
    free(v);

    c.workload.value_dist = VAL_POISSON;
    c.workload.value = 3;
    v = gen_all(&c, &n);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_geq(v[i].value, 0);
        s += (double)v[i].value;
    }
    /* mean 3, sd of the mean sqrt(3 / 10,000) = 0.017: 0.09 is 5 sd */
    cr_assert_lt(fabs(s / n - 3), 0.09, "poisson mean %g", s / n);
    free(v);
}

/* ---- streams, order, memory ---- */

static int by_id(const void *a, const void *b)
{
    const workload_event *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

Test(wl, changing_delays_leaves_event_times_keys_values_alone)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        config_t a, b;
        size_t na, nb;
        base_cfg(&a, seed);
        a.workload.key_dist = KEY_ZIPF;
        a.workload.value_dist = VAL_POISSON;
        a.workload.value = 4;
        a.workload.sources = 3;
        a.workload.source_skew = 0.5;
        b = a;
        a.workload.delay = DELAY_EXPONENTIAL;
        b.workload.delay = DELAY_PARETO;
        b.workload.delay_mean = 3;
        b.workload.delay_shape = 1.5;
        b.workload.late_fraction = 0.2;
        b.workload.late_delay_mean = 30;
        workload_event *va = gen_all(&a, &na), *vb = gen_all(&b, &nb);
        cr_assert_eq(na, nb, "seed %llu", (unsigned long long)seed);
        qsort(va, na, sizeof *va, by_id);
        qsort(vb, nb, sizeof *vb, by_id);
        int arrivals_differ = 0;
        for (size_t i = 0; i < na; i++) {
            cr_assert_eq(va[i].id, i);
            cr_assert_eq(va[i].event_time, vb[i].event_time, "seed %llu id %zu",
                         (unsigned long long)seed, i);
            cr_assert_eq(va[i].key, vb[i].key);
            cr_assert_eq(va[i].value, vb[i].value);
            arrivals_differ |= va[i].arrival_time != vb[i].arrival_time;
        }
        cr_assert(arrivals_differ, "the delays did change");
        free(va);
        free(vb);
    }
}

Test(wl, same_seed_same_events_other_seed_other_events)
{
    config_t c;
    size_t n1, n2, n3;
    base_cfg(&c, 77);
    c.workload.delay = DELAY_LOGNORMAL;
    c.workload.late_fraction = 0.05;
    workload_event *a = gen_all(&c, &n1), *b = gen_all(&c, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(same_events(a, b, n1));
    c.run.seed = 78;
    workload_event *d = gen_all(&c, &n3);
    cr_assert(n3 != n1 || !same_events(a, d, n1));
    free(a);
    free(b);
    free(d);
}

Test(wl, events_come_in_arrival_order_with_seq_and_unique_ids)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        config_t c;
        size_t n;
        base_cfg(&c, seed);
        c.run.duration = 50;
        c.workload.delay = (int)(seed % 4) + 1; /* constant .. pareto */
        c.workload.late_fraction = 0.1;
        c.workload.sources = 1 + seed % 4;
        c.workload.source_skew = (seed % 3) * 0.7;
        workload_event *v = gen_all(&c, &n);
        char *seen = calloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(v[i].seq, i, "seed %llu", (unsigned long long)seed);
            cr_assert_lt(v[i].id, n, "ids are 0..n-1");
            cr_assert_not(seen[v[i].id], "id %llu twice", (unsigned long long)v[i].id);
            seen[v[i].id] = 1;
            cr_assert(v[i].event_time >= 0 && v[i].event_time < c.run.duration);
            cr_assert_geq(v[i].arrival_time, v[i].event_time);
            if (i > 0)
                cr_assert(v[i - 1].arrival_time < v[i].arrival_time ||
                              (v[i - 1].arrival_time == v[i].arrival_time &&
                               v[i - 1].id < v[i].id),
                          "seed %llu: order at seq %zu", (unsigned long long)seed, i);
        }
        free(seen);
        free(v);
    }
}

Test(wl, skewed_sources_cover_the_duration_and_clamp_arrival)
{
    config_t c;
    size_t n, clamped = 0, ooo = 0;
    double maxet = -1;
    base_cfg(&c, 2024);
    c.run.duration = 200;
    c.workload.sources = 4;
    c.workload.source_skew = 2;
    workload_event *v = gen_all(&c, &n);
    /* the total rate stays `rate` over [0, duration): Poisson(20,000),
     * sd 141, 5 sd */
    cr_assert_lt(fabs((double)n - 20000), 710, "n = %zu", n);
    for (size_t i = 0; i < n; i++) {
        clamped += v[i].arrival_time == v[i].event_time;
        ooo += v[i].event_time < maxet;
        if (v[i].event_time > maxet)
            maxet = v[i].event_time;
    }
    /* no delay: a source ahead of time (skew > 0) arrives exactly at its
     * event time (clamped), one behind arrives after it */
    cr_assert(clamped > 0 && clamped < n, "clamped %zu of %zu", clamped, n);
    cr_assert_gt(ooo, 0, "skew alone makes events out of order");
    /* event times near 0 and near the end both exist */
    qsort(v, n, sizeof *v, by_id);
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, v[i].event_time);
        hi = fmax(hi, v[i].event_time);
    }
    cr_assert_lt(lo, 0.1);
    cr_assert_gt(hi, 199.9);
    free(v);
}

Test(wl, memory_stays_bounded_on_a_long_run)
{
    config_t c;
    char err[256];
    base_cfg(&c, 31);
    c.workload.rate = 1000;
    c.run.duration = 1000; /* ~1,000,000 events */
    c.workload.delay = DELAY_EXPONENTIAL;
    c.workload.delay_mean = 0.1;
    c.workload.late_fraction = 0.01;
    c.workload.late_delay_mean = 10;
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    workload_event ev;
    double last_wm = -INFINITY;
    while (workload_next(w, &ev) == WL_OK) {
        if ((ev.seq & 1023) == 0) {
            double wm = workload_min_pending_event_time(w);
            cr_assert_geq(wm, last_wm, "oracle is monotone");
            last_wm = wm;
        }
    }
    /* in flight ~ rate x mean delay = 1000 x (0.1 + 0.01 x 10) = 200 */
    cr_assert_gt(workload_count(w), 990000);
    cr_assert_lt(workload_in_flight_max(w), 1000, "in flight max %zu", workload_in_flight_max(w));
    cr_assert_eq(workload_in_flight(w), 0);
    workload_free(w);
}

/* ---- the perfect-watermark oracle ---- */

static void check_oracle(config_t *c, const double *outs, size_t nouts, size_t first_call)
{
    size_t n;
    char err[256];
    workload_t *w = workload_open(c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    for (size_t i = 0; i < nouts; i++)
        cr_assert_eq(workload_add_outage(w, outs[2 * i], outs[2 * i + 1]), WL_OK);
    /* the reference: all events, suffix minimum of event times */
    workload_event *v = malloc(sizeof *v);
    size_t cap = 1;
    n = 0;
    {
        workload_t *r = workload_open(c, err, sizeof err);
        for (size_t i = 0; i < nouts; i++)
            workload_add_outage(r, outs[2 * i], outs[2 * i + 1]);
        workload_event e;
        while (workload_next(r, &e) == WL_OK) {
            if (n == cap)
                v = realloc(v, (cap *= 2) * sizeof *v);
            v[n++] = e;
        }
        workload_free(r);
    }
    double *suf = malloc((n + 1) * sizeof *suf);
    suf[n] = INFINITY;
    for (size_t i = n; i-- > 0;)
        suf[i] = fmin(suf[i + 1], v[i].event_time);
    for (size_t i = 0; i <= n; i++) {
        if (i >= first_call)
            cr_assert_eq(workload_min_pending_event_time(w), suf[i], "seed %llu step %zu",
                         (unsigned long long)c->run.seed, i);
        workload_event e;
        if (i < n) {
            cr_assert_eq(workload_next(w, &e), WL_OK);
            cr_assert_eq(e.id, v[i].id);
            cr_assert_eq(e.arrival_time, v[i].arrival_time);
        }
    }
    free(suf);
    free(v);
    workload_free(w);
}

Test(wl, min_pending_event_time_is_exact)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        config_t c;
        base_cfg(&c, seed);
        c.run.duration = 30;
        c.workload.delay = seed % 2 ? DELAY_PARETO : DELAY_EXPONENTIAL;
        c.workload.delay_shape = 1.5;
        c.workload.late_fraction = 0.1;
        c.workload.sources = 1 + seed % 5;
        c.workload.source_skew = (seed % 3) * 1.5;
        double outs[4] = {5, 8, 12, 12.5};
        check_oracle(&c, outs, seed % 3, seed % 4 == 0 ? 0 : 500);
    }
}

/* The floor (no second heap) is a lower bound of every later event time,
 * never above the exact oracle, and never goes down; and it is tight
 * enough to be useful: it reaches within a few delays of the oracle. */
Test(wl, pending_event_time_floor_is_a_rising_lower_bound)
{
    for (uint64_t seed = 1; seed <= 8; seed++) {
        config_t c;
        base_cfg(&c, seed);
        c.run.duration = 30;
        c.workload.late_fraction = 0.1;
        c.workload.sources = 1 + seed % 4;
        c.workload.source_skew = (seed % 3) * 1.5;
        char err[256];
        workload_t *w = workload_open(&c, err, sizeof err), *x = workload_open(&c, err, sizeof err);
        cr_assert(w && x, "%s", err);
        workload_add_outage(w, 5, 8);
        workload_add_outage(x, 5, 8);
        double prev = -INFINITY, gap_sum = 0;
        size_t steps = 0;
        workload_event e, f;
        for (;;) {
            double lo = workload_pending_event_time_floor(w), ex = workload_min_pending_event_time(x);
            cr_assert_leq(lo, ex, "seed %llu step %zu", (unsigned long long)seed, steps);
            cr_assert_geq(lo, prev, "seed %llu step %zu", (unsigned long long)seed, steps);
            prev = lo;
            if (workload_next(w, &e) != WL_OK)
                break;
            cr_assert_eq(workload_next(x, &f), WL_OK);
            cr_assert_eq(e.id, f.id);
            cr_assert_geq(e.event_time, lo);
            if (isfinite(ex))
                gap_sum += ex - lo;
            steps++;
        }
        cr_assert_eq(workload_next(x, &f), WL_ERR);
        cr_assert_eq(prev, INFINITY);
        /* the floor trails the oracle by about the skew plus the newest
         * delays, not by a growing amount: mean gap of a few seconds */
        cr_assert_lt(gap_sum / (double)steps, 10.0, "seed %llu", (unsigned long long)seed);
        workload_free(w);
        workload_free(x);
    }
}

/* ---- outages ---- */

static int by_eff(const void *a, const void *b)
{
    /* (delivery, original arrival, id): the original position is in seq */
    const workload_event *x = a, *y = b;
    if (x->arrival_time != y->arrival_time)
        return x->arrival_time < y->arrival_time ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return 0;
}

Test(wl, outages_hold_back_deliveries_until_their_end)
{
    config_t c;
    size_t n, m;
    base_cfg(&c, 555);
    c.run.duration = 60;
    c.workload.delay = DELAY_EXPONENTIAL;
    c.workload.late_fraction = 0.05;
    workload_event *a = gen_all(&c, &n);
    /* expected: each arrival in [10,20) -> 20, in [15,25) -> 25 (the two
     * merge into [10,25)), in [40,41) -> 41; then ordered by (new arrival,
     * old arrival, id).  seq still holds the old position here. */
    for (size_t i = 0; i < n; i++) {
        double t = a[i].arrival_time;
        if (t >= 10 && t < 25)
            a[i].arrival_time = 25;
        else if (t >= 40 && t < 41)
            a[i].arrival_time = 41;
    }
    qsort(a, n, sizeof *a, by_eff);
    char err[256];
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_eq(workload_add_outage(w, 15, 25), WL_OK);
    cr_assert_eq(workload_add_outage(w, 10, 20), WL_OK);
    cr_assert_eq(workload_add_outage(w, 40, 41), WL_OK);
    cr_assert_eq(workload_add_outage(w, 50, 50), WL_OK, "empty outage: nothing held");
    cr_assert_eq(workload_add_outage(w, 5, 4), WL_ERR);
    workload_event e;
    size_t at25 = 0;
    for (m = 0; workload_next(w, &e) == WL_OK; m++) {
        cr_assert_lt(m, n);
        cr_assert_eq(e.id, a[m].id, "position %zu", m);
        cr_assert_eq(e.arrival_time, a[m].arrival_time);
        cr_assert_eq(e.seq, m);
        at25 += e.arrival_time == 25;
    }
    cr_assert_eq(m, n);
    cr_assert_gt(at25, 1000, "a burst at the end of the outage");
    cr_assert_eq(workload_add_outage(w, 70, 80), WL_ERR, "too late to add an outage");
    workload_free(w);
    free(a);
}

/* ---- trace files ---- */

/* Writes every event of c (with the header) to path; returns the count. */
static size_t export(const config_t *c, const char *path)
{
    char err[512];
    workload_t *w = workload_open(c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "%s\n", WL_TRACE_HEADER);
    workload_event e;
    size_t n = 0;
    while (workload_next(w, &e) == WL_OK) {
        cr_assert_eq(workload_write_row(f, &e), WL_OK);
        n++;
    }
    fclose(f);
    workload_free(w);
    return n;
}

Test(wl, trace_round_trip_is_byte_identical)
{
    config_t c, t;
    char p1[] = "/tmp/sluice_wl_rt1_XXXXXX", p2[] = "/tmp/sluice_wl_rt2_XXXXXX";
    close(mkstemp(p1));
    close(mkstemp(p2));
    base_cfg(&c, 99);
    c.workload.delay = DELAY_LOGNORMAL;
    c.workload.late_fraction = 0.1;
    c.workload.sources = 3;
    c.workload.source_skew = 0.3;
    c.workload.value_dist = VAL_POISSON;
    c.workload.value = 1e6;
    c.workload.key_dist = KEY_ZIPF;
    size_t n1 = export(&c, p1);
    base_cfg(&t, 1);
    t.workload.source = SRC_TRACE;
    snprintf(t.workload.trace, sizeof t.workload.trace, "%s", p1);
    size_t n2 = export(&t, p2);
    cr_assert_eq(n1, n2);
    size_t l1, l2;
    char *b1 = util_slurp(p1, &l1), *b2 = util_slurp(p2, &l2);
    cr_assert(b1 && b2, "missing %s or %s", p1, p2);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(b1, b2, l1), 0, "generate -> export -> replay -> export");
    /* and the events themselves, field by field, incl. seq */
    size_t na, nb;
    workload_event *va = gen_all(&c, &na), *vb = gen_all(&t, &nb);
    cr_assert_eq(na, nb);
    cr_assert(same_events(va, vb, na));
    free(va);
    free(vb);
    free(b1);
    free(b2);
    remove(p1);
    remove(p2);
}

static void expect_trace_error(const char *file, const char *want)
{
    config_t c;
    char err[1024], path[512];
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(path, sizeof path, "tests/data/traces/%s", file);
    snprintf(c.workload.trace, sizeof c.workload.trace, "%s", path);
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_null(w, "%s should be refused", file);
    char full[1024];
    snprintf(full, sizeof full, "%s:%s", path, want);
    cr_assert_str_eq(err, full);
}

Test(wl, bad_trace_rows_give_file_line_messages)
{
    expect_trace_error("bad_empty.csv",
                       "1: empty file, expected a header naming the columns (e.g. "
                       "id,key,value,event_time,arrival_time)");
    expect_trace_error("bad_missing_column.csv", "3: missing column 'arrival_time'");
    expect_trace_error("bad_extra_column.csv", "2: 6 columns, the header has 5");
    expect_trace_error("bad_not_number.csv",
                       "4: column 'event_time': not a number: '1.5s' (accepted: seconds such "
                       "as 12.5, or another unit with trace_time_unit = ms|us|ns, or ISO-8601 "
                       "times with trace_time_format = iso8601)");
    expect_trace_error("bad_empty_field.csv", "2: column 'arrival_time' is empty");
    expect_trace_error("bad_nan.csv", "2: column 'event_time': not a finite number: 'nan'");
    expect_trace_error("bad_negative_time.csv",
                       "3: column 'event_time': negative time -0.5 (set trace_origin = first to "
                       "start the run at the first event)");
    expect_trace_error("bad_arrival_before_event.csv",
                       "2: arrival_time 0.9 is before event_time 1");
    expect_trace_error("bad_id.csv",
                       "3: column 'id': not a non-negative integer: '2.0' (ids are 0, 1, 2, ...; "
                       "leave the id column out to number the rows)");
    expect_trace_error("bad_value.csv",
                       "2: column 'value': not a number: '1.5.2' (values are numbers such as "
                       "12 or -0.25; leave the value column out to count events)");
    expect_trace_error("bad_duplicate_id.csv", "5: duplicate id 2 (first on line 3)");
    /* a missing file is an error too, naming the file */
    config_t c;
    char err[512];
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "tests/data/traces/no_such.csv");
    cr_assert_null(workload_open(&c, err, sizeof err));
    cr_assert(strncmp(err, "tests/data/traces/no_such.csv: cannot open trace", 48) == 0, "%s", err);
}

Test(wl, unsorted_trace_is_sorted_by_arrival_then_id)
{
    config_t c;
    size_t n;
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "tests/data/traces/unsorted.csv");
    workload_event *v = gen_all(&c, &n);
    /* unsorted.csv: ids 5,3,9,1,4 with arrivals 3,1,2,2,1.5 (CRLF, blank
     * lines, extra column "note", blanks around fields) */
    static const uint64_t want[] = {3, 4, 1, 9, 5};
    static const double arr[] = {1, 1.5, 2, 2, 3};
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(v[i].id, want[i], "position %zu: id %llu", i, (unsigned long long)v[i].id);
        cr_assert_eq(v[i].arrival_time, arr[i]);
        cr_assert_eq(v[i].seq, i);
    }
    cr_assert_eq(v[0].key, 7u);
    cr_assert_eq(v[0].value, -2);
    cr_assert_eq(v[0].event_time, 0.5);
    free(v);
}

Test(wl, trace_oracle_and_outage)
{
    config_t c;
    char err[256];
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "tests/data/traces/unsorted.csv");
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    cr_assert_eq(workload_add_outage(w, 1.2, 2.5), WL_OK);
    /* delivery: 3 @1, then 4 (1.5), 1 (2), 9 (2) all @2.5, then 5 @3 */
    static const uint64_t ids[] = {3, 4, 1, 9, 5};
    static const double at[] = {1, 2.5, 2.5, 2.5, 3};
    static const double minpend[] = {0.5, 0.8, 1.0, 2.0, 2.5}; /* event times: see csv */
    workload_event e;
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(workload_min_pending_event_time(w), minpend[i], "step %d: %g", i,
                     workload_min_pending_event_time(w));
        cr_assert_eq(workload_peek(w), at[i]);
        cr_assert_eq(workload_next(w, &e), WL_OK);
        cr_assert_eq(e.id, ids[i]);
        cr_assert_eq(e.arrival_time, at[i]);
    }
    cr_assert_eq(workload_min_pending_event_time(w), INFINITY);
    cr_assert_eq(workload_peek(w), INFINITY);
    cr_assert_eq(workload_next(w, &e), WL_ERR);
    workload_free(w);
}

/* ---- bad configurations ---- */

Test(wl, bad_workload_parameters_are_refused)
{
    config_t c;
    char err[512];
    base_cfg(&c, 1);
    snprintf(c.path, sizeof c.path, "x.ini");
    c.workload.rate = 0;
    cr_assert_null(workload_open(&c, err, sizeof err));
    cr_assert_str_eq(err, "x.ini: workload.rate must be > 0");
    base_cfg(&c, 1);
    c.workload.delay = DELAY_PARETO;
    c.workload.delay_shape = 1;
    cr_assert_null(workload_open(&c, err, sizeof err));
    cr_assert(strstr(err, "delay_shape must be > 1") != NULL, "%s", err);
    base_cfg(&c, 1);
    c.workload.arrival = ARR_MMPP;
    c.workload.mmpp_rate_high = c.workload.mmpp_rate_low = 0;
    cr_assert_null(workload_open(&c, err, sizeof err));
    base_cfg(&c, 1);
    c.workload.keys = 0;
    cr_assert_null(workload_open(&c, err, sizeof err));
    base_cfg(&c, 1);
    c.workload.late_fraction = 1.5;
    cr_assert_null(workload_open(&c, err, sizeof err));
}

/* ---- profile ---- */

Test(wl, profile_of_a_known_sequence)
{
    /* delays 0,1,...,9 (event i at time i, arriving at 2i), then event
     * at time 3 arriving at 20 with delay 17: out of order */
    workload_profile *p = workload_profile_alloc(5.0);
    workload_event e = {0};
    for (int i = 0; i < 10; i++) {
        e.id = i;
        e.event_time = i;
        e.arrival_time = 2.0 * i;
        workload_profile_add(p, &e);
    }
    e.event_time = 3;
    e.arrival_time = 20;
    workload_profile_add(p, &e);
    workload_profile_stats s;
    cr_assert_eq(workload_profile_stats_get(p, &s), WL_OK);
    cr_assert_eq(s.events, 11);
    cr_assert_eq(s.first_event_time, 0);
    cr_assert_eq(s.last_event_time, 9);
    cr_assert_eq(s.last_arrival_time, 20);
    cr_assert_float_eq(s.mean_rate, 11.0 / 9.0, 1e-12);
    cr_assert_float_eq(s.out_of_order_share, 1.0 / 11, 1e-12);
    /* sorted delays 0..9, 17; nearest rank: p50 = 6th = 5, p90 = 10th
     * (ceil 9.9) = 9, p99 = 11th = 17 */
    cr_assert_eq(s.delay_p50, 5);
    cr_assert_eq(s.delay_p90, 9);
    cr_assert_eq(s.delay_p99, 17);
    cr_assert_eq(s.delay_p999, 17);
    cr_assert_eq(s.delay_max, 17);
    cr_assert_float_eq(s.delay_mean, 62.0 / 11, 1e-12);
    cr_assert_float_eq(s.late_share, 5.0 / 11, 1e-12, "6,7,8,9,17 > 5");
    cr_assert(s.exact);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(workload_profile_write(p, f), WL_OK);
    fclose(f);
    cr_assert(strstr(buf, "events          11\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "out of order    9.091 %") != NULL, "%s", buf);
    cr_assert(strstr(buf, "delay p99.9     17 s\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "delayed > 5 s  45.45 %\n") != NULL, "%s", buf);
    free(buf);
    workload_profile_free(p);
}

Test(wl, profile_percentiles_of_a_generated_workload)
{
    config_t c;
    size_t n;
    base_cfg(&c, 4242);
    c.run.duration = 300;
    c.workload.delay = DELAY_EXPONENTIAL;
    c.workload.delay_mean = 1;
    workload_event *v = gen_all(&c, &n);
    workload_profile *p = workload_profile_alloc(3.0);
    for (size_t i = 0; i < n; i++)
        workload_profile_add(p, &v[i]);
    workload_profile_stats s;
    workload_profile_stats_get(p, &s);
    /* Exp(1): median ln 2, p99 ln 100, P(d > 3) = e^-3 = 0.0498.  At
     * n = 30,000 the median's sd is 1/(2 f(m) sqrt n) = 0.0058 and the
     * p99's 0.057: tolerances 0.03 and 0.3 are > 5 sd. */
    cr_assert_lt(fabs(s.delay_p50 - log(2.0)), 0.03, "p50 %g", s.delay_p50);
    cr_assert_lt(fabs(s.delay_p99 - log(100.0)), 0.3, "p99 %g", s.delay_p99);
    cr_assert_lt(fabs(s.late_share - exp(-3.0)), 0.007, "late %g", s.late_share);
    cr_assert_gt(s.out_of_order_share, 0.3, "delays of 1 s at 100/s reorder most events");
    cr_assert_lt(fabs(s.mean_rate - 100) / 100, 0.05);
    workload_profile_free(p);
    free(v);
}

/* Chi-square p-value of the first `top` ranks, the rest lumped, against
 * k^-s / H over `keys` keys. */
static double zipf_top_p(const workload_event *v, size_t n, int keys, double s, int top)
{
    double *obs = calloc(top + 1, sizeof *obs), h = 0, chi = 0, rest = 1;
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(v[i].key, (uint32_t)keys);
        obs[v[i].key < (uint32_t)top ? v[i].key : (uint32_t)top]++;
    }
    for (int k = keys; k >= 1; k--) /* small terms first */
        h += pow(k, -s);
    for (int k = 1; k <= top; k++) {
        double p = pow(k, -s) / h, e = n * p;
        rest -= p;
        chi += (obs[k - 1] - e) * (obs[k - 1] - e) / e;
    }
    chi += (obs[top] - n * rest) * (obs[top] - n * rest) / (n * rest);
    free(obs);
    cr_log_info("zipf keys=%d s=%g chi2 p=%g", keys, s, gsl_cdf_chisq_Q(chi, top));
    return gsl_cdf_chisq_Q(chi, top);
}

Test(wl, zipf_rejection_inversion_for_many_keys)
{
    /* more than 2^20 keys: no table, Hoermann-Derflinger rejection-
     * inversion; chi-square on the top 40 ranks + the rest, alpha 0.001,
     * for s below, at and above 1 (the helpers' special case) */
    static const double ss[] = {0.7, 1.0, 1.3};
    for (int i = 0; i < 3; i++) {
        config_t c;
        size_t n;
        base_cfg(&c, 3000 + i);
        c.run.duration = 600; /* 60,000 events */
        c.workload.keys = 2000000;
        c.workload.key_dist = KEY_ZIPF;
        c.workload.zipf_s = ss[i];
        workload_event *v = gen_all(&c, &n);
        cr_assert_gt(zipf_top_p(v, n, 2000000, ss[i], 40), ALPHA, "s = %g", ss[i]);
        cr_assert_lt(zipf_top_p(v, n, 2000000, ss[i] + 0.05, 40), ALPHA, "s = %g + 0.05",
                     ss[i]);
        free(v);
    }
}

Test(wl, uniform_values_beyond_32_bits)
{
    config_t c;
    size_t n, big = 0;
    base_cfg(&c, 4444);
    c.workload.value_dist = VAL_UNIFORM;
    c.workload.value_max = 1e12;
    workload_event *v = gen_all(&c, &n);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(v[i].value >= 1 && v[i].value <= 1000000000000LL);
        big += v[i].value > 4294967296LL;
        s += (double)v[i].value;
    }
    /* mean 5e11, sd of the mean 2.9e11 / sqrt(10,000) = 2.9e9: 1.5e10 is 5 sd */
    cr_assert_lt(fabs(s / n - 5e11), 1.5e10, "mean %g", s / n);
    cr_assert_gt(big, n * 0.99, "values above 2^32 are common");
    free(v);
}

Test(wl, one_skewed_source_still_covers_zero_to_duration)
{
    /* a single source with a clock skew in [-5, 5]: base times are drawn
     * over [-skew, duration - skew), so its event times still cover
     * [0, duration) */
    for (uint64_t seed = 1; seed <= 8; seed++) {
        config_t c;
        size_t n;
        base_cfg(&c, seed);
        c.run.duration = 50;
        c.workload.source_skew = 5;
        workload_event *v = gen_all(&c, &n);
        double lo = INFINITY, hi = 0;
        for (size_t i = 0; i < n; i++) {
            lo = fmin(lo, v[i].event_time);
            hi = fmax(hi, v[i].event_time);
        }
        /* gaps at 100/s are Exp(0.01 s): 0.15 s is 15 means */
        cr_assert_lt(lo, 0.15, "seed %llu: first event time %g", (unsigned long long)seed, lo);
        cr_assert_gt(hi, 49.85, "seed %llu: last event time %g", (unsigned long long)seed, hi);
        cr_assert_lt(fabs((double)n - 5000), 355, "seed %llu: n = %zu", (unsigned long long)seed, n);
        free(v);
    }
}

Test(wl, raising_late_fraction_only_adds_late_events)
{
    /* the late coin and the extra delay are drawn for every event, so a
     * larger late_fraction keeps every late event (same extra delay) and
     * makes more late: common random numbers across a sweep */
    config_t a, b;
    size_t na, nb, la = 0, lb = 0;
    base_cfg(&a, 321);
    a.workload.late_fraction = 0.05;
    b = a;
    b.workload.late_fraction = 0.2;
    workload_event *va = gen_all(&a, &na), *vb = gen_all(&b, &nb);
    cr_assert_eq(na, nb);
    qsort(va, na, sizeof *va, by_id);
    qsort(vb, nb, sizeof *vb, by_id);
    for (size_t i = 0; i < na; i++) {
        int late_a = va[i].arrival_time > va[i].event_time;
        int late_b = vb[i].arrival_time > vb[i].event_time;
        la += late_a;
        lb += late_b;
        if (late_a)
            cr_assert(late_b && va[i].arrival_time == vb[i].arrival_time, "id %zu", i);
    }
    cr_assert(la > 300 && lb > 3 * la, "late: %zu then %zu", la, lb);
    free(va);
    free(vb);
}

/* The configuration of tests/data/traces/golden_seed42.csv: every feature
 * at once (mmpp, zipf, poisson values, lognormal delays, late events,
 * skewed sources). */
static void golden_cfg(config_t *c)
{
    base_cfg(c, 42);
    c->run.duration = 5;
    c->workload.arrival = ARR_MMPP;
    c->workload.mmpp_rate_high = 40;
    c->workload.mmpp_rate_low = 4;
    c->workload.key_dist = KEY_ZIPF;
    c->workload.zipf_s = 1.1;
    c->workload.value_dist = VAL_POISSON;
    c->workload.value = 3;
    c->workload.delay = DELAY_LOGNORMAL;
    c->workload.delay_mean = 0.5;
    c->workload.late_fraction = 0.1;
    c->workload.late_delay_mean = 2;
    c->workload.sources = 3;
    c->workload.source_skew = 0.2;
}

Test(wl, golden_trace_for_seed_42)
{
    /* Known answer: the reproducibility contract.  Any change to the draw
     * order, the streams or the arithmetic changes this file; regenerate
     * it only for an intended change (and say so in the commit). */
    config_t c;
    char p[] = "/tmp/sluice_wl_golden_XXXXXX";
    close(mkstemp(p));
    golden_cfg(&c);
    size_t n = export(&c, p);
    size_t l1, l2;
    char *got = util_slurp(p, &l1), *want = util_slurp("tests/data/traces/golden_seed42.csv", &l2);
    cr_assert(got && want, "missing %s or the golden trace", p);
    cr_assert_gt(n, 20);
    cr_assert(l1 == l2 && memcmp(got, want, l1) == 0,
              "trace of seed 42 differs from tests/data/traces/golden_seed42.csv:\n%s", got);
    free(got);
    free(want);
    remove(p);
}

Test(wl, header_only_trace_is_an_empty_workload)
{
    config_t c;
    char err[256];
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "tests/data/traces/header_only.csv");
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    workload_event e;
    cr_assert_eq(workload_peek(w), INFINITY);
    cr_assert_eq(workload_min_pending_event_time(w), INFINITY);
    cr_assert_eq(workload_next(w, &e), WL_ERR);
    cr_assert_str_eq(workload_error(w), "");
    workload_free(w);
}

Test(wl, random_garbage_traces_are_refused_or_read_never_crash)
{
    /* 300 random files over a small alphabet of CSV-ish bytes, after a
     * valid header: workload_open must either refuse with "PATH:LINE: ..." or
     * give a workload whose events are valid and in order (under ASan and
     * UBSan this is also a memory-safety check of the parser). */
    static const char alpha[] = "0123456789,,,..--e\n\n\r \tnaix+";
    char path[] = "/tmp/sluice_wl_fuzz_XXXXXX";
    close(mkstemp(path));
    uint64_t s = 0x243f6a8885a308d3ull;
    int refused = 0, read_ok = 0;
    for (int round = 0; round < 300; round++) {
        FILE *f = fopen(path, "w");
        fprintf(f, "%s\n", WL_TRACE_HEADER);
        int len = 1 + (int)(splitmix(&s) % 200);
        for (int i = 0; i < len; i++) /* every third file: blanks only */
            fputc(round % 3 ? alpha[splitmix(&s) % (sizeof alpha - 1)]
                            : "\n \t"[splitmix(&s) % 3], f);
        if (round % 3 == 0) /* and valid rows, for the accepting path */
            for (int i = 0; i < 5; i++)
                fprintf(f, "\n%d,%d,%d,%d.5,%d", 1000 + i, i, i, i, i + 1);
        fclose(f);
        config_t c;
        char err[1024];
        base_cfg(&c, 1);
        c.workload.source = SRC_TRACE;
        snprintf(c.workload.trace, sizeof c.workload.trace, "%s", path);
        workload_t *w = workload_open(&c, err, sizeof err);
        if (!w) {
            cr_assert(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
                      "round %d: %s", round, err);
            refused++;
            continue;
        }
        workload_event e, prev = {0};
        for (uint64_t k = 0; workload_next(w, &e) == WL_OK; k++) {
            cr_assert_eq(e.seq, k);
            cr_assert_geq(e.arrival_time, e.event_time);
            if (k)
                cr_assert(prev.arrival_time < e.arrival_time ||
                          (prev.arrival_time == e.arrival_time && prev.id < e.id));
            prev = e;
        }
        read_ok++;
        workload_free(w);
    }
    remove(path);
    cr_assert(refused > 0 && read_ok > 0, "refused %d, read %d", refused, read_ok);
}

Test(wl, trace_with_byte_order_mark_and_crlf)
{
    config_t c;
    size_t n;
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "tests/data/traces/bom_crlf.csv");
    workload_event *v = gen_all(&c, &n);
    cr_assert_eq(n, 1);
    cr_assert(v[0].id == 7 && v[0].key == 1 && v[0].value == 2 && v[0].event_time == 0.25 &&
              v[0].arrival_time == 0.5);
    free(v);
}

/* Opens text as a trace: the workload, or NULL with the error whose path
 * prefix is cut (err holds ":LINE: message"). */
static workload_t *open_trace_text(const char *text, size_t len, char *err, size_t errlen)
{
    char path[] = "/tmp/sluice_wl_csv_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    config_t c;
    base_cfg(&c, 1);
    c.workload.source = SRC_TRACE;
    snprintf(c.workload.trace, sizeof c.workload.trace, "%s", path);
    char full[1024];
    workload_t *w = workload_open(&c, full, sizeof full);
    remove(path);
    if (!w) {
        cr_assert(strncmp(full, path, strlen(path)) == 0, "%s", full);
        snprintf(err, errlen, "%s", full + strlen(path));
    }
    return w;
}

Test(wl, trace_fields_may_be_quoted)
{
    /* quoted names and numbers, a note holding a comma, a doubled quote
     * and a newline: the row after it starts on line 5 */
    static const char text[] = "\"id\",key,value,event_time,arrival_time,note\n"
                               "\"3\",1,\"-2\",0.5,1,\"a, \"\"b\"\"\nc\"\n"
                               "\n"
                               "4,2,5,1,\"2\",plain\n";
    char err[512];
    workload_t *w = open_trace_text(text, sizeof text - 1, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    workload_event e;
    cr_assert_eq(workload_next(w, &e), WL_OK);
    cr_assert(e.id == 3 && e.key == 1 && e.value == -2 && e.event_time == 0.5 &&
              e.arrival_time == 1);
    cr_assert_eq(workload_next(w, &e), WL_OK);
    cr_assert(e.id == 4 && e.key == 2 && e.value == 5 && e.arrival_time == 2);
    cr_assert_eq(workload_next(w, &e), WL_ERR);
    workload_free(w);
    static const char dup[] = "id,key,value,event_time,arrival_time,note\n"
                              "3,1,2,0.5,1,\"x\ny\"\n"
                              "3,1,2,0.5,1,z\n";
    cr_assert_null(open_trace_text(dup, sizeof dup - 1, err, sizeof err));
    cr_assert_str_eq(err, ":4: duplicate id 3 (first on line 2)");
}

Test(wl, trace_quote_not_closed_and_read_errors_first)
{
    char err[512];
    static const char open_quote[] = "id,key,value,event_time,arrival_time\n"
                                     "1,1,1,1,1\n"
                                     "2,1,1,1,\"1\n"
                                     "3,1,1,1,1\n";
    cr_assert_null(open_trace_text(open_quote, sizeof open_quote - 1, err, sizeof err));
    cr_assert_str_eq(err, ":3: quoted field not closed at the end of the file");
    /* a bad row on line 2, a NUL byte on line 4: the whole file is read
     * before any row counts, so the NUL byte is reported */
    static const char nul[] = "id,key,value,event_time,arrival_time\n"
                              "x,1,1,1,1\n"
                              "2,1,1,1,1\n"
                              "3,1\0,1,1,1\n";
    cr_assert_null(open_trace_text(nul, sizeof nul - 1, err, sizeof err));
    cr_assert_str_eq(err, ":4: NUL byte in the file");
    /* the header must be line 1, even after a blank line */
    static const char late_header[] = "\nid,key,value,event_time,arrival_time\n";
    cr_assert_null(open_trace_text(late_header, sizeof late_header - 1, err, sizeof err));
    cr_assert_str_eq(err, ":1: line 1 must be the header naming the columns (e.g. "
                          "id,key,value,event_time,arrival_time)");
}
