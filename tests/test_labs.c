/*
 * The lab graders (tests/labs/, `make lab-grade`): each passes the
 * instructors' reference solution and fails each deliberately broken
 * policy (tests/labs/broken/) on the property it breaks, with the line that
 * tells the student why.  The graders' objects are built by `make check`
 * (LAB_OBJ in the Makefile) before this suite runs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Runs the grader of lab on src; *out gets its output (malloc'd). */
static int grade(const char *lab, const char *src, char **out)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sh tests/labs/grade.sh %s %s 2>&1", lab, src);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run %s", cmd);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    cr_assert(buf);
    size_t k;
    while ((k = fread(buf + len, 1, cap - 1 - len, p)) > 0) {
        len += k;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
    }
    buf[len] = 0;
    int st = pclose(p);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* src fails: exit status 1, and a FAIL line of `property` containing `why`. */
static void fails_with(const char *lab, const char *src, const char *property, const char *why)
{
    char *out, pat[128];
    int rc = grade(lab, src, &out);
    cr_expect_eq(rc, 1, "%s: exit %d, expected 1:\n%s", src, rc, out);
    snprintf(pat, sizeof pat, "FAIL  %s", property);
    const char *l = strstr(out, pat);
    cr_expect(l, "%s: no '%s' line:\n%s", src, pat, out);
    if (l) {
        const char *eol = strchr(l, '\n');
        size_t n = eol ? (size_t)(eol - l) : strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), l);
        cr_expect(strstr(line, why), "%s: '%s' does not say '%s'", src, line, why);
    }
    free(out);
}

static void passes(const char *lab, const char *src)
{
    char *out;
    int rc = grade(lab, src, &out);
    cr_expect_eq(rc, 0, "%s: exit %d:\n%s", src, rc, out);
    cr_expect(strstr(out, "checks passed") && !strstr(out, "FAIL"), "%s:\n%s", src, out);
    free(out);
}

Test(labs, watermark_reference_passes, .timeout = 120) {
    passes("watermark", "workloads/labs/09-watermark/instructors/reference.c");
}
Test(labs, watermark_backwards_fails, .timeout = 120) {
    fails_with("watermark", "tests/labs/broken/wm_backwards.c", "never backwards", "after");
}
Test(labs, watermark_never_advancing_fails, .timeout = 120) {
    fails_with("watermark", "tests/labs/broken/wm_never.c", "advances", "lags by more than");
    fails_with("watermark", "tests/labs/broken/wm_never.c", "latency", "lags far behind");
}
Test(labs, watermark_too_eager_fails, .timeout = 120) {
    fails_with("watermark", "tests/labs/broken/wm_eager.c", "completeness", "runs ahead");
}
Test(labs, watermark_wall_clock_fails_the_outage, .timeout = 120) {
    fails_with("watermark", "tests/labs/broken/wm_wallclock.c", "completeness", "outage:");
}
Test(labs, watermark_that_never_lets_the_run_end_is_stopped, .timeout = 120) {
    fails_with("watermark", "tests/labs/broken/wm_nonstop.c", "run ends", "next_change()");
}
Test(labs, watermark_skeleton_fails_until_filled_in, .timeout = 120) {
    fails_with("watermark", "workloads/labs/09-watermark/my_watermark.c", "advances", "-inf");
}
Test(labs, trigger_reference_passes, .timeout = 120) {
    passes("trigger", "workloads/labs/10-trigger/instructors/reference.c");
}
Test(labs, trigger_skeleton_fails_the_count_rule, .timeout = 120) {
    fails_with("trigger", "workloads/labs/10-trigger/my_trigger.c", "fires every N",
               "expected FIRE");
}
Test(labs, trigger_firing_always_fails, .timeout = 120) {
    fails_with("trigger", "tests/labs/broken/trig_always.c", "fires every N", "expected CONTINUE");
}
Test(labs, trigger_without_timer_fails, .timeout = 120) {
    fails_with("trigger", "tests/labs/broken/trig_no_timer.c", "timer after first",
               "now + early_delay");
    fails_with("trigger", "tests/labs/broken/trig_no_timer.c", "late pane per element",
               "LATE pane");
}
Test(labs, a_file_with_warnings_fails_to_build) {
    char dir[256], src[300], *out;
    util_tmpdir(dir, sizeof dir);
    snprintf(src, sizeof src, "%s/warn.c", dir);
    FILE *f = fopen(src, "w");
    cr_assert(f);
    fputs("#include \"model/trigger.h\"\nstatic int unused;\n", f);
    fclose(f);
    int rc = grade("trigger", src, &out);
    cr_expect_eq(rc, 1);
    cr_expect(strstr(out, "FAIL  builds without warnings"), "%s", out);
    free(out);
    util_rm_rf(dir);
}

/* build/labs/answers (make check-labs): a stale number is caught and named,
 * --update rewrites it, and a marker sluice cannot answer is an error. */
Test(labs, answers_catch_a_stale_number, .timeout = 120) {
    char dir[256], sheet[300], cmd[1024], err[4096], cwd[512];
    cr_assert(getcwd(cwd, sizeof cwd));
    util_tmpdir(dir, sizeof dir);
    snprintf(sheet, sizeof sheet, "%s/ANSWERS.md", dir);
    FILE *f = fopen(sheet, "w");
    cr_assert(f);
    fprintf(f, "<!--run a: run %s/workloads/labs/00-getting-started/first.ini -->\n"
               "events `1`<!--= a summary.csv executor=stream events %%.0f-->\n", cwd);
    fclose(f);
    snprintf(cmd, sizeof cmd, "SLUICE_BIN=%s build/labs/answers --check %s", util_bin(), sheet);
    cr_expect_eq(util_shell(cmd, err, sizeof err), 1, "%s", err);
    cr_expect(strstr(err, "ANSWERS.md:2: the sheet says 1, sluice now gives 12090"), "%s", err);
    snprintf(cmd, sizeof cmd, "SLUICE_BIN=%s build/labs/answers --update %s", util_bin(), sheet);
    cr_expect_eq(util_shell(cmd, err, sizeof err), 0, "%s", err);
    size_t len;
    char *text = util_slurp(sheet, &len);
    cr_expect(text && strstr(text, "events `12090`<!--="), "%s", text ? text : "");
    free(text);
    f = fopen(sheet, "a");
    cr_assert(f);
    fprintf(f, "x `1`<!--= a summary.csv executor=stream no_such_column %%.0f-->\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "SLUICE_BIN=%s build/labs/answers --check %s", util_bin(), sheet);
    cr_expect_eq(util_shell(cmd, err, sizeof err), 2, "%s", err);
    cr_expect(strstr(err, "ANSWERS.md:3: no such column: no_such_column"), "%s", err);
    util_rm_rf(dir);
}
