/*
 * experiments/sweep.c: parameter sweeps (see experiments/sweep.h for the file format and rules).
 *
 * Tasks run in worker processes through experiments/pool.h; results are stored by
 * task number, so the output never depends on which worker ran what.
 */
#include "experiments/sweep.h"
#include "lib/fmt.h"
#include "lib/infile.h"
#include "experiments/pool.h"
#include "measure/columns.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ini.h>
#include <gsl/gsl_cdf.h>

#define VALUE_MAX 64

typedef struct sweep_param {
    char key[128];          /* section.key */
    int line;               /* where it was given */
    size_t n, cap;           /* values held, room for */
    char (*values)[VALUE_MAX];
} sweep_param;

struct sweep {
    char path[CFG_PATH_MAX];
    char base[CFG_PATH_MAX];  /* resolved */
    int base_line;
    int replications;
    int zip;
    size_t nparams;
    sweep_param params[SWEEP_MAX_PARAMS];
    size_t nmetrics;
    int metrics[SWEEP_MAX_METRICS]; /* indexes into the metric table */
    uint64_t base_seed;
    size_t npoints;
    size_t nmarks;                  /* [sweep] marks: vertical lines on plots */
    double mark_x[SWEEP_MAX_MARKS];
    char mark_label[SWEEP_MAX_MARKS][32];
};

_Static_assert(sizeof(sweep_result) + 4 <= PIPE_BUF, "a result record must be written atomically");

/* Copies src into dst (n bytes), cutting it short if it does not fit. */
static void copy_text(char *dst, size_t n, const char *src)
{
    size_t k = strlen(src);
    if (k >= n)
        k = n - 1;
    memcpy(dst, src, k);
    dst[k] = 0;
}

/* ---- the numeric summary columns, in summary.csv order ----
 * Where each metric of measure/columns.h's table (a numeric summary.csv
 * column that runs.csv repeats) lives in metrics_summary; the order is
 * the table's (tests/test_columns.c checks it). */

typedef struct metric_col {
    const char *name;
    size_t offset;
    int is_u64;
} metric_col;

#define MU(f) {#f, offsetof(metrics_summary, f), 1}
#define MD(f) {#f, offsetof(metrics_summary, f), 0}
static const metric_col metric_cols[] = {
    MU(events),        MU(counted),        MU(dropped_late),  MU(duplicates),   MU(lost),
    MD(lat_mean),      MD(lat_p50),        MD(lat_p95),       MD(lat_p99),      MD(lat_max),
    MD(proc_lat_mean), MD(proc_lat_p99),   MD(throughput),    MU(panes),        MU(crashes),
    MD(downtime),      MU(reprocessed),    MD(proc_lat_p50),  MD(cpu_wasted),   MD(win_lat_mean),
    MD(win_lat_p99),   MD(complete_first), MD(complete_ontime), MD(complete_final),
    MD(windows_exact), MD(wait_mean),      MD(work_mean),     MD(hold_mean),
    MD(checkpoint_cpu), MD(overhead),
};
#undef MU
#undef MD
#define NCOLS (sizeof metric_cols / sizeof metric_cols[0])

_Static_assert(NCOLS <= SWEEP_MAX_METRICS, "raise SWEEP_MAX_METRICS");

size_t sweep_metric_count(void) { return NCOLS; }
const char *sweep_metric_name(size_t i) { return i < NCOLS ? metric_cols[i].name : NULL; }

void sweep_summary_values(const metrics_summary *s, double *v)
{
    for (size_t i = 0; i < NCOLS; i++) {
        const char *p = (const char *)s + metric_cols[i].offset;
        if (metric_cols[i].is_u64) {
            uint64_t u;
            memcpy(&u, p, sizeof u);
            v[i] = (double)u;
        } else {
            memcpy(&v[i], p, sizeof v[i]);
        }
    }
}

static int metric_index(const char *name)
{
    for (size_t i = 0; i < NCOLS; i++)
        if (!strcmp(metric_cols[i].name, name))
            return (int)i;
    return -1;
}

/* ---- parsing ---- */

typedef struct parse_state {
    sweep_t *w;
    infile *f;
    int line;
    char *err;
    size_t errlen;
    int failed;
    char dir[CFG_PATH_MAX];
} parse_state;

