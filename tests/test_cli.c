/*
 * test_cli.c: the `sluice` command line end to end: exit statuses,
 * file:line messages, results renamed into place atomically, determinism
 * (same config and seed give byte-identical files) and trace replay
 * (generate, export, replay: identical results).
 *
 * The binary under test is $SLUICE_BIN (the Makefile sets it; the ASan
 * pass points it at the sanitized build).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void assert_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = util_slurp(a, &la), *y = util_slurp(b, &lb);
    cr_assert(x, "missing %s", a);
    cr_assert(y, "missing %s", b);
    cr_assert(la > 0, "%s is empty", a);
    cr_assert(la == lb && memcmp(x, y, la) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

Test(cli, usage_errors_exit_2)
{
    char err[8192];
    cr_expect_eq(util_sluice("", err, sizeof err), 2);
    cr_expect(strstr(err, "usage: sluice"), "usage on stderr, got: %s", err);
    cr_expect_eq(util_sluice("frobnicate", err, sizeof err), 2);
    cr_expect(strstr(err, "unknown command 'frobnicate'"), "got: %s", err);
    cr_expect_eq(util_sluice("run --bogus x.ini", err, sizeof err), 2);
    cr_expect(strstr(err, "unknown option"), "got: %s", err);
    cr_expect_eq(util_sluice("run", err, sizeof err), 2);
    cr_expect(strstr(err, "missing CONFIG"), "got: %s", err);
    cr_expect_eq(util_sluice("gen tests/data/cli/small.ini", err, sizeof err), 2);
    cr_expect(strstr(err, "--out"), "got: %s", err);
}

Test(cli, help_and_version)
{
    char err[4096];
    cr_expect_eq(util_sluice("--help", err, sizeof err), 0);
    cr_expect_eq(util_sluice("run --help", err, sizeof err), 0);
    cr_expect_eq(util_sluice("gen --help", err, sizeof err), 0);
    cr_expect_eq(util_sluice("config --defaults", err, sizeof err), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s --version", util_bin());
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    char line[256] = {0};
    cr_assert(fgets(line, sizeof line, p));
    cr_expect_eq(pclose(p), 0);
    cr_expect(strncmp(line, "sluice ", 7) == 0, "got: %s", line);
}

Test(cli, bad_config_line_is_file_line_message)
{
    char err[4096];
    cr_expect_eq(util_sluice("run tests/data/cli/bad_key.ini --out /tmp/sluice_never", err, sizeof err), 2);
    cr_expect(strncmp(err, "tests/data/cli/bad_key.ini:4: ", 30) == 0, "got: %s", err);
    cr_expect(strstr(err, "rate"), "did you mean rate? got: %s", err);
    struct stat st;
    cr_expect(stat("/tmp/sluice_never", &st) != 0, "no results folder for a bad config");
    cr_expect_eq(util_sluice("run tests/data/cli/no_such.ini", err, sizeof err), 2);
    cr_expect(strstr(err, "tests/data/cli/no_such.ini"), "got: %s", err);
    cr_expect_eq(util_sluice("run tests/data/cli/small.ini --set window.size=abc", err, sizeof err), 2);
    cr_expect(strstr(err, "--set window.size"), "got: %s", err);
}

Test(cli, failed_run_keeps_previous_results)
{
    char d[64], out[128], marker[160], args[512], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s", out);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(marker, sizeof marker, "%s/summary.csv", out);
    size_t n1 = 0;
    char *before = util_slurp(marker, &n1);
    cr_assert(before && n1 > 0);
    /* A bad trace path fails after the folder was prepared. */
    snprintf(args, sizeof args,
             "run tests/data/cli/small.ini --out %s --set workload.source=trace "
             "--set workload.trace=%s/missing.csv",
             out, d);
    cr_expect_eq(util_sluice(args, err, sizeof err), 2);
    size_t n2 = 0;
    char *after = util_slurp(marker, &n2);
    cr_expect(after && n1 == n2 && memcmp(before, after, n1) == 0,
              "previous results must survive a failed run");
    cr_expect_eq(util_count_entries(d, ".tmp."), 0, "no temporary folder left behind");
    free(before);
    free(after);
    util_rm_rf(d);
}

Test(cli, same_seed_byte_identical)
{
    static const char *files[] = {"summary.csv", "panes.csv",  "timeline.csv", "windows.csv",
                                  "latency.csv", "faults.csv", "events.csv",   "config.ini"};
    char d[64], args[512], a[256], b[256], err[4096];
    util_tmpdir(d, sizeof d);
    for (int r = 0; r < 2; r++) {
        snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s/r%d --set faults.crash_times=40,70", d, r);
        int st = util_sluice(args, err, sizeof err);
        cr_assert(st == 0 || st == 1, "run failed: %s", err);
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(a, sizeof a, "%s/r0/%s", d, files[i]);
        snprintf(b, sizeof b, "%s/r1/%s", d, files[i]);
        assert_same_file(a, b);
    }
    /* A different seed gives a different run. */
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s/r2 --seed 8 --set faults.crash_times=40,70", d);
    int st = util_sluice(args, err, sizeof err);
    cr_assert(st == 0 || st == 1, "%s", err);
    size_t la, lb;
    snprintf(a, sizeof a, "%s/r0/events.csv", d);
    snprintf(b, sizeof b, "%s/r2/events.csv", d);
    char *x = util_slurp(a, &la), *y = util_slurp(b, &lb);
    cr_expect(la != lb || memcmp(x, y, la) != 0, "seed 8 must differ from seed 7");
    free(x);
    free(y);
    util_rm_rf(d);
}

Test(cli, generated_and_replayed_trace_give_identical_results)
{
    static const char *files[] = {"summary.csv", "panes.csv", "timeline.csv",
                                  "windows.csv", "latency.csv", "events.csv"};
    char d[64], args[768], a[256], b[256], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(args, sizeof args, "gen tests/data/cli/small.ini --out %s/trace.csv", d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s/gen", d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args,
             "run tests/data/cli/small.ini --out %s/replay --set workload.source=trace "
             "--set workload.trace=%s/trace.csv",
             d, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(a, sizeof a, "%s/gen/%s", d, files[i]);
        snprintf(b, sizeof b, "%s/replay/%s", d, files[i]);
        assert_same_file(a, b);
    }
    util_rm_rf(d);
}

Test(cli, results_folder_has_normal_permissions)
{
    char d[64], args[512], out[128], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s", out);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    cr_expect_eq(st.st_mode & 0777, 0777 & ~mask, "mode %o, not the private mode of mkdtemp",
                 (unsigned)(st.st_mode & 0777));
    util_rm_rf(d);
}

/* A rule between keys (model/config.c, the one place for them) is refused
 * before any output exists: the file, both keys and their values, exit 2,
 * whether the run's command line or the config broke it. */
Test(cli, cross_key_rule_is_refused_before_any_output)
{
    char d[64], args[512], out[128], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args,
             "run tests/data/cli/small.ini --out %s --set stream.checkpoint_interval=10 "
             "--set stream.checkpoint_cost=20",
             out);
    cr_expect_eq(util_sluice(args, err, sizeof err), 2);
    cr_expect_str_eq(err, "tests/data/cli/small.ini: stream.checkpoint_cost = 20 must be < "
                          "stream.checkpoint_interval = 10\n");
    cr_expect(!util_exists(out), "no results folder for a refused config");
    cr_expect_eq(util_count_entries(d, ".tmp."), 0, "no temporary folder either");
    util_rm_rf(d);
}
