/*
 * wl: the workload generator, trace replay and workload profile.
 * Rules: see model/workload.h.
 *
 * Generator
 *  - Base times t come from the arrival process (one shared process for
 *    all sources): poisson, constant (t_k = start + k / rate), mmpp (two
 *    states, Poisson within a state, exponential sojourns, starting in the
 *    low state), diurnal (rate * (1 + a sin(2 pi t / P)) by thinning a
 *    Poisson process of rate rate * (1 + a): Lewis and Shedler 1979).
 *  - Each base event draws, always in this order: its source
 *    (RNG_SOURCE), key (RNG_KEY), value (RNG_VALUE), delay (RNG_DELAY), the
 *    late coin and the late extra delay (RNG_LATE); the source draw is
 *    skipped with one source, the key draw with one key, the late draws
 *    when late_fraction is 0 (they could not matter).  Each component has
 *    its own stream, so changing one component's parameters never moves
 *    another component's numbers.  MMPP sojourns come from
 *    RNG_MMPP, thinning coins from RNG_THIN; the clock skew of every
 *    source is drawn once at open from RNG_SOURCE, before any event.
 *  - event_time = t + skew(source); arrival_time = max(t + delay + late
 *    extra, event_time).  Events with event_time outside [0, duration) are
 *    dropped before they get an id; base times run over
 *    [-max skew, duration - min skew) so that every source covers event
 *    times [0, duration).  ids are 0, 1, 2, ... in generation order.
 *  - In-flight events sit in a 4-ary min-heap ordered by (delivery time,
 *    original arrival time, id); delivery time differs from the arrival
 *    time only inside an outage.  Every later event has an arrival time
 *    >= the next base time, so the heap top may be handed out as soon as
 *    the next base time is > its delivery time: the heap holds about
 *    rate x delay events, whatever the length of the run.
 *  - The perfect-watermark oracle (workload_min_pending_event_time) keeps a
 *    second, indexed min-heap of the in-flight events by event time.  It
 *    is built on the first call only, so runs that never ask pay nothing.
 *    Future events have event times >= next base time + min skew, so the
 *    generator runs ahead until that bound is >= the heap minimum.
 *  - Zipf keys: GSL has no Zipf sampler.  Up to 2^20 keys we precompute
 *    the CDF of k^-s / H (k = 1..keys, key = k - 1) once, O(keys) memory
 *    (8 MB at most), and invert one uniform draw by binary search,
 *    O(log keys) per event.  Above that, Hoermann and Derflinger's
 *    rejection-inversion (no table, O(1) expected draws per event).
 *
 * Trace replay
 *  - model/trace.h reads the file (columns, keys, times, every check but
 *    duplicate ids far apart: TRACE_ID_RANGE); a reading error anywhere in
 *    the file is reported before an error in a row.  Without an arrival_time column each row,
 *    in file order, draws its delay and late coin as the generator does
 *    (RNG_DELAY, RNG_LATE).
 *  - Three modes (workload.h), chosen from the order trace_open saw, give
 *    the same events in the same order, (delivery, arrival_time, id):
 *    BLOCKS reads TRACE_BLOCK rows at a time and sorts each block (two
 *    arrival times may become equal once rebased), checking that blocks
 *    follow each other; its oracle is the block's suffix minima and
 *    trace_min_event_from for the rows still in the file.  EVENTS feeds
 *    the rows to the generator's heaps (feed_one instead of gen_one's
 *    draws): arr.t is the next row's event time, a lower bound of every
 *    later row's event and arrival time, which is all gen_fill and the
 *    oracle need.  WHOLE reads every row, checks every id for duplicates
 *    when trace_open could not (the report names the later line), and
 *    sorts.
 *  - Drawn arrivals are drawn in file order in every mode, so they do not
 *    depend on the mode.  run.duration is not applied to a trace: every
 *    row is used.
 *
 * Complexity: workload_next O(log in-flight) amortised (no allocation in steady
 * state: arrays grow by doubling and are reused); a trace read whole costs
 * O(n log n) to open and O(1) per event, a streamed one O(log TRACE_BLOCK)
 * or O(log in-flight) per event.
 */
#include "model/workload.h"

#include "lib/errmsg.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "lib/vec.h"
#include "engine/rng.h"
#include "model/trace.h"

#define WL_ERRLEN 1024
#define WL_ZIPF_TABLE (1u << 20) /* Zipf CDF table up to this many keys */

/* ---- small helpers ---- */

/* ---- outages: sorted, disjoint, non-touching intervals ---- */

typedef struct outage {
    double start, end;
} outage;

static int outage_cmp(const void *a, const void *b)
{
    const outage *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* Delivery time of an event arriving at a: the end of the outage holding
 * a (the list is merged, so that end lies in no other outage). */
static double outage_apply(const outage *o, size_t n, double a)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first outage with start > a */
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].start <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && a < o[lo - 1].end)
        return o[lo - 1].end;
    return a;
}

/* ---- arrival process of base times ---- */

typedef struct arrival {
    int kind;            /* enum config_arrival */
    double start, end;   /* base times run over [start, end) */
    double t;            /* next base time (valid when !done) */
    int done;
    uint64_t k;          /* constant: index of t */
    double rate;         /* poisson/constant: rate; diurnal: mean rate */
    double rmax;         /* diurnal: rate * (1 + amplitude) */
    double amp, period;  /* diurnal */
    double rh, rl, mh, ml; /* mmpp rates and mean sojourns */
    int high;            /* mmpp: in the high state */
    double state_end;    /* mmpp: end of the current sojourn */
    gsl_rng *r, *rmmpp, *rthin;
} arrival;

/* gsl_ran_exponential(r, mu) exactly (GSL computes -mu * log1p(-u) from
 * one gsl_rng_uniform), without its two library calls: this is on the
 * per-event path. */
static inline double exp_draw(const gsl_rng *r, double mu)
{
    double u = r->type->get_double(r->state);
    return -mu * log1p(-u);
}

static void arrival_advance(arrival *a)
{
    double t = a->t;
    switch (a->kind) {
    case ARR_CONSTANT:
        a->k++;
        t = a->start + (double)a->k / a->rate;
        break;
    case ARR_MMPP:
        for (;;) {
            double lam = a->high ? a->rh : a->rl;
            double cand = lam > 0 ? t + exp_draw(a->r, 1.0 / lam) : INFINITY;
            if (cand < a->state_end) {
                t = cand;
                break;
            }
            t = a->state_end;
            if (t >= a->end)
                break;
            a->high = !a->high;
            a->state_end = t + exp_draw(a->rmmpp, a->high ? a->mh : a->ml);
        }
        break;
    case ARR_DIURNAL:
        for (;;) {
            double lam;
            t += exp_draw(a->r, 1.0 / a->rmax);
            if (t >= a->end)
                break;
            lam = a->rate * (1.0 + a->amp * sin(2.0 * M_PI * t / a->period));
            if (gsl_rng_uniform(a->rthin) * a->rmax < lam)
                break;
        }
        break;
    default: /* ARR_POISSON */
        t += exp_draw(a->r, 1.0 / a->rate);
        break;
    }
    a->t = t;
    if (!(t < a->end))
        a->done = 1;
}

