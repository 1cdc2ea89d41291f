/*
 * test_stream_horizon.c: the stream executor's horizon (exec_type.horizon)
 * checked against every pane and merge it emits, and its own memory.
 *
 * How: this file defines exec_stream as a wrapper of the stream job's
 * functions (exec/stream/stream.h); the test binary links this
 * exec_stream instead of libsluice's (exec/stream/exec_stream.c, alone in
 * its archive member, is not pulled), for every test in it; outside a
 * check (hz.on == 0) the wrapper only forwards, so the other tests run
 * the same code.  During a check it sets the job's probe (the sink's
 * seam, exec/stream/sink.h): the checker sees every pane and merge just
 * before it reaches metrics, and the executor is asked for its horizon
 * after every arrival, fault, timer of its own (service ends, checkpoint
 * pauses, early firings, restores, watermark steps) and the end of the
 * input (sim asks only now and then), and the checker
 * fails a pane or merge of a window ending before the highest value
 * promised so far by that executor instance.  It also records the peak
 * size of the executor's own structures (stream_job_sizes).
 *
 *  - promise_*: many random stream configurations (every window type,
 *    watermark, routing, guarantee, with crashes, MTBF, failed
 *    checkpoints, outages, slowdowns): no pane behind the promise, the
 *    value never decreases and is +infinity once the run has ended.
 *  - asking_changes_nothing: asking after every event (which prunes the
 *    sink and trims the log as a side effect) leaves the outputs
 *    byte-identical.
 *  - advances_*: the horizon is not stuck: it follows the watermark.
 *  - memory_flat_*: peak window state, heap, log, sink, staged output and
 *    snapshot stay flat when run.duration grows 10x.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/exec.h"
#include "measure/metrics.h"
#include "engine/rng.h"
#include "run/sim.h"

#include "exec/stream/stream.h"
#include "util.h"

/* ------------------------------------------------------------- checker */

typedef stream_sizes hz_peak;

typedef struct hz_inst {
    void *s;               /* the job */
    sim_t *sim;            /* its run */
    double last;           /* the value returned last */
    double promised;       /* highest value so far */
    double at_input_end;   /* value right after on_input_end */
    double final;          /* value asked in finish */
    int decreased;
    uint64_t asks, own, panes, merges, behind;
    char first[256];       /* the first pane behind the promise */
    hz_peak peak;
} hz_inst;

/* Test-process state (Criterion runs each test in its own process). */
static struct {
    int on;
    int quiet;             /* with on: record peaks, but do not ask */
    int n;
    hz_inst inst[4];
} hz;

static hz_inst *hz_find_s(const void *s)
{
    for (int i = 0; i < hz.n; i++)
        if (hz.inst[i].s == s)
            return &hz.inst[i];
    return NULL;
}

static void peak(size_t *p, size_t v)
{
    if (v > *p)
        *p = v;
}

static void hz_observe(hz_inst *x)
{
    stream_sizes z;
    stream_job_sizes(x->s, &z);
    peak(&x->peak.win, z.win);
    peak(&x->peak.heap, z.heap);
    peak(&x->peak.log, z.log);
    peak(&x->peak.sink, z.sink);
    peak(&x->peak.stg, z.stg);
    peak(&x->peak.vn, z.vn);
    peak(&x->peak.snap, z.snap);
}

static double hz_ask(void *self)
{
    hz_inst *x = hz_find_s(self);
    double h;
    if (x && hz.quiet) {
        hz_observe(x);
        return -INFINITY;
    }
    h = stream_job_horizon(self);
    if (!x)
        return h;
    x->asks++;
    if (h < x->last)
        x->decreased = 1;
    x->last = h;
    /* (The value includes the floor of the truth horizon; asking for the
     * exact one would switch on the workload's oracle heap.) */
    if (h < sim_pending_event_time_floor(x->sim))
        x->own++; /* the executor's own bound is the binding one */
    if (h > x->promised)
        x->promised = h;
    hz_observe(x);
    return h;
}

