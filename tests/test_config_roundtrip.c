/*
 * test_cfg_roundtrip: the effective config.ini reads back to the same
 * configuration whatever the values hold.
 *
 *  - every key of the table (iterated, never listed by hand) gets hostile
 *    but legal values for its kind, set through config_set (the --set path),
 *    given raw where a raw --set can say it and in quotes always; the
 *    value set is checked against an independent reading of the text, then
 *    written with config_write_ini, loaded back, and the struct compared with
 *    memcmp (doubles bit for bit); writing the loaded config again gives
 *    the same bytes, every line fits inih, and config_get's text sets the
 *    same value again;
 *  - a property test: many random configs (fixed seed) of random hostile
 *    values, with random choices of escapes in the --set text;
 *  - the quoting rule's errors, in --set and in a file;
 *  - the CLI: a trace at a path with ';', '#', '=', quotes, blanks and
 *    non-ASCII, given with --set; running OUT/config.ini gives
 *    byte-identical results.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/config.h"

#include "util.h"

#define BIG (16 * CFG_PATH_MAX)

/* ---- helpers ---------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert(d);
    return d;
}

/* Writes c to a temporary config.ini, checks every line fits inih's
 * buffer (197 characters), loads it over fresh defaults into *back and
 * returns the bytes written (caller frees). */
static char *write_load(const config_t *c, config_t *back, const char *what)
{
    /* thousands of these: in memory (/dev/shm) when there is one */
    char name[64], err[CFG_ERR_MAX];
    snprintf(name, sizeof name, "%s/sluice_test_rt_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    int fd = mkstemp(name);
    cr_assert(fd >= 0);
    close(fd);
    FILE *f = fopen(name, "w");
    int wrc = f ? config_write_ini(c, f) : CFG_ERR;
    int crc = f ? fclose(f) : EOF;
    size_t len = 0;
    char *text = util_slurp(name, &len);
    config_defaults(back);
    int rc = config_load(back, name, err, sizeof err);
    unlink(name); /* before any assertion can end the test */
    cr_assert_eq(wrc, CFG_OK, "%s: config_write_ini failed", what);
    cr_assert_eq(crc, 0);
    cr_assert(text);
    cr_assert_eq(strlen(text), len, "%s: config.ini holds a NUL byte", what);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        cr_assert(nl, "%s: config.ini does not end with a line break", what);
        cr_assert_leq((size_t)(nl - p), 197, "%s: line too long for inih: %.*s", what,
                      (int)(nl - p), p);
        for (const char *q = p; q < nl; q++)
            cr_assert(*q != '\r', "%s: raw CR written", what);
        p = nl + 1;
    }
    cr_assert_eq(rc, CFG_OK, "%s: reading back the written config.ini failed: %s\n%s", what,
                 err, text);
    return text;
}

/* memcmp after equalizing path (the file read); names the first key that
 * differs otherwise. */
static void assert_same(const config_t *a, const config_t *b0, const char *what)
{
    config_t b = *b0;
    memcpy(b.path, a->path, sizeof b.path);
    if (memcmp(a, &b, sizeof b) == 0)
        return;
    static char va[BIG], vb[BIG];
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *s, *k;
        config_key_at(i, &s, &k);
        cr_assert_eq(config_get(a, s, k, va, sizeof va), CFG_OK);
        cr_assert_eq(config_get(&b, s, k, vb, sizeof vb), CFG_OK);
        cr_assert_str_eq(va, vb, "%s: %s.%s differs", what, s, k);
    }
    cr_assert_fail("%s: structs differ, but no key does", what);
}

/* What config_write_ini makes of a relative path: the current folder
 * prefixed, leading "./" dropped. */
static void absolutize(config_t *c)
{
    char cwd[CFG_PATH_MAX];
    cr_assert(getcwd(cwd, sizeof cwd));
    for (size_t i = 0; i < config_key_count(); i++) {
        config_key_info in;
        config_key_info_at(i, &in);
        if (in.kind != CFG_KIND_PATH)
            continue;
        char *p = (char *)c + in.offset;
        if (!p[0] || p[0] == '/')
            continue;
        const char *v = p;
        while (v[0] == '.' && v[1] == '/')
            v += 2;
        char tmp[2 * CFG_PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s/%s", cwd, v);
        cr_assert_lt(strlen(tmp), CFG_PATH_MAX);
        memset(p, 0, CFG_PATH_MAX);
        strcpy(p, tmp);
    }
}

/* The whole round trip of c: written and read back it is c (relative
 * paths made absolute); written again, the same bytes; and config_set of
 * config_get's text, over the defaults, gives the same config: for every
 * key, or (c differing from the defaults in that key only) for key
 * `only` alone. */
static void check_round_trip(const config_t *c, const char *what, size_t only)
{
    config_t expect = *c, b1, b2;
    absolutize(&expect);
    char *t1 = write_load(c, &b1, what);
    assert_same(&expect, &b1, what);
    char *t2 = write_load(&b1, &b2, what);
    cr_assert_str_eq(t1, t2, "%s: config.ini written again differs", what);
    assert_same(&b1, &b2, what);
    free(t1);
    free(t2);

    static char val[BIG], set[BIG + 64];
    char err[CFG_ERR_MAX];
    config_t d;
    config_defaults(&d);
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *s, *k;
        if (only != SIZE_MAX && i != only)
            continue;
        config_key_at(i, &s, &k);
        cr_assert_eq(config_get(&b1, s, k, val, sizeof val), CFG_OK, "%s: config_get %s.%s", what,
                     s, k);
        snprintf(set, sizeof set, "%s.%s=%s", s, k, val);
        cr_assert_eq(config_set(&d, set, err, sizeof err), CFG_OK, "%s: config_get's text: %s",
                     what, err);
    }
    assert_same(&b1, &d, "config_set(config_get)");
}

