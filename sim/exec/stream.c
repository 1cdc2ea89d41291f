/*
 * exec/stream.c: the stream executor.  The rules are in exec/stream.h.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "exec/stream.h"
#include "engine/exec.h"
#include "model/trigger.h"
#include "measure/metrics.h"
#include "engine/rng.h"
#include "run/sim.h"
#include "model/window.h"
#include "model/watermark.h"
#include "lib/wmap.h"

/* ------------------------------------------------------------------ types */

typedef struct item {      /* a record in a worker channel */
    workload_event ev;
    double watermark_prev;        /* source watermark just before it was read */
    uint64_t off;          /* its offset in the source log */
} item;

typedef struct chan {      /* FIFO ring of queued records */
    item *v;
    uint32_t cap, head, len;
    uint32_t inflight;     /* queued + in service, <= cap */
} chan;

enum { CK_NONE = 0, CK_PAUSE = 1, CK_ALIGNED = 2 };

typedef struct worker {
    chan *ch;              /* own channel, or the shared one */
    int busy;
    item cur;              /* the record in service */
    double start;          /* its service start */
    double svc_s;          /* its service time */
    event_queue_handle svc;         /* its service end event */
    event_queue_handle pause;       /* checkpoint pause end event */
    int ck;                /* CK_*: checkpoint state of this worker */
} worker;

typedef struct vnode {     /* an event not yet visible downstream */
    workload_event ev;
    uint32_t next;         /* 1-based index, 0 = end */
} vnode;

typedef struct swin {      /* state of one (key, window): wmap value */
    uint64_t acc_count;    /* all elements so far */
    int64_t acc_sum;
    uint64_t delta_count;  /* elements since the last pane */
    int64_t delta_sum;
    uint32_t next_pane;
    uint32_t vis_head, vis_tail; /* vnode list (1-based, 0 = empty) */
    uint32_t timer;        /* early timer record (1-based, 0 = none) */
    uint32_t ontime_done;  /* ON_TIME fired, or W passed end before state */
} swin;

typedef struct etimer {    /* a pending early-firing timer */
    event_queue_handle h;
    double at;
    uint32_t key;
    double start, end;
    uint32_t next_free;
} etimer;

typedef struct snode {     /* a live session window of a key */
    double start, end;
    uint32_t next;
} snode;

enum { DL_ONTIME = 0, DL_GC = 1 };

typedef struct dline {     /* heap entry: a window deadline */
    double at, start, end;
    uint32_t key;
    uint32_t kind;
} dline;

typedef struct staged {    /* output waiting for its checkpoint to commit */
    pane_t p;
    uint32_t vis;          /* vnode list */
    int merge;             /* 1: not a pane: window p.start/p.end of p.key
                              merged into [new_start, new_end) */
    double new_start, new_end;
} staged;

typedef struct snapwin {  /* one window in a checkpoint */
    wmap_key k;
    swin st;               /* vis_head = first event in snap.ev, vis_tail = count */
    double timer_at;       /* pending early timer, +INFINITY = none */
} snapwin;

typedef struct snapshot { /* the last completed checkpoint */
    uint64_t off;          /* source offset (the barrier) */
    double src_wm;         /* source watermark at the barrier */
    double op_wm;          /* operator watermark when it completed */
    double min_end;        /* least end among w (+infinity when none) */
    uint32_t rr;           /* round-robin position at the barrier */
    watermark_t *wm;              /* watermark generator state at the barrier */
    snapwin *w;
    size_t nw, capw;
    workload_event *ev;          /* not yet visible events of the windows */
    size_t nev, capev;
} snapshot;

typedef struct stream {
    sim_t *sim;
    const double *clock;   /* sim_clock(sim): now, read without a call */
    exec_t *exec;
    metrics_t *m;
    const config_t *c;
    gsl_rng *rng;
    const trigger_type *trig; /* early and late firings (model/trigger.h) */
    int wtype;             /* enum config_window */
    double lateness;       /* allowed_lateness, s */
    int accumulating;
    int staging;           /* exactly_once with checkpoints */
    double ln_mu;          /* lognormal service: mu of log */

    /* source log: ring of events, offsets absolute */
    workload_event *log;
    uint64_t log_cap, log_base, log_read, log_end;
    /* perfect watermark: monotone deque of offsets of unread events */
    uint64_t *mq;
    uint64_t mq_cap, mq_head, mq_len;

    watermark_t *wm;
    int oracle;            /* wm->type->needs_oracle, fixed for the run */
    double src_wm;         /* source watermark */
    double op_wm;          /* window operator watermark */
    event_queue_handle watermark_timer;    /* next scripted step */
    int input_ended;
    int drained;

    /* workers */
    int P;
    int routing;
    worker *w;
    chan *ch;              /* P channels, or 1 when shared */
    int nch;
    uint32_t rr;           /* round robin: next worker */

    /* window operator */
    wmap_t *win;           /* (key, start, end) -> swin */
    wmap_t *sidx;          /* (key, 0, 0) -> uint32 snode head (sessions) */
    window_t *assign;         /* window_assign buffer */
    size_t assign_max;
    vnode *vn;             /* pool, 1-based */
    uint32_t vn_cap, vn_used, vn_free;
    etimer *et;            /* pool, 1-based */
    uint32_t et_cap, et_used, et_free;
    snode *sn;             /* pool, 1-based */
    uint32_t sn_cap, sn_used, sn_free;
    dline *heap;
    size_t heap_len, heap_cap;

    /* checkpoints */
    event_queue_handle ck_timer;
    int ck_active;
    uint64_t ck_barrier;   /* log offset of the barrier */
    int ck_done;           /* workers whose pause ended */
    uint64_t ck_completed;
    staged *stg;
    size_t stg_len, stg_cap;

    /* faults (issue 7) */
    int crashy;            /* the schedule has crashes: keep the log from
                              the last checkpoint, snapshot state */
    uint8_t *log_done;     /* per log slot: processed once already */
    int track_done;        /* log_done is kept (crashes, until the replay
                              after the last one has passed every record
                              processed before it) */
    uint64_t hi_read;      /* highest offset read + 1, over all attempts */
    int down;              /* crashed, not restored yet */
    event_queue_handle restore_ev;
    double slow_until, slow_factor;
    int ck_fail_next;      /* abort the next checkpoint */
    double rep_wm;         /* watermark reported downstream: never back */
    double ck_src_wm;      /* at the barrier of the running checkpoint */
    uint32_t ck_rr;
    watermark_t *ck_wm;           /* generator state at that barrier */
    snapshot snap;
    double work_since_ck;  /* service seconds since the last snapshot */
    wmap_t *sink;          /* at_least_once: (key,start,end) -> panes seen */
    fault_row *rows;       /* one per fault, written at finish */
    size_t nrows, caprows;
    long open_row;         /* row of the crash being recovered, -1 none */
    uint64_t backlog_at_crash, read_at_crash;
    size_t crashes_left;   /* crashes of the schedule not delivered yet */

    /* horizon (stream_horizon) */
    double hz;             /* the highest value promised so far */
    double stg_min;        /* least window end among the staged output */
    /* window none (none_bound): the least event time in the log and the
     * channels at the last scan, and the truth horizon's floor then (a
     * bound of every arrival since) */
    double nn_min, nn_floor;
    uint64_t nn_mark;      /* log_end at that scan */
    uint64_t nn_size;      /* records it looked at */
    size_t sink_kept;      /* sink entries after its last pruning */
    event_queue_handle sink_ev;     /* pending on_sink_prune */
    wmap_key *prune;       /* scratch for pruning the sink */
    size_t prune_cap;

    int oom;
} stream_t;

/* ---------------------------------------------------------------- helpers */

static void fail_oom(stream_t *s)
{
    if (!s->oom)
        sim_abort(s->sim, "stream executor: out of memory");
    s->oom = 1;
}

/* A restore can still happen: the job is down, or the schedule has a
 * crash left.  (A crash of a job that had finished loses nothing; see
 * crash().) */
static int may_restore(const stream_t *s)
{
    return s->crashy && (s->down || s->crashes_left > 0);
}

