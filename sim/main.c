/*
 * main.c: the `sluice` command line.  The only code that prints or exits.
 *
 *   sluice COMMAND OPERAND [OPTIONS]   (sluice --help lists them)
 *   sluice --help | --version | COMMAND --help
 *
 * Options: one table, cli_options (name, value, the commands that take
 * or need it, help text), drives both the parsing of every command
 * (getopt_long: --name VALUE, --name=VALUE, a unique prefix, options and
 * the operand in any order) and the usage text; cli_commands lists the
 * commands with their operand, usage errors and --help text.
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
#include "measure/columns.h"
#include "output/animate.h"
#include "output/explain.h"
#include "output/outdir.h"
#include "engine/exec.h"
#include "output/plot.h"
#include "output/report.h"
#include "run/sim.h"
#include "experiments/stress.h"
#include "experiments/sweep.h"
#include "model/trace.h"
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

/* ---- the options: one table for parsing and for the usage text ---- */

/* The commands, as bits of cli_option.commands. */
enum {
    CMD_RUN = 1 << 0,
    CMD_GEN = 1 << 1,
    CMD_CONFIG = 1 << 2,
    CMD_SWEEP = 1 << 3,
    CMD_STRESS = 1 << 4,
    CMD_CAPACITY = 1 << 5,
    CMD_PLOT = 1 << 6,
    CMD_REPORT = 1 << 7,
    CMD_EXPLAIN = 1 << 8,
    CMD_ANIMATE = 1 << 9,
    CMD_ALL = (1 << 10) - 1
};

/* Where an option's value goes in cli_args. */
enum cli_opt_id {
    OPT_SEEDS,
    OPT_REPLICATIONS,
    OPT_ITERATIONS,
    OPT_SEED,
    OPT_OUT,
    OPT_JOBS,
    OPT_SET,
    OPT_REPORT,
    OPT_FORCE,
    OPT_DEFAULTS,
    OPT_MARKDOWN,
    OPT_MAN,
    OPT_OUTPUTS_MAN,
    OPT_EXECUTOR,
    OPT_KEY,
    OPT_WINDOW,
    OPT_FROM,
    OPT_TO,
    OPT_LIMIT,
    OPT_FORMAT,
    OPT_HELP,
    OPT_COUNT
};

typedef struct cli_option {
    const char *name;    /* --name (a unique prefix is accepted, as is --name=VALUE) */
    enum cli_opt_id id;
    unsigned commands;   /* CMD_* bits: the commands that accept it */
    unsigned required;   /* CMD_* bits: the commands that need it */
    const char *value;   /* NULL: a flag; else the name of its value in the usage text */
    long lo, hi;         /* lo < hi: the value is a whole number in [lo, hi] */
    const char *help;    /* for the usage text; NULL: not listed */
} cli_option;

/* A command's synopsis shows its operand, the options it needs, then the
 * others in this order.  Two rows may share an id (--out), for commands
 * that name its value differently.  --set is the one option that may be
 * given more than once (every value is kept); of any other the last wins. */
