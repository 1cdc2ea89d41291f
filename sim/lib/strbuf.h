/*
 * strbuf: a growing text buffer for pages and reports built in memory.
 *
 * Rules of this module
 *  - strbuf_put appends printf-formatted text; after a failed allocation
 *    the buffer is marked (oom) and every later call does nothing, so a
 *    writer checks once, at the end (strbuf_take).
 *  - The text is always terminated once anything was written.  O(1)
 *    amortised per byte (vec_ensure doubles).
 *  - Nothing prints.
 */
#ifndef SLUICE_STRBUF_H
#define SLUICE_STRBUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strbuf {
    char *s;
    size_t n, cap;
    int oom;
} strbuf;

/* Appends fmt's text to b. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void strbuf_put(strbuf *b, const char *fmt, ...);
/* The text (malloc'd, "" when nothing was written; the caller frees), or
 * NULL when memory ran out (the buffer is freed either way). */
char *strbuf_take(strbuf *b);

#ifdef __cplusplus
}
#endif

#endif
