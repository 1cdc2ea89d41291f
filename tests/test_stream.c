/*
 * test_stream.c: the stream executor (exec/stream/) and its watermark
 * policies (model/watermark.c).
 *
 *  - watermark_*: the policies on their own, with known answers.
 *  - hand_*: small traces run end to end through sim_run (source = trace);
 *    the panes each one must produce are derived by hand in the comment
 *    above it and compared exactly (key, window, index, timing, emit
 *    time, count, sum).  Unless a test says otherwise: one worker,
 *    constant service time 1e-9 s (so an event is processed at its
 *    arrival as far as the 6 digits of %g show; hand_zero_service_time
 *    uses 0),
 *    no checkpoints.  Trace rows are id,key,value,event_time,arrival_time.
 *  - queue_*: with window none and Poisson arrivals the executor is a
 *    plain queue; mean sojourn against M/M/1, M/D/1 and M/M/c (Erlang C).
 *  - backpressure_*: bounded buffers block the source (head of line).
 *  - invariants_*: many seeds, random settings: conservation, pane
 *    numbering, watermark/on-time order, determinism.
 *  - fault_*: crashes (restore from the last checkpoint, replay, duplicates
 *    under at-least-once, nothing lost under exactly-once), slowdowns,
 *    checkpoint failures (issue 7).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"
#include "lib/hist.h"
#include "run/sim.h"
#include "exec/stream.h"
#include "model/trigger.h"
#include "model/watermark.h"

#include "util.h"

/* ------------------------------------------------------------- harness */

#define MAXROWS 64

typedef struct run {
    char dir[64];
    int status;
    char err[CFG_ERR_MAX];
} run_t;

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
    rmdir(dir);
}

static void set(config_t *c, const char *kv)
{
    char err[CFG_ERR_MAX];
    cr_assert_eq(config_set(c, kv, err, sizeof err), CFG_OK, "config_set %s: %s", kv, err);
}

/* Settings shared by the hand traces. */
static const char *const hand_base[] = {
    "run.executors=stream",
    "workload.source=trace",
    "stream.service=constant",
    "stream.service_mean=1e-9", /* below %g's 6 digits */
    "stream.parallelism=1",
    "stream.buffer=100",
    "stream.checkpoint_interval=0",
    "stream.allowed_lateness=0",
    "stream.early_delay=0",
    "stream.accumulation=discarding",
    NULL
};

/* Runs config c (already set up) into a fresh temporary folder. */
static void run_cfg(config_t *c, run_t *r)
{
    strcpy(r->dir, "/tmp/sluice_stream_XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir));
    sim_outcome o;
    r->err[0] = 0;
    r->status = sim_run(c, r->dir, &o, r->err, sizeof r->err);
}

/* Writes `rows` as a trace (header added) and runs it with hand_base plus
 * the `sets` (NULL-terminated). */
static void run_trace(const char *rows, const char *const *sets, run_t *r)
{
    config_t c;
    char path[128], kv[256];
    char tdir[] = "/tmp/sluice_trace_XXXXXX";
    cr_assert_not_null(mkdtemp(tdir));
    snprintf(path, sizeof path, "%s/trace.csv", tdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "id,key,value,event_time,arrival_time\n%s", rows);
    fclose(f);
    config_defaults(&c);
    for (size_t i = 0; hand_base[i]; i++)
        set(&c, hand_base[i]);
    snprintf(kv, sizeof kv, "workload.trace=%s", path);
    set(&c, kv);
    for (size_t i = 0; sets && sets[i]; i++)
        set(&c, sets[i]);
    run_cfg(&c, r);
    remove(path);
    rmdir(tdir);
}

static int col_of(char *header, const char *name)
{
    int i = 0;
    for (char *tok = strtok(header, ",\n"); tok; tok = strtok(NULL, ",\n"), i++)
        if (strcmp(tok, name) == 0)
            return i;
    return -1;
}

/* Splits a CSV line (no quoting in sluice's files) into fields. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = 0;
    while (n < max) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = 0;
    }
    return n;
}

typedef struct pane_row {
    unsigned key, index;
    double start, end, emit;
    char timing[16];
    unsigned long long count;
    long long sum;
    int dup;
} pane_row;

/* Reads the stream rows of panes.csv (NULL when there is no file);
 * *n gets their number.  Caller frees. */
static pane_row *read_panes(const char *dir, size_t *n)
{
    char path[128], line[1024], hdr[1024];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    int ci[9];
    const char *names[9] = {"executor", "key", "window_start", "window_end", "pane",
                            "timing", "emit_time", "count", "sum"};
    for (int i = 0; i < 9; i++) {
        strcpy(hdr, line);
        ci[i] = col_of(hdr, names[i]);
        cr_assert(ci[i] >= 0, "panes.csv has no column %s", names[i]);
    }
    strcpy(hdr, line);
    int cdup = col_of(hdr, "duplicate");
    size_t cap = 1024, len = 0;
    pane_row *v = malloc(cap * sizeof *v);
    cr_assert_not_null(v);
    while (fgets(line, sizeof line, f)) {
        char *fl[32];
        int nf = split(line, fl, 32);
        cr_assert(nf >= 9);
        if (strcmp(fl[ci[0]], "stream") != 0)
            continue;
        if (len == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            cr_assert_not_null(v);
        }
        pane_row *p = &v[len++];
        p->key = (unsigned)strtoul(fl[ci[1]], NULL, 10);
        p->start = strtod(fl[ci[2]], NULL);
        p->end = strtod(fl[ci[3]], NULL);
        p->index = (unsigned)strtoul(fl[ci[4]], NULL, 10);
        snprintf(p->timing, sizeof p->timing, "%s", fl[ci[5]]);
        p->emit = strtod(fl[ci[6]], NULL);
        p->count = strtoull(fl[ci[7]], NULL, 10);
        p->sum = strtoll(fl[ci[8]], NULL, 10);
        p->dup = cdup >= 0 && cdup < nf && strcmp(fl[cdup], "1") == 0;
    }
    fclose(f);
    *n = len;
    return v;
}

/* A column of the stream row of summary.csv, as text into out. */
static void summary_field(const char *dir, const char *name, char *out, size_t outlen)
{
    char path[128], hdr[4096], line[4096];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(hdr, sizeof hdr, f));
    char h2[4096];
    strcpy(h2, hdr);
    int ci = col_of(h2, name);
    cr_assert(ci >= 0, "summary.csv has no column %s", name);
    while (fgets(line, sizeof line, f)) {
        char *fl[64];
        int nf = split(line, fl, 64);
        if (nf > ci && strcmp(fl[0], "stream") == 0) {
            snprintf(out, outlen, "%s", fl[ci]);
            fclose(f);
            return;
        }
    }
    fclose(f);
    cr_assert_fail("summary.csv has no stream row");
}

static double summary_num(const char *dir, const char *name)
{
    char v[128];
    summary_field(dir, name, v, sizeof v);
    return strtod(v, NULL);
}

/* Compares the panes with the expected lines "key [start,end) #index
 * TIMING @emit n=count s=sum" (%g numbers). */
static void expect_panes(const run_t *r, const char *const *want)
{
    size_t n, nw = 0;
    cr_assert_eq(r->status, SIM_OK, "run failed (%d): %s", r->status, r->err);
    pane_row *p = read_panes(r->dir, &n);
    while (want[nw])
        nw++;
    char got[MAXROWS * 96] = "";
    for (size_t i = 0; i < n && i < MAXROWS; i++) {
        char l[96];
        snprintf(l, sizeof l, "%u [%g,%g) #%u %s @%g n=%llu s=%lld%s\n", p[i].key, p[i].start,
                 p[i].end, p[i].index, p[i].timing, p[i].emit, p[i].count, p[i].sum,
                 p[i].dup ? " dup" : "");
        strcat(got, l);
    }
    for (size_t i = 0; i < nw && i < n; i++) {
        char l[96];
        snprintf(l, sizeof l, "%u [%g,%g) #%u %s @%g n=%llu s=%lld%s", p[i].key, p[i].start,
                 p[i].end, p[i].index, p[i].timing, p[i].emit, p[i].count, p[i].sum,
                 p[i].dup ? " dup" : "");
        cr_assert_str_eq(l, want[i], "pane %zu: got\n%s\nwant %s\nall panes:\n%s", i, l, want[i], got);
    }
    cr_assert_eq(n, nw, "%zu panes, want %zu; got:\n%s", n, nw, got);
    free(p);
}

static void done(run_t *r)
{
    rm_dir(r->dir);
}

/* --------------------------------------------------- watermark policies */

static watermark_t *watermark_new(const char *name, config_t *c)
{
    char err[512] = "";
    const watermark_type *t = watermark_lookup(name);
    cr_assert_not_null(t, "no policy %s", name);
    watermark_t *w = watermark_alloc(t, c, err, sizeof err);
    cr_assert_not_null(w, "%s: %s", name, err);
    return w;
}

static workload_event ev_at(double t, double a)
{
    workload_event e;
    memset(&e, 0, sizeof e);
    e.event_time = t;
    e.arrival_time = a;
    return e;
}

Test(stream, watermark_registry)
{
    /* every policy is reachable by its config word, and only those */
    cr_assert_eq(watermark_lookup("perfect"), &watermark_perfect);
    cr_assert_eq(watermark_lookup("bounded"), &watermark_bounded);
    cr_assert_eq(watermark_lookup("percentile"), &watermark_percentile);
    cr_assert_eq(watermark_lookup("scripted"), &watermark_scripted);
    cr_assert_null(watermark_lookup("magic"));
    for (int v = WM_PERFECT; v <= WM_SCRIPTED; v++)
        cr_assert_not_null(watermark_lookup(config_word("stream", "watermark", v)), "word %d", v);
}

