/*
 * run/sim.c: the simulation context of one run and its main loop (see run/sim.h).
 *
 * One run = one workload (generated once, or a trace), one fault schedule,
 * one event queue and one clock shared by every executor: each arrival is
 * offered to every executor at the same simulated instant, so every
 * difference between executors is a difference of their model.
 *
 * When faults are configured, sim_run also runs the same configuration
 * without crashes and checkpoint failures (no output files, no ground
 * truth), in lockstep with the run: the
 * reference for the invariants "exactly_once_equals_fault_free" and
 * "at_least_once_contains_fault_free".  Windows that can no longer change
 * are folded as the runs go (see "folding" below), so per-window memory
 * follows the windows still open, not the run.
 *
 * Before a run starts, budget_check (run/budget.h) refuses a configuration
 * whose estimated work or memory is beyond the limits of the README's
 * "Limits"; a trace is checked again once read.  What the estimate cannot
 * foresee the run bounds itself: beyond tick_cap rows the timeline bucket
 * widens (on_tick), so a run stretched far past run.duration does not tick
 * through empty time.
 */
#include "run/sim.h"

#include <assert.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/budget.h"
#include "engine/exec.h"
#include "model/truth.h"
#include "measure/columns.h"
#include "measure/metrics.h"
#include "model/trace.h"
#include "model/workload.h"
#include "lib/fmt.h"
#include "lib/wmap.h"

#define SIM_RNG_MAX 32
#define SAMPLE_MAX 5000 /* events kept for events.csv */
/* Timeline rows at run.timeline_bucket: at least this many, and at least
 * twice the rows of [0, run.duration]; beyond them the bucket doubles
 * every TIMELINE_WIDEN_EVERY rows (on_tick). */
#define TIMELINE_ROWS_FREE 50000
#define TIMELINE_WIDEN_EVERY 100

typedef struct sample_ev {
    uint64_t id, seq;
    uint32_t key;
    double event_time, arrival_time;
} sample_ev;

struct sim {
    config_t cfg;
    const struct watermark_type *watermark_type; /* sim_options' plug-ins, or NULL */
    const struct trigger_type *trigger_type;
    double now;
    event_queue_t *eq;
    workload_t *wl;
    int ta_valid;       /* ta = workload_peek(wl), cached by sim_loop: valid until
                           workload_next or workload_min_pending_event_time (which may
                           generate an earlier arrival) */
    double ta;
    gsl_rng *rng[SIM_RNG_MAX];
    fault_schedule faults;
    truth_t *gt;
    exec_t exec[EXEC_COUNT];
    int nexec;
    FILE *panes;
    double bucket;       /* s per timeline row (run.timeline_bucket) */
    uint64_t tick_cap;   /* rows at that width; then they widen */
    double bucket_w;     /* s per row beyond tick_cap (see on_tick) */
    double last_tick;    /* time of the last timeline sample */
    int input_ended;
    int aborted;
    char abort_msg[512];
    uint64_t events;
    uint64_t steps;      /* loop steps so far (stop flag, progress) */
    double input_end;    /* s: run.duration, or a trace's last arrival (progress) */
    const volatile int *stop; /* sim_options.stop, for loading (may be NULL) */
    const sim_options *opt;   /* sim_options.sample (may be NULL) */
    int finished;        /* the loop ran out of events */
    double fold_h;       /* windows ending before it may have been folded */
    /* events.csv: every k-th event by seq; k doubles when full */
    sample_ev *sample;
    size_t nsample;
    uint64_t sample_k;   /* a power of two: seq % k is seq & (k - 1) */
    sim_explain x[EXEC_COUNT]; /* explain recorders (x[id].record NULL: off) */
};

/* ---- services for executors ---- */

double sim_now(const sim_t *s) { return s->now; }
const volatile int *sim_stop(const sim_t *s) { return s->stop; }
const double *sim_clock(const sim_t *s) { return &s->now; }
const config_t *sim_cfg(const sim_t *s) { return &s->cfg; }
const struct watermark_type *sim_watermark_type(const sim_t *s) { return s->watermark_type; }
const struct trigger_type *sim_trigger_type(const sim_t *s) { return s->trigger_type; }
const fault_schedule *sim_faults(const sim_t *s) { return &s->faults; }

const sim_explain *sim_explainer(const sim_t *s, int id)
{
    return id >= 0 && id < EXEC_COUNT && s->x[id].record ? &s->x[id] : NULL;
}

void sim_explain_note(const sim_explain *x, const char *kind, int64_t key, double start,
                      double end, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *tab = strchr(buf, '\t');
    if (tab)
        *tab++ = 0;
    sim_explain_line l = {*x->clock, x->executor, kind, key, start, end, buf, tab ? tab : ""};
    x->record(x->user, &l);
}

event_queue_handle sim_at(sim_t *s, double t, event_queue_fn fn, void *arg, uint64_t data)
{
    assert(t >= s->now && "scheduling in the past");
    assert(!isnan(t));
    event_queue_handle h = event_queue_schedule(s->eq, t, fn, arg, data);
    if (!h)
        sim_abort(s, "out of memory in the event queue");
    return h;
}

int sim_cancel(sim_t *s, event_queue_handle h) { return event_queue_cancel(s->eq, h); }

int sim_reschedule(sim_t *s, event_queue_handle *h, double t)
{
    assert(t >= s->now && "rescheduling into the past");
    return event_queue_reschedule(s->eq, h, t);
}

gsl_rng *sim_rng(sim_t *s, unsigned component)
{
    assert(component < SIM_RNG_MAX);
    if (!s->rng[component]) {
        s->rng[component] = rng_stream_alloc(s->cfg.run.seed, component);
        if (!s->rng[component])
            sim_abort(s, "out of memory allocating a random stream");
    }
    return s->rng[component];
}

double sim_min_pending_event_time(sim_t *s)
{
    s->ta_valid = 0;
    return workload_min_pending_event_time(s->wl);
}

