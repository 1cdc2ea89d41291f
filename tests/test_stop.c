/*
 * test_stop.c: SIGINT and SIGTERM stop every long phase of the CLI
 * promptly, with exit status 2, "interrupted" on stderr and no results
 * left behind (neither DIR nor DIR.tmp.*): a sweep (in this process and in
 * worker processes), stress, loading a big trace, and plotting (a stand-in
 * gnuplot that sleeps, so the signal surely arrives while it runs).
 *
 * Each case starts `sluice` in a child, waits until it is inside the phase
 * (its temporary folder exists), sends the signal and allows 5 s for it
 * to exit: the stop flag is polled every 2^16 simulation steps, every
 * 64 KiB read and every 0.1 s while gnuplot runs.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void nap_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* A folder with slow.ini: small.ini made to run for minutes. */
static void fixture(char *d, size_t n)
{
    snprintf(d, n, "/tmp/sluice_stop_XXXXXX");
    cr_assert(mkdtemp(d));
    char path[1100];
    snprintf(path, sizeof path, "%s/slow.ini", d);
    write_text(path, "[run]\nseed = 7\nexecutors = batch, microbatch, stream\n"
                     "duration = 100000\ntimeline_bucket = 5\n"
                     "[workload]\nrate = 1000\nkeys = 4\ndelay = exponential\ndelay_mean = 1\n"
                     "[window]\ntype = tumbling\nsize = 10\n"
                     "[stream]\nwatermark = bounded\nwatermark_bound = 2\n"
                     "[batch]\ninterval = 30\n[microbatch]\ninterval = 2\n");
}

/* Starts `sluice ARGS...` in dir (stdout to /dev/null, stderr to
 * dir/stderr.txt), with path_prefix put in front of $PATH when given. */
static pid_t start(const char *dir, const char *path_prefix, char *const args[])
{
    char b[1200];
    util_bin_abs(b, sizeof b);
    char *argv[16];
    int n = 0;
    argv[n++] = b;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    /* sluice plot finds reports/ beside its binary, which the ASan build
     * (build/asan/sluice) does not have: name it. */
    char cwd[1024], reports[1100];
    cr_assert(getcwd(cwd, sizeof cwd));
    snprintf(reports, sizeof reports, "%s/reports", cwd);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(120);
        int out = open("/dev/null", O_WRONLY);
        int err = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0)
            _exit(121);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (!getenv("SLUICE_REPORTS"))
            setenv("SLUICE_REPORTS", reports, 1);
        if (path_prefix) {
            char p[4096];
            const char *old = getenv("PATH");
            snprintf(p, sizeof p, "%s:%s", path_prefix, old ? old : "/usr/bin:/bin");
            setenv("PATH", p, 1);
        }
        /* Criterion may ignore or block these; sluice must see them. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(b, argv);
        _exit(122);
    }
    return pid;
}

/* Waits until dir holds an entry starting with prefix (the phase has
 * begun); fails after 60 s or when the child is gone. */
static void wait_for(pid_t pid, const char *dir, const char *prefix)
{
    double t0 = util_now_s();
    while (util_count_prefix(dir, prefix) == 0) {
        int st;
        cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "sluice ended before %s/%s* appeared", dir,
                     prefix);
        cr_assert_lt(util_now_s() - t0, 60.0, "no %s/%s* after 60 s", dir, prefix);
        nap_ms(10);
    }
}

/* Sends sig; the child must exit within 5 s with status 2 and exactly
 * `want` + "\n" on stderr. */
static void stop_and_check(pid_t pid, int sig, const char *dir, const char *want)
{
    cr_assert_eq(kill(pid, sig), 0);
    double t0 = util_now_s();
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, WNOHANG)) == 0 && util_now_s() - t0 < 5.0)
        nap_ms(10);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        cr_assert_fail("sluice still running 5 s after signal %d", sig);
    }
    cr_assert(WIFEXITED(st), "sluice died of signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    char path[1100], err[4096] = "", w2[1024];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t got = fread(err, 1, sizeof err - 1, f);
    err[got] = 0;
    fclose(f);
    cr_expect_eq(WEXITSTATUS(st), 2, "exit %d, stderr: %s", WEXITSTATUS(st), err);
    snprintf(w2, sizeof w2, "%s\n", want);
    cr_expect_str_eq(err, w2);
}

