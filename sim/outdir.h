/*
 * outdir: results folders that appear whole or not at all.
 *
 * Rules of this module
 *  - outdir_begin creates a fresh temporary folder beside the final one
 *    (DIR.tmp.XXXXXX, same file system, so the final rename is atomic).
 *  - outdir_commit moves it into place; a previous DIR is moved aside
 *    first and deleted only after the new one is in place.
 *  - outdir_abort deletes the temporary folder.  A failed or interrupted
 *    run therefore never leaves half-written results under DIR and never
 *    destroys the previous ones.
 *  - Errors come back as text; nothing prints.
 */
#ifndef SLUICE_OUTDIR_H
#define SLUICE_OUTDIR_H

#include <stddef.h>

/* Creates the parent folders of dir and a temporary folder beside it,
 * whose path goes into tmp (room for n bytes).  0, or -1 with err. */
int outdir_begin(const char *dir, char *tmp, size_t n, char *err, size_t errlen);
/* Renames tmp to dir (replacing a previous dir).  0, or -1 with err. */
int outdir_commit(const char *tmp, const char *dir, char *err, size_t errlen);
/* Deletes tmp and everything in it. */
void outdir_abort(const char *tmp);
/* Creates the parent folders of path (mkdir -p of its dirname). */
int outdir_make_parents(const char *path);
/* rm -rf path (no shell).  0 on success. */
int outdir_remove_tree(const char *path);

#endif
