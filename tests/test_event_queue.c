/* Tests of engine/event_queue.c: the event queue against a sorted reference under random
 * schedule / cancel / reschedule / pop, ties in insertion order, stale
 * handles. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "engine/event_queue.h"

/* A small test-local generator (xorshift64*), independent of engine/rng.c. */
static uint64_t xs_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static void fn_a(void *ctx, void *arg, uint64_t data)
{
    (void)ctx, (void)arg, (void)data;
}
static void fn_b(void *ctx, void *arg, uint64_t data)
{
    (void)ctx, (void)arg, (void)data;
}

typedef struct ref_ev {
    double time;
    uint64_t seq;   /* reference insertion order */
    uint64_t id;    /* carried as data */
    event_queue_handle h;
} ref_ev;

/* Index of the reference minimum by (time, seq). */
static size_t ref_min(const ref_ev *v, size_t n)
{
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i].time < v[b].time || (v[i].time == v[b].time && v[i].seq < v[b].seq))
            b = i;
    return b;
}

static void run_random_ops(uint64_t seed, int nops, int ntimes)
{
    event_queue_t *q = event_queue_alloc(0);
    cr_assert_not_null(q);
    size_t cap = 1024, n = 0, ndead = 0, deadcap = 1024;
    ref_ev *ref = malloc(cap * sizeof *ref);
    event_queue_handle *dead = malloc(deadcap * sizeof *dead);
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1, seq = 0, id = 0;
    int args[2];

    for (int op = 0; op < nops; op++) {
        uint64_t r = xs_next(&s) % 100;
        double t = (double)(xs_next(&s) % (uint64_t)ntimes) * 0.25;
        if (r < 41 || n == 0) { /* schedule (41%; 40% remove: slow growth) */
            if (n == cap) {
                cap *= 2;
                ref = realloc(ref, cap * sizeof *ref);
            }
            event_queue_fn fn = (id & 1) ? fn_b : fn_a;
            event_queue_handle h = event_queue_schedule(q, t, fn, &args[id & 1], id);
            cr_assert_neq(h, 0, "seed %llu op %d", (unsigned long long)seed, op);
            ref[n++] = (ref_ev){ t, seq++, id++, h };
        } else if (r < 56) { /* cancel */
            size_t i = xs_next(&s) % n;
            cr_assert_eq(event_queue_cancel(q, ref[i].h), EQ_OK, "seed %llu op %d",
                         (unsigned long long)seed, op);
            if (ndead == deadcap) {
                deadcap *= 2;
                dead = realloc(dead, deadcap * sizeof *dead);
            }
            dead[ndead++] = ref[i].h;
            ref[i] = ref[--n];
        } else if (r < 75) { /* reschedule */
            size_t i = xs_next(&s) % n;
            cr_assert_eq(event_queue_reschedule(q, &ref[i].h, t), EQ_OK, "seed %llu op %d",
                         (unsigned long long)seed, op);
            ref[i].time = t;
            ref[i].seq = seq++;
        } else { /* pop */
            size_t i = ref_min(ref, n);
            event_queue_item it;
            cr_assert_eq(event_queue_pop(q, &it), EQ_OK);
            cr_assert_eq(it.data, ref[i].id, "seed %llu op %d: popped id %llu want %llu",
                         (unsigned long long)seed, op, (unsigned long long)it.data,
                         (unsigned long long)ref[i].id);
            cr_assert_eq(it.time, ref[i].time);
            cr_assert_eq(it.fn, (ref[i].id & 1) ? fn_b : fn_a);
            cr_assert_eq(it.arg, &args[ref[i].id & 1]);
            if (ndead == deadcap) {
                deadcap *= 2;
                dead = realloc(dead, deadcap * sizeof *dead);
            }
            dead[ndead++] = ref[i].h;
            ref[i] = ref[--n];
        }
        cr_assert_eq(event_queue_size(q), n, "seed %llu op %d", (unsigned long long)seed, op);
        double want = n ? ref[ref_min(ref, n)].time : INFINITY;
        cr_assert_eq(event_queue_peek_time(q), want, "seed %llu op %d", (unsigned long long)seed, op);
        /* Now and then: a stale handle must be rejected, a live one known. */
        if (ndead && op % 7 == 0) {
            event_queue_handle h = dead[xs_next(&s) % ndead];
            cr_assert_eq(event_queue_pending(q, h), 0, "seed %llu op %d", (unsigned long long)seed, op);
            cr_assert_eq(event_queue_cancel(q, h), EQ_ERR);
            cr_assert_eq(event_queue_reschedule(q, &h, 1.0), EQ_ERR);
        }
        if (n && op % 5 == 0)
            cr_assert_eq(event_queue_pending(q, ref[xs_next(&s) % n].h), 1);
    }
    /* Drain: the rest comes out in reference order. */
    while (n) {
        size_t i = ref_min(ref, n);
        event_queue_item it;
        cr_assert_eq(event_queue_pop(q, &it), EQ_OK);
        cr_assert_eq(it.data, ref[i].id, "seed %llu drain", (unsigned long long)seed);
        ref[i] = ref[--n];
    }
    event_queue_item it;
    cr_assert_eq(event_queue_pop(q, &it), EQ_ERR);
    cr_assert(isinf(event_queue_peek_time(q)));
    free(ref);
    free(dead);
    event_queue_free(q);
}

