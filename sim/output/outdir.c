/*
 * output/outdir.c: output folders and files that appear whole or not at all, and
 * never replace what sluice did not write (output/outdir.h).
 */
#include "output/outdir.h"

#include "lib/errmsg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/vec.h"

/* The names sluice wrote before folders carried a marker (rule (b) of
 * output/outdir.h).  Frozen: a new output is listed by the marker instead. */
static const char *const legacy_results[] = {
    "summary.csv", "panes.csv", "timeline.csv", "windows.csv", "latency.csv",
    "faults.csv",  "events.csv", "config.ini",  "runs.csv",    "sweep.csv",
    "marks.csv",   "report.html", "report.md",
    "watermarks.csv", /* new, but sim_run (the library) writes no marker */
    NULL};
static const char *const legacy_plots[] = {"event_time",   "latency_cdf", "latency_time",
                                           "throughput",   "recovery",    "completeness",
                                           "pane_timeline", NULL};

/* What a folder holds by rule (b). */
enum level { LEVEL_NONE, LEVEL_RESULTS, LEVEL_PLOTS };

#define MAX_DEPTH 8

/* Appends a line to o->note. */
static void add_note(outdir *o, const char *fmt, ...)
{
    size_t len = strlen(o->note);
    if (len + 2 >= sizeof o->note)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->note + len, sizeof o->note - len - 1, fmt, ap);
    va_end(ap);
    strcat(o->note, "\n");
}

/* ---- names ------------------------------------------------------------ */

static int in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* A file name rule (b) allows at level lv. */
static int legacy_file(enum level lv, const char *name)
{
    if (lv == LEVEL_RESULTS)
        return in_list(legacy_results, name);
    if (lv != LEVEL_PLOTS)
        return 0;
    const char *dot = strrchr(name, '.');
    if (!dot || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0))
        return 0;
    char stem[256];
    size_t k = (size_t)(dot - name);
    if (k == 0 || k >= sizeof stem)
        return 0;
    memcpy(stem, name, k);
    stem[k] = 0;
    if (in_list(legacy_plots, stem))
        return 1;
    if (strncmp(stem, "sweep_", 6) != 0 || !stem[6])
        return 0;
    for (const char *p = stem + 6; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 0;
    return 1;
}

/* The level of folder name inside a folder of level lv (rule (b)). */
static enum level legacy_dir(enum level lv, const char *name)
{
    return lv == LEVEL_RESULTS && !strcmp(name, "plots") ? LEVEL_PLOTS : LEVEL_NONE;
}

