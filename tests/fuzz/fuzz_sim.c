/*
 * fuzz_sim: the whole simulation on small clamped configs.  The input is
 * a config file (config_load); what it sets is then clamped so that one run
 * takes milliseconds (at most 30 s of event time, 50 events/s, 8 keys,
 * 4 workers, windows of at least 0.5 s, bounded delays and costs, at most
 * 8 fault times each), a trace or scripted watermark file is replaced by
 * a fixed one, and if the result validates it is run twice without an
 * output folder: once as the CLI runs it and once folding at every check
 * (fold_min = 1).  Any invariant failure (SIM_INVARIANT), any error but
 * running out of memory, or any difference between the two outcomes
 * aborts.  SLUICE_FUZZ_VERBOSE=1 in the environment says what became of
 * each input.
 */
#include "fuzz.h"

#include <math.h>
#include "run/sim.h"

static const char trace_csv[] =
    "id,key,value,event_time,arrival_time\n"
    "1,0,5,0.5,0.7\n2,1,3,1.2,1.3\n3,0,1,0.9,2.5\n4,2,7,4.0,4.1\n"
    "5,1,2,3.5,9.0\n6,0,4,10.2,10.4\n7,3,1,12.0,12.0\n8,1,6,6.0,25.0\n";
static const char watermark_csv[] = "time,watermark\n1,0\n3,2\n8,6\n20,18\n40,1e9\n";

static void at_most(double *v, double hi)
{
    if (*v > hi)
        *v = hi;
}
static void at_least(double *v, double lo)
{
    if (*v < lo)
        *v = lo;
}
static void zero_or_at_least(double *v, double lo)
{
    if (*v != 0 && *v < lo)
        *v = lo;
}
static void int_at_most(int *v, int hi)
{
    if (*v > hi)
        *v = hi;
}
static void list_clamp(config_list *l, double hi)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n && k < 8; i++)
        if (l->v[i] <= hi)
            l->v[k++] = l->v[i];
    l->n = k;
}

static void clamp(config_t *c, const char *dir)
{
    struct config_run *r = &c->run;
    at_most(&r->duration, 30);
    if (r->timeline_bucket != 0 && r->timeline_bucket < r->duration / 500)
        r->timeline_bucket = 0;
    struct config_workload *w = &c->workload;
    if (w->source == SRC_TRACE)
        snprintf(w->trace, sizeof w->trace, "%s/fixed_trace.csv", dir);
    at_most(&w->rate, 50);
    at_most(&w->mmpp_rate_high, 50);
    at_most(&w->mmpp_rate_low, 50);
    at_least(&w->mmpp_high_mean, 0.1);
    at_least(&w->mmpp_low_mean, 0.1);
    at_least(&w->diurnal_period, 1);
    int_at_most(&w->keys, 8);
    at_most(&w->delay_mean, 30);
    at_most(&w->delay_sigma, 2);
    at_least(&w->delay_shape, 1.5);
    at_most(&w->late_delay_mean, 60);
    int_at_most(&w->sources, 4);
    at_most(&w->source_skew, 30);
    struct config_window_s *win = &c->window;
    at_least(&win->size, 0.5);
    at_most(&win->size, 120);
    at_least(&win->slide, 0.5);
    at_least(&win->slide, win->size / 8);
    at_most(&win->slide, win->size);
    at_least(&win->gap, 0.1);
    at_most(&win->gap, 60);
    struct config_stream *s = &c->stream;
    if (s->watermark == WM_SCRIPTED)
        snprintf(s->watermark_file, sizeof s->watermark_file, "%s/fixed_wm.csv", dir);
    at_most(&s->watermark_bound, 60);
    at_most(&s->allowed_lateness, 120);
    zero_or_at_least(&s->early_delay, 0.1);
    at_most(&s->service_mean, 0.05);
    at_most(&s->service_sigma, 2);
    int_at_most(&s->parallelism, 4);
    int_at_most(&s->buffer, 1000);
    zero_or_at_least(&s->checkpoint_interval, 0.5);
    at_most(&s->checkpoint_cost, 1);
    at_most(&s->restart_delay, 10);
    at_most(&s->restore_per_entry, 0.01);
    struct config_batch *b = &c->batch;
    at_least(&b->interval, 1);
    at_most(&b->interval, 60);
    at_most(&b->cutoff, 60);
    at_most(&b->setup_cost, 5);
    at_most(&b->per_event_cost, 0.01);
    int_at_most(&b->parallelism, 4);
    int_at_most(&b->stages, 4);
    at_most(&b->restart_delay, 10);
    struct config_microbatch *m = &c->microbatch;
    at_least(&m->interval, 0.5);
    at_most(&m->interval, 60);
    at_most(&m->setup_cost, 1);
    at_most(&m->per_event_cost, 0.01);
    int_at_most(&m->parallelism, 4);
    at_most(&m->watermark_delay, 60);
    at_most(&m->restart_delay, 10);
    struct config_faults *f = &c->faults;
    list_clamp(&f->crash_times, 60);
    list_clamp(&f->slowdown_times, 60);
    list_clamp(&f->outage_times, 60);
    list_clamp(&f->checkpoint_failure_times, 60);
    zero_or_at_least(&f->mtbf, 5);
    at_most(&f->detection_delay, 10);
    at_most(&f->slowdown_factor, 10);
    at_most(&f->slowdown_duration, 30);
    at_most(&f->outage_duration, 30);
}