static int fail(parse_state *ps, const char *msg, const char *arg);

/* The ini_reader: one line through lib/infile.h (regular file, at most
 * INFILE_LINE_MAX bytes, no NUL byte, the stop flag).  A line too long
 * for inih's buffer is an error rather than being cut in two.  Any error
 * ends the parse (NULL: inih sees the end of the file). */
static char *reader(char *str, int num, void *stream)
{
    parse_state *ps = stream;
    char *buf;
    size_t len;
    if (ps->failed)
        return NULL;
    int r = infile_line(ps->f, &buf, &len);
    if (r == INFILE_ERR) {
        snprintf(ps->err, ps->errlen, "%s", infile_error(ps->f));
        ps->failed = 1;
    }
    if (r != INFILE_LINE)
        return NULL;
    ps->line++;
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (num < 4 || len + 3 > (size_t)num) {
        char m[96];
        snprintf(m, sizeof m, "line too long (%zu characters, at most %d)", len, num - 3);
        fail(ps, "%s", m);
        return NULL;
    }
    memcpy(str, buf, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static int fail(parse_state *ps, const char *msg, const char *arg)
{
    char m[512];
    snprintf(m, sizeof m, msg, arg);
    snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->w->path, ps->line, m);
    ps->failed = 1;
    return 0;
}

static int add_value(sweep_param *p, const char *v)
{
    if (strlen(v) >= VALUE_MAX)
        return -1;
    if (p->n == p->cap) { /* doubling: a 10,000-value range is not quadratic */
        size_t ncap = p->cap ? 2 * p->cap : 8;
        char(*nv)[VALUE_MAX] = realloc(p->values, ncap * sizeof *nv);
        if (!nv)
            return -1;
        p->values = nv;
        p->cap = ncap;
    }
    snprintf(p->values[p->n++], VALUE_MAX, "%s", v);
    return 0;
}

/* lin:FROM:TO:N or log:FROM:TO:N (N >= 2 points including both ends;
 * N = 1 gives FROM). */
static int parse_range(parse_state *ps, sweep_param *p, const char *v)
{
    int is_log = !strncmp(v, "log:", 4);
    char *end;
    const char *s = v + 4;
    double from = strtod(s, &end);
    if (end == s || *end != ':')
        return fail(ps, "bad range '%s': expected lin:FROM:TO:N or log:FROM:TO:N", v);
    s = end + 1;
    double to = strtod(s, &end);
    if (end == s || *end != ':')
        return fail(ps, "bad range '%s': expected lin:FROM:TO:N or log:FROM:TO:N", v);
    s = end + 1;
    long n = strtol(s, &end, 10);
    if (end == s || *end || n < 1 || n > 10000)
        return fail(ps, "bad range '%s': N must be a whole number from 1 to 10000", v);
    if (!isfinite(from) || !isfinite(to))
        return fail(ps, "bad range '%s': FROM and TO must be finite numbers", v);
    if (is_log && (from <= 0 || to <= 0))
        return fail(ps, "bad range '%s': a log range needs FROM > 0 and TO > 0", v);
    for (long i = 0; i < n; i++) {
        double f = n == 1 ? 0 : (double)i / (double)(n - 1);
        double x = is_log ? exp(log(from) + f * (log(to) - log(from))) : from + f * (to - from);
        if (i == n - 1)
            x = to;
        char buf[VALUE_MAX];
        snprintf(buf, sizeof buf, "%.10g", x);
        if (add_value(p, buf) != 0)
            return fail(ps, "%s", "out of memory");
    }
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_state *ps = user;
    sweep_t *w = ps->w;
    if (ps->failed)
        return 0;
    if (strcmp(section, "sweep") != 0)
        return fail(ps, "unknown section [%s]: a sweep file has only [sweep]", section);
    char vbuf[4096];
    snprintf(vbuf, sizeof vbuf, "%s", value);
    char *v = trim(vbuf);
    if (!strcmp(name, "base")) {
        if (!*v)
            return fail(ps, "%s", "base needs a config file");
        int len = (v[0] == '/' || !*ps->dir)
                      ? snprintf(w->base, sizeof w->base, "%s", v)
                      : snprintf(w->base, sizeof w->base, "%s/%s", ps->dir, v);
        if (len < 0 || (size_t)len >= sizeof w->base)
            return fail(ps, "%s", "base path too long");
        w->base_line = ps->line;
        return 1;
    }
    if (!strcmp(name, "replications")) {
        char *end;
        long r = strtol(v, &end, 10);
        if (end == v || *end || r < 1 || r > 100000)
            return fail(ps, "replications must be a whole number from 1 to 100000, not '%s'", v);
        w->replications = (int)r;
        return 1;
    }
    if (!strcmp(name, "mode")) {
        if (!strcmp(v, "grid"))
            w->zip = 0;
        else if (!strcmp(v, "zip"))
            w->zip = 1;
        else
            return fail(ps, "mode must be grid or zip, not '%s'", v);
        return 1;
    }
    if (!strcmp(name, "metrics")) {
        w->nmetrics = 0;
        for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
            char *t = trim(tok);
            int i = metric_index(t);
            if (i < 0)
                return fail(ps, "unknown metric '%s' (use summary.csv column names, e.g. lat_p99)", t);
            if (w->nmetrics == SWEEP_MAX_METRICS)
                return fail(ps, "%s", "too many metrics");
            w->metrics[w->nmetrics++] = i;
        }
        return 1;
    }
    if (!strcmp(name, "marks")) {
        /* "49 Young, 47.7 \"Daly's optimum\"": x positions on the first
         * swept key's axis with labels (one word, or words in double
         * quotes), drawn as vertical lines by sluice plot. */
        w->nmarks = 0;
        for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
            char *t = trim(tok), *end;
            double x = strtod(t, &end);
            if (end == t || !isfinite(x))
                return fail(ps, "bad mark '%s': expected a number and a one-word label", t);
            char *label = trim(end);
            size_t ll = strlen(label);
            int quoted = ll >= 2 && label[0] == '"' && label[ll - 1] == '"';
            if (quoted) {
                label[ll - 1] = 0;
                label = trim(label + 1);
            }
            if (!*label || strlen(label) >= sizeof w->mark_label[0] ||
                strpbrk(label, quoted ? "\t'\"\\|" : " \t'\"\\|"))
                return fail(ps, "bad mark '%s': the label must be one word, or words in double "
                                "quotes, of at most 31 characters", t);
            if (w->nmarks == SWEEP_MAX_MARKS)
                return fail(ps, "%s", "too many marks");
            w->mark_x[w->nmarks] = x;
            snprintf(w->mark_label[w->nmarks], sizeof w->mark_label[0], "%s", label);
            w->nmarks++;
        }
        return 1;
    }
    if (!strchr(name, '.'))
        return fail(ps,
                    "unknown key '%s': use base, replications, mode, metrics, marks, or section.key "
                    "to sweep a config key",
                    name);
    if (w->nparams == SWEEP_MAX_PARAMS)
        return fail(ps, "%s", "too many swept keys");
    for (size_t i = 0; i < w->nparams; i++)
        if (!strcmp(w->params[i].key, name))
            return fail(ps, "'%s' is swept twice", name);
    sweep_param *p = &w->params[w->nparams++];
    snprintf(p->key, sizeof p->key, "%s", name);
    p->line = ps->line;
    if (!strncmp(v, "lin:", 4) || !strncmp(v, "log:", 4))
        return parse_range(ps, p, v);
    for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
        char *t = trim(tok);
        if (!*t)
            return fail(ps, "empty value in the list of '%s'", name);
        if (add_value(p, t) != 0)
            return fail(ps, "value '%s' too long or out of memory", t);
    }
    if (p->n == 0)
        return fail(ps, "'%s' needs at least one value", name);
    return 1;
}