Test(eq, random_ops_against_reference)
{
    /* 100,000 operations per seed; few distinct times (many ties). */
    for (uint64_t seed = 1; seed <= 3; seed++)
        run_random_ops(seed, 100000, 16);
}

Test(eq, random_ops_spread_times)
{
    for (uint64_t seed = 10; seed <= 11; seed++)
        run_random_ops(seed, 50000, 1 << 20);
}

Test(eq, equal_times_fire_in_insertion_order)
{
    event_queue_t *q = event_queue_alloc(4);
    const int n = 20000;
    /* Three interleaved times, inserted in a shuffled pattern. */
    for (int i = 0; i < n; i++)
        cr_assert_neq(event_queue_schedule(q, (double)((i * 7) % 3), fn_a, NULL, (uint64_t)i), 0);
    double last_t = -1;
    long last_id = -1;
    for (int i = 0; i < n; i++) {
        event_queue_item it;
        cr_assert_eq(event_queue_pop(q, &it), EQ_OK);
        if (it.time == last_t)
            cr_assert_gt((long)it.data, last_id, "tie out of order at %d", i);
        else
            cr_assert_gt(it.time, last_t);
        last_t = it.time;
        last_id = (long)it.data;
    }
    cr_assert_eq(event_queue_size(q), 0);
    event_queue_free(q);
}

Test(eq, reschedule_goes_behind_equal_times)
{
    event_queue_t *q = event_queue_alloc(0);
    event_queue_handle a = event_queue_schedule(q, 1.0, fn_a, NULL, 1);
    event_queue_schedule(q, 2.0, fn_a, NULL, 2);
    event_queue_schedule(q, 2.0, fn_a, NULL, 3);
    event_queue_handle old = a;
    cr_assert_eq(event_queue_reschedule(q, &a, 2.0), EQ_OK);
    cr_assert(event_queue_pending(q, a));
    cr_assert(!event_queue_pending(q, old), "the old handle goes stale");
    uint64_t want[] = { 2, 3, 1 };
    for (int i = 0; i < 3; i++) {
        event_queue_item it;
        cr_assert_eq(event_queue_pop(q, &it), EQ_OK);
        cr_assert_eq(it.data, want[i]);
    }
    cr_assert(!event_queue_pending(q, a));
    event_queue_free(q);
}

Test(eq, stale_and_bogus_handles)
{
    event_queue_t *q = event_queue_alloc(0);
    cr_assert_eq(event_queue_cancel(q, 0), EQ_ERR);
    cr_assert_eq(event_queue_pending(q, 0), 0);
    cr_assert_eq(event_queue_cancel(q, 0xffffffffffffffffULL), EQ_ERR);
    event_queue_handle bogus = ((uint64_t)1 << 32) | 1000000;
    cr_assert_eq(event_queue_reschedule(q, &bogus, 1.0), EQ_ERR);
    event_queue_handle h = event_queue_schedule(q, 3.0, fn_a, NULL, 0);
    cr_assert_eq(event_queue_cancel(q, h), EQ_OK);
    cr_assert_eq(event_queue_cancel(q, h), EQ_ERR);
    /* The slot is reused: the old handle must not name the new event. */
    event_queue_handle h2 = event_queue_schedule(q, 4.0, fn_a, NULL, 0);
    cr_assert_neq(h2, h);
    cr_assert_eq(event_queue_pending(q, h), 0);
    cr_assert_eq(event_queue_reschedule(q, &h, 0.5), EQ_ERR);
    cr_assert_eq(event_queue_peek_time(q), 4.0);
    cr_assert_eq(event_queue_size(q), 1);
    event_queue_item it;
    cr_assert_eq(event_queue_pop(q, &it), EQ_OK);
    cr_assert_eq(event_queue_cancel(q, h2), EQ_ERR);
    event_queue_free(q);
    event_queue_free(NULL);
}

Test(eq, growth_from_zero_and_reuse)
{
    /* 100,000 pending events force many doublings; popping them yields a
     * non-decreasing sequence, then the queue is reused. */
    event_queue_t *q = event_queue_alloc(0);
    uint64_t s = 77;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 100000; i++)
            cr_assert_neq(event_queue_schedule(q, (double)(xs_next(&s) % 1000), fn_a, NULL, 0), 0);
        cr_assert_eq(event_queue_size(q), 100000);
        double last = -INFINITY;
        event_queue_item it;
        while (event_queue_pop(q, &it) == EQ_OK) {
            cr_assert_geq(it.time, last);
            last = it.time;
        }
        cr_assert_eq(event_queue_size(q), 0);
    }
    event_queue_free(q);
}