static void hz_pane(void *ctx, const pane_t *p)
{
    hz_inst *x = ctx;
    if (!x->s)
        return;
    x->panes++;
    if (p->end < x->promised && x->behind++ == 0)
        snprintf(x->first, sizeof x->first,
                 "pane key %u [%.9g, %.9g) index %u timing %d dup %d at %.9g behind %.9g",
                 (unsigned)p->key, p->start, p->end, (unsigned)p->index, p->timing,
                 p->duplicate, sim_now(x->sim), x->promised);
}

static void hz_merge(void *ctx, uint32_t key, window_t old, window_t into)
{
    hz_inst *x = ctx;
    if (!x->s)
        return;
    x->merges++;
    if ((old.end < x->promised || into.end < x->promised) && x->behind++ == 0)
        snprintf(x->first, sizeof x->first,
                 "merge key %u [%.9g, %.9g) -> [%.9g, %.9g) at %.9g behind %.9g",
                 (unsigned)key, old.start, old.end, into.start, into.end, sim_now(x->sim),
                 x->promised);
}

/* After each timer of the job has run (its service ends, checkpoint
 * pauses, early firings, restores, watermark steps, sink prunings). */
static void hz_after_timer(void *ctx, void *job)
{
    (void)ctx;
    if (hz.on)
        hz_ask(job);
}

/* ------------------------------------------------------------- wrapper */

static void *w_create(sim_t *sim, exec_t *e, char *err, size_t errlen)
{
    void *self = stream_job_create(sim, e, err, errlen);
    if (self && hz.on && hz.n < 4) {
        hz_inst *x = &hz.inst[hz.n++];
        memset(x, 0, sizeof *x);
        x->s = self;
        x->sim = sim;
        x->promised = x->last = -INFINITY;
        x->at_input_end = x->final = NAN;
        stream_job_set_probe(self, &(stream_probe){{x, hz_pane, hz_merge}, hz_after_timer});
    }
    return self;
}

static void w_destroy(void *self)
{
    hz_inst *x = hz_find_s(self);
    if (x) {
        x->s = NULL; /* the pointers may be reused by a later run */
        x->sim = NULL;
    }
    stream_job_destroy(self);
}

static void w_on_arrival(void *self, const workload_event *ev)
{
    stream_job_on_arrival(self, ev);
    if (hz.on)
        hz_ask(self);
}

static void w_on_input_end(void *self)
{
    stream_job_on_input_end(self);
    if (hz.on) {
        hz_inst *x = hz_find_s(self);
        double h = hz_ask(self);
        if (x)
            x->at_input_end = h;
    }
}

static void w_on_fault(void *self, const fault_t *f)
{
    stream_job_on_fault(self, f);
    if (hz.on)
        hz_ask(self);
}

static void w_finish(void *self)
{
    stream_job_finish(self);
    if (hz.on) {
        hz_inst *x = hz_find_s(self);
        double h = hz_ask(self);
        if (x)
            x->final = h;
    }
}

static double w_horizon(void *self)
{
    return hz.on && !hz.quiet ? hz_ask(self) : stream_job_horizon(self);
}

const exec_type exec_stream = {
    "stream", w_create, w_destroy, w_on_arrival, w_on_input_end, w_on_fault,
    stream_job_backlog, stream_job_watermark, w_finish, w_horizon, "stream", stream_job_facts,
};

/* -------------------------------------------------------------- configs */

static void set(config_t *c, const char *kv)
{
    char err[CFG_ERR_MAX];
    cr_assert_eq(config_set(c, kv, err, sizeof err), CFG_OK, "config_set %s: %s", kv, err);
}

typedef struct choice {
    const char *key;
    const char *values[5];
} choice;

