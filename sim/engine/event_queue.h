/*
 * eq: the pending-event set of the simulation (future event list).
 *
 * Rules of this module
 *  - Events are ordered by time, then by insertion sequence: two events at
 *    the same time fire in the order they were scheduled (deterministic
 *    ties).  Rescheduling counts as a new insertion.
 *  - Structure: an implicit 4-ary min-heap of 16-byte (time, slot) entries,
 *    cache-line aligned, plus a slot table holding the callback, its
 *    arguments and the sequence number.  schedule and pop are O(log4 n);
 *    cancel is O(1) and lazy: the entry stays in the heap, dead, until its
 *    time comes, and is dropped then; reschedule is O(log4 n): a cancel
 *    plus a schedule, which gives the event a new handle (entries do not
 *    track their heap position, which made every sift step a random
 *    write: `make bench`, figure 4); peek is O(1).  Slots are recycled
 *    through a free list and both arrays grow by doubling (never shrink),
 *    so there is no malloc per event in steady state and memory follows
 *    the most events ever scheduled and not yet due, cancelled ones
 *    included (up to 2^31).  event_queue_schedule returns 0 only when growing
 *    fails.  event_queue_size counts pending events only.
 *  - A handle names one scheduled event.  It stays valid until the event
 *    fires or is cancelled; after that event_queue_cancel/event_queue_reschedule on it return
 *    EQ_ERR (a generation counter makes stale handles harmless).  Handle 0
 *    is never issued, so it can mean "no event".  A NaN time is a
 *    programmer error (assert).
 *  - eq does not own the void *arg pointers it carries.
 *  - Time is double seconds.  The queue itself does not know "now";
 *    run/sim.c asserts that nothing is scheduled in the past.
 */
#ifndef SLUICE_EVENT_QUEUE_H
#define SLUICE_EVENT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EQ_OK 0
#define EQ_ERR (-1)

typedef uint64_t event_queue_handle;
typedef struct eq event_queue_t;

/* Callback when an event fires: ctx is the simulation context given to
 * event_queue_pop's caller, arg and data are what was scheduled. */
typedef void (*event_queue_fn)(void *ctx, void *arg, uint64_t data);

typedef struct event_queue_item {
    double time;
    event_queue_fn fn;
    void *arg;
    uint64_t data;
} event_queue_item;

/* New empty queue with room for `hint` events (0 is fine).  NULL on OOM. */
event_queue_t *event_queue_alloc(size_t hint);
void event_queue_free(event_queue_t *q); /* event_queue_free(NULL) is fine */

/* Schedules fn(ctx, arg, data) at `time`.  Returns its handle, or 0 when
 * memory runs out. */
event_queue_handle event_queue_schedule(event_queue_t *q, double time, event_queue_fn fn, void *arg, uint64_t data);

/* Removes a pending event.  EQ_ERR if it already fired or was cancelled. */
int event_queue_cancel(event_queue_t *q, event_queue_handle h);

/* Moves a pending event to a new time (it gets a new sequence number, so
 * it fires after events already scheduled for that same time).  On success
 * *h is replaced by the event's new handle (the old one goes stale).
 * EQ_ERR, *h untouched, if it already fired or was cancelled, or memory
 * ran out (then the event stays as it was). */
int event_queue_reschedule(event_queue_t *q, event_queue_handle *h, double time);

/* 1 if h names a pending event. */
int event_queue_pending(const event_queue_t *q, event_queue_handle h);

/* Removes the earliest event into *out.  EQ_ERR when empty. */
int event_queue_pop(event_queue_t *q, event_queue_item *out);

/* Time of the earliest event, or +INFINITY when empty. */
double event_queue_peek_time(const event_queue_t *q);

size_t event_queue_size(const event_queue_t *q);

#ifdef __cplusplus
}
#endif

#endif
