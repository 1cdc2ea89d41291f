/*
 * lib/csvread.c: CSV records over lib/infile.h and libcsv (see lib/csvread.h).
 *
 * infile hands out lines; each is given to csv_parse without a '\r' that
 * ends it, followed by its '\n' (the only terminator).  libcsv calls back once per
 * field (copied here into one buffer, each field NUL-terminated) and once
 * at the end of a row.  A '\n' outside quotes always ends a row, so after
 * a line either a row ended, or the line was blank, or a quoted field is
 * still open (libcsv's `quoted` flag, public in csv.h): then the record
 * goes on on the next line.  So at most one record ends per line.
 */
#include "lib/csvread.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/infile.h"
#include "lib/vec.h"

struct csvread {
    infile *in;
    struct csv_parser p;
    csvread_opts opt;
    char *path;        /* for messages */
    int in_record;     /* a quoted field is open across the end of the last line */
    size_t rec_line;   /* line where the current record starts */
    size_t field_line; /* line where the current field starts */
    size_t rec_bytes;  /* bytes of the current record so far, '\n's between lines included */
    size_t lineno;     /* line being parsed (for the callbacks) */
    int row_done;      /* the last line ended a row */
    int oom;           /* a callback ran out of memory */
    int failed;
    vec text;          /* char: the record's fields, each NUL-terminated */
    vec offs;          /* size_t: where each field starts in text */
    vec ptrs;          /* char *: the fields handed out */
    char err[CSVREAD_ERR_MAX];
};

static int fail(csvread *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return CSVREAD_ERR;
}

static int is_term(unsigned char c) { return c == '\n'; }
static int is_space_only(unsigned char c) { return c == ' '; }

static void on_field(void *s, size_t len, void *data)
{
    csvread *r = data;
    size_t *off;
    if (r->oom)
        return;
    if (vec_reserve(&r->text, r->text.n + len + 1) != VEC_OK || !(off = vec_push(&r->offs))) {
        r->oom = 1;
        return;
    }
    *off = r->text.n;
    char *d = (char *)r->text.data + r->text.n;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    r->text.n += len + 1;
    r->field_line = r->lineno; /* the next field starts on this line */
}

static void on_row(int c, void *data)
{
    (void)c;
    ((csvread *)data)->row_done = 1;
}

csvread *csvread_open(const char *path, const csvread_opts *opts, const volatile int *stop,
                      char *err, size_t errlen)
{
    csvread *r = calloc(1, sizeof *r);
    if (r) {
        if (opts)
            r->opt = *opts;
        r->path = strdup(path);
    }
    if (!r || !r->path || csv_init(&r->p, 0) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        if (r)
            free(r->path);
        free(r);
        return NULL;
    }
    csv_set_term_func(&r->p, is_term);
    if (r->opt.delim)
        csv_set_delim(&r->p, (unsigned char)r->opt.delim);
    if (r->opt.delim == '\t')
        csv_set_space_func(&r->p, is_space_only);
    vec_init(&r->text, 1);
    vec_init(&r->offs, sizeof(size_t));
    vec_init(&r->ptrs, sizeof(char *));
    r->in = infile_open(path, r->opt.what, stop, err, errlen);
    if (!r->in) {
        csvread_close(r);
        return NULL;
    }
    return r;
}

/* 1 when the line's first non-blank byte is the comment character. */
static int is_comment(const csvread *r, const char *s)
{
    if (!r->opt.comment)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == r->opt.comment;
}

/* Gives one line and its '\n' to libcsv. */
static int parse_line(csvread *r, const char *s, size_t len)
{
    if (csv_parse(&r->p, s, len, on_field, on_row, r) != len ||
        csv_parse(&r->p, "\n", 1, on_field, on_row, r) != 1 || r->oom)
        return fail(r, "%s: out of memory", r->path); /* libcsv's only lenient-mode errors */
    return 0;
}

int csvread_next(csvread *r, csvread_record *rec)
{
    if (r->failed)
        return CSVREAD_ERR;
    r->text.n = r->offs.n = 0;
    r->row_done = 0;
    for (;;) {
        char *s;
        size_t len;
        int st = infile_line(r->in, &s, &len);
        if (st == INFILE_ERR)
            return fail(r, "%s", infile_error(r->in));
        if (st == INFILE_EOF) {
            if (r->in_record)
                return fail(r, "%s:%zu: quoted field not closed at the end of the file", r->path,
                            r->field_line);
            return CSVREAD_EOF;
        }
        r->lineno = infile_lineno(r->in);
        if (r->opt.line_max && len > r->opt.line_max)
            return fail(r, "%s:%zu: line too long (%zu characters, at most %zu)", r->path,
                        r->lineno, len, r->opt.line_max);
        if (r->lineno == 1 && r->opt.skip_bom && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
            s += 3;
            len -= 3;
        }
        if (len && s[len - 1] == '\r')
            len--;
        if (!r->in_record) {
            if (is_comment(r, s))
                continue;
            r->rec_line = r->field_line = r->lineno;
            r->rec_bytes = len;
        } else {
            r->rec_bytes += 1 + len;
            if (r->rec_bytes > CSVREAD_RECORD_MAX)
                return fail(r, "%s:%zu: record longer than %d bytes (a quote not closed?)",
                            r->path, r->rec_line, CSVREAD_RECORD_MAX);
        }
        if (parse_line(r, s, len))
            return CSVREAD_ERR;
        if (r->row_done)
            break;
        r->in_record = r->p.quoted != 0;
    }
    r->in_record = 0;
    if (vec_reserve(&r->ptrs, r->offs.n) != VEC_OK)
        return fail(r, "%s: out of memory", r->path);
    char **f = r->ptrs.data;
    const size_t *off = r->offs.data;
    for (size_t i = 0; i < r->offs.n; i++)
        f[i] = (char *)r->text.data + off[i];
    rec->line = r->rec_line;
    rec->nfields = r->offs.n;
    rec->fields = f;
    return CSVREAD_RECORD;
}

size_t csvread_lineno(const csvread *r) { return infile_lineno(r->in); }
const char *csvread_error(const csvread *r) { return r->err; }

void csvread_close(csvread *r)
{
    if (!r)
        return;
    infile_close(r->in);
    csv_free(&r->p);
    vec_free(&r->text);
    vec_free(&r->offs);
    vec_free(&r->ptrs);
    free(r->path);
    free(r);
}
