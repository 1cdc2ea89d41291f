/*
 * microbatch: the micro-batch executor (Spark Structured Streaming).  The
 * rules are in exec/microbatch.h; its batches run on exec/jobs.h's runner
 * (with its window store).
 */
#include "exec/microbatch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/context.h"
#include "exec/jobs.h"
#include "lib/vec.h"

/* Events plus, per event, the watermark of its trigger interval. */
typedef struct mb_input {
    jobs_events ev;
    double *hz;             /* hz[i]: horizon of ev.v[i] (cap ev.cap) */
    size_t hz_cap;
} mb_input;

typedef struct mb {
    jobs_t run;             /* first (jobs_exec_*): runs the batch of
                               `job`; its store (run.st, NULL for window
                               none) holds the windows */
    sim_t *sim;
    metrics_t *m;
    struct config_microbatch p;
    mb_input in;            /* arrived, not yet read by a batch */
    mb_input job;           /* read by the running batch */
    int input_ended;
    int final_started;      /* the last batch has started */
    event_queue_handle trigger;      /* the next trigger, 0 = none armed */
    int job_final;
    double job_wm;          /* W of the running batch */
    double wm;              /* W of the last batch (-inf: none yet) */
    /* interval > 0: max event time of the arrivals in trigger intervals
     * before cur_slot, and in cur_slot itself */
    double cur_slot, max_before, max_in;
    /* interval = 0: max event time over every event read so far, and over
     * every event arrived so far */
    double max_read, max_arrived;
} mb_t;

static void mb_oom(mb_t *b)
{
    sim_abort(b->sim, "microbatch: out of memory");
}

static int input_push(mb_input *a, const workload_event *ev, double hz)
{
    if (jobs_events_push(&a->ev, ev) != 0)
        return -1;
    if (vec_ensure(&a->hz, &a->hz_cap, a->ev.n, sizeof *a->hz) != VEC_OK) {
        a->ev.n--;
        return -1;
    }
    a->hz[a->ev.n - 1] = hz;
    return 0;
}

static void input_free(mb_input *a)
{
    jobs_events_free(&a->ev);
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
    if (!b->run.st)
        return 0;
    if (b->input_ended)
        return jobs_store_windows(b->run.st) > 0;
    return jobs_store_has_due(b->run.st, mb_w_at(b, t));
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

/* Arms a trigger at time t (>= now), if up, idle and there is something
 * to do. */
static void mb_arm(mb_t *b, double t)
{
    double now = sim_now(b->sim);
    if (t < now)
        t = now;
    if (b->run.state != JOBS_IDLE || b->trigger || !mb_wanted(b, t))
        return;
    b->trigger = sim_at(b->sim, t, mb_on_trigger, b, 0);
    if (!b->trigger)
        mb_oom(b);
}

/* rules.ended: the running batch folds its events in (each against the
 * watermark it was judged by), emits what its own watermark makes final
 * (and, update mode, every changed window), and arms the next trigger. */
static void mb_ended(void *owner)
{
    mb_t *b = owner;
    jobs_t *j = &b->run;
    int update = b->p.output_mode == OUT_UPDATE;
    /* The batch's watermark (the last batch makes everything final),
     * reported before the ON_TIME panes it releases. */
    double due = b->job_final ? INFINITY : b->job_wm;
    if (due > b->wm) {
        b->wm = due;
        metrics_watermark(b->m, j->cur.end, due);
    }
    for (size_t i = 0; i < b->job.ev.n; i++) {
        const workload_event *ev = &b->job.ev.v[i];
        if (ev->event_time > b->max_read)
            b->max_read = ev->event_time;
        if (jobs_fold(j, ev, b->job.hz[i], update) != 0)
            return;
    }
    b->job.ev.n = 0;
    /* caught up: this batch started after the restart, so it read the
     * whole backlog of the downtime, or nothing is waiting at all */
    if (jobs_done(j, due, PANE_ON_TIME, PANE_EARLY,
                  j->cur.start >= j->resumed_at || b->in.ev.n == 0) != 0)
        return;
    /* Spark: the next trigger is the first grid point after this batch's
     * trigger time; if the batch ran past it, right now. */
    double start = j->cur.start, end = j->cur.end;
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
    if (b->run.state != JOBS_IDLE || !mb_wanted(b, now))
        return;
    mb_input t = b->job;
    b->job = b->in;
    b->in = t;
    b->in.ev.n = 0;
    b->job_wm = mb_w_at(b, now);
    double bound = jobs_floor(&b->run, b->input_ended);
    b->job_final = b->input_ended;
    if (b->job_final)
        b->final_started = 1;
    jobs_start(&b->run, b->job.ev.n, bound);
}

/* rules.resumed: up after a crash that killed no batch: look for work
 * at once.  (A killed batch re-runs from its offset log: the same events,
 * the same watermark, since it had not committed.) */
static void mb_resumed(void *owner)
{
    mb_t *b = owner;
    mb_arm(b, sim_now(b->sim));
}

static void mb_destroy(void *self)
{
    mb_t *b = self;
    if (!b)
        return;
    jobs_free(&b->run);
    input_free(&b->in);
    input_free(&b->job);
    free(b);
}

static void *mb_create(sim_t *s, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(s);
    /* Validated before any executor exists, by config_validate
     * (sim_run_opts): the key ranges of [microbatch] in model/config.c's
     * table, and its cross-check refusing output_mode = update with
     * session windows (SPARK-36463) when the micro-batch executor runs. */
    assert(c->microbatch.interval >= 0 && c->microbatch.parallelism >= 1 &&
           c->microbatch.setup_cost >= 0 && c->microbatch.per_event_cost >= 0 &&
           c->microbatch.watermark_delay >= 0 && c->microbatch.restart_delay >= 0);
    assert(!(c->microbatch.output_mode == OUT_UPDATE && c->window.type == WIN_SESSION));
    jobs_rules r = {
        JOBS_COSTS(c->microbatch),
        .name = "microbatch",
        .stages = 1, /* a batch re-runs whole from its offset log */
        .track_dirty = c->microbatch.output_mode == OUT_UPDATE,
        .late_by_time = c->window.type == WIN_SESSION,
        .ended = mb_ended,
        .resumed = mb_resumed,
    };
    mb_t *b = calloc(1, sizeof *b);
    if (!b || jobs_init(&b->run, s, e->metrics, &c->window, &r, b) != 0)
        goto oom;
    b->sim = s;
    b->m = e->metrics;
    b->p = c->microbatch;
    b->wm = -INFINITY;
    b->cur_slot = -INFINITY;
    b->max_before = b->max_in = b->max_read = b->max_arrived = -INFINITY;
    return b;
oom:
    mb_destroy(b);
    snprintf(err, errlen, "microbatch: out of memory");
    return NULL;
}

static void mb_on_arrival(void *self, const workload_event *ev)
{
    mb_t *b = self;
    jobs_arrival(&b->run, ev);
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
    /* A crash kills the running batch (jobs_on_fault) and the pending
     * trigger: no batch starts while down.  Slowdowns stretch the batches
     * they overlap; outages are applied to the input by sim; the offset
     * and commit logs are written with each batch, so there is no
     * checkpoint to fail. */
    jobs_on_fault(&b->run, f);
    if (f->kind == FAULT_CRASH && b->trigger) {
        sim_cancel(b->sim, b->trigger);
        b->trigger = 0;
    }
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
    .finish = jobs_exec_finish,
    .horizon = jobs_exec_horizon,
};
