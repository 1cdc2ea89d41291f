/*
 * test_book.c: the textbook examples of workloads/book/ (Streaming Systems,
 * Akidau, Chernyak, Lax, O'Reilly 2018, ch. 2 and 4) come out pane for pane.
 *
 * Source of every expected pane: the book's companion code by its first
 * author, github.com/takidau/streamingbook (release 1.0.0, commit d5ee324):
 * src/main/java/net/streamingbook/BeamModel.java, whose ExampleN_M classes
 * name the book's example and figure and list the panes Beam produces
 * (getExpectedResults), and src/test/java/net/streamingbook/
 * BeamModelTest.java, whose createStream() is the input: the nine scores
 * with their event times, the processing times they arrive at and the
 * heuristic watermark's steps (workloads/book/scores.csv, wm_heuristic.csv
 * and wm_none.csv copy them, in seconds after 12:00:00).  The companion
 * code gives value, timing (EARLY / ON_TIME / LATE) and window of each
 * pane; the emit times asserted here are derived by hand, in each test's
 * comment, from the trigger's definition and those processing times (the
 * Beam output has no emit time).  Where sluice differs from the book the
 * test says so and asserts what sluice does instead (workloads/book/
 * README.md lists the differences).
 *
 * Rules of this test
 *  - Each case runs workloads/book/NAME.ini as shipped (config_load,
 *    sim_run: the library, as the CLI does), reads panes.csv through
 *    lib/csvread by column name, and compares every pane: "EXECUTOR @emit
 *    TIMING [start,end) n=count s=sum".  Panes are compared in emit order;
 *    panes emitted at the same instant are compared sorted by their text
 *    (the book orders simultaneous panes in no way).  The number of late
 *    events dropped is checked too.
 *  - Every config in workloads/book/ has a case here (book,
 *    every_config_has_a_case), so none ships without asserted panes.
 *  - Window times are seconds after 12:00:00: [0,120) = [12:00, 12:02).
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csvread.h"
#include "model/config.h"
#include "run/sim.h"

#include "util.h"

/* ------------------------------------------------------------- harness */

#define BOOK_MAX_PANES 32
#define BOOK_LINE 96

typedef struct book_pane {
    double emit;
    char line[BOOK_LINE];
} book_pane;

/* The column index of name in the header record, or -1. */
static int book_column(const csvread_record *hdr, const char *name)
{
    for (size_t i = 0; i < hdr->nfields; i++)
        if (strcmp(hdr->fields[i], name) == 0)
            return (int)i;
    return -1;
}

static int book_pane_cmp(const void *a, const void *b)
{
    const book_pane *x = a, *y = b;
    if (x->emit != y->emit)
        return x->emit < y->emit ? -1 : 1;
    return strcmp(x->line, y->line);
}

/* Reads DIR/panes.csv into p (at most BOOK_MAX_PANES), sorted as the rules
 * say; returns the number of panes. */
