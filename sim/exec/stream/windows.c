/*
 * stream/windows.c: the window operator (see stream/windows.h).
 */
#include "exec/stream/windows.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/metrics.h"
#include "lib/vec.h"
#include "model/semantics.h"

enum { DL_ONTIME = 0, DL_GC = 1 };

/* The deadline order: time, then the window, then ON_TIME before GC. */
static int dl_less(const void *pa, const void *pb)
{
    const stream_dline *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at;
    if (a->start != b->start)
        return a->start < b->start;
    if (a->end != b->end)
        return a->end < b->end;
    if (a->key != b->key)
        return a->key < b->key;
    return a->kind < b->kind;
}

int stream_windows_init(stream_windows *win, stream_env *env, stream_sink *out)
{
    const config_t *c = env->c;
    win->env = env;
    win->out = out;
    win->trig = sim_trigger_type(env->sim);
    if (!win->trig)
        win->trig = trigger_default;
    win->wtype = c->window.type;
    win->sliced = win->wtype == WIN_TUMBLING || win->wtype == WIN_SLIDING;
    win->lateness = c->stream.allowed_lateness;
    win->rules = semantics_of(&c->stream);
    win->accumulating = win->rules.accumulating;
    win->op_wm = -INFINITY;
    win->rep_wm = -INFINITY;
    heap_init(&win->dl, sizeof(stream_dline), dl_less);
    idpool_init(&win->et.p, sizeof(stream_etimer), offsetof(stream_etimer, next_free));
    idpool_init(&win->ses.p, sizeof(stream_snode), offsetof(stream_snode, next));
    win->win = wmap_alloc(sizeof(stream_swin));
    win->ses.idx = wmap_alloc(sizeof(uint32_t));
    /* >= 1 for every window type (model/window.c; a sliding window's
     * size and slide are > 0, checked by config_validate, model/config.c) */
    win->assign_max = window_max_per_event(&c->window);
    assert(win->assign_max >= 1);
    win->assign = malloc(win->assign_max * sizeof *win->assign);
    if (!win->win || !win->ses.idx || !win->assign || stream_slices_init(&win->sl, out) != 0)
        return -1;
    return 0;
}

void stream_windows_free(stream_windows *win)
{
    wmap_free(win->win);
    wmap_free(win->ses.idx);
    stream_slices_free(&win->sl);
    free(win->assign);
    free(win->et.v);
    free(win->ses.v);
    heap_free(&win->dl);
}

void stream_windows_snap_free(stream_windows_snap *snap)
{
    free(snap->w);
    free(snap->ev);
    free(snap->sl);
}

/* ----------------------------------------------------------------- pools */

static uint32_t et_alloc(stream_windows *win)
{
    uint32_t i = idpool_get(&win->et.p, &win->et.v);
    if (!i)
        return 0;
    memset(&win->et.v[i], 0, sizeof win->et.v[i]);
    return i;
}

/* Cancels early timer i and frees its record. */
static void et_drop(stream_windows *win, uint32_t i)
{
    stream_env_cancel(win->env, win->et.v[i].h);
    idpool_put(&win->et.p, win->et.v, i);
}

static uint32_t sn_alloc(stream_windows *win)
{
    uint32_t i = idpool_get(&win->ses.p, &win->ses.v);
    if (!i)
        return 0;
    win->ses.v[i].next = 0;
    return i;
}

/* Adds w to the session list of key (which exists).  0 or -1 (OOM). */
static int sidx_add(stream_windows *win, uint32_t key, window_t w)
{
    uint32_t n = sn_alloc(win);
    uint32_t *head;
    if (!n)
        return -1;
    head = wmap_get(win->ses.idx, key, 0, 0);
    win->ses.v[n].start = w.start;
    win->ses.v[n].end = w.end;
    win->ses.v[n].next = *head;
    *head = n;
    return 0;
}

/* Removes (start, end) from the session list of key. */
static void sidx_remove(stream_windows *win, uint32_t key, double start, double end)
{
    uint32_t *head = wmap_get(win->ses.idx, key, 0, 0);
    uint32_t *link = head;
    if (!head)
        return;
    while (*link) {
        stream_snode *n = &win->ses.v[*link];
        if (n->start == start && n->end == end) {
            uint32_t dead = *link;
            *link = n->next;
            idpool_put(&win->ses.p, win->ses.v, dead);
            break;
        }
        link = &n->next;
    }
    if (*head == 0)
        wmap_del(win->ses.idx, key, 0, 0);
}