static const choice choices[] = {
    {"window.type", {"none", "tumbling", "sliding", "session"}},
    {"window.size", {"1", "5", "10"}},
    {"window.slide", {"1", "2", "5"}},
    {"window.gap", {"0.5", "2", "10"}},
    {"workload.arrival", {"poisson", "constant", "mmpp"}},
    {"workload.delay", {"none", "exponential", "pareto"}},
    {"workload.keys", {"1", "3", "50"}},
    {"workload.late_fraction", {"0", "0.05", "0.3"}},
    {"workload.sources", {"1", "3"}},
    {"workload.source_skew", {"0", "2"}},
    {"stream.watermark", {"perfect", "bounded", "percentile"}},
    {"stream.watermark_bound", {"0", "1", "10"}},
    {"stream.allowed_lateness", {"0", "5", "100"}},
    {"stream.accumulation", {"discarding", "accumulating"}},
    {"stream.early_delay", {"0", "1", "7"}},
    {"stream.service_mean", {"0.001", "0.05", "0.3"}},
    {"stream.parallelism", {"1", "2", "4"}},
    {"stream.routing", {"hash", "round_robin", "shared"}},
    {"stream.buffer", {"1", "5", "1000"}},
    {"stream.checkpoint_interval", {"0", "3", "20"}},
    {"stream.guarantee", {"exactly_once", "at_least_once"}},
    {"faults.crash_times", {"", "10", "5,25,26", "2,3,50"}},
    {"faults.mtbf", {"0", "15"}},
    {"faults.slowdown_times", {"", "8"}},
    {"faults.outage_times", {"", "12"}},
    {"faults.checkpoint_failure_times", {"", "6", "4,10"}},
};

static size_t nvalues(const choice *c)
{
    size_t n = 0;
    while (n < 5 && c->values[n])
        n++;
    return n;
}

/* Config i of a fixed random sequence (r), stream only; its --set list in
 * sets.  Returns 0 when the validator refuses it. */
static int random_cfg(gsl_rng *r, config_t *c, char *sets, size_t sn)
{
    char err[2048], a[256];
    config_defaults(c);
    cr_assert_eq(config_load(c, "tests/data/cli/small.ini", err, sizeof err), CFG_OK, "%s", err);
    set(c, "run.executors=stream");
    c->run.seed = 1 + gsl_rng_uniform_int(r, 1000000);
    c->run.duration = gsl_rng_uniform(r) < 0.5 ? 20 : 60;
    c->workload.rate = gsl_rng_uniform(r) < 0.5 ? 5 : 40;
    snprintf(sets, sn, "--seed %llu --set run.duration=%g --set workload.rate=%g",
             (unsigned long long)c->run.seed, c->run.duration, c->workload.rate);
    for (size_t k = 0; k < sizeof choices / sizeof choices[0]; k++) {
        if (gsl_rng_uniform(r) >= 0.5)
            continue;
        const choice *ch = &choices[k];
        snprintf(a, sizeof a, "%s=%s", ch->key, ch->values[gsl_rng_uniform_int(r, nvalues(ch))]);
        size_t len = strlen(sets);
        snprintf(sets + len, sn - len, " --set %s", a);
        cr_assert_eq(config_set(c, a, err, sizeof err), CFG_OK, "%s: %s", a, err);
    }
    return config_validate(c, err, sizeof err) == CFG_OK;
}

static void hz_reset(void)
{
    memset(&hz, 0, sizeof hz);
    hz.on = 1;
}

/* Runs c with the checker on, sim folding as often as it can (so it
 * asks too, every few events, timers included); checks every instance's
 * promise. */
static void check_run(const config_t *c, const char *what, const char *out_dir)
{
    char err[2048];
    sim_outcome o;
    sim_options opt = {0};
    opt.fold_min = 1;
    hz_reset();
    int st = sim_run_opts(c, out_dir, &opt, &o, err, sizeof err);
    cr_assert_neq(st, SIM_ERR, "%s: %s", what, err);
    for (int i = 0; i < o.nexec; i++)
        cr_assert(!strstr(o.invariants[i], "window_horizon"), "%s: %s: %s", what,
                  o.invariants[i], err);
    cr_assert_gt(hz.n, 0, "%s: no stream executor was created", what);
    for (int i = 0; i < hz.n; i++) {
        const hz_inst *x = &hz.inst[i];
        cr_assert_eq(x->behind, 0, "%s (run %d): %llu panes/merges behind the horizon; first: %s",
                     what, i, (unsigned long long)x->behind, x->first);
        cr_assert(!x->decreased, "%s (run %d): the horizon decreased", what, i);
        cr_assert(x->final == INFINITY, "%s (run %d): horizon %g after the run, not +inf", what,
                  i, x->final);
    }
}

