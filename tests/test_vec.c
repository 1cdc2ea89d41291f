/* Tests of lib/vec.c: contents kept across growth, the capacity rule (16,
 * then doubling), overflowing sizes refused with the array unchanged,
 * vec_take handing over the memory. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vec.h"

typedef struct rec {
    uint64_t id;
    double t;
    char tag[5];
} rec;

Test(vec, push_keeps_contents_across_growth)
{
    vec v;
    vec_init(&v, sizeof(rec));
    cr_assert_null(v.data);
    for (uint64_t i = 0; i < 1000; i++) {
        rec *r = vec_push(&v);
        cr_assert_not_null(r);
        r->id = i;
        r->t = 0.5 * (double)i;
        snprintf(r->tag, sizeof r->tag, "%04u", (unsigned)(i % 10000));
    }
    cr_assert_eq(v.n, 1000);
    cr_assert_eq(v.cap, 1024); /* 16 doubled six times */
    const rec *a = v.data;
    for (uint64_t i = 0; i < 1000; i++) {
        cr_assert_eq(a[i].id, i);
        cr_assert_eq(a[i].t, 0.5 * (double)i);
        char want[5];
        snprintf(want, sizeof want, "%04u", (unsigned)i);
        cr_assert_str_eq(a[i].tag, want);
    }
    vec_free(&v);
    cr_assert_null(v.data);
    cr_assert_eq(v.n, 0);
    cr_assert_eq(v.cap, 0);
    cr_assert_eq(v.size, sizeof(rec));
    vec_free(NULL);
}

Test(vec, capacity_rule)
{
    vec v;
    vec_init(&v, 1);
    cr_assert_eq(vec_reserve(&v, 0), VEC_OK);
    cr_assert_null(v.data, "reserving 0 allocates nothing");
    cr_assert_eq(vec_reserve(&v, 1), VEC_OK);
    cr_assert_eq(v.cap, 16);
    cr_assert_eq(vec_reserve(&v, 16), VEC_OK);
    cr_assert_eq(v.cap, 16);
    cr_assert_eq(vec_reserve(&v, 17), VEC_OK);
    cr_assert_eq(v.cap, 32);
    cr_assert_eq(vec_reserve(&v, 1000), VEC_OK);
    cr_assert_eq(v.cap, 1024);
    cr_assert_eq(vec_reserve(&v, 10), VEC_OK);
    cr_assert_eq(v.cap, 1024, "never shrinks");
    vec_free(&v);
}

Test(vec, append_copies)
{
    vec v;
    vec_init(&v, sizeof(double));
    for (int i = 0; i < 40; i++) {
        double x = i * 1.25;
        cr_assert_eq(vec_append(&v, &x), VEC_OK);
    }
    cr_assert_eq(v.n, 40);
    cr_assert_eq(((double *)v.data)[39], 39 * 1.25);
    double *owned = vec_take(&v);
    cr_assert_null(v.data);
    cr_assert_eq(v.n, 0);
    cr_assert_eq(owned[7], 7 * 1.25);
    free(owned);
    cr_assert_null(vec_take(&v), "an empty vec hands over NULL");
}

Test(vec, typed_array_grow)
{
    int *a = NULL;
    size_t cap = 0, n = 0;
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(vec_ensure(&a, &cap, n + 1, sizeof *a), VEC_OK);
        a[n++] = i * i;
    }
    cr_assert_eq(cap, 128);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(a[i], i * i);
    /* asking for a little more than double jumps straight there */
    cr_assert_eq(vec_grow(&a, &cap, 300, sizeof *a), VEC_OK);
    cr_assert_eq(cap, 512);
    cr_assert_eq(a[99], 99 * 99);
    free(a);
}

Test(vec, overflow_refused_and_array_unchanged)
{
    uint64_t *a = NULL;
    size_t cap = 0;
    cr_assert_eq(vec_ensure(&a, &cap, 20, sizeof *a), VEC_OK);
    a[19] = 42;
    uint64_t *before = a;
    /* SIZE_MAX / 8 + 1 elements of 8 bytes do not fit in size_t */
    cr_assert_eq(vec_grow(&a, &cap, SIZE_MAX / sizeof *a + 1, sizeof *a), VEC_ERR);
    cr_assert_eq(a, before);
    cr_assert_eq(cap, 32);
    cr_assert_eq(a[19], 42);
    free(a);

    vec v;
    vec_init(&v, 3);
    v.n = v.cap = SIZE_MAX / 3; /* pretend full: the next push overflows */
    cr_assert_null(vec_push(&v));
    cr_assert_eq(v.n, SIZE_MAX / 3, "a failed push leaves n");
    cr_assert_eq(vec_reserve(&v, SIZE_MAX), VEC_ERR);
    cr_assert_null(v.data);
}
