/*
 * bench.c: the driver of `make bench` (issue 10).  Not a test: nothing
 * here asserts, and a missed target never fails the build.
 *
 * It measures six figures, each against its comparison in the same
 * invocation (reps interleaved where both sides are in this process, so
 * that a noisy neighbour hits both), and prints one Markdown table:
 *   1. stream executor on M/M/1 (tests/bench/mm1.ini), events/s counting
 *      arrivals + departures, vs the bare C loop (bare_mm1.c);
 *   2. the same M/M/1 in SimPy 2 (mm1_simpy.py), sluice's speed-up;
 *   3. the full model (tests/bench/full.ini: Zipf keys, lognormal delays,
 *      late data, tumbling windows, bounded watermark, all three
 *      executors, two crashes) vs the bare loop;
 *   4. eq under the hold model at 10^3 and 10^6 pending vs the bare heap;
 *   5. peak RSS of a run of 10^6 events vs 2x10^7 (tests/bench/mem.ini),
 *      each in a fresh exec'd child measured with wait4's rusage; and 5b
 *      the same for many small windows (tests/bench/windows.ini, 10^6 vs
 *      8x10^6 events), where per-window records would dominate if they
 *      were kept to the end of the run (run/sim.c folds them);
 *   6. a sweep (tests/bench/sweep.sweep) with 2 worker processes vs 1;
 *   7. the full model with `sluice explain`'s recorder off (the normal
 *      run: one branch per hook) vs on (every line formatted and
 *      counted, nothing stored).
 *
 * Each timed repetition lasts at least --min-time seconds (sizes are
 * calibrated first; the calibration run is also the warm-up); the figure
 * is the median of --reps repetitions.
 *
 * Usage: bench [--reps N] [--min-time S] [--python PATH] [--only 1,3,...]
 *              [--quick]
 *        bench memrun CONFIG EVENTS   (the child of figure 5: runs CONFIG
 *                                      for about EVENTS events, no output
 *                                      files; also handy under callgrind)
 * Run from the top folder of the repository.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bare_mm1.h"
#include "model/config.h"
#include "engine/event_queue.h"
#include "run/sim.h"
#include "experiments/sweep.h"

#define MAX_REPS 31
#define LAMBDA 0.9
#define MU 1.0

typedef struct opts {
    int reps;
    double min_time;    /* s per timed repetition */
    const char *python;
    int only[8];        /* only[f] != 0: run figure f */
    uint64_t mem_small, mem_large;
} opts;

/* One row of the table. */
typedef struct row {
    const char *id;
    const char *what;
    char value[64];     /* sluice's figure (median) */
    char compare[96];   /* what it is compared with (median) */
    char ratio[32];
    const char *target;
    const char *result; /* "pass", "short", "n/a" */
    char note[512];
} row;

/* ---- small helpers ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_REPS];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Spread of the repetitions, (max - min) / median, in percent. */
static double spread_pct(const double *v, int n)
{
    double lo = v[0], hi = v[0];
    for (int i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    double m = median(v, n);
    return m > 0 ? 100.0 * (hi - lo) / m : NAN;
}

/* "12.3 M" style with a unit. */
static void fmt_rate(char *buf, size_t n, double x, const char *unit)
{
    if (x >= 1e6)
        snprintf(buf, n, "%.2f M%s", x / 1e6, unit);
    else if (x >= 1e3)
        snprintf(buf, n, "%.1f k%s", x / 1e3, unit);
    else
        snprintf(buf, n, "%.3g %s", x, unit);
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err);
    exit(2);
}

static void load_cfg(config_t *c, const char *path)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    if (config_load(c, path, err, sizeof err) != CFG_OK)
        die(path, err);
}

static void set_cfg(config_t *c, const char *fmt, double x)
{
    char buf[256], err[CFG_ERR_MAX];
    snprintf(buf, sizeof buf, fmt, x);
    if (config_set(c, buf, err, sizeof err) != CFG_OK)
        die(buf, err);
}

/* Runs c without output files; returns the wall time in s. */
static double time_sim(const config_t *c, sim_outcome *o)
{
    char err[1024];
    double t0 = now_s();
    int rc = sim_run(c, NULL, o, err, sizeof err);
    double t = now_s() - t0;
    if (rc == SIM_ERR)
        die("sim_run", err);
    if (rc == SIM_INVARIANT)
        fprintf(stderr, "bench: note: %s\n", err);
    return t;
}

