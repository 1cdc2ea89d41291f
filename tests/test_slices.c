/* Tests of exec/stream/slices.c: a window takes exactly the pending
 * events whose window range holds its start, in (b, a, arrival) order,
 * each event once (known answer, and random adds and takes against a
 * list-scanning reference); a key with nothing pending has no entry. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/stream/slices.h"
#include "model/config.h"

typedef struct fixture {
    config_t c;
    stream_env env;
    stream_sink sink;
    stream_slices sl;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    config_defaults(&f->c);
    f->env.c = &f->c;
    cr_assert_eq(stream_sink_init(&f->sink, &f->env, 0, 0), 0);
    cr_assert_eq(stream_slices_init(&f->sl, &f->sink), 0);
}

static void teardown(fixture *f)
{
    stream_slices_free(&f->sl);
    stream_sink_free(&f->sink);
}

/* Adds event seq of key with windows [a, b]. */
static void add(fixture *f, uint32_t key, double a, double b, uint64_t seq)
{
    workload_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    ev.key = key;
    uint32_t v = stream_sink_hold(&f->sink, &ev);
    cr_assert_neq(v, 0);
    cr_assert_eq(stream_slices_add(&f->sl, key, a, b, v), 0);
}

/* Takes window w of key: the seqs in list order into out, their count. */
static size_t take(fixture *f, uint32_t key, window_t w, uint64_t *out, size_t max)
{
    size_t n = 0;
    uint32_t v = stream_slices_take(&f->sl, key, w);
    while (v) {
        cr_assert_lt(n, max);
        out[n++] = stream_sink_event(&f->sink, v)->seq;
        v = stream_sink_next(&f->sink, v);
    }
    return n;
}

Test(slices, a_window_takes_the_events_whose_range_holds_it)
{
    fixture f;
    setup(&f);
    /* size 3, slide 1: an event at t is in the windows starting in
     * (t - 3, t]; seq 2 was late for the window starting at 2 */
    add(&f, 7, 2, 4, 0); /* t = 4.5 */
    add(&f, 7, 1, 3, 1); /* t = 3.5 */
    add(&f, 7, 3, 4, 2); /* t = 4.2, late for [2, 5) */
    add(&f, 7, 2, 4, 3); /* t = 4.1 */
    add(&f, 9, 1, 3, 4); /* another key */
    uint64_t got[8];
    size_t n = take(&f, 7, (window_t){2, 5}, got, 8);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[0], 1); /* b = 3 first, then b = 4 in arrival order */
    cr_assert_eq(got[1], 0);
    cr_assert_eq(got[2], 3);
    cr_assert_eq(take(&f, 7, (window_t){2, 5}, got, 8), 0, "each event once");
    n = take(&f, 7, (window_t){3, 6}, got, 8);
    cr_assert_eq(n, 1);
    cr_assert_eq(got[0], 2);
    cr_assert_eq(wmap_size(f.sl.keys), 1, "key 7 has nothing left: no entry");
    n = take(&f, 9, (window_t){1, 4}, got, 8);
    cr_assert_eq(n, 1);
    cr_assert_eq(got[0], 4);
    cr_assert_eq(wmap_size(f.sl.keys), 0);
    teardown(&f);
}

typedef struct ref_ev {
    uint32_t key;
    double a, b;
    uint64_t seq;
    int taken;
} ref_ev;

static int ref_order(const void *pa, const void *pb)
{
    const ref_ev *x = pa, *y = pb;
    if (x->b != y->b)
        return x->b < y->b ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

Test(slices, random_adds_and_takes_agree_with_a_reference)
{
    enum { N = 4000, SIZE = 5 }; /* slide 1: 5 windows per event */
    fixture f;
    setup(&f);
    ref_ev *ref = calloc(N, sizeof *ref), *hit = calloc(N, sizeof *hit);
    uint64_t *got = calloc(N, sizeof *got);
    size_t nref = 0;
    srand(12345);
    double clock = 0;
    for (int step = 0; step < 3 * N && nref < N; step++) {
        uint32_t key = (uint32_t)(rand() % 4);
        if (rand() % 3) { /* an event a little behind the clock */
            double t = clock - (rand() % 8) - 0.5;
            double b = floor(t), a = b - (SIZE - 1);
            a += rand() % 6 == 0 ? rand() % SIZE : 0; /* cut by lateness */
            ref[nref] = (ref_ev){key, a, b, nref, 0};
            add(&f, key, a, b, nref);
            nref++;
            clock += 0.3;
        } else { /* a window near the clock fires */
            double ws = floor(clock) - (rand() % 10);
            window_t w = {ws, ws + SIZE};
            size_t nh = 0;
            for (size_t i = 0; i < nref; i++)
                if (!ref[i].taken && ref[i].key == key && ref[i].a <= ws && ws <= ref[i].b) {
                    ref[i].taken = 1;
                    hit[nh++] = ref[i];
                }
            qsort(hit, nh, sizeof *hit, ref_order);
            size_t n = take(&f, key, w, got, N);
            cr_assert_eq(n, nh, "step %d: window %g of key %u", step, ws, key);
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(got[i], hit[i].seq, "step %d, event %zu", step, i);
        }
    }
    free(ref);
    free(hit);
    free(got);
    teardown(&f);
}
