/*
 * cfg: the configuration of one run (see model/config.h for the rules).
 *
 * Everything about a key lives in ONE row of config_table below: section,
 * name, type, where it is stored in config_t, its default (as text, parsed by
 * the same code as user input), unit, range, allowed words and help.  The
 * INI parser, --set, `sluice config --defaults`, the Markdown reference, the
 * man page sluice.ini(5) and the round-trip writer all walk that table.
 *
 * INI reading uses libinih.  Debian builds it without INI_HANDLER_LINENO,
 * so config_load hands inih its own fgets-style reader (ini_parse_stream) that
 * counts physical lines; the handler then knows the line it is called for.
 * The reader also classifies each line the way inih will (section heading,
 * key, comment, multi-line continuation) so that an unknown or empty
 * section, a syntax error and a line too long for inih's fixed buffer are
 * reported with their own message.  Only the first error (by line) is kept.
 * Lines come from lib/infile.h: the file must be a regular file, a NUL byte or
 * a line over INFILE_LINE_MAX bytes ends the reading at once (inih's own
 * handling of those is not relied on), and so does the stop flag.
 *
 * Costs: a key lookup is a linear scan of the table (~90 rows); loading is
 * O(lines x keys), done once per run, never in a hot path.
 */
#include "model/config.h"
#include "lib/infile.h"
#include "model/semantics.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum config_type {
    T_DOUBLE,     /* double, checked against [min, max] */
    T_INT,        /* int, checked against [min, max] */
    T_U64,        /* uint64_t, any value 0 .. 2^64-1 */
    T_ENUM,       /* int: index of the word in words[] */
    T_BOOL,       /* int 0/1, written off/on */
    T_LIST,       /* config_list of doubles, each checked against [min, max] */
    T_EXECUTORS,  /* int[EXEC_COUNT] flags, a comma list of words[] */
    T_PATH,       /* char[CFG_PATH_MAX]; "" = none */
    T_TEXT        /* char[CFG_PATH_MAX]: free text, written like a path, never resolved */
};

#define LO_OPEN 1u /* the minimum itself is not allowed (e.g. rate > 0) */
#define HI_OPEN 2u /* the maximum itself is not allowed */

struct config_key {
    const char *section;
    const char *name;
    int type;                  /* enum config_type */
    size_t off;                /* offsetof the field in config_t */
    const char *def;           /* default, as INI text */
    const char *unit;          /* "" when it has none */
    double min, max;           /* +-INFINITY = unbounded on that side */
    unsigned open;             /* LO_OPEN | HI_OPEN */
    const char *const *words;  /* NULL-terminated; index = enum value */
    const char *help;          /* one line (the writers wrap it) */
};

/* offsetof, plus a compile-time check that the field has the C type the
 * row claims (the _Generic has no match otherwise). */
#define OFFT(f, ctype) \
    (offsetof(config_t, f) + 0 * sizeof(_Generic(((config_t *)0)->f, ctype: 1)))

#define DBL(s, n, f, d, u, lo, hi, o, h) \
    { s, n, T_DOUBLE, OFFT(f, double), d, u, lo, hi, o, NULL, h }
#define INT(s, n, f, d, u, lo, hi, h) \
    { s, n, T_INT, OFFT(f, int), d, u, lo, hi, 0, NULL, h }
#define ENUM(s, n, f, d, w, h) \
    { s, n, T_ENUM, OFFT(f, int), d, "", 0, 0, 0, w, h }
#define BOOL(s, n, f, d, h) \
    { s, n, T_BOOL, OFFT(f, int), d, "", 0, 0, 0, w_bool, h }
#define LIST(s, n, f, d, u, lo, hi, o, h) \
    { s, n, T_LIST, OFFT(f, config_list), d, u, lo, hi, o, NULL, h }
#define PATH(s, n, f, h) \
    { s, n, T_PATH, OFFT(f, char *), "", "", 0, 0, 0, NULL, h }
#define TEXT(s, n, f, d, h) \
    { s, n, T_TEXT, OFFT(f, char *), d, "", 0, 0, 0, NULL, h }

#define INF INFINITY

/* Section names in contract order (the order of every written file). */
static const char *const config_sections[] = {
    "run", "workload", "window", "stream", "batch", "microbatch", "faults", NULL
};

/* Allowed words; the index of a word is its enum value in model/config.h. */
static const char *const w_bool[] = { "off", "on", NULL };
#define EXEC_WORD(id, name) #name,
static const char *const w_exec[] = { SLUICE_EXECUTORS(EXEC_WORD) NULL };
#undef EXEC_WORD
static const char *const w_source[] = { "generate", "trace", NULL };
static const char *const w_time_unit[] = { "s", "ms", "us", "ns", NULL };
static const char *const w_time_format[] = { "auto", "number", "iso8601", NULL };
static const char *const w_arrival[] = { "poisson", "constant", "mmpp", "diurnal", NULL };
static const char *const w_key_dist[] = { "uniform", "zipf", NULL };
static const char *const w_value_dist[] = { "constant", "uniform", "poisson", NULL };
static const char *const w_delay[] = {
    "none", "constant", "exponential", "lognormal", "pareto", NULL
};
static const char *const w_window[] = { "none", "tumbling", "sliding", "session", NULL };
static const char *const w_watermark[] = {
    "perfect", "bounded", "percentile", "scripted", NULL
};
static const char *const w_accumulation[] = { "discarding", "accumulating", "profile", NULL };
static const char *const w_emit[] = { "profile", "trigger", "per_record", "window_close", NULL };
static const char *const w_service[] = { "constant", "exponential", "lognormal", NULL };
static const char *const w_routing[] = { "hash", "round_robin", "shared", NULL };
static const char *const w_guarantee[] = { "exactly_once", "at_least_once", NULL };
static const char *const w_late_policy[] = { "drop", "restate", NULL };
static const char *const w_output_mode[] = { "append", "update", NULL };
static const char *const w_semantics[] = { "flink", "beam", "kafka_streams", NULL };
static const char *const w_session_drop[] = { "profile", "merged", "element", NULL };

