/*
 * stream/slices.c: shared visibility records of fixed windows (see
 * stream/slices.h).
 */
#include "exec/stream/slices.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vec.h"

int stream_slices_init(stream_slices *s, stream_sink *out)
{
    s->out = out;
    s->keys = wmap_alloc(sizeof(stream_slice_key));
    return s->keys ? 0 : -1;
}

static void free_arrays(stream_slices *s)
{
    size_t pos = 0;
    stream_slice_key *k;
    while ((k = wmap_next(s->keys, &pos, NULL)) != NULL)
        free(k->v);
}

void stream_slices_free(stream_slices *s)
{
    if (!s->keys)
        return;
    free_arrays(s);
    wmap_free(s->keys);
    s->keys = NULL;
}

void stream_slices_clear(stream_slices *s)
{
    free_arrays(s);
    wmap_clear(s->keys);
}

/* (b, a) order. */
static int slice_before(const stream_slice *x, double b, double a)
{
    return x->b < b || (x->b == b && x->a < a);
}

/* The first slice of k not before (b, a). */
static size_t lower_bound(const stream_slice_key *k, double b, double a)
{
    size_t lo = 0, hi = k->n;
    /* events come mostly in time order: try the end first */
    if (hi > 0 && slice_before(&k->v[hi - 1], b, a))
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slice_before(&k->v[mid], b, a))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int stream_slices_add(stream_slices *s, uint32_t key, double a, double b, uint32_t v)
{
    stream_slice_key *k = wmap_put(s->keys, key, 0, 0, NULL);
    if (!k)
        return -1;
    size_t i = lower_bound(k, b, a);
    if (i == k->n || k->v[i].b != b || k->v[i].a != a) {
        if (vec_ensure(&k->v, &k->cap, k->n + 1, sizeof *k->v) != VEC_OK)
            return -1;
        memmove(&k->v[i + 1], &k->v[i], (k->n - i) * sizeof *k->v);
        k->n++;
        k->v[i] = (stream_slice){b, a, 0, 0};
    }
    stream_sink_append(s->out, &k->v[i].head, &k->v[i].tail, v, v);
    return 0;
}

uint32_t stream_slices_take(stream_slices *s, uint32_t key, window_t w)
{
    stream_slice_key *k = wmap_get(s->keys, key, 0, 0);
    uint32_t head = 0, tail = 0;
    if (!k)
        return 0;
    size_t i = lower_bound(k, w.start, -INFINITY), o = i;
    for (; i < k->n && k->v[i].b < w.end; i++) {
        stream_slice *x = &k->v[i];
        if (x->a <= w.start)
            stream_sink_append(s->out, &head, &tail, x->head, x->tail);
        else
            k->v[o++] = *x; /* not in w: late for it */
    }
    memmove(&k->v[o], &k->v[i], (k->n - i) * sizeof *k->v);
    k->n -= i - o;
    if (k->n == 0) {
        free(k->v);
        wmap_del(s->keys, key, 0, 0);
    }
    return head;
}

int stream_slices_sorted(const stream_slices *s, wmap_key **keys, void ***vals, size_t *n)
{
    *n = wmap_size(s->keys);
    return wmap_sorted(s->keys, keys, vals);
}