/* Grows *v (elements of `size` bytes, capacity *cap) to hold `need`. */
static int grow(void **v, size_t size, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 16;
    void *nv;
    if (need <= *cap)
        return 0;
    while (ncap < need)
        ncap *= 2;
    nv = realloc(*v, ncap * size);
    if (!nv)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* A 32-bit integer mixer (Chris Wellons' "lowbias32"): every key bit
 * affects the worker choice. */
static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Lemire's multiply-shift maps the 32-bit hash onto [0, parallelism)
 * without a division (this is on the per-event path). */
uint32_t stream_route(uint32_t key, uint32_t parallelism)
{
    assert(parallelism > 0);
    return (uint32_t)(((uint64_t)mix32(key) * parallelism) >> 32);
}

/* ------------------------------------------------------------- source log */

static int log_push(stream_t *s, const workload_event *ev)
{
    if (s->log_end - s->log_base == s->log_cap) {
        uint64_t ncap = s->log_cap ? 2 * s->log_cap : 1024;
        workload_event *nv = malloc(ncap * sizeof *nv);
        uint8_t *nd = s->track_done ? malloc(ncap) : NULL;
        if (!nv || (s->track_done && !nd)) {
            free(nv);
            free(nd);
            return -1;
        }
        for (uint64_t o = s->log_base; o < s->log_end; o++) {
            nv[o & (ncap - 1)] = s->log[o & (s->log_cap - 1)];
            if (nd)
                nd[o & (ncap - 1)] = s->log_done[o & (s->log_cap - 1)];
        }
        free(s->log);
        free(s->log_done);
        s->log = nv;
        s->log_done = nd;
        s->log_cap = ncap;
    }
    s->log[s->log_end & (s->log_cap - 1)] = *ev;
    if (s->log_done)
        s->log_done[s->log_end & (s->log_cap - 1)] = 0;
    s->log_end++;
    return 0;
}

/* Drops the log before offset `keep` (never before log_base). */
static void log_trim(stream_t *s, uint64_t keep)
{
    if (keep > s->log_base)
        s->log_base = keep;
}

static const workload_event *log_at(const stream_t *s, uint64_t off)
{
    return &s->log[off & (s->log_cap - 1)];
}

/* Min-queue of unread event times (perfect watermark): offsets whose event
 * times increase from head to tail; amortised O(1) per event. */
static int mq_push(stream_t *s, uint64_t off)
{
    double t = log_at(s, off)->event_time;
    while (s->mq_len > 0) {
        uint64_t last = s->mq[(s->mq_head + s->mq_len - 1) & (s->mq_cap - 1)];
        if (log_at(s, last)->event_time < t)
            break;
        s->mq_len--;
    }
    if (s->mq_len == s->mq_cap) {
        uint64_t ncap = s->mq_cap ? 2 * s->mq_cap : 1024;
        uint64_t *nv = malloc(ncap * sizeof *nv);
        if (!nv)
            return -1;
        for (uint64_t i = 0; i < s->mq_len; i++)
            nv[i] = s->mq[(s->mq_head + i) & (s->mq_cap - 1)];
        free(s->mq);
        s->mq = nv;
        s->mq_cap = ncap;
        s->mq_head = 0;
    }
    s->mq[(s->mq_head + s->mq_len) & (s->mq_cap - 1)] = off;
    s->mq_len++;
    return 0;
}

static void mq_read(stream_t *s, uint64_t off)
{
    if (s->mq_len > 0 && s->mq[s->mq_head & (s->mq_cap - 1)] == off) {
        s->mq_head++;
        s->mq_len--;
    }
}

static double mq_min(const stream_t *s)
{
    if (s->mq_len == 0)
        return INFINITY;
    return log_at(s, s->mq[s->mq_head & (s->mq_cap - 1)])->event_time;
}

/* --------------------------------------------------------------- channels */

/* Appends a record and returns it, for the caller to fill in place. */
static item *chan_push(chan *c)
{
    uint32_t i = c->head + c->len;
    assert(c->inflight < c->cap);
    if (i >= c->cap)
        i -= c->cap;
    c->len++;
    c->inflight++;
    return &c->v[i];
}

static const item *chan_head(const chan *c)
{
    return c->len ? &c->v[c->head] : NULL;
}

static void chan_pop(chan *c, item *out)
{
    assert(c->len > 0);
    *out = c->v[c->head];
    if (++c->head == c->cap)
        c->head = 0;
    c->len--;
}

/* ------------------------------------------------------------ watermarks */

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fire_due(stream_t *s);

/* Asks the policy and raises the source watermark. */
static void source_wm_refresh(stream_t *s)
{
    watermark_input in;
    double v;
    if (s->input_ended && s->log_read == s->log_end) {
        s->src_wm = INFINITY;
        return;
    }
    in.now = (*s->clock);
    in.min_unread = INFINITY;
    if (s->oracle) {
        double a = sim_min_pending_event_time(s->sim), b = mq_min(s);
        in.min_unread = a < b ? a : b;
    }
    v = watermark_get(s->wm, &in);
    if (v > s->src_wm)
        s->src_wm = v;
}

/* Operator watermark = min over channels of the watermark behind their
 * oldest in-flight record, or the source watermark.  O(P). */
static void op_wm_update(stream_t *s)
{
    double m = s->src_wm;
    for (int i = 0; i < s->P; i++)
        if (s->w[i].busy && s->w[i].cur.watermark_prev < m)
            m = s->w[i].cur.watermark_prev;
    for (int i = 0; i < s->nch; i++) {
        const item *h = chan_head(&s->ch[i]);
        if (h && h->watermark_prev < m)
            m = h->watermark_prev;
    }
    if (m > s->op_wm) {
        s->op_wm = m;
        if (m > s->rep_wm) {
            s->rep_wm = m;
            metrics_watermark(s->m, (*s->clock), m);
        }
        if (s->heap_len > 0 && s->heap[0].at <= s->op_wm)
            fire_due(s);
    }
}

/* ----------------------------------------------------------- window pools */

static uint32_t vn_alloc(stream_t *s, const workload_event *ev)
{
    uint32_t i;
    if (s->vn_free) {
        i = s->vn_free;
        s->vn_free = s->vn[i].next;
    } else {
        size_t cap = s->vn_cap;
        if (grow((void **)&s->vn, sizeof *s->vn, &cap, (size_t)s->vn_used + 2) != 0)
            return 0;
        s->vn_cap = (uint32_t)cap;
        i = ++s->vn_used;
    }
    s->vn[i].ev = *ev;
    s->vn[i].next = 0;
    return i;
}

static uint32_t et_alloc(stream_t *s)
{
    uint32_t i;
    if (s->et_free) {
        i = s->et_free;
        s->et_free = s->et[i].next_free;
    } else {
        size_t cap = s->et_cap;
        if (grow((void **)&s->et, sizeof *s->et, &cap, (size_t)s->et_used + 2) != 0)
            return 0;
        s->et_cap = (uint32_t)cap;
        i = ++s->et_used;
    }
    memset(&s->et[i], 0, sizeof s->et[i]);
    return i;
}

static void et_release(stream_t *s, uint32_t i)
{
    s->et[i].next_free = s->et_free;
    s->et_free = i;
}

static uint32_t sn_alloc(stream_t *s)
{
    uint32_t i;
    if (s->sn_free) {
        i = s->sn_free;
        s->sn_free = s->sn[i].next;
    } else {
        size_t cap = s->sn_cap;
        if (grow((void **)&s->sn, sizeof *s->sn, &cap, (size_t)s->sn_used + 2) != 0)
            return 0;
        s->sn_cap = (uint32_t)cap;
        i = ++s->sn_used;
    }
    s->sn[i].next = 0;
    return i;
}

/* ---------------------------------------------------------- deadline heap */

static int dl_less(const dline *a, const dline *b)
{
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

static int dl_push(stream_t *s, double at, uint32_t key, double start, double end, uint32_t kind)
{
    size_t i;
    if (grow((void **)&s->heap, sizeof *s->heap, &s->heap_cap, s->heap_len + 1) != 0)
        return -1;
    i = s->heap_len++;
    s->heap[i] = (dline){at, start, end, key, kind};
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!dl_less(&s->heap[i], &s->heap[p]))
            break;
        dline t = s->heap[p];
        s->heap[p] = s->heap[i];
        s->heap[i] = t;
        i = p;
    }
    return 0;
}

static dline dl_pop(stream_t *s)
{
    dline top = s->heap[0];
    size_t i = 0;
    s->heap[0] = s->heap[--s->heap_len];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_len && dl_less(&s->heap[l], &s->heap[m]))
            m = l;
        if (r < s->heap_len && dl_less(&s->heap[r], &s->heap[m]))
            m = r;
        if (m == i)
            break;
        dline t = s->heap[m];
        s->heap[m] = s->heap[i];
        s->heap[i] = t;
        i = m;
    }
    return top;
}

/* ------------------------------------------------------------------ panes */

static void on_sink_prune(void *ctx, void *arg, uint64_t data);

