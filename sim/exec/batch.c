/*
 * batch: the batch executor and the window store it shares with the
 * micro-batch executor.  The rules are in exec/batch.h.
 */
#include "exec/batch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exec.h"
#include "run/sim.h"
#include "model/window.h"
#include "lib/wmap.h"

/* ======================================================================
 * Growable event arrays
 * ====================================================================== */

int batch_events_push(batch_events *a, const workload_event *ev)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        workload_event *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = *ev;
    return 0;
}

void batch_events_free(batch_events *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* ======================================================================
 * Window store
 * ====================================================================== */

#define NIL UINT32_MAX

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

struct batch_store {
    struct config_window_s w;
    int retain, track_dirty, late_by_time;
    wmap_t *wins;       /* (key, start, end) -> bwin */
    wmap_t *sess;       /* sessions: (key, 0, 0) -> sesslist */
    idvec heap;         /* open windows, min-heap on (end, start, key) */
    idvec closed;       /* retained closed windows, min-heap on (end,
                           start, key), lazy deletion (retain only) */
    idvec dirty;        /* windows to emit again (restate / update) */
    idvec out;          /* scratch: windows of one emission */
    pnode *pool;        /* held events; free list through next */
    uint32_t pool_n, pool_cap, pool_free;
    size_t held, open;
    double out_min_end; /* least end of the panes of the last emission */
    window_t *tmp;         /* scratch for window_assign */
    size_t tmax;
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
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        wid *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

static int heap_push(idvec *h, wid x)
{
    if (idvec_push(h, x) != 0)
        return -1;
    size_t i = h->n - 1;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (wid_cmp(&h->v[p], &x) <= 0)
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = x;
    return 0;
}

static wid heap_pop(idvec *h)
{
    assert(h->n > 0);
    wid top = h->v[0];
    wid x = h->v[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && wid_cmp(&h->v[c + 1], &h->v[c]) < 0)
            c++;
        if (wid_cmp(&x, &h->v[c]) <= 0)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (n > 0)
        h->v[i] = x;
    return top;
}

batch_store *batch_store_alloc(const struct config_window_s *w, int retain_closed, int track_dirty,
                               int late_by_time)
{
    assert(w->type != WIN_NONE);
    batch_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->w = *w;
    st->retain = retain_closed;
    st->track_dirty = track_dirty;
    st->late_by_time = late_by_time;
    st->pool_free = NIL;
    st->out_min_end = INFINITY;
    st->tmax = window_max_per_event(w);
    if (st->tmax < 1)
        st->tmax = 1;
    st->tmp = malloc(st->tmax * sizeof *st->tmp);
    st->wins = wmap_alloc(sizeof(bwin));
    if (w->type == WIN_SESSION)
        st->sess = wmap_alloc(sizeof(sesslist));
    if (!st->tmp || !st->wins || (w->type == WIN_SESSION && !st->sess)) {
        batch_store_free(st);
        return NULL;
    }
    return st;
}

void batch_store_free(batch_store *st)
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
    free(st->heap.v);
    free(st->closed.v);
    free(st->dirty.v);
    free(st->out.v);
    free(st->pool);
    free(st->tmp);
    free(st);
}

size_t batch_store_open(const batch_store *st) { return st->open; }
size_t batch_store_windows(const batch_store *st) { return wmap_size(st->wins); }
size_t batch_store_held(const batch_store *st) { return st->held; }

/* Appends ev to the held list of window b (a pointer fresh from the map).
 * -1 on OOM. */
static int hold(batch_store *st, bwin *b, const workload_event *ev)
{
    uint32_t i = st->pool_free;
    if (i != NIL) {
        st->pool_free = st->pool[i].next;
    } else {
        if (st->pool_n == st->pool_cap) {
            if (st->pool_cap >= NIL / 2)
                return -1;
            uint32_t cap = st->pool_cap ? 2 * st->pool_cap : 256;
            pnode *p = realloc(st->pool, (size_t)cap * sizeof *p);
            if (!p)
                return -1;
            st->pool = p;
            st->pool_cap = cap;
        }
        i = st->pool_n++;
    }
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
static int mark_dirty(batch_store *st, bwin *b, wid id)
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
static int add_fixed(batch_store *st, const workload_event *ev, double horizon, int all_now)
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
            return BATCH_ADD_OOM;
        wid id = {x.end, x.start, ev->key};
        if (created) {
            b->head = b->tail = NIL;
            if (closed) {
                b->closed = 1; /* computed empty before: restate it */
                if (heap_push(&st->closed, id) != 0)
                    return BATCH_ADD_OOM;
            } else {
                st->open++;
                if (heap_push(&st->heap, id) != 0)
                    return BATCH_ADD_OOM;
            }
        }
        b->count++;
        b->sum += ev->value;
        counted = 1;
        if (closed || st->track_dirty)
            if (mark_dirty(st, b, id) != 0)
                return BATCH_ADD_OOM;
        if (closed) {
            now = 1;
        } else if (!now && !held) {
            if (hold(st, b, ev) != 0)
                return BATCH_ADD_OOM;
            held = 1;
        }
    }
    if (!counted)
        return BATCH_ADD_DROPPED;
    return held ? BATCH_ADD_PENDING : BATCH_ADD_NOW;
}

