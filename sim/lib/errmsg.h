/*
 * errmsg: the one way library code fills a caller's error buffer.
 *
 * Rules of this module
 *  - errmsg_set writes a printf-formatted message into err (errlen bytes,
 *    always NUL-terminated, truncated if longer); a NULL err or a zero
 *    errlen is allowed and writes nothing.
 *  - Nothing prints: the message is for the caller (only the CLI prints).
 */
#ifndef SLUICE_ERRMSG_H
#define SLUICE_ERRMSG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void errmsg_set(char *err, size_t errlen, const char *fmt, ...);

#ifdef __cplusplus
}
#endif

#endif