Test(stream, watermark_bounded_known_answer)
{
    config_t c;
    config_defaults(&c);
    c.stream.watermark_bound = 2.5;
    watermark_t *w = watermark_new("bounded", &c);
    watermark_input in = {0, INFINITY};
    cr_assert(isinf(watermark_get(w, &in)) && watermark_get(w, &in) < 0, "no event yet: -inf");
    workload_event e = ev_at(10, 11);
    watermark_observe(w, &e);
    cr_assert_float_eq(watermark_get(w, &in), 7.5, 1e-12);
    e = ev_at(4, 12); /* out of order: the max stays */
    watermark_observe(w, &e);
    cr_assert_float_eq(watermark_get(w, &in), 7.5, 1e-12);
    e = ev_at(20, 13);
    watermark_observe(w, &e);
    cr_assert_float_eq(watermark_get(w, &in), 17.5, 1e-12);
    cr_assert(isinf(watermark_next_change(w, 5.0)));
    watermark_free(w);
}

Test(stream, watermark_perfect_is_the_oracle)
{
    config_t c;
    config_defaults(&c);
    watermark_t *w = watermark_new("perfect", &c);
    cr_assert(watermark_perfect.needs_oracle);
    watermark_input in = {3, 42.25};
    cr_assert_eq(watermark_get(w, &in), 42.25);
    watermark_free(w);
}

Test(stream, watermark_percentile_known_answer)
{
    /* Delays 0.00, 0.01, ..., 9.99 (1000 values, each once), then 24 more
     * of 0.00..0.23: the exact 0.9-quantile by nearest rank of the 1024 is
     * the ceil(921.6) = 922nd smallest.  0.00..0.23 fill ranks 1..48 (two
     * each), then j/100 for j >= 24 is at rank j + 25: rank 922 is 8.97. */
    config_t c;
    config_defaults(&c);
    c.stream.watermark_percentile = 0.9;
    watermark_t *w = watermark_new("percentile", &c);
    watermark_input in = {0, INFINITY};
    cr_assert(watermark_get(w, &in) == -INFINITY, "no observation: no watermark");
    for (int i = 0; i < 1024; i++) {
        double d = (i % 1000) / 100.0;
        workload_event e = ev_at(1000.0 + i - d, 1000.0 + i);
        watermark_observe(w, &e);
    }
    double got = watermark_get(w, &in);
    double dq = 2023.0 - got; /* last arrival 1000 + 1023 */
    cr_assert(fabs(dq - 8.97) <= 1e-9, "D_0.9 = %g, want 8.97", dq);
    watermark_free(w);
}

static const char *data_path(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "tests/data/stream/%s", name);
    return buf;
}

Test(stream, watermark_scripted_steps)
{
    /* tests/data/stream/watermark_steps.csv: header, then 3,5 / 8,10 / 20,30 */
    config_t c;
    config_defaults(&c);
    data_path("watermark_steps.csv", c.stream.watermark_file, sizeof c.stream.watermark_file);
    watermark_t *w = watermark_new("scripted", &c);
    watermark_input in = {0, INFINITY};
    cr_assert(watermark_get(w, &in) == -INFINITY);
    cr_assert_eq(watermark_next_change(w, 0), 3);
    in.now = 3;
    cr_assert_eq(watermark_get(w, &in), 5);
    cr_assert_eq(watermark_next_change(w, 3), 8);
    in.now = 7.99;
    cr_assert_eq(watermark_get(w, &in), 5);
    in.now = 8;
    cr_assert_eq(watermark_get(w, &in), 10);
    cr_assert_eq(watermark_next_change(w, 8), 20);
    in.now = 100;
    cr_assert_eq(watermark_get(w, &in), 30);
    cr_assert(isinf(watermark_next_change(w, 100)));
    watermark_free(w);
}

static void expect_script_error(const char *file, const char *want)
{
    config_t c;
    char err[1024] = "";
    config_defaults(&c);
    data_path(file, c.stream.watermark_file, sizeof c.stream.watermark_file);
    cr_assert_null(watermark_alloc(&watermark_scripted, &c, err, sizeof err), "%s accepted", file);
    cr_assert(strstr(err, want) != NULL, "%s: error \"%s\" does not contain \"%s\"", file, err, want);
}

Test(stream, watermark_scripted_errors_name_file_and_line)
{
    expect_script_error("watermark_bad_number.csv", "tests/data/stream/watermark_bad_number.csv:3:");
    expect_script_error("watermark_bad_order.csv", "tests/data/stream/watermark_bad_order.csv:4: time");
    expect_script_error("watermark_backwards.csv", "tests/data/stream/watermark_backwards.csv:3: watermark");
    expect_script_error("watermark_empty.csv", "no `time,watermark` rows");
    expect_script_error("does_not_exist.csv", "does_not_exist.csv: cannot open");
}

/* -------------------------------------------------------------- trigger */

Test(stream, trigger_early_processing_time)
{
    /* Beam's AfterWatermark.pastEndOfWindow().withEarlyFirings(
     * AfterProcessingTime.pastFirstElementInPane().plusDelayOf(d))
     * .withLateFirings(AfterPane.elementCountAtLeast(1)) */
    struct config_stream c;
    memset(&c, 0, sizeof c);
    const trigger_type *t = trigger_lookup("early_processing_time");
    cr_assert_eq(t, &trigger_early_processing_time);
    cr_assert_eq(trigger_default, t);
    cr_assert_null(trigger_lookup("never"));
    trigger_pane p = {1, 1, 0, 10, 0};
    double at = INFINITY;
    /* early_delay 0: no early firing at all */
    cr_assert_eq(t->on_element(&c, &p, 3, &at), TRIG_CONTINUE);
    cr_assert(isinf(at));
    c.early_delay = 2.5;
    cr_assert_eq(t->on_element(&c, &p, 3, &at), TRIG_CONTINUE);
    cr_assert_eq(at, 5.5, "first element of the pane at 3: timer at 3 + 2.5");
    at = INFINITY;
    p.timer_set = 1;
    p.count = 2;
    cr_assert_eq(t->on_element(&c, &p, 4, &at), TRIG_CONTINUE);
    cr_assert(isinf(at), "a pending timer is not moved");
    cr_assert_eq(t->on_timer(&c, &p, 5.5), TRIG_FIRE);
    p.count = 0;
    cr_assert_eq(t->on_timer(&c, &p, 5.5), TRIG_CONTINUE, "nothing to fire");
    p.count = 1;
    cr_assert_eq(t->on_late(&c, &p), TRIG_FIRE, "every late element fires");
    /* a session merge keeps the earlier timer, the merged window's own on a tie */
    cr_assert_eq(t->on_merge(&c, 7, 6), TRIG_MERGE_TAKE);
    cr_assert_eq(t->on_merge(&c, 6, 7), TRIG_MERGE_KEEP);
    cr_assert_eq(t->on_merge(&c, 6, 6), TRIG_MERGE_KEEP);
}

/* ------------------------------------------------------- hand traces */

/* Tumbling 10, bounded bound 2, allowed lateness 5, discarding.
 *   id1 k1 v1 t=1  a=1    W after read = -1          [0,10)
 *   id2 k1 v2 t=4  a=5    W = 2                      [0,10)
 *   id3 k1 v3 t=12 a=12   judged at W=2: on time [10,20); then W = 10:
 *                         [0,10) ON_TIME #0 @12 n=2 s=3
 *   id4 k1 v4 t=8  a=13   W=10 >= end 10, < 15: LATE #1 @13 n=1 s=4
 *   id5 k1 v5 t=17 a=17   [10,20); W = 15 = 10 + 5: [0,10) collected
 *   id6 k1 v6 t=3  a=18   [0,10): 10 + 5 <= W=15: expired, dropped
 *   id7 k2 v7 t=11 a=19   [10,20) of k2; input ends, W = +inf at 19:
 *                         k1 [10,20) ON_TIME @19 n=2 s=8, then k2's
 *                         (same end and start: by key) n=1 s=7 */
static const char tumbling_rows[] =
    "1,1,1,1,1\n2,1,2,4,5\n3,1,3,12,12\n4,1,4,8,13\n5,1,5,17,17\n6,1,6,3,18\n7,2,7,11,19\n";

Test(stream, hand_tumbling_bounded_late_discarding)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                          "stream.watermark_bound=2", "stream.allowed_lateness=5", NULL};
    const char *want[] = {
        "1 [0,10) #0 ON_TIME @12 n=2 s=3",
        "1 [0,10) #1 LATE @13 n=1 s=4",
        "1 [10,20) #0 ON_TIME @19 n=2 s=8",
        "2 [10,20) #0 ON_TIME @19 n=1 s=7",
        NULL};
    run_t r;
    run_trace(tumbling_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "events"), 7);
    cr_assert_eq(summary_num(r.dir, "dropped_late"), 1);
    cr_assert_eq(summary_num(r.dir, "counted"), 6);
    done(&r);
}

/* The same trace accumulating: the LATE pane carries the whole window
 * (3 events, 1+2+4). */