/* ---- the bare M/M/1 ---- */

typedef struct bare_fig {
    uint64_t customers;
    double rate[MAX_REPS]; /* events/s */
    double sojourn;
} bare_fig;

static double bare_rep(uint64_t customers, double *sojourn)
{
    bare_mm1_result r;
    double t0 = now_s();
    if (bare_mm1_run(customers, LAMBDA, MU, 42, &r) != 0)
        die("bare_mm1_run", "out of memory");
    double t = now_s() - t0;
    if (sojourn)
        *sojourn = r.mean_sojourn;
    return (double)r.events / t;
}

/* Customers so that one repetition lasts at least min_time. */
static uint64_t bare_calibrate(double min_time)
{
    uint64_t n = 100000;
    for (;;) {
        double t0 = now_s();
        bare_mm1_result r;
        if (bare_mm1_run(n, LAMBDA, MU, 42, &r) != 0)
            die("bare_mm1_run", "out of memory");
        double t = now_s() - t0;
        if (t >= min_time)
            return n;
        double f = t > 0 ? 1.3 * min_time / t : 10;
        n = (uint64_t)((double)n * (f > 10 ? 10 : f < 1.3 ? 1.3 : f));
    }
}

/* Simulated duration (s) of c so that one run lasts at least min_time. */
static double sim_calibrate(config_t *c, double duration, double min_time)
{
    for (;;) {
        set_cfg(c, "run.duration=%.17g", duration);
        sim_outcome o;
        double t = time_sim(c, &o);
        if (t >= min_time)
            return duration;
        double f = t > 0 ? 1.3 * min_time / t : 10;
        duration *= f > 10 ? 10 : f < 1.3 ? 1.3 : f;
        duration = ceil(duration);
    }
}

/* ---- figures 1 and 3: sluice vs the bare loop ---- */

typedef struct mm1_result {
    double sluice, bare; /* medians, events/s */
    int ok;
} mm1_result;

static void fig_mm1(const opts *op, row *r, mm1_result *res)
{
    config_t c;
    load_cfg(&c, "tests/bench/mm1.ini");
    uint64_t n = bare_calibrate(op->min_time);
    double d = sim_calibrate(&c, 1e5, op->min_time);
    double sl[MAX_REPS], ba[MAX_REPS], soj_bare = NAN;
    sim_outcome o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < op->reps; i++) {
        ba[i] = bare_rep(n, &soj_bare);
        double t = time_sim(&c, &o);
        sl[i] = 2.0 * (double)o.events / t; /* arrival + departure per event */
    }
    res->sluice = median(sl, op->reps);
    res->bare = median(ba, op->reps);
    res->ok = 1;
    double ratio = res->sluice / res->bare;
    r->id = "1";
    r->what = "stream executor, M/M/1 (window none, lambda 0.9, mu 1), arrivals + departures";
    fmt_rate(r->value, sizeof r->value, res->sluice, "ev/s");
    char b[32];
    fmt_rate(b, sizeof b, res->bare, "ev/s");
    snprintf(r->compare, sizeof r->compare, "bare C loop %s", b);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", ratio);
    r->target = ">= 0.5x";
    r->result = ratio >= 0.5 ? "pass" : "short";
    snprintf(r->note, sizeof r->note,
             "%" PRIu64 " events/run (sluice, duration %.0f s), %" PRIu64 " customers/run (bare); "
             "spread %.0f%% / %.0f%%; mean sojourn sluice %.3f s, bare %.3f s (theory 1/(mu-lambda) = 10 s)",
             o.events, d, n, spread_pct(sl, op->reps), spread_pct(ba, op->reps),
             o.nexec ? o.summary[0].proc_lat_mean : NAN, soj_bare);
}

