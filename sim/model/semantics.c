/*
 * semantics: the engine profiles (see model/semantics.h).
 */
#include "model/semantics.h"

/* One row per enum config_semantics, in its order. */
static const semantics_rules profiles[] = {
    /* Flink's own auto-watermark-interval is 0.2 s; the profile keeps 0
     * for now (model/semantics.h: watermark_interval) */
    [SEM_FLINK] = {.drop_after_merge = 1, .touching_merge = 1, .watermark_interval = 0},
    [SEM_BEAM] = {.drop_after_merge = 0, .touching_merge = 0, .watermark_interval = 0},
    [SEM_KAFKA_STREAMS] = {.drop_after_merge = 1, .touching_merge = 1, .watermark_interval = 0},
};

semantics_rules semantics_of(const struct config_stream *st)
{
    semantics_rules r = profiles[st->semantics];
    if (st->session_drop == SDROP_MERGED)
        r.drop_after_merge = 1;
    else if (st->session_drop == SDROP_ELEMENT)
        r.drop_after_merge = 0;
    if (st->watermark_interval >= 0)
        r.watermark_interval = st->watermark_interval;
    return r;
}
