/*
 * batch: the batch executor.  The rules are in exec/batch.h; its jobs run
 * on exec/jobs.h's runner.
 */
#include "exec/batch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/context.h"
#include "exec/jobs.h"

/* One job's input: the events of its data interval ((k-1) I, k I]. */
typedef struct bjob {
    jobs_events ev;
    double due;             /* k x interval: its logical time */
    double bound;           /* truth floor at its due time: every event
                               of a later job has event time >= bound */
    int final;              /* sealed after the input ended */
} bjob;

typedef struct batch {
    jobs_t run;             /* first (jobs_exec_*): runs ring[head] when
                               it holds a job */
    sim_t *sim;
    struct config_batch p;
    /* Ring of job inputs: ring[head .. head+sealed) are sealed (due, not
     * finished; ring[head] is the running one when run holds a job), and
     * ring[head+sealed] is the open interval collecting arrivals.  Slots
     * keep their buffers, so steady state does not allocate. */
    bjob *ring;
    size_t cap, head, sealed;
    int input_ended;
    int final_sealed;       /* the last job is sealed: no more ticks */
    double computed_upto;   /* threshold of the last finished job */
} batch_t;

static void batch_oom(batch_t *b)
{
    sim_abort(b->sim, "batch: out of memory");
}

static bjob *slot(batch_t *b, size_t i) { return &b->ring[(b->head + i) % b->cap]; }

/* Makes room for one more slot after the open one.  -1 on OOM. */
static int ring_grow(batch_t *b)
{
    if (b->sealed + 1 < b->cap)
        return 0;
    size_t cap = b->cap ? 2 * b->cap : 4;
    bjob *r = calloc(cap, sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < b->cap; i++)
        r[i] = *slot(b, i);
    free(b->ring);
    b->ring = r;
    b->cap = cap;
    b->head = 0;
    return 0;
}

/* Starts the oldest sealed job, if any and if up and idle. */
static void batch_next(batch_t *b)
{
    if (b->run.state != JOBS_IDLE || b->sealed == 0)
        return;
    const bjob *j = slot(b, 0);
    SIM_EXPLAIN(b->run.x, "read", -1, NAN, NAN, "batch job due at %g reads the data interval up to %g%s; it will emit windows ending by %g\tbatch.interval %g; threshold = due %g - batch.cutoff %g: what arrives later is not seen yet", j->due, j->due, j->final ? " and the rest of the input" : "", j->final ? INFINITY : j->due - b->p.cutoff, b->p.interval, j->due, b->p.cutoff);
    jobs_start(&b->run, j->ev.n, j->bound);
}

/* rules.resumed: up after a crash that killed nothing. */
static void batch_resumed(void *owner)
{
    batch_next(owner);
}

/* rules.ended: the running job folds its events in against the
 * threshold of the jobs before (computed_upto), emits every window that
 * its own threshold passed, and the next job starts. */
static void batch_ended(void *owner)
{
    batch_t *b = owner;
    bjob *j = slot(b, 0);
    double threshold = j->final ? INFINITY : j->due - b->p.cutoff;
    for (size_t i = 0; i < j->ev.n; i++)
        if (jobs_fold(&b->run, &j->ev.v[i], b->computed_upto, 0) != 0)
            return;
    j->ev.n = 0;
    b->head = (b->head + 1) % b->cap;
    b->sealed--;
    /* caught up: no due job is left waiting */
    if (jobs_done(&b->run, threshold, PANE_BATCH, PANE_BATCH, b->sealed == 0) != 0)
        return;
    if (threshold > b->computed_upto)
        b->computed_upto = threshold;
    batch_next(b);
}

/* Tick k: job k falls due at k x interval.  Its input is sealed now, so
 * a job that must wait (the previous one still running, or a crash) still
 * reads exactly its own data interval, and its threshold is its logical
 * time: results do not depend on when it actually runs. */
