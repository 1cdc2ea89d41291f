/*
 * bare_mm1: the ceiling of `make bench`: a minimal M/M/1 event loop in
 * plain C, and the bare 4-ary heap it runs on.
 *
 * Rules of this module
 *  - Nothing but what an M/M/1 needs: an inline PCG32 (the same XSH-RR
 *    generator as sluice's, without the gsl_rng indirection), exponential
 *    draws as -mean * log1p(-u) (what gsl_ran_exponential computes), a
 *    FIFO of arrival times, and a 4-ary min-heap of (time, id) entries
 *    ordered by time, then id.
 *  - No allocation per event: the heap and the FIFO grow by doubling.
 *  - The heap (bheap_*) is also the reference of the hold-model benchmark
 *    (figure 4), against sluice's eq.
 *  - The caller owns a bheap (bheap_init / bheap_free).
 */
#ifndef SLUICE_BARE_MM1_H
#define SLUICE_BARE_MM1_H

#include <stddef.h>
#include <stdint.h>

/* ---- PCG32 (O'Neill's reference pcg32_random_r) ---- */
typedef struct bare_rng {
    uint64_t state, inc;
} bare_rng;

void bare_rng_seed(bare_rng *r, uint64_t initstate, uint64_t initseq);

static inline uint32_t bare_rng_next(bare_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xs = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xs >> rot) | (xs << ((-rot) & 31u));
}

/* Exponential with the given mean, as gsl_ran_exponential on a PCG32. */
double bare_rng_exp(bare_rng *r, double mean);

/* ---- 4-ary min-heap of (time, id), O(log4 n) push and pop ---- */
typedef struct bheap_entry {
    double time;
    uint64_t id;
} bheap_entry;

typedef struct bheap {
    bheap_entry *v;
    size_t n, cap;
} bheap;

int bheap_init(bheap *h, size_t cap); /* 0, or -1 on OOM */
void bheap_free(bheap *h);
int bheap_push(bheap *h, double time, uint64_t id); /* 0, or -1 on OOM */
/* Removes the earliest entry into *out; -1 when empty. */
int bheap_pop(bheap *h, bheap_entry *out);

/* ---- the M/M/1 loop ---- */
typedef struct bare_mm1_result {
    uint64_t events;      /* arrivals + departures */
    uint64_t customers;   /* departed */
    double mean_sojourn;  /* s: departure - arrival (theory 1/(mu - lambda)) */
    double end_time;      /* s */
} bare_mm1_result;

/* Simulates `customers` arrivals (Poisson, rate lambda) through one
 * exponential server (rate mu) until every one has departed.  Returns 0,
 * or -1 on OOM. */
int bare_mm1_run(uint64_t customers, double lambda, double mu, uint64_t seed,
                 bare_mm1_result *out);

#endif
