/*
 * eq: pending-event set as an implicit 4-ary min-heap with a slot table.
 *
 * Layout
 *  - heap[0..n): entries (time, seq, slot), ordered by (time, seq).  The
 *    children of i are 4i+1 .. 4i+4, its parent (i-1)/4.  A 4-ary heap is
 *    half as deep as a binary one and its four children share a cache
 *    line or two, which makes pop (the dominant operation) cheaper.
 *  - slots[0..cap): what was scheduled (fn, arg, data), the entry's heap
 *    position and a generation.  A slot in use has an odd generation; a
 *    free slot an even one and its `pos` links the free list.  Generations
 *    go up by one on every allocation and every release, so a handle
 *    (generation << 32 | slot + 1) names exactly one scheduling of a slot:
 *    after the event fires or is cancelled the handle no longer matches.
 *    (A slot would have to be reused 2^31 times for a stale handle to
 *    match again.)
 *  - Both arrays have the same capacity (there are never more entries than
 *    slots in use) and grow together by doubling.
 */
#include "eq.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#define EQ_NONE UINT32_MAX /* end of the free list */
#define EQ_MIN_CAP 16u

typedef struct eq_entry {
    double time;
    uint64_t seq;
    uint32_t slot;
} eq_entry;

typedef struct eq_slot {
    eq_fn fn;
    void *arg;
    uint64_t data;
    uint32_t pos; /* heap index when in use, next free slot when free */
    uint32_t gen; /* odd: in use, even: free */
} eq_slot;

struct eq {
    eq_entry *heap;
    eq_slot *slots;
    uint32_t n;        /* entries in the heap */
    uint32_t cap;      /* capacity of heap and slots */
    uint32_t free_head;
    uint64_t next_seq;
};

static inline int entry_less(const eq_entry *a, const eq_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Adds slots [from, to) to the free list, lowest index first out. */
static void push_free_range(eq_t *q, uint32_t from, uint32_t to)
{
    for (uint32_t i = to; i-- > from;) {
        q->slots[i].fn = NULL;
        q->slots[i].arg = NULL;
        q->slots[i].data = 0;
        q->slots[i].gen = 0;
        q->slots[i].pos = q->free_head;
        q->free_head = i;
    }
}

static int grow(eq_t *q, uint32_t want)
{
    if (want <= q->cap)
        return EQ_OK;
    uint32_t cap = q->cap ? q->cap : EQ_MIN_CAP;
    while (cap < want) {
        if (cap > UINT32_MAX / 2)
            return EQ_ERR;
        cap *= 2;
    }
    eq_entry *heap = realloc(q->heap, (size_t)cap * sizeof *heap);
    if (heap == NULL)
        return EQ_ERR;
    q->heap = heap;
    eq_slot *slots = realloc(q->slots, (size_t)cap * sizeof *slots);
    if (slots == NULL)
        return EQ_ERR;
    q->slots = slots;
    uint32_t old = q->cap;
    q->cap = cap;
    push_free_range(q, old, cap);
    return EQ_OK;
}

eq_t *eq_alloc(size_t hint)
{
    eq_t *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->free_head = EQ_NONE;
    if (hint > UINT32_MAX / 2)
        hint = UINT32_MAX / 2;
    if (grow(q, hint < EQ_MIN_CAP ? EQ_MIN_CAP : (uint32_t)hint) != EQ_OK) {
        eq_free(q);
        return NULL;
    }
    return q;
}

void eq_free(eq_t *q)
{
    if (q == NULL)
        return;
    free(q->heap);
    free(q->slots);
    free(q);
}

/* Moves entry e up from hole i to its place. */
static void sift_up(eq_t *q, uint32_t i, eq_entry e)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        if (!entry_less(&e, &q->heap[p]))
            break;
        q->heap[i] = q->heap[p];
        q->slots[q->heap[i].slot].pos = i;
        i = p;
    }
    q->heap[i] = e;
    q->slots[e.slot].pos = i;
}

/* Moves entry e down from hole i to its place. */
static void sift_down(eq_t *q, uint32_t i, eq_entry e)
{
    uint32_t n = q->n;
    for (;;) {
        uint64_t c0 = 4 * (uint64_t)i + 1;
        if (c0 >= n)
            break;
        uint32_t best = (uint32_t)c0;
        uint32_t end = c0 + 4 < n ? (uint32_t)c0 + 4 : n;
        for (uint32_t c = best + 1; c < end; c++)
            if (entry_less(&q->heap[c], &q->heap[best]))
                best = c;
        if (!entry_less(&q->heap[best], &e))
            break;
        q->heap[i] = q->heap[best];
        q->slots[q->heap[i].slot].pos = i;
        i = best;
    }
    q->heap[i] = e;
    q->slots[e.slot].pos = i;
}