/* splitmix64: the tests' own fixed-seed random numbers */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* raw in double quotes (the rule of model/config.h).  rng NULL: the plain escapes
 * (\" \\ \; \t \xHH for control bytes); otherwise a random mix of those,
 * \xHH for any byte, \# for '#' and raw ';' where inih allows it. */
static char *quote(const char *raw, uint64_t *rng)
{
    size_t n = strlen(raw);
    char *q = malloc(4 * n + 3), *o = q;
    cr_assert(q);
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)raw[i];
        int r = rng ? (int)(next(rng) % 4) : -1;
        if (ch && r == 0) {
            o += sprintf(o, "\\x%02x", ch);
        } else if (ch == '"' || ch == '\\') {
            *o++ = '\\';
            *o++ = (char)ch;
        } else if (ch == ';') {
            /* raw only where it does not follow a blank */
            int after_blank = i > 0 && isspace((unsigned char)raw[i - 1]);
            if (r == 1 && !after_blank) {
                *o++ = ';';
            } else {
                *o++ = '\\';
                *o++ = ';';
            }
        } else if (ch == '#' && r == 1) {
            *o++ = '\\';
            *o++ = '#';
        } else if (ch == '\t' && r != 2) {
            *o++ = '\\';
            *o++ = 't';
        } else if (ch < 0x20 || ch == 0x7f) {
            o += sprintf(o, "\\x%02X", ch);
        } else {
            *o++ = (char)ch;
        }
    }
    *o++ = '"';
    *o = '\0';
    return q;
}

/* Can raw be given unquoted after --set key=?  (--set trims blanks and
 * reads a leading '"' as a quote.) */
static int raw_ok(const char *raw)
{
    size_t n = strlen(raw);
    return n == 0 || (!isspace((unsigned char)raw[0]) && !isspace((unsigned char)raw[n - 1])
                      && raw[0] != '"');
}

static int in_range(const config_key_info *in, double v)
{
    if (in->min_open ? !(v > in->min) : !(v >= in->min))
        return 0;
    if (in->max_open ? !(v < in->max) : !(v <= in->max))
        return 0;
    return 1;
}

/* A growing list of strings. */
typedef struct {
    char **v;
    size_t n, cap;
} strs;

static void push(strs *l, char *s) /* takes s */
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        cr_assert(l->v);
    }
    l->v[l->n++] = s;
}

