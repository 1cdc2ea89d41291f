/*
 * fuzz_set: --set section.key=value (config_set).  The input is up to 16
 * assignments, one a line, applied in order to the defaults.  Refused:
 * error text "--set ...", config unchanged.  Accepted: config_get of the key
 * set again with config_set gives the same config (get/set round trip).
 * After the last line, the write-and-reload round trip of fuzz_cfg (with
 * relative paths first made absolute, as config_write_ini writes them).
 */
#include "fuzz.h"

#include <ctype.h>

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* The section and key named by an assignment config_set accepted. */
static void key_of(const char *assignment, char *sec, char *name, size_t n)
{
    char buf[2 * CFG_ERR_MAX];
    snprintf(buf, sizeof buf, "%s", assignment);
    char *eq = strchr(buf, '=');
    if (!eq)
        fuzz_fail("config_set accepted '%s' without '='", assignment);
    *eq = '\0';
    char *dot = strchr(buf, '.');
    if (!dot)
        fuzz_fail("config_set accepted '%s' without '.'", assignment);
    *dot = '\0';
    snprintf(sec, n, "%s", trim(buf));
    snprintf(name, n, "%s", trim(dot + 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char line[2 * CFG_ERR_MAX], value[8 * CFG_PATH_MAX], again[10 * CFG_PATH_MAX];
    char err[CFG_ERR_MAX];
    config_t *c = malloc(sizeof *c), *before = malloc(sizeof *before), *re = malloc(sizeof *re);
    if (!c || !before || !re)
        fuzz_fail("out of memory");
    config_defaults(c);
    size_t at = 0;
    for (int i = 0; i < 16 && at < size; i++) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, data + at, len);
        line[len] = '\0';
        at += len + 1;
        if (strlen(line) != len)
            continue; /* a NUL: argv cannot carry it */
        memcpy(before, c, sizeof *c);
        err[0] = '\0';
        if (config_set(c, line, err, sizeof err) != CFG_OK) {
            if (strncmp(err, "--set", 5) != 0)
                fuzz_fail("error text does not start with --set: '%s'", err);
            if (memcmp(c, before, sizeof *c) != 0)
                fuzz_fail("config_set changed the config on error: %s", err);
            continue;
        }
        char sec[256], name[256];
        key_of(line, sec, name, sizeof sec);
        if (config_get(c, sec, name, value, sizeof value) != CFG_OK)
            fuzz_fail("config_get %s.%s failed after config_set '%s'", sec, name, line);
        snprintf(again, sizeof again, "%s.%s=%s", sec, name, value);
        memcpy(re, before, sizeof *re);
        if (strlen(again) < CFG_ERR_MAX) {
            if (config_set(re, again, err, sizeof err) != CFG_OK)
                fuzz_fail("config_set refused what config_get gave: '%s': %s", again, err);
            if (memcmp(c, re, sizeof *c) != 0) /* padding aside, a value differs */
                fuzz_cfg_same(c, re, "config_get then config_set");
        }
    }
    /* config_write_ini writes relative paths as absolute ones */
    char cwd[CFG_PATH_MAX];
    int ok = getcwd(cwd, sizeof cwd) != NULL;
    for (size_t i = 0; ok && i < config_key_count(); i++) {
        const char *sec, *name;
        config_key_at(i, &sec, &name);
        if (strcmp(name, "trace") != 0 && strcmp(name, "watermark_file") != 0)
            continue;
        if (config_get(c, sec, name, value, sizeof value) != CFG_OK)
            fuzz_fail("config_get %s.%s failed", sec, name);
        if (!value[0] || value[0] == '/')
            continue;
        const char *v = value;
        while (v[0] == '.' && v[1] == '/')
            v += 2;
        snprintf(again, sizeof again, "%s.%s=%s/%s", sec, name, cwd, v);
        ok = strlen(again) < CFG_ERR_MAX && config_set(c, again, err, sizeof err) == CFG_OK;
    }
    if (ok)
        fuzz_cfg_roundtrip(c);
    free(c);
    free(before);
    free(re);
    return 0;
}