void sweep_free(sweep_t *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nparams; i++)
        free(w->params[i].values);
    free(w);
}

size_t sweep_points(const sweep_t *w) { return w->npoints; }
size_t sweep_tasks(const sweep_t *w) { return w->npoints * (size_t)w->replications; }

/* Index of point p's value for parameter k. */
static size_t value_index(const sweep_t *w, size_t p, size_t k)
{
    if (w->zip)
        return p;
    size_t stride = 1;
    for (size_t j = w->nparams; j-- > k + 1;)
        stride *= w->params[j].n;
    return (p / stride) % w->params[k].n;
}

static int apply_point(const sweep_t *w, size_t p, config_t *c, char *err, size_t errlen)
{
    for (size_t k = 0; k < w->nparams; k++) {
        char a[256], e[CFG_ERR_MAX];
        snprintf(a, sizeof a, "%s=%s", w->params[k].key, w->params[k].values[value_index(w, p, k)]);
        if (config_set(c, a, e, sizeof e) != CFG_OK) {
            snprintf(err, errlen, "%s:%d: %s", w->path, w->params[k].line, e);
            return -1;
        }
    }
    return 0;
}

sweep_t *sweep_load(const char *path, char *err, size_t errlen)
{
    return sweep_load_stop(path, NULL, err, errlen);
}

