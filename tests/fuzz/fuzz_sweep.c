/*
 * fuzz_sweep: the sweep-file parser (sweep_load).  The input is a sweep
 * file next to a fixed base config named base.ini (and the same one as
 * base_config.ini).  Refused: an error text.  Accepted: at least one point
 * and task, the config of the first, second and last task builds and
 * validates (sweep_load checked every point), the replay command is a
 * `sluice run`, and (up to 512 tasks) runs.csv, sweep.csv and marks.csv can be
 * written from made-up results without error.
 */
#include "fuzz.h"

#include "experiments/sweep.h"

static const char base_ini[] =
    "[run]\nseed = 7\nexecutors = batch, microbatch, stream\nduration = 120\n"
    "timeline_bucket = 5\n[workload]\nrate = 20\nkeys = 4\ndelay_mean = 1\n"
    "late_fraction = 0.05\nlate_delay_mean = 20\n[window]\ntype = tumbling\nsize = 10\n"
    "[stream]\nwatermark_bound = 2\nallowed_lateness = 30\n[batch]\ninterval = 30\n"
    "setup_cost = 1\n[microbatch]\ninterval = 2\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int have_base;
    if (!have_base) {
        fuzz_write("base.ini", base_ini, sizeof base_ini - 1);
        fuzz_write("base_config.ini", base_ini, sizeof base_ini - 1);
        have_base = 1;
    }
    const char *path = fuzz_write("sweep.sweep", data, size);
    char err[CFG_ERR_MAX + 512];
    err[0] = '\0';
    sweep_t *w = sweep_load(path, err, sizeof err);
    if (!w) {
        if (!err[0])
            fuzz_fail("sweep_load failed without a message");
        return 0;
    }
    size_t np = sweep_points(w), nt = sweep_tasks(w);
    if (np == 0 || nt == 0 || nt % np != 0)
        fuzz_fail("%zu points, %zu tasks", np, nt);
    config_t *c = malloc(sizeof *c);
    if (!c)
        fuzz_fail("out of memory");
    size_t ts[3] = {0, nt > 1 ? 1 : 0, nt - 1};
    for (int i = 0; i < 3; i++) {
        char e[CFG_ERR_MAX];
        if (sweep_task_config(w, ts[i], c, e, sizeof e) != 0)
            fuzz_fail("task %zu: sweep_task_config: %s", ts[i], e);
        if (config_validate(c, e, sizeof e) != CFG_OK)
            fuzz_fail("task %zu does not validate: %s", ts[i], e);
        char cmd[8192];
        sweep_task_command(w, ts[i], cmd, sizeof cmd);
        if (strncmp(cmd, "sluice run ", 11) != 0)
            fuzz_fail("task %zu: command '%s'", ts[i], cmd);
    }
    if (nt <= 512) {
        sweep_result *r = calloc(nt, sizeof *r);
        if (!r)
            fuzz_fail("out of memory");
        for (size_t t = 0; t < nt; t++) {
            r[t].task = (uint32_t)t;
            r[t].status = t % 7 == 3 ? SIM_ERR : SIM_OK;
            r[t].nexec = 1;
            snprintf(r[t].executor[0], sizeof r[t].executor[0], "stream");
            snprintf(r[t].invariants[0], sizeof r[t].invariants[0], "ok");
            for (size_t m = 0; m < SWEEP_MAX_METRICS; m++)
                r[t].value[0][m] = (double)(t % 5) + 0.25 * (double)m;
            if (r[t].status != SIM_OK)
                snprintf(r[t].message, sizeof r[t].message, "made up");
        }
        FILE *f = fopen(fuzz_write("out.csv", "", 0), "w");
        if (!f)
            fuzz_fail("cannot open out.csv");
        if (sweep_write_runs(w, r, f) != 0 || sweep_write_summary(w, r, f) != 0
            || (sweep_marks(w) && sweep_write_marks(w, r, f) != 0))
            fuzz_fail("writing the sweep results failed");
        fclose(f);
        free(r);
    }
    free(c);
    sweep_free(w);
    return 0;
}
