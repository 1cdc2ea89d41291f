/*
 * test_infile.c: input files that cannot make a reader block, spin or
 * grow (lib/infile.h), end to end for every reader of the CLI (config, trace,
 * watermark_file, sweep file and sweep base), the sweep run limit, and
 * SIGINT/SIGTERM in every long phase (loading, sweeps, plotting).
 *
 * Every CLI case runs under `timeout 20`, so a reader that blocked or
 * spun would fail the test (exit 124) instead of hanging it; each is
 * expected to finish in well under a second.  Golden messages are
 * compared whole, with the exit status 2, and no output folder (nor a
 * DIR.tmp.* left behind) may exist afterwards.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/infile.h"
#include "experiments/sweep.h"

#include "util.h"

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "%s", path);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* A file of `head`, then a line of n 'x', then "\n". */
static void write_giant_line(const char *path, const char *head, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "%s", path);
    fputs(head, f);
    for (size_t i = 0; i < n; i++)
        fputc('x', f);
    fputc('\n', f);
    cr_assert_eq(fclose(f), 0);
}

/* Runs `sluice ARGS` in folder dir (timeout 20 s), stderr into err;
 * returns the exit status (124 = timed out). */
static int sluice_in(const char *dir, const char *args, char *err, size_t n)
{
    char b[4096], cmd[8192];
    util_bin_abs(b, sizeof b);
    snprintf(cmd, sizeof cmd, "cd '%s' && timeout 20 '%s' %s", dir, b, args);
    return util_shell(cmd, err, n);
}

/* `sluice ARGS` in dir must exit 2 with exactly `want` (+ "\n") on
 * stderr and leave no folder "out" nor out.tmp.*. */
static void refused(const char *dir, const char *args, const char *want)
{
    char err[4096], w[2048];
    double t0 = util_now_s();
    int rc = sluice_in(dir, args, err, sizeof err);
    double el = util_now_s() - t0;
    snprintf(w, sizeof w, "%s\n", want);
    cr_expect_eq(rc, 2, "sluice %s: exit %d (124 = it hung), stderr: %s", args, rc, err);
    cr_expect_str_eq(err, w, "sluice %s", args);
    cr_expect_lt(el, 10.0, "sluice %s took %.1f s", args, el);
    char out[1100];
    snprintf(out, sizeof out, "%s/out", dir);
    struct stat st;
    cr_expect_neq(stat(out, &st), 0, "sluice %s left %s", args, out);
    cr_expect_eq(util_count_prefix(dir, "out.tmp."), 0, "sluice %s left a temporary folder", args);
}

/* A test folder with small.ini (the CLI fixture), a FIFO, a file with a
 * NUL byte and one with a giant line. */
static void fixture(char *d, size_t n)
{
    char path[1100];
    util_tmpdir(d, n);
    FILE *in = fopen("tests/data/cli/small.ini", "r");
    cr_assert(in);
    char buf[8192];
    size_t k = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    snprintf(path, sizeof path, "%s/small.ini", d);
    write_file(path, buf, k);
    snprintf(path, sizeof path, "%s/fifo", d);
    cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/sub", d);
    cr_assert_eq(mkdir(path, 0700), 0);
}

/* ---- the module ------------------------------------------------------- */

Test(infile, lines_crlf_last_line_and_counts)
{
    char d[64], path[128], err[INFILE_ERR_MAX], *line;
    size_t len;
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/a.txt", d);
    write_text(path, "one\r\n\ntwo\nlast");
    infile *f = infile_open(path, NULL, NULL, err, sizeof err);
    cr_assert(f, "%s", err);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_expect_str_eq(line, "one\r");
    cr_expect_eq(len, 4);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_expect_eq(len, 0);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_expect_str_eq(line, "two");
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_expect_str_eq(line, "last");
    cr_expect_eq(infile_lineno(f), 4);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_EOF);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_EOF);
    infile_close(f);
    util_rm_rf(d);
}

