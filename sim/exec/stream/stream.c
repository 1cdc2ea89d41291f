/*
 * stream/stream.c: the stream job: its parts, its life, crashes and
 * restores (see stream/stream.h; the rules are in exec/stream.h).
 */
#include "exec/stream/stream.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/stream.h"
#include "exec/stream/checkpoint.h"
#include "exec/stream/env.h"
#include "exec/stream/horizon.h"
#include "exec/stream/sink.h"
#include "exec/stream/source.h"
#include "exec/stream/windows.h"
#include "exec/stream/workers.h"
#include "lib/vec.h"
#include "measure/metrics.h"
#include "model/semantics.h"
#include "model/watermark.h"
#include "engine/context.h"

typedef struct stream {
    stream_env env;        /* shared by the parts: clock, metrics, timers */
    stream_state state;    /* the job's life (stream/stream.h) */
    stream_source src;     /* log, channels, routing, source watermark */
    stream_workers wk;     /* service */
    stream_windows win;    /* the window operator */
    stream_sink sink;      /* visibility, staging, at-least-once table */
    stream_checkpoint ck;  /* barriers and the last snapshot */
    stream_horizon hz;     /* exec_type.horizon */
    struct {               /* crashes and the fault rows */
        int crashy;        /* the schedule has crashes: keep the log from
                              the last checkpoint, snapshot state */
        size_t crashes_left; /* crashes of the schedule not delivered yet */
        event_queue_handle restore_ev; /* pending restore (DOWN) */
        fault_row *rows;   /* one per fault, written at finish */
        size_t nrows, caprows;
        long open_row;     /* row of the crash being recovered, -1 none */
        uint64_t backlog_at_crash, read_at_crash;
    } f;
    stream_probe probe;    /* a test seam (stream_job_set_probe) */
} stream_t;

static void maybe_drained(stream_t *s);

/* ------------------------------------------------------------- the state */

static const char *const state_names[STREAM_NSTATES] = {
    "running", "draining", "drained", "done", "down",
};

const char *stream_state_name(stream_state st)
{
    return st >= 0 && st < STREAM_NSTATES ? state_names[st] : "?";
}

int stream_state_may_move(stream_state from, stream_state to)
{
    switch (to) {
    case STREAM_DRAINING:
        return from == STREAM_RUNNING || from == STREAM_DOWN;
    case STREAM_DRAINED:
        return from == STREAM_DRAINING;
    case STREAM_DONE:
        return from == STREAM_DRAINING || from == STREAM_DRAINED;
    case STREAM_DOWN:
        return from != STREAM_DONE && from < STREAM_NSTATES;
    case STREAM_RUNNING:
        return from == STREAM_DOWN;
    default:
        return 0;
    }
}

const char *stream_state_violation(stream_state st, const stream_facts *f)
{
    if (st != STREAM_DOWN && f->restore_pending)
        return "a restore is pending but the job is not down";
    switch (st) {
    case STREAM_RUNNING:
        return f->input_ended ? "running after the input ended" : NULL;
    case STREAM_DRAINING:
        return f->input_ended ? NULL : "draining before the input ended";
    case STREAM_DRAINED:
    case STREAM_DONE:
        if (!f->input_ended)
            return "drained before the input ended";
        if (f->unread || f->in_flight || f->busy)
            return "drained with records unread or in flight";
        if (f->op_wm != INFINITY)
            return "drained with a finite operator watermark";
        if (f->ck_timer || f->wm_timer)
            return "drained with periodic timers pending";
        if (st == STREAM_DRAINED && !f->ck_active && !f->staged)
            return "drained with nothing to commit (should be done)";
        if (st == STREAM_DONE && (f->ck_active || f->staged))
            return "done with a checkpoint running or output staged";
        return NULL;
    case STREAM_DOWN:
        if (!f->crashy)
            return "down without crashes in the schedule";
        if (!f->restore_pending)
            return "down without a restore pending";
        if (f->in_flight || f->busy || f->ck_active || f->staged || f->windows)
            return "down with records, a checkpoint, staged output or window state";
        return NULL;
    default:
        return "no such state";
    }
}

