/*
 * fuzz_wm: the scripted watermark's file reader (stream.watermark_file,
 * watermark_alloc of watermark_scripted).  The input is a `time,watermark` CSV.
 * Refused: error text naming the file.  Accepted: walking the announced
 * change times from 0, each is later than the one before, the watermark
 * never decreases and only changes at announced times, and a copy
 * (watermark_copy, as checkpoints make) gives the same watermarks.
 */
#include "fuzz.h"

#include <math.h>
#include "model/watermark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("watermarks.csv", data, size);
    config_t *c = malloc(sizeof *c);
    if (!c)
        fuzz_fail("out of memory");
    config_defaults(c);
    c->stream.watermark = WM_SCRIPTED;
    snprintf(c->stream.watermark_file, sizeof c->stream.watermark_file, "%s", path);
    char err[CFG_ERR_MAX];
    err[0] = '\0';
    watermark_t *w = watermark_alloc(&watermark_scripted, c, err, sizeof err);
    if (!w) {
        if (strncmp(err, path, strlen(path)) != 0 || strlen(err) <= strlen(path) + 2)
            fuzz_fail("error text does not name the file: '%s'", err);
        free(c);
        return 0;
    }
    watermark_t *copy = watermark_alloc(&watermark_scripted, c, err, sizeof err);
    if (!copy)
        fuzz_fail("second watermark_alloc of an accepted file failed: %s", err);
    watermark_input in = {0.0, INFINITY};
    double now = 0, last = watermark_get(w, &in);
    int steps = 0;
    while (steps < 100000) {
        double next = watermark_next_change(w, now);
        if (!(next > now))
            fuzz_fail("next change %.17g is not after now %.17g", next, now);
        if (next == INFINITY)
            break;
        /* just before the change the watermark is still the old one */
        in.now = nextafter(next, -INFINITY);
        if (in.now > now && watermark_get(w, &in) != last)
            fuzz_fail("watermark changed before the announced time %.17g", next);
        in.now = next;
        double wmv = watermark_get(w, &in);
        if (wmv < last)
            fuzz_fail("watermark went back from %.17g to %.17g at %.17g", last, wmv, next);
        if (steps == 3)
            watermark_copy(copy, w);
        if (steps > 3 && watermark_get(copy, &in) != wmv)
            fuzz_fail("the copy gives another watermark at %.17g", next);
        last = wmv;
        now = next;
        steps++;
    }
    watermark_free(w);
    watermark_free(copy);
    free(c);
    return 0;
}