static void pushf(strs *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pushf(strs *l, const char *fmt, ...)
{
    char buf[BIG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    push(l, xstrdup(buf));
}

static void strs_free(strs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- hostile legal values of each kind --------------------------------- */

/* Doubles worth trying: bounds, neighbours of bounds, subnormals, values
 * that need 17 digits, huge ones.  Only those in range are kept. */
static void double_values(const config_key_info *in, double *out, size_t *n)
{
    const double cand[] = {
        in->min, nextafter(in->min, INFINITY), in->max, nextafter(in->max, -INFINITY),
        DBL_MAX, nextafter(DBL_MAX, 0), 1e308, 1e300, 1e-300, 5e-324, 1e-310,
        2.2250738585072009e-308 /* largest subnormal */, DBL_MIN, 0.1, 0.2, 0.3,
        1.0 / 3.0, 2.0 / 3.0, M_PI, M_E, 123456789.12345678, 9007199254740993.0,
        4294967295.0, 0.5, 1, 2, 10, 100, 1e6, 1e9, nextafter(1e9, 0), 1e15 + 0.3,
        nextafter(1.0, 2.0), nextafter(1.0, 0.0), 0
    };
    *n = 0;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
        if (isfinite(cand[i]) && in_range(in, cand[i]))
            out[(*n)++] = cand[i];
}

/* Texts of numbers, as a user might write them. */
static void number_texts(const config_key_info *in, strs *l)
{
    double v[64];
    size_t n;
    double_values(in, v, &n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        pushf(l, "%.17g", v[i]);
        if (i % 3 == 0)
            pushf(l, "%.40g", v[i]); /* many digits */
        else if (i % 3 == 1)
            pushf(l, "%a", v[i]);    /* hex float */
        else
            pushf(l, "%.17e", v[i]);
    }
    if (in_range(in, 0.1))
        pushf(l, "0.1000000000000000055511151231257827021181583404541015625");
    if (in_range(in, 0)) {
        pushf(l, "-0");
        pushf(l, "-0.0e+00");
        pushf(l, "0000.0000");
    }
    if (in_range(in, 1))
        pushf(l, "+1.0000000000000000000000000000001");
}

static void path_values(strs *l)
{
    char buf[CFG_PATH_MAX];
    const char *fixed[] = {
        "",
        "/tmp/a  b   c",
        "/tmp/x ;y",
        "/tmp/x;y",
        "/tmp/;",
        "/tmp/ ;",
        "/tmp/a ; b ;; c ;",
        "/tmp/a\t;b",
        "/tmp/#x",
        "/tmp/a #b # c",
        "/tmp/=",
        "/tmp/a = b == c",
        "/tmp/a:b",
        "/tmp/[run]",
        "/tmp/\"q\"",
        "/tmp/back\\slash\\",
        "/tmp/\\\"",
        "/tmp/x\\;y",
        "\"starts with a quote",
        "\"",
        "\"\"",
        "/tmp/ends with a quote\"",
        "   /three blanks first",
        "/three blanks last   ",
        " ",
        "          ",
        "\t/tab\t",
        "/tmp/tab\tin",
        "/tmp/\xc3\xa9 \xc3\xbc \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80",
        "/tmp/\xc2\xa0nbsp\xc2\xa0",
        "/tmp/\xff\xfe not UTF-8 \x80",
        "/tmp/\x01\x1b[31m\x7f",
        "/tmp/cr\rx",
        "/tmp/vt\v ff\f",
        ";starts with a semicolon",
        "#starts with a hash",
        "=starts with equals",
        "./relative/file.csv",
        "relative ;odd# =name",
        "/tmp/normal dir/a;b#c=d:e/\xc3\xa9.csv",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        push(l, xstrdup(fixed[i]));

    /* long: the longest path the struct holds, of every hostile byte */
    static const char *const unit = "/a ;#=\"\\\xc3\xa9  \t;x";
    size_t n = 0;
    while (n + strlen(unit) < CFG_PATH_MAX - 1)
        n += (size_t)sprintf(buf + n, "%s", unit);
    while (n < CFG_PATH_MAX - 1)
        buf[n++] = ' ';
    buf[n] = '\0';
    push(l, xstrdup(buf)); /* 1023 bytes, ends with blanks */
    /* long: every byte escaped as \xHH (the longest quoted form) */
    buf[0] = '/';
    for (n = 1; n < CFG_PATH_MAX - 1; n++)
        buf[n] = n % 31 == 9 ? '\x7f' : (char)(1 + n % 31); /* never '\n' */
    buf[n] = '\0';
    push(l, xstrdup(buf));
    /* long and plain (written unquoted, over continuation lines) */
    for (n = 0; n < CFG_PATH_MAX - 1; n++)
        buf[n] = n % 10 == 0 ? '/' : (char)('a' + n % 26);
    buf[n] = '\0';
    push(l, xstrdup(buf));
    /* long, only blanks after one '/' */
    buf[0] = '/';
    memset(buf + 1, ' ', CFG_PATH_MAX - 2);
    buf[CFG_PATH_MAX - 1] = '\0';
    push(l, xstrdup(buf));
    /* long: a piece of the plain split would start with '"' or '#' or ';' */
    for (int c = 0; c < 3; c++) {
        memset(buf, 'a', 600);
        buf[0] = '/';
        for (size_t j = 75; j < 600; j += 75) /* 150, 300, 450: where it cuts */
            buf[j] = "\"#;"[c];
        buf[600] = '\0';
        push(l, xstrdup(buf));
    }
    /* long runs of blanks across the line cuts */
    n = (size_t)sprintf(buf, "/tmp/");
    for (size_t j = 0; j < 6; j++) {
        memset(buf + n, ' ', 140);
        n += 140;
        buf[n++] = (char)('a' + j);
    }
    buf[n] = '\0';
    push(l, xstrdup(buf));
    /* UTF-8 right at the line cuts */
    n = 0;
    buf[n++] = '/';
    while (n + 4 < 900)
        n += (size_t)sprintf(buf + n, "\xe6\x97\xa5");
    buf[n] = '\0';
    push(l, xstrdup(buf));
}

static void list_texts(const config_key_info *in, strs *l)
{
    double v[64];
    size_t n;
    double_values(in, v, &n);
    static char buf[BIG];
    push(l, xstrdup(""));
    pushf(l, "%.17g", v[0]);
    pushf(l, "  %.17g ,\t%.17g  ,", v[0], v[n - 1]); /* blanks, a trailing comma */
    /* the most items, of every extreme value, in three spellings */
    const char *fmts[] = { "%.17g", "%a", "%.40g" };
    for (size_t f = 0; f < 3; f++) {
        size_t len = 0;
        for (size_t i = 0; i < CFG_LIST_MAX; i++) {
            len += (size_t)snprintf(buf + len, sizeof buf - len, fmts[f], v[i % n]);
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s",
                                    i + 1 < CFG_LIST_MAX ? ", " : "");
        }
        push(l, xstrdup(buf));
    }
    if (in_range(in, 0.1)) {
        size_t len = 0;
        for (size_t i = 0; i < CFG_LIST_MAX; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
                                    "0.1000000000000000055511151231257827021181583404541015625",
                                    i + 1 < CFG_LIST_MAX ? "," : "");
        push(l, xstrdup(buf));
    }
}

static void word_texts(const config_key_info *in, strs *l)
{
    for (size_t i = 0; in->words[i]; i++) {
        char up[64];
        size_t j = 0;
        for (; in->words[i][j] && j < sizeof up - 1; j++)
            up[j] = (char)toupper((unsigned char)in->words[i][j]);
        up[j] = '\0';
        push(l, xstrdup(in->words[i]));
        push(l, xstrdup(up));
    }
    if (in->kind == CFG_KIND_BOOL) {
        const char *more[] = { "true", "FALSE", "yes", "No", "1", "0" };
        for (size_t i = 0; i < 6; i++)
            push(l, xstrdup(more[i]));
    }
}

static void executor_texts(const config_key_info *in, strs *l)
{
    size_t n = 0;
    while (in->words[n])
        n++;
    cr_assert_eq(n, 3);
    push(l, xstrdup(""));
    static const int perm[6][3] = { {0,1,2}, {0,2,1}, {1,0,2}, {1,2,0}, {2,0,1}, {2,1,0} };
    for (size_t p = 0; p < 6; p++)
        for (size_t len = 1; len <= 3; len++) {
            char buf[128] = "";
            for (size_t j = 0; j < len; j++) {
                strcat(buf, j ? (p % 2 ? " ,\t " : ",") : "");
                strcat(buf, in->words[perm[p][j]]);
            }
            push(l, xstrdup(buf));
        }
    push(l, xstrdup("STREAM, Batch"));
}

/* ---- what the value set must be --------------------------------------- */

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    cr_assert(end != s && *end == '\0', "test bug: '%s' is not a number", s);
    return v == 0 ? 0.0 : v; /* -0 is stored as 0 */
}

/* The field of key `in` after config_set of raw: checked against an own
 * reading of raw (not the parser's). */
static void check_field(const config_t *c, const config_key_info *in, const char *raw,
                        const char *what)
{
    const void *f = (const char *)c + in->offset;
    switch (in->kind) {
    case CFG_KIND_DOUBLE: {
        double want = num(raw), got = *(const double *)f;
        cr_assert(memcmp(&want, &got, sizeof got) == 0, "%s: %.17g stored, %.17g wanted",
                  what, got, want);
        break;
    }
    case CFG_KIND_INT:
        cr_assert_eq(*(const int *)f, (int)strtol(raw, NULL, 10), "%s", what);
        break;
    case CFG_KIND_U64:
        cr_assert_eq(*(const uint64_t *)f, (uint64_t)strtoull(raw, NULL, 10), "%s", what);
        break;
    case CFG_KIND_WORD:
    case CFG_KIND_BOOL: {
        int want = -1;
        for (int i = 0; in->words[i]; i++)
            if (strcasecmp(raw, in->words[i]) == 0)
                want = i;
        if (want < 0)
            want = strchr("tTyY1", raw[0]) ? 1 : 0;
        cr_assert_eq(*(const int *)f, want, "%s", what);
        break;
    }
    case CFG_KIND_LIST: {
        const config_list *lst = f;
        char *copy = xstrdup(raw);
        size_t n = 0;
        for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
            char *t = tok;
            while (isspace((unsigned char)*t))
                t++;
            if (!*t)
                continue;
            cr_assert_lt(n, lst->n, "%s: too few items stored", what);
            double want = num(t);
            cr_assert(memcmp(&want, &lst->v[n], sizeof want) == 0, "%s: item %zu", what, n);
            n++;
        }
        cr_assert_eq(n, lst->n, "%s: %zu items stored, %zu given", what, lst->n, n);
        free(copy);
        break;
    }
    case CFG_KIND_EXECUTORS: {
        const int *ex = f;
        for (int i = 0; i < EXEC_COUNT; i++) {
            int listed = 0;
            char *copy = xstrdup(raw);
            for (char *tok = strtok(copy, ", \t"); tok; tok = strtok(NULL, ", \t"))
                listed |= strcasecmp(tok, in->words[i]) == 0;
            free(copy);
            cr_assert_eq(ex[i] != 0, listed, "%s: executor %s", what, in->words[i]);
        }
        break;
    }
    case CFG_KIND_PATH:
    case CFG_KIND_TEXT:
        cr_assert_str_eq((const char *)f, raw, "%s: path stored differs", what);
        break;
    default:
        cr_assert_fail("%s: unknown kind %d", what, in->kind);
    }
}

/* Sets section.key to the text `text` (raw is what it should mean). */
static void set_ok(config_t *c, const char *sec, const char *key, const char *text)
{
    static char a[BIG];
    char err[CFG_ERR_MAX];
    snprintf(a, sizeof a, "%s.%s=%s", sec, key, text);
    cr_assert_eq(config_set(c, a, err, sizeof err), CFG_OK, "--set %.300s refused: %s", a, err);
}

static void values_of(const config_key_info *in, strs *l)
{
    switch (in->kind) {
    case CFG_KIND_DOUBLE:
        number_texts(in, l);
        break;
    case CFG_KIND_INT: {
        int lo = (int)in->min, hi = (int)in->max;
        const long v[] = { lo, lo + 1, hi, hi - 1, (lo + (long)hi) / 2 };
        for (size_t i = 0; i < 5; i++) {
            pushf(l, "%ld", v[i]);
            pushf(l, "+%ld", v[i]);
            pushf(l, "000%ld", v[i]);
        }
        break;
    }
    case CFG_KIND_U64: {
        const char *v[] = { "0", "1", "18446744073709551615", "18446744073709551614",
                            "9007199254740993", "00000000000000000000042" };
        for (size_t i = 0; i < 6; i++)
            push(l, xstrdup(v[i]));
        break;
    }
    case CFG_KIND_WORD:
    case CFG_KIND_BOOL:
        word_texts(in, l);
        break;
    case CFG_KIND_LIST:
        list_texts(in, l);
        break;
    case CFG_KIND_EXECUTORS:
        executor_texts(in, l);
        break;
    case CFG_KIND_PATH:
    case CFG_KIND_TEXT:
        path_values(l);
        break;
    default:
        cr_assert_fail("unknown kind %d", in->kind);
    }
}

/* ---- every key, hostile values ----------------------------------------- */

Test(config_roundtrip, every_key_hostile_values)
{
    size_t checked = 0, quoted_paths = 0;
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *sec, *key;
        config_key_info in;
        cr_assert_eq(config_key_at(i, &sec, &key), CFG_OK);
        cr_assert_eq(config_key_info_at(i, &in), CFG_OK);
        strs vals = { 0 };
        values_of(&in, &vals);
        cr_assert_gt(vals.n, 2, "%s.%s: too few values to try", sec, key);
        for (size_t j = 0; j < vals.n; j++) {
            const char *raw = vals.v[j];
            char what[160];
            for (int form = 0; form < 2; form++) {
                if (form == 0 && !raw_ok(raw))
                    continue;
                if (form == 1 && in.kind != CFG_KIND_PATH && in.kind != CFG_KIND_TEXT
                    && raw_ok(raw) && j % 4 != 0)
                    continue; /* quotes around numbers and words: now and then */
                char *q = form ? quote(raw, NULL) : xstrdup(raw);
                snprintf(what, sizeof what, "%s.%s value %zu (%s)", sec, key, j,
                         form ? "quoted" : "raw");
                config_t c;
                config_defaults(&c);
                set_ok(&c, sec, key, q);
                check_field(&c, &in, raw, what);
                check_round_trip(&c, what, i);
                checked++;
                free(q);
            }
            if (in.kind == CFG_KIND_PATH && raw[0] == '/') {
                /* absolute: the file holds it quoted exactly when a plain
                 * piece would not read back */
                config_t c, b;
                config_defaults(&c);
                char *q = quote(raw, NULL);
                set_ok(&c, sec, key, q);
                free(q);
                char *t = write_load(&c, &b, "path form");
                char line[CFG_PATH_MAX + 64];
                snprintf(line, sizeof line, "\n%s = %s\n", key, raw);
                int plain = strlen(raw) <= 150 && !strpbrk(raw, "\"\t\r\v\f\x01\x1b\x7f")
                            && !strstr(raw, " ;") && raw[strlen(raw) - 1] != ' ';
                if (plain)
                    cr_assert(strstr(t, line), "%s.%s: '%s' not written as it is:\n%s", sec,
                              key, raw, t);
                int must = isspace((unsigned char)raw[strlen(raw) - 1]) || strstr(raw, " ;")
                           || strstr(raw, "\t;") || strpbrk(raw, "\t\r\v\f\x01\x1b\x7f");
                snprintf(line, sizeof line, "\n%s = \"", key);
                if (must) {
                    cr_assert(strstr(t, line), "%s.%s: '%s' not quoted:\n%s", sec, key, raw, t);
                    quoted_paths++;
                }
                free(t);
            }
        }
        strs_free(&vals);
    }
    cr_log_info("%zu values checked, %zu paths quoted", checked, quoted_paths);
    cr_assert_gt(checked, 1000, "only %zu values checked", checked);
    cr_assert_gt(quoted_paths, 10);
}

