/*
 * grade_watermark: grades a student's watermark policy (lab 09,
 * workloads/labs/09-watermark/README.md).  `make lab-grade LAB=watermark
 * [SRC=file.c]` compiles SRC (which defines `const watermark_type
 * lab_watermark`) with warnings as errors, links it with this file and
 * libsluice, and runs it.
 *
 * Rules of this module
 *  - The policy is driven two ways: directly, event by event in arrival
 *    order, to check the promises a watermark makes (never backwards, no
 *    NaN, it advances, a copy behaves as the original: a checkpoint
 *    restores it); and as sluice's stream executor's watermark
 *    (sim_options.watermark_type) on three workloads with the grader's own
 *    seeds, to check what it is for: completeness at a bounded latency,
 *    also across a source outage.
 *  - The thresholds are met with room by the instructors' reference
 *    (instructors/reference.c) and by the built-in bounded policy with a
 *    bound of 10 s; they fail a policy that goes backwards, never
 *    advances or is too eager (tests/labs/broken/, tests/test_labs.c).
 */
#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "grade.h"
#include "model/watermark.h"
#include "model/workload.h"
#include "run/sim.h"

extern const watermark_type lab_watermark;

static const unsigned long SEEDS[] = {1013, 40427, 77003};
#define RUN_LIMIT_S 10 /* s of wall time for one run; they take well under 1 s */
#define NSEEDS (sizeof SEEDS / sizeof SEEDS[0])

/* Each workload: a name, the assignments, and what the policy must reach. */
typedef struct lab_workload {
    const char *name;
    const char *sets[16];
    double min_complete; /* complete_final: share of the true counts kept */
    double max_latency;  /* win_lat_mean, s: pane emit - window end */
} lab_workload;

#define COMMON "run.executors=stream", "run.duration=600", "workload.rate=20", \
    "workload.keys=4", "window.type=tumbling", "window.size=60", "stream.allowed_lateness=0", \
    "stream.early_delay=0", "stream.checkpoint_interval=0"

static const lab_workload WORKLOADS[] = {
    {"steady", {COMMON, "workload.delay=exponential", "workload.delay_mean=2", NULL}, 0.975, 60},
    {"heavy-tailed", {COMMON, "workload.delay=pareto", "workload.delay_mean=2",
                      "workload.delay_shape=1.8", "workload.late_fraction=0.02",
                      "workload.late_delay_mean=60", NULL}, 0.98, 60},
    {"outage", {COMMON, "workload.delay=exponential", "workload.delay_mean=2",
                "faults.outage_times=200", "faults.outage_duration=60", NULL}, 0.975, 60},
};
#define NWORKLOADS (sizeof WORKLOADS / sizeof WORKLOADS[0])

/* What the direct drive found on one workload (the first seed that shows
 * a problem keeps its message). */
typedef struct drive_result {
    int nan, backwards, stuck, copy_differs;
    char back_msg[200], stuck_msg[200], copy_msg[200];
} drive_result;

/* The direct drive: feeds the workload of c to a fresh instance (and, from
 * the middle on, to a copy of it) and checks the watermark's promises.
 * Returns -1 (err filled) when the policy or the workload could not be set
 * up. */
static int drive(const config_t *c, drive_result *r, char *err, size_t errlen)
{
    const watermark_type *t = &lab_watermark;
    watermark_t *a = watermark_alloc(t, c, err, errlen);
    watermark_t *b = a ? watermark_alloc(t, c, err, errlen) : NULL;
    workload_t *wl = b ? workload_open(c, err, errlen) : NULL;
    int rc = 0;
    if (!a || !b || !wl) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < c->faults.outage_times.n; i++)
        workload_add_outage(wl, c->faults.outage_times.v[i],
                            c->faults.outage_times.v[i] + c->faults.outage_duration);
    workload_event ev;
    double prev = -INFINITY, max_t = -INFINITY, last = -INFINITY;
    uint64_t n = 0, half = workload_count(wl) / 2;
    int copied = 0;
    while (workload_next(wl, &ev) == WL_OK) {
        watermark_input in = {ev.arrival_time, INFINITY};
        watermark_observe(a, &ev);
        double wa = watermark_get(a, &in);
        if (copied) {
            watermark_observe(b, &ev);
            double wb = watermark_get(b, &in);
            if (!r->copy_differs && !(wa == wb || (isnan(wa) && isnan(wb)))) {
                r->copy_differs = 1;
                snprintf(r->copy_msg, sizeof r->copy_msg,
                         "after event %llu the copy says %.6g, the original %.6g",
                         (unsigned long long)n, wb, wa);
            }
        } else if (n == half) {
            watermark_copy(b, a);
            copied = 1;
        }
        if (isnan(wa))
            r->nan = 1;
        else if (wa < prev && !r->backwards) {
            r->backwards = 1;
            snprintf(r->back_msg, sizeof r->back_msg,
                     "at t = %.6g s (event %llu) it returned %.6g after %.6g", ev.arrival_time,
                     (unsigned long long)n, wa, prev);
        }
        if (!isnan(wa) && wa > prev)
            prev = wa;
        if (ev.event_time > max_t)
            max_t = ev.event_time;
        last = wa;
        n++;
    }
    if (!(last >= max_t - 120) && !r->stuck) {
        r->stuck = 1;
        snprintf(r->stuck_msg, sizeof r->stuck_msg,
                 "the last watermark is %.6g while events up to %.6g have been read", last, max_t);
    }
