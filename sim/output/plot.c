/*
 * plot: runs the gnuplot scripts of reports/ on a results folder.
 * See output/plot.h for the rules.
 */
#include "output/plot.h"

#include "lib/errmsg.h"
#include "model/config.h"
#include "engine/exec.h"
#include "lib/csvread.h"
#include "lib/fmt.h"
#include "lib/infile.h"
#include "measure/columns.h"
#include "output/outdir.h"
#include "output/panepick.h"

#include <limits.h>
#include <math.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOT_PATH_MAX 4096
#define PLOT_ARGS_MAX 16384
#define PLOT_PANE_WINDOWS 3 /* windows in the pane timeline */
#define PLOT_GRACE_MS 2000 /* an interrupted gnuplot's time to exit before SIGKILL */

static const struct {
    const char *name, *title, *caption;
} plot_table[PLOT_COUNT] = {
    {"event_time", "Event time vs arrival time, with the watermarks",
     "Each dot is an event: the further below the grey diagonal, the later it arrived. "
     "A dot below an executor's watermark line arrived after that executor had declared "
     "its event time complete: a late event."},
    {"latency_cdf", "Visibility latency CDF",
     "The further left a curve, the sooner results become visible; the gap between the "
     "p50 and p99 marks is the tail (late data, batch boundaries, recoveries)."},
    {"latency_time", "Latency over time, faults marked",
     "Look for the latency spike after each fault (dotted line) and how long each "
     "executor takes to come back to its normal level."},
    {"throughput", "Throughput and backlog over time",
     "Throughput drops while an executor is down and overshoots the offered load (grey) "
     "while it catches up (shaded); the backlog shows the work waiting: batch's saw-tooth "
     "is its schedule."},
    {"recovery", "Recovery cost per fault",
     "The same fault costs each executor differently: batch re-runs whole jobs, stream "
     "replays only since its last checkpoint but emits duplicates under at-least-once."},
    {"completeness", "Completeness per window",
     "Top: how complete the first answer was (early panes trade completeness for speed). "
     "Bottom: whether late data made it into the final result (1 = the ground truth)."},
    {"pane_timeline", "Pane timeline of three windows",
     "Early panes undercount, the on-time pane fires when the watermark passes the window "
     "end (dotted), late panes climb to the true count (dashed); batch answers once, later."},
    {"latency_bars", "Latency per executor: p50, p95, p99",
     "The median says how fast most results are; p95 and p99 say how long the slowest wait. "
     "An executor can win on the median and lose in the tail."},
    {"time_split", "Where the time goes",
     "Mean seconds per event from arrival to visible, split into waiting to be processed, "
     "processing, and held until visible (by the window, watermark, batch cutoff or commit)."},
    {"recovery_timeline", "Recovery timeline per crash",
     "For each crash and executor: until it was detected, restoring until processing resumed, "
     "then catching up until backlog and latency were back to normal."},
};

const char *plot_name(int i)
{
    return i >= 0 && i < PLOT_COUNT ? plot_table[i].name : NULL;
}

const char *plot_title(int i)
{
    return i >= 0 && i < PLOT_COUNT ? plot_table[i].title : NULL;
}

const char *plot_caption(int i)
{
    return i >= 0 && i < PLOT_COUNT ? plot_table[i].caption : NULL;
}

int plot_find_program(const char *name, char *out, size_t n)
{
    if (!name || !*name || !out || n == 0)
        return -1;
    if (strchr(name, '/')) {
        if (access(name, X_OK) != 0 || (size_t)snprintf(out, n, "%s", name) >= n)
            return -1;
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        return -1;
    const char *p = path;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        /* an empty PATH entry means the current folder */
        int w = len ? snprintf(out, n, "%.*s/%s", (int)len, p, name)
                    : snprintf(out, n, "./%s", name);
        struct stat st;
        if (w > 0 && (size_t)w < n && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
            access(out, X_OK) == 0)
            return 0;
        if (!colon)
            break;
        p = colon + 1;
    }
    out[0] = 0;
    return -1;
}

static int has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Appends s to buf (length *len, room n); -1 when it does not fit. */
static int append(char *buf, size_t *len, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (*len + l + 1 > n)
        return -1;
    memcpy(buf + *len, s, l + 1);
    *len += l;
    return 0;
}