/* --------------------------------------------------------- deadline heap */

static int dl_push(stream_windows *win, double at, uint32_t key, window_t w, uint32_t kind)
{
    stream_dline d = {at, w.start, w.end, key, kind};
    return heap_push(&win->dl, &d);
}

/* The heap entry of a window with state: its ON_TIME pane at its end, or,
 * once that is done, its clean-up. */
static int schedule_deadline(stream_windows *win, uint32_t key, window_t w, int ontime_done)
{
    if (ontime_done)
        return dl_push(win, stream_windows_cleanup_time(w, win->lateness), key, w, DL_GC);
    return dl_push(win, w.end, key, w, DL_ONTIME);
}

double stream_windows_next_deadline(const stream_windows *win)
{
    const stream_dline *d = heap_top(&win->dl);
    return d ? d->at : INFINITY;
}

/* Whether the watermark wm has passed w's end by the profile's convention
 * (semantics_passed): its ON_TIME pane is due, later elements are late. */
static int past_end(const stream_windows *win, window_t w, double wm)
{
    return semantics_passed(&win->rules, w.end, wm);
}

/* Whether w is expired for wm by the profile's convention: its clean-up
 * time (end + allowed lateness) has passed.  With a generated watermark
 * this is exactly stream_windows_is_late; with a scripted one it can hold
 * for a smaller wm (flink: up to 1 ms earlier), never for a larger one, so
 * the plain stream_windows_is_late stays a safe test where only "expired
 * for every later read" matters (stream_sink_prune_expired). */
static int expired(const stream_windows *win, window_t w, double wm)
{
    return semantics_passed(&win->rules, stream_windows_cleanup_time(w, win->lateness), wm);
}

/* ----------------------------------------------------------------- panes */

static void cancel_timer(stream_windows *win, stream_swin *st)
{
    if (st->timer) {
        et_drop(win, st->timer);
        st->timer = 0;
    }
}


/* ---------------------------------------------------------------- explain */

static const char *const timing_word[] = {"EARLY", "ON_TIME", "LATE", "BATCH"};