#ifndef NDEBUG
/* SQLite's assert_pager_state: every invariant of the job's state holds.
 * Returns 1 (for assert()); called at every transition. */
static int stream_check_state(const stream_t *s)
{
    stream_facts f;
    int busy = 0;
    for (int i = 0; i < s->wk.P; i++)
        busy |= s->wk.w[i].busy;
    f.input_ended = s->src.input_ended;
    f.unread = s->src.log.read < s->src.log.end;
    f.in_flight = stream_source_in_flight(&s->src);
    f.busy = busy;
    f.ck_active = s->ck.active;
    f.ck_timer = s->ck.timer != 0;
    f.wm_timer = s->src.wm_timer != 0 || s->src.tick != 0;
    f.staged = s->sink.stg.len > 0;
    f.windows = wmap_size(s->win.win) > 0 || heap_len(&s->win.dl) > 0;
    f.restore_pending = s->f.restore_ev != 0;
    f.crashy = s->f.crashy;
    f.op_wm = s->win.op_wm;
    if (s->env.oom)
        return 1; /* the run is being aborted: anything may be half done */
    assert(stream_state_violation(s->state, &f) == NULL);
    return 1;
}
#endif

static void set_state(stream_t *s, stream_state to)
{
    assert(stream_state_may_move(s->state, to));
    s->state = to;
    assert(stream_check_state(s));
}

/* A restore can still happen: the job is down, or the schedule has a
 * crash left.  (A crash of a job that is done loses nothing; see
 * crash().) */
static int may_restore(const stream_t *s)
{
    return s->f.crashy && (s->state == STREAM_DOWN || s->f.crashes_left > 0);
}

/* ------------------------------------------------------------ the flow */

/* The operator watermark's input valve: the least watermark behind a
 * record in flight, or the source watermark.  O(P). */
static void op_wm_update(stream_t *s)
{
    stream_windows_advance(&s->win, stream_workers_min_wm(&s->wk, &s->src, s->src.src_wm));
}

static void start_one(stream_t *s, int i)
{
    if (s->state == STREAM_DOWN || stream_checkpoint_holds(&s->ck, i))
        return;
    if (stream_workers_try_start(&s->wk, i, stream_checkpoint_barrier(&s->ck)) == STREAM_AT_BARRIER)
        stream_checkpoint_reach(&s->ck, &s->wk, i); /* wait for the barrier */
}

/* After the last crash no replay comes: the log is needed from the oldest
 * record not processed yet on (its slot of log.done is read when its
 * service ends).  Once that record is past every record read before the
 * last crash, no record will ever have been processed before: log.done
 * goes, and from then on the source drops what it reads.  Called at
 * checkpoints, by the horizon, and after each service once the replay
 * has read that far (O(P), until log.done goes: the records in flight). */
static void trim_done(stream_t *s)
{
    uint64_t o;
    if (!s->f.crashy || may_restore(s) || !s->src.log.track_done)
        return;
    o = stream_workers_oldest(&s->wk, &s->src);
    stream_source_trim(&s->src, o);
    if (o >= s->f.read_at_crash)
        stream_source_stop_tracking(&s->src);
}

/* The source reads while it can, and the workers start what they can. */
static void pump(stream_t *s)
{
    if (s->state == STREAM_DOWN)
        return;
    stream_source_read(&s->src);
    for (int i = 0; i < s->wk.P; i++)
        if (stream_workers_may_start(&s->wk, i)) /* else start_one does nothing */
            start_one(s, i);
}

/* After a crash: back to normal once the replay has read past everything
 * read before the crash and the backlog is down to its level then. */
static void check_caught_up(stream_t *s)
{
    fault_row *r;
    if (s->f.open_row < 0 || s->state == STREAM_DOWN)
        return;
    r = &s->f.rows[s->f.open_row];
    if (s->src.log.read >= s->f.read_at_crash &&
        stream_source_backlog(&s->src) <= s->f.backlog_at_crash) {
        r->caught_up = *s->env.clock;
        stream_sink_unwatch(&s->sink, r);
        s->f.open_row = -1;
    }
}

