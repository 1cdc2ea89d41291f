/*
 * Tests of output/plot.c (gnuplot scripts in reports/) and output/report.c.
 *
 * The fixture tests/data/run_fixture/ is a run folder in the exact output
 * formats (3 executors, 2 crashes; made by gen.py there).  Each test
 * copies it into a fresh temporary folder, so tests can run in parallel.
 * External checkers: xmllint (well-formed SVG / XHTML) and headless
 * Chromium (the report renders, not blank); both are installed by
 * `make deps-test`.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/plot.h"
#include "output/report.h"

#define FIXTURE "tests/data/run_fixture"
#define REPORTS "reports"
#define GOLDEN_MD "tests/golden/report.md"

static const char *const fixture_files[] = {"summary.csv", "panes.csv",  "timeline.csv",
                                            "windows.csv", "latency.csv", "faults.csv",
                                            "events.csv",  "config.ini"};
#define NFIX (sizeof fixture_files / sizeof fixture_files[0])

/* ---- helpers ----------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len)
            *len = n;
    }
    return buf;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Copies the fixture into a new temporary folder (path into dir, n
 * bytes), optionally under a name with awkward characters. */
static void make_run_dir(char *dir, size_t n, const char *leaf)
{
    char tmpl[] = "/tmp/sluice-report-test-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
    if (leaf) {
        snprintf(dir, n, "%s/%s", tmpl, leaf);
        cr_assert_eq(mkdir(dir, 0755), 0, "mkdir %s: %s", dir, strerror(errno));
    } else {
        snprintf(dir, n, "%s", tmpl);
    }
    for (size_t i = 0; i < NFIX; i++) {
        char src[512], dst[1024];
        snprintf(src, sizeof src, "%s/%s", FIXTURE, fixture_files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, fixture_files[i]);
        char *text = read_all(src, NULL);
        cr_assert_not_null(text, "fixture %s missing (tests run from the top folder)", src);
        write_all(dst, text);
        free(text);
    }
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void remove_tree(const char *dir)
{
    /* remove the mkdtemp folder (the parent when a leaf was used) */
    char top[1024];
    snprintf(top, sizeof top, "%s", dir);
    char *p = strstr(top, "/sluice-report-test-");
    if (p) {
        char *slash = strchr(p + 1, '/');
        if (slash)
            *slash = 0;
    }
    nftw(top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Keeps only the header and the rows of `keep` (an executor) in file. */
static void keep_executor(const char *dir, const char *file, const char *keep)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = read_all(path, NULL);
    cr_assert_not_null(text);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    size_t kl = strlen(keep);
    int first = 1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (first || (strncmp(line, keep, kl) == 0 && line[kl] == ','))
            fprintf(f, "%s\n", line);
        first = 0;
    }
    fclose(f);
    free(text);
}

/* Runs argv (argv[0] a path) with stdout/stderr to /dev/null; its exit
 * status, or -1 if it was killed or ran over timeout_s. */
static int run_quiet(char *const argv[], int timeout_s)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    for (int waited_ms = 0;; waited_ms += 50) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (waited_ms > timeout_s * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void need_program(const char *name, char *path, size_t n)
{
    cr_assert_eq(plot_find_program(name, path, n), 0,
                 "%s is not installed: run make deps-test (it installs it)", name);
}

static int xml_wellformed(const char *file, const char *mode)
{
    char xmllint[512];
    need_program("xmllint", xmllint, sizeof xmllint);
    char *argv[] = {xmllint, (char *)"--noout", (char *)"--nonet", (char *)file, NULL};
    char *argv_mode[] = {xmllint, (char *)"--noout", (char *)"--nonet", (char *)mode,
                         (char *)file, NULL};
    return run_quiet(mode ? argv_mode : argv, 60);
}

/* PNG signature and IHDR size; the file size into *bytes. */
static void png_check(const char *path, uint32_t *w, uint32_t *h, long *bytes)
{
    size_t len = 0;
    char *buf = read_all(path, &len);
    cr_assert_not_null(buf, "%s: missing", path);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    cr_assert_geq(len, 33, "%s: too short for a PNG", path);
    cr_assert_eq(memcmp(buf, sig, 8), 0, "%s: not a PNG (signature)", path);
    cr_assert_eq(memcmp(buf + 12, "IHDR", 4), 0, "%s: no IHDR chunk", path);
    const unsigned char *u = (const unsigned char *)buf;
    *w = (uint32_t)u[16] << 24 | (uint32_t)u[17] << 16 | (uint32_t)u[18] << 8 | u[19];
    *h = (uint32_t)u[20] << 24 | (uint32_t)u[21] << 16 | (uint32_t)u[22] << 8 | u[23];
    *bytes = (long)len;
    free(buf);
}

/* Every plot of dir: a 1280x800 PNG of at least min_png bytes and a
 * well-formed SVG. */
static void check_plots(const char *dir, long min_png)
{
    for (int i = 0; i < PLOT_COUNT; i++) {
        char png[1024], svg[1024];
        snprintf(png, sizeof png, "%s/plots/%s.png", dir, plot_name(i));
        snprintf(svg, sizeof svg, "%s/plots/%s.svg", dir, plot_name(i));
        uint32_t w, h;
        long bytes;
        png_check(png, &w, &h, &bytes);
        cr_assert_eq(w, 1280, "%s: width %u", png, w);
        cr_assert_eq(h, 800, "%s: height %u", png, h);
        cr_assert_geq(bytes, min_png, "%s: only %ld bytes (blank?)", png, bytes);
        cr_assert_eq(xml_wellformed(svg, NULL), 0, "%s: not well-formed XML", svg);
        char *text = read_all(svg, NULL);
        cr_assert_not_null(text);
        cr_assert_not_null(strstr(text, "<svg"), "%s: no <svg element", svg);
        free(text);
    }
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- plots --------------------------------------------------------------- */

Test(report, plots_of_the_fixture, .timeout = 120)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, NULL);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    /* A real plot of this fixture is > 40 KB of PNG; a blank frame with a
     * title is ~15 KB.  30 KB separates them. */
    check_plots(dir, 30000);
    remove_tree(dir);
}

Test(report, plots_cope_with_one_executor_no_faults_no_windows, .timeout = 120)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, NULL);
    const char *files[] = {"summary.csv", "timeline.csv", "latency.csv", "panes.csv"};
    for (size_t i = 0; i < 4; i++)
        keep_executor(dir, files[i], "stream");
    keep_executor(dir, "faults.csv", "none");   /* header only */
    char path[1100];
    snprintf(path, sizeof path, "%s/windows.csv", dir);
    cr_assert_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/events.csv", dir);
    cr_assert_eq(unlink(path), 0);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    /* the not-applicable plots still say why in a title and a sentence */
    check_plots(dir, 8000);
    remove_tree(dir);
}