static const struct config_key config_table[] = {
    /* ---- [run] ---- */
    { "run", "seed", T_U64, OFFT(run.seed, uint64_t), "1", "", 0, 0, 0, NULL,
      "master seed; every random stream of the run derives from it, so the same "
      "config and seed give byte-identical results" },
    { "run", "executors", T_EXECUTORS, OFFT(run.executors, int *), "batch,microbatch,stream",
      "", 0, 0, 0, w_exec,
      "the executors to run, on the same events and the same faults" },
    DBL("run", "duration", run.duration, "600", "s", 0, INF, LO_OPEN,
        "events are generated with event_time in [0, duration); the run then drains"),
    DBL("run", "timeline_bucket", run.timeline_bucket, "0", "s", 0, INF, 0,
        "width of one timeline.csv row in processing time; 0 = duration/100"),
    BOOL("run", "panes_csv", run.panes_csv, "on",
         "write every pane to panes.csv (off saves disk in long sweeps)"),

    /* ---- [workload] ---- */
    ENUM("workload", "source", workload.source, "generate", w_source,
         "generate = synthetic events from the keys below; trace = replay workload.trace"),
    PATH("workload", "trace", workload.trace,
         "trace CSV (id,key,value,event_time,arrival_time) used when source = trace; "
         "relative to the config file's folder; empty = none"),
    TEXT("workload", "trace_columns", workload.trace_columns, "",
         "which trace column is which, e.g. \"key = user_id, event_time = ts, arrival_time "
         "= ingest_ts, value = amount\"; key may join columns (key = country+device); "
         "empty = the columns are named id, key, value, event_time, arrival_time (any order "
         "and case; only event_time is required)"),
    ENUM("workload", "trace_time_unit", workload.trace_time_unit, "s", w_time_unit,
         "unit of numeric trace times (and of a numeric trace_origin): s, ms, us or ns "
         "since an epoch; decimals allowed"),
    ENUM("workload", "trace_time_format", workload.trace_time_format, "auto", w_time_format,
         "trace times: number (in trace_time_unit), iso8601 (RFC 3339, e.g. "
         "2024-03-01T12:00:00.250Z or +02:00; no zone = UTC), auto = from the first row"),
    TEXT("workload", "trace_origin", workload.trace_origin, "auto",
         "trace time that becomes t = 0 of the run: first = the first event time; a number "
         "(trace_time_unit) or an ISO-8601 time; auto = first for ISO-8601 times and for "
         "numbers whose first event time exceeds the trace's span, else 0"),
    DBL("workload", "rate", workload.rate, "50", "events/s", 0, INF, LO_OPEN,
        "mean arrival rate for poisson and constant; base rate for diurnal; "
        "ignored by mmpp, which uses the mmpp_* keys"),
    ENUM("workload", "arrival", workload.arrival, "poisson", w_arrival,
         "arrival process of event times: poisson, constant spacing 1/rate, mmpp "
         "(two-state Markov-modulated Poisson: bursts), diurnal "
         "(rate(t) = rate*(1 + diurnal_amplitude*sin(2*pi*t/diurnal_period)))"),
    DBL("workload", "mmpp_rate_high", workload.mmpp_rate_high, "200", "events/s", 0, INF, 0,
        "mmpp: rate in the burst state (must be > 0 and >= mmpp_rate_low); the "
        "process starts in the quiet state"),
    DBL("workload", "mmpp_rate_low", workload.mmpp_rate_low, "20", "events/s", 0, INF, 0,
        "mmpp: rate in the quiet state"),
    DBL("workload", "mmpp_high_mean", workload.mmpp_high_mean, "10", "s", 0, INF, LO_OPEN,
        "mmpp: mean (exponential) time spent in the burst state"),
    DBL("workload", "mmpp_low_mean", workload.mmpp_low_mean, "50", "s", 0, INF, LO_OPEN,
        "mmpp: mean (exponential) time spent in the quiet state; the long-run mean "
        "rate is (high*high_mean + low*low_mean)/(high_mean + low_mean)"),
    DBL("workload", "diurnal_amplitude", workload.diurnal_amplitude, "0.5", "", 0, 1, 0,
        "diurnal: relative swing of the rate, rate(t) = rate*(1 + amplitude*sin(2*pi*t/period))"),
    DBL("workload", "diurnal_period", workload.diurnal_period, "600", "s", 0, INF, LO_OPEN,
        "diurnal: period of the rate swing (one simulated day)"),
    INT("workload", "keys", workload.keys, "8", "keys", 1, 100000000,
        "number of distinct keys, numbered 0 .. keys-1"),
    ENUM("workload", "key_dist", workload.key_dist, "uniform", w_key_dist,
         "popularity of keys: uniform, or zipf (key k has weight 1/(k+1)^zipf_s: hot keys)"),
    DBL("workload", "zipf_s", workload.zipf_s, "1", "", 0, 10, 0,
        "zipf: exponent s; 0 = uniform, larger = more skew"),
    ENUM("workload", "value_dist", workload.value_dist, "constant", w_value_dist,
         "value of each event: constant (= value), uniform (integers 1..value_max), "
         "poisson (mean value)"),
    DBL("workload", "value", workload.value, "1", "", 0, 1e9, HI_OPEN,
        "constant: the value of every event (so sum = count when 1); poisson: the mean"),
    DBL("workload", "value_max", workload.value_max, "100", "", 1, 4294967295.0, 0,
        "uniform: values are integers drawn uniformly from 1..value_max"),
    ENUM("workload", "delay", workload.delay, "exponential", w_delay,
         "distribution of arrival_time - event_time for on-time events; all keep "
         "delay_mean as their mean"),
    DBL("workload", "delay_mean", workload.delay_mean, "1", "s", 0, INF, 0,
        "mean delay (constant: the delay itself); must be > 0 for lognormal and pareto"),
    DBL("workload", "delay_sigma", workload.delay_sigma, "1", "", 0, 10, 0,
        "lognormal: sigma of log(delay); mu = ln(delay_mean) - sigma^2/2 so the mean "
        "stays delay_mean"),
    DBL("workload", "delay_shape", workload.delay_shape, "2.5", "", 1, 100, LO_OPEN,
        "pareto: shape alpha (> 1, heavier tail when smaller); delay_mean is the mean, "
        "so scale = delay_mean*(alpha-1)/alpha"),
    DBL("workload", "late_fraction", workload.late_fraction, "0.02", "share", 0, 1, 0,
        "share of events that get an extra long delay (a device that was offline)"),
    DBL("workload", "late_delay_mean", workload.late_delay_mean, "60", "s", 0, INF, 0,
        "mean of the extra, exponential delay of those late events"),
    INT("workload", "sources", workload.sources, "1", "sources", 1, 100000,
        "number of sources; each event comes from a source drawn uniformly, and each "
        "source has its own fixed clock skew"),
    DBL("workload", "source_skew", workload.source_skew, "0", "s", 0, INF, 0,
        "each source's clock is off by a fixed amount drawn uniformly from "
        "[-source_skew, source_skew], added to its event times; 0 = synchronized clocks"),

    /* ---- [window] ---- */
    ENUM("window", "type", window.type, "tumbling", w_window,
         "event-time windows: none (per-record results), tumbling (size), sliding "
         "(size, slide), session (gap, per key)"),
    DBL("window", "size", window.size, "60", "s", 0, INF, LO_OPEN,
        "tumbling and sliding: window length"),
    DBL("window", "slide", window.slide, "30", "s", 0, INF, LO_OPEN,
        "sliding: a window starts every slide s (0 < slide <= size; each event is in "
        "size/slide windows)"),
    DBL("window", "gap", window.gap, "30", "s", 0, INF, LO_OPEN,
        "session: a key's session closes after gap s of event time without events"),

    /* ---- [stream] ---- */
    ENUM("stream", "semantics", stream.semantics, "flink", w_semantics,
         "engine profile: the rules where the engines differ (model/semantics.h): "
         "flink (WindowOperator, TimeWindow), beam (LateDataDroppingDoFnRunner, "
         "IntervalWindow), kafka_streams (KStreamSessionWindowAggregate); "
         "an explicit per-rule key wins over the profile"),
    ENUM("stream", "session_drop", stream.session_drop, "profile", w_session_drop,
         "sessions: test a late element on the merged window (merged: Flink "
         "WindowOperator isWindowLate(actualWindow), Kafka Streams) or on its own "
         "window before merging (element: Beam LateDataDroppingDoFnRunner); "
         "profile = the semantics' rule"),
    DBL("stream", "watermark_interval", stream.watermark_interval, "-1", "s", -1, INF, 0,
        "processing time between two source watermark emissions (Flink "
        "pipeline.auto-watermark-interval); 0 = after every event read; -1 = the "
        "profile's default (0 for every profile; Flink's own is 0.2); not used by "
        "scripted; > 0 needs a run without crashes"),
    ENUM("stream", "watermark", stream.watermark, "bounded", w_watermark,
         "perfect (oracle: min event time still to arrive), bounded (max event time "
         "seen - watermark_bound), percentile, scripted (watermark_file)"),
    DBL("stream", "watermark_bound", stream.watermark_bound, "5", "s", 0, INF, 0,
        "bounded: out-of-orderness bound (Flink forBoundedOutOfOrderness)"),
    DBL("stream", "watermark_percentile", stream.watermark_percentile, "0.99", "share",
        0, 1, LO_OPEN,
        "percentile: q; watermark = latest arrival time - the exact q-quantile of the "
        "delays (arrival - event time) of the n events read so far, by nearest rank "
        "(the ceil(q*n)-th smallest; q = 1: the largest), so about a share q of events "
        "is on time"),
    PATH("stream", "watermark_file", stream.watermark_file,
         "scripted: CSV time,watermark (a step function in processing time, like "
         "Beam TestStream); relative to the config file's folder; empty = none"),
    DBL("stream", "allowed_lateness", stream.allowed_lateness, "60", "s", 0, INF, 0,
        "late events are still counted (late panes) while the watermark < window end "
        "+ allowed_lateness; later ones are dropped"),
    ENUM("stream", "accumulation", stream.accumulation, "profile", w_accumulation,
         "discarding: a pane holds only what arrived since the previous pane; "
         "accumulating: each pane holds the whole window so far; profile = the "
         "semantics' default (flink, kafka_streams accumulating; beam discarding)"),
    ENUM("stream", "emit", stream.emit, "profile", w_emit,
         "which panes a window emits: trigger (ON_TIME at the watermark, EARLY and "
         "LATE by early_delay and late elements); per_record (one pane per element "
         "added, EARLY before the end, LATE after: Kafka Streams' KTable update "
         "stream, caching off); window_close (one ON_TIME pane when the watermark "
         "passes end + allowed_lateness: Kafka Streams suppress(untilWindowCloses)); "
         "profile = the semantics' (flink, beam trigger; kafka_streams per_record)"),
    DBL("stream", "early_delay", stream.early_delay, "0", "s", 0, INF, 0,
        "early pane this long (processing time) after the first element of a pane; "
        "0 = no early panes"),
    ENUM("stream", "service", stream.service, "exponential", w_service,
         "distribution of the per-event service time"),
    DBL("stream", "service_mean", stream.service_mean, "0.002", "s", 0, INF, 0,
        "mean service time of one event on one worker (capacity = parallelism/service_mean); "
        "0 = processing takes no time (pure-semantics runs)"),
    DBL("stream", "service_sigma", stream.service_sigma, "0.5", "", 0, 10, 0,
        "lognormal service: sigma of log(service time); the mean stays service_mean"),
    INT("stream", "parallelism", stream.parallelism, "1", "workers", 1, 4096,
        "number of workers"),
    ENUM("stream", "routing", stream.routing, "hash", w_routing,
         "hash: by key (keyBy); round_robin: rebalance; shared: one queue, first idle "
         "worker (M/M/c)"),
    INT("stream", "buffer", stream.buffer, "1000", "events", 1, 1000000,
        "input buffer per worker; when full the source is back-pressured"),
    DBL("stream", "checkpoint_interval", stream.checkpoint_interval, "30", "s", 0, INF, 0,
        "time between checkpoints (source offset, watermark, window state); 0 = none"),
    DBL("stream", "checkpoint_cost", stream.checkpoint_cost, "0.2", "s", 0, INF, 0,
        "time a checkpoint pauses processing (must be < checkpoint_interval)"),
    DBL("stream", "restart_delay", stream.restart_delay, "5", "s", 0, INF, 0,
        "after a crash: time until the job runs again, before restoring state"),
    DBL("stream", "restore_per_entry", stream.restore_per_entry, "0.00001", "s", 0, INF, 0,
        "after a crash: restore time per window held in the checkpoint"),
    ENUM("stream", "guarantee", stream.guarantee, "exactly_once", w_guarantee,
         "exactly_once: panes visible when the covering checkpoint commits; "
         "at_least_once: panes visible at once, replays emit duplicates"),

    /* ---- [batch] ---- */
    DBL("batch", "interval", batch.interval, "300", "s", 0, INF, LO_OPEN,
        "job k is due at k*interval (processing time) and reads its data interval, "
        "the events that arrived in ((k-1)*interval, k*interval]; a job still "
        "running delays the next"),
    DBL("batch", "cutoff", batch.cutoff, "0", "s", 0, INF, 0,
        "a job computes the windows that ended at least cutoff before its due time"),
    DBL("batch", "setup_cost", batch.setup_cost, "5", "s", 0, INF, 0,
        "fixed start-up time of each job"),
    DBL("batch", "per_event_cost", batch.per_event_cost, "0.0005", "s", 0, INF, 0,
        "work per event; job time = setup_cost + events*per_event_cost/parallelism"),
    INT("batch", "parallelism", batch.parallelism, "4", "workers", 1, 4096,
        "number of workers of a job"),
    ENUM("batch", "late_policy", batch.late_policy, "drop", w_late_policy,
         "an event for an already computed window: drop it, or restate the window "
         "in the next job"),
    INT("batch", "stages", batch.stages, "1", "stages", 1, 1000,
        "stages of a job; a crashed job re-runs from its last finished stage "
        "(1 = from the start)"),
    DBL("batch", "restart_delay", batch.restart_delay, "5", "s", 0, INF, 0,
        "after a crash: time until the killed job is started again"),

    /* ---- [microbatch] ---- */
    DBL("microbatch", "interval", microbatch.interval, "2", "s", 0, INF, 0,
        "trigger interval (Spark Trigger.ProcessingTime): a micro-batch starts every "
        "interval, or when the previous one ends if it overran; 0 = back to back "
        "(Spark's default trigger)"),
    DBL("microbatch", "setup_cost", microbatch.setup_cost, "0.2", "s", 0, INF, 0,
        "fixed cost of each micro-batch"),
    DBL("microbatch", "per_event_cost", microbatch.per_event_cost, "0.0005", "s", 0, INF, 0,
        "work per event; batch time = setup_cost + events*per_event_cost/parallelism"),
    INT("microbatch", "parallelism", microbatch.parallelism, "4", "workers", 1, 4096,
        "number of workers"),
    DBL("microbatch", "watermark_delay", microbatch.watermark_delay, "5", "s", 0, INF, 0,
        "watermark = max event time seen - watermark_delay, computed at the end of a "
        "batch and used by the next one (Spark withWatermark)"),
    ENUM("microbatch", "output_mode", microbatch.output_mode, "append", w_output_mode,
         "append: a window is output once, when the watermark passes its end; update: "
         "changed windows are output after every batch"),
    DBL("microbatch", "restart_delay", microbatch.restart_delay, "5", "s", 0, INF, 0,
        "after a crash: time until the query restarts from its last committed batch"),

    /* ---- [faults] ---- */
    LIST("faults", "crash_times", faults.crash_times, "", "s", 0, INF, 0,
         "processing times at which the process crashes (comma list; empty = none)"),
    DBL("faults", "mtbf", faults.mtbf, "0", "s", 0, INF, 0,
        "mean time between random crashes (Poisson process over the run); 0 = none"),
    DBL("faults", "detection_delay", faults.detection_delay, "0", "s", 0, INF, 0,
        "time from a crash until it is detected and recovery starts"),
    LIST("faults", "slowdown_times", faults.slowdown_times, "", "s", 0, INF, 0,
         "processing times at which a slowdown starts (comma list; empty = none)"),
    DBL("faults", "slowdown_factor", faults.slowdown_factor, "5", "", 1, 1e6, 0,
        "during a slowdown, stream service times started in it and the part of a "
        "batch or micro-batch job inside it take this many times longer"),
    DBL("faults", "slowdown_duration", faults.slowdown_duration, "30", "s", 0, INF, 0,
        "length of each slowdown"),
    LIST("faults", "outage_times", faults.outage_times, "", "s", 0, INF, 0,
         "processing times at which the source stops delivering (comma list; "
         "empty = none); held events arrive in a burst at the end"),
    DBL("faults", "outage_duration", faults.outage_duration, "30", "s", 0, INF, 0,
        "length of each source outage"),
    LIST("faults", "checkpoint_failure_times", faults.checkpoint_failure_times, "", "s",
         0, INF, 0,
         "the first checkpoint at or after each of these times fails (comma list; "
         "empty = none)"),
};

