/*
 * seenset.c: the sliding bitset with stragglers (see lib/seenset.h).
 */
#include "lib/seenset.h"

#include <stdlib.h>
#include <string.h>

#define SEEN_MIN_WORDS 16u        /* initial ring: 1,024 seqs */
#define SEEN_EVICT_MAX_ZEROS 4    /* evict only a front word with <= 4 unmarked */
#define SEEN_EMPTY UINT64_MAX     /* free slot of the straggler hash set */

int seenset_init(seenset *s)
{
    memset(s, 0, sizeof *s);
    s->cap = SEEN_MIN_WORDS;
    s->ring = calloc(s->cap, sizeof *s->ring);
    return s->ring ? 0 : -1;
}

void seenset_free(seenset *s)
{
    free(s->ring);
    free(s->strag);
}

size_t seenset_bytes(const seenset *s)
{
    return s->cap * sizeof *s->ring + s->scap * sizeof *s->strag;
}

static size_t strag_slot(const seenset *s, uint64_t seq)
{
    /* Fibonacci hashing: the top bits of seq * 2^64/phi. */
    return (size_t)((seq * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (s->scap - 1);
}

static int strag_grow(seenset *s)
{
    size_t ncap = s->scap ? 2 * s->scap : 64;
    uint64_t *old = s->strag;
    size_t ocap = s->scap;
    uint64_t *nv = malloc(ncap * sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < ncap; i++)
        nv[i] = SEEN_EMPTY;
    s->strag = nv;
    s->scap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i] == SEEN_EMPTY)
            continue;
        size_t j = strag_slot(s, old[i]);
        while (s->strag[j] != SEEN_EMPTY)
            j = (j + 1) & (s->scap - 1);
        s->strag[j] = old[i];
    }
    free(old);
    return 0;
}

static int strag_add(seenset *s, uint64_t seq)
{
    if (2 * (s->sn + 1) > s->scap && strag_grow(s) != 0)
        return -1;
    size_t j = strag_slot(s, seq);
    while (s->strag[j] != SEEN_EMPTY)
        j = (j + 1) & (s->scap - 1);
    s->strag[j] = seq;
    s->sn++;
    return 0;
}

/* Removes seq if present (backward-shift deletion); 1 if it was there. */
static int strag_take(seenset *s, uint64_t seq)
{
    if (s->sn == 0)
        return 0;
    size_t mask = s->scap - 1, j = strag_slot(s, seq);
    while (s->strag[j] != seq) {
        if (s->strag[j] == SEEN_EMPTY)
            return 0;
        j = (j + 1) & mask;
    }
    /* Shift later members of the probe run back over the hole. */
    size_t hole = j;
    for (size_t k = (j + 1) & mask; s->strag[k] != SEEN_EMPTY; k = (k + 1) & mask) {
        size_t home = strag_slot(s, s->strag[k]);
        /* k may move to hole if home is not cyclically in (hole, k]. */
        int stays = hole <= k ? (home > hole && home <= k) : (home > hole || home <= k);
        if (!stays) {
            s->strag[hole] = s->strag[k];
            hole = k;
        }
    }
    s->strag[hole] = SEEN_EMPTY;
    s->sn--;
    return 1;
}

/* Drops the front word of the ring; its pending seqs become stragglers. */
static int pop_front(seenset *s)
{
    uint64_t w = s->ring[s->head];
    for (unsigned b = 0; b < 64; b++)
        if (!(w >> b & 1) && strag_add(s, s->base_word * 64 + b) != 0)
            return -1;
    s->ring[s->head] = 0;
    s->head = (s->head + 1) & (s->cap - 1);
    s->base_word++;
    return 0;
}

static int zeros(uint64_t w)
{
    int n = 0;
    for (w = ~w; w; w &= w - 1)
        n++;
    return n;
}

/* Makes room in the ring for word index w (>= base_word). */
static int make_room(seenset *s, uint64_t w)
{
    while (w - s->base_word >= s->cap) {
        if (s->cap >= SEENSET_EVICT_WORDS && zeros(s->ring[s->head]) <= SEEN_EVICT_MAX_ZEROS) {
            if (pop_front(s) != 0)
                return -1;
            continue;
        }
        size_t ncap = 2 * s->cap;
        uint64_t *nr = calloc(ncap, sizeof *nr);
        if (!nr)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            nr[i] = s->ring[(s->head + i) & (s->cap - 1)];
        free(s->ring);
        s->ring = nr;
        s->cap = ncap;
        s->head = 0;
    }
    return 0;
}

/* The rare cases of seenset_test_set: seq below the ring (a straggler, or
 * marked), or beyond it (the ring grows or evicts).  Out of line so that
 * the inline fast path saves no registers. */
int seenset_test_set_slow(seenset *s, uint64_t seq)
{
    uint64_t w = seq >> 6;
    if (w < s->base_word)
        return strag_take(s, seq) ? 0 : 1;
    if (make_room(s, w) != 0)
        return -1;
    return seenset_test_set(s, seq); /* now in the ring */
}

