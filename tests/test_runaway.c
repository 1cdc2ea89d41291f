/*
 * test_runaway.c: no run away from a legal configuration (README,
 * "Limits").  Every case of issue 14 item 3 either finishes within seconds
 * with a bounded output, or is refused up front with exit 2, the exact
 * message and no output folder.
 *
 * Each run goes through `timeout` so a regression fails the test (exit
 * 124) instead of hanging it.  The binary is $SLUICE_BIN.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/budget.h"
#include "model/config.h"
#include "run/sim.h"

#include "util.h"

#define RUN_LIMIT_S 20 /* far above what a case takes, even under ASan */

/* Runs `sluice ARGS` under timeout; stderr into errbuf (trailing newline
 * removed); returns the exit status (124: it ran away). */
static int sluice(const char *args, char *errbuf, size_t n)
{
    char errfile[] = "/tmp/sluice_runaway_err_XXXXXX";
    int fd = mkstemp(errfile);
    cr_assert(fd >= 0);
    close(fd);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "timeout %d %s %s >/dev/null 2>%s", RUN_LIMIT_S, util_bin(), args,
             errfile);
    int st = system(cmd);
    FILE *f = fopen(errfile, "r");
    size_t got = f ? fread(errbuf, 1, n - 1, f) : 0;
    errbuf[got] = 0;
    if (got && errbuf[got - 1] == '\n')
        errbuf[got - 1] = 0;
    if (f)
        fclose(f);
    remove(errfile);
    cr_assert(WIFEXITED(st), "sluice %s did not exit normally", args);
    return WEXITSTATUS(st);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The demo with SETS is refused: exit 2, exactly `want` on stderr, no
 * output folder (and nothing half-written beside it). */
static void refused(const char *sets, const char *want)
{
    char d[64], out[128], args[2048], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args, "run workloads/default.ini %s --out %s", sets, out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 2, "%s: exit %d (%s)", sets, rc, err);
    cr_assert_str_eq(err, want, "%s", sets);
    cr_assert(!util_exists(out), "%s: an output folder was created", sets);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", d);
    cr_assert(system(cmd) == 0, "%s: something was left in %s", sets, d);
    util_rm_rf(d);
}

Test(runaway, long_delays_finish_with_a_bounded_timeline, .timeout = 60)
{
    /* 30,000 events whose delays spread them over ~7e7 s: the timeline
     * used to tick through all of it (21 million rows, 777 MB). */
    char d[64], out[128], args[512], err[4096], path[192];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args,
             "run workloads/default.ini --set workload.delay_mean=100000 "
             "--set workload.late_delay_mean=1e7 --out %s", out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    snprintf(path, sizeof path, "%s/timeline.csv", out);
    long size = file_size(path);
    cr_assert(size > 0 && size < 10L * 1000 * 1000, "timeline.csv is %ld bytes", size);
    /* rows per executor: 50,000 at run.timeline_bucket = 10 s, then the
     * bucket doubles every 100 rows up to ~7e7 s: a few hundred more */
    FILE *f = fopen(path, "r");
    cr_assert(f);
    char line[512];
    long rows = 0;
    double prev = 0, t = 0, last_gap = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "stream,", 7) == 0) {
            t = strtod(line + 7, NULL);
            rows++;
            if (rows <= 50000)
                cr_assert_float_eq(t, 10.0 * (double)rows, 1e-6, "row %ld at %g", rows, t);
            else
                cr_assert(t - prev >= last_gap, "row %ld: bucket got narrower", rows);
            if (rows > 1)
                last_gap = t - prev;
            prev = t;
        }
    fclose(f);
    cr_assert(rows > 50000 && rows < 52000, "%ld stream rows", rows);
    cr_assert(t > 7e7, "the last row at %g s", t);
    util_rm_rf(d);
}

Test(runaway, huge_restart_delay_is_refused)
{
    refused("--set stream.restart_delay=9223372036854775807",
            "stream.restart_delay = 9.22337e+18 s x 2 crashes makes the run last about "
            "1.84e+19 s of processing time, more than the limit of 1e+12 s (beyond it times "
            "lose their precision and the run would never end): lower stream.restart_delay");
}

Test(runaway, long_restart_delay_is_refused)
{
    refused("--set stream.restart_delay=1e9",
            "stream.checkpoint_interval = 30 s over about 2e+09 s of processing time (mostly "
            "stream.restart_delay = 1e+09 s x 2 crashes) gives about 6.67e+07 checkpoints, more "
            "than the limit of 1e+07: raise stream.checkpoint_interval or lower "
            "stream.restart_delay");
}

Test(runaway, long_outage_is_refused)
{
    refused("--set faults.outage_times=100 --set faults.outage_duration=1e9",
            "stream.checkpoint_interval = 30 s over about 1e+09 s of processing time (mostly "
            "faults.outage_duration = 1e+09 s) gives about 3.33e+07 checkpoints, more than the "
            "limit of 1e+07: raise stream.checkpoint_interval or lower faults.outage_duration");
}