static void fig_full(const opts *op, row *r)
{
    config_t c;
    load_cfg(&c, "tests/bench/full.ini");
    uint64_t n = bare_calibrate(op->min_time);
    double d = sim_calibrate(&c, c.run.duration, op->min_time);
    double sl[MAX_REPS], ba[MAX_REPS];
    sim_outcome o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < op->reps; i++) {
        ba[i] = bare_rep(n, NULL);
        double t = time_sim(&c, &o);
        sl[i] = (double)o.events * o.nexec / t;
    }
    double s = median(sl, op->reps), b = median(ba, op->reps);
    double ratio = s / b;
    r->id = "3";
    r->what = "full model (Zipf keys, lognormal delay, 3% late, tumbling 60 s, bounded watermark, "
              "batch + microbatch + stream, 2 crashes): arrivals x executors per wall second";
    fmt_rate(r->value, sizeof r->value, s, "ev/s");
    char bb[32];
    fmt_rate(bb, sizeof bb, b, "ev/s");
    snprintf(r->compare, sizeof r->compare, "bare C loop %s", bb);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", ratio);
    r->target = ">= 0.1x";
    r->result = ratio >= 0.1 ? "pass" : "short";
    uint64_t crashes = 0;
    char inv[128] = "";
    for (int i = 0; i < o.nexec; i++) {
        crashes = o.summary[i].crashes > crashes ? o.summary[i].crashes : crashes;
        if (strcmp(o.invariants[i], "ok") != 0)
            snprintf(inv, sizeof inv, "; invariant %s failed (%s)", o.invariants[i], o.executor[i]);
    }
    snprintf(r->note, sizeof r->note,
             "%" PRIu64 " events x %d executors per run (duration %.0f s); the wall time includes the "
             "fault-free reference run sim_run makes for invariants 2-3, so the machine really "
             "processes twice this (%.2f M/s); spread %.0f%%; crashes %" PRIu64 "%s",
             o.events, o.nexec, d, 2 * s / 1e6, spread_pct(sl, op->reps), crashes, inv);
}

/* ---- figure 7: the explain hooks ---- */

static void count_line(void *user, const sim_explain_line *l)
{
    (void)l;
    ++*(uint64_t *)user;
}

/* The full model with explain off (sim_options.explain NULL: the normal
 * path) and on, interleaved. */
static void fig_explain(const opts *op, row *r)
{
    config_t c;
    load_cfg(&c, "tests/bench/full.ini");
    sim_calibrate(&c, c.run.duration, op->min_time);
    double off[MAX_REPS], on[MAX_REPS];
    uint64_t lines = 0, events = 0;
    char err[1024];
    for (int i = 0; i < op->reps; i++) {
        sim_outcome o;
        sim_options xo = {.explain = count_line, .explain_user = &lines};
        lines = 0;
        double t0 = now_s();
        if (sim_run_opts(&c, NULL, NULL, &o, err, sizeof err) == SIM_ERR)
            die("sim_run", err);
        off[i] = (double)o.events * o.nexec / (now_s() - t0);
        events = o.events;
        t0 = now_s();
        if (sim_run_opts(&c, NULL, &xo, &o, err, sizeof err) == SIM_ERR)
            die("sim_run", err);
        on[i] = (double)o.events * o.nexec / (now_s() - t0);
    }
    double a = median(off, op->reps), b = median(on, op->reps);
    r->id = "7";
    r->what = "full model with the explain hooks off (the normal run) vs recording every line";
    fmt_rate(r->value, sizeof r->value, a, "ev/s");
    char bb[32];
    fmt_rate(bb, sizeof bb, b, "ev/s");
    snprintf(r->compare, sizeof r->compare, "explain on %s", bb);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", a / b);
    r->target = "off: one branch per hook";
    r->result = "n/a";
    snprintf(r->note, sizeof r->note,
             "%" PRIu64 " events, %" PRIu64 " lines recorded when on (%.1f per event); off, "
             "the outputs are byte-identical to a build without hooks (hashes.sh); spread off "
             "%.0f%%, on %.0f%%",
             events, lines, events ? (double)lines / (double)events : 0.0, spread_pct(off, op->reps),
             spread_pct(on, op->reps));
}

/* ---- figure 2: SimPy ---- */

