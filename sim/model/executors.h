/*
 * executors: the list of built-in executors, the one place that names them.
 *
 * Rules of this module
 *  - SLUICE_EXECUTORS(X) expands X(ID, name) once per executor, in output
 *    order (summary.csv rows, plots); the position is the executor's enum
 *    config_executor value EXEC_ID (model/config.h), name its
 *    [run] executors word, and exec_name the `const exec_type` that its
 *    file under sim/exec/ exports (engine/exec.h).  config's enum and
 *    words, exec.h's declarations and exec/registry.c's table are all made
 *    from this list, so adding an executor is its one file plus one line
 *    here.
 *  - A header of macros only: it is in model/ because the configuration
 *    (the lowest layer that knows executors) needs the words.
 */
#ifndef SLUICE_EXECUTORS_H
#define SLUICE_EXECUTORS_H

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_EXECUTORS(X) \
    X(BATCH, batch)         \
    X(MICROBATCH, microbatch) \
    X(STREAM, stream)

#ifdef __cplusplus
}
#endif

#endif
