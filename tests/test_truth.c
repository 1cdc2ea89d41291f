/* Tests of model/truth.c: ground truth per (key, window) against hand examples and
 * brute-force references on random data, in any insertion order. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/truth.h"
#include "model/window.h"

static uint64_t xs(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static workload_event ev_at(uint64_t id, uint32_t key, double t, int64_t value)
{
    workload_event e;
    memset(&e, 0, sizeof e);
    e.id = id;
    e.key = key;
    e.value = value;
    e.event_time = t;
    e.arrival_time = t;
    return e;
}

/* A reference entry: one (key, window) and its aggregate. */
typedef struct ref {
    uint32_t key;
    double start, end;
    uint64_t count;
    int64_t sum;
} ref;

static int ref_cmp(const void *a, const void *b)
{
    /* the order of wmap_sorted: (start, end, key) */
    const ref *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The map of g equals want[0..n) (sorted here). */
static void expect_map(const truth_t *g, ref *want, size_t n, uint64_t seed)
{
    wmap_key *k;
    void **v;
    qsort(want, n, sizeof *want, ref_cmp);
    cr_assert_eq(wmap_size(truth_map(g)), n, "seed %llu: %zu windows, want %zu",
                 (unsigned long long)seed, wmap_size(truth_map(g)), n);
    cr_assert_eq(wmap_sorted(truth_map(g), &k, &v), 0);
    for (size_t i = 0; i < n; i++) {
        const truth_value *gv = v[i];
        cr_assert(k[i].key == want[i].key && k[i].start == want[i].start &&
                      k[i].end == want[i].end,
                  "seed %llu entry %zu: (%u, %g, %g) want (%u, %g, %g)",
                  (unsigned long long)seed, i, k[i].key, k[i].start, k[i].end, want[i].key,
                  want[i].start, want[i].end);
        cr_assert_eq(gv->count, want[i].count, "seed %llu entry %zu", (unsigned long long)seed, i);
        cr_assert_eq(gv->sum, want[i].sum, "seed %llu entry %zu", (unsigned long long)seed, i);
    }
    free(k);
    free(v);
}

/* Adds (key, window) += (1, value) to a small linear reference. */
static void ref_add(ref *r, size_t *n, uint32_t key, double s, double e, int64_t value)
{
    for (size_t i = 0; i < *n; i++)
        if (r[i].key == key && r[i].start == s && r[i].end == e) {
            r[i].count++;
            r[i].sum += value;
            return;
        }
    r[*n].key = key;
    r[*n].start = s;
    r[*n].end = e;
    r[*n].count = 1;
    r[*n].sum = value;
    (*n)++;
}

Test(gt, tumbling_against_brute_force)
{
    struct config_window_s w = {WIN_TUMBLING, 2.5, 0, 0};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        uint64_t s = seed * 0x9e3779b97f4a7c15ull;
        truth_t *g = truth_alloc(&w);
        size_t n = 500, nr = 0;
        ref *r = malloc(n * sizeof *r);
        int64_t total = 0;
        cr_assert_not_null(g);
        for (size_t i = 0; i < n; i++) {
            uint32_t key = (uint32_t)(xs(&s) % 4);
            double t = (double)(xs(&s) % 10000) / 100.0; /* 0 .. 99.99 */
            int64_t v = (int64_t)(xs(&s) % 7) - 2;
            workload_event e = ev_at(i, key, t, v);
            cr_assert_eq(truth_add(g, &e), 0);
            double k = floor(t / 2.5);
            ref_add(r, &nr, key, k * 2.5, (k + 1) * 2.5, v);
            total += v;
        }
        cr_assert_eq(truth_events(g), n);
        cr_assert_eq(truth_sum(g), total);
        expect_map(g, r, nr, seed);
        free(r);
        truth_free(g);
    }
}

Test(gt, sliding_counts_each_event_size_over_slide_times)
{
    struct config_window_s w = {WIN_SLIDING, 3, 1, 0};
    truth_t *g = truth_alloc(&w);
    uint64_t s = 77;
    size_t n = 1000, nr = 0;
    ref *r = malloc(3 * n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        uint32_t key = (uint32_t)(xs(&s) % 3);
        double t = (double)(xs(&s) % 4000) / 40.0;
        workload_event e = ev_at(i, key, t, 1);
        cr_assert_eq(truth_add(g, &e), 0);
        double k = floor(t);
        for (int j = 0; j < 3; j++) /* windows [k-j, k-j+3) */
            ref_add(r, &nr, key, k - j, k - j + 3, 1);
    }
    /* sums over all windows = 3 x the events (every event in 3 windows) */
    size_t pos = 0;
    truth_value *v;
    uint64_t c = 0;
    while ((v = wmap_next(truth_map(g), &pos, NULL)) != NULL)
        c += v->count;
    cr_assert_eq(c, 3 * n);
    cr_assert_eq(truth_sum(g), (int64_t)n, "totals count each event once");
    expect_map(g, r, nr, 77);
    free(r);
    truth_free(g);
}