double sim_pending_event_time_floor(sim_t *s)
{
    return workload_pending_event_time_floor(s->wl);
}

void sim_abort(sim_t *s, const char *why)
{
    if (!s->aborted)
        snprintf(s->abort_msg, sizeof s->abort_msg, "%s", why);
    s->aborted = 1;
}

/* ---- lifecycle ---- */

static void sim_free(sim_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nexec; i++) {
        if (s->exec[i].self)
            s->exec[i].type->destroy(s->exec[i].self);
        metrics_free(s->exec[i].metrics);
    }
    for (int i = 0; i < SIM_RNG_MAX; i++)
        if (s->rng[i])
            gsl_rng_free(s->rng[i]);
    event_queue_free(s->eq);
    workload_free(s->wl);
    truth_free(s->gt);
    fault_schedule_free(&s->faults);
    free(s->sample);
    free(s);
}

/* with_truth: keep the ground truth (the fault-free reference needs none). */
/* opt: the caller's options (may be NULL): its exec_types and plug-in
 * policies replace the built-in ones in this run.  xo: the options whose
 * explain recorder the executors get (NULL: none). */
static sim_t *sim_new(const config_t *c, FILE *panes, int with_truth, const volatile int *stop,
                      const sim_options *opt, const sim_options *xo, char *err, size_t errlen)
{
    const exec_type *const *types = opt ? opt->exec_types : NULL;
    sim_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *c;
    s->input_end = c->run.duration;
    s->watermark_type = opt ? opt->watermark_type : NULL;
    s->trigger_type = opt ? opt->trigger_type : NULL;
    s->panes = panes;
    s->stop = stop;
    s->sample_k = 1;
    s->fold_h = -INFINITY;
    s->eq = event_queue_alloc(1024);
    s->gt = with_truth ? truth_alloc(&c->window) : NULL;
    s->sample = malloc(SAMPLE_MAX * sizeof *s->sample);
    if (!s->eq || (with_truth && !s->gt) || !s->sample) {
        snprintf(err, errlen, "out of memory");
        sim_free(s);
        return NULL;
    }
    s->wl = workload_open_stop(c, stop, err, errlen);
    if (!s->wl) {
        sim_free(s);
        return NULL;
    }
    if (c->workload.source == SRC_TRACE) {
        budget_trace bt = {c->workload.trace, 0, 0, 0, 0, 0};
        bt.events = (double)workload_trace_span(s->wl, &bt.first_s, &bt.last_s);
        bt.keys = (double)trace_get_info(workload_trace(s->wl))->keys;
        bt.rows_held = (double)workload_in_flight_max(s->wl); /* before the first event */
        s->input_end = bt.last_s;
        if (budget_check_trace(c, &bt, err, errlen) != BUDGET_OK) {
            sim_free(s);
            return NULL;
        }
    }
    if (fault_schedule_build(c, &s->faults, err, errlen) != 0) {
        sim_free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->faults.n; i++) {
        const fault_t *f = &s->faults.v[i];
        if (f->kind == FAULT_OUTAGE && workload_add_outage(s->wl, f->time, f->time + f->duration) != 0) {
            snprintf(err, errlen, "out of memory adding an outage");
            sim_free(s);
            return NULL;
        }
    }
    s->bucket = c->run.timeline_bucket > 0 ? c->run.timeline_bucket : c->run.duration / 100.0;
    if (!(s->bucket > 0))
        s->bucket = 1.0;
    s->bucket_w = s->bucket;
    {
        double planned = ceil(c->run.duration / s->bucket);
        s->tick_cap = planned * 2 > TIMELINE_ROWS_FREE ? (uint64_t)(planned * 2) : TIMELINE_ROWS_FREE;
    }
    for (int id = 0; id < EXEC_COUNT; id++) {
        if (!c->run.executors[id])
            continue;
        exec_t *e = &s->exec[s->nexec];
        e->type = types && types[id] ? types[id] : exec_type_of(id);
        if (!e->type) {
            snprintf(err, errlen, "executor %s is not built into this sluice",
                     config_word("run", "executors", id));
            sim_free(s);
            return NULL;
        }
        e->sim = s;
        e->id = id;
        if (xo && xo->explain)
            s->x[id] = (sim_explain){xo->explain, xo->explain_user, &s->now,
                                     config_word("run", "executors", id)};
        metrics_facts x;
        exec_facts(e->type, c, &x);
        e->metrics = metrics_alloc_facts(&x, c, panes);
        s->nexec++;
        if (!e->metrics) {
            snprintf(err, errlen, "out of memory");
            sim_free(s);
            return NULL;
        }
        metrics_key_names(e->metrics, s->wl);
        e->self = e->type->create(s, e, err, errlen);
        if (!e->self) {
            sim_free(s);
            return NULL;
        }
    }
    return s;
}

/* ---- events of the run itself ---- */

static void on_fault(void *ctx, void *arg, uint64_t data)
{
    sim_t *s = ctx;
    (void)arg;
    const fault_t *f = &s->faults.v[data];
    for (int i = 0; i < s->nexec; i++)
        s->exec[i].type->on_fault(s->exec[i].self, f);
}

static void sample_all(sim_t *s, double t)
{
    for (int i = 0; i < s->nexec; i++) {
        exec_t *e = &s->exec[i];
        sim_sample row = {e->id, t, 0, NAN};
        row.backlog = e->type->backlog(e->self);
        row.watermark = e->type->watermark(e->self);
        if (metrics_sample(e->metrics, t, row.backlog, row.watermark) != 0)
            sim_abort(s, "out of memory recording the timeline");
        if (s->opt && s->opt->sample)
            s->opt->sample(s->opt->sample_user, &row);
    }
    s->last_tick = t;
}

/* Timeline row `data` (1, 2, ...) ends at data x bucket.  A run whose
 * processing time goes far beyond its measured interval (delays, outages
 * or restarts much longer than run.duration) would tick through all that
 * time: beyond tick_cap rows the bucket doubles every TIMELINE_WIDEN_EVERY
 * rows, so the rows (and the ticks) grow with the logarithm of the time
 * simulated, not with the time.  Normal runs never get there (tick_cap is
 * at least twice the rows of the measured interval). */
