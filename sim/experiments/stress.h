/*
 * stress: hunt for invariant violations with randomised fault schedules.
 *
 * Rules of this module
 *  - Seed i of a stress run uses run.seed = base seed + i and a crash
 *    schedule drawn from that seed's RNG_STRESS stream: one to three
 *    crashes, each either uniform over the run, inside a checkpoint
 *    (k * checkpoint_interval + U(0, checkpoint_cost)), or shortly after
 *    the previous crash (during its restart, restore or replay).  So a
 *    failing seed is replayed exactly by `sluice run` with the printed
 *    --seed and --set faults.crash_times (stress_replay_command).
 *  - Every run checks every invariant (run/sim.h); nothing prints here.
 */
#ifndef SLUICE_STRESS_H
#define SLUICE_STRESS_H

#include <stddef.h>
#include <stdint.h>
#include "model/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stress_result {
    int32_t status;        /* SIM_OK, SIM_ERR, SIM_INVARIANT */
    uint64_t seed;
    char crash_times[256]; /* as given to --set faults.crash_times= */
    char message[1024];
} stress_result;

/* The configuration of stress seed i (base with seed and crashes). */
void stress_config(const config_t *base, size_t i, config_t *out, char *crashes, size_t n);
/* Runs seed i. */
void stress_run_one(const config_t *base, size_t i, stress_result *r);
/* Runs seeds 0..n-1 in `jobs` processes; results in seed order. */
int stress_run_all(const config_t *base, size_t n, int jobs, stress_result *results,
                   void (*progress)(void *user, size_t done, size_t total), void *user,
                   const volatile int *stop, char *err, size_t errlen);
/* The one shell command that replays result r of `PROG stress CONFIG
 * --set SETS...`:
 *   SLUICE_FOLD_MIN=1 PROG run CONFIG [--set S]... --seed N
 *     --set faults.crash_times=T
 * (stress folds as often as possible, so the replay does too; a run.seed
 * among SETS is left out, as --seed is applied before every --set, and
 * the crash times come last so they win).  Words other than plain
 * [A-Za-z0-9_./,=:+@%-] are single-quoted for a POSIX shell.  Returns 0,
 * or -1 when it does not fit into buf (n bytes). */
int stress_replay_command(const char *prog, const char *config, const char *const *sets,
                          size_t nsets, const stress_result *r, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif
