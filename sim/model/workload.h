/*
 * wl: the workload: events with an event time and a later arrival time.
 *
 * Rules of this module
 *  - A workload is either generated (arrival process, keys, values, delays,
 *    late events, sources with clock skew; see [workload] in model/config.h) or
 *    replayed from a user's trace CSV (read by model/trace.h: columns by
 *    name, string keys, time formats, rebasing; arrival times missing from
 *    it are drawn from the delay model).
 *  - Events come out in arrival order: ascending arrival_time, ties broken
 *    by ascending id.  workload_next() hands them out one by one; seq numbers the
 *    events 0, 1, 2, ... in that order.
 *  - Generation is lazy: the generator keeps only the events generated but
 *    not yet handed out (rate x delay of them), never the whole run, so
 *    memory does not grow with the length of the run.  A trace in arrival
 *    or event-time order is streamed the same way; one in no order is read
 *    whole and sorted (WL_TRACE_* below).
 *  - Each part draws from its own random stream (engine/rng.h components), so
 *    e.g. changing the delay parameters leaves event times and keys alone.
 *  - The generator gives event times in [0, run.duration); a trace is
 *    replayed whole.
 *  - wl never prints; errors come back as "FILE:LINE: message".
 */
#ifndef SLUICE_WORKLOAD_H
#define SLUICE_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WL_OK 0
#define WL_ERR (-1)

typedef struct workload_event {
    uint64_t id;          /* unique id (generation order, or from the trace) */
    uint64_t seq;         /* position in arrival order: 0, 1, 2, ... */
    uint32_t key;
    int64_t value;
    double event_time;    /* s: when it happened at its source */
    double arrival_time;  /* s: when the system sees it (>= event_time) */
} workload_event;

typedef struct wl workload_t;

/* Opens the workload of c (generator or trace).  For a trace the file is
 * read and validated here (model/trace.h): a bad row gives NULL with
 * err = "TRACE:LINE: message" (see trace.h), a duplicate id
 * "TRACE:LINE: duplicate id N (first on line M)".  A bad generator
 * parameter gives "CONFIG: message".
 * NULL on error.  The caller frees the workload with workload_free. */
workload_t *workload_open(const config_t *c, char *err, size_t errlen);
/* workload_open for a trace that can be interrupted: reading the file ends with
 * "TRACE: interrupted" once *stop (may be NULL) becomes non-zero.  A trace
 * must be a regular file with lines of at most INFILE_LINE_MAX bytes and
 * no NUL byte (lib/infile.h; "TRACE:LINE: NUL byte in the file"); it is
 * read as CSV by lib/csvread.h (quoted fields allowed). */
workload_t *workload_open_stop(const config_t *c, const volatile int *stop, char *err, size_t errlen);
void workload_free(workload_t *w);

/* How a trace is replayed.  workload_open takes the first that fits:
 *  WL_TRACE_BLOCKS: rows in (arrival_time, id) order (as sluice gen writes
 *    them): read TRACE_BLOCK rows at a time as the run goes;
 *  WL_TRACE_EVENTS: rows in event-time order: each row is read when the
 *    run reaches its event time and held until it arrives (its arrival
 *    read, or drawn from the delay model): rate x delay rows in memory;
 *  WL_TRACE_WHOLE: any other order: read whole and sorted, at most
 *    WL_TRACE_SORT_MAX rows (about WL_TRACE_ROW_BYTES each); a longer
 *    trace is refused with "TRACE:LINE: rows out of arrival_time order
 *    (...)" naming the first row out of order and a sort command.
 * Every mode gives the same events in the same order. */
enum { WL_TRACE_AUTO, WL_TRACE_WHOLE, WL_TRACE_BLOCKS, WL_TRACE_EVENTS };
#define WL_TRACE_SORT_MAX ((size_t)10000000)
#define WL_TRACE_ROW_BYTES ((size_t)88) /* a row read whole: the event, its line, the id check */

/* workload_open_stop for a trace (c->workload.source = trace) replayed in
 * mode (WL_TRACE_AUTO: as above; another: that one, an error when the
 * rows are not in its order), sorting at most sort_max rows in memory
 * (0: WL_TRACE_SORT_MAX).  For tests and benchmarks. */
workload_t *workload_open_trace(const config_t *c, int mode, size_t sort_max,
                                const volatile int *stop, char *err, size_t errlen);
/* The mode a trace is replayed in; WL_TRACE_AUTO for a generator. */
int workload_trace_mode(const workload_t *w);

/* Holds back deliveries during [start, end): an event whose arrival time
 * falls inside is delivered at `end` instead (source outage; its
 * arrival_time field becomes `end`); the held-back events keep their order
 * (original arrival, id) and come before events arriving at `end` itself.
 * Overlapping outages merge; start == end holds nothing.  Call before the
 * first workload_peek/workload_next (WL_ERR after, or when start > end). */