/* Whether s ends in six mkdtemp characters after prefix. */
static int mkstemp_suffix(const char *s)
{
    if (strlen(s) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (!isalnum((unsigned char)s[i]))
            return 0;
    return 1;
}

/* If name is BASE.tmp.XXXXXX, BASE.old.XXXXXX or BASE.new.XXXXXX, BASE
 * goes into base.  A .new. name is a temporary being born (see
 * make_locked): it is sluice's, but clean_stale never deletes it. */
static int tmp_or_old(const char *name, char *base, size_t n)
{
    size_t len = strlen(name);
    if (len < 12 || len - 11 >= n)
        return 0;
    const char *tail = name + len - 11;
    if ((strncmp(tail, ".tmp.", 5) != 0 && strncmp(tail, ".old.", 5) != 0 &&
         strncmp(tail, ".new.", 5) != 0) ||
        !mkstemp_suffix(tail + 5))
        return 0;
    memcpy(base, name, len - 11);
    base[len - 11] = 0;
    return 1;
}

/* If name is .BASE.XXXXXX (report's and the marker's temporary files),
 * BASE goes into base. */
static int dot_tmp(const char *name, char *base, size_t n)
{
    size_t len = strlen(name);
    if (name[0] != '.' || len < 9 || len - 8 >= n || name[len - 7] != '.' ||
        !mkstemp_suffix(name + len - 6))
        return 0;
    memcpy(base, name + 1, len - 8);
    base[len - 8] = 0;
    return 1;
}

/* ---- the marker --------------------------------------------------------- */

typedef struct marker {
    char **names; /* sorted; folders end in '/' */
    size_t n;
    int valid;    /* the file exists and starts with OUTDIR_MARK_HEAD */
    char what[256]; /* the rest of that line: who made the folder */
} marker;

static void marker_free(marker *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->names[i]);
    free(m->names);
    memset(m, 0, sizeof *m);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(char ***v, size_t *n, size_t *cap, const char *s)
{
    if (vec_ensure(v, cap, *n + 1, sizeof **v) != VEC_OK)
        return -1;
    char *d = strdup(s);
    if (!d)
        return -1;
    (*v)[(*n)++] = d;
    return 0;
}

/* Reads dir/.sluice.  0, or -1 when out of memory. */
static int marker_read(const char *dir, marker *m)
{
    memset(m, 0, sizeof *m);
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_MARKER) >= (int)sizeof path)
        return 0;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[PATH_MAX + 2];
    size_t cap = 0;
    if (fgets(line, sizeof line, f) && !strncmp(line, OUTDIR_MARK_HEAD, strlen(OUTDIR_MARK_HEAD))) {
        m->valid = 1;
        line[strcspn(line, "\n")] = 0;
        snprintf(m->what, sizeof m->what, "%.200s", line + strlen(OUTDIR_MARK_HEAD));
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            if (!line[0] || line[0] == '#')
                continue;
            if (push(&m->names, &m->n, &cap, line) != 0) {
                fclose(f);
                marker_free(m);
                return -1;
            }
        }
        qsort(m->names, m->n, sizeof *m->names, cmp_str);
    }
    fclose(f);
    return 0;
}

/* Whether name (a folder when is_dir) is listed in m. */
static int marker_lists(const marker *m, const char *name, int is_dir)
{
    char key[PATH_MAX];
    snprintf(key, sizeof key, "%s%s", name, is_dir ? "/" : "");
    const char *k = key;
    return m->n && bsearch(&k, m->names, m->n, sizeof *m->names, cmp_str) != NULL;
}

