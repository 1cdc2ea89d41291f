/*
 * test_explain.c: sluice explain (output/explain.h, the hooks of
 * engine/context.h): golden narrations of small runs (tests/data/explain:
 * a windowed stream run with EARLY, ON_TIME and LATE panes, a clean-up
 * and a drop; sessions that merge and a drop; a crash and replay
 * at-least-once and exactly-once; batch and micro-batch with a crash;
 * micro-batch in update mode; window type none), every rule that fires a pane or drops an
 * event present in some golden file, the filters and the limit, and the
 * recording leaving the run's results unchanged.
 * SLUICE_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"
#include "output/explain.h"
#include "run/sim.h"
#include "util.h"

static const char *const cases[] = {"windowed", "session", "crash_alo", "crash_eo", "batch",
                                    "update",   "none"};
#define NCASES (sizeof cases / sizeof cases[0])

static char *slurp_or_null(const char *path)
{
    size_t len;
    return util_slurp(path, &len);
}

/* Compares text with tests/golden/NAME (or rewrites it). */
static void check_golden(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/%s", name);
    if (getenv("SLUICE_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f, "cannot write %s", path);
        fputs(text, f);
        fclose(f);
        return;
    }
    char *want = slurp_or_null(path);
    cr_assert_not_null(want, "missing golden file %s (run from the top folder)", path);
    cr_assert_str_eq(text, want, "%s differs from its golden file", path);
    free(want);
}

static char *explain_of(const char *name, const char *opts)
{
    char args[512];
    snprintf(args, sizeof args, "explain tests/data/explain/%s.ini %s", name, opts);
    return util_sluice_output(args);
}

Test(explain, golden_text)
{
    for (size_t i = 0; i < NCASES; i++) {
        char *got = explain_of(cases[i], "--limit 0");
        char gname[64];
        snprintf(gname, sizeof gname, "explain_%s.txt", cases[i]);
        check_golden(gname, got);
        free(got);
    }
}

Test(explain, golden_csv)
{
    char *got = explain_of("windowed", "--limit 0 --format csv");
    cr_assert(strncmp(got, "time,executor,kind,key,window_start,window_end,detail,rule\n", 59) == 0);
    check_golden("explain_windowed.csv", got);
    free(got);
}

/* Every rule that can fire a pane or drop an event, in some golden file
 * (the built-in trigger leaves nothing for the clean-up's LATE pane, so
 * that rule cannot fire with it). */
Test(explain, every_rule_appears)
{
    static const char *const rules[] = {
        /* stream panes */
        "EARLY pane", "early_delay 30 s of processing time after the first element",
        "ON_TIME pane", "the watermark 130 reached the end 120 of [0, 120)",
        "LATE pane", "a late element within allowed lateness",
        /* stream drops: fixed windows and sessions */
        "window end 120 + allowed lateness 120 = 240 <= watermark 240",
        "its session [60, 100): end 100 + allowed lateness 40 = 140 <= watermark 240",
        /* batch and micro-batch panes and drops */
        "BATCH pane", "final: the job's threshold (due - cutoff) reached the end",
        "final: the batch's watermark reached the end", "restatement (late_policy restate)",
        "update mode: changed since the last trigger", "the event-time bound it is judged by",
        /* faults */
        "shown again", "exactly-once: panes staged since the last checkpoint become visible",
        "replay from offset 3", "the killed job runs again", "session [10, 50) merges into",
        "state cleared", "EARLY timer set for 45", "ON_TIME record pane", "microbatch record pane",
    };
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    cr_assert_not_null(m);
    for (size_t i = 0; i < NCASES; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/golden/explain_%s.txt", cases[i]);
        char *t = slurp_or_null(path);
        cr_assert_not_null(t, "missing %s", path);
        fputs(t, m);
        free(t);
    }
    fclose(m);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        cr_expect(strstr(all, rules[i]) != NULL, "no golden narration has \"%s\"", rules[i]);
    free(all);
}

/* Counts the lines of text that start a line of the account (not a rule
 * line), and checks that every such line satisfies ok. */
static size_t account_lines(const char *text, int (*ok)(const char *line))
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)k, p);
        if (!strstr(line, " rule: ") && strncmp(line, "...", 3) != 0) {
            n++;
            if (ok)
                cr_expect(ok(line), "unexpected line: %s", line);
        }
        p += k + (e != NULL);
    }
    return n;
}

static int not_key0(const char *l) { return strstr(l, "key 0 ") == NULL; }
static int window_120_or_none(const char *l)
{
    return strstr(l, "[0, 120)") == NULL && strstr(l, "[240, 360)") == NULL;
}
static int from_200_to_300(const char *l)
{
    double t = strtod(l, NULL);
    return t >= 200 && t <= 300;
}

