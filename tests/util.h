/*
 * util: helpers shared by the tests (not a test file: no Test() here).
 *
 * Rules of this module
 *  - A broken test environment (no /tmp, out of memory, a command killed
 *    by a signal) fails the calling test with a Criterion assertion; what
 *    a test checks (a file's contents, an exit status) is returned.
 *  - The CLI under test is $SLUICE_BIN (the Makefile sets it; the ASan
 *    pass points it at the sanitized build), else build/sluice.
 *  - Every buffer returned is malloc'd and the caller frees it.
 */
#ifndef SLUICE_TEST_UTIL_H
#define SLUICE_TEST_UTIL_H

#include <stddef.h>

/* The sluice binary under test. */
const char *util_bin(void);
/* The same as an absolute path (the current folder put before a relative
 * one), for commands run in another folder. */
void util_bin_abs(char *buf, size_t n);

/* The whole of file path, NUL-terminated, its length in *len; NULL (and
 * *len = 0) when it cannot be opened. */
char *util_slurp(const char *path, size_t *len);
/* The same for dir/name. */
char *util_slurp_in(const char *dir, const char *name, size_t *len);

/* Runs cmd with sh, its standard output dropped and its standard error
 * into errbuf (n bytes, NUL-terminated); returns its exit status (asserts
 * that it exited). */
int util_shell(const char *cmd, char *errbuf, size_t n);
/* util_shell of `$SLUICE_BIN args`. */
int util_sluice(const char *args, char *errbuf, size_t n);
/* The standard output of `$SLUICE_BIN args` (malloc'd, NUL-terminated);
 * asserts exit status 0. */
char *util_sluice_output(const char *args);

/* Creates a fresh folder /tmp/sluice_test_XXXXXX into buf. */
void util_tmpdir(char *buf, size_t n);
/* Removes dir and everything in it. */
void util_rm_rf(const char *dir);
/* 1 if path exists (any kind of file). */
int util_exists(const char *path);
/* The entries of dir whose name contains needle. */
int util_count_entries(const char *dir, const char *needle);
/* The entries of dir whose name starts with prefix; 0 when dir cannot be
 * read. */
int util_count_prefix(const char *dir, const char *prefix);

/* Seconds of CLOCK_MONOTONIC, for timing what a test runs. */
double util_now_s(void);

#endif