/* The entries of dir but . and .., sorted.  0, or -1 (errno set). */
static int list_dir(const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (push(names, n, &cap, e->d_name) != 0) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- whose folder is it ------------------------------------------------- */

static int judge(const char *path, enum level lv, int depth, char *why, size_t whylen);

/* Whether entry name (lstat st) of folder path, whose marker is m, is
 * sluice's.  1 yes, 0 no (why: its name below path), -1 unreadable. */
static int judge_entry(const char *path, const char *name, const struct stat *st, const marker *m,
                       enum level lv, int depth, char *why, size_t whylen)
{
    char sub[PATH_MAX], base[PATH_MAX];
    int is_dir = S_ISDIR(st->st_mode);
    if (!S_ISREG(st->st_mode) && !is_dir)
        goto foreign;
    int ok;
    enum level sublv;
    if (m->valid) {
        ok = marker_lists(m, name, is_dir);
        sublv = is_dir && !strcmp(name, "plots") ? LEVEL_PLOTS : LEVEL_NONE;
    } else {
        ok = is_dir ? 1 : legacy_file(lv, name);
        sublv = is_dir ? legacy_dir(lv, name) : LEVEL_NONE;
        if (is_dir && sublv == LEVEL_NONE)
            ok = 0;
    }
    /* sluice's own leftovers: .report.html.XXXXXX, plots.tmp.XXXXXX */
    if (!ok && !is_dir && dot_tmp(name, base, sizeof base))
        ok = !strcmp(base, &OUTDIR_MARKER[1]) || marker_lists(m, base, 0) ||
             legacy_file(lv, base);
    if (!ok && is_dir && tmp_or_old(name, base, sizeof base)) {
        ok = marker_lists(m, base, 1) || legacy_dir(lv, base) != LEVEL_NONE;
        sublv = !strcmp(base, "plots") ? LEVEL_PLOTS : LEVEL_NONE;
    }
    if (!ok)
        goto foreign;
    if (!is_dir)
        return 1;
    if (depth >= MAX_DEPTH)
        goto foreign;
    snprintf(sub, sizeof sub, "%s/%s", path, name);
    char inner[PATH_MAX];
    int r = judge(sub, sublv, depth + 1, inner, sizeof inner);
    if (r == 1)
        return 1;
    errmsg_set(why, whylen, r == 0 ? "%s/%s" : "%s: %s", name, inner);
    return r;
foreign:
    errmsg_set(why, whylen, "%s", name);
    return 0;
}

/* Whether the folder path is sluice's (output/outdir.h).  1 yes, 0 no (why: the
 * first entry that is not, relative to path), -1 unreadable (why: the
 * reason). */
static int judge(const char *path, enum level lv, int depth, char *why, size_t whylen)
{
    marker m;
    if (marker_read(path, &m) != 0) {
        errmsg_set(why, whylen, "out of memory");
        return -1;
    }
    char **names;
    size_t n;
    if (list_dir(path, &names, &n) != 0) {
        errmsg_set(why, whylen, "cannot read it: %s", strerror(errno));
        marker_free(&m);
        return -1;
    }
    int r = 1;
    for (size_t i = 0; i < n && r == 1; i++) {
        if (m.valid && !strcmp(names[i], OUTDIR_MARKER))
            continue;
        char sub[PATH_MAX];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
        if (lstat(sub, &st) != 0)
            continue; /* gone meanwhile */
        r = judge_entry(path, names[i], &st, &m, lv, depth, why, whylen);
    }
    free_names(names, n);
    marker_free(&m);
    return r;
}

int outdir_is_results(const char *dir, char *why, size_t whylen)
{
    marker m;
    if (marker_read(dir, &m) != 0) {
        errmsg_set(why, whylen, "out of memory");
        return -1;
    }
    int valid = m.valid;
    marker_free(&m);
    if (valid)
        return 1;
    char first[PATH_MAX];
    int r = judge(dir, LEVEL_RESULTS, 0, first, sizeof first);
    if (r == 0)
        errmsg_set(why, whylen, "it has no %s marker and holds %s, which sluice did not write",
                OUTDIR_MARKER, first);
    else if (r < 0)
        errmsg_set(why, whylen, "%s", first);
    return r;
}

int outdir_may_write_into(const char *dir, const char *what, const char *obj, int force,
                          char *note, size_t notelen, char *err, size_t errlen)
{
    char why[PATH_MAX + 256];
    int own = outdir_is_results(dir, why, sizeof why);
    if (own < 0) {
        errmsg_set(err, errlen, "%s: %s", dir, why);
        return 2;
    }
    if (own == 0 && !force) {
        errmsg_set(err, errlen,
                "%s: not a sluice results folder: %s; not writing into it: add --force to "
                "write %s there anyway",
                dir, why, obj);
        return 2;
    }
    if (own == 0 && note && notelen) {
        size_t len = strlen(note);
        if (len < notelen)
            snprintf(note + len, notelen - len, "writing %s into %s (--force): %s\n", what, dir,
                     why);
    }
    return 0;
}

int outdir_owns(const char *dir, const char *name)
{
    char path[PATH_MAX], why[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    if (lstat(path, &st) != 0)
        return 1;
    marker m;
    if (marker_read(dir, &m) != 0)
        return 0;
    int r = judge_entry(dir, name, &st, &m, LEVEL_RESULTS, 0, why, sizeof why);
    marker_free(&m);
    return r == 1;
}

/* ---- marker writing ------------------------------------------------------- */

/* Writes names (sorted here) as dir's marker, through .sluice.XXXXXX and a
 * rename.  0, or -1 with err. */
static int marker_write(const char *dir, const char *what, char **names, size_t n, char *err,
                        size_t errlen)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_MARKER) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/%s.XXXXXX", dir, OUTDIR_MARKER) >= (int)sizeof tmp) {
        errmsg_set(err, errlen, "%s: path too long", dir);
        return -1;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        errmsg_set(err, errlen, "%s: cannot write the marker: %s", dir, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return -1;
    }
    fprintf(f, "%s%s\n# sluice replaces or deletes this folder only while it holds nothing but "
               "the entries below\n",
            OUTDIR_MARK_HEAD, what);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
            fprintf(f, "%s\n", names[i]);
    mode_t mask = umask(0);
    umask(mask);
    int bad = ferror(f) != 0;
    bad |= fchmod(fileno(f), 0666 & ~mask) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        errmsg_set(err, errlen, "%s: cannot write the marker: %s", dir, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int outdir_mark_add(const char *dir, const char *const *names, size_t n, char *err,
                    size_t errlen)
{
    marker m;
    if (marker_read(dir, &m) != 0) {
        errmsg_set(err, errlen, "out of memory");
        return -1;
    }
    if (!m.valid) {
        marker_free(&m);
        return 0;
    }
    size_t cap = m.n;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = push(&m.names, &m.n, &cap, names[i]);
    if (rc != 0)
        errmsg_set(err, errlen, "out of memory");
    else
        rc = marker_write(dir, m.what, m.names, m.n, err, errlen); /* who made it stays */
    marker_free(&m);
    return rc;
}

/* ---- folders ---------------------------------------------------------- */

int outdir_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return remove(path);
    DIR *d = opendir(path);
    if (!d)
        return rmdir(path);
    struct dirent *e;
    char sub[PATH_MAX];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        outdir_remove_tree(sub);
    }
    closedir(d);
    return rmdir(path);
}

