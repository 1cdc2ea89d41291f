/*
 * model/trace.c: a user's event log as workload events (see model/trace.h).
 *
 * trace_open: detects the delimiter from the raw first line, maps the
 * header's names to roles, then reads every row once (pass 1): each field
 * is checked, the keys are interned (lib/intern.h) and it is decided
 * whether they are all integers, the least event time and greatest time
 * are kept for the origin and the span.  The file is then reopened for
 * pass 2 (trace_next), which parses the rows again without failing on
 * anything pass 1 accepted.
 */
#include "model/trace.h"

#include "lib/errmsg.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/csvread.h"
#include "lib/intern.h"
#include "lib/seenset.h"
#include "lib/vec.h"

#define TRACE_ERRLEN 1024
#define KEY_PARTS 8 /* columns joined into one key at most */

/* A time as written: whole + frac, whole integral (exact up to 2^64), so
 * that rebasing an epoch time keeps its fraction. */
typedef struct ttime {
    long double whole, frac;
} ttime;

enum role { R_ID, R_KEY, R_VALUE, R_EVENT, R_ARRIVAL, NROLES };
static const char *const role_name[NROLES] = {"id", "key", "value", "event_time", "arrival_time"};

struct trace {
    char path[CFG_PATH_MAX];
    const volatile int *stop;
    csvread *r;
    trace_info info;
    ttime origin;             /* t = 0, in the trace's units */
    int unit;                 /* enum config_time_unit */
    size_t ncols;             /* fields per row */
    char **colname;           /* header names (for messages) */
    long col[NROLES];         /* field index of each role, -1 = none */
    size_t keycol[KEY_PARTS]; /* key: these fields joined by '+' */
    size_t nkeycols;
    intern_t *keys;           /* distinct key strings, first seen order */
    uint32_t *rank;           /* intern id -> key id (string keys) */
    char **sorted;            /* key id -> string (string keys) */
    char *keybuf;             /* a joined key */
    size_t keycap;
    size_t row;               /* data rows handed out by trace_next */
    int pass2;                /* 1 once trace_open is done: values are scaled */
    long double vmax;         /* pass 1: the largest |value|, its line and text */
    size_t vmax_line;
    char vmax_text[64];
    ttime *bmin;              /* per block of TRACE_BLOCK rows: least event time */
    double *bmin_d;           /* ... as strtod reads it (unit s, origin 0: see rebase) */
    double *bsuf;             /* per block: least rebased event time from it on */
    size_t nb, capb, capbd;
    char err[TRACE_ERRLEN];
};

/* ---- delimiter ---- */

/* The delimiter of a header read with ',': the most frequent of ',' (one
 * less than the fields), ';' and tab inside the fields (',' on a tie). */
static char detect_delim(const csvread_record *rec)
{
    size_t n[3] = {rec->nfields - 1, 0, 0};
    for (size_t i = 0; i < rec->nfields; i++)
        for (const char *p = rec->fields[i]; *p; p++)
            n[1] += *p == ';', n[2] += *p == '\t';
    if (n[1] > n[0] && n[1] >= n[2])
        return ';';
    if (n[2] > n[0] && n[2] > n[1])
        return '\t';
    return ',';
}

/* ---- header ---- */

static void trim(char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* The header's names as "a, b, c" (for messages). */
static void names_text(const trace_t *t, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->ncols && len + 1 < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", t->colname[i]);
}

static long find_col(const trace_t *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strlen(t->colname[i]) == len && strncasecmp(t->colname[i], name, len) == 0)
            return (long)i;
    return -1;
}

/* Reads c's trace_columns into t->col / t->keycol; roles not named there
 * are looked up by their own name. */
