/*
 * idpool.c: 1-based record pool with an intrusive free list (see
 * lib/idpool.h).
 */
#include "lib/idpool.h"

#include <assert.h>

#include "lib/vec.h"

void idpool_init(idpool *p, size_t size, size_t link_off)
{
    assert(link_off + sizeof(uint32_t) <= size);
    p->cap = 0;
    p->used = p->free = 0;
    p->size = size;
    p->link = link_off;
}

uint32_t idpool_new(idpool *p, void *arrp)
{
    if (p->used == UINT32_MAX)
        return 0;
    if (vec_ensure(arrp, &p->cap, (size_t)p->used + 2, p->size) != VEC_OK)
        return 0;
    return ++p->used;
}

void idpool_clear(idpool *p)
{
    p->used = p->free = 0;
}
