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
    /* The shadow: the data batches of this run as if no crash had
     * happened (triggers, costs and slowdowns only), which fix every
     * event's watermark.  sh_s, sh_e: start and end of the last one
     * started; sh_max: max event time of the events it and the ones
     * before read; sh_np events wait for the next one, the first arrived
     * at sh_a0, their max event time sh_pmax. */
    double sh_s, sh_e, sh_max, sh_a0, sh_pmax;
    uint64_t sh_np;
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

/* When the shadow's next batch starts (it has events waiting): as soon
 * as the last one ended, at the first trigger after its start
 * (ProcessingTimeExecutor), when the first waiting event arrived during
 * it; else at the first trigger after that arrival. */
static double sh_next(const mb_t *b)
{
    if (b->sh_a0 <= b->sh_e) {
        double g = b->p.interval > 0 ? mb_grid(b, nextafter(b->sh_s, INFINITY)) : b->sh_e;
        return g > b->sh_e ? g : b->sh_e;
    }
    return mb_grid(b, b->sh_a0);
}

/* Max event time of the events read by the shadow batches started before
 * t (t >= every arrival so far; pure). */
static double sh_max_before(const mb_t *b, double t)
{
    if (b->sh_np > 0 && sh_next(b) < t)
        return fmax(b->sh_max, b->sh_pmax);
    return b->sh_max;
}

/* An event arrives at t: starts the shadow batch due before t, if any,
 * and counts the event as waiting for the next one.  Returns the event's
 * watermark: of the shadow batches before the one that reads it. */
static double sh_arrive(mb_t *b, const workload_event *ev, double t)
{
    if (b->sh_np > 0) {
        double ns = sh_next(b);
        if (ns < t) {
            const struct config_microbatch *p = &b->p;
            b->sh_s = ns;
            b->sh_e = jobs_work_end(b->run.fs, ns,
                                    p->setup_cost + (double)b->sh_np * p->per_event_cost / p->parallelism);
            b->sh_max = fmax(b->sh_max, b->sh_pmax);
            b->sh_np = 0;
            b->sh_pmax = -INFINITY;
        }
    }
    if (b->sh_np++ == 0)
        b->sh_a0 = t;
    if (ev->event_time > b->sh_pmax)
        b->sh_pmax = ev->event_time;
    return b->sh_max - b->p.watermark_delay;
}

/* The watermark of a batch starting at t: max event time read by the
 * shadow batches before t, minus the delay (Spark's, from the batches
 * executed before; equal to it when the batches are the shadow's). */
static double mb_w_at(const mb_t *b, double t)
{
    double w = sh_max_before(b, t) - b->p.watermark_delay;
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
    SIM_EXPLAIN(b->run.x, "read", -1, NAN, NAN, "micro-batch triggered: reads the %llu events arrived since the last batch, watermark %g\tmicrobatch.interval %g; watermark = max event time of earlier batches - watermark_delay %g", (unsigned long long)b->job.ev.n, b->job_final ? INFINITY : b->job_wm, b->p.interval, b->p.watermark_delay);
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
    b->sh_s = b->sh_e = b->sh_max = b->sh_pmax = -INFINITY;
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
    double hz = sh_arrive(b, ev, sim_now(b->sim));
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
