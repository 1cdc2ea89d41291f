/*
 * lib/strbuf.c: a growing text buffer (see lib/strbuf.h).
 */
#include "lib/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/vec.h"

void strbuf_put(strbuf *b, const char *fmt, ...)
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

char *strbuf_take(strbuf *b)
{
    char *s = b->s;
    if (b->oom) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = calloc(1, 1);
    }
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}
