/*
 * vec: a growable array of fixed-size elements.
 *
 * Rules of this module
 *  - Two forms share one growth rule.  `vec` is a self-contained array
 *    (data, n, cap, element size) for lists built in one place.
 *    vec_grow / vec_ensure grow an array that a module keeps as a typed
 *    pointer plus a capacity (T *v; size_t cap), so that its hot loops
 *    index v[i] directly: pass the address of the pointer.
 *  - Capacity starts at 16 elements and doubles until it holds what is
 *    asked (never more than asked plus doubling; adding n elements one at
 *    a time costs O(n) copies in all).  Memory is never shrunk.
 *  - Sizes are checked: an element count whose byte size would overflow
 *    size_t, or a failed realloc, returns VEC_ERR and leaves the array as
 *    it was (still valid, still owned by the caller).  Nothing aborts or
 *    prints.
 *  - The fast path (room already there) is inline: no function call.
 *  - New elements are not initialised (vec_push returns uninitialised
 *    room).  Pointers into the array are valid until it grows.
 */
#ifndef SLUICE_VEC_H
#define SLUICE_VEC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VEC_OK 0
#define VEC_ERR (-1)

typedef struct vec {
    void *data;  /* n elements of size bytes; NULL while cap is 0 */
    size_t n;    /* elements in use */
    size_t cap;  /* elements allocated */
    size_t size; /* bytes per element (> 0) */
} vec;

/* Grows the array *arrp (the address of a T * holding *cap elements of
 * size bytes) so that it holds at least need elements.  VEC_OK, or
 * VEC_ERR on overflow or out of memory (*arrp and *cap unchanged). */
int vec_grow(void *arrp, size_t *cap, size_t need, size_t size);

/* vec_grow with the common case (room already there) inline. */
static inline int vec_ensure(void *arrp, size_t *cap, size_t need, size_t size)
{
    return need <= *cap ? VEC_OK : vec_grow(arrp, cap, need, size);
}

/* An empty vec of elements of size bytes (allocates nothing). */
void vec_init(vec *v, size_t size);

/* Room for at least need elements.  VEC_OK or VEC_ERR (v unchanged). */
static inline int vec_reserve(vec *v, size_t need)
{
    return vec_ensure(&v->data, &v->cap, need, v->size);
}

/* Adds one uninitialised element at the end and returns it; NULL on
 * overflow or out of memory (v unchanged). */
static inline void *vec_push(vec *v)
{
    if (vec_reserve(v, v->n + 1) != VEC_OK)
        return NULL;
    return (char *)v->data + v->n++ * v->size;
}

/* Copies one element of v->size bytes from elem to the end.  VEC_OK or
 * VEC_ERR (v unchanged). */
int vec_append(vec *v, const void *elem);

/* Hands the array to the caller (who frees it with free(); NULL when
 * nothing was ever allocated); v is empty afterwards, size kept. */
void *vec_take(vec *v);

/* Frees the array; v is empty afterwards (size kept, reusable).  NULL is
 * fine. */
void vec_free(vec *v);

#ifdef __cplusplus
}
#endif

#endif
