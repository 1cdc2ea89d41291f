/*
 * grade_trigger: grades a student's trigger (lab 10,
 * workloads/labs/10-trigger/README.md): "an EARLY pane as soon as the
 * pane holds LAB_N = 3 elements, or early_delay s of processing time
 * after its first element, whichever comes first; a LATE pane for every
 * late element; of two pending timers the earlier survives a merge".
 * `make lab-grade LAB=trigger [SRC=file.c]` compiles SRC (defining
 * `const trigger_type lab_trigger`) with warnings as errors and runs this.
 *
 * Rules of this module
 *  - First the trigger's answers are checked directly, case by case (the
 *    operator's questions of model/trigger.h), each FAIL naming the case;
 *    then it runs as sluice's stream trigger (sim_options.trigger_type) on
 *    a fast and a slow workload with the grader's own seeds, and panes.csv
 *    is checked: no EARLY pane holds more than LAB_N new elements, the
 *    count rule and the timer rule each fire some pane, and the run's
 *    invariants hold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "grade.h"
#include "lib/csvread.h"
#include "model/trigger.h"
#include "run/sim.h"

#define LAB_N 3

extern const trigger_type lab_trigger;

static const unsigned long SEEDS[] = {2027, 91};

/* The direct questions. */
static void direct(grade *g)
{
    struct config_stream cs;
    config_t c;
    config_defaults(&c);
    cs = c.stream;
    cs.early_delay = 10;
    char bad[200] = "";
    /* count rule: elements 1 .. LAB_N of a pane, no timer pending after the first */
    for (uint64_t k = 1; k <= LAB_N + 1 && !*bad; k++) {
        double at = INFINITY;
        trigger_pane p = {k, 100 + k, 0, 60, k > 1};
        int r = lab_trigger.on_element(&cs, &p, 5.0, &at);
        int want = k >= LAB_N;
        if ((r == TRIG_FIRE) != want)
            snprintf(bad, sizeof bad, "on_element with %llu element(s) in the pane returned %s, "
                     "expected %s", (unsigned long long)k, r == TRIG_FIRE ? "FIRE" : "CONTINUE",
                     want ? "FIRE (the pane holds N)" : "CONTINUE");
    }
    grade_report(g, !*bad, "fires every N", "%s", *bad ? bad : "ok");
    /* timer rule */
    *bad = 0;
    {
        double at = INFINITY;
        trigger_pane p = {1, 1, 0, 60, 0};
        lab_trigger.on_element(&cs, &p, 5.0, &at);
        if (at != 5.0 + cs.early_delay)
            snprintf(bad, sizeof bad, "the first element of a pane at now = 5 s set the timer to "
                     "%.6g, expected now + early_delay = %.6g", at, 5.0 + cs.early_delay);
        at = INFINITY;
        p = (trigger_pane){2, 2, 0, 60, 1};
        lab_trigger.on_element(&cs, &p, 6.0, &at);
        if (!*bad && at != INFINITY)
            snprintf(bad, sizeof bad, "a second element (a timer pending) set the timer again to "
                     "%.6g: the delay counts from the FIRST element of the pane", at);
        p = (trigger_pane){1, 1, 0, 60, 0};
        if (!*bad && lab_trigger.on_timer(&cs, &p, 15.0) != TRIG_FIRE)
            snprintf(bad, sizeof bad, "on_timer with 1 element in the pane did not fire");
        p = (trigger_pane){0, 5, 1, 60, 0};
        if (!*bad && lab_trigger.on_timer(&cs, &p, 15.0) == TRIG_FIRE)
            snprintf(bad, sizeof bad, "on_timer with an empty pane fired: a pane with no new "
                     "elements says nothing new");
        struct config_stream off = cs;
        off.early_delay = 0;
        at = INFINITY;
        p = (trigger_pane){1, 1, 0, 60, 0};
        lab_trigger.on_element(&off, &p, 5.0, &at);
        if (!*bad && at != INFINITY)
            snprintf(bad, sizeof bad, "with early_delay = 0 (no early timer) the timer was set "
                     "to %.6g", at);
    }
    grade_report(g, !*bad, "timer after first", "%s", *bad ? bad : "ok");
    {
        trigger_pane p = {1, 7, 2, 60, 0};
        int r = lab_trigger.on_late(&cs, &p);
        grade_report(g, r == TRIG_FIRE, "late pane per element", "%s",
                     r == TRIG_FIRE ? "ok" : "on_late did not fire: every late element must "
                     "show up in a LATE pane");
    }
    {
        int a = lab_trigger.on_merge(&cs, 20.0, 12.0), b = lab_trigger.on_merge(&cs, 12.0, 20.0);
        int ok = a == TRIG_MERGE_TAKE && b == TRIG_MERGE_KEEP;
        grade_report(g, ok, "merge keeps earlier", "%s",
                     ok ? "ok" : "of two timers (into 20 s, from 12 s) the merged session must "
                     "keep the earlier one: TAKE when from_at < into_at, else KEEP");
    }
}