static void on_service_end(stream_t *s, int i)
{
    double now = *s->env.clock;
    const stream_item *it = stream_workers_done(&s->wk, i);
    int again = 0;
    if (s->src.log.done) {
        again = stream_source_processed(&s->src, it->off);
        if (s->src.log.read >= s->f.read_at_crash && !may_restore(s))
            trim_done(s); /* the replay after the last crash is through */
    }
    if (!again)
        metrics_processed(s->env.m, &it->ev, s->wk.w[i].start, now);
    else if (s->f.open_row >= 0)
        s->f.rows[s->f.open_row].reprocessed++;
    stream_windows_apply(&s->win, &it->ev, it->watermark_prev, again && s->sink.alo.seen != NULL);
    stream_checkpoint_reach(&s->ck, &s->wk, i);
    pump(s);
    op_wm_update(s);
    check_caught_up(s);
    maybe_drained(s);
}

/* ---------------------------------------------------------- checkpoints */

static void ck_begin(stream_t *s)
{
    stream_checkpoint_start(&s->ck, &s->src);
    SIM_EXPLAIN(s->env.x, "checkpoint", -1, NAN, NAN, "checkpoint %llu: barrier at source offset %llu\tstream.checkpoint_interval %g s (aligned barriers, pause %g s per worker)", (unsigned long long)s->ck.completed + 1, (unsigned long long)s->ck.at_barrier.off, s->env.c->stream.checkpoint_interval, s->env.c->stream.checkpoint_cost);
    for (int i = 0; i < s->wk.P; i++)
        stream_checkpoint_reach(&s->ck, &s->wk, i);
}

static void on_ck_tick(stream_t *s, uint64_t n)
{
    s->ck.timer = stream_env_at(&s->env, *s->env.clock + s->env.c->stream.checkpoint_interval,
                                STREAM_T_CK_TICK, n + 1);
    if (!s->ck.active && s->state != STREAM_DOWN)
        ck_begin(s);
}

/* The last pause ended: a completed checkpoint commits the staged output
 * and, while a crash can come, keeps a snapshot (each part's own state)
 * and lets the log and the sink table go behind it. */
static void ck_complete(stream_t *s)
{
    if (stream_checkpoint_end(&s->ck)) {
        SIM_EXPLAIN(s->env.x, s->sink.staging ? "commit" : "checkpoint", -1, NAN, NAN, "checkpoint %llu complete: offset %llu, watermark %g, %zu windows stored%s\t%s", (unsigned long long)s->ck.completed, (unsigned long long)s->ck.at_barrier.off, s->win.op_wm, wmap_size(s->win.win), s->sink.staging ? "; commits the staged output" : "", s->sink.staging ? "exactly-once: panes staged since the last checkpoint become visible (two-phase commit)" : "every worker passed the barrier");
        stream_sink_commit(&s->sink);
        if (may_restore(s)) {
            if (stream_checkpoint_take(&s->ck, &s->win) != 0 ||
                (s->sink.alo.seen &&
                 stream_sink_prune_expired(&s->sink, s->ck.last.source.src_wm) != 0))
                stream_env_oom(&s->env);
            stream_source_trim(&s->src, s->ck.last.source.off);
            s->wk.work_since_ck = 0;
        } else {
            trim_done(s); /* no crash left: no snapshot needed */
        }
    } else {
        SIM_EXPLAIN(s->env.x, "checkpoint", -1, NAN, NAN, "checkpoint declined: nothing stored, nothing committed\tfaults.checkpoint_failure_times");
    }
    pump(s);
    op_wm_update(s);
    maybe_drained(s);
}

static void on_pause_end(stream_t *s, int i)
{
    if (stream_checkpoint_pause_end(&s->ck, i))
        ck_complete(s);
}

/* ---------------------------------------------------- crash and restore */

static fault_row *new_row(stream_t *s, const fault_t *f)
{
    fault_row *r;
    if (vec_ensure(&s->f.rows, &s->f.caprows, s->f.nrows + 1, sizeof *s->f.rows) != VEC_OK) {
        stream_env_oom(&s->env);
        return NULL;
    }
    r = &s->f.rows[s->f.nrows++];
    memset(r, 0, sizeof *r);
    r->fault_id = f->id;
    r->kind = f->kind;
    r->time = f->time;
    r->detected = NAN;
    r->resumed = f->time;
    r->caught_up = f->time;
    r->peak_latency = NAN;
    return r;
}