/* A pane becomes visible downstream now: to metrics, with the events it
 * is the first to count.  At-least-once after a crash: a pane whose index
 * the sink has already seen for its window is a duplicate. */
static void publish(stream_t *s, pane_t *p, uint32_t vis, double now)
{
    fault_row *r = s->open_row >= 0 ? &s->rows[s->open_row] : NULL;
    p->emit_time = now;
    if (s->sink && s->wtype != WIN_NONE) {
        int created = 0;
        uint32_t *seen = wmap_put(s->sink, p->key, p->start, p->end, &created);
        if (!seen) {
            fail_oom(s);
            return;
        }
        if (p->index < *seen)
            p->duplicate = 1;
        else
            *seen = p->index + 1;
        if (created && !s->sink_ev && wmap_size(s->sink) >= 2 * s->sink_kept + 64)
            s->sink_ev = sim_at(s->sim, now, on_sink_prune, s, 0);
    }
    if (r && p->duplicate)
        r->duplicates++;
    if (metrics_pane(s->m, p) != 0)
        fail_oom(s);
    while (vis) {
        uint32_t next = s->vn[vis].next;
        const workload_event *ev = &s->vn[vis].ev;
        metrics_visible(s->m, ev, now);
        if (r && !(now - ev->event_time <= r->peak_latency))
            r->peak_latency = now - ev->event_time;
        s->vn[vis].next = s->vn_free;
        s->vn_free = vis;
        vis = next;
    }
}

/* publish() of a per-record pane (window none, nothing staged) whose one
 * event is ev: the same calls in the same order, without a vnode. */
static void publish_record(stream_t *s, pane_t *p, const workload_event *ev, double now)
{
    fault_row *r = s->open_row >= 0 ? &s->rows[s->open_row] : NULL;
    p->emit_time = now;
    if (r && p->duplicate)
        r->duplicates++;
    if (metrics_pane(s->m, p) != 0)
        fail_oom(s);
    metrics_visible(s->m, ev, now);
    if (r && !(now - ev->event_time <= r->peak_latency))
        r->peak_latency = now - ev->event_time;
}

/* Makes a pane visible now, or stages it for the next commit. */
static void output(stream_t *s, pane_t *p, uint32_t vis)
{
    if (s->staging) {
        if (grow((void **)&s->stg, sizeof *s->stg, &s->stg_cap, s->stg_len + 1) != 0) {
            fail_oom(s);
            return;
        }
        s->stg[s->stg_len].p = *p;
        s->stg[s->stg_len].vis = vis;
        s->stg[s->stg_len].merge = 0;
        s->stg_len++;
        if (p->end < s->stg_min)
            s->stg_min = p->end;
        return;
    }
    publish(s, p, vis, (*s->clock));
}

/* Tells metrics (now, or at the commit, in order with the panes) that a
 * session window that has shown panes was merged into a bigger one. */
static void output_merge(stream_t *s, uint32_t key, window_t old, window_t into)
{
    if (s->staging) {
        staged *x;
        if (grow((void **)&s->stg, sizeof *s->stg, &s->stg_cap, s->stg_len + 1) != 0) {
            fail_oom(s);
            return;
        }
        x = &s->stg[s->stg_len++];
        memset(x, 0, sizeof *x);
        x->merge = 1;
        x->p.key = key;
        x->p.start = old.start;
        x->p.end = old.end;
        x->new_start = into.start;
        x->new_end = into.end;
        if (old.end < s->stg_min)
            s->stg_min = old.end; /* into.end >= old.end */
        return;
    }
    if (metrics_window_merged(s->m, key, old.start, old.end, into.start, into.end) != 0)
        fail_oom(s);
}

/* Commits every staged pane at the current time. */
static void commit(stream_t *s)
{
    double now = (*s->clock);
    for (size_t i = 0; i < s->stg_len; i++) {
        staged *x = &s->stg[i];
        if (!x->merge)
            publish(s, &x->p, x->vis, now);
        else if (metrics_window_merged(s->m, x->p.key, x->p.start, x->p.end, x->new_start,
                                       x->new_end) != 0)
            fail_oom(s);
    }
    s->stg_len = 0;
    s->stg_min = INFINITY;
}

static void cancel_timer(stream_t *s, swin *st);

/* Emits the window's next pane; a pending trigger timer is cleared. */
static void emit(stream_t *s, swin *st, uint32_t key, double start, double end, int timing)
{
    pane_t p;
    cancel_timer(s, st);
    memset(&p, 0, sizeof p);
    p.key = key;
    p.start = start;
    p.end = end;
    p.index = st->next_pane++;
    p.timing = timing;
    p.count = s->accumulating ? st->acc_count : st->delta_count;
    p.sum = s->accumulating ? st->acc_sum : st->delta_sum;
    st->delta_count = 0;
    st->delta_sum = 0;
    uint32_t vis = st->vis_head;
    st->vis_head = st->vis_tail = 0;
    output(s, &p, vis);
}

static void cancel_timer(stream_t *s, swin *st)
{
    if (st->timer) {
        sim_cancel(s->sim, s->et[st->timer].h);
        et_release(s, st->timer);
        st->timer = 0;
    }
}

static void on_early(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    uint32_t i = (uint32_t)data;
    etimer t = s->et[i];
    swin *st;
    (void)ctx;
    et_release(s, i);
    st = wmap_get(s->win, t.key, t.start, t.end);
    if (!st || st->timer != i)
        return;
    st->timer = 0;
    if (!st->ontime_done && st->delta_count > 0 &&
        s->trig->on_timer(&s->c->stream, &(trigger_pane){st->delta_count, st->acc_count, st->next_pane,
                                                      t.end, 0},
                          (*s->clock)) == TRIG_FIRE)
        emit(s, st, t.key, t.start, t.end, PANE_EARLY);
}

static void arm_timer(stream_t *s, swin *st, uint32_t key, double start, double end, double at)
{
    uint32_t i = et_alloc(s);
    if (!i) {
        fail_oom(s);
        return;
    }
    s->et[i].at = at;
    s->et[i].key = key;
    s->et[i].start = start;
    s->et[i].end = end;
    s->et[i].h = sim_at(s->sim, at, on_early, s, i);
    st->timer = i;
}

/* Removes (start, end) from the session list of key. */
static void sidx_remove(stream_t *s, uint32_t key, double start, double end)
{
    uint32_t *head = wmap_get(s->sidx, key, 0, 0);
    uint32_t *link = head;
    if (!head)
        return;
    while (*link) {
        snode *n = &s->sn[*link];
        if (n->start == start && n->end == end) {
            uint32_t dead = *link;
            *link = n->next;
            s->sn[dead].next = s->sn_free;
            s->sn_free = dead;
            break;
        }
        link = &n->next;
    }
    if (*head == 0)
        wmap_del(s->sidx, key, 0, 0);
}

static void gc_window(stream_t *s, uint32_t key, double start, double end)
{
    swin *st = wmap_get(s->win, key, start, end);
    if (!st)
        return;
    /* Elements a trigger left unfired get a last LATE pane (Beam fires
     * at garbage collection too); the built-in trigger leaves none. */
    if (st->delta_count > 0)
        emit(s, st, key, start, end, PANE_LATE);
    cancel_timer(s, st);
    if (s->wtype == WIN_SESSION)
        sidx_remove(s, key, start, end);
    wmap_del(s->win, key, start, end);
}

/* Fires ON_TIME panes and collects expired windows up to the operator
 * watermark.  Out of line: op_wm_update runs twice per event and mostly
 * finds nothing due, and inlined this made it save registers each time. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fire_due(stream_t *s)
{
    while (s->heap_len > 0 && s->heap[0].at <= s->op_wm) {
        dline d = dl_pop(s);
        swin *st = wmap_get(s->win, d.key, d.start, d.end);
        if (!st)
            continue; /* merged away or collected */
        if (d.kind == DL_ONTIME) {
            if (st->ontime_done)
                continue;
            st->ontime_done = 1;
            cancel_timer(s, st);
            emit(s, st, d.key, d.start, d.end, PANE_ON_TIME);
            if (dl_push(s, d.end + s->lateness, d.key, d.start, d.end, DL_GC) != 0)
                fail_oom(s);
        } else if (st->ontime_done && d.end + s->lateness <= s->op_wm) {
            gc_window(s, d.key, d.start, d.end);
        }
    }
}

