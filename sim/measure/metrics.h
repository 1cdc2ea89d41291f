/*
 * metrics: everything measured about one executor in one run, and the
 * invariants checked on it.
 *
 * Rules of this module
 *  - Executors report facts as they happen (an event arrived, was
 *    processed, became visible in a pane, was dropped as late; a pane was
 *    emitted; the watermark moved; a fault cost this much).  metrics turns
 *    them into summary.csv, timeline.csv, windows.csv, latency.csv and
 *    faults.csv rows, and into invariant verdicts.
 *  - Memory does not grow with the number of events: latencies go into
 *    log-bucketed histograms (lib/hist.h); "already counted" is a sliding
 *    bitset over event seq numbers; per-window results are one small
 *    record per (key, window) (lib/wmap.h), kept only until sim folds the
 *    window (metrics_fold_window: its windows.csv row is written to the
 *    stream given by metrics_keep_windows and it joins the completeness
 *    sums), so they follow the windows still open, not the run.
 *  - Visibility is counted once per event (by seq): the first call to
 *    metrics_visible or metrics_dropped for an event wins, later ones for
 *    the same event are ignored (replays after a crash, sliding windows).
 *  - Panes are written to the panes.csv stream given at alloc (may be NULL)
 *    as they are emitted: in emit order, deterministic.
 *  - Final value of a window: the sum of its panes when panes are deltas
 *    (discarding stream panes), else its last pane (accumulating panes,
 *    batch and micro-batch output, which always carry the whole window).
 *  - Invariants (names as in summary.csv `invariants`): "conservation"
 *    (events = counted + dropped_late at the end), "watermark_monotone",
 *    "on_time_after_watermark" (no ON_TIME pane before W >= window end),
 *    "window_horizon" (no pane or merge for a window ending before the
 *    last metrics_fold_horizon: the executor broke its horizon promise),
 *    and the ones run/sim.c checks against a fault-free run:
 *    "exactly_once_equals_fault_free", "at_least_once_contains_fault_free".
 *  - Duplicate panes count in the final value (a consumer adding up delta
 *    panes adds them too), so an at-least-once replay can leave a window
 *    complete but not exact.
 *  - Window latency (win_lat_*) is emit - window end over every pane
 *    (duplicates included); early panes, emitted before the end, count
 *    as 0.  Window type none keeps no per-window results and no window
 *    latency: it only counts panes.
 *  - wait_mean, work_mean: means over metrics_processed calls; hold_mean
 *    = proc_lat_mean - wait_mean - work_mean, computed at the end.
 *  - An executor reports a watermark advance (metrics_watermark) before it
 *    emits the ON_TIME panes that advance fires.
 *  - metrics_finish returns 0 (invariant verdicts come through
 *    metrics_get_summary / metrics_failure_detail).
 *  - Library code: nothing prints; write functions return 0 or -1.
 */
#ifndef SLUICE_METRICS_H
#define SLUICE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/config.h"
#include "model/truth.h"
#include "model/workload.h"
#include "lib/wmap.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pane_timing { PANE_EARLY, PANE_ON_TIME, PANE_LATE, PANE_BATCH };

typedef struct pane {
    uint32_t key;
    double start, end;   /* window [start, end); start == end == event
                            time for window type none */
    uint32_t index;      /* pane number within its window: 0, 1, 2, ... */
    int timing;          /* enum pane_timing */
    double emit_time;    /* s: when it became visible downstream */
    uint64_t count;      /* events in the pane (delta or whole window) */
    int64_t sum;         /* sum of their values */
    int duplicate;       /* 1: a re-emission of output that was already
                            visible (at-least-once replay) */
} pane_t;

/* Per (key, window) result as seen downstream. */
typedef struct metrics_result {
    uint64_t first_count;  int64_t first_sum;  double first_emit;
    uint64_t final_count;  int64_t final_sum;  double final_emit;
    uint64_t ontime_count; int64_t ontime_sum; /* first ON_TIME/BATCH pane,
                                                  accumulated as final is */
    uint32_t panes;
    uint32_t has_ontime;
} metrics_result;

