/*
 * sim.c: the simulation context of one run and its main loop (see sim.h).
 *
 * One run = one workload (generated once, or a trace), one fault schedule,
 * one event queue and one clock shared by every executor: each arrival is
 * offered to every executor at the same simulated instant, so every
 * difference between executors is a difference of their model.
 *
 * When faults are configured, sim_run first runs the same configuration
 * without faults (no output files) and keeps each executor's final
 * results: the reference for the invariants "exactly_once_equals_fault_free"
 * and "at_least_once_contains_fault_free".
 */
#include "sim.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "gt.h"
#include "metrics.h"
#include "wl.h"
#include "wmap.h"

#define SIM_RNG_MAX 32
#define SAMPLE_MAX 5000 /* events kept for events.csv */

typedef struct sample_ev {
    uint64_t id, seq;
    uint32_t key;
    double event_time, arrival_time;
} sample_ev;

struct sim {
    cfg_t cfg;
    double now;
    eq_t *eq;
    wl_t *wl;
    int ta_valid;       /* ta = wl_peek(wl), cached by sim_loop: valid until
                           wl_next or wl_min_pending_event_time (which may
                           generate an earlier arrival) */
    double ta;
    gsl_rng *rng[SIM_RNG_MAX];
    fault_schedule faults;
    gt_t *gt;
    exec_t exec[EXEC_COUNT];
    int nexec;
    FILE *panes;
    double bucket;       /* s per timeline row */
    double last_tick;    /* time of the last timeline sample */
    int input_ended;
    int aborted;
    char abort_msg[512];
    uint64_t events;
    /* events.csv: every k-th event by seq; k doubles when full */
    sample_ev *sample;
    size_t nsample;
    uint64_t sample_k;   /* a power of two: seq % k is seq & (k - 1) */
};

/* ---- services for executors ---- */

double sim_now(const sim_t *s) { return s->now; }
const double *sim_clock(const sim_t *s) { return &s->now; }
const cfg_t *sim_cfg(const sim_t *s) { return &s->cfg; }
const fault_schedule *sim_faults(const sim_t *s) { return &s->faults; }

eq_handle sim_at(sim_t *s, double t, eq_fn fn, void *arg, uint64_t data)
{
    assert(t >= s->now && "scheduling in the past");
    assert(!isnan(t));
    eq_handle h = eq_schedule(s->eq, t, fn, arg, data);
    if (!h)
        sim_abort(s, "out of memory in the event queue");
    return h;
}

int sim_cancel(sim_t *s, eq_handle h) { return eq_cancel(s->eq, h); }

int sim_reschedule(sim_t *s, eq_handle *h, double t)
{
    assert(t >= s->now && "rescheduling into the past");
    return eq_reschedule(s->eq, h, t);
}

gsl_rng *sim_rng(sim_t *s, unsigned component)
{
    assert(component < SIM_RNG_MAX);
    if (!s->rng[component]) {
        s->rng[component] = rng_stream_alloc(s->cfg.run.seed, component);
        if (!s->rng[component])
            sim_abort(s, "out of memory allocating a random stream");
    }
    return s->rng[component];
}

double sim_min_pending_event_time(sim_t *s)
{
    s->ta_valid = 0;
    return wl_min_pending_event_time(s->wl);
}

void sim_abort(sim_t *s, const char *why)
{
    if (!s->aborted)
        snprintf(s->abort_msg, sizeof s->abort_msg, "%s", why);
    s->aborted = 1;
}

/* ---- lifecycle ---- */

static void sim_free(sim_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nexec; i++) {
        if (s->exec[i].self)
            s->exec[i].type->destroy(s->exec[i].self);
        metrics_free(s->exec[i].metrics);
    }
    for (int i = 0; i < SIM_RNG_MAX; i++)
        if (s->rng[i])
            gsl_rng_free(s->rng[i]);
    eq_free(s->eq);
    wl_free(s->wl);
    gt_free(s->gt);
    fault_schedule_free(&s->faults);
    free(s->sample);
    free(s);
}