/* The number of runs of a grid or zip sweep: points x replications, or 0
 * when that is more than SWEEP_MAX_RUNS (then msg says how many, counted
 * in floating point so that no product can wrap around). */
static size_t count_runs(const sweep_t *w, char *msg, size_t n)
{
    uint64_t points = 1, runs;
    int over = 0;
    double approx = 1;
    size_t factors = w->zip && w->nparams ? 1 : w->nparams; /* zip: lists of equal length */
    for (size_t k = 0; k < factors; k++) {
        approx *= (double)w->params[k].n;
        if (__builtin_mul_overflow(points, (uint64_t)w->params[k].n, &points))
            over = 1;
    }
    approx *= (double)w->replications;
    if (__builtin_mul_overflow(points, (uint64_t)w->replications, &runs))
        over = 1;
    if (!over && runs <= SWEEP_MAX_RUNS)
        return (size_t)runs;
    /* "16 swept keys of 16 values", or "3 x 5 x 7 values" */
    char what[256] = "";
    size_t len = 0;
    int same = 1;
    for (size_t k = 1; k < w->nparams; k++)
        same &= w->params[k].n == w->params[0].n;
    if (w->zip)
        snprintf(what, sizeof what, "%zu zipped values", w->params[0].n);
    else if (same)
        snprintf(what, sizeof what, "%zu swept key%s of %zu values", w->nparams,
                 w->nparams == 1 ? "" : "s", w->params[0].n);
    else
        for (size_t k = 0; k < w->nparams && len < sizeof what; k++) {
            int m = snprintf(what + len, sizeof what - len, "%s%zu", k ? " x " : "",
                             w->params[k].n);
            if (m < 0)
                break;
            len += (size_t)m;
        }
    char count[64];
    if (over)
        snprintf(count, sizeof count, "%.3g", approx);
    else
        snprintf(count, sizeof count, "%" PRIu64, runs);
    snprintf(msg, n, "%s%s x %d replication%s = %s runs: more than the limit of %d runs",
             what, w->zip || same ? "" : " values", w->replications,
             w->replications == 1 ? "" : "s", count, SWEEP_MAX_RUNS);
    return 0;
}