Test(stream, hand_tumbling_bounded_late_accumulating)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                          "stream.watermark_bound=2", "stream.allowed_lateness=5",
                          "stream.accumulation=accumulating", NULL};
    const char *want[] = {
        "1 [0,10) #0 ON_TIME @12 n=2 s=3",
        "1 [0,10) #1 LATE @13 n=3 s=7",
        "1 [10,20) #0 ON_TIME @19 n=2 s=8",
        "2 [10,20) #0 ON_TIME @19 n=1 s=7",
        NULL};
    run_t r;
    run_trace(tumbling_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Early firings, bounded bound 0, early_delay 2, discarding:
 *   id1 k1 v1 t=1  a=1   [0,10) first element of a pane: timer @3
 *   id2 k1 v2 t=2  a=2   same pane
 *   @3                   EARLY [0,10) #0 n=2 s=3
 *   id3 k1 v4 t=11 a=11  on time in [10,20) (W was 2), timer @13; then
 *                        W = 11: ON_TIME [0,10) #1 @11, EMPTY (n=0)
 *   @13                  EARLY [10,20) #0 n=1 s=4
 *   id4 k1 v8 t=12 a=14  on time [10,20), timer @16; input ends, W = +inf:
 *                        ON_TIME [10,20) #1 @14 n=1 s=8; timer cancelled */
static const char early_rows[] = "1,1,1,1,1\n2,1,2,2,2\n3,1,4,11,11\n4,1,8,12,14\n";

Test(stream, hand_early_empty_ontime_discarding)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                          "stream.watermark_bound=0", "stream.early_delay=2", NULL};
    const char *want[] = {
        "1 [0,10) #0 EARLY @3 n=2 s=3",
        "1 [0,10) #1 ON_TIME @11 n=0 s=0",
        "1 [10,20) #0 EARLY @13 n=1 s=4",
        "1 [10,20) #1 ON_TIME @14 n=1 s=8",
        NULL};
    run_t r;
    run_trace(early_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* The same accumulating: every pane carries the window so far. */
Test(stream, hand_early_accumulating)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                          "stream.watermark_bound=0", "stream.early_delay=2",
                          "stream.accumulation=accumulating", NULL};
    const char *want[] = {
        "1 [0,10) #0 EARLY @3 n=2 s=3",
        "1 [0,10) #1 ON_TIME @11 n=2 s=3",
        "1 [10,20) #0 EARLY @13 n=1 s=4",
        "1 [10,20) #1 ON_TIME @14 n=2 s=12",
        NULL};
    run_t r;
    run_trace(early_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Sliding size 10 slide 5, bounded bound 0, no lateness:
 *   id1 k1 v1  t=3  a=3   [-5,5) and [0,10); W = 3
 *   id2 k1 v2  t=7  a=7   [0,10), [5,15); W = 7: [-5,5) ON_TIME @7 n=1 s=1
 *   id3 k1 v4  t=4  a=8   [-5,5) expired (skipped), [0,10) on time: kept
 *   id4 k1 v8  t=2  a=9   likewise
 *   id5 k1 v16 t=10 a=10  [5,15), [10,20); W = 10:
 *                         [0,10) ON_TIME @10 n=4 s=1+2+4+8
 *   id6 k1 v32 t=4  a=11  both windows expired: dropped (counted once)
 *   end @11: [5,15) n=2 s=2+16, [10,20) n=1 s=16 */
Test(stream, hand_sliding)
{
    const char *rows = "1,1,1,3,3\n2,1,2,7,7\n3,1,4,4,8\n4,1,8,2,9\n5,1,16,10,10\n6,1,32,4,11\n";
    const char *sets[] = {"window.type=sliding", "window.size=10", "window.slide=5",
                          "stream.watermark=bounded", "stream.watermark_bound=0", NULL};
    const char *want[] = {
        "1 [-5,5) #0 ON_TIME @7 n=1 s=1",
        "1 [0,10) #0 ON_TIME @10 n=4 s=15",
        "1 [5,15) #0 ON_TIME @11 n=2 s=18",
        "1 [10,20) #0 ON_TIME @11 n=1 s=16",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "dropped_late"), 1);
    cr_assert_eq(summary_num(r.dir, "counted"), 5);
    done(&r);
}

/* Sessions gap 5, bounded bound 10, lateness 10, discarding:
 *   id1 k1 v1  t=1  a=1   [1,6)
 *   id2 k1 v2  t=10 a=10  [10,15)
 *   id3 k1 v4  t=6  a=11  [6,11) touches [1,6), overlaps [10,15): [1,15) n=3
 *   id4 k2 v8  t=2  a=12  k2 [2,7)
 *   id5 k1 v16 t=30 a=30  [30,35); W = 20: ON_TIME k2 [2,7) (end 7) then
 *                         k1 [1,15) n=3 s=7, both @30; [2,7) collected
 *                         (7 + 10 <= 20)
 *   id6 k1 v32 t=12 a=31  [12,17): 17 <= W=20 < 27: merges with [1,15)
 *                         into [1,17), already past W: LATE #1 @31 n=1
 *   id7 k2 v64 t=3  a=32  [3,8): 8 + 10 <= 20: dropped
 *   end @32: [30,35) ON_TIME n=1 s=16 */
static const char session_rows[] =
    "1,1,1,1,1\n2,1,2,10,10\n3,1,4,6,11\n4,2,8,2,12\n5,1,16,30,30\n6,1,32,12,31\n7,2,64,3,32\n";

/* final_count of a window in windows.csv (stream rows), -1 if absent. */
static double window_final(const char *dir, unsigned key, double start, double end)
{
    char path[128], hdr[2048], line[2048], h2[2048];
    snprintf(path, sizeof path, "%s/windows.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(hdr, sizeof hdr, f));
    int ci[4];
    const char *names[4] = {"key", "window_start", "window_end", "final_count"};
    for (int i = 0; i < 4; i++) {
        strcpy(h2, hdr);
        ci[i] = col_of(h2, names[i]);
        cr_assert(ci[i] >= 0, "windows.csv has no %s", names[i]);
    }
    double got = -1;
    while (fgets(line, sizeof line, f)) {
        char *fl[64];
        int nf = split(line, fl, 64);
        if (nf > ci[3] && strcmp(fl[0], "stream") == 0 && (unsigned)atoi(fl[ci[0]]) == key &&
            strtod(fl[ci[1]], NULL) == start && strtod(fl[ci[2]], NULL) == end)
            got = fl[ci[3]][0] ? strtod(fl[ci[3]], NULL) : 0;
    }
    fclose(f);
    return got;
}

Test(stream, hand_sessions_merge)
{
    const char *sets[] = {"window.type=session", "window.gap=5", "stream.watermark=bounded",
                          "stream.watermark_bound=10", "stream.allowed_lateness=10", NULL};
    const char *want[] = {
        "2 [2,7) #0 ON_TIME @30 n=1 s=8",
        "1 [1,15) #0 ON_TIME @30 n=3 s=7",
        "1 [1,17) #1 LATE @31 n=1 s=32",
        "1 [30,35) #0 ON_TIME @32 n=1 s=16",
        NULL};
    run_t r;
    run_trace(session_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "dropped_late"), 1);
    /* [1,15) merged into [1,17) after its ON_TIME pane: downstream the
     * final session [1,17) holds 3 + 1 (metrics_window_merged), the same
     * as the ground truth of the events kept; [1,15) is no final window. */
    cr_assert_eq(window_final(r.dir, 1, 1, 17), 4);
    cr_assert_eq(window_final(r.dir, 1, 1, 15), -1, "[1,15) is not a window of the result");
    done(&r);
}

Test(stream, hand_sessions_merge_accumulating)
{
    const char *sets[] = {"window.type=session", "window.gap=5", "stream.watermark=bounded",
                          "stream.watermark_bound=10", "stream.allowed_lateness=10",
                          "stream.accumulation=accumulating", NULL};
    const char *want[] = {
        "2 [2,7) #0 ON_TIME @30 n=1 s=8",
        "1 [1,15) #0 ON_TIME @30 n=3 s=7",
        "1 [1,17) #1 LATE @31 n=4 s=39",
        "1 [30,35) #0 ON_TIME @32 n=1 s=16",
        NULL};
    run_t r;
    run_trace(session_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Merging sessions merge their early timers: gap 5, bound 100 (nothing
 * fires before the end), early_delay 10, discarding:
 *   id1 k1 v1 t=1  a=1   [1,6), timer @11
 *   id2 k1 v2 t=10 a=10  [10,15), timer @20
 *   id3 k1 v4 t=6 a=10.5 [6,11) touches one, overlaps the other: [1,15) keeps the earliest
 *                        timer (@11); the @20 one is cancelled
 *   @11                  EARLY [1,15) #0 n=3 s=7
 *   id4 k1 v8 t=14 a=14  [14,19) merges: [1,19), pane index goes on (1),
 *                        new timer @24; end: W = +inf: ON_TIME #1 @14 n=1 */
Test(stream, hand_sessions_merge_timers)
{
    const char *rows = "1,1,1,1,1\n2,1,2,10,10\n3,1,4,6,10.5\n4,1,8,14,14\n";
    const char *sets[] = {"window.type=session", "window.gap=5", "stream.watermark=bounded",
                          "stream.watermark_bound=100", "stream.early_delay=10", NULL};
    const char *want[] = {
        "1 [1,15) #0 EARLY @11 n=3 s=7",
        "1 [1,19) #1 ON_TIME @14 n=1 s=8",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Perfect watermark waits for the out-of-order event; bounded 0 does not.
 *   id1 t=1 a=1, id2 t=12 a=12, id3 t=5 a=13, id4 t=15 a=15 (key 1, v 1,2,4,8)
 * perfect: W = smallest event time not yet read: 5 until id3 is read at
 *   13, then 15: [0,10) ON_TIME @13 n=2 s=5; end @15: [10,20) n=2 s=10.
 * bounded 0: W = 12 at 12: [0,10) ON_TIME @12 n=1 s=1; id3 dropped. */
static const char perfect_rows[] = "1,1,1,1,1\n2,1,2,12,12\n3,1,4,5,13\n4,1,8,15,15\n";

Test(stream, hand_perfect_watermark)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=perfect", NULL};
    const char *want[] = {
        "1 [0,10) #0 ON_TIME @13 n=2 s=5",
        "1 [10,20) #0 ON_TIME @15 n=2 s=10",
        NULL};
    run_t r;
    run_trace(perfect_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "dropped_late"), 0);
    done(&r);
}

Test(stream, hand_bounded_zero_drops)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                          "stream.watermark_bound=0", NULL};
    const char *want[] = {
        "1 [0,10) #0 ON_TIME @12 n=1 s=1",
        "1 [10,20) #0 ON_TIME @15 n=2 s=10",
        NULL};
    run_t r;
    run_trace(perfect_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "dropped_late"), 1);
    done(&r);
}

/* Scripted watermark (tests/data/stream/watermark_steps.csv: 3->5, 8->10,
 * 20->30), tumbling 10, lateness 2:
 *   id1 k1 v1 t=1  a=1
 *   id2 k1 v2 t=4  a=4    (W = 5 since @3, by the timer, without a read;
 *                         on time: the window ends at 10)
 *   @8: W = 10 with no event: [0,10) ON_TIME @8 n=2 s=3
 *   id3 k1 v4 t=9  a=9    10 <= W < 12: LATE #1 @9 n=1 s=4
 *   id4 k1 v8 t=10 a=10   [10,20); the input ends, but the script is
 *                         followed to its last step (Beam's TestStream):
 *   @20: W = 30: [10,20) ON_TIME @20 n=1 s=8; then the drain */
