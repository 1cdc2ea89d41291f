/*
 * microbatch: the micro-batch executor (Spark Structured Streaming).  The
 * rules are in exec/microbatch.h; the window state lives in a batch_store
 * (exec/batch.h).
 */
#include "exec/microbatch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/batch.h"
#include "run/sim.h"

/* Events plus, per event, the watermark of its trigger interval. */
typedef struct mb_input {
    batch_events ev;
    double *hz;             /* hz[i]: horizon of ev.v[i] (cap ev.cap) */
    size_t hz_cap;
} mb_input;

typedef struct mb {
    sim_t *sim;
    exec_t *e;
    metrics_t *m;
    const fault_schedule *fs;
    struct config_microbatch p;
    double detection_delay;
    struct config_window_s w;
    batch_store *st;        /* NULL for window none */
    mb_input in;            /* arrived, not yet read by a batch */
    mb_input job;           /* read by the running batch */
    int running;
    int input_ended;
    int final_started;      /* the last batch has started */
    event_queue_handle trigger;      /* the next trigger, 0 = none armed */
    int down;               /* crashed, waiting for the restart */
    int killed;             /* the batch was killed: re-run at the restart */
    event_queue_handle end_h, restart_h;
    double job_start;       /* first start of the batch (metrics_processed) */
    double attempt_start;   /* start of the current attempt */
    double job_end;
    int job_final;
    double job_wm;          /* W of the running batch */
    double job_bound;       /* truth floor when it started: every event
                               of a later batch has event time >= it */
    double read_bound;      /* job_bound of the last finished batch */
    double promised;        /* horizon(): no later pane ends before it */
    batch_floor floor;      /* the truth's floor, asked now and then */
    double resumed;         /* last restart after a crash (-inf: none) */
    double wm;              /* W of the last batch (-inf: none yet) */
    /* interval > 0: max event time of the arrivals in trigger intervals
     * before cur_slot, and in cur_slot itself */
    double cur_slot, max_before, max_in;
    /* interval = 0: max event time over every event read so far, and over
     * every event arrived so far */
    double max_read, max_arrived;
    uint64_t batches;
    batch_faults faults;
} mb_t;

static void mb_oom(mb_t *b)
{
    sim_abort(b->sim, "microbatch: out of memory");
}

static int input_push(mb_input *a, const workload_event *ev, double hz)
{
    if (batch_events_push(&a->ev, ev) != 0)
        return -1;
    if (a->hz_cap < a->ev.cap) {
        double *v = realloc(a->hz, a->ev.cap * sizeof *v);
        if (!v) {
            a->ev.n--;
            return -1;
        }
        a->hz = v;
        a->hz_cap = a->ev.cap;
    }
    a->hz[a->ev.n - 1] = hz;
    return 0;
}

static void input_free(mb_input *a)
{
    batch_events_free(&a->ev);
    free(a->hz);
    a->hz = NULL;
    a->hz_cap = 0;
}

/* Trigger interval k holds the arrivals in ((k-1) I, k I]. */
static double slot_of(const mb_t *b, double t) { return ceil(t / b->p.interval); }

/* The watermark a batch starting at t uses.  interval > 0: max event time
 * of the arrivals before t's trigger interval, minus the delay (what the
 * batches before have read when they keep up with the trigger); interval
 * = 0: of the events read by the batches before (Spark's rule). */
static double mb_w_at(const mb_t *b, double t)
{
    double mx;
    if (b->p.interval > 0)
        mx = slot_of(b, t) > b->cur_slot ? fmax(b->max_before, b->max_in) : b->max_before;
    else
        mx = b->max_read;
    double w = mx - b->p.watermark_delay;
    return w > b->wm ? w : b->wm;
}

/* Something for a batch starting at t to do. */
static int mb_wanted(mb_t *b, double t)
{
    if (b->final_started)
        return 0;
    if (b->in.ev.n > 0)
        return 1;
    if (!b->st)
        return 0;
    if (b->input_ended)
        return batch_store_windows(b->st) > 0;
    return batch_store_has_due(b->st, mb_w_at(b, t));
}