Test(gt, none_keeps_only_totals)
{
    struct config_window_s w = {WIN_NONE, 0, 0, 0};
    truth_t *g = truth_alloc(&w);
    for (int i = 0; i < 100; i++) {
        workload_event e = ev_at(i, i % 5, i * 0.1, i);
        cr_assert_eq(truth_add(g, &e), 0);
    }
    cr_assert_eq(truth_events(g), 100);
    cr_assert_eq(truth_sum(g), 4950);
    cr_assert_eq(wmap_size(truth_map(g)), 0);
    truth_free(g);
}

Test(gt, sessions_merge_on_out_of_order_insertion)
{
    /* gap 10.  key 1: 0 -> [0,10); 30 -> [30,40); 15 -> [15,25) apart from
     * both; 8 -> [8,18) bridges [0,10) and [15,25) into [0,25); 22 ->
     * [22,32) bridges [0,25) and [30,40) into [0,40).  key 2 at 5 stays
     * on its own.  Then 50 -> [50,60) apart (50 > 40); then 40 -> [40,50)
     * touches both [0,40) and [50,60) (shares the points 40 and 50: they
     * overlap in the sense of window_overlaps) and all three merge. */
    struct config_window_s w = {WIN_SESSION, 0, 0, 10};
    truth_t *g = truth_alloc(&w);
    static const double t1[] = {0, 30, 15, 8, 22};
    for (int i = 0; i < 5; i++) {
        workload_event e = ev_at(i, 1, t1[i], i + 1);
        cr_assert_eq(truth_add(g, &e), 0);
    }
    workload_event e2 = ev_at(9, 2, 5, 100);
    cr_assert_eq(truth_add(g, &e2), 0);
    ref a[2] = {{.key = 1, .start = 0, .end = 40, .count = 5, .sum = 15},
                {.key = 2, .start = 5, .end = 15, .count = 1, .sum = 100}};
    expect_map(g, a, 2, 0);

    workload_event e3 = ev_at(10, 1, 50, 1000);
    cr_assert_eq(truth_add(g, &e3), 0);
    ref b[3] = {{.key = 1, .start = 0, .end = 40, .count = 5, .sum = 15},
                {.key = 2, .start = 5, .end = 15, .count = 1, .sum = 100},
                {.key = 1, .start = 50, .end = 60, .count = 1, .sum = 1000}};
    expect_map(g, b, 3, 0);
    workload_event e4 = ev_at(11, 1, 40, 10000);
    cr_assert_eq(truth_add(g, &e4), 0);
    ref c[2] = {{.key = 1, .start = 0, .end = 60, .count = 7, .sum = 11015},
                {.key = 2, .start = 5, .end = 15, .count = 1, .sum = 100}};
    expect_map(g, c, 2, 0);
    /* an event inside an existing session changes only its aggregate */
    workload_event e5 = ev_at(12, 1, 3, 1);
    cr_assert_eq(truth_add(g, &e5), 0);
    c[0].count = 8;
    c[0].sum = 11016;
    expect_map(g, c, 2, 0);
    cr_assert_eq(truth_events(g), 9);
    cr_assert_eq(truth_sum(g), 11116);
    truth_free(g);
}

