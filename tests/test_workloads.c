/*
 * test_workloads.c: every ready-made experiment in workloads/ loads and
 * validates (configs) or expands (sweeps), so none can rot unnoticed.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <string.h>

#include "model/config.h"
#include "experiments/sweep.h"

Test(workloads, every_config_loads_and_validates)
{
    glob_t g;
    cr_assert_eq(glob("workloads/*.ini", 0, NULL, &g), 0);
    glob_t g2;
    cr_assert_eq(glob("workloads/sweeps/*.ini", 0, NULL, &g2), 0);
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        glob_t *gg = pass ? &g2 : &g;
        for (size_t i = 0; i < gg->gl_pathc; i++, n++) {
            config_t c;
            char err[2048];
            config_defaults(&c);
            cr_expect_eq(config_load(&c, gg->gl_pathv[i], err, sizeof err), CFG_OK, "%s", err);
            cr_expect_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
        }
    }
    cr_expect_geq(n, 9, "expected the default, the labs and the sweep bases");
    globfree(&g);
    globfree(&g2);
}

Test(workloads, every_sweep_expands)
{
    glob_t g;
    cr_assert_eq(glob("workloads/sweeps/*.sweep", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 5);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char err[2048];
        sweep_t *w = sweep_load(g.gl_pathv[i], err, sizeof err);
        cr_expect(w, "%s", err);
        if (w)
            cr_expect_gt(sweep_points(w), 1, "%s", g.gl_pathv[i]);
        sweep_free(w);
    }
    globfree(&g);
}

Test(workloads, default_is_the_demo)
{
    config_t c;
    char err[2048];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, "workloads/default.ini", err, sizeof err), CFG_OK, "%s", err);
    /* Issue 8: all three executors, out-of-order and late data, two crashes. */
    cr_expect(c.run.executors[EXEC_BATCH] && c.run.executors[EXEC_MICROBATCH] &&
              c.run.executors[EXEC_STREAM]);
    cr_expect_gt(c.workload.late_fraction, 0);
    cr_expect_neq(c.workload.delay, DELAY_NONE);
    cr_expect_eq(c.faults.crash_times.n, 2);
}
