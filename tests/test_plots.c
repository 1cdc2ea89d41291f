/*
 * Tests of what the plots draw (not their pixels): the windows the pane
 * timeline picks (output/panepick.h), on hand-made folders with known
 * answers and on the shipped workloads' own output.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "output/panepick.h"
#include "util.h"

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Runs workloads/NAME.ini into a fresh folder (buf) and picks 3 windows. */
static int run_and_pick(const char *name, char *dir, size_t n, panepick_window *w)
{
    util_tmpdir(dir, n);
    char args[4200], err[4096];
    snprintf(args, sizeof args, "run workloads/%s.ini --out %s/run --force", name, dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "sluice %s: %s", args, err);
    strcat(dir, "/run");
    int got = panepick_choose(dir, w, 3, err, sizeof err);
    cr_assert_geq(got, 0, "panepick_choose: %s", err);
    return got;
}

static unsigned kinds_of(const panepick_window *w, int n)
{
    unsigned k = 0;
    for (int i = 0; i < n; i++)
        k |= w[i].kinds;
    return k;
}

/* The picks are distinct intervals, in time order, each with panes. */
static void assert_well_formed(const panepick_window *w, int n)
{
    for (int i = 0; i < n; i++) {
        cr_assert_neq(w[i].kinds, 0u, "pick %d has no panes", i);
        for (int j = 0; j < i; j++)
            cr_assert(!(w[i].start == w[j].start && w[i].end == w[j].end),
                      "picks %d and %d are the same window [%g, %g)", j, i, w[i].start,
                      w[i].end);
        if (i > 0)
            cr_assert(w[i - 1].start <= w[i].start, "picks out of time order");
    }
}

static const char windows_head[] =
    "executor,key,window_start,window_end,truth_count,truth_sum,first_count,first_sum,"
    "first_emit,ontime_count,final_count,final_sum,final_emit,panes\n";
static const char panes_head[] =
    "executor,key,window_start,window_end,pane,timing,emit_time,count,sum,duplicate\n";

Test(plots, pane_picks_cover_every_kind_in_time_order)
{
    char dir[4096];
    util_tmpdir(dir, sizeof dir);
    /* window [0,60) of keys 0..2 has many panes, but only ON_TIME ones (the
     * old rule, most panes, took three copies of it); [60,120) has the
     * LATE pane, [120,180) the EARLY one and [180,240) the BATCH one */
    char w[2048];
    snprintf(w, sizeof w,
             "%s"
             "stream,0,0,60,10,10,5,5,60,5,10,10,70,9\n"
             "stream,1,0,60,10,10,5,5,60,5,10,10,70,9\n"
             "stream,2,0,60,10,10,5,5,60,5,10,10,70,9\n"
             "stream,0,60,120,10,10,9,9,120,9,10,10,130,2\n"
             "stream,0,120,180,10,10,4,4,150,10,10,10,180,2\n"
             "batch,0,180,240,10,10,10,10,300,10,10,10,300,1\n",
             windows_head);
    write_file(dir, "windows.csv", w);
    write_file(dir, "panes.csv",
               "executor,key,window_start,window_end,pane,timing,emit_time,count,sum,duplicate\n"
               "stream,0,0,60,0,ON_TIME,60,5,5,0\n"
               "stream,1,0,60,0,ON_TIME,60,5,5,0\n"
               "stream,2,0,60,0,ON_TIME,60,5,5,0\n"
               "stream,0,60,120,0,ON_TIME,120,9,9,0\n"
               "stream,0,60,120,1,LATE,130,10,10,0\n"
               "stream,0,120,180,0,EARLY,150,4,4,0\n"
               "stream,0,120,180,1,ON_TIME,180,10,10,0\n"
               "batch,0,180,240,0,BATCH,300,10,10,0\n");
    panepick_window p[3];
    char err[256];
    int got = panepick_choose(dir, p, 3, err, sizeof err);
    cr_assert_eq(got, 3, "%d: %s", got, err);
    assert_well_formed(p, got);
    /* greedy: [60,120) and [120,180) bring two kinds each, [180,240) the
     * fourth; [0,60) adds nothing */
    cr_assert_eq(kinds_of(p, got),
                 (unsigned)(PANEPICK_EARLY | PANEPICK_ON_TIME | PANEPICK_LATE | PANEPICK_BATCH));
    cr_assert_eq(p[0].start, 60.0);
    cr_assert_eq(p[1].start, 120.0);
    cr_assert_eq(p[2].start, 180.0);
    cr_assert_eq(p[0].climb, 1, "final 10 - on time 9");
    util_rm_rf(dir);
}