/* mkdir -p of path's dirname; the topmost folder it created goes into made
 * (room for n bytes; "" when none). */
static int make_parents(const char *path, char *made, size_t n)
{
    char buf[PATH_MAX];
    if (made && n)
        made[0] = 0;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) == 0) {
            if (made && n && !made[0])
                snprintf(made, n, "%s", buf);
        } else if (errno != EEXIST) {
            return -1;
        }
        *p = '/';
    }
    return 0;
}

int outdir_make_parents(const char *path)
{
    return make_parents(path, NULL, 0);
}

/* The parent folder of path ("." for a bare name) into buf. */
static void parent_of(const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == buf)
        buf[1] = 0;
    else
        *slash = 0;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether the real path real is a mount point listed in
 * /proc/self/mountinfo (field 5, with octal escapes). */
static int in_mountinfo(const char *real)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return 0;
    char line[3 * PATH_MAX], mnt[PATH_MAX];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *p = line;
        for (int field = 0; field < 4 && p; field++) {
            p = strchr(p, ' ');
            if (p)
                p++;
        }
        if (!p)
            continue;
        size_t k = 0;
        for (; *p && *p != ' ' && *p != '\n' && k + 1 < sizeof mnt; p++) {
            if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                p[3] >= '0' && p[3] <= '7') {
                mnt[k++] = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                p += 3;
            } else {
                mnt[k++] = *p;
            }
        }
        mnt[k] = 0;
        found = !strcmp(mnt, real);
    }
    fclose(f);
    return found;
}

/* The refusals force does not override: dir is the current folder or
 * above it, ends in . or .., or is a mount point.  0, or -1 with err. */