static int simpy_rep(const char *python, uint64_t customers, double *secs, uint64_t *events,
                     double *sojourn, char *version)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s tests/bench/mm1_simpy.py %" PRIu64 " %g %g 42 2>/dev/null",
             python, customers, LAMBDA, MU);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[256] = "";
    char *got = fgets(line, sizeof line, p);
    int st = pclose(p);
    if (!got || st != 0)
        return -1;
    return sscanf(line, "events %" SCNu64 " seconds %lf sojourn %lf simpy %15s", events, secs, sojourn,
                  version) == 4
               ? 0
               : -1;
}

static void fig_simpy(const opts *op, row *r, const mm1_result *mm1)
{
    r->id = "2";
    r->what = "same M/M/1 in SimPy 2 (python3-simpy), its events/s: sluice's speed-up";
    r->target = ">= 100x";
    double secs, soj;
    uint64_t ev, n = 10000;
    char version[16] = "?";
    if (simpy_rep(op->python, 100, &secs, &ev, &soj, version) != 0) {
        snprintf(r->value, sizeof r->value, "n/a");
        snprintf(r->note, sizeof r->note, "%s cannot import SimPy (apt-get install python3-simpy)",
                 op->python);
        r->result = "n/a";
        return;
    }
    for (;;) { /* calibrate */
        if (simpy_rep(op->python, n, &secs, &ev, &soj, version) != 0)
            die("simpy", "run failed");
        if (secs >= op->min_time)
            break;
        double f = secs > 0 ? 1.3 * op->min_time / secs : 10;
        n = (uint64_t)((double)n * (f > 10 ? 10 : f < 1.3 ? 1.3 : f));
    }
    double v[MAX_REPS];
    for (int i = 0; i < op->reps; i++) {
        if (simpy_rep(op->python, n, &secs, &ev, &soj, version) != 0)
            die("simpy", "run failed");
        v[i] = (double)ev / secs;
    }
    double m = median(v, op->reps);
    char s[32];
    fmt_rate(s, sizeof s, m, "ev/s");
    snprintf(r->compare, sizeof r->compare, "SimPy %s", s);
    if (mm1->ok) {
        double ratio = mm1->sluice / m;
        fmt_rate(r->value, sizeof r->value, mm1->sluice, "ev/s");
        snprintf(r->ratio, sizeof r->ratio, "%.0fx", ratio);
        r->result = ratio >= 100 ? "pass" : "short";
    } else {
        snprintf(r->value, sizeof r->value, "(run figure 1)");
        r->result = "n/a";
    }
    snprintf(r->note, sizeof r->note,
             "SimPy %s under %s; %" PRIu64 " customers/run, time of simulate() only; spread %.0f%%; "
             "mean sojourn %.2f s",
             version, op->python, n, spread_pct(v, op->reps), soj);
}

/* ---- figure 4: hold model ---- */

static void nop_fn(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)arg;
    (void)data;
}

/* Hold model: n pending events; each op pops the earliest and schedules
 * it again at its time + Exp(1).  Both queues draw the same increments
 * from the same PCG32 stream.  Returns ops/s over `ops` operations (the
 * prefill is not timed). */
static double hold_eq(size_t n, uint64_t ops)
{
    bare_rng g;
    bare_rng_seed(&g, 7, 4);
    event_queue_t *q = event_queue_alloc(n);
    if (!q)
        die("event_queue_alloc", "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!event_queue_schedule(q, bare_rng_exp(&g, 1.0), nop_fn, NULL, i))
            die("event_queue_schedule", "out of memory");
    double t0 = now_s();
    event_queue_item it;
    for (uint64_t k = 0; k < ops; k++) {
        event_queue_pop(q, &it);
        event_queue_schedule(q, it.time + bare_rng_exp(&g, 1.0), it.fn, it.arg, it.data);
    }
    double t = now_s() - t0;
    event_queue_free(q);
    return (double)ops / t;
}

static double hold_bare(size_t n, uint64_t ops)
{
    bare_rng g;
    bare_rng_seed(&g, 7, 4);
    bheap h;
    if (bheap_init(&h, n) != 0)
        die("bheap_init", "out of memory");
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++)
        if (bheap_push(&h, bare_rng_exp(&g, 1.0), seq++) != 0)
            die("bheap_push", "out of memory");
    double t0 = now_s();
    bheap_entry e;
    for (uint64_t k = 0; k < ops; k++) {
        bheap_pop(&h, &e);
        bheap_push(&h, e.time + bare_rng_exp(&g, 1.0), seq++);
    }
    double t = now_s() - t0;
    bheap_free(&h);
    return (double)ops / t;
}