Test(explain, filters_and_limit)
{
    char *all = explain_of("windowed", "--limit 0");
    size_t n = account_lines(all, NULL);
    cr_assert_gt(n, 20);
    char *k1 = explain_of("windowed", "--limit 0 --key 1");
    cr_assert_gt(account_lines(k1, not_key0), 3);
    cr_assert(strstr(k1, "key 1 EARLY pane #0 of [120, 240)"));
    char *w = explain_of("windowed", "--limit 0 --window 120");
    cr_assert_gt(account_lines(w, window_120_or_none), 3);
    char *ft = explain_of("windowed", "--limit 0 --from 200 --to 300");
    cr_assert_gt(account_lines(ft, from_200_to_300), 3);
    char *lim = explain_of("windowed", "--limit 5");
    cr_assert_eq(account_lines(lim, NULL), 5);
    char want[128];
    snprintf(want, sizeof want, "... %zu more lines left out (--limit 5;", n - 5);
    cr_assert(strstr(lim, want), "no '%s' in:\n%s", want, lim);
    /* the default limit is 200: this small run is whole */
    char *def = explain_of("windowed", "");
    cr_assert_str_eq(def, all);
    free(all);
    free(k1);
    free(w);
    free(ft);
    free(lim);
    free(def);
}

Test(explain, bad_options)
{
    char err[1024];
    cr_assert_eq(util_sluice("explain tests/data/explain/windowed.ini --format xml", err, sizeof err), 2);
    cr_assert(strstr(err, "--format is text or csv"));
    cr_assert_eq(util_sluice("explain tests/data/explain/windowed.ini --executor batch", err, sizeof err), 2);
    cr_assert(strstr(err, "not one of the run's executors"), "%s", err);
    cr_assert_eq(util_sluice("explain tests/data/explain/windowed.ini --from soon", err, sizeof err), 2);
}

/* The log on its own: the filter, the limit and what it counts. */
Test(explain, log_filter)
{
    explain_filter f = explain_filter_all();
    f.key = 3;
    f.limit = 2;
    explain_log *x = explain_alloc(&f);
    cr_assert_not_null(x);
    sim_explain_line l = {1, "stream", "event", 3, 0, 60, "a", "r"};
    explain_record(x, &l);
    l.key = 4; /* another key: not kept, not counted */
    explain_record(x, &l);
    l.key = -1; /* no key: context, kept */
    l.rule = "";
    explain_record(x, &l);
    l.key = 3; /* over the limit: counted */
    explain_record(x, &l);
    cr_assert_eq(explain_lines(x), 2);
    cr_assert_eq(explain_left_out(x), 1);
    cr_assert_eq(explain_line(x, 1)->key, -1);
    char *csv = explain_format(x, 1);
    cr_assert_str_eq(csv, "time,executor,kind,key,window_start,window_end,detail,rule\n"
                          "1,stream,event,3,0,60,a,r\n1,stream,event,,0,60,a,\n");
    free(csv);
    explain_free(x);
}

/* Recording changes nothing the run writes. */
Test(explain, results_unchanged)
{
    config_t c;
    char err[2048];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, "tests/data/explain/crash_eo.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "run.executors=batch,microbatch,stream", err, sizeof err), CFG_OK);
    char a[256], b[256];
    util_tmpdir(a, sizeof a);
    util_tmpdir(b, sizeof b);
    explain_filter f = explain_filter_all();
    explain_log *x = explain_alloc(&f);
    sim_options on = {.explain = explain_record, .explain_user = x};
    cr_assert_eq(sim_run_opts(&c, a, &on, NULL, err, sizeof err), SIM_OK, "%s", err);
    cr_assert_eq(sim_run(&c, b, NULL, err, sizeof err), SIM_OK, "%s", err);
    cr_assert_gt(explain_lines(x), 100);
    static const char *const files[] = {"summary.csv", "panes.csv", "windows.csv", "faults.csv",
                                        "timeline.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t la, lb;
        char *fa = util_slurp_in(a, files[i], &la), *fb = util_slurp_in(b, files[i], &lb);
        cr_assert(fa && fb);
        cr_expect_str_eq(fa, fb, "%s differs with explain on", files[i]);
        free(fa);
        free(fb);
    }
    explain_free(x);
    util_rm_rf(a);
    util_rm_rf(b);
}

/* report.html of a small run: the animation and the narration of its
 * first telling window (stream, key 0, [0, 120): EARLY, ON_TIME and LATE
 * panes), still well-formed XHTML. */
Test(explain, report_explains_small_runs, .timeout = 120)
{
    char dir[256], args[1024], err[1024];
    util_tmpdir(dir, sizeof dir);
    snprintf(args, sizeof args,
             "run tests/data/explain/windowed.ini --set run.executors=batch,microbatch,stream "
             "--out %s --force",
             dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "report %s", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t len;
    char *html = util_slurp_in(dir, "report.html", &len);
    cr_assert_not_null(html);
    cr_expect(strstr(html, "<h2 id=\"explain\">"));
    cr_expect(strstr(html, "id=\"sluice-anim\""));
    cr_expect(strstr(html, "What happened to stream, key 0, window [0, 120) and why"));
    cr_expect(strstr(html, "key 0 LATE pane #4 of [0, 120)"));
    cr_expect(strstr(html, "key 0 ON_TIME pane #3 of [0, 120)"));
    cr_expect(strstr(html, "data-executor=\"batch\"") && strstr(html, "data-executor=\"stream\""));
    free(html);
    snprintf(args, sizeof args, "xmllint --noout --nonet %s/report.html", dir);
    cr_expect_eq(util_shell(args, err, sizeof err), 0, "report.html is not well-formed: %s", err);
    util_rm_rf(dir);
}