/* Adds ev to window (key, start, end), creating it when absent. */
static void add_to_window(stream_t *s, const workload_event *ev, double start, double end)
{
    int created = 0;
    swin *st = wmap_put(s->win, ev->key, start, end, &created);
    uint32_t v;
    if (!st) {
        fail_oom(s);
        return;
    }
    if (created) {
        st->ontime_done = s->op_wm >= end;
        if (dl_push(s, st->ontime_done ? end + s->lateness : end, ev->key, start, end,
                    st->ontime_done ? DL_GC : DL_ONTIME) != 0) {
            fail_oom(s);
            return;
        }
    }
    v = vn_alloc(s, ev);
    if (!v) {
        fail_oom(s);
        return;
    }
    if (st->vis_tail)
        s->vn[st->vis_tail].next = v;
    else
        st->vis_head = v;
    st->vis_tail = v;
    st->acc_count++;
    st->acc_sum += ev->value;
    st->delta_count++;
    st->delta_sum += ev->value;
    trigger_pane tp = {st->delta_count, st->acc_count, st->next_pane, end, st->timer != 0};
    if (s->op_wm >= end) {
        if (s->trig->on_late(&s->c->stream, &tp) == TRIG_FIRE)
            emit(s, st, ev->key, start, end, PANE_LATE);
    } else {
        double at = INFINITY;
        if (s->trig->on_element(&s->c->stream, &tp, (*s->clock), &at) == TRIG_FIRE)
            emit(s, st, ev->key, start, end, PANE_EARLY);
        else if (at < INFINITY && !st->timer)
            arm_timer(s, st, ev->key, start, end, at);
    }
}

/* Session: merges the proto-window [t, t + gap) with every window of the
 * key it overlaps or touches and that has not expired for this event
 * (end + L > wr, the watermark the event was read behind: like the drop
 * rule, this depends on the order of reads only, so a key's sessions come
 * out the same after a restore); returns the merged window. */
static int session_merge(stream_t *s, uint32_t key, window_t proto, double wr, window_t *out)
{
    int created = 0;
    uint32_t *head = wmap_put(s->sidx, key, 0, 0, &created);
    window_t m = proto;
    swin acc;
    int nmerged = 0, changed = 1;
    if (!head)
        return -1;
    /* hull until no live window overlaps it (live windows are disjoint) */
    while (changed) {
        changed = 0;
        for (uint32_t i = *head; i; i = s->sn[i].next) {
            window_t w = {s->sn[i].start, s->sn[i].end};
            if (w.end + s->lateness <= wr)
                continue; /* closed for this event */
            if (window_overlaps(m, w) && (w.start < m.start || w.end > m.end)) {
                m = window_merge(m, w);
                changed = 1;
            }
        }
    }
    memset(&acc, 0, sizeof acc);
    /* fold every live window inside the hull into acc */
    uint32_t *link = head;
    while (*link) {
        uint32_t i = *link;
        window_t w = {s->sn[i].start, s->sn[i].end};
        if (!window_overlaps(m, w) || w.end + s->lateness <= wr) {
            link = &s->sn[i].next;
            continue;
        }
        swin *st = wmap_get(s->win, key, w.start, w.end);
        assert(st);
        if (w.start == m.start && w.end == m.end) {
            /* the hull is this very window: leave it in place */
            link = &s->sn[i].next;
            continue;
        }
        if (st->next_pane > 0)
            output_merge(s, key, w, m); /* its panes now count for m */
        acc.acc_count += st->acc_count;
        acc.acc_sum += st->acc_sum;
        acc.delta_count += st->delta_count;
        acc.delta_sum += st->delta_sum;
        if (st->next_pane > acc.next_pane)
            acc.next_pane = st->next_pane;
        if (st->vis_head) {
            if (acc.vis_tail)
                s->vn[acc.vis_tail].next = st->vis_head;
            else
                acc.vis_head = st->vis_head;
            acc.vis_tail = st->vis_tail;
        }
        if (st->timer) {
            if (!acc.timer || s->et[st->timer].at < s->et[acc.timer].at) {
                if (acc.timer) {
                    sim_cancel(s->sim, s->et[acc.timer].h);
                    et_release(s, acc.timer);
                }
                acc.timer = st->timer;
            } else {
                sim_cancel(s->sim, s->et[st->timer].h);
                et_release(s, st->timer);
            }
        }
        wmap_del(s->win, key, w.start, w.end);
        *link = s->sn[i].next;
        s->sn[i].next = s->sn_free;
        s->sn_free = i;
        nmerged++;
    }
    /* the merged window: fold acc into it (creating it if needed) */
    swin *st = wmap_put(s->win, key, m.start, m.end, &created);
    if (!st)
        return -1;
    if (created) {
        uint32_t n = sn_alloc(s);
        if (!n)
            return -1;
        head = wmap_get(s->sidx, key, 0, 0); /* the put above may not move sidx, but be safe */
        s->sn[n].start = m.start;
        s->sn[n].end = m.end;
        s->sn[n].next = *head;
        *head = n;
        st->ontime_done = s->op_wm >= m.end;
        if (dl_push(s, st->ontime_done ? m.end + s->lateness : m.end, key, m.start, m.end,
                    st->ontime_done ? DL_GC : DL_ONTIME) != 0)
            return -1;
    }
    if (nmerged > 0) {
        st->acc_count += acc.acc_count;
        st->acc_sum += acc.acc_sum;
        st->delta_count += acc.delta_count;
        st->delta_sum += acc.delta_sum;
        if (acc.next_pane > st->next_pane)
            st->next_pane = acc.next_pane;
        if (acc.vis_head) {
            if (st->vis_tail)
                s->vn[st->vis_tail].next = acc.vis_head;
            else
                st->vis_head = acc.vis_head;
            st->vis_tail = acc.vis_tail;
        }
        if (acc.timer) {
            if (!st->timer || s->et[acc.timer].at < s->et[st->timer].at) {
                if (st->timer) {
                    sim_cancel(s->sim, s->et[st->timer].h);
                    et_release(s, st->timer);
                }
                st->timer = acc.timer;
            } else {
                sim_cancel(s->sim, s->et[acc.timer].h);
                et_release(s, acc.timer);
            }
        }
        if (st->timer) {
            s->et[st->timer].start = m.start;
            s->et[st->timer].end = m.end;
        }
        if (st->ontime_done && s->op_wm < m.end) {
            /* grown past the watermark again: it gets an ON_TIME pane */
            st->ontime_done = 0;
            if (dl_push(s, m.end, key, m.start, m.end, DL_ONTIME) != 0)
                return -1;
        }
    }
    *out = m;
    return 0;
}

/* The window operator receives ev (after its service).  wr is the source
 * watermark ev was read behind: a window with end + L <= wr is expired for
 * it.  That depends only on the order of reads, not on timing, so a replay
 * after a restore drops exactly the same events (wr >= the operator
 * watermark, and equal to it with one worker).  dup: at-least-once replay
 * of an event whose per-record pane was already visible. */
static void window_apply(stream_t *s, const workload_event *ev, double wr, int dup)
{
    double L = s->lateness;
    if (s->wtype == WIN_NONE) {
        pane_t p;
        memset(&p, 0, sizeof p);
        p.key = ev->key;
        p.start = p.end = ev->event_time;
        p.timing = PANE_ON_TIME;
        p.count = 1;
        p.sum = ev->value;
        p.duplicate = dup;
        if (!s->staging) {
            publish_record(s, &p, ev, (*s->clock));
            return;
        }
        uint32_t v = vn_alloc(s, ev);
        if (!v) {
            fail_oom(s);
            return;
        }
        output(s, &p, v);
        return;
    }
    if (s->wtype == WIN_SESSION) {
        window_t proto, m;
        window_assign(&s->c->window, ev->event_time, &proto, 1);
        if (proto.end + L <= wr) {
            metrics_dropped(s->m, ev, (*s->clock));
            return;
        }
        if (session_merge(s, ev->key, proto, wr, &m) != 0) {
            fail_oom(s);
            return;
        }
        add_to_window(s, ev, m.start, m.end);
        return;
    }
    size_t n = window_assign(&s->c->window, ev->event_time, s->assign, s->assign_max);
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->assign[i].end + L <= wr)
            continue; /* expired */
        any = 1;
        add_to_window(s, ev, s->assign[i].start, s->assign[i].end);
    }
    if (!any)
        metrics_dropped(s->m, ev, (*s->clock));
}

/* ---------------------------------------------------------------- workers */

/* gsl_ran_exponential(r, mu) exactly (GSL computes -mu * log1p(-u) from
 * one gsl_rng_uniform), without its two library calls: this is on the
 * per-event path. */
static inline double exp_draw(const gsl_rng *r, double mu)
{
    double u = r->type->get_double(r->state);
    return -mu * log1p(-u);
}

