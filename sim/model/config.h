/*
 * cfg: the configuration of one run, its defaults table, and the INI parser.
 *
 * Rules of this module
 *  - ONE table (model/config.c: config_table) lists every key: section, name, type,
 *    default, unit, valid range or allowed words, and a one-line help text.
 *    The parser, `sluice config --defaults`, --markdown and the man page
 *    sluice.ini(5) (--man) all come from that table; adding a key is one
 *    struct field plus one table row.
 *  - The parsed result is a plain typed struct (struct cfg) with no heap
 *    pointers, so it can be copied by assignment and compared with memcmp.
 *  - Errors never print: functions fill an error text "FILE:LINE: message"
 *    (or "--set section.key: message" for command-line overrides) and
 *    return CFG_ERR.  Only the first error of a file is reported.  On
 *    error *c is left unchanged.
 *  - Relative paths (workload.trace, stream.watermark_file) are resolved
 *    against the folder of the config file they appear in (the joined path
 *    is stored); --set paths against the current directory.
 *  - Lists and paths may go on over indented lines (INI multi-line values);
 *    an indented line after any other key is an error.  inih reads lines of
 *    at most 197 characters; longer lines are an error.
 *  - Quoting.  inih (Debian's build) strips blanks at both ends of a value
 *    and cuts it at a ';' that follows a blank (an inline comment); '#' and
 *    '=' inside a value are kept.  So a value (in a file or after --set
 *    KEY=) that starts with '"' is quoted: it must end with the closing
 *    '"', nothing after it; inside, \" \\ \; \# stand for the character
 *    after the backslash, \t for a tab, \xHH for the byte with hex code HH
 *    (not 00), and every other byte for itself.  A
 *    ';' after a blank must be written \; even inside quotes (inih does not
 *    know quotes).  Each line of a continued value is quoted on its own;
 *    the pieces are joined.  Any key may be quoted; the writer quotes only
 *    a path that would not read back otherwise (leading or trailing
 *    blanks, a ';' after a blank or at the start, a leading '"', control
 *    bytes), so other values are written as they are.  No value may hold a
 *    line break (raw or \x0a) or a NUL byte.
 *  - Units: times in seconds (simulated), rates in events per second.
 */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "model/executors.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CFG_OK 0
#define CFG_ERR (-1)
#define CFG_LIST_MAX 64
#define CFG_PATH_MAX 1024
#define CFG_ERR_MAX 1280

typedef struct config_list {      /* comma list of numbers, e.g. crash_times */
    size_t n;
    double v[CFG_LIST_MAX];
} config_list;

/* EXEC_BATCH, EXEC_MICROBATCH, EXEC_STREAM, ... in model/executors.h's order. */
#define CONFIG_EXECUTOR_ID(id, name) EXEC_##id,
enum config_executor { SLUICE_EXECUTORS(CONFIG_EXECUTOR_ID) EXEC_COUNT };
#undef CONFIG_EXECUTOR_ID
enum config_source { SRC_GENERATE, SRC_TRACE };
enum config_arrival { ARR_POISSON, ARR_CONSTANT, ARR_MMPP, ARR_DIURNAL };
enum config_key_dist { KEY_UNIFORM, KEY_ZIPF };
enum config_time_unit { TIME_S, TIME_MS, TIME_US, TIME_NS };
enum config_time_format { TIME_AUTO, TIME_NUMBER, TIME_ISO8601 };
enum config_value_dist { VAL_CONSTANT, VAL_UNIFORM, VAL_POISSON };
enum config_delay { DELAY_NONE, DELAY_CONSTANT, DELAY_EXPONENTIAL, DELAY_LOGNORMAL, DELAY_PARETO };
enum config_window { WIN_NONE, WIN_TUMBLING, WIN_SLIDING, WIN_SESSION };
enum config_watermark { WM_PERFECT, WM_BOUNDED, WM_PERCENTILE, WM_SCRIPTED };
enum config_accumulation { ACC_DISCARDING, ACC_ACCUMULATING, ACC_PROFILE };
enum config_service { SVC_CONSTANT, SVC_EXPONENTIAL, SVC_LOGNORMAL };
enum config_routing { ROUTE_HASH, ROUTE_ROUND_ROBIN, ROUTE_SHARED };
enum config_guarantee { GUAR_EXACTLY_ONCE, GUAR_AT_LEAST_ONCE };
enum config_late_policy { LATE_DROP, LATE_RESTATE };
enum config_output_mode { OUT_APPEND, OUT_UPDATE };
enum config_semantics { SEM_FLINK, SEM_BEAM, SEM_KAFKA_STREAMS };
enum config_session_drop { SDROP_PROFILE, SDROP_MERGED, SDROP_ELEMENT };
enum config_emit { EMIT_PROFILE, EMIT_TRIGGER, EMIT_PER_RECORD, EMIT_WINDOW_CLOSE };

