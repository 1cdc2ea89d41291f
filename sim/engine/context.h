/*
 * context: what an executor may ask of the run.  Implemented by run/sim.c;
 * declared here, in the engine layer, so that an executor (exec/) needs
 * nothing from the layers above it.
 *
 * Rules of this module
 *  - The run (a sim_t) owns the clock, the event queue, the configuration,
 *    the random streams and the fault schedule; an executor reads them and
 *    schedules its own timers through these calls only.
 *  - The clock is processing time in seconds and never goes backwards;
 *    scheduling in the past is a programmer error (assert).
 *  - Nothing here prints or exits: an executor that cannot continue says
 *    so with sim_abort, and the run stops with SIM_ERR.
 *  - Explain (sluice explain): an executor takes its recorder once,
 *    x = sim_explainer(s, id), and at each decision point writes one line
 *    SIM_EXPLAIN(x, kind, key, start, end, "detail\trule", ...).  x is
 *    NULL unless the caller of the run asked for the account
 *    (sim_options.explain), and then the hook is one predictable branch:
 *    its arguments are not even evaluated.  The text is a printf format:
 *    what happened, a tab, and the rule that made it happen (may be
 *    empty).  Times are the run's seconds, printed with %g.
 */
#ifndef SLUICE_CONTEXT_H
#define SLUICE_CONTEXT_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "model/config.h"
#include "model/fault.h"
#include "engine/event_queue.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim sim_t;

/* The clock: processing time now, s. */
double sim_now(const sim_t *s);
/* The run's stop flag (sim_options.stop, may be NULL), for executors that
 * read files while they are set up (a scripted watermark_file). */
const volatile int *sim_stop(const sim_t *s);
/* The address of the clock: *sim_clock(s) == sim_now(s) at all times,
 * valid as long as s; for per-event paths, which read it without a call. */
const double *sim_clock(const sim_t *s);
const config_t *sim_cfg(const sim_t *s);
/* The caller's plug-in policies (sim_options.watermark_type and
 * .trigger_type), or NULL: then the configured or default one applies. */
const struct watermark_type *sim_watermark_type(const sim_t *s);
const struct trigger_type *sim_trigger_type(const sim_t *s);
/* Schedules fn(s, arg, data) at absolute time t >= now.  Returns 0 only
 * when memory ran out (the run then fails with SIM_ERR). */
event_queue_handle sim_at(sim_t *s, double t, event_queue_fn fn, void *arg, uint64_t data);
int sim_cancel(sim_t *s, event_queue_handle h);
/* Moves a pending event; *h becomes its new handle (see event_queue_reschedule). */
int sim_reschedule(sim_t *s, event_queue_handle *h, double t);
/* The random stream of a component (engine/rng.h), created on first use and
 * owned by s.  Each executor that needs its own stream passes its own
 * component number.  NULL when out of memory (the run then stops with
 * SIM_ERR). */
gsl_rng *sim_rng(sim_t *s, unsigned component);
/* Oracle for the perfect watermark: smallest event time not yet arrived. */
double sim_min_pending_event_time(sim_t *s);
/* A lower bound of it (see workload_pending_event_time_floor): O(events in
 * flight) per call, nothing per event; for rare callers (folding, a job's
 * due time).  Every later arrival has an event time >= it. */
double sim_pending_event_time_floor(sim_t *s);
const fault_schedule *sim_faults(const sim_t *s);
/* An executor reports it could not continue (out of memory): the run
 * stops with SIM_ERR and this text. */
void sim_abort(sim_t *s, const char *why);

/* ---- explain: the run's account of its decisions ---- */

/* One line of the account, as the recorder's caller receives it. */
typedef struct sim_explain_line {
    double time;          /* s of processing time: now */
    const char *executor; /* its name ("stream") */
    const char *kind;     /* "arrive", "watermark", "pane", "drop" ... */
    int64_t key;          /* -1: none */
    double start, end;    /* the window; NAN when none */
    const char *detail;   /* what happened */
    const char *rule;     /* why: the rule, with its numbers; "" if none */
} sim_explain_line;

/* An executor's recorder (owned by the run). */
typedef struct sim_explain {
    void (*record)(void *user, const sim_explain_line *l);
    void *user;
    const double *clock;
    const char *executor;
} sim_explain;

/* The recorder of executor id (enum config_executor) for this run, or
 * NULL when no account is asked for (the normal run, the fault-free
 * reference run): take it once, at create. */
const sim_explain *sim_explainer(const sim_t *s, int id);
/* Records one line (see the rules above); use SIM_EXPLAIN. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void sim_explain_note(const sim_explain *x, const char *kind, int64_t key, double start,
                      double end, const char *fmt, ...);
#define SIM_EXPLAIN(x, ...)                                                                  \
    do {                                                                                     \
        if (x)                                                                               \
            sim_explain_note((x), __VA_ARGS__);                                              \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