/* Everything since the last completed checkpoint is lost: records in
 * flight, window state, timers, staged panes, a running checkpoint. */
static void crash(stream_t *s, const fault_t *f)
{
    double now = *s->env.clock;
    const struct config_stream *c = &s->env.c->stream;
    fault_row *r;
    if (s->state == STREAM_DONE) {
        new_row(s, f); /* the job had finished: nothing to lose */
        return;
    }
    r = new_row(s, f);
    if (!r)
        return;
    if (s->f.open_row >= 0) {
        if (s->state != STREAM_DOWN)
            s->f.rows[s->f.open_row].caught_up = NAN; /* its recovery was cut short */
        stream_sink_unwatch(&s->sink, &s->f.rows[s->f.open_row]);
    }
    r->cpu_wasted = stream_workers_cpu_wasted(&s->wk, now);
    if (s->state != STREAM_DOWN) {
        s->f.backlog_at_crash = stream_source_backlog(&s->src);
        s->f.read_at_crash = s->src.log.hi_read;
    }
    s->wk.work_since_ck = 0;
    stream_windows_lose(&s->win);
    stream_sink_lose(&s->sink);
    stream_workers_lose(&s->wk);
    stream_checkpoint_lose(&s->ck);
    stream_source_lose(&s->src);
    if (s->f.restore_ev)
        stream_env_cancel(&s->env, s->f.restore_ev);
    r->detected = now + s->env.c->faults.detection_delay;
    r->downtime = s->env.c->faults.detection_delay + c->restart_delay +
                  c->restore_per_entry * (double)s->ck.last.windows.nw;
    r->resumed = now + r->downtime;
    r->caught_up = NAN;
    s->f.open_row = (long)(r - s->f.rows);
    stream_sink_watch(&s->sink);
    SIM_EXPLAIN(s->env.x, "crash", -1, NAN, NAN, "crash: records in flight, window state, timers%s lost; detected at %g, restart at %g\tfaults.detection_delay %g + stream.restart_delay %g + restore_per_entry %g x %zu windows = downtime %g", s->sink.staging ? ", staged panes" : "", r->detected, r->resumed, s->env.c->faults.detection_delay, c->restart_delay, c->restore_per_entry, s->ck.last.windows.nw, r->downtime);
    s->f.restore_ev = stream_env_at(&s->env, r->resumed, STREAM_T_RESTORE, 0);
    if (!s->f.restore_ev)
        stream_env_oom(&s->env);
    set_state(s, STREAM_DOWN);
}

/* Back from a crash: each part as it was at the last completed
 * checkpoint (the source rewound to its offset). */
static void on_restore(stream_t *s)
{
    s->f.restore_ev = 0;
    set_state(s, s->src.input_ended ? STREAM_DRAINING : STREAM_RUNNING);
    if (stream_source_restore(&s->src, &s->ck.last.source) != 0 ||
        stream_windows_restore(&s->win, &s->ck.last.windows) != 0) {
        stream_env_oom(&s->env);
        return;
    }
    SIM_EXPLAIN(s->env.x, "restore", -1, NAN, NAN, "restore checkpoint %llu: %zu windows, watermark %g; replay from offset %llu (%llu records read before the crash)\t%s", (unsigned long long)s->ck.completed, s->ck.last.windows.nw, s->win.op_wm, (unsigned long long)s->ck.last.source.off, (unsigned long long)s->f.read_at_crash, s->env.c->stream.guarantee == GUAR_EXACTLY_ONCE ? "exactly-once: what was not committed is recomputed, nothing shows twice" : "at-least-once: panes already shown may be emitted again (duplicates)");
    pump(s);
    op_wm_update(s);
    check_caught_up(s);
    maybe_drained(s);
}

/* ----------------------------------------------------------------- drain */

