/*
 * grade: what the lab graders (tests/labs/grade_*.c) share: building a
 * run's configuration from a base and assignments, and reporting each
 * property as one PASS or FAIL line a student can act on.
 *
 * Rules of this module
 *  - A grader checks properties, never a student's exact numbers: each
 *    FAIL line says what was expected, what was seen, and what usually
 *    causes it.
 *  - The seeds are the grader's own (not the lab sheet's), so a policy
 *    tuned to the sheet's seed gains nothing.
 *  - Exit status: 0 when every property passed, 1 when one failed, 2 when
 *    the grader itself could not run (bad configuration: a bug here).
 */
#ifndef SLUICE_LAB_GRADE_H
#define SLUICE_LAB_GRADE_H

#include <stddef.h>
#include "run/sim.h"
#include "model/config.h"

typedef struct grade {
    const char *lab;   /* "watermark", "trigger" */
    int passed, failed;
} grade;

/* c := defaults + each assignment of sets ("section.key=value", NULL-ended)
 * + run.seed = seed.  0, or -1 with err filled. */
int grade_config(config_t *c, const char *const *sets, unsigned long seed, char *err, size_t errlen);

/* One property's verdict: ok non-zero is PASS.  fmt explains (printf). */
void grade_report(grade *g, int ok, const char *property, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Removes dir and everything in it (a run's temporary results folder). */
void grade_remove_dir(const char *dir);

/* The closing line and the exit status (0 all passed, 1 otherwise). */
int grade_finish(const grade *g);

#endif