static int map_columns(trace_t *t, const char *spec, char *err, size_t errlen)
{
    char have[512];
    const char *given[NROLES] = {0};
    size_t glen[NROLES] = {0};
    const char *p = spec;
    names_text(t, have, sizeof have);
    while (*p) {
        const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char *a = (char *)p, *b;
        size_t al, bl;
        int r;
        if (!eq) {
            al = (size_t)(end - p);
            trim(&a, &al);
            if (al) {
                errmsg_set(err, errlen,
                        "workload.trace_columns: '%.*s' is not ROLE = COLUMN (e.g. "
                        "\"key = user_id, event_time = ts\")", (int)al, a);
                return -1;
            }
            p = comma ? comma + 1 : end;
            continue;
        }
        al = (size_t)(eq - p);
        b = (char *)eq + 1;
        bl = (size_t)(end - b);
        trim(&a, &al);
        trim(&b, &bl);
        for (r = 0; r < NROLES; r++)
            if (strlen(role_name[r]) == al && strncasecmp(role_name[r], a, al) == 0)
                break;
        if (r == NROLES) {
            errmsg_set(err, errlen,
                    "workload.trace_columns: unknown role '%.*s' (roles: id, key, value, "
                    "event_time, arrival_time)", (int)al, a);
            return -1;
        }
        if (!bl) {
            errmsg_set(err, errlen, "workload.trace_columns: no column given for %s", role_name[r]);
            return -1;
        }
        given[r] = b;
        glen[r] = bl;
        p = comma ? comma + 1 : end;
    }
    for (int r = 0; r < NROLES; r++) {
        const char *name = given[r] ? given[r] : role_name[r];
        size_t len = given[r] ? glen[r] : strlen(role_name[r]);
        t->col[r] = -1;
        if (r == R_KEY && given[r]) { /* key = a+b+c */
            const char *q = name, *qend = name + len;
            t->nkeycols = 0;
            while (q <= qend) {
                const char *plus = memchr(q, '+', (size_t)(qend - q));
                const char *pe = plus ? plus : qend;
                char *s = (char *)q;
                size_t sl = (size_t)(pe - q);
                trim(&s, &sl);
                long ci = find_col(t, s, sl);
                if (ci < 0) {
                    errmsg_set(err, errlen,
                            "%s:1: workload.trace_columns maps key to column '%.*s', which the "
                            "header does not have (it has: %s)", t->path, (int)sl, s, have);
                    return -1;
                }
                if (t->nkeycols == KEY_PARTS) {
                    errmsg_set(err, errlen, "workload.trace_columns: key joins at most %d columns",
                            KEY_PARTS);
                    return -1;
                }
                t->keycol[t->nkeycols++] = (size_t)ci;
                q = pe + 1;
            }
            t->col[r] = (long)t->keycol[0];
            continue;
        }
        t->col[r] = find_col(t, name, len);
        if (t->col[r] < 0 && given[r]) {
            errmsg_set(err, errlen,
                    "%s:1: workload.trace_columns maps %s to column '%.*s', which the header "
                    "does not have (it has: %s)", t->path, role_name[r], (int)len, name, have);
            return -1;
        }
    }
    if (t->col[R_KEY] >= 0 && t->nkeycols == 0) {
        t->keycol[0] = (size_t)t->col[R_KEY];
        t->nkeycols = 1;
    }
    if (t->col[R_EVENT] < 0) {
        errmsg_set(err, errlen,
                "%s:1: no event_time column (the header has: %s); name the column event_time "
                "or map columns with trace_columns = \"event_time = NAME\"%s", t->path, have,
                t->ncols == 1 ? " (one column only: is the delimiter , ; or tab?)" : "");
        return -1;
    }
    t->info.has_id = t->col[R_ID] >= 0;
    t->info.has_value = t->col[R_VALUE] >= 0;
    t->info.has_arrival = t->col[R_ARRIVAL] >= 0;
    return 0;
}

/* ---- times ---- */