/* After the input ended, everything was processed and the source
 * watermark went to +infinity (at once, or after a scripted watermark's
 * last step: on_wm_step comes back here), every window fired; stop the timers and commit the rest:
 * a running checkpoint commits everything staged when it completes;
 * otherwise a final checkpoint does (Flink's final checkpoint), again if
 * one is declined. */
static void maybe_drained(stream_t *s)
{
    stream_state to;
    if (s->state != STREAM_DRAINING && s->state != STREAM_DRAINED)
        return;
    if (s->state == STREAM_DRAINING) {
        if (s->src.log.read < s->src.log.end || stream_source_in_flight(&s->src) ||
            s->src.src_wm < INFINITY)
            return; /* src_wm: a scripted watermark still has steps (on_wm_step) */
        assert(s->win.op_wm == INFINITY);
        if (s->ck.timer) {
            stream_env_cancel(&s->env, s->ck.timer);
            s->ck.timer = 0;
        }
        if (s->src.wm_timer) {
            stream_env_cancel(&s->env, s->src.wm_timer);
            s->src.wm_timer = 0;
        }
        if (s->src.tick) {
            stream_env_cancel(&s->env, s->src.tick);
            s->src.tick = 0;
        }
    }
    if (s->sink.staging && !s->ck.active && s->sink.stg.len > 0)
        ck_begin(s);
    to = s->ck.active || s->sink.stg.len > 0 ? STREAM_DRAINED : STREAM_DONE;
    if (to != s->state)
        set_state(s, to);
}

/* ------------------------------------------------------- scripted steps */

static void on_wm_step(stream_t *s)
{
    double next;
    s->src.wm_timer = 0;
    if (s->state != STREAM_DOWN) {
        stream_source_refresh(&s->src);
        op_wm_update(s);
    }
    next = watermark_next_change(s->src.wm, *s->env.clock);
    if (next < INFINITY && s->state != STREAM_DRAINED && s->state != STREAM_DONE)
        s->src.wm_timer = stream_env_at(&s->env, next, STREAM_T_WM_STEP, 0);
    maybe_drained(s); /* the input ended before the script's last step */
}

/* ---------------------------------------------------- periodic emission */

/* Schedules periodic watermark emission number n at n * interval. */
static void wm_tick_arm(stream_t *s, uint64_t n)
{
    s->src.ticks = n;
    s->src.tick = stream_env_at(&s->env, (double)n * s->src.interval, STREAM_T_WM_STEP, n);
}

/* Periodic emission (stream.watermark_interval > 0): the source asks its
 * policy; the next one follows until the job has drained. */
static void on_wm_tick(stream_t *s)
{
    s->src.tick = 0;
    if (s->state != STREAM_DOWN) {
        stream_source_tick(&s->src);
        op_wm_update(s);
    }
    if (s->state != STREAM_DRAINED && s->state != STREAM_DONE)
        wm_tick_arm(s, s->src.ticks + 1);
}

/* --------------------------------------------------------------- timers */

/* Every timer of the job and its parts (stream_env_at). */
static void on_timer(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    uint64_t x = stream_env_payload(data);
    (void)ctx;
    switch (stream_env_kind(data)) {
    case STREAM_T_SERVICE_END:
        on_service_end(s, (int)x);
        break;
    case STREAM_T_PAUSE_END:
        on_pause_end(s, (int)x);
        break;
    case STREAM_T_CK_TICK:
        on_ck_tick(s, x);
        break;
    case STREAM_T_EARLY:
        stream_windows_on_timer(&s->win, (uint32_t)x);
        break;
    case STREAM_T_RESTORE:
        on_restore(s);
        break;
    case STREAM_T_WM_STEP: /* payload 0: a scripted step, n > 0: tick n */
        if (x)
            on_wm_tick(s);
        else
            on_wm_step(s);
        break;
    case STREAM_T_SINK_PRUNE:
        /* The sink table has doubled since it was last pruned: prune it
         * behind the horizon, between events (not in the middle of a
         * firing), whether or not sim asks for the horizon. */
        s->sink.alo.ev = 0;
        stream_job_horizon(s);
        break;
    }
    if (s->probe.after_timer)
        s->probe.after_timer(s->probe.sink.ctx, s);
}

/* ------------------------------------------------------------ interface */

