/*
 * run/budget.c: the pre-flight estimate of a run's work and memory (see
 * run/budget.h for the rules and the limits).
 *
 * The processing time a run lasts is estimated per executor as a sum of
 * terms (the input's span, the work of every event, the restarts); each
 * term remembers the keys it comes from, so a refusal can say which key
 * made the run too long and should be lowered.
 */
#include "run/budget.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define EVENT_BYTES 128.0     /* one event held by an executor (measured
                                 about 100 B: its copy in a job or window,
                                 the list node, the workload's slot) */
#define TRACE_ROW_BYTES 64.0  /* one row of a trace read whole */
#define WINDOW_BYTES 256.0 /* one (key, window) record, all copies */

typedef struct term {
    double s;          /* seconds of processing time */
    char what[200];    /* "stream.restart_delay = 5 s x 2 crashes" */
    const char *lower; /* the key to lower, NULL: run.duration */
} term;

typedef struct horizon {
    term t[6];
    int n;
    double total;
} horizon;

static void add(horizon *h, double s, const char *lower, const char *fmt, ...)
{
    if (!(s > 0) || h->n == (int)(sizeof h->t / sizeof h->t[0]))
        return;
    term *t = &h->t[h->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->what, sizeof t->what, fmt, ap);
    va_end(ap);
    t->s = s;
    t->lower = lower;
    h->total += s;
}

static const term *dominant(const horizon *h)
{
    const term *best = NULL;
    for (int i = 0; i < h->n; i++)
        if (!best || h->t[i].s > best->s)
            best = &h->t[i];
    return best;
}

static double windows_per_event(const config_t *c)
{
    switch (c->window.type) {
    case WIN_NONE: return 0;
    case WIN_SLIDING: return ceil(c->window.size / c->window.slide);
    default: return 1;
    }
}

static double crashes(const config_t *c, double span_s)
{
    double n = (double)c->faults.crash_times.n;
    if (c->faults.mtbf > 0)
        n += span_s / c->faults.mtbf;
    return n;
}

/* How long the input lasts: a trace's span (run.duration does not cut a
 * trace), else run.duration. */
static double input_length(const config_t *c, const budget_trace *tr)
{
    return tr ? tr->last_s : c->run.duration;
}

/* The span of the input: the measured interval, the arrival delays, the
 * outages (events held back until their end). */
static void input_span(const config_t *c, const budget_trace *tr, horizon *h)
{
    const struct config_workload *w = &c->workload;
    if (tr)
        add(h, tr->last_s, NULL, "the last arrival of %s at %g s", tr->path, tr->last_s);
    else
        add(h, c->run.duration, NULL, "run.duration = %g s", c->run.duration);
    if (w->source == SRC_GENERATE) {
        if (w->delay != DELAY_NONE)
            add(h, 10 * w->delay_mean, "workload.delay_mean",
                "workload.delay_mean = %g s (10 x, for the tail)", w->delay_mean);
        if (w->late_fraction > 0)
            add(h, 10 * w->late_delay_mean, "workload.late_delay_mean",
                "workload.late_delay_mean = %g s (10 x, for the tail)", w->late_delay_mean);
    }
    double out_end = 0;
    for (size_t i = 0; i < c->faults.outage_times.n; i++)
        out_end = fmax(out_end, c->faults.outage_times.v[i] + c->faults.outage_duration);
    if (out_end > input_length(c, tr))
        add(h, out_end - input_length(c, tr), "faults.outage_duration",
            "faults.outage_duration = %g s", c->faults.outage_duration);
}