#define NKEYS (sizeof config_table / sizeof config_table[0])

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static void copy_str(char *dst, size_t n, const char *src)
{
    /* zero-fills, so two structs holding the same text compare equal */
    size_t len = strlen(src);
    memset(dst, 0, n);
    memcpy(dst, src, len < n - 1 ? len : n - 1);
}

static const char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int section_known(const char *s)
{
    for (size_t i = 0; config_sections[i]; i++)
        if (strcmp(config_sections[i], s) == 0)
            return 1;
    return 0;
}

static const struct config_key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(config_table[i].section, section) == 0 && strcmp(config_table[i].name, name) == 0)
            return &config_table[i];
    return NULL;
}

/* Optimal-string-alignment distance (edits, adjacent swaps), ignoring case.
 * Both strings are cut at 63 characters: O(63^2) at most. */
static int edit_distance(const char *a, const char *b)
{
    enum { M = 64 };
    int d[M][M];
    size_t n = strlen(a), m = strlen(b);
    if (n > M - 1) n = M - 1;
    if (m > M - 1) m = M - 1;
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2])
                && tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* Is candidate close enough to the mistyped s to be worth suggesting?
 * Within max(2, len/3) edits, or sharing a prefix of 4+ characters that
 * covers most of s ("tumble" -> "tumbling"). */
static int close_enough(const char *s, const char *cand, int dist)
{
    int len = (int)strlen(s);
    if (dist <= (len / 3 > 2 ? len / 3 : 2) && dist < len)
        return 1;
    int p = 0;
    while (s[p] && cand[p] && tolower((unsigned char)s[p]) == tolower((unsigned char)cand[p]))
        p++;
    return p >= 4 && 2 * p >= len;
}

/* The closest word of a NULL-terminated list, or NULL when none is close.
 * Ties go to the first in list order (deterministic). */
static const char *suggest(const char *s, const char *const *words)
{
    const char *best = NULL;
    int bestd = INT_MAX;
    for (size_t i = 0; words[i]; i++) {
        int d = edit_distance(s, words[i]);
        if (d < bestd && close_enough(s, words[i], d)) {
            best = words[i];
            bestd = d;
        }
    }
    return best;
}

static const char *suggest_key(const char *section, const char *name)
{
    const char *best = NULL;
    int bestd = INT_MAX;
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(config_table[i].section, section) != 0)
            continue;
        int d = edit_distance(name, config_table[i].name);
        if (d < bestd && close_enough(name, config_table[i].name, d)) {
            best = config_table[i].name;
            bestd = d;
        }
    }
    return best;
}

/* "unknown section [x]" plus a suggestion or the list of sections. */
static void unknown_section_msg(const char *s, char *msg, size_t n)
{
    const char *sug = suggest(s, config_sections);
    if (sug) {
        snprintf(msg, n, "unknown section [%s] (did you mean [%s]?)", s, sug);
        return;
    }
    size_t len = (size_t)snprintf(msg, n, "unknown section [%s]; sections are", s);
    for (size_t i = 0; config_sections[i] && len < n; i++)
        len += (size_t)snprintf(msg + len, n - len, "%s [%s]", i ? "," : "", config_sections[i]);
}

static void unknown_key_msg(const char *section, const char *name, char *msg, size_t n)
{
    if (!*name) {
        snprintf(msg, n, "empty key name in [%s]", section);
        return;
    }
    const char *sug = suggest_key(section, name);
    if (sug) {
        snprintf(msg, n, "unknown key '%s' in [%s] (did you mean '%s'?)", name, section, sug);
        return;
    }
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(config_table[i].name, name) == 0) {
            snprintf(msg, n, "unknown key '%s' in [%s] (it belongs in [%s])", name, section,
                     config_table[i].section);
            return;
        }
    }
    snprintf(msg, n, "unknown key '%s' in [%s]", name, section);
}