/* Values that need no quotes are written exactly as before quoting
 * existed: numbers, words, lists and ordinary paths (also long ones). */
Test(config_roundtrip, plain_values_are_written_as_they_are)
{
    config_t c, b;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "workload.trace=/data/my traces/a;b#c=d:e/\xc3\xa9.csv", err,
                         sizeof err), CFG_OK, "%s", err);
    char *t = write_load(&c, &b, "plain");
    cr_assert(strstr(t, "\ntrace = /data/my traces/a;b#c=d:e/\xc3\xa9.csv\n"), "%s", t);
    cr_assert(strstr(t, "\nwatermark_file =\n"), "%s", t);
    cr_assert_null(strchr(t, '"'), "no quotes for plain values:\n%s", t);
    free(t);
    /* a long plain path goes over indented lines, unquoted */
    char path[901], set[1000];
    for (size_t i = 0; i < 900; i++)
        path[i] = i % 9 == 0 ? '/' : (char)('a' + i % 26);
    path[900] = '\0';
    snprintf(set, sizeof set, "stream.watermark_file=%s", path);
    cr_assert_eq(config_set(&c, set, err, sizeof err), CFG_OK, "%s", err);
    t = write_load(&c, &b, "long plain");
    cr_assert_null(strchr(t, '"'), "%s", t);
    cr_assert(strstr(t, "\n    "), "no continuation line:\n%s", t);
    assert_same(&c, &b, "long plain");
    free(t);
    /* the hostile path is quoted, with \; for every ';' */
    cr_assert_eq(config_set(&c, "workload.trace=/x ;y;\"z\"\\ ", err, sizeof err), CFG_OK);
    cr_assert_str_eq(c.workload.trace, "/x ;y;\"z\"\\"); /* --set trims */
    cr_assert_eq(config_set(&c, "workload.trace=\" /x ;y;\\\"z\\\"\\\\ \"", err, sizeof err),
                 CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, " /x ;y;\"z\"\\ ");
    config_t abs = c;
    cr_assert_eq(config_set(&abs, "workload.trace=\"/x ;y;\\\"z\\\"\\\\ \"", err, sizeof err),
                 CFG_OK);
    t = write_load(&abs, &b, "quoted");
    cr_assert(strstr(t, "\ntrace = \"/x \\;y\\;\\\"z\\\"\\\\ \"\n"), "%s", t);
    free(t);
}