static void exec_horizon(const config_t *c, const budget_trace *tr, double events, int id,
                         horizon *h)
{
    memset(h, 0, sizeof *h);
    input_span(c, tr, h);
    double span = h->total;
    double nc = crashes(c, span), down = c->faults.detection_delay;
    switch (id) {
    case EXEC_STREAM:
        add(h, events * c->stream.service_mean / c->stream.parallelism, "stream.service_mean",
            "stream.service_mean = %g s x %.3g events / stream.parallelism = %d",
            c->stream.service_mean, events, c->stream.parallelism);
        down += c->stream.restart_delay;
        add(h, nc * down, "stream.restart_delay", "stream.restart_delay = %g s x %.3g crashes",
            c->stream.restart_delay, nc);
        break;
    case EXEC_BATCH:
        add(h, events * c->batch.per_event_cost / c->batch.parallelism, "batch.per_event_cost",
            "batch.per_event_cost = %g s x %.3g events / batch.parallelism = %d",
            c->batch.per_event_cost, events, c->batch.parallelism);
        down += c->batch.restart_delay;
        add(h, nc * down, "batch.restart_delay", "batch.restart_delay = %g s x %.3g crashes",
            c->batch.restart_delay, nc);
        break;
    default:
        add(h, events * c->microbatch.per_event_cost / c->microbatch.parallelism,
            "microbatch.per_event_cost",
            "microbatch.per_event_cost = %g s x %.3g events / microbatch.parallelism = %d",
            c->microbatch.per_event_cost, events, c->microbatch.parallelism);
        down += c->microbatch.restart_delay;
        add(h, nc * down, "microbatch.restart_delay",
            "microbatch.restart_delay = %g s x %.3g crashes", c->microbatch.restart_delay, nc);
        break;
    }
}

static double phys_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : INFINITY;
}

void budget_estimate(const config_t *c, const budget_trace *tr, budget_estimate_t *e)
{
    const struct config_workload *w = &c->workload;
    memset(e, 0, sizeof *e);
    if (w->source == SRC_GENERATE)
        e->events = w->rate * c->run.duration;
    else if (tr)
        e->events = tr->events;
    double wpe = windows_per_event(c);
    e->updates = e->events * wpe;
    double keys = tr && w->source == SRC_TRACE ? tr->keys : w->keys;
    double len = input_length(c, tr);
    if (!(keys > 0))
        keys = 1;
    if (c->window.type == WIN_TUMBLING || c->window.type == WIN_SLIDING) {
        double slide = c->window.type == WIN_SLIDING ? c->window.slide : c->window.size;
        e->windows = fmin(e->updates, keys * ceil((len + c->window.size) / slide));
    } else if (c->window.type == WIN_SESSION) {
        e->windows = fmin(e->events, keys * ceil(len / c->window.gap + 1));
    }
    /* Memory: each executor holds the events of about `held` seconds of
     * input (its interval, the window, its lateness rule, the delays),
     * at EVENT_BYTES each, and the fault-free reference holds as much
     * again; a trace read whole is held besides (a streamed one holds
     * a block, or its events in flight, counted above). */
    double rate = w->rate;
    if (w->source == SRC_TRACE)
        rate = tr && tr->last_s > tr->first_s ? tr->events / (tr->last_s - tr->first_s) : 0;
    e->rate = rate;
    double delays = 0;
    if (w->source == SRC_GENERATE) {
        if (w->delay != DELAY_NONE)
            delays += 10 * w->delay_mean;
        if (w->late_fraction > 0)
            delays += w->late_delay_mean;
    }
    double size = c->window.type == WIN_SESSION ? c->window.gap : c->window.size;
    int has_faults = c->faults.crash_times.n || c->faults.mtbf > 0 ||
                     c->faults.checkpoint_failure_times.n;
    horizon h;
    double mem_events = 0;
    for (int id = 0; id < EXEC_COUNT; id++) {
        if (!c->run.executors[id])
            continue;
        exec_horizon(c, tr, e->events, id, &h);
        e->horizon_s = fmax(e->horizon_s, h.total);
        double held = size + delays;
        if (id == EXEC_BATCH) {
            e->jobs = h.total / c->batch.interval;
            held += c->batch.interval + c->batch.cutoff;
        } else if (id == EXEC_MICROBATCH) {
            /* a trigger with no new data and nothing pending runs no
             * batch: at most one batch per event */
            e->triggers = c->microbatch.interval > 0
                              ? fmin(h.total / c->microbatch.interval, e->events)
                              : e->events;
            held += c->microbatch.interval + c->microbatch.watermark_delay;
        } else {
            if (c->stream.checkpoint_interval > 0)
                e->checkpoints = h.total / c->stream.checkpoint_interval;
            held += c->stream.checkpoint_interval + c->stream.allowed_lateness;
        }
        mem_events += fmin(rate * held, e->events) * (has_faults ? 2 : 1);
    }
    double open = c->window.type == WIN_NONE
                      ? 0
                      : fmin(e->windows, keys * (wpe > 0 ? wpe : 1) * 4);
    e->memory_bytes = mem_events * EVENT_BYTES + open * WINDOW_BYTES;
    if (w->source == SRC_TRACE)
        e->memory_bytes += (tr ? tr->rows_held : e->events) * TRACE_ROW_BYTES;
}

