/*
 * test_outdir.c: `--out DIR` never deletes what sluice did not write
 * (output/outdir.h).  One golden test per refusal: the exact message, exit
 * status 2, the folder (and the user's files in it) unchanged and no
 * output folder or temporary left beside it.  Then --force, the marker,
 * folders of older sluice versions, stale DIR.tmp.* clean-up, gen --out,
 * plot and report on folders that are not sluice's.
 *
 * Drives $SLUICE_BIN (the Makefile sets it); tests run from the top folder.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output/outdir.h"

#include "util.h"

/* The paths here are short (/tmp/sluice_outdir_XXXXXX/...); a truncated
 * command or message would fail its assertion anyway. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define CONFIG "tests/data/cli/small.ini"

/* ---- helpers ------------------------------------------------------------ */

static const char *bin(void)
{
    static char abs[PATH_MAX];
    const char *b = getenv("SLUICE_BIN");
    b = b && *b ? b : "build/sluice";
    cr_assert(realpath(b, abs), "%s: %s", b, strerror(errno));
    return abs;
}

static const char *config(void)
{
    static char abs[PATH_MAX];
    cr_assert(realpath(CONFIG, abs), "%s missing (tests run from the top folder)", CONFIG);
    return abs;
}

static const char *reports(void)
{
    static char abs[PATH_MAX];
    cr_assert(realpath("reports", abs));
    return abs;
}

/* Runs `cd CWD && [ENV] sluice ARGS` (cwd may be NULL), stderr into
 * errbuf; returns the exit status. */
static int sluice_in(const char *cwd, const char *env, const char *args, char *errbuf, size_t n)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s%s%s SLUICE_REPORTS='%s' %s %s %s", cwd ? "cd '" : "",
             cwd ? cwd : "", cwd ? "' &&" : "", reports(), env ? env : "", bin(), args);
    return util_shell(cmd, errbuf, n);
}

static int sluice(const char *args, char *errbuf, size_t n)
{
    return sluice_in(NULL, NULL, args, errbuf, n);
}

static void tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/sluice_outdir_XXXXXX");
    cr_assert(mkdtemp(buf));
}

static void rm_rf(const char *d)
{
    cr_assert(strncmp(d, "/tmp/sluice_outdir_", 19) == 0);
    outdir_remove_tree(d);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Appends to *s (a growing string) every entry below dir: its path
 * relative to top, its type, size and an FNV-1a hash of its bytes. */
static void snap_into(const char *dir, const char *rel, char **s, size_t *len)
{
    DIR *d = opendir(dir);
    cr_assert(d, "%s: %s", dir, strerror(errno));
    char *names[512];
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 512)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], sub[PATH_MAX], line[PATH_MAX + 128];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(sub, sizeof sub, "%s%s", rel, names[i]);
        struct stat st;
        cr_assert_eq(lstat(path, &st), 0);
        uint64_t h = 1469598103934665603ULL;
        if (S_ISREG(st.st_mode)) {
            FILE *f = fopen(path, "rb");
            cr_assert(f);
            for (int c; (c = fgetc(f)) != EOF;)
                h = (h ^ (uint64_t)(unsigned char)c) * 1099511628211ULL;
            fclose(f);
        }
        snprintf(line, sizeof line, "%s %o %lld %016llx\n", sub, (unsigned)st.st_mode,
                 (long long)st.st_size, (unsigned long long)h);
        size_t k = strlen(line);
        *s = realloc(*s, *len + k + 1);
        cr_assert(*s);
        memcpy(*s + *len, line, k + 1);
        *len += k;
        if (S_ISDIR(st.st_mode)) {
            char r2[PATH_MAX];
            snprintf(r2, sizeof r2, "%s/", sub);
            snap_into(path, r2, s, len);
        }
        free(names[i]);
    }
}

/* Everything below dir (names, types, sizes, contents), as one string. */
static char *snapshot(const char *dir)
{
    char *s = calloc(1, 1);
    size_t len = 0;
    snap_into(dir, "", &s, &len);
    return s;
}

