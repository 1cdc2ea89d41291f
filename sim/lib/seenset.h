/*
 * seenset: a set of 64-bit sequence numbers, each marked once, whose
 * members mostly arrive in rising order ("counted once" sets).
 *
 * Rules of this module
 *  - A ring of 64-bit words holds one bit per seq from base_word*64 up,
 *    plus a small hash set of "stragglers" (seqs below the ring that are
 *    still unmarked).  The ring's front word is popped as soon as it is
 *    full, so the ring spans only the seqs between the oldest unmarked
 *    one and the newest one marked.
 *  - When the ring would have to grow past SEENSET_EVICT_WORDS words and
 *    its front word is almost full (a few stuck seqs, e.g. an event held
 *    in a session window for the whole run), those few unmarked seqs move
 *    to the straggler set and the ring slides on.  So memory is about one
 *    bit per seq in the spread of unmarked seqs, and at most 16 bytes per
 *    long-stuck one, never proportional to how many were marked.
 *  - seenset_test_set is O(1) (amortised: growth doubles); its common
 *    case (seq inside the ring) is inline, the rest out of line.
 *  - Out of memory: seenset_test_set returns -1 and the seq stays
 *    unmarked; the set is still valid.  Nothing prints or aborts.
 */
#ifndef SLUICE_SEENSET_H
#define SLUICE_SEENSET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEENSET_EVICT_WORDS 256u /* beyond 16,384 seqs of spread, evict */

typedef struct seenset {
    uint64_t *ring;      /* cap words; slot (head + i) & (cap - 1) holds the
                            bits of seqs (base_word + i) * 64 ... + 63 */
    size_t cap, head;    /* cap: a power of two */
    uint64_t base_word;  /* every seq < base_word * 64 is marked, except
                            the stragglers */
    uint64_t *strag;     /* unmarked seqs below the ring: open addressing,
                            linear probing, UINT64_MAX = free; scap a
                            power of two, load <= 1/2 */
    size_t scap, sn;
} seenset;

/* An empty set (allocates the first ring).  0, or -1 out of memory. */
int seenset_init(seenset *s);

/* Frees the memory (the set must be initialised again to be used). */
void seenset_free(seenset *s);

/* Bytes allocated (ring and straggler table). */
size_t seenset_bytes(const seenset *s);

/* seenset_test_set for a seq outside the ring (below it or beyond it). */
int seenset_test_set_slow(seenset *s, uint64_t seq);

/* Marks seq.  Returns 1 if it was marked already, 0 if newly marked, -1
 * when out of memory (seq then stays unmarked). */
static inline int seenset_test_set(seenset *s, uint64_t seq)
{
    uint64_t w = seq >> 6;
    if (w < s->base_word || w - s->base_word >= s->cap)
        return seenset_test_set_slow(s, seq);
    size_t slot = (s->head + (size_t)(w - s->base_word)) & (s->cap - 1);
    uint64_t bit = UINT64_C(1) << (seq & 63);
    if (s->ring[slot] & bit)
        return 1;
    s->ring[slot] |= bit;
    while (s->ring[s->head] == UINT64_MAX) { /* front full: slide on */
        s->ring[s->head] = 0;
        s->head = (s->head + 1) & (s->cap - 1);
        s->base_word++;
    }
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif
