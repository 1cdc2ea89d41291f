/*
 * fmt: the numbers of sluice's CSV files, written one way.
 *
 * Rules of this module
 *  - A real number in a CSV cell is printf's "%.9g" (nine significant
 *    digits: a double read back is within 1e-9 relative), and a value that
 *    is not finite (NaN: "not defined", +-inf) is an empty cell.  fmt_num
 *    and fmt_num_buf are that rule; fmt_g9 is "%.9g" alone (for text where
 *    every value is finite, e.g. error messages use printf directly).
 *  - fmt_g9 writes exactly what snprintf("%.9g") writes, bytes included,
 *    without printf's multi-precision conversion for ordinary values (the
 *    panes of a run are written per event); see fmt.c for the argument.
 *  - Buffers: FMT_NUM_MAX bytes hold any number with its terminator.  The
 *    _buf functions return the length written (terminator not counted);
 *    fmt_u64 / fmt_i64 write no terminator (for building a row in place).
 *  - Nothing allocates; fmt_num returns 0 or -1 on a write error.
 */
#ifndef SLUICE_FMT_H
#define SLUICE_FMT_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FMT_NUM_MAX 32

/* x as "%.9g" into buf (FMT_NUM_MAX bytes, terminated); the length. */
int fmt_g9(char *buf, double x);

/* A CSV number into buf (FMT_NUM_MAX bytes, terminated): "%.9g", or ""
 * when x is not finite.  The length. */
int fmt_num_buf(char *buf, double x);

/* fmt_num_buf written to f (nothing for a non-finite x).  0, or -1 on a
 * write error. */
int fmt_num(FILE *f, double x);

/* Decimal digits of v into buf (>= 21 bytes, no terminator); the length. */
int fmt_u64(char *buf, uint64_t v);
int fmt_i64(char *buf, int64_t v);

#ifdef __cplusplus
}
#endif

#endif