/* Shortest "%.Ng" (N = 15..17) that reads back to exactly v. */
static void fmt_double(double v, char *buf, size_t n)
{
    if (v == 0) { /* -0 too: the parser makes it 0, so it reads back the same */
        snprintf(buf, n, "0");
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* "> 0", ">= 0", "in [0, 1]", "in (0, 1]" ... plus the unit. */
static void range_text(const struct config_key *k, char *buf, size_t n)
{
    char lo[40], hi[40];
    fmt_double(k->min, lo, sizeof lo);
    fmt_double(k->max, hi, sizeof hi);
    const char *u = k->unit[0] && strcmp(k->unit, "share") != 0 ? k->unit : "";
    const char *sp = *u ? " " : "";
    if (isinf(k->max))
        snprintf(buf, n, "%s %s%s%s", (k->open & LO_OPEN) ? ">" : ">=", lo, sp, u);
    else
        snprintf(buf, n, "in %c%s, %s%c%s%s", (k->open & LO_OPEN) ? '(' : '[', lo, hi,
                 (k->open & HI_OPEN) ? ')' : ']', sp, u);
}

static int in_range(const struct config_key *k, double v)
{
    if ((k->open & LO_OPEN) ? !(v > k->min) : !(v >= k->min))
        return 0;
    if ((k->open & HI_OPEN) ? !(v < k->max) : !(v <= k->max))
        return 0;
    return 1;
}

static void words_text(const char *const *w, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; w[i] && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", w[i]);
}

/* Index of word s in w (case-insensitive), or -1. */
static int word_index(const char *s, const char *const *w)
{
    for (int i = 0; w[i]; i++)
        if (strcasecmp(s, w[i]) == 0)
            return i;
    return -1;
}

static void not_a_word_msg(const char *v, const char *const *w, char *msg, size_t n)
{
    char list[256];
    words_text(w, list, sizeof list);
    const char *sug = suggest(v, w);
    if (sug)
        snprintf(msg, n, "'%s' is not one of %s (did you mean '%s'?)", v, list, sug);
    else
        snprintf(msg, n, "'%s' is not one of %s", v, list);
}

/* ------------------------------------------------------------------ */
/* parsing one value                                                   */

/* 0 ok; else msg says why.  Finite numbers only. */
static int parse_number(const struct config_key *k, const char *s, double *out, char *msg,
                        size_t n)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || isnan(v)) {
        snprintf(msg, n, "'%s' is not a number", s);
        return -1;
    }
    if (!isfinite(v)) {
        snprintf(msg, n, "'%s' is not a finite number", s);
        return -1;
    }
    if (v == 0)
        v = 0.0; /* -0 and 0 are the same setting: keep structs comparable */
    if (!in_range(k, v)) {
        char r[96];
        range_text(k, r, sizeof r);
        snprintf(msg, n, "%s is out of range: must be %s", s, r);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(const struct config_key *k, const char *s, int *out, char *msg, size_t n)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0') {
        snprintf(msg, n, "'%s' is not an integer", s);
        return -1;
    }
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX || !in_range(k, (double)v)) {
        char r[96];
        range_text(k, r, sizeof r);
        snprintf(msg, n, "%s is out of range: must be %s", s, r);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Joins a relative path to base (a folder ending in '/', or "" for the
 * current directory).  Leading "./" of a relative value is dropped. */
static int resolve_path(const char *base, const char *v, char *dst, char *msg, size_t n)
{
    char tmp[CFG_PATH_MAX];
    if (v[0] == '/' || !base[0]) {
        if (strlen(v) >= CFG_PATH_MAX)
            goto too_long;
        copy_str(tmp, sizeof tmp, v);
    } else {
        while (v[0] == '.' && v[1] == '/')
            v += 2;
        if (strlen(base) + strlen(v) >= CFG_PATH_MAX)
            goto too_long;
        memset(tmp, 0, sizeof tmp);
        strcpy(tmp, base);
        strcat(tmp, v);
    }
    memcpy(dst, tmp, CFG_PATH_MAX);
    return 0;
too_long:
    snprintf(msg, n, "path too long (at most %d characters)", CFG_PATH_MAX - 1);
    return -1;
}

/* Parses text v (already trimmed and unquoted) for key k into c.
 * `append` adds the items of a continuation line to a list or path
 * instead of replacing it.  base: folder for relative paths.  0 ok; -1
 * with msg. */
static int parse_plain(const struct config_key *k, config_t *c, const char *v, int append,
                       const char *base, char *msg, size_t n)
{
    void *field = (char *)c + k->off;
    switch (k->type) {
    case T_DOUBLE:
        if (!*v) {
            snprintf(msg, n, "empty value (expected a number)");
            return -1;
        }
        return parse_number(k, v, (double *)field, msg, n);
    case T_INT:
        if (!*v) {
            snprintf(msg, n, "empty value (expected an integer)");
            return -1;
        }
        return parse_int(k, v, (int *)field, msg, n);
    case T_U64: {
        if (!*v) {
            snprintf(msg, n, "empty value (expected an integer)");
            return -1;
        }
        char *end;
        errno = 0;
        unsigned long long x = strtoull(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end != '\0') {
            snprintf(msg, n, "'%s' is not an integer in [0, 18446744073709551615]", v);
            return -1;
        }
        if (errno == ERANGE || x > UINT64_MAX) {
            snprintf(msg, n, "%s is out of range: must be in [0, 18446744073709551615]", v);
            return -1;
        }
        *(uint64_t *)field = (uint64_t)x;
        return 0;
    }
    case T_ENUM:
    case T_BOOL: {
        if (!*v) {
            char list[256];
            words_text(k->words, list, sizeof list);
            snprintf(msg, n, "empty value (expected one of %s)", list);
            return -1;
        }
        int i = word_index(v, k->words);
        if (i < 0 && k->type == T_BOOL) {
            static const char *const yes[] = { "true", "yes", "1", NULL };
            static const char *const no[] = { "false", "no", "0", NULL };
            i = word_index(v, yes) >= 0 ? 1 : word_index(v, no) >= 0 ? 0 : -1;
        }
        if (i < 0) {
            not_a_word_msg(v, k->words, msg, n);
            return -1;
        }
        *(int *)field = i;
        return 0;
    }
    case T_LIST:
    case T_EXECUTORS: {
        config_list *l = field;
        int *ex = field;
        if (!append) {
            if (k->type == T_LIST)
                memset(l, 0, sizeof *l);
            else
                memset(ex, 0, sizeof(int) * EXEC_COUNT);
        }
        if (!*v)
            return 0; /* empty list = none */
        char buf[4 * CFG_ERR_MAX]; /* 64 items of many digits each */
        if (strlen(v) >= sizeof buf) {
            snprintf(msg, n, "list too long");
            return -1;
        }
        strcpy(buf, v);
        char *p = buf;
        for (;;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            const char *item = trim(p);
            if (!*item && !comma && p != buf)
                return 0; /* "1, 2," : a trailing comma, e.g. before a continuation */
            if (!*item) {
                snprintf(msg, n, "empty item in the list '%s'", v);
                return -1;
            }
            if (k->type == T_LIST) {
                double x;
                char m2[CFG_ERR_MAX / 2];
                if (parse_number(k, item, &x, m2, sizeof m2) != 0) {
                    snprintf(msg, n, "%s", m2);
                    return -1;
                }
                if (l->n >= CFG_LIST_MAX) {
                    snprintf(msg, n, "too many items (at most %d)", CFG_LIST_MAX);
                    return -1;
                }
                l->v[l->n++] = x;
            } else {
                int i = word_index(item, k->words);
                if (i < 0) {
                    not_a_word_msg(item, k->words, msg, n);
                    return -1;
                }
                if (ex[i]) {
                    snprintf(msg, n, "'%s' is listed twice", k->words[i]);
                    return -1;
                }
                ex[i] = 1;
            }
            if (!comma)
                return 0;
            p = comma + 1;
        }
    }
    case T_PATH:
    case T_TEXT: {
        char *dst = field;
        if (append && dst[0]) { /* "trace =" then the path on the next line: resolve it */
            if (strlen(dst) + strlen(v) >= CFG_PATH_MAX) {
                snprintf(msg, n, "path too long (at most %d characters)", CFG_PATH_MAX - 1);
                return -1;
            }
            strcat(dst, v);
            return 0;
        }
        if (!*v) {
            memset(dst, 0, CFG_PATH_MAX);
            return 0;
        }
        if (k->type == T_TEXT) {
            if (strlen(v) >= CFG_PATH_MAX) {
                snprintf(msg, n, "text too long (at most %d characters)", CFG_PATH_MAX - 1);
                return -1;
            }
            memset(dst, 0, CFG_PATH_MAX);
            strcpy(dst, v);
            return 0;
        }
        return resolve_path(base, v, dst, msg, n);
    }
    default:
        break;
    }
    snprintf(msg, n, "internal error: key type %d", k->type);
    return -1;
}

/* ------------------------------------------------------------------ */
/* quoting (the rule is in model/config.h)                                      */

/* Does the text s[0..len) need quotes to come back from inih as itself?
 * inih strips blanks at both ends, cuts the value at a ';' after a blank
 * (also at its start: the writer puts a blank after '='), and reads an
 * indented line starting with ';' or '#' as a comment; a leading '"'
 * would be read as a quote; control bytes are never written raw.
 * `cont`: s goes on a continuation line. */
static int needs_quotes(const char *s, size_t len, int cont)
{
    if (len == 0)
        return 0;
    unsigned char first = (unsigned char)s[0], last = (unsigned char)s[len - 1];
    if (first == '"' || first == ';' || (cont && first == '#') || isspace(first)
        || isspace(last))
        return 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || (ch == ';' && i > 0 && isspace((unsigned char)s[i - 1])))
            return 1;
    }
    return 0;
}

/* Length of byte ch inside quotes. */
static size_t quoted_size(unsigned char ch)
{
    if (ch == '"' || ch == '\\' || ch == ';' || ch == '\t')
        return 2;
    return ch < 0x20 || ch == 0x7f ? 4 : 1;
}

/* Writes s[0..len) in quotes into dst (room for 2 + 4*len + 1 bytes);
 * returns the length written. */
static size_t quote_into(char *dst, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    dst[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch == ';') {
            dst[o++] = '\\';
            dst[o++] = (char)ch;
        } else if (ch == '\t') {
            dst[o++] = '\\';
            dst[o++] = 't';
        } else if (ch < 0x20 || ch == 0x7f) {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[ch >> 4];
            dst[o++] = hex[ch & 15];
        } else {
            dst[o++] = (char)ch;
        }
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return o;
}

static int hex_digit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* v starts with '"': its text without the quotes and escapes into out
 * (room for strlen(v) bytes).  0 ok; -1 with msg. */