Test(runaway, long_outage_without_checkpoints_finishes, .timeout = 60)
{
    /* An outage of 1e8 s without the stream's checkpoints: a micro-batch
     * trigger with no data runs no batch; batch runs 8 x 10^5 empty jobs,
     * each of which used to scan every event held back by the outage. */
    char d[64], out[128], args[512], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args,
             "run workloads/default.ini --set run.executors=batch,microbatch "
             "--set faults.outage_times=100 --set faults.outage_duration=1e8 --out %s", out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    char path[192];
    snprintf(path, sizeof path, "%s/timeline.csv", out);
    long size = file_size(path);
    cr_assert(size > 0 && size < 10L * 1000 * 1000, "timeline.csv is %ld bytes", size);
    util_rm_rf(d);
}

Test(runaway, huge_rates_are_refused)
{
    refused("--set workload.rate=1e7",
            "workload.rate = 1e+07 x run.duration = 600 gives about 6e+09 events, more than the "
            "limit of 2e+08: lower workload.rate or run.duration");
    refused("--set workload.rate=1e23",
            "workload.rate = 1e+23 x run.duration = 600 gives about 6e+25 events, more than the "
            "limit of 2e+08: lower workload.rate or run.duration");
}

Test(runaway, tiny_batch_interval_is_refused)
{
    refused("--set batch.interval=1e-6 --set batch.setup_cost=0",
            "batch.interval = 1e-06 s over about 1.53e+03 s of processing time gives about "
            "1.53e+09 batch jobs, more than the limit of 1e+07: raise batch.interval");
}

Test(runaway, tiny_checkpoint_interval_is_refused)
{
    refused("--set stream.checkpoint_interval=1e-6 --set stream.checkpoint_cost=0",
            "stream.checkpoint_interval = 1e-06 s over about 1.56e+03 s of processing time "
            "gives about 1.56e+09 checkpoints, more than the limit of 1e+07: raise "
            "stream.checkpoint_interval");
}

Test(runaway, huge_service_time_is_refused)
{
    refused("--set stream.service_mean=1e6",
            "stream.checkpoint_interval = 30 s over about 1.5e+10 s of processing time (mostly "
            "stream.service_mean = 1e+06 s x 3e+04 events / stream.parallelism = 2) gives about "
            "5e+08 checkpoints, more than the limit of 1e+07: raise stream.checkpoint_interval "
            "or lower stream.service_mean");
}

Test(runaway, tiny_microbatch_interval_finishes, .timeout = 60)
{
    /* Triggers without data run no batch: at most one batch per event. */
    char d[64], out[128], args[512], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args,
             "run workloads/default.ini --set run.executors=microbatch "
             "--set microbatch.interval=1e-6 --set microbatch.setup_cost=0 --out %s", out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    util_rm_rf(d);
}

Test(runaway, trace_far_from_zero_is_rebased_or_refused)
{
    /* A Unix-epoch trace of 3 events once ran "for 6 days"; now it starts
     * at its first event (trace_origin = auto), and with trace_origin = 0
     * it is refused as before. */
    char d[64], trace[128], ini[128], out[128], args[512], err[4096], want[2048];
    util_tmpdir(d, sizeof d);
    snprintf(trace, sizeof trace, "%s/epoch.csv", d);
    snprintf(ini, sizeof ini, "%s/epoch.ini", d);
    snprintf(out, sizeof out, "%s/out", d);
    FILE *f = fopen(trace, "w");
    cr_assert(f);
    fputs("id,key,value,event_time,arrival_time\n0,0,1,1700000000,1700000000.5\n"
          "1,1,2,1700000001,1700000001.2\n2,0,3,1700000002,1700000003\n", f);
    fclose(f);
    f = fopen(ini, "w");
    cr_assert(f);
    fputs("[workload]\nsource = trace\ntrace = epoch.csv\n", f);
    fclose(f);
    snprintf(args, sizeof args, "run %s --out %s", ini, out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    size_t len;
    char *ev = util_slurp_in(out, "events.csv", &len);
    cr_assert(ev && strstr(ev, "\n0,0,0,0.5\n1,1,1,1.2\n2,0,2,3\n"), "%s", ev ? ev : "none");
    free(ev);
    util_rm_rf(out);
    snprintf(args, sizeof args, "run %s --set workload.trace_origin=0 --out %s", ini, out);
    rc = sluice(args, err, sizeof err);
    snprintf(want, sizeof want,
             "sluice: %s: event times start at 1.7e+09 s: sluice simulates from t = 0, so the "
             "run would first go through 1.7e+09 s of empty time (stream.checkpoint_interval = "
             "30 s over about 1.7e+09 s of processing time gives about 5.67e+07 checkpoints, "
             "more than the limit of 1e+07: raise stream.checkpoint_interval); subtract the "
             "first event time from every time in the file, or set workload.trace_origin = "
             "first",
             trace);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    cr_assert_str_eq(err, want);
    cr_assert(!util_exists(out));
    util_rm_rf(d);
}

Test(runaway, sweep_point_is_refused_up_front)
{
    char d[64], sw[128], out[128], args[512], err[4096], base[PATH_MAX], want[2048];
    util_tmpdir(d, sizeof d);
    cr_assert(realpath("workloads/default.ini", base));
    snprintf(sw, sizeof sw, "%s/rate.sweep", d);
    snprintf(out, sizeof out, "%s/out", d);
    FILE *f = fopen(sw, "w");
    cr_assert(f);
    fprintf(f, "[sweep]\nbase = %s\nworkload.rate = 50, 1e23\n", base);
    fclose(f);
    snprintf(args, sizeof args, "sweep %s --out %s", sw, out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    snprintf(want, sizeof want,
             "%s: point 1: workload.rate = 1e+23 x run.duration = 600 gives about 6e+25 "
             "events, more than the limit of 2e+08: lower workload.rate or run.duration",
             sw);
    cr_assert(strstr(err, want), "stderr: %s", err);
    cr_assert(!util_exists(out));
    util_rm_rf(d);
}

/* The library refuses too (sweep tasks, stress, capacity call sim_run). */
Test(runaway, sim_run_refuses)
{
    config_t c;
    char err[2048];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "workload.rate=1e23", err, sizeof err), CFG_OK, "%s", err);
    sim_outcome o;
    cr_assert_eq(sim_run(&c, NULL, &o, err, sizeof err), SIM_ERR);
    cr_assert(strstr(err, "more than the limit of 2e+08"), "%s", err);
}

