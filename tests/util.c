/*
 * util.c: helpers shared by the tests (see tests/util.h).
 */
#include "util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *util_bin(void)
{
    const char *b = getenv("SLUICE_BIN");
    return b && *b ? b : "build/sluice";
}

void util_bin_abs(char *buf, size_t n)
{
    const char *x = util_bin();
    char cwd[2048];
    cr_assert(x[0] == '/' || getcwd(cwd, sizeof cwd), "cannot read the current folder");
    snprintf(buf, n, "%s%s%s", x[0] == '/' ? "" : cwd, x[0] == '/' ? "" : "/", x);
}

char *util_slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert(n >= 0, "%s: cannot tell its size", path);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

char *util_slurp_in(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return util_slurp(path, len);
}

int util_shell(const char *cmd, char *errbuf, size_t n)
{
    char errfile[] = "/tmp/sluice_test_err_XXXXXX";
    int fd = mkstemp(errfile);
    cr_assert(fd >= 0);
    close(fd);
    size_t len = strlen(cmd) + sizeof errfile + 32;
    char *full = malloc(len);
    cr_assert(full);
    snprintf(full, len, "%s >/dev/null 2>%s", cmd, errfile);
    int st = system(full);
    free(full);
    FILE *f = fopen(errfile, "r");
    size_t got = f ? fread(errbuf, 1, n - 1, f) : 0;
    errbuf[got] = 0;
    if (f)
        fclose(f);
    remove(errfile);
    cr_assert(WIFEXITED(st), "%s did not exit normally", cmd);
    return WEXITSTATUS(st);
}

int util_sluice(const char *args, char *errbuf, size_t n)
{
    size_t len = strlen(util_bin()) + strlen(args) + 2;
    char *cmd = malloc(len);
    cr_assert(cmd);
    snprintf(cmd, len, "%s %s", util_bin(), args);
    int st = util_shell(cmd, errbuf, n);
    free(cmd);
    return st;
}

void util_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/sluice_test_XXXXXX");
    cr_assert(mkdtemp(buf), "cannot create a folder in /tmp");
}

void util_rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert(system(cmd) == 0, "%s", cmd);
}

int util_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int util_count_entries(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    cr_assert(d, "cannot read %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, needle))
            n++;
    closedir(d);
    return n;
}

int util_count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

double util_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

char *util_sluice_output(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s", util_bin(), args);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap);
    cr_assert(buf);
    while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
    }
    buf[len] = 0;
    int st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: exit status %d", cmd, st);
    return buf;
}
