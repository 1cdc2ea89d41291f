/*
 * outdir.c: results folders that appear whole or not at all (outdir.h).
 */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int outdir_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return remove(path);
    struct dirent *e;
    char sub[PATH_MAX];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            outdir_remove_tree(sub);
        else
            remove(sub);
    }
    closedir(d);
    return rmdir(path);
}

int outdir_make_parents(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

int outdir_begin(const char *dir, char *tmp, size_t n, char *err, size_t errlen)
{
    if (outdir_make_parents(dir) != 0) {
        snprintf(err, errlen, "%s: cannot create its parent folder: %s", dir, strerror(errno));
        return -1;
    }
    if (snprintf(tmp, n, "%s.tmp.XXXXXX", dir) >= (int)n) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    if (!mkdtemp(tmp)) {
        snprintf(err, errlen, "%s: cannot create a temporary folder: %s", tmp, strerror(errno));
        return -1;
    }
    /* mkdtemp makes it private (0700); a results folder gets the usual
     * permissions of a new folder (0777 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    if (chmod(tmp, 0777 & ~mask) != 0) {
        snprintf(err, errlen, "%s: cannot set permissions: %s", tmp, strerror(errno));
        outdir_remove_tree(tmp);
        return -1;
    }
    return 0;
}

int outdir_commit(const char *tmp, const char *dir, char *err, size_t errlen)
{
    char old[PATH_MAX];
    struct stat st;
    int had_old = 0;
    if (stat(dir, &st) == 0) {
        snprintf(old, sizeof old, "%s.old.XXXXXX", dir);
        if (!mkdtemp(old) || rmdir(old) != 0 || rename(dir, old) != 0) {
            snprintf(err, errlen, "%s: cannot move the previous results aside: %s", dir,
                     strerror(errno));
            return -1;
        }
        had_old = 1;
    }
    if (rename(tmp, dir) != 0) {
        snprintf(err, errlen, "%s: cannot rename results into place: %s", dir, strerror(errno));
        if (had_old)
            rename(old, dir);
        return -1;
    }
    if (had_old)
        outdir_remove_tree(old);
    return 0;
}

void outdir_abort(const char *tmp)
{
    outdir_remove_tree(tmp);
}
