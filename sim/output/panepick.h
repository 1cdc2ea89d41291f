/*
 * panepick: chooses the windows the pane timeline plot draws
 * (reports/pane_timeline.gp), from a run folder's windows.csv and
 * panes.csv.
 *
 * Rules of this module
 *  - A window is a (key, window_start, window_end) triple; its kinds are
 *    the pane timings any executor emitted for it (EARLY, ON_TIME, LATE,
 *    BATCH).  Duplicate panes count like the others.
 *  - The picks together show as many kinds as the run has: windows are
 *    taken greedily, each time the one adding the most kinds not yet
 *    shown; ties go to the window with the most kinds, then to one that
 *    does not end last in event time (the last windows of a run wait for
 *    its end), then to the most climbing (largest final_count -
 *    ontime_count of windows.csv for one executor: late panes that add
 *    to the count), then to the most panes for one executor, then to the
 *    earliest (start, end, key).
 *  - Never the same interval twice: two picks never share (start, end),
 *    even for different keys.  Fewer than n windows are returned when the
 *    run has fewer distinct intervals with panes.
 *  - The picks come back in time order (window start, then end).
 *  - Library code: nothing prints; cost O(W + P) expected for W rows of
 *    windows.csv and P rows of panes.csv, memory O(distinct windows).
 */
#ifndef SLUICE_PANEPICK_H
#define SLUICE_PANEPICK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pane kinds, as bits of panepick_window.kinds. */
enum {
    PANEPICK_EARLY = 1,
    PANEPICK_ON_TIME = 2,
    PANEPICK_LATE = 4,
    PANEPICK_BATCH = 8,
};

#define PANEPICK_MAX 8 /* at most this many picks */

typedef struct panepick_window {
    unsigned key;
    double start, end; /* event time, s */
    unsigned kinds;    /* PANEPICK_* bits */
    long climb;        /* largest final_count - ontime_count of one executor */
    long panes;        /* most panes of one executor */
} panepick_window;

/* The kind bit of a timing string ("EARLY" ...); 0 for another. */
unsigned panepick_kind(const char *timing);

/* Picks up to n (<= PANEPICK_MAX) windows of the run folder dir into out,
 * by the rules above.  Returns how many (0 when windows.csv or panes.csv
 * is missing or empty), or -1 with err filled (a malformed file, out of
 * memory). */
int panepick_choose(const char *dir, panepick_window *out, int n, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