static sim_t *sim_new(const cfg_t *c, FILE *panes, char *err, size_t errlen)
{
    sim_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *c;
    s->panes = panes;
    s->sample_k = 1;
    s->eq = eq_alloc(1024);
    s->gt = gt_alloc(&c->window);
    s->sample = malloc(SAMPLE_MAX * sizeof *s->sample);
    if (!s->eq || !s->gt || !s->sample) {
        snprintf(err, errlen, "out of memory");
        sim_free(s);
        return NULL;
    }
    s->wl = wl_open(c, err, errlen);
    if (!s->wl) {
        sim_free(s);
        return NULL;
    }
    if (fault_schedule_build(c, &s->faults, err, errlen) != 0) {
        sim_free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->faults.n; i++) {
        const fault_t *f = &s->faults.v[i];
        if (f->kind == FAULT_OUTAGE && wl_add_outage(s->wl, f->time, f->time + f->duration) != 0) {
            snprintf(err, errlen, "out of memory adding an outage");
            sim_free(s);
            return NULL;
        }
    }
    s->bucket = c->run.timeline_bucket > 0 ? c->run.timeline_bucket : c->run.duration / 100.0;
    if (!(s->bucket > 0))
        s->bucket = 1.0;
    for (int id = 0; id < EXEC_COUNT; id++) {
        if (!c->run.executors[id])
            continue;
        exec_t *e = &s->exec[s->nexec];
        e->type = exec_type_of(id);
        if (!e->type) {
            snprintf(err, errlen, "executor %s is not built into this sluice",
                     cfg_word("run", "executors", id));
            sim_free(s);
            return NULL;
        }
        e->sim = s;
        e->id = id;
        /* Only discarding stream panes are deltas; batch and micro-batch
         * panes always carry the whole window. */
        int deltas = id == EXEC_STREAM && c->stream.accumulation == ACC_DISCARDING;
        e->metrics = metrics_alloc(e->type->name, c, deltas, panes);
        s->nexec++;
        if (!e->metrics) {
            snprintf(err, errlen, "out of memory");
            sim_free(s);
            return NULL;
        }
        e->self = e->type->create(s, e, err, errlen);
        if (!e->self) {
            sim_free(s);
            return NULL;
        }
    }
    return s;
}

/* ---- events of the run itself ---- */

static void on_fault(void *ctx, void *arg, uint64_t data)
{
    sim_t *s = ctx;
    (void)arg;
    const fault_t *f = &s->faults.v[data];
    for (int i = 0; i < s->nexec; i++)
        s->exec[i].type->on_fault(s->exec[i].self, f);
}

static void sample_all(sim_t *s, double t)
{
    for (int i = 0; i < s->nexec; i++) {
        exec_t *e = &s->exec[i];
        if (metrics_sample(e->metrics, t, e->type->backlog(e->self), e->type->watermark(e->self)) != 0)
            sim_abort(s, "out of memory recording the timeline");
    }
    s->last_tick = t;
}

static void on_tick(void *ctx, void *arg, uint64_t data)
{
    sim_t *s = ctx;
    (void)arg;
    sample_all(s, s->now);
    /* Keep ticking while anything else can still happen. */
    if (!s->input_ended || eq_size(s->eq) > 0)
        sim_at(s, (double)(data + 1) * s->bucket, on_tick, NULL, data + 1);
}

static void keep_sample(sim_t *s, const wl_event *ev)
{
    if ((ev->seq & (s->sample_k - 1)) != 0) /* no division per event */
        return;
    if (s->nsample == SAMPLE_MAX) {
        /* Thin to every (2k)-th: deterministic, bounded. */
        size_t j = 0;
        s->sample_k *= 2;
        for (size_t i = 0; i < s->nsample; i++)
            if ((s->sample[i].seq & (s->sample_k - 1)) == 0)
                s->sample[j++] = s->sample[i];
        s->nsample = j;
        if ((ev->seq & (s->sample_k - 1)) != 0)
            return;
    }
    sample_ev *x = &s->sample[s->nsample++];
    x->id = ev->id;
    x->seq = ev->seq;
    x->key = ev->key;
    x->event_time = ev->event_time;
    x->arrival_time = ev->arrival_time;
}

static void end_input(sim_t *s)
{
    s->input_ended = 1;
    for (int i = 0; i < s->nexec; i++)
        s->exec[i].type->on_input_end(s->exec[i].self);
}

/* The main loop: arrivals and queued events in time order, an arrival
 * first on a tie. */
