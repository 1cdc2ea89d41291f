/*
 * trig: the trigger of the stream executor's window operator (Beam's
 * Trigger), as a table of function pointers in the manner of
 * gsl_rng_type.
 *
 * Rules of this module
 *  - The ON_TIME firing is fixed: one pane when the watermark passes the
 *    end of a window holding state (Beam's AfterWatermark.pastEndOfWindow,
 *    Flink's EventTimeTrigger).  A trigger decides the rest: EARLY panes
 *    before that moment and LATE panes after it.
 *  - The operator asks the trigger after each element it adds to a pane:
 *    on_element (before the end of the window) may fire at once or ask
 *    for one processing-time timer per window (a fired pane clears it);
 *    on_timer is asked when that timer fires; on_late (after the end,
 *    within allowed lateness) may fire at once.  When session windows
 *    that both have a timer pending merge, on_merge decides which timer
 *    the merged window keeps (Beam's Trigger.onMerge); the other is
 *    cancelled.  A trigger is stateless: what it sees of
 *    the window is a trigger_pane, so checkpoints need not save it.
 *  - Built-in (trigger_types[], looked up by name):
 *      early_processing_time  EARLY pane early_delay s of processing time
 *                 after the first element of a pane (0 = never), LATE
 *                 pane for every late element, and of two timers the
 *                 earlier survives a merge (ties: the merged window's
 *                 own): Beam's AfterWatermark.pastEndOfWindow()
 *                   .withEarlyFirings(AfterProcessingTime
 *                     .pastFirstElementInPane().plusDelayOf(early_delay))
 *                   .withLateFirings(AfterPane.elementCountAtLeast(1)).
 *                 The stream executor uses it (trigger_default).
 *  - Adding a trigger: write `const trigger_type trigger_mine = {...}` (its own
 *    file sim/trigger_mine.c is fine), declare it below, add a line to
 *    trigger_types[] in model/trigger.c, and make it trigger_default (or add a config
 *    word for it in model/config.c's table and look it up by name).
 *  - No state, no allocation, no globals but the const tables.
 */
#ifndef SLUICE_TRIGGER_H
#define SLUICE_TRIGGER_H

#include <stdint.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRIG_CONTINUE 0
#define TRIG_FIRE 1

/* on_merge's answers. */
#define TRIG_MERGE_KEEP 0  /* the merged window keeps its own timer */
#define TRIG_MERGE_TAKE 1  /* it takes the timer of the window merged in */

/* What a trigger sees of a window's current pane. */
typedef struct trigger_pane {
    uint64_t count;      /* elements since the last pane (this one included) */
    uint64_t total;      /* elements in the window so far */
    uint32_t index;      /* index the next pane of the window will get */
    double end;          /* window end, s of event time */
    int timer_set;       /* 1: a timer of this trigger is pending */
} trigger_pane;

typedef struct trigger_type {
    const char *name;
    /* An element joined the pane before the watermark passed the end.
     * TRIG_FIRE: emit an EARLY pane now.  Otherwise it may set *timer_at
     * (processing time, s; left at +INFINITY = none) to be asked again
     * then, unless a timer is already pending (p->timer_set). */
    int (*on_element)(const struct config_stream *c, const trigger_pane *p, double now,
                      double *timer_at);
    /* The timer came due: TRIG_FIRE emits an EARLY pane (only if the pane
     * holds elements). */
    int (*on_timer)(const struct config_stream *c, const trigger_pane *p, double now);
    /* A late element joined the pane (watermark past the end, within
     * allowed lateness): TRIG_FIRE emits a LATE pane now. */
    int (*on_late)(const struct config_stream *c, const trigger_pane *p);
    /* Two windows with a pending timer each merge (sessions): into_at is
     * the timer of the window the other merges into, from_at the other's
     * (processing time, s).  TRIG_MERGE_TAKE: the merged window takes
     * from's timer; TRIG_MERGE_KEEP: it keeps its own. */
    int (*on_merge)(const struct config_stream *c, double into_at, double from_at);
} trigger_type;

extern const trigger_type trigger_early_processing_time;

/* NULL-terminated registry, and the trigger the stream executor uses. */
extern const trigger_type *const trigger_types[];
extern const trigger_type *const trigger_default;

const trigger_type *trigger_lookup(const char *name); /* NULL if unknown */

#ifdef __cplusplus
}
#endif

#endif