static int all_digits_n(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

static long num_n(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ISO-8601 / RFC 3339 to s since 1970-01-01T00:00:00Z; 0 or -1. */
static int parse_iso(const char *s, ttime *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long y, mo, d, h = 0, mi = 0, se = 0, off = 0;
    long double frac = 0;
    if (!all_digits_n(s, 4) || s[4] != '-' || !all_digits_n(s + 5, 2) || s[7] != '-' ||
        !all_digits_n(s + 8, 2))
        return -1;
    y = num_n(s, 4);
    mo = num_n(s + 5, 2);
    d = num_n(s + 8, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return -1;
    s += 10;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (!all_digits_n(s, 2) || s[2] != ':' || !all_digits_n(s + 3, 2))
            return -1;
        h = num_n(s, 2);
        mi = num_n(s + 3, 2);
        s += 5;
        if (*s == ':') {
            if (!all_digits_n(s + 1, 2))
                return -1;
            se = num_n(s + 1, 2);
            s += 3;
            if (*s == '.' || *s == ',') {
                long double scale = 0.1L;
                s++;
                if (!(*s >= '0' && *s <= '9'))
                    return -1;
                for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
                    frac += (*s - '0') * scale;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s == '-' ? -1 : 1;
            long oh, om = 0;
            s++;
            if (!all_digits_n(s, 2))
                return -1;
            oh = num_n(s, 2);
            s += 2;
            if (*s == ':')
                s++;
            if (all_digits_n(s, 2)) {
                om = num_n(s, 2);
                s += 2;
            }
            if (oh > 23 || om > 59)
                return -1;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*s)
        return -1;
    out->whole = (long double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off);
    out->frac = frac;
    return 0;
}

static const long double unit_div[] = {1.0L, 1e3L, 1e6L, 1e9L}; /* units per s */

/* a - b, in the units of both. */
static long double tdiff(ttime a, ttime b)
{
    return (a.whole - b.whole) + (a.frac - b.frac);
}

/* A number (in the trace's unit) split at its point, so that the integer
 * part of a large epoch time stays exact; 0 or -1. */
static int parse_number(const char *s, ttime *out)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    long double v = strtold(s, &end);
    if (*end || end == s || !isfinite(v))
        return -1;
    const char *dot = strchr(s, '.');
    if (strpbrk(s, "eExXpP") || !dot) {
        out->whole = v;
        out->frac = 0;
        return 0;
    }
    out->frac = strtold(dot, NULL);
    if (s[strspn(s, " \t")] == '-')
        out->frac = -out->frac;
    out->whole = v - out->frac; /* exact: the integer digits */
    {
        char ip[64];
        size_t n = (size_t)(dot - s);
        if (n < sizeof ip) {
            memcpy(ip, s, n);
            ip[n] = '\0';
            out->whole = n == 0 || (n == 1 && (*s == '-' || *s == '+')) ? 0 : strtold(ip, NULL);
        }
    }
    return 0;
}

static int looks_numeric(const char *s)
{
    char *end;
    if (!*s)
        return 0;
    (void)strtod(s, &end);
    return *end == '\0';
}

/* One time field as written (s for ISO, the trace's unit for numbers). */
static int read_time(const trace_t *t, const char *s, ttime *abs)
{
    if (t->info.time_format == TIME_ISO8601)
        return parse_iso(s, abs);
    return parse_number(s, abs);
}

/* Units per s of the trace's times. */
static long double per_s(const trace_t *t)
{
    return t->info.time_format == TIME_ISO8601 ? 1.0L : unit_div[t->unit];
}

/* 1 when a time is read as strtod reads it (numbers in s, origin 0). */
static int as_written(const trace_t *t)
{
    return t->info.time_format == TIME_NUMBER && t->unit == TIME_S && t->origin.whole == 0 &&
           t->origin.frac == 0;
}

/* The rebased double of a time: bit for bit strtod when unit s, origin 0. */
static double rebase(const trace_t *t, const char *s, ttime abs)
{
    if (as_written(t))
        return strtod(s, NULL);
    return (double)(tdiff(abs, t->origin) / per_s(t));
}

/* ---- rows ---- */

static const char *field(const trace_t *t, char **f, int role)
{
    return f[t->col[role]];
}

/* The row's key text (fields joined by '+'), NULL when out of memory. */
static const char *key_text(trace_t *t, char **f, size_t *len)
{
    size_t need = 1;
    for (size_t i = 0; i < t->nkeycols; i++)
        need += strlen(f[t->keycol[i]]) + 1;
    if (need > t->keycap) {
        char *b = realloc(t->keybuf, need);
        if (!b)
            return NULL;
        t->keybuf = b;
        t->keycap = need;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->nkeycols; i++) {
        const char *s = f[t->keycol[i]];
        size_t l = strlen(s);
        if (i)
            t->keybuf[n++] = '+';
        memcpy(t->keybuf + n, s, l);
        n += l;
    }
    t->keybuf[n] = '\0';
    *len = n;
    return t->keybuf;
}

/* 1 when s is a canonical decimal integer in 0..2^32-1 (no sign, no
 * leading zero): such keys are their own ids. */
static int canonical_u32(const char *s, size_t n, uint32_t *v)
{
    if (!all_digits_n(s, n) || n > 10 || (n > 1 && s[0] == '0'))
        return 0;
    unsigned long long u = strtoull(s, NULL, 10);
    if (u > UINT32_MAX)
        return 0;
    *v = (uint32_t)u;
    return 1;
}

#define ROW_ERR(...) (errmsg_set(err, errlen, __VA_ARGS__), -1)

static int bad_time(const trace_t *t, size_t line, int role, const char *s, char *err,
                    size_t errlen)
{
    const char *col = t->colname[t->col[role]];
    if (!*s)
        return ROW_ERR("%s:%zu: column '%s' is empty", t->path, line, col);
    if (t->info.time_format == TIME_ISO8601)
        return ROW_ERR("%s:%zu: column '%s': not an ISO-8601 time: '%s' (accepted: "
                       "2024-03-01T12:00:00Z, 2024-03-01 12:00:00.250+02:00, 2024-03-01; or set "
                       "trace_time_format = number)", t->path, line, col, s);
    if (looks_numeric(s))
        return ROW_ERR("%s:%zu: column '%s': not a finite number: '%s'", t->path, line, col, s);
    {
        ttime x;
        if (parse_iso(s, &x) == 0)
            return ROW_ERR("%s:%zu: column '%s': not a number: '%s' (an ISO-8601 time: set "
                           "trace_time_format = iso8601)", t->path, line, col, s);
    }
    return ROW_ERR("%s:%zu: column '%s': not a number: '%s' (accepted: seconds such as 12.5, "
                   "or another unit with trace_time_unit = ms|us|ns, or ISO-8601 times with "
                   "trace_time_format = iso8601)", t->path, line, col, s);
}

/* ---- values ---- */

static const int64_t pow10_i64[TRACE_DECIMALS_MAX + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

/* A value as written, [+-]digits[.digits]: in pass 1 *v is its integer
 * part (pass 1 finds the decimals and the largest value); in pass 2 the
 * value in units of 10^-value_decimals. */
static int parse_value(trace_t *t, size_t line, const char *s, int64_t *v, char *err,
                       size_t errlen)
{
    const char *col = t->colname[t->col[R_VALUE]];
    const char *d = s + (*s == '-' || *s == '+');
    size_t ni = strspn(d, "0123456789"), nf = d[ni] == '.' ? strspn(d + ni + 1, "0123456789") : 0;
    if (ni + nf == 0 || d[ni + (d[ni] == '.') + nf] != '\0')
        return ROW_ERR("%s:%zu: column '%s': not a number: '%s' (values are numbers such as 12 "
                       "or -0.25%s; leave the value column out to count events)", t->path, line,
                       col, s, looks_numeric(s) ? ", without an exponent" : "");
    if (nf > TRACE_DECIMALS_MAX)
        return ROW_ERR("%s:%zu: column '%s': %s has more than %d decimals", t->path, line, col,
                       s, TRACE_DECIMALS_MAX);
    errno = 0;
    long long ip = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return ROW_ERR("%s:%zu: column '%s': %s is out of range of a 64-bit integer", t->path,
                       line, col, s);
    if (!t->pass2) {
        long double a = fabsl(strtold(s, NULL));
        if ((int)nf > t->info.value_decimals)
            t->info.value_decimals = (int)nf;
        if (a > t->vmax) {
            t->vmax = a;
            t->vmax_line = line;
            snprintf(t->vmax_text, sizeof t->vmax_text, "%s", s);
        }
        *v = (int64_t)ip;
        return 0;
    }
    int dec = t->info.value_decimals;
    int64_t p = pow10_i64[dec], frac = 0;
    for (size_t i = 0; i < nf; i++)
        frac = frac * 10 + (d[ni + 1 + i] - '0');
    frac *= pow10_i64[dec - (int)nf];
    if (ip > INT64_MAX / p || ip < -(INT64_MAX / p))
        return ROW_ERR("%s: the file changed while it was read", t->path);
    *v = (int64_t)ip * p + (*s == '-' ? -frac : frac);
    return 0;
}

/* After pass 1: every value times 10^value_decimals must fit an int64. */
static int check_values(const trace_t *t, char *err, size_t errlen)
{
    int dec = t->info.value_decimals;
    if (dec == 0 || t->vmax * (long double)pow10_i64[dec] < 9.2e18L)
        return 0;
    return ROW_ERR("%s:%zu: column '%s': %s is too large for values with %d decimal%s (at most "
                   "about 9.2e18 / 10^%d)", t->path, t->vmax_line, t->colname[t->col[R_VALUE]],
                   t->vmax_text, dec, dec == 1 ? "" : "s", dec);
}

/* Parses one row into ev (times since the origin) and keeps its key in the
 * intern table.  abs_e / abs_a: the absolute times, for pass 1. */
static int parse_row(trace_t *t, size_t line, size_t rowno, char **f, workload_event *ev,
                     uint32_t *kid, ttime *abs_e, ttime *abs_a, char *err,
                     size_t errlen)
{
    const char *s;
    memset(ev, 0, sizeof *ev);
    if (t->info.has_id) {
        s = field(t, f, R_ID);
        if (!all_digits_n(s, strlen(s)))
            return ROW_ERR("%s:%zu: column '%s': not a non-negative integer: '%s' (ids are "
                           "0, 1, 2, ...; leave the id column out to number the rows)",
                           t->path, line, t->colname[t->col[R_ID]], s);
        errno = 0;
        unsigned long long u = strtoull(s, NULL, 10);
        if (errno == ERANGE)
            return ROW_ERR("%s:%zu: column '%s': %s is out of range 0..%" PRIu64, t->path,
                           line, t->colname[t->col[R_ID]], s, UINT64_MAX);
        ev->id = (uint64_t)u;
    } else {
        ev->id = (uint64_t)rowno;
    }
    if (t->nkeycols) {
        size_t len;
        const char *k = key_text(t, f, &len);
        if (!k || intern_id(t->keys, k, len, kid) != INTERN_OK)
            return ROW_ERR("%s: out of memory", t->path);
    } else {
        *kid = UINT32_MAX; /* no key column: one key, "0" */
    }
    if (t->info.has_value) {
        if (parse_value(t, line, field(t, f, R_VALUE), &ev->value, err, errlen))
            return -1;
    } else {
        ev->value = 1;
    }
    s = field(t, f, R_EVENT);
    if (read_time(t, s, abs_e))
        return bad_time(t, line, R_EVENT, s, err, errlen);
    ev->event_time = rebase(t, s, *abs_e);
    if (t->info.has_arrival) {
        const char *a = field(t, f, R_ARRIVAL);
        if (read_time(t, a, abs_a))
            return bad_time(t, line, R_ARRIVAL, a, err, errlen);
        ev->arrival_time = rebase(t, a, *abs_a);
        if (tdiff(*abs_a, *abs_e) < 0) {
            const char *an = t->colname[t->col[R_ARRIVAL]], *en = t->colname[t->col[R_EVENT]];
            if (strcmp(an, "arrival_time") == 0 && strcmp(en, "event_time") == 0)
                return ROW_ERR("%s:%zu: arrival_time %s is before event_time %s", t->path,
                               line, a, s);
            return ROW_ERR("%s:%zu: arrival_time %s (column '%s') is before event_time %s "
                           "(column '%s'): is trace_columns right?", t->path, line, a, an, s,
                           en);
        }
    } else {
        *abs_a = *abs_e;
        ev->arrival_time = ev->event_time;
    }
    return 0;
}

/* ---- pass 1: duplicate ids, block minima, order ---- */

/* The line of the first row with id (a duplicate found: read once more). */
static size_t first_line_of(trace_t *t, uint64_t id)
{
    csvread_opts opts = {.what = "trace", .skip_bom = 1, .delim = t->info.delim};
    csvread_record rec;
    char err[TRACE_ERRLEN];
    size_t line = 0;
    csvread *r = csvread_open(t->path, &opts, t->stop, err, sizeof err);
    if (r && csvread_next(r, &rec) == CSVREAD_RECORD) /* the header */
        while (!line && csvread_next(r, &rec) == CSVREAD_RECORD)
            if (strtoull(rec.fields[t->col[R_ID]], NULL, 10) == id)
                line = rec.line;
    csvread_close(r);
    return line;
}

/* What pass 1 keeps besides trace_info. */
typedef struct pass1 {
    seenset ids;            /* the ids so far, while ids_on */
    int ids_on;             /* 1: ids are being checked (TRACE_ID_RANGE) */
    size_t dup_line;        /* the first row repeating an earlier id, 0 = none */
    uint64_t dup_id;
    ttime prev_a, prev_e;   /* the previous row's arrival and event time */
    uint64_t prev_id;
    size_t prev_line;
    char prev_text[64];     /* its arrival_time (event_time without one), as written */
} pass1;

/* Pass 1's bookkeeping of one good row: duplicate ids, the block's least
 * event time, whether the rows are still in order.  0, or -1 (out of
 * memory, err set). */
static int pass1_row(trace_t *t, pass1 *p, const csvread_record *rec, const workload_event *ev,
                     ttime ae, ttime aa, char *err, size_t errlen)
{
    trace_info *i = &t->info;
    const char *order_text = rec->fields[t->col[i->has_arrival ? R_ARRIVAL : R_EVENT]];
    if (p->ids_on && !p->dup_line) {
        int seen = (ev->id >> 6) - p->ids.base_word < TRACE_ID_RANGE / 64 ||
                           (ev->id >> 6) < p->ids.base_word
                       ? seenset_test_set(&p->ids, ev->id)
                       : -1;
        if (seen == 1) {
            p->dup_line = rec->line;
            p->dup_id = ev->id;
        } else if (seen < 0 || seenset_bytes(&p->ids) > TRACE_ID_RANGE / 4) {
            seenset_free(&p->ids); /* ids too far apart to check: stop */
            p->ids_on = 0;
        }
    }
    if (i->rows % TRACE_BLOCK == 0) {
        if (vec_ensure(&t->bmin, &t->capb, t->nb + 1, sizeof *t->bmin) ||
            vec_ensure(&t->bmin_d, &t->capbd, t->nb + 1, sizeof *t->bmin_d))
            return ROW_ERR("%s: out of memory", t->path);
        t->nb++;
    }
    if (i->rows % TRACE_BLOCK == 0 || tdiff(ae, t->bmin[t->nb - 1]) < 0) {
        t->bmin[t->nb - 1] = ae;
        t->bmin_d[t->nb - 1] = strtod(rec->fields[t->col[R_EVENT]], NULL);
    }
    if (i->rows > 0) {
        long double da = tdiff(aa, p->prev_a);
        int in_order = i->has_arrival ? da > 0 || (da == 0 && ev->id > p->prev_id)
                                      : tdiff(ae, p->prev_e) >= 0;
        if (i->arrival_sorted && !(i->has_arrival && in_order))
            i->arrival_sorted = 0;
        if (i->event_sorted && tdiff(ae, p->prev_e) < 0)
            i->event_sorted = 0;
        if (!in_order && !i->unsorted_line) {
            i->unsorted_line = rec->line;
            i->unsorted_prev_line = p->prev_line;
            snprintf(i->unsorted_text, sizeof i->unsorted_text, "%s", order_text);
            snprintf(i->unsorted_prev, sizeof i->unsorted_prev, "%s", p->prev_text);
        }
    }
    p->prev_a = aa;
    p->prev_e = ae;
    p->prev_id = ev->id;
    p->prev_line = rec->line;
    snprintf(p->prev_text, sizeof p->prev_text, "%s", order_text);
    return 0;
}

/* After pass 1, with the origin known: the suffix minima of the blocks. */
static int settle_blocks(trace_t *t, char *err, size_t errlen)
{
    int by_strtod = as_written(t);
    t->bsuf = malloc((t->nb + 1) * sizeof *t->bsuf);
    if (!t->bsuf)
        return errmsg_set(err, errlen, "%s: out of memory", t->path), -1;
    t->bsuf[t->nb] = INFINITY;
    for (size_t b = t->nb; b-- > 0;) {
        double v = by_strtod ? t->bmin_d[b] : (double)(tdiff(t->bmin[b], t->origin) / per_s(t));
        t->bsuf[b] = v < t->bsuf[b + 1] ? v : t->bsuf[b + 1];
    }
    return 0;
}

/* ---- open ---- */

static int open_reader(trace_t *t, char *err, size_t errlen)
{
    csvread_opts opts = {.what = "trace", .skip_bom = 1, .delim = t->info.delim};
    csvread_close(t->r);
    t->r = csvread_open(t->path, &opts, t->stop, err, errlen);
    return t->r ? 0 : -1;
}

/* After an error in a row: the rest of the file is read all the same, and
 * an error in reading it (NUL byte, over-long line, stop flag, unclosed
 * quote) is the one reported, since such a file is not a trace at all. */
static void read_rest(csvread *r, char *err, size_t errlen)
{
    csvread_record rec;
    int st;
    while ((st = csvread_next(r, &rec)) == CSVREAD_RECORD)
        ;
    if (st == CSVREAD_ERR)
        errmsg_set(err, errlen, "%s", csvread_error(r));
}

/* Reads the header of a fresh reader: 0, or -1 with err set. */
static int read_header(trace_t *t, const config_t *c, char *err, size_t errlen)
{
    csvread_record rec;
    int st = csvread_next(t->r, &rec);
    if (st == CSVREAD_ERR)
        return errmsg_set(err, errlen, "%s", csvread_error(t->r)), -1;
    if (st == CSVREAD_EOF && csvread_lineno(t->r) == 0)
        return errmsg_set(err, errlen,
                       "%s:1: empty file, expected a header naming the columns (e.g. "
                       WL_TRACE_HEADER ")", t->path), -1;
    if (st == CSVREAD_EOF || rec.line != 1) {
        errmsg_set(err, errlen, "%s:1: line 1 must be the header naming the columns (e.g. "
                WL_TRACE_HEADER ")", t->path);
        read_rest(t->r, err, errlen);
        return -1;
    }
    if (t->colname) { /* pass 2: the same header */
        if (rec.nfields != t->ncols)
            return errmsg_set(err, errlen, "%s: the file changed while it was read", t->path), -1;
        return 0;
    }
    t->ncols = rec.nfields;
    t->colname = calloc(t->ncols, sizeof *t->colname);
    if (!t->colname)
        return errmsg_set(err, errlen, "%s: out of memory", t->path), -1;
    for (size_t i = 0; i < t->ncols; i++)
        if (!(t->colname[i] = strdup(rec.fields[i])))
            return errmsg_set(err, errlen, "%s: out of memory", t->path), -1;
    {
        int numeric = 1;
        for (size_t i = 0; i < t->ncols; i++)
            numeric &= looks_numeric(rec.fields[i]);
        if (numeric) {
            errmsg_set(err, errlen, "%s:1: line 1 must be the header naming the columns (e.g. "
                    WL_TRACE_HEADER "); it reads '%s'", t->path, rec.fields[0]);
            read_rest(t->r, err, errlen);
            return -1;
        }
    }
    if (map_columns(t, c->workload.trace_columns, err, errlen)) {
        read_rest(t->r, err, errlen);
        return -1;
    }
    return 0;
}

/* Checks the field count of a record: 0, or -1 with err set. */
static int check_fields(const trace_t *t, const csvread_record *rec, char *err, size_t errlen)
{
    if (rec->nfields < t->ncols)
        return ROW_ERR("%s:%zu: missing column '%s'", t->path, rec->line,
                       t->colname[rec->nfields]);
    if (rec->nfields != t->ncols)
        return ROW_ERR("%s:%zu: %zu columns, the header has %zu", t->path, rec->line,
                       rec->nfields, t->ncols);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* After pass 1: integer keys, or ranks of the strings in byte order. */
static int settle_keys(trace_t *t, int all_int, char *err, size_t errlen)
{
    size_t n = intern_count(t->keys);
    t->info.keys = n ? n : 1;
    t->info.string_keys = n > 0 && !all_int;
    if (!t->info.string_keys)
        return 0;
    t->sorted = malloc(n * sizeof *t->sorted);
    t->rank = malloc(n * sizeof *t->rank);
    if (!t->sorted || !t->rank)
        return errmsg_set(err, errlen, "%s: out of memory", t->path), -1;
    for (size_t i = 0; i < n; i++)
        t->sorted[i] = (char *)intern_name(t->keys, (uint32_t)i);
    qsort(t->sorted, n, sizeof *t->sorted, cmp_str);
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        (void)intern_id(t->keys, t->sorted[i], strlen(t->sorted[i]), &id); /* present */
        t->rank[id] = (uint32_t)i;
    }
    return 0;
}

/* The origin from c->workload.trace_origin, given the least event time and
 * the greatest time of the file (absolute, in the trace's units). */
static int settle_origin(trace_t *t, const config_t *c, ttime lo, ttime hi, char *err,
                         size_t errlen)
{
    const char *o = c->workload.trace_origin;
    static const ttime zero = {0, 0};
    ttime x;
    t->origin = zero;
    if (!*o || strcasecmp(o, "auto") == 0) {
        int first = t->info.time_format == TIME_ISO8601 || tdiff(lo, zero) > tdiff(hi, lo);
        if (first && t->info.rows)
            t->origin = lo;
    } else if (strcasecmp(o, "first") == 0) {
        if (t->info.rows)
            t->origin = lo;
    } else if (parse_iso(o, &x) == 0) { /* s since 1970 */
        t->origin.whole = x.whole * per_s(t);
        t->origin.frac = x.frac * per_s(t);
    } else if (parse_number(o, &x) == 0) { /* trace_time_unit */
        long double k = t->info.time_format == TIME_ISO8601 ? 1.0L / unit_div[t->unit] : 1.0L;
        t->origin.whole = x.whole * k;
        t->origin.frac = x.frac * k;
    } else {
        return errmsg_set(err, errlen,
                       "workload.trace_origin = %s: not auto, first, a number (in "
                       "trace_time_unit) or an ISO-8601 time such as 2024-03-01T12:00:00Z", o),
               -1;
    }
    t->info.origin = (t->origin.whole + t->origin.frac) / per_s(t);
    if (!t->info.rows)
        return 0;
    t->info.first_event_s = (double)(tdiff(lo, t->origin) / per_s(t));
    t->info.last_time_s = (double)(tdiff(hi, t->origin) / per_s(t));
    return 0;
}

trace_t *trace_open(const config_t *c, const volatile int *stop, char *err, size_t errlen)
{
    trace_t *t = calloc(1, sizeof *t);
    csvread_record rec;
    ttime lo = {INFINITY, 0}, hi = {-INFINITY, 0};
    int st, all_int = 1;
    struct { size_t line; char text[64]; } neg = {0, ""}, lo_at = {0, ""};
    pass1 p1;
    memset(&p1, 0, sizeof p1);
    if (!t || !(t->keys = intern_alloc())) {
        errmsg_set(err, errlen, "trace: out of memory");
        trace_close(t);
        return NULL;
    }
    snprintf(t->path, sizeof t->path, "%s", c->workload.trace);
    t->stop = stop;
    t->unit = c->workload.trace_time_unit;
    t->info.delim = ',';
    if (open_reader(t, err, errlen))
        goto fail;
    st = csvread_next(t->r, &rec);
    if (st == CSVREAD_RECORD && rec.line == 1)
        t->info.delim = detect_delim(&rec);
    if (open_reader(t, err, errlen) || read_header(t, c, err, errlen))
        goto fail;
    t->info.time_format = c->workload.trace_time_format;
    t->info.arrival_sorted = t->info.has_arrival;
    t->info.event_sorted = 1;
    t->info.id_field = (int)t->col[R_ID] + 1;
    t->info.event_field = (int)t->col[R_EVENT] + 1;
    t->info.arrival_field = (int)t->col[R_ARRIVAL] + 1;
    if (t->info.has_id) {
        if (seenset_init(&p1.ids)) {
            errmsg_set(err, errlen, "%s: out of memory", t->path);
            goto fail;
        }
        p1.ids_on = 1;
    }
    while ((st = csvread_next(t->r, &rec)) == CSVREAD_RECORD) {
        workload_event ev;
        ttime ae, aa;
        uint32_t kid, v;
        if (check_fields(t, &rec, err, errlen))
            goto row_fail;
        if (t->info.time_format == TIME_AUTO) {
            const char *s = rec.fields[t->col[R_EVENT]];
            ttime x;
            t->info.time_format = !looks_numeric(s) && parse_iso(s, &x) == 0 ? TIME_ISO8601
                                                                              : TIME_NUMBER;
        }
        if (parse_row(t, rec.line, t->info.rows + 1, rec.fields, &ev, &kid, &ae, &aa, err,
                      errlen))
            goto row_fail;
        if (tdiff(ae, (ttime){0, 0}) < 0 && !neg.line) { /* judged once the origin is known */
            neg.line = rec.line;
            snprintf(neg.text, sizeof neg.text, "%s", rec.fields[t->col[R_EVENT]]);
        }
        if (t->info.rows == 0 || tdiff(ae, lo) < 0) {
            lo_at.line = rec.line;
            snprintf(lo_at.text, sizeof lo_at.text, "%s", rec.fields[t->col[R_EVENT]]);
        }
        if (kid != UINT32_MAX) {
            const char *name = intern_name(t->keys, kid);
            all_int &= canonical_u32(name, strlen(name), &v);
        }
        if (t->info.rows == 0 || tdiff(ae, lo) < 0)
            lo = ae;
        if (t->info.rows == 0 || tdiff(aa, hi) > 0)
            hi = aa;
        if (pass1_row(t, &p1, &rec, &ev, ae, aa, err, errlen))
            goto row_fail;
        t->info.rows++;
    }
    if (st == CSVREAD_ERR) {
        errmsg_set(err, errlen, "%s", csvread_error(t->r));
        goto fail;
    }
    if (t->info.time_format == TIME_AUTO)
        t->info.time_format = TIME_NUMBER;
    if (settle_keys(t, all_int, err, errlen) || settle_origin(t, c, lo, hi, err, errlen))
        goto fail;
    if (t->origin.whole == 0 && t->origin.frac == 0 && neg.line) {
        errmsg_set(err, errlen, "%s:%zu: column '%s': negative time %s (set trace_origin = first "
                "to start the run at the first event)", t->path, neg.line,
                t->colname[t->col[R_EVENT]], neg.text);
        goto fail;
    }
    if (t->info.rows && tdiff(lo, t->origin) < 0) {
        errmsg_set(err, errlen, "%s:%zu: column '%s': %s is before workload.trace_origin = %s "
                "(set trace_origin = first to start the run at the first event)", t->path,
                lo_at.line, t->colname[t->col[R_EVENT]], lo_at.text, c->workload.trace_origin);
        goto fail;
    }
    if (check_values(t, err, errlen))
        goto fail;
    t->info.ids_checked = p1.ids_on;
    if (p1.dup_line) {
        errmsg_set(err, errlen, "%s:%zu: duplicate id %" PRIu64 " (first on line %zu)", t->path,
                   p1.dup_line, p1.dup_id, first_line_of(t, p1.dup_id));
        goto fail;
    }
    if (settle_blocks(t, err, errlen))
        goto fail;
    /* pass 2 from the start */
    t->pass2 = 1;
    if (open_reader(t, err, errlen) || read_header(t, c, err, errlen))
        goto fail;
    if (p1.ids_on)
        seenset_free(&p1.ids);
    return t;
row_fail:
    read_rest(t->r, err, errlen);
fail:
    if (p1.ids_on)
        seenset_free(&p1.ids);
    trace_close(t);
    return NULL;
}

void trace_close(trace_t *t)
{
    if (!t)
        return;
    csvread_close(t->r);
    if (t->colname)
        for (size_t i = 0; i < t->ncols; i++)
            free(t->colname[i]);
    free(t->colname);
    intern_free(t->keys);
    free(t->rank);
    free(t->sorted);
    free(t->keybuf);
    free(t->bmin);
    free(t->bmin_d);
    free(t->bsuf);
    free(t);
}

const char *trace_path(const trace_t *t)
{
    return t->path;
}

double trace_min_event_from(const trace_t *t, size_t block)
{
    return block < t->nb ? t->bsuf[block] : INFINITY;
}

const trace_info *trace_get_info(const trace_t *t)
{
    return &t->info;
}

int trace_next(trace_t *t, workload_event *ev, size_t *line)
{
    csvread_record rec;
    ttime ae, aa;
    uint32_t kid;
    if (t->err[0])
        return TRACE_ERR;
    int st = csvread_next(t->r, &rec);
    if (st == CSVREAD_EOF) {
        if (t->row != t->info.rows) {
            errmsg_set(t->err, sizeof t->err, "%s: the file changed while it was read", t->path);
            return TRACE_ERR;
        }
        return TRACE_EOF;
    }
    if (st == CSVREAD_ERR) {
        errmsg_set(t->err, sizeof t->err, "%s", csvread_error(t->r));
        return TRACE_ERR;
    }
    if (t->row == t->info.rows || check_fields(t, &rec, t->err, sizeof t->err) ||
        parse_row(t, rec.line, t->row + 1, rec.fields, ev, &kid, &ae, &aa, t->err,
                  sizeof t->err)) {
        if (!t->err[0] || t->row == t->info.rows)
            errmsg_set(t->err, sizeof t->err, "%s: the file changed while it was read", t->path);
        return TRACE_ERR;
    }
    if (kid == UINT32_MAX)
        ev->key = 0;
    else if (t->info.string_keys)
        ev->key = kid < intern_count(t->keys) ? t->rank[kid] : 0;
    else
        ev->key = (uint32_t)strtoul(intern_name(t->keys, kid), NULL, 10);
    t->row++;
    *line = rec.line;
    return TRACE_ROW;
}

const char *trace_error(const trace_t *t)
{
    return t->err;
}

const char *trace_key_name(const trace_t *t, uint32_t id)
{
    if (!t || !t->info.string_keys || id >= intern_count(t->keys))
        return NULL;
    return t->sorted[id];
}

/* The civil date of a day count since 1970-01-01 (Hinnant's civil_from_days). */
static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

void trace_describe(const trace_t *t, char *buf, size_t n)
{
    static const char *const unit[] = {"s", "ms", "us", "ns"};
    static const char *const delim[] = {"','", "';'", "tab"};
    const trace_info *i = &t->info;
    char at[160];
    if (i->time_format == TIME_ISO8601 || i->origin > 1e8) { /* an epoch time: say when */
        long long ms = llroundl(i->origin * 1000);
        long day = (long)(ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000)), y, m, d;
        long msd = (long)(ms - (long long)day * 86400000);
        civil_from_days(day, &y, &m, &d);
        snprintf(at, sizeof at, "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%03ldZ (%.15Lg s)", y, m, d,
                 msd / 3600000, msd / 60000 % 60, msd / 1000 % 60, msd % 1000, i->origin);
    } else {
        snprintf(at, sizeof at, "%.17Lg %s", i->origin * (i->time_format == TIME_ISO8601 ? 1 :
                 unit_div[t->unit]), unit[t->unit]);
    }
    snprintf(buf, n, "%zu rows, delimiter %s, %s times%s%s, t = 0 at %s, %zu %s key%s, "
             "arrival_time %s, %s", i->rows, delim[i->delim == ',' ? 0 : i->delim == ';' ? 1 : 2],
             i->time_format == TIME_ISO8601 ? "ISO-8601" : "numeric",
             i->time_format == TIME_ISO8601 ? "" : " in ",
             i->time_format == TIME_ISO8601 ? "" : unit[t->unit], at, i->keys,
             i->string_keys ? "string" : "integer", i->keys == 1 ? "" : "s",
             i->has_arrival ? "read" : "filled in from the delay model",
             i->arrival_sorted ? "rows in arrival order (read as the run goes)"
             : i->event_sorted ? "rows in event-time order (read as the run goes)"
                               : "rows in no time order (sorted in memory)");
}

int trace_write_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = n > 0 && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]));
    quote |= strpbrk(s, ",;\t\"\r\n") != NULL;
    if (!quote)
        return fputs(s, f) < 0 ? -1 : 0;
    if (fputc('"', f) == EOF)
        return -1;
    for (; *s; s++)
        if ((*s == '"' && fputc('"', f) == EOF) || fputc(*s, f) == EOF)
            return -1;
    return fputc('"', f) == EOF ? -1 : 0;
}

int trace_format_value(int64_t v, int decimals, char *buf)
{
    if (decimals <= 0)
        return snprintf(buf, 32, "%" PRId64, v);
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = (uint64_t)pow10_i64[decimals];
    return snprintf(buf, 32, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", m / p, decimals,
                    m % p);
}
