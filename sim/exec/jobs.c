/*
 * jobs: the job runner and window store of the batch and micro-batch
 * executors.  The rules are in exec/jobs.h.
 */
#include "exec/jobs.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/window.h"
#include "lib/heap.h"
#include "lib/idpool.h"
#include "lib/vec.h"
#include "lib/wmap.h"
#include "engine/exec.h"
#include "engine/context.h"

/* ======================================================================
 * Growable event arrays
 * ====================================================================== */

int jobs_events_push(jobs_events *a, const workload_event *ev)
{
    if (vec_ensure(&a->v, &a->cap, a->n + 1, sizeof *a->v) != VEC_OK)
        return -1;
    a->v[a->n++] = *ev;
    return 0;
}

void jobs_events_free(jobs_events *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* ======================================================================
 * Window store
 * ====================================================================== */

#define NIL 0u /* end of a held-event list (lib/pool indices start at 1) */

typedef struct bwin {
    uint64_t count;
    int64_t sum;
    uint32_t panes;     /* panes emitted so far: the next pane's index */
    uint8_t closed;     /* emitted as complete (kept only when retained) */
    uint8_t dirty;      /* changed since its last pane; listed in st->dirty */
    uint32_t head, tail; /* events waiting to become visible (pool list) */
} bwin;

/* A window's identity; also the heap entry. */
typedef struct wid {
    double end, start;
    uint32_t key;
} wid;

typedef struct pnode {
    workload_event ev;
    uint32_t next;
} pnode;

/* Sessions of one key, sorted by start, pairwise disjoint. */
typedef struct sesslist {
    window_t *v;
    uint32_t n, cap;
} sesslist;

typedef struct idvec {
    wid *v;
    size_t n, cap;
} idvec;

struct jobs_store {
    struct config_window_s w;
    int retain, track_dirty, late_by_time;
    wmap_t *wins;       /* (key, start, end) -> bwin */
    wmap_t *sess;       /* sessions: (key, 0, 0) -> sesslist */
    heap open_h;        /* open windows (wid), least (end, start, key)
                           first, lazy deletion */
    heap closed;        /* retained closed windows (wid), the same order,
                           lazy deletion (retain only) */
    idvec dirty;        /* windows to emit again (restate / update) */
    idvec out;          /* scratch: windows of one emission */
    pnode *pool;        /* held events, 1-based; free list through next */
    idpool held_p;
    size_t held, open;
    double out_min_end; /* least end of the panes of the last emission */
    window_t *tmp;         /* scratch for window_assign */
    size_t tmax;
    const sim_explain *x;  /* the runner's explain recorder (NULL: off) */
};

static int wid_cmp(const wid *a, const wid *b)
{
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return 0;
}

static int wid_qcmp(const void *a, const void *b) { return wid_cmp(a, b); }

static int idvec_push(idvec *a, wid x)
{
    if (vec_ensure(&a->v, &a->cap, a->n + 1, sizeof *a->v) != VEC_OK)
        return -1;
    a->v[a->n++] = x;
    return 0;
}

static int wid_less(const void *a, const void *b) { return wid_cmp(a, b) < 0; }

jobs_store *jobs_store_alloc(const struct config_window_s *w, int retain_closed, int track_dirty,
                               int late_by_time)
{
    assert(w->type != WIN_NONE);
    jobs_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->w = *w;
    st->retain = retain_closed;
    st->track_dirty = track_dirty;
    st->late_by_time = late_by_time;
    idpool_init(&st->held_p, sizeof(pnode), offsetof(pnode, next));
    heap_init(&st->open_h, sizeof(wid), wid_less);
    heap_init(&st->closed, sizeof(wid), wid_less);
    st->out_min_end = INFINITY;
    st->tmax = window_max_per_event(w);
    if (st->tmax < 1)
        st->tmax = 1;
    st->tmp = malloc(st->tmax * sizeof *st->tmp);
    st->wins = wmap_alloc(sizeof(bwin));
    if (w->type == WIN_SESSION)
        st->sess = wmap_alloc(sizeof(sesslist));
    if (!st->tmp || !st->wins || (w->type == WIN_SESSION && !st->sess)) {
        jobs_store_free(st);
        return NULL;
    }
    return st;
}

void jobs_store_free(jobs_store *st)
{
    if (!st)
        return;
    if (st->sess) {
        size_t pos = 0;
        sesslist *sl;
        while ((sl = wmap_next(st->sess, &pos, NULL)) != NULL)
            free(sl->v);
        wmap_free(st->sess);
    }
    wmap_free(st->wins);
    heap_free(&st->open_h);
    heap_free(&st->closed);
    free(st->dirty.v);
    free(st->out.v);
    free(st->pool);
    free(st->tmp);
    free(st);
}

size_t jobs_store_open(const jobs_store *st) { return st->open; }
size_t jobs_store_windows(const jobs_store *st) { return wmap_size(st->wins); }
size_t jobs_store_held(const jobs_store *st) { return st->held; }

/* Files a new window b (identity id) in the heap it belongs to: the
 * retained closed ones, or the open ones.  0, or -1 out of memory. */
static int file_window(jobs_store *st, bwin *b, wid id, int closed)
{
    if (closed) {
        b->closed = 1;
        return heap_push(&st->closed, &id);
    }
    st->open++;
    return heap_push(&st->open_h, &id);
}

/* Appends ev to the held list of window b (a pointer fresh from the map).
 * -1 on OOM. */
static int hold(jobs_store *st, bwin *b, const workload_event *ev)
{
    uint32_t i = idpool_get(&st->held_p, &st->pool);
    if (!i)
        return -1;
    st->pool[i].ev = *ev;
    st->pool[i].next = NIL;
    if (b->tail == NIL)
        b->head = i;
    else
        st->pool[b->tail].next = i;
    b->tail = i;
    st->held++;
    return 0;
}

/* Marks b (identity id) as changed since its last pane. */
static int mark_dirty(jobs_store *st, bwin *b, wid id)
{
    if (b->dirty)
        return 0;
    b->dirty = 1;
    return idvec_push(&st->dirty, id);
}

/* Tumbling and sliding windows.  window_assign gives them ascending by end,
 * so every closed window (end <= horizon) comes before every open one:
 * when the first open window is reached, whether the event is visible now
 * is already known, and it is held there (the pointer is fresh: no put
 * in between). */
static int add_fixed(jobs_store *st, const workload_event *ev, double horizon, int all_now)
{
    size_t k = window_assign(&st->w, ev->event_time, st->tmp, st->tmax);
    int counted = 0, now = all_now, held = 0;
    for (size_t i = 0; i < k; i++) {
        window_t x = st->tmp[i];
        int closed = x.end <= horizon;
        if (closed && !st->retain)
            continue; /* behind the horizon and its state is gone: late */
        int created = 0;
        bwin *b = wmap_put(st->wins, ev->key, x.start, x.end, &created);
        if (!b)
            return JOBS_ADD_OOM;
        wid id = {x.end, x.start, ev->key};
        if (created) {
            b->head = b->tail = NIL;
            /* closed: computed empty before, restate it */
            if (file_window(st, b, id, closed) != 0)
                return JOBS_ADD_OOM;
        }
        b->count++;
        b->sum += ev->value;
        counted = 1;
        if (closed || st->track_dirty)
            if (mark_dirty(st, b, id) != 0)
                return JOBS_ADD_OOM;
        if (closed) {
            now = 1;
        } else if (!now && !held) {
            if (hold(st, b, ev) != 0)
                return JOBS_ADD_OOM;
            held = 1;
        }
    }
    if (!counted)
        return JOBS_ADD_DROPPED;
    return held ? JOBS_ADD_PENDING : JOBS_ADD_NOW;
}

static void sess_remove(jobs_store *st, uint32_t key, double start)
{
    sesslist *sl = wmap_get(st->sess, key, 0, 0);
    if (!sl)
        return;
    for (uint32_t i = 0; i < sl->n; i++)
        if (sl->v[i].start == start) {
            memmove(&sl->v[i], &sl->v[i + 1], (sl->n - i - 1) * sizeof *sl->v);
            sl->n--;
            return;
        }
}

/* Session windows: the event's proto-window [t, t + gap) merges every
 * session of its key that it overlaps or touches.  The merged session is
 * closed when it ends at or before the horizon. */
static int add_session(jobs_store *st, const workload_event *ev, double horizon, int all_now)
{
    int created = 0;
    sesslist *sl = wmap_put(st->sess, ev->key, 0, 0, &created);
    if (!sl)
        return JOBS_ADD_OOM;
    window_t m = {ev->event_time, ev->event_time + st->w.gap};
    /* Sessions are sorted and disjoint: the overlapping ones are a run
     * [lo, hi).  O(n) in the sessions of this key. */
    uint32_t lo = 0;
    while (lo < sl->n && !window_overlaps(sl->v[lo], m) && sl->v[lo].end < m.start)
        lo++;
    uint32_t hi = lo;
    while (hi < sl->n && window_overlaps(sl->v[hi], m)) {
        m = window_merge(m, sl->v[hi]);
        hi++;
    }
    int closed = st->late_by_time ? ev->event_time <= horizon : m.end <= horizon;
    if (closed && !st->retain)
        return JOBS_ADD_DROPPED;
    /* Room for the merged session in the list first, so that nothing
     * below can fail half-way. */
    if (hi == lo && sl->n == sl->cap) {
        uint32_t cap = sl->cap ? 2 * sl->cap : 4;
        window_t *v = realloc(sl->v, (size_t)cap * sizeof *v);
        if (!v)
            return JOBS_ADD_OOM;
        sl->v = v;
        sl->cap = cap;
    }
    /* Collect the parts. */
    bwin acc;
    memset(&acc, 0, sizeof acc);
    acc.head = acc.tail = NIL;
    int any_dirty = 0, any_closed = 0;
    for (uint32_t i = lo; i < hi; i++) {
        window_t x = sl->v[i];
        bwin *b = wmap_get(st->wins, ev->key, x.start, x.end);
        assert(b);
        acc.count += b->count;
        acc.sum += b->sum;
        if (b->panes > acc.panes)
            acc.panes = b->panes;
        any_dirty |= b->dirty;
        any_closed |= b->closed;
        if (b->head != NIL) {
            if (acc.tail == NIL)
                acc.head = b->head;
            else
                st->pool[acc.tail].next = b->head;
            acc.tail = b->tail;
        }
        if (!b->closed)
            st->open--;
        wmap_del(st->wins, ev->key, x.start, x.end);
    }
    (void)any_closed;
    /* Replace [lo, hi) by m in the sorted list. */
    if (hi == lo) {
        memmove(&sl->v[lo + 1], &sl->v[lo], (sl->n - lo) * sizeof *sl->v);
        sl->n++;
    } else if (hi > lo + 1) {
        memmove(&sl->v[lo + 1], &sl->v[hi], (sl->n - hi) * sizeof *sl->v);
        sl->n -= hi - lo - 1;
    }
    sl->v[lo] = m;
    int made = 0;
    bwin *b = wmap_put(st->wins, ev->key, m.start, m.end, &made);
    if (!b)
        return JOBS_ADD_OOM;
    *b = acc;
    b->dirty = 0;
    b->count++;
    b->sum += ev->value;
    wid id = {m.end, m.start, ev->key};
    if (file_window(st, b, id, closed) != 0)
        return JOBS_ADD_OOM;
    if (closed || st->track_dirty || any_dirty)
        if (mark_dirty(st, b, id) != 0)
            return JOBS_ADD_OOM;
    if (closed || all_now)
        return JOBS_ADD_NOW;
    if (hold(st, b, ev) != 0)
        return JOBS_ADD_OOM;
    return JOBS_ADD_PENDING;
}

int jobs_store_add(jobs_store *st, const workload_event *ev, double horizon, int all_now)
{
    if (st->w.type == WIN_SESSION)
        return add_session(st, ev, horizon, all_now);
    return add_fixed(st, ev, horizon, all_now);
}

/* Drops heap entries that no longer name an open window. */
static void open_clean(jobs_store *st)
{
    const wid *t;
    while ((t = heap_top(&st->open_h)) != NULL) {
        const bwin *b = wmap_get(st->wins, t->key, t->start, t->end);
        if (b && !b->closed)
            return;
        heap_pop(&st->open_h, NULL);
    }
}

int jobs_store_has_due(jobs_store *st, double due)
{
    open_clean(st);
    const wid *t = heap_top(&st->open_h);
    return t && t->end <= due;
}

long jobs_store_emit(jobs_store *st, double due, double emit_time,
                      int final_timing, int update_timing, metrics_t *m)
{
    st->out.n = 0;
    const wid *t;
    while ((t = heap_top(&st->open_h)) != NULL && t->end <= due) {
        wid id;
        heap_pop(&st->open_h, &id);
        const bwin *b = wmap_get(st->wins, id.key, id.start, id.end);
        if (b && !b->closed && idvec_push(&st->out, id) != 0)
            return -1;
    }
    for (size_t i = 0; i < st->dirty.n; i++)
        if (idvec_push(&st->out, st->dirty.v[i]) != 0)
            return -1;
    st->dirty.n = 0;
    if (st->out.n > 1)
        qsort(st->out.v, st->out.n, sizeof *st->out.v, wid_qcmp);
    long panes = 0;
    st->out_min_end = INFINITY;
    for (size_t i = 0; i < st->out.n; i++) {
        wid id = st->out.v[i];
        bwin *b = wmap_get(st->wins, id.key, id.start, id.end);
        if (!b)
            continue; /* merged away or emitted and freed already */
        int final = id.end <= due;
        if (final ? (b->closed && !b->dirty) : !b->dirty)
            continue; /* nothing new since its last pane (a repeat id) */
        if (st->x && !(final && st->track_dirty && !b->dirty)) SIM_EXPLAIN(st->x, "pane", id.key, id.start, id.end, "key %u %s pane #%u of [%g, %g): count %llu, sum %lld\t%s %g, end %g", (unsigned)id.key, !final ? "EARLY" : final_timing == PANE_BATCH ? "BATCH" : "ON_TIME", (unsigned)b->panes, id.start, id.end, (unsigned long long)b->count, (long long)b->sum, b->closed ? "restatement (late_policy restate): a late event changed a window computed before; threshold" : !final ? "update mode: changed since the last trigger, not final yet: watermark" : final_timing == PANE_BATCH ? "final: the job's threshold (due - cutoff) reached the end: threshold" : "final: the batch's watermark reached the end: watermark", due, id.end);
        /* update mode (track_dirty): a window made final with nothing new
         * since its last pane is evicted without one (Spark writes only
         * the rows updated since the last trigger) */
        if (!(final && st->track_dirty && !b->dirty)) {
            pane_t p;
            memset(&p, 0, sizeof p);
            p.key = id.key;
            p.start = id.start;
            p.end = id.end;
            p.index = b->panes++;
            p.timing = final ? final_timing : update_timing;
            p.emit_time = emit_time;
            p.count = b->count;
            p.sum = b->sum;
            b->dirty = 0;
            if (metrics_pane(m, &p) != 0)
                return -1;
            panes++;
            if (id.end < st->out_min_end)
                st->out_min_end = id.end;
            for (uint32_t j = b->head; j != NIL;) {
                uint32_t next = st->pool[j].next;
                metrics_visible(m, &st->pool[j].ev, emit_time);
                idpool_put(&st->held_p, st->pool, j);
                st->held--;
                j = next;
            }
            b->head = b->tail = NIL;
        }
        if (final) {
            int was_closed = b->closed;
            if (!was_closed)
                st->open--;
            if (st->retain) {
                b->closed = 1;
                if (!was_closed && heap_push(&st->closed, &id) != 0)
                    return -1;
            } else {
                wmap_del(st->wins, id.key, id.start, id.end);
                if (st->sess)
                    sess_remove(st, id.key, id.start);
            }
        }
    }
    return panes;
}

double jobs_store_emitted_min_end(const jobs_store *st) { return st->out_min_end; }

double jobs_store_min_open_end(jobs_store *st)
{
    open_clean(st);
    const wid *t = heap_top(&st->open_h);
    return t ? t->end : INFINITY;
}

size_t jobs_store_forget(jobs_store *st, double bound)
{
    size_t n = 0;
    const wid *t;
    while ((t = heap_top(&st->closed)) != NULL && t->end < bound) {
        wid id;
        heap_pop(&st->closed, &id);
        const bwin *b = wmap_get(st->wins, id.key, id.start, id.end);
        if (!b || !b->closed || b->dirty || b->head != NIL)
            continue; /* merged away, or freed already (a repeat id) */
        wmap_del(st->wins, id.key, id.start, id.end);
        if (st->sess)
            sess_remove(st, id.key, id.start);
        n++;
    }
    return n;
}

/* ======================================================================
 * Work under slowdowns (the rule is model/fault.h's fault_slowdown_at)
 * ====================================================================== */

double jobs_work_end(const fault_schedule *fs, double t0, double work)
{
    double t = t0;
    while (work > 0) {
        double next;
        double f = fault_slowdown_at(fs, t, &next);
        double cap = (next - t) / f; /* work doable before the factor changes */
        if (work <= cap)
            return t + work * f;
        work -= cap;
        t = next;
    }
    return t;
}

double jobs_work_done(const fault_schedule *fs, double t0, double t1)
{
    double t = t0, done = 0;
    while (t < t1) {
        double next;
        double f = fault_slowdown_at(fs, t, &next);
        double stop = next < t1 ? next : t1;
        done += (stop - t) / f;
        t = stop;
    }
    return done;
}

/* ======================================================================
 * Fault rows
 * ====================================================================== */

static int faults_init(jobs_faults *bf, sim_t *s)
{
    const fault_schedule *fs = sim_faults(s);
    memset(bf, 0, sizeof *bf);
    bf->n = fs ? fs->n : 0;
    if (bf->n == 0)
        return 0;
    bf->rows = calloc(bf->n, sizeof *bf->rows);
    if (!bf->rows)
        return -1;
    for (size_t i = 0; i < bf->n; i++) {
        fault_row *r = &bf->rows[i];
        r->fault_id = (uint32_t)i;
        r->kind = -1; /* not happened yet */
    }
    return 0;
}

static void faults_free(jobs_faults *bf)
{
    free(bf->rows);
    bf->rows = NULL;
    bf->n = 0;
}

static fault_row *faults_begin(jobs_faults *bf, const fault_t *f, double detection_delay)
{
    if (f->id >= bf->n)
        return NULL;
    fault_row *r = &bf->rows[f->id];
    r->fault_id = f->id;
    r->kind = f->kind;
    r->time = f->time;
    r->detected = f->kind == FAULT_CRASH ? f->time + detection_delay : NAN;
    r->resumed = NAN;
    r->caught_up = NAN;
    r->downtime = 0;
    r->reprocessed = 0;
    r->cpu_wasted = 0;
    r->duplicates = 0;
    r->lost = 0;
    r->peak_latency = NAN;
    return r;
}

static void faults_resumed(jobs_faults *bf, double now)
{
    for (size_t i = 0; i < bf->n; i++) {
        fault_row *r = &bf->rows[i];
        if (r->kind == FAULT_CRASH && isnan(r->resumed)) {
            r->resumed = now;
            r->downtime = now - r->time;
        }
    }
}

static void faults_job_done(jobs_faults *bf, double end, double peak_latency, int caught_up)
{
    for (size_t i = 0; i < bf->n; i++) {
        fault_row *r = &bf->rows[i];
        if (r->kind == FAULT_CRASH && !isnan(r->resumed) && isnan(r->caught_up)) {
            if (!(peak_latency <= r->peak_latency))
                r->peak_latency = peak_latency;
            if (caught_up)
                r->caught_up = end;
        }
    }
}

static int faults_report(const jobs_faults *bf, metrics_t *m)
{
    for (size_t i = 0; i < bf->n; i++)
        if (bf->rows[i].kind >= 0 && metrics_fault(m, &bf->rows[i]) != 0)
            return -1;
    return 0;
}

/* ======================================================================
 * The truth's floor, asked now and then
 * ====================================================================== */

static void floor_arrival(jobs_floor_cache *f, const workload_event *ev)
{
    double d = ev->arrival_time - ev->event_time;
    if (d > 0)
        f->delay_sum += d;
    f->arrivals++;
}

static double floor_get(jobs_floor_cache *f, sim_t *s, int input_ended)
{
    double now = sim_now(s);
    double period = f->arrivals > 0 ? f->delay_sum / (double)f->arrivals : 0;
    if (!f->asked || input_ended || (now - f->at >= period && f->arrivals != f->arrivals_at)) {
        f->value = sim_pending_event_time_floor(s);
        f->at = now;
        f->arrivals_at = f->arrivals;
        f->asked = 1;
    }
    return f->value;
}

/* ======================================================================
 * The runner
 * ====================================================================== */

static int oom(jobs_t *j)
{
    char why[64];
    snprintf(why, sizeof why, "%s: out of memory", j->r.name);
    sim_abort(j->sim, why);
    return -1;
}

/* What holds in each state (the life cycle in exec/jobs.h); asserted at
 * every transition.  A handle may be 0 after an OOM (the run is then
 * aborted), so only "no event pending" is checked. */
static int jobs_check(const jobs_t *j)
{
    int stages_ok = j->cur.stages_done >= 0 && j->cur.stages_done < j->r.stages;
    switch (j->state) {
    case JOBS_IDLE:
        return j->end_h == 0 && j->restart_h == 0;
    case JOBS_RUNNING: /* end_h is 0 only while rules.ended runs */
        return j->restart_h == 0 && stages_ok;
    case JOBS_KILLED:
        return j->end_h == 0 && stages_ok;
    case JOBS_DOWN:
        return j->end_h == 0;
    default:
        return 0;
    }
}

static void on_end(void *ctx, void *arg, uint64_t data);
static void on_restart(void *ctx, void *arg, uint64_t data);

int jobs_init(jobs_t *j, sim_t *s, metrics_t *m, const struct config_window_s *w,
              const jobs_rules *r, void *owner)
{
    assert(r->stages >= 1 && r->parallelism >= 1 && r->ended && r->resumed);
    memset(j, 0, sizeof *j);
    j->sim = s;
    j->m = m;
    j->fs = sim_faults(s);
    j->r = *r;
    j->owner = owner;
    j->detection_delay = sim_cfg(s)->faults.detection_delay;
    j->state = JOBS_IDLE;
    j->cur.peak = NAN;
    j->cur.lo = INFINITY;
    j->resumed_at = -INFINITY;
    j->cur.bound = j->read_bound = j->promised = -INFINITY;
    j->x = sim_explainer(s, exec_id_named(r->name));
    if (faults_init(&j->faults, s) != 0)
        return -1;
    if (w->type != WIN_NONE) {
        j->st = jobs_store_alloc(w, r->retain_closed, r->track_dirty, r->late_by_time);
        if (!j->st)
            return -1;
        j->st->x = j->x;
    }
    return 0;
}

void jobs_free(jobs_t *j)
{
    jobs_store_free(j->st);
    j->st = NULL;
    faults_free(&j->faults);
}

void jobs_arrival(jobs_t *j, const workload_event *ev)
{
    metrics_arrived(j->m, ev);
    floor_arrival(&j->floor, ev);
}

double jobs_floor(jobs_t *j, int input_ended)
{
    return floor_get(&j->floor, j->sim, input_ended);
}

int jobs_holds_job(const jobs_t *j)
{
    return j->state == JOBS_RUNNING || j->state == JOBS_KILLED;
}

/* -> RUNNING: schedules the end of an attempt that starts now with the
 * stages not yet done. */
static int attempt(jobs_t *j)
{
    double now = sim_now(j->sim);
    j->state = JOBS_RUNNING;
    j->cur.attempt_start = now;
    double left = (double)(j->r.stages - j->cur.stages_done);
    double work = j->r.setup_cost + left * j->cur.stage_work;
    j->cur.end = jobs_work_end(j->fs, now, work);
    j->end_h = sim_at(j->sim, j->cur.end, on_end, j, 0);
    assert(jobs_check(j));
    return j->end_h ? 0 : oom(j);
}

int jobs_start(jobs_t *j, uint64_t n, double bound)
{
    assert(j->state == JOBS_IDLE && jobs_check(j));
    j->cur.n = n;
    j->cur.bound = bound;
    j->cur.start = sim_now(j->sim);
    j->cur.stages_done = 0;
    j->cur.stage_work = (double)n * j->r.per_event_cost / j->r.parallelism / j->r.stages;
    j->cur.peak = NAN;
    j->cur.lo = INFINITY;
    SIM_EXPLAIN(j->x, "job", -1, NAN, NAN, "%s job starts: %llu events, %g s of work\tsetup_cost %g + %llu x per_event_cost %g / parallelism %d", j->r.name, (unsigned long long)n, j->r.setup_cost + (double)n * j->r.per_event_cost / j->r.parallelism, j->r.setup_cost, (unsigned long long)n, j->r.per_event_cost, j->r.parallelism);
    return attempt(j);
}

/* The attempt's work is done: the owner folds the job in (rules.ended),
 * which ends with jobs_done. */
static void on_end(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    jobs_t *j = arg;
    j->end_h = 0;
    assert(j->state == JOBS_RUNNING && jobs_check(j));
    j->r.ended(j->owner);
}

int jobs_fold(jobs_t *j, const workload_event *ev, double horizon, int all_now)
{
    double end = j->cur.end;
    assert(j->state == JOBS_RUNNING && j->end_h == 0);
    metrics_processed(j->m, ev, j->cur.start, end);
    if (!(end - ev->event_time <= j->cur.peak))
        j->cur.peak = end - ev->event_time;
    if (!j->st) {
        pane_t p;
        memset(&p, 0, sizeof p);
        p.key = ev->key;
        p.start = p.end = ev->event_time;
        p.timing = PANE_BATCH; /* stateless: no watermark involved */
        SIM_EXPLAIN(j->x, "pane", ev->key, ev->event_time, ev->event_time, "key %u %s record pane: value %lld, event time %g\twindow type none: each record is its own result, visible when its job ends", (unsigned)ev->key, j->r.name, (long long)ev->value, ev->event_time);
        p.emit_time = end;
        p.count = 1;
        p.sum = ev->value;
        if (metrics_pane(j->m, &p) != 0)
            return oom(j);
        if (p.end < j->cur.lo)
            j->cur.lo = p.end;
        metrics_visible(j->m, ev, end);
        return 0;
    }
    switch (jobs_store_add(j->st, ev, horizon, all_now)) {
    case JOBS_ADD_NOW:
        metrics_visible(j->m, ev, end);
        return 0;
    case JOBS_ADD_DROPPED:
        SIM_EXPLAIN(j->x, "drop", ev->key, NAN, NAN, "key %u value %lld event time %g dropped\tlate: each of its windows ends at or before %g, the event-time bound it is judged by (a batch's threshold, a micro-batch's watermark), and was emitted and forgotten", (unsigned)ev->key, (long long)ev->value, ev->event_time, horizon);
        metrics_dropped(j->m, ev, end);
        return 0;
    case JOBS_ADD_PENDING:
        return 0;
    default:
        return oom(j);
    }
}

/* Checks that the job's panes kept the promise made so far (a
 * self-check, exhaustive since the promise only changes here), frees the
 * retained windows that no later event can touch, and makes the new
 * promise.  Every event a later job reads arrived after this job's input
 * was sealed, so its event time is >= j->cur.bound (a floor of the truth
 * then): its windows, old or new, end after it.  The windows held open
 * end at or after the store's least open end.  Nothing else can emit. */
static void keep_promise(jobs_t *j, double lo)
{
    if (lo < j->promised) {
        char d[160];
        snprintf(d, sizeof d, "%s: a pane for a window ending at %.17g after promising "
                              "horizon %.17g", j->r.name, lo, j->promised);
        metrics_fail(j->m, "window_horizon", d);
    }
    if (j->cur.bound > j->read_bound)
        j->read_bound = j->cur.bound;
    double h = j->read_bound;
    if (j->st) {
        jobs_store_forget(j->st, j->read_bound);
        h = fmin(h, jobs_store_min_open_end(j->st));
    }
    if (h > j->promised)
        j->promised = h;
}

int jobs_done(jobs_t *j, double due, int final_timing, int update_timing, int caught_up)
{
    assert(j->state == JOBS_RUNNING && j->end_h == 0);
    double lo = j->cur.lo;
    if (j->st) {
        if (jobs_store_emit(j->st, due, j->cur.end, final_timing, update_timing, j->m) < 0)
            return oom(j);
        lo = fmin(lo, jobs_store_emitted_min_end(j->st));
    }
    keep_promise(j, lo);
    j->state = JOBS_IDLE;
    assert(jobs_check(j));
    faults_job_done(&j->faults, j->cur.end, j->cur.peak, caught_up);
    return 0;
}

/* Back up after a crash: RUNNING again with a new attempt of the killed
 * job, or IDLE and the owner looks for work. */
static void on_restart(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    jobs_t *j = arg;
    j->restart_h = 0;
    j->resumed_at = sim_now(j->sim);
    SIM_EXPLAIN(j->x, "restart", -1, NAN, NAN, "%s restarts%s\tinput is durable and output atomic: the job re-runs from its last finished stage, no loss, no duplicates", j->r.name, j->state == JOBS_KILLED ? ": the killed job runs again" : "");
    faults_resumed(&j->faults, j->resumed_at);
    if (j->state == JOBS_KILLED) {
        attempt(j);
        return;
    }
    assert(j->state == JOBS_DOWN);
    j->state = JOBS_IDLE;
    assert(jobs_check(j));
    j->r.resumed(j->owner);
}

/* A crash: a running attempt dies.  Its work since the start of the
 * attempt (or since its last finished stage, when stages > 1) is lost;
 * the job re-runs after detection + restart delay. */
static void crash(jobs_t *j, fault_row *r)
{
    double now = sim_now(j->sim);
    if (j->state == JOBS_RUNNING) {
        jobs_job *c = &j->cur;
        sim_cancel(j->sim, j->end_h);
        j->end_h = 0;
        double setup = j->r.setup_cost;
        double done = jobs_work_done(j->fs, c->attempt_start, now);
        int stages = j->r.stages, left = stages - c->stages_done, kept = 0;
        if (stages > 1 && c->stage_work > 0 && done > setup) {
            kept = (int)floor((done - setup) / c->stage_work);
            if (kept > left - 1)
                kept = left - 1; /* the last stage ends with the commit */
            if (kept < 0)
                kept = 0;
        }
        double kept_until = kept > 0 ? jobs_work_end(j->fs, c->attempt_start,
                                                     setup + kept * c->stage_work)
                                     : c->attempt_start;
        if (r) {
            r->cpu_wasted += (now - kept_until) * j->r.parallelism;
            /* events whose stage work is redone */
            r->reprocessed += c->n - c->n * (uint64_t)(c->stages_done + kept) / (uint64_t)stages;
        }
        c->stages_done += kept;
        j->state = JOBS_KILLED;
    } else if (j->state == JOBS_IDLE) {
        j->state = JOBS_DOWN;
    }
    if (j->restart_h) {
        sim_cancel(j->sim, j->restart_h);
        j->restart_h = 0;
    }
    SIM_EXPLAIN(j->x, "crash", -1, NAN, NAN, "crash: %s; restart at %g\tfaults.detection_delay %g + restart_delay %g", j->state == JOBS_KILLED ? "the running job is killed, its work since the last finished stage lost" : "no job was running", now + j->detection_delay + j->r.restart_delay, j->detection_delay, j->r.restart_delay);
    j->restart_h = sim_at(j->sim, now + j->detection_delay + j->r.restart_delay, on_restart, j, 0);
    assert(jobs_check(j));
    if (!j->restart_h)
        oom(j);
}

void jobs_on_fault(jobs_t *j, const fault_t *f)
{
    fault_row *r = faults_begin(&j->faults, f, j->detection_delay);
    if (f->kind == FAULT_CRASH)
        crash(j, r);
    /* Slowdowns stretch the jobs they overlap (jobs_work_end, from the
     * schedule); outages are applied to the input by sim. */
}

void jobs_exec_finish(void *self)
{
    jobs_t *j = self;
    if (faults_report(&j->faults, j->m) != 0)
        oom(j);
}

double jobs_exec_horizon(void *self)
{
    const jobs_t *j = self;
    return j->promised;
}