/* The pane line of sluice explain (env->x set): what window w of key is
 * about to emit (st before emit) and why (fmt: the rule). */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static void explain_pane(const stream_windows *win, const stream_swin *st, uint32_t key,
                         window_t w, int timing, const char *fmt, ...)
{
    char rule[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    int acc = win->accumulating;
    SIM_EXPLAIN(win->env->x, "pane", key, w.start, w.end,
                "key %u %s pane #%u of [%g, %g): count %llu, sum %lld (%s)%s\t%s", (unsigned)key,
                timing >= 0 && timing < 4 ? timing_word[timing] : "?", (unsigned)st->next_pane,
                w.start, w.end, (unsigned long long)(acc ? st->acc_count : st->delta_count),
                (long long)(acc ? st->acc_sum : st->delta_sum),
                acc ? "accumulating" : "discarding",
                win->out->staging ? ", staged until the next checkpoint commits" : "", rule);
}

/* The watermark line: the operator watermark rises from `from` to m. */
static void explain_watermark(const stream_windows *win, double from, double m)
{
    const struct config_stream *c = &win->env->c->stream;
    char why[256];
    if (m == INFINITY)
        snprintf(why, sizeof why, "every event has been read: the watermark goes to +inf");
    else if (c->watermark == WM_BOUNDED)
        snprintf(why, sizeof why, "bounded: max event time read %g - watermark_bound %g",
                 m + c->watermark_bound, c->watermark_bound);
    else if (c->watermark == WM_PERCENTILE)
        snprintf(why, sizeof why,
                 "percentile: latest arrival read - the %g-quantile of the delays seen",
                 c->watermark_percentile);
    else if (c->watermark == WM_SCRIPTED)
        snprintf(why, sizeof why, "scripted: the step of watermark_file at %g",
                 *win->env->clock);
    else
        snprintf(why, sizeof why, "perfect: the least event time not yet read (the oracle)");
    size_t n = strlen(why);
    if (c->watermark_interval > 0 && m < INFINITY)
        snprintf(why + n, sizeof why - n, ", emitted every %g s", c->watermark_interval);
    else if (win->env->c->stream.parallelism > 1 && m < INFINITY)
        snprintf(why + n, sizeof why - n, "; the least over the records in flight");
    SIM_EXPLAIN(win->env->x, "watermark", -1, NAN, NAN, "watermark %g -> %g\t%s", from, m,
                why);
}

/* Emits the window's next pane; a pending trigger timer is cleared. */
static void emit(stream_windows *win, stream_swin *st, uint32_t key, window_t w, int timing)
{
    pane_t p;
    cancel_timer(win, st);
    memset(&p, 0, sizeof p);
    p.key = key;
    p.start = w.start;
    p.end = w.end;
    p.index = st->next_pane++;
    p.timing = timing;
    p.count = win->accumulating ? st->acc_count : st->delta_count;
    p.sum = win->accumulating ? st->acc_sum : st->delta_sum;
    double min_et = st->delta_min_et;
    st->delta_count = 0;
    st->delta_sum = 0;
    st->delta_min_et = INFINITY;
    uint32_t vis;
    if (win->sliced) {
        vis = stream_slices_take(&win->sl, key, w);
    } else {
        vis = st->vis_head;
        st->vis_head = st->vis_tail = 0;
    }
    stream_sink_output(win->out, &p, vis, min_et);
}

void stream_windows_on_timer(stream_windows *win, uint32_t i)
{
    stream_etimer t = win->et.v[i];
    stream_swin *st;
    idpool_put(&win->et.p, win->et.v, i); /* it has fired: no cancel */
    st = wmap_get(win->win, t.key, t.start, t.end);
    if (!st || st->timer != i)
        return;
    st->timer = 0;
    if (!st->ontime_done && st->delta_count > 0 &&
        win->trig->on_timer(&win->env->c->stream,
                            &(trigger_pane){st->delta_count, st->acc_count, st->next_pane, t.end, 0},
                            *win->env->clock) == TRIG_FIRE) {
        if (win->env->x) explain_pane(win, st, t.key, (window_t){t.start, t.end}, PANE_EARLY, "early_delay %g s of processing time after the first element of the pane: its timer at %g", win->env->c->stream.early_delay, t.at);
        emit(win, st, t.key, (window_t){t.start, t.end}, PANE_EARLY);
    }
}

/* A timer record for window w of key at `at`; 0 when out of memory. */
static uint32_t arm_timer(stream_windows *win, uint32_t key, window_t w, double at)
{
    uint32_t i = et_alloc(win);
    if (!i)
        return 0;
    win->et.v[i].at = at;
    win->et.v[i].key = key;
    win->et.v[i].start = w.start;
    win->et.v[i].end = w.end;
    win->et.v[i].h = stream_env_at(win->env, at, STREAM_T_EARLY, i);
    return i;
}

static void gc_window(stream_windows *win, uint32_t key, window_t w)
{
    stream_swin *st = wmap_get(win->win, key, w.start, w.end);
    if (!st)
        return;
    /* Elements a trigger left unfired get a last LATE pane (Beam fires
     * at garbage collection too); the built-in trigger leaves none.
     * emit = window_close: this is the window's one final result
     * (KTableSuppressProcessor emits when windowEnd + grace <= stream
     * time), an ON_TIME pane. */
    if (win->rules.emit == EMIT_WINDOW_CLOSE) {
        if (st->acc_count > 0) {
            if (win->env->x) explain_pane(win, st, key, w, PANE_ON_TIME, "emit = window_close: the window closed at end %g + grace %g", w.end, win->lateness);
            emit(win, st, key, w, PANE_ON_TIME);
        }
    } else if (st->delta_count > 0) {
        if (win->env->x) explain_pane(win, st, key, w, PANE_LATE, "clean-up at end %g + allowed lateness %g: the elements the trigger left unfired", w.end, win->lateness);
        emit(win, st, key, w, PANE_LATE);
    }
    SIM_EXPLAIN(win->env->x, "clear", key, w.start, w.end, "key %u [%g, %g) state cleared, %llu elements\tthe watermark %g reached end %g + allowed lateness %g = %g", (unsigned)key, w.start, w.end, (unsigned long long)st->acc_count, win->op_wm, w.end, win->lateness, stream_windows_cleanup_time(w, win->lateness));
    cancel_timer(win, st);
    if (win->wtype == WIN_SESSION)
        sidx_remove(win, key, w.start, w.end);
    wmap_del(win->win, key, w.start, w.end);
}

/* Fires ON_TIME panes and collects expired windows up to the operator
 * watermark.  Out of line: stream_windows_advance runs twice per event
 * and mostly finds nothing due, and inlined this made it save registers
 * each time. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fire_due(stream_windows *win)
{
    const stream_dline *top;
    while ((top = heap_top(&win->dl)) != NULL && semantics_passed(&win->rules, top->at, win->op_wm)) {
        stream_dline d;
        heap_pop(&win->dl, &d);
        window_t w = {d.start, d.end};
        stream_swin *st = wmap_get(win->win, d.key, d.start, d.end);
        if (!st)
            continue; /* merged away or collected */
        if (d.kind == DL_ONTIME) {
            if (st->ontime_done)
                continue;
            st->ontime_done = 1;
            cancel_timer(win, st);
            /* per_record emitted every update already; window_close
             * waits for the clean-up time (gc_window) */
            if (win->rules.emit == EMIT_TRIGGER) {
                if (win->env->x) explain_pane(win, st, d.key, w, PANE_ON_TIME, "the watermark %g reached the end %g of [%g, %g)", win->op_wm, w.end, w.start, w.end);
                emit(win, st, d.key, w, PANE_ON_TIME);
            }
            if (schedule_deadline(win, d.key, w, 1) != 0)
                stream_env_oom(win->env);
        } else if (st->ontime_done && expired(win, w, win->op_wm)) {
            gc_window(win, d.key, w);
        }
    }
}

