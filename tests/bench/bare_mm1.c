/*
 * bare_mm1.c: a minimal M/M/1 on a bare 4-ary heap (see bare_mm1.h).
 *
 * This is the ceiling sluice is measured against: the least a C event loop
 * can do for this model.  Two events kinds (arrival, departure), at most
 * two pending at a time, a FIFO ring buffer of arrival times for the
 * sojourn time, two PCG32 streams (arrivals, service).
 */
#include "bare_mm1.h"

#include <math.h>
#include <stdlib.h>

void bare_rng_seed(bare_rng *r, uint64_t initstate, uint64_t initseq)
{
    r->state = 0u;
    r->inc = (initseq << 1u) | 1u;
    (void)bare_rng_next(r);
    r->state += initstate;
    (void)bare_rng_next(r);
}

double bare_rng_exp(bare_rng *r, double mean)
{
    double u = (double)bare_rng_next(r) / 4294967296.0; /* [0, 1) */
    return -mean * log1p(-u);
}

/* ---- heap ---- */

static inline int less(const bheap_entry *a, const bheap_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->id < b->id);
}

int bheap_init(bheap *h, size_t cap)
{
    h->n = 0;
    h->cap = cap < 16 ? 16 : cap;
    h->v = malloc(h->cap * sizeof *h->v);
    return h->v ? 0 : -1;
}

void bheap_free(bheap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

int bheap_push(bheap *h, double time, uint64_t id)
{
    if (h->n == h->cap) {
        bheap_entry *v = realloc(h->v, 2 * h->cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap *= 2;
    }
    bheap_entry e = {time, id};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!less(&e, &h->v[p]))
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = e;
    return 0;
}

int bheap_pop(bheap *h, bheap_entry *out)
{
    if (h->n == 0)
        return -1;
    *out = h->v[0];
    size_t n = --h->n;
    if (n == 0)
        return 0;
    bheap_entry e = h->v[n];
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (less(&h->v[k], &h->v[best]))
                best = k;
        if (!less(&h->v[best], &e))
            break;
        h->v[i] = h->v[best];
        i = best;
    }
    h->v[i] = e;
    return 0;
}

/* ---- M/M/1 ---- */

enum { EV_ARRIVAL = 0, EV_DEPARTURE = 1 };

int bare_mm1_run(uint64_t customers, double lambda, double mu, uint64_t seed,
                 bare_mm1_result *out)
{
    bare_rng arr, svc;
    bare_rng_seed(&arr, seed, 1);
    bare_rng_seed(&svc, seed, 2);
    bheap h;
    if (bheap_init(&h, 16) != 0)
        return -1;
    size_t fcap = 1024, head = 0, len = 0; /* FIFO ring of arrival times */
    double *fifo = malloc(fcap * sizeof *fifo);
    if (!fifo) {
        bheap_free(&h);
        return -1;
    }
    uint64_t seq = 0, arrived = 0, departed = 0, events = 0;
    double sojourn = 0, now = 0;
    int rc = 0;
    if (customers > 0)
        rc = bheap_push(&h, bare_rng_exp(&arr, 1.0 / lambda), seq++ << 1 | EV_ARRIVAL);
    bheap_entry e;
    while (rc == 0 && bheap_pop(&h, &e) == 0) {
        now = e.time;
        events++;
        if ((e.id & 1) == EV_ARRIVAL) {
            arrived++;
            if (arrived < customers)
                rc |= bheap_push(&h, now + bare_rng_exp(&arr, 1.0 / lambda), seq++ << 1 | EV_ARRIVAL);
            if (len == fcap) { /* grow the ring, unwrapping it */
                double *f = malloc(2 * fcap * sizeof *f);
                if (!f) {
                    rc = -1;
                    break;
                }
                for (size_t k = 0; k < len; k++)
                    f[k] = fifo[(head + k) & (fcap - 1)];
                free(fifo);
                fifo = f;
                head = 0;
                fcap *= 2;
            }
            fifo[(head + len++) & (fcap - 1)] = now;
            if (len == 1) /* server was idle */
                rc |= bheap_push(&h, now + bare_rng_exp(&svc, 1.0 / mu), seq++ << 1 | EV_DEPARTURE);
        } else {
            sojourn += now - fifo[head];
            head = (head + 1) & (fcap - 1);
            len--;
            departed++;
            if (len > 0)
                rc |= bheap_push(&h, now + bare_rng_exp(&svc, 1.0 / mu), seq++ << 1 | EV_DEPARTURE);
        }
    }
    free(fifo);
    bheap_free(&h);
    if (rc != 0)
        return -1;
    out->events = events;
    out->customers = departed;
    out->mean_sojourn = departed ? sojourn / (double)departed : NAN;
    out->end_time = now;
    return 0;
}
