/*
 * lib/infile.c: bounded, interruptible reading of input files (see lib/infile.h).
 */
#include "lib/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

struct infile {
    int fd;
    const volatile int *stop; /* may be NULL */
    char path[512];           /* for messages (cut short if longer) */
    size_t lineno;            /* lines returned so far */
    size_t pos, end;          /* unread bytes are buf[pos..end) */
    int eof;                  /* read(2) returned 0 */
    int failed;               /* 0, or 1 once err is set (2: interrupted) */
    char err[INFILE_ERR_MAX];
    char buf[CHUNK];
    char line[INFILE_LINE_MAX + 1];
};

const char *infile_kind(unsigned mode)
{
    mode_t m = (mode_t)mode;
    if (S_ISREG(m))
        return NULL;
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

infile *infile_open(const char *path, const char *what, const volatile int *stop, char *err,
                    size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open%s%s: %s", path, what ? " " : "", what ? what : "",
                 strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    const char *kind = infile_kind((unsigned)st.st_mode);
    if (kind) {
        snprintf(err, errlen, "%s: not a regular file (%s)", path, kind);
        close(fd);
        return NULL;
    }
    /* Regular files ignore O_NONBLOCK; clear it all the same. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    infile *f = malloc(sizeof *f);
    if (!f) {
        snprintf(err, errlen, "%s: out of memory", path);
        close(fd);
        return NULL;
    }
    f->fd = fd;
    f->stop = stop;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->lineno = 0;
    f->pos = f->end = 0;
    f->eof = 0;
    f->failed = 0;
    f->err[0] = '\0';
    return f;
}

FILE *infile_fopen(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    if (e) {
        close(fd);
        errno = e;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

static int fail(infile *f, int how, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
    f->failed = how;
    return INFILE_ERR;
}

int infile_line(infile *f, char **line, size_t *len)
{
    if (f->failed)
        return INFILE_ERR;
    size_t n = 0;
    int any = 0;
    for (;;) {
        if (f->pos == f->end) {
            if (f->eof)
                break;
            if (f->stop && *f->stop)
                return fail(f, 2, "%s: interrupted", f->path);
            ssize_t k = read(f->fd, f->buf, sizeof f->buf);
            if (k < 0 && errno == EINTR)
                continue; /* the stop flag is checked again above */
            if (k < 0)
                return fail(f, 1, "%s: cannot read: %s", f->path, strerror(errno));
            if (k == 0) {
                f->eof = 1;
                break;
            }
            f->pos = 0;
            f->end = (size_t)k;
        }
        any = 1;
        const char *s = f->buf + f->pos;
        size_t avail = f->end - f->pos;
        const char *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) : avail;
        if (memchr(s, '\0', take))
            return fail(f, 1, "%s:%zu: NUL byte in the file", f->path, f->lineno + 1);
        if (take > INFILE_LINE_MAX - n)
            return fail(f, 1, "%s:%zu: line longer than %d bytes", f->path, f->lineno + 1,
                        INFILE_LINE_MAX);
        memcpy(f->line + n, s, take);
        n += take;
        f->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    if (!any)
        return INFILE_EOF;
    f->lineno++;
    f->line[n] = '\0';
    *line = f->line;
    *len = n;
    return INFILE_LINE;
}

size_t infile_lineno(const infile *f) { return f->lineno; }
const char *infile_error(const infile *f) { return f->err; }
int infile_interrupted(const infile *f) { return f->failed == 2; }

void infile_close(infile *f)
{
    if (!f)
        return;
    close(f->fd);
    free(f);
}
