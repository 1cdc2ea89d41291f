/*
 * example: runs a sluice configuration through the library and prints the
 * headline figures of each executor as CSV: a header line naming
 * summary.csv columns, then one row per executor with those columns'
 * values, written as summary.csv writes them ("%.9g"; empty when not
 * finite).  It is valid C11 and C++11, and check-embed builds it both ways.
 *
 *   example CONFIG [OUT_DIR]    OUT_DIR (must exist) receives the result
 *                               files; without it none are written
 *
 * Build against an installed sluice:
 *   cc example.c $(pkg-config --cflags --libs sluice)             (shared)
 *   cc -static example.c $(pkg-config --cflags --libs --static sluice)
 *
 * Exit status as `sluice run`: 0 ok, 1 an invariant failed (the figures
 * are still printed), 2 bad input.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_errno.h>
#include <sluice.h>

/* ",x" as summary.csv writes x. */
static void put_num(double x)
{
    if (isfinite(x))
        printf(",%.9g", x);
    else
        fputs(",", stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: example CONFIG [OUT_DIR]\n");
        return 2;
    }
    /* GSL's default handler aborts; sluice checks every return itself. */
    gsl_set_error_handler_off();

    char err[CFG_ERR_MAX];
    config_t c;
    config_defaults(&c);
    if (config_load(&c, argv[1], err, sizeof err) != CFG_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    sim_outcome o;
    int st = sim_run(&c, argc == 3 ? argv[2] : NULL, &o, err, sizeof err);
    if (st == SIM_ERR) {
        fprintf(stderr, "example: %s\n", err);
        return 2;
    }

    printf("executor,events,counted,dropped_late,duplicates,lat_p50,lat_p99,throughput,"
           "complete_final,windows_exact,invariants\n");
    for (int i = 0; i < o.nexec; i++) {
        const metrics_summary *s = &o.summary[i];
        printf("%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, o.executor[i], s->events,
               s->counted, s->dropped_late, s->duplicates);
        put_num(s->lat_p50);
        put_num(s->lat_p99);
        put_num(s->throughput);
        put_num(s->complete_final);
        put_num(s->windows_exact);
        printf(",%s\n", o.invariants[i]);
    }
    if (st == SIM_INVARIANT) {
        fprintf(stderr, "example: %s\n", err);
        return 1;
    }
    return 0;
}