/* The user's folder D/mydir with notes.txt in it. */
static void user_folder(const char *d, char *mydir, size_t n)
{
    char path[PATH_MAX];
    snprintf(mydir, n, "%s/mydir", d);
    cr_assert_eq(mkdir(mydir, 0755), 0);
    snprintf(path, sizeof path, "%s/notes.txt", mydir);
    write_file(path, "notes\n");
}

/* A run folder in the layout older sluice versions wrote (no marker). */
static void legacy_folder(const char *dir)
{
    static const char *const files[] = {"summary.csv", "panes.csv", "timeline.csv",
                                        "latency.csv", "faults.csv", "config.ini",
                                        "report.html", "report.md"};
    char path[PATH_MAX];
    cr_assert_eq(mkdir(dir, 0755), 0);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        write_file(path, "old\n");
    }
    snprintf(path, sizeof path, "%s/plots", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/plots/latency_cdf.png", dir);
    write_file(path, "png\n");
    snprintf(path, sizeof path, "%s/plots/sweep_lat_p99.svg", dir);
    write_file(path, "svg\n");
}

/* Runs args, expecting exit status 2 and exactly the message want, with
 * everything under watch (a folder) unchanged. */
static void refused(const char *cwd, const char *args, const char *watch, const char *want)
{
    char err[8192];
    char *before = snapshot(watch);
    int st = sluice_in(cwd, NULL, args, err, sizeof err);
    char *after = snapshot(watch);
    cr_expect_eq(st, 2, "sluice %s: exit %d, stderr: %s", args, st, err);
    cr_expect_str_eq(err, want, "sluice %s", args);
    cr_expect_str_eq(before, after, "sluice %s changed %s", args, watch);
    free(before);
    free(after);
}

/* ---- refusals: one golden test each ---------------------------------- */

/* The example: the user's folder survives --out. */
Test(outdir, user_folder_survives_out)
{
    char d[64], mydir[128], args[1024], want[1024];
    tmpdir(d, sizeof d);
    user_folder(d, mydir, sizeof mydir);
    snprintf(args, sizeof args, "run %s --out %s", config(), mydir);
    snprintf(want, sizeof want,
             "sluice: %s: is not a sluice results folder (no .sluice marker; it holds "
             "notes.txt); not replacing it: choose another folder, or add --force to replace "
             "it\n",
             mydir);
    refused(NULL, args, d, want);
    /* the same from inside the parent, with the workload of the issue */
    char mm1[PATH_MAX];
    cr_assert(realpath("workloads/mm1.ini", mm1));
    snprintf(args, sizeof args, "run %s --out mydir", mm1);
    refused(d, args, d,
            "sluice: mydir: is not a sluice results folder (no .sluice marker; it holds "
            "notes.txt); not replacing it: choose another folder, or add --force to replace "
            "it\n");
    rm_rf(d);
}