static void fig_hold(const opts *op, row *r, size_t n, const char *id)
{
    uint64_t ops = 1000000;
    for (;;) { /* calibrate on eq (the slower one, normally) */
        double rate = hold_eq(n, ops);
        if ((double)ops / rate >= op->min_time)
            break;
        ops = (uint64_t)(1.3 * op->min_time * rate);
    }
    double e[MAX_REPS], b[MAX_REPS];
    for (int i = 0; i < op->reps; i++) {
        e[i] = hold_eq(n, ops);
        b[i] = hold_bare(n, ops);
    }
    double me = median(e, op->reps), mb = median(b, op->reps);
    r->id = id;
    r->what = n >= 1000000 ? "event queue (engine/event_queue.h), hold model, 10^6 pending: pop + schedule"
                           : "event queue (engine/event_queue.h), hold model, 10^3 pending: pop + schedule";
    fmt_rate(r->value, sizeof r->value, me, "ops/s");
    char s[32];
    fmt_rate(s, sizeof s, mb, "ops/s");
    snprintf(r->compare, sizeof r->compare, "bare 4-ary heap %s", s);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", me / mb);
    if (n >= 1000000) {
        r->target = ">= 0.8x";
        r->result = me / mb >= 0.8 ? "pass" : "short";
    } else {
        r->target = "(none)";
        r->result = "-";
    }
    snprintf(r->note, sizeof r->note,
             "%" PRIu64 " ops/rep, Exp(1) increments; %.1f ns/op eq, %.1f ns/op bare; spread %.0f%% / %.0f%%",
             ops, 1e9 / me, 1e9 / mb, spread_pct(e, op->reps), spread_pct(b, op->reps));
}

/* ---- figure 5: memory ---- */

/* The child: runs CONFIG with duration = events / rate, writes
 * "events N" to stdout.  Exit 0 on success. */
static int memrun(const char *path, const char *events)
{
    config_t c;
    load_cfg(&c, path);
    double n = strtod(events, NULL);
    set_cfg(&c, "run.duration=%.17g", n / c.workload.rate);
    sim_outcome o;
    time_sim(&c, &o);
    printf("events %" PRIu64 " held %zu folded %" PRIu64 "\n", o.events, o.windows_held_max,
           o.windows_folded);
    return 0;
}

/* Forks and execs this program as `memrun`, returns its peak RSS (KiB,
 * from wait4's rusage, i.e. what getrusage(RUSAGE_CHILDREN) reports for
 * that one child), the events it ran and its wall time. */
