/*
 * idpool.c: 1-based record pool with an intrusive free list (see
 * lib/idpool.h).
 */
#include "lib/idpool.h"

#include <assert.h>
#include <string.h>

#include "lib/vec.h"

static uint32_t *link_of(const idpool *p, void *arr, uint32_t i)
{
    return (uint32_t *)((char *)arr + (size_t)i * p->size + p->link);
}

void idpool_init(idpool *p, size_t size, size_t link_off)
{
    assert(link_off + sizeof(uint32_t) <= size);
    p->cap = 0;
    p->used = p->free = 0;
    p->size = size;
    p->link = link_off;
}

uint32_t idpool_get(idpool *p, void *arrp)
{
    void **v = arrp;
    uint32_t i = p->free;
    if (i) {
        memcpy(&p->free, link_of(p, *v, i), sizeof p->free);
        return i;
    }
    if (p->used == UINT32_MAX)
        return 0;
    if (vec_ensure(arrp, &p->cap, (size_t)p->used + 2, p->size) != VEC_OK)
        return 0;
    return ++p->used;
}

void idpool_put(idpool *p, void *arr, uint32_t i)
{
    assert(i >= 1 && i <= p->used);
    memcpy(link_of(p, arr, i), &p->free, sizeof p->free);
    p->free = i;
}

void idpool_clear(idpool *p)
{
    p->used = p->free = 0;
}