/* Appends name='value' with the value as a gnuplot single-quoted literal
 * (a quote is written twice), then "; ". */
static int append_assign(char *buf, size_t *len, size_t n, const char *name, const char *value)
{
    if (append(buf, len, n, name) || append(buf, len, n, "='"))
        return -1;
    for (const char *s = value; *s; s++) {
        char c[3] = {*s, 0, 0};
        if (*s == '\'')
            c[1] = '\'';
        if (append(buf, len, n, c))
            return -1;
    }
    return append(buf, len, n, "'; ");
}

static int file_exists(const char *dir, const char *name)
{
    char path[PLOT_PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Opens a CSV file of a results folder (lib/csvread.h); NULL with err
 * set (csvread's message, then `hint`). */
static csvread *open_csv(const char *path, const char *hint, char *err, size_t errlen)
{
    char e[CSVREAD_ERR_MAX];
    csvread *r = csvread_open(path, NULL, NULL, e, sizeof e);
    if (!r)
        errmsg_set(err, errlen, "%s%s", e, hint);
    return r;
}

/* Characters of a word that may go into a gnuplot command (names and
 * labels of executors, values of a swept key). */
#define PLOT_WORD_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+"

static int plain_word(const char *s)
{
    return *s && strspn(s, PLOT_WORD_CHARS) == strlen(s);
}

static int field_index(char *const *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return (int)i;
    return -1;
}

/* The executors to draw, each list space separated in file order: their
 * names, legend labels, style numbers (the executor's place in the
 * registry, engine/exec.h, so that an executor looks the same in every
 * plot of every run; executors that are not built in take the numbers
 * after) and whether their panes are deltas (1/0). */
typedef struct plot_execs {
    char names[512], labels[512], styles[128], deltas[128];
    int n, foreign; /* executors listed; of them not built in */
    int has_split;  /* the file has wait_mean, work_mean, hold_mean */
} plot_execs;

/* Adds executor name unless it is listed: 0, 1 when already there, -1
 * when the lists are full. */
static int execs_add(plot_execs *x, const char *name, const char *label, int deltas)
{
    for (const char *p = x->names; *p;) {
        size_t l = strcspn(p, " ");
        if (l == strlen(name) && strncmp(p, name, l) == 0)
            return 1;
        p += l + (p[l] == ' ');
    }
    int id = exec_id_named(name);
    char style[16];
    snprintf(style, sizeof style, "%d", id >= 0 ? id + 1 : EXEC_COUNT + 1 + x->foreign);
    size_t ln = strlen(x->names), ll = strlen(x->labels), ls = strlen(x->styles),
           ld = strlen(x->deltas);
    const char *sep = x->n ? " " : "";
    if (append(x->names, &ln, sizeof x->names, sep) ||
        append(x->names, &ln, sizeof x->names, name) ||
        append(x->labels, &ll, sizeof x->labels, sep) ||
        append(x->labels, &ll, sizeof x->labels, label) ||
        append(x->styles, &ls, sizeof x->styles, sep) ||
        append(x->styles, &ls, sizeof x->styles, style) ||
        append(x->deltas, &ld, sizeof x->deltas, sep) ||
        append(x->deltas, &ld, sizeof x->deltas, deltas ? "1" : "0"))
        return -1;
    x->n++;
    x->foreign += id < 0;
    return 0;
}

/* The executors of a CSV file with a header row: column ecol (0-based)
 * names them; the label column, when the file has one, gives their
 * labels (otherwise the registry's), the deltas column whether their
 * panes are deltas (otherwise 0).  Names and labels must be plain words
 * (they go into gnuplot commands); any executor is drawn, built in or
 * not.  0, 2 (err) or -1 (too many). */
static int read_executors(const char *dir, const char *file, int ecol, plot_execs *x, char *err,
                          size_t errlen)
{
    char path[PLOT_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    memset(x, 0, sizeof *x);
    csvread *in = open_csv(path, " (not a sluice results folder?)", err, errlen);
    if (!in)
        return 2;
    csvread_record rec;
    int rc = 0, header = 1, lcol = -1, dcol = -1, st = CSVREAD_EOF;
    size_t ue = ecol < 0 ? 0 : (size_t)ecol;
    while (rc == 0 && (st = csvread_next(in, &rec)) == CSVREAD_RECORD) {
        char **f = rec.fields;
        size_t n = rec.nfields;
        if (header) {
            header = 0;
            if (ecol < 0 || n <= ue || strcmp(f[ue], "executor") != 0) {
                errmsg_set(err, errlen, "%s:%zu: no executor column", path, rec.line);
                rc = 2;
            }
            lcol = field_index(f, n, "label");
            dcol = field_index(f, n, "deltas");
            x->has_split = field_index(f, n, "wait_mean") >= 0 &&
                           field_index(f, n, "work_mean") >= 0 &&
                           field_index(f, n, "hold_mean") >= 0;
            continue;
        }
        const char *name = n > ue ? f[ue] : "";
        const char *label =
            lcol >= 0 && (size_t)lcol < n && f[lcol][0] ? f[lcol] : exec_label_named(name);
        int deltas = dcol >= 0 && (size_t)dcol < n && strcmp(f[dcol], "1") == 0;
        if (!plain_word(name) || !plain_word(label)) {
            errmsg_set(err, errlen, "%s:%zu: odd executor name or label '%.40s'", path, rec.line,
                    plain_word(name) ? label : name);
            rc = 2;
        } else if (execs_add(x, name, label, deltas) < 0) {
            rc = -1;
        }
    }
    if (rc == 0 && st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(in));
        rc = 2;
    }
    csvread_close(in);
    if (rc == 0 && x->n == 0) {
        errmsg_set(err, errlen, "%s: no executor rows", path);
        rc = 2;
    }
    return rc;
}

/* Appends the gnuplot assignments of x (execs, labels, styles, deltas). */
static int append_execs(char *buf, size_t *len, size_t n, const plot_execs *x)
{
    return append_assign(buf, len, n, "execs", x->names) ||
           append_assign(buf, len, n, "labels", x->labels) ||
           append_assign(buf, len, n, "styles", x->styles) ||
           append_assign(buf, len, n, "deltas", x->deltas);
}

/* Runs `gnuplot -e assigns script`, its stdout to /dev/null and stderr
 * collected.  0 when it exits 0; -1 (err holds its stderr) otherwise; 2
 * "interrupted" when *stop became non-zero (gnuplot is then sent SIGTERM
 * and reaped). */
static int run_gnuplot(const char *gnuplot, const char *assigns, const char *script,
                       const volatile int *stop, char *err, size_t errlen)
{
    if (stop && *stop) {
        errmsg_set(err, errlen, "interrupted");
        return 2;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        errmsg_set(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        errmsg_set(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        char *argv[] = {(char *)"gnuplot", (char *)"-e", (char *)assigns, (char *)script, NULL};
        execv(gnuplot, argv);
        _exit(127);
    }
    close(fds[1]);
    char buf[2048];
    size_t used = 0;
    int stopped = 0;
    for (;;) {
        char chunk[512];
        if (stop && *stop) {
            /* Not waiting for its stderr to close: a child of gnuplot
             * could hold it open. */
            kill(pid, SIGTERM);
            stopped = 1;
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int n = poll(&pfd, 1, 100); /* the stop flag is seen within 0.1 s */
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            continue;
        ssize_t r = n < 0 ? -1 : read(fds[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = (size_t)r;
        if (used + take > sizeof buf - 1)
            take = sizeof buf - 1 - used;  /* keep the first 2 KB */
        memcpy(buf + used, chunk, take);
        used += take;
    }
    buf[used] = 0;
    close(fds[0]);
    int status;
    if (stopped) {
        /* SIGTERM, then SIGKILL after PLOT_GRACE_MS */
        struct timespec nap = {0, 10 * 1000 * 1000};
        pid_t w = 0;
        for (int ms = 0; ms < PLOT_GRACE_MS && (w = waitpid(pid, &status, WNOHANG)) == 0;
             ms += 10)
            nanosleep(&nap, NULL);
        if (w == 0)
            kill(pid, SIGKILL);
        while (w == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    } else {
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                errmsg_set(err, errlen, "waitpid: %s", strerror(errno));
                return -1;
            }
        }
    }
    if (stopped || (stop && *stop)) {
        errmsg_set(err, errlen, "interrupted");
        return 2;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    /* one line: newlines of gnuplot's message become " | " */
    for (char *s = buf; *s; s++)
        if (*s == '\n')
            *s = ' ';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !used)
        errmsg_set(err, errlen, "%s: could not be started", gnuplot);
    else
        errmsg_set(err, errlen, "gnuplot failed on %s: %s", script, used ? buf : "(no message)");
    return -1;
}

/* marks.csv of a sweep (`x,label` rows, written by sluice sweep from the
 * sweep file's `marks`): x values, space separated, and labels separated
 * by '|', for sweep.gp's vertical lines.  Labels are checked to be plain
 * words or words separated by single spaces. */
static int read_marks(const char *dir, char *xs, size_t xn, char *names, size_t nn, char *err,
                      size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/marks.csv", dir);
    csvread *f = open_csv(path, "", err, errlen);
    if (!f)
        return 2;
    const size_t xcol = (size_t)columns_index("marks.csv", "x"),
                 lcol = (size_t)columns_index("marks.csv", "label");
    csvread_record rec;
    size_t lx = 0, ln = 0;
    int rc = 0, header = 1, st = CSVREAD_EOF;
    xs[0] = names[0] = 0;
    while (rc == 0 && (st = csvread_next(f, &rec)) == CSVREAD_RECORD) {
        if (header) {
            header = 0;
            continue;
        }
        const char *xf = rec.nfields == 2 ? rec.fields[xcol] : "";
        const char *label = rec.nfields == 2 ? rec.fields[lcol] : "";
        char *end;
        double x = strtod(xf, &end);
        if (!xf[0] || *end || !isfinite(x) || !label[0] || label[0] == ' ' ||
            strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. ") !=
                strlen(label)) {
            errmsg_set(err, errlen, "%s:%zu: expected x,label (plain words)", path, rec.line);
            rc = 2;
            break;
        }
        char num[FMT_NUM_MAX];
        fmt_num_buf(num, x);
        int a = snprintf(xs + lx, xn - lx, "%s%s", lx ? " " : "", num);
        int b = snprintf(names + ln, nn - ln, "%s%s", ln ? "|" : "", label);
        if (a < 0 || b < 0 || (size_t)a >= xn - lx || (size_t)b >= nn - ln) {
            errmsg_set(err, errlen, "%s: too many marks", path);
            rc = 2;
            break;
        }
        lx += (size_t)a;
        ln += (size_t)b;
    }
    if (rc == 0 && st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(f));
        rc = 2;
    }
    csvread_close(f);
    return rc;
}

/* The labels of read_marks ('|' separated) as markname1='...'; ... */
static int append_marknames(char *buf, size_t *len, size_t n, const char *names)
{
    int i = 1;
    for (const char *p = names; *p; i++) {
        size_t l = strcspn(p, "|");
        char var[32], label[64];
        snprintf(var, sizeof var, "markname%d", i);
        snprintf(label, sizeof label, "%.*s", (int)(l < sizeof label ? l : sizeof label - 1), p);
        if (append_assign(buf, len, n, var, label))
            return -1;
        p += l + (p[l] == '|');
    }
    return 0;
}

/* With two or more swept keys, the lines of a sweep plot are split by the
 * second one (column 3): its name and its distinct values, in order of
 * appearance (at most 6, plain words only, space separated).  Returns 0
 * with names[0] = 0 when there is nothing to split by. */
static int sweep_split(const char *dir, char *name, size_t nn, char *vals, size_t vn, char *err,
                       size_t errlen)
{
    char path[PLOT_PATH_MAX];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    name[0] = vals[0] = 0;
    csvread *f = open_csv(path, "", err, errlen);
    if (!f)
        return 2;
    /* point, the first swept key (x), the second (v) */
    const size_t pcol = (size_t)columns_index("sweep.csv", "point"),
                 xcol = (size_t)columns_index("sweep.csv", COLUMNS_KEYS), vcol = xcol + 1;
    csvread_record rec;
    int lineno = 0, nvals = 0, rc = 0, nx = 0, xs_repeat = 0, st = CSVREAD_EOF;
    long last_point = -1;
    char xs[64][48];
    size_t vlen = 0;
    while (rc == 0 && (st = csvread_next(f, &rec)) == CSVREAD_RECORD) {
        if (rec.nfields < 4) {
            rc = 2;
            errmsg_set(err, errlen, "%s:%zu: too few columns", path, rec.line);
            break;
        }
        const char *v = rec.fields[vcol], *x = rec.fields[xcol];
        if (lineno > 0) {
            /* rows come per point (col 1) and executor: a new point whose
             * x (col 2) equals an earlier point's x means a grid */
            long point = strtol(rec.fields[pcol], NULL, 10);
            if (point != last_point) {
                last_point = point;
                for (int i = 0; i < nx && !xs_repeat; i++)
                    if (!strcmp(xs[i], x))
                        xs_repeat = 1;
                if (nx < 64)
                    snprintf(xs[nx++], sizeof xs[0], "%s", x);
            }
        }
        if (lineno++ == 0) {
            if (!strcmp(v, "executor"))
                break; /* one swept key: no split */
            snprintf(name, nn, "%s", v);
            continue;
        }
        if (!plain_word(v)) {
            rc = 2;
            errmsg_set(err, errlen, "%s:%zu: odd value '%.40s'", path, rec.line, v);
            break;
        }
        /* already listed? */
        int seen = 0;
        for (const char *p = vals; *p;) {
            size_t l = strcspn(p, " ");
            if (l == strlen(v) && !strncmp(p, v, l))
                seen = 1;
            p += l;
            if (*p)
                p++;
        }
        if (seen)
            continue;
        if (nvals == 6)
            continue;
        if ((vlen && append(vals, &vlen, vn, " ")) || append(vals, &vlen, vn, v)) {
            rc = -1;
            break;
        }
        nvals++;
    }
    if (rc == 0 && st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(f));
        rc = 2;
    }
    csvread_close(f);
    if (rc == 0 && !vals[0])
        name[0] = 0;
    if (rc == 0 && name[0] && !xs_repeat) /* zip mode: the keys move together */
        name[0] = vals[0] = 0;
    return rc;
}

/* Parses the sweep.csv header: the first swept parameter (column 2), the
 * executor column and the metric names (columns NAME_mean); the swept
 * keys after the first go into keys, joined by ", " (room for kn bytes). */
static int sweep_header(const char *dir, char *xname, size_t xn, int *ecol, char *metrics,
                        size_t mn, int *mcol0, char *keys, size_t kn, char *err, size_t errlen)
{
    char path[PLOT_PATH_MAX];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    csvread *f = open_csv(path, "", err, errlen);
    if (!f)
        return 2;
    csvread_record rec;
    int st = csvread_next(f, &rec);
    if (st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(f));
        csvread_close(f);
        return 2;
    }
    const size_t pcol = (size_t)columns_index("sweep.csv", "point"),
                 xcol = (size_t)columns_index("sweep.csv", COLUMNS_KEYS);
    if (st != CSVREAD_RECORD || rec.nfields < 2 || strcmp(rec.fields[pcol], "point") != 0) {
        errmsg_set(err, errlen, "%s:%zu: not a sweep.csv header", path,
                st == CSVREAD_RECORD ? rec.line : (size_t)1);
        csvread_close(f);
        return 2;
    }
    size_t mlen = 0;
    int rc = 0;
    *ecol = 0;
    *mcol0 = 0;
    xname[0] = metrics[0] = 0;
    size_t klen = 0;
    keys[0] = 0;
    for (size_t i = 0; i < rec.nfields && rc == 0; i++) {
        char *tok = rec.fields[i];
        int col = (int)i + 1; /* 1-based, as gnuplot counts */
        if (i > xcol && !*ecol && strcmp(tok, "executor") != 0 &&
            ((klen && append(keys, &klen, kn, ", ")) || append(keys, &klen, kn, tok)))
            rc = -1;
        if (i == xcol && strcmp(tok, "executor") != 0) {
            size_t l = strlen(tok) < xn - 1 ? strlen(tok) : xn - 1;
            memcpy(xname, tok, l);
            xname[l] = 0;
        }
        if (strcmp(tok, "executor") == 0)
            *ecol = col;
        size_t l = strlen(tok);
        if (l > 5 && strcmp(tok + l - 5, "_mean") == 0) {
            tok[l - 5] = 0;
            for (const char *c = tok; *c; c++)
                if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))) {
                    errmsg_set(err, errlen, "%s:%zu: odd metric name '%.40s'", path, rec.line, tok);
                    rc = 2;
                    break;
                }
            if (rc)
                break;
            if (!*mcol0)
                *mcol0 = col;
            if ((mlen && append(metrics, &mlen, mn, " ")) || append(metrics, &mlen, mn, tok))
                rc = -1;
        }
    }
    size_t line = rec.line;
    csvread_close(f);
    if (rc)
        return rc;
    if (!xname[0] || *ecol < 3 || !*mcol0) {
        errmsg_set(err, errlen,
                "%s:%zu: expected point,PARAM...,executor,n,METRIC_mean,METRIC_ci...", path,
                line);
        return 2;
    }
    return 0;
}

/* The windows of the pane timeline (output/panepick.h) as gnuplot
 * assignments: npick, pickkeys, pickstarts, pickends (space separated).
 * 0, or 2 with err (a malformed windows.csv / panes.csv). */
static int append_picks(const char *dir, char *buf, size_t *len, size_t n, char *err,
                        size_t errlen)
{
    panepick_window w[PLOT_PANE_WINDOWS];
    int got = panepick_choose(dir, w, PLOT_PANE_WINDOWS, err, errlen);
    if (got < 0)
        return 2;
    char keys[PANEPICK_MAX * 12] = "", starts[PANEPICK_MAX * FMT_NUM_MAX] = "",
         ends[PANEPICK_MAX * FMT_NUM_MAX] = "", num[FMT_NUM_MAX], tmp[32];
    size_t lk = 0, ls = 0, le = 0;
    for (int i = 0; i < got; i++) {
        const char *sep = i ? " " : "";
        snprintf(tmp, sizeof tmp, "%s%u", sep, w[i].key);
        append(keys, &lk, sizeof keys, tmp);
        append(starts, &ls, sizeof starts, sep);
        fmt_num_buf(num, w[i].start);
        append(starts, &ls, sizeof starts, num);
        append(ends, &le, sizeof ends, sep);
        fmt_num_buf(num, w[i].end);
        append(ends, &le, sizeof ends, num);
    }
    snprintf(tmp, sizeof tmp, "npick=%d; ", got);
    if (append(buf, len, n, tmp) || append_assign(buf, len, n, "pickkeys", keys) ||
        append_assign(buf, len, n, "pickstarts", starts) ||
        append_assign(buf, len, n, "pickends", ends)) {
        errmsg_set(err, errlen, "folder names too long");
        return 2;
    }
    return 0;
}

int plot_run(const char *dir, const char *reports_dir, char *err, size_t errlen)
{
    return plot_run_opts(dir, reports_dir, 0, NULL, NULL, 0, err, errlen);
}

/* Appends text to note (room for n bytes). */
static void note_add(char *note, size_t n, const char *text)
{
    if (!note || !n)
        return;
    size_t len = strlen(note);
    snprintf(note + len, n - len, "%s", text);
}

int plot_run_stop(const char *dir, const char *reports_dir, const volatile int *stop, char *err,
                  size_t errlen)
{
    return plot_run_opts(dir, reports_dir, 0, stop, NULL, 0, err, errlen);
}

int plot_run_opts(const char *dir, const char *reports_dir, int force, const volatile int *stop,
                  char *note, size_t notelen, char *err, size_t errlen)
{
    plot_options o = {force, stop, NAN, NAN};
    return plot_run_with(dir, reports_dir, &o, note, notelen, err, errlen);
}

/* The zoom as gnuplot assignments (tmin=...; tmax=...;), none when unset. */
static int append_zoom(char *buf, size_t *len, size_t n, const plot_options *o)
{
    char num[FMT_NUM_MAX], tmp[3 * FMT_NUM_MAX];
    if (isfinite(o->tmin)) {
        fmt_num_buf(num, o->tmin);
        snprintf(tmp, sizeof tmp, "tmin=%s; ", num);
        if (append(buf, len, n, tmp))
            return -1;
    }
    if (isfinite(o->tmax)) {
        fmt_num_buf(num, o->tmax);
        snprintf(tmp, sizeof tmp, "tmax=%s; ", num);
        if (append(buf, len, n, tmp))
            return -1;
    }
    return 0;
}

int plot_run_with(const char *dir, const char *reports_dir, const plot_options *opt, char *note,
                  size_t notelen, char *err, size_t errlen)
{
    static const plot_options defaults = {0, NULL, NAN, NAN};
    if (!opt)
        opt = &defaults;
    const int force = opt->force;
    const volatile int *stop = opt->stop;
    if (err && errlen)
        err[0] = 0;
    if (note && notelen)
        note[0] = 0;
    if (!dir || !*dir || !reports_dir || !*reports_dir) {
        errmsg_set(err, errlen, "no results folder given");
        return 2;
    }
    if (isfinite(opt->tmin) && isfinite(opt->tmax) && opt->tmin >= opt->tmax) {
        errmsg_set(err, errlen, "--from must be before --to");
        return 2;
    }
    if (has_control_chars(dir) || has_control_chars(reports_dir)) {
        errmsg_set(err, errlen, "folder names with control characters are not supported");
        return 2;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errmsg_set(err, errlen, "%s: no such results folder", dir);
        return 2;
    }
    int sweep = !file_exists(dir, "summary.csv") && file_exists(dir, "sweep.csv");
    if (!sweep && !file_exists(dir, "summary.csv")) {
        errmsg_set(err, errlen, "%s: no summary.csv or sweep.csv (not a sluice results folder)", dir);
        return 2;
    }
    if (outdir_may_write_into(dir, "plots", "plots/", force, note, notelen, err, errlen) != 0)
        return 2;
    char gnuplot[PLOT_PATH_MAX];
    if (plot_find_program("gnuplot", gnuplot, sizeof gnuplot) != 0) {
        errmsg_set(err, errlen, "gnuplot not found: install it with apt-get install gnuplot-nox");
        return 2;
    }
    static const char *const run_files[] = {"timeline.csv", "latency.csv", "faults.csv"};
    char script[PLOT_PATH_MAX], plotsdir[PLOT_PATH_MAX];
    snprintf(script, sizeof script, "%s/common.gp", reports_dir);
    if (access(script, R_OK) != 0) {
        errmsg_set(err, errlen, "%s: %s (gnuplot scripts not installed?)", script, strerror(errno));
        return 2;
    }
    if ((size_t)snprintf(plotsdir, sizeof plotsdir, "%s/plots", dir) >= sizeof plotsdir) {
        errmsg_set(err, errlen, "%s: path too long", dir);
        return 2;
    }
    /* The plots are drawn into DIR/plots.tmp.XXXXXX, which then replaces
     * DIR/plots (output/outdir.h): only plots sluice drew are ever replaced. */
    outdir od;
    if (outdir_begin(&od, plotsdir, "sluice plot", force, err, errlen) != 0)
        return 2;
    note_add(note, notelen, od.note);

    char *assigns = malloc(PLOT_ARGS_MAX);
    if (!assigns) {
        errmsg_set(err, errlen, "out of memory");
        outdir_abort(&od);
        return -1;
    }
    size_t len = 0;
    int rc = 0;
    if (append_assign(assigns, &len, PLOT_ARGS_MAX, "dir", dir) ||
        append_assign(assigns, &len, PLOT_ARGS_MAX, "outdir", od.tmp) ||
        append_assign(assigns, &len, PLOT_ARGS_MAX, "rdir", reports_dir)) {
        errmsg_set(err, errlen, "folder names too long");
        rc = 2;
        goto out;
    }
    if (sweep) {
        char xname[256], metrics[4096], tmp[128], keys[1024];
        int ecol, mcol0;
        rc = sweep_header(dir, xname, sizeof xname, &ecol, metrics, sizeof metrics, &mcol0, keys,
                          sizeof keys, err, errlen);
        if (rc)
            goto out;
        snprintf(tmp, sizeof tmp, "ecol=%d; mcol0=%d; ", ecol, mcol0);
        plot_execs x;
        rc = read_executors(dir, "sweep.csv", ecol - 1, &x, err, errlen);
        if (rc)
            goto out;
        if (append_execs(assigns, &len, PLOT_ARGS_MAX, &x)) {
            errmsg_set(err, errlen, "sweep.csv executors too long");
            rc = 2;
            goto out;
        }
        char sname[256], svals[512];
        rc = sweep_split(dir, sname, sizeof sname, svals, sizeof svals, err, errlen);
        if (rc)
            goto out;
        /* zip mode (several keys, no split): every key names the x axis */
        if (!sname[0] && keys[0] &&
            append_assign(assigns, &len, PLOT_ARGS_MAX, "xkeys", keys)) {
            errmsg_set(err, errlen, "sweep.csv header too long");
            rc = 2;
            goto out;
        }
        if (sname[0] && (append_assign(assigns, &len, PLOT_ARGS_MAX, "splitname", sname) ||
                         append_assign(assigns, &len, PLOT_ARGS_MAX, "splitvals", svals))) {
            errmsg_set(err, errlen, "sweep.csv values too long");
            rc = 2;
            goto out;
        }
        /* The swept key's unit, for the x label ("batch.interval (s)"). */
        char sect[64] = "";
        const char *dot = strchr(xname, '.');
        const char *unit = NULL;
        if (dot && (size_t)(dot - xname) < sizeof sect) {
            memcpy(sect, xname, (size_t)(dot - xname));
            sect[dot - xname] = 0;
            unit = config_unit(sect, dot + 1);
        }
        if (append_assign(assigns, &len, PLOT_ARGS_MAX, "xunit", unit ? unit : "")) {
            errmsg_set(err, errlen, "sweep.csv header too long");
            rc = 2;
            goto out;
        }
        if (append_assign(assigns, &len, PLOT_ARGS_MAX, "xname", xname) ||
            append_assign(assigns, &len, PLOT_ARGS_MAX, "metrics", metrics) ||
            append(assigns, &len, PLOT_ARGS_MAX, tmp)) {
            errmsg_set(err, errlen, "sweep.csv header too long");
            rc = 2;
            goto out;
        }
        if (file_exists(dir, "marks.csv")) {
            char marks[512], names[512];
            if (read_marks(dir, marks, sizeof marks, names, sizeof names, err, errlen) != 0 ||
                append_assign(assigns, &len, PLOT_ARGS_MAX, "marks", marks) ||
                append_marknames(assigns, &len, PLOT_ARGS_MAX, names)) {
                if (!*err)
                    errmsg_set(err, errlen, "%s/marks.csv: too long", dir);
                rc = 2;
                goto out;
            }
        }
        snprintf(script, sizeof script, "%s/sweep.gp", reports_dir);
        rc = run_gnuplot(gnuplot, assigns, script, stop, err, errlen);
        goto out;
    }

    for (size_t i = 0; i < sizeof run_files / sizeof run_files[0]; i++)
        if (!file_exists(dir, run_files[i])) {
            errmsg_set(err, errlen, "%s/%s: missing (not a complete sluice run folder)", dir,
                    run_files[i]);
            rc = 2;
            goto out;
        }
    char flags[160];
    plot_execs x;
    rc = read_executors(dir, "summary.csv", columns_index("summary.csv", "executor"), &x, err,
                        errlen);
    if (rc)
        goto out;
    snprintf(flags, sizeof flags, "haswin=%d; hasevents=%d; haspanes=%d; haswms=%d; hassplit=%d; ",
             file_exists(dir, "windows.csv"), file_exists(dir, "events.csv"),
             file_exists(dir, "panes.csv"), file_exists(dir, "watermarks.csv"), x.has_split);
    if (append_execs(assigns, &len, PLOT_ARGS_MAX, &x) ||
        append(assigns, &len, PLOT_ARGS_MAX, flags) ||
        append_zoom(assigns, &len, PLOT_ARGS_MAX, opt)) {
        errmsg_set(err, errlen, "folder names too long");
        rc = 2;
        goto out;
    }
    if ((rc = append_picks(dir, assigns, &len, PLOT_ARGS_MAX, err, errlen)) != 0)
        goto out;
    for (int i = 0; i < PLOT_COUNT && rc == 0; i++) {
        snprintf(script, sizeof script, "%s/%s.gp", reports_dir, plot_table[i].name);
        rc = run_gnuplot(gnuplot, assigns, script, stop, err, errlen);
    }
out:
    free(assigns);
    if (rc == 0 && outdir_commit(&od, err, errlen) != 0)
        rc = 2;
    if (rc != 0) {
        outdir_abort(&od);
        return rc;
    }
    static const char *const mine[] = {"plots/"};
    if (outdir_mark_add(dir, mine, 1, err, errlen) != 0)
        return -1;
    return 0;
}