sweep_t *sweep_load_stop(const char *path, const volatile int *stop, char *err, size_t errlen)
{
    sweep_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    w->replications = 1;
    parse_state ps = {w, NULL, 0, err, errlen, 0, ""};
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(ps.dir, sizeof ps.dir, "%.*s", (int)(slash - path), path);
    ps.f = infile_open(path, NULL, stop, err, errlen);
    if (!ps.f) {
        sweep_free(w);
        return NULL;
    }
    int rc = ini_parse_stream(reader, &ps, handler, &ps);
    infile_close(ps.f);
    if (ps.failed) {
        sweep_free(w);
        return NULL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: syntax error", path, rc > 0 ? rc : ps.line);
        sweep_free(w);
        return NULL;
    }
    if (!*w->base) {
        snprintf(err, errlen, "%s: no 'base = CONFIG' in [sweep]", path);
        sweep_free(w);
        return NULL;
    }
    if (w->nmetrics == 0)
        for (size_t i = 0; i < NCOLS; i++)
            w->metrics[w->nmetrics++] = (int)i;
    for (size_t k = 1; w->zip && k < w->nparams; k++)
        if (w->params[k].n != w->params[0].n) {
            snprintf(err, errlen, "%s:%d: mode = zip needs lists of equal length: %s has %zu values, %s has %zu",
                     path, w->params[k].line, w->params[k].key, w->params[k].n, w->params[0].key,
                     w->params[0].n);
            sweep_free(w);
            return NULL;
        }
    char msg[512];
    size_t runs = count_runs(w, msg, sizeof msg);
    if (runs == 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        sweep_free(w);
        return NULL;
    }
    w->npoints = runs / (size_t)w->replications;
    /* Load the base, and check every value of every key applies cleanly. */
    config_t c;
    char e[CFG_ERR_MAX];
    config_defaults(&c);
    if (config_load_stop(&c, w->base, stop, e, sizeof e) != CFG_OK) {
        snprintf(err, errlen, "%s:%d: base: %s", path, w->base_line, e);
        sweep_free(w);
        return NULL;
    }
    w->base_seed = c.run.seed;
    for (size_t k = 0; k < w->nparams; k++)
        for (size_t i = 0; i < w->params[k].n; i++) {
            config_t t = c;
            char a[256];
            snprintf(a, sizeof a, "%s=%s", w->params[k].key, w->params[k].values[i]);
            if (config_set(&t, a, e, sizeof e) != CFG_OK) {
                snprintf(err, errlen, "%s:%d: %s", path, w->params[k].line, e);
                sweep_free(w);
                return NULL;
            }
        }
    for (size_t p = 0; p < w->npoints; p++) {
        if (stop && *stop) {
            snprintf(err, errlen, "%s: interrupted", path);
            sweep_free(w);
            return NULL;
        }
        config_t t = c;
        if (apply_point(w, p, &t, err, errlen) != 0) {
            sweep_free(w);
            return NULL;
        }
        if (sim_check(&t, e, sizeof e) != SIM_OK) {
            snprintf(err, errlen, "%s: point %zu: %s", path, p, e);
            sweep_free(w);
            return NULL;
        }
    }
    return w;
}

int sweep_task_config(const sweep_t *w, size_t t, config_t *c, char *err, size_t errlen)
{
    config_defaults(c);
    if (config_load(c, w->base, err, errlen) != CFG_OK)
        return -1;
    if (apply_point(w, t / (size_t)w->replications, c, err, errlen) != 0)
        return -1;
    /* Replication r: the point's seed (the base's, unless run.seed is
     * swept) plus r. */
    c->run.seed += (uint64_t)(t % (size_t)w->replications);
    /* The base is read again (a worker or an MPI rank may be another
     * process), so it is checked again: the run itself then need not. */
    return sim_check(c, err, errlen) == SIM_OK ? 0 : -1;
}

/* Seed of task t (see sweep_task_config). */
static uint64_t task_seed(const sweep_t *w, size_t t)
{
    config_t c;
    char err[CFG_ERR_MAX];
    if (sweep_task_config(w, t, &c, err, sizeof err) != 0)
        return w->base_seed + (uint64_t)(t % (size_t)w->replications);
    return c.run.seed;
}

void sweep_task_command(const sweep_t *w, size_t t, char *buf, size_t n)
{
    size_t p = t / (size_t)w->replications;
    int len = snprintf(buf, n, "sluice run %s --seed %" PRIu64, w->base, task_seed(w, t));
    for (size_t k = 0; k < w->nparams && len > 0 && (size_t)len < n; k++)
        if (strcmp(w->params[k].key, "run.seed") != 0) /* --seed has it */
            len += snprintf(buf + len, n - (size_t)len, " --set %s=%s", w->params[k].key,
                            w->params[k].values[value_index(w, p, k)]);
}

void sweep_run_task(const sweep_t *w, size_t t, sweep_result *r)
{
    sweep_run_task_stop(w, t, r, NULL);
}

