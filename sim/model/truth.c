/*
 * gt: ground truth per (key, window).  Rules: see model/truth.h.
 *
 *  - tumbling / sliding: every window of window_assign() gets count + 1 and
 *    sum + value in one wmap: O(windows per event) expected per event.
 *  - session: each key keeps a sorted array of its sessions (start, end),
 *    pairwise not overlapping in the sense of window_overlaps(); the
 *    aggregates live in the wmap under (key, start, end).  An event at t
 *    makes the proto-session [t, t + gap); a binary search finds the first
 *    session that could overlap it, every overlapping session is merged
 *    into it (window_merge, aggregates summed, old wmap entries deleted) and
 *    the array is closed up.  Correct for any arrival order.  Cost per
 *    event: O(log s + moved) where s is the key's session count; events
 *    that extend the newest session (the usual case) move nothing.  The
 *    per-key arrays are found through a second wmap under (key, 0, 0).
 *  - none: only the totals.
 */
#include "model/truth.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vec.h"
#include "model/window.h"

typedef struct sessions {
    window_t *w;       /* sorted by start; owned, freed in truth_free */
    size_t n, cap;
} sessions;

struct gt {
    struct config_window_s cfg;
    wmap_t *map;     /* (key, start, end) -> truth_value */
    wmap_t *keys;    /* session: (key, 0, 0) -> sessions */
    window_t *buf;      /* window_assign output, window_max_per_event entries */
    size_t nbuf;
    uint64_t events;
    int64_t sum;
};

truth_t *truth_alloc(const struct config_window_s *w)
{
    truth_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *w;
    g->map = wmap_alloc(sizeof(truth_value));
    if (!g->map)
        goto oom;
    if (w->type == WIN_SESSION) {
        g->keys = wmap_alloc(sizeof(sessions));
        if (!g->keys)
            goto oom;
    } else if (w->type != WIN_NONE) {
        g->nbuf = window_max_per_event(w);
        g->buf = malloc((g->nbuf ? g->nbuf : 1) * sizeof *g->buf);
        if (!g->buf)
            goto oom;
    }
    return g;
oom:
    truth_free(g);
    return NULL;
}

void truth_free(truth_t *g)
{
    if (!g)
        return;
    if (g->keys) {
        size_t pos = 0;
        sessions *s;
        while ((s = wmap_next(g->keys, &pos, NULL)) != NULL)
            free(s->w);
        wmap_free(g->keys);
    }
    wmap_free(g->map);
    free(g->buf);
    free(g);
}

static int add_to(truth_t *g, uint32_t key, window_t w, uint64_t count, int64_t sum)
{
    truth_value *v = wmap_put(g->map, key, w.start, w.end, NULL);
    if (!v)
        return -1;
    v->count += count;
    v->sum += sum;
    return 0;
}

/* Adds one event at t to the sessions of key. */
static int add_session(truth_t *g, uint32_t key, double t, int64_t value)
{
    sessions *ss = wmap_put(g->keys, key, 0, 0, NULL);
    window_t merged = {t, t + g->cfg.gap};
    uint64_t count = 1;
    int64_t sum = value;
    size_t lo = 0, hi, a, b;

    if (!ss)
        return -1;
    /* first session whose end is >= t: earlier ones end before t + nothing
     * of them can share a point with [t, t + gap) */
    hi = ss->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ss->w[mid].end < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    a = lo;
    /* only the proto-session itself changes: the common case of an event
     * inside an existing session */
    if (a < ss->n && ss->w[a].start <= t && t + g->cfg.gap <= ss->w[a].end) {
        return add_to(g, key, ss->w[a], 1, value);
    }
    /* sessions a.. that overlap the growing merge; the array is sorted and
     * pairwise apart, so they are contiguous (with window_overlaps counting a
     * shared end point, every one from a on with start <= merged.end) */
    for (b = a; b < ss->n && ss->w[b].start <= merged.end; b++) {
        if (!window_overlaps(ss->w[b], merged))
            break;
        {
            truth_value *v = wmap_get(g->map, key, ss->w[b].start, ss->w[b].end);
            assert(v != NULL);
            count += v->count;
            sum += v->sum;
            wmap_del(g->map, key, ss->w[b].start, ss->w[b].end);
        }
        merged = window_merge(merged, ss->w[b]);
    }
    if (add_to(g, key, merged, count, sum))
        return -1;
    /* replace ss->w[a..b) by merged */
    if (a == b) {
        if (vec_ensure(&ss->w, &ss->cap, ss->n + 1, sizeof *ss->w) != VEC_OK)
            return -1;
        memmove(ss->w + a + 1, ss->w + a, (ss->n - a) * sizeof *ss->w);
        ss->n++;
    } else if (b - a > 1) {
        memmove(ss->w + a + 1, ss->w + b, (ss->n - b) * sizeof *ss->w);
        ss->n -= b - a - 1;
    }
    ss->w[a] = merged;
    assert(a == 0 || ss->w[a - 1].start < merged.start);
    assert(a + 1 >= ss->n || merged.start < ss->w[a + 1].start);
    return 0;
}

int truth_add(truth_t *g, const workload_event *ev)
{
    size_t n, i;
    switch (g->cfg.type) {
    case WIN_SESSION:
        if (add_session(g, ev->key, ev->event_time, ev->value))
            return -1;
        break;
    case WIN_TUMBLING:
    case WIN_SLIDING:
        n = window_assign(&g->cfg, ev->event_time, g->buf, g->nbuf);
        for (i = 0; i < n; i++)
            if (add_to(g, ev->key, g->buf[i], 1, ev->value))
                return -1;
        break;
    default:
        break;
    }
    g->events++;
    g->sum += ev->value;
    return 0;
}

void truth_forget(truth_t *g, uint32_t key, double start, double end)
{
    if (!wmap_del(g->map, key, start, end) || g->cfg.type != WIN_SESSION)
        return;
    sessions *ss = wmap_get(g->keys, key, 0, 0);
    if (!ss)
        return;
    /* Forgotten sessions are the oldest of their key: look from the front. */
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->w[i].start == start && ss->w[i].end == end) {
            memmove(ss->w + i, ss->w + i + 1, (ss->n - i - 1) * sizeof *ss->w);
            ss->n--;
            return;
        }
        if (ss->w[i].start > start)
            return;
    }
}

const wmap_t *truth_map(const truth_t *g)
{
    return g->map;
}

uint64_t truth_events(const truth_t *g)
{
    return g->events;
}

int64_t truth_sum(const truth_t *g)
{
    return g->sum;
}
