/*
 * heap.c: binary min-heap (see lib/heap.h).  Both sifts move a hole
 * instead of swapping: one copy per level.
 */
#include "lib/heap.h"

#include <assert.h>
#include <string.h>

static inline void *at(const heap *h, size_t i)
{
    return (char *)h->a.data + i * h->a.size;
}

static inline void put(heap *h, size_t i, const void *x)
{
    memcpy(at(h, i), x, h->a.size);
}

void heap_init(heap *h, size_t size, heap_less_fn less)
{
    vec_init(&h->a, size);
    h->less = less;
}

int heap_push(heap *h, const void *elem)
{
    /* room for the new element and a scratch copy of it behind it */
    if (vec_reserve(&h->a, h->a.n + 2) != VEC_OK)
        return VEC_ERR;
    size_t i = h->a.n;
    void *x = at(h, i + 1);
    memcpy(x, elem, h->a.size);
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!h->less(x, at(h, p)))
            break;
        put(h, i, at(h, p));
        i = p;
    }
    put(h, i, x);
    h->a.n++;
    return VEC_OK;
}

void heap_pop(heap *h, void *out)
{
    assert(h->a.n > 0);
    if (out)
        memcpy(out, at(h, 0), h->a.size);
    size_t n = --h->a.n, i = 0;
    const void *x = at(h, n); /* the last element, outside [0, n) now */
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h->less(at(h, c + 1), at(h, c)))
            c++;
        if (!h->less(at(h, c), x))
            break;
        put(h, i, at(h, c));
        i = c;
    }
    if (n > 0)
        put(h, i, x);
}

void heap_clear(heap *h)
{
    h->a.n = 0;
}

void heap_free(heap *h)
{
    vec_free(&h->a);
}