static int over(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return BUDGET_OVER;
}

/* "raise KEY" plus, when the horizon is mostly a key other than
 * run.duration, "or lower THAT". */
/* A run lasting more than this many times run.duration is "stretched": a
 * refusal then also names the key that stretched it. */
#define STRETCHED 10

static int periodic(const config_t *c, const budget_trace *tr, const budget_estimate_t *e, int id,
                    double count, double limit, const char *what, const char *key,
                    double interval, char *err, size_t errlen)
{
    horizon h;
    exec_horizon(c, tr, e->events, id, &h);
    const term *t = dominant(&h);
    if (t && h.total > STRETCHED * input_length(c, tr) && t->lower)
        return over(err, errlen,
                    "%s = %g s over about %.3g s of processing time (mostly %s) gives about "
                    "%.3g %s, more than the limit of %.0e: raise %s or lower %s",
                    key, interval, h.total, t->what, count, what, limit, key, t->lower);
    return over(err, errlen,
                "%s = %g s over about %.3g s of processing time gives about %.3g %s, more than "
                "the limit of %.0e: raise %s",
                key, interval, h.total, count, what, limit, key);
}

static int check_events(const config_t *c, const budget_trace *tr, const budget_estimate_t *e,
                        char *err, size_t errlen)
{
    if (tr && e->events > BUDGET_EVENTS_MAX)
        return over(err, errlen, "%s: %.3g rows, more than the limit of %.0e events: replay a "
                    "part of it", tr->path, e->events, BUDGET_EVENTS_MAX);
    if (e->events > BUDGET_EVENTS_MAX)
        return over(err, errlen,
                    "workload.rate = %g x run.duration = %g gives about %.3g events, more than "
                    "the limit of %.0e: lower workload.rate or run.duration",
                    c->workload.rate, c->run.duration, e->events, BUDGET_EVENTS_MAX);
    return BUDGET_OK;
}

int budget_check_events(const config_t *c, char *err, size_t errlen)
{
    budget_estimate_t e;
    budget_estimate(c, NULL, &e);
    return check_events(c, NULL, &e, err, errlen);
}

