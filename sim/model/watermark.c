/*
 * wm: the built-in watermark policies (perfect, bounded, percentile,
 * scripted), their registry, and the instance functions.  See model/watermark.h.
 */
#include "model/watermark.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csvread.h"
#include "lib/vec.h"

#define WM_LINE_MAX 510 /* characters of one watermark_file line */

/* ---------------------------------------------------------------- perfect */

static int perfect_init(void *state, const config_t *c, const volatile int *stop, char *err,
                        size_t errlen)
{
    (void)stop;
    (void)state; (void)c; (void)err; (void)errlen;
    return WM_OK;
}

static void perfect_observe(void *state, const workload_event *ev)
{
    (void)state; (void)ev;
}

static double perfect_get(void *state, const watermark_input *in)
{
    (void)state;
    return in->min_unread;
}

static double never_changes(void *state, double now)
{
    (void)state; (void)now;
    return INFINITY;
}

const watermark_type watermark_perfect = {
    "perfect", 1, 1, perfect_init, NULL, perfect_observe, perfect_get, never_changes, NULL
};

/* ---------------------------------------------------------------- bounded */

typedef struct bounded_state {
    double bound_s;
    double max_event_time;
} bounded_state;

static int bounded_init(void *state, const config_t *c, const volatile int *stop, char *err,
                        size_t errlen)
{
    (void)stop;
    bounded_state *b = state;
    (void)err; (void)errlen;
    b->bound_s = c->stream.watermark_bound;
    b->max_event_time = -INFINITY;
    return WM_OK;
}

static void bounded_observe(void *state, const workload_event *ev)
{
    bounded_state *b = state;
    if (ev->event_time > b->max_event_time)
        b->max_event_time = ev->event_time;
}

static double bounded_get(void *state, const watermark_input *in)
{
    const bounded_state *b = state;
    (void)in;
    return b->max_event_time - b->bound_s;
}

const watermark_type watermark_bounded = {
    "bounded", sizeof(bounded_state), 0, bounded_init, NULL,
    bounded_observe, bounded_get, never_changes, NULL
};

/* ------------------------------------------------------------- percentile */

/* A max-heap of doubles in a growable array (lib/vec's growth rule).  The
 * percentile policy keeps two: lo holds the k smallest delays, hi the
 * others negated (so that its top is their least). */
typedef struct dheap {
    double *v;
    size_t n, cap;
} dheap;

static void dheap_up(double *v, size_t i)
{
    double x = v[i];
    while (i > 0 && v[(i - 1) / 2] < x) {
        v[i] = v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    v[i] = x;
}

static void dheap_down(double *v, size_t n, size_t i)
{
    double x = v[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && v[c + 1] > v[c])
            c++;
        if (!(v[c] > x))
            break;
        v[i] = v[c];
        i = c;
    }
    v[i] = x;
}

static int dheap_push(dheap *h, double x)
{
    if (vec_ensure(&h->v, &h->cap, h->n + 1, sizeof *h->v) != VEC_OK)
        return WM_ERR;
    h->v[h->n] = x;
    dheap_up(h->v, h->n++);
    return WM_OK;
}

static double dheap_pop(dheap *h)
{
    double top = h->v[0];
    if (--h->n > 0) {
        h->v[0] = h->v[h->n];
        dheap_down(h->v, h->n, 0);
    }
    return top;
}

/* dst := src; WM_ERR (dst emptied) out of memory. */
static int dheap_copy(dheap *dst, const dheap *src)
{
    dst->n = 0;
    if (vec_ensure(&dst->v, &dst->cap, src->n, sizeof *dst->v) != VEC_OK)
        return WM_ERR;
    if (src->n)
        memcpy(dst->v, src->v, src->n * sizeof *src->v);
    dst->n = src->n;
    return WM_OK;
}

typedef struct pct_state {
    double q;
    dheap lo;              /* the k = pct_rank(q, n) smallest delays, max on top */
    dheap hi;              /* the n - k others, negated */
    double last_arrival;   /* latest arrival time read */
    double d_q;            /* the k-th smallest delay (INFINITY before any) */
    uint64_t n;            /* observations */
    int frozen;            /* out of memory once: d_q no longer moves */
} pct_state;

uint64_t watermark_pct_rank(double q, uint64_t n)
{
    double k = ceil(q * (double)n);
    if (k < 1)
        return n ? 1 : 0;
    return k > (double)n ? n : (uint64_t)k;
}