static void on_tick(void *ctx, void *arg, uint64_t data)
{
    sim_t *s = ctx;
    (void)arg;
    sample_all(s, s->now);
    /* Keep ticking while anything else can still happen. */
    if (s->input_ended && event_queue_size(s->eq) == 0)
        return;
    double next;
    if (data < s->tick_cap) {
        next = (double)(data + 1) * s->bucket;
    } else {
        if ((data - s->tick_cap) % TIMELINE_WIDEN_EVERY == 0)
            s->bucket_w *= 2;
        next = s->now + s->bucket_w;
    }
    sim_at(s, next, on_tick, NULL, data + 1);
}

static void keep_sample(sim_t *s, const workload_event *ev)
{
    if ((ev->seq & (s->sample_k - 1)) != 0) /* no division per event */
        return;
    if (s->nsample == SAMPLE_MAX) {
        /* Thin to every (2k)-th: deterministic, bounded. */
        size_t j = 0;
        s->sample_k *= 2;
        for (size_t i = 0; i < s->nsample; i++)
            if ((s->sample[i].seq & (s->sample_k - 1)) == 0)
                s->sample[j++] = s->sample[i];
        s->nsample = j;
        if ((ev->seq & (s->sample_k - 1)) != 0)
            return;
    }
    sample_ev *x = &s->sample[s->nsample++];
    x->id = ev->id;
    x->seq = ev->seq;
    x->key = ev->key;
    x->event_time = ev->event_time;
    x->arrival_time = ev->arrival_time;
}

static void end_input(sim_t *s)
{
    s->input_ended = 1;
    for (int i = 0; i < s->nexec; i++)
        s->exec[i].type->on_input_end(s->exec[i].self);
}

/* An arrival behind a fold: the truth horizon was wrong (a bug). */
static void fold_broken(sim_t *s, const workload_event *ev)
{
    char d[256];
    snprintf(d, sizeof d,
             "event %" PRIu64 " with event time %.9g arrived after windows ending before "
             "%.9g were folded",
             ev->id, ev->event_time, s->fold_h);
    for (int i = 0; i < s->nexec; i++)
        metrics_fail(s->exec[i].metrics, "window_horizon", d);
}

static void sim_begin(sim_t *s)
{
    for (size_t i = 0; i < s->faults.n; i++)
        if (!sim_at(s, s->faults.v[i].time, on_fault, NULL, i))
            break;
    sim_at(s, s->bucket, on_tick, NULL, 1);
}

/* The main loop: arrivals and queued events in time order, an arrival
 * first on a tie.  Returns after max_steps steps, or before a step later
 * than `until`, or at the end of the run (s->finished). */
static int sim_advance(sim_t *s, const sim_options *opt, uint64_t max_steps, double until,
                       char *err, size_t errlen)
{
    for (uint64_t n = 0; n < max_steps && !s->aborted; n++) {
        if ((++s->steps & 0xffff) == 0 && opt) {
            if (opt->stop && *opt->stop) {
                snprintf(err, errlen, "interrupted");
                return SIM_ERR;
            }
            if (opt->progress)
                opt->progress(opt->user, s->now, s->input_end, s->events);
        }
        if (!s->ta_valid) {
            s->ta = workload_peek(s->wl);
            s->ta_valid = 1;
        }
        double ta = s->ta;
        double te = event_queue_peek_time(s->eq);
        if (ta == INFINITY && !s->input_ended) {
            const char *why = workload_error(s->wl);
            if (why && *why) {
                snprintf(err, errlen, "%s", why);
                return SIM_ERR;
            }
            end_input(s);
            s->ta_valid = 0;
            continue;
        }
        if (ta == INFINITY && te == INFINITY) {
            s->finished = 1;
            break;
        }
        if ((ta <= te ? ta : te) > until)
            break;
        if (ta <= te) {
            workload_event ev;
            s->ta_valid = 0;
            if (workload_next(s->wl, &ev) != WL_OK) {
                snprintf(err, errlen, "%s", workload_error(s->wl));
                return SIM_ERR;
            }
            assert(ev.arrival_time >= s->now);
            s->now = ev.arrival_time;
            s->events++;
            if (ev.event_time < s->fold_h)
                fold_broken(s, &ev);
            if (s->gt && truth_add(s->gt, &ev) != 0) {
                snprintf(err, errlen, "out of memory in the ground truth");
                return SIM_ERR;
            }
            keep_sample(s, &ev);
            for (int i = 0; i < s->nexec; i++)
                s->exec[i].type->on_arrival(s->exec[i].self, &ev);
        } else {
            event_queue_item it;
            int rc = event_queue_pop(s->eq, &it);
            assert(rc == EQ_OK);
            (void)rc;
            assert(it.time >= s->now);
            s->now = it.time;
            it.fn(s, it.arg, it.data);
        }
    }
    if (s->aborted) {
        snprintf(err, errlen, "%s", s->abort_msg);
        return SIM_ERR;
    }
    return SIM_OK;
}

/* After the last step: the last timeline row, the executors' finish, the
 * completeness of what was not folded. */
static int sim_end(sim_t *s, char *err, size_t errlen)
{
    if (s->now > s->last_tick) {
        if (s->bucket_w == s->bucket)
            sample_all(s, ceil(s->now / s->bucket) * s->bucket);
        else
            sample_all(s, s->last_tick + ceil((s->now - s->last_tick) / s->bucket_w) * s->bucket_w);
    }
    for (int i = 0; i < s->nexec; i++) {
        if (s->exec[i].type->finish)
            s->exec[i].type->finish(s->exec[i].self);
        if (metrics_finish(s->exec[i].metrics, s->gt) != 0) {
            snprintf(err, errlen, "out of memory computing completeness");
            return SIM_ERR;
        }
    }
    if (s->aborted) {
        snprintf(err, errlen, "%s", s->abort_msg);
        return SIM_ERR;
    }
    return SIM_OK;
}