Test(stream, hand_scripted_watermark)
{
    const char *rows = "1,1,1,1,1\n2,1,2,4,4\n3,1,4,9,9\n4,1,8,10,10\n";
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=scripted",
                          "stream.watermark_file=tests/data/stream/watermark_steps.csv",
                          "stream.allowed_lateness=2", NULL};
    const char *want[] = {
        "1 [0,10) #0 ON_TIME @8 n=2 s=3",
        "1 [0,10) #1 LATE @9 n=1 s=4",
        "1 [10,20) #0 ON_TIME @20 n=1 s=8",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* A script with steps long after the last arrival, early firings 3 s
 * after a pane's first element (tumbling 10, discarding).
 * Script: 1->0, 30->10, 45->20, 60->25.
 *   id1 k1 v1 t=1  a=1    [0,10), early timer @4
 *   @4   EARLY [0,10) #0 n=1 s=1
 *   id2 k1 v2 t=12 a=12   [10,20), early timer @15
 *   @15  EARLY [10,20) #0 n=1 s=2
 *   id3 k1 v4 t=22 a=22   [20,30), early timer @25; the input ends here
 *   @25  EARLY [20,30) #0 n=1 s=4      (the timer still fires: W = 0)
 *   @30  W = 10: ON_TIME [0,10) #1 n=0 (empty: discarding)
 *   @45  W = 20: ON_TIME [10,20) #1 n=0
 *   @60  W = 25, the last step; then the drain (W = +inf) fires
 *        ON_TIME [20,30) #1 n=0 at 60.
 * Before issue 16 the drain came at the input's end (22): ON_TIME panes
 * @22 for all three windows and no early pane for [20,30). */
Test(stream, hand_scripted_followed_to_its_end)
{
    char dir[] = "/tmp/sluice_script_XXXXXX", path[128], kv[200];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wm.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("time,watermark\n1,0\n30,10\n45,20\n60,25\n", f);
    fclose(f);
    snprintf(kv, sizeof kv, "stream.watermark_file=%s", path);
    const char *rows = "1,1,1,1,1\n2,1,2,12,12\n3,1,4,22,22\n";
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=scripted",
                          kv, "stream.early_delay=3", NULL};
    const char *want[] = {
        "1 [0,10) #0 EARLY @4 n=1 s=1",
        "1 [10,20) #0 EARLY @15 n=1 s=2",
        "1 [20,30) #0 EARLY @25 n=1 s=4",
        "1 [0,10) #1 ON_TIME @30 n=0 s=0",
        "1 [10,20) #1 ON_TIME @45 n=0 s=0",
        "1 [20,30) #1 ON_TIME @60 n=0 s=0",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
    remove(path);
    rmdir(dir);
}

Test(stream, hand_scripted_bad_file_is_an_input_error)
{
    const char *sets[] = {"window.type=tumbling", "window.size=10", "stream.watermark=scripted",
                          "stream.watermark_file=tests/data/stream/watermark_bad_order.csv", NULL};
    run_t r;
    run_trace("1,1,1,1,1\n", sets, &r);
    cr_assert_eq(r.status, SIM_ERR);
    cr_assert(strstr(r.err, "watermark_bad_order.csv:4:") != NULL, "err: %s", r.err);
    done(&r);
}

/* Zero-cost processing (issue 16 item 4): service_mean = 0, window none,
 * one worker.  Every event is processed at its arrival, even two arriving
 * together: each ON_TIME pane [t,t] is emitted at exactly its arrival, so
 * the processing latency (arrival to emit) is 0; checkpoints that cost 0
 * (exactly_once, every 1 s) pause nothing.  With exponential and lognormal
 * service as well (mean 0: every draw is 0). */
Test(stream, hand_zero_service_time)
{
    static const char *const svc[] = {"stream.service=constant", "stream.service=exponential",
                                      "stream.service=lognormal"};
    const char *rows = "1,1,1,0.5,1\n2,2,2,1,2.25\n3,1,4,2,2.25\n4,3,8,3,7\n";
    for (int k = 0; k < 3; k++) {
        const char *sets[] = {"window.type=none", "stream.service_mean=0", svc[k],
                              "stream.checkpoint_interval=1", "stream.checkpoint_cost=0",
                              "stream.guarantee=at_least_once", NULL};
        const char *want[] = {
            "1 [0.5,0.5) #0 ON_TIME @1 n=1 s=1",
            "2 [1,1) #0 ON_TIME @2.25 n=1 s=2",
            "1 [2,2) #0 ON_TIME @2.25 n=1 s=4",
            "3 [3,3) #0 ON_TIME @7 n=1 s=8",
            NULL};
        char inv[64];
        run_t r;
        run_trace(rows, sets, &r);
        expect_panes(&r, want);
        cr_assert_eq(summary_num(r.dir, "proc_lat_mean"), 0, "%s", svc[k]);
        cr_assert_eq(summary_num(r.dir, "proc_lat_p99"), 0, "%s", svc[k]);
        summary_field(r.dir, "invariants", inv, sizeof inv);
        cr_assert_str_eq(inv, "ok", "%s", svc[k]);
        done(&r);
    }
}

/* Window none, service constant 1, one worker: a FIFO queue.
 *   arrivals 0, 0.5, 1, 5 -> service [0,1), [1,2), [2,3), [5,6):
 *   each event its own ON_TIME pane [t,t] at its service end. */
Test(stream, hand_per_record_queue)
{
    const char *rows = "1,1,1,0,0\n2,2,2,0.5,0.5\n3,1,4,1,1\n4,3,8,5,5\n";
    const char *sets[] = {"window.type=none", "stream.service_mean=1", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1",
        "2 [0.5,0.5) #0 ON_TIME @2 n=1 s=2",
        "1 [1,1) #0 ON_TIME @3 n=1 s=4",
        "3 [5,5) #0 ON_TIME @6 n=1 s=8",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    /* processing latency (from arrival): 1, 1.5, 2, 1 */
    cr_assert_float_eq(summary_num(r.dir, "proc_lat_mean"), 1.375, 1e-9);
    done(&r);
}

/* Checkpoints, one worker, window none, service 1, interval 5, cost 0.5:
 *   e1 a=0: served [0,1).  e2 a=4.5: served [4.5,5.5).
 *   tick @5: barrier behind e2 (read at 4.5); the worker reaches it at
 *   5.5, pauses [5.5,6.0): the checkpoint completes at 6.0.
 *   e3 a=5.8 waits for the pause: served [6,7).  Input over, drained at 7.
 * at_least_once: visible at service end: 1, 5.5, 7.
 * exactly_once: e1, e2 commit @6.0; e3 by the final checkpoint: pause
 *   [7,7.5), commit @7.5. */
static const char ck_rows[] = "1,1,1,0,0\n2,1,2,4.5,4.5\n3,1,4,5.8,5.8\n";

Test(stream, hand_checkpoint_at_least_once)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=at_least_once", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1",
        "1 [4.5,4.5) #0 ON_TIME @5.5 n=1 s=2",
        "1 [5.8,5.8) #0 ON_TIME @7 n=1 s=4",
        NULL};
    run_t r;
    run_trace(ck_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

Test(stream, hand_checkpoint_exactly_once)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=exactly_once", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @6 n=1 s=1",
        "1 [4.5,4.5) #0 ON_TIME @6 n=1 s=2",
        "1 [5.8,5.8) #0 ON_TIME @7.5 n=1 s=4",
        NULL};
    run_t r;
    run_trace(ck_rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Barrier alignment, 2 workers round robin, service 3, interval 2, cost
 * 0.5, exactly_once:
 *   e1 a=0 -> w0 [0,3); e2 a=1 -> w1 [1,4).
 *   tick @2: barrier behind e2.  w0 reaches it at 3, pauses [3,3.5), then
 *   waits (aligned); w1 reaches it at 4, pauses [4,4.5): complete @4.5,
 *   commit e1, e2.  e3 a=3.2 -> w0, blocked until 4.5: [4.5,7.5).
 *   tick @4 is skipped (checkpoint running); tick @6: barrier behind e3:
 *   w1 idle pauses [6,6.5); w0 reaches it at 7.5, pauses [7.5,8): commit
 *   e3 @8 (this checkpoint also serves as the final one). */
Test(stream, hand_checkpoint_alignment)
{
    const char *rows = "1,1,1,0,0\n2,2,2,1,1\n3,3,4,3.2,3.2\n";
    const char *sets[] = {"window.type=none", "stream.service_mean=3", "stream.parallelism=2",
                          "stream.routing=round_robin", "stream.checkpoint_interval=2",
                          "stream.checkpoint_cost=0.5", "stream.guarantee=exactly_once", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @4.5 n=1 s=1",
        "2 [1,1) #0 ON_TIME @4.5 n=1 s=2",
        "3 [3.2,3.2) #0 ON_TIME @8 n=1 s=4",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* ------------------------------------------------------------ queueing */

/* Generated Poisson arrivals, no network delay, window none: every pane
 * is one event and emit_time - window_start is its sojourn time (arrival
 * to service end).  Returns the batch-means estimate of the mean sojourn
 * and the half-width of its 99.9% confidence interval. */
#define QN_BATCH 20
static void queue_run(const char *const *sets, double rate, double n_events, uint64_t seed,
                      double *mean, double *half, double *summary_mean)
{
    config_t c;
    char kv[128];
    config_defaults(&c);
    const char *base[] = {"run.executors=stream", "workload.source=generate",
                          "workload.arrival=poisson", "workload.delay=none",
                          "workload.late_fraction=0", "workload.keys=16", "window.type=none",
                          "stream.checkpoint_interval=0", "stream.buffer=10",
                          "stream.parallelism=1", NULL};
    for (size_t i = 0; base[i]; i++)
        set(&c, base[i]);
    snprintf(kv, sizeof kv, "workload.rate=%.17g", rate);
    set(&c, kv);
    snprintf(kv, sizeof kv, "run.duration=%.17g", n_events / rate);
    set(&c, kv);
    snprintf(kv, sizeof kv, "run.seed=%llu", (unsigned long long)seed);
    set(&c, kv);
    for (size_t i = 0; sets[i]; i++)
        set(&c, sets[i]);
    run_t r;
    run_cfg(&c, &r);
    cr_assert_eq(r.status, SIM_OK, "seed %llu: %s", (unsigned long long)seed, r.err);
    size_t n;
    pane_row *p = read_panes(r.dir, &n);
    cr_assert(n > 1000);
    /* warm-up: the queue starts empty; drop the first 2% */
    size_t skip = n / 50, per = (n - skip) / QN_BATCH;
    double bm[QN_BATCH], grand = 0, all = 0;
    for (size_t i = 0; i < n; i++)
        all += p[i].emit - p[i].start;
    for (int b = 0; b < QN_BATCH; b++) {
        double s = 0;
        for (size_t i = 0; i < per; i++) {
            const pane_row *q = &p[skip + (size_t)b * per + i];
            s += q->emit - q->start;
        }
        bm[b] = s / (double)per;
        grand += bm[b];
    }
    grand /= QN_BATCH;
    double var = 0;
    for (int b = 0; b < QN_BATCH; b++)
        var += (bm[b] - grand) * (bm[b] - grand);
    var /= QN_BATCH - 1;
    /* t quantile, 19 degrees of freedom, two-sided 99.9%: 3.883 */
    *mean = grand;
    *half = 3.883 * sqrt(var / QN_BATCH);
    *summary_mean = summary_num(r.dir, "proc_lat_mean");
    /* metrics' exact mean is over all events (warm-up included) */
    cr_assert(fabs(*summary_mean - all / (double)n) <= 1e-4 * (all / (double)n),
              "summary proc_lat_mean %g, panes say %g", *summary_mean, all / (double)n);
    free(p);
    done(&r);
}

/* Each queue test: 200k events (under a second of simulation), 20 batch
 * means of ~10k events.  Batches are far longer than the queue's
 * relaxation time (tens of customers at these loads), so the batch means
 * are nearly independent and the t interval is valid.  The theory must
 * lie inside the 99.9% interval, and the interval must be narrow (< 4% of
 * the mean) so that the test can fail. */
static void check_queue(const char *what, double theory, double mean, double half)
{
    cr_log_info("%s: mean %.5f +- %.5f (99.9%%), theory %.5f", what, mean, half, theory);
    cr_assert(half < 0.04 * theory, "%s: CI half-width %g too wide", what, half);
    cr_assert(fabs(mean - theory) <= half, "%s: mean sojourn %g, theory %g, 99.9%% CI +-%g", what,
              mean, theory, half);
}

Test(stream, queue_mm1, .timeout = 120)
{
    /* M/M/1, lambda 0.5, mu 1: W = 1/(mu - lambda) = 2 */
    const char *sets[] = {"stream.service=exponential", "stream.service_mean=1", NULL};
    double m, h, sm;
    queue_run(sets, 0.5, 200000, 11, &m, &h, &sm);
    check_queue("M/M/1", 1.0 / (1.0 - 0.5), m, h);
}

Test(stream, queue_md1, .timeout = 120)
{
    /* M/D/1 (Pollaczek-Khinchine), lambda 0.5, mu 1, rho 0.5:
     * W = 1/mu + rho / (2 mu (1 - rho)) = 1.5 */
    const char *sets[] = {"stream.service=constant", "stream.service_mean=1", NULL};
    double m, h, sm, rho = 0.5;
    queue_run(sets, 0.5, 200000, 12, &m, &h, &sm);
    check_queue("M/D/1", 1.0 + rho / (2.0 * (1.0 - rho)), m, h);
}

Test(stream, queue_mg1_lognormal, .timeout = 120)
{
    /* M/G/1 with lognormal service, mean 1, sigma 0.5 (of the log):
     * E[S^2] = mean^2 exp(sigma^2); Pollaczek-Khinchine, lambda 0.5:
     * W = E[S] + lambda E[S^2] / (2 (1 - rho)) = 1 + 0.5 e^0.25 / 1 = 1.642.
     * Checks that service_mean is the mean (not the median) of the
     * lognormal. */
    const char *sets[] = {"stream.service=lognormal", "stream.service_mean=1",
                          "stream.service_sigma=0.5", NULL};
    double m, h, sm;
    queue_run(sets, 0.5, 200000, 14, &m, &h, &sm);
    check_queue("M/G/1 lognormal", 1.0 + 0.5 * exp(0.25) / (2.0 * (1.0 - 0.5)), m, h);
}

/* Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu. */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    } /* term = a^c / c! */
    double top = term * c / (c - a);
    return top / (sum + top);
}

Test(stream, queue_mmc_shared, .timeout = 120)
{
    /* M/M/2 with one shared queue (routing shared), lambda 1.2, mu 1:
     * W = C(2, 1.2) / (c mu - lambda) + 1/mu = 0.45/0.8 + 1 = 1.5625 */
    const char *sets[] = {"stream.service=exponential", "stream.service_mean=1",
                          "stream.parallelism=2", "stream.routing=shared", NULL};
    double m, h, sm;
    double theory = erlang_c(2, 1.2) / (2.0 - 1.2) + 1.0;
    cr_assert_float_eq(theory, 1.5625, 1e-12); /* the formula itself */
    queue_run(sets, 1.2, 200000, 13, &m, &h, &sm);
    check_queue("M/M/2", theory, m, h);
}

Test(stream, queue_keyed_workers_are_separate_queues, .timeout = 120)
{
    /* routing hash (keyBy) with 2 workers is not M/M/2: each worker is its
     * own M/M/1 fed by the keys hashed to it.  Uniform keys 0..15 (the
     * harness's workload.keys), lambda 1.2, mu 1: worker i gets
     * lambda_i = lambda * share_i, and the mean sojourn is
     * sum_i share_i / (mu - lambda_i) (queue_run's 16 keys), larger than
     * the shared queue's 1.5625 at the same load. */
    const char *sets[] = {"stream.service=exponential", "stream.service_mean=1",
                          "stream.parallelism=2", "stream.routing=hash", NULL};
    double share[2] = {0, 0}, theory = 0, lambda = 1.2, m, h, sm;
    for (uint32_t k = 0; k < 16; k++)
        share[stream_route(k, 2)] += 1.0 / 16;
    for (int i = 0; i < 2; i++) {
        cr_assert(lambda * share[i] < 1, "worker %d overloaded by the hash split", i);
        theory += share[i] / (1.0 - lambda * share[i]);
    }
    queue_run(sets, lambda, 400000, 15, &m, &h, &sm); /* one queue at rho 0.68 */
    cr_log_info("keyed split %.4f/%.4f", share[0], share[1]);
    cr_assert(theory > 1.5625 * 1.2, "theory %g not above M/M/2", theory);
    cr_log_info("keyed: mean %.5f +- %.5f (99.9%%), theory %.5f", m, h, theory);
    cr_assert(h < 0.05 * theory, "keyed: CI half-width %g too wide", h);
    cr_assert(fabs(m - theory) <= h, "keyed: mean %g, theory %g +- %g", m, theory, h);
}

/* -------------------------------------------------------- back-pressure */

/* Two workers, routing hash, keys H and C on different workers, service
 * constant 1, buffer B.  H arrives every 0.5 s from 0 to 40 (81 events,
 * twice what its worker can take); one C event arrives at 20.25, right
 * behind H #40 in the log.  H #j is served [j, j+1).  The source may read
 * H #j only while H's channel holds fewer than B events, i.e. once
 * j - B + 1 of them are done: at time j - B + 1.  C waits behind H #40
 * (head-of-line blocking), so it is read at 41 - B and done at 42 - B,
 * although its own worker is idle all along.  With unbounded buffers it
 * would be done at 21.25. */
static void backpressure_case(int B)
{
    uint32_t H = 0, C = 1;
    while (stream_route(C, 2) == stream_route(H, 2))
        C++;
    char rows[8192] = "";
    int id = 1;
    for (int j = 0; j <= 80; j++) {
        char l[96];
        snprintf(l, sizeof l, "%d,%u,1,%g,%g\n", id++, H, 0.5 * j, 0.5 * j);
        strcat(rows, l);
        if (j == 40) {
            snprintf(l, sizeof l, "%d,%u,1,20.25,20.25\n", id++, C);
            strcat(rows, l);
        }
    }
    char buf[64];
    snprintf(buf, sizeof buf, "stream.buffer=%d", B);
    const char *sets[] = {"window.type=none", "stream.service_mean=1", "stream.parallelism=2",
                          "stream.routing=hash", buf, NULL};
    run_t r;
    run_trace(rows, sets, &r);
    cr_assert_eq(r.status, SIM_OK, "%s", r.err);
    size_t n;
    pane_row *p = read_panes(r.dir, &n);
    cr_assert_eq(n, 82);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].key == C) {
            cr_assert_float_eq(p[i].emit, 42.0 - B, 1e-9, "B=%d: C done at %g, want %d", B,
                               p[i].emit, 42 - B);
            seen = 1;
        } else {
            /* H #j (event time 0.5 j) is done at j + 1 */
            cr_assert_float_eq(p[i].emit, 2.0 * p[i].start + 1.0, 1e-9);
        }
    }
    cr_assert(seen);
    free(p);
    done(&r);
}