Test(outdir, results_folder_with_a_user_file_is_refused)
{
    char d[64], out[128], path[256], args[1024], want[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/notes.txt", out);
    write_file(path, "mine\n");
    snprintf(want, sizeof want,
             "sluice: %s: holds notes.txt, which sluice did not write; not replacing it: "
             "choose another folder, or add --force to replace it\n",
             out);
    refused(NULL, args, d, want);
    /* a sweep into it is refused the same way, before any run */
    char sweep[PATH_MAX];
    cr_assert(realpath("tests/data/sweep/small.sweep", sweep));
    snprintf(args, sizeof args, "sweep %s --out %s --jobs 1", sweep, out);
    refused(NULL, args, d, want);
    rm_rf(d);
}

Test(outdir, user_file_inside_an_old_plots_folder_is_refused)
{
    char d[64], out[128], path[256], args[1024], want[1024];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/old", d);
    legacy_folder(out);
    snprintf(path, sizeof path, "%s/plots/mine.txt", out);
    write_file(path, "mine\n");
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    snprintf(want, sizeof want,
             "sluice: %s: is not a sluice results folder (no .sluice marker; it holds "
             "plots/mine.txt); not replacing it: choose another folder, or add --force to "
             "replace it\n",
             out);
    refused(NULL, args, d, want);
    rm_rf(d);
}

Test(outdir, a_file_or_a_symbolic_link_is_refused)
{
    char d[64], file[128], link[128], target[128], args[1024], want[1024];
    tmpdir(d, sizeof d);
    snprintf(file, sizeof file, "%s/notes.txt", d);
    write_file(file, "notes\n");
    snprintf(args, sizeof args, "run %s --out %s", config(), file);
    snprintf(want, sizeof want,
             "sluice: %s: exists and is not a folder; not replacing it: choose another "
             "folder, or add --force to replace it\n",
             file);
    refused(NULL, args, d, want);
    snprintf(target, sizeof target, "%s/elsewhere", d);
    cr_assert_eq(mkdir(target, 0755), 0);
    snprintf(link, sizeof link, "%s/link", d);
    cr_assert_eq(symlink(target, link), 0);
    snprintf(args, sizeof args, "run %s --out %s", config(), link);
    snprintf(want, sizeof want,
             "sluice: %s: is a symbolic link; not replacing it: choose another folder, or add "
             "--force to replace it\n",
             link);
    refused(NULL, args, d, want);
    rm_rf(d);
}

Test(outdir, current_folder_and_above_are_refused)
{
    char d[64], sub[128], args[1024], want[1024];
    tmpdir(d, sizeof d);
    snprintf(sub, sizeof sub, "%s/work", d);
    cr_assert_eq(mkdir(sub, 0755), 0);
    char notes[256];
    snprintf(notes, sizeof notes, "%s/notes.txt", sub);
    write_file(notes, "notes\n");
    const char *const outs[] = {".", "..", "/", "./", d};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        const char *o = outs[i];
        char shown[128];
        snprintf(shown, sizeof shown, "%s", o);
        if (!strcmp(o, "./"))
            snprintf(shown, sizeof shown, ".");
        snprintf(args, sizeof args, "run %s --out %s", config(), o);
        snprintf(want, sizeof want,
                 "sluice: %s: is the current folder or a folder above it; a results folder is "
                 "replaced whole, so name a new folder, e.g. %s/results\n",
                 shown, strcmp(shown, "/") ? shown : "");
        refused(sub, args, d, want);
        /* --force does not override it */
        snprintf(args, sizeof args, "run %s --out %s --force", config(), o);
        refused(sub, args, d, want);
    }
    /* a name ending in . or .. elsewhere */
    snprintf(args, sizeof args, "run %s --out %s/.", config(), sub);
    snprintf(want, sizeof want, "sluice: %s/.: ends in .; name the results folder itself\n", sub);
    refused(NULL, args, d, want);
    rm_rf(d);
}

Test(outdir, mount_points_are_refused)
{
    char args[1024], err[4096];
    /* /proc is a mount point on every Linux; /dev/shm usually is */
    const char *const mounts[] = {"/proc", "/dev/shm"};
    for (size_t i = 0; i < 2; i++) {
        struct stat a, b;
        char up[64];
        snprintf(up, sizeof up, "%s/..", mounts[i]);
        if (stat(mounts[i], &a) != 0 || stat(up, &b) != 0 || a.st_dev == b.st_dev) {
            cr_assert(i > 0, "/proc is not a mount point here");
            continue;
        }
        char want[512];
        snprintf(want, sizeof want,
                 "sluice: %s: is a mount point; a results folder is replaced whole, so name a "
                 "new folder inside it, e.g. %s/results\n",
                 mounts[i], mounts[i]);
        snprintf(args, sizeof args, "run %s --out %s --force", config(), mounts[i]);
        cr_expect_eq(sluice(args, err, sizeof err), 2, "%s", err);
        cr_expect_str_eq(err, want);
        /* nothing created beside it */
        DIR *dd = opendir(i == 0 ? "/" : "/dev");
        cr_assert(dd);
        for (struct dirent *e; (e = readdir(dd));)
            cr_expect(!strstr(e->d_name, i == 0 ? "proc.tmp." : "shm.tmp."), "left: %s",
                      e->d_name);
        closedir(dd);
    }
}