static void batch_on_tick(void *ctx, void *arg, uint64_t k)
{
    (void)ctx;
    batch_t *b = arg;
    if (b->final_sealed)
        return;
    if (ring_grow(b) != 0) {
        batch_oom(b);
        return;
    }
    bjob *j = slot(b, b->sealed);
    j->due = (double)k * b->p.interval;
    j->bound = jobs_floor(&b->run, b->input_ended);
    j->final = b->input_ended;
    b->final_sealed = b->input_ended;
    b->sealed++;
    slot(b, b->sealed)->ev.n = 0;
    batch_next(b);
    if (!b->final_sealed)
        sim_at(b->sim, (double)(k + 1) * b->p.interval, batch_on_tick, b, k + 1);
}

static void batch_on_fault(void *self, const fault_t *f)
{
    batch_t *b = self;
    /* A crash kills the running job (jobs_on_fault); slowdowns stretch
     * the jobs they overlap; a batch job has no checkpoints to fail. */
    jobs_on_fault(&b->run, f);
}

static void batch_destroy(void *self)
{
    batch_t *b = self;
    if (!b)
        return;
    jobs_free(&b->run);
    for (size_t i = 0; i < b->cap; i++)
        jobs_events_free(&b->ring[i].ev);
    free(b->ring);
    free(b);
}

static void *batch_create(sim_t *s, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(s);
    /* Validated before any executor exists: the key ranges of [batch] in
     * model/config.c's table, checked by config_validate (sim_run_opts). */
    assert(c->batch.interval > 0 && c->batch.parallelism >= 1 && c->batch.setup_cost >= 0 &&
           c->batch.per_event_cost >= 0 && c->batch.cutoff >= 0 && c->batch.stages >= 1 &&
           c->batch.restart_delay >= 0);
    jobs_rules r = {
        JOBS_COSTS(c->batch),
        .name = "batch",
        .stages = c->batch.stages,
        .retain_closed = c->batch.late_policy == LATE_RESTATE,
        .ended = batch_ended,
        .resumed = batch_resumed,
    };
    batch_t *b = calloc(1, sizeof *b);
    if (!b || jobs_init(&b->run, s, e->metrics, &c->window, &r, b) != 0 || ring_grow(b) != 0)
        goto oom;
    b->sim = s;
    b->p = c->batch;
    b->computed_upto = -INFINITY;
    if (!sim_at(s, b->p.interval, batch_on_tick, b, 1))
        goto oom;
    return b;
oom:
    batch_destroy(b);
    snprintf(err, errlen, "batch: out of memory");
    return NULL;
}

static void batch_on_arrival(void *self, const workload_event *ev)
{
    batch_t *b = self;
    jobs_arrival(&b->run, ev);
    if (jobs_events_push(&slot(b, b->sealed)->ev, ev) != 0)
        batch_oom(b);
}

static void batch_on_input_end(void *self)
{
    batch_t *b = self;
    b->input_ended = 1;
}

/* Arrived and not yet read: the open interval and the sealed jobs that
 * have not started.  O(sealed jobs). */
static uint64_t batch_backlog(void *self)
{
    batch_t *b = self;
    uint64_t n = 0;
    for (size_t i = jobs_holds_job(&b->run) ? 1 : 0; i <= b->sealed; i++)
        n += slot(b, i)->ev.n;
    return n;
}

static double batch_watermark(void *self)
{
    (void)self;
    return NAN;
}

/* Each job writes whole windows atomically: exactly-once, never deltas. */
static void batch_facts(const config_t *c, metrics_facts *out)
{
    out->parallelism = c->batch.parallelism;
    out->deltas = 0;
    out->exactly_once = 1;
}

const exec_type exec_batch = {
    .name = "batch",
    .label = "batch",
    .facts = batch_facts,
    .create = batch_create,
    .destroy = batch_destroy,
    .on_arrival = batch_on_arrival,
    .on_input_end = batch_on_input_end,
    .on_fault = batch_on_fault,
    .backlog = batch_backlog,
    .watermark = batch_watermark,
    .finish = jobs_exec_finish,
    .horizon = jobs_exec_horizon,
};
