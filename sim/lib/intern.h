/*
 * intern: a table of strings, each given a dense id 0, 1, 2, ... in the
 * order first seen (a trace's keys as they are, e.g. user ids).
 *
 * Rules of this module
 *  - intern_id gives the id of a string, adding it when new; the same
 *    string always gets the same id, and ids are dense from 0.
 *  - The table owns copies of the strings; intern_name(t, id) is valid
 *    until intern_free.  Lookups hash (FNV-1a) into an open-addressing
 *    table kept at most half full: O(1) expected, O(total bytes) memory.
 *  - At most INTERN_MAX strings (ids fit a uint32_t).  Nothing prints.
 */
#ifndef SLUICE_INTERN_H
#define SLUICE_INTERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INTERN_OK 0
#define INTERN_ERR (-1) /* out of memory, or more than INTERN_MAX strings */
#define INTERN_MAX 0xFFFFFFFEu

typedef struct intern intern_t;

intern_t *intern_alloc(void); /* NULL when out of memory */
void intern_free(intern_t *t); /* NULL is fine */

/* The id of s (len bytes; may hold any byte), adding it when new.
 * INTERN_OK with *id set, or INTERN_ERR (t unchanged). */
int intern_id(intern_t *t, const char *s, size_t len, uint32_t *id);

/* Strings in the table. */
size_t intern_count(const intern_t *t);
/* The string of id (NUL-terminated), NULL when id >= intern_count. */
const char *intern_name(const intern_t *t, uint32_t id);

#ifdef __cplusplus
}
#endif

#endif