/* Runs c with the student's trigger into a temporary folder and checks its
 * panes.  *count_fired / *timer_fired: an EARLY pane with exactly LAB_N /
 * fewer elements was seen. */
static int run_and_check(grade *g, const char *name, const config_t *c, int *count_fired,
                         int *timer_fired, int *over)
{
    char dir[] = "/tmp/sluice-grade-XXXXXX", path[64], err[CFG_ERR_MAX];
    sim_outcome o;
    sim_options opt = {0};
    opt.trigger_type = &lab_trigger;
    if (!mkdtemp(dir))
        return -1;
    int st = sim_run_opts(c, dir, &opt, &o, err, sizeof err);
    if (st != SIM_OK) {
        grade_report(g, 0, "runs", "%s: the run failed: %s", name, err);
        return 1;
    }
    if (strcmp(o.invariants[0], "ok") != 0) {
        grade_report(g, 0, "invariants", "%s: %s", name, o.invariants[0]);
        return 1;
    }
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    csvread *r = csvread_open(path, NULL, NULL, err, sizeof err);
    if (!r)
        return -1;
    csvread_record rec;
    int itim = -1, icnt = -1;
    while (csvread_next(r, &rec) == CSVREAD_RECORD) {
        char **f = rec.fields;
        size_t n = rec.nfields;
        if (itim < 0) {
            for (size_t i = 0; i < n; i++) {
                if (!strcmp(f[i], "timing"))
                    itim = (int)i;
                if (!strcmp(f[i], "count"))
                    icnt = (int)i;
            }
            if (itim < 0 || icnt < 0)
                break;
            continue;
        }
        if ((size_t)itim >= n || (size_t)icnt >= n || strcmp(f[itim], "EARLY") != 0)
            continue;
        long k = strtol(f[icnt], NULL, 10);
        if (k > LAB_N)
            (*over)++;
        else if (k == LAB_N)
            *count_fired = 1;
        else
            *timer_fired = 1;
    }
    csvread_close(r);
    grade_remove_dir(dir);
    return 0;
}

int main(void)
{
    grade g = {"trigger", 0, 0};
    char err[CFG_ERR_MAX];
    gsl_set_error_handler_off();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("grading trigger \"%s\" (N = %d elements or early_delay s)\n",
           lab_trigger.name ? lab_trigger.name : "(no name)", LAB_N);
    if (!lab_trigger.on_element || !lab_trigger.on_timer || !lab_trigger.on_late ||
        !lab_trigger.on_merge) {
        grade_report(&g, 0, "functions", "on_element, on_timer, on_late and on_merge must all be set");
        return grade_finish(&g);
    }
    direct(&g);
    static const char *const fast[] = {"run.executors=stream", "run.duration=300", "workload.rate=20",
        "workload.keys=4", "window.type=tumbling", "window.size=60", "stream.early_delay=10",
        "stream.accumulation=discarding", "stream.allowed_lateness=60", "stream.checkpoint_interval=0",
        NULL};
    static const char *const slow[] = {"run.executors=stream", "run.duration=600", "workload.rate=0.3",
        "workload.keys=1", "window.type=tumbling", "window.size=60", "stream.early_delay=5",
        "stream.accumulation=discarding", "stream.allowed_lateness=60", "stream.checkpoint_interval=0",
        "faults.crash_times=200", NULL};
    int count_fired = 0, timer_fired = 0, over = 0;
    for (size_t k = 0; k < sizeof SEEDS / sizeof SEEDS[0]; k++) {
        config_t c;
        if (grade_config(&c, fast, SEEDS[k], err, sizeof err) != 0 ||
            run_and_check(&g, "fast workload", &c, &count_fired, &timer_fired, &over) < 0 ||
            grade_config(&c, slow, SEEDS[k], err, sizeof err) != 0 ||
            run_and_check(&g, "slow workload with a crash", &c, &count_fired, &timer_fired, &over) < 0) {
            fprintf(stderr, "grade: %s\n", err);
            return 2;
        }
    }
    grade_report(&g, over == 0, "at most N per pane", "%d EARLY pane(s) held more than %d new "
                 "elements%s", over, LAB_N, over ? ": fire as soon as the pane holds N" : "");
    grade_report(&g, count_fired, "count rule in a run", "%s", count_fired ? "ok"
                 : "no EARLY pane of exactly N elements on the fast workload (20 events/s)");
    grade_report(&g, timer_fired, "timer rule in a run", "%s", timer_fired ? "ok"
                 : "no EARLY pane of fewer than N elements on the slow workload (0.3 events/s): "
                   "the timer never fired a pane");
    return grade_finish(&g);
}