static double service_time(stream_t *s)
{
    const struct config_stream *c = &s->c->stream;
    switch (c->service) {
    case SVC_EXPONENTIAL:
        return exp_draw(s->rng, c->service_mean);
    case SVC_LOGNORMAL:
        return gsl_ran_lognormal(s->rng, s->ln_mu, c->service_sigma);
    default:
        return c->service_mean;
    }
}

static void on_service_end(void *ctx, void *arg, uint64_t data);
static void on_pause_end(void *ctx, void *arg, uint64_t data);
static uint64_t stream_backlog_n(const stream_t *s);
static void pump(stream_t *s);
static void maybe_drained(stream_t *s);

/* Worker i reaches the barrier when it serves nothing read before it and
 * its channel holds nothing read before it. */
static void check_barrier(stream_t *s, int i)
{
    worker *w = &s->w[i];
    const item *h;
    if (!s->ck_active || w->ck != CK_NONE || w->busy)
        return;
    h = chan_head(w->ch);
    if (h && h->off < s->ck_barrier)
        return;
    w->ck = CK_PAUSE;
    metrics_checkpoint(s->m, s->c->stream.checkpoint_cost);
    w->pause = sim_at(s->sim, (*s->clock) + s->c->stream.checkpoint_cost, on_pause_end, s,
                      (uint64_t)i);
}

static void try_start(stream_t *s, int i)
{
    worker *w = &s->w[i];
    const item *h;
    if (s->down || w->busy || w->ck != CK_NONE || w->ch->len == 0)
        return;
    h = chan_head(w->ch);
    if (s->ck_active && h->off >= s->ck_barrier) {
        check_barrier(s, i); /* behind the barrier: wait for it */
        return;
    }
    chan_pop(w->ch, &w->cur);
    w->busy = 1;
    w->start = (*s->clock);
    w->svc_s = service_time(s);
    if (w->start < s->slow_until)
        w->svc_s *= s->slow_factor; /* a straggler */
    w->svc = sim_at(s->sim, w->start + w->svc_s, on_service_end, s, (uint64_t)i);
}

static void start_all(stream_t *s)
{
    for (int i = 0; i < s->P; i++)
        try_start(s, i);
}

/* The smallest offset of a record read but not processed yet, or
 * log_read.  Channels are FIFO in read order: O(P). */
static uint64_t oldest_unprocessed(const stream_t *s)
{
    uint64_t o = s->log_read;
    for (int i = 0; i < s->P; i++)
        if (s->w[i].busy && s->w[i].cur.off < o)
            o = s->w[i].cur.off;
    for (int i = 0; i < s->nch; i++) {
        const item *h = chan_head(&s->ch[i]);
        if (h && h->off < o)
            o = h->off;
    }
    return o;
}

/* After the last crash no replay comes: the log is needed from the oldest
 * record not processed yet on (its slot of log_done is read when its
 * service ends).  Once that record is past every record read before the
 * last crash, no record will ever have been processed before: log_done
 * goes, and from then on the source drops what it reads (pump).  Called
 * at checkpoints, by the horizon, and after each service once the replay
 * has read that far (O(P), until log_done goes: the records in flight). */
static void log_trim_done(stream_t *s)
{
    uint64_t o;
    if (!s->crashy || may_restore(s) || !s->track_done)
        return;
    o = oldest_unprocessed(s);
    log_trim(s, o);
    if (o >= s->read_at_crash) {
        free(s->log_done);
        s->log_done = NULL;
        s->track_done = 0;
    }
}

/* The source reads while the channel of the head record has room. */
static void pump(stream_t *s)
{
    if (s->down)
        return;
    while (s->log_read < s->log_end) {
        const workload_event *ev = log_at(s, s->log_read);
        chan *c;
        int target;
        if (s->routing == ROUTE_SHARED || s->P == 1)
            target = 0; /* stream_route(key, 1) is 0 too */
        else if (s->routing == ROUTE_ROUND_ROBIN)
            target = (int)s->rr;
        else
            target = (int)stream_route(ev->key, (uint32_t)s->P);
        c = &s->ch[target];
        if (c->inflight >= c->cap)
            break; /* back-pressure: the source waits */
        item *it = chan_push(c);
        it->ev = *ev;
        it->watermark_prev = s->src_wm;
        it->off = s->log_read;
        watermark_observe(s->wm, ev);
        if (s->oracle)
            mq_read(s, s->log_read);
        s->log_read++;
        if (s->log_read > s->hi_read)
            s->hi_read = s->log_read;
        if (s->routing == ROUTE_ROUND_ROBIN && ++s->rr == (uint32_t)s->P)
            s->rr = 0;
        source_wm_refresh(s);
    }
    /* Without crashes nothing read is needed again; with them the log is
     * kept from the last completed checkpoint (ck_complete trims it), and
     * after the last crash from the oldest record not processed yet
     * (log_trim_done). */
    if (!s->track_done)
        log_trim(s, s->log_read);
    if (s->input_ended && s->log_read == s->log_end)
        source_wm_refresh(s);
    start_all(s);
}

/* After a crash: back to normal once the replay has read past everything
 * read before the crash and the backlog is down to its level then. */
static void check_caught_up(stream_t *s)
{
    fault_row *r;
    if (s->open_row < 0 || s->down)
        return;
    r = &s->rows[s->open_row];
    if (s->log_read >= s->read_at_crash && stream_backlog_n(s) <= s->backlog_at_crash) {
        r->caught_up = (*s->clock);
        s->open_row = -1;
    }
}

static void on_service_end(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    worker *w = &s->w[data];
    double now = (*s->clock);
    int again = 0;
    (void)ctx;
    w->busy = 0;
    w->svc = 0;
    w->ch->inflight--;
    s->work_since_ck += w->svc_s;
    if (s->log_done) {
        uint8_t *done = &s->log_done[w->cur.off & (s->log_cap - 1)];
        again = *done;
        *done = 1;
        if (s->log_read >= s->read_at_crash && !may_restore(s))
            log_trim_done(s); /* the replay after the last crash is through */
    }
    if (!again)
        metrics_processed(s->m, &w->cur.ev, w->start, now);
    else if (s->open_row >= 0)
        s->rows[s->open_row].reprocessed++;
    window_apply(s, &w->cur.ev, w->cur.watermark_prev, again && s->sink != NULL);
    check_barrier(s, (int)data);
    pump(s);
    op_wm_update(s);
    check_caught_up(s);
    maybe_drained(s);
}

/* ------------------------------------------------------------ checkpoints */

static void ck_start(stream_t *s)
{
    s->ck_active = 1;
    s->ck_barrier = s->log_read;
    s->ck_src_wm = s->src_wm;
    s->ck_rr = s->rr;
    if (s->crashy)
        watermark_copy(s->ck_wm, s->wm);
    s->ck_done = 0;
    for (int i = 0; i < s->P; i++)
        check_barrier(s, i);
}

static void on_ck_tick(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    (void)ctx;
    s->ck_timer = sim_at(s->sim, (*s->clock) + s->c->stream.checkpoint_interval,
                         on_ck_tick, s, data + 1);
    if (!s->ck_active && !s->down)
        ck_start(s);
}

/* Copies the window state into the snapshot (sorted, so a restore rebuilds
 * it in a fixed order).  O(windows log windows + pending events). */
static int snapshot_take(stream_t *s)
{
    snapshot *n = &s->snap;
    wmap_key *keys = NULL;
    void **vals = NULL;
    size_t nw = wmap_size(s->win);
    if (wmap_sorted(s->win, &keys, &vals) != 0)
        return -1;
    n->nw = 0;
    n->nev = 0;
    n->min_end = INFINITY;
    if (grow((void **)&n->w, sizeof *n->w, &n->capw, nw) != 0)
        goto oom;
    for (size_t i = 0; i < nw; i++) {
        const swin *st = vals[i];
        snapwin *x = &n->w[n->nw++];
        x->k = keys[i];
        if (x->k.end < n->min_end)
            n->min_end = x->k.end;
        x->st = *st;
        x->st.vis_head = (uint32_t)n->nev;
        x->st.vis_tail = 0;
        x->st.timer = 0;
        x->timer_at = st->timer ? s->et[st->timer].at : INFINITY;
        for (uint32_t v = st->vis_head; v; v = s->vn[v].next) {
            if (grow((void **)&n->ev, sizeof *n->ev, &n->capev, n->nev + 1) != 0)
                goto oom;
            n->ev[n->nev++] = s->vn[v].ev;
            x->st.vis_tail++;
        }
    }
    free(keys);
    free(vals);
    n->off = s->ck_barrier;
    n->src_wm = s->ck_src_wm;
    n->op_wm = s->op_wm;
    n->rr = s->ck_rr;
    watermark_copy(n->wm, s->ck_wm);
    return 0;
oom:
    free(keys);
    free(vals);
    return -1;
}

