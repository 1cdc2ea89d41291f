/*
 * test_csvread.c: lib/csvread.c, CSV records over lib/infile.h and libcsv,
 * on known answers: quoted fields with commas, newlines and doubled
 * quotes, CRLF, empty fields, blanks, a missing final newline, the line
 * numbers of records after quoted newlines, comments, the byte order mark,
 * and every error with its exact message.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/csvread.h"

static char path[64];

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/sluice_csvread_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
}

static void teardown(void) { unlink(path); }

TestSuite(csvread, .init = setup, .fini = teardown);

static void write_bytes(const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static csvread *open_text(const char *text, const csvread_opts *o)
{
    char err[CSVREAD_ERR_MAX];
    write_bytes(text, strlen(text));
    csvread *r = csvread_open(path, o, NULL, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    return r;
}

/* The next record must start on line `line` and hold the n fields. */
static void expect_rec(csvread *r, size_t line, size_t n, const char *const *want)
{
    csvread_record rec;
    int st = csvread_next(r, &rec);
    cr_assert_eq(st, CSVREAD_RECORD, "expected a record on line %zu: %d %s", line, st,
                 csvread_error(r));
    cr_expect_eq(rec.line, line);
    cr_assert_eq(rec.nfields, n, "line %zu: %zu fields", line, rec.nfields);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(rec.fields[i], want[i], "line %zu field %zu", line, i);
}

#define REC(r, line, ...)                                                                 \
    do {                                                                                  \
        const char *const want_[] = {__VA_ARGS__};                                        \
        expect_rec(r, line, sizeof want_ / sizeof want_[0], want_);                       \
    } while (0)

static void expect_eof(csvread *r, size_t lines)
{
    csvread_record rec;
    cr_assert_eq(csvread_next(r, &rec), CSVREAD_EOF, "%s", csvread_error(r));
    cr_expect_eq(csvread_lineno(r), lines);
    cr_assert_eq(csvread_next(r, &rec), CSVREAD_EOF, "EOF again");
}

/* The next call fails with "PATH" + tail, and so does the one after. */
static void expect_err(csvread *r, const char *tail)
{
    csvread_record rec;
    char want[256];
    snprintf(want, sizeof want, "%s%s", path, tail);
    cr_assert_eq(csvread_next(r, &rec), CSVREAD_ERR);
    cr_expect_str_eq(csvread_error(r), want);
    cr_assert_eq(csvread_next(r, &rec), CSVREAD_ERR, "the first error is final");
    cr_expect_str_eq(csvread_error(r), want);
}

Test(csvread, quoted_commas_and_doubled_quotes)
{
    csvread *r = open_text("a,\"b,c\",\"say \"\"hi\"\"\"\n\"\"\"\",\"\"\n", NULL);
    REC(r, 1, "a", "b,c", "say \"hi\"");
    REC(r, 2, "\"", "");
    expect_eof(r, 2);
    csvread_close(r);
}

Test(csvread, crlf_line_ends)
{
    csvread *r = open_text("x,y\r\n1,2\r\n\r\n\"q\"\r\n\r\r\na\rb,c \r", NULL);
    REC(r, 1, "x", "y");
    REC(r, 2, "1", "2");
    REC(r, 4, "q");
    REC(r, 5, "\r"); /* only one CR ending a line is dropped */
    REC(r, 6, "a\rb", "c");
    expect_eof(r, 6);
    csvread_close(r);
}

Test(csvread, empty_fields)
{
    csvread *r = open_text(",a,,\n,\n\"\",\"\"\n", NULL);
    REC(r, 1, "", "a", "", "");
    REC(r, 2, "", "");
    REC(r, 3, "", "");
    expect_eof(r, 3);
    csvread_close(r);
}

Test(csvread, missing_final_newline)
{
    csvread *r = open_text("1,2\n3,4", NULL);
    REC(r, 1, "1", "2");
    REC(r, 2, "3", "4");
    expect_eof(r, 2);
    csvread_close(r);
}

Test(csvread, blanks_dropped_outside_quotes_only)
{
    csvread *r = open_text(" a ,\t\" b \" , c d \n   \n\t\n", NULL);
    REC(r, 1, "a", " b ", "c d");
    expect_eof(r, 3);
    csvread_close(r);
}

Test(csvread, line_numbers_after_quoted_newlines)
{
    csvread *r = open_text("h\n\"multi\nline\",x\n\nnext,\"a\r\nb\"\r\nlast\n", NULL);
    REC(r, 1, "h");
    REC(r, 2, "multi\nline", "x");
    REC(r, 5, "next", "a\nb"); /* line 4 is blank; a quoted CRLF reads as LF */
    REC(r, 7, "last");
    expect_eof(r, 7);
    csvread_close(r);
}