void stream_windows_raise(stream_windows *win, double m)
{
    win->op_wm = m;
    if (m > win->rep_wm) {
        if (win->env->x) explain_watermark(win, win->rep_wm, m);
        win->rep_wm = m;
        metrics_watermark(win->env->m, *win->env->clock, m);
    }
    const stream_dline *top = heap_top(&win->dl);
    if (top && semantics_passed(&win->rules, top->at, win->op_wm))
        fire_due(win);
}

/* Adds ev to window w of its key, creating it when absent.  A session
 * window lists ev itself; a fixed window's caller has put ev in its
 * slice (stream_slices_add) already. */
static void add_to_window(stream_windows *win, const workload_event *ev, window_t w)
{
    int created = 0;
    stream_swin *st = wmap_put(win->win, ev->key, w.start, w.end, &created);
    SIM_EXPLAIN(win->env->x, "event", ev->key, w.start, w.end, "key %u value %lld event time %g arrived %g (delay %g): %s\tthe watermark %g %s the end %g of [%g, %g)", (unsigned)ev->key, (long long)ev->value, ev->event_time, ev->arrival_time, ev->arrival_time - ev->event_time, past_end(win, w, win->op_wm) ? "late" : "on time", win->op_wm, past_end(win, w, win->op_wm) ? "has passed" : "has not reached", w.end, w.start, w.end);
    if (!st) {
        stream_env_oom(win->env);
        return;
    }
    if (created) {
        st->delta_min_et = INFINITY;
        st->ontime_done = past_end(win, w, win->op_wm);
        SIM_EXPLAIN(win->env->x, "open", ev->key, w.start, w.end, "key %u window [%g, %g) opens\tits first element, event time %g", (unsigned)ev->key, w.start, w.end, ev->event_time);
        if (schedule_deadline(win, ev->key, w, (int)st->ontime_done) != 0) {
            stream_env_oom(win->env);
            return;
        }
    }
    if (!win->sliced) {
        uint32_t v = stream_sink_hold(win->out, ev);
        if (!v) {
            stream_env_oom(win->env);
            return;
        }
        stream_sink_append(win->out, &st->vis_head, &st->vis_tail, v, v);
    }
    if (ev->event_time < st->delta_min_et)
        st->delta_min_et = ev->event_time;
    st->acc_count++;
    st->acc_sum += ev->value;
    st->delta_count++;
    st->delta_sum += ev->value;
    if (win->rules.emit == EMIT_PER_RECORD) {
        /* the KTable update stream: the new aggregate at once */
        emit(win, st, ev->key, w, past_end(win, w, win->op_wm) ? PANE_LATE : PANE_EARLY);
        return;
    }
    if (win->rules.emit == EMIT_WINDOW_CLOSE)
        return; /* suppressed until the window closes (gc_window) */
    trigger_pane tp = {st->delta_count, st->acc_count, st->next_pane, w.end, st->timer != 0};
    const struct config_stream *cs = &win->env->c->stream;
    if (past_end(win, w, win->op_wm)) {
        if (win->trig->on_late(cs, &tp) == TRIG_FIRE) {
            if (win->env->x) explain_pane(win, st, ev->key, w, PANE_LATE, "a late element within allowed lateness: watermark %g >= end %g, end + lateness %g > watermark", win->op_wm, w.end, stream_windows_cleanup_time(w, win->lateness));
            emit(win, st, ev->key, w, PANE_LATE);
        }
    } else {
        double at = INFINITY;
        if (win->trig->on_element(cs, &tp, *win->env->clock, &at) == TRIG_FIRE) {
            if (win->env->x) explain_pane(win, st, ev->key, w, PANE_EARLY, "the trigger %s fired on element %llu of the pane", win->trig->name, (unsigned long long)tp.count);
            emit(win, st, ev->key, w, PANE_EARLY);
        } else if (at < INFINITY && !st->timer) {
            SIM_EXPLAIN(win->env->x, "timer", ev->key, w.start, w.end, "EARLY timer set for %g\tthe first element of the pane at %g + early_delay %g", at, *win->env->clock, cs->early_delay);
            st->timer = arm_timer(win, ev->key, w, at);
            if (!st->timer)
                stream_env_oom(win->env);
        }
    }
}

