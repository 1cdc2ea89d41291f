/*
 * test_semantics.c: the engine profiles of the stream executor
 * (stream.semantics, model/semantics.h).
 *
 *  - rules_*: the rules struct of each profile and the explicit keys that
 *    win over it.
 *  - Each other test runs a small trace end to end (sim_run, source =
 *    trace) under each profile and compares the stream panes with the
 *    ones the engine itself would produce, derived in the comment above
 *    the test from the engine's rule (class and method named there), not
 *    from sluice's output.  Unless a test says otherwise: key 1, one
 *    worker, constant service 1e-9 s (an event is processed at its
 *    arrival, as far as %g's 6 digits show), bounded watermark with bound
 *    0 (W = the greatest event time read so far, raised after each read;
 *    an element is judged against the W it was read behind), allowed
 *    session windows with gap 10, lateness 0, discarding, emit = trigger
 *    (kafka_streams' own per-record emission is tested in test_profiles.c),
 *    no early panes, no checkpoints.  At the end
 *    of the input (the last arrival) W goes to +infinity and every
 *    window left fires ON_TIME, in order of end.  Trace rows are
 *    id,key,value,event_time,arrival_time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/config.h"
#include "model/semantics.h"
#include "run/sim.h"

#include "util.h"

/* ------------------------------------------------------------- harness */

static const char *const base_sets[] = {
    "run.executors=stream",
    "workload.source=trace",
    "stream.service=constant",
    "stream.service_mean=1e-9",
    "stream.parallelism=1",
    "stream.buffer=100",
    "stream.checkpoint_interval=0",
    "stream.watermark=bounded",
    "stream.watermark_bound=0",
    "stream.allowed_lateness=0",
    "stream.early_delay=0",
    "stream.accumulation=discarding",
    "stream.emit=trigger", /* the session rules' tests: ON_TIME panes in every profile */
    "window.type=session",
    "window.gap=10",
    NULL
};

static void set(config_t *c, const char *kv)
{
    char err[CFG_ERR_MAX];
    cr_assert_eq(config_set(c, kv, err, sizeof err), CFG_OK, "config_set %s: %s", kv, err);
}

/* Column `name` of CSV header line hdr (its index), -1 if absent. */
static int col(const char *hdr, const char *name)
{
    char h[2048];
    int i = 0;
    snprintf(h, sizeof h, "%s", hdr);
    for (char *t = strtok(h, ",\r\n"); t; t = strtok(NULL, ",\r\n"), i++)
        if (strcmp(t, name) == 0)
            return i;
    return -1;
}

/* Fields of CSV line (no quoting in sluice's files), in place. */
static int fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max; p++) {
        f[n++] = p;
        if (!(p = strchr(p, ',')))
            break;
        *p = 0;
    }
    return n;
}

typedef struct result {
    char panes[4096];   /* "key [start,end) #i TIMING @emit n=count s=sum\n" each */
    double dropped;     /* summary.csv dropped_late */
} result;

/* Runs rows (trace body) with base_sets, profile `sem` and the extra
 * sets (NULL-terminated, may be NULL) and reads the stream's panes. */
