/*
 * test_columns.c: measure/columns.c's table is the one truth about output
 * columns: the header of every file a real run and a real sweep write is
 * the table's (names and order), the sweep's metric list is its numeric
 * summary columns in order, readers find positions through it, and every
 * row is complete.  (The man page made from it: test_manpage.c.)
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/sweep.h"
#include "measure/columns.h"
#include "run/sim.h"

/* The table's header line of file, as columns_write_header writes it. */
static char *table_header(const char *file)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(columns_write_header(f, file), 0);
    fclose(f);
    return buf;
}

static char *first_line(const char *dir, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t n = 0;
    cr_assert_gt(getline(&line, &n, f), 0, "%s is empty", path);
    fclose(f);
    return line;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(columns, every_row_is_complete_and_names_are_unique_per_file)
{
    const columns_row *r, *s;
    size_t n = 0;
    for (size_t i = 0; (r = columns_at(i)) != NULL; i++, n++) {
        cr_assert(r->file && strstr(r->file, ".csv"), "row %zu: file", i);
        cr_assert(r->name && r->name[0], "row %zu: name", i);
        cr_assert(!strcmp(r->type, "text") || !strcmp(r->type, "integer") ||
                      !strcmp(r->type, "real") || !strcmp(r->type, "0/1"),
                  "%s %s: type %s", r->file, r->name, r->type);
        cr_assert_not_null(r->unit);
        cr_assert(r->meaning && strlen(r->meaning) > 10, "%s %s: meaning", r->file, r->name);
        cr_assert(!r->runs || !strcmp(r->file, "summary.csv"), "%s %s: runs", r->file, r->name);
        for (size_t j = 0; j < i; j++) {
            s = columns_at(j);
            cr_assert(strcmp(s->file, r->file) || strcmp(s->name, r->name), "%s %s twice",
                      r->file, r->name);
        }
        cr_assert_eq(columns_find(r->file, r->name), r);
    }
    cr_assert_gt(n, 100);
    cr_assert_null(columns_find("summary.csv", "no_such_column"));
    cr_assert_eq(columns_index("timeline.csv", "executor"), 0);
    cr_assert_eq(columns_index("timeline.csv", "backlog"), 4);
    cr_assert_eq(columns_index("summary.csv", "seed"), 36);
    cr_assert_eq(columns_index("nosuch.csv", "executor"), -1);
}

/* sweep.c's metrics (what METRIC may be in a sweep file, and the values
 * of runs.csv) are the numeric summary.csv columns runs.csv repeats, in
 * the table's order. */
Test(columns, sweep_metrics_are_the_numeric_summary_columns_in_order)
{
    size_t k = 0;
    const columns_row *r;
    for (size_t i = 0; (r = columns_at(i)) != NULL; i++) {
        if (!r->runs || !strcmp(r->type, "text"))
            continue;
        cr_assert_str_eq(sweep_metric_name(k), r->name, "metric %zu", k);
        k++;
    }
    cr_assert_eq(k, sweep_metric_count());
}

/* A real run: each file's header is the table's. */
Test(columns, the_files_of_a_run_have_the_tables_headers, .timeout = 60)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "run.duration=300", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "faults.crash_times=100", err, sizeof err), CFG_OK, "%s", err);
    char dir[] = "/tmp/sluice_columns_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    sim_outcome o;
    int rc = sim_run(&c, dir, &o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "%d %s", rc, err);
    static const char *const files[] = {"summary.csv", "panes.csv",  "timeline.csv",
                                        "windows.csv", "latency.csv", "faults.csv",
                                        "events.csv",  "watermarks.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *want = table_header(files[i]), *got = first_line(dir, files[i]);
        cr_expect_str_eq(got, want, "%s", files[i]);
        free(want);
        free(got);
    }
    remove_dir(dir);
}

/* A real sweep: runs.csv and sweep.csv expand the table's placeholders. */
Test(columns, the_files_of_a_sweep_have_the_tables_headers, .timeout = 120)
{
    char dir[] = "/tmp/sluice_columns_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[1024];
    const char *bin = getenv("SLUICE_BIN");
    snprintf(cmd, sizeof cmd, "%s sweep tests/data/sweep/small.sweep --out %s/s --jobs 2 "
             ">/dev/null 2>&1", bin && *bin ? bin : "build/sluice", dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/s", dir);

    /* runs.csv: point,replication,seed,KEYS,status,executor,SUMMARY */
    char want[4096] = "point,replication,seed";
    char *sweep_head = first_line(sub, "sweep.csv");
    /* the swept keys: between "point," and ",executor" of sweep.csv */
    char *keys = strchr(sweep_head, ',') + 1, *ex = strstr(sweep_head, ",executor,");
    cr_assert_not_null(ex);
    snprintf(want + strlen(want), sizeof want - strlen(want), ",%.*s,status,executor",
             (int)(ex - keys), keys);
    const columns_row *r;
    for (size_t i = 0; (r = columns_at(i)) != NULL; i++)
        if (r->runs)
            snprintf(want + strlen(want), sizeof want - strlen(want), ",%s", r->name);
    strcat(want, "\n");
    char *got = first_line(sub, "runs.csv");
    cr_expect_str_eq(got, want);
    free(got);
    /* sweep.csv: point,KEYS,executor,n then METRIC_mean,METRIC_ci pairs */
    cr_assert_not_null(strstr(sweep_head, ",executor,n,"));
    for (char *p = strstr(sweep_head, ",executor,n,") + 12; *p && *p != '\n';) {
        char *comma = strchr(p, ',');
        cr_assert_not_null(comma);
        size_t l = (size_t)(comma - p);
        cr_assert(l > 5 && !strncmp(p + l - 5, "_mean", 5), "%.40s", p);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(l - 5), p);
        const columns_row *m = columns_find("summary.csv", name);
        cr_assert(m && m->runs, "%s is not a summary metric", name);
        char ci[80];
        snprintf(ci, sizeof ci, "%s_ci", name);
        cr_assert(!strncmp(comma + 1, ci, strlen(ci)), "%s not followed by %s", name, ci);
        p = comma + 1 + strlen(ci);
        if (*p == ',')
            p++;
    }
    free(sweep_head);
    char *marks = first_line(sub, "marks.csv"), *mwant = table_header("marks.csv");
    cr_expect_str_eq(marks, mwant);
    free(marks);
    free(mwant);
    remove_dir(dir);
}
