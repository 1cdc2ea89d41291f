/*
 * csv.h: a tiny CSV reader for the batch and micro-batch tests (header row
 * gives the column names; no quoting: sluice's outputs never quote).
 * Static functions only; included by tests/test_batch.c and
 * tests/test_microbatch.c.
 */
#ifndef SLUICE_TEST_BATCH_CSV_H
#define SLUICE_TEST_BATCH_CSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tcsv {
    char *buf;      /* the whole file, cells cut in place */
    char **cell;    /* rows x cols, row 0 is the header */
    size_t rows;    /* data rows (without the header) */
    size_t cols;
} tcsv;

static void tcsv_free(tcsv *t)
{
    free(t->buf);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

/* Reads path; 0 on success, -1 if missing or ragged. */
static int tcsv_read(const char *path, tcsv *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->buf = malloc((size_t)n + 1);
    size_t got = fread(t->buf, 1, (size_t)n, f);
    fclose(f);
    t->buf[got] = 0;
    size_t lines = 0, commas = 0;
    for (size_t i = 0; i < got; i++)
        if (t->buf[i] == '\n')
            lines++;
    char *nl = strchr(t->buf, '\n');
    for (char *p = t->buf; p && *p && p < nl; p++)
        if (*p == ',')
            commas++;
    if (lines < 1)
        return -1;
    t->cols = commas + 1;
    t->cell = calloc(lines * t->cols, sizeof *t->cell);
    size_t r = 0;
    char *line = t->buf;
    while (r < lines && line && *line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        size_t c = 0;
        char *p = line;
        for (;;) {
            if (c >= t->cols)
                return -1;
            t->cell[r * t->cols + c++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = 0;
            p = comma + 1;
        }
        if (c != t->cols)
            return -1;
        r++;
        line = end ? end + 1 : NULL;
    }
    t->rows = r - 1;
    return 0;
}

/* Column number of name, or -1. */
static int tcsv_col(const tcsv *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (strcmp(t->cell[c], name) == 0)
            return (int)c;
    return -1;
}

/* Cell of data row r (0-based), column c. */
static const char *tcsv_get(const tcsv *t, size_t r, int c)
{
    return t->cell[(r + 1) * t->cols + (size_t)c];
}

static double tcsv_num(const tcsv *t, size_t r, int c)
{
    return strtod(tcsv_get(t, r, c), NULL);
}


/* ---- run helpers shared by test_batch.c and test_microbatch.c ---- */
#ifdef SLUICE_TEST_BATCH_RUN
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/config.h"
#include "run/sim.h"

static void trm_rf(const char *d)
{
    DIR *dir = opendir(d);
    if (dir) {
        struct dirent *e;
        char p[2048];
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", d, e->d_name);
            remove(p);
        }
        closedir(dir);
    }
    rmdir(d);
}

/* Defaults, then only the executors in `which` (1 << enum config_executor),
 * pane rows on. */
static void tcfg(config_t *c, unsigned which)
{
    config_defaults(c);
    for (int i = 0; i < EXEC_COUNT; i++)
        c->run.executors[i] = (which >> i) & 1u;
    c->run.panes_csv = 1;
    memset(&c->faults.crash_times, 0, sizeof c->faults.crash_times);
    memset(&c->faults.slowdown_times, 0, sizeof c->faults.slowdown_times);
    memset(&c->faults.outage_times, 0, sizeof c->faults.outage_times);
    memset(&c->faults.checkpoint_failure_times, 0, sizeof c->faults.checkpoint_failure_times);
    c->faults.mtbf = 0;
}

/* A generated workload: Poisson arrivals, no delay unless set later. */
static void tcfg_poisson(config_t *c, uint64_t seed, double rate, double duration)
{
    c->run.seed = seed;
    c->run.duration = duration;
    c->workload.source = SRC_GENERATE;
    c->workload.arrival = ARR_POISSON;
    c->workload.rate = rate;
    c->workload.delay = DELAY_NONE;
    c->workload.late_fraction = 0;
    c->workload.sources = 1;
    c->workload.source_skew = 0;
}

/* Replays tests/data/batch/NAME. */
static void tcfg_trace(config_t *c, const char *name)
{
    c->workload.source = SRC_TRACE;
    snprintf(c->workload.trace, sizeof c->workload.trace, "tests/data/batch/%s", name);
}

/* Runs c into a new temporary folder (returned in dir, removed by the
 * caller with trm_rf); asserts the run succeeded with every invariant. */
static void trun(const config_t *c, char *dir, size_t n, sim_outcome *o)
{
    snprintf(dir, n, "/tmp/sluice_batch_XXXXXX");
    cr_assert(mkdtemp(dir), "mkdtemp");
    char err[CFG_ERR_MAX];
    err[0] = 0;
    int rc = sim_run(c, dir, o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "seed %llu: sim_run gave %d: %s",
                 (unsigned long long)c->run.seed, rc, err);
}

/* The panes of one executor as "key,start,end,pane,timing,emit,count,sum"
 * lines (malloc'd; caller frees). */
static char *tpanes(const char *dir, const char *executor)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0, "cannot read %s", path);
    int ce = tcsv_col(&t, "executor");
    const char *names[] = {"key", "window_start", "window_end", "pane", "timing",
                           "emit_time", "count", "sum"};
    int col[8];
    for (int i = 0; i < 8; i++) {
        col[i] = tcsv_col(&t, names[i]);
        cr_assert(col[i] >= 0, "panes.csv has no column %s", names[i]);
    }
    size_t cap = 256 + t.rows * 128, len = 0;
    char *s = malloc(cap);
    s[0] = 0;
    for (size_t r = 0; r < t.rows; r++) {
        if (strcmp(tcsv_get(&t, r, ce), executor) != 0)
            continue;
        for (int i = 0; i < 8; i++) {
            const char *v = tcsv_get(&t, r, col[i]);
            size_t vl = strlen(v);
            if (len + vl + 2 >= cap) {
                cap *= 2;
                s = realloc(s, cap);
            }
            memcpy(s + len, v, vl);
            len += vl;
            s[len++] = i < 7 ? ',' : '\n';
        }
        s[len] = 0;
    }
    tcsv_free(&t);
    return s;
}

