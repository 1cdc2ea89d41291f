/*
 * trace: a user's event log (CSV) read as workload events, with its own
 * column names, keys and times.
 *
 * Rules of this module
 *  - Columns are found by name in the header (line 1, required), in any
 *    order and case.  The roles are id, key, value, event_time and
 *    arrival_time; workload.trace_columns maps roles to other names
 *    ("key = user_id, event_time = ts"), and key may join several columns
 *    ("key = country+device": the key is the fields joined by '+').  Only
 *    event_time is required: a missing id is the row number (1 for the
 *    first data row), a missing value is 1, a missing arrival_time is
 *    left to the caller (trace_info.has_arrival = 0; the event comes with
 *    arrival_time = event_time).  Other columns are ignored.
 *  - The delimiter is the one of ',' ';' and tab found most often outside
 *    quotes in the header (',' on a tie or when none); fields are read by
 *    lib/csvread.h (RFC 4180 quoting).  Every row has the header's number
 *    of fields.
 *  - Keys as they are: when every key is a canonical decimal integer in
 *    0..2^32-1 it is its own id (old traces keep their keys); otherwise
 *    every key is a string, and the ids are the ranks of the distinct keys
 *    in byte order (so they depend on the set of keys, not the row order),
 *    trace_key_name gives the string back.
 *  - Times: numbers in trace_time_unit (s, ms, us, ns; decimals allowed)
 *    or ISO-8601 / RFC 3339 (YYYY-MM-DD[THH:MM[:SS[.frac]]][Z|+HH:MM|
 *    -HHMM|+HH], a space for the T; no zone = UTC); trace_time_format =
 *    auto takes the form of the first row's event_time.  Times are in s
 *    after trace_origin (see model/config.c): with origin 0 and unit s a
 *    number is read with strtod, bit for bit as written.
 *  - The file is read twice: trace_open reads and checks every row (the
 *    first error, as "PATH:LINE: column 'NAME': what: 'VALUE'; what to do"),
 *    finds the origin, the span, the keys, duplicate ids (TRACE_ID_RANGE)
 *    and whether the rows are in arrival or event-time order; trace_next
 *    then hands out the rows again in file order, as the caller asks for
 *    them.  Memory: the distinct keys, 40 bytes per TRACE_BLOCK rows, and
 *    the id check's bits while pass 1 reads.
 *  - Nothing prints.
 */
#ifndef SLUICE_TRACE_H
#define SLUICE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "model/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_OK 0
#define TRACE_ROW 1
#define TRACE_EOF 0
#define TRACE_ERR (-1)

/* What trace_open found in the file. */
typedef struct trace_info {
    char delim;          /* ',', ';' or '\t' */
    int time_format;     /* TIME_NUMBER or TIME_ISO8601 (enum config_time_format) */
    long double origin;  /* s since the file's epoch that is t = 0 of the run */
    int has_id, has_value, has_arrival;
    int string_keys;     /* 1: keys are strings (trace_key_name) */
    size_t rows;         /* data rows */
    /* Order of the rows in the file (model/workload.c streams a sorted trace): */
    int arrival_sorted;  /* arrival_time read and rows in (arrival_time, id) order */
    int event_sorted;    /* event_time never decreases from row to row */
    size_t unsorted_line, unsorted_prev_line; /* the first row out of that order
                            ((arrival_time, id), or event_time without an arrival_time
                            column) and the row before it; 0 = none */
    char unsorted_text[64], unsorted_prev[64]; /* their times as written */
    int id_field, event_field, arrival_field; /* 1-based columns, 0 = none */
    int value_decimals;  /* 0..TRACE_DECIMALS_MAX: the most decimals of a value; values
                            come scaled by 10^value_decimals (trace_format_value) */
    int ids_checked;     /* 1: every id was checked for duplicates (TRACE_ID_RANGE) */
    size_t keys;         /* distinct keys */
    double first_event_s, last_time_s; /* after rebasing: least event time, greatest
                                          event or arrival time */
} trace_info;

typedef struct trace trace_t;

/* Opens c->workload.trace and checks it whole (see above).  NULL with err
 * set on any error.  Close with trace_close. */
trace_t *trace_open(const config_t *c, const volatile int *stop, char *err, size_t errlen);
void trace_close(trace_t *t); /* NULL is fine */

const trace_info *trace_get_info(const trace_t *t);
const char *trace_path(const trace_t *t); /* the file, as messages name it */

/* Rows are grouped in blocks of TRACE_BLOCK in file order.  The least
 * event time (rebased, as trace_next gives it) of the rows from block b
 * on; +INFINITY from the end (b >= the number of blocks).  Memory: 40
 * bytes a block. */
#define TRACE_BLOCK 4096
double trace_min_event_from(const trace_t *t, size_t block);

/* trace_open checks ids for duplicates ("PATH:LINE: duplicate id N (first
 * on line M)", the first repeat in file order) with a lib/seenset.h, one
 * bit per id in the spread of ids not yet seen: the whole file whenever
 * the ids stay within TRACE_ID_RANGE of the least one not yet seen (row
 * numbers, Kafka offsets, sluice gen's ids in arrival order: a few KiB).
 * Ids further apart stop the check (trace_info.ids_checked = 0, at most
 * TRACE_ID_RANGE / 4 bytes used); a trace read whole is then still checked
 * by model/workload.c, a streamed one is not. */
#define TRACE_ID_RANGE ((uint64_t)1 << 27)

/* The next row in file order (rebased times, seq 0): TRACE_ROW with *ev and
 * *line set, TRACE_EOF, or TRACE_ERR (trace_error says why: the file
 * changed since trace_open, or a reading error). */
int trace_next(trace_t *t, workload_event *ev, size_t *line);
const char *trace_error(const trace_t *t);

/* The key string of id, NULL when keys are numbers (or id is unknown). */
const char *trace_key_name(const trace_t *t, uint32_t id);

/* What trace_open found, for people, e.g. "1200 rows, delimiter ',', ISO-8601
 * times, t = 0 at 2024-03-01T12:00:00.100Z, 12 string keys, arrival_time
 * read, rows in arrival order (read as the run goes)".  Truncated to n
 * bytes. */
void trace_describe(const trace_t *t, char *buf, size_t n);

/* Values: [+-]digits[.digits], at most this many decimals.  A trace whose
 * values have decimals carries them as integers scaled by 10^d, d the most
 * decimals of any value (so sums stay exact), and writes them back with
 * d decimals; d = 0 for integer values, which read and print as before. */
#define TRACE_DECIMALS_MAX 9
/* Formats v (scaled by 10^decimals) as a decimal, e.g. 1250 with 2 ->
 * "12.50", -5 with 2 -> "-0.05"; with 0 decimals as an integer.  buf holds
 * at least 32 bytes; returns the length. */
int trace_format_value(int64_t v, int decimals, char *buf);

/* Writes s as one CSV field (quoted when it holds a comma, a quote, a
 * line break or blanks at an end).  0, or -1 on a write error. */
int trace_write_field(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