struct config_run {
    uint64_t seed;
    int executors[EXEC_COUNT];   /* executors[EXEC_STREAM] != 0: run it */
    double duration;             /* s of event time generated */
    double timeline_bucket;      /* s per timeline.csv row (0 = duration/100) */
    int panes_csv;               /* 1: write every pane to panes.csv */
};

struct config_workload {
    int source;                  /* enum config_source */
    char trace[CFG_PATH_MAX];    /* resolved path of the trace CSV */
    char trace_columns[CFG_PATH_MAX]; /* "key = user_id, event_time = ts": trace
                                    column names (model/trace.h); "" = as named */
    int trace_time_unit;         /* enum config_time_unit: of numeric trace times */
    int trace_time_format;       /* enum config_time_format */
    char trace_origin[CFG_PATH_MAX]; /* "auto", "first", or a time: t = 0 of the run */
    double rate;                 /* events/s (mean rate for mmpp/diurnal: see help) */
    int arrival;                 /* enum config_arrival */
    double mmpp_rate_high;       /* events/s in the burst state */
    double mmpp_rate_low;        /* events/s in the quiet state */
    double mmpp_high_mean;       /* mean sojourn in the burst state, s */
    double mmpp_low_mean;        /* mean sojourn in the quiet state, s */
    double diurnal_amplitude;    /* 0..1, relative swing of the rate */
    double diurnal_period;       /* s */
    int keys;                    /* number of distinct keys */
    int key_dist;                /* enum config_key_dist */
    double zipf_s;               /* Zipf exponent */
    int value_dist;              /* enum config_value_dist */
    double value;                /* constant value, or mean for poisson */
    double value_max;            /* uniform values in 1..value_max */
    int delay;                   /* enum config_delay */
    double delay_mean;           /* s */
    double delay_sigma;          /* lognormal sigma of log(delay) */
    double delay_shape;          /* pareto shape alpha (> 1) */
    double late_fraction;        /* share of events with an extra delay */
    double late_delay_mean;      /* mean of the extra (exponential) delay, s */
    int sources;                 /* number of sources */
    double source_skew;          /* max clock skew of a source, s */
};

struct config_window_s {
    int type;                    /* enum config_window */
    double size, slide, gap;     /* s */
};

struct config_stream {
    int semantics;               /* enum config_semantics (model/semantics.h) */
    int session_drop;            /* enum config_session_drop */
    double watermark_interval;   /* s, 0 = per event, -1 = the profile's */
    int watermark;               /* enum config_watermark */
    double watermark_bound;      /* s */
    double watermark_percentile; /* share on time, 0..1 */
    char watermark_file[CFG_PATH_MAX];
    double allowed_lateness;     /* s */
    int accumulation;            /* enum config_accumulation (ACC_PROFILE: the semantics') */
    int emit;                    /* enum config_emit (EMIT_PROFILE: the semantics') */
    double early_delay;          /* s, 0 = no early panes */
    int service;                 /* enum config_service */
    double service_mean;         /* s */
    double service_sigma;        /* lognormal sigma */
    int parallelism;
    int routing;                 /* enum config_routing: hash (by key, as
                                    keyBy), round_robin (rebalance), shared
                                    (one queue, first idle worker: M/M/c) */
    int buffer;                  /* events per worker input buffer */
    double checkpoint_interval;  /* s, 0 = no checkpoints */
    double checkpoint_cost;      /* s */
    double restart_delay;        /* s */
    double restore_per_entry;    /* s per window-state entry restored */
    int guarantee;               /* enum config_guarantee */
};

struct config_batch {
    double interval, cutoff, setup_cost, per_event_cost;
    int parallelism;
    int late_policy;             /* enum config_late_policy */
    int stages;
    double restart_delay;
};

struct config_microbatch {
    double interval, setup_cost, per_event_cost;
    int parallelism;
    double watermark_delay;
    int output_mode;             /* enum config_output_mode */
    double restart_delay;
};

struct config_faults {
    config_list crash_times;
    double mtbf;                 /* s, 0 = no random crashes */
    double detection_delay;      /* s */
    config_list slowdown_times;
    double slowdown_factor, slowdown_duration;
    config_list outage_times;
    double outage_duration;
    config_list checkpoint_failure_times;
};