/* Doubles read back bit-identically, -0 becomes 0 (as "-0" parses). */
Test(config_roundtrip, doubles_bit_identical)
{
    const double v[] = { 1e-300, 5e-324, 2.2250738585072009e-308, DBL_MIN, 0.1, 1.0 / 3.0,
                         DBL_MAX, 1e308, 123456789.12345678, nextafter(0.1, 1),
                         nextafter(0.1, 0), 9007199254740993.0, 0.0 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        config_t c, b;
        config_defaults(&c);
        c.run.duration = v[i] > 0 ? v[i] : 1;
        c.stream.early_delay = v[i];
        c.faults.crash_times.n = 2;
        c.faults.crash_times.v[0] = v[i];
        c.faults.crash_times.v[1] = v[i];
        free(write_load(&c, &b, "double"));
        cr_assert(memcmp(&c.stream.early_delay, &b.stream.early_delay, sizeof(double)) == 0,
                  "%.17g read back as %.17g", v[i], b.stream.early_delay);
        assert_same(&c, &b, "doubles");
    }
    config_t c, b;
    config_defaults(&c);
    c.stream.early_delay = -0.0; /* filled in by code, not by the parser */
    char *t = write_load(&c, &b, "-0");
    cr_assert(strstr(t, "\nearly_delay = 0\n"), "%s", t);
    cr_assert(!signbit(b.stream.early_delay));
    free(t);
}