static int check_path(const char *dir, char *err, size_t errlen)
{
    if (!*dir) {
        errmsg_set(err, errlen, "no folder name given");
        return -1;
    }
    struct stat st, up;
    int is_dir = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    char real[PATH_MAX] = "", cwd[PATH_MAX], parent[PATH_MAX + 4];
    if (is_dir && realpath(dir, real) && getcwd(cwd, sizeof cwd)) {
        size_t k = strlen(real);
        if (!strcmp(real, "/") || (!strncmp(cwd, real, k) && (cwd[k] == 0 || cwd[k] == '/'))) {
            errmsg_set(err, errlen,
                    "%s: is the current folder or a folder above it; a results folder is "
                    "replaced whole, so name a new folder, e.g. %s/results",
                    dir, strcmp(dir, "/") ? dir : "");
            return -1;
        }
    }
    const char *base = base_of(dir);
    if (!strcmp(base, ".") || !strcmp(base, "..")) {
        errmsg_set(err, errlen, "%s: ends in %s; name the results folder itself", dir, base);
        return -1;
    }
    if (!is_dir)
        return 0;
    snprintf(parent, sizeof parent, "%s/..", dir);
    if (stat(parent, &up) == 0 && (up.st_dev != st.st_dev || up.st_ino == st.st_ino ||
                                   (real[0] && in_mountinfo(real)))) {
        errmsg_set(err, errlen,
                "%s: is a mount point; a results folder is replaced whole, so name a new "
                "folder inside it, e.g. %s/results",
                dir, dir);
        return -1;
    }
    return 0;
}

/* Whether the existing dir may be replaced; the forced replacements go
 * into o->note.  0, or -1 with err. */
static int check_replace(outdir *o, char *err, size_t errlen)
{
    const char *dir = o->dir;
    struct stat st;
    if (lstat(dir, &st) != 0)
        return 0;
    char why[PATH_MAX + 128], first[PATH_MAX];
    if (S_ISLNK(st.st_mode)) {
        snprintf(why, sizeof why, "is a symbolic link");
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(why, sizeof why, "exists and is not a folder");
    } else {
        int r = judge(dir, !strcmp(base_of(dir), "plots") ? LEVEL_PLOTS : LEVEL_RESULTS, 0,
                      first, sizeof first);
        if (r == 1)
            return 0;
        if (r < 0) {
            errmsg_set(err, errlen, "%s: %s", dir, first);
            return -1;
        }
        marker m;
        marker_read(dir, &m);
        if (m.valid)
            snprintf(why, sizeof why, "holds %s, which sluice did not write", first);
        else
            snprintf(why, sizeof why,
                     "is not a sluice results folder (no %s marker; it holds %s)", OUTDIR_MARKER,
                     first);
        marker_free(&m);
    }
    if (o->force) {
        add_note(o, "replacing %s (--force): it %s", dir, why);
        return 0;
    }
    errmsg_set(err, errlen,
            "%s: %s; not replacing it: choose another folder, or add --force to replace it",
            dir, why);
    return -1;
}

/* Tries the lock of path: 1 free (a leftover of a killed command), 0 held
 * (a command is writing it), -1 cannot open. */
static int lock_free(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    int r = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 1 : 0;
    close(fd);
    return r;
}

/* Whether the file path is empty or starts with header. */
static int file_starts_with(const char *path, const char *header)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    int ok;
    if (!fgets(line, sizeof line, f)) {
        ok = feof(f) && !ferror(f);
    } else {
        line[strcspn(line, "\r\n")] = 0;
        ok = !strcmp(line, header);
    }
    fclose(f);
    return ok;
}

/* The locked temporary o->tmp, DIR.new.XXXXXX, becomes DIR.tmp.XXXXXX
 * (the lock stays: it is on the open file, which rename keeps).  0, or
 * -1 with errno. */
static int born(outdir *o)
{
    char tmp[sizeof o->tmp];
    memcpy(tmp, o->tmp, sizeof tmp);
    char *tail = tmp + strlen(tmp) - 11;
    memcpy(tail, ".tmp.", 5);
    struct stat st;
    if (lstat(tmp, &st) == 0) { /* a leftover of the same suffix: never replace it */
        errno = EEXIST;
        return -1;
    }
    if (rename(o->tmp, tmp) != 0)
        return -1;
    memcpy(o->tmp, tmp, sizeof tmp);
    return 0;
}