void sweep_run_task_stop(const sweep_t *w, size_t t, sweep_result *r, const volatile int *stop)
{
    memset(r, 0, sizeof *r);
    r->task = (uint32_t)t;
    config_t c;
    char err[2048];
    if (sweep_task_config(w, t, &c, err, sizeof err) != 0) {
        r->status = SIM_ERR;
        copy_text(r->message, sizeof r->message, err);
        return;
    }
    sim_outcome *o = malloc(sizeof *o);
    if (!o) {
        r->status = SIM_ERR;
        snprintf(r->message, sizeof r->message, "out of memory");
        return;
    }
    sim_options opt = {0};
    opt.stop = stop;
    opt.checked = 1; /* sweep_task_config ran sim_check */
    r->status = sim_run_opts(&c, NULL, &opt, o, err, sizeof err);
    if (r->status == SIM_ERR) {
        copy_text(r->message, sizeof r->message, err);
        free(o);
        return;
    }
    if (r->status == SIM_INVARIANT)
        copy_text(r->message, sizeof r->message, err);
    r->nexec = o->nexec;
    for (int i = 0; i < o->nexec; i++) {
        snprintf(r->executor[i], sizeof r->executor[i], "%s", o->executor[i]);
        snprintf(r->invariants[i], sizeof r->invariants[i], "%s", o->invariants[i]);
        sweep_summary_values(&o->summary[i], r->value[i]);
    }
    free(o);
}

/* ---- running ---- */

static void run_task_cb(const void *ctx, size_t t, void *result, const volatile int *stop)
{
    sweep_run_task_stop(ctx, t, result, stop);
}

int sweep_run_all(const sweep_t *w, int jobs, sweep_result *results,
                  void (*progress)(void *user, size_t done, size_t total), void *user,
                  const volatile int *stop, char *err, size_t errlen)
{
    return pool_run(sweep_tasks(w), jobs, run_task_cb, w, sizeof *results, results, progress,
                    user, stop, err, errlen);
}

/* ---- output ---- */

size_t sweep_marks(const sweep_t *w) { return w->nmarks; }

