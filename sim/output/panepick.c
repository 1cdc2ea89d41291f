/*
 * panepick: the windows of the pane timeline.  See output/panepick.h.
 */
#include "output/panepick.h"

#include "lib/errmsg.h"
#include "lib/csvread.h"
#include "lib/wmap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PANEPICK_PATH_MAX 4096

unsigned panepick_kind(const char *timing)
{
    static const struct {
        const char *name;
        unsigned bit;
    } kinds[] = {{"EARLY", PANEPICK_EARLY},
                 {"ON_TIME", PANEPICK_ON_TIME},
                 {"LATE", PANEPICK_LATE},
                 {"BATCH", PANEPICK_BATCH}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(timing, kinds[i].name) == 0)
            return kinds[i].bit;
    return 0;
}

static int bits(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The columns one pass reads, by name from the header row. */
enum { C_KEY, C_START, C_END, C_TIMING, C_ONTIME, C_FINAL, C_PANES, C_N };

typedef struct pass {
    const char *file;
    const char *names[C_N]; /* NULL: not read from this file */
} pass;

static int parse_num(const char *s, double *x)
{
    char *end;
    *x = strtod(s, &end);
    return *s && !*end && isfinite(*x);
}

/* Reads dir/p->file into m: every row's window gets its kinds (panes.csv)
 * or its climb and panes (windows.csv).  1 when the file is missing, 0
 * read, -1 error. */
static int read_pass(const char *dir, const pass *p, wmap_t *m, char *err, size_t errlen)
{
    char path[PANEPICK_PATH_MAX], e[CSVREAD_ERR_MAX];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, p->file) >= sizeof path ||
        stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 1;
    csvread *in = csvread_open(path, NULL, NULL, e, sizeof e);
    if (!in) {
        errmsg_set(err, errlen, "%s", e);
        return -1;
    }
    int col[C_N], rc = 0, header = 1, s;
    csvread_record rec;
    while (rc == 0 && (s = csvread_next(in, &rec)) == CSVREAD_RECORD) {
        if (header) {
            header = 0;
            for (int c = 0; c < C_N; c++) {
                col[c] = -1;
                for (size_t i = 0; p->names[c] && i < rec.nfields; i++)
                    if (strcmp(rec.fields[i], p->names[c]) == 0)
                        col[c] = (int)i;
                if (p->names[c] && col[c] < 0) {
                    errmsg_set(err, errlen, "%s:%zu: no column %s", path, rec.line, p->names[c]);
                    rc = -1;
                }
            }
            continue;
        }
        double v[C_N] = {0};
        for (int c = 0; c < C_N && rc == 0; c++) {
            if (col[c] < 0 || c == C_TIMING)
                continue;
            if ((size_t)col[c] >= rec.nfields || !parse_num(rec.fields[col[c]], &v[c])) {
                errmsg_set(err, errlen, "%s:%zu: %s is not a number", path, rec.line, p->names[c]);
                rc = -1;
            }
        }
        if (rc == 0 && (v[C_KEY] < 0 || v[C_KEY] > 4294967295.0 || v[C_KEY] != floor(v[C_KEY]))) {
            errmsg_set(err, errlen, "%s:%zu: key is not a key number", path, rec.line);
            rc = -1;
        }
        if (rc)
            break;
        panepick_window *w = wmap_put(m, (uint32_t)v[C_KEY], v[C_START], v[C_END], NULL);
        if (!w) {
            errmsg_set(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        w->key = (unsigned)v[C_KEY];
        w->start = v[C_START];
        w->end = v[C_END];
        if (col[C_TIMING] >= 0 && (size_t)col[C_TIMING] < rec.nfields)
            w->kinds |= panepick_kind(rec.fields[col[C_TIMING]]);
        if (col[C_FINAL] >= 0 && (long)(v[C_FINAL] - v[C_ONTIME]) > w->climb)
            w->climb = (long)(v[C_FINAL] - v[C_ONTIME]);
        if (col[C_PANES] >= 0 && (long)v[C_PANES] > w->panes)
            w->panes = (long)v[C_PANES];
    }
    if (rc == 0 && s == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(in));
        rc = -1;
    }
    csvread_close(in);
    return rc;
}

/* Is a better than b as the next pick, given the kinds shown so far and
 * the last window end of the run? */
static int better(const panepick_window *a, const panepick_window *b, unsigned shown,
                  double last_end)
{
    int na = bits(a->kinds & ~shown), nb = bits(b->kinds & ~shown);
    if (na != nb)
        return na > nb;
    if (bits(a->kinds) != bits(b->kinds))
        return bits(a->kinds) > bits(b->kinds);
    int la = a->end >= last_end, lb = b->end >= last_end;
    if (la != lb)
        return lb;
    if (a->climb != b->climb)
        return a->climb > b->climb;
    return a->panes > b->panes; /* equal: the earlier (sorted order) stays */
}

static int by_time(const void *pa, const void *pb)
{
    const panepick_window *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return (a->key > b->key) - (a->key < b->key);
}

int panepick_choose(const char *dir, panepick_window *out, int n, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (n > PANEPICK_MAX)
        n = PANEPICK_MAX;
    static const pass panes = {"panes.csv", {"key", "window_start", "window_end", "timing"}};
    static const pass windows = {"windows.csv",
                                 {"key", "window_start", "window_end", NULL, "ontime_count",
                                  "final_count", "panes"}};
    wmap_t *m = wmap_alloc(sizeof(panepick_window));
    if (!m) {
        errmsg_set(err, errlen, "out of memory");
        return -1;
    }
    int rc = read_pass(dir, &panes, m, err, errlen);
    if (rc == 0)
        rc = read_pass(dir, &windows, m, err, errlen);
    wmap_key *keys = NULL;
    void **vals = NULL;
    if (rc == 0 && wmap_sorted(m, &keys, &vals) != 0) {
        errmsg_set(err, errlen, "out of memory");
        rc = -1;
    }
    int got = 0;
    if (rc == 0) {
        size_t nw = wmap_size(m);
        double last_end = -INFINITY;
        for (size_t i = 0; i < nw; i++)
            if (keys[i].end > last_end)
                last_end = keys[i].end;
        unsigned shown = 0;
        while (got < n) {
            const panepick_window *best = NULL;
            for (size_t i = 0; i < nw; i++) {
                const panepick_window *w = vals[i];
                if (!w->kinds)
                    continue; /* a window without panes (windows.csv only) */
                int taken = 0;
                for (int j = 0; j < got && !taken; j++)
                    taken = out[j].start == w->start && out[j].end == w->end;
                if (!taken && (!best || better(w, best, shown, last_end)))
                    best = w;
            }
            if (!best)
                break;
            out[got++] = *best;
            shown |= best->kinds;
        }
        qsort(out, (size_t)got, sizeof *out, by_time);
    }
    free(keys);
    free(vals);
    wmap_free(m);
    return rc < 0 ? -1 : got;
}
