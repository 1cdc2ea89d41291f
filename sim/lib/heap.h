/*
 * heap: a binary min-heap of fixed-size elements under a caller's order.
 *
 * Rules of this module
 *  - Elements are `size` bytes, copied in and out (no pointers kept).
 *    The order is a strict "less" function given at heap_init; it must be
 *    a strict weak order (for equal elements the pop order is not
 *    specified by the order but is still deterministic: it depends only
 *    on the sequence of pushes and pops).
 *  - The array form is the textbook one: children of i are 2i+1 and 2i+2;
 *    push sifts up while the new element is less than its parent, pop
 *    moves the last element into the hole and sifts it down towards the
 *    lesser child (the left one when neither is less).  So two heaps that
 *    see the same pushes and pops hold the same arrays.
 *  - O(log n) push and pop, O(1) top.  Memory grows by lib/vec's rule
 *    (never shrinks); heap_clear keeps it.  A failed push returns VEC_ERR
 *    and leaves the heap as it was.  Nothing prints or aborts.
 *  - No model knowledge: the callers (exec/jobs.c's window stores,
 *    exec/stream/windows.c's deadlines) bring the order.
 */
#ifndef SLUICE_HEAP_H
#define SLUICE_HEAP_H

#include <stddef.h>

#include "lib/vec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nonzero when a comes strictly before b. */
typedef int (*heap_less_fn)(const void *a, const void *b);

typedef struct heap {
    vec a;               /* a.n elements in heap order, plus one scratch */
    heap_less_fn less;
} heap;

/* An empty heap of elements of size bytes (allocates nothing). */
void heap_init(heap *h, size_t size, heap_less_fn less);

static inline size_t heap_len(const heap *h)
{
    return h->a.n;
}

/* The least element, or NULL when the heap is empty.  Valid until the
 * next push or pop. */
static inline const void *heap_top(const heap *h)
{
    return h->a.n ? h->a.data : NULL;
}

/* Adds a copy of elem (which must not point into the heap).  VEC_OK, or
 * VEC_ERR out of memory (heap unchanged). */
int heap_push(heap *h, const void *elem);

/* Removes the least element, copying it to out (NULL: dropped).  The heap
 * must not be empty. */
void heap_pop(heap *h, void *out);

/* Empties the heap (memory kept). */
void heap_clear(heap *h);

/* Frees the memory; the heap is empty and reusable afterwards. */
void heap_free(heap *h);

#ifdef __cplusplus
}
#endif

#endif
