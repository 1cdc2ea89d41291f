/*
 * main.c: the `sluice` command line.  The only code that prints or exits.
 *
 *   sluice run CONFIG [--seed N] [--out DIR] [--set section.key=value]... [--report] [--force]
 *   sluice gen CONFIG --out trace.csv [--seed N] [--set ...] [--force]
 *   sluice config --defaults | --markdown | --man
 *   sluice plot DIR [--force]     sluice report DIR [--force]
 *   sluice --help | --version | COMMAND --help
 *
 * Exit status: 0 success, 1 only when an invariant failed, 2 bad input,
 * usage or environment (a folder that cannot be written, a gnuplot that
 * fails).  Results are written into a temporary folder beside DIR and
 * renamed into place only when the run succeeded, so a failed or
 * interrupted run never leaves half-written results and never destroys
 * the previous ones; an existing DIR sluice did not write is refused
 * unless --force (output/outdir.h).
 * SIGINT/SIGTERM set g_stop, which every phase polls (reading input
 * files, the simulation loop, sweep/stress/capacity workers, gnuplot):
 * the command then ends with "interrupted" and exit status 2, and its
 * temporary output folder is removed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <unistd.h>
#include <time.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "experiments/capacity.h"
#include "run/budget.h"
#include "model/config.h"
#include "output/outdir.h"
#include "output/plot.h"
#include "output/report.h"
#include "run/sim.h"
#include "experiments/stress.h"
#include "experiments/sweep.h"
#include "model/workload.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

#define EXIT_INVARIANT 1
#define EXIT_USAGE 2

/* The exit status for a run's status (run/sim.h: 0 or a negative code):
 * the one place where the library's codes become exit statuses. */
static int exit_status(int sim_status)
{
    return sim_status == SIM_OK ? 0 : sim_status == SIM_INVARIANT ? EXIT_INVARIANT : EXIT_USAGE;
}

/* The exit status of several runs: 1 when any broke an invariant, else 2
 * when any could not run at all, else 0. */
static int worst_exit(int rc, int sim_status)
{
    int e = exit_status(sim_status);
    return rc == EXIT_INVARIANT || e == EXIT_INVARIANT ? EXIT_INVARIANT : rc ? rc : e;
}

/* Set from SIGINT/SIGTERM: the one piece of process state the CLI needs
 * (a signal handler can reach nothing else). */
static volatile int g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static const char usage_text[] =
    "usage: sluice COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run CONFIG [--seed N] [--out DIR] [--set section.key=value]... [--report] [--force]\n"
    "                      simulate CONFIG; results go to DIR (default results/NAME)\n"
    "  gen CONFIG --out TRACE.csv [--seed N] [--set ...] [--force]\n"
    "                      write the workload's events as a trace and print its profile\n"
    "  config --defaults   print every configuration key with its default, unit and range\n"
    "  config --markdown   the same as Markdown tables\n"
    "  config --man        the same as the man page sluice.ini(5)\n"
    "  sweep SWEEP --out DIR [--jobs N] [--force]\n"
    "                      run a parameter sweep with replications (runs.csv, sweep.csv)\n"
    "  stress CONFIG --seeds N [--jobs J]\n"
    "                      N runs with random crash schedules; report invariant violations\n"
    "  capacity CONFIG [--replications R] [--iterations K] [--jobs J]\n"
    "                      sustainable throughput of each executor (bisection on the rate)\n"
    "  plot DIR [--force]  draw the plots of a results folder into DIR/plots/\n"
    "  report DIR [--force]\n"
    "                      write DIR/report.html and DIR/report.md\n"
    "\n"
    "options: --help (also after a command), --version\n"
    "  --force             replace (or write into) a folder or file sluice did not write;\n"
    "                      without it sluice refuses, with exit status 2\n"
    "exit status: 0 ok, 1 an invariant failed, 2 bad input, usage or environment\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "sluice: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

/* Parses a whole number in [lo, hi] for option `opt`; on failure prints
 * the usage error and returns -1. */