void stream_job_destroy(void *self)
{
    stream_t *s = self;
    if (!s)
        return;
    stream_checkpoint_free(&s->ck);
    stream_sink_free(&s->sink);
    free(s->f.rows);
    stream_source_free(&s->src);
    stream_workers_free(&s->wk);
    stream_windows_free(&s->win);
    free(s);
}

void *stream_job_create(sim_t *sim, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(sim);
    stream_t *s = calloc(1, sizeof *s);
    const watermark_type *wt;
    int staging;
    if (!s)
        goto oom;
    s->env.sim = sim;
    s->env.clock = sim_clock(sim);
    s->env.m = e->metrics;
    s->env.c = c;
    s->env.fire = on_timer;
    s->env.job = s;
    s->env.x = sim_explainer(sim, e->id);
    s->state = STREAM_RUNNING;
    s->f.open_row = -1;
    {
        const fault_schedule *fs = sim_faults(sim);
        for (size_t i = 0; fs && i < fs->n; i++)
            if (fs->v[i].kind == FAULT_CRASH) {
                s->f.crashy = 1;
                s->f.crashes_left++;
            }
    }
    /* exactly_once stages output for the next checkpoint; with no periodic
     * checkpoints that is the final one, so panes are shown at once unless
     * a crash could take them back (then they wait for the end). */
    staging = c->stream.guarantee == GUAR_EXACTLY_ONCE &&
              (c->stream.checkpoint_interval > 0 || s->f.crashy);
    /* config_validate (model/config.c) has checked these: parallelism in
     * [1, 4096], buffer in [1, 1e6], service_mean >= 0, and the watermark
     * is one of its words, which name the policies of model/watermark.c. */
    assert(c->stream.parallelism >= 1 && c->stream.buffer >= 1);
    assert(c->stream.service_mean >= 0);
    wt = sim_watermark_type(sim);
    if (!wt)
        wt = watermark_lookup(config_word("stream", "watermark", c->stream.watermark));
    assert(wt);
    if (stream_source_init(&s->src, &s->env, wt, s->f.crashy, err, errlen) != 0)
        goto fail;
    if (stream_workers_init(&s->wk, &s->env, &s->src) != 0 ||
        stream_sink_init(&s->sink, &s->env, staging,
                         s->f.crashy && c->stream.guarantee == GUAR_AT_LEAST_ONCE) != 0 ||
        stream_windows_init(&s->win, &s->env, &s->sink) != 0)
        goto oom;
    stream_horizon_init(&s->hz);
    if (stream_checkpoint_init(&s->ck, &s->env, s->wk.P, s->f.crashy, wt, err, errlen) != 0)
        goto fail;

    stream_source_refresh(&s->src);
    if (s->f.crashy) {
        /* the initial state is checkpoint 0: offset 0, no windows */
        stream_source_snapshot(&s->src, &s->ck.at_barrier);
        if (stream_checkpoint_take(&s->ck, &s->win) != 0)
            goto oom;
    }
    if (c->stream.checkpoint_interval > 0)
        s->ck.timer = stream_env_at(&s->env, sim_now(sim) + c->stream.checkpoint_interval,
                                    STREAM_T_CK_TICK, 1);
    if (s->src.interval > 0)
        wm_tick_arm(s, (uint64_t)floor(sim_now(sim) / s->src.interval) + 1);
    {
        double next = watermark_next_change(s->src.wm, sim_now(sim));
        if (next < INFINITY)
            s->src.wm_timer = stream_env_at(&s->env, next, STREAM_T_WM_STEP, 0);
    }
    assert(stream_check_state(s));
    return s;
oom:
    snprintf(err, errlen, "stream executor: out of memory");
fail:
    stream_job_destroy(s);
    return NULL;
}

void stream_job_on_arrival(void *self, const workload_event *ev)
{
    stream_t *s = self;
    if (s->env.oom)
        return;
    metrics_arrived(s->env.m, ev);
    if (stream_source_append(&s->src, ev) != 0) {
        stream_env_oom(&s->env);
        return;
    }
    pump(s);
    op_wm_update(s);
}

