/*
 * output/explain.c: the account of a run (see output/explain.h).
 */
#include "output/explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vec.h"

typedef struct xline {
    sim_explain_line l;    /* detail and rule point into text */
    char *text;            /* "detail\0rule\0", malloc'd */
} xline;

struct explain_log {
    explain_filter f;
    xline *v;
    size_t n, cap;
    uint64_t left_out;
    int failed;
};

explain_filter explain_filter_all(void)
{
    explain_filter f = {NULL, -1, NAN, -INFINITY, INFINITY, 0};
    return f;
}

explain_log *explain_alloc(const explain_filter *f)
{
    explain_log *x = calloc(1, sizeof *x);
    if (x)
        x->f = *f;
    return x;
}

void explain_free(explain_log *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i].text);
    free(x->v);
    free(x);
}

static int passes(const explain_filter *f, const sim_explain_line *l)
{
    if (f->executor && strcmp(f->executor, l->executor) != 0)
        return 0;
    if (f->key >= 0 && l->key >= 0 && l->key != f->key)
        return 0;
    if (!isnan(f->window) && !isnan(l->start) && l->start != f->window)
        return 0;
    return l->time >= f->from && l->time <= f->to;
}

void explain_record(void *log, const sim_explain_line *l)
{
    explain_log *x = log;
    if (!passes(&x->f, l))
        return;
    if (x->f.limit && x->n >= x->f.limit) {
        x->left_out++;
        return;
    }
    size_t nd = strlen(l->detail), nr = strlen(l->rule);
    char *text = malloc(nd + nr + 2);
    if (!text || vec_ensure(&x->v, &x->cap, x->n + 1, sizeof *x->v) != VEC_OK) {
        free(text);
        x->failed = 1;
        return;
    }
    memcpy(text, l->detail, nd + 1);
    memcpy(text + nd + 1, l->rule, nr + 1);
    xline *y = &x->v[x->n++];
    y->l = *l;
    y->l.detail = text;
    y->l.rule = text + nd + 1;
    y->text = text;
}

size_t explain_lines(const explain_log *x) { return x->n; }
uint64_t explain_left_out(const explain_log *x) { return x->left_out; }
int explain_failed(const explain_log *x) { return x->failed; }
const sim_explain_line *explain_line(const explain_log *x, size_t i) { return &x->v[i].l; }

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->oom || k < 0 || vec_ensure(&b->s, &b->cap, b->n + (size_t)k + 1, 1) != VEC_OK) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void put_field(sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        put(b, "%s", s);
        return;
    }
    put(b, "\"");
    for (; *s; s++)
        put(b, *s == '"' ? "\"\"" : "%c", *s);
    put(b, "\"");
}

char *explain_format(const explain_log *x, int csv)
{
    sbuf b = {0};
    put(&b, "%s", csv ? "time,executor,kind,key,window_start,window_end,detail,rule\n" : "");
    for (size_t i = 0; i < x->n; i++) {
        const sim_explain_line *l = &x->v[i].l;
        if (csv) {
            put(&b, "%.17g,%s,%s,", l->time, l->executor, l->kind);
            if (l->key >= 0)
                put(&b, "%lld", (long long)l->key);
            if (isnan(l->start))
                put(&b, ",,");
            else
                put(&b, ",%.17g,%.17g,", l->start, l->end);
            put_field(&b, l->detail);
            put(&b, ",");
            put_field(&b, l->rule);
            put(&b, "\n");
            continue;
        }
        put(&b, "%10.6g  %-10s %-10s %s\n", l->time, l->executor, l->kind, l->detail);
        if (*l->rule)
            put(&b, "%34s rule: %s\n", "", l->rule);
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    if (!b.s)
        b.s = calloc(1, 1);
    return b.s;
}