static long mem_child(const char *path, uint64_t events, uint64_t *got, double *wall,
                      size_t *held)
{
    int fd[2];
    if (pipe(fd) != 0)
        die("pipe", strerror(errno));
    char ev[32];
    snprintf(ev, sizeof ev, "%" PRIu64, events);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        die("fork", strerror(errno));
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        close(fd[1]);
        execl("/proc/self/exe", "bench", "memrun", path, ev, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    char line[128] = "";
    if (!f || !fgets(line, sizeof line, f))
        line[0] = 0;
    if (f)
        fclose(f);
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("memrun child", "failed");
    *wall = now_s() - t0;
    *got = 0;
    size_t h = 0;
    uint64_t folded = 0;
    sscanf(line, "events %" SCNu64 " held %zu folded %" SCNu64, got, &h, &folded);
    if (held)
        *held = h;
    return ru.ru_maxrss;
}

static void fig_mem(const opts *op, row *r)
{
    uint64_t e1, e2;
    double w1, w2;
    long m1 = mem_child("tests/bench/mem.ini", op->mem_small, &e1, &w1, NULL);
    long m2 = mem_child("tests/bench/mem.ini", op->mem_large, &e2, &w2, NULL);
    double ratio = (double)m2 / (double)m1;
    double mib = (double)m2 / 1024.0;
    r->id = "5";
    r->what = "peak RSS, all three executors (tumbling 10 s, 8 keys, checkpoints), "
              "2x10^7 events vs 10^6 events";
    snprintf(r->value, sizeof r->value, "%.1f MiB", mib);
    snprintf(r->compare, sizeof r->compare, "%.1f MiB at %.3g events", (double)m1 / 1024.0, (double)e1);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", ratio);
    r->target = "<= 1.25x, <= 256 MiB";
    r->result = ratio <= 1.25 && mib <= 256 ? "pass" : "short";
    snprintf(r->note, sizeof r->note,
             "ru_maxrss of an exec'd child (wait4); %.3g events in %.1f s vs %.3g in %.1f s; one "
             "run each (RSS is deterministic to a few pages)",
             (double)e2, w2, (double)e1, w1);
}

/* Figure 5b: the same for many small windows (1 s, 64 keys: 64 (key,
 * window) pairs per second of event time), where one record per pair kept
 * to the end of the run would dominate (it did before run/sim.c folded
 * windows: 839 B per pair, 2.2x the RSS at 4x the events). */
static void fig_mem_windows(const opts *op, row *r)
{
    const char *path = "tests/bench/windows.ini";
    config_t c;
    load_cfg(&c, path);
    uint64_t n1 = op->mem_small, n2 = 8 * op->mem_small, e1, e2;
    double w1, w2;
    size_t h1 = 0, h2 = 0;
    long m1 = mem_child(path, n1, &e1, &w1, &h1);
    long m2 = mem_child(path, n2, &e2, &w2, &h2);
    double d1 = (double)n1 / c.workload.rate, d2 = (double)n2 / c.workload.rate;
    double ratio = (double)m2 / (double)m1;
    double mib = (double)m2 / 1024.0;
    r->id = "5b";
    r->what = "peak RSS with many small windows (3 executors, 1 s windows x 64 keys), "
              "8x10^6 events vs 10^6 events";
    snprintf(r->value, sizeof r->value, "%.1f MiB", mib);
    snprintf(r->compare, sizeof r->compare, "%.1f MiB at %.3g events", (double)m1 / 1024.0, (double)e1);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", ratio);
    r->target = "<= 1.25x, <= 256 MiB";
    r->result = ratio <= 1.25 && mib <= 256 ? "pass" : "short";
    snprintf(r->note, sizeof r->note,
             "(key, window) pairs of the runs: %.0f vs %.0f; most records held at once: %zu vs %zu "
             "(truth + 3 executors' results)",
             ceil(d1 / c.window.size) * c.workload.keys, ceil(d2 / c.window.size) * c.workload.keys,
             h1, h2);
}

/* ---- figure 6: sweep ---- */

static double sweep_rep(const sweep_t *w, int jobs, sweep_result *res)
{
    char err[1024];
    double t0 = now_s();
    if (sweep_run_all(w, jobs, res, NULL, NULL, NULL, err, sizeof err) != 0)
        die("sweep_run_all", err);
    double t = now_s() - t0;
    for (size_t i = 0; i < sweep_tasks(w); i++)
        if (res[i].status == SIM_ERR)
            die("sweep task", res[i].message);
    return t;
}

static void fig_sweep(const opts *op, row *r)
{
    char err[1024];
    sweep_t *w = sweep_load("tests/bench/sweep.sweep", err, sizeof err);
    if (!w)
        die("tests/bench/sweep.sweep", err);
    size_t nt = sweep_tasks(w);
    sweep_result *res = calloc(nt, sizeof *res);
    if (!res)
        die("calloc", "out of memory");
    sweep_rep(w, 1, res); /* warm-up */
    double t1[MAX_REPS], t2[MAX_REPS];
    for (int i = 0; i < op->reps; i++) {
        t1[i] = sweep_rep(w, 1, res);
        t2[i] = sweep_rep(w, 2, res);
    }
    double m1 = median(t1, op->reps), m2 = median(t2, op->reps);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    r->id = "6";
    r->what = "sweep (experiments/pool.h / experiments/sweep.h) of small runs, --jobs 2 vs --jobs 1: speed-up";
    snprintf(r->value, sizeof r->value, "%.2f s", m2);
    snprintf(r->compare, sizeof r->compare, "jobs 1: %.2f s", m1);
    snprintf(r->ratio, sizeof r->ratio, "%.2fx", m1 / m2);
    r->target = ">= 1.8x";
    r->result = m1 / m2 >= 1.8 ? "pass" : "short";
    snprintf(r->note, sizeof r->note, "%zu tasks (%zu points x replications); %ld CPUs online; spread %.0f%% / %.0f%%",
             nt, sweep_points(w), cpus, spread_pct(t1, op->reps), spread_pct(t2, op->reps));
    free(res);
    sweep_free(w);
}

/* ---- the table ---- */

static void cpu_name(char *buf, size_t n)
{
    snprintf(buf, n, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + (p[1] == ' ');
                p[strcspn(p, "\n")] = 0;
                snprintf(buf, n, "%s", p);
            }
            break;
        }
    fclose(f);
}