static void sess_remove(batch_store *st, uint32_t key, double start)
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
static int add_session(batch_store *st, const workload_event *ev, double horizon, int all_now)
{
    int created = 0;
    sesslist *sl = wmap_put(st->sess, ev->key, 0, 0, &created);
    if (!sl)
        return BATCH_ADD_OOM;
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
        return BATCH_ADD_DROPPED;
    /* Room for the merged session in the list first, so that nothing
     * below can fail half-way. */
    if (hi == lo && sl->n == sl->cap) {
        uint32_t cap = sl->cap ? 2 * sl->cap : 4;
        window_t *v = realloc(sl->v, (size_t)cap * sizeof *v);
        if (!v)
            return BATCH_ADD_OOM;
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
        return BATCH_ADD_OOM;
    *b = acc;
    b->dirty = 0;
    b->count++;
    b->sum += ev->value;
    wid id = {m.end, m.start, ev->key};
    if (closed) {
        b->closed = 1;
        if (heap_push(&st->closed, id) != 0)
            return BATCH_ADD_OOM;
    } else {
        st->open++;
        if (heap_push(&st->heap, id) != 0)
            return BATCH_ADD_OOM;
    }
    if (closed || st->track_dirty || any_dirty)
        if (mark_dirty(st, b, id) != 0)
            return BATCH_ADD_OOM;
    if (closed || all_now)
        return BATCH_ADD_NOW;
    if (hold(st, b, ev) != 0)
        return BATCH_ADD_OOM;
    return BATCH_ADD_PENDING;
}

int batch_store_add(batch_store *st, const workload_event *ev, double horizon, int all_now)
{
    if (st->w.type == WIN_SESSION)
        return add_session(st, ev, horizon, all_now);
    return add_fixed(st, ev, horizon, all_now);
}

/* Drops heap entries that no longer name an open window. */
static void heap_clean(batch_store *st)
{
    while (st->heap.n > 0) {
        wid t = st->heap.v[0];
        const bwin *b = wmap_get(st->wins, t.key, t.start, t.end);
        if (b && !b->closed)
            return;
        heap_pop(&st->heap);
    }
}

int batch_store_has_due(batch_store *st, double due)
{
    heap_clean(st);
    return st->heap.n > 0 && st->heap.v[0].end <= due;
}

long batch_store_emit(batch_store *st, double due, double emit_time,
                      int final_timing, int update_timing, metrics_t *m)
{
    st->out.n = 0;
    while (st->heap.n > 0 && st->heap.v[0].end <= due) {
        wid id = heap_pop(&st->heap);
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
            st->pool[j].next = st->pool_free;
            st->pool_free = j;
            st->held--;
            j = next;
        }
        b->head = b->tail = NIL;
        if (final) {
            int was_closed = b->closed;
            if (!was_closed)
                st->open--;
            if (st->retain) {
                b->closed = 1;
                if (!was_closed && heap_push(&st->closed, id) != 0)
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

double batch_store_emitted_min_end(const batch_store *st) { return st->out_min_end; }

double batch_store_min_open_end(batch_store *st)
{
    heap_clean(st);
    return st->heap.n > 0 ? st->heap.v[0].end : INFINITY;
}

size_t batch_store_forget(batch_store *st, double bound)
{
    size_t n = 0;
    while (st->closed.n > 0 && st->closed.v[0].end < bound) {
        wid id = heap_pop(&st->closed);
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
 * Job timing under faults (shared with exec/microbatch.c)
 * ====================================================================== */

/* Speed factor at t (product of the active slowdowns) and the next time
 * the factor changes.  O(n) in the schedule. */
static double slow_at(const fault_schedule *fs, double t, double *next)
{
    double f = 1;
    *next = INFINITY;
    for (size_t i = 0; fs && i < fs->n; i++) {
        const fault_t *x = &fs->v[i];
        if (x->kind != FAULT_SLOWDOWN || !(x->duration > 0) || !(x->factor > 0))
            continue;
        double a = x->time, b = x->time + x->duration;
        if (a <= t && t < b) {
            f *= x->factor;
            if (b < *next)
                *next = b;
        } else if (a > t && a < *next) {
            *next = a;
        }
    }
    return f;
}

double batch_work_end(const fault_schedule *fs, double t0, double work)
{
    double t = t0;
    while (work > 0) {
        double next;
        double f = slow_at(fs, t, &next);
        double cap = (next - t) / f; /* work doable before the factor changes */
        if (work <= cap)
            return t + work * f;
        work -= cap;
        t = next;
    }
    return t;
}

double batch_work_done(const fault_schedule *fs, double t0, double t1)
{
    double t = t0, done = 0;
    while (t < t1) {
        double next;
        double f = slow_at(fs, t, &next);
        double stop = next < t1 ? next : t1;
        done += (stop - t) / f;
        t = stop;
    }
    return done;
}

int batch_faults_init(batch_faults *bf, sim_t *s)
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

void batch_faults_free(batch_faults *bf)
{
    free(bf->rows);
    bf->rows = NULL;
    bf->n = 0;
}

fault_row *batch_faults_begin(batch_faults *bf, const fault_t *f, double detection_delay)
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

void batch_faults_resumed(batch_faults *bf, double now)
{
    for (size_t i = 0; i < bf->n; i++) {
        fault_row *r = &bf->rows[i];
        if (r->kind == FAULT_CRASH && isnan(r->resumed)) {
            r->resumed = now;
            r->downtime = now - r->time;
        }
    }
}

void batch_faults_job_done(batch_faults *bf, double end, double peak_latency, int caught_up)
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

int batch_faults_report(const batch_faults *bf, metrics_t *m)
{
    for (size_t i = 0; i < bf->n; i++)
        if (bf->rows[i].kind >= 0 && metrics_fault(m, &bf->rows[i]) != 0)
            return -1;
    return 0;
}

/* ======================================================================
 * The truth's floor, asked now and then (shared with exec/microbatch.c)
 * ====================================================================== */

void batch_floor_arrival(batch_floor *f, const workload_event *ev)
{
    double d = ev->arrival_time - ev->event_time;
    if (d > 0)
        f->delay_sum += d;
    f->arrivals++;
}

double batch_floor_get(batch_floor *f, sim_t *s, int input_ended)
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
 * The batch executor
 * ====================================================================== */

/* One job's input: the events of its data interval ((k-1) I, k I]. */
typedef struct bjob {
    batch_events ev;
    double due;             /* k x interval: its logical time */
    double bound;           /* truth floor at its due time: every event
                               of a later job has event time >= bound */
    int final;              /* sealed after the input ended */
} bjob;

typedef struct batch {
    sim_t *sim;
    exec_t *e;
    metrics_t *m;
    const fault_schedule *fs;
    struct config_batch p;
    struct config_window_s w;
    double detection_delay;
    batch_store *st;        /* NULL for window none */
    /* Ring of job inputs: ring[head .. head+sealed) are sealed (due, not
     * finished; ring[head] is the running one when running), and
     * ring[head+sealed] is the open interval collecting arrivals.  Slots
     * keep their buffers, so steady state does not allocate. */
    bjob *ring;
    size_t cap, head, sealed;
    int running;            /* ring[head] is running, or killed and
                               waiting for the restart */
    int input_ended;
    int final_sealed;       /* the last job is sealed: no more ticks */
    int down;               /* crashed, waiting for the restart */
    int killed;             /* the job was killed: re-run at the restart */
    event_queue_handle end_h, restart_h;
    double job_start;       /* first start of the job (metrics_processed) */
    double attempt_start;   /* start of the current attempt */
    double job_end;
    double computed_upto;   /* threshold of the last finished job */
    double read_bound;      /* bound of the last finished job: no event
                               read from now on has event time < it */
    double promised;        /* horizon(): no later pane ends before it */
    batch_floor floor;      /* the truth's floor, asked now and then */
    double stage_work;      /* s of work per stage (events share) */
    int stages_done;        /* stages whose output survived a crash */
    uint64_t jobs;
    batch_faults faults;
} batch_t;

static void batch_on_end(void *ctx, void *arg, uint64_t data);

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

/* Schedules the end of an attempt that starts now with the stages not
 * yet done. */
static void batch_attempt(batch_t *b)
{
    double now = sim_now(b->sim);
    b->attempt_start = now;
    double work = b->p.setup_cost + (double)(b->p.stages - b->stages_done) * b->stage_work;
    b->job_end = batch_work_end(b->fs, now, work);
    b->end_h = sim_at(b->sim, b->job_end, batch_on_end, b, 0);
    if (!b->end_h)
        batch_oom(b);
}

/* Starts the oldest sealed job, if any and if up and idle. */
static void batch_next(batch_t *b)
{
    if (b->running || b->down || b->sealed == 0)
        return;
    const bjob *j = slot(b, 0);
    b->running = 1;
    b->jobs++;
    b->job_start = sim_now(b->sim);
    b->stages_done = 0;
    b->stage_work = (double)j->ev.n * b->p.per_event_cost / b->p.parallelism / b->p.stages;
    batch_attempt(b);
}

/* After a job: checks that its panes kept the promise made so far (a
 * self-check, exhaustive since the promise only changes here), frees the
 * retained windows that no later event can touch, and makes the new
 * promise.  Every event a later job reads arrived after this job's due
 * time, so its event time is >= bound (a floor of the truth then): its
 * windows, old or new, end after it.  The windows already held open end
 * at or after the store's least open end.  Nothing else can emit. */
static void batch_keep_promise(batch_t *b, double lo, double bound)
{
    if (b->st)
        lo = fmin(lo, batch_store_emitted_min_end(b->st));
    if (lo < b->promised) {
        char d[160];
        snprintf(d, sizeof d, "batch: a pane for a window ending at %.17g after promising "
                              "horizon %.17g", lo, b->promised);
        metrics_fail(b->m, "window_horizon", d);
    }
    if (bound > b->read_bound)
        b->read_bound = bound;
    double h = b->read_bound;
    if (b->st) {
        batch_store_forget(b->st, b->read_bound);
        h = fmin(h, batch_store_min_open_end(b->st));
    }
    if (h > b->promised)
        b->promised = h;
}

/* The running job ends: fold its events in, emit, start the next. */
static void batch_on_end(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    batch_t *b = arg;
    b->end_h = 0;
    bjob *j = slot(b, 0);
    double start = b->job_start, end = b->job_end;
    double threshold = j->final ? INFINITY : j->due - b->p.cutoff;
    double bound = j->bound;
    double peak = NAN, lo = INFINITY; /* lo: least end of this job's panes */
    for (size_t i = 0; i < j->ev.n; i++) {
        const workload_event *ev = &j->ev.v[i];
        metrics_processed(b->m, ev, start, end);
        if (!(end - ev->event_time <= peak))
            peak = end - ev->event_time;
        if (!b->st) {
            pane_t p;
            memset(&p, 0, sizeof p);
            p.key = ev->key;
            p.start = p.end = ev->event_time;
            p.timing = PANE_BATCH;
            p.emit_time = end;
            p.count = 1;
            p.sum = ev->value;
            if (metrics_pane(b->m, &p) != 0) {
                batch_oom(b);
                return;
            }
            if (p.end < lo)
                lo = p.end;
            metrics_visible(b->m, ev, end);
            continue;
        }
        switch (batch_store_add(b->st, ev, b->computed_upto, 0)) {
        case BATCH_ADD_NOW:
            metrics_visible(b->m, ev, end);
            break;
        case BATCH_ADD_DROPPED:
            metrics_dropped(b->m, ev, end);
            break;
        case BATCH_ADD_PENDING:
            break;
        default:
            batch_oom(b);
            return;
        }
    }
    j->ev.n = 0;
    b->head = (b->head + 1) % b->cap;
    b->sealed--;
    if (b->st && batch_store_emit(b->st, threshold, end, PANE_BATCH, PANE_BATCH, b->m) < 0) {
        batch_oom(b);
        return;
    }
    if (threshold > b->computed_upto)
        b->computed_upto = threshold;
    batch_keep_promise(b, lo, bound);
    b->running = 0;
    /* caught up: no due job is left waiting */
    batch_faults_job_done(&b->faults, end, peak, b->sealed == 0);
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
    j->bound = batch_floor_get(&b->floor, b->sim, b->input_ended);
    j->final = b->input_ended;
    b->final_sealed = b->input_ended;
    b->sealed++;
    slot(b, b->sealed)->ev.n = 0;
    batch_next(b);
    if (!b->final_sealed)
        sim_at(b->sim, (double)(k + 1) * b->p.interval, batch_on_tick, b, k + 1);
}

/* Back up after a crash: re-run the killed job, or start one that fell
 * due meanwhile. */
static void batch_on_restart(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    batch_t *b = arg;
    b->restart_h = 0;
    b->down = 0;
    batch_faults_resumed(&b->faults, sim_now(b->sim));
    if (b->killed) {
        b->killed = 0;
        batch_attempt(b);
    } else {
        batch_next(b);
    }
}

/* A crash: the running attempt dies.  Its work since the start of the
 * attempt (or since its last finished stage, when stages > 1) is lost;
 * the job re-runs after detection + restart delay.  Input is durable and
 * output atomic, so nothing is lost or duplicated. */
static void batch_crash(batch_t *b, fault_row *r)
{
    double now = sim_now(b->sim);
    if (b->running && !b->killed) {
        sim_cancel(b->sim, b->end_h);
        b->end_h = 0;
        double done = batch_work_done(b->fs, b->attempt_start, now);
        int left = b->p.stages - b->stages_done, kept = 0;
        if (b->p.stages > 1 && b->stage_work > 0 && done > b->p.setup_cost) {
            kept = (int)floor((done - b->p.setup_cost) / b->stage_work);
            if (kept > left - 1)
                kept = left - 1; /* the last stage ends with the commit */
            if (kept < 0)
                kept = 0;
        }
        double kept_until = kept > 0 ? batch_work_end(b->fs, b->attempt_start,
                                                      b->p.setup_cost + kept * b->stage_work)
                                     : b->attempt_start;
        if (r) {
            r->cpu_wasted += (now - kept_until) * b->p.parallelism;
            /* events whose stage work is redone */
            uint64_t n = slot(b, 0)->ev.n;
            r->reprocessed += n - n * (uint64_t)(b->stages_done + kept) / (uint64_t)b->p.stages;
        }
        b->stages_done += kept;
        b->killed = 1;
    }
    b->down = 1;
    if (b->restart_h) {
        sim_cancel(b->sim, b->restart_h);
        b->restart_h = 0;
    }
    b->restart_h = sim_at(b->sim, now + b->detection_delay + b->p.restart_delay,
                          batch_on_restart, b, 0);
    if (!b->restart_h)
        batch_oom(b);
}

static void batch_on_fault(void *self, const fault_t *f)
{
    batch_t *b = self;
    fault_row *r = batch_faults_begin(&b->faults, f, b->detection_delay);
    if (f->kind == FAULT_CRASH)
        batch_crash(b, r);
    /* Slowdowns stretch the jobs they overlap (batch_work_end, from the
     * schedule); outages are applied to the input by sim; a batch job has
     * no checkpoints to fail. */
}

static void batch_destroy(void *self)
{
    batch_t *b = self;
    if (!b)
        return;
    batch_store_free(b->st);
    for (size_t i = 0; i < b->cap; i++)
        batch_events_free(&b->ring[i].ev);
    free(b->ring);
    batch_faults_free(&b->faults);
    free(b);
}

static void *batch_create(sim_t *s, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(s);
    if (!(c->batch.interval > 0) || c->batch.parallelism < 1 || c->batch.setup_cost < 0 ||
        c->batch.per_event_cost < 0 || c->batch.cutoff < 0 || c->batch.stages < 1 ||
        c->batch.restart_delay < 0) {
        snprintf(err, errlen, "batch: interval must be > 0, parallelism and stages >= 1, "
                              "setup_cost, per_event_cost, cutoff and restart_delay >= 0");
        return NULL;
    }
    batch_t *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "batch: out of memory");
        return NULL;
    }
    b->sim = s;
    b->e = e;
    b->m = e->metrics;
    b->fs = sim_faults(s);
    b->p = c->batch;
    b->w = c->window;
    b->detection_delay = c->faults.detection_delay;
    b->computed_upto = -INFINITY;
    b->read_bound = b->promised = -INFINITY;
    if (batch_faults_init(&b->faults, s) != 0 || ring_grow(b) != 0)
        goto oom;
    if (b->w.type != WIN_NONE) {
        b->st = batch_store_alloc(&b->w, b->p.late_policy == LATE_RESTATE, 0, 0);
        if (!b->st)
            goto oom;
    }
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
    metrics_arrived(b->m, ev);
    batch_floor_arrival(&b->floor, ev);
    if (batch_events_push(&slot(b, b->sealed)->ev, ev) != 0)
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
    for (size_t i = b->running ? 1 : 0; i <= b->sealed; i++)
        n += slot(b, i)->ev.n;
    return n;
}

static double batch_watermark(void *self)
{
    (void)self;
    return NAN;
}

static double batch_horizon(void *self)
{
    const batch_t *b = self;
    return b->promised;
}

static void batch_finish(void *self)
{
    batch_t *b = self;
    if (batch_faults_report(&b->faults, b->m) != 0)
        batch_oom(b);
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
    .finish = batch_finish,
    .horizon = batch_horizon,
};
