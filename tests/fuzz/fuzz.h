/*
 * fuzz.h: shared helpers of the libFuzzer targets in tests/fuzz/.
 *
 * Rules
 *  - Each target is one file tests/fuzz/fuzz_<name>.c defining
 *    LLVMFuzzerTestOneInput.  It is linked either with libFuzzer (clang
 *    -fsanitize=fuzzer, `make fuzz`) or with replay.c, a plain main() that
 *    runs every file of a corpus once (`make check`, any C compiler).
 *  - The readers under test take paths, so an input is written to a
 *    private regular file in a folder made once per process (mkdtemp under
 *    $TMPDIR or /tmp) and removed at exit.
 *  - A target returns normally for any input the program must refuse with
 *    a message; it calls fuzz_fail (abort) for a property that must hold
 *    for every input: a round trip that changes a value, an invariant of
 *    the simulation, an error without text.  The sanitizers catch the
 *    rest.
 */
#ifndef SLUICE_FUZZ_H
#define SLUICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "model/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FILES 8

static char fuzz_dir_path[256];
static char fuzz_files[FUZZ_MAX_FILES][320];
static int fuzz_nfiles;

static inline void fuzz_cleanup(void)
{
    for (int i = 0; i < fuzz_nfiles; i++)
        unlink(fuzz_files[i]);
    if (fuzz_dir_path[0])
        rmdir(fuzz_dir_path);
}

/* The private folder of this process (made on first use). */
static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/sluice-fuzz-XXXXXX",
                 t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_dir_path)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_cleanup);
    }
    return fuzz_dir_path;
}

/* Writes data to NAME in the private folder (replacing it); its path. */
static inline const char *fuzz_write(const char *name, const void *data, size_t size)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    int known = 0;
    for (int i = 0; i < fuzz_nfiles; i++)
        known |= !strcmp(fuzz_files[i], path);
    if (!known) {
        if (fuzz_nfiles == FUZZ_MAX_FILES)
            abort();
        memcpy(fuzz_files[fuzz_nfiles++], path, sizeof path);
    }
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the input file");
        abort();
    }
    for (int i = 0; i < fuzz_nfiles; i++)
        if (!strcmp(fuzz_files[i], path))
            return fuzz_files[i];
    abort();
}

/* A property that must hold for every input failed: say which, abort. */
#define fuzz_fail(...) \
    do { \
        fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
        abort(); \
    } while (0)

/* The whole file at path, NUL-terminated (*size bytes); abort on error. */
static inline char *fuzz_slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fuzz_fail("cannot reopen %s", path);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, 2 * cap);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        fuzz_fail("out of memory");
    buf[n] = '\0';
    *size = n;
    return buf;
}

/* Every key of a and b compared as config_get text (doubles are written in
 * the shortest form that reads back exactly, so equal text is an equal
 * value); the first difference aborts, naming the key. */
static inline void fuzz_cfg_same(const config_t *a, const config_t *b, const char *what)
{
    static char va[8 * CFG_PATH_MAX], vb[8 * CFG_PATH_MAX];
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *sec, *name;
        if (config_key_at(i, &sec, &name) != CFG_OK)
            fuzz_fail("config_key_at(%zu) failed", i);
        int ra = config_get(a, sec, name, va, sizeof va);
        int rb = config_get(b, sec, name, vb, sizeof vb);
        if (ra != CFG_OK || rb != CFG_OK)
            fuzz_fail("%s: config_get %s.%s failed", what, sec, name);
        if (strcmp(va, vb) != 0)
            fuzz_fail("%s: %s.%s was '%s', is '%s'", what, sec, name, va, vb);
    }
}

/* The write-and-reload round trip of a parsed config: config_write_ini, then
 * config_load of that file must give the same value for every key, and
 * writing the reloaded config again must give the same bytes. */
static inline void fuzz_cfg_roundtrip(const config_t *c)
{
    char err[CFG_ERR_MAX];
    const char *p1 = fuzz_write("written1.ini", "", 0);
    FILE *f = fopen(p1, "w");
    if (!f)
        fuzz_fail("cannot open %s", p1);
    int wr = config_write_ini(c, f);
    if (fclose(f) != 0 || wr != CFG_OK)
        fuzz_fail("config_write_ini failed on a config config_load accepted");
    config_t *back = malloc(sizeof *back);
    if (!back)
        fuzz_fail("out of memory");
    config_defaults(back);
    err[0] = '\0';
    if (config_load(back, p1, err, sizeof err) != CFG_OK) {
        size_t n;
        char *text = fuzz_slurp(p1, &n);
        fuzz_fail("config_load refused what config_write_ini wrote: %s\n--- written:\n%s", err, text);
    }
    fuzz_cfg_same(c, back, "write and reload");
    const char *p2 = fuzz_write("written2.ini", "", 0);
    f = fopen(p2, "w");
    if (!f)
        fuzz_fail("cannot open %s", p2);
    wr = config_write_ini(back, f);
    if (fclose(f) != 0 || wr != CFG_OK)
        fuzz_fail("config_write_ini failed on a reloaded config");
    size_t n1, n2;
    char *t1 = fuzz_slurp(p1, &n1), *t2 = fuzz_slurp(p2, &n2);
    if (n1 != n2 || memcmp(t1, t2, n1) != 0)
        fuzz_fail("writing the reloaded config gave other bytes\n--- first:\n%s\n--- second:\n%s",
                  t1, t2);
    /* validation is a function of the values only */
    char e1[CFG_ERR_MAX], e2[CFG_ERR_MAX];
    config_t *a = malloc(sizeof *a);
    if (!a)
        fuzz_fail("out of memory");
    *a = *c;
    a->path[0] = back->path[0] = '\0';
    int v1 = config_validate(a, e1, sizeof e1), v2 = config_validate(back, e2, sizeof e2);
    if (v1 != v2 || (v1 != CFG_OK && strcmp(e1, e2) != 0))
        fuzz_fail("config_validate differs after the round trip: '%s' / '%s'",
                  v1 == CFG_OK ? "ok" : e1, v2 == CFG_OK ? "ok" : e2);
    free(a);
    free(t1);
    free(t2);
    free(back);
}

#endif