/* A path with a line break cannot get into a config through config_load or
 * config_set; put there by code, it is not written (it would not read back). */
Test(config_roundtrip, line_break_in_a_path_is_not_written)
{
    config_t c;
    config_defaults(&c);
    strcpy(c.workload.trace, "/a\nb");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    cr_assert_eq(config_write_ini(&c, f), CFG_ERR);
    fclose(f);
    free(buf);
}

/* ---- random configs ----------------------------------------------------- */

/* A random path of hostile bytes (never NUL or a line break). */
static void random_path(uint64_t *rng, char *buf)
{
    static const char *const atoms[] = {
        " ", "  ", ";", " ;", "#", "=", "\"", "\\", "\t", ":", "[", "]", "a", "b", "/",
        "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\x01", "\x7f", "\r", "\xff", ".",
        "'", ",", "\\x41", "\\;"
    };
    size_t natoms = sizeof atoms / sizeof atoms[0];
    size_t r = next(rng) % 10;
    size_t want = r < 1 ? 0 : r < 7 ? next(rng) % 60 : r < 9 ? next(rng) % 400
                                                               : CFG_PATH_MAX - 1;
    int absolute = want > 150 || next(rng) % 5 != 0; /* long relative ones overflow */
    size_t n = 0;
    if (absolute && want)
        buf[n++] = '/';
    while (n < want) {
        const char *a = atoms[next(rng) % natoms];
        size_t al = strlen(a);
        if (n + al > want)
            break;
        memcpy(buf + n, a, al);
        n += al;
    }
    buf[n] = '\0';
}

static double random_double(uint64_t *rng, const config_key_info *in)
{
    for (;;) {
        uint64_t r = next(rng);
        double v;
        switch (r % 4) {
        case 0: { /* any bit pattern */
            uint64_t bits = next(rng) & ~(1ull << 63);
            memcpy(&v, &bits, sizeof v);
            break;
        }
        case 1: { /* uniform in the range (capped) */
            double lo = in->min, hi = isinf(in->max) ? 1e6 : in->max;
            v = lo + (hi - lo) * ((double)(next(rng) >> 11) * 0x1.0p-53);
            break;
        }
        default: {
            double cand[64];
            size_t n;
            double_values(in, cand, &n);
            v = cand[next(rng) % n];
        }
        }
        if (isfinite(v) && in_range(in, v))
            return v;
    }
}

Test(config_roundtrip, random_configs_fixed_seed)
{
    uint64_t rng = 20261202;
    static char raw[BIG], text[BIG];
    size_t quoted = 0;
    for (int round = 0; round < 300; round++) {
        config_t c;
        config_defaults(&c);
        for (size_t i = 0; i < config_key_count(); i++) {
            if (next(&rng) % 2)
                continue;
            const char *sec, *key;
            config_key_info in;
            config_key_at(i, &sec, &key);
            config_key_info_at(i, &in);
            switch (in.kind) {
            case CFG_KIND_DOUBLE:
                snprintf(raw, sizeof raw, next(&rng) % 2 ? "%.17g" : "%a",
                         random_double(&rng, &in));
                break;
            case CFG_KIND_LIST: {
                size_t n = next(&rng) % (CFG_LIST_MAX + 1), len = 0;
                raw[0] = '\0';
                for (size_t j = 0; j < n; j++)
                    len += (size_t)snprintf(raw + len, sizeof raw - len, "%s%.17g",
                                            j ? (next(&rng) % 2 ? "," : " ,\t ") : "",
                                            random_double(&rng, &in));
                break;
            }
            case CFG_KIND_PATH:
            case CFG_KIND_TEXT:
                random_path(&rng, raw);
                break;
            default: {
                strs l = { 0 };
                values_of(&in, &l);
                snprintf(raw, sizeof raw, "%s", l.v[next(&rng) % l.n]);
                strs_free(&l);
            }
            }
            char *q = NULL;
            if (raw_ok(raw) && next(&rng) % 3 == 0) {
                snprintf(text, sizeof text, "%s", raw);
            } else {
                q = quote(raw, next(&rng) % 2 ? &rng : NULL);
                snprintf(text, sizeof text, "%s", q);
                quoted++;
            }
            free(q);
            set_ok(&c, sec, key, text);
            char what[128];
            snprintf(what, sizeof what, "round %d %s.%s", round, sec, key);
            check_field(&c, &in, raw, what);
        }
        char what[32];
        snprintf(what, sizeof what, "random config %d", round);
        check_round_trip(&c, what, SIZE_MAX);
    }
    cr_assert_gt(quoted, 1000);
}