static const cli_option cli_options[] = {
    {"seeds", OPT_SEEDS, CMD_STRESS, 0, "N", 1, 100000000, "stress: the number of seeds (default 100)"},
    {"replications", OPT_REPLICATIONS, CMD_CAPACITY, 0, "R", 1, 1000,
     "capacity: seeds per executor (default 5)"},
    {"iterations", OPT_ITERATIONS, CMD_CAPACITY, 0, "K", 1, 1000,
     "capacity: bisection steps (default 10)"},
    {"seed", OPT_SEED, CMD_RUN | CMD_GEN | CMD_EXPLAIN, 0, "N", 0, 0, "run.seed, over the file's"},
    {"out", OPT_OUT, CMD_RUN | CMD_SWEEP, CMD_SWEEP, "DIR", 0, 0, "the results folder"},
    {"out", OPT_OUT, CMD_GEN, CMD_GEN, "TRACE.csv", 0, 0, "the trace to write"},
    {"jobs", OPT_JOBS, CMD_SWEEP | CMD_STRESS | CMD_CAPACITY, 0, "J", 1, 1024,
     "worker processes (default: all cores)"},
    {"set", OPT_SET, CMD_RUN | CMD_GEN | CMD_STRESS | CMD_CAPACITY | CMD_EXPLAIN, 0, "section.key=value", 0, 0,
     "one configuration key, over the file's (repeatable)"},
    {"report", OPT_REPORT, CMD_RUN, 0, NULL, 0, 0,
     "run: also draw the plots and write DIR/report.html"},
    {"force", OPT_FORCE, CMD_RUN | CMD_GEN | CMD_SWEEP | CMD_PLOT | CMD_REPORT | CMD_ANIMATE, 0, NULL, 0, 0,
     "replace (or write into) a folder or file sluice did not write;\n"
     "without it sluice refuses, with exit status 2"},
    {"defaults", OPT_DEFAULTS, CMD_CONFIG, 0, NULL, 0, 0,
     "print every configuration key with its default, unit and range"},
    {"markdown", OPT_MARKDOWN, CMD_CONFIG, 0, NULL, 0, 0, "the same as Markdown tables"},
    {"man", OPT_MAN, CMD_CONFIG, 0, NULL, 0, 0, "the same as the man page sluice.ini(5)"},
    {"outputs-man", OPT_OUTPUTS_MAN, CMD_CONFIG, 0, NULL, 0, 0,
     "the man page sluice-outputs(5) of the result files"},
    {"executor", OPT_EXECUTOR, CMD_EXPLAIN | CMD_ANIMATE, 0, "E", 0, 0,
     "explain, animate: only executor E (batch, microbatch, stream)"},
    {"key", OPT_KEY, CMD_EXPLAIN | CMD_ANIMATE, 0, "K", 0, 4294967295L,
     "explain, animate: only key K (explain: with jobs, checkpoints, crashes)"},
    {"window", OPT_WINDOW, CMD_EXPLAIN, 0, "START", 0, 0,
     "explain: only the window starting at START (and the lines of no window)"},
    {"from", OPT_FROM, CMD_PLOT | CMD_EXPLAIN | CMD_ANIMATE, 0, "T", 0, 0,
     "plot: zoom the time axes to processing time T (s) onwards; explain, animate: from T"},
    {"to", OPT_TO, CMD_PLOT | CMD_EXPLAIN | CMD_ANIMATE, 0, "T", 0, 0,
     "plot: zoom the time axes up to processing time T (s); explain, animate: up to T"},
    {"limit", OPT_LIMIT, CMD_EXPLAIN, 0, "N", 0, 100000000, "explain: at most N lines (default 200, 0 = all)"},
    {"format", OPT_FORMAT, CMD_EXPLAIN, 0, "text|csv", 0, 0, "explain: aligned text (default) or CSV rows"},
    {"help", OPT_HELP, CMD_ALL, 0, NULL, 0, 0, NULL}, /* last: also -h */
};
#define CLI_NOPTIONS (sizeof cli_options / sizeof cli_options[0])

/* A command line after parsing. */
typedef struct cli_args {
    const char *operand;         /* CONFIG, SWEEP or DIR; NULL for config */
    int given[OPT_COUNT];        /* how often each option was given */
    const char *text[OPT_COUNT]; /* the value of each (the last one given) */
    long number[OPT_COUNT];      /* the same, for whole numbers */
    const char **sets;           /* every --set, in order (malloc'd) */
    int nsets;
} cli_args;

typedef struct cli_command {
    const char *name;
    unsigned bit;          /* CMD_* */
    const char *operand;   /* its one operand ("CONFIG"); NULL: none */
    const char *summary;   /* under its synopsis in the usage text; NULL:
                              one line per option (config) */
    const char *missing;   /* the usage error without the operand */
    const char *extra;     /* ... with a second one; NULL: "unexpected argument" */
    const char *details;   /* COMMAND --help, after the synopsis: a printf
                              format, where %g is CAPACITY_GROWTH */
    int (*fn)(const cli_args *a, const char *prog);
} cli_command;

static int cmd_run(const cli_args *a, const char *prog);
static int cmd_gen(const cli_args *a, const char *prog);
static int cmd_config(const cli_args *a, const char *prog);
static int cmd_sweep(const cli_args *a, const char *prog);
static int cmd_stress(const cli_args *a, const char *prog);
static int cmd_capacity(const cli_args *a, const char *prog);
static int cmd_plot(const cli_args *a, const char *prog);
static int cmd_report(const cli_args *a, const char *prog);
static int cmd_explain(const cli_args *a, const char *prog);
static int cmd_animate(const cli_args *a, const char *prog);

