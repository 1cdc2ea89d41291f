/*
 * wmap: open-addressing hash map (key, start, end) -> value_size bytes.
 *
 * Layout: a power-of-two table of slots (hash, key, start, end, used) and
 * a parallel byte array of values, value_size bytes each.  The value
 * stride is value_size itself: a C type's size is a multiple of its
 * alignment, so values of any type T with value_size == sizeof(T) are
 * aligned (the array comes from malloc).  Linear probing; deletion shifts
 * the following cluster back (no tombstones), so lookups never slow down
 * with churn.  The table doubles when it would pass 50% load and never
 * shrinks (wmap_clear keeps the capacity): memory follows the largest
 * number of windows open at once, not the length of a run.
 *
 * Hash: the bit patterns of start and end (with -0.0 folded into 0.0, so
 * that equal doubles hash alike) and the key, combined through two rounds
 * of the SplitMix64 finaliser.  NaN bounds are a programmer error.
 */
#include "lib/wmap.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WMAP_MIN_CAP 16u

typedef struct wmap_slot {
    uint64_t hash;
    double start, end;
    uint32_t key;
    uint32_t used;
} wmap_slot;

struct wmap {
    wmap_slot *slots;
    unsigned char *vals;
    size_t value_size; /* bytes per value as given */
    size_t stride;     /* bytes between values (>= 1) */
    size_t cap;        /* power of two */
    size_t n;
};

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t dbits(double x)
{
    uint64_t b;
    x = x == 0.0 ? 0.0 : x; /* -0.0 -> +0.0 */
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline uint64_t hash3(uint32_t key, double start, double end)
{
    uint64_t h = mix64(dbits(start) + 0x9e3779b97f4a7c15ULL * ((uint64_t)key + 1));
    return mix64(h ^ dbits(end));
}

static inline int slot_is(const wmap_slot *s, uint64_t h, uint32_t key, double start,
                          double end)
{
    return s->used && s->hash == h && s->key == key && s->start == start && s->end == end;
}

static inline void *val_at(const wmap_t *m, size_t i)
{
    return m->vals + i * m->stride;
}

static int alloc_table(wmap_t *m, size_t cap)
{
    wmap_slot *slots = calloc(cap, sizeof *slots);
    unsigned char *vals = malloc(cap * m->stride);
    if (slots == NULL || vals == NULL) {
        free(slots);
        free(vals);
        return -1;
    }
    m->slots = slots;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

wmap_t *wmap_alloc(size_t value_size)
{
    wmap_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->value_size = value_size;
    m->stride = value_size ? value_size : 1;
    if (alloc_table(m, WMAP_MIN_CAP) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void wmap_free(wmap_t *m)
{
    if (m == NULL)
        return;
    free(m->slots);
    free(m->vals);
    free(m);
}

size_t wmap_size(const wmap_t *m)
{
    return m->n;
}

void wmap_clear(wmap_t *m)
{
    memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
}

/* Index of the entry, or of the empty slot where it would go. */
static size_t probe(const wmap_t *m, uint64_t h, uint32_t key, double start, double end)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->slots[i].used && !slot_is(&m->slots[i], h, key, start, end))
        i = (i + 1) & mask;
    return i;
}

static int grow(wmap_t *m)
{
    wmap_slot *old = m->slots;
    unsigned char *oldv = m->vals;
    size_t oldcap = m->cap;
    if (oldcap > SIZE_MAX / 2 / (sizeof *old > m->stride ? sizeof *old : m->stride))
        return -1;
    if (alloc_table(m, oldcap * 2) != 0)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t j = 0; j < oldcap; j++) {
        if (!old[j].used)
            continue;
        size_t i = (size_t)old[j].hash & mask;
        while (m->slots[i].used)
            i = (i + 1) & mask;
        m->slots[i] = old[j];
        memcpy(val_at(m, i), oldv + j * m->stride, m->value_size);
    }
    free(old);
    free(oldv);
    return 0;
}

void *wmap_get(const wmap_t *m, uint32_t key, double start, double end)
{
    uint64_t h = hash3(key, start, end);
    size_t i = probe(m, h, key, start, end);
    return m->slots[i].used ? val_at(m, i) : NULL;
}

void *wmap_put(wmap_t *m, uint32_t key, double start, double end, int *created)
{
    assert(!isnan(start) && !isnan(end));
    uint64_t h = hash3(key, start, end);
    size_t i = probe(m, h, key, start, end);
    if (m->slots[i].used) {
        if (created)
            *created = 0;
        return val_at(m, i);
    }
    if (2 * (m->n + 1) > m->cap) {
        if (grow(m) != 0)
            return NULL;
        i = probe(m, h, key, start, end);
    }
    wmap_slot *s = &m->slots[i];
    s->hash = h;
    s->key = key;
    s->start = start == 0.0 ? 0.0 : start;
    s->end = end == 0.0 ? 0.0 : end;
    s->used = 1;
    m->n++;
    void *v = val_at(m, i);
    memset(v, 0, m->value_size);
    if (created)
        *created = 1;
    return v;
}

int wmap_del(wmap_t *m, uint32_t key, double start, double end)
{
    uint64_t h = hash3(key, start, end);
    size_t i = probe(m, h, key, start, end);
    if (!m->slots[i].used)
        return 0;
    /* Backward shift: move each following entry of the cluster into the
     * hole unless its home lies cyclically in (hole, j]. */
    size_t mask = m->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].used)
            break;
        size_t home = (size_t)m->slots[j].hash & mask;
        int stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        m->slots[i] = m->slots[j];
        memcpy(val_at(m, i), val_at(m, j), m->value_size);
        i = j;
    }
    m->slots[i].used = 0;
    m->n--;
    return 1;
}

void *wmap_next(const wmap_t *m, size_t *pos, wmap_key *k)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (!m->slots[i].used)
            continue;
        *pos = i + 1;
        if (k) {
            k->key = m->slots[i].key;
            k->start = m->slots[i].start;
            k->end = m->slots[i].end;
        }
        return val_at(m, i);
    }
    *pos = m->cap;
    return NULL;
}

typedef struct wmap_pair {
    wmap_key k;
    void *v;
} wmap_pair;

int wmap_key_cmp(const wmap_key *a, const wmap_key *b)
{
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return 0;
}

static int cmp_pair(const void *pa, const void *pb)
{
    /* keys are unique: never 0 for two entries */
    return wmap_key_cmp(&((const wmap_pair *)pa)->k, &((const wmap_pair *)pb)->k);
}

/* O(n log n) plus one temporary array of n pairs. */
int wmap_sorted(const wmap_t *m, wmap_key **keys, void ***vals)
{
    *keys = NULL;
    *vals = NULL;
    if (m->n == 0)
        return 0;
    wmap_pair *p = malloc(m->n * sizeof *p);
    wmap_key *ks = malloc(m->n * sizeof *ks);
    void **vs = malloc(m->n * sizeof *vs);
    if (p == NULL || ks == NULL || vs == NULL) {
        free(p);
        free(ks);
        free(vs);
        return -1;
    }
    size_t pos = 0, n = 0;
    void *v;
    wmap_key k;
    while ((v = wmap_next(m, &pos, &k)) != NULL)
        p[n++] = (wmap_pair){ k, v };
    assert(n == m->n);
    qsort(p, n, sizeof *p, cmp_pair);
    for (size_t i = 0; i < n; i++) {
        ks[i] = p[i].k;
        vs[i] = p[i].v;
    }
    free(p);
    *keys = ks;
    *vals = vs;
    return 0;
}