static int check(const config_t *c, const budget_trace *tr, char *err, size_t errlen)
{
    budget_estimate_t e;
    budget_estimate(c, tr, &e);
    const struct config_workload *w = &c->workload;
    if (check_events(c, tr, &e, err, errlen) != BUDGET_OK)
        return BUDGET_OVER;
    if (e.updates > BUDGET_UPDATES_MAX)
        return over(err, errlen,
                    "about %.3g events x %g windows each (window.size = %g / window.slide = %g) "
                    "gives about %.3g window updates, more than the limit of %.0e: raise "
                    "window.slide or lower workload.rate or run.duration",
                    e.events, windows_per_event(c), c->window.size, c->window.slide, e.updates,
                    BUDGET_UPDATES_MAX);
    if (e.windows > BUDGET_WINDOWS_MAX && tr)
        return over(err, errlen,
                    "%s: %g keys over %g s give about %.3g windows (rows of windows.csv per "
                    "executor), more than the limit of %.0e: raise window.%s", tr->path,
                    tr->keys, tr->last_s, e.windows, BUDGET_WINDOWS_MAX,
                    c->window.type == WIN_SESSION ? "gap" : "slide");
    if (e.windows > BUDGET_WINDOWS_MAX)
        return over(err, errlen,
                    "workload.keys = %d over run.duration = %g gives about %.3g windows (rows "
                    "of windows.csv per executor), more than the limit of %.0e: lower "
                    "workload.keys or run.duration, or raise window.%s",
                    w->keys, c->run.duration, e.windows, BUDGET_WINDOWS_MAX,
                    c->window.type == WIN_SESSION ? "gap" : "slide");
    for (int id = 0; id < EXEC_COUNT; id++) {
        if (!c->run.executors[id])
            continue;
        horizon h;
        exec_horizon(c, tr, e.events, id, &h);
        if (h.total > BUDGET_HORIZON_MAX) {
            const term *t = dominant(&h);
            return over(err, errlen,
                        "%s makes the run last about %.3g s of processing time, more than the "
                        "limit of %.0e s (beyond it times lose their precision and the run "
                        "would never end): lower %s",
                        t->what, h.total, BUDGET_HORIZON_MAX,
                        t->lower ? t->lower : tr ? "the times of the trace" : "run.duration");
        }
    }
    if (e.jobs > BUDGET_JOBS_MAX)
        return periodic(c, tr, &e, EXEC_BATCH, e.jobs, BUDGET_JOBS_MAX, "batch jobs",
                        "batch.interval", c->batch.interval, err, errlen);
    if (e.triggers > BUDGET_JOBS_MAX)
        return periodic(c, tr, &e, EXEC_MICROBATCH, e.triggers, BUDGET_JOBS_MAX, "micro-batches",
                        "microbatch.interval", c->microbatch.interval, err, errlen);
    if (e.checkpoints > BUDGET_CHECKPOINTS_MAX)
        return periodic(c, tr, &e, EXEC_STREAM, e.checkpoints, BUDGET_CHECKPOINTS_MAX,
                        "checkpoints", "stream.checkpoint_interval",
                        c->stream.checkpoint_interval, err, errlen);
    double ram = phys_bytes();
    if (e.memory_bytes > ram / 2)
        return over(err, errlen,
                    "the run would hold about %.3g GB at once (the events of a batch interval, "
                    "a micro-batch interval or a checkpoint interval, a window and its "
                    "lateness, at about %.3g events/s), more than half of this machine's "
                    "%.3g GB: lower workload.rate, batch.interval, window.size or "
                    "stream.checkpoint_interval",
                    e.memory_bytes / 1e9, e.rate, ram / 1e9);
    return BUDGET_OK;
}

int budget_check(const config_t *c, char *err, size_t errlen)
{
    return check(c, NULL, err, errlen);
}

int budget_check_trace(const config_t *c, const budget_trace *t, char *err, size_t errlen)
{
    char why[1024];
    if (check(c, t, why, sizeof why) == BUDGET_OK)
        return BUDGET_OK;
    /* Mostly empty time before the first event: say so. */
    if (t->first_s > 0.5 * t->last_s)
        return over(err, errlen,
                    "%s: event times start at %.3g s: sluice simulates from t = 0, so the run "
                    "would first go through %.3g s of empty time (%s); subtract the first event "
                    "time from every time in the file, or set workload.trace_origin = first",
                    t->path, t->first_s, t->first_s, why);
    snprintf(err, errlen, "%s", why);
    return BUDGET_OVER;
}