Test(infile, line_cap_is_exact)
{
    char d[64], path[128], err[INFILE_ERR_MAX], want[256], *line;
    size_t len;
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/a.txt", d);
    write_giant_line(path, "", INFILE_LINE_MAX); /* exactly the cap: fine */
    infile *f = infile_open(path, NULL, NULL, err, sizeof err);
    cr_assert(f, "%s", err);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE, "%s", infile_error(f));
    cr_expect_eq(len, INFILE_LINE_MAX);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_EOF);
    infile_close(f);
    write_giant_line(path, "ok\n", INFILE_LINE_MAX + 1); /* one more: refused */
    f = infile_open(path, NULL, NULL, err, sizeof err);
    cr_assert(f, "%s", err);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_assert_eq(infile_line(f, &line, &len), INFILE_ERR);
    snprintf(want, sizeof want, "%s:2: line longer than 65536 bytes", path);
    cr_expect_str_eq(infile_error(f), want);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_ERR, "an error is final");
    infile_close(f);
    util_rm_rf(d);
}

Test(infile, nul_byte_names_its_line)
{
    char d[64], path[128], err[INFILE_ERR_MAX], want[256], *line;
    size_t len;
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/a.txt", d);
    static const char nul[] = "a\nb\nc\0d\ne\n";
    write_file(path, nul, sizeof nul - 1);
    infile *f = infile_open(path, NULL, NULL, err, sizeof err);
    cr_assert(f, "%s", err);
    int r;
    while ((r = infile_line(f, &line, &len)) == INFILE_LINE)
        ;
    cr_expect_eq(r, INFILE_ERR);
    snprintf(want, sizeof want, "%s:3: NUL byte in the file", path);
    cr_expect_str_eq(infile_error(f), want);
    infile_close(f);
    util_rm_rf(d);
}