Test(plots, pane_picks_never_repeat_an_interval)
{
    char dir[4096];
    util_tmpdir(dir, sizeof dir);
    char w[1024], pn[1024];
    snprintf(w, sizeof w,
             "%sstream,0,0,60,5,5,5,5,60,5,5,5,60,1\nstream,1,0,60,5,5,5,5,60,5,5,5,60,1\n",
             windows_head);
    snprintf(pn, sizeof pn,
             "%sstream,0,0,60,0,ON_TIME,60,5,5,0\nstream,1,0,60,0,ON_TIME,60,5,5,0\n",
             panes_head);
    write_file(dir, "windows.csv", w);
    write_file(dir, "panes.csv", pn);
    panepick_window p[3];
    char err[256];
    cr_assert_eq(panepick_choose(dir, p, 3, err, sizeof err), 1, "one interval: one pick");
    cr_assert_eq(p[0].key, 0u, "ties go to the first key");
    util_rm_rf(dir);
}

Test(plots, pane_picks_prefer_windows_before_the_last)
{
    char dir[4096];
    util_tmpdir(dir, sizeof dir);
    char w[1024], pn[1024];
    snprintf(w, sizeof w,
             "%sstream,0,0,60,5,5,5,5,60,5,5,5,60,1\nstream,0,60,120,5,5,5,5,900,5,5,5,900,1\n",
             windows_head);
    snprintf(pn, sizeof pn,
             "%sstream,0,60,120,0,ON_TIME,900,5,5,0\nstream,0,0,60,0,ON_TIME,60,5,5,0\n",
             panes_head);
    write_file(dir, "windows.csv", w);
    write_file(dir, "panes.csv", pn);
    panepick_window p[1];
    char err[256];
    cr_assert_eq(panepick_choose(dir, p, 1, err, sizeof err), 1);
    cr_assert_eq(p[0].start, 0.0, "the last window waits for the run's end");
    util_rm_rf(dir);
}

Test(plots, pane_picks_of_a_folder_without_panes_or_with_bad_ones)
{
    char dir[4096];
    util_tmpdir(dir, sizeof dir);
    panepick_window p[3];
    char err[256];
    cr_assert_eq(panepick_choose(dir, p, 3, err, sizeof err), 0, "no files: no picks");
    write_file(dir, "panes.csv", "executor,key,window_start\nstream,x,0\n");
    write_file(dir, "windows.csv", windows_head);
    cr_assert_eq(panepick_choose(dir, p, 3, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "panes.csv:"), "err names the file: %s", err);
    util_rm_rf(dir);
}

/* Golden checks on the shipped workloads (issue 17 item 4). */
Test(plots, late_data_pane_timeline_shows_late_panes, .timeout = 60)
{
    char dir[4096];
    panepick_window p[3];
    int got = run_and_pick("late_data", dir, sizeof dir, p);
    cr_assert_eq(got, 3);
    assert_well_formed(p, got);
    unsigned k = kinds_of(p, got);
    cr_assert(k & PANEPICK_LATE, "no LATE pane in the late-data lab's timeline");
    cr_assert(k & PANEPICK_EARLY);
    cr_assert(k & PANEPICK_ON_TIME);
    *strrchr(dir, '/') = 0;
    util_rm_rf(dir);
}

Test(plots, demo_pane_timeline_shows_every_kind, .timeout = 60)
{
    char dir[4096];
    panepick_window p[3];
    int got = run_and_pick("default", dir, sizeof dir, p);
    cr_assert_eq(got, 3);
    assert_well_formed(p, got);
    cr_assert_eq(kinds_of(p, got),
                 (unsigned)(PANEPICK_EARLY | PANEPICK_ON_TIME | PANEPICK_LATE | PANEPICK_BATCH),
                 "kinds shown: %#x", kinds_of(p, got));
    *strrchr(dir, '/') = 0;
    util_rm_rf(dir);
}

/* ---- the event-time diagram (issue 17 item 5) ---------------------------- */

/* The M/M/1 lab's watermarks.csv: change points, monotone, bounded in
 * number, and close to the arrivals (bound 5 s + the ~10 s mean sojourn),
 * not the timeline's 200 s samples. */
Test(plots, watermark_change_points_of_the_mm1_lab, .timeout = 60)
{
    char dir[4096], args[4200], err[4096];
    util_tmpdir(dir, sizeof dir);
    snprintf(args, sizeof args, "run workloads/mm1.ini --out %s/run --set run.duration=4000", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    char path[4200];
    snprintf(path, sizeof path, "%s/run/watermarks.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no watermarks.csv");
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "executor,time,watermark\n");
    double t0 = -1, w0 = -1e300, lag = 0;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        double t, w;
        cr_assert_eq(sscanf(line, "stream,%lf,%lf", &t, &w), 2, "row %s", line);
        cr_assert_gt(t, t0, "change points in time order");
        cr_assert_geq(w, w0, "the watermark never goes back");
        cr_assert_leq(w, t, "a watermark (no network delay) is behind the arrivals");
        lag += t - w;
        t0 = t;
        w0 = w;
        n++;
    }
    fclose(f);
    cr_assert_gt(n, 1000, "%d change points: the watermark moves with every event", n);
    cr_assert_leq(n, 4000 * 1.02, "%d: at most one per run.duration/4000 s", n);
    cr_assert_lt(lag / n, 25.0, "mean lag %g s", lag / n);
    util_rm_rf(dir);
}