static int whole_number(const char *opt, const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "sluice: %s needs a whole number from %ld to %ld, not '%s'\n%s", opt, lo,
                hi, text, usage_text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- shared option parsing for run and gen ---- */

typedef struct run_args {
    const char *config;
    const char *out;
    const char *seed;
    const char **sets;
    int nsets;
    int report;
    int force;
    int help;
    int gen;        /* sluice gen: only the events are budgeted */
} run_args;

static int parse_run_args(int argc, char **argv, run_args *a, int allow_report)
{
    static const struct option opts[] = {
        {"seed", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
        {"set", required_argument, 0, 'S'},  {"report", no_argument, 0, 'r'},
        {"force", no_argument, 0, 'F'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    if (!a->sets)
        return usage_error("%s", "out of memory");
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":s:o:S:rFh", opts, NULL)) != -1) {
        switch (ch) {
        case 's': a->seed = optarg; break;
        case 'o': a->out = optarg; break;
        case 'S': a->sets[a->nsets++] = optarg; break;
        case 'r':
            if (!allow_report)
                return usage_error("unknown option '%s'", "--report");
            a->report = 1;
            break;
        case 'F': a->force = 1; break;
        case 'h': a->help = 1; return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("%s", "missing CONFIG");
    a->config = argv[optind++];
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Loads the config, then --seed and --set overrides, then validates. */
static int load_config(const run_args *a, config_t *c)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    if (config_load_stop(c, a->config, &g_stop, err, sizeof err) != CFG_OK) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (a->seed) {
        char buf[96];
        snprintf(buf, sizeof buf, "run.seed=%s", a->seed);
        if (config_set(c, buf, err, sizeof err) != CFG_OK) {
            fprintf(stderr, "--seed: %s\n", err);
            return EXIT_USAGE;
        }
    }
    for (int i = 0; i < a->nsets; i++)
        if (config_set(c, a->sets[i], err, sizeof err) != CFG_OK) {
            fprintf(stderr, "%s\n", err);
            return EXIT_USAGE;
        }
    if (config_validate(c, err, sizeof err) != CFG_OK ||
        (a->gen ? budget_check_events(c, err, sizeof err) : budget_check(c, err, sizeof err)) !=
            BUDGET_OK) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    return 0;
}

/* ---- progress line (only on a terminal, only for runs over a second) ---- */

typedef struct progress {
    double duration;
    struct timespec t0;
    int shown;
} progress;

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *user, double now, uint64_t events)
{
    progress *p = user;
    double el = elapsed_s(&p->t0);
    if (el < 1.0)
        return;
    double share = p->duration > 0 ? now / p->duration : 0;
    if (share > 1)
        share = 1;
    double eta = share > 0 ? el * (1 - share) / share : 0;
    fprintf(stderr, "\r  simulated %.0f s of %.0f (%3.0f%%), %.2f M events/s, ETA %.0f s   ", now,
            p->duration, 100 * share, (double)events / el / 1e6, eta);
    p->shown = 1;
}

/* ---- commands ---- */

static const char *reports_dir(char *buf, size_t n)
{
    const char *env = getenv("SLUICE_REPORTS");
    if (env && *env)
        return env;
    /* Beside the binary: build/sluice -> reports/; installed:
     * PREFIX/bin/sluice -> PREFIX/share/sluice/reports. */
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            struct stat st;
            int k = snprintf(buf, n, "%s/../reports", exe);
            if (k > 0 && (size_t)k < n && stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
                return buf;
            k = snprintf(buf, n, "%s/../share/sluice/reports", exe);
            if (k > 0 && (size_t)k < n && stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
                return buf;
        }
    }
    return "reports";
}

/* Prints each line of note (outdir's notes) as "sluice: LINE". */
static void print_notes(const char *note)
{
    while (note && *note) {
        size_t k = strcspn(note, "\n");
        fprintf(stderr, "sluice: %.*s\n", (int)k, note);
        note += k + (note[k] == '\n');
    }
}

/* Any failure of plot or report (bad folder, gnuplot missing or failing)
 * is bad input or environment: exit status 2. */
static int do_plot_report(const char *dir, int plot, int report, int force)
{
    char buf[PATH_MAX], err[2048], note[OUTDIR_NOTE_MAX];
    const char *rdir = reports_dir(buf, sizeof buf);
    if (plot) {
        int rc = plot_run_opts(dir, rdir, force, &g_stop, note, sizeof note, err, sizeof err);
        print_notes(note);
        if (rc != 0) {
            fprintf(stderr, "sluice plot: %s\n", err);
            return EXIT_USAGE;
        }
        printf("plots: %s/plots/\n", dir);
    }
    if (report) {
        int rc = report_write_opts(dir, rdir, SLUICE_VERSION, force, note, sizeof note, err,
                                   sizeof err);
        print_notes(note);
        if (rc != 0) {
            fprintf(stderr, "sluice report: %s\n", err);
            return EXIT_USAGE;
        }
        printf("report: %s/report.html\n", dir);
    }
    return 0;
}

static const char *config_name(const char *path, char *buf, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(buf, n, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = 0;
    return buf;
}

static int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a, 1);
    if (rc || a.help) {
        if (a.help)
            printf("usage: sluice run CONFIG [--seed N] [--out DIR] [--set section.key=value]... "
                   "[--report] [--force]\n\n"
                   "Simulates CONFIG and writes summary.csv, panes.csv, timeline.csv, windows.csv,\n"
                   "latency.csv, faults.csv, events.csv and config.ini into DIR (default\n"
                   "results/NAME for CONFIG NAME.ini).  --report also draws the plots and writes\n"
                   "DIR/report.html.  An existing DIR is replaced only when sluice wrote all of\n"
                   "it (DIR/.sluice lists what it wrote); --force replaces it anyway.\n"
                   "Exit status 0 ok, 1 an invariant failed, 2 bad input or environment.\n");
        free(a.sets);
        return rc;
    }
    config_t c;
    rc = load_config(&a, &c);
    if (rc) {
        free(a.sets);
        return rc;
    }
    char outbuf[PATH_MAX], name[256];
    const char *out = a.out;
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "results/%s", config_name(a.config, name, sizeof name));
        out = outbuf;
    }
    outdir od;
    char err[2048];
    if (outdir_begin(&od, out, "sluice run", a.force, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        free(a.sets);
        return EXIT_USAGE;
    }
    print_notes(od.note);
    progress p = {c.run.duration, {0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    sim_options opt = {.stop = &g_stop,
                       .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
                       .user = &p};
    /* For tests of folding (README, "Memory"): fold as often as asked. */
    const char *fm = getenv("SLUICE_FOLD_MIN");
    if (fm && *fm)
        opt.fold_min = (size_t)strtoull(fm, NULL, 10);
    sim_outcome o;
    int st = sim_run_opts(&c, od.tmp, &opt, &o, err, sizeof err);
    if (p.shown)
        fprintf(stderr, "\r%80s\r", "");
    rc = exit_status(st);
    if (rc == EXIT_USAGE) {
        fprintf(stderr, "sluice: %s\n", err);
        outdir_abort(&od);
        free(a.sets);
        return EXIT_USAGE;
    }
    char cerr[2048];
    if (outdir_commit(&od, cerr, sizeof cerr) != 0) {
        fprintf(stderr, "sluice: %s\n", cerr);
        outdir_abort(&od);
        free(a.sets);
        return EXIT_USAGE;
    }
    printf("sluice: %" PRIu64 " events, simulated until t = %.6g s; results in %s/\n", o.events,
           o.end_time, od.dir);
    if (rc == EXIT_INVARIANT)
        fprintf(stderr, "sluice: %s\n", err);
    if (a.report) {
        int prc = do_plot_report(out, 1, 1, a.force);
        if (prc && !rc)
            rc = prc;
    }
    free(a.sets);
    return rc;
}

static int cmd_gen(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a, 0);
    if (rc || a.help) {
        if (a.help)
            printf("usage: sluice gen CONFIG --out TRACE.csv [--seed N] [--set section.key=value]... "
                   "[--force]\n\n"
                   "Writes the events of CONFIG's workload, in arrival order, as a trace CSV\n"
                   "(id,key,value,event_time,arrival_time) that [workload] source = trace can\n"
                   "replay, and prints a profile of its out-of-orderness.  An existing TRACE.csv\n"
                   "is replaced only when it starts with that header (a trace sluice wrote);\n"
                   "--force replaces any regular file.  A folder there is refused.\n");
        free(a.sets);
        return rc;
    }
    if (!a.out) {
        free(a.sets);
        return usage_error("%s", "gen needs --out TRACE.csv");
    }
    config_t c;
    a.gen = 1;
    rc = load_config(&a, &c);
    free(a.sets);
    if (rc)
        return rc;
    char err[2048];
    workload_t *w = workload_open_stop(&c, &g_stop, err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    double bound = c.stream.watermark_bound;
    workload_profile *prof = workload_profile_alloc(bound);
    outdir od;
    if (!prof || outdir_file_begin(&od, a.out, WL_TRACE_HEADER, a.force, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", prof ? err : "out of memory");
        workload_free(w);
        workload_profile_free(prof);
        return EXIT_USAGE;
    }
    print_notes(od.note);
    int fd = dup(od.fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "sluice: %s: cannot write: %s\n", a.out, strerror(errno));
        if (fd >= 0)
            close(fd);
        outdir_abort(&od);
        workload_free(w);
        workload_profile_free(prof);
        return EXIT_USAGE;
    }
    int bad = fprintf(f, "%s\n", WL_TRACE_HEADER) < 0;
    workload_event ev;
    uint64_t n = 0;
    while (!bad && !g_stop && workload_next(w, &ev) == WL_OK) {
        bad = workload_write_row(f, &ev) != 0;
        workload_profile_add(prof, &ev);
        n++;
    }
    const char *why = workload_error(w);
    if (!bad && why && *why) {
        fprintf(stderr, "sluice: %s\n", why);
        bad = 2;
    }
    if (fclose(f) != 0 && !bad)
        bad = 1;
    if (bad || g_stop) {
        if (bad == 1)
            fprintf(stderr, "sluice: %s: write error\n", a.out);
        else if (g_stop)
            fprintf(stderr, "sluice: interrupted\n");
        outdir_abort(&od);
        workload_free(w);
        workload_profile_free(prof);
        return EXIT_USAGE;
    }
    if (outdir_commit(&od, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        outdir_abort(&od);
        workload_free(w);
        workload_profile_free(prof);
        return EXIT_USAGE;
    }
    printf("wrote %" PRIu64 " events to %s\n", n, a.out);
    workload_profile_write(prof, stdout);
    workload_free(w);
    workload_profile_free(prof);
    return 0;
}

static int cmd_config(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--defaults"))
        return config_write_defaults(stdout) == 0 ? 0 : EXIT_USAGE;
    if (argc == 2 && !strcmp(argv[1], "--markdown"))
        return config_write_markdown(stdout) == 0 ? 0 : EXIT_USAGE;
    if (argc == 2 && !strcmp(argv[1], "--man"))
        return config_write_man(stdout) == 0 ? 0 : EXIT_USAGE;
    if (argc == 2 && !strcmp(argv[1], "--help")) {
        printf("usage: sluice config --defaults | --markdown | --man\n\n"
               "Prints every configuration key with its default, unit, range and meaning,\n"
               "as an INI file (--defaults), as Markdown tables (--markdown) or as the\n"
               "man page sluice.ini(5) in troff (--man).\n");
        return 0;
    }
    return usage_error("%s", "config needs --defaults, --markdown or --man");
}

static int cmd_dir(int argc, char **argv, int plot, int report)
{
    const char *dir = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            printf(plot ? "usage: sluice plot DIR [--force]\n\nDraws the plots of the results "
                          "folder DIR into DIR/plots/ (PNG and SVG) with gnuplot.\n"
                        : "usage: sluice report DIR [--force]\n\nWrites DIR/report.html (one "
                          "self-contained page) and DIR/report.md from the results folder DIR.\n");
            printf("DIR must be a sluice results folder (DIR/.sluice, or only sluice's file "
                   "names);\n--force writes into any folder and replaces what sluice did not "
                   "write.\n");
            return 0;
        }
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("unknown option '%s'", argv[i]);
        else if (dir)
            return usage_error("unexpected argument '%s'", argv[i]);
        else
            dir = argv[i];
    }
    if (!dir)
        return usage_error("%s", plot ? "plot needs one DIR" : "report needs one DIR");
    if (report) {
        /* The report shows the plots: draw them first.  Without gnuplot
         * the report still has every table; a folder the report may not
         * write into is refused by the report with the same message. */
        char buf[PATH_MAX], err[2048], note[OUTDIR_NOTE_MAX];
        int rc = plot_run_opts(dir, reports_dir(buf, sizeof buf), force, &g_stop, note, sizeof note,
                               err, sizeof err);
        print_notes(note);
        if (rc != 0 && g_stop) {
            fprintf(stderr, "sluice report: %s\n", err);
            return EXIT_USAGE;
        }
        if (rc != 0)
            fprintf(stderr, "sluice report: no plots (%s); writing the tables only\n", err);
        else
            printf("plots: %s/plots/\n", dir);
        return do_plot_report(dir, 0, 1, force);
    }
    return do_plot_report(dir, plot, report, force);
}

typedef struct sweep_progress {
    struct timespec t0;
    int tty;
} sweep_progress;

static void show_sweep_progress(void *user, size_t done, size_t total)
{
    sweep_progress *p = user;
    if (!p->tty)
        return;
    double el = elapsed_s(&p->t0);
    double eta = done ? el * (double)(total - done) / (double)done : 0;
    int bar = total ? (int)(30 * done / total) : 30;
    fprintf(stderr, "\r  [%.*s%.*s] %zu/%zu runs, ETA %.0f s   ", bar,
            "##############################", 30 - bar, "..............................", done,
            total, eta);
    if (done == total)
        fprintf(stderr, "\n");
}

static int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"force", no_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL;
    int force = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":o:j:Fh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'j':
            if (whole_number("--jobs", optarg, 1, 1024, &jobs) != 0)
                return EXIT_USAGE;
            break;
        case 'h':
            printf("usage: sluice sweep SWEEP --out DIR [--jobs N] [--force]\n\n"
                   "Runs every point of the sweep file SWEEP with its replications in N worker\n"
                   "processes (default: all cores) and writes DIR/runs.csv (one row per point,\n"
                   "replication and executor) and DIR/sweep.csv (mean and 95%% confidence\n"
                   "half-width per point and executor).  The files do not depend on N.\n"
                   "An existing DIR is replaced only when sluice wrote all of it; --force\n"
                   "replaces it anyway.\n");
            return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error("%s", "sweep needs exactly one SWEEP file");
    if (!out)
        return usage_error("%s", "sweep needs --out DIR");
    char err[2048];
    sweep_t *w = sweep_load_stop(argv[optind], &g_stop, err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    size_t total = sweep_tasks(w);
    sweep_result *res = calloc(total ? total : 1, sizeof *res);
    outdir od;
    if (!res || outdir_begin(&od, out, "sluice sweep", force, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", res ? err : "out of memory");
        free(res);
        sweep_free(w);
        return EXIT_USAGE;
    }
    print_notes(od.note);
    sweep_progress p = {{0, 0}, isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    if (sweep_run_all(w, (int)jobs, res, show_sweep_progress, &p, &g_stop, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        outdir_abort(&od);
        free(res);
        sweep_free(w);
        return EXIT_USAGE;
    }
    /* 1 when any run broke an invariant (as stress), else 2 when a run
     * could not run at all. */
    int failed = 0;
    for (size_t t = 0; t < total; t++) {
        if (res[t].status == SIM_OK)
            continue;
        char cmd[2048];
        sweep_task_command(w, t, cmd, sizeof cmd);
        fprintf(stderr, "sluice: run %zu failed (%s)\n  replay: %s\n", t, res[t].message, cmd);
        failed = worst_exit(failed, res[t].status);
    }
    if (sweep_write_results(w, res, od.tmp, err, sizeof err) != 0 ||
        outdir_commit(&od, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        outdir_abort(&od);
        free(res);
        sweep_free(w);
        return EXIT_USAGE;
    }
    printf("sluice: %zu points x %zu runs; results in %s/ (runs.csv, sweep.csv)\n",
           sweep_points(w), total / (sweep_points(w) ? sweep_points(w) : 1), out);
    free(res);
    sweep_free(w);
    return failed;
}

/* prog: the name sluice was run by, for the replay command. */
static int cmd_stress(int argc, char **argv, const char *prog)
{
    static const struct option opts[] = {{"seeds", required_argument, 0, 'n'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"set", required_argument, 0, 'S'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    long seeds = 100, jobs = sysconf(_SC_NPROCESSORS_ONLN);
    run_args a;
    memset(&a, 0, sizeof a);
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.sets)
        return usage_error("%s", "out of memory");
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":n:j:S:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
        case 'j':
            if (whole_number(ch == 'n' ? "--seeds" : "--jobs", optarg, 1,
                             ch == 'n' ? 100000000 : 1024, ch == 'n' ? &seeds : &jobs) != 0) {
                free(a.sets);
                return EXIT_USAGE;
            }
            break;
        case 'S': a.sets[a.nsets++] = optarg; break;
        case 'h':
            printf("usage: sluice stress CONFIG --seeds N [--jobs J] [--set section.key=value]...\n\n"
                   "Runs CONFIG with N seeds (run.seed, run.seed+1, ...), each with a random crash\n"
                   "schedule (crashes anywhere, inside checkpoints, during recovery and replay),\n"
                   "and checks every invariant.  A violation prints the seed and the exact\n"
                   "`sluice run` command that replays it; the exit status is then 1 (2 when a seed\n"
                   "could not run at all, e.g. a broken trace).\n");
            free(a.sets);
            return 0;
        case ':': free(a.sets); return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: free(a.sets); return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(a.sets);
        return usage_error("%s", "stress needs exactly one CONFIG");
    }
    a.config = argv[optind];
    config_t c;
    int rc = load_config(&a, &c);
    if (rc) {
        free(a.sets);
        return rc;
    }
    stress_result *res = calloc((size_t)seeds, sizeof *res);
    if (!res) {
        free(a.sets);
        return usage_error("%s", "out of memory");
    }
    sweep_progress p = {{0, 0}, isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    char err[2048];
    if (stress_run_all(&c, (size_t)seeds, (int)jobs, res, show_sweep_progress, &p, &g_stop, err,
                       sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        free(res);
        free(a.sets);
        return EXIT_USAGE;
    }
    /* Exit 1 when an invariant failed, else 2 when a seed could not run
     * (bad input such as a broken trace, out of memory, interrupted). */
    long bad = 0;
    int failed = 0;
    for (long i = 0; i < seeds; i++) {
        if (res[i].status == SIM_OK)
            continue;
        bad++;
        failed = worst_exit(failed, res[i].status);
        char cmd[8192];
        stress_replay_command(prog, a.config, a.sets, (size_t)a.nsets, &res[i], cmd, sizeof cmd);
        fprintf(stderr, "sluice stress: seed %" PRIu64 " failed: %s\n  replay: %s\n", res[i].seed,
                res[i].message, cmd);
    }
    printf("sluice stress: %ld seeds, %ld failed\n", seeds, bad);
    free(res);
    free(a.sets);
    return failed;
}

static int cmd_capacity(int argc, char **argv)
{
    static const struct option opts[] = {{"replications", required_argument, 0, 'r'},
                                         {"iterations", required_argument, 0, 'i'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"set", required_argument, 0, 'S'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    long reps = 5, iters = 10, jobs = sysconf(_SC_NPROCESSORS_ONLN);
    run_args a;
    memset(&a, 0, sizeof a);
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.sets)
        return usage_error("%s", "out of memory");
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":r:i:j:S:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'r':
        case 'i':
        case 'j':
            if (whole_number(ch == 'r' ? "--replications" : ch == 'i' ? "--iterations" : "--jobs",
                             optarg, 1, ch == 'j' ? 1024 : 1000,
                             ch == 'r' ? &reps : ch == 'i' ? &iters : &jobs) != 0) {
                free(a.sets);
                return EXIT_USAGE;
            }
            break;
        case 'S': a.sets[a.nsets++] = optarg; break;
        case 'h':
            printf("usage: sluice capacity CONFIG [--replications R] [--iterations K] [--jobs J] "
                   "[--set section.key=value]...\n\n"
                   "Finds each executor's sustainable throughput: the highest workload.rate at\n"
                   "which its latency stays bounded over the run, i.e. its backlog does (the\n"
                   "highest backlog of the last quarter is at most %gx that of the second\n"
                   "quarter, plus one bucket's arrivals).  Doubling/halving from workload.rate,\n"
                   "then K bisection steps, for R seeds; prints the mean and its 95%%\n"
                   "confidence interval.  The run must last 12 batch/micro-batch intervals.\n",
                   CAPACITY_GROWTH);
            free(a.sets);
            return 0;
        case ':': free(a.sets); return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: free(a.sets); return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(a.sets);
        return usage_error("%s", "capacity needs exactly one CONFIG");
    }
    a.config = argv[optind];
    config_t c;
    int rc = load_config(&a, &c);
    free(a.sets);
    if (rc)
        return rc;
    size_t total = (size_t)EXEC_COUNT * (size_t)reps;
    capacity_result *res = calloc(total, sizeof *res);
    if (!res)
        return usage_error("%s", "out of memory");
    sweep_progress p = {{0, 0}, isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    char err[2048];
    if (capacity_run_all(&c, (int)reps, (int)iters, (int)jobs, res, show_sweep_progress, &p,
                         &g_stop, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        free(res);
        return EXIT_USAGE;
    }
    printf("%-12s %16s %14s %4s\n", "executor", "capacity (ev/s)", "95% CI (+-)", "n");
    int failed = 0;
    for (int id = 0; id < EXEC_COUNT; id++) {
        if (!c.run.executors[id])
            continue;
        double sum = 0, ss = 0;
        int n = 0;
        for (long r = 0; r < reps; r++) {
            const capacity_result *x = &res[(size_t)id * (size_t)reps + (size_t)r];
            if (x->status != SIM_OK) {
                fprintf(stderr, "sluice capacity: %s seed %" PRIu64 ": %s\n",
                        config_word("run", "executors", id), c.run.seed + (uint64_t)r, x->message);
                failed = 1;
                continue;
            }
            sum += x->rate;
            n++;
        }
        double mean = n ? sum / n : NAN;
        for (long r = 0; r < reps; r++) {
            const capacity_result *x = &res[(size_t)id * (size_t)reps + (size_t)r];
            if (x->status == SIM_OK)
                ss += (x->rate - mean) * (x->rate - mean);
        }
        double ci = n > 1 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(ss / (n - 1)) / sqrt(n) : NAN;
        printf("%-12s %16.6g %14.3g %4d\n", config_word("run", "executors", id), mean, ci, n);
    }
    free(res);
    /* A search that could not run is bad input or environment, never an
     * invariant: exit status 2. */
    return failed ? EXIT_USAGE : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc < 2)
        return usage_error("%s", "missing COMMAND");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("sluice %s\n", SLUICE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen"))
        return cmd_gen(argc - 1, argv + 1);
    if (!strcmp(cmd, "config"))
        return cmd_config(argc - 1, argv + 1);
    if (!strcmp(cmd, "capacity"))
        return cmd_capacity(argc - 1, argv + 1);
    if (!strcmp(cmd, "stress"))
        return cmd_stress(argc - 1, argv + 1, argv[0]);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cmd_dir(argc - 1, argv + 1, 1, 0);
    if (!strcmp(cmd, "report"))
        return cmd_dir(argc - 1, argv + 1, 0, 1);
    return usage_error("unknown command '%s'", cmd);
}