/* ---------------------------------------------------------------- sessions */

/* Folds the state of window `from` into `into` (a session merge): counts
 * and sums add up, the higher pane index stays, from's events not yet
 * visible follow into's, and of two pending timers the trigger's on_merge
 * picks the one the merged window keeps (the other is cancelled).
 * from's timer is left dangling in from: the caller drops from. */
static void fold_state(stream_windows *win, stream_swin *into, const stream_swin *from)
{
    into->acc_count += from->acc_count;
    into->acc_sum += from->acc_sum;
    into->delta_count += from->delta_count;
    into->delta_sum += from->delta_sum;
    if (from->delta_min_et < into->delta_min_et)
        into->delta_min_et = from->delta_min_et;
    if (from->next_pane > into->next_pane)
        into->next_pane = from->next_pane;
    stream_sink_append(win->out, &into->vis_head, &into->vis_tail, from->vis_head, from->vis_tail);
    if (!from->timer)
        return;
    if (!into->timer || win->trig->on_merge(&win->env->c->stream, win->et.v[into->timer].at,
                                            win->et.v[from->timer].at) == TRIG_MERGE_TAKE) {
        if (into->timer)
            et_drop(win, into->timer);
        into->timer = from->timer;
    } else {
        et_drop(win, from->timer);
    }
}

/* Session: merges the proto-window [t, t + gap) with every window of the
 * key it overlaps or touches and that is not late for this event
 * (stream_windows_is_late by wr, the watermark the event was read behind:
 * like the drop rule, this depends on the order of reads only, so a key's
 * sessions come out the same after a restore); returns the merged window. */
static int session_merge(stream_windows *win, uint32_t key, window_t proto, double wr,
                         window_t *out)
{
    int created = 0;
    uint32_t *head = wmap_put(win->ses.idx, key, 0, 0, &created);
    stream_snode *sn;
    window_t m = proto;
    stream_swin acc;
    int nmerged = 0, changed = 1;
    if (!head)
        return -1;
    sn = win->ses.v;
    /* hull until no live window overlaps it (live windows are disjoint) */
    while (changed) {
        changed = 0;
        for (uint32_t i = *head; i; i = sn[i].next) {
            window_t w = {sn[i].start, sn[i].end};
            if (expired(win, w, wr))
                continue; /* closed for this event */
            if (semantics_sessions_meet(&win->rules, m, w) &&
                (w.start < m.start || w.end > m.end)) {
                m = window_merge(m, w);
                changed = 1;
            }
        }
    }
    memset(&acc, 0, sizeof acc);
    acc.delta_min_et = INFINITY;
    /* fold every live window inside the hull into acc */
    uint32_t *link = head;
    while (*link) {
        uint32_t i = *link;
        window_t w = {sn[i].start, sn[i].end};
        if (!semantics_sessions_meet(&win->rules, m, w) || expired(win, w, wr)) {
            link = &sn[i].next;
            continue;
        }
        stream_swin *st = wmap_get(win->win, key, w.start, w.end);
        assert(st);
        if (w.start == m.start && w.end == m.end) {
            /* the hull is this very window: leave it in place */
            link = &sn[i].next;
            continue;
        }
        SIM_EXPLAIN(win->env->x, "merge", key, m.start, m.end, "session [%g, %g) merges into [%g, %g)\tthe sessions meet (gap %g)", w.start, w.end, m.start, m.end, win->env->c->window.gap);
        if (st->next_pane > 0)
            stream_sink_output_merge(win->out, key, w, m); /* its panes now count for m */
        fold_state(win, &acc, st);
        wmap_del(win->win, key, w.start, w.end);
        *link = sn[i].next;
        idpool_put(&win->ses.p, win->ses.v, i);
        nmerged++;
    }
    /* the merged window: fold acc into it (creating it if needed) */
    stream_swin *st = wmap_put(win->win, key, m.start, m.end, &created);
    if (!st)
        return -1;
    if (created) {
        st->delta_min_et = INFINITY;
        SIM_EXPLAIN(win->env->x, "open", key, m.start, m.end, "key %u session [%g, %g) opens\tevent time %g + gap %g%s", (unsigned)key, m.start, m.end, proto.start, win->env->c->window.gap, nmerged ? ", merged with the sessions it meets" : "");
        if (sidx_add(win, key, m) != 0)
            return -1;
        st->ontime_done = past_end(win, m, win->op_wm);
        if (schedule_deadline(win, key, m, (int)st->ontime_done) != 0)
            return -1;
    }
    if (nmerged > 0) {
        fold_state(win, st, &acc);
        if (st->timer) {
            win->et.v[st->timer].start = m.start;
            win->et.v[st->timer].end = m.end;
        }
        if (st->ontime_done && !past_end(win, m, win->op_wm)) {
            /* grown past the watermark again: it gets an ON_TIME pane */
            st->ontime_done = 0;
            if (schedule_deadline(win, key, m, 0) != 0)
                return -1;
        }
    }
    *out = m;
    return 0;
}

/* Whether proto meets (semantics_sessions_meet) a window of key that is
 * live for wr: then, under drop_after_merge, the merged window's end is
 * at least that window's, so it is not late either. */
static int session_meets_live(const stream_windows *win, uint32_t key, window_t proto, double wr)
{
    const uint32_t *head = wmap_get(win->ses.idx, key, 0, 0);
    if (!head)
        return 0;
    for (uint32_t i = *head; i; i = win->ses.v[i].next) {
        window_t w = {win->ses.v[i].start, win->ses.v[i].end};
        if (!expired(win, w, wr) && semantics_sessions_meet(&win->rules, proto, w))
            return 1;
    }
    return 0;
}

/* The session drop rule (semantics_rules.drop_after_merge): an element
 * whose own window is late is dropped, unless the rule tests the merged
 * window and the element joins a live session. */
static int session_drops(const stream_windows *win, uint32_t key, window_t proto, double wr)
{
    if (!expired(win, proto, wr))
        return 0;
    return !win->rules.drop_after_merge || !session_meets_live(win, key, proto, wr);
}

/* ------------------------------------------------------------------ apply */

/* A window that is late for wr (the source watermark ev was read behind)
 * is expired for ev.  That depends only on the order of reads, not on
 * timing, so a replay after a restore drops exactly the same events (wr
 * >= the operator watermark, and equal to it with one worker). */