#define DIR_DETAILS                                                                          \
    "DIR must be a sluice results folder (DIR/.sluice, or only sluice's file names);\n"     \
    "--force writes into any folder and replaces what sluice did not write.\n"

/* In the order of the usage text. */
static const cli_command cli_commands[] = {
    {"run", CMD_RUN, "CONFIG", "simulate CONFIG; results go to DIR (default results/NAME)",
     "missing CONFIG", NULL,
     "Simulates CONFIG and writes summary.csv, panes.csv, timeline.csv, windows.csv,\n"
     "latency.csv, faults.csv, events.csv and config.ini into DIR (default\n"
     "results/NAME for CONFIG NAME.ini).  --report also draws the plots and writes\n"
     "DIR/report.html.  An existing DIR is replaced only when sluice wrote all of\n"
     "it (DIR/.sluice lists what it wrote); --force replaces it anyway.\n"
     "Exit status 0 ok, 1 an invariant failed, 2 bad input or environment.\n",
     cmd_run},
    {"gen", CMD_GEN, "CONFIG", "write the workload's events as a trace and print its profile",
     "missing CONFIG", NULL,
     "Writes the events of CONFIG's workload, in arrival order, as a trace CSV\n"
     "(id,key,value,event_time,arrival_time) that [workload] source = trace can\n"
     "replay, and prints a profile of its out-of-orderness.  An existing TRACE.csv\n"
     "is replaced only when it starts with that header (a trace sluice wrote);\n"
     "--force replaces any regular file.  A folder there is refused.\n",
     cmd_gen},
    {"config", CMD_CONFIG, NULL, NULL, "config needs --defaults, --markdown, --man or --outputs-man",
     NULL,
     "Prints every configuration key with its default, unit, range and meaning,\n"
     "as an INI file (--defaults), as Markdown tables (--markdown) or as the\n"
     "man page sluice.ini(5) in troff (--man); --outputs-man prints the man\n"
     "page sluice-outputs(5): every column of every result file.\n",
     cmd_config},
    {"sweep", CMD_SWEEP, "SWEEP", "run a parameter sweep with replications (runs.csv, sweep.csv)",
     "sweep needs exactly one SWEEP file", "sweep needs exactly one SWEEP file",
     "Runs every point of the sweep file SWEEP with its replications in J worker\n"
     "processes (default: all cores) and writes DIR/runs.csv (one row per point,\n"
     "replication and executor) and DIR/sweep.csv (mean and 95%% confidence\n"
     "half-width per point and executor).  The files do not depend on J.\n"
     "An existing DIR is replaced only when sluice wrote all of it; --force\n"
     "replaces it anyway.\n",
     cmd_sweep},
    {"stress", CMD_STRESS, "CONFIG", "N runs with random crash schedules; report invariant violations",
     "stress needs exactly one CONFIG", "stress needs exactly one CONFIG",
     "Runs CONFIG with N seeds (run.seed, run.seed+1, ...), each with a random crash\n"
     "schedule (crashes anywhere, inside checkpoints, during recovery and replay),\n"
     "and checks every invariant.  A violation prints the seed and the exact\n"
     "`sluice run` command that replays it; the exit status is then 1 (2 when a seed\n"
     "could not run at all, e.g. a broken trace).\n",
     cmd_stress},
    {"capacity", CMD_CAPACITY, "CONFIG",
     "sustainable throughput of each executor (bisection on the rate)",
     "capacity needs exactly one CONFIG", "capacity needs exactly one CONFIG",
     "Finds each executor's sustainable throughput: the highest workload.rate at\n"
     "which its latency stays bounded over the run, i.e. its backlog does (the\n"
     "highest backlog of the last quarter is at most %gx that of the second\n"
     "quarter, plus one bucket's arrivals).  Doubling/halving from workload.rate,\n"
     "then K bisection steps, for R seeds; prints the mean and its 95%%\n"
     "confidence interval.  The run must last 12 batch/micro-batch intervals.\n",
     cmd_capacity},
    {"plot", CMD_PLOT, "DIR", "draw the plots of a results folder into DIR/plots/",
     "plot needs one DIR", NULL,
     "Draws the plots of the results folder DIR into DIR/plots/ (PNG and SVG) with gnuplot.\n"
     DIR_DETAILS,
     cmd_plot},
    {"report", CMD_REPORT, "DIR", "write DIR/report.html and DIR/report.md",
     "report needs one DIR", NULL,
     "Writes DIR/report.html (one self-contained page) and DIR/report.md from the results folder DIR.\n"
     DIR_DETAILS,
     cmd_report},
    {"explain", CMD_EXPLAIN, "CONFIG", "narrate a run: what happened and which rule made it happen",
     "explain needs one CONFIG", NULL,
     "Runs CONFIG (writing nothing) and prints, in processing-time order, what each\n"
     "executor did and the rule that made it happen: events on time or late against\n"
     "the watermark, watermark moves and why, windows opening, trigger timers, panes\n"
     "(kind, count, sum, accumulation and the rule with its numbers), session merges,\n"
     "state cleared, drops, batch and micro-batch jobs, checkpoints, crashes,\n"
     "restores and replays, duplicates and exactly-once commits.  --executor, --key,\n"
     "--window, --from and --to select lines (jobs, checkpoints and crashes stay\n"
     "as context); --limit caps them (default 200) and the last line says how many were\n"
     "left out.  --format csv prints the rows time,executor,kind,key,window_start,\n"
     "window_end,detail,rule.\n",
     cmd_explain},
    {"animate", CMD_ANIMATE, "DIR", "draw a run folder's watermark picture frame by frame",
     "animate needs one DIR", NULL,
     "Writes DIR/animation.html (an offline page: one SVG panel per executor, play,\n"
     "step and a time slider) and DIR/animation.gif (gnuplot) from the results\n"
     "folder DIR: x = processing time, y = event time; events appear as dots when\n"
     "they arrive, the watermark advances as a line (batch: job ends), windows are\n"
     "bands, panes are boxes labelled with their sum and coloured by kind, crashes\n"
     "shade the downtime.  --executor, --key, --from and --to select.\n"
     DIR_DETAILS,
     cmd_animate},
};
#define CLI_NCOMMANDS (sizeof cli_commands / sizeof cli_commands[0])

