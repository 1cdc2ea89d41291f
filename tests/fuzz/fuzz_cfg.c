/*
 * fuzz_cfg: the config parser (config_load) with the write-and-reload round
 * trip.  The input is a config file.  Refused: the error must be text that
 * starts with the file's name, and the config must be left unchanged.
 * Accepted: config_write_ini, config_load of what it wrote must give every key
 * the same value, writing again the same bytes, and config_validate the same
 * verdict (fuzz.h: fuzz_cfg_roundtrip).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("config.ini", data, size);
    config_t *c = malloc(sizeof *c), *before = malloc(sizeof *before);
    if (!c || !before)
        fuzz_fail("out of memory");
    config_defaults(c);
    memcpy(before, c, sizeof *c);
    char err[CFG_ERR_MAX];
    err[0] = '\0';
    if (config_load(c, path, err, sizeof err) != CFG_OK) {
        if (strncmp(err, path, strlen(path)) != 0 || strlen(err) <= strlen(path) + 2)
            fuzz_fail("error text does not name the file: '%s'", err);
        if (memcmp(c, before, sizeof *c) != 0)
            fuzz_fail("config_load changed the config on error: %s", err);
    } else {
        fuzz_cfg_roundtrip(c);
    }
    free(c);
    free(before);
    return 0;
}