/* The first trigger time >= t. */
static double mb_grid(const mb_t *b, double t)
{
    double I = b->p.interval;
    if (I <= 0)
        return t;
    double k = ceil(t / I);
    double g = k * I;
    while (g < t) /* rounding */
        g = ++k * I;
    return g;
}

static void mb_on_trigger(void *ctx, void *arg, uint64_t data);
static void mb_on_end(void *ctx, void *arg, uint64_t data);

/* Arms a trigger at time t (>= now), if up, idle and there is something
 * to do. */
static void mb_arm(mb_t *b, double t)
{
    double now = sim_now(b->sim);
    if (t < now)
        t = now;
    if (b->running || b->down || b->trigger || !mb_wanted(b, t))
        return;
    b->trigger = sim_at(b->sim, t, mb_on_trigger, b, 0);
    if (!b->trigger)
        mb_oom(b);
}

/* Schedules the end of an attempt of the current batch, starting now. */
static void mb_attempt(mb_t *b)
{
    double now = sim_now(b->sim);
    b->attempt_start = now;
    double work = b->p.setup_cost + (double)b->job.ev.n * b->p.per_event_cost / b->p.parallelism;
    b->job_end = batch_work_end(b->fs, now, work);
    b->end_h = sim_at(b->sim, b->job_end, mb_on_end, b, 0);
    if (!b->end_h)
        mb_oom(b);
}

/* After a batch: checks that its panes kept the promise made so far (a
 * self-check, exhaustive since the promise only changes here) and makes
 * the new one.  Every event a later batch reads arrived after this batch
 * started, so its event time is >= job_bound (a floor of the truth then):
 * its windows end after it.  The windows held open end at or after the
 * store's least open end (update mode re-emits only those).  Nothing else
 * can emit. */
static void mb_keep_promise(mb_t *b, double lo)
{
    if (b->st)
        lo = fmin(lo, batch_store_emitted_min_end(b->st));
    if (lo < b->promised) {
        char d[160];
        snprintf(d, sizeof d, "microbatch: a pane for a window ending at %.17g after "
                              "promising horizon %.17g", lo, b->promised);
        metrics_fail(b->m, "window_horizon", d);
    }
    if (b->job_bound > b->read_bound)
        b->read_bound = b->job_bound;
    double h = b->read_bound;
    if (b->st)
        h = fmin(h, batch_store_min_open_end(b->st));
    if (h > b->promised)
        b->promised = h;
}

static void mb_on_end(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    mb_t *b = arg;
    b->end_h = 0;
    double start = b->job_start, end = b->job_end;
    double peak = NAN, lo = INFINITY; /* lo: least end of this batch's panes */
    int update = b->p.output_mode == OUT_UPDATE;
    /* The batch's watermark (the last batch makes everything final),
     * reported before the ON_TIME panes it releases. */
    double due = b->job_final ? INFINITY : b->job_wm;
    if (due > b->wm) {
        b->wm = due;
        metrics_watermark(b->m, end, due);
    }
    for (size_t i = 0; i < b->job.ev.n; i++) {
        const workload_event *ev = &b->job.ev.v[i];
        metrics_processed(b->m, ev, start, end);
        if (!(end - ev->event_time <= peak))
            peak = end - ev->event_time;
        if (ev->event_time > b->max_read)
            b->max_read = ev->event_time;
        if (!b->st) {
            pane_t p;
            memset(&p, 0, sizeof p);
            p.key = ev->key;
            p.start = p.end = ev->event_time;
            p.timing = PANE_BATCH; /* stateless: no watermark involved */
            p.emit_time = end;
            p.count = 1;
            p.sum = ev->value;
            if (metrics_pane(b->m, &p) != 0) {
                mb_oom(b);
                return;
            }
            if (p.end < lo)
                lo = p.end;
            metrics_visible(b->m, ev, end);
            continue;
        }
        switch (batch_store_add(b->st, ev, b->job.hz[i], update)) {
        case BATCH_ADD_NOW:
            metrics_visible(b->m, ev, end);
            break;
        case BATCH_ADD_DROPPED:
            metrics_dropped(b->m, ev, end);
            break;
        case BATCH_ADD_PENDING:
            break;
        default:
            mb_oom(b);
            return;
        }
    }
    b->job.ev.n = 0;
    if (b->st && batch_store_emit(b->st, due, end, PANE_ON_TIME, PANE_EARLY, b->m) < 0) {
        mb_oom(b);
        return;
    }
    mb_keep_promise(b, lo);
    b->running = 0;
    /* caught up: this batch started after the restart, so it read the
     * whole backlog of the downtime, or nothing is waiting at all */
    batch_faults_job_done(&b->faults, end, peak, start >= b->resumed || b->in.ev.n == 0);
    /* Spark: the next trigger is the first grid point after this batch's
     * trigger time; if the batch ran past it, right now. */
    double next = b->p.interval > 0 ? mb_grid(b, nextafter(start, INFINITY)) : end;
    mb_arm(b, next > end ? next : end);
}

