/*
 * wmap: hash map from a window of a key, (key, start, end), to a
 * fixed-size value chosen by the caller.
 *
 * Rules of this module
 *  - Open addressing with linear probing and backward-shift deletion (no
 *    tombstones); the table doubles at 50% load.  get/put/del are O(1)
 *    expected.
 *  - Values are value_size bytes, zeroed when an entry is created, stored
 *    value_size bytes apart: pass sizeof(your value type) so that every
 *    value is aligned for that type.  A value pointer stays valid only
 *    until the next wmap_put or wmap_del on the same map (both may move
 *    entries).
 *  - Keys compare with ==: -0.0 and 0.0 are the same bound (stored as
 *    0.0); NaN bounds are a programmer error (assert in wmap_put).
 *  - Memory follows the most entries ever held at once: the table never
 *    shrinks, wmap_clear keeps it.  wmap_next over the whole map is
 *    O(capacity), wmap_sorted O(n log n).
 *  - Iteration order of wmap_next depends on the hash, not on insertion:
 *    deterministic for a given sequence of operations, but use
 *    wmap_sorted() wherever order reaches an output file.
 *  - The map owns its memory; wmap_free(NULL) is fine.
 */
#ifndef SLUICE_WMAP_H
#define SLUICE_WMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wmap wmap_t;

typedef struct wmap_key {
    uint32_t key;
    double start, end;
} wmap_key;

wmap_t *wmap_alloc(size_t value_size); /* NULL on OOM */
void wmap_free(wmap_t *m);
size_t wmap_size(const wmap_t *m);
void wmap_clear(wmap_t *m);

/* Value of (key, start, end), or NULL when absent. */
void *wmap_get(const wmap_t *m, uint32_t key, double start, double end);

/* Value of (key, start, end), created zeroed when absent (*created = 1 then,
 * created may be NULL).  NULL only when out of memory. */
void *wmap_put(wmap_t *m, uint32_t key, double start, double end, int *created);

/* Removes the entry; returns 1 if it was there, 0 if not. */
int wmap_del(wmap_t *m, uint32_t key, double start, double end);

/* Iteration: start with *pos = 0; returns the next value (and its key in
 * *k when k is not NULL) or NULL at the end.  Do not put/del while
 * iterating. */
void *wmap_next(const wmap_t *m, size_t *pos, wmap_key *k);

/* The order of wmap_sorted: by start, then end, then key (-1, 0, 1). */
int wmap_key_cmp(const wmap_key *a, const wmap_key *b);

/* All entries sorted by (start, end, key): a malloc'd array of wmap_size()
 * entries that the caller frees; keys[i] and vals[i] (pointers into the
 * map, valid until the next put/del) describe entry i.  Returns 0, or -1
 * on OOM.  With an empty map *keys and *vals are NULL. */
int wmap_sorted(const wmap_t *m, wmap_key **keys, void ***vals);

#ifdef __cplusplus
}
#endif

#endif