static int unquote(const char *v, char *out, char *msg, size_t n)
{
    size_t o = 0;
    const char *p = v + 1;
    for (;; p++) {
        if (!*p) {
            snprintf(msg, n, "missing the closing '\"' of a quoted value (a ';' after a "
                             "blank starts a comment even inside quotes: write it \\;)");
            return -1;
        }
        if (*p == '"')
            break;
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case '"': case '\\': case ';': case '#':
            out[o++] = *p;
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'x': {
            int hi = hex_digit((unsigned char)p[1]);
            int lo = hi < 0 ? -1 : hex_digit((unsigned char)p[2]);
            if (lo < 0) {
                snprintf(msg, n, "'\\x' in a quoted value needs two hex digits (\\x3b)");
                return -1;
            }
            if (hi == 0 && lo == 0) {
                snprintf(msg, n, "a value cannot hold a NUL byte (\\x00)");
                return -1;
            }
            out[o++] = (char)(hi * 16 + lo);
            p += 2;
            break;
        }
        default:
            if (*p)
                snprintf(msg, n, "unknown escape '\\%c' in a quoted value (escapes are "
                                 "\\\" \\\\ \\; \\# \\t \\xHH)", *p);
            else
                snprintf(msg, n, "missing the closing '\"' of a quoted value");
            return -1;
        }
    }
    if (p[1]) {
        snprintf(msg, n, "text after the closing '\"' of a quoted value (write a '\"' "
                         "inside quotes as \\\")");
        return -1;
    }
    out[o] = '\0';
    return 0;
}

/* Parses the text of one line's value (from inih, --set or the table):
 * unquotes it when it starts with '"', then parse_plain.  A line break
 * cannot be in a config file, so no value may hold one. */
static int parse_value(const struct config_key *k, config_t *c, const char *v, int append,
                       const char *base, char *msg, size_t n)
{
    char *plain = NULL;
    if (v[0] == '"') {
        plain = malloc(strlen(v) + 1);
        if (!plain) {
            snprintf(msg, n, "out of memory");
            return -1;
        }
        if (unquote(v, plain, msg, n) != 0) {
            free(plain);
            return -1;
        }
        v = plain;
    }
    int rc;
    if (strchr(v, '\n')) {
        snprintf(msg, n, "a value cannot hold a line break");
        rc = -1;
    } else {
        rc = parse_plain(k, c, v, append, base, msg, n);
    }
    free(plain);
    return rc;
}

/* ------------------------------------------------------------------ */
/* defaults                                                            */

void config_defaults(config_t *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NKEYS; i++) {
        char msg[CFG_ERR_MAX];
        int rc = parse_value(&config_table[i], c, config_table[i].def, 0, "", msg, sizeof msg);
        /* a default that does not parse is a bug in the table (test_cfg
         * checks every default) */
        assert(rc == 0);
        (void)rc;
    }
}

/* ------------------------------------------------------------------ */
/* INI loading                                                         */

struct loader {
    config_t *c;                 /* the copy being filled */
    const char *file;         /* as the caller gave it, for messages */
    char base[CFG_PATH_MAX];  /* folder of file, with '/', or "" */
    infile *in;               /* the file (lib/infile.h: regular, bounded lines) */
    int line;                 /* physical line last handed to inih */
    int cont;                 /* that line is a continuation (inih multi-line) */
    int key_in_section;       /* inih's prev_name is set: indented = continuation */
    int err_line;             /* line of the first error, 0 = none */
    char err[CFG_ERR_MAX];
    int seen[NKEYS];          /* line where key i was set, 0 = not yet */
};

static void fail(struct loader *L, int line, const char *fmt, ...)
{
    if (L->err_line)
        return; /* keep the first error */
    L->err_line = line;
    int k = snprintf(L->err, sizeof L->err, "%s:%d: ", L->file, line);
    if (k < 0 || (size_t)k >= sizeof L->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->err + k, sizeof L->err - (size_t)k, fmt, ap);
    va_end(ap);
}

/* inih's find_chars_or_comment: first char of chars, or an inline ';'
 * that follows whitespace, or the end. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
    int was_space = 0;
    while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* Sorts a physical line the way inih will, and reports what inih would
 * not tell us (empty unknown sections, which of its syntax errors). */
static void classify(struct loader *L, char *line)
{
    char *s = line;
    if (L->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB
        && (unsigned char)s[2] == 0xBF)
        s += 3;
    char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    L->cont = 0;
    if (!*p || *p == ';' || *p == '#')
        return;
    if (L->key_in_section && p > line) {
        L->cont = 1;
        return;
    }
    if (*p == '[') {
        const char *end = find_chars_or_comment(p + 1, "]");
        if (*end != ']') {
            fail(L, L->line, "syntax error: missing ']' after the section name");
            return;
        }
        char name[128];
        size_t len = (size_t)(end - (p + 1));
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, p + 1, len);
        name[len] = '\0';
        L->key_in_section = 0;
        const char *sec = trim(name); /* "[ run ]" is [run] */
        if (!section_known(sec)) {
            char msg[CFG_ERR_MAX / 2];
            unknown_section_msg(sec, msg, sizeof msg);
            fail(L, L->line, "%s", msg);
        }
        return;
    }
    const char *end = find_chars_or_comment(p, "=:");
    if (*end != '=' && *end != ':') {
        fail(L, L->line, "syntax error: expected 'key = value' or '[section]'");
        return;
    }
    /* inih keeps the name for continuations only when it is not empty */
    const char *q = end;
    while (q > p && isspace((unsigned char)q[-1]))
        q--;
    L->key_in_section = q > p;
}

/* The ini_reader: reads one physical line (lib/infile.h: '\n' or "\r\n",
 * at most INFILE_LINE_MAX bytes, no NUL byte) and counts it.  A line too
 * long for inih's buffer (num bytes with "\r\n\0") is reported and handed
 * over empty, so inih's line count stays the same as ours.  A read error,
 * a NUL byte, an over-long line or the stop flag end the parse at once
 * (NULL: inih sees the end of the file). */
