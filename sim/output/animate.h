/*
 * animate: the Streaming Systems diagram of a run folder, frame by frame
 * (`sluice animate DIR`): x = processing time, y = event time; events
 * appear as dots when they arrive, each executor's watermark advances as
 * a step line (batch: its job boundaries as vertical lines), windows are
 * bands on the event-time axis, each pane is a box over its window at its
 * emit time, labelled with its sum and coloured by EARLY / ON_TIME /
 * LATE / BATCH, and a crash shades the time the executor was down.  One
 * panel per executor, side by side on the same axes.
 *
 * Rules of this module
 *  - It reads only the run folder: summary.csv (the executors), events.csv
 *    (the sampled events: every event of a small run), panes.csv,
 *    timeline.csv (the watermark at each bucket's end) and faults.csv.
 *  - An event is marked late in a panel when its event time is below that
 *    executor's watermark at its arrival (the watermark of the last
 *    timeline sample at or before it): Beam's and Flink's late data, a
 *    late pane within allowed lateness or a drop beyond it (sluice
 *    explain says which, and why).
 *  - Frames: the distinct arrival, emit and fault times in [from, to], in
 *    order; when there are more than ANIMATE_FRAMES_MAX, that many evenly
 *    spaced times from the first to the last.  Frame k shows what
 *    happened at or before its time.
 *  - Two forms: an HTML page with one inline SVG and a small inline
 *    script (play/pause, step, a time slider; #frame=K in the address
 *    opens frame K; without scripts it shows the whole run), and an
 *    animated GIF drawn by gnuplot (`set terminal gif animate`), one
 *    image per frame.
 *  - Nothing prints; errors go into err.  Returns: 0 ok, 2 bad input
 *    (not a results folder, a missing file, gnuplot missing), -1 out of
 *    memory or a failing gnuplot.
 */
#ifndef SLUICE_ANIMATE_H
#define SLUICE_ANIMATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANIMATE_FRAMES_MAX 150

typedef struct animate_filter {
    const char *executor;  /* NULL: every executor of summary.csv */
    int64_t key;           /* -1: every key */
    double from, to;       /* processing time, s: -INFINITY, INFINITY for all */
} animate_filter;

typedef struct animate_scene animate_scene;

/* What frame k shows in one panel. */
typedef struct animate_counts {
    size_t events;         /* dots (arrived) */
    size_t late;           /* of them, behind the watermark at arrival */
    size_t panes[4];       /* boxes, by enum pane_timing */
    size_t faults;         /* crashes begun */
} animate_counts;

animate_filter animate_filter_all(void);
/* Reads the run folder dir.  0 with *out (free with animate_free), or 2 /
 * -1 with err. */
int animate_load(const char *dir, const animate_filter *f, animate_scene **out, char *err,
                 size_t errlen);
void animate_free(animate_scene *s);
/* Events read (after the key filter): the report animates small runs only. */
size_t animate_events(const animate_scene *s);
size_t animate_panels(const animate_scene *s);
const char *animate_panel(const animate_scene *s, size_t p);
size_t animate_frames(const animate_scene *s);
double animate_frame_time(const animate_scene *s, size_t k);
void animate_frame_counts(const animate_scene *s, size_t k, size_t panel, animate_counts *out);
/* The interactive picture: a whole page (standalone) or a <div> for a
 * page that has one (report.html).  malloc'd; NULL when out of memory. */
char *animate_html(const animate_scene *s, int standalone);
/* Draws the animated GIF into path with gnuplot (found on PATH). */
int animate_gif(const animate_scene *s, const char *path, char *err, size_t errlen);
/* sluice animate: writes dir/animation.html and dir/animation.gif into
 * the results folder dir (refused, 2, unless it is one or force, and
 * over files sluice did not write unless force; output/outdir.h), and
 * lists them in its marker.  The page is written even when the GIF
 * cannot be (gnuplot missing: 2 with err). */
int animate_write(const char *dir, const animate_filter *f, int force, char *note, size_t notelen,
                  char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
