/*
 * test_stream_state.c: the stream job's life as one state variable
 * (exec/stream/stream.h): its transition table and state invariants as
 * known answers, and fault-heavy runs that drive the job through every
 * state, with stream_check_state asserting each state's invariants at
 * every transition (the test build does not define NDEBUG: a broken
 * invariant aborts the run, and Criterion reports the crash).
 *
 *  - transitions: the listed transitions are allowed, others are not.
 *  - invariants: a consistent set of facts passes for its state; breaking
 *    any one invariant is reported.
 *  - fault_heavy_runs: crashes (at fixed times, MTBF, at the end of the
 *    input, while down), failed checkpoints, outages, at_least_once,
 *    sessions, window none, no checkpoints, an overloaded job (a long
 *    drain), a 25 s final checkpoint: every run succeeds, and the crashes
 *    really happened and were recovered from.  (Counted once with a
 *    trace in set_state: these 240 runs make every listed transition,
 *    DRAINED -> DOWN 37 times, DRAINING -> DOWN 43, and crash 344 times
 *    in DONE.)
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/stream/stream.h"
#include "model/config.h"
#include "run/sim.h"

Test(stream_state, checks_are_compiled_in)
{
#ifdef NDEBUG
    cr_assert_fail("NDEBUG is defined: stream_check_state is compiled out of this build");
#else
    cr_assert(1);
#endif
}

Test(stream_state, transitions)
{
    static const stream_state allowed[][2] = {
        {STREAM_RUNNING, STREAM_DRAINING}, {STREAM_DRAINING, STREAM_DRAINED},
        {STREAM_DRAINING, STREAM_DONE},    {STREAM_DRAINED, STREAM_DONE},
        {STREAM_RUNNING, STREAM_DOWN},     {STREAM_DRAINING, STREAM_DOWN},
        {STREAM_DRAINED, STREAM_DOWN},     {STREAM_DOWN, STREAM_DOWN},
        {STREAM_DOWN, STREAM_RUNNING},     {STREAM_DOWN, STREAM_DRAINING},
    };
    size_t n = sizeof allowed / sizeof allowed[0], count = 0;
    for (int from = 0; from < STREAM_NSTATES; from++)
        for (int to = 0; to < STREAM_NSTATES; to++) {
            int listed = 0;
            for (size_t i = 0; i < n; i++)
                listed |= allowed[i][0] == (stream_state)from && allowed[i][1] == (stream_state)to;
            cr_assert_eq(stream_state_may_move(from, to), listed, "%s -> %s",
                         stream_state_name(from), stream_state_name(to));
            count += (size_t)listed;
        }
    cr_assert_eq(count, n);
    /* a crash of a finished job changes nothing; nothing leaves DONE */
    cr_assert(!stream_state_may_move(STREAM_DONE, STREAM_DOWN));
    cr_assert(!stream_state_may_move(STREAM_DONE, STREAM_RUNNING));
    cr_assert_str_eq(stream_state_name(STREAM_DOWN), "down");
}

/* Facts of a job that has drained with its final checkpoint running. */
static stream_facts drained(void)
{
    stream_facts f;
    memset(&f, 0, sizeof f);
    f.input_ended = 1;
    f.ck_active = 1;
    f.staged = 1;
    f.crashy = 1;
    f.op_wm = INFINITY;
    return f;
}

Test(stream_state, invariants)
{
    stream_facts f = drained(), g;
    cr_assert_null(stream_state_violation(STREAM_DRAINED, &f));
    cr_assert_not_null(stream_state_violation(STREAM_DONE, &f), "a checkpoint runs");
    cr_assert_not_null(stream_state_violation(STREAM_RUNNING, &f), "the input has ended");
    cr_assert_null(stream_state_violation(STREAM_DRAINING, &f));
    /* each invariant of DRAINED, broken on its own */
    g = f, g.input_ended = 0;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.unread = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.in_flight = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.busy = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.op_wm = 100;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.ck_timer = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.wm_timer = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.restore_pending = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g));
    g = f, g.ck_active = 0, g.staged = 0;
    cr_assert_not_null(stream_state_violation(STREAM_DRAINED, &g), "should be done");
    cr_assert_null(stream_state_violation(STREAM_DONE, &g));
    /* DOWN: a restore pending, nothing in flight, no state */
    memset(&g, 0, sizeof g);
    g.crashy = 1;
    g.restore_pending = 1;
    g.op_wm = -INFINITY;
    g.unread = 1;          /* the log keeps arriving */
    g.ck_timer = 1;        /* the periodic tick skips while down */
    cr_assert_null(stream_state_violation(STREAM_DOWN, &g));
    g.windows = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DOWN, &g));
    g.windows = 0, g.restore_pending = 0;
    cr_assert_not_null(stream_state_violation(STREAM_DOWN, &g));
    g.restore_pending = 1, g.crashy = 0;
    cr_assert_not_null(stream_state_violation(STREAM_DOWN, &g));
    g.crashy = 1, g.staged = 1;
    cr_assert_not_null(stream_state_violation(STREAM_DOWN, &g));
    cr_assert_not_null(stream_state_violation(STREAM_NSTATES, &f));
}