/* The outcome without the fields that depend on how often folding runs. */
static void comparable(sim_outcome *o)
{
    o->windows_held_max = 0;
    o->windows_folded = 0;
    for (int i = 0; i < EXEC_COUNT; i++) {
        o->summary[i].executor = NULL;
        o->summary[i].invariants = NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int have_files;
    if (!have_files) {
        fuzz_write("fixed_trace.csv", trace_csv, sizeof trace_csv - 1);
        fuzz_write("fixed_wm.csv", watermark_csv, sizeof watermark_csv - 1);
        have_files = 1;
    }
    const char *path = fuzz_write("sim.ini", data, size);
    config_t *c = malloc(sizeof *c);
    sim_outcome *o1 = calloc(1, sizeof *o1), *o2 = calloc(1, sizeof *o2);
    if (!c || !o1 || !o2)
        fuzz_fail("out of memory");
    config_defaults(c);
    char err[CFG_ERR_MAX], e2[CFG_ERR_MAX];
    const char *verbose = getenv("SLUICE_FUZZ_VERBOSE");
    if (config_load(c, path, err, sizeof err) != CFG_OK) {
        if (verbose)
            fprintf(stderr, "fuzz_sim: refused: %s\n", err);
        goto out;
    }
    clamp(c, fuzz_dir());
    if (config_validate(c, err, sizeof err) != CFG_OK) {
        if (verbose)
            fprintf(stderr, "fuzz_sim: not valid after clamping: %s\n", err);
        goto out;
    }
    err[0] = e2[0] = '\0';
    int st1 = sim_run(c, NULL, o1, err, sizeof err);
    if (st1 == SIM_INVARIANT)
        fuzz_fail("invariant failed: %s", err);
    if (st1 != SIM_OK && !strstr(err, "out of memory"))
        fuzz_fail("run failed (status %d) on a valid config: '%s'", st1, err);
    sim_options opt = {0};
    opt.fold_min = 1;
    int st2 = sim_run_opts(c, NULL, &opt, o2, e2, sizeof e2);
    if (st2 == SIM_INVARIANT)
        fuzz_fail("invariant failed with fold_min = 1: %s", e2);
    if (st1 == SIM_OK && st2 == SIM_OK) {
        comparable(o1);
        comparable(o2);
        if (memcmp(o1, o2, sizeof *o1) != 0)
            fuzz_fail("the outcome depends on how often windows are folded");
    }
    if (verbose)
        fprintf(stderr, "fuzz_sim: ran, status %d: %llu events\n", st1,
                (unsigned long long)o1->events);
out:
    free(c);
    free(o1);
    free(o2);
    return 0;
}