/* ---- the quoting rule's errors ------------------------------------------- */

static void expect_set_error(const char *assignment, const char *expected)
{
    config_t c, before;
    char err[CFG_ERR_MAX] = "";
    config_defaults(&c);
    before = c;
    cr_assert_eq(config_set(&c, assignment, err, sizeof err), CFG_ERR, "%s was accepted",
                 assignment);
    cr_assert_str_eq(err, expected);
    cr_assert(memcmp(&c, &before, sizeof c) == 0, "a refused --set changed the config");
}

Test(config_roundtrip, quoting_errors)
{
    expect_set_error("workload.trace=/a\nb", "--set workload.trace: a value cannot hold a "
                                             "line break");
    expect_set_error("workload.trace=\"/a\\x0ab\"", "--set workload.trace: a value cannot "
                                                    "hold a line break");
    expect_set_error("workload.trace=\"/a\\x0Ab\"", "--set workload.trace: a value cannot "
                                                    "hold a line break");
    expect_set_error("workload.trace=\"/a\\x00b\"", "--set workload.trace: a value cannot "
                                                    "hold a NUL byte (\\x00)");
    expect_set_error("run.duration=1\n2", "--set run.duration: a value cannot hold a line "
                                          "break");
    expect_set_error("workload.trace=\"/a\" b",
                     "--set workload.trace: text after the closing '\"' of a quoted value "
                     "(write a '\"' inside quotes as \\\")");
    expect_set_error("workload.trace=\"/a\\qb\"",
                     "--set workload.trace: unknown escape '\\q' in a quoted value (escapes "
                     "are \\\" \\\\ \\; \\# \\t \\xHH)");
    expect_set_error("workload.trace=\"/a\\x4\"",
                     "--set workload.trace: '\\x' in a quoted value needs two hex digits "
                     "(\\x3b)");
    expect_set_error("workload.trace=\"/a\\",
                     "--set workload.trace: missing the closing '\"' of a quoted value");
    expect_set_error("workload.rate=\"50 \"", "--set workload.rate: '50 ' is not a number");
    expect_set_error("window.type=\"tumbling \"",
                     "--set window.type: 'tumbling ' is not one of none, tumbling, sliding, "
                     "session (did you mean 'tumbling'?)");
    /* quoted values of any key */
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "workload.rate=\"2\\x35\"", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.workload.rate, 25.0);
    cr_assert_eq(config_set(&c, "window.type=\"Session\"", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.window.type, WIN_SESSION);
    cr_assert_eq(config_set(&c, "workload.trace=\"\"", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, "");
    /* too long for the struct, however it is spelled */
    static char a[BIG];
    size_t n = (size_t)sprintf(a, "workload.trace=\"/");
    for (size_t i = 0; i < CFG_PATH_MAX; i++)
        n += (size_t)sprintf(a + n, "\\x41");
    sprintf(a + n, "\"");
    expect_set_error(a, "--set workload.trace: path too long (at most 1023 characters)");
}

/* A config file with quoted values, and what inih does to a quote that
 * holds " ;" unescaped. */
Test(config_roundtrip, quoted_values_in_a_file)
{
    char name[] = "/tmp/sluice_test_rtq_XXXXXX", err[CFG_ERR_MAX];
    int fd = mkstemp(name);
    cr_assert(fd >= 0);
    close(fd);
    FILE *f = fopen(name, "w");
    cr_assert(f);
    fputs("[workload]\n"
          "trace = \"/x \\;y #z  \"   ; a comment\n"
          "rate = \"50\"\n"
          "[stream]\n"
          "watermark_file = \"/long \\\"one\\\" \"\n"
          "    \"  goes on\\t\"\n"
          "    here\n"
          "[faults]\n"
          "crash_times = \"1, 2\"\n"
          "    3,\n"
          "    \"4\"\n",
          f);
    fclose(f);
    config_t c;
    config_defaults(&c);
    cr_assert_eq(config_load(&c, name, err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, "/x ;y #z  ");
    cr_assert_eq(c.workload.rate, 50.0);
    cr_assert_str_eq(c.stream.watermark_file, "/long \"one\"   goes on\there");
    cr_assert_eq(c.faults.crash_times.n, 4);
    cr_assert_eq(c.faults.crash_times.v[3], 4.0);
    check_round_trip(&c, "file with quotes", SIZE_MAX);

    f = fopen(name, "w");
    cr_assert(f);
    fputs("[workload]\nrate = 5\ntrace = \"/a ;b\"\n", f);
    fclose(f);
    config_defaults(&c);
    cr_assert_eq(config_load(&c, name, err, sizeof err), CFG_ERR);
    char want[512];
    snprintf(want, sizeof want,
             "%s:3: workload.trace: missing the closing '\"' of a quoted value (a ';' after a "
             "blank starts a comment even inside quotes: write it \\;)",
             name);
    cr_assert_str_eq(err, want);
    unlink(name);
}

/* ---- the command line ------------------------------------------------------ */

/* s in single quotes for sh ('\'' for a quote inside). */
static void shq(char *dst, size_t n, const char *s)
{
    size_t o = 0;
    dst[o++] = '\'';
    for (; *s && o + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(dst + o, "'\\''", 4);
            o += 4;
        } else {
            dst[o++] = *s;
        }
    }
    cr_assert_lt(o + 2, n);
    dst[o++] = '\'';
    dst[o] = '\0';
}

/* Every file of folder a is in b with the same bytes, and b has no other. */
static size_t assert_same_folders(const char *a, const char *b)
{
    size_t files = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        DIR *d = opendir(x);
        cr_assert(d, "cannot open %s", x);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char pa[1024], pb[1024];
            snprintf(pa, sizeof pa, "%s/%s", x, e->d_name);
            snprintf(pb, sizeof pb, "%s/%s", y, e->d_name);
            size_t la = 0, lb = 0;
            char *ca = util_slurp(pa, &la), *cb = util_slurp(pb, &lb);
            cr_assert(ca && cb, "%s: only in %s", e->d_name, x);
            cr_assert(la == lb && memcmp(ca, cb, la) == 0, "%s differs", e->d_name);
            free(ca);
            free(cb);
            files += pass == 0;
        }
        closedir(d);
    }
    return files;
}

