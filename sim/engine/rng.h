/*
 * rng: PCG32 as a GSL generator type, and per-component random streams.
 *
 * Rules of this module
 *  - sluice_rng_pcg32 is a gsl_rng_type (like gsl_rng_mt19937), so
 *    gsl_rng_alloc(sluice_rng_pcg32) feeds every gsl_ran_* distribution.
 *  - PCG32 is O'Neill's XSH-RR output on a 64-bit LCG, 32-bit output,
 *    period 2^64 per stream, 2^63 streams (the increment selects a stream).
 *  - gsl_rng_set(r, s) seeds state s on the default stream (the one of the
 *    reference PCG32_INITIALIZER, increment 0xda3e39cb94b95bdb); use
 *    rng_pcg32_seed() to pick the stream too (the reference
 *    pcg32_srandom_r(&rng, initstate, initseq)).
 *  - Every component of a run draws from its own stream, derived from the
 *    master seed and the component number by rng_derive() (SplitMix64
 *    finaliser), so changing one component's parameters never shifts
 *    another component's numbers.  Component numbers are part of the
 *    reproducibility contract: never renumber, only append.
 *  - No globals: the caller owns each gsl_rng and frees it with gsl_rng_free.
 */
#ifndef SLUICE_RNG_H
#define SLUICE_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The generator type (name "pcg32", min 0, max 0xffffffff).  get_double
 * is x / 2^32: in [0, 1), never 1.0.  gsl_rng_set(r, s) is
 * rng_pcg32_seed(r, s, 0x6d1f1ce5ca5caded), i.e. state s on the stream of
 * the reference PCG32_INITIALIZER (increment 0xda3e39cb94b95bdb). */
extern const gsl_rng_type *const sluice_rng_pcg32;

/* Component stream numbers (append only). */
enum rng_component {
    RNG_ARRIVAL = 1, /* event times at the sources */
    RNG_KEY = 2,     /* key of each event */
    RNG_VALUE = 3,   /* value of each event */
    RNG_DELAY = 4,   /* network delay */
    RNG_LATE = 5,    /* late-event choice and extra delay */
    RNG_SOURCE = 6,  /* which source an event comes from, clock skews */
    RNG_SERVICE = 7, /* stream executor service times */
    RNG_FAULT = 8,   /* fault schedule */
    RNG_BATCH = 9,   /* batch executor (reserved) */
    RNG_MICROBATCH = 10, /* micro-batch executor (reserved) */
    RNG_MMPP = 11,   /* MMPP state sojourns */
    RNG_THIN = 12,   /* diurnal thinning acceptance */
    RNG_STRESS = 13  /* stress mode: fault schedules per seed */
};

/* Seeds r (which must be of type sluice_rng_pcg32) exactly like the
 * reference pcg32_srandom_r(&rng, initstate, initseq). */
void rng_pcg32_seed(gsl_rng *r, uint64_t initstate, uint64_t initseq);

/* A fixed, well-mixed 64-bit function of (master, component): SplitMix64
 * finaliser applied to master + golden-ratio * component. */
uint64_t rng_derive(uint64_t master, uint64_t component);

/* A new PCG32 generator for one component: state rng_derive(master, c),
 * stream rng_derive(master ^ 0x5bd1e995, c).  Caller frees with
 * gsl_rng_free.  Returns NULL when out of memory. */
gsl_rng *rng_stream_alloc(uint64_t master_seed, unsigned component);

#ifdef __cplusplus
}
#endif

#endif
