/*
 * fmt.c: CSV numbers (see lib/fmt.h).
 */
#include "lib/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * fmt_g9: exactly what printf("%.9g", x) writes, without printf's
 * multi-precision conversion (which dominates a run that writes a pane per
 * event).  The fast path is exact integer arithmetic, so it needs no
 * near-tie escape: |x| = m * 2^b with m the 53-bit significand, and with
 * e the decimal exponent, the nine digits are round(m * 2^b * 10^(8-e)).
 * For 1e-12 <= |x| < 1e10 that is m * 10^k (k = 8 - e <= 21, < 2^123 in
 * 128 bits) shifted right by -b, the bits shifted out telling below, at
 * or above one half; for 1e9 <= |x| < 1e17 it is m * 2^b divided by
 * 10^(e-8) (or by 10^(e-8) * 2^-b) in 64 bits, the remainder telling the
 * same.  A tie rounds to the even digit, as glibc does in the default
 * rounding mode.  e starts from the binary exponent (never above the
 * true one, at most one below) and is raised once if the unrounded
 * quotient has ten digits; a quotient rounded up to 10^9 becomes 10^8
 * with e + 1.  Zero, |x| outside [1e-12, 1e17), non-finite values and
 * compilers without a 128-bit integer go to snprintf.
 * buf needs 32 bytes; returns the length written.
 */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 fmt_u128;

static const uint64_t pow10_tab[] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
    1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
    100000000000000u, 1000000000000000u, 10000000000000000u, 100000000000000000u,
    1000000000000000000u, 10000000000000000000u
};

/* The nine digits of m * 2^b at decimal exponent e, unrounded (q) and
 * where the rest lies: -1 below one half, 0 exactly one half, 1 above. */
static uint64_t digits_at(uint64_t m, int b, int e, int *half)
{
    int k = 8 - e;
    if (k >= 0) { /* |x| < 1e10 < 2^52, so b < 0 */
        fmt_u128 n = (fmt_u128)m * pow10_tab[k < 19 ? k : 19];
        for (int i = 19; i < k; i++) /* k <= 21: m * 10^k < 2^123 */
            n *= 10u;
        int s = -b; /* 1..127 for |x| >= 1e-12 */
        fmt_u128 rest = n & (((fmt_u128)1 << s) - 1), h = (fmt_u128)1 << (s - 1);
        *half = rest < h ? -1 : rest > h ? 1 : 0;
        return (uint64_t)(n >> s);
    }
    uint64_t d = pow10_tab[-k], num = m;
    if (b >= 0)
        num <<= b;
    else
        d <<= -b;
    uint64_t q = num / d, rest = num % d;
    *half = rest < d - rest ? -1 : rest > d - rest ? 1 : 0;
    return q;
}

int fmt_g9(char *buf, double x)
{
    double ax = fabs(x);
    if (!(ax >= 1e-12 && ax < 1e17))
        goto slow;
    uint64_t bits;
    memcpy(&bits, &ax, sizeof bits);
    int be = (int)(bits >> 52); /* biased exponent: ax is normal here */
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int b = be - 1075;             /* ax = m * 2^b */
    /* floor(n * log10(2)) for the binary exponent n (78913 / 2^18 is
     * log10(2) to 6e-7 relative: exact for |n| < 1650). */
    int n2 = be - 1023;
    int e = n2 >= 0 ? (n2 * 78913) >> 18 : -((-n2 * 78913 + (1 << 18) - 1) >> 18);
    int half;
    uint64_t r = digits_at(m, b, e, &half);
    if (r >= 1000000000u) {
        e++;
        r = digits_at(m, b, e, &half);
    }
    if (half > 0 || (half == 0 && (r & 1u)))
        r++;
    if (r == 1000000000u) {
        r = 100000000u;
        e++;
    }
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char d[9];
    uint32_t v = (uint32_t)r;
    for (int i = 7; i >= 1; i -= 2) {
        uint32_t p = v % 100u;
        v /= 100u;
        d[i] = pairs[2 * p];
        d[i + 1] = pairs[2 * p + 1];
    }
    d[0] = (char)('0' + v);
    int nd = 9; /* significant digits after dropping trailing zeros */
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    char *o = buf;
    if (x < 0)
        *o++ = '-';
    if (e < -4 || e >= 9) {
        *o++ = d[0];
        if (nd > 1) {
            *o++ = '.';
            for (int i = 1; i < nd; i++)
                *o++ = d[i];
        }
        *o++ = 'e';
        *o++ = e < 0 ? '-' : '+';
        int ae = e < 0 ? -e : e;
        *o++ = (char)('0' + ae / 10);
        *o++ = (char)('0' + ae % 10);
    } else if (e >= 0) {
        for (int i = 0; i <= e; i++)
            *o++ = d[i];
        if (nd > e + 1) {
            *o++ = '.';
            for (int i = e + 1; i < nd; i++)
                *o++ = d[i];
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *o++ = '0';
        for (int i = 0; i < nd; i++)
            *o++ = d[i];
    }
    *o = '\0';
    return (int)(o - buf);
slow:
    return snprintf(buf, FMT_NUM_MAX, "%.9g", x);
}
#else
int fmt_g9(char *buf, double x)
{
    return snprintf(buf, FMT_NUM_MAX, "%.9g", x);
}
#endif

int fmt_u64(char *buf, uint64_t v)
{
    char t[20];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = t[n - 1 - i];
    return n;
}

int fmt_i64(char *buf, int64_t v)
{
    if (v >= 0)
        return fmt_u64(buf, (uint64_t)v);
    buf[0] = '-';
    return 1 + fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
}


int fmt_num_buf(char *buf, double x)
{
    if (isfinite(x))
        return fmt_g9(buf, x);
    buf[0] = '\0';
    return 0;
}

int fmt_num(FILE *f, double x)
{
    char b[FMT_NUM_MAX];
    size_t n = (size_t)fmt_num_buf(b, x);
    return n == 0 || fwrite(b, 1, n, f) == n ? 0 : -1;
}
