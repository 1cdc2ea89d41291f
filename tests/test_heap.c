/* Tests of lib/heap.c: pops come out least first (known answers), the
 * array after every push and pop is the one the textbook swap-based heap
 * holds (so equal elements keep the pop order the hand-written heaps of
 * exec/ had), failed growth is not tried here (vec's tests cover it),
 * clear and reuse. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "lib/heap.h"

typedef struct ent {
    double key;
    uint32_t tag; /* not compared: shows where equal keys go */
} ent;

static int ent_less(const void *a, const void *b)
{
    return ((const ent *)a)->key < ((const ent *)b)->key;
}

/* The reference: swap-based sifts, written out as in the old
 * exec/stream/windows.c deadline heap. */
typedef struct ref {
    ent v[4096];
    size_t n;
} ref;

static void ref_push(ref *r, ent x)
{
    size_t i = r->n++;
    r->v[i] = x;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!(r->v[i].key < r->v[p].key))
            break;
        ent t = r->v[p];
        r->v[p] = r->v[i];
        r->v[i] = t;
        i = p;
    }
}

static ent ref_pop(ref *r)
{
    ent top = r->v[0];
    size_t i = 0;
    r->v[0] = r->v[--r->n];
    for (;;) {
        size_t l = 2 * i + 1, rr = l + 1, m = i;
        if (l < r->n && r->v[l].key < r->v[m].key)
            m = l;
        if (rr < r->n && r->v[rr].key < r->v[m].key)
            m = rr;
        if (m == i)
            break;
        ent t = r->v[m];
        r->v[m] = r->v[i];
        r->v[i] = t;
        i = m;
    }
    return top;
}

Test(heap, pops_least_first)
{
    static const double in[] = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0 };
    heap h;
    heap_init(&h, sizeof(ent), ent_less);
    cr_assert_null(heap_top(&h));
    for (uint32_t i = 0; i < 10; i++) {
        ent e = { in[i], i };
        cr_assert_eq(heap_push(&h, &e), VEC_OK);
    }
    cr_assert_eq(heap_len(&h), 10);
    for (int k = 0; k < 10; k++) {
        const ent *t = heap_top(&h);
        cr_assert_eq(t->key, k);
        ent e;
        heap_pop(&h, &e);
        cr_assert_eq(e.key, k);
        cr_assert_eq(in[e.tag], k);
    }
    cr_assert_eq(heap_len(&h), 0);
    cr_assert_null(heap_top(&h));
    heap_free(&h);
}

Test(heap, same_arrays_as_the_swap_heap_ties_included)
{
    static ref r;
    heap h;
    heap_init(&h, sizeof(ent), ent_less);
    r.n = 0;
    uint64_t s = 88172645463325252u;
    for (uint32_t step = 0; step < 20000; step++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        if (r.n < 4000 && (r.n == 0 || s % 3 != 0)) {
            ent e = { (double)(s >> 40 & 15), step }; /* 16 keys: many ties */
            ref_push(&r, e);
            cr_assert_eq(heap_push(&h, &e), VEC_OK);
        } else {
            ent want = ref_pop(&r), got;
            heap_pop(&h, step & 1 ? &got : NULL);
            if (step & 1)
                cr_assert(got.key == want.key && got.tag == want.tag, "step %u", step);
        }
        cr_assert_eq(heap_len(&h), r.n);
        const ent *v = h.a.data;
        for (size_t i = 0; i < r.n; i++)
            cr_assert(v[i].key == r.v[i].key && v[i].tag == r.v[i].tag, "step %u slot %zu", step, i);
    }
    heap_free(&h);
}

Test(heap, clear_keeps_memory_and_reuses)
{
    heap h;
    heap_init(&h, sizeof(ent), ent_less);
    for (uint32_t i = 0; i < 100; i++) {
        ent e = { 100.0 - i, i };
        cr_assert_eq(heap_push(&h, &e), VEC_OK);
    }
    void *mem = h.a.data;
    heap_clear(&h);
    cr_assert_eq(heap_len(&h), 0);
    cr_assert_null(heap_top(&h));
    ent e = { 7, 1 };
    cr_assert_eq(heap_push(&h, &e), VEC_OK);
    cr_assert_eq(h.a.data, mem);
    cr_assert_eq(((const ent *)heap_top(&h))->key, 7);
    heap_free(&h);
    cr_assert_eq(heap_len(&h), 0);
    heap_free(&h); /* twice is fine */
}
