/*
 * infile: opening and reading a user's input file so that no file can
 * make a reader block, spin or grow without bound.
 *
 * Rules of this module
 *  - Only regular files are read.  infile_open opens without blocking
 *    (O_NONBLOCK, so a FIFO without a writer cannot hang it), then refuses
 *    a directory, FIFO, character or block device (/dev/zero, /dev/null,
 *    a terminal) or socket: "PATH: not a regular file (a FIFO)".  There is
 *    no "-" for standard input.
 *  - Lines end at '\n'; a '\r' before it stays in the line (callers that
 *    accept CRLF strip it).  A last line without '\n' is a line.
 *  - A line is at most INFILE_LINE_MAX bytes, its '\n' not counted: a
 *    longer one stops the reading at once with "PATH:LINE: line longer
 *    than 65536 bytes", whatever the rest of the file holds.
 *  - A NUL byte is refused as soon as it is read: "PATH:LINE: NUL byte in
 *    the file".
 *  - The stop flag (may be NULL) is polled before every read of the file
 *    (every 64 KiB) and after a read interrupted by a signal: once it is
 *    non-zero the reader ends with "PATH: interrupted".
 *  - The first error is final: later calls return INFILE_ERR again.
 *    Nothing prints; errors are kept as text (infile_error).
 *  - Costs: one read(2) per 64 KiB and two memchr passes over each byte;
 *    memory is fixed (about 128 KiB per open file).
 */
#ifndef SLUICE_INFILE_H
#define SLUICE_INFILE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INFILE_LINE_MAX 65536 /* bytes of one line, without its '\n' */
#define INFILE_ERR_MAX 1024

#define INFILE_EOF 0
#define INFILE_LINE 1
#define INFILE_ERR (-1)

typedef struct infile infile;

/* Opens path (a regular file) for reading.  what, when not NULL, names
 * the file in the open error ("PATH: cannot open trace: ..." for
 * "trace").  NULL with err filled when the file cannot be opened, is not
 * a regular file or memory ran out.  Close with infile_close. */
infile *infile_open(const char *path, const char *what, const volatile int *stop, char *err,
                    size_t errlen);

/* Reads the next line.  INFILE_LINE: *line (NUL-terminated, owned by f,
 * valid until the next call) and *len hold it without its '\n';
 * INFILE_EOF at the end; INFILE_ERR with infile_error(f) set. */
int infile_line(infile *f, char **line, size_t *len);

/* Lines read so far (the number of the last line returned). */
size_t infile_lineno(const infile *f);
/* The error text ("" before any error). */
const char *infile_error(const infile *f);
/* 1 when the error was the stop flag. */
int infile_interrupted(const infile *f);
/* Closes the file and frees f; NULL is fine. */
void infile_close(infile *f);

/* fopen(path, "r") for a regular file only, opened without blocking (for
 * readers that keep their own line handling: results folders read by
 * plot and report).  NULL with errno set: EISDIR for a directory, EINVAL
 * for any other file that is not a regular file. */
FILE *infile_fopen(const char *path);

/* "a FIFO", "a directory", ... for a st_mode that is not a regular file;
 * NULL for a regular file. */
const char *infile_kind(unsigned mode);

#ifdef __cplusplus
}
#endif

#endif