Test(stream, backpressure_head_of_line_b5) { backpressure_case(5); }
Test(stream, backpressure_head_of_line_b10) { backpressure_case(10); }

/* Overload with a generated workload: rate 2, one worker of capacity 1
 * (constant service 1), buffer 10.  The backlog reported in timeline.csv
 * grows like (2 - 1) t while the executor holds at most 10 events: by
 * the end of arrivals (t = 500) about 500 are waiting, and they drain at
 * 1/s afterwards. */
Test(stream, backpressure_backlog_grows, .timeout = 60)
{
    config_t c;
    config_defaults(&c);
    const char *sets[] = {"run.executors=stream", "workload.source=generate",
                          "workload.arrival=constant", "workload.rate=2", "workload.delay=none",
                          "workload.late_fraction=0", "run.duration=500", "run.timeline_bucket=50",
                          "window.type=none", "stream.service=constant", "stream.service_mean=1",
                          "stream.parallelism=1", "stream.buffer=10",
                          "stream.checkpoint_interval=0", NULL};
    for (size_t i = 0; sets[i]; i++)
        set(&c, sets[i]);
    run_t r;
    run_cfg(&c, &r);
    cr_assert_eq(r.status, SIM_OK, "%s", r.err);
    char path[128], line[1024], hdr[1024];
    snprintf(path, sizeof path, "%s/timeline.csv", r.dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    strcpy(hdr, line);
    int ct = col_of(hdr, "time");
    strcpy(hdr, line);
    int cb = col_of(hdr, "backlog");
    strcpy(hdr, line);
    int ce = col_of(hdr, "executor");
    cr_assert(ct >= 0 && cb >= 0 && ce >= 0, "timeline columns: %s", line);
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char *fl[32];
        int nf = split(line, fl, 32);
        if (nf <= cb || strcmp(fl[ce], "stream") != 0)
            continue;
        double t = strtod(fl[ct], NULL), b = strtod(fl[cb], NULL);
        if (t > 0 && t <= 500) {
            /* arrived 2t, processed t - 1 or so: backlog t +- a few */
            cr_assert(fabs(b - t) <= 3, "t=%g backlog %g, want about %g", t, b, t);
            checked++;
        }
    }
    fclose(f);
    cr_assert(checked >= 5, "only %d timeline rows checked", checked);
    done(&r);
}

