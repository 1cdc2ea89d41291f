/*
 * test_sweep.c: sweep files, ranges, bad input, byte-identical output for
 * any number of worker processes and for MPI, and confidence intervals
 * that cover a theoretical value about 95% of the time.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output/plot.h"
#include "experiments/sweep.h"

#include "util.h"

static sweep_t *load_ok(const char *path)
{
    char err[2048];
    sweep_t *w = sweep_load(path, err, sizeof err);
    cr_assert(w, "%s: %s", path, err);
    return w;
}

static void expect_error(const char *path, const char *want)
{
    char err[2048] = "";
    sweep_t *w = sweep_load(path, err, sizeof err);
    cr_expect_null(w, "%s should be rejected", path);
    sweep_free(w);
    cr_expect(strncmp(err, want, strlen(want)) == 0, "expected '%s...', got '%s'", want, err);
}

Test(sweep, grid_points_and_ranges)
{
    sweep_t *w = load_ok("tests/data/sweep/small.sweep");
    cr_expect_eq(sweep_points(w), 4);
    cr_expect_eq(sweep_tasks(w), 12);
    /* Grid order: first key slowest; lin:10:20:2 gives 10 and 20;
     * replication r adds r to the seed. */
    config_t c;
    char err[2048];
    static const double want_interval[] = {10, 10, 40, 40};
    static const double want_rate[] = {10, 20, 10, 20};
    for (size_t p = 0; p < 4; p++)
        for (size_t r = 0; r < 3; r++) {
            cr_assert_eq(sweep_task_config(w, p * 3 + r, &c, err, sizeof err), 0, "%s", err);
            cr_expect_eq(c.batch.interval, want_interval[p]);
            cr_expect_eq(c.workload.rate, want_rate[p]);
            cr_expect_eq(c.run.seed, 7 + r, "seed of replication %zu", r);
        }
    char cmd[1024];
    sweep_task_command(w, 5, cmd, sizeof cmd);
    cr_expect_str_eq(cmd, "sluice run tests/data/sweep/../cli/small.ini --seed 9 --set "
                          "batch.interval=10 --set workload.rate=20");
    sweep_free(w);
}

Test(sweep, log_range_values)
{
    char path[] = "/tmp/sluice_sweep_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "[sweep]\nbase = %s/tests/data/cli/small.ini\nbatch.interval = log:1:1000:4\n",
            getenv("PWD") ? getenv("PWD") : ".");
    fclose(f);
    sweep_t *w = load_ok(path);
    cr_expect_eq(sweep_points(w), 4);
    config_t c;
    char err[2048];
    static const double want[] = {1, 10, 100, 1000};
    for (size_t p = 0; p < 4; p++) {
        cr_assert_eq(sweep_task_config(w, p, &c, err, sizeof err), 0, "%s", err);
        cr_expect(fabs(c.batch.interval - want[p]) < 1e-9 * want[p], "point %zu: %g", p,
                  c.batch.interval);
    }
    sweep_free(w);
    remove(path);
}

Test(sweep, bad_files_name_file_and_line)
{
    expect_error("tests/data/sweep/bad_value.sweep", "tests/data/sweep/bad_value.sweep:4: ");
    expect_error("tests/data/sweep/bad_key.sweep", "tests/data/sweep/bad_key.sweep:3: ");
    expect_error("tests/data/sweep/bad_zip.sweep", "tests/data/sweep/bad_zip.sweep:5: ");
    expect_error("tests/data/sweep/bad_range.sweep", "tests/data/sweep/bad_range.sweep:3: ");
    expect_error("tests/data/sweep/bad_metric.sweep", "tests/data/sweep/bad_metric.sweep:3: ");
    expect_error("tests/data/sweep/missing.sweep", "tests/data/sweep/missing.sweep: cannot open");
}