Test(stream_horizon, promise_random_configs, .timeout = 600)
{
    gsl_rng *r = rng_stream_alloc(20261125, RNG_STRESS + 1);
    cr_assert(r);
    int ran = 0;
    uint64_t panes = 0, merges = 0, asks = 0, own = 0;
    for (int i = 0; i < 2000; i++) {
        config_t c;
        char sets[4096], what[4200];
        if (!random_cfg(r, &c, sets, sizeof sets))
            continue;
        snprintf(what, sizeof what, "config %d (%s)", i, sets);
        check_run(&c, what, NULL);
        for (int k = 0; k < hz.n; k++) {
            panes += hz.inst[k].panes;
            merges += hz.inst[k].merges;
            asks += hz.inst[k].asks;
            own += hz.inst[k].own;
        }
        ran++;
    }
    gsl_rng_free(r);
    cr_expect_gt(ran, 1600, "only %d of 2000 combinations were valid", ran);
    /* the check has something to check */
    cr_expect_gt(panes, 500000, "panes %llu", (unsigned long long)panes);
    cr_expect_gt(merges, 10000, "merges %llu", (unsigned long long)merges);
    cr_expect_gt(asks, 1000000, "asks %llu", (unsigned long long)asks);
    /* and the executor's own bound, not the truth horizon, is the one
     * that binds in a good share of the asks */
    cr_expect_gt(own, asks / 4, "own bound binds in %llu of %llu asks", (unsigned long long)own,
                 (unsigned long long)asks);
    if (getenv("HZ_STATS"))
        fprintf(stderr, "ran %d panes %llu merges %llu asks %llu own %llu\n", ran,
                (unsigned long long)panes, (unsigned long long)merges, (unsigned long long)asks,
                (unsigned long long)own);
}

