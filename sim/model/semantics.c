/*
 * semantics: the engine profiles (see model/semantics.h).
 */
#include "model/semantics.h"

#include <stddef.h>

/* Java's time unit: every engine counts event time in milliseconds. */
#define MS 0.001

/* One row per enum config_semantics, in its order. */
static const semantics_rules profiles[] = {
    /* Flink's own auto-watermark-interval is 0.2 s; the profile keeps 0
     * for now (model/semantics.h: watermark_interval) */
    [SEM_FLINK] = {.drop_after_merge = 1, .touching_merge = 1, .watermark_interval = 0,
                   .epsilon = MS, .max_ts_before_end = MS, .strict = 0, .accumulating = 1,
                   .emit = EMIT_TRIGGER},
    [SEM_BEAM] = {.drop_after_merge = 0, .touching_merge = 0, .watermark_interval = 0,
                  .epsilon = MS, .max_ts_before_end = MS, .strict = 1, .accumulating = 0,
                  .emit = EMIT_TRIGGER},
    [SEM_KAFKA_STREAMS] = {.drop_after_merge = 1, .touching_merge = 1, .watermark_interval = 0,
                           .epsilon = MS, .max_ts_before_end = 0, .strict = 0,
                           .accumulating = 1, .emit = EMIT_PER_RECORD},
};

_Static_assert(sizeof profiles / sizeof profiles[0] == SEMANTICS_NPROFILES,
               "one profile row per enum config_semantics");

semantics_rules semantics_of(const struct config_stream *st)
{
    semantics_rules r = profiles[st->semantics];
    if (st->session_drop == SDROP_MERGED)
        r.drop_after_merge = 1;
    else if (st->session_drop == SDROP_ELEMENT)
        r.drop_after_merge = 0;
    if (st->watermark_interval >= 0)
        r.watermark_interval = st->watermark_interval;
    if (st->accumulation != ACC_PROFILE)
        r.accumulating = st->accumulation == ACC_ACCUMULATING;
    if (st->emit != EMIT_PROFILE)
        r.emit = st->emit;
    /* a scripted watermark is the engine's own value, compared as the
     * engine does; a generated one is a completeness bound, for which
     * every profile's comparison on the millisecond grid is t <= C */
    if (st->watermark == WM_SCRIPTED) {
        r.due_shift = -r.max_ts_before_end;
        r.due_strict = r.strict;
    } else {
        r.due_shift = 0;
        r.due_strict = 0;
    }
    return r;
}

/* The profiles table of `sluice config --defaults` (and sim/MODEL.md). */
static const char *const rows[] = {
    "session late test: flink merged window (WindowOperator.processElement, "
    "isWindowLate(actualWindow)) | beam own window (LateDataDroppingDoFnRunner) | "
    "kafka_streams merged window (KStreamSessionWindowAggregate.process)",
    "touching sessions: flink merge (TimeWindow.intersects) | beam apart "
    "(IntervalWindow.intersects) | kafka_streams merge (findSessions bounds inclusive)",
    "watermark emission: every profile 0 = per event (Flink's own "
    "pipeline.auto-watermark-interval is 0.2 s: stream.watermark_interval = 0.2)",
    "watermark value: flink no more t <= W, bounded emits max - bound - 1 ms "
    "(BoundedOutOfOrdernessWatermarks) | beam no more t < W | kafka_streams stream "
    "time = max timestamp seen (watermark = bounded, watermark_bound = 0)",
    "window fires when: flink W >= end - 1 ms (TimeWindow.maxTimestamp, "
    "EventTimeTrigger) | beam W > end - 1 ms (IntervalWindow.maxTimestamp, isAfter) | "
    "kafka_streams stream time >= end",
    "element dropped when: flink end - 1 ms + lateness <= W (WindowOperator.isWindowLate) "
    "| beam end - 1 ms + lateness < W (LateDataUtils.dropExpiredWindows) | "
    "kafka_streams end + grace <= stream time (KStreamWindowAggregate.process)",
    "  (a generated watermark is a completeness bound C; on the engines' 1 ms grid "
    "all three read C >= end and C >= end + lateness; a scripted one is compared "
    "literally)",
    "accumulation: flink accumulating (EventTimeTrigger FIRE keeps state) | "
    "beam discarding (WindowingStrategy: DISCARDING_FIRED_PANES) | kafka_streams "
    "accumulating (KTable aggregate)",
    "emit: flink, beam trigger | kafka_streams per_record (KTable "
    "update stream, caching off); window_close = suppress(untilWindowCloses), "
    "KTableSuppressProcessor",
};

const char *semantics_describe(size_t i)
{
    return i < sizeof rows / sizeof rows[0] ? rows[i] : NULL;
}
