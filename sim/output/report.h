/*
 * report: the report of a run folder, as one HTML page and as Markdown.
 *
 * Rules of this module
 *  - report_write reads DIR/summary.csv, DIR/faults.csv, DIR/config.ini
 *    and the SVG plots DIR/plots/NAME.svg (output/plot.h names; drawn beforehand
 *    by plot_run) and writes DIR/report.html and DIR/report.md.
 *  - A sweep folder (sweep.csv, no summary.csv) gets a sweep report
 *    instead: the sweep plots DIR/plots/sweep_METRIC.svg, each with a
 *    caption (the metric's meaning from measure/columns.h, the marks of
 *    marks.csv), and the table of sweep.csv (mean ± 95% CI half-width),
 *    from the template reports_dir/sweep_report.html.in.
 *  - report.html comes from the template reports_dir/report.html.in
 *    (placeholders @@NAME@@); it is ONE self-contained page: the SVG plots
 *    are inlined (their ids prefixed per plot so they stay unique), no
 *    external URL, no script.  It is well-formed XML (XHTML syntax).
 *  - report.md has the same tables; images are referenced as
 *    plots/NAME.png.  It holds nothing that depends on the folder's path
 *    or on the clock, so the same run gives the same bytes (golden test).
 *  - A plot that is missing is named as missing, not an error: the report
 *    still tells the numbers when gnuplot is not installed.
 *  - Each output is written to a temporary file in DIR, then renamed.
 *    It writes only into a sluice results folder (output/outdir.h), and
 *    replaces report.html / report.md only when sluice wrote them,
 *    unless forced.
 *  - Nothing prints.  Returns 0, 2 for bad input (no summary.csv or sweep.csv, bad
 *    template), -1 for other failures (I/O, memory); err says which.
 *  - Cost: the files are read whole (summary, faults, config and each SVG
 *    are small: a few MB at most); no per-event work.
 */
#ifndef SLUICE_REPORT_H
#define SLUICE_REPORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes dir/report.html and dir/report.md for the run folder dir.
 * version: the sluice version to print (e.g. SLUICE_VERSION). */
int report_write(const char *dir, const char *reports_dir, const char *version, char *err,
                 size_t errlen);

/* report_write, and with force also into a folder that is not a sluice
 * results folder (outdir_is_results) and over a report.html / report.md
 * sluice did not write; without force those are refused (2, err).  DIR's
 * marker then lists report.html and report.md.  What force overrode goes
 * into note (room for notelen bytes; may be NULL). */
int report_write_opts(const char *dir, const char *reports_dir, const char *version, int force,
                      char *note, size_t notelen, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