/* Deletes the unlocked leftovers BASE.tmp.XXXXXX / BASE.old.XXXXXX of
 * o->dir that are sluice's; notes which were deleted or left alone.
 * header: NULL for folders, the file header for files. */
static void clean_stale(outdir *o, const char *header)
{
    char parent[PATH_MAX], base[PATH_MAX];
    parent_of(o->dir, parent, sizeof parent);
    const char *mine = base_of(o->dir);
    char **names;
    size_t n;
    if (list_dir(parent, &names, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!tmp_or_old(names[i], base, sizeof base) || strcmp(base, mine) != 0 ||
            !strncmp(names[i] + strlen(base), ".new.", 5) || /* being born: not a leftover */
            (header && !strstr(names[i] + strlen(base), ".tmp.")))
            continue;
        char path[PATH_MAX], shown[PATH_MAX], first[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", parent, names[i]) >= (int)sizeof path)
            continue;
        if (!strcmp(parent, "."))
            snprintf(shown, sizeof shown, "%s", names[i]);
        else
            snprintf(shown, sizeof shown, "%s", path);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        int ours;
        if (header ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode))
            continue;
        if (lock_free(path) != 1)
            continue; /* a command is writing it, or it cannot be read */
        if (header) {
            ours = file_starts_with(path, header);
            snprintf(first, sizeof first, "its first line is not sluice's");
        } else {
            char inner[PATH_MAX];
            ours = judge(path, !strcmp(mine, "plots") ? LEVEL_PLOTS : LEVEL_RESULTS, 0, inner,
                         sizeof inner);
            if (snprintf(first, sizeof first, "it holds %s, which sluice did not write", inner) < 0)
                first[0] = 0;
        }
        if (ours == 1 && outdir_remove_tree(path) == 0)
            add_note(o, "removed %s, left by an interrupted run", shown);
        else if (ours == 1)
            add_note(o, "could not remove %s, left by an interrupted run: %s", shown,
                     strerror(errno));
        else
            add_note(o, "left %s alone: %s", shown, ours < 0 ? "cannot read it" : first);
    }
    free_names(names, n);
}

/* Fills o's fields common to folders and files. */
static int setup(outdir *o, const char *dir, const char *what, int force, char *err,
                 size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->force = force;
    snprintf(o->what, sizeof o->what, "%s", what ? what : "sluice");
    if (!dir || snprintf(o->dir, sizeof o->dir, "%s", dir) >= (int)sizeof o->dir) {
        errmsg_set(err, errlen, "%s: path too long", dir ? dir : "(null)");
        return -1;
    }
    size_t k = strlen(o->dir);
    while (k > 1 && o->dir[k - 1] == '/')
        o->dir[--k] = 0;
    /* o->tmp stays "" until the temporary exists (outdir_abort deletes it). */
    if (strlen(o->dir) + 12 >= sizeof o->tmp) {
        errmsg_set(err, errlen, "%s: path too long", o->dir);
        return -1;
    }
    return 0;
}