static char *run_demo_plots(char *dir, size_t n, const char *zoom)
{
    char args[4400], err[4096];
    util_tmpdir(dir, n);
    snprintf(args, sizeof args, "run workloads/default.ini --out %s/run", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "plot %s/run %s", dir, zoom);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t len;
    char *svg = util_slurp_in(dir, "run/plots/event_time.svg", &len);
    cr_assert_not_null(svg);
    return svg;
}

/* A tic label of an SVG axis, as gnuplot writes it. */
static int has_tic(const char *svg, const char *label)
{
    char want[64];
    snprintf(want, sizeof want, "> %s</tspan>", label);
    return strstr(svg, want) != NULL;
}

Test(plots, event_time_legend_lists_only_lines_drawn, .timeout = 120)
{
    char dir[4096];
    char *svg = run_demo_plots(dir, sizeof dir, "");
    cr_assert_not_null(strstr(svg, ">watermark: stream<"));
    cr_assert_not_null(strstr(svg, ">watermark: micro-batch<"));
    cr_assert_null(strstr(svg, ">watermark: batch<"), "batch has no watermark line");
    cr_assert_not_null(strstr(svg, ">batch: no watermark (not drawn)<"));
    cr_assert_not_null(strstr(svg, ">crash 1"), "faults marked, numbered from 1");
    /* fitted: the demo's events arrive until about 1060 s, event times
     * stop at 600 s: no empty 1400 s axis */
    cr_assert(!has_tic(svg, "1400") && !has_tic(svg, "1200"), "axes fitted");
    cr_assert(has_tic(svg, "1000"), "x axis reaches the last arrival");
    free(svg);
    util_rm_rf(dir);
}

Test(plots, event_time_zooms_with_from_and_to, .timeout = 120)
{
    char dir[4096];
    char *svg = run_demo_plots(dir, sizeof dir, "--from 180 --to 300");
    cr_assert(has_tic(svg, "180") && has_tic(svg, "220") && has_tic(svg, "300"));
    cr_assert(!has_tic(svg, "400") && !has_tic(svg, "1000"), "nothing past --to");
    free(svg);
    util_rm_rf(dir);
}

/* ---- the figures lecturers expect (issue 17 item 6) ---------------------- */

/* Column col of executor's row of dir/summary.csv, as a number. */
static double summary_value(const char *dir, const char *executor, const char *col)
{
    size_t len;
    char *s = util_slurp_in(dir, "summary.csv", &len);
    cr_assert_not_null(s);
    char *save = NULL, *line = strtok_r(s, "\n", &save);
    int want = -1, i = 0;
    for (char *p = line; p; i++) {
        char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == strlen(col) && strncmp(p, col, l) == 0)
            want = i;
        p = c ? c + 1 : NULL;
    }
    cr_assert_geq(want, 0, "no column %s", col);
    double v = NAN;
    while ((line = strtok_r(NULL, "\n", &save))) {
        size_t el = strlen(executor);
        if (strncmp(line, executor, el) != 0 || line[el] != ',')
            continue;
        char *p = line;
        for (int k = 0; k < want && p; k++) {
            p = strchr(p, ',');
            p = p ? p + 1 : NULL;
        }
        cr_assert_not_null(p);
        v = strtod(p, NULL);
    }
    free(s);
    return v;
}

/* gnuplot's secs() of common.gp for values from 1 to 999 s */
static void secs(char *buf, size_t n, double x)
{
    snprintf(buf, n, "%.3g s", x);
}

