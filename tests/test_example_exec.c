/*
 * test_example_exec.c: an executor written against the public interface
 * only (engine/exec.h, measure/metrics.h, run/sim.h, model/window.h,
 * lib/wmap.h), the way sim/README.md ("An executor") says to write one,
 * run through a real sim run with sim_options.exec_types, and its
 * results checked.
 *
 * The executor, "once": it counts every event into its (key, window)
 * at once and, when the input ends, emits each window exactly once, one
 * second later (a timer through sim_at), as a BATCH pane holding the
 * whole window.  It never loses or drops anything, so with no late
 * data its final results are the ground truth: completeness 1, every
 * window exact, every invariant holds, one pane per window.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/exec.h"
#include "lib/wmap.h"
#include "measure/metrics.h"
#include "model/window.h"
#include "output/plot.h"
#include "output/report.h"
#include "run/sim.h"

/* ------------------------------------------------------ the executor */

typedef struct once {
    sim_t *sim;
    metrics_t *m;
    struct config_window_s w; /* window assignment (model/window.h) */
    wmap_t *windows;          /* (key, window) -> once_value */
    workload_event *ev;       /* every event, made visible at the end */
    size_t nev, cap;
    int emitted;              /* the final timer ran */
} once_t;

typedef struct once_value {
    uint64_t count;
    int64_t sum;
} once_value;

static void *once_create(sim_t *s, exec_t *e, char *err, size_t errlen)
{
    once_t *o = calloc(1, sizeof *o);
    if (o)
        o->windows = wmap_alloc(sizeof(once_value));
    if (!o || !o->windows) {
        snprintf(err, errlen, "once: out of memory");
        free(o);
        return NULL;
    }
    o->sim = s;
    o->m = e->metrics;
    o->w = sim_cfg(s)->window;
    return o;
}

static void once_destroy(void *self)
{
    once_t *o = self;
    if (!o)
        return;
    wmap_free(o->windows);
    free(o->ev);
    free(o);
}

static void once_on_arrival(void *self, const workload_event *ev)
{
    once_t *o = self;
    metrics_arrived(o->m, ev);
    metrics_processed(o->m, ev, ev->arrival_time, ev->arrival_time);
    window_t win[64];
    size_t n = window_assign(&o->w, ev->event_time, win, 64);
    for (size_t i = 0; i < n; i++) {
        once_value *v = wmap_put(o->windows, ev->key, win[i].start, win[i].end, NULL);
        if (!v) {
            sim_abort(o->sim, "once: out of memory");
            return;
        }
        v->count++;
        v->sum += ev->value;
    }
    if (o->nev == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 1024;
        workload_event *nv = realloc(o->ev, cap * sizeof *nv);
        if (!nv) {
            sim_abort(o->sim, "once: out of memory");
            return;
        }
        o->ev = nv;
        o->cap = cap;
    }
    o->ev[o->nev++] = *ev;
}

/* The timer set by on_input_end: every window, once, in sorted order. */
static void once_emit(void *ctx, void *arg, uint64_t data)
{
    (void)ctx;
    (void)data;
    once_t *o = arg;
    double now = sim_now(o->sim);
    wmap_key *k = NULL;
    void **v = NULL;
    if (wmap_sorted(o->windows, &k, &v) != 0) {
        sim_abort(o->sim, "once: out of memory");
        return;
    }
    for (size_t i = 0; i < wmap_size(o->windows); i++) {
        const once_value *x = v[i];
        pane_t p = {k[i].key, k[i].start, k[i].end, 0, PANE_BATCH, now, x->count, x->sum, 0};
        if (metrics_pane(o->m, &p) != 0)
            sim_abort(o->sim, "once: cannot write a pane");
    }
    free(k);
    free(v);
    for (size_t i = 0; i < o->nev; i++)
        metrics_visible(o->m, &o->ev[i], now);
    o->emitted = 1;
}

static void once_on_input_end(void *self)
{
    once_t *o = self;
    if (!sim_at(o->sim, sim_now(o->sim) + 1.0, once_emit, o, 0))
        return; /* sim_at has aborted the run */
}

static void once_on_fault(void *self, const fault_t *f)
{
    (void)self;
    (void)f; /* nothing is lost: everything is kept until the end */
}

static uint64_t once_backlog(void *self)
{
    (void)self;
    return 0;
}

static double once_watermark(void *self)
{
    (void)self;
    return NAN;
}

static void once_finish(void *self)
{
    (void)self;
}

/* One worker, whole windows, exactly-once (also the defaults). */
static void once_facts(const config_t *c, metrics_facts *out)
{
    (void)c;
    out->parallelism = 1;
    out->deltas = 0;
    out->exactly_once = 1;
}

static const exec_type exec_once = {
    .name = "once",
    .create = once_create,
    .destroy = once_destroy,
    .on_arrival = once_on_arrival,
    .on_input_end = once_on_input_end,
    .on_fault = once_on_fault,
    .backlog = once_backlog,
    .watermark = once_watermark,
    .finish = once_finish,
    .horizon = NULL, /* nothing is final before the end: never folded early */
    .label = "once-at-end",
    .facts = once_facts,
};

/* ------------------------------------------------------------ helpers */

static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int col(char *const *h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(h[i], name))
            return i;
    cr_assert_fail("no column %s", name);
    return -1;
}