static void run(const char *rows, const char *sem, const char *const *sets, result *r)
{
    char dir[] = "/tmp/sluice_sem_XXXXXX", path[128], kv[256], line[2048], err[CFG_ERR_MAX];
    config_t c;
    sim_outcome o;
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/trace.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "id,key,value,event_time,arrival_time\n%s", rows);
    fclose(f);
    config_defaults(&c);
    for (size_t i = 0; base_sets[i]; i++)
        set(&c, base_sets[i]);
    snprintf(kv, sizeof kv, "workload.trace=%s", path);
    set(&c, kv);
    snprintf(kv, sizeof kv, "stream.semantics=%s", sem);
    set(&c, kv);
    for (size_t i = 0; sets && sets[i]; i++)
        set(&c, sets[i]);
    snprintf(path, sizeof path, "%s/out", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    cr_assert_eq(sim_run(&c, path, &o, err, sizeof err), SIM_OK, "run: %s", err);

    snprintf(path, sizeof path, "%s/out/panes.csv", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    const char *names[] = {"executor", "key", "window_start", "window_end", "pane",
                           "timing", "emit_time", "count", "sum"};
    int ci[9];
    for (int i = 0; i < 9; i++)
        cr_assert((ci[i] = col(line, names[i])) >= 0, "panes.csv: no %s", names[i]);
    r->panes[0] = 0;
    while (fgets(line, sizeof line, f)) {
        char *v[32], l[160];
        cr_assert(fields(line, v, 32) >= 9);
        if (strcmp(v[ci[0]], "stream") != 0)
            continue;
        snprintf(l, sizeof l, "%s [%g,%g) #%s %s @%g n=%s s=%s\n", v[ci[1]],
                 strtod(v[ci[2]], NULL), strtod(v[ci[3]], NULL), v[ci[4]], v[ci[5]],
                 strtod(v[ci[6]], NULL), v[ci[7]], v[ci[8]]);
        cr_assert_lt(strlen(r->panes) + strlen(l), sizeof r->panes);
        strcat(r->panes, l);
    }
    fclose(f);

    snprintf(path, sizeof path, "%s/out/summary.csv", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    int cd = col(line, "dropped_late");
    cr_assert(cd >= 0);
    r->dropped = -1;
    while (fgets(line, sizeof line, f)) {
        char *v[128];
        int n = fields(line, v, 128);
        if (n > cd && strcmp(v[0], "stream") == 0)
            r->dropped = strtod(v[cd], NULL);
    }
    fclose(f);
    cr_assert_geq(r->dropped, 0, "summary.csv: no stream row");
    util_rm_rf(dir);
}

/* Runs and compares the panes with want (the lines joined) and the
 * dropped count with dropped. */
static void expect(const char *rows, const char *sem, const char *const *sets, const char *want,
                   double dropped)
{
    result r;
    run(rows, sem, sets, &r);
    cr_assert_str_eq(r.panes, want, "%s: panes\n%s\nwant\n%s", sem, r.panes, want);
    cr_assert_eq(r.dropped, dropped, "%s: dropped_late %g, want %g", sem, r.dropped, dropped);
}

/* ---------------------------------------------------------------- rules */

Test(semantics, rules_of_each_profile)
{
    config_t c;
    config_defaults(&c);
    cr_assert_eq(c.stream.semantics, SEM_FLINK, "flink is the default profile");
    semantics_rules r = semantics_of(&c.stream);
    cr_assert(r.drop_after_merge && r.touching_merge, "flink");
    set(&c, "stream.semantics=beam");
    r = semantics_of(&c.stream);
    cr_assert(!r.drop_after_merge && !r.touching_merge, "beam");
    set(&c, "stream.semantics=kafka_streams");
    r = semantics_of(&c.stream);
    cr_assert(r.drop_after_merge && r.touching_merge, "kafka_streams");
    /* an explicit key wins over the profile */
    set(&c, "stream.session_drop=element");
    cr_assert(!semantics_of(&c.stream).drop_after_merge);
    set(&c, "stream.semantics=beam");
    set(&c, "stream.session_drop=merged");
    cr_assert(semantics_of(&c.stream).drop_after_merge);
}

Test(semantics, rules_sessions_meet)
{
    semantics_rules inc = {.touching_merge = 1}, exc = {.touching_merge = 0};
    window_t a = {0, 10}, touch = {10, 20}, over = {9.5, 19.5}, apart = {10.5, 20};
    cr_assert(semantics_sessions_meet(&inc, a, touch) && semantics_sessions_meet(&inc, touch, a));
    cr_assert(!semantics_sessions_meet(&exc, a, touch) && !semantics_sessions_meet(&exc, touch, a));
    cr_assert(semantics_sessions_meet(&inc, a, over) && semantics_sessions_meet(&exc, a, over));
    cr_assert(!semantics_sessions_meet(&inc, a, apart) && !semantics_sessions_meet(&exc, a, apart));
}

/* ------------------------------------------- a: late element, live session */

/* A late element inside a live session, gap 10:
 *   id1 v1 t=25 a=101  [25,35), W -> 25
 *   id2 v2 t=32 a=102  [32,42) overlaps: session [25,42), W -> 32
 *   id3 v4 t=20 a=103  read behind W = 32: its own window [20,30) is late
 *                    (30 + 0 <= 32) but overlaps the live [25,42).
 * flink: WindowOperator.processElement first merges the element's window
 *   (MergingWindowSet.addWindow) and drops only if isWindowLate(actualWindow)
 *   on the MERGED window [20,42): 42 > 32, so it is kept: at the end
 *   [20,42) ON_TIME @103 n=3 s=7, nothing dropped.
 * kafka_streams: KStreamSessionWindowAggregate.process merges the sessions
 *   findSessions returns, then skips only if mergedWindow.end() <
 *   windowCloseTime: the same, kept.
 * beam: LateDataDroppingDoFnRunner drops on the element's own window
 *   before ReduceFnRunner merges: dropped; [25,42) ON_TIME @103 n=2 s=3. */
static const char late_inside_rows[] = "1,1,1,25,101\n2,1,2,32,102\n3,1,4,20,103\n";

Test(semantics, late_element_inside_live_session)
{
    expect(late_inside_rows, "flink", NULL, "1 [20,42) #0 ON_TIME @103 n=3 s=7\n", 0);
    expect(late_inside_rows, "kafka_streams", NULL, "1 [20,42) #0 ON_TIME @103 n=3 s=7\n", 0);
    expect(late_inside_rows, "beam", NULL, "1 [25,42) #0 ON_TIME @103 n=2 s=3\n", 1);
}

/* The explicit key wins over the profile: flink with session_drop =
 * element drops as Beam does, beam with merged keeps as Flink does. */
Test(semantics, session_drop_key_wins)
{
    const char *elem[] = {"stream.session_drop=element", NULL};
    const char *merged[] = {"stream.session_drop=merged", NULL};
    expect(late_inside_rows, "flink", elem, "1 [25,42) #0 ON_TIME @103 n=2 s=3\n", 1);
    expect(late_inside_rows, "beam", merged, "1 [20,42) #0 ON_TIME @103 n=3 s=7\n", 0);
}

/* A late element whose own window meets no live session is dropped by
 * every engine (gap 10):
 *   id1 v1 t=0  a=101  [0,10), W -> 0
 *   id2 v2 t=30 a=102  [30,40), W -> 30: [0,10) fires ON_TIME @102 n=1 s=1
 *                    and is collected (clean-up 10 + 0 <= 30)
 *   id3 v4 t=5  a=103  [5,15): 15 <= 30, late; [0,10) is gone and [30,40)
 *                    is apart: flink (isWindowLate of the merged window,
 *                    here [5,15) itself), kafka_streams (mergedWindow.end()
 *                    < windowCloseTime) and beam (LateDataDroppingDoFnRunner)
 *                    all drop it.  End: [30,40) ON_TIME @103 n=1 s=2. */
Test(semantics, late_element_no_live_session_dropped_everywhere)
{
    const char *rows = "1,1,1,0,101\n2,1,2,30,102\n3,1,4,5,103\n";
    const char *want = "1 [0,10) #0 ON_TIME @102 n=1 s=1\n1 [30,40) #0 ON_TIME @103 n=1 s=2\n";
    expect(rows, "flink", NULL, want, 1);
    expect(rows, "kafka_streams", NULL, want, 1);
    expect(rows, "beam", NULL, want, 1);
}

/* A late element bridging two sessions (behind the watermark but within
 * the allowed lateness 100, so no profile drops it), gap 10:
 *   id1 v1 t=0  a=101  [0,10), W -> 0
 *   id2 v2 t=15 a=102  [15,25) (apart from [0,10) in every profile: 10 < 15),
 *                    W -> 15: [0,10) fires ON_TIME @102 n=1 s=1
 *   id3 v4 t=8  a=103  [8,18) overlaps both: one session [0,25) (Flink
 *                    TimeWindow.mergeWindows, Beam
 *                    MergeOverlappingIntervalWindows, Kafka Streams
 *                    findSessions), its panes continue [0,10)'s: ON_TIME
 *                    #1 at the end @103 with what no pane has counted yet,
 *                    n=2 s=6 (discarding). */
Test(semantics, late_element_bridging_two_sessions)
{
    const char *rows = "1,1,1,0,101\n2,1,2,15,102\n3,1,4,8,103\n";
    const char *sets[] = {"stream.allowed_lateness=100", NULL};
    const char *want = "1 [0,10) #0 ON_TIME @102 n=1 s=1\n1 [0,25) #1 ON_TIME @103 n=2 s=6\n";
    expect(rows, "flink", sets, want, 0);
    expect(rows, "kafka_streams", sets, want, 0);
    expect(rows, "beam", sets, want, 0);
}

/* ---------------------------------------------- b: touching sessions */

/* Sessions touching at exactly the gap, gap 10, bound 100 (W stays below
 * every end until the input ends at a=104):
 *   key 1: t=0 v1 a=101, t=10 v2 a=102: [0,10) and [10,20) touch.
 *   key 2: t=0 v4 a=103, t=9.5 v8 a=104: [0,10) and [9.5,19.5) overlap.
 * flink: TimeWindow.intersects is inclusive (start <= other.end && end >=
 *   other.start): key 1 is one session [0,20) n=2 s=3.
 * kafka_streams: findSessions(key, t - gap, t + gap) has inclusive bounds:
 *   the same.
 * beam: IntervalWindow.intersects is end-exclusive: key 1 keeps [0,10)
 *   n=1 s=1 and [10,20) n=1 s=2 apart.
 * Key 2 merges into [0,19.5) n=2 s=12 everywhere.  Panes fire at the end
 * (@104) in order of window end. */
static const char touch_rows[] = "1,1,1,0,101\n2,1,2,10,102\n3,2,4,0,103\n4,2,8,9.5,104\n";

Test(semantics, sessions_touching_at_the_gap)
{
    const char *sets[] = {"stream.watermark_bound=100", NULL};
    const char *merged = "2 [0,19.5) #0 ON_TIME @104 n=2 s=12\n1 [0,20) #0 ON_TIME @104 n=2 s=3\n";
    expect(touch_rows, "flink", sets, merged, 0);
    expect(touch_rows, "kafka_streams", sets, merged, 0);
    expect(touch_rows, "beam", sets,
           "1 [0,10) #0 ON_TIME @104 n=1 s=1\n2 [0,19.5) #0 ON_TIME @104 n=2 s=12\n"
           "1 [10,20) #0 ON_TIME @104 n=1 s=2\n",
           0);
}

/* ------------------------------------- c: periodic watermark emission */

/* Periodic emission (stream.watermark_interval), tumbling windows of 10:
 *   id1 v1 t=1  a=21.1
 *   id2 v2 t=12 a=22.1
 *   id3 v4 t=5  a=22.15
 *   id4 v8 t=13 a=23.1
 * interval 0.2 (Flink: pipeline.auto-watermark-interval 200 ms;
 *   BoundedOutOfOrdernessWatermarks.onEvent only records the max
 *   timestamp, onPeriodicEmit emits it at the ticks 0.2, 0.4, ...):
 *   W = 1 from the tick at 21.2; id2 (read at 22.1) raises the max to 12
 *   but W stays 1 until the tick at 22.2, so id3 (t=5, read at 22.15) is on
 *   time for [0,10); the tick at 22.2 emits 12: [0,10) ON_TIME @22.2 n=2
 *   s=5.  End of input @23.1: [10,20) ON_TIME n=2 s=10.
 * interval 0 (a watermark after every event read): W = 12 right after
 *   id2's read: [0,10) ON_TIME @22.1 n=1 s=1; id3 finds [0,10) expired
 *   (10 + 0 <= 12, Flink WindowOperator.isWindowLate): dropped.
 * Every profile's default is 0 (model/semantics.h says why); the
 * explicit key sets the interval in every profile. */
static const char periodic_rows[] = "1,1,1,1,21.1\n2,1,2,12,22.1\n3,1,4,5,22.15\n4,1,8,13,23.1\n";

Test(semantics, periodic_watermark_emission)
{
    const char *tumbling[] = {"window.type=tumbling", "window.size=10", NULL};
    const char *p02[] = {"window.type=tumbling", "window.size=10",
                         "stream.watermark_interval=0.2", NULL};
    const char *per_event = "1 [0,10) #0 ON_TIME @22.1 n=1 s=1\n1 [10,20) #0 ON_TIME @23.1 n=2 s=10\n";
    const char *periodic = "1 [0,10) #0 ON_TIME @22.2 n=2 s=5\n1 [10,20) #0 ON_TIME @23.1 n=2 s=10\n";
    expect(periodic_rows, "flink", tumbling, per_event, 1);
    expect(periodic_rows, "beam", tumbling, per_event, 1);
    expect(periodic_rows, "kafka_streams", tumbling, per_event, 1);
    expect(periodic_rows, "flink", p02, periodic, 0);
    expect(periodic_rows, "beam", p02, periodic, 0);
}

/* The profile default is the "not set" sentinel -1; other negative
 * values, and an interval > 0 with crashes (a replay would see other
 * watermarks), are refused. */
Test(semantics, watermark_interval_validation)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(c.stream.watermark_interval, -1);
    cr_assert_eq(semantics_of(&c.stream).watermark_interval, 0);
    set(&c, "stream.watermark_interval=-0.5");
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert(strstr(err, "watermark_interval") != NULL, "%s", err);
    set(&c, "stream.watermark_interval=0.2");
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(semantics_of(&c.stream).watermark_interval, 0.2);
    set(&c, "faults.crash_times=50");
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert(strstr(err, "crashes") != NULL, "%s", err);
}

/* --------------------- d: watermark convention, accumulation and emit */

Test(semantics, rules_convention_accumulation_emit)
{
    config_t c;
    config_defaults(&c);
    semantics_rules r = semantics_of(&c.stream);
    /* Flink: TimeWindow.maxTimestamp() = end - 1; timers fire when
     * timestamp <= watermark (InternalTimerServiceImpl.advanceWatermark);
     * EventTimeTrigger FIRE keeps the state: accumulating */
    cr_assert(r.epsilon == 0.001 && r.max_ts_before_end == 0.001 && !r.strict, "flink");
    cr_assert(r.accumulating && r.emit == EMIT_TRIGGER, "flink");
    set(&c, "stream.semantics=beam");
    r = semantics_of(&c.stream);
    /* Beam: IntervalWindow.maxTimestamp() = end - 1 ms, isAfter; the
     * default AccumulationMode is DISCARDING_FIRED_PANES */
    cr_assert(r.max_ts_before_end == 0.001 && r.strict && !r.accumulating, "beam");
    cr_assert_eq(r.emit, EMIT_TRIGGER);
    set(&c, "stream.semantics=kafka_streams");
    r = semantics_of(&c.stream);
    /* Kafka Streams: windowEnd against stream time, no maxTimestamp;
     * KTable updates: accumulating, one update per record */
    cr_assert(r.max_ts_before_end == 0 && !r.strict && r.accumulating, "kafka_streams");
    cr_assert_eq(r.emit, EMIT_PER_RECORD);
    /* explicit keys win */
    set(&c, "stream.accumulation=discarding");
    set(&c, "stream.emit=window_close");
    r = semantics_of(&c.stream);
    cr_assert(!r.accumulating && r.emit == EMIT_WINDOW_CLOSE);
    set(&c, "stream.semantics=beam");
    set(&c, "stream.accumulation=accumulating");
    cr_assert(semantics_of(&c.stream).accumulating);
}

/* semantics_passed: a generated watermark (a completeness bound) passes
 * a deadline t when t <= W in every profile; a scripted one is compared
 * as the engine compares its own watermark with maxTimestamp = end - 1 ms. */
Test(semantics, rules_passed_per_convention)
{
    config_t c;
    config_defaults(&c);
    for (int p = 0; p < SEMANTICS_NPROFILES; p++) {
        c.stream.semantics = p;
        c.stream.watermark = WM_BOUNDED;
        semantics_rules g = semantics_of(&c.stream);
        cr_assert(semantics_passed(&g, 10, 10) && !semantics_passed(&g, 10, 9.9999999),
                  "profile %d, generated", p);
    }
    c.stream.watermark = WM_SCRIPTED;
    c.stream.semantics = SEM_FLINK; /* W >= end - 1 ms */
    semantics_rules f = semantics_of(&c.stream);
    cr_assert(semantics_passed(&f, 10, 9.999) && !semantics_passed(&f, 10, 9.9989));
    c.stream.semantics = SEM_BEAM; /* W isAfter end - 1 ms */
    semantics_rules b = semantics_of(&c.stream);
    cr_assert(!semantics_passed(&b, 10, 9.999) && semantics_passed(&b, 10, 9.9995));
    c.stream.semantics = SEM_KAFKA_STREAMS; /* windowEnd <= stream time */
    semantics_rules k = semantics_of(&c.stream);
    cr_assert(semantics_passed(&k, 10, 10) && !semantics_passed(&k, 10, 9.9999));
}

/* Bounded watermark, bound 0 (W = the largest event time read: Kafka
 * Streams' stream time too), tumbling 10, allowed lateness 2:
 *   id1 v1  t=5      a=101  [0,10); W -> 5
 *   id2 v2  t=10     a=102  exactly at the end: [10,20) (windows are
 *                           [start, end): TimeWindow, IntervalWindow,
 *                           Kafka's TimeWindow); W -> 10: [0,10) fires
 *   id3 v4  t=11.999 a=103  [10,20); W -> 11.999 = end + lateness - 1 ms
 *   id4 v8  t=9      a=104  read behind W = 11.999: kept, a LATE pane
 *   id5 v16 t=12     a=105  [10,20); W -> 12 = end + lateness
 *   id6 v32 t=8      a=106  read behind W = 12: dropped
 * A generated watermark is a completeness bound C: on the engines' 1 ms
 * grid Flink's W = C - 1 ms >= end - 1 ms (BoundedOutOfOrdernessWatermarks,
 * TimeWindow.maxTimestamp), Beam's C isAfter end - 1 ms and Kafka's
 * windowEnd <= stream time all read C >= end; expiry (WindowOperator
 * .isWindowLate, LateDataUtils.dropExpiredWindows, KStreamWindowAggregate
 * .process: kept only while windowEnd > streamTime - grace) reads
 * C >= end + lateness.  So with emit = trigger and discarding every
 * profile gives the same panes:
 *   [0,10)  ON_TIME @102 n=1 s=1, LATE @104 n=1 s=8, dropped 1;
 *   [10,20) ON_TIME at the end of the input @106 n=3 s=22. */
static const char edge_rows[] = "1,1,1,5,101\n2,1,2,10,102\n3,1,4,11.999,103\n"
                                "4,1,8,9,104\n5,1,16,12,105\n6,1,32,8,106\n";
static const char *const edge_tumbling[] = {"window.type=tumbling", "window.size=10",
                                            "stream.allowed_lateness=2", NULL};

Test(semantics, generated_watermark_edges_alike_in_every_profile)
{
    const char *want = "1 [0,10) #0 ON_TIME @102 n=1 s=1\n1 [0,10) #1 LATE @104 n=1 s=8\n"
                       "1 [10,20) #0 ON_TIME @106 n=3 s=22\n";
    expect(edge_rows, "flink", edge_tumbling, want, 1);
    expect(edge_rows, "beam", edge_tumbling, want, 1);
    expect(edge_rows, "kafka_streams", edge_tumbling, want, 1);
}

/* The same trace with each profile's accumulation (stream.accumulation =
 * profile): Flink's EventTimeTrigger returns FIRE and keeps the window's
 * state, so its LATE pane holds the whole window (n=2 s=9); Beam's
 * WindowingStrategy defaults to DISCARDING_FIRED_PANES (n=1 s=8); an
 * explicit accumulation wins over the profile. */
Test(semantics, accumulation_default_per_profile)
{
    const char *prof[] = {"window.type=tumbling", "window.size=10", "stream.allowed_lateness=2",
                          "stream.accumulation=profile", NULL};
    const char *beam_acc[] = {"window.type=tumbling", "window.size=10",
                              "stream.allowed_lateness=2", "stream.accumulation=accumulating",
                              NULL};
    const char *acc = "1 [0,10) #0 ON_TIME @102 n=1 s=1\n1 [0,10) #1 LATE @104 n=2 s=9\n"
                      "1 [10,20) #0 ON_TIME @106 n=3 s=22\n";
    const char *disc = "1 [0,10) #0 ON_TIME @102 n=1 s=1\n1 [0,10) #1 LATE @104 n=1 s=8\n"
                       "1 [10,20) #0 ON_TIME @106 n=3 s=22\n";
    expect(edge_rows, "flink", prof, acc, 1);
    expect(edge_rows, "beam", prof, disc, 1);
    expect(edge_rows, "beam", beam_acc, acc, 1);
}

/* Kafka Streams' two emit policies on the same trace, accumulation =
 * profile (a KTable aggregate: accumulating).
 * per_record (the profile's emit; the KTable update stream with caching
 * off): KStreamWindowAggregate.process forwards the new aggregate of every
 * window a record updates (tupleForwarder.maybeForward), at once:
 *   @101 [0,10) n=1 s=1; @102 [10,20) n=1 s=2; @103 [10,20) n=2 s=6;
 *   @104 [0,10) n=2 s=9 (after stream time passed the end: LATE);
 *   @105 [10,20) n=3 s=22; id6 skipped (10 + 2 <= 12), no final pane.
 * window_close (suppress(Suppressed.untilWindowCloses(...))): the
 * KTableSuppressProcessor buffers the updates and emits one final result
 * once windowEnd + grace <= stream time: [0,10) when id5 raises stream time
 * to 12, @105 n=2 s=9; [10,20) when the input ends (sluice drains the
 * watermark) @106 n=3 s=22. */
Test(semantics, kafka_streams_emit_policies)
{
    const char *per_record[] = {"window.type=tumbling", "window.size=10",
                                "stream.allowed_lateness=2", "stream.accumulation=profile",
                                "stream.emit=profile", NULL};
    const char *close[] = {"window.type=tumbling", "window.size=10", "stream.allowed_lateness=2",
                           "stream.accumulation=profile", "stream.emit=window_close", NULL};
    expect(edge_rows, "kafka_streams", per_record,
           "1 [0,10) #0 EARLY @101 n=1 s=1\n1 [10,20) #0 EARLY @102 n=1 s=2\n"
           "1 [10,20) #1 EARLY @103 n=2 s=6\n1 [0,10) #1 LATE @104 n=2 s=9\n"
           "1 [10,20) #2 EARLY @105 n=3 s=22\n",
           1);
    expect(edge_rows, "kafka_streams", close,
           "1 [0,10) #0 ON_TIME @105 n=2 s=9\n1 [10,20) #0 ON_TIME @106 n=3 s=22\n", 1);
}

/* Writes a scripted watermark (time,watermark rows) to a new temporary
 * folder; *kv gets the stream.watermark_file key, dir the folder. */
static void write_script(const char *rows, char *dir, char *kv, size_t n)
{
    char path[128];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wm.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "time,watermark\n%s", rows);
    fclose(f);
    snprintf(kv, n, "stream.watermark_file=%s", path);
}