Test(plots, latency_bars_time_split_and_recovery_timeline_of_the_demo, .timeout = 120)
{
    char dir[4096], run[4200], want[64], label[80];
    char *svg = run_demo_plots(dir, sizeof dir, "");
    free(svg);
    snprintf(run, sizeof run, "%s/run", dir);
    size_t len;
    /* each bar is labelled with its value from summary.csv */
    char *bars = util_slurp_in(run, "plots/latency_bars.svg", &len);
    cr_assert_not_null(bars);
    static const char *const pcols[] = {"lat_p50", "lat_p95", "lat_p99"};
    static const char *const ex[] = {"batch", "microbatch", "stream"};
    for (int e = 0; e < 3; e++)
        for (int k = 0; k < 3; k++) {
            double v = summary_value(run, ex[e], pcols[k]);
            cr_assert(v >= 1 && v < 1000, "%s %s = %g", ex[e], pcols[k], v);
            secs(want, sizeof want, v);
            snprintf(label, sizeof label, ">%s<", want);
            cr_assert_not_null(strstr(bars, label), "no bar label %s for %s %s", want, ex[e],
                               pcols[k]);
        }
    cr_assert_not_null(strstr(bars, ">p50 (median)<"));
    free(bars);
    /* the stacked bars' total is wait + work + hold */
    char *split = util_slurp_in(run, "plots/time_split.svg", &len);
    cr_assert_not_null(split);
    double tot = summary_value(run, "stream", "wait_mean") +
                 summary_value(run, "stream", "work_mean") +
                 summary_value(run, "stream", "hold_mean");
    secs(want, sizeof want, tot);
    snprintf(label, sizeof label, ">%s<", want);
    cr_assert_not_null(strstr(split, label), "no total %s on the stream bar", want);
    cr_assert_not_null(strstr(split, "held until visible (hold_mean)"));
    free(split);
    char *rt = util_slurp_in(run, "plots/recovery_timeline.svg", &len);
    cr_assert_not_null(rt);
    cr_assert_not_null(strstr(rt, ">restoring until resumed<"));
    cr_assert_not_null(strstr(rt, ">catching up<"));
    cr_assert_null(strstr(rt, "No crash in this run"), "the demo has crashes");
    free(rt);
    util_rm_rf(dir);
}

/* ---- sweeps (issue 17 item 7) ------------------------------------------- */

/* Writes dir/NAME.sweep: a zip sweep of batch and micro-batch intervals
 * over tests/data/cli/small.ini, with the given marks line. */
static void write_zip_sweep(const char *dir, const char *name, const char *marks)
{
    char cwd[2048], text[4096], file[64];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "[sweep]\nbase = %s/tests/data/cli/small.ini\nreplications = 2\nmode = zip\n"
             "metrics = lat_mean\nbatch.interval = 10, 20, 40\nmicrobatch.interval = 1, 2, 4\n"
             "marks = %s\n",
             cwd, marks);
    snprintf(file, sizeof file, "%s.sweep", name);
    write_file(dir, file, text);
}

Test(plots, zip_sweep_plots_name_every_key_and_marks_in_words_and_get_a_report, .timeout = 120)
{
    char dir[4096], args[8300], err[4096];
    util_tmpdir(dir, sizeof dir);
    write_zip_sweep(dir, "zip", "15 \"fifteen seconds\", 30 thirty");
    snprintf(args, sizeof args, "sweep %s/zip.sweep --out %s/out --jobs 2", dir, dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "plot %s/out", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t len;
    char *svg = util_slurp_in(dir, "out/plots/sweep_lat_mean.svg", &len);
    cr_assert_not_null(svg);
    cr_assert_not_null(strstr(svg, ">fifteen seconds<"), "a mark labelled in words");
    cr_assert_not_null(strstr(svg, ">thirty<"));
    cr_assert_not_null(strstr(svg, "batch.interval (s); with it: microbatch.interval"),
                       "both swept keys on the x axis");
    cr_assert_not_null(strstr(svg, "mean visibility latency (s; mean, 95% CI)"),
                       "the y label in words with its unit");
    free(svg);
    /* sluice report SWEEPDIR: the plots with captions and the table */
    snprintf(args, sizeof args, "report %s/out", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    char *md = util_slurp_in(dir, "out/report.md", &len);
    cr_assert_not_null(md);
    cr_assert_not_null(strstr(md, "# sluice sweep report: lat_mean against batch.interval\n"));
    cr_assert_not_null(strstr(md, "![lat_mean](plots/sweep_lat_mean.png)"));
    cr_assert_not_null(strstr(md, "*What it shows:* Mean visibility latency: "));
    cr_assert_not_null(strstr(md, "a zip sweep). Marked: fifteen seconds at 15, thirty at 30."));
    cr_assert_not_null(strstr(md, "| batch.interval | microbatch.interval | executor | "
                                  "lat_mean (s) |"));
    cr_assert_not_null(strstr(md, "\n| 40 | 4 | stream | "), "a row per point and executor");
    free(md);
    char *html = util_slurp_in(dir, "out/report.html", &len);
    cr_assert_not_null(html);
    const char *fig = strstr(html, "<figure id=\"plot-sweep_lat_mean\">");
    cr_assert_not_null(fig);
    cr_assert_not_null(strstr(fig, "<svg"), "the plot is inlined");
    cr_assert_null(strstr(html, "Plot missing"));
    free(html);
    /* unquoted, a label is one word */
    write_zip_sweep(dir, "bad", "15 two words");
    snprintf(args, sizeof args, "sweep %s/bad.sweep --out %s/bad --jobs 1", dir, dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "words in double quotes"), "%s", err);
    util_rm_rf(dir);
}
