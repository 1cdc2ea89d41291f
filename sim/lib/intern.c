/*
 * lib/intern.c: string interning (see lib/intern.h).
 *
 * names[id] points into one of the text blocks (each string copied once,
 * NUL-terminated); slots[] holds id + 1 (0 = empty) and is rehashed when
 * it would become more than half full.
 */
#include "lib/intern.h"

#include <stdlib.h>
#include <string.h>

#include "lib/vec.h"

#define BLOCK_MIN 65536

struct intern {
    char **names;        /* id -> string */
    size_t *lens;        /* id -> length */
    size_t capl;
    size_t n, capn;
    uint32_t *slots;     /* open addressing: id + 1, 0 = empty */
    size_t nslots;       /* power of two */
    char **blocks;       /* text storage */
    size_t nblocks, capblocks;
    size_t used, avail;  /* in the last block */
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

intern_t *intern_alloc(void)
{
    intern_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->nslots = 64;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

void intern_free(intern_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nblocks; i++)
        free(t->blocks[i]);
    free(t->blocks);
    free(t->names);
    free(t->lens);
    free(t->slots);
    free(t);
}

static int rehash(intern_t *t)
{
    size_t ns = t->nslots * 2;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s)
        return INTERN_ERR;
    for (size_t id = 0; id < t->n; id++) {
        size_t j = (size_t)hash(t->names[id], t->lens[id]) & (ns - 1);
        while (s[j])
            j = (j + 1) & (ns - 1);
        s[j] = (uint32_t)id + 1;
    }
    free(t->slots);
    t->slots = s;
    t->nslots = ns;
    return INTERN_OK;
}

/* A copy of s in the text blocks, NULL when out of memory. */
static char *store(intern_t *t, const char *s, size_t len)
{
    if (len + 1 > t->avail) {
        size_t sz = len + 1 > BLOCK_MIN ? len + 1 : BLOCK_MIN;
        if (vec_ensure(&t->blocks, &t->capblocks, t->nblocks + 1, sizeof *t->blocks))
            return NULL;
        char *b = malloc(sz);
        if (!b)
            return NULL;
        t->blocks[t->nblocks++] = b;
        t->used = 0;
        t->avail = sz;
    }
    char *d = t->blocks[t->nblocks - 1] + t->used;
    memcpy(d, s, len);
    d[len] = '\0';
    t->used += len + 1;
    t->avail -= len + 1;
    return d;
}

int intern_id(intern_t *t, const char *s, size_t len, uint32_t *id)
{
    size_t mask = t->nslots - 1, j = (size_t)hash(s, len) & mask;
    for (; t->slots[j]; j = (j + 1) & mask) {
        uint32_t k = t->slots[j] - 1;
        if (t->lens[k] == len && memcmp(t->names[k], s, len) == 0) {
            *id = k;
            return INTERN_OK;
        }
    }
    if (t->n >= INTERN_MAX)
        return INTERN_ERR;
    if (vec_ensure(&t->names, &t->capn, t->n + 1, sizeof *t->names) ||
        vec_ensure(&t->lens, &t->capl, t->n + 1, sizeof *t->lens))
        return INTERN_ERR;
    char *d = store(t, s, len);
    if (!d)
        return INTERN_ERR;
    t->names[t->n] = d;
    t->lens[t->n] = len;
    t->slots[j] = (uint32_t)t->n + 1;
    *id = (uint32_t)t->n;
    t->n++;
    if (2 * t->n > t->nslots && rehash(t) != INTERN_OK) {
        t->n--; /* the string stays in its block, unused */
        t->slots[j] = 0;
        return INTERN_ERR;
    }
    return INTERN_OK;
}

size_t intern_count(const intern_t *t)
{
    return t->n;
}

const char *intern_name(const intern_t *t, uint32_t id)
{
    return id < t->n ? t->names[id] : NULL;
}