static char *reader(char *str, int num, void *stream)
{
    struct loader *L = stream;
    char *buf;
    size_t len;
    int r = infile_line(L->in, &buf, &len);
    if (r == INFILE_ERR && (!L->err_line || infile_interrupted(L->in))) {
        L->err_line = (int)infile_lineno(L->in) + 1;
        snprintf(L->err, sizeof L->err, "%s", infile_error(L->in));
    }
    if (r != INFILE_LINE)
        return NULL;
    L->line++;
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (num < 4 || len + 3 > (size_t)num) {
        fail(L, L->line, "line too long (%zu characters, at most %d)", len, num - 3);
        L->cont = 0;
        str[0] = '\n';
        str[1] = '\0';
        return str;
    }
    classify(L, buf);
    memcpy(str, buf, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static int handler(void *user, const char *section0, const char *name, const char *value)
{
    struct loader *L = user;
    if (L->err_line)
        return 0;
    char secbuf[128];
    snprintf(secbuf, sizeof secbuf, "%s", section0);
    const char *section = trim(secbuf); /* inih keeps spaces inside [ ] */
    if (!section[0]) {
        fail(L, L->line, "key '%s' is outside any section (put a [section] line above it)",
             name);
        return 0;
    }
    if (!section_known(section)) { /* classify() said so already */
        char msg[CFG_ERR_MAX / 2];
        unknown_section_msg(section, msg, sizeof msg);
        fail(L, L->line, "%s", msg);
        return 0;
    }
    const struct config_key *k = find_key(section, name);
    if (!k) {
        char msg[CFG_ERR_MAX / 2];
        unknown_key_msg(section, name, msg, sizeof msg);
        fail(L, L->line, "%s", msg);
        return 0;
    }
    size_t i = (size_t)(k - config_table);
    if (L->cont) {
        if (k->type != T_LIST && k->type != T_EXECUTORS && k->type != T_PATH
            && k->type != T_TEXT) {
            fail(L, L->line,
                 "indented line: INI reads it as more of the value of %s.%s above; only "
                 "lists and paths continue on indented lines (remove the indentation)",
                 section, name);
            return 0;
        }
    } else {
        if (L->seen[i]) {
            fail(L, L->line, "%s.%s given twice (first on line %d)", section, name,
                 L->seen[i]);
            return 0;
        }
        L->seen[i] = L->line;
    }
    char msg[CFG_ERR_MAX / 2];
    if (parse_value(k, L->c, value, L->cont, L->base, msg, sizeof msg) != 0) {
        fail(L, L->line, "%s.%s: %s", section, name, msg);
        return 0;
    }
    return 1;
}

int config_load(config_t *c, const char *path, char *err, size_t errlen)
{
    return config_load_stop(c, path, NULL, err, errlen);
}

int config_load_stop(config_t *c, const char *path, const volatile int *stop, char *err,
                  size_t errlen)
{
    struct loader *L = calloc(1, sizeof *L);
    config_t *work = malloc(sizeof *work);
    int rc = CFG_ERR;
    if (!L || !work) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    *work = *c;
    L->c = work;
    L->file = path;
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = (size_t)(slash - path) + 1;
        if (n >= sizeof L->base) {
            snprintf(err, errlen, "%s: path too long", path);
            goto out;
        }
        memcpy(L->base, path, n);
        L->base[n] = '\0';
    }
    if (strlen(path) >= CFG_PATH_MAX) {
        snprintf(err, errlen, "%s: path too long (at most %d characters)", path,
                 CFG_PATH_MAX - 1);
        goto out;
    }
    L->in = infile_open(path, NULL, stop, err, errlen);
    if (!L->in)
        goto out;
    int r = ini_parse_stream(reader, L, handler, L);
    if (r > 0 && (!L->err_line || r < L->err_line))
        fail(L, r, "syntax error"); /* inih found one that classify() did not */
    else if (r < 0 && !L->err_line)
        fail(L, 0, "out of memory");
    if (L->err_line) {
        snprintf(err, errlen, "%s", L->err);
        goto out;
    }
    copy_str(work->path, sizeof work->path, path);
    *c = *work;
    rc = CFG_OK;
out:
    if (L)
        infile_close(L->in);
    free(L);
    free(work);
    return rc;
}

/* ------------------------------------------------------------------ */
/* --set                                                               */

static int set_one(config_t *c, char *buf, const char *assignment, char *err, size_t errlen)
{
    strcpy(buf, assignment);
    char *eq = strchr(buf, '=');
    if (!eq) {
        snprintf(err, errlen, "--set %s: expected section.key=value", trim(buf));
        return CFG_ERR;
    }
    *eq = '\0';
    char *lhs = (char *)trim(buf);
    const char *value = trim(eq + 1);
    char *dot = strchr(lhs, '.');
    if (!dot) {
        snprintf(err, errlen, "--set %s: expected section.key=value", lhs);
        return CFG_ERR;
    }
    *dot = '\0';
    const char *section = trim(lhs), *name = trim(dot + 1);
    char msg[CFG_ERR_MAX / 2];
    if (!section_known(section)) {
        unknown_section_msg(section, msg, sizeof msg);
        snprintf(err, errlen, "--set %s.%s: %s", section, name, msg);
        return CFG_ERR;
    }
    const struct config_key *k = find_key(section, name);
    if (!k) {
        unknown_key_msg(section, name, msg, sizeof msg);
        snprintf(err, errlen, "--set %s.%s: %s", section, name, msg);
        return CFG_ERR;
    }
    config_t *work = malloc(sizeof *work);
    if (!work) {
        snprintf(err, errlen, "--set %s.%s: out of memory", section, name);
        return CFG_ERR;
    }
    *work = *c;
    int rc = parse_value(k, work, value, 0, "", msg, sizeof msg);
    if (rc == 0)
        *c = *work;
    else
        snprintf(err, errlen, "--set %s.%s: %s", section, name, msg);
    free(work);
    return rc == 0 ? CFG_OK : CFG_ERR;
}

/* The longest --set accepted: a path of CFG_PATH_MAX-1 bytes, every one
 * escaped as \xHH, fits. */
#define SET_MAX (5 * CFG_PATH_MAX)

int config_set(config_t *c, const char *assignment, char *err, size_t errlen)
{
    if (strlen(assignment) >= SET_MAX) {
        snprintf(err, errlen, "--set: assignment too long");
        return CFG_ERR;
    }
    char *buf = malloc(SET_MAX);
    if (!buf) {
        snprintf(err, errlen, "--set: out of memory");
        return CFG_ERR;
    }
    int rc = set_one(c, buf, assignment, err, errlen);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* rules between keys                                                  */

static int verr(const config_t *c, char *err, size_t errlen, const char *fmt, ...)
{
    char msg[CFG_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->path[0])
        snprintf(err, errlen, "%s: %s", c->path, msg);
    else
        snprintf(err, errlen, "%s", msg);
    return CFG_ERR;
}

/* Every value within its key's range or words: a struct filled in by
 * code rather than by config_load/config_set gets the same checks. */
static int check_ranges(const config_t *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &config_table[i];
        const void *field = (const char *)c + k->off;
        char r[128], v[64];
        switch (k->type) {
        case T_DOUBLE:
        case T_INT: {
            double x = k->type == T_INT ? *(const int *)field : *(const double *)field;
            if (in_range(k, x))
                break;
            fmt_double(x, v, sizeof v);
            range_text(k, r, sizeof r);
            return verr(c, err, errlen, "%s.%s = %s is out of range: must be %s", k->section,
                        k->name, v, r);
        }
        case T_LIST: {
            const config_list *l = field;
            if (l->n > CFG_LIST_MAX)
                return verr(c, err, errlen, "%s.%s: too many items (at most %d)", k->section,
                            k->name, CFG_LIST_MAX);
            for (size_t j = 0; j < l->n; j++) {
                if (in_range(k, l->v[j]))
                    continue;
                fmt_double(l->v[j], v, sizeof v);
                range_text(k, r, sizeof r);
                return verr(c, err, errlen, "%s.%s: %s is out of range: must be %s",
                            k->section, k->name, v, r);
            }
            break;
        }
        case T_ENUM:
        case T_BOOL: {
            int x = *(const int *)field, n = 0;
            while (k->words[n])
                n++;
            if (x < 0 || x >= n)
                return verr(c, err, errlen, "%s.%s = %d is not a valid choice", k->section,
                            k->name, x);
            break;
        }
        case T_PATH:
        case T_TEXT:
            if (!memchr(field, '\0', CFG_PATH_MAX))
                return verr(c, err, errlen, "%s.%s: path not terminated", k->section,
                            k->name);
            break;
        default:
            break;
        }
    }
    return CFG_OK;
}

int config_validate(const config_t *c, char *err, size_t errlen)
{
    const struct config_workload *w = &c->workload;
    const struct config_stream *st = &c->stream;
    if (check_ranges(c, err, errlen) != CFG_OK)
        return CFG_ERR;
    if (!c->run.executors[EXEC_BATCH] && !c->run.executors[EXEC_MICROBATCH]
        && !c->run.executors[EXEC_STREAM])
        return verr(c, err, errlen,
                    "run.executors: at least one executor is needed (batch, microbatch, "
                    "stream)");
    if (w->source == SRC_TRACE && !w->trace[0])
        return verr(c, err, errlen,
                    "workload.source = trace needs workload.trace (the trace CSV file)");
    if (w->arrival == ARR_MMPP && !(w->mmpp_rate_high > 0))
        return verr(c, err, errlen,
                    "workload.arrival = mmpp needs workload.mmpp_rate_high > 0");
    if (w->arrival == ARR_MMPP && w->mmpp_rate_high < w->mmpp_rate_low)
        return verr(c, err, errlen,
                    "workload.mmpp_rate_high = %g must be >= workload.mmpp_rate_low = %g",
                    w->mmpp_rate_high, w->mmpp_rate_low);
    if ((w->delay == DELAY_LOGNORMAL || w->delay == DELAY_PARETO) && !(w->delay_mean > 0))
        return verr(c, err, errlen, "workload.delay = %s needs workload.delay_mean > 0",
                    w->delay == DELAY_LOGNORMAL ? "lognormal" : "pareto");
    if (c->run.executors[EXEC_MICROBATCH] && c->microbatch.output_mode == OUT_UPDATE &&
        c->window.type == WIN_SESSION)
        return verr(c, err, errlen,
                    "microbatch.output_mode = update does not work with window.type = "
                    "session (as in Spark, SPARK-36463: a session's bounds change, so its "
                    "rows cannot be upserted); use append");
    if (c->window.type == WIN_SLIDING) {
        if (c->window.slide > c->window.size)
            return verr(c, err, errlen,
                        "window.slide = %g must be <= window.size = %g (sliding windows)",
                        c->window.slide, c->window.size);
        if (c->window.size / c->window.slide > 1000)
            return verr(c, err, errlen,
                        "window.size / window.slide = %g windows per event; at most 1000",
                        c->window.size / c->window.slide);
    }
    if (st->watermark_interval < 0 && st->watermark_interval != -1)
        return verr(c, err, errlen,
                    "stream.watermark_interval = %g: must be >= 0, or -1 (the profile's "
                    "default)", st->watermark_interval);
    if (st->watermark_interval > 0 && st->watermark != WM_SCRIPTED &&
        (c->faults.crash_times.n > 0 || c->faults.mtbf > 0))
        return verr(c, err, errlen,
                    "stream.watermark_interval = %g with crashes: periodic watermarks "
                    "make late drops depend on processing time, so a replay would not "
                    "match the fault-free run; use 0 (per event)", st->watermark_interval);
    if (st->watermark == WM_SCRIPTED && !st->watermark_file[0])
        return verr(c, err, errlen,
                    "stream.watermark = scripted needs stream.watermark_file (a CSV "
                    "time,watermark)");
    if (c->microbatch.interval == 0 && c->microbatch.setup_cost == 0
        && c->microbatch.per_event_cost == 0)
        return verr(c, err, errlen,
                    "microbatch.interval = 0 (back to back) needs microbatch.setup_cost or "
                    "microbatch.per_event_cost > 0");
    if (st->checkpoint_interval > 0 && st->checkpoint_cost >= st->checkpoint_interval)
        return verr(c, err, errlen,
                    "stream.checkpoint_cost = %g must be < stream.checkpoint_interval = %g",
                    st->checkpoint_cost, st->checkpoint_interval);
    if (c->faults.slowdown_times.n > 0 && !(c->faults.slowdown_duration > 0))
        return verr(c, err, errlen,
                    "faults.slowdown_times is given but faults.slowdown_duration = 0");
    if (c->faults.outage_times.n > 0 && !(c->faults.outage_duration > 0))
        return verr(c, err, errlen,
                    "faults.outage_times is given but faults.outage_duration = 0");
    if (c->run.timeline_bucket > 0 && c->run.duration / c->run.timeline_bucket > 1e6)
        return verr(c, err, errlen,
                    "run.duration / run.timeline_bucket = %.0f timeline rows; at most 1000000",
                    c->run.duration / c->run.timeline_bucket);
    return CFG_OK;
}

/* ------------------------------------------------------------------ */
/* writers                                                             */

/* The value of key k in c as INI text (what config_load reads back).  Lists
 * and long paths are split into pieces so that no line is longer than
 * inih's 200-byte buffer; pieces after the first go on indented lines.
 * A path is written as it is unless a piece would not read back as
 * itself; then every piece is quoted (model/config.h).  Writes pieces separated by
 * '\n' into buf. */
#define VALUE_TEXT_MAX (8 * CFG_PATH_MAX) /* a path quoted, \xHH for every byte */
static int value_text(const struct config_key *k, const config_t *c, char *buf, size_t n)
{
    const void *field = (const char *)c + k->off;
    size_t len = 0;
    buf[0] = '\0';
    switch (k->type) {
    case T_DOUBLE:
        fmt_double(*(const double *)field, buf, n);
        return 0;
    case T_INT:
        snprintf(buf, n, "%d", *(const int *)field);
        return 0;
    case T_U64:
        snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)field);
        return 0;
    case T_ENUM:
    case T_BOOL: {
        int i = *(const int *)field, cnt = 0;
        while (k->words[cnt])
            cnt++;
        if (i < 0 || i >= cnt)
            return -1;
        snprintf(buf, n, "%s", k->words[i]);
        return 0;
    }
    case T_EXECUTORS: {
        const int *ex = field;
        for (int i = 0; i < EXEC_COUNT && len < n; i++)
            if (ex[i])
                len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "," : "", k->words[i]);
        return 0;
    }
    case T_LIST: {
        const config_list *l = field;
        if (l->n > CFG_LIST_MAX)
            return -1;
        for (size_t i = 0; i < l->n && len < n; i++) {
            char num[40];
            fmt_double(l->v[i], num, sizeof num);
            const char *sep = i == 0 ? "" : i % 6 == 0 ? "\n" : ", ";
            len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, num);
        }
        return len < n ? 0 : -1;
    }
    case T_PATH:
    case T_TEXT: {
        const char *p = field;
        size_t plen = strnlen(p, CFG_PATH_MAX);
        if (plen >= CFG_PATH_MAX || memchr(p, '\n', plen))
            return -1; /* a line break would not read back: refuse to write */
        /* pieces of at most 150 bytes; never cut next to whitespace, and
         * never start a piece with ';' or '#' (inih: a comment) */
        size_t at = 0;
        int literal = 1;
        while (at < plen) {
            size_t cut = plen - at <= 150 ? plen : at + 150;
            while (cut < plen && cut > at + 1
                   && (isspace((unsigned char)p[cut]) || isspace((unsigned char)p[cut - 1])
                       || p[cut] == ';' || p[cut] == '#'))
                cut--;
            if (len + (cut - at) + 2 >= n)
                return -1;
            if (needs_quotes(p + at, cut - at, at > 0))
                literal = 0;
            if (at)
                buf[len++] = '\n';
            memcpy(buf + len, p + at, cut - at);
            len += cut - at;
            buf[len] = '\0';
            at = cut;
        }
        if (literal)
            return 0;
        /* some piece would not come back as itself: every piece in quotes
         * instead, at most 150 bytes with its escapes and quotes */
        len = 0;
        buf[0] = '\0';
        for (at = 0; at < plen;) {
            size_t cut = at, used = 2;
            while (cut < plen && used + quoted_size((unsigned char)p[cut]) <= 150)
                used += quoted_size((unsigned char)p[cut++]);
            /* not inside a UTF-8 sequence when avoidable */
            for (int back = 0; back < 3 && cut < plen && cut > at + 1
                               && ((unsigned char)p[cut] & 0xC0) == 0x80; back++)
                cut--;
            if (len + 1 + 2 + 4 * (cut - at) + 1 > n)
                return -1;
            if (at)
                buf[len++] = '\n';
            len += quote_into(buf + len, p + at, cut - at);
            at = cut;
        }
        return 0;
    }
    default:
        return -1;
    }
}

