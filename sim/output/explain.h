/*
 * explain: the account of a run that `sluice explain` prints: it keeps
 * the lines the executors record (engine/context.h, "Explain") that pass
 * a filter, up to a limit, and formats them as aligned text or as CSV.
 *
 * Rules of this module
 *  - Lines come in processing-time order (the order the run makes its
 *    decisions) and are kept in that order.
 *  - The filter: an executor (NULL: all), a key (-1: all), a window by its
 *    start (NAN: all), a processing-time range [from, to].  A line with no
 *    key (a checkpoint, a crash, a job) passes the key filter, and a line
 *    with no window the window filter: they are the context of the key's
 *    or window's lines.  Watermark moves do not (they come with every
 *    event; the lines of a pane, an event and a drop state the watermark
 *    they saw).
 *  - limit > 0: only the first limit lines that pass are kept; the rest
 *    are counted (explain_left_out), never stored, so memory is bounded
 *    whatever the run.
 *  - CSV columns: time,executor,kind,key,window_start,window_end,detail,
 *    rule (empty fields for no key / no window), fields quoted when needed.
 *  - Nothing here prints: explain_format returns text for the caller.
 *  - explain_first_window (for report.html) reruns a results folder's
 *    config.ini (the run is deterministic) and narrates one window: the
 *    first in panes.csv with EARLY, ON_TIME and LATE panes, else the
 *    first (among the first 4096 windows).
 */
#ifndef SLUICE_EXPLAIN_H
#define SLUICE_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>
#include "engine/context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct explain_filter {
    const char *executor;  /* its name ("stream"); NULL: every executor */
    int64_t key;           /* -1: every key */
    double window;         /* a window start; NAN: every window */
    double from, to;       /* processing time, s: -INFINITY, INFINITY for all */
    size_t limit;          /* 0: no limit */
} explain_filter;

typedef struct explain_log explain_log;

/* A filter that keeps everything. */
explain_filter explain_filter_all(void);
/* NULL when out of memory. */
explain_log *explain_alloc(const explain_filter *f);
void explain_free(explain_log *x);
/* The recorder (sim_options.explain, user = the log). */
void explain_record(void *log, const sim_explain_line *l);
/* Lines kept, and lines that passed the filter but not the limit. */
size_t explain_lines(const explain_log *x);
uint64_t explain_left_out(const explain_log *x);
/* Non-zero when a line could not be stored (out of memory). */
int explain_failed(const explain_log *x);
/* Line i, 0 <= i < explain_lines. */
const sim_explain_line *explain_line(const explain_log *x, size_t i);
/* Every kept line as text (aligned columns: time, executor, kind, then
 * what happened; the rule on its own line below, after "rule:") or as
 * CSV with its header.  malloc'd, the caller frees; NULL when out of
 * memory. */
char *explain_format(const explain_log *x, int csv);
/* The narration (text, at most limit lines, malloc'd into *text) of the
 * first telling window of the results folder dir, and what it is into
 * what ("stream, key 0, window [0, 120)").  0, 2 (no panes, config.ini
 * missing or not runnable: err) or -1 (out of memory). */
int explain_first_window(const char *dir, size_t limit, char **text, char *what, size_t whatlen,
                         char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
