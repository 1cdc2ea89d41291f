/*
 * exec.c: the registry of executor types, indexed by enum cfg_executor.
 * A new executor is one new file exporting a `const exec_type` plus one
 * line here (and its name in cfg.c's executors word list).
 */
#include "exec.h"

/* INTERIM (while the executors are written in parallel): weak references,
 * so the library links before every executor has landed.  A missing one
 * is reported by sim as "executor X is not built".  To be made strong
 * once all three are in. */
#pragma weak exec_batch
#pragma weak exec_microbatch

static const exec_type *const registry[EXEC_COUNT] = {
    [EXEC_BATCH] = &exec_batch,
    [EXEC_MICROBATCH] = &exec_microbatch,
    [EXEC_STREAM] = &exec_stream,
};

const exec_type *exec_type_of(int id)
{
    if (id < 0 || id >= EXEC_COUNT)
        return 0;
    return registry[id] && registry[id]->name ? registry[id] : 0;
}