/* Puts entry e (which changed) at hole i, up or down as needed. */
static void fix(eq_t *q, uint32_t i, eq_entry e)
{
    if (i > 0 && entry_less(&e, &q->heap[(i - 1) / 4]))
        sift_up(q, i, e);
    else
        sift_down(q, i, e);
}

/* Slot index of a handle naming a pending event, or EQ_NONE. */
static uint32_t handle_slot(const eq_t *q, eq_handle h)
{
    uint64_t s1 = h & 0xffffffffULL;
    uint32_t gen = (uint32_t)(h >> 32);
    if (s1 == 0 || s1 > q->cap)
        return EQ_NONE;
    uint32_t s = (uint32_t)(s1 - 1);
    if (q->slots[s].gen != gen || (gen & 1u) == 0)
        return EQ_NONE;
    return s;
}

static void release_slot(eq_t *q, uint32_t s)
{
    eq_slot *sl = &q->slots[s];
    sl->gen++; /* odd -> even: free; stale handles stop matching */
    sl->pos = q->free_head;
    q->free_head = s;
}

/* Removes the heap entry at i (its slot is released by the caller). */
static void heap_remove_at(eq_t *q, uint32_t i)
{
    uint32_t last = --q->n;
    if (i != last)
        fix(q, i, q->heap[last]);
}

eq_handle eq_schedule(eq_t *q, double time, eq_fn fn, void *arg, uint64_t data)
{
    assert(q != NULL && !isnan(time));
    if (q->free_head == EQ_NONE) {
        if (q->cap > UINT32_MAX / 2 || grow(q, q->cap * 2) != EQ_OK)
            return 0;
    }
    uint32_t s = q->free_head;
    eq_slot *sl = &q->slots[s];
    q->free_head = sl->pos;
    sl->fn = fn;
    sl->arg = arg;
    sl->data = data;
    sl->gen++; /* even -> odd: in use */
    eq_entry e = { time, q->next_seq++, s };
    sift_up(q, q->n++, e);
    return ((uint64_t)sl->gen << 32) | ((uint64_t)s + 1);
}

int eq_cancel(eq_t *q, eq_handle h)
{
    uint32_t s = handle_slot(q, h);
    if (s == EQ_NONE)
        return EQ_ERR;
    heap_remove_at(q, q->slots[s].pos);
    release_slot(q, s);
    return EQ_OK;
}

int eq_reschedule(eq_t *q, eq_handle h, double time)
{
    assert(!isnan(time));
    uint32_t s = handle_slot(q, h);
    if (s == EQ_NONE)
        return EQ_ERR;
    uint32_t i = q->slots[s].pos;
    eq_entry e = { time, q->next_seq++, s };
    fix(q, i, e);
    return EQ_OK;
}

int eq_pending(const eq_t *q, eq_handle h)
{
    return handle_slot(q, h) != EQ_NONE;
}

/* Pop moves the hole at the root down along the smallest children to a
 * leaf (3 comparisons per level instead of 4), then sifts the last entry
 * up from there: it came from the bottom, so it rarely climbs far. */
int eq_pop(eq_t *q, eq_item *out)
{
    if (q->n == 0)
        return EQ_ERR;
    uint32_t s = q->heap[0].slot;
    const eq_slot *sl = &q->slots[s];
    out->time = q->heap[0].time;
    out->fn = sl->fn;
    out->arg = sl->arg;
    out->data = sl->data;
    uint32_t n = --q->n;
    if (n > 0) {
        uint32_t i = 0;
        for (;;) {
            uint64_t c0 = 4 * (uint64_t)i + 1;
            if (c0 >= n)
                break;
            uint32_t best = (uint32_t)c0;
            uint32_t end = c0 + 4 < n ? (uint32_t)c0 + 4 : n;
            for (uint32_t c = best + 1; c < end; c++)
                if (entry_less(&q->heap[c], &q->heap[best]))
                    best = c;
            q->heap[i] = q->heap[best];
            q->slots[q->heap[i].slot].pos = i;
            i = best;
        }
        sift_up(q, i, q->heap[n]);
    }
    release_slot(q, s);
    return EQ_OK;
}

double eq_peek_time(const eq_t *q)
{
    return q->n ? q->heap[0].time : INFINITY;
}

size_t eq_size(const eq_t *q)
{
    return q->n;
}