Test(runaway, estimate_of_the_demo)
{
    config_t c;
    char err[2048];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, "workloads/default.ini", err, sizeof err), CFG_OK, "%s", err);
    budget_estimate_t e;
    budget_estimate(&c, NULL, &e);
    cr_assert_float_eq(e.events, 50.0 * 600, 1e-9);
    cr_assert_float_eq(e.updates, e.events, 1e-9);      /* tumbling: one window each */
    cr_assert_float_eq(e.windows, 8.0 * 11, 1e-9);      /* 8 keys x (600 + 60) / 60 */
    /* 600 s + 10 x 1.5 s + 10 x 90 s of delays, plus the work and two restarts */
    cr_assert(e.horizon_s > 1515 && e.horizon_s < 1600, "%g", e.horizon_s);
    cr_assert(e.jobs > 12 && e.jobs < 14, "%g", e.jobs);
    cr_assert_eq(budget_check(&c, err, sizeof err), BUDGET_OK, "%s", err);
}

Test(runaway, memory_beyond_the_machine_is_refused)
{
    /* 3e5 events/s under a 600 s batch interval: every event of the run
     * is held at once, twice (crashes: the fault-free reference), ~46 GB
     * for batch alone.  The machine's size is in the message, so only
     * its fixed part is compared; the estimate is checked directly. */
    config_t c;
    char err[2048];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, "workloads/default.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "workload.rate=3e5", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "batch.interval=600", err, sizeof err), CFG_OK, "%s", err);
    budget_estimate_t e;
    budget_estimate(&c, NULL, &e);
    cr_assert(e.memory_bytes > 4e10, "%g bytes", e.memory_bytes);
    if (e.memory_bytes <= (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / 2)
        return; /* a machine with more than 170 GB: nothing to refuse */
    char d[64], out[128], args[512];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args,
             "run workloads/default.ini --set workload.rate=3e5 --set batch.interval=600 "
             "--out %s", out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    const char *want = "the run would hold about 84.1 GB at once (the events of a batch "
                       "interval, a micro-batch interval or a checkpoint interval, a window "
                       "and its lateness, at about 3e+05 events/s), more than half of this "
                       "machine's ";
    cr_assert(strncmp(err, want, strlen(want)) == 0, "%s", err);
    cr_assert(strstr(err, " GB: lower workload.rate, batch.interval, window.size or "
                          "stream.checkpoint_interval"), "%s", err);
    cr_assert(!util_exists(out));
    util_rm_rf(d);
}

Test(runaway, gen_budgets_only_the_events)
{
    char d[64], out[128], args[512], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/trace.csv", d);
    /* a restart delay matters to a run, not to the events it reads */
    snprintf(args, sizeof args,
             "gen workloads/default.ini --set stream.restart_delay=1e19 --out %s", out);
    int rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    cr_assert(util_exists(out));
    remove(out);
    snprintf(args, sizeof args, "gen workloads/default.ini --set workload.rate=1e23 --out %s",
             out);
    rc = sluice(args, err, sizeof err);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    cr_assert_str_eq(err, "workload.rate = 1e+23 x run.duration = 600 gives about 6e+25 "
                          "events, more than the limit of 2e+08: lower workload.rate or "
                          "run.duration");
    cr_assert(!util_exists(out));
    util_rm_rf(d);
}
