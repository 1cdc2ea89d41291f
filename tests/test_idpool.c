/* Tests of lib/idpool.c: indices start at 1 and grow in order, the last
 * record freed is the first reused, records keep their contents across
 * growth, idpool_clear starts again at 1 with the memory kept, the free
 * link may sit anywhere in the record. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/idpool.h"

typedef struct node {
    double t;
    uint32_t next;   /* list link, also the free link */
    uint32_t val;
} node;

Test(idpool, indices_from_one_in_order)
{
    idpool p;
    node *v = NULL;
    idpool_init(&p, sizeof(node), offsetof(node, next));
    for (uint32_t k = 1; k <= 1000; k++) {
        uint32_t i = idpool_get(&p, &v);
        cr_assert_eq(i, k);
        v[i].val = 3 * k;
        v[i].t = 0.5 * k;
    }
    cr_assert_eq(p.used, 1000);
    cr_assert_geq(p.cap, 1001);
    for (uint32_t k = 1; k <= 1000; k++) /* kept across growth */
        cr_assert(v[k].val == 3 * k && v[k].t == 0.5 * k);
    free(v);
}

Test(idpool, last_freed_first_reused)
{
    idpool p;
    node *v = NULL;
    idpool_init(&p, sizeof(node), offsetof(node, next));
    for (int k = 0; k < 5; k++)
        cr_assert_neq(idpool_get(&p, &v), 0);
    idpool_put(&p, v, 2);
    idpool_put(&p, v, 5);
    idpool_put(&p, v, 3);
    cr_assert_eq(idpool_get(&p, &v), 3);
    cr_assert_eq(idpool_get(&p, &v), 5);
    cr_assert_eq(idpool_get(&p, &v), 2);
    cr_assert_eq(idpool_get(&p, &v), 6); /* free list empty: a new one */
    cr_assert_eq(p.used, 6);
    free(v);
}

Test(idpool, freeing_touches_only_the_link)
{
    idpool p;
    node *v = NULL;
    idpool_init(&p, sizeof(node), offsetof(node, val)); /* link elsewhere */
    uint32_t a = idpool_get(&p, &v), b = idpool_get(&p, &v);
    v[a] = (node){ 1.5, 77, 0 };
    v[b] = (node){ 2.5, 88, 0 };
    idpool_put(&p, v, a);
    idpool_put(&p, v, b);
    cr_assert(v[a].t == 1.5 && v[a].next == 77 && v[a].val == 0);
    cr_assert(v[b].t == 2.5 && v[b].next == 88 && v[b].val == a);
    cr_assert_eq(idpool_get(&p, &v), b);
    cr_assert_eq(idpool_get(&p, &v), a);
    free(v);
}

Test(idpool, clear_starts_again_and_keeps_memory)
{
    idpool p;
    node *v = NULL;
    idpool_init(&p, sizeof(node), offsetof(node, next));
    for (int k = 0; k < 40; k++)
        idpool_get(&p, &v);
    idpool_put(&p, v, 7);
    node *mem = v;
    size_t cap = p.cap;
    idpool_clear(&p);
    cr_assert_eq(p.used, 0);
    cr_assert_eq(idpool_get(&p, &v), 1); /* not 7: the free list went too */
    cr_assert_eq(v, mem);
    cr_assert_eq(p.cap, cap);
    free(v);
}