/* Prints "--name VALUE" (a required option), "[--name VALUE]" or
 * "[--set VALUE]..." to f; returns the characters printed. */
static int put_option(FILE *f, const cli_option *o, int required)
{
    return fprintf(f, "%s--%s%s%s%s%s", required ? "" : "[", o->name, o->value ? " " : "",
                   o->value ? o->value : "", required ? "" : "]",
                   o->id == OPT_SET ? "..." : "");
}

/* The synopsis of command c ("run CONFIG [--seed N] ..."): the options it
 * needs, then the others; config's options are alternatives. */
static int put_synopsis(FILE *f, const cli_command *c)
{
    int n = fprintf(f, "%s", c->name);
    if (c->operand)
        n += fprintf(f, " %s", c->operand);
    const char *sep = " ";
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < CLI_NOPTIONS; i++) {
            const cli_option *o = &cli_options[i];
            int needed = (o->required & c->bit) != 0;
            if (!(o->commands & c->bit) || o->id == OPT_HELP || needed != (pass == 0))
                continue;
            n += fprintf(f, "%s", sep);
            n += c->summary ? put_option(f, o, pass == 0) : fprintf(f, "--%s", o->name);
            if (!c->summary)
                sep = " | ";
        }
    return n;
}

/* Prints text at column 22 (after `used` columns), each of its lines. */
static void put_at_22(FILE *f, int used, const char *text)
{
    if (used > 20) {
        fputc('\n', f);
        used = 0;
    }
    while (*text) {
        size_t k = strcspn(text, "\n");
        fprintf(f, "%*s%.*s\n", 22 - used, "", (int)k, text);
        text += k + (text[k] == '\n');
        used = 0;
    }
}

