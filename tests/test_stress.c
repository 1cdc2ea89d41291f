/*
 * test_stress.c: `sluice stress` in make check: 200 seeds of a small
 * faulty config under each sink guarantee, every invariant holding; the
 * schedule of a seed is reproducible and actually hits the awkward places
 * (inside a checkpoint, during a previous crash's recovery).  The replay
 * command a failing seed prints is exact: run through the shell it gives
 * the stress run's files byte for byte, and for a failing seed the same
 * failure ($SLUICE_BIN is the CLI, as in test_cli.c).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/sim.h"
#include "experiments/stress.h"

#include "util.h"

static void load(config_t *c)
{
    char err[2048];
    config_defaults(c);
    cr_assert_eq(config_load(c, "tests/data/stress/small.ini", err, sizeof err), CFG_OK, "%s", err);
}

static void run_seeds(config_t *c, size_t n)
{
    stress_result *res = calloc(n, sizeof *res);
    cr_assert(res);
    char err[1024];
    cr_assert_eq(stress_run_all(c, n, 2, res, NULL, NULL, NULL, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(res[i].status, SIM_OK,
                     "seed %llu (crash_times=%s) failed: %s", (unsigned long long)res[i].seed,
                     res[i].crash_times, res[i].message);
    free(res);
}

Test(stress, exactly_once_200_seeds, .timeout = 300)
{
    config_t c;
    load(&c);
    run_seeds(&c, 200);
}

Test(stress, at_least_once_200_seeds, .timeout = 300)
{
    config_t c;
    load(&c);
    char err[1024];
    cr_assert_eq(config_set(&c, "stream.guarantee=at_least_once", err, sizeof err), CFG_OK, "%s", err);
    run_seeds(&c, 200);
}

Test(stress, schedules_are_reproducible_and_targeted)
{
    config_t c, a, b;
    load(&c);
    char sa[256], sb[256];
    int in_checkpoint = 0, close_pair = 0;
    for (size_t i = 0; i < 300; i++) {
        stress_config(&c, i, &a, sa, sizeof sa);
        stress_config(&c, i, &b, sb, sizeof sb);
        cr_assert_str_eq(sa, sb);
        cr_assert_eq(a.run.seed, c.run.seed + i);
        cr_assert(a.faults.crash_times.n >= 1 && a.faults.crash_times.n <= 3);
        for (size_t k = 0; k < a.faults.crash_times.n; k++) {
            double t = a.faults.crash_times.v[k];
            double ph = fmod(t, c.stream.checkpoint_interval);
            in_checkpoint += ph <= c.stream.checkpoint_cost;
            if (k > 0)
                close_pair += t - a.faults.crash_times.v[k - 1] <=
                              c.faults.detection_delay + c.stream.restart_delay + 5.0;
        }
    }
    /* About a third of crashes are aimed at checkpoints, and about a third
     * follow the previous one within its recovery: both must occur often. */
    cr_expect(in_checkpoint > 50, "crashes inside checkpoints: %d", in_checkpoint);
    cr_expect(close_pair > 30, "crashes during recovery: %d", close_pair);
}

/* small.ini with the --set assignments sets, as `sluice stress` loads it. */
static void load_with(config_t *c, const char *const *sets, size_t n)
{
    char err[2048];
    load(c);
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(config_set(c, sets[k], err, sizeof err), CFG_OK, "%s", err);
}

/* What stress seed i of c would report, without running it. */
static void result_of(const config_t *c, size_t i, stress_result *r)
{
    config_t s;
    memset(r, 0, sizeof *r);
    stress_config(c, i, &s, r->crash_times, sizeof r->crash_times);
    r->seed = s.run.seed;
}

Test(stress, replay_command_text)
{
    const char *sets[] = {"run.seed=7", "stream.guarantee = at_least_once", "faults.crash_times=1"};
    config_t c;
    load_with(&c, sets, 3);
    stress_result r;
    result_of(&c, 4, &r);
    cr_assert_eq(r.seed, 11);
    char cmd[1024], want[1024];
    cr_assert_eq(stress_replay_command("it's/sluice", "tests/data/stress/small.ini", sets, 3, &r,
                                       cmd, sizeof cmd),
                 0);
    /* run.seed is left out (--seed comes first and would be overridden),
     * the spaced assignment and the program name are quoted, the crash
     * times come after the given ones so they win. */
    snprintf(want, sizeof want,
             "SLUICE_FOLD_MIN=1 'it'\\''s/sluice' run tests/data/stress/small.ini "
             "--set 'stream.guarantee = at_least_once' --set faults.crash_times=1 --seed 11 "
             "--set faults.crash_times=%s",
             r.crash_times);
    cr_assert_str_eq(cmd, want);
    cr_assert(strchr(r.crash_times, '.'), "crash times: %s", r.crash_times);
    cr_assert_eq(stress_replay_command("sluice", "x.ini", NULL, 0, &r, cmd, 40), -1);
}

/* The replay command of a seed that passed, run through the shell, gives
 * the files of that seed's stress configuration run in process (folding
 * as often as stress does) byte for byte. */
