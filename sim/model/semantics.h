/*
 * semantics: the engine profiles of the stream executor
 * (stream.semantics = flink | beam | kafka_streams), as one small rules
 * struct, so every rule where the engines differ is named in one place.
 *
 * Rules of this module
 *  - A profile is a set of defaults; an explicit per-rule key wins over
 *    it (stream.session_drop: "profile" = take the profile's rule;
 *    stream.watermark_interval: -1 = take the profile's value).
 *  - The rules (each names the engine's own class and method):
 *      drop_after_merge  a session element is tested for lateness on the
 *                        MERGED window (1) or on its own proto-window
 *                        before any merge (0).
 *                        flink 1: WindowOperator.processElement merges
 *                          (MergingWindowSet.addWindow) then drops if
 *                          isWindowLate(actualWindow);
 *                        kafka_streams 1: KStreamSessionWindowAggregate
 *                          .process merges the sessions found, then
 *                          skips if mergedWindow.end() < windowCloseTime;
 *                        beam 0: LateDataDroppingDoFnRunner drops on the
 *                          element's own window, before ReduceFnRunner
 *                          merges.
 *      touching_merge    two sessions [a,b) and [b,c) that only touch
 *                        merge (1) or stay apart (0).
 *                        flink 1: TimeWindow.intersects (start <= other.end
 *                          && end >= other.start);
 *                        kafka_streams 1: findSessions(key, t - gap,
 *                          t + gap) bounds are inclusive;
 *                        beam 0: IntervalWindow.intersects (end exclusive).
 *      watermark_interval  processing time between two emissions of the
 *                        source watermark; 0 = after every event read.
 *                        Flink emits periodically: pipeline.auto-watermark-
 *                          interval (ExecutionConfig.setAutoWatermarkInterval,
 *                          200 ms by default) runs WatermarkGenerator
 *                          .onPeriodicEmit (BoundedOutOfOrdernessWatermarks);
 *                          onEvent only records the max timestamp.
 *                        Every profile's default is 0 for now, flink too:
 *                          periodic emission makes late drops depend on
 *                          processing time, so a replay after a crash drops
 *                          other events than the first run did, which breaks
 *                          sluice's exactly-once = fault-free invariant
 *                          (config_validate refuses an interval > 0 with
 *                          crashes).  Set stream.watermark_interval = 0.2 for
 *                          Flink's emission.
 *                        stream.watermark_interval = -1 (the default "not
 *                        set" sentinel) takes the profile's value.
 *  - Pure functions, no state, no allocation.
 */
#ifndef SLUICE_SEMANTICS_H
#define SLUICE_SEMANTICS_H

#include "model/config.h"
#include "model/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct semantics_rules {
    int drop_after_merge;  /* 1: late test on the merged session window */
    int touching_merge;    /* 1: sessions that only touch merge */
    double watermark_interval; /* s between source watermark emissions, 0 = per read */
} semantics_rules;

/* The rules of st's profile with st's explicit per-rule keys applied. */
semantics_rules semantics_of(const struct config_stream *st);

/* Whether session windows a and b merge under r (they overlap, or touch
 * when touching_merge). */
static inline int semantics_sessions_meet(const semantics_rules *r, window_t a, window_t b)
{
    if (r->touching_merge)
        return a.start <= b.end && b.start <= a.end;
    return a.start < b.end && b.start < a.end;
}

#ifdef __cplusplus
}
#endif

#endif
