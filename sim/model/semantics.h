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
 *      epsilon, max_ts_before_end, strict: the watermark convention.
 *                        The engines count time in whole milliseconds
 *                        (epsilon = 0.001 s, the quantum).
 *                        flink: Watermark(t) says no more elements with
 *                          timestamp <= t, so BoundedOutOfOrdernessWatermarks
 *                          .onPeriodicEmit emits maxTimestamp - bound - 1 ms;
 *                          TimeWindow.maxTimestamp() = end - 1 ms; timers
 *                          fire when timestamp <= watermark
 *                          (InternalTimerServiceImpl.advanceWatermark), so
 *                          the window fires when W >= end - 1 ms
 *                          (EventTimeTrigger.onElement: maxTimestamp() <=
 *                          currentWatermark fires at once);
 *                          WindowOperator.isWindowLate: cleanupTime(w) =
 *                          maxTimestamp + allowedLateness <= W.
 *                          max_ts_before_end = epsilon, strict 0.
 *                        beam: the watermark says no more elements with
 *                          timestamp < W; IntervalWindow.maxTimestamp() =
 *                          end - 1 ms; the end of the window is reached when
 *                          the input watermark isAfter(maxTimestamp())
 *                          (ReduceFnRunner, AfterWatermark); an element is
 *                          dropped when maxTimestamp + allowedLateness
 *                          isBefore(inputWatermark) (LateDataUtils
 *                          .dropExpiredWindows, LateDataDroppingDoFnRunner).
 *                          max_ts_before_end = epsilon, strict 1.
 *                        kafka_streams: the "watermark" is stream time, the
 *                          largest record timestamp seen; a record is
 *                          skipped when windowEnd <= streamTime - grace
 *                          (KStreamWindowAggregate.process: kept only if
 *                          windowEnd > closeTime), no maxTimestamp:
 *                          max_ts_before_end = 0, strict 0.  Stream time is
 *                          watermark = bounded with watermark_bound = 0.
 *                        How sluice applies them (semantics_passed): a
 *                        generated watermark (perfect, bounded, percentile)
 *                        is a completeness bound C (no more events with
 *                        time < C); on the engines' millisecond grid every
 *                        profile's comparison then reduces to C >= end
 *                        (flink: C - 1 ms >= end - 1 ms; beam: C > end -
 *                        1 ms, and the next instant on the grid is end), so
 *                        generated watermarks fire and drop alike in every
 *                        profile (due_shift 0, due_strict 0).  A scripted
 *                        watermark is the engine's own value (Flink's
 *                        emitted Watermark, Beam's TestStream
 *                        .advanceWatermarkTo): it is compared literally,
 *                        due_shift = -max_ts_before_end and due_strict =
 *                        strict.  The watermark reported (timeline.csv,
 *                        etc.) is the value the operator holds: C for a
 *                        generated one (Flink's would read C - 1 ms), the
 *                        script's value for a scripted one.
 *      accumulating      late and early panes hold the whole window (1) or
 *                        only what arrived since the last pane (0).
 *                        flink 1: EventTimeTrigger returns FIRE (not
 *                          FIRE_AND_PURGE), the window state is kept;
 *                        beam 0: WindowingStrategy's default AccumulationMode
 *                          is DISCARDING_FIRED_PANES;
 *                        kafka_streams 1: an aggregate updates its KTable.
 *                        stream.accumulation = profile takes it.
 *      emit              which panes a window emits (enum config_emit):
 *                        flink, beam EMIT_TRIGGER (the trigger,
 *                          model/trigger.h); kafka_streams EMIT_PER_RECORD
 *                          (the KTable update stream: every record that
 *                          updates a window forwards its new aggregate,
 *                          with caching off, statestore.cache.max.bytes = 0);
 *                          EMIT_WINDOW_CLOSE is suppress(Suppressed
 *                          .untilWindowCloses(...)): KTableSuppressProcessor
 *                          emits one final result once windowEnd + grace <=
 *                          stream time.  stream.emit = profile takes it.
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
    double epsilon;        /* s, the engine's time quantum (1 ms) */
    double max_ts_before_end; /* s, window end - the window's maxTimestamp() */
    int strict;            /* 1: due when W > maxTimestamp (Beam isAfter) */
    int accumulating;      /* 1: panes hold the whole window so far */
    int emit;              /* enum config_emit, never EMIT_PROFILE */
    /* derived for the run's watermark kind (semantics_passed) */
    double due_shift;      /* s added to a deadline before comparing */
    int due_strict;        /* 1: the watermark must exceed it */
} semantics_rules;

/* The rules of st's profile with st's explicit per-rule keys applied. */
semantics_rules semantics_of(const struct config_stream *st);

/* Number of profiles and rows of semantics_describe. */
#define SEMANTICS_NPROFILES 3

/* One rule per line for `sluice config --defaults`: row i (from 0) of the
 * profiles table, NULL past the last.  Each row names the rule, then its
 * value per profile with the engine's class or page. */
const char *semantics_describe(size_t i);

/* Whether watermark wm has passed deadline t (a window end, or end +
 * allowed lateness) under the profile's convention: t + due_shift <= wm,
 * or < wm when due_strict.  For a generated watermark due_shift = 0 and
 * due_strict = 0: exactly t <= wm. */
static inline int semantics_passed(const semantics_rules *r, double t, double wm)
{
    double thr = t + r->due_shift;
    return r->due_strict ? thr < wm : thr <= wm;
}

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
