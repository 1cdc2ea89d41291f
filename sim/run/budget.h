/*
 * budget: a pre-flight estimate of the work and memory of one run, so a
 * legal configuration that would run for hours, fill the disk or exhaust
 * memory is refused before it starts (README, "Limits").
 *
 * Rules of this module
 *  - budget_check reads only the configuration (no file, no random draw);
 *    it is O(number of listed fault times).  It is an estimate: it errs on
 *    the side of letting a run start, and the run itself bounds what it
 *    cannot foresee (the timeline widens its rows, see run/sim.c).
 *  - Limits (BUDGET_*): events generated, event-window updates, windows
 *    (one windows.csv row each per executor), batch jobs, checkpoints and
 *    the processing-time horizon; memory held at once against half the
 *    physical memory (sysconf).  Ranges of single keys are model/config.c's.
 *  - On a refusal err names the keys, gives the estimate and the limit,
 *    and says which key to lower.  The CLI prints it and exits 2.
 */
#ifndef SLUICE_BUDGET_H
#define SLUICE_BUDGET_H

#include <stddef.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BUDGET_EVENTS_MAX 2e8       /* events generated */
#define BUDGET_UPDATES_MAX 2e9      /* events x windows per event */
#define BUDGET_WINDOWS_MAX 1e8      /* (key, window) results */
#define BUDGET_JOBS_MAX 1e7         /* batch jobs, micro-batch triggers */
#define BUDGET_CHECKPOINTS_MAX 1e7  /* stream checkpoint timers */
#define BUDGET_HORIZON_MAX 1e12     /* s of processing time (~31,700 years):
                                       beyond it a double no longer resolves
                                       a tenth of a millisecond */

#define BUDGET_OK 0
#define BUDGET_OVER (-1)

/* The estimate of a configuration (filled by budget_estimate). */
typedef struct budget_estimate_t {
    double events;        /* events generated (a trace's rows; 0 before it is read) */
    double rate;          /* events/s (a trace's: rows / its span) */
    double updates;       /* events x windows per event */
    double windows;       /* (key, window) results */
    double horizon_s;     /* processing time the run lasts, about */
    double jobs;          /* batch jobs */
    double triggers;      /* micro-batch triggers */
    double checkpoints;   /* stream checkpoint timers */
    double memory_bytes;  /* held at once, about */
} budget_estimate_t;

/* What is known of a trace once it is read (budget_check_trace). */
typedef struct budget_trace {
    const char *path;
    double events;         /* rows */
    double first_s;        /* least event time */
    double last_s;         /* greatest arrival time: the input's length (its span from
                              t = 0, the origin), which stands for run.duration */
    double keys;           /* distinct keys */
    double rows_held;      /* rows held in memory at once (all of them when read whole) */
} budget_trace;

/* Fills *e from c (validated); t: the trace read, or NULL (a trace's
 * events are then unknown and its span is taken as run.duration). */
void budget_estimate(const config_t *c, const budget_trace *t, budget_estimate_t *e);

/* BUDGET_OK, or BUDGET_OVER with the reason in err.  budget_check is the
 * check before anything is read; budget_check_trace the one after the
 * trace is read (run/sim.c): a trace whose times start far from 0 is refused
 * with its own message (the run simulates from t = 0). */
int budget_check(const config_t *c, char *err, size_t errlen);
/* Only the events generated (for sluice gen, which runs no executor). */
int budget_check_events(const config_t *c, char *err, size_t errlen);
int budget_check_trace(const config_t *c, const budget_trace *t, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