typedef struct cfg {
    char path[CFG_PATH_MAX];     /* the file parsed, "" for defaults only */
    struct config_run run;
    struct config_workload workload;
    struct config_window_s window;
    struct config_stream stream;
    struct config_batch batch;
    struct config_microbatch microbatch;
    struct config_faults faults;
} config_t;

/* Fills *c with every default from the table. */
void config_defaults(config_t *c);

/* Parses an INI file over *c (call config_defaults first).  Unknown section or
 * key (with a "did you mean" suggestion), bad number, out of range, word
 * not allowed, missing file: CFG_ERR with err = "FILE:LINE: message". */
int config_load(config_t *c, const char *path, char *err, size_t errlen);
/* config_load that also ends with "FILE: interrupted" once *stop (may be
 * NULL) becomes non-zero.  The file must be a regular file; its lines are
 * read through lib/infile.h (at most INFILE_LINE_MAX bytes, no NUL byte). */
int config_load_stop(config_t *c, const char *path, const volatile int *stop, char *err,
                  size_t errlen);

/* Applies one "section.key=value" override (--set).  Relative paths
 * resolve against the current directory.  err = "--set section.key: ..." */
int config_set(config_t *c, const char *assignment, char *err, size_t errlen);

/* Checks every value against its key's range and words (so a struct
 * filled in by code gets the checks of config_load too), then the rules
 * between keys (e.g. slide <= size, trace given when source = trace).
 * This is the one place for value and cross-key rules: every run passes
 * it first (run/sim.h: sim_check), so the modules that read a config may
 * assume them (and only assert).
 * err = "FILE: message naming the keys" (no "FILE: " when c->path is ""). */
int config_validate(const config_t *c, char *err, size_t errlen);

/* Writes the effective configuration as an INI file that config_load reads
 * back to an identical struct (except path, which names the file read).
 * Doubles are written in the shortest form that reads back exactly (-0
 * as 0, which the parser makes of "-0" too).  Paths are quoted when they
 * must be (see Quoting above).  Relative paths are written as absolute ones (current folder prefixed),
 * so the file reads back the same from any folder.  Returns CFG_ERR on a
 * write error. */
int config_write_ini(const config_t *c, FILE *f);

/* The defaults table as text (`sluice config --defaults`): an INI file
 * with each key's unit, range and help as comments. */
int config_write_defaults(FILE *f);

/* The defaults table as Markdown tables, one per section. */
int config_write_markdown(FILE *f);

/* The defaults table as the man page sluice.ini(5) (troff, -man macros):
 * the file format, then one .TP entry per key under its section's .SS. */
int config_write_man(FILE *f);

/* Name of an enum value for a key, e.g. config_word("window", "type", 1)
 * gives "tumbling"; NULL if unknown. */
const char *config_word(const char *section, const char *key, int value);

/* Unit of a key as in the table ("s", "events/s", "" when none); NULL for
 * an unknown key. */
const char *config_unit(const char *section, const char *key);

/* The table, for tools and tests: the number of keys, and the section and
 * name of key i (static strings; CFG_ERR past the end). */
size_t config_key_count(void);
int config_key_at(size_t i, const char **section, const char **name);

/* What key i of the table holds, for tools and tests (e.g. to make legal
 * values of every key): its kind, where it is stored in config_t (a double,
 * int, uint64_t, int (word index or 0/1), config_list, int[EXEC_COUNT] or
 * char[CFG_PATH_MAX], by kind), the range (+-INFINITY when unbounded;
 * lists: of each item) and the words (NULL-terminated; NULL when none).
 * CFG_ERR past the end. */
enum config_kind {
    CFG_KIND_DOUBLE, CFG_KIND_INT, CFG_KIND_U64, CFG_KIND_WORD, CFG_KIND_BOOL,
    CFG_KIND_LIST, CFG_KIND_EXECUTORS, CFG_KIND_PATH, CFG_KIND_TEXT
};
typedef struct config_key_info {
    int kind;                   /* enum config_kind */
    size_t offset;              /* offsetof the field in config_t */
    double min, max;
    int min_open, max_open;     /* 1: that bound itself is not allowed */
    const char *const *words;
} config_key_info;
int config_key_info_at(size_t i, config_key_info *info);

/* The value of section.key in c as INI text (lists "1, 2", enums as their
 * word, a path in one piece, quoted when it must be), into buf: what
 * config_set("section.key=" + buf) reads back to the same value.  CFG_ERR
 * for an unknown key or a too small buf. */
int config_get(const config_t *c, const char *section, const char *key, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif
