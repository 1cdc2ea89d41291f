/*
 * test_animate.c: sluice animate (output/animate.h): the frames of a
 * small run (tests/data/explain/windowed.ini) and what each shows, by
 * known answers worked out from its trace; the GIF's frame count; the
 * page stepped in headless Chromium (the DOM after #frame=K: which panes
 * and events are visible, the controls present, a screenshot taken);
 * the command's files and its refusal of a file it did not write.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure/metrics.h"
#include "output/animate.h"
#include "util.h"

/* A run of windowed.ini into a fresh folder (buf). */
static void run_windowed(char *buf, size_t n, const char *executors)
{
    char args[1024], err[1024];
    util_tmpdir(buf, n);
    snprintf(args, sizeof args,
             "run tests/data/explain/windowed.ini --set run.executors=%s --out %s --force",
             executors, buf);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
}

static animate_scene *load(const char *dir, const char *executor)
{
    animate_filter f = animate_filter_all();
    f.executor = executor;
    animate_scene *s;
    char err[1024];
    cr_assert_eq(animate_load(dir, &f, &s, err, sizeof err), 0, "%s", err);
    return s;
}

/* Arrivals 15 50 110 130 140 160 200 230 300 320 and the stream's emits
 * 45 80 140 160 170 200 260 300 320: 14 distinct times. */
Test(animate, frames_known_answer)
{
    char dir[256];
    run_windowed(dir, sizeof dir, "stream");
    animate_scene *s = load(dir, NULL);
    cr_assert_eq(animate_panels(s), 1);
    cr_assert_str_eq(animate_panel(s, 0), "stream");
    cr_assert_eq(animate_events(s), 10);
    static const double want[] = {15, 45, 50, 80, 110, 130, 140, 160, 170, 200, 230, 260, 300, 320};
    cr_assert_eq(animate_frames(s), 14);
    for (size_t k = 0; k < 14; k++)
        cr_expect_eq(animate_frame_time(s, k), want[k], "frame %zu", k);
    animate_counts c;
    animate_frame_counts(s, 7, 0, &c); /* t = 160: the ON_TIME pane of [0, 120) */
    cr_expect_eq(c.events, 6);
    cr_expect_eq(c.panes[PANE_EARLY], 3);
    cr_expect_eq(c.panes[PANE_ON_TIME], 1);
    cr_expect_eq(c.panes[PANE_LATE], 0);
    cr_expect_eq(c.late, 1); /* event time 70 at 130, behind the watermark 80 */
    animate_frame_counts(s, 13, 0, &c); /* the end */
    cr_expect_eq(c.events, 10);
    cr_expect_eq(c.panes[PANE_EARLY], 5);
    cr_expect_eq(c.panes[PANE_ON_TIME], 4);
    cr_expect_eq(c.panes[PANE_LATE], 1);
    cr_expect_eq(c.late, 3); /* and 90 at 200 (watermark 130), 60 at 320 (240) */
    cr_expect_eq(c.faults, 0);
    animate_free(s);
    util_rm_rf(dir);
}

/* Side by side: one panel per executor, in summary.csv's order; the
 * filter keeps one. */
Test(animate, panels_and_filter)
{
    char dir[256];
    run_windowed(dir, sizeof dir, "batch,microbatch,stream");
    animate_scene *s = load(dir, NULL);
    cr_assert_eq(animate_panels(s), 3);
    cr_expect_str_eq(animate_panel(s, 0), "batch");
    cr_expect_str_eq(animate_panel(s, 2), "stream");
    animate_counts c;
    animate_frame_counts(s, animate_frames(s) - 1, 0, &c);
    cr_expect_eq(c.panes[PANE_BATCH], 4); /* key 0: [0, 120), [120, 240), [240, 360); key 1 */
    animate_free(s);
    s = load(dir, "microbatch");
    cr_assert_eq(animate_panels(s), 1);
    animate_free(s);
    animate_filter f = animate_filter_all();
    f.executor = "nosuch";
    char err[256];
    cr_assert_eq(animate_load(dir, &f, &s, err, sizeof err), 2);
    util_rm_rf(dir);
}

/* Counts a needle's occurrences in the tags of text that also hold attr. */
static size_t tags_with(const char *text, const char *needle, const char *attr)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
        const char *open = p;
        while (open > text && *open != '<')
            open--;
        const char *close = strchr(p, '>');
        if (!close)
            break;
        char tag[1024];
        snprintf(tag, sizeof tag, "%.*s", (int)(close - open), open);
        n += strstr(tag, attr) != NULL;
    }
    return n;
}

Test(animate, command_page_gif_and_chromium)
{
    char dir[256], args[1024], err[1024];
    run_windowed(dir, sizeof dir, "stream");
    snprintf(args, sizeof args, "animate %s", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t len;
    char *mark = util_slurp_in(dir, ".sluice", &len);
    cr_assert(mark && strstr(mark, "animation.html\n") && strstr(mark, "animation.gif\n"));
    free(mark);
    /* the GIF: one graphic control extension per frame */
    char *gif = util_slurp_in(dir, "animation.gif", &len);
    cr_assert(gif && len > 6 && memcmp(gif, "GIF8", 4) == 0);
    size_t frames = 0;
    for (size_t i = 0; i + 2 < len; i++)
        frames += (unsigned char)gif[i] == 0x21 && (unsigned char)gif[i + 1] == 0xf9 &&
                  gif[i + 2] == 4;
    cr_expect_eq(frames, 14);
    free(gif);
    char *page = util_slurp_in(dir, "animation.html", &len);
    cr_assert(page);
    cr_expect_eq(tags_with(page, "class=\"an-pane ", "data-t"), 10);
    cr_expect_eq(tags_with(page, "class=\"an-ev", "data-t"), 10);
    free(page);
    /* stepped in headless Chromium: frame 7 (t = 160) */
    if (access("/usr/bin/chromium", X_OK) != 0)
        cr_skip_test("chromium not installed");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && timeout 60 chromium --headless --no-sandbox --disable-gpu "
             "--dump-dom 'file://%s/animation.html#frame=7' > dom.html 2>/dev/null && "
             "timeout 60 chromium --headless --no-sandbox --disable-gpu --window-size=600,420 "
             "--screenshot=%s/shot.png 'file://%s/animation.html#frame=7' >/dev/null 2>&1",
             dir, dir, dir, dir);
    cr_assert_eq(util_shell(cmd, err, sizeof err), 0, "%s", err);
    char *dom = util_slurp_in(dir, "dom.html", &len);
    cr_assert(dom && len > 0);
    cr_expect(strstr(dom, "data-frame=\"7\""), "the page did not step to frame 7");
    cr_expect(strstr(dom, "frame 8 of 14, t = 160 s"));
    cr_expect(strstr(dom, "class=\"an-play\"") && strstr(dom, "class=\"an-slider\"") &&
              strstr(dom, "class=\"an-step\""));
    /* what frame 7 shows: 4 panes (3 EARLY, 1 ON_TIME) and 6 events */
    cr_expect_eq(tags_with(dom, "class=\"an-pane an-EARLY\"", "visibility=\"visible\""), 3);
    cr_expect_eq(tags_with(dom, "class=\"an-pane an-ON_TIME\"", "visibility=\"visible\""), 1);
    cr_expect_eq(tags_with(dom, "class=\"an-pane ", "visibility=\"hidden\""), 6);
    cr_expect_eq(tags_with(dom, "class=\"an-ev", "visibility=\"visible\""), 6);
    free(dom);
    char *png = util_slurp_in(dir, "shot.png", &len);
    cr_expect(png && len > 1000 && memcmp(png + 1, "PNG", 3) == 0);
    free(png);
    util_rm_rf(dir);
}

Test(animate, refuses_a_file_it_did_not_write)
{
    char dir[256], args[1024], err[1024], path[512];
    run_windowed(dir, sizeof dir, "stream");
    snprintf(path, sizeof path, "%s/animation.html", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("mine\n", f);
    fclose(f);
    snprintf(args, sizeof args, "animate %s", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 2);
    cr_expect(strstr(err, "sluice did not write it"), "%s", err);
    size_t len;
    char *t = util_slurp(path, &len);
    cr_expect_str_eq(t, "mine\n");
    free(t);
    snprintf(args, sizeof args, "animate %s --force", dir);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    util_rm_rf(dir);
}