/* One row of faults.csv (per fault, per executor). */
typedef struct fault_row {
    uint32_t fault_id;
    int kind;              /* enum fault_kind */
    double time;           /* s: when the fault happened */
    double detected;       /* s: when it was noticed (NAN if not a crash) */
    double resumed;        /* s: processing again */
    double caught_up;      /* s: backlog and latency back to normal (NAN:
                              never, before the run ended) */
    double downtime;       /* s */
    uint64_t reprocessed;  /* events processed again */
    double cpu_wasted;     /* CPU-seconds of work thrown away */
    uint64_t duplicates;   /* duplicate panes emitted because of it */
    uint64_t lost;         /* events lost because of it (should be 0) */
    double peak_latency;   /* s: highest visibility latency during recovery */
} fault_row;

/* The headline figures of one executor (one summary.csv row). */
typedef struct metrics_summary {
    const char *executor;
    uint64_t events, counted, dropped_late, duplicates, lost;
    double lat_mean, lat_p50, lat_p95, lat_p99, lat_max;
    double proc_lat_mean, proc_lat_p50, proc_lat_p99;
    double throughput;          /* events/s: counted / (last emit - first arrival) */
    uint64_t panes;
    uint64_t crashes;
    double downtime;
    uint64_t reprocessed;
    double cpu_wasted;
    double win_lat_mean, win_lat_p99;   /* emit - window end, over panes */
    double complete_first;      /* mean share of truth count in first pane */
    double complete_ontime;     /* ... in the on-time (or first batch) pane */
    double complete_final;      /* ... in the final result */
    double windows_exact;       /* share of windows whose final = truth */
    double wait_mean;           /* s: arrival -> processing starts */
    double work_mean;           /* s: processing (service / job) */
    double hold_mean;           /* s: processed -> visible (window, watermark,
                                   cutoff, commit) */
    double checkpoint_cpu;      /* CPU-s spent taking checkpoints */
    double overhead;            /* CPU-s of fault-tolerance overhead:
                                   checkpoint_cpu + cpu_wasted + downtime x
                                   parallelism (Young/Daly's trade-off) */
    const char *invariants;     /* "ok" or the first that failed */
} metrics_summary;

typedef struct metrics metrics_t;

/* What an executor states about itself for one run (filled by exec_facts,
 * engine/exec.h); summary.csv carries it, so that plots and reports read
 * it instead of working it out again. */
typedef struct metrics_facts {
    const char *executor;  /* name, as in every CSV's executor column
                              (static string) */
    const char *label;     /* for people: "micro-batch" (static string) */
    int parallelism;       /* workers: CPU-s lost per s of downtime */
    int deltas;            /* 1: a pane holds only what is new since the
                              window's previous pane (discarding panes);
                              0: it carries the whole window so far */
    int exactly_once;      /* 1: no pane is ever emitted twice */
    double ontime_before;  /* s an ON_TIME pane may fire before the watermark
                              reaches the window end (stream with a scripted
                              watermark: the profile's convention, Flink's
                              W >= end - 1 ms, model/semantics.h); 0 elsewhere */
} metrics_facts;

/* New metrics for an executor with facts x (copied; its strings must be
 * static).  panes_csv: where pane rows go (not owned; NULL = nowhere).
 * NULL on OOM. */
metrics_t *metrics_alloc_facts(const metrics_facts *x, const config_t *c, FILE *panes_csv);
/* The same without an executor type (tests): label = executor, 1 worker,
 * exactly-once.  panes_are_deltas: 1 for delta panes. */
metrics_t *metrics_alloc(const char *executor, const config_t *c,
                         int panes_are_deltas, FILE *panes_csv);
void metrics_free(metrics_t *m);
/* Keys are written as w names them (workload_write_key: a trace's own key
 * strings); w must outlive m.  Without this call keys are numbers. */
void metrics_key_names(metrics_t *m, const workload_t *w);

void metrics_arrived(metrics_t *m, const workload_event *ev);
/* ev's processing started at `start` and ended at `end` (first time only;
 * executors do not report replays here). */
void metrics_processed(metrics_t *m, const workload_event *ev, double start, double end);
/* ev is counted in a pane that became visible at emit_time. */
void metrics_visible(metrics_t *m, const workload_event *ev, double emit_time);
/* ev was dropped as too late (beyond allowed lateness / late_policy drop). */
void metrics_dropped(metrics_t *m, const workload_event *ev, double now);
/* A pane became visible.  Returns 0, or -1 on OOM / write error. */
int metrics_pane(metrics_t *m, const pane_t *p);
/* Session windows: the executor merged window [old_start, old_end) of key
 * into [new_start, new_end) after panes of the old one became visible.
 * The old window leaves the per-window results and what it showed moves
 * into the new one (added to it when panes are deltas, so that the sum of
 * the panes of the final window is its whole content).  Call it in emit
 * order with the panes.  Returns 0, or -1 on OOM. */