/* ---- invariants against the fault-free run ---- */

/* Compares executor e's final results with the fault-free run's.  For an
 * exactly-once executor every window must match in both directions; for an
 * at-least-once one every fault-free window must be matched or exceeded
 * (duplicates are allowed, losses are not).  Every window counts, whatever
 * its panes (a window first shown by a LATE pane is as final as one with
 * an ON_TIME pane); session windows are first folded into the final
 * session of their key: a session emitted early and then merged into a
 * larger one is an intermediate result, and which intermediates appear
 * depends on timing, not on correctness. */
typedef struct sess_entry {
    wmap_key k;
    const metrics_result *r;
} sess_entry;

static int sess_key_order(const void *a, const void *b)
{
    const wmap_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longest first */
    return 0;
}

static int sess_cmp(const void *a, const void *b)
{
    return sess_key_order(&((const sess_entry *)a)->k, &((const sess_entry *)b)->k);
}

/* Session windows grow by merging, so a run's results hold intermediate
 * sessions (emitted, then merged into a larger one) beside the final ones.
 * This folds every session into the largest one of its key that contains
 * it: the result maps each final session to its final value (for delta
 * panes, the sum over everything merged into it, since a consumer adds up
 * the deltas of the merged windows too).  Returns a new map owned by the
 * caller, or NULL when out of memory. */
static wmap_t *final_sessions(const wmap_t *m, int deltas)
{
    size_t n = wmap_size(m), pos = 0, i = 0;
    sess_entry *v = malloc((n ? n : 1) * sizeof *v);
    wmap_t *out = wmap_alloc(sizeof(metrics_result));
    if (!v || !out) {
        free(v);
        wmap_free(out);
        return NULL;
    }
    const metrics_result *r;
    wmap_key k;
    while ((r = wmap_next(m, &pos, &k)) != NULL) {
        v[i].k = k;
        v[i].r = r;
        i++;
    }
    qsort(v, n, sizeof *v, sess_cmp);
    metrics_result *cur = NULL;
    wmap_key ck = {0, 0, 0};
    for (i = 0; i < n; i++) {
        int contained = cur && v[i].k.key == ck.key && v[i].k.end <= ck.end;
        if (!contained) {
            ck = v[i].k;
            cur = wmap_put(out, ck.key, ck.start, ck.end, NULL);
            if (!cur) {
                free(v);
                wmap_free(out);
                return NULL;
            }
            *cur = *v[i].r;
            cur->has_ontime = 1;
        } else if (deltas) {
            cur->final_count += v[i].r->final_count;
            cur->final_sum += v[i].r->final_sum;
        }
    }
    free(v);
    return out;
}

static void check_against_reference(sim_t *s, exec_t *e, const wmap_t *got, const wmap_t *want)
{
    wmap_t *got_s = NULL, *want_s = NULL;
    metrics_facts x; /* what the executor says of its panes and output */
    exec_facts(e->type, &s->cfg, &x);
    if (s->cfg.window.type == WIN_SESSION) {
        got_s = final_sessions(got, x.deltas);
        want_s = final_sessions(want, x.deltas);
        if (!got_s || !want_s) {
            wmap_free(got_s);
            wmap_free(want_s);
            sim_abort(s, "out of memory comparing with the fault-free run");
            return;
        }
        got = got_s;
        want = want_s;
    }
    int exact = x.exactly_once;
    const char *name = exact ? "exactly_once_equals_fault_free" : "at_least_once_contains_fault_free";
    char detail[256];
    size_t pos = 0;
    wmap_key k;
    const metrics_result *w;
    while ((w = wmap_next(want, &pos, &k)) != NULL) {
        const metrics_result *g = wmap_get(got, k.key, k.start, k.end);
        uint64_t gc = g ? g->final_count : 0;
        int64_t gs = g ? g->final_sum : 0;
        int bad = exact ? (gc != w->final_count || gs != w->final_sum) : (gc < w->final_count);
        if (bad) {
            snprintf(detail, sizeof detail,
                     "%s: key %" PRIu32 " window [%.9g, %.9g): final count %" PRIu64
                     " sum %" PRId64 ", fault-free count %" PRIu64 " sum %" PRId64,
                     e->type->name, k.key, k.start, k.end, gc, gs, w->final_count, w->final_sum);
            metrics_fail(e->metrics, name, detail);
            goto done;
        }
    }
    if (!exact)
        goto done;
    pos = 0;
    const metrics_result *g;
    while ((g = wmap_next(got, &pos, &k)) != NULL) {
        if (g->final_count > 0 && !wmap_get(want, k.key, k.start, k.end)) {
            snprintf(detail, sizeof detail,
                     "%s: key %" PRIu32 " window [%.9g, %.9g) has count %" PRIu64
                     " but does not exist in the fault-free run",
                     e->type->name, k.key, k.start, k.end, g->final_count);
            metrics_fail(e->metrics, name, detail);
            goto done;
        }
    }
done:
    wmap_free(got_s);
    wmap_free(want_s);
}


/* ---- folding: windows that can no longer change ---- */