static void mb_on_trigger(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    mb_t *b = arg;
    b->trigger = 0;
    double now = sim_now(b->sim);
    if (b->running || b->down || !mb_wanted(b, now))
        return;
    mb_input t = b->job;
    b->job = b->in;
    b->in = t;
    b->in.ev.n = 0;
    b->running = 1;
    b->batches++;
    b->job_start = now;
    b->job_wm = mb_w_at(b, now);
    b->job_bound = batch_floor_get(&b->floor, b->sim, b->input_ended);
    b->job_final = b->input_ended;
    if (b->job_final)
        b->final_started = 1;
    mb_attempt(b);
}

/* Back up after a crash: re-run the killed batch from its offset log (the
 * same events, the same watermark), else look for work at once. */
static void mb_on_restart(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    mb_t *b = arg;
    b->restart_h = 0;
    b->down = 0;
    b->resumed = sim_now(b->sim);
    batch_faults_resumed(&b->faults, b->resumed);
    if (b->killed) {
        b->killed = 0;
        mb_attempt(b);
    } else {
        mb_arm(b, sim_now(b->sim));
    }
}

/* A crash kills the running batch (its attempt's work is wasted); the
 * query restarts after detection + restart delay. */
static void mb_crash(mb_t *b, fault_row *r)
{
    double now = sim_now(b->sim);
    if (b->running && !b->killed) {
        sim_cancel(b->sim, b->end_h);
        b->end_h = 0;
        if (r) {
            r->cpu_wasted += (now - b->attempt_start) * b->p.parallelism;
            r->reprocessed += b->job.ev.n;
        }
        b->killed = 1;
    }
    if (b->trigger) {
        sim_cancel(b->sim, b->trigger);
        b->trigger = 0;
    }
    b->down = 1;
    if (b->restart_h) {
        sim_cancel(b->sim, b->restart_h);
        b->restart_h = 0;
    }
    b->restart_h = sim_at(b->sim, now + b->detection_delay + b->p.restart_delay, mb_on_restart, b, 0);
    if (!b->restart_h)
        mb_oom(b);
}

static void mb_destroy(void *self)
{
    mb_t *b = self;
    if (!b)
        return;
    batch_store_free(b->st);
    input_free(&b->in);
    input_free(&b->job);
    batch_faults_free(&b->faults);
    free(b);
}