static void no_results(const char *dir, const char *name)
{
    char path[1100], tmp[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_expect_neq(stat(path, &st), 0, "%s was left behind", path);
    snprintf(tmp, sizeof tmp, "%s.tmp.", name);
    cr_expect_eq(util_count_prefix(dir, tmp), 0, "%s/%s* was left behind", dir, tmp);
}

static void sweep_case(const char *jobs, int sig)
{
    char d[64], path[1100];
    fixture(d, sizeof d);
    snprintf(path, sizeof path, "%s/slow.sweep", d);
    write_text(path, "[sweep]\nbase = slow.ini\nreplications = 3\nworkload.keys = 1, 2\n");
    char *args[] = {"sweep", "slow.sweep", "--out", "out", "--jobs", (char *)jobs, NULL};
    pid_t pid = start(d, NULL, args);
    wait_for(pid, d, "out.tmp.");
    nap_ms(300); /* inside the runs */
    stop_and_check(pid, sig, d, "sluice: interrupted");
    no_results(d, "out");
    util_rm_rf(d);
}

Test(stop, sweep_in_process_sigint, .timeout = 120) { sweep_case("1", SIGINT); }
Test(stop, sweep_in_workers_sigint, .timeout = 120) { sweep_case("2", SIGINT); }
Test(stop, sweep_in_workers_sigterm, .timeout = 120) { sweep_case("2", SIGTERM); }

Test(stop, run_sigterm, .timeout = 120)
{
    char d[64];
    fixture(d, sizeof d);
    char *args[] = {"run", "slow.ini", "--out", "out", NULL};
    pid_t pid = start(d, NULL, args);
    wait_for(pid, d, "out.tmp.");
    nap_ms(300);
    stop_and_check(pid, SIGTERM, d, "sluice: interrupted");
    no_results(d, "out");
    util_rm_rf(d);
}

Test(stop, stress_sigint, .timeout = 120)
{
    char d[64];
    fixture(d, sizeof d);
    char *args[] = {"stress", "slow.ini", "--seeds", "4", "--jobs", "2", NULL};
    pid_t pid = start(d, NULL, args);
    nap_ms(1000); /* no folder to wait for: give it time to start the runs */
    stop_and_check(pid, SIGINT, d, "sluice: interrupted");
    util_rm_rf(d);
}

/* A trace of a header and 60 million empty lines: seconds to read. */
Test(stop, loading_a_big_trace, .timeout = 120)
{
    char d[64], path[1100];
    fixture(d, sizeof d);
    snprintf(path, sizeof path, "%s/big.csv", d);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("id,key,value,event_time,arrival_time\n", f);
    static char blank[1 << 20];
    memset(blank, '\n', sizeof blank);
    for (int i = 0; i < 60; i++)
        cr_assert_eq(fwrite(blank, 1, sizeof blank, f), sizeof blank);
    cr_assert_eq(fclose(f), 0);
    char *args[] = {"run", "slow.ini", "--set", "workload.source=trace", "--set",
                    "workload.trace=big.csv", "--out", "out", NULL};
    pid_t pid = start(d, NULL, args);
    wait_for(pid, d, "out.tmp."); /* made just before the trace is read */
    nap_ms(100);
    stop_and_check(pid, SIGINT, d, "sluice: big.csv: interrupted");
    no_results(d, "out");
    util_rm_rf(d);
}

/* gnuplot replaced by a script that sleeps (exec: the sleep is the child
 * itself, and gets the SIGTERM). */
Test(stop, plotting, .timeout = 120)
{
    char d[64], path[1100], cmd[2400], b[1200];
    fixture(d, sizeof d);
    util_bin_abs(b, sizeof b);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run slow.ini --set run.duration=20 --out res >/dev/null", d, b);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/fake", d);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/fake/gnuplot", d);
    write_text(path, "#!/bin/sh\nexec sleep 60\n");
    cr_assert_eq(chmod(path, 0700), 0);
    snprintf(path, sizeof path, "%s/fake", d);
    char *args[] = {"plot", "res", NULL};
    pid_t pid = start(d, path, args);
    char res[1100];
    snprintf(res, sizeof res, "%s/res", d);
    wait_for(pid, res, "plots.tmp.");
    nap_ms(200);
    stop_and_check(pid, SIGINT, d, "sluice plot: interrupted");
    no_results(res, "plots");
    util_rm_rf(d);
}