static int sim_loop(sim_t *s, const sim_options *opt, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->faults.n; i++)
        if (!sim_at(s, s->faults.v[i].time, on_fault, NULL, i))
            break;
    sim_at(s, s->bucket, on_tick, NULL, 1);
    uint64_t steps = 0;
    while (!s->aborted) {
        if ((++steps & 0xffff) == 0 && opt) {
            if (opt->stop && *opt->stop) {
                snprintf(err, errlen, "interrupted");
                return SIM_ERR;
            }
            if (opt->progress)
                opt->progress(opt->user, s->now, s->events);
        }
        if (!s->ta_valid) {
            s->ta = wl_peek(s->wl);
            s->ta_valid = 1;
        }
        double ta = s->ta;
        double te = eq_peek_time(s->eq);
        if (ta == INFINITY && !s->input_ended) {
            const char *why = wl_error(s->wl);
            if (why && *why) {
                snprintf(err, errlen, "%s", why);
                return SIM_ERR;
            }
            end_input(s);
            s->ta_valid = 0;
            continue;
        }
        if (ta == INFINITY && te == INFINITY)
            break;
        if (ta <= te) {
            wl_event ev;
            s->ta_valid = 0;
            if (wl_next(s->wl, &ev) != WL_OK) {
                snprintf(err, errlen, "%s", wl_error(s->wl));
                return SIM_ERR;
            }
            assert(ev.arrival_time >= s->now);
            s->now = ev.arrival_time;
            s->events++;
            if (gt_add(s->gt, &ev) != 0) {
                snprintf(err, errlen, "out of memory in the ground truth");
                return SIM_ERR;
            }
            keep_sample(s, &ev);
            for (int i = 0; i < s->nexec; i++)
                s->exec[i].type->on_arrival(s->exec[i].self, &ev);
        } else {
            eq_item it;
            int rc = eq_pop(s->eq, &it);
            assert(rc == EQ_OK);
            (void)rc;
            assert(it.time >= s->now);
            s->now = it.time;
            it.fn(s, it.arg, it.data);
        }
    }
    if (s->aborted) {
        snprintf(err, errlen, "%s", s->abort_msg);
        return SIM_ERR;
    }
    if (s->now > s->last_tick)
        sample_all(s, ceil(s->now / s->bucket) * s->bucket);
    for (int i = 0; i < s->nexec; i++) {
        if (s->exec[i].type->finish)
            s->exec[i].type->finish(s->exec[i].self);
        if (metrics_finish(s->exec[i].metrics, s->gt) != 0) {
            snprintf(err, errlen, "out of memory computing completeness");
            return SIM_ERR;
        }
    }
    return SIM_OK;
}

/* ---- invariants against the fault-free run ---- */

static int exactly_once(const cfg_t *c, int id)
{
    return id != EXEC_STREAM || c->stream.guarantee == GUAR_EXACTLY_ONCE;
}

/* Compares executor e's final results with the fault-free run's.  For an
 * exactly-once executor every window must match in both directions; for an
 * at-least-once one every fault-free window must be matched or exceeded
 * (duplicates are allowed, losses are not).  Every window counts, whatever
 * its panes (a window first shown by a LATE pane is as final as one with
 * an ON_TIME pane); session windows are first folded into the final
 * session of their key: a session emitted early and then merged into a
 * larger one is an intermediate result, and which intermediates appear
 * depends on timing, not on correctness. */
typedef struct sess_entry {
    wmap_key k;
    const metrics_result *r;
} sess_entry;

static int sess_cmp(const void *a, const void *b)
{
    const sess_entry *x = a, *y = b;
    if (x->k.key != y->k.key)
        return x->k.key < y->k.key ? -1 : 1;
    if (x->k.start != y->k.start)
        return x->k.start < y->k.start ? -1 : 1;
    if (x->k.end != y->k.end)
        return x->k.end > y->k.end ? -1 : 1; /* longest first */
    return 0;
}

/* Session windows grow by merging, so a run's results hold intermediate
 * sessions (emitted, then merged into a larger one) beside the final ones.
 * This folds every session into the largest one of its key that contains
 * it: the result maps each final session to its final value (for delta
 * panes, the sum over everything merged into it, since a consumer adds up
 * the deltas of the merged windows too).  Returns a new map owned by the
 * caller, or NULL when out of memory. */