/* Replaces every "stream," at a line start of dir/name by "mine,". */
static void rename_stream(const char *dir, const char *name)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_all(path, NULL);
    cr_assert_not_null(text);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (const char *s = text; *s;) {
        const char *eol = strchr(s, '\n');
        size_t l = eol ? (size_t)(eol - s) + 1 : strlen(s);
        if (strncmp(s, "stream,", 7) == 0) {
            fputs("mine,", f);
            fwrite(s + 7, 1, l - 7, f);
        } else {
            fwrite(s, 1, l, f);
        }
        s += l;
    }
    cr_assert_eq(fclose(f), 0);
    free(text);
}

/* An executor that is not built in (a user's own, run through
 * sim_options.exec_types) is drawn and reported like the others, under
 * the label summary.csv gives it. */
Test(report, an_executor_that_is_not_built_in, .timeout = 120)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    const char *files[] = {"summary.csv", "timeline.csv", "latency.csv", "panes.csv",
                           "windows.csv", "faults.csv"};
    for (size_t i = 0; i < 6; i++)
        rename_stream(dir, files[i]);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    check_plots(dir, 8000);
    /* its label (still "stream" in the label column) is in the legends */
    snprintf(path, sizeof path, "%s/plots/latency_time.svg", dir);
    char *svg = read_all(path, NULL);
    cr_assert_not_null(svg);
    cr_assert_not_null(strstr(svg, "stream p99"));
    free(svg);
    rc = report_write(dir, REPORTS, "t", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = read_all(path, NULL);
    cr_assert_not_null(html);
    cr_assert_not_null(strstr(html, "<tr class=\"mine\"><td class=\"name\">stream</td>"));
    free(html);
    remove_tree(dir);
}

/* A folder written before summary.csv had the label, deltas and seed
 * columns: labels come from the registry, the seed is not guessed from
 * config.ini, and the plots are still drawn. */