void stream_windows_apply(stream_windows *win, const workload_event *ev, double wr, int dup)
{
    if (win->wtype == WIN_NONE) {
        pane_t p;
        memset(&p, 0, sizeof p);
        p.key = ev->key;
        p.start = p.end = ev->event_time;
        p.timing = PANE_ON_TIME;
        p.count = 1;
        p.sum = ev->value;
        p.duplicate = dup;
        SIM_EXPLAIN(win->env->x, "pane", ev->key, ev->event_time, ev->event_time, "key %u ON_TIME record pane: value %lld, event time %g, arrived %g\twindow type none: each record is its own result, no watermark involved", (unsigned)ev->key, (long long)ev->value, ev->event_time, ev->arrival_time);
        if (!win->out->staging) {
            stream_sink_output_record(win->out, &p, ev);
            return;
        }
        uint32_t v = stream_sink_hold(win->out, ev);
        if (!v) {
            stream_env_oom(win->env);
            return;
        }
        stream_sink_output(win->out, &p, v, ev->event_time);
        return;
    }
    if (win->wtype == WIN_SESSION) {
        window_t proto, m;
        window_assign(&win->env->c->window, ev->event_time, &proto, 1);
        if (session_drops(win, ev->key, proto, wr)) {
            SIM_EXPLAIN(win->env->x, "drop", ev->key, proto.start, proto.end, "key %u value %lld event time %g dropped\tits session [%g, %g): end %g + allowed lateness %g = %g <= watermark %g", (unsigned)ev->key, (long long)ev->value, ev->event_time, proto.start, proto.end, proto.end, win->lateness, stream_windows_cleanup_time(proto, win->lateness), wr);
            metrics_dropped(win->env->m, ev, *win->env->clock);
            return;
        }
        if (session_merge(win, ev->key, proto, wr, &m) != 0) {
            stream_env_oom(win->env);
            return;
        }
        add_to_window(win, ev, m);
        return;
    }
    size_t n = window_assign(&win->env->c->window, ev->event_time, win->assign, win->assign_max);
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (expired(win, win->assign[i], wr)) {
            SIM_EXPLAIN(win->env->x, "drop", ev->key, win->assign[i].start, win->assign[i].end, "key %u value %lld event time %g dropped from [%g, %g)\twindow end %g + allowed lateness %g = %g <= watermark %g", (unsigned)ev->key, (long long)ev->value, ev->event_time, win->assign[i].start, win->assign[i].end, win->assign[i].end, win->lateness, stream_windows_cleanup_time(win->assign[i], win->lateness), wr);
            continue; /* expired */
        }
        if (win->assign[i].start < a)
            a = win->assign[i].start;
        if (win->assign[i].start > b)
            b = win->assign[i].start;
    }
    if (a == INFINITY) {
        metrics_dropped(win->env->m, ev, *win->env->clock);
        return;
    }
    /* one visibility record for all of ev's windows, in place before any
     * of them can fire a pane */
    uint32_t v = stream_sink_hold(win->out, ev);
    if (!v || stream_slices_add(&win->sl, ev->key, a, b, v) != 0) {
        stream_env_oom(win->env);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!expired(win, win->assign[i], wr))
            add_to_window(win, ev, win->assign[i]);
}

/* ------------------------------------------------------- snapshot/restore */

/* The slices of fixed windows into n, by key, each in its order. */
static int snapshot_slices(const stream_windows *win, stream_windows_snap *n)
{
    const stream_sink *k = win->out;
    wmap_key *keys = NULL;
    void **vals = NULL;
    size_t nk = 0;
    if (stream_slices_sorted(&win->sl, &keys, &vals, &nk) != 0)
        return -1;
    for (size_t i = 0; i < nk; i++) {
        const stream_slice_key *sk = vals[i];
        for (size_t j = 0; j < sk->n; j++) {
            if (vec_ensure(&n->sl, &n->capsl, n->nsl + 1, sizeof *n->sl) != VEC_OK)
                goto oom;
            stream_snapslice *x = &n->sl[n->nsl++];
            *x = (stream_snapslice){keys[i].key, sk->v[j].a, sk->v[j].b, n->nev, 0};
            for (uint32_t v = sk->v[j].head; v; v = stream_sink_next(k, v)) {
                if (vec_ensure(&n->ev, &n->capev, n->nev + 1, sizeof *n->ev) != VEC_OK)
                    goto oom;
                n->ev[n->nev++] = *stream_sink_event(k, v);
                x->count++;
            }
        }
    }
    free(keys);
    free(vals);
    return 0;
oom:
    free(keys);
    free(vals);
    return -1;
}

