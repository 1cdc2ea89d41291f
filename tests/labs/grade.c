/*
 * grade: shared parts of the lab graders (see grade.h).
 */
#include "grade.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>

int grade_config(config_t *c, const char *const *sets, unsigned long seed, char *err, size_t errlen)
{
    char a[64];
    config_defaults(c);
    for (size_t i = 0; sets[i]; i++)
        if (config_set(c, sets[i], err, errlen) != CFG_OK)
            return -1;
    snprintf(a, sizeof a, "run.seed=%lu", seed);
    if (config_set(c, a, err, errlen) != CFG_OK)
        return -1;
    return sim_check(c, err, errlen) == SIM_OK ? 0 : -1;
}

void grade_report(grade *g, int ok, const char *property, const char *fmt, ...)
{
    va_list ap;
    printf("%s  %-22s ", ok ? "PASS" : "FAIL", property);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (ok)
        g->passed++;
    else
        g->failed++;
}

int grade_finish(const grade *g)
{
    if (g->failed)
        printf("lab %s: %d of %d checks failed: read the FAIL lines above, fix your file, "
               "run make lab-grade again\n", g->lab, g->failed, g->passed + g->failed);
    else
        printf("lab %s: all %d checks passed\n", g->lab, g->passed);
    fflush(stdout);
    return g->failed ? 1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void grade_remove_dir(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