static size_t book_read_panes(const char *dir, book_pane *p)
{
    char path[256], err[CSVREAD_ERR_MAX];
    snprintf(path, sizeof path, "%s/panes.csv", dir);
    csvread *r = csvread_open(path, NULL, NULL, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    csvread_record rec;
    cr_assert_eq(csvread_next(r, &rec), CSVREAD_RECORD, "%s: no header", path);
    static const char *const names[] = {"executor", "window_start", "window_end", "timing",
                                        "emit_time", "count", "sum"};
    enum { NCOL = sizeof names / sizeof names[0] };
    int col[NCOL];
    for (size_t i = 0; i < NCOL; i++) {
        col[i] = book_column(&rec, names[i]);
        cr_assert_geq(col[i], 0, "%s has no column %s", path, names[i]);
    }
    size_t n = 0;
    int st;
    while ((st = csvread_next(r, &rec)) == CSVREAD_RECORD) {
        cr_assert_lt(n, BOOK_MAX_PANES, "%s: more than %d panes", path, BOOK_MAX_PANES);
        for (size_t i = 0; i < NCOL; i++)
            cr_assert_lt((size_t)col[i], rec.nfields, "%s:%zu: short row", path, rec.line);
        char *const *f = rec.fields;
        p[n].emit = strtod(f[col[4]], NULL);
        snprintf(p[n].line, BOOK_LINE, "%s @%g %s [%g,%g) n=%s s=%s", f[col[0]], p[n].emit,
                 f[col[3]], strtod(f[col[1]], NULL), strtod(f[col[2]], NULL), f[col[5]],
                 f[col[6]]);
        n++;
    }
    cr_assert_eq(st, CSVREAD_EOF, "%s", csvread_error(r));
    csvread_close(r);
    qsort(p, n, sizeof *p, book_pane_cmp);
    return n;
}

/* Runs workloads/book/NAME.ini, with the overrides sets ("section.key=
 * value", NULL-terminated; NULL = none) applied after the file as --set
 * does, and compares its panes with want (NULL-terminated, in the order of
 * the rules) and its late drops with dropped. */
static void book_check_with(const char *name, const char *const *sets, const char *const *want,
                            uint64_t dropped)
{
    char path[128], err[CFG_ERR_MAX], dir[] = "/tmp/sluice_book_XXXXXX";
    config_t c;
    snprintf(path, sizeof path, "workloads/book/%s.ini", name);
    config_defaults(&c);
    cr_assert_eq(config_load(&c, path, err, sizeof err), CFG_OK, "%s", err);
    for (size_t i = 0; sets && sets[i]; i++)
        cr_assert_eq(config_set(&c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
    cr_assert_not_null(mkdtemp(dir));
    sim_outcome o;
    int st = sim_run(&c, dir, &o, err, sizeof err);
    cr_assert_eq(st, SIM_OK, "%s: run failed (%d): %s", path, st, err);
    cr_assert_eq(o.nexec, 1, "%s: one executor per book case", path);
    cr_expect_eq(o.summary[0].dropped_late, dropped, "%s: %llu events dropped late, want %llu",
                 path, (unsigned long long)o.summary[0].dropped_late,
                 (unsigned long long)dropped);

    book_pane p[BOOK_MAX_PANES];
    size_t n = book_read_panes(dir, p), nw = 0;
    char got[BOOK_MAX_PANES * (BOOK_LINE + 1) + 1] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(got, p[i].line);
        strcat(got, "\n");
    }
    while (want[nw])
        nw++;
    for (size_t i = 0; i < nw && i < n; i++)
        cr_expect_str_eq(p[i].line, want[i], "%s: pane %zu is\n  %s\nthe book's is\n  %s\nall:\n%s",
                         path, i, p[i].line, want[i], got);
    cr_expect_eq(n, nw, "%s: %zu panes, the book has %zu; got:\n%s", path, n, nw, got);
    util_rm_rf(dir);
}

/* book_check_with, the config as shipped. */
static void book_check(const char *name, const char *const *want, uint64_t dropped)
{
    book_check_with(name, NULL, want, dropped);
}

/* ------------------------------------------------------------ figures */

/* Example 2-1 / Figure 2-3, classic batch: Sum.integersPerKey over all the
 * data, "TeamX:48" (BeamModel.Example2_1).  sluice has no global window:
 * one 10-minute window [12:00, 12:10) holds all nine events, and the one
 * batch job at 12:10:00 (batch.interval = 600, no cost) emits it. */
Test(book, figure_2_3_classic_batch)
{
    const char *want[] = {
        "batch @600 BATCH [0,600) n=9 s=48", /* Fig. 2-3: TeamX:48 */
        NULL};
    book_check("classic_batch", want, 0);
}

/* Example 2-2 / Figure 2-5, fixed 2-minute windows on a batch engine
 * (BeamModel.Example2_2): 14, 18, 4, 12, all from the one job at 12:10:00. */
Test(book, figure_2_5_windowed_batch)
{
    const char *want[] = {
        "batch @600 BATCH [0,120) n=2 s=14",   /* Fig. 2-5: [12:00, 12:02) TeamX:14 */
        "batch @600 BATCH [120,240) n=3 s=18", /* Fig. 2-5: [12:02, 12:04) TeamX:18 */
        "batch @600 BATCH [240,360) n=1 s=4",  /* Fig. 2-5: [12:04, 12:06) TeamX:4 */
        "batch @600 BATCH [360,480) n=3 s=12", /* Fig. 2-5: [12:06, 12:08) TeamX:12 */
        NULL};
    book_check("batch_fixed", want, 0);
}

/* Example 2-3 / Figure 2-6, per-record trigger
 * (Repeatedly.forever(AfterPane.elementCountAtLeast(1)), accumulating;
 * BeamModel.Example2_3): one EARLY pane per record with the window's sum so
 * far.  sluice has no element-count trigger: an early firing 1 ms after
 * each element (stream.early_delay = 0.001) stands for it, so each pane is
 * emitted 1 ms after its record arrives.  Difference: sluice's windows
 * always carry the watermark trigger too, so at the end of the input
 * (12:10:00, when the scripted watermark, stuck at 12:00, goes to
 * infinity) each window also fires an ON_TIME pane with its total; Beam's
 * repeated element-count trigger fires nothing more then (nothing new
 * arrived: closing behaviour FIRE_IF_NON_EMPTY). */
Test(book, figure_2_6_per_record)
{
    const char *want[] = {
        "stream @299.001 EARLY [0,120) n=1 s=5",   /* Fig. 2-6: TeamX:5 EARLY */
        "stream @339.001 EARLY [120,240) n=1 s=7", /* Fig. 2-6: TeamX:7 EARLY */
        "stream @373.001 EARLY [120,240) n=2 s=10", /* Fig. 2-6: TeamX:10 EARLY */
        "stream @399.001 EARLY [240,360) n=1 s=4", /* Fig. 2-6: TeamX:4 EARLY */
        "stream @426.001 EARLY [120,240) n=3 s=18", /* Fig. 2-6: TeamX:18 EARLY */
        "stream @439.001 EARLY [360,480) n=1 s=3", /* Fig. 2-6: TeamX:3 EARLY */
        "stream @499.001 EARLY [0,120) n=2 s=14",  /* Fig. 2-6: TeamX:14 EARLY */
        "stream @519.001 EARLY [360,480) n=2 s=11", /* Fig. 2-6: TeamX:11 EARLY */
        "stream @540.001 EARLY [360,480) n=3 s=12", /* Fig. 2-6: TeamX:12 EARLY */
        /* sluice only (see above): the watermark trigger at the drain. */
        "stream @600 ON_TIME [0,120) n=2 s=14",
        "stream @600 ON_TIME [120,240) n=3 s=18",
        "stream @600 ON_TIME [240,360) n=1 s=4",
        "stream @600 ON_TIME [360,480) n=3 s=12",
        NULL};
    book_check("per_record", want, 0);
}

/* Example 2-4 / Figure 2-7, aligned delay trigger, "i.e. micro-batch"
 * (BeamModel.Example2_4).  The companion code's own expected panes for
 * this one are, in its author's words, "kind of funky relative to what's
 * presented in the book" (they equal Example 2-5's), so they are not used.
 * The panes below are derived from the trigger's definition instead:
 * every 2 minutes of processing time, aligned on 12:00 (12:06, 12:08,
 * 12:10 are the firings that see data), each window that received
 * elements since the previous firing shows its sum so far (accumulating).
 * In sluice this is the micro-batch executor (trigger interval 120 s,
 * update output mode, no cost, a watermark that closes no window before
 * the end of the input):
 *   12:06  arrived 5 ([12:00,12:02)), 7 ([12:02,12:04))  -> 5, 7
 *   12:08  arrived 3, 8 ([12:02,12:04)), 4, 3 ([12:06,12:08)) -> 18, 4, 3
 *   12:10  arrived 9 ([12:00,12:02)), 8, 1 ([12:06,12:08)) -> 14, 12
 * The last batch closes the input (watermark to infinity), so its rows are
 * ON_TIME; the rows before are EARLY (update mode). */
Test(book, figure_2_7_aligned_delay_microbatch)
{
    const char *want[] = {
        "microbatch @360 EARLY [0,120) n=1 s=5",    /* 12:06: 5 */
        "microbatch @360 EARLY [120,240) n=1 s=7",  /* 12:06: 7 */
        "microbatch @480 EARLY [120,240) n=3 s=18", /* 12:08: 18 */
        "microbatch @480 EARLY [240,360) n=1 s=4",  /* 12:08: 4 */
        "microbatch @480 EARLY [360,480) n=1 s=3",  /* 12:08: 3 */
        "microbatch @600 ON_TIME [0,120) n=2 s=14", /* 12:10: 14 */
        "microbatch @600 ON_TIME [360,480) n=3 s=12", /* 12:10: 12 */
        NULL};
    book_check("aligned_delay", want, 0);
}

/* Example 2-5 / Figure 2-8, unaligned delay trigger
 * (Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane()
 * .plusDelayOf(2 min)), accumulating; BeamModel.Example2_5): each window
 * EARLY 2 minutes after its pane's first element, then ON_TIME at the end
 * of the input (watermark to infinity after 12:10:00).  Emit times: first
 * elements at 12:04:59, 12:05:39, 12:06:39, 12:07:19 + 2 min; Frank's 9
 * (12:08:19) would fire at 12:10:19, after the input's end, so [12:00,
 * 12:02) shows 14 only in its ON_TIME pane. */
Test(book, figure_2_8_unaligned_delay)
{
    const char *want[] = {
        "stream @419 EARLY [0,120) n=1 s=5",     /* Fig. 2-8: TeamX:5 EARLY */
        "stream @459 EARLY [120,240) n=3 s=18",  /* Fig. 2-8: TeamX:18 EARLY */
        "stream @519 EARLY [240,360) n=1 s=4",   /* Fig. 2-8: TeamX:4 EARLY */
        "stream @559 EARLY [360,480) n=3 s=12",  /* Fig. 2-8: TeamX:12 EARLY */
        "stream @600 ON_TIME [0,120) n=2 s=14",  /* Fig. 2-8: TeamX:14 ON_TIME */
        "stream @600 ON_TIME [120,240) n=3 s=18", /* Fig. 2-8: TeamX:18 ON_TIME */
        "stream @600 ON_TIME [240,360) n=1 s=4", /* Fig. 2-8: TeamX:4 ON_TIME */
        "stream @600 ON_TIME [360,480) n=3 s=12", /* Fig. 2-8: TeamX:12 ON_TIME */
        NULL};
    book_check("unaligned_delay", want, 0);
}

/* Example 2-6 / Figure 2-10 (left), watermark trigger, perfect watermark
 * (BeamModel.Example2_6left): 14, 18, 4, 12 ON_TIME, nothing late.  Emit
 * times from the perfect watermark's definition (the smallest event time
 * not yet arrived; sluice's stream.watermark = perfect): it stays at
 * 12:01:25 (Frank's 9) until the 9 arrives at 12:08:19, then jumps to
 * 12:07:26 (Becky's 8), firing the first three windows at once; the last
 * arrival (12:09:00) ends the input and fires [12:06, 12:08).  (The
 * companion test approximates this watermark by steps at 12:08:39 to
 * 12:09:20; the values are the same.) */
Test(book, figure_2_10_left_perfect_watermark)
{
    const char *want[] = {
        "stream @499 ON_TIME [0,120) n=2 s=14",   /* Fig. 2-10 left: TeamX:14 */
        "stream @499 ON_TIME [120,240) n=3 s=18", /* Fig. 2-10 left: TeamX:18 */
        "stream @499 ON_TIME [240,360) n=1 s=4",  /* Fig. 2-10 left: TeamX:4 */
        "stream @540 ON_TIME [360,480) n=3 s=12", /* Fig. 2-10 left: TeamX:12 */
        NULL};
    book_check("perfect", want, 0);
}

/* Example 2-6 / Figure 2-10 (right), watermark trigger, heuristic watermark
 * (BeamModel.Example2_6right): 5, 18, 4, 12 ON_TIME; Frank's 9 arrives
 * (12:08:19) after the watermark passed 12:02 (at 12:06:00) and, with no
 * allowed lateness (Beam's default), is dropped.  Emit times: the
 * watermark's steps 12:06:00 -> 12:02, 12:07:30 -> 12:04, 12:07:40 ->
 * 12:06, 12:09:30 -> 12:08:30. */
Test(book, figure_2_10_right_heuristic_watermark)
{
    const char *want[] = {
        "stream @360 ON_TIME [0,120) n=1 s=5",    /* Fig. 2-10 right: TeamX:5 */
        "stream @450 ON_TIME [120,240) n=3 s=18", /* Fig. 2-10 right: TeamX:18 */
        "stream @460 ON_TIME [240,360) n=1 s=4",  /* Fig. 2-10 right: TeamX:4 */
        "stream @570 ON_TIME [360,480) n=3 s=12", /* Fig. 2-10 right: TeamX:12 */
        NULL};
    book_check("heuristic", want, 1);
}

/* Example 2-7 / Figure 2-11 (left), early/on-time/late trigger
 * (AfterWatermark.pastEndOfWindow() with early firings 1 minute after a
 * pane's first element and a late firing per element, accumulating,
 * allowed lateness 1000 days), perfect watermark (BeamModel.Example2_7left).
 * Emit times: early timers at first element + 1 min (12:04:59, 12:05:39,
 * 12:06:39, 12:07:06, 12:07:19); the perfect watermark as in Figure 2-10
 * left.  [12:06, 12:08)'s second pane (Becky's 8 at 12:08:39) would fire
 * early at 12:09:39, but the on-time pane comes first (12:09:00). */
Test(book, figure_2_11_left_early_on_time_late_perfect)
{
    const char *want[] = {
        "stream @359 EARLY [0,120) n=1 s=5",      /* Fig. 2-11 left: TeamX:5 EARLY */
        "stream @399 EARLY [120,240) n=2 s=10",   /* Fig. 2-11 left: TeamX:10 EARLY */
        "stream @459 EARLY [240,360) n=1 s=4",    /* Fig. 2-11 left: TeamX:4 EARLY */
        "stream @486 EARLY [120,240) n=3 s=18",   /* Fig. 2-11 left: TeamX:18 EARLY */
        "stream @499 EARLY [360,480) n=1 s=3",    /* Fig. 2-11 left: TeamX:3 EARLY */
        "stream @499 ON_TIME [0,120) n=2 s=14",   /* Fig. 2-11 left: TeamX:14 ON_TIME */
        "stream @499 ON_TIME [120,240) n=3 s=18", /* Fig. 2-11 left: TeamX:18 ON_TIME */
        "stream @499 ON_TIME [240,360) n=1 s=4",  /* Fig. 2-11 left: TeamX:4 ON_TIME */
        "stream @540 ON_TIME [360,480) n=3 s=12", /* Fig. 2-11 left: TeamX:12 ON_TIME */
        NULL};
    book_check("early_late_perfect", want, 0);
}

/* Example 2-7 / Figure 2-11 (right), the same trigger with the heuristic
 * watermark (BeamModel.Example2_7right): [12:00, 12:02) EARLY 5 (12:05:59,
 * just before the watermark's step at 12:06:00), ON_TIME 5, then Frank's 9
 * as a LATE pane of 14 when it arrives (12:08:19).  [12:02, 12:04): EARLY
 * 10 at 12:06:39 (7 and 3), ON_TIME 18 at 12:07:30 (its early timer for
 * the 8, due 12:08:06, dies with the on-time pane).  [12:04, 12:06): EARLY 4
 * at 12:07:39, ON_TIME 4 at 12:07:40.  [12:06, 12:08): EARLY 3 at 12:08:19,
 * ON_TIME 12 at 12:09:30 (before the early timer of 12:09:39). */
Test(book, figure_2_11_right_early_on_time_late_heuristic)
{
    const char *want[] = {
        "stream @359 EARLY [0,120) n=1 s=5",      /* Fig. 2-11 right: TeamX:5 EARLY */
        "stream @360 ON_TIME [0,120) n=1 s=5",    /* Fig. 2-11 right: TeamX:5 ON_TIME */
        "stream @399 EARLY [120,240) n=2 s=10",   /* Fig. 2-11 right: TeamX:10 EARLY */
        "stream @450 ON_TIME [120,240) n=3 s=18", /* Fig. 2-11 right: TeamX:18 ON_TIME */
        "stream @459 EARLY [240,360) n=1 s=4",    /* Fig. 2-11 right: TeamX:4 EARLY */
        "stream @460 ON_TIME [240,360) n=1 s=4",  /* Fig. 2-11 right: TeamX:4 ON_TIME */
        "stream @499 EARLY [360,480) n=1 s=3",    /* Fig. 2-11 right: TeamX:3 EARLY */
        "stream @499 LATE [0,120) n=2 s=14",      /* Fig. 2-11 right: TeamX:14 LATE */
        "stream @570 ON_TIME [360,480) n=3 s=12", /* Fig. 2-11 right: TeamX:12 ON_TIME */
        NULL};
    book_check("early_late", want, 0);
}

/* Example 2-8 / Figure 2-12, allowed lateness of 2 minutes
 * (BeamModel.Example2_8, input createStream(HEURISTIC, extraSix): a 6 with
 * event time 12:00:53 arrives with the 4 at 12:06:39).  The 6 is late
 * (watermark 12:02) but within 12:02 + 2 min: LATE 11 at once.  Frank's 9
 * (12:08:19) comes after the watermark passed 12:04 (12:07:30): dropped.
 * The other windows as in Figure 2-11 right. */
Test(book, figure_2_12_allowed_lateness)
{
    const char *want[] = {
        "stream @359 EARLY [0,120) n=1 s=5",      /* Fig. 2-12: TeamX:5 EARLY */
        "stream @360 ON_TIME [0,120) n=1 s=5",    /* Fig. 2-12: TeamX:5 ON_TIME */
        "stream @399 EARLY [120,240) n=2 s=10",   /* Fig. 2-12: TeamX:10 EARLY */
        "stream @399 LATE [0,120) n=2 s=11",      /* Fig. 2-12: TeamX:11 LATE */
        "stream @450 ON_TIME [120,240) n=3 s=18", /* Fig. 2-12: TeamX:18 ON_TIME */
        "stream @459 EARLY [240,360) n=1 s=4",    /* Fig. 2-12: TeamX:4 EARLY */
        "stream @460 ON_TIME [240,360) n=1 s=4",  /* Fig. 2-12: TeamX:4 ON_TIME */
        "stream @499 EARLY [360,480) n=1 s=3",    /* Fig. 2-12: TeamX:3 EARLY */
        "stream @570 ON_TIME [360,480) n=3 s=12", /* Fig. 2-12: TeamX:12 ON_TIME */
        NULL};
    book_check("allowed_lateness", want, 1);
}

/* Example 2-9 / Figure 2-13, Figure 2-11 (right) in discarding mode
 * (BeamModel.Example2_9): each pane holds what came since the window's
 * previous pane; the on-time pane fires even when empty (TeamX:0), as
 * Beam's AfterWatermark does by default (ON_TIME FIRE_ALWAYS).  Emit times
 * as in Figure 2-11 right. */
Test(book, figure_2_13_discarding)
{
    const char *want[] = {
        "stream @359 EARLY [0,120) n=1 s=5",     /* Fig. 2-13: TeamX:5 EARLY */
        "stream @360 ON_TIME [0,120) n=0 s=0",   /* Fig. 2-13: TeamX:0 ON_TIME */
        "stream @399 EARLY [120,240) n=2 s=10",  /* Fig. 2-13: TeamX:10 EARLY */
        "stream @450 ON_TIME [120,240) n=1 s=8", /* Fig. 2-13: TeamX:8 ON_TIME */
        "stream @459 EARLY [240,360) n=1 s=4",   /* Fig. 2-13: TeamX:4 EARLY */
        "stream @460 ON_TIME [240,360) n=0 s=0", /* Fig. 2-13: TeamX:0 ON_TIME */
        "stream @499 EARLY [360,480) n=1 s=3",   /* Fig. 2-13: TeamX:3 EARLY */
        "stream @499 LATE [0,120) n=1 s=9",      /* Fig. 2-13: TeamX:9 LATE */
        "stream @570 ON_TIME [360,480) n=2 s=9", /* Fig. 2-13: TeamX:9 ON_TIME */
        NULL};
    book_check("discarding", want, 0);
}

/* Example 4-3 / Figure 4-7, session windows with a 1-minute gap and the
 * early/on-time/late trigger of Figure 2-11, accumulating, heuristic
 * watermark, Beam's session rules (stream.semantics = beam;
 * BeamModel.Example4_3).  The companion test moves two event times so
 * that the sessions overlap instead of touching (Beam's IntervalWindow
 * does not merge touching windows): Ed's 7 to 12:02:24 and Frank's 9 to
 * 12:01:25; scores.csv has the moved times.  Sessions, [first, last + gap):
 *   5 (12:00:26) -> [12:00:26, 12:01:26): EARLY 5 at 12:05:59, ON_TIME 5
 *     at 12:06:00 (watermark 12:02).
 *   7 (12:02:24) -> [12:02:24, 12:03:24): EARLY 7 at 12:06:39.
 *   3, 4 (12:03:39, 12:04:19) form [12:03:39, 12:05:19); Julie's 8
 *     (12:03:06, arriving 12:07:06) bridges it with the 7's session:
 *     [12:02:24, 12:05:19) = 22, EARLY at 12:07:13 (the merged pane's
 *     first element, the 3 of 12:06:13, + 1 min), ON_TIME at 12:07:40
 *     (watermark 12:06).
 *   3 (12:06:39) -> [12:06:39, 12:07:39): EARLY 3 at 12:08:19.
 *   Frank's late 9 (12:01:25, arriving 12:08:19) bridges the first two
 *     sessions: LATE [12:00:26, 12:05:19) = 36 at once.
 *   8, 1 (12:07:26, 12:07:46) grow the last session to [12:06:39,
 *     12:08:46) = 12: EARLY at 12:09:39 (8 arrived 12:08:39, + 1 min; the
 *     watermark's last step, 12:08:30 at 12:09:30, does not close it),
 *     ON_TIME when the input ends after the script (12:10:00).
 * Difference: Beam numbers the panes of a merged session afresh (index=0
 * isFirst); sluice carries the numbering over (not asserted here). */
Test(book, figure_4_7_sessions)
{
    const char *want[] = {
        "stream @359 EARLY [26,86) n=1 s=5",      /* Fig. 4-7: [12:00:26, 12:01:26) 5 EARLY */
        "stream @360 ON_TIME [26,86) n=1 s=5",    /* Fig. 4-7: [12:00:26, 12:01:26) 5 ON_TIME */
        "stream @399 EARLY [144,204) n=1 s=7",    /* Fig. 4-7: [12:02:24, 12:03:24) 7 EARLY */
        "stream @433 EARLY [144,319) n=4 s=22",   /* Fig. 4-7: [12:02:24, 12:05:19) 22 EARLY */
        "stream @460 ON_TIME [144,319) n=4 s=22", /* Fig. 4-7: [12:02:24, 12:05:19) 22 ON_TIME */
        "stream @499 EARLY [399,459) n=1 s=3",    /* Fig. 4-7: [12:06:39, 12:07:39) 3 EARLY */
        "stream @499 LATE [26,319) n=6 s=36",     /* Fig. 4-7: [12:00:26, 12:05:19) 36 LATE */
        "stream @579 EARLY [399,526) n=3 s=12",   /* Fig. 4-7: [12:06:39, 12:08:46) 12 EARLY */
        "stream @600 ON_TIME [399,526) n=3 s=12", /* Fig. 4-7: [12:06:39, 12:08:46) 12 ON_TIME */
        NULL};
    book_check("sessions", want, 0);
}

/* Figure 4-7 again, on the book's printed table (scores_table.csv, the
 * companion's inputs.csv: Julie's 5 arrives at 12:05:19, Ed's 7 and Frank's
 * 9 have event times 12:02:26 and 12:01:26), to show why the companion
 * test moves those times.  Frank's 9 then makes [12:01:26, 12:02:26),
 * which only touches the sessions on either side, [12:00:26, 12:01:26) and
 * [12:02:26, 12:05:19).  Under Beam's rule (IntervalWindow.intersects is
 * end-exclusive; stream.semantics = beam) it stays a session of its own:
 * LATE 9.  Under Flink's (TimeWindow.intersects is inclusive; semantics =
 * flink) it joins both: LATE 36, the book's figure.  The other panes are
 * the same under both rules.  With Julie's 5 at 12:05:19, its early timer
 * (12:06:19) comes after the watermark's step to 12:02 at 12:06:00, so its
 * session has an ON_TIME pane only.  The rest is worked out as in
 * figure_4_7_sessions (event times 146 and 86 instead of 144 and 85). */
static const char *const book_table_common[] = {
    "stream @360 ON_TIME [26,86) n=1 s=5",
    "stream @399 EARLY [146,206) n=1 s=7",
    "stream @433 EARLY [146,319) n=4 s=22",
    "stream @460 ON_TIME [146,319) n=4 s=22",
    "stream @499 EARLY [399,459) n=1 s=3",
    "stream @579 EARLY [399,526) n=3 s=12",
    "stream @600 ON_TIME [399,526) n=3 s=12",
};

/* The panes of book_table_common with late inserted at emit time 499
 * (after the EARLY pane of that instant: "LATE" sorts after "EARLY"). */
static void book_table_panes(const char *late, const char **want)
{
    size_t k = 0;
    for (size_t i = 0; i < sizeof book_table_common / sizeof *book_table_common; i++) {
        want[k++] = book_table_common[i];
        if (strstr(book_table_common[i], "@499 "))
            want[k++] = late;
    }
    want[k] = NULL;
}

Test(book, figure_4_7_printed_table_beam_keeps_touching_sessions_apart)
{
    const char *sets[] = {"workload.trace=workloads/book/scores_table.csv",
                          "stream.semantics=beam", NULL};
    const char *want[16];
    book_table_panes("stream @499 LATE [86,146) n=1 s=9", want);
    book_check_with("sessions", sets, want, 0);
}

Test(book, figure_4_7_printed_table_flink_merges_touching_sessions)
{
    const char *sets[] = {"workload.trace=workloads/book/scores_table.csv",
                          "stream.semantics=flink", NULL};
    const char *want[16];
    book_table_panes("stream @499 LATE [26,319) n=6 s=36", want); /* Fig. 4-7: 36 LATE */
    book_check_with("sessions", sets, want, 0);
}

/* ------------------------------------------------------------ coverage */

/* Every config shipped in workloads/book/ is one of the cases above. */
Test(book, every_config_has_a_case)
{
    static const char *const cases[] = {
        "classic_batch", "batch_fixed", "per_record", "aligned_delay", "unaligned_delay",
        "perfect", "heuristic", "early_late_perfect", "early_late", "allowed_lateness",
        "discarding", "sessions", NULL};
    glob_t g;
    cr_assert_eq(glob("workloads/book/*.ini", 0, NULL, &g), 0);
    size_t n = sizeof cases / sizeof cases[0] - 1;
    cr_expect_eq(g.gl_pathc, n, "%zu configs in workloads/book/, %zu cases here",
                 (size_t)g.gl_pathc, n);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", basename(g.gl_pathv[i]));
        name[strcspn(name, ".")] = 0;
        size_t k = 0;
        while (cases[k] && strcmp(cases[k], name) != 0)
            k++;
        cr_expect_not_null(cases[k], "%s has no case in tests/test_book.c", g.gl_pathv[i]);
    }
    globfree(&g);
}