static void print_table(const opts *op, const row *rows, int nrows, double wall)
{
    char date[64], cpu[256];
    time_t t = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    cpu_name(cpu, sizeof cpu);
    printf("\nsluice bench, %s; %s, %ld CPUs; cc %s -O2; median of %d reps, each >= %.2g s\n\n", date, cpu,
           sysconf(_SC_NPROCESSORS_ONLN), __VERSION__, op->reps, op->min_time);
    printf("| # | measured | sluice | compared with | ratio | target | result |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nrows; i++)
        printf("| %s | %s | %s | %s | %s | %s | %s |\n", rows[i].id, rows[i].what, rows[i].value,
               rows[i].compare, rows[i].ratio, rows[i].target, rows[i].result);
    printf("\nNotes:\n");
    for (int i = 0; i < nrows; i++)
        printf("- %s: %s\n", rows[i].id, rows[i].note);
    printf("\nbench took %.0f s of wall time.\n", wall);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench [--reps N] [--min-time S] [--python PATH] [--only 1,2,...] [--quick]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "memrun") == 0)
        return memrun(argv[2], argv[3]);
    opts op = {5, 0.4, "/usr/bin/python3", {0, 1, 1, 1, 1, 1, 1, 1}, 1000000, 20000000};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            op.reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc)
            op.min_time = atof(argv[++i]);
        else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
            op.python = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            memset(op.only, 0, sizeof op.only);
            for (const char *p = argv[++i]; *p; p++)
                if (*p >= '1' && *p <= '7')
                    op.only[*p - '0'] = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            op.reps = 3;
            op.min_time = 0.1;
            op.mem_small = 100000;
            op.mem_large = 2000000;
        } else
            usage();
    }
    if (op.reps < 1 || op.reps > MAX_REPS || !(op.min_time > 0))
        usage();
    if (access("tests/bench/mm1.ini", R_OK) != 0)
        die("tests/bench/mm1.ini", "run from the top folder of the repository");
    setvbuf(stdout, NULL, _IOLBF, 0);

    double t0 = now_s();
    row rows[10];
    int nr = 0;
    memset(rows, 0, sizeof rows);
    mm1_result mm1 = {0, 0, 0};
    static const char *const names[] = {"", "stream M/M/1 vs bare loop", "SimPy", "full model",
                                        "hold model", "memory", "sweep", "explain hooks"};
    for (int f = 1; f <= 7; f++) {
        if (!op.only[f])
            continue;
        fprintf(stderr, "bench: figure %d (%s)...\n", f, names[f]);
        switch (f) {
        case 1: fig_mm1(&op, &rows[nr++], &mm1); break;
        case 2: fig_simpy(&op, &rows[nr++], &mm1); break;
        case 3: fig_full(&op, &rows[nr++]); break;
        case 4:
            fig_hold(&op, &rows[nr++], 1000, "4a");
            fig_hold(&op, &rows[nr++], 1000000, "4b");
            break;
        case 5:
            fig_mem(&op, &rows[nr++]);
            fig_mem_windows(&op, &rows[nr++]);
            break;
        case 6: fig_sweep(&op, &rows[nr++]); break;
        case 7: fig_explain(&op, &rows[nr++]); break;
        }
        const row *r = &rows[nr - 1];
        fprintf(stderr, "bench:   %s  %s  %s  %s\n", r->value, r->compare, r->ratio, r->result);
    }
    print_table(&op, rows, nr, now_s() - t0);
    return 0;
}