/* ----------------------------------------------------------- invariants */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

typedef struct winrec {
    unsigned key;
    double start, end;
    unsigned next_index, first_index;
    int ontime;
    unsigned long long last_count;
    double last_emit;
} winrec;

/* A random small configuration from seed; returns the window type. */
static int random_cfg(uint64_t seed, config_t *c, char *desc, size_t dn)
{
    uint64_t s = seed * 2654435761ULL + 1;
    static const char *const wins[] = {"tumbling", "sliding", "session"};
    static const char *const wms[] = {"bounded", "percentile", "perfect"};
    static const char *const routes[] = {"hash", "round_robin", "shared"};
    const char *win = wins[lcg(&s) % 3], *wm = wms[lcg(&s) % 3], *route = routes[lcg(&s) % 3];
    int P = 1 + (int)(lcg(&s) % 3);
    double early = (lcg(&s) % 2) ? 0.5 : 0;
    double late = (lcg(&s) % 2) ? 1.5 : 0;
    int acc = (int)(lcg(&s) % 2);
    double ck = (lcg(&s) % 2) ? 2.0 : 0;
    int eo = (int)(lcg(&s) % 2);
    /* faults in half of the runs: two crashes (sometimes close together),
     * a slowdown, a failed checkpoint */
    int faulty = (int)(lcg(&s) % 2);
    double c1 = 2.0 + (double)(lcg(&s) % 3500) / 100.0;
    double c2 = c1 + (double)(lcg(&s) % 600) / 100.0;
    if (faulty && strcmp(win, "session") == 0)
        route = "hash"; /* a key's events in read order (see exec/stream.h) */
    char kv[256];
    config_defaults(c);
    const char *base[] = {"run.executors=stream", "workload.source=generate",
                          "workload.arrival=poisson", "workload.rate=20", "workload.keys=5",
                          "workload.delay=exponential", "workload.delay_mean=0.5",
                          "workload.late_fraction=0.1", "workload.late_delay_mean=3",
                          "run.duration=40", "window.size=2", "window.slide=0.5",
                          "window.gap=0.7", "stream.watermark_bound=0.5",
                          "stream.watermark_percentile=0.9", "stream.service=exponential",
                          "stream.buffer=4", "stream.checkpoint_cost=0.05", NULL};
    for (size_t i = 0; base[i]; i++)
        set(c, base[i]);
    snprintf(kv, sizeof kv, "run.seed=%llu", (unsigned long long)seed);
    set(c, kv);
    snprintf(kv, sizeof kv, "window.type=%s", win);
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.watermark=%s", wm);
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.routing=%s", route);
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.parallelism=%d", P);
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.service_mean=%g", 0.035 * P); /* load 0.7 */
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.early_delay=%g", early);
    set(c, kv);
    snprintf(kv, sizeof kv, "stream.allowed_lateness=%g", late);
    set(c, kv);
    set(c, acc ? "stream.accumulation=accumulating" : "stream.accumulation=discarding");
    snprintf(kv, sizeof kv, "stream.checkpoint_interval=%g", ck);
    set(c, kv);
    set(c, eo ? "stream.guarantee=exactly_once" : "stream.guarantee=at_least_once");
    if (faulty) {
        snprintf(kv, sizeof kv, "faults.crash_times=%g,%g", c1, c2);
        set(c, kv);
        set(c, "faults.detection_delay=0.3");
        set(c, "stream.restart_delay=0.7");
        set(c, "faults.slowdown_times=5");
        set(c, "faults.slowdown_duration=3");
        set(c, "faults.slowdown_factor=3");
        set(c, "faults.checkpoint_failure_times=9");
    }
    snprintf(desc, dn, "seed %llu: %s %s %s P=%d early=%g late=%g %s ck=%g %s crashes=%s",
             (unsigned long long)seed, win, wm, route, P, early, late,
             acc ? "accumulating" : "discarding", ck, eo ? "exactly_once" : "at_least_once",
             faulty ? "yes" : "no");
    if (faulty)
        snprintf(desc + strlen(desc), dn - strlen(desc), " (%g,%g)", c1, c2);
    return c->window.type;
}

Test(stream, invariants_many_seeds, .timeout = 240)
{
    for (uint64_t seed = 1; seed <= 120; seed++) {
        config_t c;
        char desc[256];
        int wtype = random_cfg(seed, &c, desc, sizeof desc);
        int acc = c.stream.accumulation == ACC_ACCUMULATING;
        run_t r;
        run_cfg(&c, &r);
        cr_assert_eq(r.status, SIM_OK, "%s: status %d: %s", desc, r.status, r.err);
        char inv[128];
        summary_field(r.dir, "invariants", inv, sizeof inv);
        cr_assert_str_eq(inv, "ok", "%s: invariants %s", desc, inv);
        double events = summary_num(r.dir, "events"), counted = summary_num(r.dir, "counted"),
               dropped = summary_num(r.dir, "dropped_late");
        cr_assert(events > 500, "%s: %g events", desc, events);
        cr_assert_eq(counted + dropped, events, "%s: conservation", desc);
        double dups = summary_num(r.dir, "duplicates");
        if (c.stream.guarantee == GUAR_EXACTLY_ONCE)
            cr_assert_eq(dups, 0, "%s: duplicates under exactly-once", desc);

        /* At-least-once after a crash: replays re-emit panes (marked
         * duplicate) whose contents may be split differently; only the
         * order and the numbering of the new panes are checked then. */
        int relaxed = c.faults.crash_times.n > 0 && c.stream.guarantee == GUAR_AT_LEAST_ONCE;
        size_t n;
        pane_row *p = read_panes(r.dir, &n);
        winrec *w = calloc(n + 1, sizeof *w);
        size_t nw = 0;
        unsigned long long sum_delta = 0;
        double last_emit = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const pane_row *q = &p[i];
            cr_assert(q->emit >= last_emit, "%s: pane %zu emitted out of order", desc, i);
            last_emit = q->emit;
            if (q->dup) {
                cr_assert(relaxed, "%s: duplicate pane without an at-least-once crash", desc);
                continue;
            }
            size_t k;
            for (k = 0; k < nw; k++)
                if (w[k].key == q->key && w[k].start == q->start && w[k].end == q->end)
                    break;
            if (k == nw) {
                w[nw].key = q->key;
                w[nw].start = q->start;
                w[nw].end = q->end;
                w[nw].first_index = w[nw].next_index = q->index;
                /* only a merged session window may start above 0 */
                cr_assert(q->index == 0 || wtype == WIN_SESSION, "%s: first pane #%u", desc,
                          q->index);
                nw++;
            }
            winrec *x = &w[k];
            if (relaxed && wtype == WIN_SESSION && q->index > x->next_index)
                x->next_index = q->index; /* a replay merged in a higher index */
            cr_assert_eq(q->index, x->next_index, "%s: key %u [%g,%g): pane #%u after #%u", desc,
                         q->key, q->start, q->end, q->index, x->next_index);
            x->next_index++;
            if (relaxed)
                continue;
            if (strcmp(q->timing, "ON_TIME") == 0) {
                cr_assert(!x->ontime, "%s: two ON_TIME panes", desc);
                x->ontime = 1;
            } else if (strcmp(q->timing, "EARLY") == 0) {
                cr_assert(!x->ontime, "%s: EARLY after ON_TIME", desc);
                cr_assert(c.stream.early_delay > 0, "%s: EARLY pane without early_delay", desc);
            } else {
                cr_assert_str_eq(q->timing, "LATE", "%s", desc);
                cr_assert(c.stream.allowed_lateness > 0, "%s: LATE pane with no allowed lateness",
                          desc);
                cr_assert_gt(q->count, 0, "%s: empty LATE pane", desc);
            }
            if (acc && x->next_index > x->first_index + 1)
                cr_assert(q->count >= x->last_count, "%s: accumulating count went down", desc);
            x->last_count = q->count;
            sum_delta += q->count;
        }
        /* Every element is in exactly one delta (discarding) or in the
         * last pane of its window (accumulating, tumbling). */
        if (wtype != WIN_SLIDING && !acc && !relaxed)
            cr_assert_eq((double)sum_delta, counted, "%s: panes count %llu, counted %g", desc,
                         sum_delta, counted);
        if (wtype == WIN_TUMBLING && acc && !relaxed) {
            unsigned long long tot = 0;
            for (size_t k = 0; k < nw; k++)
                tot += w[k].last_count;
            cr_assert_eq((double)tot, counted, "%s: final panes count %llu, counted %g", desc,
                         tot, counted);
        }
        free(w);
        free(p);
        done(&r);
    }
}