static wmap_t *final_sessions(const wmap_t *m, int deltas)
{
    size_t n = wmap_size(m), pos = 0, i = 0;
    sess_entry *v = malloc((n ? n : 1) * sizeof *v);
    wmap_t *out = wmap_alloc(sizeof(metrics_result));
    if (!v || !out) {
        free(v);
        wmap_free(out);
        return NULL;
    }
    const metrics_result *r;
    wmap_key k;
    while ((r = wmap_next(m, &pos, &k)) != NULL) {
        v[i].k = k;
        v[i].r = r;
        i++;
    }
    qsort(v, n, sizeof *v, sess_cmp);
    metrics_result *cur = NULL;
    wmap_key ck = {0, 0, 0};
    for (i = 0; i < n; i++) {
        int contained = cur && v[i].k.key == ck.key && v[i].k.end <= ck.end;
        if (!contained) {
            ck = v[i].k;
            cur = wmap_put(out, ck.key, ck.start, ck.end, NULL);
            if (!cur) {
                free(v);
                wmap_free(out);
                return NULL;
            }
            *cur = *v[i].r;
            cur->has_ontime = 1;
        } else if (deltas) {
            cur->final_count += v[i].r->final_count;
            cur->final_sum += v[i].r->final_sum;
        }
    }
    free(v);
    return out;
}

static void check_against_reference(sim_t *s, exec_t *e, const metrics_t *ref)
{
    const wmap_t *got = metrics_results(e->metrics);
    const wmap_t *want = metrics_results(ref);
    wmap_t *got_s = NULL, *want_s = NULL;
    if (s->cfg.window.type == WIN_SESSION) {
        int deltas = e->id == EXEC_STREAM && s->cfg.stream.accumulation == ACC_DISCARDING;
        got_s = final_sessions(got, deltas);
        want_s = final_sessions(want, deltas);
        if (!got_s || !want_s) {
            wmap_free(got_s);
            wmap_free(want_s);
            sim_abort(s, "out of memory comparing with the fault-free run");
            return;
        }
        got = got_s;
        want = want_s;
    }
    int exact = exactly_once(&s->cfg, e->id);
    const char *name = exact ? "exactly_once_equals_fault_free" : "at_least_once_contains_fault_free";
    char detail[256];
    size_t pos = 0;
    wmap_key k;
    const metrics_result *w;
    while ((w = wmap_next(want, &pos, &k)) != NULL) {
        const metrics_result *g = wmap_get(got, k.key, k.start, k.end);
        uint64_t gc = g ? g->final_count : 0;
        int64_t gs = g ? g->final_sum : 0;
        int bad = exact ? (gc != w->final_count || gs != w->final_sum) : (gc < w->final_count);
        if (bad) {
            snprintf(detail, sizeof detail,
                     "%s: key %" PRIu32 " window [%.9g, %.9g): final count %" PRIu64
                     " sum %" PRId64 ", fault-free count %" PRIu64 " sum %" PRId64,
                     e->type->name, k.key, k.start, k.end, gc, gs, w->final_count, w->final_sum);
            metrics_fail(e->metrics, name, detail);
            goto done;
        }
    }
    if (!exact)
        goto done;
    pos = 0;
    const metrics_result *g;
    while ((g = wmap_next(got, &pos, &k)) != NULL) {
        if (g->final_count > 0 && !wmap_get(want, k.key, k.start, k.end)) {
            snprintf(detail, sizeof detail,
                     "%s: key %" PRIu32 " window [%.9g, %.9g) has count %" PRIu64
                     " but does not exist in the fault-free run",
                     e->type->name, k.key, k.start, k.end, g->final_count);
            metrics_fail(e->metrics, name, detail);
            goto done;
        }
    }
done:
    wmap_free(got_s);
    wmap_free(want_s);
}


/* ---- output files ---- */

static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[CFG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *dir, const char *name, int rc, char *err, size_t errlen)
{
    if (ferror(f))
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "%s/%s: write error", dir, name);
    return rc;
}

static int write_events(const sim_t *s, FILE *f)
{
    if (fprintf(f, "id,key,event_time,arrival_time\n") < 0)
        return -1;
    for (size_t i = 0; i < s->nsample; i++)
        if (fprintf(f, "%" PRIu64 ",%" PRIu32 ",%.9g,%.9g\n", s->sample[i].id, s->sample[i].key,
                    s->sample[i].event_time, s->sample[i].arrival_time) < 0)
            return -1;
    return 0;
}