static int pct_init(void *state, const config_t *c, const volatile int *stop, char *err,
                    size_t errlen)
{
    pct_state *p = state;
    (void)stop; (void)err; (void)errlen;
    p->q = c->stream.watermark_percentile;
    p->last_arrival = -INFINITY;
    p->d_q = INFINITY;
    return WM_OK;
}

static void pct_free(void *state)
{
    pct_state *p = state;
    free(p->lo.v);
    free(p->hi.v);
}

/* Adds delay d and moves at most one element so that lo holds exactly the
 * k smallest (k grows by 0 or 1 per observation since q <= 1). */
static int pct_insert(pct_state *p, double d)
{
    uint64_t k = watermark_pct_rank(p->q, p->n + 1);
    int r = (p->lo.n > 0 && d < p->lo.v[0]) ? dheap_push(&p->lo, d) : dheap_push(&p->hi, -d);
    if (r != WM_OK)
        return WM_ERR;
    if (p->lo.n > k)
        r = dheap_push(&p->hi, -dheap_pop(&p->lo));
    else if (p->lo.n < k)
        r = dheap_push(&p->lo, -dheap_pop(&p->hi));
    return r;
}

static void pct_observe(void *state, const workload_event *ev)
{
    pct_state *p = state;
    p->last_arrival = ev->arrival_time;
    if (!p->frozen && pct_insert(p, ev->arrival_time - ev->event_time) != WM_OK)
        p->frozen = 1; /* a pop whose push failed lost one delay: stop here */
    p->n++;
    if (!p->frozen)
        p->d_q = p->lo.v[0];
}

static double pct_get(void *state, const watermark_input *in)
{
    const pct_state *p = state;
    (void)in;
    return p->n ? p->last_arrival - p->d_q : -INFINITY;
}

static void pct_copy(void *dst, const void *src)
{
    pct_state *d = dst;
    const pct_state *f = src;
    dheap lo = d->lo, hi = d->hi;
    *d = *f;
    d->lo = lo;
    d->hi = hi;
    if (dheap_copy(&d->lo, &f->lo) != WM_OK || dheap_copy(&d->hi, &f->hi) != WM_OK)
        d->frozen = 1;
}

const watermark_type watermark_percentile = {
    "percentile", sizeof(pct_state), 0, pct_init, pct_free,
    pct_observe, pct_get, never_changes, pct_copy
};

/* --------------------------------------------------------------- scripted */

typedef struct script_step {
    double time, wm;
} script_step;

typedef struct script_state {
    script_step *steps; /* owned, ascending time */
    size_t n;
    size_t cur;         /* steps[0..cur) have time <= the last now seen */
} script_state;

/* Parses one number of a row: strtod's syntax, then only the blanks in
 * `trail` (as the hand-written reader allowed before: blanks after the
 * time, blanks and line ends after the watermark).  1 on success. */
static int parse_num(const char *s, const char *trail, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (end == s || errno == ERANGE)
        return 0;
    end += strspn(end, trail);
    return *end == '\0';
}

