/*
 * engine/exec.c: the registry of executor types, indexed by enum config_executor.
 * A new executor is one new file exporting a `const exec_type` plus one
 * line here (and its name in model/config.c's executors word list).
 */
#include "engine/exec.h"

/* Strong references: they are what pulls each executor's object file out
 * of libsluice.a (a weak reference does not). */
static const exec_type *const registry[EXEC_COUNT] = {
    [EXEC_BATCH] = &exec_batch,
    [EXEC_MICROBATCH] = &exec_microbatch,
    [EXEC_STREAM] = &exec_stream,
};

const exec_type *exec_type_of(int id)
{
    if (id < 0 || id >= EXEC_COUNT)
        return 0;
    return registry[id];
}