/* Brute-force sessions: per key, sort event times and sweep. */
static size_t brute_sessions(const workload_event *ev, size_t n, double gap, ref *out)
{
    size_t no = 0;
    workload_event *v = malloc(n * sizeof *v);
    memcpy(v, ev, n * sizeof *v);
    /* insertion sort by (key, time): n is small */
    for (size_t i = 1; i < n; i++) {
        workload_event x = v[i];
        size_t j = i;
        while (j > 0 && (v[j - 1].key > x.key ||
                         (v[j - 1].key == x.key && v[j - 1].event_time > x.event_time))) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    for (size_t i = 0; i < n; i++) {
        window_t p = {v[i].event_time, v[i].event_time + gap};
        if (no > 0 && out[no - 1].key == v[i].key) {
            window_t cur = {out[no - 1].start, out[no - 1].end};
            if (window_overlaps(cur, p)) {
                cur = window_merge(cur, p);
                out[no - 1].start = cur.start;
                out[no - 1].end = cur.end;
                out[no - 1].count++;
                out[no - 1].sum += v[i].value;
                continue;
            }
        }
        out[no].key = v[i].key;
        out[no].start = p.start;
        out[no].end = p.end;
        out[no].count = 1;
        out[no].sum = v[i].value;
        no++;
    }
    free(v);
    return no;
}

Test(gt, sessions_match_brute_force_in_any_order)
{
    struct config_window_s w = {WIN_SESSION, 0, 0, 1.0};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
        size_t n = 10 + xs(&s) % 300;
        workload_event *v = malloc(n * sizeof *v);
        ref *r = malloc(n * sizeof *r);
        /* times on a 0.5 grid with gap 1: many overlaps, ties and exact
         * touches (t + 1 is another grid point); span scales with n so that
         * some sessions stay apart */
        double span = (double)(n / 4 + 1);
        for (size_t i = 0; i < n; i++)
            v[i] = ev_at(i, (uint32_t)(xs(&s) % 3), 0.5 * (double)(xs(&s) % (uint64_t)(2 * span)),
                         (int64_t)(xs(&s) % 100));
        size_t nr = brute_sessions(v, n, 1.0, r);
        for (int order = 0; order < 3; order++) {
            /* 0: as drawn (random), 1: reversed, 2: shuffled again */
            truth_t *g = truth_alloc(&w);
            if (order == 1)
                for (size_t i = 0; i < n / 2; i++) {
                    workload_event t = v[i];
                    v[i] = v[n - 1 - i];
                    v[n - 1 - i] = t;
                }
            if (order == 2)
                for (size_t i = n - 1; i > 0; i--) {
                    size_t j = xs(&s) % (i + 1);
                    workload_event t = v[i];
                    v[i] = v[j];
                    v[j] = t;
                }
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(truth_add(g, &v[i]), 0);
            ref *copy = malloc(nr * sizeof *copy);
            memcpy(copy, r, nr * sizeof *copy);
            expect_map(g, copy, nr, seed * 10 + order);
            cr_assert_eq(truth_events(g), n);
            free(copy);
            truth_free(g);
        }
        free(r);
        free(v);
    }
}

Test(gt, sums_over_windows_equal_totals_for_a_generated_workload)
{
    /* tumbling and session windows over a real workload: every event is
     * in exactly one window, so counts and sums add up to the totals */
    config_t c;
    char err[256];
    memset(&c, 0, sizeof c);
    c.run.seed = 5;
    c.run.duration = 60;
    c.workload.rate = 200;
    c.workload.keys = 50;
    c.workload.key_dist = KEY_ZIPF;
    c.workload.zipf_s = 1.1;
    c.workload.value_dist = VAL_POISSON;
    c.workload.value = 5;
    c.workload.delay = DELAY_EXPONENTIAL;
    c.workload.delay_mean = 2;
    c.workload.sources = 1;
    struct config_window_s tw = {WIN_TUMBLING, 5, 0, 0}, sw = {WIN_SESSION, 0, 0, 0.5};
    truth_t *gt = truth_alloc(&tw), *gs = truth_alloc(&sw);
    workload_t *w = workload_open(&c, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    workload_event e;
    while (workload_next(w, &e) == WL_OK) {
        cr_assert_eq(truth_add(gt, &e), 0);
        cr_assert_eq(truth_add(gs, &e), 0);
    }
    for (int i = 0; i < 2; i++) {
        const truth_t *g = i ? gs : gt;
        size_t pos = 0;
        wmap_key k;
        truth_value *v;
        uint64_t cnt = 0;
        int64_t sum = 0;
        while ((v = wmap_next(truth_map(g), &pos, &k)) != NULL) {
            cnt += v->count;
            sum += v->sum;
            cr_assert_lt(k.key, 50u);
        }
        cr_assert_eq(cnt, workload_count(w));
        cr_assert_eq(truth_events(g), workload_count(w));
        cr_assert_eq(sum, truth_sum(g));
    }
    cr_assert_eq(truth_sum(gt), truth_sum(gs));
    cr_assert_lt(wmap_size(truth_map(gt)), 50 * 12 + 1, "at most keys x 12 windows");
    workload_free(w);
    truth_free(gt);
    truth_free(gs);
}