int stream_windows_snapshot(const stream_windows *win, stream_windows_snap *n)
{
    const stream_sink *k = win->out;
    wmap_key *keys = NULL;
    void **vals = NULL;
    size_t nw = wmap_size(win->win);
    if (wmap_sorted(win->win, &keys, &vals) != 0)
        return -1;
    n->nw = 0;
    n->nev = 0;
    n->min_end = INFINITY;
    if (vec_ensure(&n->w, &n->capw, nw, sizeof *n->w) != VEC_OK)
        goto oom;
    for (size_t i = 0; i < nw; i++) {
        const stream_swin *st = vals[i];
        stream_snapwin *x = &n->w[n->nw++];
        x->k = keys[i];
        if (x->k.end < n->min_end)
            n->min_end = x->k.end;
        x->st = *st;
        x->st.vis_head = (uint32_t)n->nev;
        x->st.vis_tail = 0;
        x->st.timer = 0;
        x->timer_at = st->timer ? win->et.v[st->timer].at : INFINITY;
        for (uint32_t v = st->vis_head; v; v = stream_sink_next(k, v)) {
            if (vec_ensure(&n->ev, &n->capev, n->nev + 1, sizeof *n->ev) != VEC_OK)
                goto oom;
            n->ev[n->nev++] = *stream_sink_event(k, v);
            x->st.vis_tail++;
        }
    }
    free(keys);
    free(vals);
    keys = NULL;
    vals = NULL;
    n->op_wm = win->op_wm;
    n->nsl = 0;
    if (win->sliced && snapshot_slices(win, n) != 0)
        goto oom;
    return 0;
oom:
    free(keys);
    free(vals);
    return -1;
}

int stream_windows_restore(stream_windows *win, const stream_windows_snap *n)
{
    win->op_wm = n->op_wm; /* rep_wm, the one reported, stays */
    for (size_t i = 0; i < n->nw; i++) {
        const stream_snapwin *x = &n->w[i];
        window_t w = {x->k.start, x->k.end};
        int created = 0;
        stream_swin *st = wmap_put(win->win, x->k.key, w.start, w.end, &created);
        if (!st)
            return -1;
        *st = x->st;
        st->vis_head = st->vis_tail = 0;
        for (uint32_t j = 0; j < x->st.vis_tail; j++) {
            uint32_t v = stream_sink_hold(win->out, &n->ev[x->st.vis_head + j]);
            if (!v)
                return -1;
            stream_sink_append(win->out, &st->vis_head, &st->vis_tail, v, v);
        }
        if (schedule_deadline(win, x->k.key, w, (int)st->ontime_done) != 0)
            return -1;
        if (win->wtype == WIN_SESSION) {
            int c2 = 0;
            if (!wmap_put(win->ses.idx, x->k.key, 0, 0, &c2) || sidx_add(win, x->k.key, w) != 0)
                return -1;
        }
        if (x->timer_at < INFINITY) {
            double now = *win->env->clock;
            st = wmap_get(win->win, x->k.key, w.start, w.end);
            st->timer = arm_timer(win, x->k.key, w, x->timer_at > now ? x->timer_at : now);
            if (!st->timer)
                return -1;
        }
    }
    for (size_t i = 0; i < n->nsl; i++) {
        const stream_snapslice *x = &n->sl[i];
        for (size_t j = 0; j < x->count; j++) {
            uint32_t v = stream_sink_hold(win->out, &n->ev[x->first + j]);
            if (!v || stream_slices_add(&win->sl, x->key, x->a, x->b, v) != 0)
                return -1;
        }
    }
    return 0;
}

void stream_windows_lose(stream_windows *win)
{
    size_t pos = 0;
    stream_swin *st;
    while ((st = wmap_next(win->win, &pos, NULL)) != NULL)
        if (st->timer)
            stream_env_cancel(win->env, win->et.v[st->timer].h);
    wmap_clear(win->win);
    wmap_clear(win->ses.idx);
    stream_slices_clear(&win->sl);
    heap_clear(&win->dl);
    idpool_clear(&win->et.p);
    idpool_clear(&win->ses.p);
}