Test(stream, deterministic_outputs)
{
    for (uint64_t seed = 101; seed <= 106; seed++) {
        config_t c;
        char desc[256];
        random_cfg(seed, &c, desc, sizeof desc);
        run_t a, b;
        run_cfg(&c, &a);
        run_cfg(&c, &b);
        cr_assert_eq(a.status, SIM_OK, "%s: %s", desc, a.err);
        const char *files[] = {"panes.csv", "summary.csv", "timeline.csv"};
        for (int i = 0; i < 3; i++) {
            size_t la, lb;
            char *x = util_slurp_in(a.dir, files[i], &la), *y = util_slurp_in(b.dir, files[i], &lb);
            cr_assert(la == lb && memcmp(x, y, la) == 0, "%s: %s differs", desc, files[i]);
            free(x);
            free(y);
        }
        done(&a);
        done(&b);
    }
}

/* Percentile watermark, q = 0.9, exponential delays (mean 1), tiny
 * tumbling windows (0.01 s) so that the slack to the window end hardly
 * matters, no lateness: an event is dropped only if its delay exceeds
 * D_q (see model/watermark.h), so about 10% are dropped.  20,000 events: binomial sd
 * 0.002; D_q within 1% moves the share by < 0.003; +-0.02 covers both
 * with a wide margin, while q = 0.8 or 0.95 would fall outside. */
Test(stream, percentile_share_on_time, .timeout = 60)
{
    config_t c;
    config_defaults(&c);
    const char *sets[] = {"run.executors=stream", "workload.source=generate",
                          "workload.arrival=poisson", "workload.rate=100", "workload.keys=4",
                          "workload.delay=exponential", "workload.delay_mean=1",
                          "workload.late_fraction=0", "run.duration=200", "run.seed=5",
                          "window.type=tumbling", "window.size=0.01",
                          "stream.watermark=percentile", "stream.watermark_percentile=0.9",
                          "stream.allowed_lateness=0", "stream.service=constant",
                          "stream.service_mean=1e-9", "stream.checkpoint_interval=0", NULL};
    for (size_t i = 0; sets[i]; i++)
        set(&c, sets[i]);
    run_t r;
    run_cfg(&c, &r);
    cr_assert_eq(r.status, SIM_OK, "%s", r.err);
    double share = summary_num(r.dir, "dropped_late") / summary_num(r.dir, "events");
    cr_assert(fabs(share - 0.1) <= 0.02, "dropped share %g, want 0.1 +- 0.02", share);
    done(&r);
}

/* --------------------------------------------------------------- faults */

/* A column of faults.csv for the stream row of fault `id`, as a number. */
static double fault_num(const char *dir, unsigned id, const char *name)
{
    char path[128], hdr[2048], line[2048], h2[2048];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(hdr, sizeof hdr, f));
    strcpy(h2, hdr);
    int ci = col_of(h2, name);
    strcpy(h2, hdr);
    int cid = col_of(h2, "fault_id");
    cr_assert(ci >= 0 && cid >= 0, "faults.csv columns: %s", hdr);
    while (fgets(line, sizeof line, f)) {
        char *fl[64];
        int nf = split(line, fl, 64);
        if (nf > ci && strcmp(fl[0], "stream") == 0 && (unsigned)atoi(fl[cid]) == id) {
            fclose(f);
            return fl[ci][0] ? strtod(fl[ci], NULL) : NAN;
        }
    }
    fclose(f);
    cr_assert_fail("faults.csv has no stream row for fault %u", id);
    return NAN;
}

/* One worker, window none, service 1, checkpoints every 5 s costing 0.5,
 * detection 1 s + restart 2 s (no state to restore: 3 s down).  Events
 * at 0, 1, ..., 9 (event time = arrival).
 *   e0..e4 served [i, i+1).  At 5: e5 arrives (an arrival goes first), the
 *   tick puts the barrier behind e5 (offset 6), e4 ends, e5 is served
 *   [5,6); the worker reaches the barrier at 6, pauses [6,6.5): checkpoint
 *   (offset 6) complete at 6.5.  e6 [6.5,7.5), e7 [7.5,8.5), e8 from 8.5.
 *   Crash at 9: e8 is lost mid-service; wasted work = e6 + e7 + half of e8
 *   = 2.5 s.  Restored at 12 from offset 6: e6 [12,13), e7 [13,14), e8
 *   [14,15), e9 [15,16).  (The tick at 10 is skipped: down.  The tick at
 *   15 puts a barrier behind e9: pause [16,16.5).)
 * at_least_once: e6 and e7 were visible before the crash: their replays
 *   are duplicates (2 = the panes emitted between checkpoint and crash).
 * exactly_once: e0..e5 commit at 6.5; e6, e7 were staged and discarded;
 *   the replay commits at 16.5. */
static const char crash_rows[] =
    "1,1,1,0,0\n2,1,1,1,1\n3,1,1,2,2\n4,1,1,3,3\n5,1,1,4,4\n"
    "6,1,1,5,5\n7,1,1,6,6\n8,1,1,7,7\n9,1,1,8,8\n10,1,1,9,9\n";

Test(stream, fault_crash_at_least_once_duplicates)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=at_least_once", "stream.restart_delay=2",
                          "faults.detection_delay=1", "faults.crash_times=9", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1",     "1 [1,1) #0 ON_TIME @2 n=1 s=1",
        "1 [2,2) #0 ON_TIME @3 n=1 s=1",     "1 [3,3) #0 ON_TIME @4 n=1 s=1",
        "1 [4,4) #0 ON_TIME @5 n=1 s=1",     "1 [5,5) #0 ON_TIME @6 n=1 s=1",
        "1 [6,6) #0 ON_TIME @7.5 n=1 s=1",   "1 [7,7) #0 ON_TIME @8.5 n=1 s=1",
        "1 [6,6) #0 ON_TIME @13 n=1 s=1 dup", "1 [7,7) #0 ON_TIME @14 n=1 s=1 dup",
        "1 [8,8) #0 ON_TIME @15 n=1 s=1",    "1 [9,9) #0 ON_TIME @16 n=1 s=1",
        NULL};
    run_t r;
    run_trace(crash_rows, sets, &r);
    expect_panes(&r, want);
    char inv[128];
    summary_field(r.dir, "invariants", inv, sizeof inv);
    cr_assert_str_eq(inv, "ok");
    cr_assert_eq(summary_num(r.dir, "duplicates"), 2);
    cr_assert_eq(summary_num(r.dir, "counted"), 10);
    cr_assert_float_eq(fault_num(r.dir, 0, "detected"), 10, 1e-9);
    cr_assert_float_eq(fault_num(r.dir, 0, "resumed"), 12, 1e-9);
    cr_assert_float_eq(fault_num(r.dir, 0, "downtime"), 3, 1e-9);
    cr_assert_eq(fault_num(r.dir, 0, "reprocessed"), 2);
    cr_assert_eq(fault_num(r.dir, 0, "duplicates"), 2);
    cr_assert_float_eq(fault_num(r.dir, 0, "cpu_wasted"), 2.5, 1e-9);
    done(&r);
}

Test(stream, fault_crash_exactly_once_no_duplicates)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=exactly_once", "stream.restart_delay=2",
                          "faults.detection_delay=1", "faults.crash_times=9", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @6.5 n=1 s=1",  "1 [1,1) #0 ON_TIME @6.5 n=1 s=1",
        "1 [2,2) #0 ON_TIME @6.5 n=1 s=1",  "1 [3,3) #0 ON_TIME @6.5 n=1 s=1",
        "1 [4,4) #0 ON_TIME @6.5 n=1 s=1",  "1 [5,5) #0 ON_TIME @6.5 n=1 s=1",
        "1 [6,6) #0 ON_TIME @16.5 n=1 s=1", "1 [7,7) #0 ON_TIME @16.5 n=1 s=1",
        "1 [8,8) #0 ON_TIME @16.5 n=1 s=1", "1 [9,9) #0 ON_TIME @16.5 n=1 s=1",
        NULL};
    run_t r;
    run_trace(crash_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "duplicates"), 0);
    cr_assert_eq(fault_num(r.dir, 0, "reprocessed"), 2);
    done(&r);
}

/* Slowdown x2 during [2, 5), service 1, events at 0..5: e0 [0,1), e1
 * [1,2), e2 starts at 2: [2,4), e3 starts at 4 (< 5): [4,6), e4 [6,7),
 * e5 [7,8). */
Test(stream, fault_slowdown)
{
    const char *rows = "1,1,1,0,0\n2,1,1,1,1\n3,1,1,2,2\n4,1,1,3,3\n5,1,1,4,4\n6,1,1,5,5\n";
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "faults.slowdown_times=2", "faults.slowdown_factor=2",
                          "faults.slowdown_duration=3", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1", "1 [1,1) #0 ON_TIME @2 n=1 s=1",
        "1 [2,2) #0 ON_TIME @4 n=1 s=1", "1 [3,3) #0 ON_TIME @6 n=1 s=1",
        "1 [4,4) #0 ON_TIME @7 n=1 s=1", "1 [5,5) #0 ON_TIME @8 n=1 s=1",
        NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* Checkpoint failure at 2, exactly once, interval 5, cost 0.5: e0 (a=0)
 * served [0,1); the checkpoint at 5 (pause [5,5.5)) is declined, so e0
 * is not committed; e1 (a=7) served [7,8); drained at 8: the final
 * checkpoint [8,8.5) commits both.  Without the failure e0 would be
 * visible at 5.5. */
Test(stream, fault_checkpoint_failure_delays_commit)
{
    const char *rows = "1,1,1,0,0\n2,1,2,7,7\n";
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=exactly_once", "faults.checkpoint_failure_times=2",
                          NULL};
    const char *want[] = {"1 [0,0) #0 ON_TIME @8.5 n=1 s=1", "1 [7,7) #0 ON_TIME @8.5 n=1 s=2",
                          NULL};
    run_t r;
    run_trace(rows, sets, &r);
    expect_panes(&r, want);
    done(&r);
}