static void arrival_first(arrival *a)
{
    a->t = a->start;
    a->k = 0;
    a->done = 0;
    switch (a->kind) {
    case ARR_CONSTANT:
        if (!(a->t < a->end))
            a->done = 1;
        return;
    case ARR_MMPP:
        a->high = 0;
        a->state_end = a->start + exp_draw(a->rmmpp, a->ml);
        break;
    default:
        break;
    }
    arrival_advance(a);
}

/* ---- the workload ---- */

/* Arrival-heap entry: delivery order (eff, then the arrival_time and id of
 * the event in slot). */
typedef struct aentry {  /* 16 bytes: four children share a cache line */
    double eff;             /* delivery time (after outages) */
    size_t slot;            /* the event; its arrival_time (before outages)
                               and id break ties of eff */
} aentry;

/* Event-time heap entry (the oracle). */
typedef struct tentry {
    double et;
    uint64_t id;
    size_t slot;
} tentry;

typedef struct slot {
    workload_event ev;         /* arrival_time: original arrival */
    size_t tpos;         /* position in the event-time heap; free-list link */
} slot;

/* Trace item: eff is the delivery time (after outages). */
typedef struct titem {
    double eff;
    workload_event ev;
} titem;

struct wl {
    int trace;
    int started;
    uint64_t delivered;
    char err[WL_ERRLEN];

    outage *out;
    size_t nout, capout;

    /* generator */
    arrival arr;
    double duration;
    gsl_rng *rkey, *rvalue, *rdelay, *rlate, *rsource;
    int key_dist;
    uint32_t keys;
    double *zipf_cdf;    /* keys entries, last is 1.0 (keys <= WL_ZIPF_TABLE) */
    double zs, zh_x1, zh_n, zsval; /* rejection-inversion (larger keys) */
    int value_dist;
    int64_t value_const;
    double value_mean;
    uint64_t value_max;
    int delay;
    double delay_mean, ln_zeta, ln_sigma, par_alpha, par_scale;
    double late_fraction, late_mean;
    unsigned long sources;
    double *skew;        /* per source, s */
    double min_skew;
    uint64_t next_id;
    int oom;

    aentry *ah;
    size_t nah, capah;
    slot *slots;
    size_t capslots, nslots_used, free_head; /* free_head: SIZE_MAX = none */
    int track;           /* event-time heap is maintained */
    tentry *th;
    size_t nth, capth;
    size_t inflight_max;

    /* trace (model/trace.h reads it; the modes: workload_trace_mode) */
    trace_t *tr;         /* the file's reader: key names, what was found */
    int mode;            /* WL_TRACE_WHOLE, _BLOCKS or _EVENTS */
    titem *items;        /* WHOLE: every row; BLOCKS: the block being replayed */
    size_t nitems, pos;
    double *sufmin;      /* sufmin[i] = min event time of items[i..] (BLOCKS: and of
                            the rows after the block) */
    size_t next_block;   /* BLOCKS: the block the next refill reads */
    int trace_eof;       /* BLOCKS: every row read */
    int feed;            /* EVENTS: rows feed the generator's heaps (feed_one); arr.t
                            is the next row's event time, arr.done the end of file */
    int fill;            /* the rows have no arrival_time: it is drawn (fill_arrival) */
    workload_event ahead; /* EVENTS: the next row, read ahead */
    uint64_t rows_ahead; /* EVENTS: rows read ahead so far */
};

#define NO_SLOT ((size_t)-1)

/* ---- arrival heap ---- */

/* Order of delivery: eff, then the original arrival time, then id (ids
 * are unique, so this is a total order and the order of pops does not
 * depend on how the heap is arranged).  Ties of eff are rare, so the
 * tie-break reads the slots only then. */
static int a_tie_less(const slot *sl, const aentry *x, const aentry *y)
{
    const workload_event *a = &sl[x->slot].ev, *b = &sl[y->slot].ev;
    if (a->arrival_time != b->arrival_time)
        return a->arrival_time < b->arrival_time;
    return a->id < b->id;
}

static inline int a_less(const slot *sl, const aentry *x, const aentry *y)
{
    return x->eff < y->eff || (x->eff == y->eff && a_tie_less(sl, x, y));
}

/* The arrival heap is 4-ary: half the levels of a binary heap and the
 * four children of a node share a cache line or two, which matters when
 * late events keep 10^5 entries in flight. */
