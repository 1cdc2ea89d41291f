/*
 * csvread: a user's CSV file, one record at a time, with the line number
 * of each record so that every error can say PATH:LINE: problem.
 *
 * Rules of this module
 *  - The file is read through lib/infile.h, whose guarantees hold as they
 *    are, with its messages: a regular file only, no NUL byte, no line
 *    longer than INFILE_LINE_MAX bytes, the stop flag polled.
 *  - Fields are split by libcsv's csv_parse (RFC 4180 quoting, lenient
 *    mode): a field in double quotes may hold commas, newlines and
 *    doubled quotes ("" is one "); a quote inside an unquoted field is an
 *    ordinary character.  After a closing quote anything but blanks, a
 *    comma or the line end is kept and the field stays quoted ("a"b,c is
 *    one field a"b,c... up to the next quote: libcsv's lenient rule).
 *    Blanks (space, tab) around an unquoted field are dropped; inside
 *    quotes every byte is kept but one: a '\r' ending a line is dropped
 *    everywhere (CRLF files; a quoted CRLF reads as '\n').  Any other
 *    '\r' is data.  Records end at '\n' only.
 *  - Lines holding only blanks are skipped (they make no record).  With
 *    opts.comment set, a line whose first non-blank byte is that
 *    character is skipped too, unless it is inside a quoted field.
 *  - A record's line is the line it starts on; a quoted field with
 *    newlines makes the next record start on a later line.
 *  - Errors, each final (later calls return CSVREAD_ERR again):
 *    infile's; "PATH:LINE: line too long (N characters, at most M)" when
 *    opts.line_max is set and a line is longer; "PATH:LINE: record longer
 *    than 65536 bytes (a quote not closed?)" for a record that spans
 *    lines and grows past CSVREAD_RECORD_MAX (LINE: where it starts);
 *    "PATH:LINE: quoted field not closed at the end of the file" (LINE:
 *    where that field starts); "PATH: out of memory".
 *  - Nothing prints.  Memory follows the longest record, at most
 *    CSVREAD_RECORD_MAX bytes of text (the buffers grow to it and are
 *    reused), plus libcsv's field buffer and infile's 128 KiB.
 */
#ifndef SLUICE_CSVREAD_H
#define SLUICE_CSVREAD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSVREAD_RECORD_MAX 65536 /* bytes of one record spanning lines */
#define CSVREAD_ERR_MAX 1024

#define CSVREAD_EOF 0
#define CSVREAD_RECORD 1
#define CSVREAD_ERR (-1)

typedef struct csvread csvread;

typedef struct csvread_opts {
    const char *what; /* names the file in the open error, as infile_open; may be NULL */
    int skip_bom;     /* 1: a UTF-8 byte order mark opening the file is dropped */
    char comment;     /* '#': lines starting with it are skipped; '\0': none */
    size_t line_max;  /* > 0: longer lines are an error (see above); 0: infile's limit only */
    char delim;       /* field separator: '\0' = ','; with '\t' only spaces are blanks */
} csvread_opts;

typedef struct csvread_record {
    size_t line;     /* line number (from 1) where the record starts */
    size_t nfields;  /* >= 1 */
    char **fields;   /* nfields NUL-terminated fields, owned by the reader,
                      * valid until the next csvread_next or csvread_close */
} csvread_record;

/* Opens path for reading (opts may be NULL: all defaults).  NULL with
 * err filled when the file cannot be opened (infile_open's messages) or
 * memory ran out.  Close with csvread_close. */
csvread *csvread_open(const char *path, const csvread_opts *opts, const volatile int *stop,
                      char *err, size_t errlen);

/* The next record: CSVREAD_RECORD with *rec filled, CSVREAD_EOF at the
 * end, CSVREAD_ERR with csvread_error(r) set. */
int csvread_next(csvread *r, csvread_record *rec);

/* Lines read so far. */
size_t csvread_lineno(const csvread *r);
/* The error text ("" before any error). */
const char *csvread_error(const csvread *r);
/* Closes the file and frees r; NULL is fine. */
void csvread_close(csvread *r);

#ifdef __cplusplus
}
#endif

#endif
