/*
 * eq: pending-event set as an implicit 4-ary min-heap with a slot table.
 *
 * Layout (chosen with the hold-model benchmark of `make bench`, figure 4:
 * at 10^6 pending events this layout is about twice as fast as one that
 * keeps each entry's heap position up to date)
 *  - heap[0..n): 16-byte entries (time, slot), ordered by (time, seq) where
 *    seq, the insertion sequence number, lives in the slot: it is only
 *    read when two times are equal, which is rare, so the entries stay
 *    small.  The children of i are 4i+1 .. 4i+4, its parent (i-1)/4.  The
 *    array is placed so that &heap[1] is 64-byte aligned: the four
 *    children of any node then fill exactly one cache line, so a level of
 *    sift-down costs at most one cache miss.
 *  - slots[0..cap): what was scheduled (fn, arg, data), its seq, a
 *    generation and a state (free, pending, cancelled).  Entries do not
 *    know their heap position (keeping it up to date costs a random write
 *    per level of every sift), so cancelling is lazy: event_queue_cancel marks the
 *    slot cancelled and the entry stays in the heap, in its place (its
 *    key does not change), until it reaches the top, where it is dropped
 *    and its slot freed.  The top entry is always a pending one (every pop
 *    and cancel drops cancelled entries that reach the top), so
 *    event_queue_peek_time stays O(1).
 *  - Generations: odd while pending, even otherwise; they go up by one on
 *    every allocation and on every pop or cancel, so a handle
 *    (generation << 32 | slot + 1) names exactly one scheduling of a slot.
 *    (A slot would have to be reused 2^31 times for a stale handle to
 *    match again.)
 *  - The heap and the slots have the same capacity (every entry holds one
 *    slot) and grow together by doubling.
 *  - Memory: a cancelled event holds its entry and slot until its time
 *    comes, so the queue holds the events scheduled and not yet due,
 *    cancelled or not.
 */
#include "engine/event_queue.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EQ_NONE UINT32_MAX /* end of the free list */
#define EQ_MIN_CAP 16u
#define EQ_LINE 64u        /* cache line, bytes */

enum { SLOT_FREE = 0, SLOT_PENDING = 1, SLOT_CANCELLED = 2 };

typedef struct event_queue_entry {
    double time;
    uint32_t slot;
    uint32_t pad; /* keeps the entry at 16 bytes: 4 per cache line */
} event_queue_entry;

typedef struct event_queue_slot {
    event_queue_fn fn;
    void *arg;
    uint64_t data;
    uint64_t seq;       /* insertion order, the tie-break of equal times */
    uint32_t gen;       /* odd: pending, even otherwise */
    uint16_t state;     /* SLOT_* */
    uint16_t pad;
    uint32_t next_free; /* free list link (free slots only) */
} event_queue_slot;

struct eq {
    event_queue_entry *heap;    /* = heap_mem + 3 entries, see the layout above */
    void *heap_mem;
    event_queue_slot *slots;
    uint32_t n;        /* entries in the heap, cancelled ones included */
    uint32_t live;     /* pending events */
    uint32_t cap;      /* capacity of heap and slots */
    uint32_t free_head;
    uint64_t next_seq;
};

_Static_assert(sizeof(event_queue_entry) == 16, "four heap entries per cache line");

static inline int entry_less(const event_queue_t *q, const event_queue_entry *a, const event_queue_entry *b)
{
    return a->time < b->time ||
           (a->time == b->time && q->slots[a->slot].seq < q->slots[b->slot].seq);
}

/* Adds slots [from, to) to the free list, lowest index first out. */
static void push_free_range(event_queue_t *q, uint32_t from, uint32_t to)
{
    for (uint32_t i = to; i-- > from;) {
        memset(&q->slots[i], 0, sizeof q->slots[i]);
        q->slots[i].next_free = q->free_head;
        q->free_head = i;
    }
}

/* Asks the kernel for transparent huge pages on a big array (a hint; any
 * failure is ignored): with 10^6 pending events the heap and the slots
 * span tens of MB, and with 4 KB pages nearly every deep sift step and
 * every slot read also misses the TLB (hold benchmark, 10^6 pending:
 * about 10% faster). */
