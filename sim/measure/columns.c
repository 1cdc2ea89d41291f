/*
 * measure/columns.c: the table of output columns (see measure/columns.h).
 */
#include "measure/columns.h"

#include <string.h>

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

/* Column types. */
#define TXT "text"
#define INT "integer"
#define REAL "real"
#define FLAG "0/1"

#define EXECUTOR(file) {file, "executor", TXT, "", "the executor the row is about: batch, " \
                        "microbatch, stream (or the name of one that is not built in)", 0}

/* One row: file, name, type, unit, meaning; summary rows also say
 * whether runs.csv repeats them. */
#define S(name, type, unit, meaning) {"summary.csv", name, type, unit, meaning, 1}
#define S0(name, type, unit, meaning) {"summary.csv", name, type, unit, meaning, 0}
#define R(file, name, type, unit, meaning) {file, name, type, unit, meaning, 0}

static const columns_row table[] = {
    /* ---- summary.csv: one row per executor ---- */
    EXECUTOR("summary.csv"),
    S("events", INT, "events", "events that arrived (the same for every executor)"),
    S("counted", INT, "events", "events counted in a result visible downstream"),
    S("dropped_late", INT, "events", "events dropped as too late (beyond the allowed lateness, "
      "or a batch late_policy of drop)"),
    S("duplicates", INT, "panes", "panes emitted again after a crash (at-least-once replays)"),
    S("lost", INT, "events", "events neither counted nor dropped (0 in a correct run)"),
    S("lat_mean", REAL, "s", "mean visibility latency: from an event's event time until the "
      "first pane that counts it is visible"),
    S("lat_p50", REAL, "s", "median visibility latency"),
    S("lat_p95", REAL, "s", "95th percentile of the visibility latency"),
    S("lat_p99", REAL, "s", "99th percentile of the visibility latency"),
    S("lat_max", REAL, "s", "largest visibility latency"),
    S("proc_lat_mean", REAL, "s", "mean latency from the event's arrival time (processing "
      "latency)"),
    S("proc_lat_p99", REAL, "s", "99th percentile of the latency from arrival"),
    S("throughput", REAL, "events/s", "counted events / (last emit time - first arrival time)"),
    S("panes", INT, "panes", "panes emitted (duplicates included)"),
    S("crashes", INT, "faults", "crashes of the fault schedule"),
    S("downtime", REAL, "s", "time spent down after crashes (restart and restore)"),
    S("reprocessed", INT, "events", "events processed again after crashes"),
    S("invariants", TXT, "", "ok, or the name of the first invariant that failed"),
    S("proc_lat_p50", REAL, "s", "median latency from arrival"),
    S("cpu_wasted", REAL, "CPU-s", "work thrown away by crashes"),
    S("win_lat_mean", REAL, "s", "mean window latency: a pane's emit time - its window's end"),
    S("win_lat_p99", REAL, "s", "99th percentile of the window latency"),
    S("complete_first", REAL, "share", "mean over windows of the share of the true count that "
      "the window's first pane showed"),
    S("complete_ontime", REAL, "share", "the same for the on-time pane (or the first batch pane)"),
    S("complete_final", REAL, "share", "the same for the final result (after every late pane); "
      "1 = the ground truth"),
    S("windows_exact", REAL, "share", "share of windows whose final count and sum equal the "
      "ground truth"),
    S("wait_mean", REAL, "s", "mean time from arrival until processing starts"),
    S("work_mean", REAL, "s", "mean processing time (service or job time per event)"),
    S("hold_mean", REAL, "s", "mean time from processed until visible (window, watermark, "
      "cutoff or commit)"),
    S("checkpoint_cpu", REAL, "CPU-s", "time spent taking checkpoints"),
    S("overhead", REAL, "CPU-s", "fault-tolerance overhead: checkpoint_cpu + cpu_wasted + "
      "downtime x parallelism"),
    S0("label", TXT, "", "the executor's name for people (plot legends, reports): "
       "micro-batch for microbatch"),
    S0("parallelism", INT, "workers", "the executor's workers in this run (its section's "
       "parallelism)"),
    S0("deltas", FLAG, "", "1 when each pane holds only what is new since the window's "
       "previous pane (stream with accumulation = discarding): a window's value is the sum "
       "of its panes; 0 when each pane carries the whole window so far"),
    S0("exactly_once", FLAG, "", "1 when the executor never emits a pane twice, crashes "
       "included (batch, microbatch, stream with guarantee = exactly_once)"),
    S0("seed", INT, "", "[run] seed of the run"),

    /* ---- panes.csv: every pane ---- */
    EXECUTOR("panes.csv"),
    R("panes.csv", "key", INT, "", "the key (a trace's string keys are numbered in order of "
      "first appearance)"),
    R("panes.csv", "window_start", REAL, "s", "start of the window in event time (the event "
      "time for window type none)"),
    R("panes.csv", "window_end", REAL, "s", "end of the window in event time, exclusive"),
    R("panes.csv", "pane", INT, "", "pane number within its window: 0, 1, 2, ..."),
    R("panes.csv", "timing", TXT, "", "EARLY, ON_TIME, LATE or BATCH"),
    R("panes.csv", "emit_time", REAL, "s", "processing time at which the pane became visible "
      "downstream"),
    R("panes.csv", "count", INT, "events", "events in the pane (new ones only when deltas = 1)"),
    R("panes.csv", "sum", INT, "", "sum of their values"),
    R("panes.csv", "duplicate", FLAG, "", "1 for a re-emission of output already visible"),

    /* ---- timeline.csv: per executor and time bucket ---- */
    EXECUTOR("timeline.csv"),
    R("timeline.csv", "time", REAL, "s", "end of the bucket, processing time"),
    R("timeline.csv", "arrivals", INT, "events", "events that arrived in the bucket"),
    R("timeline.csv", "processed", INT, "events", "events whose processing ended in the bucket"),
    R("timeline.csv", "backlog", INT, "events", "events arrived but not yet processed, at the "
      "bucket's end"),
    R("timeline.csv", "watermark", REAL, "s", "the executor's watermark (event time) at the "
      "bucket's end; empty when it has none"),
    R("timeline.csv", "lat_p50", REAL, "s", "median visibility latency of the events made "
      "visible in the bucket"),
    R("timeline.csv", "lat_p99", REAL, "s", "their 99th percentile"),
    R("timeline.csv", "dropped", INT, "events", "events dropped as late in the bucket"),
    R("timeline.csv", "visible", INT, "events", "events made visible in the bucket"),

    /* ---- watermarks.csv: per executor and change of its watermark ---- */
    EXECUTOR("watermarks.csv"),
    R("watermarks.csv", "time", REAL, "s", "processing time at which the watermark changed "
      "(the last change within each run.duration/4000 s)"),
    R("watermarks.csv", "watermark", REAL, "s", "the watermark (event time) from then on"),

    /* ---- windows.csv: per executor and (key, window) ---- */
    EXECUTOR("windows.csv"),
    R("windows.csv", "key", INT, "", "the key (numbered as in panes.csv)"),
    R("windows.csv", "window_start", REAL, "s", "start of the window in event time"),
    R("windows.csv", "window_end", REAL, "s", "end of the window in event time, exclusive"),
    R("windows.csv", "truth_count", INT, "events", "events of the window in the ground truth"),
    R("windows.csv", "truth_sum", INT, "", "sum of their values"),
    R("windows.csv", "first_count", INT, "events", "count shown by the first pane"),
    R("windows.csv", "first_sum", INT, "", "sum shown by the first pane"),
    R("windows.csv", "first_emit", REAL, "s", "emit time of the first pane; empty when none"),
    R("windows.csv", "ontime_count", INT, "events", "count shown by the on-time (or first "
      "batch) pane"),
    R("windows.csv", "final_count", INT, "events", "the final count downstream"),
    R("windows.csv", "final_sum", INT, "", "the final sum downstream"),
    R("windows.csv", "final_emit", REAL, "s", "emit time of the last pane; empty when none"),
    R("windows.csv", "panes", INT, "panes", "panes of the window"),

    /* ---- latency.csv: the latency distributions ---- */
    EXECUTOR("latency.csv"),
    R("latency.csv", "measure", TXT, "", "event (from event time) or arrival (from arrival "
      "time)"),
    R("latency.csv", "latency_s", REAL, "s", "a latency (the middle of a histogram bucket)"),
    R("latency.csv", "cdf", REAL, "share", "share of events with at most that latency"),

    /* ---- faults.csv: per fault and executor ---- */
    EXECUTOR("faults.csv"),
    R("faults.csv", "fault_id", INT, "", "the fault's number in the schedule: 0, 1, ..."),
    R("faults.csv", "kind", TXT, "", "crash, slowdown, outage or checkpoint_failure"),
    R("faults.csv", "time", REAL, "s", "when the fault happened"),
    R("faults.csv", "detected", REAL, "s", "when it was noticed; empty if not a crash"),
    R("faults.csv", "resumed", REAL, "s", "when processing resumed"),
    R("faults.csv", "caught_up", REAL, "s", "when backlog and latency were back to normal; empty "
      "when not before the run ended"),
    R("faults.csv", "downtime", REAL, "s", "time down because of it"),
    R("faults.csv", "reprocessed", INT, "events", "events processed again because of it"),
    R("faults.csv", "cpu_wasted", REAL, "CPU-s", "work thrown away because of it"),
    R("faults.csv", "duplicates", INT, "panes", "duplicate panes emitted because of it"),
    R("faults.csv", "lost", INT, "events", "events lost because of it (0 in a correct run)"),
    R("faults.csv", "peak_latency", REAL, "s", "highest visibility latency during the "
      "recovery"),

    /* ---- events.csv: a thinned sample of the events ---- */
    R("events.csv", "id", INT, "", "the event's id"),
    R("events.csv", "key", INT, "", "its key (numbered as in panes.csv)"),
    R("events.csv", "event_time", REAL, "s", "when it happened at its source"),
    R("events.csv", "arrival_time", REAL, "s", "when it reached the system"),

    /* ---- runs.csv (sluice sweep): per replication and executor ---- */
    R("runs.csv", "point", INT, "", "the sweep point: 0, 1, ..."),
    R("runs.csv", "replication", INT, "", "the replication of the point: 0, 1, ..."),
    R("runs.csv", "seed", INT, "", "the run's seed"),
    R("runs.csv", COLUMNS_KEYS, TXT, "", "one column per swept key, named by the key: its value "
      "at this point"),
    R("runs.csv", "status", TXT, "", "ok, invariant (an invariant failed) or error"),
    EXECUTOR("runs.csv"),
    R("runs.csv", COLUMNS_SUMMARY, TXT, "", "then the columns of summary.csv from events to "
      "overhead, in the same order and with the same meaning"),

    /* ---- sweep.csv (sluice sweep): per point and executor ---- */
    R("sweep.csv", "point", INT, "", "the sweep point: 0, 1, ..."),
    R("sweep.csv", COLUMNS_KEYS, TXT, "", "one column per swept key, named by the key"),
    EXECUTOR("sweep.csv"),
    R("sweep.csv", "n", INT, "runs", "replications that ran"),
    R("sweep.csv", "METRIC_mean", REAL, "", "for each metric of the sweep file (a numeric "
      "summary.csv column): its mean over the replications, in the metric's unit"),
    R("sweep.csv", "METRIC_ci", REAL, "", "the half-width of its 95% confidence interval "
      "(Student's t); empty with one replication"),

    /* ---- marks.csv (sluice sweep with marks) ---- */
    R("marks.csv", "x", REAL, "", "where on the swept axis a mark goes"),
    R("marks.csv", "label", TXT, "", "its label (one word)"),
};
#define NROWS (sizeof table / sizeof table[0])