/* A crash after every event of the hand traces (and during the
 * checkpoint pauses, the restores and the replays that follow), one run
 * per crash time, both guarantees, one and two workers: every invariant
 * holds, including "exactly_once_equals_fault_free" and
 * "at_least_once_contains_fault_free", which sim checks against a run of
 * the same trace without faults. */
static void crash_sweep(const char *rows, const char *const *win, double t_end)
{
    static const char *const guar[] = {"stream.guarantee=exactly_once",
                                       "stream.guarantee=at_least_once"};
    for (int g = 0; g < 2; g++)
        for (int P = 1; P <= 2; P++)
            for (double t = 0.25; t < t_end; t += 0.5) {
                char ct[64], pp[64];
                snprintf(ct, sizeof ct, "faults.crash_times=%g", t);
                snprintf(pp, sizeof pp, "stream.parallelism=%d", P);
                const char *sets[16];
                size_t n = 0;
                for (size_t i = 0; win[i]; i++)
                    sets[n++] = win[i];
                sets[n++] = guar[g];
                sets[n++] = pp;
                sets[n++] = ct;
                sets[n++] = "stream.service_mean=0.3";
                sets[n++] = "stream.checkpoint_interval=2";
                sets[n++] = "stream.checkpoint_cost=0.2";
                sets[n++] = "stream.restart_delay=1";
                sets[n++] = "faults.detection_delay=0.5";
                sets[n] = NULL;
                run_t r;
                run_trace(rows, sets, &r);
                cr_assert_eq(r.status, SIM_OK, "%s %s crash at %g: %s", guar[g], pp, t, r.err);
                char inv[128];
                summary_field(r.dir, "invariants", inv, sizeof inv);
                cr_assert_str_eq(inv, "ok", "%s %s crash at %g", guar[g], pp, t);
                cr_assert_eq(summary_num(r.dir, "lost"), 0);
                if (g == 0)
                    cr_assert_eq(summary_num(r.dir, "duplicates"), 0);
                done(&r);
            }
}

Test(stream, fault_crash_everywhere_tumbling, .timeout = 120)
{
    const char *win[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                         "stream.watermark_bound=2", "stream.allowed_lateness=5", NULL};
    crash_sweep(tumbling_rows, win, 21);
}

Test(stream, fault_crash_everywhere_tumbling_early, .timeout = 120)
{
    /* early timers are part of the checkpointed state */
    const char *win[] = {"window.type=tumbling", "window.size=10", "stream.watermark=bounded",
                         "stream.watermark_bound=2", "stream.allowed_lateness=5",
                         "stream.early_delay=1", NULL};
    crash_sweep(tumbling_rows, win, 21);
}

/* Sessions with early firings: which pre-merge windows fire early depends
 * on processing time, which a crash shifts; metrics_window_merged keeps
 * the final sessions' results equal anyway. */
Test(stream, fault_crash_everywhere_sessions, .timeout = 120)
{
    const char *win[] = {"window.type=session", "window.gap=5", "stream.watermark=bounded",
                         "stream.watermark_bound=10", "stream.allowed_lateness=10",
                         "stream.early_delay=1", NULL};
    crash_sweep(session_rows, win, 34);
}

/* The trace of fault_crash_*, at-least-once, crash at 6.2: inside the
 * checkpoint's pause [6,6.5), so that checkpoint is lost too and the
 * restore goes back to the start (offset 0).  e0..e5 were visible at
 * 1..6; wasted work 6 s.  Down [6.2,9.2); e7..e9 arrive meanwhile.
 * Replay: e0..e5 served [9.2,10.2) ... [14.2,15.2), all duplicates, then
 * e6..e9 up to 19.2.  Caught up when the replay has read past the crash
 * point (7 events) and the backlog is back to 1 (e6 was waiting at the
 * crash): after e8, at 18.2. */
Test(stream, fault_crash_during_checkpoint)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=at_least_once", "stream.restart_delay=2",
                          "faults.detection_delay=1", "faults.crash_times=6.2", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1",        "1 [1,1) #0 ON_TIME @2 n=1 s=1",
        "1 [2,2) #0 ON_TIME @3 n=1 s=1",        "1 [3,3) #0 ON_TIME @4 n=1 s=1",
        "1 [4,4) #0 ON_TIME @5 n=1 s=1",        "1 [5,5) #0 ON_TIME @6 n=1 s=1",
        "1 [0,0) #0 ON_TIME @10.2 n=1 s=1 dup", "1 [1,1) #0 ON_TIME @11.2 n=1 s=1 dup",
        "1 [2,2) #0 ON_TIME @12.2 n=1 s=1 dup", "1 [3,3) #0 ON_TIME @13.2 n=1 s=1 dup",
        "1 [4,4) #0 ON_TIME @14.2 n=1 s=1 dup", "1 [5,5) #0 ON_TIME @15.2 n=1 s=1 dup",
        "1 [6,6) #0 ON_TIME @16.2 n=1 s=1",     "1 [7,7) #0 ON_TIME @17.2 n=1 s=1",
        "1 [8,8) #0 ON_TIME @18.2 n=1 s=1",     "1 [9,9) #0 ON_TIME @19.2 n=1 s=1",
        NULL};
    run_t r;
    run_trace(crash_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert_eq(summary_num(r.dir, "duplicates"), 6);
    cr_assert_float_eq(fault_num(r.dir, 0, "resumed"), 9.2, 1e-9);
    cr_assert_float_eq(fault_num(r.dir, 0, "cpu_wasted"), 6, 1e-9);
    cr_assert_eq(fault_num(r.dir, 0, "reprocessed"), 6);
    cr_assert_float_eq(fault_num(r.dir, 0, "caught_up"), 18.2, 1e-9);
    done(&r);
}

/* Two crashes in a row, at-least-once: at 9 (as in
 * fault_crash_at_least_once_duplicates) and at 10.5, while still down:
 * the downtime starts again (resumed 13.5), the first recovery never
 * caught up (empty caught_up), nothing more is wasted.  Replay from
 * offset 6: e6 [13.5,14.5) and e7 [14.5,15.5) duplicates, e8, e9 new. */
Test(stream, fault_two_crashes_in_a_row)
{
    const char *sets[] = {"window.type=none", "stream.service_mean=1",
                          "stream.checkpoint_interval=5", "stream.checkpoint_cost=0.5",
                          "stream.guarantee=at_least_once", "stream.restart_delay=2",
                          "faults.detection_delay=1", "faults.crash_times=9,10.5", NULL};
    const char *want[] = {
        "1 [0,0) #0 ON_TIME @1 n=1 s=1",       "1 [1,1) #0 ON_TIME @2 n=1 s=1",
        "1 [2,2) #0 ON_TIME @3 n=1 s=1",       "1 [3,3) #0 ON_TIME @4 n=1 s=1",
        "1 [4,4) #0 ON_TIME @5 n=1 s=1",       "1 [5,5) #0 ON_TIME @6 n=1 s=1",
        "1 [6,6) #0 ON_TIME @7.5 n=1 s=1",     "1 [7,7) #0 ON_TIME @8.5 n=1 s=1",
        "1 [6,6) #0 ON_TIME @14.5 n=1 s=1 dup", "1 [7,7) #0 ON_TIME @15.5 n=1 s=1 dup",
        "1 [8,8) #0 ON_TIME @16.5 n=1 s=1",    "1 [9,9) #0 ON_TIME @17.5 n=1 s=1",
        NULL};
    run_t r;
    run_trace(crash_rows, sets, &r);
    expect_panes(&r, want);
    cr_assert(isnan(fault_num(r.dir, 0, "caught_up")));
    cr_assert_float_eq(fault_num(r.dir, 1, "resumed"), 13.5, 1e-9);
    cr_assert_float_eq(fault_num(r.dir, 1, "cpu_wasted"), 0, 1e-12);
    cr_assert_eq(fault_num(r.dir, 1, "duplicates"), 2);
    cr_assert_eq(summary_num(r.dir, "duplicates"), 2);
    done(&r);
}

/* Exactly-once holds output back until the checkpoint that covers it
 * commits: each event waits for the next checkpoint to complete, on
 * average about half an interval plus the pause, never more than an
 * interval plus the pause plus the alignment.  Poisson 50/s, service 2
 * ms, checkpoints every 2 s costing 0.1 s, window none: the mean
 * visibility latency under exactly-once exceeds at-least-once's by
 * between 0.3 and 2.1 s (theory ~ 1.1 s), and the maximum by < 2.2 s. */
Test(stream, exactly_once_adds_up_to_one_interval, .timeout = 60)
{
    double mean[2], mx[2];
    for (int g = 0; g < 2; g++) {
        config_t c;
        config_defaults(&c);
        const char *sets[] = {"run.executors=stream", "workload.source=generate",
                              "workload.arrival=poisson", "workload.rate=50",
                              "workload.delay=none", "workload.late_fraction=0",
                              "run.duration=200", "run.seed=9", "window.type=none",
                              "stream.service=exponential", "stream.service_mean=0.002",
                              "stream.checkpoint_interval=2", "stream.checkpoint_cost=0.1",
                              g ? "stream.guarantee=exactly_once"
                                : "stream.guarantee=at_least_once",
                              NULL};
        for (size_t i = 0; sets[i]; i++)
            set(&c, sets[i]);
        run_t r;
        run_cfg(&c, &r);
        cr_assert_eq(r.status, SIM_OK, "%s", r.err);
        mean[g] = summary_num(r.dir, "lat_mean");
        mx[g] = summary_num(r.dir, "lat_max");
        done(&r);
    }
    double d = mean[1] - mean[0];
    cr_assert(d > 0.3 && d < 2.1, "exactly-once adds %g s on average", d);
    cr_assert(mx[1] < mx[0] + 2.2, "max latency %g vs %g", mx[1], mx[0]);
}