void stream_job_on_input_end(void *self)
{
    stream_t *s = self;
    s->src.input_ended = 1;
    if (s->state == STREAM_DOWN)
        return; /* the restore picks it up */
    set_state(s, STREAM_DRAINING);
    stream_source_refresh(&s->src);
    op_wm_update(s);
    maybe_drained(s);
}

/* Crash: see crash().  Slowdown: service times started during [time,
 * time + duration) are multiplied by factor.  Checkpoint failure: the
 * next checkpoint to complete is declined.  Outage: the workload holds the
 * events back (sim does it); the row only records it. */
void stream_job_on_fault(void *self, const fault_t *f)
{
    stream_t *s = self;
    fault_row *r;
    switch (f->kind) {
    case FAULT_CRASH:
        if (s->f.crashes_left > 0)
            s->f.crashes_left--;
        crash(s, f);
        return;
    case FAULT_SLOWDOWN:
        stream_workers_slow(&s->wk, f->time + f->duration);
        break;
    case FAULT_CHECKPOINT_FAIL:
        s->ck.fail_next = 1;
        break;
    default:
        break;
    }
    r = new_row(s, f);
    if (r && f->kind == FAULT_OUTAGE)
        r->resumed = r->caught_up = f->time + f->duration;
}

uint64_t stream_job_backlog(void *self)
{
    const stream_t *s = self;
    return stream_source_backlog(&s->src);
}

/* The watermark reported downstream: the highest the operator reached
 * (after a restore the operator's own may be lower for a while). */
double stream_job_watermark(void *self)
{
    const stream_t *s = self;
    return s->win.rep_wm == -INFINITY ? NAN : s->win.rep_wm;
}

void stream_job_finish(void *self)
{
    stream_t *s = self;
    assert(stream_check_state(s));
    if (s->f.open_row >= 0)
        stream_sink_unwatch(&s->sink, &s->f.rows[s->f.open_row]);
    for (size_t i = 0; i < s->f.nrows; i++)
        if (metrics_fault(s->env.m, &s->f.rows[i]) != 0)
            stream_env_oom(&s->env);
}

/* exec_type.horizon (stream/horizon.c).  Then, amortised, the sink table
 * is pruned behind it, and when no crash is left the log before the
 * oldest record in flight is dropped. */
double stream_job_horizon(void *self)
{
    stream_t *s = self;
    stream_horizon_view v;
    if (s->env.oom)
        return s->hz.hz;
    v.src = &s->src;
    v.wk = &s->wk;
    v.win = &s->win;
    v.sink = &s->sink;
    v.ck = &s->ck;
    v.settled = s->state == STREAM_DONE;
    v.down = s->state == STREAM_DOWN;
    v.may_restore = may_restore(s);
    stream_horizon_bound(&s->hz, &v);
    if (s->sink.alo.seen && stream_sink_prune_due(&s->sink))
        stream_sink_prune_behind(&s->sink, s->hz.hz); /* amortised: O(1) per entry */
    trim_done(s);
    return s->hz.hz;
}

stream_state stream_job_state(const void *self)
{
    const stream_t *s = self;
    return s->state;
}

void stream_job_set_probe(void *self, const stream_probe *p)
{
    stream_t *s = self;
    s->probe = *p;
    s->sink.probe = p->sink;
}

void stream_job_sizes(const void *self, stream_sizes *z)
{
    const stream_t *s = self;
    z->win = wmap_size(s->win.win);
    z->heap = heap_len(&s->win.dl);
    z->log = (size_t)(s->src.log.end - s->src.log.base);
    z->sink = s->sink.alo.seen ? wmap_size(s->sink.alo.seen) : 0;
    z->stg = s->sink.stg.len;
    z->vn = s->sink.vn.p.used;
    z->snap = s->ck.last.windows.nw;
}

void stream_job_facts(const config_t *c, metrics_facts *out)
{
    out->parallelism = c->stream.parallelism;
    semantics_rules r = semantics_of(&c->stream);
    out->deltas = !r.accumulating; /* the profile's default too */
    out->ontime_before = -r.due_shift; /* a scripted watermark's convention */
    out->exactly_once = c->stream.guarantee == GUAR_EXACTLY_ONCE;
}
