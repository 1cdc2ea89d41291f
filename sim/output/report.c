/*
 * report: report.html and report.md of a run folder.  See output/report.h.
 */
#include "output/report.h"

#include "lib/errmsg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/exec.h"
#include "output/outdir.h"
#include "lib/csvread.h"
#include "lib/infile.h"
#include "lib/vec.h"
#include "measure/columns.h"
#include "output/animate.h"
#include "output/explain.h"
#include "output/plot.h"

#define REPORT_PATH_MAX 4096
#define REPORT_FILE_MAX ((size_t)64 << 20) /* refuse inputs above 64 MB */

/* The whole file as a NUL-terminated string (caller frees), NULL with
 * errno set on failure (EFBIG above REPORT_FILE_MAX). */
static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = infile_fopen(path);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap >= REPORT_FILE_MAX) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, cap - 1 - len, f);
        len += r;
        if (r == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                errno = EIO;
            }
            break;
        }
    }
    fclose(f);
    if (buf) {
        buf[len] = 0;
        if (len_out)
            *len_out = len;
    }
    return buf;
}

/* ---- a small CSV table, read through lib/csvread.h -------------------- */

typedef struct csv {
    char *text;     /* the fields, each NUL-terminated; text[0] = "" */
    char **cell;    /* cell[r * cols + c]; row 0 is the header */
    size_t rows, cols;
} csv_t;

static void csv_free(csv_t *c)
{
    free(c->text);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

/* Appends the record's fields as row c->rows (the first one sets the
 * number of columns: more fields are dropped, missing ones are "").
 * Offsets into text stand in cell until csv_load is done. */
static int csv_add_row(csv_t *c, vec *text, vec *offs, const csvread_record *rec)
{
    if (c->rows == 0)
        c->cols = rec->nfields;
    if (vec_reserve(offs, offs->n + c->cols) != VEC_OK)
        return -1;
    size_t *off = (size_t *)offs->data + offs->n;
    for (size_t k = 0; k < c->cols; k++) {
        off[k] = 0; /* text[0]: "" */
        if (k >= rec->nfields || !rec->fields[k][0])
            continue;
        size_t l = strlen(rec->fields[k]);
        if (vec_reserve(text, text->n + l + 1) != VEC_OK)
            return -1;
        off[k] = text->n;
        memcpy((char *)text->data + text->n, rec->fields[k], l + 1);
        text->n += l + 1;
    }
    offs->n += c->cols;
    c->rows++;
    return 0;
}

/* Loads path.  0, or 2 (missing / empty / unreadable: err set), or -1
 * (memory). */
static int csv_load(csv_t *c, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    char e[CSVREAD_ERR_MAX];
    csvread *in = csvread_open(path, NULL, NULL, e, sizeof e);
    if (!in) {
        errmsg_set(err, errlen, "%s", e);
        size_t l = strlen(e), o = strlen(": out of memory");
        return l >= o && strcmp(e + l - o, ": out of memory") == 0 ? -1 : 2;
    }
    vec text, offs;
    vec_init(&text, 1);
    vec_init(&offs, sizeof(size_t));
    csvread_record rec;
    int rc = 0, st = CSVREAD_EOF;
    if (vec_reserve(&text, 1) == VEC_OK)
        ((char *)text.data)[text.n++] = 0;
    else
        rc = -1;
    while (rc == 0 && (st = csvread_next(in, &rec)) == CSVREAD_RECORD) {
        if (csv_add_row(c, &text, &offs, &rec) != 0)
            rc = -1;
        else if (text.n > REPORT_FILE_MAX) {
            errmsg_set(err, errlen, "%s: %s", path, strerror(EFBIG));
            rc = 2;
        }
    }
    if (rc == 0 && st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(in));
        rc = 2;
    }
    csvread_close(in);
    if (rc == 0 && c->rows == 0) {
        errmsg_set(err, errlen, "%s: empty file", path);
        rc = 2;
    }
    if (rc == 0 && !(c->cell = malloc(offs.n * sizeof *c->cell)))
        rc = -1;
    if (rc == -1)
        errmsg_set(err, errlen, "out of memory");
    if (rc == 0) {
        c->text = vec_take(&text);
        const size_t *off = offs.data;
        for (size_t i = 0; i < offs.n; i++)
            c->cell[i] = c->text + off[i];
    }
    vec_free(&text);
    vec_free(&offs);
    if (rc)
        csv_free(c);
    return rc;
}

static int csv_col(const csv_t *c, const char *name)
{
    for (size_t k = 0; k < c->cols; k++)
        if (strcmp(c->cell[k], name) == 0)
            return (int)k;
    return -1;
}

/* Field `name` of data row r (1-based as in the file); "" if no column. */
static const char *csv_get(const csv_t *c, size_t r, const char *name)
{
    int k = csv_col(c, name);
    return k < 0 || r >= c->rows ? "" : c->cell[r * c->cols + (size_t)k];
}

/* ---- formatting ------------------------------------------------------- */

enum kind { K_TEXT, K_COUNT, K_SEC, K_SHARE, K_RATE };

typedef struct column {
    const char *csv;     /* column name in the CSV */
    const char *label;   /* table header */
    int kind;
} column;