int metrics_window_merged(metrics_t *m, uint32_t key, double old_start, double old_end,
                          double new_start, double new_end);
/* The executor's watermark is now wm (call whenever it changes). */
void metrics_watermark(metrics_t *m, double now, double wm);
/* Timeline rows go to rows (not owned, kept open until
 * metrics_write_timeline; NULL: nowhere) as they are sampled, instead of
 * being kept in memory (one row per bucket would grow with the run). */
void metrics_keep_timeline(metrics_t *m, FILE *rows);
/* For the fault-free reference: keep only what the invariants compare
 * with it (per-window results, the counted-once sets, failures); no
 * latency histograms and no timeline rows, so its summary's latency and
 * timeline figures are not defined.  Call before the run. */
void metrics_compare_only(metrics_t *m);
/* Timeline tick, called by sim at the end of each bucket. */
int metrics_sample(metrics_t *m, double now, uint64_t backlog, double watermark);
/* The executor spent cpu_s CPU-seconds taking a checkpoint (one worker's
 * pause; call once per worker and checkpoint). */
void metrics_checkpoint(metrics_t *m, double cpu_s);
/* A fault and what it cost this executor. */
int metrics_fault(metrics_t *m, const fault_row *r);
/* Marks an invariant as failed with a detail text (first one wins). */
void metrics_fail(metrics_t *m, const char *invariant, const char *detail);

/* End of run: checks conservation, computes completeness against truth. */
int metrics_finish(metrics_t *m, const truth_t *truth);
void metrics_get_summary(const metrics_t *m, metrics_summary *s);
const char *metrics_failure_detail(const metrics_t *m); /* "" when ok */
/* Bytes held by the seq dedupe sets (arrived, counted/dropped): about
 * one bit per seq in the spread of pending events plus 16 bytes per
 * long-stuck event, never proportional to the run (tests and benchmarks
 * check that claim with it). */
size_t metrics_dedupe_bytes(const metrics_t *m);
/* ---- folding (run/sim.c): windows that can no longer change ---- */

/* windows.csv rows of folded windows go to rows (not owned; the caller
 * keeps it open until metrics_write_windows).  Without it they go nowhere. */
void metrics_keep_windows(metrics_t *m, FILE *rows);
/* Folds window k with truth t (NULL: no event of it): writes its row,
 * adds it to the completeness sums, forgets its result.  Nothing when
 * neither t nor a result exists.  Call in (start, end, key) order, every
 * fold after the previous one.  Returns 0, or -1 on a write error. */
int metrics_fold_window(metrics_t *m, const wmap_key *k, const truth_value *t);
/* From now on a pane or merge of a window with end < h fails the
 * invariant "window_horizon" (h only ever rises). */
void metrics_fold_horizon(metrics_t *m, double h);
/* Windows folded so far (for tests and benchmarks). */
uint64_t metrics_windows_folded(const metrics_t *m);

/* (key, start, end) -> metrics_result of every window seen downstream and
 * not folded yet. */
const wmap_t *metrics_results(const metrics_t *m);

/* CSV writers (header written by the _header functions). */
int metrics_write_summary_header(FILE *f);
int metrics_write_summary_row(const metrics_t *m, FILE *f);
int metrics_write_pane_header(FILE *f);
int metrics_write_timeline_header(FILE *f);
int metrics_write_timeline(const metrics_t *m, FILE *f);
int metrics_write_windows_header(FILE *f);
/* The rows of folded windows, then those of the windows still held. */
int metrics_write_windows(const metrics_t *m, const truth_t *truth, FILE *f);
int metrics_write_latency_header(FILE *f);
int metrics_write_latency(const metrics_t *m, FILE *f);
int metrics_write_faults_header(FILE *f);
int metrics_write_faults(const metrics_t *m, FILE *f);
/* The watermark's change points (at most one per run.duration / 4000 s of
 * processing time: the last change in it), in time order; nothing for an
 * executor without a watermark.  -1 also when a point could not be kept
 * (out of memory). */
int metrics_write_watermarks_header(FILE *f);
int metrics_write_watermarks(const metrics_t *m, FILE *f);

const char *pane_timing_name(int timing); /* "EARLY", "ON_TIME", ... */

#ifdef __cplusplus
}
#endif

#endif