Test(infile, only_regular_files, .timeout = 10)
{
    char d[64], path[128], err[INFILE_ERR_MAX], want[256];
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/fifo", d);
    cr_assert_eq(mkfifo(path, 0600), 0);
    /* no writer: opening must not block (the .timeout would fire) */
    cr_expect_null(infile_open(path, NULL, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO)", path);
    cr_expect_str_eq(err, want);
    cr_expect_null(infile_open("/dev/zero", NULL, NULL, err, sizeof err));
    cr_expect_str_eq(err, "/dev/zero: not a regular file (a character device)");
    cr_expect_null(infile_open("/dev/null", NULL, NULL, err, sizeof err));
    cr_expect_str_eq(err, "/dev/null: not a regular file (a character device)");
    cr_expect_null(infile_open(d, NULL, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: not a regular file (a directory)", d);
    cr_expect_str_eq(err, want);
    snprintf(path, sizeof path, "%s/missing", d);
    cr_expect_null(infile_open(path, "trace", NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: cannot open trace: No such file or directory", path);
    cr_expect_str_eq(err, want);
    /* the FILE * form for results folders */
    errno = 0;
    cr_expect_null(infile_fopen(d));
    cr_expect_eq(errno, EISDIR);
    snprintf(path, sizeof path, "%s/fifo", d);
    errno = 0;
    cr_expect_null(infile_fopen(path));
    cr_expect_eq(errno, EINVAL);
    util_rm_rf(d);
}

Test(infile, stop_flag_interrupts)
{
    char d[64], path[128], err[INFILE_ERR_MAX], want[256], *line;
    size_t len;
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/a.txt", d);
    write_text(path, "a\nb\n");
    volatile int stop = 1;
    infile *f = infile_open(path, NULL, &stop, err, sizeof err);
    cr_assert(f, "%s", err);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_ERR);
    cr_expect(infile_interrupted(f));
    snprintf(want, sizeof want, "%s: interrupted", path);
    cr_expect_str_eq(infile_error(f), want);
    infile_close(f);
    stop = 0;
    f = infile_open(path, NULL, &stop, err, sizeof err);
    cr_assert(f, "%s", err);
    cr_expect_eq(infile_line(f, &line, &len), INFILE_LINE);
    cr_expect(!infile_interrupted(f));
    infile_close(f);
    util_rm_rf(d);
}

/* ---- every reader of the CLI: golden messages ------------------------- */

Test(infile, config_files, .timeout = 120)
{
    char d[64], path[128];
    fixture(d, sizeof d);
    refused(d, "run fifo --out out", "fifo: not a regular file (a FIFO)");
    refused(d, "run /dev/zero --out out", "/dev/zero: not a regular file (a character device)");
    refused(d, "run /dev/null --out out", "/dev/null: not a regular file (a character device)");
    refused(d, "run sub --out out", "sub: not a regular file (a directory)");
    snprintf(path, sizeof path, "%s/nul.ini", d);
    static const char nul[] = "[run]\nseed = 1\0\n";
    write_file(path, nul, sizeof nul - 1);
    refused(d, "run nul.ini --out out", "nul.ini:2: NUL byte in the file");
    snprintf(path, sizeof path, "%s/giant.ini", d);
    write_giant_line(path, "[run]\nseed = 1\n; ", 10u << 20); /* a 10 MB comment */
    refused(d, "run giant.ini --out out", "giant.ini:3: line longer than 65536 bytes");
    /* the other commands that read a config */
    refused(d, "gen fifo --out out", "fifo: not a regular file (a FIFO)");
    refused(d, "stress /dev/zero --seeds 2", "/dev/zero: not a regular file (a character device)");
    refused(d, "capacity sub", "sub: not a regular file (a directory)");
    util_rm_rf(d);
}

Test(infile, trace_files, .timeout = 120)
{
    char d[64], path[128];
    fixture(d, sizeof d);
    const char *set = "--set workload.source=trace --set workload.trace=";
    char args[512];
    snprintf(args, sizeof args, "run small.ini %s/dev/zero --out out", set);
    refused(d, args, "sluice: /dev/zero: not a regular file (a character device)");
    snprintf(args, sizeof args, "run small.ini %sfifo --out out", set);
    refused(d, args, "sluice: fifo: not a regular file (a FIFO)");
    snprintf(args, sizeof args, "run small.ini %s/dev/null --out out", set);
    refused(d, args, "sluice: /dev/null: not a regular file (a character device)");
    snprintf(args, sizeof args, "run small.ini %ssub --out out", set);
    refused(d, args, "sluice: sub: not a regular file (a directory)");
    snprintf(path, sizeof path, "%s/nul.csv", d);
    static const char nul[] = "id,key,value,event_time,arrival_time\n0,1,1,0.5,0.5\n1,1\0,1,1,1\n";
    write_file(path, nul, sizeof nul - 1);
    snprintf(args, sizeof args, "run small.ini %snul.csv --out out", set);
    refused(d, args, "sluice: nul.csv:3: NUL byte in the file");
    snprintf(path, sizeof path, "%s/giant.csv", d);
    write_giant_line(path, "id,key,value,event_time,arrival_time\n0,1,1,0.5,0.5\n", 50u << 20);
    snprintf(args, sizeof args, "run small.ini %sgiant.csv --out out", set);
    refused(d, args, "sluice: giant.csv:3: line longer than 65536 bytes");
    /* gen reads the trace too */
    snprintf(args, sizeof args, "gen small.ini %sfifo --out out", set);
    refused(d, args, "fifo: not a regular file (a FIFO)");
    util_rm_rf(d);
}

Test(infile, watermark_files, .timeout = 60)
{
    char d[64], path[128];
    fixture(d, sizeof d);
    const char *set = "--set stream.watermark=scripted --set stream.watermark_file=";
    char args[512];
    snprintf(args, sizeof args, "run small.ini %s/dev/zero --out out", set);
    refused(d, args, "sluice: /dev/zero: not a regular file (a character device)");
    snprintf(args, sizeof args, "run small.ini %sfifo --out out", set);
    refused(d, args, "sluice: fifo: not a regular file (a FIFO)");
    snprintf(path, sizeof path, "%s/nul.csv", d);
    static const char nul[] = "time,watermark\n1,0\n2,1\0\n";
    write_file(path, nul, sizeof nul - 1);
    snprintf(args, sizeof args, "run small.ini %snul.csv --out out", set);
    refused(d, args, "sluice: nul.csv:3: NUL byte in the file");
    snprintf(path, sizeof path, "%s/giant.csv", d);
    write_giant_line(path, "time,watermark\n", 1u << 20);
    snprintf(args, sizeof args, "run small.ini %sgiant.csv --out out", set);
    refused(d, args, "sluice: giant.csv:2: line longer than 65536 bytes");
    util_rm_rf(d);
}

Test(infile, sweep_files_and_bases, .timeout = 60)
{
    char d[64], path[128];
    fixture(d, sizeof d);
    refused(d, "sweep fifo --out out", "fifo: not a regular file (a FIFO)");
    refused(d, "sweep /dev/zero --out out", "/dev/zero: not a regular file (a character device)");
    refused(d, "sweep sub --out out", "sub: not a regular file (a directory)");
    snprintf(path, sizeof path, "%s/zero.sweep", d);
    write_text(path, "[sweep]\nbase = /dev/zero\n");
    refused(d, "sweep zero.sweep --out out",
            "zero.sweep:2: base: /dev/zero: not a regular file (a character device)");
    snprintf(path, sizeof path, "%s/fifo.sweep", d);
    write_text(path, "[sweep]\nbase = fifo\n");
    refused(d, "sweep fifo.sweep --out out", "fifo.sweep:2: base: fifo: not a regular file (a FIFO)");
    snprintf(path, sizeof path, "%s/nul.sweep", d);
    static const char nul[] = "[sweep]\nbase = small.ini\nreplications = 2\0\n";
    write_file(path, nul, sizeof nul - 1);
    refused(d, "sweep nul.sweep --out out", "nul.sweep:3: NUL byte in the file");
    snprintf(path, sizeof path, "%s/giant.sweep", d);
    write_giant_line(path, "[sweep]\nbase = small.ini\nworkload.rate = 1", 1u << 20);
    refused(d, "sweep giant.sweep --out out", "giant.sweep:3: line longer than 65536 bytes");
    /* inih's own buffer is smaller: a long line is refused, not cut in two */
    snprintf(path, sizeof path, "%s/long.sweep", d);
    write_giant_line(path, "[sweep]\nbase = small.ini\n; ", 300);
    refused(d, "sweep long.sweep --out out",
            "long.sweep:3: line too long (302 characters, at most 197)");
    util_rm_rf(d);
}

/* ---- the sweep run limit ---------------------------------------------- */

/* 16 real keys, so that only the count can refuse the file. */
static const char *const grid_keys[16] = {
    "workload.rate",        "workload.keys",      "workload.delay_mean",
    "workload.late_fraction", "workload.late_delay_mean", "window.size",
    "stream.watermark_bound", "stream.allowed_lateness", "batch.interval",
    "batch.setup_cost",     "microbatch.interval", "run.duration",
    "run.seed",             "stream.parallelism", "stream.buffer",
    "run.timeline_bucket",
};

static void write_grid(const char *path, int nkeys, int nvalues, int reps)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[sweep]\nbase = small.ini\nreplications = %d\n", reps);
    for (int k = 0; k < nkeys; k++) {
        fprintf(f, "%s = ", grid_keys[k]);
        for (int v = 0; v < nvalues; v++)
            fprintf(f, "%s%d", v ? ", " : "", v + 1);
        fprintf(f, "\n");
    }
    cr_assert_eq(fclose(f), 0);
}

Test(infile, sweep_grid_sizes_do_not_overflow, .timeout = 60)
{
    char d[64], path[128];
    fixture(d, sizeof d);
    /* 16^16 = 2^64: wrapped to 0 points before */
    snprintf(path, sizeof path, "%s/huge.sweep", d);
    write_grid(path, 16, 16, 1);
    refused(d, "sweep huge.sweep --out out",
            "huge.sweep: 16 swept keys of 16 values x 1 replication = 1.84e+19 runs: more than "
            "the limit of 1000000 runs");
    /* just over the limit, counted exactly */
    snprintf(path, sizeof path, "%s/over.sweep", d);
    write_text(path, "[sweep]\nbase = small.ini\nreplications = 11\n"
                     "workload.rate = lin:1:1000:1000\nwindow.size = lin:1:100:100\n");
    refused(d, "sweep over.sweep --out out",
            "over.sweep: 1000 x 100 values x 11 replications = 1100000 runs: more than the "
            "limit of 1000000 runs");
    /* the limit itself is allowed */
    snprintf(path, sizeof path, "%s/limit.sweep", d);
    write_text(path, "[sweep]\nbase = small.ini\nreplications = 10\n"
                     "workload.rate = lin:1:1000:1000\nwindow.size = lin:1:100:100\n");
    char err[2048];
    sweep_t *w = sweep_load(path, err, sizeof err);
    cr_assert(w, "%s", err);
    cr_expect_eq(sweep_tasks(w), SWEEP_MAX_RUNS);
    cr_expect_eq(sweep_points(w), 100000);
    sweep_free(w);
    util_rm_rf(d);
}
