/*
 * wm: watermark policies of the stream executor, as a table of function
 * pointers in the manner of gsl_rng_type: a watermark_type names a policy and
 * holds its functions; a watermark_t is {type, state}.
 *
 * Rules of this module
 *  - A policy computes the *source* watermark W: "no more events with
 *    event_time < W are expected".  The stream executor asks for it each
 *    time its source reads an event (watermark_observe, then watermark_get) and at the
 *    processing times a policy announces with watermark_next_change (scripted
 *    steps).  The executor clamps the value so that it never decreases;
 *    a policy may return a lower value than before (it is ignored).
 *  - Built-in policies (registry watermark_types[], looked up by the [stream]
 *    watermark word):
 *      perfect    the smallest event time not yet read by the source,
 *                 arrived or not (the simulator's oracle, watermark_input.min_unread);
 *      bounded    max event time read - watermark_bound (Flink's
 *                 BoundedOutOfOrdernessWatermarks);
 *      percentile latest arrival time read - D_q, where D_q is the exact
 *                 q-quantile (q = watermark_percentile) of the delays
 *                 arrival - event time of all n events read so far, by
 *                 nearest rank: the k-th smallest with
 *                 k = watermark_pct_rank(q, n) = ceil(q*n) (computed in
 *                 double, clamped to [1, n]).  Kept exactly in two heaps
 *                 (the k smallest in a max-heap, the rest in a min-heap;
 *                 k grows by 0 or 1 per event, so one insert moves at most
 *                 one delay): O(log n) per event, 8 bytes per event read
 *                 (about 80 MB for 10 million events; a checkpoint copy
 *                 costs as much again), so q = 1 gives the largest delay
 *                 seen.  If memory runs out the structure stops growing
 *                 and D_q stays at its last value (deterministic; no
 *                 error is raised).  An event read after an event with
 *                 arrival a finds W <= a' - D_q at its own arrival a', so
 *                 it is on time whenever its delay d = a' - t <= D_q:
 *                 a share q of the events (more, counting the slack up to
 *                 the window end) when delays are stationary.  Using the
 *                 arrival time instead of "now" keeps a backlog (events
 *                 read long after they arrived) from making them late.
 *                 D_q moves down as well as up (the executor keeps W
 *                 monotone);
 *      scripted   a step function of processing time read from
 *                 watermark_file, CSV rows `time,watermark` (an optional
 *                 header row `time,watermark`, blank lines and #comments
 *                 allowed; times strictly increasing, watermarks never
 *                 decreasing; a regular file, lines of at most 510
 *                 characters, no NUL byte, read through lib/csvread.h
 *                 so fields may be quoted):
 *                 W(now) = watermark of the last row with
 *                 time <= now, -infinity before the first row.  Like
 *                 Beam's TestStream.advanceWatermarkTo: the stream
 *                 executor follows the script to its last step even after
 *                 the input ended (next_change < +infinity holds the
 *                 drain back), then drains (W = +infinity).
 *  - Adding a policy: write `const watermark_type watermark_mine = {...}` (its own file
 *    sim/watermark_mine.c is fine, everything else static), declare it below and
 *    add one line to watermark_types[] in model/watermark.c and its word to model/config.c's table.
 *  - No globals; watermark_alloc'd memory is owned by the watermark_t and released by
 *    watermark_free (watermark_free(NULL) is fine).  Errors never print: err gets
 *    "FILE:LINE: message" for a bad watermark_file row.
 *  - A policy's state can be copied (watermark_copy) into another instance of the
 *    same type: the stream executor keeps one copy per checkpoint, so a
 *    restore replays the same watermarks for the same events.
 *  - Costs: observe and get are O(1) for every built-in policy except
 *    percentile's observe (O(log n)); scripted next_change is O(1)
 *    amortised (a cursor moves forward as time does).
 */
#ifndef SLUICE_WATERMARK_H
#define SLUICE_WATERMARK_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WM_OK 0
#define WM_ERR (-1)

/* What the executor tells a policy when it asks for the watermark. */
typedef struct watermark_input {
    double now;        /* s of processing time */
    double min_unread; /* smallest event time not yet read by the source
                          (arrived or not); only filled in when the type
                          has needs_oracle, +INFINITY when none is left */
} watermark_input;

typedef struct watermark_type {
    const char *name;  /* the [stream] watermark word */
    size_t size;       /* bytes of state; zeroed before init */
    int needs_oracle;  /* 1: fill watermark_input.min_unread (costs a lookup) */
    /* Sets up the state from the configuration; may allocate (then free
     * must release it).  WM_ERR with err filled on bad input or OOM.
     * stop (may be NULL): a policy that reads a file stops with
     * "FILE: interrupted" once *stop is non-zero. */
    int (*init)(void *state, const config_t *c, const volatile int *stop, char *err,
                size_t errlen);
    void (*free)(void *state);                     /* may be NULL */
    /* The source has read ev (in arrival order). */
    void (*observe)(void *state, const workload_event *ev);
    /* The policy's watermark now (s of event time; -INFINITY = none). */
    double (*get)(void *state, const watermark_input *in);
    /* Earliest processing time > now at which get() changes without any
     * further observe; +INFINITY if it only moves on reads. */
    double (*next_change)(void *state, double now);
    /* Makes dst (an initialised state of the same type and config) equal
     * to src: checkpoints save and restore the generator's state this way.
     * NULL: a plain memcpy of `size` bytes is enough. */
    void (*copy)(void *dst, const void *src);
} watermark_type;

typedef struct wm {
    const watermark_type *type;
    void *state;       /* owned */
} watermark_t;

extern const watermark_type watermark_perfect;
extern const watermark_type watermark_bounded;
extern const watermark_type watermark_percentile;
extern const watermark_type watermark_scripted;

/* NULL-terminated registry of every policy. */
extern const watermark_type *const watermark_types[];

/* The policy named `name`, or NULL. */
const watermark_type *watermark_lookup(const char *name);

/* A new instance of type t configured from c.  NULL with err filled (bad
 * watermark_file, OOM).  Caller frees with watermark_free. */
watermark_t *watermark_alloc(const watermark_type *t, const config_t *c, char *err, size_t errlen);
/* watermark_alloc whose file reading (scripted) ends once *stop is non-zero. */
watermark_t *watermark_alloc_stop(const watermark_type *t, const config_t *c, const volatile int *stop, char *err,
                    size_t errlen);
void watermark_free(watermark_t *w);

/* The nearest rank of the percentile policy: ceil(q*n) clamped to [1, n]
 * (0 when n = 0), q in (0, 1]. */
uint64_t watermark_pct_rank(double q, uint64_t n);

/* dst := src (same type, allocated from the same config).  O(state). */
void watermark_copy(watermark_t *dst, const watermark_t *src);

static inline void watermark_observe(watermark_t *w, const workload_event *ev)
{
    w->type->observe(w->state, ev);
}
static inline double watermark_get(watermark_t *w, const watermark_input *in)
{
    return w->type->get(w->state, in);
}
static inline double watermark_next_change(watermark_t *w, double now)
{
    return w->type->next_change(w->state, now);
}

#ifdef __cplusplus
}
#endif

#endif