Test(csvread, quote_inside_unquoted_field_is_a_character)
{
    csvread *r = open_text("ab\"c,d\n5\" x,y\"\n", NULL);
    REC(r, 1, "ab\"c", "d"); /* lenient mode: a stray quote is kept */
    REC(r, 2, "5\" x", "y\"");
    expect_eof(r, 2);
    csvread_close(r);
}

Test(csvread, comments)
{
    csvread_opts o = {.comment = '#'};
    csvread *r = open_text("# a \"comment\n  \t# another\n1,\"x\n# not a comment\"\n2#3\n", &o);
    REC(r, 3, "1", "x\n# not a comment");
    REC(r, 5, "2#3");
    expect_eof(r, 5);
    csvread_close(r);
    r = open_text("#x,y\n", NULL);
    REC(r, 1, "#x", "y"); /* no comment character: an ordinary field */
    csvread_close(r);
}

Test(csvread, byte_order_mark)
{
    csvread_opts o = {.skip_bom = 1};
    csvread *r = open_text("\xef\xbb\xbfid,x\n\xef\xbb\xbfk\n", &o);
    REC(r, 1, "id", "x");
    REC(r, 2, "\xef\xbb\xbfk"); /* only at the start of the file */
    csvread_close(r);
    r = open_text("\xef\xbb\xbfid\n", NULL);
    REC(r, 1, "\xef\xbb\xbfid");
    csvread_close(r);
}

Test(csvread, empty_and_blank_files)
{
    csvread *r = open_text("", NULL);
    expect_eof(r, 0);
    csvread_close(r);
    r = open_text("\n \r\n\t", NULL);
    expect_eof(r, 3);
    csvread_close(r);
}

Test(csvread, quote_not_closed)
{
    csvread *r = open_text("a\nb,\"open\nmore\n", NULL);
    REC(r, 1, "a");
    expect_err(r, ":2: quoted field not closed at the end of the file");
    csvread_close(r);
    /* the field opens on line 3, after a quoted field from line 2 closed */
    r = open_text("a\n\"x\ny\",\"z\n\n", NULL);
    REC(r, 1, "a");
    expect_err(r, ":3: quoted field not closed at the end of the file");
    csvread_close(r);
}

Test(csvread, record_too_long)
{
    /* an open quote on line 2, then 1000 lines of 99 bytes: 100,000 bytes */
    size_t n = 4 + 1000 * 100;
    char *text = malloc(n + 1);
    cr_assert(text);
    memcpy(text, "h\n\"x", 4);
    for (size_t i = 0; i < 1000; i++) {
        memset(text + 4 + 100 * i, 'y', 99);
        text[4 + 100 * i + 99] = '\n';
    }
    text[n] = '\0';
    csvread *r = open_text(text, NULL);
    free(text);
    REC(r, 1, "h");
    expect_err(r, ":2: record longer than 65536 bytes (a quote not closed?)");
    csvread_close(r);
}

Test(csvread, line_max)
{
    csvread_opts o = {.line_max = 5, .comment = '#'};
    csvread *r = open_text("12345\n#23456\n", &o);
    REC(r, 1, "12345");
    expect_err(r, ":2: line too long (6 characters, at most 5)"); /* comments too */
    csvread_close(r);
}

Test(csvread, infile_errors_kept)
{
    csvread *r;
    write_bytes("a,b\nc\0d\n", 8);
    char err[CSVREAD_ERR_MAX];
    r = csvread_open(path, NULL, NULL, err, sizeof err);
    cr_assert_not_null(r);
    REC(r, 1, "a", "b");
    expect_err(r, ":2: NUL byte in the file");
    csvread_close(r);

    csvread_opts o = {.what = "trace"};
    char missing[80], want[160];
    snprintf(missing, sizeof missing, "%s.missing", path);
    cr_assert_null(csvread_open(missing, &o, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: cannot open trace: No such file or directory", missing);
    cr_expect_str_eq(err, want);
    cr_assert_null(csvread_open("/tmp", NULL, NULL, err, sizeof err));
    cr_expect_str_eq(err, "/tmp: not a regular file (a directory)");

    /* the stop flag: "PATH: interrupted" before the first read */
    volatile int stop = 1;
    write_bytes("a\n", 2);
    r = csvread_open(path, NULL, &stop, err, sizeof err);
    cr_assert_not_null(r);
    expect_err(r, ": interrupted");
    csvread_close(r);
    csvread_close(NULL);
}

Test(csvread, text_after_a_closing_quote_keeps_the_field_quoted)
{
    /* libcsv's lenient rule, as csvread.h states it */
    csvread *r = open_text("\"a\"b,c\nd\",e\n", NULL);
    REC(r, 1, "a\"b,c\nd", "e");
    expect_eof(r, 2);
    csvread_close(r);
}
