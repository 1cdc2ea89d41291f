/*
 * sluice_mpi.c: `sluice-mpi sweep SWEEP --out DIR`, the sweep command
 * spread over MPI ranks (a cluster, or a Slurm job).  Built by `make mpi`
 * with mpicc; not part of libsluice.
 *
 *   mpirun -n R build/sluice-mpi sweep SWEEP --out DIR [--force]
 *
 * Task t (point x replication) runs on rank t mod R.  Every rank sends its
 * fixed-size sweep_result records to rank 0, which stores them by task
 * number and writes runs.csv and sweep.csv exactly as `sluice sweep` does:
 * the files are byte-identical to a single-machine sweep.  DIR is checked
 * (and its temporary folder made) on rank 0 before any run, with the same
 * rules as `sluice sweep` (output/outdir.h): exit status 2 when it is refused.
 *
 * Like main.c, this is a command line: the only place that prints.
 */
#include <mpi.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

#include "output/outdir.h"
#include "experiments/sweep.h"

#define TAG_RESULT 17

/* The exit status for a run's status (run/sim.h: 0 or a negative code),
 * as in main.c: 0 ok, 1 an invariant failed, 2 anything else. */
static int exit_status(int sim_status)
{
    return sim_status == SIM_OK ? 0 : sim_status == SIM_INVARIANT ? 1 : 2;
}

static int usage(int rank)
{
    if (rank == 0)
        fprintf(stderr, "usage: mpirun -n R sluice-mpi sweep SWEEP --out DIR [--force]\n");
    return 2;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    gsl_set_error_handler_off();
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    const char *sweep_path = NULL, *out = NULL;
    int force = 0;
    int bad = argc < 2 || strcmp(argv[1], "sweep") != 0;
    for (int i = 2; !bad && i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (argv[i][0] != '-' && !sweep_path)
            sweep_path = argv[i];
        else
            bad = 1;
    }
    if (bad || !sweep_path || !out) {
        int rc = usage(rank);
        MPI_Finalize();
        return rc;
    }
    char err[2048];
    sweep_t *w = sweep_load(sweep_path, err, sizeof err);
    if (!w) {
        if (rank == 0)
            fprintf(stderr, "%s\n", err);
        MPI_Finalize();
        return 2;
    }
    /* Rank 0 checks DIR before anyone runs: a refused folder costs no work. */
    outdir od;
    int ok = 1;
    if (rank == 0) {
        if (outdir_begin(&od, out, "sluice-mpi sweep", force, err, sizeof err) != 0) {
            fprintf(stderr, "sluice-mpi: %s\n", err);
            ok = 0;
        } else {
            for (const char *p = od.note; *p;) {
                size_t k = strcspn(p, "\n");
                fprintf(stderr, "sluice-mpi: %.*s\n", (int)k, p);
                p += k + (p[k] == '\n');
            }
        }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok) {
        sweep_free(w);
        MPI_Finalize();
        return 2;
    }
    size_t total = sweep_tasks(w);
    sweep_result *res = calloc(total ? total : 1, sizeof *res);
    sweep_result *one = malloc(sizeof *one);
    if (!res || !one) {
        fprintf(stderr, "sluice-mpi: out of memory on rank %d\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (size_t t = (size_t)rank; t < total; t += (size_t)size) {
        sweep_run_task(w, t, one);
        if (rank == 0)
            res[t] = *one;
        else
            MPI_Send(one, (int)sizeof *one, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    int rc = 0;
    if (rank == 0) {
        size_t mine = (total + (size_t)size - 1) / (size_t)size;
        for (size_t k = mine; k < total; k++) {
            MPI_Recv(one, (int)sizeof *one, MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (one->task < total)
                res[one->task] = *one;
        }
        for (size_t t = 0; t < total; t++) {
            if (res[t].status == SIM_OK)
                continue;
            char cmd[2048];
            sweep_task_command(w, t, cmd, sizeof cmd);
            fprintf(stderr, "sluice-mpi: run %zu failed (%s)\n  replay: %s\n", t, res[t].message,
                    cmd);
            /* 1 when any run broke an invariant (as stress), else 2 when
             * a run could not run at all */
            int e = exit_status(res[t].status);
            rc = rc == 1 || e == 1 ? 1 : rc ? rc : e;
        }
        if (sweep_write_results(w, res, od.tmp, err, sizeof err) != 0 ||
            outdir_commit(&od, err, sizeof err) != 0) {
            fprintf(stderr, "sluice-mpi: %s\n", err);
            outdir_abort(&od);
            rc = 2;
        } else {
            printf("sluice-mpi: %zu runs on %d ranks; results in %s/\n", total, size, out);
        }
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(one);
    free(res);
    sweep_free(w);
    MPI_Finalize();
    return rc;
}