static int write_outputs(sim_t *s, const char *dir, char *err, size_t errlen)
{
    static const char *const names[] = {"summary.csv", "timeline.csv", "windows.csv",
                                        "latency.csv", "faults.csv",   "events.csv",
                                        "config.ini"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        if (n == 2 && s->cfg.window.type == WIN_NONE)
            continue;
        FILE *f = open_out(dir, names[n], err, errlen);
        if (!f)
            return -1;
        int rc = 0;
        switch (n) {
        case 0: rc = metrics_write_summary_header(f); break;
        case 1: rc = metrics_write_timeline_header(f); break;
        case 2: rc = metrics_write_windows_header(f); break;
        case 3: rc = metrics_write_latency_header(f); break;
        case 4: rc = metrics_write_faults_header(f); break;
        case 5: rc = write_events(s, f); break;
        case 6: rc = cfg_write_ini(&s->cfg, f); break;
        }
        for (int i = 0; rc == 0 && n <= 4 && i < s->nexec; i++) {
            const metrics_t *m = s->exec[i].metrics;
            switch (n) {
            case 0: rc = metrics_write_summary_row(m, f); break;
            case 1: rc = metrics_write_timeline(m, f); break;
            case 2: rc = metrics_write_windows(m, s->gt, f); break;
            case 3: rc = metrics_write_latency(m, f); break;
            case 4: rc = metrics_write_faults(m, f); break;
            }
        }
        if (close_out(f, dir, names[n], rc, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* ---- sim_run ---- */

int sim_run(const cfg_t *c, const char *out_dir, sim_outcome *o, char *err, size_t errlen)
{
    return sim_run_opts(c, out_dir, NULL, o, err, errlen);
}

int sim_run_opts(const cfg_t *c, const char *out_dir, const sim_options *opt, sim_outcome *o,
                 char *err, size_t errlen)
{
    sim_outcome dummy;
    if (!o)
        o = &dummy;
    memset(o, 0, sizeof *o);
    o->status = SIM_ERR;
    if (cfg_validate(c, err, errlen) != CFG_OK)
        return SIM_ERR;

    /* The fault-free reference, when there are faults. */
    sim_t *ref = NULL;
    int has_faults = c->faults.crash_times.n || c->faults.mtbf > 0 ||
                     c->faults.checkpoint_failure_times.n;
    if (has_faults) {
        cfg_t rc = *c;
        /* Only the faults of the system go: crashes and failed
         * checkpoints.  An outage changes the input itself (what arrives
         * when, and so, legitimately, what is late), and a slowdown only
         * the speed: both stay in the reference. */
        memset(&rc.faults.crash_times, 0, sizeof rc.faults.crash_times);
        memset(&rc.faults.checkpoint_failure_times, 0, sizeof rc.faults.checkpoint_failure_times);
        rc.faults.mtbf = 0;
        ref = sim_new(&rc, NULL, err, errlen);
        if (!ref)
            return SIM_ERR;
        if (sim_loop(ref, opt, err, errlen) != SIM_OK) {
            sim_free(ref);
            return SIM_ERR;
        }
    }

    FILE *panes = NULL;
    if (out_dir) {
        panes = open_out(out_dir, "panes.csv", err, errlen);
        if (!panes || metrics_write_pane_header(panes) != 0) {
            if (panes)
                fclose(panes);
            sim_free(ref);
            return SIM_ERR;
        }
    }
    sim_t *s = sim_new(c, c->run.panes_csv ? panes : NULL, err, errlen);
    int status = SIM_ERR;
    if (s && sim_loop(s, opt, err, errlen) == SIM_OK) {
        status = SIM_OK;
        if (ref)
            for (int i = 0; i < s->nexec; i++)
                check_against_reference(s, &s->exec[i], ref->exec[i].metrics);
        if (out_dir && write_outputs(s, out_dir, err, errlen) != 0)
            status = SIM_ERR;
    }
    if (panes && close_out(panes, out_dir, "panes.csv", 0, err, errlen) != 0)
        status = SIM_ERR;
    if (status == SIM_OK) {
        o->events = s->events;
        o->end_time = s->now;
        o->nexec = s->nexec;
        for (int i = 0; i < s->nexec; i++) {
            metrics_summary *ms = &o->summary[i];
            metrics_get_summary(s->exec[i].metrics, ms);
            snprintf(o->executor[i], sizeof o->executor[i], "%s", s->exec[i].type->name);
            snprintf(o->invariants[i], sizeof o->invariants[i], "%s",
                     ms->invariants ? ms->invariants : "ok");
            ms->executor = o->executor[i];
            ms->invariants = o->invariants[i];
        }
        for (int i = 0; i < s->nexec; i++) {
            const char *d = metrics_failure_detail(s->exec[i].metrics);
            if (d && *d) {
                metrics_summary sum;
                metrics_get_summary(s->exec[i].metrics, &sum);
                snprintf(err, errlen, "invariant %s failed: %s", sum.invariants, d);
                status = SIM_INVARIANT;
                break;
            }
        }
    }
    o->status = status;
    sim_free(s);
    sim_free(ref);
    return status;
}