Test(report, a_folder_from_before_the_executor_columns, .timeout = 120)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    char *text = read_all(path, NULL);
    cr_assert_not_null(text);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        /* the first 30 columns: the layout of the fixture before */
        int commas = 0;
        char *s = line;
        for (; *s && commas < 30; s++)
            commas += *s == ',';
        if (commas == 30)
            s[-1] = 0;
        fprintf(f, "%s\n", line);
    }
    cr_assert_eq(fclose(f), 0);
    free(text);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    rc = report_write(dir, REPORTS, "t", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = read_all(path, NULL);
    cr_assert_not_null(md);
    cr_assert_not_null(strstr(md, "| micro-batch |"));
    cr_assert_not_null(strstr(md, "seed `unknown`"));
    free(md);
    remove_tree(dir);
}

Test(report, plots_cope_with_two_executors_and_no_panes, .timeout = 120)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, NULL);
    const char *files[] = {"summary.csv", "timeline.csv", "latency.csv", "faults.csv",
                           "windows.csv"};
    for (size_t i = 0; i < 5; i++)
        keep_executor(dir, files[i], "batch");
    char path[1100];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    cr_assert_eq(unlink(path), 0);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    check_plots(dir, 8000);
    remove_tree(dir);
}

Test(report, plots_cope_with_header_only_files, .timeout = 120)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, NULL);
    const char *files[] = {"timeline.csv", "latency.csv", "faults.csv", "panes.csv",
                           "windows.csv", "events.csv"};
    for (size_t i = 0; i < 6; i++)
        keep_executor(dir, files[i], "none");
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    check_plots(dir, 8000);
    remove_tree(dir);
}

Test(report, folder_names_with_quotes_and_spaces, .timeout = 120)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, "it's a \"run\" $(x) ;");
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    check_plots(dir, 30000);
    rc = report_write(dir, REPORTS, "test", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    remove_tree(dir);
}

Test(report, gnuplot_missing_is_error_2_with_the_install_command)
{
    char dir[1024], err[2048];
    make_run_dir(dir, sizeof dir, NULL);
    cr_assert_eq(setenv("PATH", "", 1), 0);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 2, "rc %d", rc);
    cr_assert_not_null(strstr(err, "gnuplot not found"), "err: %s", err);
    cr_assert_not_null(strstr(err, "apt-get install gnuplot"), "err: %s", err);
    cr_assert_eq(unsetenv("PATH"), 0);
    cr_assert_eq(plot_run(dir, REPORTS, err, sizeof err), 2);
    remove_tree(dir);
}

Test(report, bad_folders_are_error_2)
{
    char err[2048], dir[1024], path[1100];
    cr_assert_eq(plot_run("/nonexistent/sluice/run", REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "/nonexistent/sluice/run"), "err: %s", err);
    cr_assert_eq(report_write("/nonexistent/sluice/run", REPORTS, "t", err, sizeof err), 2);
    cr_assert_eq(plot_run("bad\nname", REPORTS, err, sizeof err), 2);

    make_run_dir(dir, sizeof dir, NULL);
    /* the gnuplot scripts are not there */
    cr_assert_eq(plot_run(dir, "/nonexistent/reports", err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "common.gp"), "err: %s", err);
    cr_assert_eq(report_write(dir, "/nonexistent/reports", "t", err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "report.html.in"), "err: %s", err);
    /* executor names and labels go into gnuplot commands: only plain
     * words (any executor, built in or not) */
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    write_all(path, "executor,events\nbatch';system('x'),1\n");
    cr_assert_eq(plot_run(dir, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "odd executor name"), "err: %s", err);
    write_all(path, "executor,events,label\nbatch,1,a'b\n");
    cr_assert_eq(plot_run(dir, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "odd executor name or label 'a'b'"), "err: %s", err);
    /* no summary.csv at all */
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(plot_run(dir, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "summary.csv"), "err: %s", err);
    cr_assert_eq(report_write(dir, REPORTS, "t", err, sizeof err), 2);
    remove_tree(dir);
}