static int write_one(const sweep_t *w, const sweep_result *res, const char *dir, const char *name,
                     int (*fn)(const sweep_t *, const sweep_result *, FILE *), char *err,
                     size_t errlen)
{
    char path[CFG_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    int rc = fn(w, res, f);
    if (fclose(f) != 0 || rc != 0) {
        snprintf(err, errlen, "%s: write error", path);
        return -1;
    }
    return 0;
}

int sweep_write_results(const sweep_t *w, const sweep_result *results, const char *dir,
                        char *err, size_t errlen)
{
    if (write_one(w, results, dir, "runs.csv", sweep_write_runs, err, errlen) != 0 ||
        write_one(w, results, dir, "sweep.csv", sweep_write_summary, err, errlen) != 0)
        return -1;
    if (w->nmarks > 0 && write_one(w, results, dir, "marks.csv", sweep_write_marks, err, errlen) != 0)
        return -1;
    return 0;
}

int sweep_write_marks(const sweep_t *w, const sweep_result *res, FILE *f)
{
    (void)res;
    if (columns_write_header(f, "marks.csv") != 0)
        return -1;
    for (size_t i = 0; i < w->nmarks; i++)
        if (fmt_num(f, w->mark_x[i]) != 0 || fprintf(f, ",%s\n", w->mark_label[i]) < 0)
            return -1;
    return ferror(f) ? -1 : 0;
}

/* ",x" with x a CSV number (lib/fmt.h). */
static int put_num(FILE *f, double x)
{
    return fputc(',', f) == EOF ? -1 : fmt_num(f, x);
}

static int put_params(const sweep_t *w, size_t p, FILE *f)
{
    for (size_t k = 0; k < w->nparams; k++)
        if (fprintf(f, ",%s", w->params[k].values[value_index(w, p, k)]) < 0)
            return -1;
    return 0;
}

static const char *status_name(int st)
{
    return st == SIM_OK ? "ok" : st == SIM_INVARIANT ? "invariant" : "error";
}

/* The header of file (runs.csv or sweep.csv) from the column table:
 * COLUMNS_KEYS becomes the swept keys, COLUMNS_SUMMARY the summary.csv
 * columns runs.csv repeats, METRIC_mean/METRIC_ci the pairs of the sweep
 * file's metrics. */
static void put_header(const sweep_t *w, const char *file, FILE *f)
{
    const char *sep = "";
    const columns_row *c;
    for (size_t i = 0; (c = columns_at(i)) != NULL; i++) {
        if (strcmp(c->file, file) != 0 || !strcmp(c->name, "METRIC_ci"))
            continue;
        if (!strcmp(c->name, COLUMNS_KEYS)) {
            for (size_t k = 0; k < w->nparams; k++, sep = ",")
                fprintf(f, "%s%s", sep, w->params[k].key);
        } else if (!strcmp(c->name, COLUMNS_SUMMARY)) {
            const columns_row *s;
            for (size_t j = 0; (s = columns_at(j)) != NULL; j++)
                if (s->runs)
                    fprintf(f, ",%s", s->name);
        } else if (!strcmp(c->name, "METRIC_mean")) {
            for (size_t m = 0; m < w->nmetrics; m++)
                fprintf(f, ",%s_mean,%s_ci", metric_cols[w->metrics[m]].name,
                        metric_cols[w->metrics[m]].name);
        } else {
            fprintf(f, "%s%s", sep, c->name);
        }
        sep = ",";
    }
    fprintf(f, "\n");
}

/* The COLUMNS_SUMMARY part of a runs.csv row: executor e of r (nothing
 * when the run made no row). */
static void put_summary_part(const sweep_result *r, int e, FILE *f)
{
    const columns_row *s;
    for (size_t j = 0; (s = columns_at(j)) != NULL; j++) {
        if (!s->runs)
            continue;
        if (!strcmp(s->name, "invariants")) {
            fprintf(f, ",%s", r->nexec > 0 ? r->invariants[e] : "");
        } else {
            int i = metric_index(s->name);
            put_num(f, r->nexec > 0 && i >= 0 ? r->value[e][i] : NAN);
        }
    }
}

int sweep_write_runs(const sweep_t *w, const sweep_result *res, FILE *f)
{
    put_header(w, "runs.csv", f);
    for (size_t t = 0; t < sweep_tasks(w); t++) {
        const sweep_result *r = &res[t];
        size_t p = t / (size_t)w->replications;
        int rows = r->nexec > 0 ? r->nexec : 1;
        for (int e = 0; e < rows; e++) {
            fprintf(f, "%zu,%zu,%" PRIu64, p, t % (size_t)w->replications, task_seed(w, t));
            put_params(w, p, f);
            fprintf(f, ",%s,%s", status_name(r->status), r->nexec > 0 ? r->executor[e] : "");
            put_summary_part(r, e, f);
            if (fprintf(f, "\n") < 0)
                return -1;
        }
    }
    return ferror(f) ? -1 : 0;
}

int sweep_write_summary(const sweep_t *w, const sweep_result *res, FILE *f)
{
    double *xs = malloc((size_t)w->replications * sizeof *xs);
    if (!xs)
        return -1;
    put_header(w, "sweep.csv", f);
    for (size_t p = 0; p < w->npoints; p++) {
        const sweep_result *first = &res[p * (size_t)w->replications];
        /* Executors of this point: from its first successful replication. */
        const sweep_result *proto = NULL;
        for (int r = 0; r < w->replications && !proto; r++)
            if (first[r].status != SIM_ERR && first[r].nexec > 0)
                proto = &first[r];
        if (!proto)
            continue;
        for (int e = 0; e < proto->nexec; e++) {
            int n = 0;
            for (int r = 0; r < w->replications; r++)
                n += first[r].status != SIM_ERR && first[r].nexec > e;
            fprintf(f, "%zu", p);
            put_params(w, p, f);
            fprintf(f, ",%s,%d", proto->executor[e], n);
            for (size_t m = 0; m < w->nmetrics; m++) {
                int col = w->metrics[m];
                size_t k = 0;
                for (int r = 0; r < w->replications; r++)
                    if (first[r].status != SIM_ERR && first[r].nexec > e &&
                        isfinite(first[r].value[e][col]))
                        xs[k++] = first[r].value[e][col];
                double mean = NAN, ci = NAN;
                if (k > 0) {
                    double s = 0;
                    for (size_t i = 0; i < k; i++)
                        s += xs[i];
                    mean = s / (double)k;
                }
                if (k > 1) {
                    double ss = 0;
                    for (size_t i = 0; i < k; i++)
                        ss += (xs[i] - mean) * (xs[i] - mean);
                    double sd = sqrt(ss / (double)(k - 1));
                    ci = gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * sd / sqrt((double)k);
                }
                put_num(f, mean);
                put_num(f, ci);
            }
            if (fprintf(f, "\n") < 0) {
                free(xs);
                return -1;
            }
        }
    }
    free(xs);
    return ferror(f) ? -1 : 0;
}
