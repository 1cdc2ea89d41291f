/*
 * plot: draws the plots of a results folder with gnuplot.
 *
 * Rules of this module
 *  - The gnuplot scripts live in reports/ (reports_dir), one per plot,
 *    sharing reports/common.gp; users can read and change them.  This
 *    module only finds gnuplot, works out the few facts a script cannot
 *    (executors in summary.csv, whether windows.csv / events.csv /
 *    panes.csv exist, whether stream panes are deltas) and runs each
 *    script once, writing DIR/plots/NAME.png (pngcairo) and NAME.svg.
 *    They are drawn into a temporary folder beside DIR/plots and moved
 *    into place when every script succeeded (output/outdir.h): a failed or
 *    interrupted run leaves no half-drawn plots.
 *  - gnuplot is found by a PATH lookup and started with fork/exec, never
 *    through a shell; paths reach it as gnuplot string literals in one
 *    `-e` argument, with quotes doubled ('' inside '...').  Paths holding
 *    control characters are refused (they could end a gnuplot command).
 *  - A run folder (summary.csv) gives the 10 plots of plot_name(); a sweep
 *    folder (sweep.csv, no summary.csv) gives one plot per metric,
 *    DIR/plots/sweep_METRIC.{png,svg}.
 *  - It writes only into a sluice results folder (outdir_is_results:
 *    marked by sluice, or holding only sluice's file names), unless
 *    forced, and replaces DIR/plots/ only when sluice drew all of it.
 *  - Nothing prints: gnuplot's stderr is collected into err when a script
 *    fails.  Return values: 0 ok, 2 bad input or gnuplot missing (err says
 *    what to do), -1 other failures (fork, a script failing).
 *  - Cost: one gnuplot process per script, a few hundred ms each; files
 *    are read by gnuplot, not by this module (summary.csv, sweep.csv
 *    header and config.ini excepted, read line by line).
 */
#ifndef SLUICE_PLOT_H
#define SLUICE_PLOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLOT_COUNT 10

/* Draws every plot of the run (or sweep) folder dir into dir/plots/ with
 * the scripts of reports_dir.  0, 2 (bad input, gnuplot not installed) or
 * -1, with err filled when not 0. */
int plot_run(const char *dir, const char *reports_dir, char *err, size_t errlen);
/* plot_run that stops once *stop (may be NULL) is non-zero: the running
 * gnuplot gets SIGTERM, the plots drawn so far are deleted, and the
 * result is 2 with err "interrupted". */
int plot_run_stop(const char *dir, const char *reports_dir, const volatile int *stop, char *err,
                  size_t errlen);

/* plot_run, and with force also into a folder that is not a sluice
 * results folder (outdir_is_results) and over a DIR/plots sluice did not
 * draw.  DIR/plots is written whole through outdir (output/outdir.h): drawn into
 * DIR/plots.tmp.XXXXXX, then renamed over the old one, which is replaced
 * only when sluice drew all of it; DIR's marker then lists plots/.  Lines
 * for the user (what force replaced, stale leftovers removed) go into
 * note (room for notelen bytes; may be NULL).  stop as for plot_run_stop. */
int plot_run_opts(const char *dir, const char *reports_dir, int force, const volatile int *stop,
                  char *note, size_t notelen, char *err, size_t errlen);

/* What plot_run_with may be told. */
typedef struct plot_options {
    int force;                /* as for plot_run_opts */
    const volatile int *stop; /* as for plot_run_stop; may be NULL */
    double tmin, tmax;        /* zoom (processing time, s) of the time axes of
                                 event_time, latency_time and throughput; NAN:
                                 from the start / to the end of the run */
} plot_options;

/* plot_run_opts with the options of o (NULL: the defaults, no zoom).  A
 * zoom with tmin >= tmax is error 2; a sweep folder ignores it. */
int plot_run_with(const char *dir, const char *reports_dir, const plot_options *o, char *note,
                  size_t notelen, char *err, size_t errlen);

/* The plots of a run, in report order: name i is the file stem
 * (plots/NAME.png, reports/NAME.gp), for 0 <= i < PLOT_COUNT.  Static
 * strings; NULL past the end. */
const char *plot_name(int i);
/* A title and a one-line "what to look for" caption of plot i (static). */
const char *plot_title(int i);
const char *plot_caption(int i);

/* Finds an executable called name in $PATH; its full path goes into out
 * (room for n bytes).  0 when found, -1 when not. */
int plot_find_program(const char *name, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif
