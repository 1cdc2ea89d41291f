/*
 * rng: PCG32 (XSH-RR) as a GSL generator type.
 *
 * M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically
 * Good Algorithms for Random Number Generation", HMC-CS-2014-0905 (2014).
 * The code follows the reference pcg_basic.c: a 64-bit LCG
 *   state' = state * 6364136223846793005 + inc   (inc odd: the stream)
 * whose old state is output through XSH-RR (xorshift high, random
 * rotation) to 32 bits.  Period 2^64 for each of the 2^63 streams.
 *
 * Written in the manner of GSL's rng/mt.c: static set/get/get_double, one
 * exported const type pointer.
 */
#include "engine/rng.h"

#include <assert.h>

typedef struct {
    uint64_t state;
    uint64_t inc; /* always odd */
} pcg32_state_t;

#define PCG32_MULT 6364136223846793005ULL
/* The increment of the reference PCG32_INITIALIZER; gsl_rng_set() seeds
 * on this stream (initseq = PCG32_DEFAULT_INC >> 1). */
#define PCG32_DEFAULT_INC 0xda3e39cb94b95bdbULL

static inline uint32_t pcg32_next(pcg32_state_t *s)
{
    uint64_t old = s->state;
    s->state = old * PCG32_MULT + s->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    /* (-rot) & 31 keeps the left shift below 32 when rot == 0. */
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* The reference pcg32_srandom_r. */
static void pcg32_srandom(pcg32_state_t *s, uint64_t initstate, uint64_t initseq)
{
    s->state = 0u;
    s->inc = (initseq << 1u) | 1u;
    (void)pcg32_next(s);
    s->state += initstate;
    (void)pcg32_next(s);
}

static void pcg32_set(void *vstate, unsigned long int seed)
{
    pcg32_srandom((pcg32_state_t *)vstate, (uint64_t)seed, PCG32_DEFAULT_INC >> 1);
}

static unsigned long int pcg32_get(void *vstate)
{
    return pcg32_next((pcg32_state_t *)vstate);
}

/* x / 2^32: the largest value is (2^32 - 1) / 2^32 < 1, exact in a
 * double, so the result is in [0, 1) and never 1.0. */
static double pcg32_get_double(void *vstate)
{
    return (double)pcg32_next((pcg32_state_t *)vstate) / 4294967296.0;
}

static const gsl_rng_type pcg32_type = {
    "pcg32",               /* name */
    0xffffffffUL,          /* RAND_MAX */
    0,                     /* RAND_MIN */
    sizeof(pcg32_state_t), /* state size */
    &pcg32_set,
    &pcg32_get,
    &pcg32_get_double
};

const gsl_rng_type *const sluice_rng_pcg32 = &pcg32_type;

void rng_pcg32_seed(gsl_rng *r, uint64_t initstate, uint64_t initseq)
{
    assert(r != NULL && r->type == sluice_rng_pcg32);
    pcg32_srandom((pcg32_state_t *)r->state, initstate, initseq);
}

uint64_t rng_derive(uint64_t master, uint64_t component)
{
    uint64_t z = master + 0x9e3779b97f4a7c15ULL * component;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

gsl_rng *rng_stream_alloc(uint64_t master_seed, unsigned component)
{
    gsl_rng *r = gsl_rng_alloc(sluice_rng_pcg32);
    if (r == NULL)
        return NULL;
    rng_pcg32_seed(r, rng_derive(master_seed, component),
                   rng_derive(master_seed ^ 0x5bd1e995ULL, component));
    return r;
}