static void ah_up(const slot *sl, aentry *h, size_t i)
{
    aentry e = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!a_less(sl, &e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* Removes the top of a heap of n + 1 entries (h[n] is the last): the hole
 * at the root walks down to a leaf along the smallest children, then the
 * last entry moves up into it from there (Floyd's bottom-up deletion).
 * The last entry nearly always belongs near the bottom, so this saves the
 * comparison with it on every level.  Entries are totally ordered (ids
 * are unique), so the order of pops does not depend on the method. */
static void ah_pop(const slot *sl, aentry *h, size_t n)
{
    aentry e = h[n];
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1, m, j, last;
        if (c >= n)
            break;
        if (c + 4 <= n) { /* four children: a tournament (cmovs) */
            size_t a = a_less(sl, &h[c + 1], &h[c]) ? c + 1 : c;
            size_t b = a_less(sl, &h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
            m = a_less(sl, &h[b], &h[a]) ? b : a;
        } else {
            last = n;
            for (m = c, j = c + 1; j < last; j++)
                if (a_less(sl, &h[j], &h[m]))
                    m = j;
        }
        h[i] = h[m];
        i = m;
    }
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!a_less(sl, &e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* ---- event-time heap (indexed: slots know their position) ---- */

static int t_less(const tentry *x, const tentry *y)
{
    if (x->et != y->et)
        return x->et < y->et;
    return x->id < y->id;
}

static void th_place(workload_t *w, size_t i, tentry e)
{
    w->th[i] = e;
    w->slots[e.slot].tpos = i;
}

static void th_up(workload_t *w, size_t i)
{
    tentry e = w->th[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!t_less(&e, &w->th[p]))
            break;
        th_place(w, i, w->th[p]);
        i = p;
    }
    th_place(w, i, e);
}

static void th_down(workload_t *w, size_t i)
{
    tentry e = w->th[i];
    size_t n = w->nth;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && t_less(&w->th[c + 1], &w->th[c]))
            c++;
        if (!t_less(&w->th[c], &e))
            break;
        th_place(w, i, w->th[c]);
        i = c;
    }
    th_place(w, i, e);
}

static int th_push(workload_t *w, size_t s)
{
    tentry e;
    if (vec_ensure(&w->th, &w->capth, w->nth + 1, sizeof *w->th))
        return -1;
    e.et = w->slots[s].ev.event_time;
    e.id = w->slots[s].ev.id;
    e.slot = s;
    w->th[w->nth++] = e;
    th_up(w, w->nth - 1);
    return 0;
}

static void th_remove(workload_t *w, size_t s)
{
    size_t i = w->slots[s].tpos;
    assert(i < w->nth && w->th[i].slot == s);
    w->nth--;
    if (i == w->nth)
        return;
    th_place(w, i, w->th[w->nth]);
    if (i > 0 && t_less(&w->th[i], &w->th[(i - 1) / 2]))
        th_up(w, i);
    else
        th_down(w, i);
}

/* ---- slots ---- */

static size_t slot_get(workload_t *w)
{
    size_t s;
    if (w->free_head != NO_SLOT) {
        s = w->free_head;
        w->free_head = w->slots[s].tpos;
        return s;
    }
    if (vec_ensure(&w->slots, &w->capslots, w->nslots_used + 1, sizeof *w->slots))
        return NO_SLOT;
    return w->nslots_used++;
}

static void slot_put(workload_t *w, size_t s)
{
    w->slots[s].tpos = w->free_head;
    w->free_head = s;
}

/* ---- generation ---- */

/* Rejection-inversion for Zipf (Hoermann and Derflinger 1996, "Rejection-
 * inversion to generate variates from monotone discrete distributions"),
 * as in Apache Commons RNG: no table, O(1) expected per draw (about 1.1
 * uniforms).  H is the integral of h(x) = x^-s; the helpers keep
 * (x^(1-s) - 1) / (1-s) accurate near s = 1. */
static double zh_helper1(double x)
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double zh_helper2(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

static double zh_h(double s, double x)
{
    return exp(-s * log(x));
}

static double zh_int(double s, double x)
{
    double lx = log(x);
    return zh_helper2((1 - s) * lx) * lx;
}

static double zh_inv(double s, double x)
{
    double t = x * (1 - s);
    if (t < -1)
        t = -1;
    return exp(zh_helper1(t) * x);
}

static uint32_t zipf_reject_inv(workload_t *w)
{
    for (;;) {
        double u = w->zh_n + gsl_rng_uniform(w->rkey) * (w->zh_x1 - w->zh_n);
        double x = zh_inv(w->zs, u);
        double k = floor(x + 0.5);
        if (k < 1)
            k = 1;
        else if (k > w->keys)
            k = w->keys;
        if (k - x <= w->zsval || u >= zh_int(w->zs, k + 0.5) - zh_h(w->zs, k))
            return (uint32_t)(k - 1);
    }
}

static uint32_t draw_key(workload_t *w)
{
    if (w->key_dist == KEY_ZIPF && !w->zipf_cdf)
        return zipf_reject_inv(w);
    if (w->key_dist == KEY_ZIPF) {
        double u = gsl_rng_uniform(w->rkey);
        size_t lo = 0, hi = w->keys - 1;
        while (lo < hi) { /* smallest i with u < cdf[i]; cdf[keys-1] = 1 */
            size_t mid = lo + (hi - lo) / 2;
            if (u < w->zipf_cdf[mid])
                hi = mid;
            else
                lo = mid + 1;
        }
        return (uint32_t)lo;
    }
    return (uint32_t)gsl_rng_uniform_int(w->rkey, w->keys);
}

static int64_t draw_value(workload_t *w)
{
    switch (w->value_dist) {
    case VAL_UNIFORM:
        if (w->value_max <= 0xffffffffull)
            return 1 + (int64_t)gsl_rng_uniform_int(w->rvalue, (unsigned long)w->value_max);
        for (;;) { /* two 32-bit draws; reject the biased top to stay uniform */
            uint64_t hi = gsl_rng_get(w->rvalue); /* two statements: fixed order */
            uint64_t x = (hi << 32) | gsl_rng_get(w->rvalue);
            if (x < UINT64_MAX - UINT64_MAX % w->value_max)
                return 1 + (int64_t)(x % w->value_max);
        }
    case VAL_POISSON:
        return (int64_t)gsl_ran_poisson(w->rvalue, w->value_mean);
    default:
        return w->value_const;
    }
}

static double draw_delay(workload_t *w)
{
    switch (w->delay) {
    case DELAY_CONSTANT:
        return w->delay_mean;
    case DELAY_EXPONENTIAL:
        return exp_draw(w->rdelay, w->delay_mean);
    case DELAY_LOGNORMAL:
        return gsl_ran_lognormal(w->rdelay, w->ln_zeta, w->ln_sigma);
    case DELAY_PARETO:
        return gsl_ran_pareto(w->rdelay, w->par_alpha, w->par_scale);
    default:
        return 0.0;
    }
}

/* Puts an event in flight (the arrival heap, and the event-time heap when
 * tracked).  -1 on OOM (w->oom set). */
static int heap_add(workload_t *w, const workload_event *ev)
{
    size_t s = slot_get(w);
    if (s == NO_SLOT || vec_ensure(&w->ah, &w->capah, w->nah + 1, sizeof *w->ah))
        goto oom;
    w->slots[s].ev = *ev;
    if (w->track && th_push(w, s))
        goto oom;
    w->ah[w->nah].eff = w->nout ? outage_apply(w->out, w->nout, ev->arrival_time)
                                : ev->arrival_time;
    w->ah[w->nah].slot = s;
    w->nah++;
    ah_up(w->slots, w->ah, w->nah - 1);
    if (w->nah > w->inflight_max)
        w->inflight_max = w->nah;
    return 0;
oom:
    w->oom = 1;
    snprintf(w->err, sizeof w->err, "workload: out of memory");
    return -1;
}

static int feed_one(workload_t *w);

/* Materialises the base event at arr.t and advances the arrival process
 * (a trace in event-time order: the next row, feed_one).  Returns -1 on
 * OOM (w->oom set). */
static int gen_one(workload_t *w)
{
    double t = w->arr.t, et, at, d, u, extra;
    unsigned long src;
    uint32_t key;
    int64_t value;

    assert(!w->arr.done);
    if (w->feed)
        return feed_one(w);
    /* A draw that cannot matter is skipped (one source, one key, no late
     * events): each stream belongs to one component, so this changes no
     * other component's numbers, and the draws are the same whenever the
     * component is in use. */
    src = w->sources > 1 ? gsl_rng_uniform_int(w->rsource, w->sources) : 0;
    key = w->keys > 1 ? draw_key(w) : 0;
    value = draw_value(w);
    d = draw_delay(w);
    if (w->late_fraction > 0) {
        u = gsl_rng_uniform(w->rlate);
        extra = exp_draw(w->rlate, w->late_mean);
    } else {
        u = 1.0;
        extra = 0.0;
    }
    if (w->arr.kind == ARR_POISSON) { /* arrival_advance's case, inline */
        w->arr.t += exp_draw(w->arr.r, 1.0 / w->arr.rate);
        if (!(w->arr.t < w->arr.end))
            w->arr.done = 1;
    } else {
        arrival_advance(&w->arr);
    }

    et = t + w->skew[src];
    if (!(et >= 0.0 && et < w->duration))
        return 0;
    at = t + d;
    if (u < w->late_fraction)
        at += extra;
    if (at < et)
        at = et;

    workload_event ev = {w->next_id, 0, key, value, et, at};
    if (heap_add(w, &ev))
        return -1;
    w->next_id++;
    return 0;
}

/* Generates until the heap top is safe to hand out. */
static void gen_fill(workload_t *w)
{
    while (!w->oom && !w->arr.done && (w->nah == 0 || w->arr.t <= w->ah[0].eff))
        if (gen_one(w))
            return;
}

/* ---- opening ---- */

static int check_cfg(const config_t *c, char *err, size_t errlen)
{
    const struct config_workload *k = &c->workload;
    const char *f = c->path[0] ? c->path : "config";
#define BAD(...) do { char m_[256]; snprintf(m_, sizeof m_, __VA_ARGS__); \
        errmsg_set(err, errlen, "%s: %s", f, m_); return -1; } while (0)
    if (!(c->run.duration >= 0 && isfinite(c->run.duration)))
        BAD("run.duration must be a finite number >= 0");
    if (k->arrival != ARR_MMPP && !(k->rate > 0 && isfinite(k->rate)))
        BAD("workload.rate must be > 0");
    if (k->arrival == ARR_MMPP) {
        if (!(k->mmpp_rate_high >= 0 && k->mmpp_rate_low >= 0 &&
              isfinite(k->mmpp_rate_high) && isfinite(k->mmpp_rate_low)))
            BAD("workload.mmpp_rate_high and mmpp_rate_low must be >= 0");
        if (!(k->mmpp_rate_high > 0 || k->mmpp_rate_low > 0))
            BAD("workload.mmpp_rate_high or mmpp_rate_low must be > 0");
        if (!(k->mmpp_high_mean > 0 && k->mmpp_low_mean > 0))
            BAD("workload.mmpp_high_mean and mmpp_low_mean must be > 0");
    }
    if (k->arrival == ARR_DIURNAL) {
        if (!(k->diurnal_amplitude >= 0 && k->diurnal_amplitude <= 1))
            BAD("workload.diurnal_amplitude must be in 0..1");
        if (!(k->diurnal_period > 0 && isfinite(k->diurnal_period)))
            BAD("workload.diurnal_period must be > 0");
    }
    if (!(k->keys >= 1))
        BAD("workload.keys must be >= 1");
    if (k->key_dist == KEY_ZIPF && !(k->zipf_s >= 0 && isfinite(k->zipf_s)))
        BAD("workload.zipf_s must be >= 0");
    if (k->value_dist == VAL_UNIFORM && !(k->value_max >= 1 && k->value_max <= 9e18))
        BAD("workload.value_max must be in 1..9e18");
    if (k->value_dist == VAL_POISSON && !(k->value >= 0 && k->value < 1e9))
        BAD("workload.value must be in 0..1e9 for poisson values");
    if (k->value_dist == VAL_CONSTANT && !(fabs(k->value) < 9e18))
        BAD("workload.value out of range");
    if (!(k->delay_mean >= 0 && isfinite(k->delay_mean)))
        BAD("workload.delay_mean must be >= 0");
    if ((k->delay == DELAY_LOGNORMAL || k->delay == DELAY_PARETO) && !(k->delay_mean > 0))
        BAD("workload.delay_mean must be > 0 for lognormal and pareto delays");
    if (k->delay == DELAY_LOGNORMAL && !(k->delay_sigma >= 0 && isfinite(k->delay_sigma)))
        BAD("workload.delay_sigma must be >= 0");
    if (k->delay == DELAY_PARETO && !(k->delay_shape > 1 && isfinite(k->delay_shape)))
        BAD("workload.delay_shape must be > 1 (the mean is infinite otherwise)");
    if (!(k->late_fraction >= 0 && k->late_fraction <= 1))
        BAD("workload.late_fraction must be in 0..1");
    if (!(k->late_delay_mean >= 0 && isfinite(k->late_delay_mean)))
        BAD("workload.late_delay_mean must be >= 0");
    if (!(k->sources >= 1))
        BAD("workload.sources must be >= 1");
    if (!(k->source_skew >= 0 && isfinite(k->source_skew)))
        BAD("workload.source_skew must be >= 0");
#undef BAD
    return 0;
}

/* The delay model of k (generator and trace arrival fill). */
static void delay_model_init(workload_t *w, const struct config_workload *k)
{
    w->delay = k->delay;
    w->delay_mean = k->delay_mean;
    w->ln_sigma = k->delay_sigma;
    w->ln_zeta = k->delay == DELAY_LOGNORMAL
                     ? log(k->delay_mean) - 0.5 * k->delay_sigma * k->delay_sigma : 0;
    w->par_alpha = k->delay_shape;
    w->par_scale = k->delay == DELAY_PARETO
                       ? k->delay_mean * (k->delay_shape - 1) / k->delay_shape : 0;
    w->late_fraction = k->late_fraction;
    w->late_mean = k->late_delay_mean;
}

static int open_generator(workload_t *w, const config_t *c, char *err, size_t errlen)
{
    const struct config_workload *k = &c->workload;
    uint64_t seed = c->run.seed;
    double max_skew = 0, min_skew = 0;
    unsigned long i;

    w->duration = c->run.duration;
    w->arr.r = rng_stream_alloc(seed, RNG_ARRIVAL);
    w->rkey = rng_stream_alloc(seed, RNG_KEY);
    w->rvalue = rng_stream_alloc(seed, RNG_VALUE);
    w->rdelay = rng_stream_alloc(seed, RNG_DELAY);
    w->rlate = rng_stream_alloc(seed, RNG_LATE);
    w->rsource = rng_stream_alloc(seed, RNG_SOURCE);
    w->arr.rmmpp = rng_stream_alloc(seed, RNG_MMPP);
    w->arr.rthin = rng_stream_alloc(seed, RNG_THIN);
    w->sources = (unsigned long)k->sources;
    w->skew = malloc(w->sources * sizeof *w->skew);
    if (!w->arr.r || !w->rkey || !w->rvalue || !w->rdelay || !w->rlate ||
        !w->rsource || !w->arr.rmmpp || !w->arr.rthin || !w->skew)
        goto oom;

    w->keys = (uint32_t)k->keys;
    w->key_dist = k->key_dist;
    if (w->key_dist == KEY_ZIPF && w->keys > WL_ZIPF_TABLE) {
        double sx = k->zipf_s;
        w->zs = sx;
        w->zh_x1 = zh_int(sx, 1.5) - 1;
        w->zh_n = zh_int(sx, w->keys + 0.5);
        w->zsval = 2 - zh_inv(sx, zh_int(sx, 2.5) - zh_h(sx, 2));
    } else if (w->key_dist == KEY_ZIPF) {
        double h = 0;
        w->zipf_cdf = malloc((size_t)w->keys * sizeof *w->zipf_cdf);
        if (!w->zipf_cdf)
            goto oom;
        for (i = 0; i < w->keys; i++) {
            h += pow((double)(i + 1), -k->zipf_s);
            w->zipf_cdf[i] = h;
        }
        for (i = 0; i < w->keys; i++)
            w->zipf_cdf[i] /= h;
        w->zipf_cdf[w->keys - 1] = 1.0;
    }
    w->value_dist = k->value_dist;
    w->value_const = (int64_t)llround(k->value);
    w->value_mean = k->value;
    w->value_max = (uint64_t)k->value_max;
    delay_model_init(w, k);

    for (i = 0; i < w->sources; i++) {
        w->skew[i] = (2.0 * gsl_rng_uniform(w->rsource) - 1.0) * k->source_skew;
        if (i == 0 || w->skew[i] > max_skew)
            max_skew = w->skew[i];
        if (i == 0 || w->skew[i] < min_skew)
            min_skew = w->skew[i];
    }
    w->min_skew = min_skew;

    w->arr.kind = k->arrival;
    w->arr.start = -max_skew;
    w->arr.end = w->duration - min_skew;
    w->arr.rate = k->rate;
    w->arr.amp = k->diurnal_amplitude;
    w->arr.period = k->diurnal_period;
    w->arr.rmax = k->rate * (1.0 + k->diurnal_amplitude);
    w->arr.rh = k->mmpp_rate_high;
    w->arr.rl = k->mmpp_rate_low;
    w->arr.mh = k->mmpp_high_mean;
    w->arr.ml = k->mmpp_low_mean;
    arrival_first(&w->arr);
    return 0;
oom:
    errmsg_set(err, errlen, "workload: out of memory");
    return -1;
}

/* -- trace replay (model/trace.h reads the file) -- */

typedef struct idline {
    uint64_t id;
    size_t line;
} idline;

static int idline_cmp(const void *a, const void *b)
{
    const idline *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int titem_cmp(const void *a, const void *b)
{
    const titem *x = a, *y = b;
    if (x->eff != y->eff)
        return x->eff < y->eff ? -1 : 1;
    if (x->ev.arrival_time != y->ev.arrival_time)
        return x->ev.arrival_time < y->ev.arrival_time ? -1 : 1;
    return x->ev.id < y->ev.id ? -1 : x->ev.id > y->ev.id;
}

/* The first duplicate id (the report names its second line): 0 or -1. */
static int check_ids(const workload_t *w, const size_t *lines, const char *path, char *err,
                     size_t errlen)
{
    size_t dup_line = 0, first_line = 0, i;
    uint64_t dup_id = 0;
    idline *ids = malloc(w->nitems * sizeof *ids);
    if (!ids) {
        errmsg_set(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (i = 0; i < w->nitems; i++) {
        ids[i].id = w->items[i].ev.id;
        ids[i].line = lines[i];
    }
    qsort(ids, w->nitems, sizeof *ids, idline_cmp);
    for (i = 0; i < w->nitems;) { /* groups of equal ids */
        size_t g = i;
        while (i < w->nitems && ids[i].id == ids[g].id)
            i++;
        if (i - g >= 2 && (dup_line == 0 || ids[g + 1].line < dup_line)) {
            dup_line = ids[g + 1].line; /* second occurrence */
            first_line = ids[g].line;
            dup_id = ids[g].id;
        }
    }
    free(ids);
    if (dup_line) {
        errmsg_set(err, errlen, "%s:%zu: duplicate id %" PRIu64 " (first on line %zu)", path,
                dup_line, dup_id, first_line);
        return -1;
    }
    return 0;
}

/* The arrival time of a row without one: its delay (and late coin) drawn
 * from the config's delay model as the generator draws them: arrival =
 * event time + delay (+ late extra), never before the event time. */
static double fill_arrival(workload_t *w, double et)
{
    double d = draw_delay(w), u = 1.0, extra = 0.0;
    if (w->late_fraction > 0) {
        u = gsl_rng_uniform(w->rlate);
        extra = exp_draw(w->rlate, w->late_mean);
    }
    double at = et + d + (u < w->late_fraction ? extra : 0.0);
    return at < et ? et : at;
}

static int fill_init(workload_t *w, const config_t *c, char *err, size_t errlen)
{
    w->fill = 1;
    w->rdelay = rng_stream_alloc(c->run.seed, RNG_DELAY);
    w->rlate = rng_stream_alloc(c->run.seed, RNG_LATE);
    if (!w->rdelay || !w->rlate) {
        errmsg_set(err, errlen, "workload: out of memory");
        return -1;
    }
    delay_model_init(w, &c->workload);
    return 0;
}

/* A reading error while the run goes (a streamed trace): the workload
 * ends, workload_error says why. */
static void trace_fail(workload_t *w, const char *why)
{
    w->oom = 1;
    w->nitems = w->pos = 0;
    w->arr.done = 1;
    snprintf(w->err, sizeof w->err, "%s", why);
}

/* -- WL_TRACE_WHOLE: read whole, sorted by (arrival, id) -- */

static int read_whole(workload_t *w, char *err, size_t errlen)
{
    const char *path = trace_path(w->tr);
    size_t cap = 0, capl = 0, *lines = NULL, line;
    workload_event ev;
    int rc = -1, st;

    while ((st = trace_next(w->tr, &ev, &line)) == TRACE_ROW) {
        if (vec_ensure(&w->items, &cap, w->nitems + 1, sizeof *w->items) ||
            vec_ensure(&lines, &capl, w->nitems + 1, sizeof *lines)) {
            errmsg_set(err, errlen, "%s: out of memory", path);
            goto done;
        }
        w->items[w->nitems].ev = ev;
        lines[w->nitems++] = line;
    }
    if (st == TRACE_ERR) {
        errmsg_set(err, errlen, "%s", trace_error(w->tr));
        goto done;
    }
    const trace_info *ti = trace_get_info(w->tr);
    if (w->nitems && ti->has_id && !ti->ids_checked && check_ids(w, lines, path, err, errlen))
        goto done;
    for (size_t i = 0; i < w->nitems; i++) {
        if (w->fill)
            w->items[i].ev.arrival_time = fill_arrival(w, w->items[i].ev.event_time);
        w->items[i].eff = w->items[i].ev.arrival_time;
    }
    if (w->nitems > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(w->items, w->nitems, sizeof *w->items, titem_cmp);
    w->sufmin = malloc((w->nitems + 1) * sizeof *w->sufmin);
    if (!w->sufmin) {
        errmsg_set(err, errlen, "%s: out of memory", path);
        goto done;
    }
    rc = 0;
done:
    free(lines);
    return rc;
}

/* A trace in no order, too long to sort in memory: which rows, and the
 * command that sorts it. */
static void refuse_unsorted(const trace_info *ti, const char *path, size_t sort_max, char *err,
                            size_t errlen)
{
    int by = ti->has_arrival ? ti->arrival_field : ti->event_field;
    const char *what = ti->has_arrival ? "arrival_time" : "event_time";
    const char *t = ti->delim == '\t' ? "\"$(printf '\\t')\"" : ti->delim == ';' ? "';'" : ",";
    char order[256], idkey[32] = "";
    if (strcmp(ti->unsorted_text, ti->unsorted_prev) == 0)
        snprintf(order, sizeof order, "it has the %s %s of line %zu and a smaller id", what,
                 ti->unsorted_text, ti->unsorted_prev_line);
    else
        snprintf(order, sizeof order, "its %s %s is before %s on line %zu", what,
                 ti->unsorted_text, ti->unsorted_prev, ti->unsorted_prev_line);
    if (ti->has_arrival && ti->id_field)
        snprintf(idkey, sizeof idkey, " -k%d,%dn", ti->id_field, ti->id_field);
    errmsg_set(err, errlen,
               "%s:%zu: rows out of %s order (%s), and the trace's %zu rows are more than the "
               "%zu sluice sorts in memory (about %zu MB); sort the file once (by %s, then it "
               "is read as the run goes), e.g. (head -n 1 '%s' && tail -n +2 '%s' | LC_ALL=C "
               "sort -s -t%s -k%d,%d%s%s) > sorted.csv (for files without quoted fields)",
               path, ti->unsorted_line, what, order, ti->rows, sort_max,
               sort_max * WL_TRACE_ROW_BYTES >> 20, what, path, path, t, by, by,
               ti->time_format == TIME_ISO8601 ? "" : "g", idkey);
}

/* -- WL_TRACE_BLOCKS: rows in (arrival, id) order, TRACE_BLOCK at a time -- */

/* Reads the next block into items (sorted by delivery: rebasing may make
 * two arrival times equal), applies outages, and builds its suffix minima
 * with the least event time of the rows after it.  -1 on a reading error
 * (trace_fail). */
static int trace_refill(workload_t *w)
{
    size_t n = 0, line = 0;
    workload_event ev;
    int st = TRACE_ROW;
    titem last = w->nitems ? w->items[w->nitems - 1] : (titem){0};
    int have_last = w->nitems > 0;
    while (n < TRACE_BLOCK && (st = trace_next(w->tr, &ev, &line)) == TRACE_ROW) {
        w->items[n].ev = ev;
        w->items[n].eff = w->nout ? outage_apply(w->out, w->nout, ev.arrival_time)
                                  : ev.arrival_time;
        n++;
    }
    if (st == TRACE_ERR) {
        trace_fail(w, trace_error(w->tr));
        return -1;
    }
    if (n > 1)
        qsort(w->items, n, sizeof *w->items, titem_cmp);
    if (n && have_last && titem_cmp(&last, &w->items[0]) >= 0) {
        char why[WL_ERRLEN];
        snprintf(why, sizeof why, "%s: rows near line %zu out of (arrival_time, id) order once "
                 "rebased (the file changed since it was checked?)", trace_path(w->tr), line);
        trace_fail(w, why);
        return -1;
    }
    w->trace_eof = n < TRACE_BLOCK;
    w->next_block++;
    w->nitems = n;
    w->pos = 0;
    double m = trace_min_event_from(w->tr, w->next_block);
    w->sufmin[n] = m;
    for (size_t i = n; i-- > 0;) {
        if (w->items[i].ev.event_time < m)
            m = w->items[i].ev.event_time;
        w->sufmin[i] = m;
    }
    return 0;
}

/* 1 when items[pos] is an event (refilling a streamed trace when needed). */
static int trace_ready(workload_t *w)
{
    if (w->pos < w->nitems)
        return 1;
    if (w->mode != WL_TRACE_BLOCKS || w->trace_eof || w->oom)
        return 0;
    return trace_refill(w) == 0 && w->pos < w->nitems;
}

/* -- WL_TRACE_EVENTS: rows in event-time order feed the generator's heaps -- */

/* Reads the next row into w->ahead: arr.t is its event time (no later row
 * has an earlier one), arr.done the end of the file.  -1 on a reading
 * error (trace_fail). */
static int read_ahead(workload_t *w)
{
    size_t line;
    double prev = w->ahead.event_time;
    int st = trace_next(w->tr, &w->ahead, &line);
    if (st == TRACE_EOF) {
        w->arr.done = 1;
        return 0;
    }
    if (st == TRACE_ERR) {
        trace_fail(w, trace_error(w->tr));
        return -1;
    }
    if (w->rows_ahead++ && w->ahead.event_time < prev) {
        char why[WL_ERRLEN];
        snprintf(why, sizeof why, "%s:%zu: event_time out of order (the file changed since "
                 "it was checked?)", trace_path(w->tr), line);
        trace_fail(w, why);
        return -1;
    }
    w->arr.t = w->ahead.event_time;
    return 0;
}

/* gen_one for a trace in event-time order: the row read ahead goes in
 * flight (its arrival drawn when the file has none), the next is read. */
static int feed_one(workload_t *w)
{
    workload_event ev = w->ahead;
    if (w->fill)
        ev.arrival_time = fill_arrival(w, ev.event_time);
    if (heap_add(w, &ev))
        return -1;
    return read_ahead(w);
}

static int open_trace(workload_t *w, const config_t *c, int mode, size_t sort_max,
                      const volatile int *stop, char *err, size_t errlen)
{
    w->tr = trace_open(c, stop, err, errlen);
    if (!w->tr)
        return -1;
    const trace_info *ti = trace_get_info(w->tr);
    if (mode == WL_TRACE_AUTO)
        mode = ti->arrival_sorted ? WL_TRACE_BLOCKS
               : ti->event_sorted ? WL_TRACE_EVENTS : WL_TRACE_WHOLE;
    if ((mode == WL_TRACE_BLOCKS && !ti->arrival_sorted) ||
        (mode == WL_TRACE_EVENTS && !ti->event_sorted)) {
        errmsg_set(err, errlen, "%s: rows not in %s order, cannot be streamed so",
                   trace_path(w->tr), mode == WL_TRACE_BLOCKS ? "(arrival_time, id)" : "event_time");
        return -1;
    }
    w->mode = mode;
    if (!ti->has_arrival && fill_init(w, c, err, errlen))
        return -1;
    switch (mode) {
    case WL_TRACE_BLOCKS:
        w->trace = 1;
        w->items = malloc(TRACE_BLOCK * sizeof *w->items);
        w->sufmin = malloc((TRACE_BLOCK + 1) * sizeof *w->sufmin);
        if (!w->items || !w->sufmin) {
            errmsg_set(err, errlen, "%s: out of memory", trace_path(w->tr));
            return -1;
        }
        return 0;
    case WL_TRACE_EVENTS:
        w->feed = 1;
        if (read_ahead(w)) {
            errmsg_set(err, errlen, "%s", w->err);
            return -1;
        }
        return 0;
    default:
        w->trace = 1;
        if (ti->rows > sort_max) {
            refuse_unsorted(ti, trace_path(w->tr), sort_max, err, errlen);
            return -1;
        }
        return read_whole(w, err, errlen);
    }
}

static workload_t *wl_new(char *err, size_t errlen)
{
    workload_t *w;
    if (err && errlen)
        err[0] = '\0';
    w = calloc(1, sizeof *w);
    if (!w) {
        errmsg_set(err, errlen, "workload: out of memory");
        return NULL;
    }
    w->free_head = NO_SLOT;
    return w;
}

workload_t *workload_open_trace(const config_t *c, int mode, size_t sort_max,
                                const volatile int *stop, char *err, size_t errlen)
{
    workload_t *w = wl_new(err, errlen);
    if (w && open_trace(w, c, mode, sort_max ? sort_max : WL_TRACE_SORT_MAX, stop, err,
                        errlen)) {
        workload_free(w);
        return NULL;
    }
    return w;
}

workload_t *workload_open(const config_t *c, char *err, size_t errlen)
{
    return workload_open_stop(c, NULL, err, errlen);
}

workload_t *workload_open_stop(const config_t *c, const volatile int *stop, char *err, size_t errlen)
{
    if (c->workload.source == SRC_TRACE)
        return workload_open_trace(c, WL_TRACE_AUTO, 0, stop, err, errlen);
    workload_t *w = wl_new(err, errlen);
    if (w && (check_cfg(c, err, errlen) || open_generator(w, c, err, errlen))) {
        workload_free(w);
        return NULL;
    }
    return w;
}

void workload_free(workload_t *w)
{
    if (!w)
        return;
    gsl_rng_free(w->arr.r);
    gsl_rng_free(w->arr.rmmpp);
    gsl_rng_free(w->arr.rthin);
    gsl_rng_free(w->rkey);
    gsl_rng_free(w->rvalue);
    gsl_rng_free(w->rdelay);
    gsl_rng_free(w->rlate);
    gsl_rng_free(w->rsource);
    free(w->zipf_cdf);
    free(w->skew);
    free(w->ah);
    free(w->slots);
    free(w->th);
    free(w->items);
    free(w->sufmin);
    free(w->out);
    trace_close(w->tr);
    free(w);
}

int workload_add_outage(workload_t *w, double start, double end)
{
    size_t i, j;
    if (w->started) {
        snprintf(w->err, sizeof w->err, "workload: outage added after the first event");
        return WL_ERR;
    }
    if (start == end && isfinite(start))
        return WL_OK; /* an empty outage holds nothing back */
    if (!(start < end) || !isfinite(start) || !isfinite(end)) {
        snprintf(w->err, sizeof w->err, "workload: outage [%g, %g) is empty or not finite",
                 start, end);
        return WL_ERR;
    }
    if (vec_ensure(&w->out, &w->capout, w->nout + 1, sizeof *w->out)) {
        snprintf(w->err, sizeof w->err, "workload: out of memory");
        return WL_ERR;
    }
    w->out[w->nout].start = start;
    w->out[w->nout].end = end;
    w->nout++;
    qsort(w->out, w->nout, sizeof *w->out, outage_cmp);
    /* merge overlapping or touching outages: one pass over sorted ones */
    for (i = 0, j = 1; j < w->nout; j++) {
        if (w->out[j].start <= w->out[i].end) {
            if (w->out[j].end > w->out[i].end)
                w->out[i].end = w->out[j].end;
        } else {
            w->out[++i] = w->out[j];
        }
    }
    w->nout = i + 1;
    return WL_OK;
}

/* First use: applies outages to a trace and builds its suffix minima. */
static void workload_start(workload_t *w)
{
    size_t i;
    double m;
    if (w->started)
        return;
    w->started = 1;
    if (!w->trace)
        return;
    if (w->mode == WL_TRACE_BLOCKS) {
        (void)trace_ready(w); /* the first block, now that the outages are known */
        return;
    }
    if (w->nout) {
        for (i = 0; i < w->nitems; i++)
            w->items[i].eff = outage_apply(w->out, w->nout, w->items[i].ev.arrival_time);
        if (w->nitems > 1)
            qsort(w->items, w->nitems, sizeof *w->items, titem_cmp);
    }
    i = w->nitems;
    m = INFINITY;
    w->sufmin[i] = m;
    while (i-- > 0) {
        if (w->items[i].ev.event_time < m)
            m = w->items[i].ev.event_time;
        w->sufmin[i] = m;
    }
}

double workload_peek(workload_t *w)
{
    workload_start(w);
    if (w->trace)
        return trace_ready(w) ? w->items[w->pos].eff : INFINITY;
    gen_fill(w);
    if (w->oom || w->nah == 0)
        return INFINITY;
    return w->ah[0].eff;
}

int workload_next(workload_t *w, workload_event *ev)
{
    workload_start(w);
    if (w->trace) {
        if (!trace_ready(w))
            return WL_ERR;
        *ev = w->items[w->pos].ev;
        ev->arrival_time = w->items[w->pos].eff;
        w->pos++;
    } else {
        size_t s;
        gen_fill(w);
        if (w->oom || w->nah == 0)
            return WL_ERR;
        s = w->ah[0].slot;
        *ev = w->slots[s].ev;
        ev->arrival_time = w->ah[0].eff;
        w->nah--;
        if (w->nah) {
            ah_pop(w->slots, w->ah, w->nah);
#if defined(__GNUC__)
            /* the next event's slot is a cache miss when many are in
             * flight: start loading it now */
            __builtin_prefetch(&w->slots[w->ah[0].slot]);
#endif
        }
        if (w->track)
            th_remove(w, s);
        slot_put(w, s);
    }
    ev->seq = w->delivered++;
    return WL_OK;
}

const char *workload_error(const workload_t *w)
{
    return w->err;
}

/* Starts the event-time heap from the events now in flight. */
static int track_start(workload_t *w)
{
    size_t i;
    w->track = 1;
    for (i = 0; i < w->nah; i++)
        if (th_push(w, w->ah[i].slot))
            return -1;
    return 0;
}

double workload_min_pending_event_time(workload_t *w)
{
    workload_start(w);
    if (w->trace)
        return trace_ready(w) ? w->sufmin[w->pos] : w->oom ? -INFINITY : INFINITY;
    if (!w->track && track_start(w)) {
        w->oom = 1;
        snprintf(w->err, sizeof w->err, "workload: out of memory");
    }
    for (;;) {
        double m = w->nth ? w->th[0].et : INFINITY;
        if (w->oom)
            return -INFINITY;
        if (w->arr.done || w->arr.t + w->min_skew >= m)
            return m;
        gen_one(w);
    }
}

double workload_pending_event_time_floor(workload_t *w)
{
    workload_start(w);
    if (w->trace || w->track)
        return workload_min_pending_event_time(w);
    if (w->oom)
        return -INFINITY;
    /* later events: base time >= arr.t, event time >= that + min skew */
    double m = w->arr.done ? INFINITY : w->arr.t + w->min_skew;
    for (size_t i = 0; i < w->nah; i++) {
        double et = w->slots[w->ah[i].slot].ev.event_time;
        if (et < m)
            m = et;
    }
    return m;
}

uint64_t workload_count(const workload_t *w)
{
    return w->delivered;
}

size_t workload_in_flight(const workload_t *w)
{
    return w->trace ? w->nitems - w->pos : w->nah;
}

size_t workload_in_flight_max(const workload_t *w)
{
    if (w->trace)
        return w->mode == WL_TRACE_BLOCKS ? TRACE_BLOCK : w->nitems;
    return w->inflight_max;
}

size_t workload_trace_span(const workload_t *w, double *first_event_s, double *last_arrival_s)
{
    *first_event_s = *last_arrival_s = 0;
    if (!w->tr)
        return 0;
    if (w->mode != WL_TRACE_WHOLE) { /* streamed: as trace_open found them */
        const trace_info *ti = trace_get_info(w->tr);
        if (ti->rows) {
            *first_event_s = ti->first_event_s;
            *last_arrival_s = ti->last_time_s;
        }
        return ti->rows;
    }
    if (w->nitems == 0)
        return 0;
    *first_event_s = INFINITY;
    *last_arrival_s = -INFINITY;
    for (size_t i = 0; i < w->nitems; i++) {
        *first_event_s = fmin(*first_event_s, w->items[i].ev.event_time);
        *last_arrival_s = fmax(*last_arrival_s, w->items[i].ev.arrival_time);
    }
    return w->nitems;
}

const char *workload_key_name(const workload_t *w, uint32_t key)
{
    return w && w->tr ? trace_key_name(w->tr, key) : NULL;
}

int workload_write_key(FILE *f, const workload_t *w, uint32_t key)
{
    const char *name = workload_key_name(w, key);
    if (name)
        return trace_write_field(f, name) ? WL_ERR : WL_OK;
    return fprintf(f, "%" PRIu32, key) < 0 ? WL_ERR : WL_OK;
}

const struct trace *workload_trace(const workload_t *w)
{
    return w->tr;
}

int workload_trace_mode(const workload_t *w)
{
    return w->tr ? w->mode : WL_TRACE_AUTO;
}

int workload_value_decimals(const workload_t *w)
{
    return w && w->tr ? trace_get_info(w->tr)->value_decimals : 0;
}

int workload_format_value(const workload_t *w, int64_t v, char *buf)
{
    return trace_format_value(v, workload_value_decimals(w), buf);
}

int workload_write_row_of(FILE *f, const workload_t *w, const workload_event *ev)
{
    char value[32];
    if (!workload_key_name(w, ev->key) && workload_value_decimals(w) == 0)
        return workload_write_row(f, ev);
    workload_format_value(w, ev->value, value);
    if (fprintf(f, "%" PRIu64 ",", ev->id) < 0 || workload_write_key(f, w, ev->key) ||
        fprintf(f, ",%s,%.17g,%.17g\n", value, ev->event_time, ev->arrival_time) < 0)
        return WL_ERR;
    return WL_OK;
}

int workload_write_row(FILE *f, const workload_event *ev)
{
    if (fprintf(f, "%" PRIu64 ",%" PRIu32 ",%" PRId64 ",%.17g,%.17g\n", ev->id, ev->key,
                ev->value, ev->event_time, ev->arrival_time) < 0)
        return WL_ERR;
    return WL_OK;
}

/* ---- profile ---- */

#define WL_RESERVOIR (1u << 20)

struct workload_profile {
    double late_bound;
    uint64_t n, ooo, late;
    double et_min, et_max, arr_min, arr_max, delay_max;
    long double delay_sum;
    double *res;          /* reservoir of delays (Vitter's algorithm R) */
    size_t nres, capres;
    uint64_t rstate;      /* SplitMix64 state for the reservoir */
    int oom;
};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

workload_profile *workload_profile_alloc(double late_bound_s)
{
    workload_profile *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->late_bound = late_bound_s;
    p->rstate = 0x5eed5eed5eed5eedull;
    return p;
}

void workload_profile_free(workload_profile *p)
{
    if (!p)
        return;
    free(p->res);
    free(p);
}

void workload_profile_add(workload_profile *p, const workload_event *ev)
{
    double d = ev->arrival_time - ev->event_time;
    if (p->n == 0) {
        p->et_min = p->et_max = ev->event_time;
        p->arr_min = p->arr_max = ev->arrival_time;
        p->delay_max = d;
    } else {
        if (ev->event_time < p->et_max)
            p->ooo++;
        if (ev->event_time > p->et_max)
            p->et_max = ev->event_time;
        if (ev->event_time < p->et_min)
            p->et_min = ev->event_time;
        if (ev->arrival_time > p->arr_max)
            p->arr_max = ev->arrival_time;
        if (ev->arrival_time < p->arr_min)
            p->arr_min = ev->arrival_time;
        if (d > p->delay_max)
            p->delay_max = d;
    }
    if (d > p->late_bound)
        p->late++;
    p->delay_sum += d;
    if (p->n < WL_RESERVOIR) {
        if (!p->oom && vec_ensure(&p->res, &p->capres, p->nres + 1, sizeof *p->res) == 0)
            p->res[p->nres++] = d;
        else
            p->oom = 1;
    } else {
        uint64_t j = splitmix64(&p->rstate) % (p->n + 1);
        if (j < p->nres)
            p->res[j] = d;
    }
    p->n++;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int workload_profile_stats_get(const workload_profile *p, workload_profile_stats *s)
{
    static const double q[5] = {0.5, 0.9, 0.99, 0.999, 1.0};
    double *v[5];
    double *tmp = NULL;
    size_t i;

    memset(s, 0, sizeof *s);
    v[0] = &s->delay_p50;
    v[1] = &s->delay_p90;
    v[2] = &s->delay_p99;
    v[3] = &s->delay_p999;
    v[4] = &s->delay_max;
    s->events = p->n;
    s->late_bound = p->late_bound;
    s->exact = p->n <= WL_RESERVOIR && !p->oom;
    if (p->n == 0) {
        s->first_event_time = s->last_event_time = s->last_arrival_time = NAN;
        s->mean_rate = s->delay_mean = NAN;
        for (i = 0; i < 5; i++)
            *v[i] = NAN;
        return WL_OK;
    }
    s->first_event_time = p->et_min;
    s->last_event_time = p->et_max;
    s->first_arrival_time = p->arr_min;
    s->last_arrival_time = p->arr_max;
    s->mean_rate = p->et_max > p->et_min ? (double)p->n / (p->et_max - p->et_min) : NAN;
    s->out_of_order_share = (double)p->ooo / (double)p->n;
    s->late_share = (double)p->late / (double)p->n;
    s->delay_mean = (double)(p->delay_sum / (long double)p->n);
    if (p->nres) {
        tmp = malloc(p->nres * sizeof *tmp);
        if (!tmp)
            return WL_ERR;
        memcpy(tmp, p->res, p->nres * sizeof *tmp);
        qsort(tmp, p->nres, sizeof *tmp, dbl_cmp);
        for (i = 0; i < 4; i++) { /* nearest rank: ceil(q n)-th smallest */
            double r = ceil(q[i] * (double)p->nres);
            size_t k = r < 1 ? 0 : (size_t)r - 1;
            if (k >= p->nres)
                k = p->nres - 1;
            *v[i] = tmp[k];
        }
        free(tmp);
    }
    s->delay_max = p->delay_max;
    return WL_OK;
}

int workload_profile_write(const workload_profile *p, FILE *f)
{
    workload_profile_stats s;
    int r = 0;
    if (workload_profile_stats_get(p, &s))
        return WL_ERR;
    r |= fprintf(f, "events          %" PRIu64 "\n", s.events) < 0;
    if (s.events == 0)
        return r || ferror(f) ? WL_ERR : WL_OK;
    r |= fprintf(f, "event time      %.6g .. %.6g s\n", s.first_event_time,
                 s.last_event_time) < 0;
    r |= fprintf(f, "arrival time    %.6g .. %.6g s\n", s.first_arrival_time,
                 s.last_arrival_time) < 0;
    r |= fprintf(f, "mean rate       %.6g events/s\n", s.mean_rate) < 0;
    r |= fprintf(f, "out of order    %.4g %% (arrive after an event with a later event time)\n",
                 100.0 * s.out_of_order_share) < 0;
    r |= fprintf(f, "delay mean      %.6g s\n", s.delay_mean) < 0;
    r |= fprintf(f, "delay p50       %.6g s\n", s.delay_p50) < 0;
    r |= fprintf(f, "delay p90       %.6g s\n", s.delay_p90) < 0;
    r |= fprintf(f, "delay p99       %.6g s\n", s.delay_p99) < 0;
    r |= fprintf(f, "delay p99.9     %.6g s\n", s.delay_p999) < 0;
    r |= fprintf(f, "delay max       %.6g s\n", s.delay_max) < 0;
    r |= fprintf(f, "delayed > %g s  %.4g %%\n", s.late_bound, 100.0 * s.late_share) < 0;
    if (!s.exact)
        r |= fprintf(f, "(delay percentiles from a uniform sample of %u events)\n",
                     WL_RESERVOIR) < 0;
    return r || ferror(f) ? WL_ERR : WL_OK;
}
