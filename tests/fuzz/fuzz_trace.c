/*
 * fuzz_trace: the trace reader (workload_open with workload.source = trace).
 * The input is a trace CSV.  Refused: error text "TRACE:..." naming the
 * file.  Accepted: the events come out as model/workload.h promises (seq 0, 1, 2, ...;
 * ascending arrival time, ties by ascending id; arrival >= event time;
 * unique ids; the perfect-watermark oracle and its floor below every event
 * still to come), and a short trace (<= 64 events, times <= 1000 s) is
 * then run through the whole simulation with every executor, which must
 * not report an invariant failure.
 */
#include "fuzz.h"

#include <math.h>
#include "run/sim.h"
#include "model/workload.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("trace.csv", data, size);
    config_t *c = malloc(sizeof *c);
    if (!c)
        fuzz_fail("out of memory");
    config_defaults(c);
    c->workload.source = SRC_TRACE;
    snprintf(c->workload.trace, sizeof c->workload.trace, "%s", path);
    char err[CFG_ERR_MAX];
    err[0] = '\0';
    workload_t *w = workload_open(c, err, sizeof err);
    if (!w) {
        if (strncmp(err, path, strlen(path)) != 0 || strlen(err) <= strlen(path) + 2)
            fuzz_fail("error text does not name the trace: '%s'", err);
        free(c);
        return 0;
    }
    size_t cap = 64, n = 0;
    uint64_t *ids = malloc(cap * sizeof *ids);
    workload_event ev, prev = {0};
    double tmax = 0;
    while (workload_peek(w) < INFINITY) {
        double peek = workload_peek(w);
        double floor = workload_pending_event_time_floor(w);
        double min = workload_min_pending_event_time(w);
        if (workload_next(w, &ev) != WL_OK)
            fuzz_fail("workload_next failed with events left: %s", workload_error(w));
        if (ev.arrival_time != peek)
            fuzz_fail("event %zu: arrival %.17g but workload_peek said %.17g", n, ev.arrival_time, peek);
        if (ev.seq != n)
            fuzz_fail("event %zu has seq %llu", n, (unsigned long long)ev.seq);
        if (!(ev.arrival_time >= ev.event_time) || !(ev.event_time >= 0))
            fuzz_fail("event id %llu: event time %.17g, arrival %.17g",
                      (unsigned long long)ev.id, ev.event_time, ev.arrival_time);
        if (n && (ev.arrival_time < prev.arrival_time
                  || (ev.arrival_time == prev.arrival_time && ev.id <= prev.id)))
            fuzz_fail("event %zu out of arrival order", n);
        if (!(min <= ev.event_time) || !(floor <= min))
            fuzz_fail("event %zu: oracle %.17g, floor %.17g, event time %.17g", n, min, floor,
                      ev.event_time);
        if (n == cap) {
            cap *= 2;
            uint64_t *ni = realloc(ids, cap * sizeof *ids);
            if (!ni)
                fuzz_fail("out of memory");
            ids = ni;
        }
        ids[n++] = ev.id;
        prev = ev;
        tmax = ev.arrival_time;
    }
    if (workload_next(w, &ev) != WL_ERR || workload_error(w)[0] || workload_count(w) != n)
        fuzz_fail("end of the trace: workload_next, workload_error '%s' or workload_count wrong", workload_error(w));
    qsort(ids, n, sizeof *ids, cmp_u64);
    for (size_t i = 1; i < n; i++)
        if (ids[i] == ids[i - 1])
            fuzz_fail("id %llu twice", (unsigned long long)ids[i]);
    workload_free(w);
    free(ids);

    if (n <= 64 && tmax <= 1000) {
        c->run.executors[EXEC_BATCH] = c->run.executors[EXEC_MICROBATCH] = 1;
        c->run.executors[EXEC_STREAM] = 1;
        c->batch.interval = 10;
        c->stream.checkpoint_interval = 5;
        if (config_validate(c, err, sizeof err) != CFG_OK)
            fuzz_fail("the trace config does not validate: %s", err);
        sim_outcome *o = malloc(sizeof *o);
        if (!o)
            fuzz_fail("out of memory");
        int st = sim_run(c, NULL, o, err, sizeof err);
        if (st != SIM_OK)
            fuzz_fail("simulation of the trace: status %d: %s", st, err);
        if (o->events != n)
            fuzz_fail("simulation saw %llu events of %zu", (unsigned long long)o->events, n);
        free(o);
    }
    free(c);
    return 0;
}