/* Headline tables (from summary.csv). */
static const column latency_cols[] = {
    {"events", "events", K_COUNT},
    {"lat_mean", "latency mean (s)", K_SEC},
    {"lat_p50", "p50 (s)", K_SEC},
    {"lat_p95", "p95 (s)", K_SEC},
    {"lat_p99", "p99 (s)", K_SEC},
    {"lat_max", "max (s)", K_SEC},
    {"proc_lat_p99", "p99 from arrival (s)", K_SEC},
    {"win_lat_mean", "window latency mean (s)", K_SEC},
    {"throughput", "throughput (events/s)", K_RATE},
};
static const column correct_cols[] = {
    {"counted", "counted", K_COUNT},
    {"dropped_late", "dropped late", K_COUNT},
    {"duplicates", "duplicate panes", K_COUNT},
    {"lost", "lost", K_COUNT},
    {"panes", "panes", K_COUNT},
    {"complete_first", "first pane complete", K_SHARE},
    {"complete_ontime", "on-time pane complete", K_SHARE},
    {"complete_final", "final complete", K_SHARE},
    {"windows_exact", "windows exact", K_SHARE},
};
static const column recovery_cols[] = {
    {"crashes", "crashes", K_COUNT},
    {"downtime", "downtime (s)", K_SEC},
    {"reprocessed", "events reprocessed", K_COUNT},
    {"cpu_wasted", "CPU wasted (CPU-s)", K_SEC},
    {"duplicates", "duplicate panes", K_COUNT},
};
static const column fault_cols[] = {
    {"fault_id", "fault", K_COUNT},
    {"kind", "kind", K_TEXT},
    {"time", "at (s)", K_SEC},
    {"detected", "detected (s)", K_SEC},
    {"resumed", "resumed (s)", K_SEC},
    {"caught_up", "caught up (s)", K_SEC},
    {"downtime", "downtime (s)", K_SEC},
    {"reprocessed", "reprocessed", K_COUNT},
    {"cpu_wasted", "CPU wasted (CPU-s)", K_SEC},
    {"duplicates", "duplicates", K_COUNT},
    {"lost", "lost", K_COUNT},
    {"peak_latency", "peak latency (s)", K_SEC},
};
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *name, *text;
} invariant_table[] = {
    {"conservation", "every generated event is counted or dropped as late, none in flight "
                     "at the end (events = counted + dropped late)"},
    {"watermark_monotone", "watermarks never go backwards, not even after a restore"},
    {"on_time_after_watermark", "no on-time pane fires before the watermark passes the "
                                "window end"},
    {"exactly_once_equals_fault_free", "with exactly-once, the final result of every "
                                       "(key, window) equals that of a fault-free run"},
    {"at_least_once_contains_fault_free", "with at-least-once, final results contain the "
                                          "fault-free ones: duplicates only, never losses"},
};


/* The text of a cell: "–" when empty or not finite. */
static const char *fmt_value(char *buf, size_t n, const char *raw, int kind)
{
    if (!raw[0])
        return "\xe2\x80\x93"; /* en dash */
    if (kind == K_TEXT || kind == K_COUNT)
        return raw;
    char *end;
    double x = strtod(raw, &end);
    if (end == raw || !isfinite(x))
        return "\xe2\x80\x93";
    switch (kind) {
    case K_SHARE:
        snprintf(buf, n, "%.1f %%", 100.0 * x);
        break;
    case K_RATE:
        snprintf(buf, n, "%.1f", x);
        break;
    default: /* seconds: 3 significant digits, whole seconds above 100 */
        if (x == 0)
            snprintf(buf, n, "0");
        else if (fabs(x) >= 100)
            snprintf(buf, n, "%.0f", x);
        else
            snprintf(buf, n, "%.3g", x);
        break;
    }
    return buf;
}

static void html_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Markdown table cells: '|' would end the cell. */
static void md_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else
            fputc(*s, f);
    }
}

/* ---- the report's data ------------------------------------------------ */

typedef struct report {
    const char *dir, *reports_dir, *version;
    csv_t summary, faults;
    int has_faults;          /* faults.csv could be read */
    char *config;            /* config.ini text, NULL if missing (shown, never parsed) */
    char seed[32];
    char title[256];
    /* a sweep folder (sweep.csv, no summary.csv): its table and marks */
    int sweep;
    csv_t table, marks;      /* sweep.csv; marks.csv (rows 0 when missing) */
    size_t key0, nkeys;      /* the swept keys' columns: key0 .. key0+nkeys-1 */
} report;

/* The label of executor e (a name in an executor column): summary.csv's
 * label column, or, in a folder written before it had one, the
 * registry's (engine/exec.h). */
static const char *exec_label(const report *r, const char *e)
{
    for (size_t i = 1; i < r->summary.rows; i++)
        if (strcmp(csv_get(&r->summary, i, "executor"), e) == 0) {
            const char *l = csv_get(&r->summary, i, "label");
            if (l[0])
                return l;
        }
    return exec_label_named(e);
}

/* The class of an executor's table rows (the template styles them by
 * executor name): the name when it is a plain word, else "other". */