Test(outdir, gen_onto_a_folder_or_a_user_file_is_refused)
{
    char d[64], mydir[128], path[256], args[1024], want[1024];
    tmpdir(d, sizeof d);
    user_folder(d, mydir, sizeof mydir);
    snprintf(args, sizeof args, "gen %s --out %s", config(), mydir);
    snprintf(want, sizeof want, "sluice: %s: is a folder; name a file to write, e.g. %s/trace.csv\n",
             mydir, mydir);
    refused(NULL, args, d, want);
    snprintf(args, sizeof args, "gen %s --out %s --force", config(), mydir);
    refused(NULL, args, d, want);
    /* a file of the user's */
    snprintf(path, sizeof path, "%s/notes.txt", mydir);
    snprintf(args, sizeof args, "gen %s --out %s", config(), path);
    snprintf(want, sizeof want,
             "sluice: %s: exists and sluice did not write it (its first line is not sluice's "
             "trace header); not replacing it: choose another name, or add --force to replace "
             "it\n",
             path);
    refused(NULL, args, d, want);
    /* a device */
    snprintf(args, sizeof args, "gen %s --out /dev/null", config());
    char err[4096];
    cr_expect_eq(sluice(args, err, sizeof err), 2);
    cr_expect_str_eq(err, "sluice: /dev/null: is a device, pipe or socket, not a file; name a "
                          "new file\n");
    struct stat st;
    cr_expect(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null replaced!");
    rm_rf(d);
}

/* ---- plot and report ---------------------------------------------------- */

Test(outdir, plot_and_report_refuse_a_folder_sluice_did_not_write)
{
    char d[64], mydir[128], path[256], args[1024], want[2048];
    tmpdir(d, sizeof d);
    user_folder(d, mydir, sizeof mydir);
    /* it even has a summary.csv, but also the user's notes */
    snprintf(path, sizeof path, "%s/summary.csv", mydir);
    write_file(path, "executor,events\nbatch,1\n");
    snprintf(args, sizeof args, "plot %s", mydir);
    snprintf(want, sizeof want,
             "sluice plot: %s: not a sluice results folder: it has no .sluice marker and holds "
             "notes.txt, which sluice did not write; not writing into it: add --force to write "
             "plots/ there anyway\n",
             mydir);
    refused(NULL, args, d, want);
    snprintf(args, sizeof args, "report %s", mydir);
    snprintf(want, sizeof want,
             "sluice report: no plots (%s: not a sluice results folder: it has no .sluice "
             "marker and holds notes.txt, which sluice did not write; not writing into it: add "
             "--force to write plots/ there anyway); writing the tables only\n"
             "sluice report: %s: not a sluice results folder: it has no .sluice marker and "
             "holds notes.txt, which sluice did not write; not writing into it: add --force to "
             "write the report there anyway\n",
             mydir, mydir);
    refused(NULL, args, d, want);
    rm_rf(d);
}

/* With --force, plot and report write into such a folder and say so. */
Test(outdir, plot_and_report_with_force_say_they_write_into_it)
{
    char d[64], out[128], path[256], args[1024], want[2048], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/.sluice", out);
    cr_assert_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/notes.txt", out);
    write_file(path, "mine\n");
    snprintf(args, sizeof args, "plot %s --force", out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(want, sizeof want,
             "sluice: writing plots into %s (--force): it has no .sluice marker and holds "
             "notes.txt, which sluice did not write\n",
             out);
    cr_assert_str_eq(err, want);
    snprintf(args, sizeof args, "report %s --force", out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(err, "sluice: writing the report into "), "%s", err);
    snprintf(path, sizeof path, "%s/notes.txt", out);
    cr_assert_eq(access(path, F_OK), 0, "the user's notes.txt is gone");
    rm_rf(d);
}

Test(outdir, report_keeps_a_report_sluice_did_not_write)
{
    char d[64], out[128], path[256], args[1024], want[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/report.md", out);
    write_file(path, "my own report\n");
    snprintf(args, sizeof args, "report %s", out);
    /* no gnuplot on PATH: the report goes on with the tables */
    char *before = snapshot(d);
    int st = sluice_in(NULL, "PATH=/nonexistent", args, err, sizeof err);
    char *after = snapshot(d);
    cr_expect_eq(st, 2, "%s", err);
    snprintf(want, sizeof want,
             "sluice report: no plots (gnuplot not found: install it with apt-get install "
             "gnuplot-nox); writing the tables only\n"
             "sluice report: %s/report.md: sluice did not write it; not replacing it: move it "
             "away, or add --force to replace it\n",
             out);
    cr_expect_str_eq(err, want);
    cr_expect_str_eq(before, after);
    free(before);
    free(after);
    /* --force replaces it, saying so; the marker then lists the report */
    snprintf(args, sizeof args, "report %s --force", out);
    st = sluice_in(NULL, "PATH=/nonexistent", args, err, sizeof err);
    cr_expect_eq(st, 0, "%s", err);
    char line[512];
    snprintf(line, sizeof line, "sluice: replacing %s/report.md (--force): sluice did not write it\n",
             out);
    cr_expect(strstr(err, line), "got: %s", err);
    snprintf(path, sizeof path, "%s/.sluice", out);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cr_expect(strstr(buf, "\nreport.html\nreport.md\n"), "marker: %s", buf);
    /* and a run may now replace the folder again */
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    rm_rf(d);
}

Test(outdir, plot_replaces_only_plots_sluice_drew)
{
    char d[64], out[128], path[256], args[1024], want[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/plots", out);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/plots/mine.png", out);
    write_file(path, "my picture\n");
    snprintf(args, sizeof args, "plot %s", out);
    snprintf(want, sizeof want,
             "sluice plot: %s/plots: is not a sluice results folder (no .sluice marker; it "
             "holds mine.png); not replacing it: choose another folder, or add --force to "
             "replace it\n",
             out);
    refused(NULL, args, d, want);
    rm_rf(d);
}

/* ---- what is allowed ------------------------------------------------------ */

Test(outdir, force_replaces_and_says_so)
{
    char d[64], mydir[128], path[256], args[1024], want[1024], err[4096];
    tmpdir(d, sizeof d);
    user_folder(d, mydir, sizeof mydir);
    snprintf(args, sizeof args, "run %s --out %s --force", config(), mydir);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(want, sizeof want,
             "sluice: replacing %s (--force): it is not a sluice results folder (no .sluice "
             "marker; it holds notes.txt)\n",
             mydir);
    cr_expect_str_eq(err, want);
    snprintf(path, sizeof path, "%s/notes.txt", mydir);
    cr_expect(!util_exists(path));
    snprintf(path, sizeof path, "%s/summary.csv", mydir);
    cr_expect(util_exists(path));
    /* --force on a symbolic link replaces the link, not what it points to */
    char target[128], link[128];
    snprintf(target, sizeof target, "%s/elsewhere", d);
    cr_assert_eq(mkdir(target, 0755), 0);
    snprintf(path, sizeof path, "%s/keep.txt", target);
    write_file(path, "keep\n");
    snprintf(link, sizeof link, "%s/link", d);
    cr_assert_eq(symlink(target, link), 0);
    snprintf(args, sizeof args, "run %s --out %s --force", config(), link);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_expect(lstat(link, &st) == 0 && S_ISDIR(st.st_mode), "the link became a folder");
    cr_expect(util_exists(path), "the link's target was touched");
    /* gen --force over a user's file */
    snprintf(path, sizeof path, "%s/trace.csv", d);
    write_file(path, "my data\n");
    snprintf(args, sizeof args, "gen %s --out %s --force", config(), path);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(want, sizeof want,
             "sluice: replacing %s (--force): it exists and sluice did not write it (its first "
             "line is not sluice's trace header)\n",
             path);
    cr_expect_str_eq(err, want);
    /* and without --force over the trace gen wrote */
    snprintf(args, sizeof args, "gen %s --out %s", config(), path);
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(err, "");
    rm_rf(d);
}

Test(outdir, marker_lists_what_sluice_wrote)
{
    char d[64], out[128], path[256], args[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/.sluice", out);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no marker");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cr_expect_str_eq(buf, "sluice results folder; written by sluice run\n"
                          "# sluice replaces or deletes this folder only while it holds "
                          "nothing but the entries below\n"
                          "config.ini\nevents.csv\nfaults.csv\nlatency.csv\npanes.csv\n"
                          "summary.csv\ntimeline.csv\nwatermarks.csv\nwindows.csv\n");
    /* a second run replaces its own folder */
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(err, "");
    rm_rf(d);
}

Test(outdir, old_results_folders_and_empty_folders_are_replaced)
{
    char d[64], out[128], path[256], args[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/old", d);
    legacy_folder(out);
    /* its plots/ may be replaced by plot (library level: no gnuplot needed) */
    outdir o;
    char oerr[1024];
    snprintf(path, sizeof path, "%s/plots", out);
    cr_expect_eq(outdir_begin(&o, path, "test", 0, oerr, sizeof oerr), 0, "%s", oerr);
    outdir_abort(&o);
    cr_expect(util_exists(path));
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(err, "");
    cr_expect(!util_exists(path), "the old folder was replaced whole");
    snprintf(out, sizeof out, "%s/empty", d);
    cr_assert_eq(mkdir(out, 0755), 0);
    snprintf(args, sizeof args, "run %s --out %s/", config(), out);
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/summary.csv", out);
    cr_expect(util_exists(path));
    rm_rf(d);
}

Test(outdir, stale_temporaries_are_removed_or_reported)
{
    char d[64], path[256], args[1024], err[4096], line[512];
    tmpdir(d, sizeof d);
    /* a killed run's folder: sluice's names only */
    snprintf(path, sizeof path, "%s/res.tmp.AAAAAA", d);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/res.tmp.AAAAAA/summary.csv", d);
    write_file(path, "x\n");
    /* one moved aside by a killed commit, with its marker */
    snprintf(path, sizeof path, "%s/res.old.BBBBBB", d);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/res.old.BBBBBB/.sluice", d);
    write_file(path, "sluice results folder; written by sluice run\nruns.csv\n");
    snprintf(path, sizeof path, "%s/res.old.BBBBBB/runs.csv", d);
    write_file(path, "x\n");
    /* one holding a file of the user's */
    snprintf(path, sizeof path, "%s/res.tmp.CCCCCC", d);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/res.tmp.CCCCCC/notes.txt", d);
    write_file(path, "mine\n");
    /* one a running sluice holds locked */
    snprintf(path, sizeof path, "%s/res.tmp.DDDDDD", d);
    cr_assert_eq(mkdir(path, 0755), 0);
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    cr_assert(fd >= 0);
    cr_assert_eq(flock(fd, LOCK_EX), 0);

    snprintf(args, sizeof args, "run %s --out %s/res", config(), d);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    char want[2048];
    snprintf(want, sizeof want,
             "sluice: removed %s/res.old.BBBBBB, left by an interrupted run\n"
             "sluice: removed %s/res.tmp.AAAAAA, left by an interrupted run\n"
             "sluice: left %s/res.tmp.CCCCCC alone: it holds notes.txt, which sluice did not "
             "write\n",
             d, d, d);
    cr_expect_str_eq(err, want);
    snprintf(path, sizeof path, "%s/res.tmp.AAAAAA", d);
    cr_expect(!util_exists(path));
    snprintf(path, sizeof path, "%s/res.old.BBBBBB", d);
    cr_expect(!util_exists(path));
    snprintf(path, sizeof path, "%s/res.tmp.CCCCCC/notes.txt", d);
    cr_expect(util_exists(path), "the user's file was deleted");
    snprintf(path, sizeof path, "%s/res.tmp.DDDDDD", d);
    cr_expect(util_exists(path), "a locked (running) temporary was deleted");
    close(fd);
    /* gen's temporaries the same way */
    snprintf(path, sizeof path, "%s/t.csv.tmp.EEEEEE", d);
    write_file(path, "id,key,value,event_time,arrival_time\n1,");
    snprintf(args, sizeof args, "gen %s --out %s/t.csv", config(), d);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(line, sizeof line, "sluice: removed %s, left by an interrupted run\n", path);
    cr_expect_str_eq(err, line);
    cr_expect(!util_exists(path));
    rm_rf(d);
}

Test(outdir, failed_run_leaves_no_new_folders)
{
    char d[64], args[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(args, sizeof args,
             "run %s --out %s/new/a/b --set workload.source=trace --set "
             "workload.trace=%s/missing.csv",
             config(), d, d);
    cr_expect_eq(sluice(args, err, sizeof err), 2, "%s", err);
    char *s = snapshot(d);
    cr_expect_str_eq(s, "", "left behind: %s", s);
    free(s);
    rm_rf(d);
}

/* sluice-mpi checks DIR on rank 0 before any run, with the same rules. */
Test(outdir, mpi_sweep_refuses_a_user_folder, .timeout = 120)
{
    const char *mpi = getenv("SLUICE_MPI_BIN") ? getenv("SLUICE_MPI_BIN") : "build/sluice-mpi";
    char d[64], mydir[128], sweep[PATH_MAX], cmd[4096], errfile[160];
    tmpdir(d, sizeof d);
    user_folder(d, mydir, sizeof mydir);
    cr_assert(realpath("tests/data/sweep/small.sweep", sweep));
    snprintf(errfile, sizeof errfile, "%s.err", d);
    snprintf(cmd, sizeof cmd,
             "mpirun --allow-run-as-root --oversubscribe -n 2 %s sweep %s --out %s "
             ">/dev/null 2>%s",
             mpi, sweep, mydir, errfile);
    char *before = snapshot(d);
    int st = system(cmd);
    char *after = snapshot(d);
    cr_assert(WIFEXITED(st));
    cr_expect_eq(WEXITSTATUS(st), 2);
    cr_expect_str_eq(before, after);
    FILE *f = fopen(errfile, "r");
    cr_assert(f);
    char err[8192];
    size_t n = fread(err, 1, sizeof err - 1, f);
    err[n] = 0;
    fclose(f);
    remove(errfile);
    char want[1024];
    snprintf(want, sizeof want,
             "sluice-mpi: %s: is not a sluice results folder (no .sluice marker; it holds "
             "notes.txt); not replacing it: choose another folder, or add --force to replace "
             "it\n",
             mydir);
    cr_expect(strncmp(err, want, strlen(want)) == 0, "got: %s", err);
    free(before);
    free(after);
    rm_rf(d);
}

/* Name of the first entry of dir starting with prefix into out; 1 if any. */
static int find_entry(const char *dir, const char *prefix, char *out, size_t n)
{
    DIR *dd = opendir(dir);
    cr_assert(dd);
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(dd));)
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            snprintf(out, n, "%s/%s", dir, e->d_name);
            found = 1;
        }
    closedir(dd);
    return found;
}

/* A real run killed with SIGKILL: while it runs, another run into the
 * same DIR leaves its temporary alone; after, the next run removes it. */
Test(outdir, killed_run_is_cleaned_up_by_the_next, .timeout = 120)
{
    char d[64], out[128], mm1[PATH_MAX], tmp[256], args[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    cr_assert(realpath("workloads/mm1.ini", mm1));
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(bin(), "sluice", "run", mm1, "--set", "run.duration=1e8", "--out", out,
              (char *)NULL);
        _exit(127);
    }
    int seen = 0;
    for (int i = 0; i < 2000 && !seen; i++) {
        seen = find_entry(d, "res.tmp.", tmp, sizeof tmp);
        if (!seen)
            usleep(5000);
    }
    cr_assert(seen, "the run made no temporary folder");
    /* a second run while the first is writing: the first's folder stays */
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(err, "");
    cr_expect(util_exists(tmp), "a running sluice's temporary folder was deleted");
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFSIGNALED(st), "the long run ended before it was killed");
    cr_assert(util_exists(tmp), "the killed run left no temporary folder");
    /* the next run removes it and says so */
    cr_expect_eq(sluice(args, err, sizeof err), 0, "%s", err);
    char want[512];
    snprintf(want, sizeof want, "sluice: removed %s, left by an interrupted run\n", tmp);
    cr_expect_str_eq(err, want);
    cr_expect(!util_exists(tmp));
    rm_rf(d);
}

/* ---- exit status: 1 only for an invariant ------------------------------- */

/* Runs of a sweep or a capacity search that cannot run at all (a trace
 * that does not exist) are bad input: 2, not 1. */
Test(outdir, runs_that_cannot_run_exit_2_not_1, .timeout = 120)
{
    char d[64], path[256], args[1024], err[8192];
    tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/bad.sweep", d);
    char text[1024];
    snprintf(text, sizeof text,
             "[sweep]\nbase = %s\nreplications = 1\nworkload.source = trace\n"
             "workload.trace = %s/none_a.csv, %s/none_b.csv\n",
             config(), d, d);
    write_file(path, text);
    snprintf(args, sizeof args, "sweep %s --out %s/sw --jobs 1", path, d);
    cr_expect_eq(sluice(args, err, sizeof err), 2, "%s", err);
    cr_expect(strstr(err, "none_a.csv: cannot open trace"), "got: %s", err);
    snprintf(args, sizeof args,
             "capacity %s --replications 1 --iterations 1 --jobs 1 --set run.duration=400 "
             "--set workload.source=trace --set workload.trace=%s/none.csv",
             config(), d);
    cr_expect_eq(sluice(args, err, sizeof err), 2, "%s", err);
    cr_expect(strstr(err, "none.csv: cannot open trace"), "got: %s", err);
    rm_rf(d);
}

/* A temporary is born as DIR.new.XXXXXX and locked before it is renamed
 * DIR.tmp.XXXXXX, so that a concurrent command's clean-up never sees an
 * unlocked temporary of a live run (it once deleted one under load).  A
 * .new. folder is therefore never deleted as a leftover, and a finished
 * run leaves no .new. or .tmp. entry of its own. */
Test(outdir, a_temporary_being_born_is_left_alone)
{
    char d[64], out[128], born[160], args[1024], err[4096];
    tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/res", d);
    snprintf(born, sizeof born, "%s/res.new.Ab3dE9", d);
    cr_assert_eq(mkdir(born, 0700), 0);
    snprintf(args, sizeof args, "run %s --out %s", config(), out);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(err, "", "a .new. folder is not a leftover to report");
    cr_expect(util_exists(born), "a temporary being born was deleted");
    cr_expect_eq(util_count_prefix(d, "res.tmp."), 0, "the run left a .tmp. entry");
    cr_expect_eq(util_count_prefix(d, "res.new."), 1, "the run left a .new. entry");
    cr_expect_eq(util_count_prefix(d, "res.old."), 0);
    /* a second run replaces res (through res.old.*) and leaves nothing */
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_eq(util_count_prefix(d, "res.old."), 0, "the replaced results were left");
    cr_expect_eq(util_count_prefix(d, "res.new."), 1);
    /* gen: the same for a file */
    char trace[160];
    snprintf(trace, sizeof trace, "%s/t.csv", d);
    snprintf(args, sizeof args, "gen %s --out %s", config(), trace);
    cr_assert_eq(sluice(args, err, sizeof err), 0, "%s", err);
    cr_expect_eq(util_count_prefix(d, "t.csv.new."), 0);
    cr_expect_eq(util_count_prefix(d, "t.csv.tmp."), 0);
    rm_rf(d);
}
