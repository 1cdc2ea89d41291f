/*
 * lib/vec.c: growable arrays (see lib/vec.h).
 *
 * The pointer to grow is passed as the address of a T * (void *arrp) and
 * read and written with memcpy: every object pointer has the
 * representation of a void * on the platforms sluice builds on, and
 * memcpy keeps this within the aliasing rules.
 */
#include "lib/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VEC_MIN_CAP 16

int vec_grow(void *arrp, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return VEC_OK;
    if (size == 0 || need > SIZE_MAX / size)
        return VEC_ERR;
    size_t n = *cap ? *cap : VEC_MIN_CAP;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : 2 * n;
    if (n > SIZE_MAX / size)
        n = need; /* doubling overshot: ask for exactly what is needed */
    void *old;
    memcpy(&old, arrp, sizeof old);
    void *p = realloc(old, n * size);
    if (!p)
        return VEC_ERR;
    memcpy(arrp, &p, sizeof p);
    *cap = n;
    return VEC_OK;
}

void vec_init(vec *v, size_t size)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->size = size;
}

int vec_append(vec *v, const void *elem)
{
    void *slot = vec_push(v);
    if (!slot)
        return VEC_ERR;
    memcpy(slot, elem, v->size);
    return VEC_OK;
}

void *vec_take(vec *v)
{
    void *d = v->data;
    v->data = NULL;
    v->n = v->cap = 0;
    return d;
}

void vec_free(vec *v)
{
    if (!v)
        return;
    free(vec_take(v));
}
