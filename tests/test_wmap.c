/* Tests of lib/wmap.c: random put/get/del against a direct-indexed reference,
 * iteration, sorted order, growth, -0.0 == 0.0. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wmap.h"

typedef struct val {
    uint64_t tag;
    double sum;
    uint32_t count;
} val;

static uint64_t xs_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

/* The key space of the random test: 64 keys x 32 starts x 2 lengths. */
enum { NK = 64, NS = 32, NE = 2, NSPACE = NK * NS * NE };

static void decode(size_t idx, uint32_t *key, double *start, double *end)
{
    *key = (uint32_t)(idx / (NS * NE)) * 2654435761u; /* spread key values */
    size_t si = (idx / NE) % NS;
    *start = (double)si * 0.1 - 1.0; /* decimal and negative starts */
    *end = *start + (idx % NE ? 0.3 : 1.0);
}

static void check_all(const wmap_t *m, const uint64_t *ref, size_t nref, uint64_t seed)
{
    /* wmap_next visits every entry once and only those. */
    size_t pos = 0, seen = 0;
    wmap_key k;
    val *v;
    while ((v = wmap_next(m, &pos, &k)) != NULL) {
        seen++;
        cr_assert_eq(wmap_get(m, k.key, k.start, k.end), v, "seed %llu",
                     (unsigned long long)seed);
    }
    cr_assert_eq(seen, nref, "seed %llu: iterated %zu, want %zu", (unsigned long long)seed,
                 seen, nref);
    cr_assert_eq(wmap_size(m), nref);
    for (size_t i = 0; i < NSPACE; i++) {
        uint32_t key;
        double s, e;
        decode(i, &key, &s, &e);
        val *g = wmap_get(m, key, s, e);
        if (ref[i]) {
            cr_assert_not_null(g, "seed %llu idx %zu missing", (unsigned long long)seed, i);
            cr_assert_eq(g->tag, ref[i]);
        } else {
            cr_assert_null(g, "seed %llu idx %zu present", (unsigned long long)seed, i);
        }
    }
}

Test(wmap, random_ops_against_reference)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        wmap_t *m = wmap_alloc(sizeof(val));
        cr_assert_not_null(m);
        uint64_t ref[NSPACE] = { 0 }; /* 0 = absent, else the stored tag */
        size_t nref = 0;
        uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 7, tag = 0;
        for (int op = 0; op < 100000; op++) {
            size_t idx = xs_next(&s) % NSPACE;
            uint32_t key;
            double st, en;
            decode(idx, &key, &st, &en);
            if (st == 0.0 && (xs_next(&s) & 1))
                st = -0.0; /* must name the same entry as 0.0 */
            uint64_t r = xs_next(&s) % 10;
            if (r < 4) {
                int created = -1;
                val *v = wmap_put(m, key, st, en, &created);
                cr_assert_not_null(v);
                cr_assert_eq(created, ref[idx] == 0, "seed %llu op %d",
                             (unsigned long long)seed, op);
                if (created) {
                    cr_assert_eq(v->tag, 0);
                    cr_assert_eq(v->sum, 0.0);
                    cr_assert_eq(v->count, 0);
                    nref++;
                } else {
                    cr_assert_eq(v->tag, ref[idx]);
                }
                v->tag = ref[idx] = ++tag;
                v->count++;
            } else if (r < 7) {
                val *v = wmap_get(m, key, st, en);
                if (ref[idx])
                    cr_assert(v && v->tag == ref[idx], "seed %llu op %d",
                              (unsigned long long)seed, op);
                else
                    cr_assert_null(v, "seed %llu op %d", (unsigned long long)seed, op);
            } else {
                int had = wmap_del(m, key, st, en);
                cr_assert_eq(had, ref[idx] != 0, "seed %llu op %d", (unsigned long long)seed,
                             op);
                if (had)
                    nref--;
                ref[idx] = 0;
            }
            cr_assert_eq(wmap_size(m), nref);
            if (op % 20000 == 19999)
                check_all(m, ref, nref, seed);
        }
        check_all(m, ref, nref, seed);
        wmap_free(m);
    }
}