int workload_add_outage(workload_t *w, double start, double end);

/* Arrival time of the next event, +INFINITY when the workload is over. */
double workload_peek(workload_t *w);

/* Takes the next event in arrival order.  WL_ERR (and *ev untouched) when
 * the workload is over or memory ran out (then workload_error() says which;
 * after running out of memory workload_peek gives +INFINITY and
 * workload_min_pending_event_time -INFINITY). */
int workload_next(workload_t *w, workload_event *ev);
const char *workload_error(const workload_t *w); /* "" when the workload simply ended */

/* The smallest event time among events not yet handed out by workload_next
 * (the perfect watermark's oracle), +INFINITY when none are left.  Exact,
 * also with skewed sources and outages.  The generator keeps a second heap
 * (by event time) from the first call on: O(log in-flight) per event. */
double workload_min_pending_event_time(workload_t *w);

/* A lower bound of workload_min_pending_event_time, without its second heap:
 * O(in flight) per call and nothing per event, for callers that ask
 * rarely (sim's folding, a batch job's due time).  Nondecreasing; exact
 * for a trace or once workload_min_pending_event_time has been called. */
double workload_pending_event_time_floor(workload_t *w);

/* Events handed out so far. */
uint64_t workload_count(const workload_t *w);

/* Events generated (or read) but not yet handed out, and the largest that
 * number has been (for a generator: about rate x delay, whatever the
 * length of the run; for a trace: the whole trace). */
size_t workload_in_flight(const workload_t *w);
size_t workload_in_flight_max(const workload_t *w);

/* For a trace: its rows, and the least event time and the greatest
 * arrival time in it (for run/budget.c).  0 rows for a generator. */
size_t workload_trace_span(const workload_t *w, double *first_event_s, double *last_arrival_s);

/* ---- trace files ---- */

/* The key as it was in the trace (a string key), NULL when keys are
 * numbers (a generator, or a trace of integer keys); w may be NULL. */
const char *workload_key_name(const workload_t *w, uint32_t key);
/* Writes key as a CSV field: its name (quoted when needed) or its number.
 * w may be NULL (numbers).  WL_OK or WL_ERR (write error). */
int workload_write_key(FILE *f, const workload_t *w, uint32_t key);
/* The decimals of a trace's values: values come scaled by 10^d (exact
 * sums; model/trace.h); 0 for integer values and a generator.  w may be
 * NULL. */
int workload_value_decimals(const workload_t *w);
/* Formats a value (or a sum of values) of w as written: "12.50" for 1250
 * with 2 decimals, "1250" with none.  buf: 32 bytes; returns the length. */
int workload_format_value(const workload_t *w, int64_t v, char *buf);
/* The trace's reader (what it found: model/trace.h), NULL for a generator. */
const struct trace *workload_trace(const workload_t *w);

/* Header line of a trace CSV (the form sluice gen writes). */
#define WL_TRACE_HEADER "id,key,value,event_time,arrival_time"

/* Writes one event as a trace row; times with %.17g so that reading the
 * trace back gives bit-identical doubles. */
int workload_write_row(FILE *f, const workload_event *ev);
/* The same with the key as workload_write_key writes it. */
int workload_write_row_of(FILE *f, const workload_t *w, const workload_event *ev);

/* ---- profile of a workload (sluice gen) ---- */

typedef struct workload_profile workload_profile;
workload_profile *workload_profile_alloc(double late_bound_s);
void workload_profile_free(workload_profile *p);
void workload_profile_add(workload_profile *p, const workload_event *ev); /* in arrival order */
/* Human-readable profile: events, mean rate, share out of order (arrives
 * after an event with a later event time), delay p50/p90/p99/p99.9/max,
 * share delayed more than late_bound_s. */
int workload_profile_write(const workload_profile *p, FILE *f);

/* The same figures as numbers.  Delay = arrival_time - event_time.
 * Percentiles are nearest-rank and exact up to 2^20 events; beyond, they
 * come from a uniform reservoir sample of 2^20 delays (fixed seed, so
 * still deterministic); mean, max and shares are always exact.  mean_rate
 * = events / (last - first event time).  Figures are NAN when there are
 * no events.  WL_ERR only when out of memory. */
typedef struct workload_profile_stats {
    uint64_t events;
    double first_event_time, last_event_time;     /* s */
    double first_arrival_time, last_arrival_time; /* s */
    double mean_rate;            /* events/s */
    double out_of_order_share;   /* 0..1 */
    double delay_mean, delay_p50, delay_p90, delay_p99, delay_p999, delay_max; /* s */
    double late_bound;           /* s, as given to workload_profile_alloc */
    double late_share;           /* 0..1: delay > late_bound */
    int exact;                   /* 1: percentiles from every delay */
} workload_profile_stats;
int workload_profile_stats_get(const workload_profile *p, workload_profile_stats *s);

#ifdef __cplusplus
}
#endif

#endif