/* ------------------------------------------------------------ the runs */

static void set(config_t *c, const char *kv)
{
    char err[CFG_ERR_MAX];
    cr_assert_eq(config_set(c, kv, err, sizeof err), CFG_OK, "config_set %s: %s", kv, err);
}

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

typedef struct tally {
    unsigned crashes;      /* crash rows */
    unsigned recovered;    /* of them, with a restore (a finite resume) */
    unsigned long reprocessed, duplicates;
} tally;

/* Adds up the crash rows of faults.csv in dir (columns: executor,
 * fault_id, kind, time, detected, resumed, caught_up, downtime,
 * reprocessed, cpu_wasted, duplicates, ...). */
static void count_faults(const char *dir, tally *t)
{
    char path[512], line[1024];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    while (fgets(line, sizeof line, f)) {
        char *col[16];
        int n = 0;
        for (char *p = line; n < 16;) {
            col[n++] = p;
            p = strchr(p, ',');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (n < 11 || strcmp(col[2], "crash") != 0)
            continue;
        t->crashes++;
        if (col[5][0] && col[4][0])
            t->recovered++;
        t->reprocessed += strtoul(col[8], NULL, 10);
        t->duplicates += strtoul(col[10], NULL, 10);
    }
    fclose(f);
}

Test(stream_state, fault_heavy_runs, .timeout = 300)
{
    static const char *const variants[][5] = {
        {NULL},
        {"stream.guarantee=at_least_once", NULL},
        {"window.type=session", "window.gap=2", NULL},
        {"window.type=session", "window.gap=2", "stream.guarantee=at_least_once", NULL},
        {"window.type=none", "stream.guarantee=at_least_once", NULL},
        {"stream.checkpoint_interval=0", NULL},
        {"stream.parallelism=3", "stream.routing=round_robin", "stream.early_delay=1", NULL},
        {"stream.watermark=perfect", "stream.parallelism=3", "stream.routing=shared", NULL},
        /* overloaded (13 events/s for 20 arriving): a long drain after the
         * input ends (DRAINING) */
        {"stream.service_mean=0.15", "stream.checkpoint_cost=4", NULL},
        /* a final checkpoint of 25 s (DRAINED) */
        {"stream.checkpoint_interval=30", "stream.checkpoint_cost=25", NULL},
    };
    tally all = {0};
    unsigned runs = 0;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (unsigned seed = 1; seed <= 24; seed++) {
            config_t c;
            char err[2048], kv[128], dir[] = "/tmp/sluice_state_XXXXXX";
            sim_outcome o;
            config_defaults(&c);
            cr_assert_eq(config_load(&c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK,
                         "%s", err);
            set(&c, "run.executors=stream");
            c.run.seed = seed;
            /* crashes early, late (around the end of the input, about
             * 100 s here: draining, drained, done) and, with MTBF 3 s and
             * 3 s of downtime, often while down; failed checkpoints; an
             * outage */
            snprintf(kv, sizeof kv, "faults.crash_times=%u,%u,%g,%u", 2 + seed % 20,
                     25 + seed % 17, 99 + (seed % 12) * 0.5, 105 + seed % 20);
            set(&c, kv);
            set(&c, seed % 3 == 0 ? "faults.mtbf=3" : seed % 3 == 1 ? "faults.mtbf=12" : "faults.mtbf=0");
            set(&c, "faults.checkpoint_failure_times=11,40");
            if (seed % 2 == 0)
                set(&c, "faults.outage_times=30");
            for (size_t k = 0; variants[v][k]; k++)
                set(&c, variants[v][k]);
            cr_assert(mkdtemp(dir));
            int st = sim_run(&c, dir, &o, err, sizeof err);
            cr_assert_eq(st, SIM_OK, "variant %zu seed %u: status %d: %s", v, seed, st, err);
            count_faults(dir, &all);
            rm_dir(dir);
            runs++;
        }
    cr_assert_eq(runs, 10 * 24);
    /* the runs went through DOWN and back many times */
    cr_assert_gt(all.crashes, 3 * runs, "crashes %u", all.crashes);
    cr_assert_gt(all.recovered, 2 * runs, "recovered %u", all.recovered);
    cr_assert_gt(all.reprocessed, 0);
    cr_assert_gt(all.duplicates, 0, "at_least_once replays showed duplicates");
}