/* Rows of dir/file whose executor column is e. */
static size_t rows_of(const char *dir, const char *file, const char *e)
{
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *in = fopen(path, "r");
    cr_assert_not_null(in, "%s: %s", path, strerror(errno));
    size_t n = 0, l = strlen(e);
    while (fgets(line, sizeof line, in))
        n += strncmp(line, e, l) == 0 && line[l] == ',';
    fclose(in);
    return n;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* -------------------------------------------------------------- tests */

static const exec_type *const in_batch_slot[EXEC_COUNT] = {[EXEC_BATCH] = &exec_once};

static void run_once(config_t *c, char *dir)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    static const char *const sets[] = {
        "run.executors=batch,stream", "run.duration=600", "window.type=tumbling",
        "window.size=60", "workload.late_fraction=0",
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert_eq(config_set(c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
    cr_assert_not_null(mkdtemp(dir));
    sim_options opt = {0};
    opt.exec_types = in_batch_slot;
    sim_outcome o;
    int rc = sim_run_opts(c, dir, &opt, &o, err, sizeof err);
    cr_assert_eq(rc, SIM_OK, "sim_run_opts: %d %s", rc, err);
    cr_assert_eq(o.nexec, 2);
    cr_assert_str_eq(o.executor[0], "once");
    cr_assert_str_eq(o.executor[1], "stream");
    cr_assert_str_eq(o.invariants[0], "ok");
    cr_assert_eq(o.summary[0].events, o.events);
    cr_assert_eq(o.summary[0].counted, o.events, "every event counted");
    cr_assert_eq(o.summary[0].dropped_late, 0);
}

Test(example_exec, completeness_is_one_without_late_data, .timeout = 60)
{
    config_t c;
    char dir[] = "/tmp/sluice_example_exec_XXXXXX";
    run_once(&c, dir);

    char path[512], line[8192], head[8192], *h[64], *f[64];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    FILE *in = fopen(path, "r");
    cr_assert_not_null(in);
    cr_assert_not_null(fgets(head, sizeof head, in));
    int nh = split(head, h, 64);
    int found = 0;
    while (fgets(line, sizeof line, in)) {
        int n = split(line, f, 64);
        cr_assert_eq(n, nh);
        if (strcmp(f[0], "once") != 0)
            continue;
        found = 1;
        /* its facts, as it states them */
        cr_assert_str_eq(f[col(h, nh, "label")], "once-at-end");
        cr_assert_str_eq(f[col(h, nh, "parallelism")], "1");
        cr_assert_str_eq(f[col(h, nh, "deltas")], "0");
        cr_assert_str_eq(f[col(h, nh, "exactly_once")], "1");
        /* its results: everything, exactly, once */
        cr_assert_str_eq(f[col(h, nh, "invariants")], "ok");
        cr_assert_str_eq(f[col(h, nh, "complete_final")], "1");
        cr_assert_str_eq(f[col(h, nh, "complete_first")], "1");
        cr_assert_str_eq(f[col(h, nh, "windows_exact")], "1");
        cr_assert_str_eq(f[col(h, nh, "duplicates")], "0");
        cr_assert_str_eq(f[col(h, nh, "lost")], "0");
        /* one pane per window of the ground truth */
        size_t windows = rows_of(dir, "windows.csv", "once");
        cr_assert_gt(windows, 10);
        cr_assert_eq(strtoull(f[col(h, nh, "panes")], NULL, 10), windows);
        cr_assert_eq(rows_of(dir, "panes.csv", "once"), windows);
    }
    fclose(in);
    cr_assert(found, "no once row in summary.csv");
    remove_dir(dir);
}

/* The plots and the report draw it like a built-in executor, under its
 * own label. */
Test(example_exec, plotted_and_reported_under_its_label, .timeout = 120)
{
    config_t c;
    char dir[] = "/tmp/sluice_example_exec_XXXXXX", err[2048], path[512];
    run_once(&c, dir);
    int rc = plot_run(dir, "reports", err, sizeof err);
    cr_assert_eq(rc, 0, "plot_run: %d %s", rc, err);
    rc = report_write(dir, "reports", "test", err, sizeof err);
    cr_assert_eq(rc, 0, "report_write: %d %s", rc, err);
    snprintf(path, sizeof path, "%s/report.md", dir);
    FILE *in = fopen(path, "r");
    cr_assert_not_null(in);
    char line[4096];
    int title = 0;
    while (fgets(line, sizeof line, in))
        title |= strstr(line, "# sluice report: once-at-end vs stream") == line;
    fclose(in);
    cr_assert(title, "report.md title names the executor by its label");
    remove_dir(dir);
}

/* model/executors.h is the one list: every [run] executors word is the
 * name of the registry's executor of that enum value, in that order, and
 * there is no word or slot beyond it. */
Test(example_exec, the_executor_list_makes_words_and_registry)
{
    int n = 0;
#define COUNT_ONE(id, name) n++;
    SLUICE_EXECUTORS(COUNT_ONE)
#undef COUNT_ONE
    cr_assert_eq(n, EXEC_COUNT);
    for (int id = 0; id < EXEC_COUNT; id++) {
        const char *word = config_word("run", "executors", id);
        const exec_type *t = exec_type_of(id);
        cr_assert(word && t, "executor %d: word %s, type %p", id, word, (const void *)t);
        cr_expect_str_eq(word, t->name);
        cr_expect_eq(exec_id_named(word), id);
    }
    cr_expect_null(config_word("run", "executors", EXEC_COUNT));
    cr_expect_null(exec_type_of(EXEC_COUNT));
    cr_expect_str_eq(config_word("run", "executors", EXEC_MICROBATCH), "microbatch");
}