static const char *exec_class(const char *e)
{
    return e[0] && strspn(e, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(e) ? e
                                                                                    : "other";
}

/* The run's seed: summary.csv's seed column ("unknown" in a folder
 * written before it had one). */
static void find_seed(report *r)
{
    const char *s = csv_get(&r->summary, 1, "seed");
    snprintf(r->seed, sizeof r->seed, "%s", s[0] ? s : "unknown");
}

/* ---- HTML ------------------------------------------------------------- */

static void html_table(FILE *f, const report *rp, const column *cols, size_t ncols,
                       int with_invariants)
{
    const csv_t *c = &rp->summary;
    char buf[64];
    fputs("<table>\n<thead><tr><th class=\"name\">executor</th>", f);
    for (size_t k = 0; k < ncols; k++) {
        fputs("<th>", f);
        html_esc(f, cols[k].label);
        fputs("</th>", f);
    }
    if (with_invariants)
        fputs("<th class=\"name\">invariants</th>", f);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t r = 1; r < c->rows; r++) {
        const char *e = csv_get(c, r, "executor");
        fprintf(f, "<tr class=\"%s\"><td class=\"name\">", exec_class(e));
        html_esc(f, exec_label(rp, e));
        fputs("</td>", f);
        for (size_t k = 0; k < ncols; k++) {
            fputs("<td>", f);
            html_esc(f, fmt_value(buf, sizeof buf, csv_get(c, r, cols[k].csv), cols[k].kind));
            fputs("</td>", f);
        }
        if (with_invariants) {
            const char *inv = csv_get(c, r, "invariants");
            int ok = strcmp(inv, "ok") == 0;
            fprintf(f, "<td class=\"%s\">", ok ? "ok" : "fail");
            html_esc(f, ok ? "ok" : (inv[0] ? inv : "not reported"));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

static void emit_meta_html(FILE *f, const report *r)
{
    fputs("<p class=\"meta\">sluice <code>", f);
    html_esc(f, r->version);
    fputs("</code> &#183; seed <code>", f);
    html_esc(f, r->seed);
    fputs("</code> &#183; ", f);
    html_esc(f, csv_get(&r->summary, 1, "events"));
    fputs(" events &#183; executors: ", f);
    for (size_t i = 1; i < r->summary.rows; i++) {
        if (i > 1)
            fputs(", ", f);
        html_esc(f, exec_label(r, csv_get(&r->summary, i, "executor")));
    }
    fputs("</p>\n<p class=\"note\">All times are simulated seconds. Visibility latency: from an "
          "event's event time until the first result that counts it is visible downstream. "
          "Reproduce this run with <code>sluice run config.ini</code> (the configuration "
          "below, seed included).</p>\n", f);
}

static void emit_headline_html(FILE *f, const report *r)
{
    fputs("<h3>Latency and throughput</h3>\n", f);
    html_table(f, r, latency_cols, NCOLS(latency_cols), 0);
    fputs("<h3>Completeness and correctness</h3>\n", f);
    html_table(f, r, correct_cols, NCOLS(correct_cols), 1);
    fputs("<p class=\"note\">Completeness: the share of the true count per (key, window), "
          "averaged over windows, in the first pane, in the on-time pane and in the final "
          "result; windows exact: share of windows whose final result equals the ground "
          "truth.</p>\n", f);
}

/* Copies an SVG file from its <svg element on, every id and reference to
 * one prefixed with prefix so that several plots can share a page. */
static int inline_svg(FILE *f, const char *path, const char *prefix)
{
    char *svg = slurp(path, NULL);
    if (!svg)
        return -1;
    const char *s = strstr(svg, "<svg");
    if (!s) {
        free(svg);
        return -1;
    }
    while (*s) {
        if ((s[0] == ' ' || s[0] == '\t' || s[0] == '\n') && strncmp(s + 1, "id=", 3) == 0 &&
            (s[4] == '\'' || s[4] == '"')) {
            fprintf(f, "%c id=%c%s", s[0], s[4], prefix);
            s += 5;
        } else if (strncmp(s, "href=", 5) == 0 && (s[5] == '\'' || s[5] == '"') && s[6] == '#') {
            fprintf(f, "href=%c#%s", s[5], prefix);
            s += 7;
        } else if (strncmp(s, "url(#", 5) == 0) {
            fprintf(f, "url(#%s", prefix);
            s += 5;
        } else {
            fputc(*s++, f);
        }
    }
    fputc('\n', f);
    free(svg);
    return 0;
}

static void emit_plots_html(FILE *f, const report *r)
{
    for (int i = 0; i < PLOT_COUNT; i++) {
        char path[REPORT_PATH_MAX], prefix[32];
        snprintf(path, sizeof path, "%s/plots/%s.svg", r->dir, plot_name(i));
        snprintf(prefix, sizeof prefix, "p%d-", i + 1);
        fprintf(f, "<figure id=\"plot-%s\">\n<h3>%d. ", plot_name(i), i + 1);
        html_esc(f, plot_title(i));
        fputs("</h3>\n", f);
        if (inline_svg(f, path, prefix) != 0)
            fprintf(f, "<p class=\"missing\">Plot missing: draw it with <code>sluice plot "
                       "DIR</code> (plots/%s.svg not found).</p>\n", plot_name(i));
        fputs("<figcaption><b>What to look for:</b> ", f);
        html_esc(f, plot_caption(i));
        fputs("</figcaption>\n</figure>\n", f);
    }
}

static void emit_invariants_html(FILE *f, const report *r)
{
    fputs("<table>\n<thead><tr><th class=\"name\">executor</th><th>events</th>"
          "<th>counted</th><th>dropped late</th><th class=\"name\">verdict</th></tr></thead>\n"
          "<tbody>\n", f);
    for (size_t i = 1; i < r->summary.rows; i++) {
        const char *e = csv_get(&r->summary, i, "executor");
        const char *inv = csv_get(&r->summary, i, "invariants");
        int ok = strcmp(inv, "ok") == 0;
        fprintf(f, "<tr class=\"%s\"><td class=\"name\">", exec_class(e));
        html_esc(f, exec_label(r, e));
        fputs("</td><td>", f);
        html_esc(f, csv_get(&r->summary, i, "events"));
        fputs("</td><td>", f);
        html_esc(f, csv_get(&r->summary, i, "counted"));
        fputs("</td><td>", f);
        html_esc(f, csv_get(&r->summary, i, "dropped_late"));
        fprintf(f, "</td><td class=\"%s\">", ok ? "ok" : "fail");
        if (ok) {
            fputs("all invariants hold", f);
        } else {
            fputs("failed: ", f);
            html_esc(f, inv[0] ? inv : "not reported");
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n<p>Checked on every run:</p>\n<ul class=\"inv\">\n", f);
    for (size_t k = 0; k < NCOLS(invariant_table); k++) {
        fprintf(f, "<li><code>%s</code>: ", invariant_table[k].name);
        html_esc(f, invariant_table[k].text);
        fputs("</li>\n", f);
    }
    fputs("<li><code>determinism</code>: the same configuration and seed give byte-identical "
          "output files (checked by the test suite)</li>\n</ul>\n", f);
}

static size_t fault_rows(const report *r)
{
    return r->has_faults && r->faults.rows > 1 ? r->faults.rows - 1 : 0;
}

static void emit_faults_html(FILE *f, const report *r)
{
    char buf[64];
    fputs("<h3>Totals per executor</h3>\n", f);
    html_table(f, r, recovery_cols, NCOLS(recovery_cols), 0);
    if (!r->has_faults) {
        fputs("<p class=\"note\">faults.csv is missing from this folder.</p>\n", f);
        return;
    }
    if (fault_rows(r) == 0) {
        fputs("<p>No faults were injected in this run.</p>\n", f);
        return;
    }
    fputs("<h3>Each fault</h3>\n<table>\n<thead><tr><th class=\"name\">executor</th>", f);
    for (size_t k = 0; k < NCOLS(fault_cols); k++) {
        fputs("<th>", f);
        html_esc(f, fault_cols[k].label);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 1; i < r->faults.rows; i++) {
        const char *e = csv_get(&r->faults, i, "executor");
        fprintf(f, "<tr class=\"%s\"><td class=\"name\">", exec_class(e));
        html_esc(f, exec_label(r, e));
        fputs("</td>", f);
        for (size_t k = 0; k < NCOLS(fault_cols); k++) {
            fputs("<td>", f);
            html_esc(f, fmt_value(buf, sizeof buf, csv_get(&r->faults, i, fault_cols[k].csv),
                                  fault_cols[k].kind));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n<p class=\"note\">Downtime: from the fault until processing "
          "resumed; caught up: when backlog and latency were back to normal (\xe2\x80\x93: not "
          "before the run ended); peak latency: the highest visibility latency during the "
          "recovery.</p>\n", f);
}

static void emit_config_html(FILE *f, const report *r)
{
    if (!r->config) {
        fputs("<p class=\"note\">config.ini is missing from this folder.</p>\n", f);
        return;
    }
    fputs("<pre>", f);
    html_esc(f, r->config);
    fputs("</pre>\n", f);
}

/* A small run (under REPORT_EXPLAIN_EVENTS events): the animation
 * (output/animate.h) and the narration of its first telling window
 * (output/explain.h); nothing for a larger run. */
#define REPORT_EXPLAIN_EVENTS 3000
static void emit_explain_html(FILE *f, const report *r)
{
    const char *ev = csv_get(&r->summary, 1, "events");
    if (!*ev || strtod(ev, NULL) >= REPORT_EXPLAIN_EVENTS)
        return;
    fputs("<h2 id=\"explain\">The run, frame by frame and explained</h2>\n", f);
    animate_filter af = animate_filter_all();
    animate_scene *s;
    char err[1024], what[256];
    char *page = animate_load(r->dir, &af, &s, err, sizeof err) == 0 ? animate_html(s, 0) : NULL;
    if (page)
        fputs(page, f);
    else
        fprintf(f, "<p class=\"missing\">Animation missing.</p>\n");
    free(page);
    animate_free(s); /* NULL when it could not be read */
    char *text = NULL;
    if (explain_first_window(r->dir, 80, &text, what, sizeof what, err, sizeof err) == 0) {
        fputs("<p>What happened to ", f);
        html_esc(f, what);
        fputs(" and why (<code>sluice explain</code>):</p>\n<pre>", f);
        html_esc(f, text);
        fputs("</pre>\n", f);
    } else {
        fputs("<p class=\"missing\">No narration: ", f);
        html_esc(f, err);
        fputs("</p>\n", f);
    }
    free(text);
}

static void emit_title_html(FILE *f, const report *r)
{
    html_esc(f, r->title);
}

/* A template's placeholder @@NAME@@ and what writes it. */
typedef struct placeholder {
    const char *name;
    void (*emit)(FILE *f, const report *r);
} placeholder;

static const placeholder RUN_PLACEHOLDERS[] = {
    {"TITLE", emit_title_html},           {"META", emit_meta_html},
    {"HEADLINE", emit_headline_html},     {"PLOTS", emit_plots_html},
    {"INVARIANTS", emit_invariants_html}, {"FAULTS", emit_faults_html},
    {"CONFIG", emit_config_html},         {"EXPLAIN", emit_explain_html},
};

/* Copies the template, replacing each @@NAME@@ by its writer in ph (n
 * entries); an unmatched "@@" is copied as it is.  0, or 2 for an unknown
 * placeholder (what names the template in err). */
static int expand_template(FILE *f, const report *r, const char *tpl, const placeholder *ph,
                           size_t n, const char *what, char *err, size_t errlen)
{
    const char *s = tpl;
    for (const char *at; (at = strstr(s, "@@"));) {
        const char *end = strstr(at + 2, "@@");
        if (!end)
            break;
        fwrite(s, 1, (size_t)(at - s), f);
        size_t l = (size_t)(end - at - 2);
        const char *name = at + 2;
        size_t i = 0;
        while (i < n && !(strlen(ph[i].name) == l && strncmp(name, ph[i].name, l) == 0))
            i++;
        if (i == n) {
            errmsg_set(err, errlen, "%s: unknown placeholder @@%.*s@@", what,
                       (int)(l > 40 ? 40 : l), name);
            return 2;
        }
        ph[i].emit(f, r);
        s = end + 2;
    }
    fputs(s, f);
    return 0;
}

static int write_html(FILE *f, const report *r, const char *tpl, char *err, size_t errlen)
{
    return expand_template(f, r, tpl, RUN_PLACEHOLDERS,
                           sizeof RUN_PLACEHOLDERS / sizeof RUN_PLACEHOLDERS[0], "report template",
                           err, errlen);
}

/* ---- Markdown --------------------------------------------------------- */

static void md_table(FILE *f, const report *rp, const column *cols, size_t ncols,
                     int with_invariants)
{
    const csv_t *c = &rp->summary;
    char buf[64];
    fputs("| executor |", f);
    for (size_t k = 0; k < ncols; k++) {
        fputc(' ', f);
        md_esc(f, cols[k].label);
        fputs(" |", f);
    }
    fputs(with_invariants ? " invariants |\n|---|" : "\n|---|", f);
    for (size_t k = 0; k < ncols; k++)
        fputs(cols[k].kind == K_TEXT ? "---|" : "---:|", f);
    fputs(with_invariants ? "---|\n" : "\n", f);
    for (size_t r = 1; r < c->rows; r++) {
        fputs("| ", f);
        md_esc(f, exec_label(rp, csv_get(c, r, "executor")));
        fputs(" |", f);
        for (size_t k = 0; k < ncols; k++) {
            fputc(' ', f);
            md_esc(f, fmt_value(buf, sizeof buf, csv_get(c, r, cols[k].csv), cols[k].kind));
            fputs(" |", f);
        }
        if (with_invariants) {
            const char *inv = csv_get(c, r, "invariants");
            fputs(" ", f);
            md_esc(f, strcmp(inv, "ok") == 0 ? "ok" : (inv[0] ? inv : "not reported"));
            fputs(" |", f);
        }
        fputs("\n", f);
    }
    fputs("\n", f);
}

static void write_md(FILE *f, const report *r)
{
    fprintf(f, "# %s\n\n", r->title);
    fprintf(f, "sluice `%s` · seed `%s` · %s events · executors: ", r->version, r->seed,
            csv_get(&r->summary, 1, "events"));
    for (size_t i = 1; i < r->summary.rows; i++)
        fprintf(f, "%s%s", i > 1 ? ", " : "", exec_label(r, csv_get(&r->summary, i, "executor")));
    fputs("\n\nAll times are simulated seconds. Visibility latency: from an event's event time "
          "until the first result that counts it is visible downstream.\n\n", f);

    fputs("## Headline figures\n\n### Latency and throughput\n\n", f);
    md_table(f, r, latency_cols, NCOLS(latency_cols), 0);
    fputs("### Completeness and correctness\n\n", f);
    md_table(f, r, correct_cols, NCOLS(correct_cols), 1);

    fputs("## Plots\n\n", f);
    for (int i = 0; i < PLOT_COUNT; i++)
        fprintf(f, "### %d. %s\n\n![%s](plots/%s.png)\n\n*What to look for:* %s\n\n", i + 1,
                plot_title(i), plot_title(i), plot_name(i), plot_caption(i));

    fputs("## Invariants\n\n| executor | events | counted | dropped late | verdict |\n"
          "|---|---:|---:|---:|---|\n", f);
    for (size_t i = 1; i < r->summary.rows; i++) {
        const char *inv = csv_get(&r->summary, i, "invariants");
        fputs("| ", f);
        md_esc(f, exec_label(r, csv_get(&r->summary, i, "executor")));
        fprintf(f, " | %s | %s | %s | ", csv_get(&r->summary, i, "events"),
                csv_get(&r->summary, i, "counted"), csv_get(&r->summary, i, "dropped_late"));
        if (strcmp(inv, "ok") == 0) {
            fputs("all invariants hold |\n", f);
        } else {
            fputs("failed: ", f);
            md_esc(f, inv[0] ? inv : "not reported");
            fputs(" |\n", f);
        }
    }
    fputs("\nChecked on every run:\n\n", f);
    for (size_t k = 0; k < NCOLS(invariant_table); k++)
        fprintf(f, "- `%s`: %s\n", invariant_table[k].name, invariant_table[k].text);
    fputs("- `determinism`: the same configuration and seed give byte-identical output files "
          "(checked by the test suite)\n\n", f);

    fputs("## Faults and recovery cost\n\n### Totals per executor\n\n", f);
    md_table(f, r, recovery_cols, NCOLS(recovery_cols), 0);
    if (!r->has_faults) {
        fputs("faults.csv is missing from this folder.\n\n", f);
    } else if (fault_rows(r) == 0) {
        fputs("No faults were injected in this run.\n\n", f);
    } else {
        char buf[64];
        fputs("### Each fault\n\n| executor |", f);
        for (size_t k = 0; k < NCOLS(fault_cols); k++)
            fprintf(f, " %s |", fault_cols[k].label);
        fputs("\n|---|", f);
        for (size_t k = 0; k < NCOLS(fault_cols); k++)
            fputs(fault_cols[k].kind == K_TEXT ? "---|" : "---:|", f);
        fputs("\n", f);
        for (size_t i = 1; i < r->faults.rows; i++) {
            fputs("| ", f);
            md_esc(f, exec_label(r, csv_get(&r->faults, i, "executor")));
            fputs(" |", f);
            for (size_t k = 0; k < NCOLS(fault_cols); k++) {
                fputc(' ', f);
                md_esc(f, fmt_value(buf, sizeof buf, csv_get(&r->faults, i, fault_cols[k].csv),
                                    fault_cols[k].kind));
                fputs(" |", f);
            }
            fputs("\n", f);
        }
        fputs("\n", f);
    }

    fputs("## Effective configuration\n\n", f);
    if (!r->config) {
        fputs("config.ini is missing from this folder.\n", f);
    } else {
        size_t l = strlen(r->config);
        fprintf(f, "```ini\n%s%s```\n", r->config, l && r->config[l - 1] == '\n' ? "" : "\n");
    }
}

/* ---- the report of a sweep folder -------------------------------------- */

/* Metric k of the sweep (0-based): its name in name (from column
 * NAME_mean) and the column of its mean; -1 past the last. */
static int sweep_metric(const report *r, size_t k, char *name, size_t n)
{
    size_t seen = 0;
    for (size_t c = 0; c < r->table.cols; c++) {
        const char *h = r->table.cell[c];
        size_t l = strlen(h);
        if (l > 5 && strcmp(h + l - 5, "_mean") == 0 && seen++ == k) {
            snprintf(name, n, "%.*s", (int)(l - 5), h);
            return (int)c;
        }
    }
    return -1;
}

/* The unit and meaning of a metric (summary.csv's column table). */
static const char *metric_unit(const char *m)
{
    const columns_row *row = columns_find("summary.csv", m);
    return row && row->unit[0] ? row->unit : "";
}

static const char *metric_meaning(const char *m)
{
    const columns_row *row = columns_find("summary.csv", m);
    return row ? row->meaning : m;
}

/* "mean ± ci" of a metric cell (ci empty with one replication). */
static void sweep_cell(char *buf, size_t n, const char *mean, const char *ci)
{
    char a[64], b[64];
    const char *ma = fmt_value(a, sizeof a, mean, K_SEC);
    if (ci[0] && strcmp(ma, "\xe2\x80\x93") != 0)
        snprintf(buf, n, "%s \xc2\xb1 %s", ma, fmt_value(b, sizeof b, ci, K_SEC));
    else
        snprintf(buf, n, "%s", ma);
}

/* The words under a sweep plot. */
static void sweep_caption(char *buf, size_t n, const report *r, const char *m)
{
    size_t l = (size_t)snprintf(buf, n,
                                "%s. Each point is the mean over the replications, the bars its "
                                "95%% confidence interval; one line per executor",
                                metric_meaning(m));
    if (n && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
    /* a grid repeats the first key's values over points; a zip does not */
    int grid = 0;
    const char *p0 = r->table.cell[r->table.cols], *x0 = r->table.cell[r->table.cols + r->key0];
    for (size_t i = 2; i < r->table.rows && !grid; i++)
        grid = strcmp(csv_get(&r->table, i, "point"), p0) != 0 &&
               strcmp(r->table.cell[i * r->table.cols + r->key0], x0) == 0;
    if (r->nkeys > 1 && l < n)
        l += (size_t)snprintf(buf + l, n - l,
                              grid ? " and value of %s" : " (%s and the keys after it move "
                                                          "with the x axis: a zip sweep)",
                              r->table.cell[r->key0 + 1]);
    for (size_t i = 1; i < r->marks.rows && l < n; i++)
        l += (size_t)snprintf(buf + l, n - l, "%s%s at %s", i == 1 ? ". Marked: " : ", ",
                              csv_get(&r->marks, i, "label"), csv_get(&r->marks, i, "x"));
    if (l < n)
        snprintf(buf + l, n - l, ".");
}

static void emit_sweep_meta_html(FILE *f, const report *r)
{
    fputs("<p class=\"meta\">sluice <code>", f);
    html_esc(f, r->version);
    fprintf(f, "</code> &#183; sweep of ");
    for (size_t k = 0; k < r->nkeys; k++) {
        fputs(k ? ", <code>" : "<code>", f);
        html_esc(f, r->table.cell[r->key0 + k]);
        fputs("</code>", f);
    }
    fputs(" &#183; replications per point: ", f);
    html_esc(f, csv_get(&r->table, 1, "n"));
    fputs("</p>\n<p class=\"note\">All times are simulated seconds. Every value is the mean over "
          "the replications of a point and, after the \xc2\xb1, the half-width of its 95% "
          "confidence interval. Reproduce it with <code>sluice sweep</code> on the same sweep "
          "file.</p>\n", f);
}

static void emit_sweep_table_html(FILE *f, const report *r)
{
    char name[128], cell[160];
    fputs("<table>\n<thead><tr>", f);
    for (size_t k = 0; k < r->nkeys; k++) {
        fputs("<th>", f);
        html_esc(f, r->table.cell[r->key0 + k]);
        fputs("</th>", f);
    }
    fputs("<th class=\"name\">executor</th>", f);
    for (size_t m = 0; sweep_metric(r, m, name, sizeof name) >= 0; m++) {
        fputs("<th>", f);
        html_esc(f, name);
        if (metric_unit(name)[0]) {
            fputs(" (", f);
            html_esc(f, metric_unit(name));
            fputs(")", f);
        }
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 1; i < r->table.rows; i++) {
        const char *e = csv_get(&r->table, i, "executor");
        fprintf(f, "<tr class=\"%s\">", exec_class(e));
        for (size_t k = 0; k < r->nkeys; k++) {
            fputs("<td>", f);
            html_esc(f, r->table.cell[i * r->table.cols + r->key0 + k]);
            fputs("</td>", f);
        }
        fputs("<td class=\"name\">", f);
        html_esc(f, exec_label_named(e));
        fputs("</td>", f);
        int c;
        for (size_t m = 0; (c = sweep_metric(r, m, name, sizeof name)) >= 0; m++) {
            char ci[160];
            snprintf(ci, sizeof ci, "%s_ci", name);
            sweep_cell(cell, sizeof cell, r->table.cell[i * r->table.cols + (size_t)c],
                       csv_get(&r->table, i, ci));
            fputs("<td>", f);
            html_esc(f, cell);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

static void emit_sweep_plots_html(FILE *f, const report *r)
{
    char name[128], path[REPORT_PATH_MAX], prefix[32], cap[1024];
    for (size_t m = 0; sweep_metric(r, m, name, sizeof name) >= 0; m++) {
        snprintf(path, sizeof path, "%s/plots/sweep_%s.svg", r->dir, name);
        snprintf(prefix, sizeof prefix, "s%zu-", m + 1);
        fprintf(f, "<figure id=\"plot-sweep_%s\">\n<h3>%zu. ", name, m + 1);
        html_esc(f, name);
        fputs(" against ", f);
        html_esc(f, r->table.cell[r->key0]);
        fputs("</h3>\n", f);
        if (inline_svg(f, path, prefix) != 0) {
            fputs("<p class=\"missing\">Plot missing: draw it with <code>sluice plot "
                  "DIR</code> (plots/sweep_", f);
            html_esc(f, name);
            fputs(".svg not found).</p>\n", f);
        }
        sweep_caption(cap, sizeof cap, r, name);
        fputs("<figcaption><b>What it shows:</b> ", f);
        html_esc(f, cap);
        fputs("</figcaption>\n</figure>\n", f);
    }
}

static const placeholder SWEEP_PLACEHOLDERS[] = {
    {"TITLE", emit_title_html},
    {"META", emit_sweep_meta_html},
    {"TABLE", emit_sweep_table_html},
    {"PLOTS", emit_sweep_plots_html},
};

static int write_sweep_html(FILE *f, const report *r, const char *tpl, char *err,
                            size_t errlen)
{
    return expand_template(f, r, tpl, SWEEP_PLACEHOLDERS,
                           sizeof SWEEP_PLACEHOLDERS / sizeof SWEEP_PLACEHOLDERS[0],
                           "sweep report template", err, errlen);
}

static void write_sweep_md(FILE *f, const report *r)
{
    char name[128], cell[160], cap[1024];
    fprintf(f, "# %s\n\nsluice `%s` · sweep of ", r->title, r->version);
    for (size_t k = 0; k < r->nkeys; k++)
        fprintf(f, "%s`%s`", k ? ", " : "", r->table.cell[r->key0 + k]);
    fprintf(f, " · replications per point: %s\n\nAll times are simulated seconds. Every value "
               "is the mean over the replications of a point and, after the \xc2\xb1, the "
               "half-width of its 95%% confidence interval.\n\n## Plots\n\n",
            csv_get(&r->table, 1, "n"));
    for (size_t m = 0; sweep_metric(r, m, name, sizeof name) >= 0; m++) {
        sweep_caption(cap, sizeof cap, r, name);
        fprintf(f, "### %zu. %s against %s\n\n![%s](plots/sweep_%s.png)\n\n*What it shows:* ",
                m + 1, name, r->table.cell[r->key0], name, name);
        md_esc(f, cap);
        fputs("\n\n", f);
    }
    fputs("## Table\n\n|", f);
    for (size_t k = 0; k < r->nkeys; k++)
        fprintf(f, " %s |", r->table.cell[r->key0 + k]);
    fputs(" executor |", f);
    size_t nm = 0;
    for (; sweep_metric(r, nm, name, sizeof name) >= 0; nm++)
        fprintf(f, " %s%s%s%s |", name, metric_unit(name)[0] ? " (" : "", metric_unit(name),
                metric_unit(name)[0] ? ")" : "");
    fputs("\n|", f);
    for (size_t k = 0; k <= r->nkeys; k++)
        fputs("---|", f);
    for (size_t m = 0; m < nm; m++)
        fputs("---:|", f);
    fputs("\n", f);
    for (size_t i = 1; i < r->table.rows; i++) {
        fputs("|", f);
        for (size_t k = 0; k < r->nkeys; k++) {
            fputc(' ', f);
            md_esc(f, r->table.cell[i * r->table.cols + r->key0 + k]);
            fputs(" |", f);
        }
        fputc(' ', f);
        md_esc(f, exec_label_named(csv_get(&r->table, i, "executor")));
        fputs(" |", f);
        int c;
        for (size_t m = 0; (c = sweep_metric(r, m, name, sizeof name)) >= 0; m++) {
            char ci[160];
            snprintf(ci, sizeof ci, "%s_ci", name);
            sweep_cell(cell, sizeof cell, r->table.cell[i * r->table.cols + (size_t)c],
                       csv_get(&r->table, i, ci));
            fprintf(f, " %s |", cell);
        }
        fputs("\n", f);
    }
}

/* ---- files ------------------------------------------------------------ */

typedef int (*writer_fn)(FILE *f, const report *r, const char *tpl, char *err, size_t errlen);

static int md_writer(FILE *f, const report *r, const char *tpl, char *err, size_t errlen)
{
    (void)tpl;
    (void)err;
    (void)errlen;
    if (r->sweep)
        write_sweep_md(f, r);
    else
        write_md(f, r);
    return 0;
}

static int html_writer(FILE *f, const report *r, const char *tpl, char *err, size_t errlen)
{
    return r->sweep ? write_sweep_html(f, r, tpl, err, errlen) : write_html(f, r, tpl, err, errlen);
}

/* Loads a sweep folder's sweep.csv (and marks.csv when there) into r.
 * 0, 2 (not a sweep.csv) or -1. */
static int load_sweep(report *r, char *err, size_t errlen)
{
    char path[REPORT_PATH_MAX], merr[256];
    snprintf(path, sizeof path, "%s/sweep.csv", r->dir);
    int rc = csv_load(&r->table, path, err, errlen);
    if (rc)
        return rc;
    int ecol = csv_col(&r->table, "executor");
    r->key0 = (size_t)columns_index("sweep.csv", COLUMNS_KEYS);
    if (csv_col(&r->table, "point") != columns_index("sweep.csv", "point") || ecol <= (int)r->key0 ||
        r->table.rows < 2) {
        errmsg_set(err, errlen, "%s: not a sluice sweep.csv (point, keys, executor, ...)", path);
        return 2;
    }
    r->nkeys = (size_t)ecol - r->key0;
    snprintf(path, sizeof path, "%s/marks.csv", r->dir);
    struct stat st;
    if (stat(path, &st) == 0 && csv_load(&r->marks, path, merr, sizeof merr) == -1) {
        errmsg_set(err, errlen, "%s", merr);
        return -1;
    }
    char name[128];
    size_t tl = (size_t)snprintf(r->title, sizeof r->title, "sluice sweep report: ");
    for (size_t m = 0; sweep_metric(r, m, name, sizeof name) >= 0 && tl < sizeof r->title; m++)
        tl += (size_t)snprintf(r->title + tl, sizeof r->title - tl, "%s%s", m ? ", " : "", name);
    if (tl < sizeof r->title)
        snprintf(r->title + tl, sizeof r->title - tl, " against %s", r->table.cell[r->key0]);
    return 0;
}

/* Writes dir/name through a temporary file renamed into place. */
static int write_atomic(const report *r, const char *name, writer_fn fn, const char *tpl,
                        char *err, size_t errlen)
{
    char tmp[REPORT_PATH_MAX], path[REPORT_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", r->dir, name) >= sizeof path ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", r->dir, name) >= sizeof tmp) {
        errmsg_set(err, errlen, "%s: path too long", r->dir);
        return 2;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        errmsg_set(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        errmsg_set(err, errlen, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    int rc = fn(f, r, tpl, err, errlen);
    if (fflush(f) != 0 || ferror(f)) {
        if (rc == 0)
            errmsg_set(err, errlen, "%s: write error: %s", tmp, strerror(errno));
        rc = rc ? rc : -1;
    }
    if (fclose(f) != 0 && rc == 0) {
        errmsg_set(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && chmod(tmp, 0644) != 0) {
        errmsg_set(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    return rc;
}

int report_write(const char *dir, const char *reports_dir, const char *version, char *err,
                 size_t errlen)
{
    return report_write_opts(dir, reports_dir, version, 0, NULL, 0, err, errlen);
}

/* Refuses (2, err) to write into dir when it is not a sluice results
 * folder or its report.html / report.md are not sluice's, unless force;
 * then says so in note. */
static int may_write(const char *dir, int force, char *note, size_t notelen, char *err,
                     size_t errlen)
{
    if (outdir_may_write_into(dir, "the report", "the report", force, note, notelen, err,
                              errlen) != 0)
        return 2;
    size_t len = note ? strlen(note) : 0;
    static const char *const names[] = {"report.html", "report.md"};
    for (int i = 0; i < 2; i++) {
        if (outdir_owns(dir, names[i]))
            continue;
        if (!force) {
            errmsg_set(err, errlen,
                    "%s/%s: sluice did not write it; not replacing it: move it away, or add "
                    "--force to replace it",
                    dir, names[i]);
            return 2;
        }
        if (note && len < notelen)
            len += (size_t)snprintf(note + len, notelen - len,
                                    "replacing %s/%s (--force): sluice did not write it\n", dir,
                                    names[i]);
    }
    return 0;
}

int report_write_opts(const char *dir, const char *reports_dir, const char *version, int force,
                      char *note, size_t notelen, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (note && notelen)
        note[0] = 0;
    if (!dir || !*dir || !reports_dir || !*reports_dir) {
        errmsg_set(err, errlen, "no results folder given");
        return 2;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errmsg_set(err, errlen, "%s: no such results folder", dir);
        return 2;
    }
    int mrc = may_write(dir, force, note, notelen, err, errlen);
    if (mrc)
        return mrc;
    report r;
    memset(&r, 0, sizeof r);
    r.dir = dir;
    r.reports_dir = reports_dir;
    r.version = version && *version ? version : "unknown";
    char path[REPORT_PATH_MAX], ferr[256];
    char *tpl = NULL;
    int rc;

    snprintf(path, sizeof path, "%s/summary.csv", dir);
    if (stat(path, &st) != 0) {
        snprintf(path, sizeof path, "%s/sweep.csv", dir);
        r.sweep = stat(path, &st) == 0;
    }
    if (r.sweep) {
        rc = load_sweep(&r, err, errlen);
        if (rc)
            goto out;
        snprintf(path, sizeof path, "%s/sweep_report.html.in", reports_dir);
        goto write;
    }
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    rc = csv_load(&r.summary, path, err, errlen);
    if (rc)
        goto out;
    if (csv_col(&r.summary, "executor") != columns_index("summary.csv", "executor") ||
        r.summary.rows < 2) {
        errmsg_set(err, errlen, "%s: not a sluice summary.csv (no executor rows)", path);
        rc = 2;
        goto out;
    }
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    int frc = csv_load(&r.faults, path, ferr, sizeof ferr);
    if (frc == -1) {
        errmsg_set(err, errlen, "%s", ferr);
        rc = -1;
        goto out;
    }
    r.has_faults = frc == 0;
    snprintf(path, sizeof path, "%s/config.ini", dir);
    r.config = slurp(path, NULL);
    if (!r.config && errno == ENOMEM) {
        errmsg_set(err, errlen, "out of memory");
        rc = -1;
        goto out;
    }
    find_seed(&r);
    size_t tl = (size_t)snprintf(r.title, sizeof r.title, "sluice report: ");
    for (size_t i = 1; i < r.summary.rows && tl < sizeof r.title; i++)
        tl += (size_t)snprintf(r.title + tl, sizeof r.title - tl, "%s%s", i > 1 ? " vs " : "",
                               exec_label(&r, csv_get(&r.summary, i, "executor")));

    snprintf(path, sizeof path, "%s/report.html.in", reports_dir);
write:
    tpl = slurp(path, NULL);
    if (!tpl) {
        errmsg_set(err, errlen, "%s: %s (report template not installed?)", path, strerror(errno));
        rc = errno == ENOMEM ? -1 : 2;
        goto out;
    }
    rc = write_atomic(&r, "report.html", html_writer, tpl, err, errlen);
    if (rc == 0)
        rc = write_atomic(&r, "report.md", md_writer, NULL, err, errlen);
    static const char *const mine[] = {"report.html", "report.md"};
    if (rc == 0)
        rc = outdir_mark_add(dir, mine, 2, err, errlen);
out:
    free(tpl);
    free(r.config);
    csv_free(&r.summary);
    csv_free(&r.faults);
    csv_free(&r.table);
    csv_free(&r.marks);
    return rc;
}