static int script_init(void *state, const config_t *c, const volatile int *stop, char *err,
                       size_t errlen)
{
    static const csvread_opts opts = {
        .what = "watermark_file", .comment = '#', .line_max = WM_LINE_MAX};
    script_state *st = state;
    const char *path = c->stream.watermark_file;
    size_t cap = 0;
    csvread *f;
    csvread_record rec;
    int r;

    if (path[0] == '\0') {
        snprintf(err, errlen, "%s: stream.watermark = scripted needs stream.watermark_file",
                 c->path[0] ? c->path : "config");
        return WM_ERR;
    }
    f = csvread_open(path, &opts, stop, err, errlen);
    if (!f)
        return WM_ERR;
    while ((r = csvread_next(f, &rec)) == CSVREAD_RECORD) {
        const char *const *fl = (const char *const *)rec.fields;
        size_t line = rec.line;
        double t, w;
        if (fl[0][0] == '\r')
            continue; /* a line whose first non-blank is a CR counts as blank, as it always did */
        if (st->n == 0 && strncmp(fl[0], "time", 4) == 0)
            continue; /* header row */
        if (rec.nfields != 2 || !parse_num(fl[0], " \t", &t) ||
            !parse_num(fl[1], " \t\r\n", &w) || isnan(t) || isnan(w)) {
            snprintf(err, errlen, "%s:%zu: expected `time,watermark` (two numbers)", path, line);
            goto fail;
        }
        if (!isfinite(t) || t < 0) {
            snprintf(err, errlen, "%s:%zu: time %g must be finite and >= 0", path, line, t);
            goto fail;
        }
        if (st->n > 0 && t <= st->steps[st->n - 1].time) {
            snprintf(err, errlen, "%s:%zu: time %g is not after the previous row's %g",
                     path, line, t, st->steps[st->n - 1].time);
            goto fail;
        }
        if (st->n > 0 && w < st->steps[st->n - 1].wm) {
            snprintf(err, errlen,
                     "%s:%zu: watermark %g is below the previous row's %g (a watermark never goes back)",
                     path, line, w, st->steps[st->n - 1].wm);
            goto fail;
        }
        if (vec_ensure(&st->steps, &cap, st->n + 1, sizeof *st->steps) != VEC_OK) {
            snprintf(err, errlen, "%s:%zu: out of memory", path, line);
            goto fail;
        }
        st->steps[st->n].time = t;
        st->steps[st->n].wm = w;
        st->n++;
    }
    if (r == CSVREAD_ERR) {
        snprintf(err, errlen, "%s", csvread_error(f));
        goto fail;
    }
    if (st->n == 0) {
        snprintf(err, errlen, "%s:%zu: no `time,watermark` rows", path, csvread_lineno(f));
        goto fail;
    }
    csvread_close(f);
    return WM_OK;
fail:
    csvread_close(f);
    free(st->steps);
    st->steps = NULL;
    st->n = 0;
    return WM_ERR;
}

static void script_free(void *state)
{
    script_state *st = state;
    free(st->steps);
}

static void script_copy(void *dst, const void *src)
{
    ((script_state *)dst)->cur = ((const script_state *)src)->cur;
}

static void script_observe(void *state, const workload_event *ev)
{
    (void)state; (void)ev;
}

static void script_advance(script_state *st, double now)
{
    while (st->cur < st->n && st->steps[st->cur].time <= now)
        st->cur++;
}

static double script_get(void *state, const watermark_input *in)
{
    script_state *st = state;
    script_advance(st, in->now);
    return st->cur ? st->steps[st->cur - 1].wm : -INFINITY;
}

static double script_next(void *state, double now)
{
    script_state *st = state;
    script_advance(st, now);
    return st->cur < st->n ? st->steps[st->cur].time : INFINITY;
}

const watermark_type watermark_scripted = {
    "scripted", sizeof(script_state), 0, script_init, script_free,
    script_observe, script_get, script_next, script_copy
};

/* --------------------------------------------------------------- registry */

const watermark_type *const watermark_types[] = {
    &watermark_perfect,
    &watermark_bounded,
    &watermark_percentile,
    &watermark_scripted,
    NULL
};

const watermark_type *watermark_lookup(const char *name)
{
    size_t i;
    if (!name)
        return NULL;
    for (i = 0; watermark_types[i]; i++)
        if (strcmp(watermark_types[i]->name, name) == 0)
            return watermark_types[i];
    return NULL;
}

watermark_t *watermark_alloc(const watermark_type *t, const config_t *c, char *err, size_t errlen)
{
    return watermark_alloc_stop(t, c, NULL, err, errlen);
}

watermark_t *watermark_alloc_stop(const watermark_type *t, const config_t *c, const volatile int *stop, char *err,
                    size_t errlen)
{
    watermark_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "watermark: out of memory");
        return NULL;
    }
    w->type = t;
    w->state = calloc(1, t->size ? t->size : 1);
    if (!w->state) {
        snprintf(err, errlen, "watermark: out of memory");
        free(w);
        return NULL;
    }
    if (t->init(w->state, c, stop, err, errlen) != WM_OK) {
        free(w->state);
        free(w);
        return NULL;
    }
    return w;
}

void watermark_copy(watermark_t *dst, const watermark_t *src)
{
    if (src->type->copy)
        src->type->copy(dst->state, src->state);
    else
        memcpy(dst->state, src->state, src->type->size);
}

void watermark_free(watermark_t *w)
{
    if (!w)
        return;
    if (w->type->free)
        w->type->free(w->state);
    free(w->state);
    free(w);
}