/* A scripted watermark is the engine's own value (Flink's emitted
 * Watermark, Beam's TestStream.advanceWatermarkTo, Kafka's stream time),
 * compared as the engine compares it.  Tumbling 10, lateness 2, script
 * @110 -> 9.999 (end - 1 ms), @120 -> 11.999 (end + lateness - 1 ms),
 * @130 -> 12 (end + lateness), @140 -> 13:
 *   id1 v1 t=5 a=101; id2 v2 t=6 a=115; id3 v4 t=7 a=125; id4 v8 t=8 a=135.
 * flink: @110 9.999 >= maxTimestamp 9.999 fires ON_TIME n=1 s=1
 *   (InternalTimerServiceImpl.advanceWatermark: timestamp <= watermark);
 *   id2 behind 9.999: EventTimeTrigger.onElement maxTimestamp <= W, LATE
 *   @115 n=1 s=2; @120 cleanupTime = 9.999 + 2 <= 11.999: collected; id3
 *   (isWindowLate) and id4 dropped: 2.
 * beam: @110 9.999 is not after maxTimestamp 9.999: no pane; @120 11.999
 *   isAfter 9.999: ON_TIME n=2 s=3; id3 behind 11.999: 9.999 + 2 is not
 *   before 11.999, kept: LATE @125 n=1 s=4; @130 11.999 isBefore 12:
 *   expired; id4 dropped: 1.
 * kafka_streams: @120 windowEnd 10 <= 11.999 fires; id3 kept (windowEnd 10
 *   > 11.999 - 2); @130 10 + 2 <= 12 closes; id4 dropped: 1, as beam. */