/* Contents of tests/data/batch/NAME (malloc'd). */
static char *tgolden(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "tests/data/batch/%s", name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "missing golden file %s", path);
    char *s = malloc(65536);
    size_t n = fread(s, 1, 65535, f);
    s[n] = 0;
    fclose(f);
    return s;
}

static void tassert_panes(const char *dir, const char *executor, const char *golden)
{
    char *got = tpanes(dir, executor);
    char *want = tgolden(golden);
    cr_assert_str_eq(got, want, "%s panes differ from tests/data/batch/%s:\n--- got\n%s--- want\n%s",
                     executor, golden, got, want);
    free(got);
    free(want);
}

/* Checks windows.csv: every window of `executor` has final == truth (when
 * exact), and returns the number of its rows. */
static size_t twindows_exact(const char *dir, const char *executor, int exact)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/windows.csv", dir);
    tcsv t;
    cr_assert_eq(tcsv_read(path, &t), 0, "cannot read %s", path);
    int ce = tcsv_col(&t, "executor"), tc = tcsv_col(&t, "truth_count"),
        ts = tcsv_col(&t, "truth_sum"), fc = tcsv_col(&t, "final_count"),
        fs = tcsv_col(&t, "final_sum");
    cr_assert(ce >= 0 && tc >= 0 && ts >= 0 && fc >= 0 && fs >= 0, "windows.csv columns");
    size_t n = 0;
    for (size_t r = 0; r < t.rows; r++) {
        if (strcmp(tcsv_get(&t, r, ce), executor) != 0)
            continue;
        n++;
        if (exact) {
            cr_assert_str_eq(tcsv_get(&t, r, fc), tcsv_get(&t, r, tc),
                             "%s row %zu: final_count != truth_count", executor, r);
            cr_assert_str_eq(tcsv_get(&t, r, fs), tcsv_get(&t, r, ts),
                             "%s row %zu: final_sum != truth_sum", executor, r);
        }
    }
    tcsv_free(&t);
    return n;
}
#endif

#endif