int outdir_begin(outdir *o, const char *dir, const char *what, int force, char *err,
                 size_t errlen)
{
    if (setup(o, dir, what, force, err, errlen) != 0 || check_path(o->dir, err, errlen) != 0 ||
        check_replace(o, err, errlen) != 0)
        return -1;
    clean_stale(o, NULL);
    if (make_parents(o->dir, o->made, sizeof o->made) != 0) {
        errmsg_set(err, errlen, "%s: cannot create its parent folder: %s", o->dir, strerror(errno));
        return -1;
    }
    /* Born as DIR.new.XXXXXX, locked, then renamed DIR.tmp.XXXXXX: a
     * concurrent command's clean_stale deletes only unlocked .tmp. and
     * .old. folders, so it never sees ours before it is locked. */
    if (snprintf(o->tmp, sizeof o->tmp, "%s.new.XXXXXX", o->dir) >= (int)sizeof o->tmp ||
        !mkdtemp(o->tmp)) {
        errmsg_set(err, errlen, "%s: cannot create a temporary folder: %s", o->dir,
                strerror(errno));
        o->tmp[0] = 0;
        outdir_abort(o);
        return -1;
    }
    /* mkdtemp makes it private (0700); a results folder gets the usual
     * permissions of a new folder (0777 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    o->fd = open(o->tmp, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (chmod(o->tmp, 0777 & ~mask) != 0 || o->fd < 0 || flock(o->fd, LOCK_EX) != 0 ||
        born(o) != 0) {
        errmsg_set(err, errlen, "%s: cannot set up the temporary folder: %s", o->tmp,
                strerror(errno));
        outdir_abort(o);
        return -1;
    }
    return 0;
}

int outdir_file_begin(outdir *o, const char *path, const char *header, int force, char *err,
                      size_t errlen)
{
    if (setup(o, path, "sluice", force, err, errlen) != 0)
        return -1;
    o->is_file = 1;
    struct stat st;
    if (!o->dir[0]) {
        errmsg_set(err, errlen, "no file name given");
        return -1;
    }
    if (!strcmp(base_of(o->dir), ".") || !strcmp(base_of(o->dir), "..") ||
        (stat(o->dir, &st) == 0 && S_ISDIR(st.st_mode))) {
        errmsg_set(err, errlen, "%s: is a folder; name a file to write, e.g. %s/trace.csv",
                o->dir, o->dir);
        return -1;
    }
    if (lstat(o->dir, &st) == 0) {
        const char *why = NULL;
        if (S_ISLNK(st.st_mode))
            why = "is a symbolic link";
        else if (!S_ISREG(st.st_mode)) {
            errmsg_set(err, errlen, "%s: is a device, pipe or socket, not a file; name a new file",
                    o->dir);
            return -1;
        } else if (!file_starts_with(o->dir, header))
            why = "exists and sluice did not write it (its first line is not sluice's trace "
                  "header)";
        if (why && !force) {
            errmsg_set(err, errlen,
                    "%s: %s; not replacing it: choose another name, or add --force to replace "
                    "it",
                    o->dir, why);
            return -1;
        }
        if (why)
            add_note(o, "replacing %s (--force): it %s", o->dir, why);
    }
    clean_stale(o, header);
    if (make_parents(o->dir, o->made, sizeof o->made) != 0) {
        errmsg_set(err, errlen, "%s: cannot create its folder: %s", o->dir, strerror(errno));
        return -1;
    }
    o->fd = -1;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.new.XXXXXX", o->dir) < (int)sizeof o->tmp)
        o->fd = mkstemp(o->tmp); /* born as .new., as a folder is (born) */
    if (o->fd < 0) {
        errmsg_set(err, errlen, "%s: cannot write: %s", o->dir, strerror(errno));
        o->tmp[0] = 0;
        outdir_abort(o);
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fcntl(o->fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(o->fd, 0666 & ~mask) != 0 ||
        flock(o->fd, LOCK_EX) != 0 || born(o) != 0) {
        errmsg_set(err, errlen, "%s: cannot set up the temporary file: %s", o->tmp,
                strerror(errno));
        outdir_abort(o);
        return -1;
    }
    return 0;
}

/* Writes o->tmp's marker: every entry in it. */
static int write_own_marker(outdir *o, char *err, size_t errlen)
{
    char **names, **out = NULL;
    size_t n, k = 0, cap = 0;
    if (list_dir(o->tmp, &names, &n) != 0) {
        errmsg_set(err, errlen, "%s: %s", o->tmp, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[PATH_MAX], name[PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", o->tmp, names[i]) >= (int)sizeof path ||
            !strcmp(names[i], OUTDIR_MARKER) || lstat(path, &st) != 0)
            continue;
        snprintf(name, sizeof name, "%s%s", names[i], S_ISDIR(st.st_mode) ? "/" : "");
        rc = push(&out, &k, &cap, name);
    }
    free_names(names, n);
    if (rc != 0)
        errmsg_set(err, errlen, "out of memory");
    else
        rc = marker_write(o->tmp, o->what, out, k, err, errlen);
    free_names(out, k);
    return rc;
}

int outdir_commit(outdir *o, char *err, size_t errlen)
{
    if (!o->is_file && write_own_marker(o, err, errlen) != 0)
        return -1;
    /* DIR may have changed while the command ran. */
    char saved[OUTDIR_NOTE_MAX];
    snprintf(saved, sizeof saved, "%s", o->note);
    int bad = o->is_file ? 0 : check_replace(o, err, errlen);
    snprintf(o->note, sizeof o->note, "%s", saved);
    if (bad)
        return -1;
    if (o->is_file) {
        if (rename(o->tmp, o->dir) != 0) {
            errmsg_set(err, errlen, "%s: cannot rename into place: %s", o->dir, strerror(errno));
            return -1;
        }
        o->tmp[0] = 0;
        close(o->fd);
        o->fd = -1;
        return 0;
    }
    char old[PATH_MAX];
    struct stat st;
    int had_old = 0, old_fd = -1;
    if (lstat(o->dir, &st) == 0) {
        /* The name is reserved as DIR.new.XXXXXX (which clean_stale leaves
         * alone) and the locked DIR moves to DIR.old.XXXXXX with the same
         * suffix: no unlocked .old. folder ever exists. */
        char resv[PATH_MAX];
        if (snprintf(resv, sizeof resv, "%s.new.XXXXXX", o->dir) >= (int)sizeof resv ||
            snprintf(old, sizeof old, "%s.old.XXXXXX", o->dir) >= (int)sizeof old) {
            errmsg_set(err, errlen, "%s: path too long", o->dir);
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            /* Locked, so a concurrent begin leaves it to us. */
            old_fd = open(o->dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);
            if (old_fd >= 0)
                flock(old_fd, LOCK_EX | LOCK_NB);
        }
        int reserved = mkdtemp(resv) != NULL;
        if (reserved)
            memcpy(old + strlen(old) - 6, resv + strlen(resv) - 6, 6);
        if (!reserved || rmdir(resv) != 0 || rename(o->dir, old) != 0) {
            errmsg_set(err, errlen, "%s: cannot move the previous results aside: %s", o->dir,
                    strerror(errno));
            if (old_fd >= 0)
                close(old_fd);
            return -1;
        }
        had_old = 1;
    }
    if (rename(o->tmp, o->dir) != 0) {
        errmsg_set(err, errlen, "%s: cannot rename results into place: %s", o->dir,
                strerror(errno));
        if (had_old)
            rename(old, o->dir);
        if (old_fd >= 0)
            close(old_fd);
        return -1;
    }
    o->tmp[0] = 0;
    if (had_old)
        outdir_remove_tree(old);
    if (old_fd >= 0)
        close(old_fd);
    close(o->fd);
    o->fd = -1;
    return 0;
}

void outdir_abort(outdir *o)
{
    if (o->tmp[0])
        outdir_remove_tree(o->tmp);
    o->tmp[0] = 0;
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    /* The parent folders begin made, innermost first, while empty. */
    size_t k = strlen(o->made);
    if (!k)
        return;
    char p[PATH_MAX];
    parent_of(o->dir, p, sizeof p);
    while (strlen(p) >= k && !strncmp(p, o->made, k) && (p[k] == 0 || p[k] == '/')) {
        if (rmdir(p) != 0)
            break;
        char up[PATH_MAX];
        parent_of(p, up, sizeof up);
        snprintf(p, sizeof p, "%s", up);
    }
    o->made[0] = 0;
}
