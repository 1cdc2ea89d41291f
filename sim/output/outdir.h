/*
 * outdir: output folders and files that appear whole or not at all, and
 * that never replace what sluice did not write.
 *
 * Rules of this module
 *  - outdir_begin creates a fresh temporary folder beside the final one
 *    (DIR.tmp.XXXXXX, same file system, so the final rename is atomic);
 *    the command writes there.  outdir_commit moves it into place: a
 *    previous DIR is moved aside (DIR.old.XXXXXX) and deleted only after
 *    the new one is in place.  outdir_abort deletes the temporary folder
 *    and the parent folders begin created.  A failed or interrupted run
 *    never leaves half-written results under DIR and never destroys the
 *    previous ones.
 *  - The marker.  Just before the rename, commit writes DIR/.sluice: the
 *    line "sluice results folder; written by WHAT" (WHAT: "sluice run",
 *    "sluice sweep", "sluice plot", ...), a comment line, then the name
 *    of every entry sluice wrote, one a line, sorted, folders with a
 *    trailing '/'.  outdir_mark_add adds names (report.html, plots/) when
 *    a command writes into an existing results folder.  Each folder
 *    sluice writes whole (DIR, DIR/plots) has its own marker.
 *  - Whose folder is it.  An existing folder is sluice's when
 *      (a) it has a valid marker and every entry is listed there, or
 *      (b) it has no marker (sluice before markers) and every entry has
 *          a name older sluice versions wrote: the run, sweep and report
 *          files, and plots/ holding only sluice's plot names;
 *    and every folder in it is sluice's by the same rule.  An empty
 *    folder is sluice's (nothing in it to lose).  Sluice's own leftovers
 *    (.NAME.XXXXXX, plots.tmp.XXXXXX, plots.old.XXXXXX) count as sluice's.
 *    Symbolic links never do.  The names of (b) are frozen: a new output
 *    is listed by the marker and is never added to that list.
 *  - Refusals (all exit status 2 in the CLI; err names the path):
 *      * DIR exists and is not sluice's, is a file or a symbolic link,
 *        unless force is set (then note says "replacing DIR (--force)");
 *      * DIR is ".", "..", "/", ends in "/." or "/..", resolves to the
 *        current folder or a folder above it, or is a mount point (its
 *        st_dev differs from its parent's, it is its own parent, or
 *        /proc/self/mountinfo lists it): force does not override these.
 *  - Stale leftovers.  While a command writes DIR.tmp.XXXXXX it holds an
 *    flock on it (and on DIR.old.XXXXXX while it deletes it); a killed
 *    command's lock is gone.  begin looks at DIR.tmp.* and DIR.old.*
 *    beside DIR: a locked one (a run in progress) is left alone silently;
 *    an unlocked one that is sluice's is deleted, one that is not is left
 *    alone; note says which.
 *  - Files (sluice gen --out FILE): outdir_file_begin makes FILE.tmp.XXXXXX
 *    (locked the same way); commit renames it over FILE.  An existing
 *    FILE is sluice's when it is empty or its first line is the header
 *    given (the trace header); otherwise it is replaced only with force.
 *    A folder, device, pipe or socket at FILE is always refused.  Stale
 *    FILE.tmp.* are cleaned up like folders (sluice's: empty or starting
 *    with the header).
 *  - Errors come back as text; nothing prints.  Lines for the user
 *    (cleanups, forced replacements) are left in o->note for the CLI.
 */
#ifndef SLUICE_OUTDIR_H
#define SLUICE_OUTDIR_H

#include <limits.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OUTDIR_MARKER ".sluice"
#define OUTDIR_MARK_HEAD "sluice results folder; written by "
#define OUTDIR_NOTE_MAX 4096

/* One folder (or file) being written: begin, then commit or abort. */
typedef struct outdir {
    char dir[PATH_MAX];         /* the final path, trailing '/' dropped */
    char tmp[PATH_MAX];         /* where the command writes (DIR.tmp.XXXXXX) */
    char made[PATH_MAX];        /* topmost parent folder begin created, "" if none */
    char what[64];              /* who writes, for the marker ("sluice run") */
    char note[OUTDIR_NOTE_MAX]; /* lines for the user, each ending in '\n'; "" if none */
    int force;                  /* replace DIR even when it is not sluice's */
    int is_file;                /* made by outdir_file_begin */
    int fd;                     /* the locked descriptor of tmp, -1 when none */
} outdir;

/* Checks dir (the refusals above), cleans stale leftovers, creates the
 * parent folders and the temporary folder o->tmp.  what: "sluice run".
 * 0, or -1 with err (o needs no abort then). */
int outdir_begin(outdir *o, const char *dir, const char *what, int force, char *err,
                 size_t errlen);
/* Writes the marker into o->tmp, checks DIR again (it may have changed
 * meanwhile) and renames o->tmp to DIR (replacing a previous DIR).  0, or
 * -1 with err: the caller then calls outdir_abort. */
int outdir_commit(outdir *o, char *err, size_t errlen);
/* Deletes o->tmp and everything in it, and the parent folders begin made
 * if they are empty. */
void outdir_abort(outdir *o);

/* The same for one file: o->tmp is FILE.tmp.XXXXXX and o->fd an open,
 * locked descriptor of it.  Write through fdopen(dup(o->fd), "w") and
 * close that stream before outdir_commit.  header: the first line a file
 * sluice wrote starts with (without '\n'). */
int outdir_file_begin(outdir *o, const char *path, const char *header, int force, char *err,
                      size_t errlen);

/* Whether dir is a sluice results folder a command may write into
 * (plot, report): rule (a) but entries not listed are allowed (the user's
 * own notes survive, and sluice will not delete them), or rule (b).
 * 1 yes; 0 no, with why ("no .sluice marker and it holds notes.txt");
 * -1 unreadable, with why. */
int outdir_is_results(const char *dir, char *why, size_t whylen);
/* The check of plot and report before they write into dir: 0 when dir
 * is a results folder (outdir_is_results), or is not but force, which
 * then appends "writing WHAT into DIR (--force): why\n" to note (room
 * for notelen bytes; may be NULL); 2 with err otherwise ("... add --force
 * to write OBJ there anyway").  what: "plots", "the report"; obj: what
 * the refusal names ("plots/", "the report"). */
int outdir_may_write_into(const char *dir, const char *what, const char *obj, int force,
                          char *note, size_t notelen, char *err, size_t errlen);
/* Whether dir/name, when it exists, is sluice's: listed in dir's marker,
 * or dir has no marker and name is one of the names of rule (b); a
 * folder must also be sluice's by the rules above.  1 yes (or absent),
 * 0 no. */
int outdir_owns(const char *dir, const char *name);
/* Adds names (folders with a trailing '/') to dir's marker, through a
 * temporary file and a rename.  A folder without a marker is left as it
 * is.  0, or -1 with err. */
int outdir_mark_add(const char *dir, const char *const *names, size_t n, char *err,
                    size_t errlen);

/* Creates the parent folders of path (mkdir -p of its dirname). */
int outdir_make_parents(const char *path);
/* rm -rf path (no shell; a symbolic link is removed, never followed).
 * 0 on success. */
int outdir_remove_tree(const char *path);

#ifdef __cplusplus
}
#endif

#endif