Test(config_roundtrip, cli_weird_trace_path_reruns_identically)
{
    char d[] = "/tmp/sluice_rt_XXXXXX";
    cr_assert(mkdtemp(d));
    char dir[512], trace[640], trace2[700], q1[2048], q2[2048], q3[2048], args[8192],
        err[8192], out1[700], out2[700], ini[800];
    snprintf(dir, sizeof dir, "%s/dir ;x #y=z  \xc3\xa9 \"q\" 'a' \\b [run]", d);
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(trace, sizeof trace, "%s/tr ;ace#1=.csv", dir);
    snprintf(trace2, sizeof trace2, "%s/  blanks at both ends.csv  ", dir);
    shq(q1, sizeof q1, trace);
    snprintf(args, sizeof args, "gen tests/data/cli/small.ini --out %s", q1);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    shq(q1, sizeof q1, trace2);
    snprintf(args, sizeof args, "gen tests/data/cli/small.ini --out %s", q1);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);

    for (int variant = 0; variant < 2; variant++) {
        char set[2048];
        if (variant == 0) {
            snprintf(set, sizeof set, "workload.trace=%s", trace); /* raw, as typed */
        } else {
            char *q = quote(trace2, NULL);
            snprintf(set, sizeof set, "workload.trace=%s", q);
            free(q);
        }
        snprintf(out1, sizeof out1, "%s/out%d a", d, variant);
        snprintf(out2, sizeof out2, "%s/again%d ;b", d, variant);
        snprintf(ini, sizeof ini, "%s/config.ini", out1);
        shq(q1, sizeof q1, out1);
        shq(q2, sizeof q2, set);
        snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s "
                                    "--set workload.source=trace --set %s", q1, q2);
        int st = util_sluice(args, err, sizeof err);
        cr_assert(st == 0 || st == 1, "run with the weird trace: %s", err);
        size_t len = 0;
        char *text = util_slurp(ini, &len);
        cr_assert(text);
        cr_assert(strstr(text, "\ntrace = \""), "trace not quoted in config.ini:\n%s", text);
        free(text);
        shq(q3, sizeof q3, ini);
        shq(q2, sizeof q2, out2);
        snprintf(args, sizeof args, "run %s --out %s", q3, q2);
        cr_assert_eq(util_sluice(args, err, sizeof err), st, "rerun of config.ini: %s", err);
        size_t files = assert_same_folders(out1, out2);
        cr_assert_geq(files, 6, "only %zu files in %s", files, out1);
    }

    /* a path holding a line break is refused with exit 2 */
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s/nl "
                                "--set 'workload.trace=/a\nb'", d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 2);
    cr_assert(strstr(err, "--set workload.trace: a value cannot hold a line break"), "%s", err);
    snprintf(args, sizeof args, "run tests/data/cli/small.ini --out %s/nl "
                                "--set 'workload.trace=\"/a\\x0ab\"'", d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 2);
    cr_assert(strstr(err, "--set workload.trace: a value cannot hold a line break"), "%s", err);
    struct stat sb;
    snprintf(out1, sizeof out1, "%s/nl", d);
    cr_assert_neq(stat(out1, &sb), 0, "a refused run left %s", out1);

    char rm[1024];
    snprintf(rm, sizeof rm, "rm -rf '%s'", d);
    cr_assert_eq(system(rm), 0);
}
