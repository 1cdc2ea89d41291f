/*
 * columns: the one table of sluice's output columns, the way
 * model/config.c holds the one table of its configuration keys.
 *
 * Rules of this module
 *  - Each row is one column of one output file: file, name, type, unit,
 *    meaning.  Rows of a file are in the file's column order; the CSV
 *    writers (measure/metrics.c, run/sim.c's events.csv, experiments/
 *    sweep.c's runs.csv, sweep.csv and marks.csv) write their headers
 *    from it and readers that need a position (experiments/capacity.c)
 *    look it up here; the man page sluice-outputs(5) is generated from
 *    it (`sluice config --outputs-man`), so the reference cannot drift.
 *  - Columns are only ever added (at the end of a file's rows), never
 *    renamed or moved: outside tools read them.
 *  - Two rows stand for several columns: COLUMNS_KEYS (one column per
 *    swept key, in runs.csv and sweep.csv) and COLUMNS_SUMMARY (in
 *    runs.csv: every summary.csv column whose `runs` flag is set, in
 *    summary.csv's order).  sweep.csv's METRIC_mean, METRIC_ci pair
 *    repeats for each metric of the sweep file.
 *  - The table is constant; nothing here allocates.
 */
#ifndef SLUICE_COLUMNS_H
#define SLUICE_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COLUMNS_KEYS "SECTION.KEY"
#define COLUMNS_SUMMARY "SUMMARY"

typedef struct columns_row {
    const char *file;     /* "summary.csv" */
    const char *name;     /* "lat_p99" */
    const char *type;     /* "text", "integer", "real" (empty = none: not
                             finite or not applicable), "0/1" */
    const char *unit;     /* "s", "events/s", "CPU-s", "share"; "" = none */
    const char *meaning;  /* one sentence or two, for people */
    int runs;             /* summary.csv: 1 when runs.csv repeats the
                             column (a numeric one is then a metric a
                             sweep can aggregate) */
} columns_row;

/* Row i of the table, NULL past its end. */
const columns_row *columns_at(size_t i);
/* The row of column name in file, or NULL. */
const columns_row *columns_find(const char *file, const char *name);
/* The 0-based position of column name in file (a file of fixed layout),
 * or -1. */
int columns_index(const char *file, const char *name);
/* Writes file's header line (its column names, comma separated, and a
 * newline); for a file of fixed layout.  0, or -1 on a write error. */
int columns_write_header(FILE *f, const char *file);
/* The man page sluice-outputs(5), in troff.  0, or -1 on a write error. */
int columns_write_man(FILE *f);

#ifdef __cplusplus
}
#endif

#endif