/* The fault variants of the stress config, many seeds each. */
Test(stream_horizon, promise_stress_variants, .timeout = 600)
{
    static const char *const variants[][6] = {
        {NULL},
        {"stream.guarantee=at_least_once", NULL},
        {"window.type=session", "window.gap=2", NULL},
        {"window.type=session", "window.gap=2", "stream.guarantee=at_least_once", NULL},
        {"window.type=sliding", "window.slide=2", "stream.parallelism=3",
         "stream.routing=round_robin", NULL},
        {"window.type=none", NULL},
        {"window.type=none", "stream.guarantee=at_least_once", NULL},
        {"stream.watermark=percentile", "stream.parallelism=3", "stream.routing=shared", NULL},
        {"stream.watermark=perfect", "stream.early_delay=1", NULL},
        {"stream.checkpoint_interval=0", NULL},
        {"stream.checkpoint_interval=0", "stream.guarantee=at_least_once", NULL},
        {"stream.checkpoint_interval=0", "window.type=none", "stream.guarantee=at_least_once",
         NULL},
        {"stream.allowed_lateness=0", "stream.accumulation=accumulating", NULL},
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (unsigned seed = 1; seed <= 100; seed++) {
            config_t c;
            char err[2048], what[512], kv[128];
            config_defaults(&c);
            cr_assert_eq(config_load(&c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK,
                         "%s", err);
            set(&c, "run.executors=stream");
            snprintf(what, sizeof what, "stress variant %zu seed %u", v, seed);
            c.run.seed = seed;
            /* crashes at random times, a failed checkpoint, an outage */
            snprintf(kv, sizeof kv, "faults.crash_times=%u,%u", 3 + seed % 40, 20 + seed % 37);
            set(&c, kv);
            set(&c, seed % 2 ? "faults.mtbf=12" : "faults.mtbf=0");
            set(&c, "faults.checkpoint_failure_times=11");
            if (seed % 3 == 0)
                set(&c, "faults.outage_times=30");
            for (size_t k = 0; variants[v][k]; k++)
                set(&c, variants[v][k]);
            check_run(&c, what, NULL);
        }
}

/* ---------------------------------------------------------------- side */

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

/* Asking after every event prunes the sink and trims the log as a side
 * effect (stream_horizon): the outputs must not change. */
Test(stream_horizon, asking_changes_nothing, .timeout = 120)
{
    static const char *const variants[][5] = {
        {"stream.guarantee=at_least_once", "stream.checkpoint_interval=0", NULL},
        {"stream.guarantee=at_least_once", "window.type=session", "window.gap=2", NULL},
        {"stream.guarantee=exactly_once", "stream.parallelism=3", "stream.routing=round_robin",
         NULL},
        {"window.type=none", "stream.guarantee=at_least_once", "stream.checkpoint_interval=0",
         NULL},
    };
    static const char *const files[] = {"panes.csv", "summary.csv", "faults.csv",
                                        "timeline.csv", "windows.csv", "latency.csv"};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        char dir[2][64];
        for (int asked = 0; asked < 2; asked++) {
            config_t c;
            char err[2048];
            sim_outcome o;
            config_defaults(&c);
            cr_assert_eq(config_load(&c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK,
                         "%s", err);
            set(&c, "run.executors=stream");
            set(&c, "faults.crash_times=7,19,33");
            for (size_t k = 0; variants[v][k]; k++)
                set(&c, variants[v][k]);
            strcpy(dir[asked], "/tmp/sluice_hz_XXXXXX");
            cr_assert_not_null(mkdtemp(dir[asked]));
            hz_reset();
            hz.on = asked;
            cr_assert_neq(sim_run(&c, dir[asked], &o, err, sizeof err), SIM_ERR, "%s", err);
            if (asked)
                cr_assert_gt(hz.inst[hz.n - 1].asks, 1000);
        }
        for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
            size_t la, lb;
            char pa[512], pb[512];
            snprintf(pa, sizeof pa, "%s/%s", dir[0], files[f]);
            snprintf(pb, sizeof pb, "%s/%s", dir[1], files[f]);
            cr_assert_eq(access(pa, F_OK), access(pb, F_OK), "%s", files[f]);
            if (access(pa, F_OK) != 0)
                continue; /* windows.csv: not for window none */
            char *a = util_slurp_in(dir[0], files[f], &la), *b = util_slurp_in(dir[1], files[f], &lb);
            cr_expect(la == lb && memcmp(a, b, la) == 0, "variant %zu: %s differs", v, files[f]);
            free(a);
            free(b);
        }
        rm_dir(dir[0]);
        rm_dir(dir[1]);
    }
}

/* -------------------------------------------------------------- advances */

static void base_cfg(config_t *c, double duration)
{
    char err[2048], kv[64];
    config_defaults(c);
    cr_assert_eq(config_load(c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK, "%s", err);
    set(c, "run.executors=stream");
    snprintf(kv, sizeof kv, "run.duration=%g", duration);
    set(c, kv);
}

/* Without faults the horizon at the end of the input is within the
 * watermark's bound plus the allowed lateness of the last event times;
 * with crashes and checkpoints every 5 s, within two intervals more. */
Test(stream_horizon, advances_with_the_watermark, .timeout = 60)
{
    static const char *const variants[][4] = {
        {NULL},
        {"window.type=session", "window.gap=2", NULL},
        {"faults.crash_times=50,150", NULL},
        {"faults.mtbf=20", "stream.guarantee=at_least_once", NULL},
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        config_t c;
        base_cfg(&c, 200);
        for (size_t k = 0; variants[v][k]; k++)
            set(&c, variants[v][k]);
        check_run(&c, "advances", NULL);
        const hz_inst *x = &hz.inst[hz.n - 1]; /* the main run */
        double slack = c.stream.watermark_bound + c.stream.allowed_lateness + c.window.size +
                       2 * c.stream.checkpoint_interval + 5;
        cr_expect_geq(x->at_input_end, c.run.duration - slack, "variant %zu: horizon %g", v,
                      x->at_input_end);
    }
}

/* Window none: the horizon follows the least event time not processed. */
Test(stream_horizon, advances_window_none, .timeout = 60)
{
    config_t c;
    base_cfg(&c, 200);
    set(&c, "window.type=none");
    check_run(&c, "none", NULL);
    cr_expect_geq(hz.inst[0].at_input_end, 150, "horizon %g", hz.inst[0].at_input_end);
}

/* ---------------------------------------------------------------- memory */

/* quiet: only sim asks for the horizon (when it folds), as in a real run;
 * the peaks are still read after every event. */
static hz_peak peak_of(const char *const *sets, double duration, int quiet)
{
    config_t c;
    base_cfg(&c, duration);
    for (size_t k = 0; sets[k]; k++)
        set(&c, sets[k]);
    if (!quiet) {
        check_run(&c, "memory", NULL);
    } else {
        char err[2048];
        sim_outcome o;
        hz_reset();
        hz.quiet = 1;
        cr_assert_eq(sim_run(&c, NULL, &o, err, sizeof err), SIM_OK, "%s", err);
    }
    return hz.inst[hz.n - 1].peak;
}

static void expect_flat_q(const char *const *sets, int quiet)
{
    hz_peak a = peak_of(sets, 300, quiet), b = peak_of(sets, 3000, quiet);
    const size_t *pa = (const size_t *)&a, *pb = (const size_t *)&b;
    static const char *const names[] = {"windows", "heap", "log", "sink", "staged", "vnodes",
                                        "snapshot"};
    for (size_t i = 0; i < sizeof a / sizeof(size_t); i++)
        cr_expect_leq(pb[i], 3 * pa[i] + 64, "%s %s: peak %zu at 3000 s, %zu at 300 s%s",
                      sets[0], names[i], pb[i], pa[i], quiet ? " (asked by sim only)" : "");
}

static void expect_flat(const char *const *sets)
{
    expect_flat_q(sets, 0);
    expect_flat_q(sets, 1);
}

Test(stream_horizon, memory_flat_exactly_once_crashes, .timeout = 120)
{
    const char *sets[] = {"faults.mtbf=40", NULL};
    expect_flat(sets);
}

Test(stream_horizon, memory_flat_at_least_once_crashes, .timeout = 120)
{
    const char *sets[] = {"stream.guarantee=at_least_once", "faults.mtbf=40", NULL};
    expect_flat(sets);
}

Test(stream_horizon, memory_flat_sessions_plain, .timeout = 120)
{
    const char *sets[] = {"window.type=session", "window.gap=0.1", NULL};
    expect_flat(sets);
}

Test(stream_horizon, memory_flat_sessions, .timeout = 120)
{
    const char *sets[] = {"window.type=session", "stream.guarantee=at_least_once",
                          "faults.mtbf=40", "window.gap=0.1", NULL};
    expect_flat(sets);
}

/* No checkpoints: the log and the sink are kept for a replay from offset
 * 0 only until the last crash; after it they stop growing (the log even
 * when nobody asks for the horizon). */
Test(stream_horizon, memory_flat_after_the_last_crash, .timeout = 120)
{
    const char *sets[] = {"stream.guarantee=at_least_once", "stream.checkpoint_interval=0",
                          "faults.crash_times=20", NULL};
    expect_flat(sets);
}

/* ----------------------------------------------------------------- folds */

/* Runs c into a new folder, folding once fold_min records are held. */
static int fold_run(const config_t *c, size_t fold_min, char *dir, sim_outcome *o)
{
    char err[1024];
    cr_assert_not_null(mkdtemp(dir));
    sim_options opt = {0};
    opt.fold_min = fold_min;
    hz_reset();
    int st = sim_run_opts(c, dir, &opt, o, err, sizeof err);
    cr_assert_neq(st, SIM_ERR, "%s", err);
    return st;
}

/* With the stream executor's horizon sim folds as it goes (fold_min 1:
 * as often as it can): the outputs are the same as never folding, and
 * something was folded. */
Test(stream_horizon, same_output_folded_or_not, .timeout = 300)
{
    static const char *const variants[][7] = {
        {NULL},
        {"stream.guarantee=at_least_once", NULL},
        {"window.type=session", "window.gap=0.5", NULL},
        {"window.type=session", "window.gap=0.5", "stream.guarantee=at_least_once", NULL},
        {"window.type=sliding", "window.slide=2", "stream.parallelism=3",
         "stream.routing=round_robin", NULL},
        {"stream.parallelism=3", "stream.routing=shared", "stream.watermark=percentile", NULL},
        {"stream.watermark=perfect", "stream.early_delay=1", "stream.accumulation=accumulating",
         NULL},
        {"stream.checkpoint_interval=0", "stream.guarantee=at_least_once", NULL},
        {"stream.allowed_lateness=0", NULL},
    };
    static const char *const files[] = {"summary.csv", "panes.csv",  "timeline.csv",
                                        "windows.csv", "latency.csv", "faults.csv"};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (int faults = 0; faults < 2; faults++) {
            config_t c;
            char a[] = "/tmp/sluice_hzf_a_XXXXXX", b[] = "/tmp/sluice_hzf_b_XXXXXX";
            sim_outcome oa, ob;
            base_cfg(&c, 120);
            if (faults) {
                set(&c, "faults.crash_times=17,40,41");
                set(&c, "faults.mtbf=30");
                set(&c, "faults.checkpoint_failure_times=24");
            }
            for (size_t k = 0; variants[v][k]; k++)
                set(&c, variants[v][k]);
            int sa = fold_run(&c, 1, a, &oa);
            int sb = fold_run(&c, SIZE_MAX, b, &ob);
            cr_assert_eq(sa, SIM_OK, "variant %zu faults %d: %s", v, faults, oa.invariants[0]);
            cr_assert_eq(sb, SIM_OK, "variant %zu faults %d: %s", v, faults, ob.invariants[0]);
            for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
                size_t la, lb;
                char *x = util_slurp_in(a, files[f], &la), *y = util_slurp_in(b, files[f], &lb);
                cr_expect(la == lb && memcmp(x, y, la) == 0,
                          "variant %zu faults %d: %s differs folding or not", v, faults,
                          files[f]);
                free(x);
                free(y);
            }
            /* with crashes and no checkpoints a replay from offset 0 can
             * re-fire every window until the last crash (MTBF: near the
             * end): nothing can fold, by design */
            int replay_from_0 = faults && c.stream.checkpoint_interval == 0;
            if (!replay_from_0)
                cr_expect_gt(oa.windows_folded, 0, "variant %zu faults %d: nothing folded", v,
                             faults);
            cr_expect_eq(ob.windows_folded, 0);
            rm_dir(a);
            rm_dir(b);
        }
}

/* The per-window records sim holds stay flat over an 8x longer run of
 * the stream executor alone (its horizon is the only one besides the
 * truth's), with crashes and checkpoints. */
Test(stream_horizon, records_held_flat, .timeout = 300)
{
    static const char *const variants[][5] = {
        {NULL},
        {"stream.guarantee=at_least_once", NULL},
        {"window.type=session", "window.gap=0.1", NULL},
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        sim_outcome o[2];
        for (int k = 0; k < 2; k++) {
            config_t c;
            char err[1024];
            base_cfg(&c, k ? 9600 : 1200);
            set(&c, "window.size=1");
            set(&c, "workload.keys=16");
            set(&c, "faults.mtbf=60");
            for (size_t j = 0; variants[v][j]; j++)
                set(&c, variants[v][j]);
            hz_reset();
            hz.on = 0; /* sim's own asks only */
            cr_assert_eq(sim_run(&c, NULL, &o[k], err, sizeof err), SIM_OK, "%s", err);
        }
        cr_expect_gt(o[1].windows_folded, 7 * (o[0].windows_folded > 0 ? o[0].windows_folded : 1) / 2,
                     "variant %zu: folded %llu then %llu", v,
                     (unsigned long long)o[0].windows_folded,
                     (unsigned long long)o[1].windows_folded);
        cr_expect_leq((double)o[1].windows_held_max, 1.5 * (double)o[0].windows_held_max,
                      "variant %zu: records held %zu, then %zu over an 8x longer run", v,
                      o[0].windows_held_max, o[1].windows_held_max);
    }
}