/* "name = value", continuation pieces indented below it. */
static int write_key_value(FILE *f, const char *name, const char *text)
{
    if (fprintf(f, "%s =", name) < 0)
        return -1;
    const char *p = text;
    int first = 1;
    while (first || *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (fprintf(f, "%s%.*s\n", first ? (len ? " " : "") : "    ", (int)len, p) < 0)
            return -1;
        first = 0;
        p += len;
        if (*p == '\n')
            p++;
    }
    return 0;
}

/* Writes relative paths as absolute ones (prefixing the current folder),
 * so that the file can be read from anywhere. */
static int absolute_paths(config_t *c)
{
    char cwd[CFG_PATH_MAX];
    int have_cwd = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        if (config_table[i].type != T_PATH)
            continue;
        char *p = (char *)c + config_table[i].off;
        if (!p[0] || p[0] == '/')
            continue;
        if (!have_cwd) {
            if (!getcwd(cwd, sizeof cwd))
                return -1;
            have_cwd = 1;
        }
        char tmp[CFG_PATH_MAX];
        char msg[128];
        size_t cl = strlen(cwd);
        if (cl + 1 >= sizeof tmp)
            return -1;
        memcpy(tmp, cwd, cl);
        tmp[cl] = '/';
        tmp[cl + 1] = '\0';
        char joined[CFG_PATH_MAX];
        if (resolve_path(tmp, p, joined, msg, sizeof msg) != 0)
            return -1;
        memcpy(p, joined, CFG_PATH_MAX);
    }
    return 0;
}

int config_write_ini(const config_t *c0, FILE *f)
{
    config_t *c = malloc(sizeof *c);
    if (!c)
        return CFG_ERR;
    *c = *c0;
    int rc = CFG_ERR;
    char *text = malloc(VALUE_TEXT_MAX);
    if (!text || absolute_paths(c) != 0)
        goto out;
    if (fprintf(f, "; sluice configuration (every key; reading it back gives the same run)\n")
        < 0)
        goto out;
    for (size_t s = 0; config_sections[s]; s++) {
        if (fprintf(f, "\n[%s]\n", config_sections[s]) < 0)
            goto out;
        for (size_t i = 0; i < NKEYS; i++) {
            const struct config_key *k = &config_table[i];
            if (strcmp(k->section, config_sections[s]) != 0)
                continue;
            if (value_text(k, c, text, VALUE_TEXT_MAX) != 0
                || write_key_value(f, k->name, text) != 0)
                goto out;
        }
    }
    rc = ferror(f) ? CFG_ERR : CFG_OK;
out:
    free(text);
    free(c);
    return rc;
}

/* "unit, range" / "one of a, b" / "comma list (at most 64), s, each >= 0"
 * ...: the part before the help text in --defaults comments. */
static void describe(const struct config_key *k, char *buf, size_t n)
{
    char r[128], w[256];
    struct config_key bare = *k;
    bare.unit = ""; /* range without the unit: the unit goes first */
    const char *u = k->unit, *sep = k->unit[0] ? ", " : "";
    switch (k->type) {
    case T_DOUBLE:
        range_text(&bare, r, sizeof r);
        snprintf(buf, n, "%s%s%s", u, sep, r);
        return;
    case T_INT:
        range_text(&bare, r, sizeof r);
        snprintf(buf, n, "%s%sinteger %s", u, sep, r);
        return;
    case T_U64:
        snprintf(buf, n, "integer in [0, 2^64-1]");
        return;
    case T_ENUM:
        words_text(k->words, w, sizeof w);
        snprintf(buf, n, "one of %s", w);
        return;
    case T_BOOL:
        snprintf(buf, n, "on or off");
        return;
    case T_EXECUTORS:
        words_text(k->words, w, sizeof w);
        snprintf(buf, n, "comma list of %s", w);
        return;
    case T_LIST:
        range_text(&bare, r, sizeof r);
        snprintf(buf, n, "comma list (at most %d), %s%seach %s", CFG_LIST_MAX, u, sep, r);
        return;
    case T_PATH:
        snprintf(buf, n, "path");
        return;
    case T_TEXT:
        snprintf(buf, n, "text");
        return;
    default:
        snprintf(buf, n, "?");
    }
}

/* Writes text as "; " comment lines of at most ~76 characters. */
static int write_comment(FILE *f, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t len = strlen(p);
        if (len > 74) {
            len = 74;
            while (len > 0 && p[len] != ' ')
                len--;
            if (len == 0)
                len = 74;
        }
        if (fprintf(f, "; %.*s\n", (int)len, p) < 0)
            return -1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* The engine profiles' rules (model/semantics.c's table) as comments
 * under stream.semantics. */
static int write_profiles(FILE *f)
{
    if (write_comment(f, "the profiles' rules (flink | beam | kafka_streams), each with "
                         "the engine's class:") != 0)
        return -1;
    for (size_t i = 0; semantics_describe(i); i++)
        if (write_comment(f, semantics_describe(i)) != 0)
            return -1;
    return 0;
}

int config_write_defaults(FILE *f)
{
    if (fprintf(f, "; sluice: every configuration key with its default.\n"
                   "; Times are in seconds (simulated), rates in events per second.\n")
        < 0)
        return CFG_ERR;
    for (size_t s = 0; config_sections[s]; s++) {
        if (fprintf(f, "\n[%s]\n", config_sections[s]) < 0)
            return CFG_ERR;
        for (size_t i = 0; i < NKEYS; i++) {
            const struct config_key *k = &config_table[i];
            if (strcmp(k->section, config_sections[s]) != 0)
                continue;
            char d[320], text[1024];
            describe(k, d, sizeof d);
            snprintf(text, sizeof text, "%s: %s", d, k->help);
            if (write_comment(f, text) != 0 || write_key_value(f, k->name, k->def) != 0)
                return CFG_ERR;
            if (strcmp(k->section, "stream") == 0 && strcmp(k->name, "semantics") == 0
                && write_profiles(f) != 0)
                return CFG_ERR;
        }
    }
    return ferror(f) ? CFG_ERR : CFG_OK;
}

/* Markdown cell text: '|' (cell end) and '*' (emphasis) escaped. */
static int md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if ((*s == '|' || *s == '*') && fputc('\\', f) == EOF)
            return -1;
        if (fputc(*s, f) == EOF)
            return -1;
    }
    return 0;
}

