/*
 * exec/registry.c: the registry of executor types, indexed by enum
 * config_executor (the interface is engine/exec.h's last part).
 *
 * Rules of this module
 *  - `registry` has every executor of model/executors.h's list, made from
 *    it; its name, label and facts come from its own exec_type, never from
 *    here.
 *  - A program of its own (a test, a course exercise) can run an executor
 *    without a line here: sim_options.exec_types (run/sim.h).
 */
#include "engine/exec.h"

#include <string.h>

/* Strong references: they are what pulls each executor's object file out
 * of libsluice.a (a weak reference does not). */
#define EXEC_ENTRY(id, name) [EXEC_##id] = &exec_##name,
static const exec_type *const registry[EXEC_COUNT] = { SLUICE_EXECUTORS(EXEC_ENTRY) };
#undef EXEC_ENTRY

const exec_type *exec_type_of(int id)
{
    if (id < 0 || id >= EXEC_COUNT)
        return 0;
    return registry[id];
}

int exec_id_named(const char *name)
{
    for (int id = 0; name && id < EXEC_COUNT; id++)
        if (registry[id] && strcmp(registry[id]->name, name) == 0)
            return id;
    return -1;
}

const exec_type *exec_type_named(const char *name)
{
    return exec_type_of(exec_id_named(name));
}

const char *exec_label_named(const char *name)
{
    const exec_type *t = exec_type_named(name);
    return t && t->label ? t->label : name;
}

void exec_facts(const exec_type *t, const config_t *c, metrics_facts *out)
{
    memset(out, 0, sizeof *out);
    out->executor = t->name;
    out->label = t->label ? t->label : t->name;
    out->parallelism = 1;
    out->deltas = 0;
    out->exactly_once = 1;
    if (t->facts)
        t->facts(c, out);
}