Test(wmap, sorted_order)
{
    wmap_t *m = wmap_alloc(sizeof(val));
    uint64_t s = 99;
    for (int i = 0; i < 5000; i++) {
        uint32_t key = (uint32_t)(xs_next(&s) % 50);
        double st = (double)(xs_next(&s) % 100) - 50;
        double en = st + (double)(1 + xs_next(&s) % 3);
        val *v = wmap_put(m, key, st, en, NULL);
        v->tag = ((uint64_t)key << 32) ^ (uint64_t)(st * 8) ^ (uint64_t)en;
    }
    wmap_key *k;
    void **v;
    cr_assert_eq(wmap_sorted(m, &k, &v), 0);
    size_t n = wmap_size(m);
    cr_assert_gt(n, 1000);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(v[i], wmap_get(m, k[i].key, k[i].start, k[i].end));
        if (i == 0)
            continue;
        const wmap_key *a = &k[i - 1], *b = &k[i];
        int less = a->start < b->start ||
                   (a->start == b->start &&
                    (a->end < b->end || (a->end == b->end && a->key < b->key)));
        cr_assert(less, "entries %zu and %zu out of order", i - 1, i);
    }
    free(k);
    free(v);
    wmap_clear(m);
    cr_assert_eq(wmap_size(m), 0);
    cr_assert_eq(wmap_sorted(m, &k, &v), 0);
    cr_assert_null(k);
    cr_assert_null(v);
    size_t pos = 0;
    cr_assert_null(wmap_next(m, &pos, NULL));
    /* usable after clear */
    cr_assert_not_null(wmap_put(m, 1, 0, 1, NULL));
    cr_assert_eq(wmap_size(m), 1);
    wmap_free(m);
    wmap_free(NULL);
}

Test(wmap, growth_and_full_delete)
{
    /* 200,000 entries force many doublings; every value survives the
     * moves, then deleting all leaves an empty map. */
    const uint32_t n = 200000;
    wmap_t *m = wmap_alloc(sizeof(uint64_t));
    for (uint32_t i = 0; i < n; i++) {
        int created;
        uint64_t *v = wmap_put(m, i % 97, (double)(i / 97) * 60.0, (double)(i / 97) * 60.0 + 60,
                               &created);
        cr_assert_not_null(v);
        cr_assert(created);
        *v = i;
    }
    cr_assert_eq(wmap_size(m), n);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t *v = wmap_get(m, i % 97, (double)(i / 97) * 60.0, (double)(i / 97) * 60.0 + 60);
        cr_assert(v && *v == i, "entry %u", i);
    }
    for (uint32_t i = 0; i < n; i += 2)
        cr_assert(wmap_del(m, i % 97, (double)(i / 97) * 60.0, (double)(i / 97) * 60.0 + 60));
    for (uint32_t i = 1; i < n; i += 2) {
        uint64_t *v = wmap_get(m, i % 97, (double)(i / 97) * 60.0, (double)(i / 97) * 60.0 + 60);
        cr_assert(v && *v == i, "entry %u after deletes", i);
    }
    for (uint32_t i = 1; i < n; i += 2)
        cr_assert(wmap_del(m, i % 97, (double)(i / 97) * 60.0, (double)(i / 97) * 60.0 + 60));
    cr_assert_eq(wmap_size(m), 0);
    cr_assert_eq(wmap_del(m, 0, 0, 60), 0);
    wmap_free(m);
}

Test(wmap, negative_zero_is_zero)
{
    wmap_t *m = wmap_alloc(sizeof(int));
    int *a = wmap_put(m, 3, -0.0, 10, NULL);
    *a = 42;
    int created = -1;
    int *b = wmap_put(m, 3, 0.0, 10, &created);
    cr_assert_eq(created, 0);
    cr_assert_eq(*b, 42);
    cr_assert_eq(wmap_size(m), 1);
    wmap_key k;
    size_t pos = 0;
    cr_assert_not_null(wmap_next(m, &pos, &k));
    cr_assert(!signbit(k.start), "stored start should be +0.0");
    cr_assert_eq(wmap_del(m, 3, 0.0, -0.0 + 10), 1);
    cr_assert_eq(wmap_size(m), 0);
    wmap_free(m);
}