/* The run advances FOLD_CHUNK steps at a time (fewer with a small
 * fold_min), and its fault-free reference catches up with it every
 * FOLD_LOCKSTEP steps of the run, or sooner when a fold is due (so the
 * records held still follow the doubling rule below).  Interleaving the
 * two at a finer grain
 * (4,096 or 65,536 steps) cost about 20% of wall time on the full model
 * (two working sets fighting over the caches; measured, not explained
 * further); at 2^18 steps the cost is within noise of running one after
 * the other, while the reference's lag holds the records of at most that
 * many steps longer (2^20 steps held so many that peak memory had not
 * settled after 10^6 events in bench figure 5b).  After a step, when the
 * per-window records held (truth, results of every executor, reference
 * results) have grown to fold_next, every window that can no longer
 * change is folded: its windows.csv rows are written, it joins the
 * completeness sums, it is compared with the reference, and it is
 * forgotten.  fold_next then becomes twice what is left (at least
 * fold_min): the scans cost O(1) amortised per record, and memory follows
 * the windows still open instead of the run.
 *
 * A window can no longer change once its end < H, the minimum of the
 * truth horizon (a floor of the event times still to arrive, in both runs,
 * sim_pending_event_time_floor) and
 * every executor's horizon (engine/exec.h) in both runs.  windows.csv is sorted
 * by (start, end, key), so a fold takes the windows that start before S:
 * S is the smallest start of a record ending at or after H (those stay),
 * and at most H - size for fixed windows (a window opened later ends at or
 * after H).  Session windows: an intermediate session and the final one
 * containing it (see final_sessions) go together: S drops to the start of
 * a folded session that contains one left behind. */
#define FOLD_CHUNK 4096
#define FOLD_LOCKSTEP (1u << 17)
#define FOLD_MIN_DEFAULT 4096

typedef struct fold_ctx {
    sim_t *s, *ref;
    size_t min, next;         /* records: fold when held >= next */
    size_t peak;              /* most records held at once (at a check) */
    wmap_key *keys;           /* scratch: the fold set */
    size_t nkeys, capkeys;
} fold_ctx;

static int push_key(fold_ctx *fc, const wmap_key *k)
{
    if (fc->nkeys == fc->capkeys) {
        size_t nc = fc->capkeys ? 2 * fc->capkeys : 1024;
        wmap_key *p = realloc(fc->keys, nc * sizeof *p);
        if (!p)
            return -1;
        fc->keys = p;
        fc->capkeys = nc;
    }
    fc->keys[fc->nkeys++] = *k;
    return 0;
}

/* Every per-window map of the runs, for the scans. */
static int fold_maps(const fold_ctx *fc, const wmap_t **maps)
{
    int n = 0;
    if (fc->s->gt)
        maps[n++] = truth_map(fc->s->gt);
    for (int i = 0; i < fc->s->nexec; i++)
        maps[n++] = metrics_results(fc->s->exec[i].metrics);
    for (int i = 0; fc->ref && i < fc->ref->nexec; i++)
        maps[n++] = metrics_results(fc->ref->exec[i].metrics);
    return n;
}

static size_t fold_held(const fold_ctx *fc)
{
    const wmap_t *maps[1 + 2 * EXEC_COUNT];
    int n = fold_maps(fc, maps);
    size_t held = 0;
    for (int i = 0; i < n; i++)
        held += wmap_size(maps[i]);
    return held;
}

static double exec_horizon(const exec_t *e)
{
    return e->type->horizon ? e->type->horizon(e->self) : -INFINITY;
}

static double fold_horizon(fold_ctx *fc)
{
    double h = INFINITY;
    for (int i = 0; i < fc->s->nexec; i++)
        h = fmin(h, exec_horizon(&fc->s->exec[i]));
    for (int i = 0; fc->ref && i < fc->ref->nexec; i++)
        h = fmin(h, exec_horizon(&fc->ref->exec[i]));
    if (h == -INFINITY)
        return h;
    h = fmin(h, sim_pending_event_time_floor(fc->s));
    if (fc->ref)
        h = fmin(h, sim_pending_event_time_floor(fc->ref));
    return h;
}

static int key_order(const void *a, const void *b)
{
    return wmap_key_cmp(a, b);
}

/* Collects into fc->keys, sorted by (start, end, key) and without
 * repeats, every record with start < S (and, with `also_before` finite,
 * also those with end < also_before).  0, or -1 on OOM. */
