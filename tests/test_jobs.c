/*
 * test_jobs.c: the job runner shared by the batch and micro-batch
 * executors (sim/exec/jobs.c): the slowdown rule (sim/MODEL.md, Faults:
 * while one or more slowdowns are active, work advances at 1/factor of
 * the largest; overlapping slowdowns do not compound) as known answers
 * on hand-made schedules.  The same answers end to end through both
 * executors are in test_batch.c (slowdowns_*_batch_and_microbatch).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stddef.h>

#include "exec/jobs.h"

#define EPS 1e-12

/* A schedule of slowdowns [t[i], t[i] + d[i]) with factor f[i]. */
typedef struct slows {
    fault_t v[4];
    fault_schedule fs;
} slows;

static const fault_schedule *mk(slows *s, size_t n, const double *t, const double *d,
                                const double *f)
{
    cr_assert(n <= 4);
    for (size_t i = 0; i < n; i++) {
        fault_t x = {(uint32_t)i, FAULT_SLOWDOWN, t[i], d[i], f[i]};
        s->v[i] = x;
    }
    s->fs.n = n;
    s->fs.v = s->v;
    return &s->fs;
}

/* Asserts that 4 s of work started at 10 ends at want, and that the work
 * done by then is the 4 s (jobs_work_done is the inverse). */
static void expect_end(const fault_schedule *fs, double want)
{
    double end = jobs_work_end(fs, 10, 4);
    cr_assert_float_eq(end, want, EPS, "end %.17g, want %.17g", end, want);
    cr_assert_float_eq(jobs_work_done(fs, 10, end), 4, EPS);
}

/* No slowdown (and no schedule): 10 + 4. */
Test(jobs, no_slowdown)
{
    slows s;
    expect_end(NULL, 14);
    expect_end(mk(&s, 0, NULL, NULL, NULL), 14);
}

/* One slowdown x3 over [11, 13): 1 s of work by 11, 2/3 s over [11, 13),
 * the remaining 4 - 1 - 2/3 = 7/3 s after 13: end 15 + 1/3. */
Test(jobs, single_slowdown)
{
    slows s;
    expect_end(mk(&s, 1, (double[]){11}, (double[]){2}, (double[]){3}), 15 + 1.0 / 3);
}

/* Two slowdowns x3, [11, 13) and [12, 14): the machine is 3 times slower
 * over the union [11, 14), not 9 times in [12, 13).  1 s by 11, 3 s of
 * wall time at 1/3 = 1 s over [11, 14), the last 2 s after 14: end 16.
 * (Multiplying would give 1 + 1/3 + 1/9 + 1/3 by 14, end 16 + 2/9.)
 * The work done by 14 is 2 s. */
Test(jobs, overlapping_slowdowns_do_not_compound)
{
    slows s;
    const fault_schedule *fs = mk(&s, 2, (double[]){11, 12}, (double[]){2, 2}, (double[]){3, 3});
    expect_end(fs, 16);
    cr_assert_float_eq(jobs_work_done(fs, 10, 14), 2, EPS);
    cr_assert_float_eq(jobs_work_done(fs, 12, 13), 1.0 / 3, EPS);
}

/* A slowdown inside another one changes nothing: x3 over [11, 15) with
 * x3 over [12, 13) is x3 over [11, 15): 1 s by 11, 4/3 s over [11, 15),
 * the last 5/3 s after 15: end 16 + 2/3. */
Test(jobs, nested_slowdown_changes_nothing)
{
    slows a, b;
    expect_end(mk(&a, 2, (double[]){11, 12}, (double[]){4, 1}, (double[]){3, 3}), 16 + 2.0 / 3);
    expect_end(mk(&b, 1, (double[]){11}, (double[]){4}, (double[]){3}), 16 + 2.0 / 3);
}

/* Different factors (not possible from a configuration, which has one
 * slowdown_factor, but the rule covers them): the largest active one.
 * x3 over [11, 13) and x2 over [12, 14): x3 over [11, 13), x2 over
 * [13, 14).  1 s by 11, 2/3 s by 13, 1/2 s by 14, the last 11/6 s after:
 * end 15 + 5/6. */
Test(jobs, different_factors_take_the_largest)
{
    slows s;
    expect_end(mk(&s, 2, (double[]){11, 12}, (double[]){2, 2}, (double[]){3, 2}), 15 + 5.0 / 6);
}

/* A job that ends inside a slowdown: 1.5 s of work from 10 under x3 over
 * [11, 13): 1 s by 11, the last 0.5 s takes 1.5 s: end 12.5. */
Test(jobs, job_ending_inside_a_slowdown)
{
    slows s;
    const fault_schedule *fs = mk(&s, 1, (double[]){11}, (double[]){2}, (double[]){3});
    cr_assert_float_eq(jobs_work_end(fs, 10, 1.5), 12.5, EPS);
}