static void print_usage(FILE *f)
{
    fputs("usage: sluice COMMAND [ARGS]\n\ncommands:\n", f);
    for (size_t k = 0; k < CLI_NCOMMANDS; k++) {
        const cli_command *c = &cli_commands[k];
        if (c->summary) {
            fputs("  ", f);
            put_at_22(f, 2 + put_synopsis(f, c), c->summary);
            continue;
        }
        for (size_t i = 0; i < CLI_NOPTIONS; i++)
            if ((cli_options[i].commands & c->bit) && cli_options[i].help)
                put_at_22(f, fprintf(f, "  %s --%s", c->name, cli_options[i].name),
                          cli_options[i].help);
    }
    fputs("\noptions: --help (also after a command), --version\n", f);
    for (size_t i = 0; i < CLI_NOPTIONS; i++) {
        const cli_option *o = &cli_options[i];
        if (o->help && o->commands != CMD_CONFIG)
            put_at_22(f, fprintf(f, "  --%s%s%s", o->name, o->value ? " " : "",
                                 o->value ? o->value : ""),
                      o->help);
    }
    fputs("exit status: 0 ok, 1 an invariant failed, 2 bad input, usage or environment\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "sluice: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    print_usage(stderr);
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
        fprintf(stderr, "sluice: %s needs a whole number from %ld to %ld, not '%s'\n", opt, lo,
                hi, text);
        print_usage(stderr);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parses the arguments of command c (argv[0] is its name) into a, by the
 * option table: 0, or the exit status of a usage error (printed).  --help
 * ends the parsing at once (a->given[OPT_HELP]).  a->sets is malloc'd
 * either way. */
static int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a)
{
    struct option longopts[CLI_NOPTIONS + 1];
    size_t n = 0;
    for (size_t i = 0; i < CLI_NOPTIONS; i++)
        if (cli_options[i].commands & c->bit)
            longopts[n++] = (struct option){cli_options[i].name,
                                            cli_options[i].value ? required_argument : no_argument,
                                            NULL, 256 + (int)i};
    longopts[n] = (struct option){0, 0, 0, 0};
    memset(a, 0, sizeof *a);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    if (!a->sets)
        return usage_error("%s", "out of memory");
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (ch == ':')
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        if (ch != 'h' && ch < 256)
            return usage_error("unknown option '%s'", argv[optind - 1]);
        const cli_option *o = &cli_options[ch == 'h' ? CLI_NOPTIONS - 1 : (size_t)(ch - 256)];
        a->given[o->id]++;
        a->text[o->id] = optarg;
        if (o->id == OPT_HELP)
            return 0;
        if (o->id == OPT_SET)
            a->sets[a->nsets++] = optarg;
        if (o->lo < o->hi) {
            char name[32];
            snprintf(name, sizeof name, "--%s", o->name);
            if (whole_number(name, optarg, o->lo, o->hi, &a->number[o->id]) != 0)
                return EXIT_USAGE;
        }
    }
    if (c->operand && optind >= argc)
        return usage_error("%s", c->missing);
    if (!c->operand && optind < argc)
        return usage_error("%s", c->missing);
    if (c->operand) {
        a->operand = argv[optind++];
        if (optind < argc)
            return c->extra ? usage_error("%s", c->extra)
                            : usage_error("unexpected argument '%s'", argv[optind]);
    }
    for (size_t i = 0; i < CLI_NOPTIONS; i++) {
        const cli_option *o = &cli_options[i];
        if ((o->required & c->bit) && !a->given[o->id]) {
            fprintf(stderr, "sluice: %s needs --%s %s\n", c->name, o->name, o->value);
            print_usage(stderr);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* Loads the config, then --seed and --set overrides, then checks it
 * (sim_check: the rules of model/config.c and the budget; gen: the rules
 * and only the events are budgeted), before any output exists. */
static int load_config(const cli_args *a, int gen, config_t *c)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    if (config_load_stop(c, a->operand, &g_stop, err, sizeof err) != CFG_OK) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (a->text[OPT_SEED]) {
        char buf[96];
        snprintf(buf, sizeof buf, "run.seed=%s", a->text[OPT_SEED]);
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
    int bad = gen ? config_validate(c, err, sizeof err) != CFG_OK ||
                        budget_check_events(c, err, sizeof err) != BUDGET_OK
                  : sim_check(c, err, sizeof err) != SIM_OK;
    if (bad) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    return 0;
}

/* ---- progress line (only on a terminal, only for runs over a second) ---- */

typedef struct progress {
    struct timespec t0;
    int shown;
} progress;

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *user, double now, double input_end, uint64_t events)
{
    progress *p = user;
    double el = elapsed_s(&p->t0);
    if (el < 1.0)
        return;
    double share = input_end > 0 ? now / input_end : 0;
    if (share > 1)
        share = 1;
    double eta = share > 0 ? el * (1 - share) / share : 0;
    fprintf(stderr, "\r  simulated %.0f s of %.0f (%3.0f%%), %.2f M events/s, ETA %.0f s   ", now,
            input_end, 100 * share, (double)events / el / 1e6, eta);
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

static int do_plot_report_zoom(const char *dir, int plot, int report, const plot_options *po);

/* Any failure of plot or report (bad folder, gnuplot missing or failing)
 * is bad input or environment: exit status 2. */
static int do_plot_report(const char *dir, int plot, int report, int force)
{
    plot_options po = {force, &g_stop, NAN, NAN};
    return do_plot_report_zoom(dir, plot, report, &po);
}

static int do_plot_report_zoom(const char *dir, int plot, int report, const plot_options *po)
{
    const int force = po->force;
    char buf[PATH_MAX], err[2048], note[OUTDIR_NOTE_MAX];
    const char *rdir = reports_dir(buf, sizeof buf);
    if (plot) {
        int rc = plot_run_with(dir, rdir, po, note, sizeof note, err, sizeof err);
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

static int cmd_run(const cli_args *a, const char *prog)
{
    (void)prog;
    config_t c;
    int rc = load_config(a, 0, &c);
    if (rc)
        return rc;
    char outbuf[PATH_MAX], name[256];
    const char *out = a->text[OPT_OUT];
    int force = a->given[OPT_FORCE] > 0;
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "results/%s", config_name(a->operand, name, sizeof name));
        out = outbuf;
    }
    outdir od;
    char err[2048];
    if (outdir_begin(&od, out, "sluice run", force, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        return EXIT_USAGE;
    }
    print_notes(od.note);
    progress p = {{0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    sim_options opt = {.stop = &g_stop,
                       .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
                       .user = &p,
                       .checked = 1}; /* load_config ran sim_check */
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
        return EXIT_USAGE;
    }
    char cerr[2048];
    if (outdir_commit(&od, cerr, sizeof cerr) != 0) {
        fprintf(stderr, "sluice: %s\n", cerr);
        outdir_abort(&od);
        return EXIT_USAGE;
    }
    printf("sluice: %" PRIu64 " events, simulated until t = %.6g s; results in %s/\n", o.events,
           o.end_time, od.dir);
    if (rc == EXIT_INVARIANT)
        fprintf(stderr, "sluice: %s\n", err);
    if (a->given[OPT_REPORT]) {
        int prc = do_plot_report(out, 1, 1, force);
        if (prc && !rc)
            rc = prc;
    }
    return rc;
}

static int cmd_gen(const cli_args *a, const char *prog)
{
    (void)prog;
    config_t c;
    int rc = load_config(a, 1, &c);
    if (rc)
        return rc;
    const char *trace = a->text[OPT_OUT];
    char err[2048];
    workload_t *w = workload_open_stop(&c, &g_stop, err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (workload_trace(w)) {
        char what[512];
        trace_describe(workload_trace(w), what, sizeof what);
        printf("trace %s: %s\n", c.workload.trace, what);
    }
    double bound = c.stream.watermark_bound;
    workload_profile *prof = workload_profile_alloc(bound);
    outdir od;
    if (!prof || outdir_file_begin(&od, trace, WL_TRACE_HEADER, a->given[OPT_FORCE] > 0, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", prof ? err : "out of memory");
        workload_free(w);
        workload_profile_free(prof);
        return EXIT_USAGE;
    }
    print_notes(od.note);
    int fd = dup(od.fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "sluice: %s: cannot write: %s\n", trace, strerror(errno));
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
        bad = workload_write_row_of(f, w, &ev) != 0;
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
            fprintf(stderr, "sluice: %s: write error\n", trace);
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
    printf("wrote %" PRIu64 " events to %s\n", n, trace);
    workload_profile_write(prof, stdout);
    workload_free(w);
    workload_profile_free(prof);
    return 0;
}

static int cmd_config(const cli_args *a, const char *prog)
{
    (void)prog;
    int n = (a->given[OPT_DEFAULTS] > 0) + (a->given[OPT_MARKDOWN] > 0) + (a->given[OPT_MAN] > 0)
            + (a->given[OPT_OUTPUTS_MAN] > 0);
    if (n != 1)
        return usage_error("%s", "config needs --defaults, --markdown, --man or --outputs-man");
    int rc = a->given[OPT_DEFAULTS]    ? config_write_defaults(stdout)
             : a->given[OPT_MARKDOWN]  ? config_write_markdown(stdout)
             : a->given[OPT_MAN]       ? config_write_man(stdout)
                                       : columns_write_man(stdout);
    return rc == 0 ? 0 : EXIT_USAGE;
}

static int cmd_dir(const cli_args *a, int plot, int report)
{
    const char *dir = a->operand;
    int force = a->given[OPT_FORCE] > 0;
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
    plot_options po = {force, &g_stop, NAN, NAN};
    const enum cli_opt_id zid[2] = {OPT_FROM, OPT_TO};
    double *zv[2] = {&po.tmin, &po.tmax};
    for (int i = 0; i < 2; i++) {
        const char *t = a->text[zid[i]];
        char *end;
        if (!t)
            continue;
        *zv[i] = strtod(t, &end);
        if (!*t || *end || !isfinite(*zv[i]))
            return usage_error(i ? "--to needs a time in seconds, not '%s'"
                                 : "--from needs a time in seconds, not '%s'",
                               t);
    }
    return do_plot_report_zoom(dir, plot, report, &po);
}

static int cmd_plot(const cli_args *a, const char *prog)
{
    (void)prog;
    return cmd_dir(a, 1, 0);
}

static int cmd_report(const cli_args *a, const char *prog)
{
    (void)prog;
    return cmd_dir(a, 0, 1);
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

/* A number of seconds for option name; -1 (usage printed) when it is not one. */
static int seconds_opt(const char *name, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || isnan(v)) {
        fprintf(stderr, "sluice: %s needs a number of seconds, not '%s'\n", name, text);
        print_usage(stderr);
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_explain(const cli_args *a, const char *prog)
{
    (void)prog;
    explain_filter f = explain_filter_all();
    f.limit = a->given[OPT_LIMIT] ? (size_t)a->number[OPT_LIMIT] : 200;
    f.key = a->given[OPT_KEY] ? (int64_t)a->number[OPT_KEY] : -1;
    if ((a->text[OPT_WINDOW] && seconds_opt("--window", a->text[OPT_WINDOW], &f.window)) ||
        (a->text[OPT_FROM] && seconds_opt("--from", a->text[OPT_FROM], &f.from)) ||
        (a->text[OPT_TO] && seconds_opt("--to", a->text[OPT_TO], &f.to)))
        return EXIT_USAGE;
    const char *fmt = a->text[OPT_FORMAT] ? a->text[OPT_FORMAT] : "text";
    if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0)
        return usage_error("--format is text or csv, not '%s'", fmt);
    config_t c;
    int rc = load_config(a, 0, &c);
    if (rc)
        return rc;
    f.executor = a->text[OPT_EXECUTOR];
    if (f.executor) {
        int id = exec_id_named(f.executor);
        if (id < 0 || !c.run.executors[id]) {
            fprintf(stderr, "sluice: --executor %s is not one of the run's executors (run.executors)\n",
                    f.executor);
            return EXIT_USAGE;
        }
    }
    explain_log *x = explain_alloc(&f);
    if (!x) {
        fprintf(stderr, "sluice: out of memory\n");
        return EXIT_USAGE;
    }
    sim_options opt = {.stop = &g_stop, .checked = 1, .explain = explain_record, .explain_user = x};
    sim_outcome o;
    char err[2048];
    int st = sim_run_opts(&c, NULL, &opt, &o, err, sizeof err);
    rc = exit_status(st);
    char *text = rc == EXIT_USAGE || explain_failed(x) ? NULL : explain_format(x, fmt[0] == 'c');
    if (rc == EXIT_USAGE || !text) {
        fprintf(stderr, "sluice: %s\n", rc == EXIT_USAGE ? err : "out of memory");
        explain_free(x);
        return EXIT_USAGE;
    }
    fputs(text, stdout);
    free(text);
    if (explain_left_out(x) > 0)
        fprintf(fmt[0] == 'c' ? stderr : stdout,
                "... %" PRIu64 " more lines left out (--limit %zu; select with --executor, --key, "
                "--window, --from, --to)\n",
                explain_left_out(x), f.limit);
    if (rc == EXIT_INVARIANT)
        fprintf(stderr, "sluice: %s\n", err);
    explain_free(x);
    return rc;
}

static int cmd_animate(const cli_args *a, const char *prog)
{
    (void)prog;
    animate_filter f = animate_filter_all();
    f.executor = a->text[OPT_EXECUTOR];
    f.key = a->given[OPT_KEY] ? (int64_t)a->number[OPT_KEY] : -1;
    if ((a->text[OPT_FROM] && seconds_opt("--from", a->text[OPT_FROM], &f.from)) ||
        (a->text[OPT_TO] && seconds_opt("--to", a->text[OPT_TO], &f.to)))
        return EXIT_USAGE;
    char note[2048], err[2048];
    int rc = animate_write(a->operand, &f, a->given[OPT_FORCE] > 0, note, sizeof note, err,
                           sizeof err);
    print_notes(note);
    if (rc != 0) {
        fprintf(stderr, "sluice animate: %s\n", err);
        return EXIT_USAGE;
    }
    printf("animation: %s/animation.html, %s/animation.gif\n", a->operand, a->operand);
    return 0;
}

static int cmd_sweep(const cli_args *a, const char *prog)
{
    (void)prog;
    const char *out = a->text[OPT_OUT];
    int force = a->given[OPT_FORCE] > 0;
    long jobs = a->given[OPT_JOBS] ? a->number[OPT_JOBS] : sysconf(_SC_NPROCESSORS_ONLN);
    char err[2048];
    sweep_t *w = sweep_load_stop(a->operand, &g_stop, err, sizeof err);
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
static int cmd_stress(const cli_args *a, const char *prog)
{
    long seeds = a->given[OPT_SEEDS] ? a->number[OPT_SEEDS] : 100;
    long jobs = a->given[OPT_JOBS] ? a->number[OPT_JOBS] : sysconf(_SC_NPROCESSORS_ONLN);
    config_t c;
    int rc = load_config(a, 0, &c);
    if (rc)
        return rc;
    stress_result *res = calloc((size_t)seeds, sizeof *res);
    if (!res)
        return usage_error("%s", "out of memory");
    sweep_progress p = {{0, 0}, isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    char err[2048];
    if (stress_run_all(&c, (size_t)seeds, (int)jobs, res, show_sweep_progress, &p, &g_stop, err,
                       sizeof err) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        free(res);
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
        stress_replay_command(prog, a->operand, a->sets, (size_t)a->nsets, &res[i], cmd, sizeof cmd);
        fprintf(stderr, "sluice stress: seed %" PRIu64 " failed: %s\n  replay: %s\n", res[i].seed,
                res[i].message, cmd);
    }
    printf("sluice stress: %ld seeds, %ld failed\n", seeds, bad);
    free(res);
    return failed;
}

static int cmd_capacity(const cli_args *a, const char *prog)
{
    (void)prog;
    long reps = a->given[OPT_REPLICATIONS] ? a->number[OPT_REPLICATIONS] : 5;
    long iters = a->given[OPT_ITERATIONS] ? a->number[OPT_ITERATIONS] : 10;
    long jobs = a->given[OPT_JOBS] ? a->number[OPT_JOBS] : sysconf(_SC_NPROCESSORS_ONLN);
    config_t c;
    int rc = load_config(a, 0, &c);
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
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("sluice %s\n", SLUICE_VERSION);
        return 0;
    }
    for (size_t k = 0; k < CLI_NCOMMANDS; k++) {
        const cli_command *c = &cli_commands[k];
        if (strcmp(cmd, c->name) != 0)
            continue;
        cli_args a;
        int rc = cli_parse(c, argc - 1, argv + 1, &a);
        if (rc == 0 && a.given[OPT_HELP]) {
            fputs("usage: sluice ", stdout);
            put_synopsis(stdout, c);
            fputs("\n\n", stdout);
            printf(c->details, CAPACITY_GROWTH);
        } else if (rc == 0) {
            rc = c->fn(&a, argv[0]);
        }
        free(a.sets);
        return rc;
    }
    return usage_error("unknown command '%s'", cmd);
}
