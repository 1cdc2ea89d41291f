/*
 * fmt.c: CSV numbers (see lib/fmt.h).
 */
#include "lib/fmt.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

/*
 * fmt_g9: exactly what printf("%.9g", x) writes, without printf's
 * multi-precision conversion (which dominates a run that writes a pane per
 * event).  Fast path: scale |x| by an exact power of ten (10^k, k <= 27,
 * is exact in a 64-bit long double mantissa) so that 1e8 <= y < 1e9; that
 * one multiplication or division rounds once, so y is within 2^-64
 * relative (< 1e-10 absolute) of the exact value.  Rounding y to the
 * nearest integer is then certain unless y's fraction is within 1e-7 of
 * one half; those near-ties, very small or large |x|, zero, non-finite
 * values and platforms whose long double is narrower go to snprintf.
 * buf needs 32 bytes; returns the length written.
 */
static const long double pow10l_tab[] = {
    1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L,
    1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
    1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L
};

static long double scale_to_9_digits(double ax, int e)
{
    int k = 8 - e;
    return k >= 0 ? (long double)ax * pow10l_tab[k] : (long double)ax / pow10l_tab[-k];
}

int fmt_g9(char *buf, double x)
{
#if LDBL_MANT_DIG >= 64
    double ax = fabs(x);
    if (!(ax >= 1e-12 && ax < 1e17))
        goto slow;
    int b2;
    frexp(ax, &b2);
    int e = (int)floor((b2 - 1) * 0.30102999566398120); /* <= log10(ax) */
    long double y = scale_to_9_digits(ax, e);
    while (y >= 1e9L) {
        e++;
        y = scale_to_9_digits(ax, e);
    }
    if (y < 1e8L + 1e-6L || y > 1e9L - 1e-6L)
        goto slow; /* too close to a decade boundary to be sure of e */
    long double fl = floorl(y);
    long double fr = y - fl;
    if (fabsl(fr - 0.5L) < 1e-7L)
        goto slow;
    uint64_t r = (uint64_t)fl + (fr > 0.5L);
    if (r == 1000000000u) {
        r = 100000000u;
        e++;
    }
    char d[9];
    for (int i = 8; i >= 0; i--) {
        d[i] = (char)('0' + r % 10);
        r /= 10;
    }
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
#endif
    return snprintf(buf, FMT_NUM_MAX, "%.9g", x);
}

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
