/*
 * idpool: a pool of fixed-size records named by 1-based uint32 indices,
 * freed records reused first.
 *
 * Rules of this module
 *  - The records live in the caller's typed array (T *v, as lib/vec's
 *    vec_grow form), so that hot code indexes v[i] directly; idpool_get
 *    takes the address of that pointer and may move the array.  The pool
 *    holds the bookkeeping: records 1..used exist, slot 0 is never handed
 *    out, so 0 means "none" in the caller's links.
 *  - Freed records form a free list through a uint32_t field of the
 *    record itself (its offset given at idpool_init; the caller's own list
 *    link, typically), so freeing costs nothing and never fails.  The
 *    last record freed is the first reused (LIFO); then new records at
 *    the end.  idpool_get does not initialise the record.
 *  - Memory grows by lib/vec's rule (16, then doubling) and is never
 *    shrunk; idpool_clear frees every record at once and keeps it.
 *  - idpool_get returns 0 when out of memory or out of indices (the array
 *    is then unchanged).  Nothing prints or aborts.
 *  - Cost: O(1) per get and put (amortised for growth); both are inline
 *    (the stream sink takes and frees a record per event), growth is not.
 */
#ifndef SLUICE_IDPOOL_H
#define SLUICE_IDPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idpool {
    size_t cap;      /* records allocated in the caller's array, slot 0 too */
    uint32_t used;   /* records 1..used have been handed out */
    uint32_t free;   /* first free record, 0 = none */
    size_t size;     /* bytes per record */
    size_t link;     /* offset of the uint32_t free-list link in a record */
} idpool;

/* An empty pool of records of size bytes whose uint32_t at byte offset
 * link_off links free records (allocates nothing). */
void idpool_init(idpool *p, size_t size, size_t link_off);

/* The free-list link of record i of arr. */
static inline void *idpool_link_(const idpool *p, void *arr, uint32_t i)
{
    return (char *)arr + (size_t)i * p->size + p->link;
}

/* idpool_get with the free list empty: a new record at the end. */
uint32_t idpool_new(idpool *p, void *arrp);

/* A record for the caller: the index (>= 1) of a freed one, else of a new
 * one at the end of *arrp (the address of the caller's T *, grown when
 * needed).  0 when out of memory or indices (*arrp unchanged). */
static inline uint32_t idpool_get(idpool *p, void *arrp)
{
    uint32_t i = p->free;
    if (!i)
        return idpool_new(p, arrp);
    memcpy(&p->free, idpool_link_(p, *(void **)arrp, i), sizeof p->free);
    return i;
}

/* Frees record i (1..used) of arr: it is the next one idpool_get hands out. */
static inline void idpool_put(idpool *p, void *arr, uint32_t i)
{
    memcpy(idpool_link_(p, arr, i), &p->free, sizeof p->free);
    p->free = i;
}

/* Frees every record (the array and its capacity are kept). */
void idpool_clear(idpool *p);

#ifdef __cplusplus
}
#endif

#endif