static void hint_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (bytes < ((size_t)2 << 20))
        return;
    long pg = sysconf(_SC_PAGESIZE);
    if (pg <= 0)
        return;
    uintptr_t a = (uintptr_t)p & ~((uintptr_t)pg - 1);
    (void)madvise((void *)a, bytes + ((uintptr_t)p - a), MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

static int grow(event_queue_t *q, uint32_t want)
{
    if (want <= q->cap)
        return EQ_OK;
    uint32_t cap = q->cap ? q->cap : EQ_MIN_CAP;
    while (cap < want) {
        if (cap > UINT32_MAX / 2)
            return EQ_ERR;
        cap *= 2;
    }
    /* The heap: 3 spare entries in front so that &heap[1] is aligned. */
    size_t bytes = ((size_t)cap + 3) * sizeof(event_queue_entry);
    bytes = (bytes + EQ_LINE - 1) / EQ_LINE * EQ_LINE;
    void *mem = aligned_alloc(EQ_LINE, bytes);
    if (mem == NULL)
        return EQ_ERR;
    hint_huge(mem, bytes);
    event_queue_entry *heap = (event_queue_entry *)mem + 3;
    if (q->n)
        memcpy(heap, q->heap, (size_t)q->n * sizeof *heap);
    free(q->heap_mem);
    q->heap_mem = mem;
    q->heap = heap;
    event_queue_slot *slots = realloc(q->slots, (size_t)cap * sizeof *slots);
    if (slots == NULL)
        return EQ_ERR;
    hint_huge(slots, (size_t)cap * sizeof *slots);
    q->slots = slots;
    uint32_t old = q->cap;
    q->cap = cap;
    push_free_range(q, old, cap);
    return EQ_OK;
}

event_queue_t *event_queue_alloc(size_t hint)
{
    event_queue_t *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->free_head = EQ_NONE;
    if (hint > UINT32_MAX / 2)
        hint = UINT32_MAX / 2;
    if (grow(q, hint < EQ_MIN_CAP ? EQ_MIN_CAP : (uint32_t)hint) != EQ_OK) {
        event_queue_free(q);
        return NULL;
    }
    return q;
}

void event_queue_free(event_queue_t *q)
{
    if (q == NULL)
        return;
    free(q->heap_mem);
    free(q->slots);
    free(q);
}

/* Moves entry e up from hole i to its place. */
static void sift_up(event_queue_t *q, uint32_t i, event_queue_entry e)
{
    event_queue_entry *h = q->heap;
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        if (!entry_less(q, &e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* Moves entry e down from hole i to its place. */
static void sift_down(event_queue_t *q, uint32_t i, event_queue_entry e)
{
    event_queue_entry *h = q->heap;
    uint32_t n = q->n;
    for (;;) {
        uint64_t c0 = 4 * (uint64_t)i + 1;
        if (c0 >= n)
            break;
        uint32_t best = (uint32_t)c0;
        uint32_t end = c0 + 4 < n ? (uint32_t)c0 + 4 : n;
        for (uint32_t c = best + 1; c < end; c++)
            if (entry_less(q, &h[c], &h[best]))
                best = c;
        if (!entry_less(q, &h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

/* Slot index of a handle naming a pending event, or EQ_NONE. */
static uint32_t handle_slot(const event_queue_t *q, event_queue_handle h)
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

static void free_slot(event_queue_t *q, uint32_t s)
{
    q->slots[s].state = SLOT_FREE;
    q->slots[s].next_free = q->free_head;
    q->free_head = s;
}

/* Removes the top entry (its slot is the caller's business). */
static void remove_top(event_queue_t *q)
{
    uint32_t last = --q->n;
    if (last > 0)
        sift_down(q, 0, q->heap[last]);
}

/* Drops cancelled entries from the top, so that the top is pending. */
static void drop_cancelled(event_queue_t *q)
{
    if (q->n == q->live)
        return;
    while (q->n > 0 && q->slots[q->heap[0].slot].state == SLOT_CANCELLED) {
        uint32_t s = q->heap[0].slot;
        remove_top(q);
        free_slot(q, s);
    }
}

event_queue_handle event_queue_schedule(event_queue_t *q, double time, event_queue_fn fn, void *arg, uint64_t data)
{
    assert(q != NULL && !isnan(time));
    if (q->free_head == EQ_NONE) {
        if (q->cap > UINT32_MAX / 2 || grow(q, q->cap * 2) != EQ_OK)
            return 0;
    }
    uint32_t s = q->free_head;
    event_queue_slot *sl = &q->slots[s];
    q->free_head = sl->next_free;
    sl->fn = fn;
    sl->arg = arg;
    sl->data = data;
    sl->seq = q->next_seq++;
    sl->gen++; /* even -> odd: pending */
    sl->state = SLOT_PENDING;
    event_queue_entry e = {time, s, 0};
    sift_up(q, q->n++, e);
    q->live++;
    return ((uint64_t)sl->gen << 32) | ((uint64_t)s + 1);
}

int event_queue_cancel(event_queue_t *q, event_queue_handle h)
{
    uint32_t s = handle_slot(q, h);
    if (s == EQ_NONE)
        return EQ_ERR;
    q->slots[s].gen++; /* odd -> even: the handle goes stale */
    q->slots[s].state = SLOT_CANCELLED;
    q->live--;
    drop_cancelled(q);
    return EQ_OK;
}

/* O(log n): the event is scheduled anew under a new slot and handle (the
 * heap entries do not track their position, see the layout above), then
 * the old entry is cancelled lazily like any other. */
int event_queue_reschedule(event_queue_t *q, event_queue_handle *h, double time)
{
    assert(h != NULL && !isnan(time));
    uint32_t s = handle_slot(q, *h);
    if (s == EQ_NONE)
        return EQ_ERR;
    event_queue_fn fn = q->slots[s].fn;
    void *arg = q->slots[s].arg;
    uint64_t data = q->slots[s].data;
    event_queue_handle moved = event_queue_schedule(q, time, fn, arg, data); /* may grow q */
    if (moved == 0)
        return EQ_ERR; /* out of memory: the event stays where it was */
    int rc = event_queue_cancel(q, *h);
    assert(rc == EQ_OK);
    (void)rc;
    *h = moved;
    return EQ_OK;
}

int event_queue_pending(const event_queue_t *q, event_queue_handle h)
{
    return handle_slot(q, h) != EQ_NONE;
}

int event_queue_pop(event_queue_t *q, event_queue_item *out)
{
    if (q->live == 0)
        return EQ_ERR;
    uint32_t s = q->heap[0].slot; /* pending: see drop_cancelled */
    event_queue_slot *sl = &q->slots[s];
    out->time = q->heap[0].time;
    out->fn = sl->fn;
    out->arg = sl->arg;
    out->data = sl->data;
    sl->gen++; /* odd -> even: fired */
    q->live--;
    remove_top(q);
    free_slot(q, s);
    drop_cancelled(q);
    /* The next pop reads the new top's slot: start that load now. */
    if (q->n > 0)
        __builtin_prefetch(&q->slots[q->heap[0].slot]);
    return EQ_OK;
}

double event_queue_peek_time(const event_queue_t *q)
{
    return q->live ? q->heap[0].time : INFINITY;
}

size_t event_queue_size(const event_queue_t *q)
{
    return q->live;
}