/* Forgets sink entries of windows that no restore can bring back: a
 * replay from the snapshot just taken reads every event behind a
 * watermark >= its src_wm, so a window with end + L <= src_wm is expired
 * for all of them (not: "absent from the state", since a replay may not
 * yet have re-created a window it will re-create). */
static int sink_prune(stream_t *s)
{
    wmap_key *keys = NULL;
    void **vals = NULL;
    size_t n = wmap_size(s->sink);
    if (wmap_sorted(s->sink, &keys, &vals) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (keys[i].end + s->lateness <= s->snap.src_wm)
            wmap_del(s->sink, keys[i].key, keys[i].start, keys[i].end);
    free(keys);
    free(vals);
    return 0;
}

static void ck_complete(stream_t *s)
{
    s->ck_active = 0;
    for (int i = 0; i < s->P; i++) {
        s->w[i].ck = CK_NONE;
        s->w[i].pause = 0;
    }
    if (s->ck_fail_next) {
        /* declined: no snapshot, nothing committed; the next one will */
        s->ck_fail_next = 0;
    } else {
        s->ck_completed++;
        commit(s);
        if (may_restore(s)) {
            if (snapshot_take(s) != 0 || (s->sink && sink_prune(s) != 0))
                fail_oom(s);
            log_trim(s, s->snap.off);
            s->work_since_ck = 0;
        } else {
            log_trim_done(s); /* no crash left: no snapshot needed */
        }
    }
    pump(s);
    op_wm_update(s);
    maybe_drained(s);
}

static void on_pause_end(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    (void)ctx;
    s->w[data].ck = CK_ALIGNED;
    s->w[data].pause = 0;
    if (++s->ck_done == s->P)
        ck_complete(s);
}

/* ----------------------------------------------------- crash and restore */

static fault_row *new_row(stream_t *s, const fault_t *f)
{
    fault_row *r;
    if (grow((void **)&s->rows, sizeof *s->rows, &s->caprows, s->nrows + 1) != 0) {
        fail_oom(s);
        return NULL;
    }
    r = &s->rows[s->nrows++];
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

/* Throws away every window, timer, pending pane and in-flight record. */
static void lose_everything(stream_t *s)
{
    size_t pos = 0;
    swin *st;
    while ((st = wmap_next(s->win, &pos, NULL)) != NULL)
        if (st->timer)
            sim_cancel(s->sim, s->et[st->timer].h);
    wmap_clear(s->win);
    wmap_clear(s->sidx);
    s->heap_len = 0;
    s->vn_used = s->vn_free = 0;
    s->et_used = s->et_free = 0;
    s->sn_used = s->sn_free = 0;
    s->stg_len = 0; /* exactly-once: uncommitted output is discarded */
    s->stg_min = INFINITY;
    for (int i = 0; i < s->P; i++) {
        worker *w = &s->w[i];
        if (w->busy)
            sim_cancel(s->sim, w->svc);
        if (w->pause)
            sim_cancel(s->sim, w->pause);
        w->busy = 0;
        w->svc = w->pause = 0;
        w->ck = CK_NONE;
    }
    for (int i = 0; i < s->nch; i++)
        s->ch[i].len = s->ch[i].head = s->ch[i].inflight = 0;
    s->ck_active = 0;
}

static void on_restore(void *ctx, void *arg, uint64_t data);

static void crash(stream_t *s, const fault_t *f)
{
    double now = (*s->clock);
    const struct config_stream *c = &s->c->stream;
    fault_row *r;
    if (s->drained && !s->ck_active && s->stg_len == 0) {
        new_row(s, f); /* the job had finished: nothing to lose */
        return;
    }
    r = new_row(s, f);
    if (!r)
        return;
    if (s->open_row >= 0 && !s->down)
        s->rows[s->open_row].caught_up = NAN; /* its recovery was cut short */
    r->cpu_wasted = s->work_since_ck;
    for (int i = 0; i < s->P; i++)
        if (s->w[i].busy)
            r->cpu_wasted += now - s->w[i].start;
    if (!s->down) {
        s->backlog_at_crash = stream_backlog_n(s);
        s->read_at_crash = s->hi_read;
    }
    s->work_since_ck = 0;
    lose_everything(s);
    s->drained = 0;
    if (s->restore_ev)
        sim_cancel(s->sim, s->restore_ev);
    s->down = 1;
    r->detected = now + s->c->faults.detection_delay;
    r->downtime = s->c->faults.detection_delay + c->restart_delay +
                  c->restore_per_entry * (double)s->snap.nw;
    r->resumed = now + r->downtime;
    r->caught_up = NAN;
    s->open_row = (long)(r - s->rows);
    s->restore_ev = sim_at(s->sim, r->resumed, on_restore, s, 0);
}

/* Back from a crash: the state of the last completed checkpoint, the
 * source rewound to its offset, the watermark generator as it was there. */
static void on_restore(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    const snapshot *n = &s->snap;
    (void)ctx;
    (void)data;
    s->restore_ev = 0;
    s->down = 0;
    s->log_read = n->off;
    s->src_wm = n->src_wm;
    s->op_wm = n->op_wm; /* internal; rep_wm, the one reported, stays */
    s->rr = n->rr;
    watermark_copy(s->wm, n->wm);
    if (s->oracle) {
        s->mq_len = 0;
        for (uint64_t o = s->log_read; o < s->log_end; o++)
            if (mq_push(s, o) != 0) {
                fail_oom(s);
                return;
            }
    }
    for (size_t i = 0; i < n->nw; i++) {
        const snapwin *x = &n->w[i];
        int created = 0;
        swin *st = wmap_put(s->win, x->k.key, x->k.start, x->k.end, &created);
        if (!st) {
            fail_oom(s);
            return;
        }
        *st = x->st;
        st->vis_head = st->vis_tail = 0;
        for (uint32_t j = 0; j < x->st.vis_tail; j++) {
            uint32_t v = vn_alloc(s, &n->ev[x->st.vis_head + j]);
            if (!v) {
                fail_oom(s);
                return;
            }
            if (st->vis_tail)
                s->vn[st->vis_tail].next = v;
            else
                st->vis_head = v;
            st->vis_tail = v;
        }
        if (dl_push(s, st->ontime_done ? x->k.end + s->lateness : x->k.end, x->k.key,
                    x->k.start, x->k.end, st->ontime_done ? DL_GC : DL_ONTIME) != 0) {
            fail_oom(s);
            return;
        }
        if (s->wtype == WIN_SESSION) {
            int c2 = 0;
            uint32_t *head = wmap_put(s->sidx, x->k.key, 0, 0, &c2);
            uint32_t nd = head ? sn_alloc(s) : 0;
            if (!nd) {
                fail_oom(s);
                return;
            }
            head = wmap_get(s->sidx, x->k.key, 0, 0);
            s->sn[nd].start = x->k.start;
            s->sn[nd].end = x->k.end;
            s->sn[nd].next = *head;
            *head = nd;
        }
        if (x->timer_at < INFINITY) {
            uint32_t t = et_alloc(s);
            double now = (*s->clock);
            if (!t) {
                fail_oom(s);
                return;
            }
            st = wmap_get(s->win, x->k.key, x->k.start, x->k.end);
            s->et[t].at = x->timer_at > now ? x->timer_at : now;
            s->et[t].key = x->k.key;
            s->et[t].start = x->k.start;
            s->et[t].end = x->k.end;
            s->et[t].h = sim_at(s->sim, s->et[t].at, on_early, s, t);
            st->timer = t;
        }
    }
    pump(s);
    op_wm_update(s);
    check_caught_up(s);
    maybe_drained(s);
}

/* ------------------------------------------------------------------ drain */

static int in_flight(const stream_t *s)
{
    for (int i = 0; i < s->nch; i++)
        if (s->ch[i].inflight)
            return 1;
    return 0;
}

/* After the input ended and everything was processed: the watermark is
 * +infinity (every window fired); stop the timers and commit the rest. */
static void maybe_drained(stream_t *s)
{
    if (s->down)
        return;
    if (!s->drained) {
        if (!s->input_ended || s->log_read < s->log_end || in_flight(s))
            return;
        assert(s->op_wm == INFINITY);
        s->drained = 1;
        if (s->ck_timer) {
            sim_cancel(s->sim, s->ck_timer);
            s->ck_timer = 0;
        }
        if (s->watermark_timer) {
            sim_cancel(s->sim, s->watermark_timer);
            s->watermark_timer = 0;
        }
    }
    /* A running checkpoint commits everything staged when it completes;
     * otherwise a final checkpoint does (Flink's final checkpoint), again
     * if one is declined. */
    if (s->staging && !s->ck_active && s->stg_len > 0)
        ck_start(s);
}

/* -------------------------------------------------------- scripted steps */

static void on_wm_step(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    double next;
    (void)ctx;
    (void)data;
    s->watermark_timer = 0;
    if (!s->down) {
        source_wm_refresh(s);
        op_wm_update(s);
    }
    next = watermark_next_change(s->wm, (*s->clock));
    if (next < INFINITY && !s->drained)
        s->watermark_timer = sim_at(s->sim, next, on_wm_step, s, 0);
}

/* ------------------------------------------------------------- interface */

static void stream_destroy(void *self)
{
    stream_t *s = self;
    if (!s)
        return;
    watermark_free(s->wm);
    watermark_free(s->ck_wm);
    watermark_free(s->snap.wm);
    free(s->snap.w);
    free(s->snap.ev);
    wmap_free(s->sink);
    free(s->rows);
    free(s->log_done);
    free(s->log);
    free(s->mq);
    if (s->ch)
        for (int i = 0; i < s->nch; i++)
            free(s->ch[i].v);
    free(s->ch);
    free(s->w);
    wmap_free(s->win);
    wmap_free(s->sidx);
    free(s->assign);
    free(s->vn);
    free(s->et);
    free(s->sn);
    free(s->heap);
    free(s->stg);
    free(s->prune);
    free(s);
}

static void *stream_create(sim_t *sim, exec_t *e, char *err, size_t errlen)
{
    const config_t *c = sim_cfg(sim);
    stream_t *s = calloc(1, sizeof *s);
    const char *wname;
    const watermark_type *wt;
    if (!s)
        goto oom;
    s->sim = sim;
    s->clock = sim_clock(sim);
    s->exec = e;
    s->m = e->metrics;
    s->c = c;
    s->rng = sim_rng(sim, RNG_SERVICE);
    if (!s->rng)
        goto oom;
    s->trig = trigger_default;
    s->wtype = c->window.type;
    s->lateness = c->stream.allowed_lateness;
    s->accumulating = c->stream.accumulation == ACC_ACCUMULATING;
    s->ln_mu = log(c->stream.service_mean) - 0.5 * c->stream.service_sigma * c->stream.service_sigma;
    s->src_wm = -INFINITY;
    s->op_wm = -INFINITY;
    s->rep_wm = -INFINITY;
    s->slow_factor = 1;
    s->open_row = -1;
    {
        const fault_schedule *fs = sim_faults(sim);
        for (size_t i = 0; fs && i < fs->n; i++)
            if (fs->v[i].kind == FAULT_CRASH) {
                s->crashy = s->track_done = 1;
                s->crashes_left++;
            }
    }
    /* exactly_once stages output for the next checkpoint; with no periodic
     * checkpoints that is the final one, so panes are shown at once unless
     * a crash could take them back (then they wait for the end). */
    s->staging = c->stream.guarantee == GUAR_EXACTLY_ONCE &&
                 (c->stream.checkpoint_interval > 0 || s->crashy);
    if (c->stream.parallelism < 1 || c->stream.buffer < 1) {
        snprintf(err, errlen, "%s: stream.parallelism and stream.buffer must be >= 1",
                 c->path[0] ? c->path : "config");
        goto fail;
    }
    if (c->stream.service_mean <= 0 && c->stream.service != SVC_CONSTANT) {
        snprintf(err, errlen, "%s: stream.service_mean must be > 0 for random service times",
                 c->path[0] ? c->path : "config");
        goto fail;
    }
    wname = config_word("stream", "watermark", c->stream.watermark);
    wt = watermark_lookup(wname);
    if (!wt) {
        snprintf(err, errlen, "%s: stream.watermark: no policy named %s",
                 c->path[0] ? c->path : "config", wname ? wname : "(unknown)");
        goto fail;
    }
    s->wm = watermark_alloc_stop(wt, c, sim_stop(sim), err, errlen);
    if (!s->wm)
        goto fail;
    s->oracle = wt->needs_oracle;
    s->hz = -INFINITY;
    s->stg_min = INFINITY;
    s->nn_min = s->nn_floor = INFINITY;

    s->P = c->stream.parallelism;
    s->routing = c->stream.routing;
    s->nch = s->routing == ROUTE_SHARED ? 1 : s->P;
    s->w = calloc((size_t)s->P, sizeof *s->w);
    s->ch = calloc((size_t)s->nch, sizeof *s->ch);
    if (!s->w || !s->ch)
        goto oom;
    for (int i = 0; i < s->nch; i++) {
        uint32_t cap = (uint32_t)c->stream.buffer * (s->routing == ROUTE_SHARED ? (uint32_t)s->P : 1u);
        s->ch[i].cap = cap;
        s->ch[i].v = malloc((size_t)cap * sizeof *s->ch[i].v);
        if (!s->ch[i].v)
            goto oom;
    }
    for (int i = 0; i < s->P; i++)
        s->w[i].ch = &s->ch[s->routing == ROUTE_SHARED ? 0 : i];

    s->win = wmap_alloc(sizeof(swin));
    s->sidx = wmap_alloc(sizeof(uint32_t));
    s->assign_max = window_max_per_event(&c->window);
    if (s->assign_max < 1)
        s->assign_max = 1;
    s->assign = malloc(s->assign_max * sizeof *s->assign);
    if (!s->win || !s->sidx || !s->assign)
        goto oom;

    source_wm_refresh(s);
    if (s->crashy) {
        /* the initial state is checkpoint 0: offset 0, no windows */
        s->ck_wm = watermark_alloc_stop(wt, c, sim_stop(sim), err, errlen);
        s->snap.wm = s->ck_wm ? watermark_alloc_stop(wt, c, sim_stop(sim), err, errlen) : NULL;
        if (!s->snap.wm)
            goto fail;
        if (c->stream.guarantee == GUAR_AT_LEAST_ONCE) {
            s->sink = wmap_alloc(sizeof(uint32_t));
            if (!s->sink)
                goto oom;
        }
        s->ck_barrier = 0;
        s->ck_src_wm = s->src_wm;
        s->ck_rr = 0;
        watermark_copy(s->ck_wm, s->wm);
        if (snapshot_take(s) != 0)
            goto oom;
    }
    if (c->stream.checkpoint_interval > 0)
        s->ck_timer = sim_at(sim, sim_now(sim) + c->stream.checkpoint_interval, on_ck_tick, s, 1);
    {
        double next = watermark_next_change(s->wm, sim_now(sim));
        if (next < INFINITY)
            s->watermark_timer = sim_at(sim, next, on_wm_step, s, 0);
    }
    return s;
oom:
    snprintf(err, errlen, "stream executor: out of memory");
fail:
    stream_destroy(s);
    return NULL;
}

static void stream_on_arrival(void *self, const workload_event *ev)
{
    stream_t *s = self;
    if (s->oom)
        return;
    metrics_arrived(s->m, ev);
    if (log_push(s, ev) != 0 || (s->oracle && mq_push(s, s->log_end - 1) != 0)) {
        fail_oom(s);
        return;
    }
    pump(s);
    op_wm_update(s);
}

static void stream_on_input_end(void *self)
{
    stream_t *s = self;
    s->input_ended = 1;
    if (s->down)
        return; /* the restore picks it up */
    source_wm_refresh(s);
    op_wm_update(s);
    maybe_drained(s);
}

/* Crash: see crash().  Slowdown: service times started during [time,
 * time + duration) are multiplied by factor.  Checkpoint failure: the
 * next checkpoint to complete is declined.  Outage: the workload holds the
 * events back (sim does it); the row only records it. */
static void stream_on_fault(void *self, const fault_t *f)
{
    stream_t *s = self;
    fault_row *r;
    switch (f->kind) {
    case FAULT_CRASH:
        if (s->crashes_left > 0)
            s->crashes_left--;
        crash(s, f);
        return;
    case FAULT_SLOWDOWN:
        if (f->time + f->duration > s->slow_until)
            s->slow_until = f->time + f->duration;
        s->slow_factor = f->factor;
        break;
    case FAULT_CHECKPOINT_FAIL:
        s->ck_fail_next = 1;
        break;
    default:
        break;
    }
    r = new_row(s, f);
    if (r && f->kind == FAULT_OUTAGE)
        r->resumed = r->caught_up = f->time + f->duration;
}

static uint64_t stream_backlog_n(const stream_t *s)
{
    uint64_t n = s->log_end - s->log_read;
    for (int i = 0; i < s->nch; i++)
        n += s->ch[i].inflight;
    return n;
}

static uint64_t stream_backlog(void *self)
{
    return stream_backlog_n(self);
}

/* The watermark reported downstream: the highest the operator reached
 * (after a restore the operator's own may be lower for a while). */
static double stream_watermark(void *self)
{
    const stream_t *s = self;
    return s->rep_wm == -INFINITY ? NAN : s->rep_wm;
}

static void stream_finish(void *self)
{
    stream_t *s = self;
    for (size_t i = 0; i < s->nrows; i++)
        if (metrics_fault(s->m, &s->rows[i]) != 0)
            fail_oom(s);
}

/* ---------------------------------------------------------------- horizon */

/* Window none: a lower bound on the event time of every record not
 * processed yet, and of every record a restore from the snapshot would
 * replay.  Those are all in the log from log_base on (with crashes it is
 * kept from the snapshot's offset, see may_restore and log_trim_done) or
 * in the channels (records read).  A scan of both is O(their length); it
 * is redone only once as many records have arrived since the last one,
 * and in between the bound is the least of the last scan's event times
 * and of the truth horizon's floor at that scan (what is in the log or
 * the channels now was in one of them then, or has arrived since, with
 * an event time >= that floor; a restore only moves records back from
 * the channels to the log): amortised O(1) per arrival, and nothing on
 * the per-event path. */
static double none_bound(stream_t *s)
{
    if (s->log_end - s->nn_mark >= s->nn_size) {
        double m = INFINITY;
        uint64_t n = s->log_end - s->log_base;
        for (uint64_t o = s->log_base; o < s->log_end; o++)
            if (log_at(s, o)->event_time < m)
                m = log_at(s, o)->event_time;
        for (int i = 0; i < s->P; i++)
            if (s->w[i].busy) {
                n++;
                if (s->w[i].cur.ev.event_time < m)
                    m = s->w[i].cur.ev.event_time;
            }
        for (int i = 0; i < s->nch; i++) {
            const chan *c = &s->ch[i];
            for (uint32_t j = 0, k = c->head; j < c->len; j++) {
                if (c->v[k].ev.event_time < m)
                    m = c->v[k].ev.event_time;
                if (++k == c->cap)
                    k = 0;
            }
            n += c->len;
        }
        s->nn_min = m;
        s->nn_size = n;
        s->nn_mark = s->log_end;
        s->nn_floor = sim_pending_event_time_floor(s->sim);
    }
    return s->nn_min < s->nn_floor ? s->nn_min : s->nn_floor;
}

/* The least source watermark a record still to be processed was (or will
 * be) read behind, until the next restore: the one of each record in
 * flight, and the source watermark for the records not read yet.  O(P). */
static double pending_wm(const stream_t *s)
{
    double m = s->src_wm;
    for (int i = 0; i < s->P; i++)
        if (s->w[i].busy && s->w[i].cur.watermark_prev < m)
            m = s->w[i].cur.watermark_prev;
    for (int i = 0; i < s->nch; i++) {
        const item *h = chan_head(&s->ch[i]);
        if (h && h->watermark_prev < m)
            m = h->watermark_prev;
    }
    return m;
}

/* Forgets the sink entries of windows ending before h (no pane of theirs
 * can come: the horizon).  O(capacity of the sink). */
static void sink_prune_behind(stream_t *s, double h)
{
    size_t pos = 0, n = 0;
    wmap_key k;
    while (wmap_next(s->sink, &pos, &k) != NULL) {
        if (!(k.end < h))
            continue;
        if (grow((void **)&s->prune, sizeof *s->prune, &s->prune_cap, n + 1) != 0) {
            fail_oom(s);
            return;
        }
        s->prune[n++] = k;
    }
    for (size_t i = 0; i < n; i++)
        wmap_del(s->sink, s->prune[i].key, s->prune[i].start, s->prune[i].end);
    s->sink_kept = wmap_size(s->sink);
}

static double stream_horizon(void *self);

/* The sink table has doubled since it was last pruned (publish): prune it
 * behind the horizon, between events (not in the middle of a firing),
 * whether or not sim asks for the horizon. */
static void on_sink_prune(void *ctx, void *arg, uint64_t data)
{
    stream_t *s = arg;
    (void)ctx;
    (void)data;
    s->sink_ev = 0;
    stream_horizon(s);
}

/* exec_type.horizon.  Every later pane or merge concerns a window that is
 *  (a) staged now: end >= stg_min (a merge: the old window's end, which
 *      is <= the new one's);
 *  (b) live now: each live window has an entry in the deadline heap with
 *      at = end (ON_TIME pending) or end + L (waiting for collection), so
 *      end >= heap top - L; that covers its ON_TIME, EARLY, LATE and
 *      collection panes and its merges, whatever event causes them (with
 *      the built-in trigger (c) mostly covers them too: live windows end
 *      after op_wm - L; not after a restore, while op_wm is ahead);
 *  (c) created later by a record not processed yet: it is created only
 *      when end + L > Wr, the source watermark the record was read behind
 *      (for a session the merged window's end is >= the proto-window's),
 *      and Wr >= pending_wm() until the next restore;
 *      window none: the pane is [t, t] of such a record, so its event
 *      time (none_bound);
 *  (d) after a restore, which can come while may_restore(): a window of
 *      the snapshot (end >= snap.min_end) or one created by the replay of
 *      the log from snap.off, read behind Wr >= snap.src_wm (window none:
 *      their event times, none_bound);
 *  (e) created by a record that has not arrived yet: its event time t >=
 *      sim_pending_event_time_floor (a floor of the truth horizon, without
 *      the oracle's per-event cost) and its windows end after t (window
 *      none: at t).
 * A job that has drained and committed everything can lose nothing to a
 * crash (crash()): +infinity then.  The minimum of (a) to (e) is a
 * promise for the whole rest of the run, so the maximum of all the values
 * computed so far is one too: the value returned is that maximum, so it
 * never decreases (the bound of (b) steps back by up to L when a window
 * is created, and (c) and (e) can step back as events arrive).  The truth
 * horizon must be part of each value before that maximum is taken: a
 * value without it would say nothing of the events then still to arrive,
 * which may later become records in flight behind it.  O(P + the events
 * in flight in the workload), plus the amortised scans of none_bound
 * and of the sink.  When no crash is left, the log before
 * the oldest record in flight is dropped here too. */
static double stream_horizon(void *self)
{
    stream_t *s = self;
    double h = INFINITY, L = s->lateness;
    if (s->oom)
        return s->hz;
    if (!(s->drained && !s->ck_active && s->stg_len == 0)) {
        if (!s->down) {
            if (s->stg_len > 0 && s->stg_min < h)
                h = s->stg_min;
            if (s->wtype == WIN_NONE) {
                double a = none_bound(s);
                if (a < h)
                    h = a;
            } else {
                double p = pending_wm(s) - L;
                if (p < h)
                    h = p;
                if (s->heap_len > 0 && s->heap[0].at - L < h)
                    h = s->heap[0].at - L;
            }
        }
        if (may_restore(s)) {
            double r;
            if (s->wtype == WIN_NONE) {
                r = none_bound(s); /* the log from snap.off on */
            } else {
                r = s->snap.src_wm - L;
                if (s->snap.min_end < r)
                    r = s->snap.min_end;
            }
            if (r < h)
                h = r;
        }
    }
    {
        double t = sim_pending_event_time_floor(s->sim); /* (e) */
        if (t < h)
            h = t;
    }
    if (h > s->hz)
        s->hz = h;
    if (s->sink && wmap_size(s->sink) >= 2 * s->sink_kept + 64)
        sink_prune_behind(s, s->hz); /* amortised: O(1) per entry */
    log_trim_done(s);
    return s->hz;
}

/* Discarding panes are deltas; the sink guarantee says exactly-once. */
static void stream_facts(const config_t *c, metrics_facts *out)
{
    out->parallelism = c->stream.parallelism;
    out->deltas = c->stream.accumulation == ACC_DISCARDING;
    out->exactly_once = c->stream.guarantee == GUAR_EXACTLY_ONCE;
}

const exec_type exec_stream = {
    .name = "stream",
    .create = stream_create,
    .destroy = stream_destroy,
    .on_arrival = stream_on_arrival,
    .on_input_end = stream_on_input_end,
    .on_fault = stream_on_fault,
    .backlog = stream_backlog,
    .watermark = stream_watermark,
    .finish = stream_finish,
    .horizon = stream_horizon,
    .label = "stream",
    .facts = stream_facts,
};