static int fold_collect(fold_ctx *fc, double S, double also_before)
{
    const wmap_t *maps[1 + 2 * EXEC_COUNT];
    int n = fold_maps(fc, maps);
    fc->nkeys = 0;
    for (int i = 0; i < n; i++) {
        size_t pos = 0;
        wmap_key k;
        while (wmap_next(maps[i], &pos, &k) != NULL)
            if ((k.start < S || k.end < also_before) && push_key(fc, &k) != 0)
                return -1;
    }
    if (fc->nkeys > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(fc->keys, fc->nkeys, sizeof *fc->keys, key_order);
    size_t j = 0;
    for (size_t i = 0; i < fc->nkeys; i++)
        if (j == 0 || key_order(&fc->keys[j - 1], &fc->keys[i]) != 0)
            fc->keys[j++] = fc->keys[i];
    fc->nkeys = j;
    return 0;
}

/* S for sessions: lowered until no session that stays is contained in one
 * that goes.  -1 on OOM. */
static int fold_sessions_start(fold_ctx *fc, double h, double *S)
{
    for (;;) {
        if (fold_collect(fc, *S, h) != 0)
            return -1;
        if (fc->nkeys > 1)
            qsort(fc->keys, fc->nkeys, sizeof *fc->keys, sess_key_order);
        double lowered = *S;
        const wmap_key *top = NULL;
        for (size_t i = 0; i < fc->nkeys; i++) {
            const wmap_key *v = &fc->keys[i];
            if (top && v->key == top->key && v->end <= top->end) {
                if (v->start >= *S && top->start < *S && top->start < lowered)
                    lowered = top->start;
            } else {
                top = v;
            }
        }
        if (lowered == *S)
            return 0;
        *S = lowered;
    }
}

/* Copies the records of the fold set from a results map into a new map
 * (for the comparison with the reference).  NULL on OOM. */
static wmap_t *fold_subset(const fold_ctx *fc, const wmap_t *m)
{
    wmap_t *out = wmap_alloc(sizeof(metrics_result));
    if (!out)
        return NULL;
    for (size_t i = 0; i < fc->nkeys; i++) {
        const wmap_key *k = &fc->keys[i];
        const metrics_result *r = wmap_get(m, k->key, k->start, k->end);
        if (!r)
            continue;
        metrics_result *c = wmap_put(out, k->key, k->start, k->end, NULL);
        if (!c) {
            wmap_free(out);
            return NULL;
        }
        *c = *r;
    }
    return out;
}

static void fold_now(fold_ctx *fc)
{
    sim_t *s = fc->s, *ref = fc->ref;
    double h = fold_horizon(fc);
    if (!(h > s->fold_h))
        return; /* nothing new can go */
    const wmap_t *maps[1 + 2 * EXEC_COUNT];
    int nmaps = fold_maps(fc, maps);
    double S = h;
    if (s->cfg.window.type != WIN_SESSION)
        S = h - s->cfg.window.size;
    for (int i = 0; i < nmaps; i++) {
        size_t pos = 0;
        wmap_key k;
        while (wmap_next(maps[i], &pos, &k) != NULL)
            if (k.end >= h && k.start < S)
                S = k.start;
    }
    int rc = s->cfg.window.type == WIN_SESSION ? fold_sessions_start(fc, h, &S) : 0;
    if (rc == 0)
        rc = fold_collect(fc, S, -INFINITY);
    if (rc != 0) {
        sim_abort(s, "out of memory folding windows");
        return;
    }
    for (int i = 0; i < s->nexec; i++) {
        exec_t *e = &s->exec[i];
        if (ref) {
            wmap_t *got = fold_subset(fc, metrics_results(e->metrics));
            wmap_t *want = fold_subset(fc, metrics_results(ref->exec[i].metrics));
            if (!got || !want) {
                wmap_free(got);
                wmap_free(want);
                sim_abort(s, "out of memory comparing with the fault-free run");
                return;
            }
            check_against_reference(s, e, got, want);
            wmap_free(got);
            wmap_free(want);
        }
        for (size_t j = 0; j < fc->nkeys; j++) {
            const wmap_key *k = &fc->keys[j];
            const truth_value *t = s->gt ? wmap_get(truth_map(s->gt), k->key, k->start, k->end) : NULL;
            if (metrics_fold_window(e->metrics, k, t) != 0) {
                sim_abort(s, "write error on a temporary file (windows.csv rows)");
                return;
            }
        }
        metrics_fold_horizon(e->metrics, h);
    }
    for (int i = 0; ref && i < ref->nexec; i++) {
        for (size_t j = 0; j < fc->nkeys; j++)
            metrics_fold_window(ref->exec[i].metrics, &fc->keys[j], NULL);
        metrics_fold_horizon(ref->exec[i].metrics, h);
    }
    for (size_t j = 0; s->gt && j < fc->nkeys; j++)
        truth_forget(s->gt, fc->keys[j].key, fc->keys[j].start, fc->keys[j].end);
    s->fold_h = h;
    if (ref)
        ref->fold_h = h;
}

static void fold_check(fold_ctx *fc)
{
    if (fc->s->cfg.window.type == WIN_NONE)
        return;
    size_t held = fold_held(fc);
    if (held > fc->peak)
        fc->peak = held;
    if (held < fc->next)
        return;
    fold_now(fc);
    held = fold_held(fc);
    fc->next = held + (held > fc->min ? held : fc->min);
}

/* The fault-free reference on its own thread: sim_run posts a catch-up
 * ("advance to `until`") and waits for it at the next synchronisation
 * point, running the next stretch of the run meanwhile.  The two runs
 * share nothing mutable (each has its own workload, event queue, random
 * streams and metrics; the reference writes no file), and the main
 * thread touches the reference only while no catch-up is running.  If
 * the thread cannot be started, catch-ups run inline. */
typedef struct ref_worker {
    sim_t *ref;
    sim_options ropt;         /* stop flag only: progress is the run's */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    int threaded;             /* th is running */
    int busy;                 /* a catch-up is posted and not finished */
    int quit;
    double until;             /* the catch-up's target time */
    int rc;                   /* SIM_OK, or SIM_ERR with err */
    char err[512];
} ref_worker;

static void ref_catch_up(ref_worker *w)
{
    if (w->rc == SIM_OK)
        w->rc = sim_advance(w->ref, &w->ropt, UINT64_MAX, w->until, w->err, sizeof w->err);
}

static void *ref_thread(void *arg)
{
    ref_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit)
            break;
        pthread_mutex_unlock(&w->mu);
        ref_catch_up(w);
        pthread_mutex_lock(&w->mu);
        w->busy = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void ref_start(ref_worker *w)
{
    w->threaded = pthread_mutex_init(&w->mu, NULL) == 0;
    if (w->threaded && pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        w->threaded = 0;
    }
    if (w->threaded && pthread_create(&w->th, NULL, ref_thread, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        w->threaded = 0;
    }
}

static void ref_post(ref_worker *w, double until)
{
    w->until = until;
    if (!w->threaded) {
        ref_catch_up(w);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->busy = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void ref_wait(ref_worker *w)
{
    if (!w->threaded)
        return;
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

static void ref_stop(ref_worker *w)
{
    if (!w->threaded)
        return;
    ref_wait(w);
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->threaded = 0;
}

/* Per-window records held by the run itself (truth and results). */
static size_t run_held(const fold_ctx *fc)
{
    fold_ctx run_only = *fc;
    run_only.ref = NULL;
    return fold_held(&run_only);
}

/* Per-window records held by the reference (only while it is idle). */
static size_t ref_held(const sim_t *ref)
{
    size_t held = 0;
    for (int i = 0; ref && i < ref->nexec; i++)
        held += wmap_size(metrics_results(ref->exec[i].metrics));
    return held;
}

/* Runs s (and its reference ref, may be NULL) to the end, folding as it
 * goes.  The synchronisation points are where the single-threaded order
 * had the reference catch up (every FOLD_LOCKSTEP steps of the run, when
 * a fold is due, at the end of the run), counted in steps of the run
 * only, so they do not depend on thread timing: at each, the catch-up
 * posted at the previous one is waited for, windows are folded against
 * the reference as it stands then, and the next catch-up (to the run's
 * time now) is posted.  Every decision therefore reads states that are
 * the same from one execution to the next, and the output files do not
 * depend on when folds happen (tests/test_fold.c). */
static int run_lockstep(sim_t *s, sim_t *ref, const sim_options *opt, fold_ctx *fc,
                        char *err, size_t errlen)
{
    ref_worker w;
    memset(&w, 0, sizeof w);
    w.ref = ref;
    w.rc = SIM_OK;
    if (opt)
        w.ropt.stop = opt->stop;
    size_t chunk = fc->min < FOLD_CHUNK ? (fc->min > 16 ? fc->min : 16) : FOLD_CHUNK;
    uint64_t lockstep = fc->min < FOLD_CHUNK ? chunk : FOLD_LOCKSTEP, since = 0;
    sim_begin(s);
    if (ref) {
        sim_begin(ref);
        ref_start(&w);
    }
    int rc = SIM_OK, posted = 0;
    size_t rheld = 0; /* ref_held at the last synchronisation point (read
                         only there, threaded or not, so both decide alike) */
    while (!s->finished || (ref && (posted || !ref->finished))) {
        if (!s->finished) {
            if (sim_advance(s, opt, chunk, INFINITY, err, errlen) != SIM_OK) {
                rc = SIM_ERR;
                break;
            }
            since += chunk;
        }
        int due = ref && run_held(fc) + rheld >= fc->next;
        if (!ref) {
            fold_check(fc);
        } else if (since >= lockstep || s->finished || due) {
            since = 0;
            ref_wait(&w);
            posted = 0;
            /* A fold that is due needs the reference up to now (as
             * without the thread), or it would fold little and the
             * threshold would double: the catch-up is waited for. */
            int fresh = due && !ref->finished && w.rc == SIM_OK;
            if (fresh) {
                ref_post(&w, s->finished ? INFINITY : s->now);
                ref_wait(&w);
            }
            if (w.rc != SIM_OK) {
                snprintf(err, errlen, "%s", w.err);
                rc = SIM_ERR;
                break;
            }
            fold_check(fc);
            rheld = ref_held(ref);
            if (!fresh && !ref->finished) {
                ref_post(&w, s->finished ? INFINITY : s->now);
                posted = w.threaded;
                if (w.rc != SIM_OK) { /* inline */
                    snprintf(err, errlen, "%s", w.err);
                    rc = SIM_ERR;
                    break;
                }
            }
        }
        if (s->aborted) {
            snprintf(err, errlen, "%s", s->abort_msg);
            rc = SIM_ERR;
            break;
        }
    }
    if (ref)
        ref_stop(&w);
    if (rc != SIM_OK)
        return rc;
    if (sim_end(s, err, errlen) != SIM_OK || (ref && sim_end(ref, err, errlen) != SIM_OK))
        return SIM_ERR;
    return SIM_OK;
}

/* ---- output files ---- */

#define SIM_PANES_BUF (1u << 20) /* bytes: a write() per MiB of panes.csv */

static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[CFG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *dir, const char *name, int rc, char *err, size_t errlen)
{
    if (ferror(f))
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s/%s: write error", dir, name);
    return rc;
}

static int write_events(const sim_t *s, FILE *f)
{
    if (columns_write_header(f, "events.csv") != 0)
        return -1;
    for (size_t i = 0; i < s->nsample; i++)
        if (fprintf(f, "%" PRIu64 ",", s->sample[i].id) < 0 ||
            workload_write_key(f, s->wl, s->sample[i].key) != WL_OK || fputc(',', f) == EOF ||
            fmt_num(f, s->sample[i].event_time) != 0 || fputc(',', f) == EOF ||
            fmt_num(f, s->sample[i].arrival_time) != 0 || fputc('\n', f) == EOF)
            return -1;
    return 0;
}

static int write_outputs(sim_t *s, const char *dir, char *err, size_t errlen)
{
    static const char *const names[] = {"summary.csv", "timeline.csv", "windows.csv",
                                        "latency.csv", "faults.csv",   "events.csv",
                                        "config.ini",  "watermarks.csv"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        if (n == 2 && s->cfg.window.type == WIN_NONE)
            continue;
        FILE *f = open_out(dir, names[n], err, errlen);
        if (!f)
            return -1;
        int rc = 0;
        switch (n) {
        case 0: rc = metrics_write_summary_header(f); break;
        case 1: rc = metrics_write_timeline_header(f); break;
        case 2: rc = metrics_write_windows_header(f); break;
        case 3: rc = metrics_write_latency_header(f); break;
        case 4: rc = metrics_write_faults_header(f); break;
        case 5: rc = write_events(s, f); break;
        case 6: rc = config_write_ini(&s->cfg, f); break;
        case 7: rc = metrics_write_watermarks_header(f); break;
        }
        for (int i = 0; rc == 0 && (n <= 4 || n == 7) && i < s->nexec; i++) {
            const metrics_t *m = s->exec[i].metrics;
            switch (n) {
            case 0: rc = metrics_write_summary_row(m, f); break;
            case 1: rc = metrics_write_timeline(m, f); break;
            case 2: rc = metrics_write_windows(m, s->gt, f); break;
            case 3: rc = metrics_write_latency(m, f); break;
            case 4: rc = metrics_write_faults(m, f); break;
            case 7: rc = metrics_write_watermarks(m, f); break;
            }
        }
        if (close_out(f, dir, names[n], rc, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* ---- sim_run ---- */

int sim_check(const config_t *c, char *err, size_t errlen)
{
    if (config_validate(c, err, errlen) != CFG_OK || budget_check(c, err, errlen) != BUDGET_OK)
        return SIM_ERR;
    return SIM_OK;
}

int sim_run(const config_t *c, const char *out_dir, sim_outcome *o, char *err, size_t errlen)
{
    return sim_run_opts(c, out_dir, NULL, o, err, errlen);
}

int sim_run_opts(const config_t *c, const char *out_dir, const sim_options *opt, sim_outcome *o,
                 char *err, size_t errlen)
{
    sim_outcome dummy;
    if (!o)
        o = &dummy;
    memset(o, 0, sizeof *o);
    o->status = SIM_ERR;
    if (!(opt && opt->checked) && sim_check(c, err, errlen) != SIM_OK)
        return SIM_ERR;

    /* The fault-free reference, when there are faults: it runs in
     * lockstep with the run (see folding above). */
    sim_t *ref = NULL;
    int has_faults = c->faults.crash_times.n || c->faults.mtbf > 0 ||
                     c->faults.checkpoint_failure_times.n;
    if (has_faults && !(opt && opt->no_reference)) {
        config_t rc = *c;
        /* Only the faults of the system go: crashes and failed
         * checkpoints.  An outage changes the input itself (what arrives
         * when, and so, legitimately, what is late), and a slowdown only
         * the speed: both stay in the reference. */
        memset(&rc.faults.crash_times, 0, sizeof rc.faults.crash_times);
        memset(&rc.faults.checkpoint_failure_times, 0, sizeof rc.faults.checkpoint_failure_times);
        rc.faults.mtbf = 0;
        ref = sim_new(&rc, NULL, 0, opt ? opt->stop : NULL, opt, NULL, err, errlen);
        if (!ref)
            return SIM_ERR;
        for (int i = 0; i < ref->nexec; i++) /* no histograms, no timeline */
            metrics_compare_only(ref->exec[i].metrics);
    }

    FILE *panes = NULL;
    char *panes_buf = NULL; /* panes.csv's stdio buffer: glibc ignores the
                               size given to setvbuf without a buffer */
    if (out_dir) {
        panes = open_out(out_dir, "panes.csv", err, errlen);
        if (panes && (panes_buf = malloc(SIM_PANES_BUF)) != NULL)
            setvbuf(panes, panes_buf, _IOFBF, SIM_PANES_BUF);
        if (!panes || metrics_write_pane_header(panes) != 0) {
            if (panes)
                fclose(panes);
            free(panes_buf);
            sim_free(ref);
            return SIM_ERR;
        }
    }
    fold_ctx fc = {0};
    fc.min = opt && opt->fold_min ? opt->fold_min : FOLD_MIN_DEFAULT;
    fc.next = fc.min;
    FILE *wrows[EXEC_COUNT] = {0}, *trows[EXEC_COUNT] = {0};
    sim_t *s = sim_new(c, c->run.panes_csv ? panes : NULL, 1, opt ? opt->stop : NULL,
                       opt, opt, err, errlen);
    int status = SIM_ERR;
    for (int i = 0; s && i < s->nexec; i++) {
        /* Rows of the timeline and of folded windows wait in temporary
         * files (deleted at close) until the outputs are written; without
         * an output folder they go nowhere.  Either way memory does not
         * grow with the run. */
        if (out_dir) {
            trows[i] = tmpfile();
            wrows[i] = c->window.type != WIN_NONE ? tmpfile() : NULL;
            if (!trows[i] || (c->window.type != WIN_NONE && !wrows[i])) {
                snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
                goto out;
            }
        }
        metrics_keep_timeline(s->exec[i].metrics, trows[i]);
        metrics_keep_windows(s->exec[i].metrics, wrows[i]);
    }
    if (s)
        s->opt = opt; /* samples of the run only, never of the reference */
    fc.s = s;
    fc.ref = ref;
    if (s && run_lockstep(s, ref, opt, &fc, err, errlen) == SIM_OK) {
        status = SIM_OK;
        for (int i = 0; ref && i < s->nexec; i++) {
            exec_t *e = &s->exec[i];
            const metrics_t *rm = ref->exec[i].metrics;
            check_against_reference(s, e, metrics_results(e->metrics), metrics_results(rm));
            const char *d = metrics_failure_detail(rm);
            metrics_summary rs;
            metrics_get_summary(rm, &rs);
            if (d && *d && rs.invariants && !strcmp(rs.invariants, "window_horizon")) {
                char dd[600];
                snprintf(dd, sizeof dd, "in the fault-free run: %s", d);
                metrics_fail(e->metrics, "window_horizon", dd);
            }
        }
        if (s->aborted) {
            snprintf(err, errlen, "%s", s->abort_msg);
            status = SIM_ERR;
        }
        if (status == SIM_OK && out_dir && write_outputs(s, out_dir, err, errlen) != 0)
            status = SIM_ERR;
    }
out:
    for (int i = 0; i < EXEC_COUNT; i++) {
        if (wrows[i])
            fclose(wrows[i]);
        if (trows[i])
            fclose(trows[i]);
    }
    free(fc.keys);
    if (panes && close_out(panes, out_dir, "panes.csv", 0, err, errlen) != 0)
        status = SIM_ERR;
    free(panes_buf); /* after the close that flushed it */
    if (status == SIM_OK) {
        o->events = s->events;
        o->windows_held_max = fc.peak;
        o->windows_folded = s->nexec ? metrics_windows_folded(s->exec[0].metrics) : 0;
        o->end_time = s->now;
        o->nexec = s->nexec;
        for (int i = 0; i < s->nexec; i++) {
            metrics_summary *ms = &o->summary[i];
            metrics_get_summary(s->exec[i].metrics, ms);
            snprintf(o->executor[i], sizeof o->executor[i], "%s", s->exec[i].type->name);
            snprintf(o->invariants[i], sizeof o->invariants[i], "%s",
                     ms->invariants ? ms->invariants : "ok");
            ms->executor = o->executor[i];
            ms->invariants = o->invariants[i];
        }
        for (int i = 0; i < s->nexec; i++) {
            const char *d = metrics_failure_detail(s->exec[i].metrics);
            if (d && *d) {
                metrics_summary sum;
                metrics_get_summary(s->exec[i].metrics, &sum);
                snprintf(err, errlen, "invariant %s failed: %s", sum.invariants, d);
                status = SIM_INVARIANT;
                break;
            }
        }
    }
    o->status = status;
    sim_free(s);
    sim_free(ref);
    return status;
}