Test(semantics, scripted_watermark_at_end_minus_1ms)
{
    char dir[] = "/tmp/sluice_semwm_XXXXXX", kv[200];
    write_script("110,9.999\n120,11.999\n130,12\n140,13\n", dir, kv, sizeof kv);
    const char *rows = "1,1,1,5,101\n2,1,2,6,115\n3,1,4,7,125\n4,1,8,8,135\n";
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.allowed_lateness=2",
                          "stream.watermark=scripted", kv, NULL};
    expect(rows, "flink", sets,
           "1 [0,10) #0 ON_TIME @110 n=1 s=1\n1 [0,10) #1 LATE @115 n=1 s=2\n", 2);
    const char *later = "1 [0,10) #0 ON_TIME @120 n=2 s=3\n1 [0,10) #1 LATE @125 n=1 s=4\n";
    expect(rows, "beam", sets, later, 1);
    expect(rows, "kafka_streams", sets, later, 1);
    util_rm_rf(dir);
}

/* `sluice config --defaults` names each profile's rules and the engine's
 * classes (config_write_defaults, model/semantics.c's table). */
Test(semantics, defaults_show_profiles_table)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(config_write_defaults(f), CFG_OK);
    fclose(f);
    const char *must[] = {"isWindowLate", "LateDataUtils.dropExpiredWindows",
                          "KStreamWindowAggregate", "DISCARDING_FIRED_PANES",
                          "untilWindowCloses", "BoundedOutOfOrdernessWatermarks", NULL};
    for (size_t i = 0; must[i]; i++)
        cr_assert(strstr(buf, must[i]) != NULL, "--defaults lacks %s", must[i]);
    for (size_t i = 0; semantics_describe(i); i++)
        cr_assert_lt(i, 32);
    free(buf);
}
