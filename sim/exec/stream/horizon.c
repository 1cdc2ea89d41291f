/*
 * stream/horizon.c: the stream job's horizon (see stream/horizon.h).
 */
#include "exec/stream/horizon.h"

#include <math.h>

#include "engine/context.h"

void stream_horizon_init(stream_horizon *hz)
{
    hz->hz = -INFINITY;
    hz->nn_min = hz->nn_floor = INFINITY;
}

/* Window none: a lower bound on the event time of every record not
 * processed yet, and of every record a restore from the snapshot would
 * replay.  Those are all in the log from log.base on (with crashes it is
 * kept from the snapshot's offset; stream.c trims it) or in the channels
 * (records read).  A scan of both is O(their length); it is redone only
 * once as many records have arrived since the last one, and in between
 * the bound is the least of the last scan's event times and of the truth
 * horizon's floor at that scan (what is in the log or the channels now
 * was in one of them then, or has arrived since, with an event time >=
 * that floor; a restore only moves records back from the channels to the
 * log): amortised O(1) per arrival, and nothing on the per-event path. */
static double none_bound(stream_horizon *hz, const stream_source *src, const stream_workers *wk)
{
    const stream_log *l = &src->log;
    if (l->end - hz->nn_mark >= hz->nn_size) {
        double m = INFINITY;
        uint64_t n = l->end - l->base;
        for (uint64_t o = l->base; o < l->end; o++)
            if (stream_source_at(src, o)->event_time < m)
                m = stream_source_at(src, o)->event_time;
        for (int i = 0; i < wk->P; i++)
            if (wk->w[i].busy) {
                n++;
                if (wk->w[i].cur.ev.event_time < m)
                    m = wk->w[i].cur.ev.event_time;
            }
        for (int i = 0; i < src->nch; i++) {
            const stream_chan *c = &src->ch[i];
            for (uint32_t j = 0, k = c->head; j < c->len; j++) {
                if (c->v[k].ev.event_time < m)
                    m = c->v[k].ev.event_time;
                if (++k == c->cap)
                    k = 0;
            }
            n += c->len;
        }
        hz->nn_min = m;
        hz->nn_size = n;
        hz->nn_mark = l->end;
        hz->nn_floor = sim_pending_event_time_floor(src->env->sim);
    }
    return hz->nn_min < hz->nn_floor ? hz->nn_min : hz->nn_floor;
}

/* Every later pane or merge concerns a window that is
 *  (a) staged now: end >= stg.min_end (a merge: the old window's end,
 *      which is <= the new one's);
 *  (b) live now: each live window has an entry in the deadline heap with
 *      at = end (ON_TIME pending) or its clean-up time end + L, so end >=
 *      heap top - L; that covers its ON_TIME, EARLY, LATE and collection
 *      panes and its merges, whatever event causes them (with the
 *      built-in trigger (c) mostly covers them too: live windows end
 *      after op_wm - L; not after a restore, while op_wm is ahead);
 *  (c) created later by a record not processed yet: it is created only
 *      when it is not late for Wr, the source watermark the record was
 *      read behind (end + L > Wr; for a session the merged window's end
 *      is >= the proto-window's), and Wr >= the least watermark_prev in
 *      flight (stream_workers_min_wm) until the next restore;
 *      window none: the pane is [t, t] of such a record, so its event
 *      time (none_bound);
 *  (d) after a restore, which can come while may_restore: a window of
 *      the snapshot (end >= its min_end) or one created by the replay of
 *      the log from its offset, read behind Wr >= its src_wm (window
 *      none: their event times, none_bound);
 *  (e) created by a record that has not arrived yet: its event time t >=
 *      sim_pending_event_time_floor (a floor of the truth horizon, without
 *      the oracle's per-event cost) and its windows end after t (window
 *      none: at t).
 * A job that has drained and committed everything (settled) can lose
 * nothing to a crash: +infinity then.  The minimum of (a) to (e) is a
 * promise for the whole rest of the run, so the maximum of all the values
 * computed so far is one too: the value returned is that maximum, so it
 * never decreases (the bound of (b) steps back by up to L when a window
 * is created, and (c) and (e) can step back as events arrive).  The truth
 * horizon must be part of each value before that maximum is taken: a
 * value without it would say nothing of the events then still to arrive,
 * which may later become records in flight behind it.  O(P + the events
 * in flight in the workload), plus the amortised scans of none_bound. */
double stream_horizon_bound(stream_horizon *hz, const stream_horizon_view *v)
{
    const stream_source *src = v->src;
    const stream_windows *win = v->win;
    double h = INFINITY, L = win->lateness;
    if (!v->settled) {
        if (!v->down) {
            if (v->sink->stg.len > 0 && v->sink->stg.min_end < h) /* (a) */
                h = v->sink->stg.min_end;
            if (win->wtype == WIN_NONE) {
                double a = none_bound(hz, src, v->wk);
                if (a < h)
                    h = a;
            } else {
                double p = stream_workers_min_wm(v->wk, src, src->src_wm) - L; /* (c) */
                if (p < h)
                    h = p;
                if (heap_len(&win->dl) > 0 && stream_windows_next_deadline(win) - L < h) /* (b) */
                    h = stream_windows_next_deadline(win) - L;
            }
        }
        if (v->may_restore) { /* (d) */
            double r;
            if (win->wtype == WIN_NONE) {
                r = none_bound(hz, src, v->wk); /* the log from the snapshot's offset on */
            } else {
                r = v->ck->last.source.src_wm - L;
                if (v->ck->last.windows.min_end < r)
                    r = v->ck->last.windows.min_end;
            }
            if (r < h)
                h = r;
        }
    }
    {
        double t = sim_pending_event_time_floor(src->env->sim); /* (e) */
        if (t < h)
            h = t;
    }
    if (h > hz->hz)
        hz->hz = h;
    return hz->hz;
}
