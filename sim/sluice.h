/*
 * sluice.h: the one header a program that embeds sluice includes.
 *
 * It brings in the public API to run a configuration and read its outcome:
 *   model/config.h    config_t, config_defaults, config_load, config_set,
 *                     config_validate, config_write_ini, config_word
 *   run/sim.h         sim_run, sim_run_opts, sim_options, sim_outcome,
 *                     SIM_OK / SIM_ERR / SIM_INVARIANT
 *   measure/metrics.h metrics_summary: the headline figures of one
 *                     executor, one summary.csv row (sim_outcome.summary[])
 *
 * Rules of this header
 *  - Build flags come from pkg-config: `pkg-config --cflags --libs sluice`
 *    links libsluice.so, `--static` adds what libsluice.a needs (gsl,
 *    inih, libm).  Cflags put include/sluice on the include path, so this
 *    file is <sluice.h> and the headers it includes are found by layer
 *    ("model/config.h"); the other layer headers are installed too.
 *  - Every header it includes (every installed header of a layer folder)
 *    has extern "C" guards: C++ includes them as they are.
 *  - The library never prints and has no mutable globals: functions
 *    return a status and fill an error text, and several runs may live in
 *    one process.  GSL's default error handler aborts the process; the
 *    sluice CLI calls gsl_set_error_handler_off() once at start (with
 *    <gsl/gsl_errno.h>) and so should an embedding program.
 *  - A run: config_defaults(&c), config_load(&c, path, ...) and any
 *    config_set overrides, then sim_run(&c, out_dir, &outcome, ...).
 *    sim_run validates c itself (config_validate and the run budget);
 *    out_dir must exist (NULL writes no files); outcome.summary[i] holds
 *    the figures of executor outcome.executor[i], i < outcome.nexec, the
 *    same numbers summary.csv shows (printed there with "%.9g").
 */
#ifndef SLUICE_SLUICE_H
#define SLUICE_SLUICE_H

#include "model/config.h"
#include "measure/metrics.h"
#include "run/sim.h"

#endif