out:
    watermark_free(a);
    watermark_free(b);
    workload_free(wl);
    return rc;
}

/* A run that does not end in time is stopped through sim_options.stop. */
static volatile int stop_flag;
static void on_alarm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int main(void)
{
    grade g = {"watermark", 0, 0};
    char err[CFG_ERR_MAX];
    gsl_set_error_handler_off();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("grading watermark policy \"%s\" on %zu workloads x %zu seeds\n",
           lab_watermark.name ? lab_watermark.name : "(no name)", NWORKLOADS, NSEEDS);
    if (lab_watermark.needs_oracle) {
        grade_report(&g, 0, "no oracle", "needs_oracle = 1 reads the future (which event "
                     "times are still to come): a real source cannot; set it to 0");
        return grade_finish(&g);
    }
    if (!lab_watermark.init || !lab_watermark.observe || !lab_watermark.get) {
        grade_report(&g, 0, "functions", "init, observe and get must all be set");
        return grade_finish(&g);
    }
    signal(SIGALRM, on_alarm);
    for (size_t w = 0; w < NWORKLOADS; w++) {
        const lab_workload *lw = &WORKLOADS[w];
        double worst_c = INFINITY, worst_l = -INFINITY;
        drive_result dr = {0};
        int ran = 1;
        for (size_t k = 0; k < NSEEDS; k++) {
            config_t c;
            sim_outcome o;
            sim_options opt = {0};
            if (grade_config(&c, lw->sets, SEEDS[k], err, sizeof err) != 0) {
                fprintf(stderr, "grade: %s: %s\n", lw->name, err);
                return 2;
            }
            if (drive(&c, &dr, err, sizeof err) != 0) {
                grade_report(&g, 0, "init", "%s: setting up your policy failed: %s", lw->name, err);
                return grade_finish(&g);
            }
            opt.watermark_type = &lab_watermark;
            opt.stop = &stop_flag;
            stop_flag = 0;
            alarm(RUN_LIMIT_S);
            int st = sim_run_opts(&c, NULL, &opt, &o, err, sizeof err);
            alarm(0);
            if (st != SIM_OK) {
                if (stop_flag)
                    grade_report(&g, 0, "run ends", "%s (seed %lu): the run did not end within "
                                 "%d s: next_change() must return INFINITY once W only moves "
                                 "when events are read (it holds the end of the run back)",
                                 lw->name, SEEDS[k], RUN_LIMIT_S);
                else
                    grade_report(&g, 0, "runs", "%s (seed %lu): the run failed: %s", lw->name,
                                 SEEDS[k], err);
                ran = stop_flag ? -1 : 0;
                break;
            }
            const metrics_summary *s = &o.summary[0];
            if (s->complete_final < worst_c)
                worst_c = s->complete_final;
            if (s->win_lat_mean > worst_l)
                worst_l = s->win_lat_mean;
        }
        grade_report(&g, !dr.nan, "no NaN", "%s: %s", lw->name,
                     dr.nan ? "get() returned NaN: return -INFINITY for \"no watermark yet\"" : "ok");
        grade_report(&g, !dr.backwards, "never backwards", "%s: %s", lw->name,
                     dr.backwards ? dr.back_msg : "ok");
        if (dr.backwards)
            printf("      a watermark is a promise (no more events before W): once made it "
                   "cannot be taken back; keep the largest value you returned\n");
        grade_report(&g, !dr.stuck, "advances", "%s: %s%s", lw->name, dr.stuck ? dr.stuck_msg : "ok",
                     dr.stuck ? ": it lags by more than 120 s, so windows only close when the "
                                "input ends (does get() use what observe() saw?)" : "");
        grade_report(&g, !dr.copy_differs, "copy = original", "%s: %s", lw->name,
                     dr.copy_differs ? dr.copy_msg : "ok");
        if (dr.copy_differs)
            printf("      checkpoints restore your state with copy(): copy every field "
                   "(NULL copy means a plain memcpy of size bytes)\n");
        if (ran < 0) {
            printf("      (the other workloads are not run)\n");
            break;
        }
        if (!ran)
            continue;
        grade_report(&g, worst_c >= lw->min_complete, "completeness",
                     "%s: worst %.4f of the true counts kept, at least %.3f expected%s", lw->name,
                     worst_c, lw->min_complete,
                     worst_c >= lw->min_complete ? ""
                         : ": the watermark runs ahead of the data and drops events as late "
                           "(leave more room for delays)");
        grade_report(&g, worst_l <= lw->max_latency, "latency",
                     "%s: worst mean %.3g s from window end to its pane, at most %.3g s "
                     "expected%s", lw->name, worst_l, lw->max_latency,
                     worst_l <= lw->max_latency ? ""
                         : ": the watermark lags far behind the data (a bound too large, or "
                           "it does not move after a pause in the input)");
    }
    return grade_finish(&g);
}