Test(report, plots_of_a_sweep, .timeout = 120)
{
    char tmpl[] = "/tmp/sluice-report-test-XXXXXX", err[2048], path[1100];
    cr_assert_not_null(mkdtemp(tmpl));
    char *text = read_all("tests/data/sweep_fixture/sweep.csv", NULL);
    cr_assert_not_null(text);
    snprintf(path, sizeof path, "%s/sweep.csv", tmpl);
    write_all(path, text);
    free(text);
    int rc = plot_run(tmpl, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    const char *metrics[] = {"lat_p99", "throughput", "complete_first"};
    for (int i = 0; i < 3; i++) {
        char png[1200], svg[1200];
        snprintf(png, sizeof png, "%s/plots/sweep_%s.png", tmpl, metrics[i]);
        snprintf(svg, sizeof svg, "%s/plots/sweep_%s.svg", tmpl, metrics[i]);
        uint32_t w, h;
        long bytes;
        png_check(png, &w, &h, &bytes);
        cr_assert(w == 1280 && h == 800, "%s: %ux%u", png, w, h);
        cr_assert_gt(bytes, 20000, "%s: %ld bytes", png, bytes);
        cr_assert_eq(xml_wellformed(svg, NULL), 0, "%s", svg);
    }
    /* a header that is not sweep.csv's */
    write_all(path, "point,executor\n0,batch\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "sweep.csv"), "err: %s", err);
    remove_tree(tmpl);
}

/* The results-folder readers go through lib/csvread: errors name the
 * file and the line a record starts on (blank lines skipped but counted),
 * before any gnuplot runs. */
Test(report, results_csv_errors_name_file_and_line)
{
    char tmpl[] = "/tmp/sluice-report-test-XXXXXX", err[2048], path[1100], marks[1100];
    cr_assert_not_null(mkdtemp(tmpl));
    char *text = read_all("tests/data/sweep_fixture/sweep.csv", NULL);
    cr_assert_not_null(text);
    snprintf(path, sizeof path, "%s/sweep.csv", tmpl);
    snprintf(marks, sizeof marks, "%s/marks.csv", tmpl);
    write_all(path, text);
    free(text);
    write_all(marks, "x,label\n15,ok\n\n20,two|words\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "marks.csv:4: expected x,label"), "err: %s", err);
    /* an empty x is not 0 */
    write_all(marks, "x,label\n,ok\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "marks.csv:2: expected x,label"), "err: %s", err);
    unlink(marks);
    write_all(path, "point,batch.interval,executor,n,lat_p99_mean,lat_p99_ci\r\n"
                    "0,10,batch,5,1,1\r\n\r\n0,10\r\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "sweep.csv:4: odd executor name or label ''"), "err: %s",
                       err);
    write_all(path, "\npoint,batch.interval,executor,n,lat_p99_mean,lat_p99_ci\n"
                    "0,10,batch,5,1,1\n0,10,b'x,5,1,1\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "sweep.csv:4: odd executor name or label 'b'x'"), "err: %s",
                       err);
    write_all(path, "point,a.b,c.d,executor,n,x_mean,x_ci\n0,1,ok,batch,5,1,1\n"
                    "1,1,bad value,batch,5,1,1\n");
    cr_assert_eq(plot_run(tmpl, REPORTS, err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "sweep.csv:3: odd value 'bad value'"), "err: %s", err);
    remove_tree(tmpl);
}

/* summary.csv and faults.csv with CRLF line ends give the same report. */
Test(report, crlf_tables_give_the_same_report)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    cr_assert_eq(report_write(dir, REPORTS, "t", err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *lf = read_all(path, NULL);
    cr_assert_not_null(lf);
    static const char *const files[] = {"summary.csv", "faults.csv"};
    for (int i = 0; i < 2; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        char *t = read_all(p, NULL);
        cr_assert_not_null(t);
        char *crlf = malloc(2 * strlen(t) + 1), *o = crlf;
        cr_assert_not_null(crlf);
        for (const char *c = t; *c; c++) {
            if (*c == '\n')
                *o++ = '\r';
            *o++ = *c;
        }
        *o = 0;
        write_all(p, crlf);
        free(crlf);
        free(t);
    }
    cr_assert_eq(report_write(dir, REPORTS, "t", err, sizeof err), 0, "%s", err);
    char *md = read_all(path, NULL);
    cr_assert_not_null(md);
    cr_assert_str_eq(md, lf);
    free(md);
    free(lf);
    remove_tree(dir);
}

/* ---- report ---------------------------------------------------------------- */

Test(report, html_is_well_formed_self_contained_and_complete, .timeout = 120)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    int rc = plot_run(dir, REPORTS, err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    rc = report_write(dir, REPORTS, "9.9.9-test", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    snprintf(path, sizeof path, "%s/report.html", dir);
    cr_assert_eq(xml_wellformed(path, NULL), 0, "report.html is not well-formed XHTML");
    char *html = read_all(path, NULL);
    cr_assert_not_null(html);
    cr_assert_eq(count(html, "<svg"), PLOT_COUNT, "inline SVGs: %d", count(html, "<svg"));
    for (int i = 0; i < PLOT_COUNT; i++) {
        char id[128];
        snprintf(id, sizeof id, "<figure id=\"plot-%s\">", plot_name(i));
        cr_assert_not_null(strstr(html, id), "no %s", id);
        /* the caption as HTML text: ' is written &#39; */
        char cap[1024];
        size_t k = 0;
        for (const char *c = plot_caption(i); *c && k + 6 < sizeof cap; c++) {
            if (*c == '\'') {
                memcpy(cap + k, "&#39;", 5);
                k += 5;
            } else {
                cap[k++] = *c;
            }
        }
        cap[k] = 0;
        cr_assert_not_null(strstr(html, cap), "no caption for %s", plot_name(i));
    }
    cr_assert_eq(count(html, "Plot missing"), 0);
    /* self-contained: no scripts, no external resources */
    cr_assert_eq(count(html, "<script"), 0);
    cr_assert_eq(count(html, "src="), 0);
    cr_assert_eq(count(html, "href=\"http"), 0);
    cr_assert_eq(count(html, "href='http"), 0);
    cr_assert_eq(count(html, "url(http"), 0);
    /* ids were prefixed per plot: each plot's canvas is unique */
    for (int i = 1; i <= PLOT_COUNT; i++) {
        char id[64];
        snprintf(id, sizeof id, "id=\"p%d-gnuplot_canvas\"", i);
        cr_assert_eq(count(html, id), 1, "%s", id);
    }
    /* headline rows, invariants, faults, configuration, seed, version */
    /* batch rows: 2 headline tables + invariants + fault totals + 2 faults */
    cr_assert_eq(count(html, "<tr class=\"batch\">"), 6);
    cr_assert_not_null(strstr(html, "<td class=\"name\">micro-batch</td>"));
    cr_assert_not_null(strstr(html, "all invariants hold"));
    cr_assert_not_null(strstr(html, "<td>crash</td>"));
    cr_assert_not_null(strstr(html, "seed <code>42</code>"));
    cr_assert_not_null(strstr(html, "9.9.9-test"));
    cr_assert_not_null(strstr(html, "crash_times = 243,363"));
    /* the p99 of stream, 299.419493 s, shown with 3 digits */
    cr_assert_not_null(strstr(html, "<td>299</td>"));
    free(html);
    remove_tree(dir);
}

Test(report, markdown_matches_the_golden_file)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    int rc = report_write(dir, REPORTS, "golden", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *got = read_all(path, NULL), *want = read_all(GOLDEN_MD, NULL);
    cr_assert_not_null(got);
    cr_assert_not_null(want, "%s missing", GOLDEN_MD);
    if (strcmp(got, want) != 0) {
        size_t i = 0;
        while (got[i] && got[i] == want[i])
            i++;
        cr_assert_fail("report.md differs from %s at byte %zu: got \"%.60s\", want \"%.60s\" "
                       "(got: %s)", GOLDEN_MD, i, got + i, want + i, path);
    }
    /* without plots the HTML still comes out, saying what is missing */
    snprintf(path, sizeof path, "%s/report.html", dir);
    cr_assert_eq(xml_wellformed(path, NULL), 0);
    char *html = read_all(path, NULL);
    cr_assert_not_null(html);
    cr_assert_eq(count(html, "Plot missing"), PLOT_COUNT);
    free(html);
    free(got);
    free(want);
    remove_tree(dir);
}

Test(report, writes_are_atomic_and_repeatable)
{
    char dir[1024], err[2048], path[1100];
    make_run_dir(dir, sizeof dir, NULL);
    cr_assert_eq(report_write(dir, REPORTS, "t", err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *first = read_all(path, NULL);
    cr_assert_eq(report_write(dir, REPORTS, "t", err, sizeof err), 0, "%s", err);
    char *second = read_all(path, NULL);
    cr_assert_not_null(first);
    cr_assert_not_null(second);
    cr_assert_str_eq(first, second);
    /* no temporary file (.report.html.XXXXXX, ...) left behind */
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d));)
        cr_assert_neq(strncmp(e->d_name, ".report.", 8), 0, "left behind: %s", e->d_name);
    closedir(d);
    /* a template with an unknown placeholder is refused, report kept (the
     * template lives outside the results folder: a folder of the user's
     * inside it would make the folder not sluice's, refused first) */
    char rdir[] = "/tmp/sluice-report-tpl-XXXXXX", tpl[1200];
    cr_assert_not_null(mkdtemp(rdir));
    snprintf(tpl, sizeof tpl, "%s/report.html.in", rdir);
    write_all(tpl, "<html>@@NOPE@@</html>\n");
    cr_assert_eq(report_write(dir, rdir, "t", err, sizeof err), 2);
    cr_assert_not_null(strstr(err, "NOPE"), "err: %s", err);
    char *third = read_all(path, NULL);
    cr_assert_str_eq(first, third);
    free(first);
    free(second);
    free(third);
    nftw(rdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    remove_tree(dir);
}

/* ---- the report in a real browser ---------------------------------------- */

/* Screenshot of url by headless Chromium (flags for root and no network,
 * see DESIGN.md); returns the PNG's size in bytes, checks its dimensions. */
static long screenshot(const char *chromium, const char *url, const char *png, int w, int h)
{
    char udd[] = "/tmp/sluice-chromium-XXXXXX";
    cr_assert_not_null(mkdtemp(udd));
    char user_data[128], shot[1200], size[64];
    snprintf(user_data, sizeof user_data, "--user-data-dir=%s", udd);
    snprintf(shot, sizeof shot, "--screenshot=%s", png);
    snprintf(size, sizeof size, "--window-size=%d,%d", w, h);
    char *argv[] = {(char *)chromium, (char *)"--headless", (char *)"--no-sandbox",
                    (char *)"--disable-gpu", (char *)"--disable-quic", (char *)"--no-first-run",
                    (char *)"--disable-background-networking",
                    (char *)"--disable-component-update", (char *)"--disable-sync",
                    (char *)"--hide-scrollbars", user_data, shot, size, (char *)url, NULL};
    int rc = run_quiet(argv, 90);
    nftw(udd, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    cr_assert_eq(rc, 0, "chromium exited with %d", rc);
    uint32_t pw, ph;
    long bytes;
    png_check(png, &pw, &ph, &bytes);
    cr_assert_eq(pw, (uint32_t)w, "screenshot width %u", pw);
    cr_assert_eq(ph, (uint32_t)h, "screenshot height %u", ph);
    return bytes;
}

Test(report, renders_in_headless_chromium, .timeout = 240)
{
    char chromium[512];
    need_program("chromium", chromium, sizeof chromium);
    char dir[1024], err[2048], url[1200], png[1200];
    make_run_dir(dir, sizeof dir, NULL);
    cr_assert_eq(plot_run(dir, REPORTS, err, sizeof err), 0, "%s", err);
    cr_assert_eq(report_write(dir, REPORTS, "test", err, sizeof err), 0, "%s", err);

    /* a blank page of the same size: the PNG of a uniform image is tiny */
    char blank[1100];
    snprintf(blank, sizeof blank, "%s/blank.html", dir);
    write_all(blank, "<!DOCTYPE html><html><head><meta charset=\"utf-8\" /><title>b</title>"
                     "</head><body></body></html>\n");
    snprintf(url, sizeof url, "file://%s", blank);
    snprintf(png, sizeof png, "%s/blank.png", dir);
    long blank_bytes = screenshot(chromium, url, png, 1280, 2000);

    snprintf(url, sizeof url, "file://%s/report.html", dir);
    snprintf(png, sizeof png, "%s/report.png", dir);
    long report_bytes = screenshot(chromium, url, png, 1280, 2000);
    /* The first 2000 px hold the tables and the first plots: text and
     * lines compress far worse than white; a blank page is ~10 KB, the
     * report well above 100 KB.  Ten times blank is a safe line. */
    cr_assert_gt(report_bytes, 10 * blank_bytes, "report screenshot %ld bytes, blank %ld: blank?",
                 report_bytes, blank_bytes);
    remove_tree(dir);
}
