/*
 * experiments/pool.c: numbered tasks in worker processes (see experiments/pool.h).
 */
#include "experiments/pool.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Workers asked to stop get this long to finish (and clean up) before
 * they are killed. */
#define POOL_GRACE_MS 2000

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* 1: got n bytes; 0: end of file before any; -1: error or short. */
static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, p + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return got == 0 ? 0 : -1;
        got += (size_t)k;
    }
    return 1;
}

/* A worker: take task numbers until the pipe closes. */
static void worker(pool_task_fn fn, const void *ctx, size_t result_size, int task_r, int res_w,
                   const volatile int *stop)
{
    uint32_t t;
    /* The task number goes in front of the record on the pipe; the task
     * itself writes into a separately allocated (so suitably aligned)
     * record. */
    char *rec = malloc(sizeof t + result_size);
    void *result = malloc(result_size);
    if (!rec || !result)
        _exit(3);
    while (!(stop && *stop) && read_all(task_r, &t, sizeof t) == 1) {
        memset(result, 0, result_size);
        fn(ctx, t, result, stop);
        memcpy(rec, &t, sizeof t);
        memcpy(rec + sizeof t, result, result_size);
        if (write_all(res_w, rec, sizeof t + result_size) != 0)
            _exit(4);
    }
    free(result);
    free(rec);
    _exit(0);
}

/* Asks the workers to stop (SIGTERM: a worker of the CLI sets its stop
 * flag, ends its task early and cleans up), waits up to POOL_GRACE_MS,
 * then kills the rest.  Reaped workers get pid 0. */
static void stop_workers(pid_t *pids, int n)
{
    for (int j = 0; j < n; j++)
        kill(pids[j], SIGTERM);
    struct timespec nap = {0, 10 * 1000 * 1000};
    for (int ms = 0; ms < POOL_GRACE_MS; ms += 10) {
        int left = 0;
        for (int j = 0; j < n; j++) {
            int st;
            if (pids[j] > 0 && waitpid(pids[j], &st, WNOHANG) == pids[j])
                pids[j] = 0;
            left += pids[j] > 0;
        }
        if (!left)
            return;
        nanosleep(&nap, NULL);
    }
    for (int j = 0; j < n; j++)
        if (pids[j] > 0)
            kill(pids[j], SIGKILL);
}

int pool_run(size_t total, int jobs, pool_task_fn fn, const void *ctx, size_t result_size,
             void *results, pool_progress_fn progress, void *user, const volatile int *stop,
             char *err, size_t errlen)
{
    char *res = results;
    if (result_size + sizeof(uint32_t) > PIPE_BUF || total > UINT32_MAX) {
        snprintf(err, errlen, "pool: result records too large or too many tasks");
        return -1;
    }
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > total)
        jobs = total > 0 ? (int)total : 1;
    if (jobs == 1) {
        for (size_t t = 0; t < total; t++) {
            if (stop && *stop) {
                snprintf(err, errlen, "interrupted");
                return -1;
            }
            memset(res + t * result_size, 0, result_size);
            fn(ctx, t, res + t * result_size, stop);
            if (stop && *stop) { /* the task may have ended early */
                snprintf(err, errlen, "interrupted");
                return -1;
            }
            if (progress)
                progress(user, t + 1, total);
        }
        return 0;
    }
    int tp[2], rp[2];
    if (pipe(tp) != 0) {
        snprintf(err, errlen, "cannot create pipes: %s", strerror(errno));
        return -1;
    }
    if (pipe(rp) != 0) {
        snprintf(err, errlen, "cannot create pipes: %s", strerror(errno));
        close(tp[0]);
        close(tp[1]);
        return -1;
    }
    pid_t *pids = calloc((size_t)jobs, sizeof *pids);
    char *seen = calloc(total, 1);
    char *rec = malloc(sizeof(uint32_t) + result_size);
    if (!pids || !seen || !rec) {
        snprintf(err, errlen, "out of memory");
        free(pids);
        free(seen);
        free(rec);
        close(tp[0]), close(tp[1]), close(rp[0]), close(rp[1]);
        return -1;
    }
    fflush(NULL);
    int started = 0, rc = 0;
    for (int j = 0; j < jobs; j++) {
        pids[j] = fork();
        if (pids[j] < 0) {
            snprintf(err, errlen, "cannot start worker processes: %s", strerror(errno));
            rc = -1;
            break;
        }
        if (pids[j] == 0) {
            close(tp[1]);
            close(rp[0]);
            worker(fn, ctx, result_size, tp[0], rp[1], stop);
        }
        started++;
    }
    close(tp[0]);
    close(rp[1]);
    int tp_open = 1;
    size_t next = 0, done = 0;
    while (rc == 0 && done < total) {
        if (stop && *stop) {
            snprintf(err, errlen, "interrupted");
            rc = -1;
            break;
        }
        struct pollfd fds[2] = {{rp[0], POLLIN, 0}, {tp_open ? tp[1] : -1, POLLOUT, 0}};
        int n = poll(fds, 2, 1000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            rc = -1;
            break;
        }
        if (tp_open && (fds[1].revents & POLLOUT)) {
            uint32_t t = (uint32_t)next++;
            if (write_all(tp[1], &t, sizeof t) != 0) {
                snprintf(err, errlen, "the worker processes stopped taking tasks");
                rc = -1;
                break;
            }
            if (next == total) {
                close(tp[1]);
                tp_open = 0;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            if (read_all(rp[0], rec, sizeof(uint32_t) + result_size) != 1) {
                snprintf(err, errlen, "a worker process died (%zu of %zu tasks done)", done, total);
                rc = -1;
                break;
            }
            uint32_t t;
            memcpy(&t, rec, sizeof t);
            if (t >= total || seen[t]) {
                snprintf(err, errlen, "corrupt result from a worker process");
                rc = -1;
                break;
            }
            seen[t] = 1;
            memcpy(res + (size_t)t * result_size, rec + sizeof t, result_size);
            done++;
            if (progress)
                progress(user, done, total);
        }
    }
    if (rc != 0 && stop && *stop)
        snprintf(err, errlen, "interrupted"); /* whatever else went wrong meanwhile */
    if (tp_open)
        close(tp[1]);
    close(rp[0]);
    if (rc != 0)
        stop_workers(pids, started);
    for (int j = 0; j < started; j++) {
        int st;
        while (pids[j] > 0 && waitpid(pids[j], &st, 0) < 0 && errno == EINTR)
            ;
    }
    free(rec);
    free(seen);
    free(pids);
    return rc;
}