Test(stress, replay_command_reproduces_the_seed, .timeout = 120)
{
    const char *sets[] = {"run.seed = 7", "stream.guarantee=at_least_once"};
    config_t c;
    load_with(&c, sets, 2);
    char dir[] = "/tmp/sluice_stress_XXXXXX";
    cr_assert(mkdtemp(dir));
    static const char *const files[] = {"summary.csv", "faults.csv", "windows.csv", "panes.csv"};
    for (size_t i = 2; i <= 5; i += 3) {
        stress_result r;
        stress_run_one(&c, i, &r);
        cr_assert_eq(r.status, SIM_OK, "seed %zu: %s", i, r.message);
        char cmd[8192], err[4096], out[512], ref[512];
        cr_assert_eq(stress_replay_command(util_bin(), "tests/data/stress/small.ini", sets, 2, &r, cmd,
                                           sizeof cmd - 600),
                     0);
        snprintf(out, sizeof out, "%s/run%zu", dir, i);
        snprintf(ref, sizeof ref, "%s/ref%zu", dir, i);
        strcat(cmd, " --out ");
        strcat(cmd, out);
        cr_assert_eq(util_shell(cmd, err, sizeof err), 0, "%s: %s", cmd, err);

        config_t s;
        char crashes[256], msg[2048];
        stress_config(&c, i, &s, crashes, sizeof crashes);
        cr_assert_eq(mkdir(ref, 0700), 0);
        sim_options opt = {0};
        opt.fold_min = 1;
        sim_outcome *o = malloc(sizeof *o);
        cr_assert(o);
        cr_assert_eq(sim_run_opts(&s, ref, &opt, o, msg, sizeof msg), SIM_OK, "%s", msg);
        free(o);
        for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
            char a[1024], b[1024];
            snprintf(a, sizeof a, "%s/%s", out, files[f]);
            snprintf(b, sizeof b, "%s/%s", ref, files[f]);
            size_t la, lb;
            char *x = util_slurp(a, &la), *y = util_slurp(b, &lb);
            cr_assert(la > 0, "%s is empty", a);
            cr_expect(la == lb && memcmp(x, y, la) == 0, "seed %zu: %s and %s differ", i, a, b);
            free(x);
            free(y);
        }
    }
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    cr_assert_eq(system(rm), 0);
}

/* Every failing seed prints its failure and the command that replays it
 * (the one stress_replay_command gives); run, that command fails in the
 * same way.  The failure is a broken last line of a trace, which only the
 * run itself reads: a seed that cannot run makes the exit status 2 (1 is
 * kept for invariants). */
Test(stress, failing_seed_prints_the_command_that_replays_it, .timeout = 120)
{
    char dir[] = "/tmp/sluice_stress_XXXXXX";
    cr_assert(mkdtemp(dir));
    char cmd[8192], err[8192], trace[512], set_trace[600];
    snprintf(trace, sizeof trace, "%s/t.csv", dir);
    snprintf(cmd, sizeof cmd, "%s gen tests/data/stress/small.ini --out %s", util_bin(), trace);
    cr_assert_eq(util_shell(cmd, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(trace, "a");
    cr_assert(f);
    fputs("1.0,zz,abc\n", f);
    fclose(f);
    snprintf(set_trace, sizeof set_trace, "workload.trace=%s", trace);
    const char *sets[] = {"workload.source=trace", set_trace};
    snprintf(cmd, sizeof cmd,
             "%s stress tests/data/stress/small.ini --seeds 3 --jobs 2 --set %s --set %s", util_bin(),
             sets[0], sets[1]);
    cr_assert_eq(util_shell(cmd, err, sizeof err), 2, "%s: %s", cmd, err);

    config_t c;
    load_with(&c, sets, 2);
    char *line = err, msg[2048] = "";
    for (size_t i = 0; i < 3; i++) {
        stress_result r;
        result_of(&c, i, &r);
        char head[128], want[8192];
        snprintf(head, sizeof head, "sluice stress: seed %llu failed: ",
                 (unsigned long long)r.seed);
        cr_assert(!strncmp(line, head, strlen(head)), "seed %llu: got %s",
                  (unsigned long long)r.seed, line);
        char *nl = strchr(line, '\n');
        cr_assert(nl);
        if (i == 0)
            snprintf(msg, sizeof msg, "%.*s", (int)(nl - line - strlen(head)), line + strlen(head));
        cr_assert(strstr(msg, "t.csv:") && strstr(msg, "missing column"), "%s", msg);
        cr_assert_eq(stress_replay_command(util_bin(), "tests/data/stress/small.ini", sets, 2, &r, want,
                                           sizeof want),
                     0);
        line = nl + 1;
        cr_assert(!strncmp(line, "  replay: ", 10), "%s", line);
        line += 10;
        nl = strchr(line, '\n');
        cr_assert(nl);
        cr_assert(strlen(want) == (size_t)(nl - line) && !strncmp(line, want, strlen(want)),
                  "printed %.*s\nwanted  %s", (int)(nl - line), line, want);
        if (i == 0) {
            char run[8192 + 700], out[600], rerr[4096];
            snprintf(out, sizeof out, "%s/out", dir);
            snprintf(run, sizeof run, "%s --out %s", want, out);
            cr_assert_eq(util_shell(run, rerr, sizeof rerr), 2, "%s: %s", run, rerr);
            cr_assert(strstr(rerr, msg), "replay said %s, stress said %s", rerr, msg);
            struct stat st;
            cr_assert_neq(stat(out, &st), 0, "a failed replay left %s", out);
        }
        line = nl + 1;
    }
    cr_assert_eq(*line, 0, "more output: %s", line);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
