/* Tests of lib/fmt.c: fmt_g9 writes exactly what snprintf("%.9g") writes
 * (known answers, a sweep over many magnitudes and near-ties, then
 * millions of values: bit patterns, ties, subnormals, extreme exponents),
 * non-finite values are empty cells, fmt_num writes to a stream, the
 * integer digits. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fmt.h"

static void same_as_printf(double x)
{
    char want[64], got[FMT_NUM_MAX];
    snprintf(want, sizeof want, "%.9g", x);
    int n = fmt_g9(got, x);
    cr_assert_str_eq(got, want, "x = %a", x);
    cr_assert_eq(n, (int)strlen(want));
}

Test(fmt, g9_known_answers)
{
    static const struct { double x; const char *s; } k[] = {
        { 0, "0" }, { 1, "1" }, { -1, "-1" }, { 0.5, "0.5" }, { 0.1, "0.1" },
        { 1.0 / 3, "0.333333333" }, { 2.0 / 3, "0.666666667" }, { 123456789, "123456789" },
        { 1234567891, "1.23456789e+09" }, { 1e-5, "1e-05" }, { 0.0001, "0.0001" },
        { 12.25, "12.25" }, { 999999999.6, "1e+09" }, { -0.000123456789, "-0.000123456789" },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char b[FMT_NUM_MAX];
        fmt_g9(b, k[i].x);
        cr_assert_str_eq(b, k[i].s, "x = %.17g", k[i].x);
    }
}

Test(fmt, g9_matches_printf_over_magnitudes)
{
    uint64_t r = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        double m = (double)(r >> 11) / 9007199254740992.0; /* [0, 1) */
        double x = m * pow(10, (double)(i % 40) - 20);
        same_as_printf(i & 1 ? -x : x);
    }
    for (int k = -20; k <= 20; k++)
        for (int d = 1; d < 10; d++) {
            double x = d * pow(10, k);
            same_as_printf(x);
            same_as_printf(nextafter(x, 0));
            same_as_printf(nextafter(x, INFINITY));
            same_as_printf(x + 0.5 * pow(10, k - 9)); /* near ties */
        }
    same_as_printf(INFINITY);
    same_as_printf(NAN);
    same_as_printf(-0.0);
    same_as_printf(1e300);
    same_as_printf(5e-324);
}

static uint64_t xorshift(uint64_t *r)
{
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

/* Millions of values, each class where a shortcut could go wrong: every
 * bit pattern (subnormals, huge and tiny exponents, NaN payloads, -0),
 * exact decimal ties d.dddddddd5 x 10^k and their neighbours, halves of
 * integers (ties in binary), integers up to 2^53, and each decade's
 * powers and neighbours from 1e-330 to 1e310. */
Test(fmt, g9_matches_printf_on_millions_of_values)
{
    uint64_t r = 0x2545F4914F6CDD1Du;
    for (int i = 0; i < 1000000; i++) {
        uint64_t u = xorshift(&r);
        double x;
        memcpy(&x, &u, sizeof x);
        same_as_printf(x);
    }
    for (int i = 0; i < 300000; i++) {
        uint64_t d = 100000000u + xorshift(&r) % 900000000u;
        int k = (int)(xorshift(&r) % 34) - 17;
        double x = ((double)d + 0.5) * pow(10, k - 8);
        same_as_printf(x);
        same_as_printf(-x);
        same_as_printf(nextafter(x, 0));
        same_as_printf(nextafter(x, INFINITY));
    }
    for (int i = 0; i < 300000; i++) {
        double d = (double)(xorshift(&r) >> 11);
        same_as_printf(d);
        same_as_printf(d * 0.5);
        same_as_printf(d / 1024);
        same_as_printf(ldexp(d, -(int)(xorshift(&r) % 120)));
    }
    for (int k = -330; k <= 310; k++)
        for (int d = 1; d < 10; d++) {
            double x = d * pow(10, k);
            same_as_printf(x);
            same_as_printf(-x);
            same_as_printf(nextafter(x, 0));
            same_as_printf(nextafter(x, INFINITY));
        }
    static const double edge[] = { -0.0, 0.0, 5e-324, 2.2250738585072014e-308,
                                   1.7976931348623157e308, 1e-12, 1e17, 999999999.5,
                                   0.0000999999999, 99999999.95, 0.00001234567885 };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        same_as_printf(edge[i]);
        same_as_printf(nextafter(edge[i], 0));
        same_as_printf(nextafter(edge[i], INFINITY));
    }
}

Test(fmt, num_is_empty_when_not_finite)
{
    char b[FMT_NUM_MAX];
    cr_assert_eq(fmt_num_buf(b, NAN), 0);
    cr_assert_str_eq(b, "");
    cr_assert_eq(fmt_num_buf(b, -INFINITY), 0);
    cr_assert_str_eq(b, "");
    cr_assert_eq(fmt_num_buf(b, 2.5), 3);
    cr_assert_str_eq(b, "2.5");
}

Test(fmt, num_writes_to_a_stream)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    cr_assert_eq(fmt_num(f, 0.25), 0);
    fputc(',', f);
    cr_assert_eq(fmt_num(f, NAN), 0);
    fputc(',', f);
    cr_assert_eq(fmt_num(f, 1e10), 0);
    fclose(f);
    cr_assert_str_eq(text, "0.25,,1e+10");
    free(text);
}

Test(fmt, integer_digits)
{
    char b[32];
    int n = fmt_u64(b, 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(b[0], '0');
    n = fmt_u64(b, UINT64_MAX);
    b[n] = 0;
    cr_assert_str_eq(b, "18446744073709551615");
    n = fmt_i64(b, INT64_MIN);
    b[n] = 0;
    cr_assert_str_eq(b, "-9223372036854775808");
    n = fmt_i64(b, -42);
    b[n] = 0;
    cr_assert_str_eq(b, "-42");
}