static void *mb_create(sim_t *s, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(s);
    if (!(c->microbatch.interval >= 0) || c->microbatch.parallelism < 1 ||
        c->microbatch.setup_cost < 0 || c->microbatch.per_event_cost < 0 ||
        !(c->microbatch.watermark_delay >= 0) || c->microbatch.restart_delay < 0) {
        snprintf(err, errlen, "microbatch: interval must be >= 0, parallelism >= 1, "
                              "setup_cost, per_event_cost, watermark_delay and restart_delay >= 0");
        return NULL;
    }
    if (c->microbatch.output_mode == OUT_UPDATE && c->window.type == WIN_SESSION) {
        snprintf(err, errlen, "microbatch: output_mode = update is not supported with session "
                              "windows (as in Spark, SPARK-36463: a session's bounds change, so "
                              "its rows cannot be upserted); use append");
        return NULL;
    }
    mb_t *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "microbatch: out of memory");
        return NULL;
    }
    b->sim = s;
    b->e = e;
    b->m = e->metrics;
    b->fs = sim_faults(s);
    b->detection_delay = c->faults.detection_delay;
    b->p = c->microbatch;
    b->w = c->window;
    b->wm = -INFINITY;
    b->resumed = -INFINITY;
    b->job_bound = b->read_bound = b->promised = -INFINITY;
    b->cur_slot = -INFINITY;
    b->max_before = b->max_in = b->max_read = b->max_arrived = -INFINITY;
    if (batch_faults_init(&b->faults, s) != 0)
        goto oom;
    if (b->w.type != WIN_NONE) {
        b->st = batch_store_alloc(&b->w, 0, b->p.output_mode == OUT_UPDATE,
                                  b->w.type == WIN_SESSION);
        if (!b->st)
            goto oom;
    }
    return b;
oom:
    mb_destroy(b);
    snprintf(err, errlen, "microbatch: out of memory");
    return NULL;
}

static void mb_on_arrival(void *self, const workload_event *ev)
{
    mb_t *b = self;
    metrics_arrived(b->m, ev);
    batch_floor_arrival(&b->floor, ev);
    double hz = -INFINITY;
    if (b->p.interval > 0) {
        double s = slot_of(b, ev->arrival_time);
        if (s > b->cur_slot) {
            b->max_before = fmax(b->max_before, b->max_in);
            b->max_in = -INFINITY;
            b->cur_slot = s;
        }
        if (ev->event_time > b->max_in)
            b->max_in = ev->event_time;
        hz = b->max_before - b->p.watermark_delay;
    } else {
        hz = b->max_arrived - b->p.watermark_delay;
        if (ev->event_time > b->max_arrived)
            b->max_arrived = ev->event_time;
    }
    if (input_push(&b->in, ev, hz) != 0) {
        mb_oom(b);
        return;
    }
    mb_arm(b, mb_grid(b, sim_now(b->sim)));
}

static void mb_on_input_end(void *self)
{
    mb_t *b = self;
    b->input_ended = 1;
    mb_arm(b, mb_grid(b, sim_now(b->sim)));
}

static void mb_on_fault(void *self, const fault_t *f)
{
    mb_t *b = self;
    fault_row *r = batch_faults_begin(&b->faults, f, b->detection_delay);
    if (f->kind == FAULT_CRASH)
        mb_crash(b, r);
    /* Slowdowns stretch the batches they overlap (batch_work_end);
     * outages are applied to the input by sim; the offset and commit logs
     * are written with each batch, so there is no checkpoint to fail. */
}

static uint64_t mb_backlog(void *self)
{
    const mb_t *b = self;
    return b->in.ev.n;
}

static double mb_watermark(void *self)
{
    const mb_t *b = self;
    return b->wm == -INFINITY ? NAN : b->wm;
}

static double mb_horizon(void *self)
{
    const mb_t *b = self;
    return b->promised;
}

static void mb_finish(void *self)
{
    mb_t *b = self;
    if (batch_faults_report(&b->faults, b->m) != 0)
        mb_oom(b);
}

/* Each batch commits whole windows (append and update mode alike):
 * exactly-once, never deltas. */
static void mb_facts(const config_t *c, metrics_facts *out)
{
    out->parallelism = c->microbatch.parallelism;
    out->deltas = 0;
    out->exactly_once = 1;
}

const exec_type exec_microbatch = {
    .name = "microbatch",
    .label = "micro-batch",
    .facts = mb_facts,
    .create = mb_create,
    .destroy = mb_destroy,
    .on_arrival = mb_on_arrival,
    .on_input_end = mb_on_input_end,
    .on_fault = mb_on_fault,
    .backlog = mb_backlog,
    .watermark = mb_watermark,
    .finish = mb_finish,
    .horizon = mb_horizon,
};
