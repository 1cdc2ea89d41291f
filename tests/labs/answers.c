/*
 * answers: keeps the numbers of the labs' ANSWERS.md true.  Every number an
 * answer sheet quotes is written with the question that produced it:
 *
 *     <!--run lat: run latency.ini --set run.seed=7-->
 *     ... stream's median latency is `4.21`<!--= lat summary.csv executor=stream lat_p50 %.3g-->
 *
 * A `run` line names a sluice command (run or sweep, its arguments
 * relative to the sheet's folder) whose results folder the later markers
 * read; a `=` marker names the run, a CSV file of its folder, the
 * key=value filters that pick one row (all must match) and the column,
 * and the printf format of the number in backticks just before it.
 *
 *     answers --check  FILE...   exit 1 and name FILE:LINE of every stale number
 *     answers --update FILE...   rewrite the numbers (temporary file, then rename)
 *
 * Rules of this module
 *  - The sluice binary is $SLUICE_BIN (build/sluice by default); each run
 *    goes to a fresh temporary folder, removed at the end.
 *  - A marker that cannot be evaluated (unknown run, no such file, no row
 *    or several rows match, no such column) is an error, exit status 2,
 *    naming FILE:LINE: a sheet never quotes a number sluice cannot give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/csvread.h"

#define MAX_RUNS 32

typedef struct run {
    char name[32];
    char dir[128];
} run;

typedef struct sheet {
    const char *path;
    char folder[512];
    run runs[MAX_RUNS];
    int nruns;
    char tmp[64];
} sheet;

static int fail(const char *path, size_t line, const char *msg, const char *detail)
{
    fprintf(stderr, "%s:%zu: %s%s%s\n", path, line, msg, detail ? ": " : "", detail ? detail : "");
    return 2;
}

static const char *bin(void)
{
    const char *b = getenv("SLUICE_BIN");
    return b && *b ? b : "build/sluice";
}

/* "<!--run NAME: CMD ARGS-->": runs `sluice CMD ARGS --out DIR` in the
 * sheet's folder. */
static int do_run(sheet *s, const char *spec, size_t line)
{
    char name[32], cmd[2048], abs_bin[1024];
    const char *colon = strchr(spec, ':');
    if (!colon || colon - spec >= (long)sizeof name || colon == spec)
        return fail(s->path, line, "a run line is <!--run NAME: COMMAND ARGS-->", NULL);
    if (s->nruns == MAX_RUNS)
        return fail(s->path, line, "too many runs in one sheet", NULL);
    snprintf(name, sizeof name, "%.*s", (int)(colon - spec), spec);
    run *r = &s->runs[s->nruns];
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->dir, sizeof r->dir, "%s/%s", s->tmp, name);
    const char *b = bin();
    if (b[0] == '/')
        snprintf(abs_bin, sizeof abs_bin, "%s", b);
    else {
        char cwd[512];
        if (!getcwd(cwd, sizeof cwd))
            return fail(s->path, line, "getcwd failed", NULL);
        snprintf(abs_bin, sizeof abs_bin, "%s/%s", cwd, b);
    }
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s --out '%s' >/dev/null 2>'%s.err'", s->folder,
             abs_bin, colon + 1, r->dir, r->dir);
    if (system(cmd) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "the run failed (see %s.err): sluice%s", r->dir, colon + 1);
        return fail(s->path, line, msg, NULL);
    }
    s->nruns++;
    return 0;
}

/* The value of "<!--= NAME FILE k=v... COLUMN FMT-->" into out. */
static int eval(sheet *s, char *spec, size_t line, char *out, size_t n)
{
    char *tok[16];
    int nt = 0;
    for (char *p = strtok(spec, " "); p && nt < 16; p = strtok(NULL, " "))
        tok[nt++] = p;
    if (nt < 4)
        return fail(s->path, line, "a marker is <!--= RUN FILE [KEY=VALUE...] COLUMN FORMAT-->", NULL);
    const run *r = NULL;
    for (int i = 0; i < s->nruns; i++)
        if (!strcmp(s->runs[i].name, tok[0]))
            r = &s->runs[i];
    if (!r)
        return fail(s->path, line, "no run of that name above", tok[0]);
    char path[512], err[CSVREAD_ERR_MAX];
    snprintf(path, sizeof path, "%s/%s", r->dir, tok[1]);
    csvread *c = csvread_open(path, NULL, NULL, err, sizeof err);
    if (!c)
        return fail(s->path, line, "cannot read the result file", err);
    csvread_record rec;
    char **head = NULL;
    size_t nhead = 0;
    int col = -1, found = 0, rc = 0;
    const char *column = tok[nt - 2], *fmt = tok[nt - 1];
    while (csvread_next(c, &rec) == CSVREAD_RECORD) {
        if (!head) {
            nhead = rec.nfields;
            head = calloc(nhead, sizeof *head);
            for (size_t i = 0; head && i < nhead; i++) {
                head[i] = strdup(rec.fields[i]);
                if (!strcmp(rec.fields[i], column))
                    col = (int)i;
            }
            if (col < 0) {
                rc = fail(s->path, line, "no such column", column);
                break;
            }
            continue;
        }
        int match = 1;
        for (int t = 2; t < nt - 2 && match; t++) {
            char *eq = strchr(tok[t], '=');
            if (!eq) {
                rc = fail(s->path, line, "a filter is KEY=VALUE", tok[t]);
                match = 0;
                break;
            }
            size_t kl = (size_t)(eq - tok[t]);
            int ok = 0;
            for (size_t i = 0; i < nhead && i < rec.nfields; i++)
                if (strlen(head[i]) == kl && !strncmp(head[i], tok[t], kl))
                    ok = !strcmp(rec.fields[i], eq + 1);
            match = ok;
        }
        if (rc)
            break;
        if (match && (size_t)col < rec.nfields) {
            if (found++) {
                rc = fail(s->path, line, "several rows match: add a filter", tok[1]);
                break;
            }
            snprintf(out, n, fmt, strtod(rec.fields[col], NULL));
        }
    }
    if (!rc && !found)
        rc = fail(s->path, line, "no row matches the filters", tok[1]);
    for (size_t i = 0; head && i < nhead; i++)
        free(head[i]);
    free(head);
    csvread_close(c);
    return rc;
}

/* Checks or updates one sheet.  0 ok, 1 stale numbers (check), 2 error. */
static int do_sheet(const char *path, int update)
{
    sheet s = {0};
    s.path = path;
    snprintf(s.folder, sizeof s.folder, "%s", path);
    char *slash = strrchr(s.folder, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(s.folder, sizeof s.folder, ".");
    snprintf(s.tmp, sizeof s.tmp, "/tmp/sluice_answers_XXXXXX");
    if (!mkdtemp(s.tmp))
        return fail(path, 0, "cannot make a temporary folder", NULL);
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(path, 0, "cannot open", NULL);
    size_t cap = 1 << 20, len = 0;
    char *outbuf = malloc(cap), linebuf[4096];
    size_t line = 0;
    int rc = 0, stale = 0;
    while (outbuf && fgets(linebuf, sizeof linebuf, f)) {
        line++;
        char res[8192], *w = res, *p = linebuf;
        const char *rm = strstr(p, "<!--run ");
        if (rm) {
            char spec[2048];
            const char *e = strstr(rm, "-->");
            snprintf(spec, sizeof spec, "%.*s", e ? (int)(e - rm - 8) : 0, rm + 8);
            if ((rc = do_run(&s, spec, line)) != 0)
                break;
        }
        /* each "`NUMBER`<!--= spec-->" */
        char *m;
        while ((m = strstr(p, "`<!--= ")) != NULL) {
            char *open = m - 1;
            while (open >= p && *open != '`')
                open--;
            char *e = strstr(m, "-->");
            if (open < p || !e) {
                rc = fail(path, line, "a marker follows a number in backticks: `1.23`<!--= ...-->", NULL);
                break;
            }
            char spec[1024], val[64];
            snprintf(spec, sizeof spec, "%.*s", (int)(e - m - 7), m + 7);
            if ((rc = eval(&s, spec, line, val, sizeof val)) != 0)
                break;
            char old[64];
            snprintf(old, sizeof old, "%.*s", (int)(m - open - 1), open + 1);
            if (strcmp(old, val) != 0) {
                stale++;
                if (!update)
                    fprintf(stderr, "%s:%zu: the sheet says %s, sluice now gives %s\n", path, line,
                            old, val);
            }
            w += snprintf(w, sizeof res - (size_t)(w - res), "%.*s`%s`", (int)(open - p), p, val);
            w += snprintf(w, sizeof res - (size_t)(w - res), "%.*s", (int)(e + 3 - (m + 1)), m + 1);
            p = e + 3;
        }
        if (rc)
            break;
        w += snprintf(w, sizeof res - (size_t)(w - res), "%s", p);
        size_t k = (size_t)(w - res);
        if (len + k + 1 > cap) {
            cap = 2 * (len + k + 1);
            outbuf = realloc(outbuf, cap);
            if (!outbuf)
                break;
        }
        memcpy(outbuf + len, res, k);
        len += k;
    }
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s.tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "%s: cannot remove %s\n", path, s.tmp);
    if (!outbuf)
        return fail(path, line, "out of memory", NULL);
    if (!rc && update && stale) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *o = fopen(tmp, "w");
        if (!o || fwrite(outbuf, 1, len, o) != len || fclose(o) != 0 || rename(tmp, path) != 0)
            rc = fail(path, 0, "cannot write the updated sheet", NULL);
        else
            printf("%s: %d number(s) updated\n", path, stale);
    }
    free(outbuf);
    if (rc)
        return rc;
    return !update && stale ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--update"))) {
        fprintf(stderr, "usage: answers --check|--update ANSWERS.md...\n");
        return 2;
    }
    int update = !strcmp(argv[1], "--update"), worst = 0;
    for (int i = 2; i < argc; i++) {
        int rc = do_sheet(argv[i], update);
        if (rc > worst)
            worst = rc;
    }
    if (worst == 1)
        fprintf(stderr, "answers: numbers above are stale; if the change is meant, run "
                        "make labs-answers and commit the sheets\n");
    return worst;
}