const columns_row *columns_at(size_t i)
{
    return i < NROWS ? &table[i] : NULL;
}

const columns_row *columns_find(const char *file, const char *name)
{
    for (size_t i = 0; i < NROWS; i++)
        if (!strcmp(table[i].file, file) && !strcmp(table[i].name, name))
            return &table[i];
    return NULL;
}

int columns_index(const char *file, const char *name)
{
    int k = 0;
    for (size_t i = 0; i < NROWS; i++) {
        if (strcmp(table[i].file, file) != 0)
            continue;
        if (!strcmp(table[i].name, name))
            return k;
        k++;
    }
    return -1;
}

int columns_write_header(FILE *f, const char *file)
{
    int first = 1;
    for (size_t i = 0; i < NROWS; i++) {
        if (strcmp(table[i].file, file) != 0)
            continue;
        if (!first)
            fputc(',', f);
        fputs(table[i].name, f);
        first = 0;
    }
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

/* ---- the man page ---- */

/* s as troff text: a backslash as \e, a '-' as \-, and a '.' or '\''
 * that would start a line behind \&. */
static void man_text(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static const struct {
    const char *file, *what;
} files[] = {
    {"summary.csv", "One row per executor: the headline figures and the invariants."},
    {"panes.csv", "Every pane (window result) an executor made visible, in emit order "
                  "([run] panes_csv = 0 leaves it empty)."},
    {"timeline.csv", "Per executor and time bucket ([run] timeline_bucket)."},
    {"windows.csv", "Per executor and (key, window), against the ground truth; not written "
                    "for window type none."},
    {"latency.csv", "The visibility latency distributions, as a CDF per executor."},
    {"faults.csv", "Each fault of the schedule and what it cost each executor."},
    {"watermarks.csv", "Per executor, when its watermark changed and to what, for the "
                       "event-time plot (empty for an executor without a watermark)."},
    {"events.csv", "A thinned sample of the events (at most 5,000), for the event-time plot."},
    {"runs.csv", "sluice sweep: one row per run (point, replication) and executor."},
    {"sweep.csv", "sluice sweep: one row per point and executor, the metrics of the sweep "
                  "file averaged over the replications."},
    {"marks.csv", "sluice sweep with marks: vertical marks of the sweep plots."},
};

int columns_write_man(FILE *f)
{
    fputs(".TH SLUICE-OUTPUTS 5 \"\" \"sluice " SLUICE_VERSION "\" \"File Formats\"\n"
          ".SH NAME\n"
          "sluice-outputs \\- the result files of the sluice simulator\n"
          ".SH SYNOPSIS\n"
          ".nf\n"
          ".B sluice run CONFIG \\-\\-out DIR\n"
          ".B sluice sweep SWEEP \\-\\-out DIR\n"
          ".fi\n"
          ".SH DESCRIPTION\n"
          "A results folder holds CSV files with a header row, one column per name below, in\n"
          "this order; every column is described once here.\n"
          "Times are simulated seconds: event time for windows and watermarks, processing\n"
          "time for arrivals, emits and faults.\n"
          "A real value is empty when it is not finite or does not apply.\n"
          "Columns are only ever added at the end of a file, never renamed or moved, so read\n"
          "them by name.\n"
          "The folder also holds config.ini, the effective configuration (see\n"
          ".BR sluice.ini (5)).\n"
          ".SH FILES\n", f);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        fprintf(f, ".SS %s\n", files[k].file);
        man_text(f, files[k].what);
        fputc('\n', f);
        for (size_t i = 0; i < NROWS; i++) {
            const columns_row *r = &table[i];
            if (strcmp(r->file, files[k].file) != 0)
                continue;
            fputs(".TP\n.B ", f);
            man_text(f, r->name);
            fputc('\n', f);
            fputs("Type: ", f);
            man_text(f, r->type);
            if (r->unit[0]) {
                fputs("; unit: ", f);
                man_text(f, r->unit);
            }
            fputs(".\n", f);
            fputs(".br\n", f);
            man_text(f, r->meaning);
            fputs(".\n", f);
        }
    }
    fputs(".SH SEE ALSO\n"
          ".BR sluice (1),\n"
          ".BR sluice.ini (5)\n", f);
    return ferror(f) ? -1 : 0;
}