static void same(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = util_slurp(a, &la), *y = util_slurp(b, &lb);
    cr_assert(x && y, "missing %s or %s", a, b);
    cr_assert(la > 0);
    cr_expect(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
    free(x);
    free(y);
}

static int shell(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s", cmd);
    return WEXITSTATUS(st);
}

Test(sweep, jobs_and_mpi_give_identical_files, .timeout = 300)
{
    const char *bin = getenv("SLUICE_BIN") ? getenv("SLUICE_BIN") : "build/sluice";
    const char *mpi = getenv("SLUICE_MPI_BIN") ? getenv("SLUICE_MPI_BIN") : "build/sluice-mpi";
    char d[] = "/tmp/sluice_sweep_dir_XXXXXX";
    cr_assert(mkdtemp(d));
    char cmd[2048], a[256], b[256];
    snprintf(cmd, sizeof cmd, "%s sweep tests/data/sweep/small.sweep --out %s/j1 --jobs 1 >/dev/null", bin, d);
    cr_assert_eq(shell(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s sweep tests/data/sweep/small.sweep --out %s/j2 --jobs 2 >/dev/null", bin, d);
    cr_assert_eq(shell(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd,
             "mpirun --allow-run-as-root --oversubscribe -n 2 %s sweep tests/data/sweep/small.sweep "
             "--out %s/mpi >/dev/null 2>%s/mpi.err",
             mpi, d, d);
    cr_assert_eq(shell(cmd), 0, "%s", cmd);
    static const char *files[] = {"sweep.csv", "runs.csv", "marks.csv"};
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "%s/j1/%s", d, files[i]);
        snprintf(b, sizeof b, "%s/j2/%s", d, files[i]);
        same(a, b);
        snprintf(b, sizeof b, "%s/mpi/%s", d, files[i]);
        same(a, b);
    }
    /* sweep.csv: header plus 4 points x 3 executors. */
    size_t n = 0;
    snprintf(a, sizeof a, "%s/j1/sweep.csv", d);
    char *s = util_slurp(a, &n);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    cr_expect_eq(lines, 1 + 4 * 3);
    cr_expect(strstr(s, "point,batch.interval,workload.rate,executor,n,lat_mean_mean,lat_mean_ci,"),
              "header: %.200s", s);
    free(s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    shell(cmd);
}

/* 100 independent points (run.seed swept), 10 replications each: the 95%
 * t-interval of the M/M/1 mean sojourn must cover 1/(mu - lambda) = 2 s
 * in about 95 of them.  Coverage is Binomial(100, 0.95) if the intervals
 * are right: P(coverage < 88) < 0.3%.  (Runs of 4000 s at rho = 0.5 start
 * empty; the resulting bias, about -0.5% of 2 s, is small against the
 * interval half-width of about 5%.) */
Test(sweep, ci_covers_mm1_mean_sojourn, .timeout = 300)
{
    char path[] = "/tmp/sluice_mm1_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "[sweep]\nbase = %s/tests/data/sweep/mm1.ini\nreplications = 10\n"
               "metrics = proc_lat_mean\nrun.seed = lin:1000:100000:100\n",
            getenv("PWD") ? getenv("PWD") : ".");
    fclose(f);
    sweep_t *w = load_ok(path);
    size_t total = sweep_tasks(w);
    sweep_result *res = calloc(total, sizeof *res);
    char err[1024];
    cr_assert_eq(sweep_run_all(w, 2, res, NULL, NULL, NULL, err, sizeof err), 0, "%s", err);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cr_assert_eq(sweep_write_summary(w, res, m), 0);
    fclose(m);
    int covered = 0, rows = 0;
    char *line = strchr(buf, '\n');
    while (line && line[1]) {
        line++;
        double mean, ci;
        /* point,run.seed,executor,n,proc_lat_mean_mean,proc_lat_mean_ci */
        char *p = line;
        for (int k = 0; k < 4; k++)
            p = strchr(p, ',') + 1;
        cr_assert_eq(sscanf(p, "%lf,%lf", &mean, &ci), 2, "row: %.80s", line);
        rows++;
        covered += fabs(mean - 2.0) <= ci;
        line = strchr(line, '\n');
    }
    cr_expect_eq(rows, 100);
    cr_expect(covered >= 88 && covered <= 100, "coverage %d of 100", covered);
    free(buf);
    free(res);
    sweep_free(w);
    remove(path);
}

/* A sweep over two keys plots one line per executor and value of the
 * second key, and the sweep's marks, without gnuplot errors. */
Test(sweep, two_key_sweep_plots_split_lines)
{
    char d[] = "/tmp/sluice_sweep_plot_XXXXXX";
    cr_assert(mkdtemp(d));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cp tests/data/sweep_fixture2/sweep.csv %s/ && printf 'x,label\\n4,four_workers\\n' > "
             "%s/marks.csv",
             d, d);
    cr_assert_eq(shell(cmd), 0);
    char err[2048] = "";
    cr_assert_eq(plot_run(d, "reports", err, sizeof err), 0, "%s", err);
    char png[256];
    snprintf(png, sizeof png, "%s/plots/sweep_throughput.png", d);
    size_t n = 0;
    char *buf = util_slurp(png, &n);
    cr_assert(buf && n > 20000, "no or tiny plot (%zu bytes)", n);
    free(buf);
    /* The SVG names both values of the second key in its legend. */
    snprintf(png, sizeof png, "%s/plots/sweep_throughput.svg", d);
    buf = util_slurp(png, &n);
    cr_assert(buf);
    cr_expect(strstr(buf, "stream.routing = hash") && strstr(buf, "stream.routing = round_robin"),
              "legend lacks the split values");
    cr_expect(strstr(buf, "four_workers"), "mark label missing");
    free(buf);
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    shell(cmd);
}

/* A grid of exactly 2^64 points (8192^4 x 4096) wrapped the point count
 * to 0, and the sweep was accepted with no tasks (found by fuzzing). */
Test(sweep, grid_too_big_even_when_the_product_wraps)
{
    expect_error("tests/data/sweep/grid_wraps.sweep",
                 "tests/data/sweep/grid_wraps.sweep: 8192 x 8192 x 8192 x 8192 x 4096 values x 1 "
                 "replication = 1.84e+19 runs: more than the limit of 1000000 runs");
}
