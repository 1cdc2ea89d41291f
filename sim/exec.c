/*
 * exec.c: the registry of executor types, indexed by enum cfg_executor.
 * A new executor is one new file exporting a `const exec_type` plus one
 * line here (and its name in cfg.c's executors word list).
 */
#include "exec.h"

/* INTERIM (while the executors are written in parallel): a weak reference
 * for the executors not landed yet, so the library links without them.
 * A missing one is reported by sim as "executor X is not built".  Batch
 * and micro-batch have landed (strong references pull them in from
 * libsluice.a); make stream strong too once it is in. */
#pragma weak exec_stream

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