int config_write_markdown(FILE *f)
{
    for (size_t s = 0; config_sections[s]; s++) {
        if (fprintf(f, "%s### [%s]\n\n| key | default | unit | range / words | meaning |\n"
                       "|---|---|---|---|---|\n",
                    s ? "\n" : "", config_sections[s]) < 0)
            return CFG_ERR;
        for (size_t i = 0; i < NKEYS; i++) {
            const struct config_key *k = &config_table[i];
            if (strcmp(k->section, config_sections[s]) != 0)
                continue;
            char r[320], w[400];
            switch (k->type) {
            case T_DOUBLE:
            case T_INT:
            case T_LIST: {
                /* the range without the unit (it has its own column) */
                struct config_key bare = *k;
                bare.unit = "";
                range_text(&bare, r, sizeof r);
                const char *bare_r = strncmp(r, "in ", 3) == 0 ? r + 3 : r;
                if (k->type == T_LIST)
                    snprintf(w, sizeof w, "list, each %s", bare_r);
                else
                    snprintf(w, sizeof w, "%s", bare_r);
                break;
            }
            case T_U64:
                snprintf(w, sizeof w, "0 .. 2^64-1");
                break;
            case T_ENUM:
            case T_EXECUTORS:
                words_text(k->words, r, sizeof r);
                snprintf(w, sizeof w, "%s%s", k->type == T_EXECUTORS ? "list of " : "", r);
                break;
            case T_BOOL:
                snprintf(w, sizeof w, "on, off");
                break;
            default:
                snprintf(w, sizeof w, "path");
            }
            if (fprintf(f, "| `%s` | %s%s%s | ", k->name, k->def[0] ? "`" : "",
                        k->def[0] ? k->def : "(none)", k->def[0] ? "`" : "") < 0
                || md_cell(f, k->unit) != 0 || fputs(" | ", f) < 0 || md_cell(f, w) != 0
                || fputs(" | ", f) < 0 || md_cell(f, k->help) != 0 || fputs(" |\n", f) < 0)
                return CFG_ERR;
        }
    }
    return ferror(f) ? CFG_ERR : CFG_OK;
}

/* Writes s as troff text: a backslash as \e, and a '.' or '\'' that would
 * start a line (at *bol) behind \& so that it is not read as a request. */
static int man_text(FILE *f, const char *s, int *bol)
{
    for (; *s; s++) {
        if (*bol && (*s == '.' || *s == '\'') && fputs("\\&", f) < 0)
            return -1;
        if (*s == '\\' ? fputs("\\e", f) < 0 : fputc(*s, f) == EOF)
            return -1;
        *bol = *s == '\n';
    }
    return 0;
}

/* One line of troff text (escaped), ended by a newline. */
static int man_line(FILE *f, const char *s)
{
    int bol = 1;
    return man_text(f, s, &bol) != 0 || fputc('\n', f) == EOF ? -1 : 0;
}

int config_write_man(FILE *f)
{
#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif
    if (fputs(".TH SLUICE.INI 5 \"\" \"sluice " SLUICE_VERSION "\" \"File Formats\"\n"
              ".SH NAME\n"
              "sluice.ini \\- configuration file of the sluice simulator\n"
              ".SH SYNOPSIS\n"
              ".nf\n"
              ".BI [ section ]\n"
              ".IB key \" = \" value\n"
              ".fi\n"
              ".SH DESCRIPTION\n"
              "An experiment of\n"
              ".BR sluice (1)\n"
              "is an INI file: a line\n"
              ".BI [ section ]\n"
              "starts a section, a line\n"
              ".I key\n"
              "=\n"
              ".I value\n"
              "sets a key of it.\n"
              "Every key has a default, so a file only needs the keys it changes;\n"
              ".B sluice config \\-\\-defaults\n"
              "prints them all as a ready-to-edit file.\n"
              "Times are in simulated seconds, rates in events per second.\n"
              ".PP\n"
              "A ; or # at the start of a line begins a comment, and so does a ; that\n"
              "follows a blank (to the end of the line).\n"
              "A value loses the blanks at its ends; # and = inside it are kept.\n"
              "To keep such text, put the value in double quotes, inside which\n"
              "\\e; is ;, \\e\" is \", \\e\\e is \\e, \\et a tab and \\exHH any byte,\n"
              "e.g. trace = \"  my data \\e;v2.csv\".\n"
              "A line that starts with blanks continues the value of the key above\n"
              "it (a long list).\n"
              "Words ignore case; on/off keys also take true/false, yes/no, 1/0.\n"
              "Lists are comma-separated; an empty list means none.\n"
              "Relative paths are relative to the folder of the file.\n"
              ".PP\n"
              "On the command line,\n"
              ".BI \\-\\-set \" section.key=value\"\n"
              "overrides a key after the file is read (repeatable; the same quoting;\n"
              "relative paths are relative to the current folder).\n"
              "A mistake is reported as FILE:LINE: message and sluice exits with\n"
              "status 2.\n",
              f)
        < 0)
        return CFG_ERR;
    for (size_t s = 0; config_sections[s]; s++) {
        if (fprintf(f, ".SS [%s]\n", config_sections[s]) < 0)
            return CFG_ERR;
        for (size_t i = 0; i < NKEYS; i++) {
            const struct config_key *k = &config_table[i];
            if (strcmp(k->section, config_sections[s]) != 0)
                continue;
            char d[320];
            describe(k, d, sizeof d);
            int bol = 0;
            if (fprintf(f, ".TP\n.B %s\nDefault: ", k->name) < 0
                || (k->def[0] ? fputs("\\fB", f) < 0 || man_text(f, k->def, &bol) != 0
                                    || fputs("\\fR", f) < 0
                              : fputs("none", f) < 0)
                || fputs("; ", f) < 0 || man_text(f, d, &bol) != 0
                || fputs(".\n.br\n", f) < 0
                || man_line(f, k->help) != 0)
                return CFG_ERR;
        }
    }
    if (fputs(".SH SEE ALSO\n.BR sluice (1)\n", f) < 0)
        return CFG_ERR;
    return ferror(f) ? CFG_ERR : CFG_OK;
}

const char *config_word(const char *section, const char *key, int value)
{
    const struct config_key *k = find_key(section, key);
    if (!k || !k->words || value < 0)
        return NULL;
    for (int i = 0; k->words[i]; i++)
        if (i == value)
            return k->words[i];
    return NULL;
}

const char *config_unit(const char *section, const char *key)
{
    const struct config_key *k = find_key(section, key);
    return k ? k->unit : NULL;
}

size_t config_key_count(void)
{
    return NKEYS;
}

int config_key_at(size_t i, const char **section, const char **name)
{
    if (i >= NKEYS)
        return CFG_ERR;
    if (section)
        *section = config_table[i].section;
    if (name)
        *name = config_table[i].name;
    return CFG_OK;
}

int config_key_info_at(size_t i, config_key_info *info)
{
    if (i >= NKEYS)
        return CFG_ERR;
    const struct config_key *k = &config_table[i];
    static const int kind[] = {
        [T_DOUBLE] = CFG_KIND_DOUBLE, [T_INT] = CFG_KIND_INT, [T_U64] = CFG_KIND_U64,
        [T_ENUM] = CFG_KIND_WORD, [T_BOOL] = CFG_KIND_BOOL, [T_LIST] = CFG_KIND_LIST,
        [T_EXECUTORS] = CFG_KIND_EXECUTORS, [T_PATH] = CFG_KIND_PATH, [T_TEXT] = CFG_KIND_TEXT
    };
    memset(info, 0, sizeof *info);
    info->kind = kind[k->type];
    info->offset = k->off;
    info->min = k->min;
    info->max = k->max;
    if (k->type == T_U64) {
        info->min = 0;
        info->max = 18446744073709551615.0;
    }
    info->min_open = (k->open & LO_OPEN) != 0;
    info->max_open = (k->open & HI_OPEN) != 0;
    info->words = k->words;
    return CFG_OK;
}

int config_get(const config_t *c, const char *section, const char *key, char *buf, size_t n)
{
    const struct config_key *k = find_key(section, key);
    if (!k || n == 0)
        return CFG_ERR;
    if (k->type == T_PATH || k->type == T_TEXT) { /* one piece, quoted if it must be */
        const char *p = (const char *)c + k->off;
        size_t plen = strnlen(p, CFG_PATH_MAX);
        if (plen >= CFG_PATH_MAX)
            return CFG_ERR;
        if (!needs_quotes(p, plen, 0)) {
            if (plen >= n)
                return CFG_ERR;
            memcpy(buf, p, plen + 1);
            return CFG_OK;
        }
        size_t need = 2;
        for (size_t i = 0; i < plen; i++)
            need += quoted_size((unsigned char)p[i]);
        if (need >= n)
            return CFG_ERR;
        quote_into(buf, p, plen);
        return CFG_OK;
    }
    char *text = malloc(VALUE_TEXT_MAX);
    if (!text)
        return CFG_ERR;
    int rc = value_text(k, c, text, VALUE_TEXT_MAX);
    if (rc == 0) {
        /* pieces joined back: lists with ", ", paths as they are */
        size_t len = 0;
        for (const char *p = text; *p && rc == 0; p++) {
            const char *piece = *p != '\n' ? NULL : k->type == T_LIST ? ", " : "";
            size_t add = piece ? strlen(piece) : 1;
            if (len + add >= n) {
                rc = -1; /* buf too small */
                break;
            }
            if (piece)
                memcpy(buf + len, piece, add);
            else
                buf[len] = *p;
            len += add;
        }
        buf[len] = '\0';
    }
    free(text);
    return rc == 0 ? CFG_OK : CFG_ERR;
}
