/*
 * test_trace.c: a user's own event log as a trace (model/trace.h): columns
 * by name, trace_columns, delimiters, string keys, times and rebasing,
 * arrival times from the delay model, round trips and the error messages.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"
#include "model/trace.h"
#include "model/workload.h"
#include "run/budget.h"
#include "util.h"

#define NMAX 64

typedef struct got {
    workload_event ev[NMAX]; /* in arrival order */
    size_t n;
    char keys[NMAX][64];     /* the key's name, or its number */
    char err[1024];          /* the message without the path */
} got;

/* A config replaying a trace, with overrides "section.key=value". */
static void cfg(config_t *c, const char *path, const char *const *sets)
{
    char err[CFG_ERR_MAX];
    config_defaults(c);
    c->workload.source = SRC_TRACE;
    snprintf(c->workload.trace, sizeof c->workload.trace, "%s", path);
    for (; sets && *sets; sets++)
        cr_assert_eq(config_set(c, *sets, err, sizeof err), CFG_OK, "%s: %s", *sets, err);
}

/* Opens text as a trace with the overrides; 1 when opened (events in g),
 * 0 with g->err = the message after the file name. */
static int open_text(const char *text, const char *const *sets, got *g)
{
    char path[] = "/tmp/sluice_trace_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    config_t c;
    char err[1024];
    cfg(&c, path, sets);
    memset(g, 0, sizeof *g);
    workload_t *w = workload_open(&c, err, sizeof err);
    remove(path);
    if (!w) {
        size_t pl = strlen(path);
        snprintf(g->err, sizeof g->err, "%s", strncmp(err, path, pl) == 0 ? err + pl : err);
        return 0;
    }
    while (g->n < NMAX && workload_next(w, &g->ev[g->n]) == WL_OK) {
        const char *k = workload_key_name(w, g->ev[g->n].key);
        if (k)
            snprintf(g->keys[g->n], sizeof g->keys[0], "%s", k);
        else
            snprintf(g->keys[g->n], sizeof g->keys[0], "%u", (unsigned)g->ev[g->n].key);
        g->n++;
    }
    workload_free(w);
    return 1;
}

static void expect_error(const char *text, const char *const *sets, const char *want)
{
    got g;
    cr_assert_eq(open_text(text, sets, &g), 0, "should be refused: %s", text);
    cr_assert_str_eq(g.err, want);
}

Test(trace, columns_by_name_in_any_order_and_case)
{
    got g;
    cr_assert(open_text("Arrival_Time,EVENT_TIME,note,Key,value,Id\n"
                        "2.5,2,x,7,30,11\n"
                        "1.5,1,\"a, b\",3,-4,10\n", NULL, &g));
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.ev[0].id, 10);
    cr_assert_eq(g.ev[0].key, 3);
    cr_assert_eq(g.ev[0].value, -4);
    cr_assert_eq(g.ev[0].event_time, 1.0);
    cr_assert_eq(g.ev[0].arrival_time, 1.5);
    cr_assert_eq(g.ev[1].id, 11);
    cr_assert_eq(g.ev[1].value, 30);
    cr_assert_str_eq(g.keys[1], "7"); /* integer keys stay numbers */
}

Test(trace, only_event_time_is_required)
{
    static const char *const none[] = {"workload.delay=none", NULL};
    got g;
    cr_assert(open_text("event_time\n3\n1\n2\n", none, &g));
    cr_assert_eq(g.n, 3);
    /* ids are row numbers, value 1, one key 0, arrival = event time (delay none) */
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(g.ev[i].event_time, (double)(i + 1));
        cr_assert_eq(g.ev[i].arrival_time, g.ev[i].event_time);
        cr_assert_eq(g.ev[i].value, 1);
        cr_assert_eq(g.ev[i].key, 0);
    }
    cr_assert_eq(g.ev[0].id, 2);
    cr_assert_eq(g.ev[1].id, 3);
    cr_assert_eq(g.ev[2].id, 1);
}

Test(trace, trace_columns_map_names_and_join_a_key)
{
    static const char *const sets[] = {
        "workload.trace_columns=key = country+device, event_time = ts, value = amount", NULL};
    got g;
    cr_assert(open_text("country,device,ts,amount,ingest\n"
                        "FR,mobile,1,5,9\n"
                        "DE,desktop,2,6,9\n"
                        "FR,mobile,3,7,9\n", sets, &g));
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.keys[0], "FR+mobile");
    cr_assert_str_eq(g.keys[1], "DE+desktop");
    cr_assert_eq(g.ev[0].key, g.ev[2].key);
    cr_assert_eq(g.ev[1].key, 0); /* ranks in byte order: DE+desktop < FR+mobile */
    cr_assert_eq(g.ev[0].key, 1);
    cr_assert_eq(g.ev[2].value, 7);
}

Test(trace, delimiters_and_quoting_give_the_same_events)
{
    got a, b, c;
    cr_assert(open_text("id,key,value,event_time,arrival_time\n1,\"x,y\",2,1,2\n2,z,3,2,3\n",
                        NULL, &a));
    cr_assert(open_text("id;key;value;event_time;arrival_time\n1;x,y;2;1;2\n2;\"z\";3;2;3\n",
                        NULL, &b));
    cr_assert(open_text("id\tkey\tvalue\tevent_time\tarrival_time\n1\tx,y\t2\t1\t2\n"
                        "2\tz\t3\t2\t3\n", NULL, &c));
    cr_assert_eq(a.n, 2);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(c.n, 2);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_str_eq(a.keys[i], b.keys[i]);
        cr_assert_str_eq(a.keys[i], c.keys[i]);
        cr_assert(memcmp(&a.ev[i], &b.ev[i], sizeof a.ev[i]) == 0);
        cr_assert(memcmp(&a.ev[i], &c.ev[i], sizeof a.ev[i]) == 0);
    }
    cr_assert_str_eq(a.keys[0], "x,y");
}

Test(trace, string_keys_are_ranked_and_kept)
{
    static const char *const none[] = {"workload.delay=none", NULL};
    got g;
    /* one key that is not a canonical integer makes every key a string */
    cr_assert(open_text("key,event_time\nbob,1\n007,2\nalice,3\n7,4\nbob,5\n", none, &g));
    cr_assert_eq(g.n, 5);
    static const char *const want[] = {"bob", "007", "alice", "7", "bob"};
    static const uint32_t rank[] = {3, 0, 2, 1, 3}; /* 007 < 7 < alice < bob */
    for (size_t i = 0; i < 5; i++) {
        cr_assert_str_eq(g.keys[i], want[i]);
        cr_assert_eq(g.ev[i].key, rank[i], "row %zu", i);
    }
}

Test(trace, epoch_milliseconds_are_rebased_exactly)
{
    static const char *const sets[] = {"workload.trace_time_unit=ms", NULL};
    got g;
    cr_assert(open_text("event_time,arrival_time\n1709294400775,1709294401000\n"
                        "1709294400087,1709294400500\n", sets, &g));
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.ev[0].event_time, 0.0);
    cr_assert_eq(g.ev[0].arrival_time, 0.413);
    cr_assert_eq(g.ev[1].event_time, 0.688); /* the nearest double, not 0.68799999996 */
    cr_assert_eq(g.ev[1].arrival_time, 0.913);
}

Test(trace, iso_times_with_zones_are_one_instant)
{
    got g;
    cr_assert(open_text("event_time,arrival_time\n"
                        "2024-03-01T12:00:00Z,2024-03-01T13:00:01.5+01:00\n"
                        "2024-03-01 11:00:10-0100,2024-03-01T12:00:10.250Z\n"
                        "2024-03-01T12:00:02.125z,2024-03-01T12:00:03Z\n", NULL, &g));
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.ev[0].event_time, 0.0); /* ISO times start at the first event */
    cr_assert_eq(g.ev[0].arrival_time, 1.5);
    cr_assert_eq(g.ev[1].event_time, 2.125);
    cr_assert_eq(g.ev[1].arrival_time, 3.0);
    cr_assert_eq(g.ev[2].event_time, 12 * 3600 + 10 - 12 * 3600.0);
    cr_assert_eq(g.ev[2].arrival_time, 10.25);
}

Test(trace, origin_auto_first_and_explicit)
{
    static const char *const first[] = {"workload.trace_origin=first", NULL};
    static const char *const num[] = {"workload.trace_origin=100", NULL};
    static const char *const iso[] = {"workload.trace_origin=2024-03-01T11:59:00Z", NULL};
    got g;
    /* auto keeps a trace near 0 as it is */
    cr_assert(open_text("event_time\n5\n10\n", NULL, &g));
    cr_assert_eq(g.ev[0].event_time, 5.0);
    /* and rebases one whose first event is later than its span */
    cr_assert(open_text("event_time\n1000\n1010\n", NULL, &g));
    cr_assert_eq(g.ev[0].event_time, 0.0);
    cr_assert_eq(g.ev[1].event_time, 10.0);
    cr_assert(open_text("event_time\n5\n10\n", first, &g));
    cr_assert_eq(g.ev[0].event_time, 0.0);
    cr_assert(open_text("event_time\n1000\n1010\n", num, &g));
    cr_assert_eq(g.ev[0].event_time, 900.0);
    cr_assert(open_text("event_time\n2024-03-01T12:00:00Z\n", iso, &g));
    cr_assert_eq(g.ev[0].event_time, 60.0);
}

Test(trace, missing_arrivals_come_from_the_delay_model_by_seed)
{
    static const char text[] = "event_time\n0\n1\n2\n3\n4\n5\n6\n7\n";
    static const char *const c2[] = {"workload.delay=constant", "workload.delay_mean=2", NULL};
    static const char *const e1[] = {"workload.delay=exponential", "run.seed=1", NULL};
    static const char *const e2[] = {"workload.delay=exponential", "run.seed=2", NULL};
    got a, b, c;
    cr_assert(open_text(text, c2, &a));
    for (size_t i = 0; i < a.n; i++)
        cr_assert_eq(a.ev[i].arrival_time, a.ev[i].event_time + 2);
    cr_assert(open_text(text, e1, &a));
    cr_assert(open_text(text, e1, &b));
    cr_assert(open_text(text, e2, &c));
    cr_assert_eq(a.n, 8);
    int differ = 0;
    for (size_t i = 0; i < a.n; i++) {
        cr_assert(memcmp(&a.ev[i], &b.ev[i], sizeof a.ev[i]) == 0, "same seed, same arrivals");
        cr_assert_geq(a.ev[i].arrival_time, a.ev[i].event_time);
        differ |= a.ev[i].arrival_time != c.ev[i].arrival_time;
    }
    cr_assert(differ, "another seed draws other delays");
}

Test(trace, old_format_is_read_bit_for_bit)
{
    got g;
    cr_assert(open_text("id,key,value,event_time,arrival_time\n"
                        "0,4,1,0.10000000000000001,0.30000000000000004\n", NULL, &g));
    cr_assert_eq(g.ev[0].event_time, strtod("0.10000000000000001", NULL));
    cr_assert_eq(g.ev[0].arrival_time, strtod("0.30000000000000004", NULL));
    cr_assert_str_eq(g.keys[0], "4");
}

Test(trace, error_messages_show_the_way)
{
    static const char *const map_user[] = {"workload.trace_columns=key = user", NULL};
    static const char *const bad_role[] = {"workload.trace_columns=who = user", NULL};
    static const char *const no_eq[] = {"workload.trace_columns=user", NULL};
    static const char *const iso[] = {"workload.trace_time_format=iso8601", NULL};
    static const char *const origin[] = {"workload.trace_origin=soon", NULL};
    static const char *const late_origin[] = {"workload.trace_origin=5", NULL};
    static const char *const renamed[] = {
        "workload.trace_columns=event_time = t1, arrival_time = t2", NULL};
    expect_error("ts,user\n1,a\n", NULL,
                 ":1: no event_time column (the header has: ts, user); name the column "
                 "event_time or map columns with trace_columns = \"event_time = NAME\"");
    expect_error("ts|user\n1|a\n", NULL,
                 ":1: no event_time column (the header has: ts|user); name the column "
                 "event_time or map columns with trace_columns = \"event_time = NAME\" (one "
                 "column only: is the delimiter , ; or tab?)");
    expect_error("event_time,uid\n1,a\n", map_user,
                 ":1: workload.trace_columns maps key to column 'user', which the header does "
                 "not have (it has: event_time, uid)");
    expect_error("event_time,user\n1,a\n", bad_role,
                 "workload.trace_columns: unknown role 'who' (roles: id, key, value, "
                 "event_time, arrival_time)");
    expect_error("event_time,user\n1,a\n", no_eq,
                 "workload.trace_columns: 'user' is not ROLE = COLUMN (e.g. \"key = user_id, "
                 "event_time = ts\")");
    expect_error("1,2\n3,4\n", NULL,
                 ":1: line 1 must be the header naming the columns (e.g. "
                 "id,key,value,event_time,arrival_time); it reads '1'");
    expect_error("event_time\n2024-03-01T12:00:00Z\n2024-03-01 25:00\n", NULL,
                 ":3: column 'event_time': not an ISO-8601 time: '2024-03-01 25:00' "
                 "(accepted: 2024-03-01T12:00:00Z, 2024-03-01 12:00:00.250+02:00, 2024-03-01; "
                 "or set trace_time_format = number)");
    expect_error("event_time\n12.5\n", iso,
                 ":2: column 'event_time': not an ISO-8601 time: '12.5' (accepted: "
                 "2024-03-01T12:00:00Z, 2024-03-01 12:00:00.250+02:00, 2024-03-01; or set "
                 "trace_time_format = number)");
    expect_error("event_time\n1\n2024-03-01T12:00:00Z\n", NULL,
                 ":3: column 'event_time': not a number: '2024-03-01T12:00:00Z' (an ISO-8601 "
                 "time: set trace_time_format = iso8601)");
    expect_error("event_time\n1\n", origin,
                 "workload.trace_origin = soon: not auto, first, a number (in trace_time_unit) "
                 "or an ISO-8601 time such as 2024-03-01T12:00:00Z");
    expect_error("event_time\n7\n3\n", late_origin,
                 ":3: column 'event_time': 3 is before workload.trace_origin = 5 (set "
                 "trace_origin = first to start the run at the first event)");
    expect_error("t1,t2\n5,4\n", renamed,
                 ":2: arrival_time 4 (column 't2') is before event_time 5 (column 't1'): is "
                 "trace_columns right?");
    expect_error("event_time,value\n1,2.5e3\n", NULL,
                 ":2: column 'value': not a number: '2.5e3' (values are numbers such as 12 or "
                 "-0.25, without an exponent; leave the value column out to count events)");
    expect_error("event_time,value\n1,12 EUR\n", NULL,
                 ":2: column 'value': not a number: '12 EUR' (values are numbers such as 12 or "
                 "-0.25; leave the value column out to count events)");
    expect_error("event_time,value\n1,0.1234567890\n", NULL,
                 ":2: column 'value': 0.1234567890 has more than 9 decimals");
    expect_error("event_time,value\n1,0.123456789\n2,12345678901.5\n3,1\n", NULL,
                 ":3: column 'value': 12345678901.5 is too large for values with 9 decimals "
                 "(at most about 9.2e18 / 10^9)");
    expect_error("event_time,x\n1,2\n3\n", NULL, ":3: missing column 'x'");
}

/* sluice gen of a trace writes the keys back; a run of that file gives
 * byte-identical results to a run of the original (string keys, ISO times,
 * arrivals filled in). */
static void round_trip(const char *ini)
{
    char d[64], args[1024], err[4096], trace[128];
    util_tmpdir(d, sizeof d);
    snprintf(trace, sizeof trace, "%s/gen.csv", d);
    snprintf(args, sizeof args, "run %s --out %s/a", ini, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "gen %s --out %s", ini, trace);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args,
             "run %s --set workload.trace=%s --set workload.trace_columns= "
             "--set workload.trace_time_unit=s --out %s/b", ini, trace, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    static const char *const files[] = {"windows.csv", "panes.csv", "events.csv",
                                        "summary.csv", "latency.csv", "timeline.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char pa[160], pb[160];
        size_t la, lb;
        snprintf(pa, sizeof pa, "%s/a", d);
        snprintf(pb, sizeof pb, "%s/b", d);
        char *a = util_slurp_in(pa, files[i], &la), *b = util_slurp_in(pb, files[i], &lb);
        cr_assert(a && b, "%s: %s missing", ini, files[i]);
        cr_assert(la == lb && memcmp(a, b, la) == 0, "%s: %s differs", ini, files[i]);
        free(a);
        free(b);
    }
    util_rm_rf(d);
}

Test(trace, examples_round_trip_through_gen, .timeout = 120)
{
    round_trip("workloads/traces/clickstream.ini");
    round_trip("workloads/traces/sensors.ini");
    round_trip("workloads/traces/kafka_orders.ini");
}

Test(trace, examples_speak_in_their_own_keys)
{
    char d[64], args[512], err[4096], out[128];
    util_tmpdir(d, sizeof d);
    snprintf(out, sizeof out, "%s/out", d);
    snprintf(args, sizeof args, "run workloads/traces/clickstream.ini --out %s", out);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t len;
    char *w = util_slurp_in(out, "windows.csv", &len);
    cr_assert(w && strstr(w, "\nstream,alice,0,60,"), "windows.csv names the users");
    free(w);
    char *e = util_slurp_in(out, "events.csv", &len);
    /* bob's click at 12:00:00.201Z, received 13:00:00.726+01:00; t = 0 at 12:00:00.100Z */
    cr_assert(e && strstr(e, "\n1,bob,0.101,0.626\n"), "%s", e ? e : "");
    free(e);
    snprintf(args, sizeof args, "gen workloads/traces/sensors.ini --out %s/s.csv", d);
    char *o = util_sluice_output(args);
    cr_assert(strstr(o, "trace workloads/traces/sensors.csv: 2615 rows, delimiter ';', numeric "
                        "times in ms, t = 0 at 2024-03-01T12:00:00.087Z (1709294400.087 s), 3 "
                        "string keys, arrival_time filled in from the delay model, rows in no time order "
                        "(sorted in memory)\n"), "%s", o);
    free(o);
    util_rm_rf(d);
}

/* ---- traces of any length: streamed in bounded memory ---- */

/* Runs a shell command line from a script file in dir (dash drops a
 * subshell's redirection inside util_shell's own). */
static void run_script(const char *dir, const char *line)
{
    char path[160], cmd[200], err[2048];
    snprintf(path, sizeof path, "%s/cmd.sh", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f && fprintf(f, "%s\n", line) > 0 && fclose(f) == 0);
    snprintf(cmd, sizeof cmd, "sh %s", path);
    cr_assert_eq(util_shell(cmd, err, sizeof err), 0, "%s: %s", line, err);
}

/* A new temporary file for writing: path is "/tmp/sluice_trace_XXXXXX". */
static FILE *temp_file(char *path)
{
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cr_assert(f);
    return f;
}

/* Opens path in mode with an outage at [100, 160); asserts it opened. */
static workload_t *open_mode(const char *path, int mode, const char *const *sets)
{
    config_t c;
    char err[1024];
    cfg(&c, path, sets);
    workload_t *w = workload_open_trace(&c, mode, 0, NULL, err, sizeof err);
    cr_assert(w, "%s: %s", path, err);
    cr_assert_eq(workload_add_outage(w, 100, 160), WL_OK);
    return w;
}

/* The two workloads hand out the same events, bit for bit, with the same
 * arrival peek and perfect-watermark oracle before each; returns the count. */
static size_t same_events(workload_t *a, workload_t *b, const char *what)
{
    size_t n = 0;
    for (;; n++) {
        double pa = workload_peek(a), pb = workload_peek(b);
        cr_assert_eq(pa, pb, "%s: event %zu: peek %.17g vs %.17g", what, n, pa, pb);
        double ma = workload_min_pending_event_time(a), mb = workload_min_pending_event_time(b);
        cr_assert_eq(ma, mb, "%s: event %zu: oracle %.17g vs %.17g", what, n, ma, mb);
        workload_event ea, eb;
        int ra = workload_next(a, &ea), rb = workload_next(b, &eb);
        cr_assert_eq(ra, rb, "%s: event %zu: one ended first", what, n);
        if (ra != WL_OK)
            break;
        cr_assert(ea.id == eb.id && ea.seq == eb.seq && ea.key == eb.key &&
                  ea.value == eb.value && ea.event_time == eb.event_time &&
                  ea.arrival_time == eb.arrival_time, "%s: event %zu differs (id %llu vs %llu)",
                  what, n, (unsigned long long)ea.id, (unsigned long long)eb.id);
    }
    cr_assert_str_eq(workload_error(a), "");
    cr_assert_str_eq(workload_error(b), "");
    return n;
}

/* A generated trace (arrival order: streamed by blocks), the same rows in
 * event-time order (streamed through the in-flight heap), and those
 * without arrival_time (drawn as the run reads them) give exactly the
 * events of the same file read whole and sorted. */
Test(trace, every_mode_gives_the_same_events, .timeout = 120)
{
    static const char *const fill[] = {"workload.delay=exponential", "workload.delay_mean=3",
                                       "workload.late_fraction=0.05", "run.seed=11", NULL};
    char d[64], cmd[1024], err[4096], a[128], e[128], f[128];
    util_tmpdir(d, sizeof d);
    snprintf(a, sizeof a, "%s/a.csv", d);
    snprintf(e, sizeof e, "%s/e.csv", d);
    snprintf(f, sizeof f, "%s/f.csv", d);
    snprintf(cmd, sizeof cmd, "gen workloads/default.ini --out %s", a);
    cr_assert_eq(util_sluice(cmd, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "(head -n 1 %s && tail -n +2 %s | LC_ALL=C sort -s -t, -k4,4g) "
             "> %s && cut -d, -f1-4 %s > %s", a, a, e, e, f);
    run_script(d, cmd);
    const struct { const char *path; const char *const *sets; int mode; } cases[] = {
        {a, NULL, WL_TRACE_BLOCKS}, {e, NULL, WL_TRACE_EVENTS}, {f, fill, WL_TRACE_EVENTS}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        workload_t *s = open_mode(cases[i].path, WL_TRACE_AUTO, cases[i].sets);
        workload_t *w = open_mode(cases[i].path, WL_TRACE_WHOLE, cases[i].sets);
        cr_assert_eq(workload_trace_mode(s), cases[i].mode, "%s", cases[i].path);
        size_t n = same_events(s, w, cases[i].path);
        cr_assert_gt(n, 4 * TRACE_BLOCK, "%s: %zu events, several blocks", cases[i].path, n);
        if (cases[i].mode == WL_TRACE_BLOCKS)
            cr_assert_eq(workload_in_flight_max(s), TRACE_BLOCK);
        else /* rate x delay in flight, not the trace */
            cr_assert_lt(workload_in_flight_max(s), n / 4, "%zu in flight",
                         workload_in_flight_max(s));
        workload_free(s);
        workload_free(w);
    }
    util_rm_rf(d);
}

/* A streamed file read across csvread's buffer refills (128 KiB) and the
 * trace's blocks: CRLF line ends, quoted keys holding the delimiter, a
 * doubled quote and a line break, padding of every length so that each
 * kind of field meets a buffer end somewhere.  Every row comes back as
 * written. */
Test(trace, streaming_across_chunks_crlf_and_quotes, .timeout = 60)
{
    enum { ROWS = 3 * TRACE_BLOCK + 17 };
    char path[] = "/tmp/sluice_trace_XXXXXX";
    FILE *fp = temp_file(path);
    fprintf(fp, "id,pad,key,event_time,arrival_time\r\n");
    static char pad[400];
    memset(pad, 'p', sizeof pad - 1);
    for (int i = 0; i < ROWS; i++)
        fprintf(fp, "%d,\"%.*s\",\"k,\"\"%d\"\"\r\nx\",%d.%03d,%d.%03d\r\n", i, i * 37 % 397, pad,
                i % 50, i / 1000, i % 1000, (i + 500) / 1000, (i + 500) % 1000);
    cr_assert_eq(fclose(fp), 0);
    workload_t *w = open_mode(path, WL_TRACE_AUTO, NULL);
    cr_assert_eq(workload_trace_mode(w), WL_TRACE_BLOCKS);
    workload_event ev;
    int n = 0;
    for (; workload_next(w, &ev) == WL_OK; n++) {
        char want[64], t[32];
        cr_assert_eq(ev.id, (uint64_t)n);
        snprintf(want, sizeof want, "k,\"%d\"\nx", n % 50);
        cr_assert_str_eq(workload_key_name(w, ev.key), want, "row %d", n);
        snprintf(t, sizeof t, "%d.%03d", n / 1000, n % 1000);
        cr_assert_eq(ev.event_time, strtod(t, NULL), "row %d", n);
        snprintf(t, sizeof t, "%d.%03d", (n + 500) / 1000, (n + 500) % 1000);
        cr_assert_eq(ev.arrival_time, strtod(t, NULL), "row %d", n); /* before the outage */
    }
    cr_assert_eq(n, ROWS);
    cr_assert_str_eq(workload_error(w), "");
    workload_free(w);
    remove(path);
}

/* A trace in no time order and longer than sluice sorts in memory is
 * refused, naming the first row out of order and a command that sorts
 * it; the sorted file is then streamed. */
Test(trace, unsorted_long_trace_is_refused_with_a_sort_command)
{
    static const char text[] = "id,key,value,event_time,arrival_time\n"
                               "1,a,1,0,1\n2,b,1,0.5,2\n3,a,1,0.2,1.5\n4,b,1,3,3.5\n"
                               "5,a,1,2,3.5\n0,b,1,0.1,1\n";
    char d[64], path[128], sorted[128], cmd[2048], err[2048];
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/t.csv", d);
    FILE *fp = fopen(path, "w");
    cr_assert(fp && fputs(text, fp) >= 0 && fclose(fp) == 0);
    config_t c;
    cfg(&c, path, NULL);
    cr_assert_null(workload_open_trace(&c, WL_TRACE_AUTO, 5, NULL, err, sizeof err));
    char want[2048];
    snprintf(want, sizeof want,
             "%s:4: rows out of arrival_time order (its arrival_time 1.5 is before 2 on line 3), "
             "and the trace's 6 rows are more than the 5 sluice sorts in memory (about 0 MB); "
             "sort the file once (by arrival_time, then it is read as the run goes), e.g. "
             "(head -n 1 '%s' && tail -n +2 '%s' | LC_ALL=C sort -s -t, -k5,5g -k1,1n) > "
             "sorted.csv (for files without quoted fields)", path, path, path);
    cr_assert_str_eq(err, want);
    /* the command given sorts it (ties of arrival_time by id) */
    const char *e = strstr(err, "e.g. ") + 5, *end = strstr(err, " > sorted.csv");
    snprintf(sorted, sizeof sorted, "%s/sorted.csv", d);
    snprintf(cmd, sizeof cmd, "%.*s > %s", (int)(end - e), e, sorted);
    run_script(d, cmd);
    cfg(&c, sorted, NULL);
    workload_t *w = workload_open_trace(&c, WL_TRACE_AUTO, 5, NULL, err, sizeof err);
    cr_assert(w, "%s (%s)", err, cmd);
    cr_assert_eq(workload_trace_mode(w), WL_TRACE_BLOCKS);
    static const uint64_t ids[] = {0, 1, 3, 2, 4, 5};
    workload_event ev;
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(workload_next(w, &ev), WL_OK);
        cr_assert_eq(ev.id, ids[i]);
    }
    cr_assert_eq(workload_next(w, &ev), WL_ERR);
    workload_free(w);
    util_rm_rf(d);
}

/* Without arrival_time the order that matters is event_time's. */
Test(trace, unsorted_without_arrivals_names_event_time)
{
    static const char *const sets[] = {"workload.delay=none", NULL};
    config_t c;
    char path[] = "/tmp/sluice_trace_XXXXXX", err[2048], want[2048];
    int fd = mkstemp(path);
    static const char text[] = "sensor\tts\n"
                               "a\t5\nb\t5\na\t4\n";
    cr_assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    cfg(&c, path, sets);
    config_set(&c, "workload.trace_columns=key = sensor, event_time = ts", err, sizeof err);
    cr_assert_null(workload_open_trace(&c, WL_TRACE_AUTO, 2, NULL, err, sizeof err));
    snprintf(want, sizeof want,
             "%s:4: rows out of event_time order (its event_time 4 is before 5 on line 3), and "
             "the trace's 3 rows are more than the 2 sluice sorts in memory (about 0 MB); sort "
             "the file once (by event_time, then it is read as the run goes), e.g. (head -n 1 "
             "'%s' && tail -n +2 '%s' | LC_ALL=C sort -s -t\"$(printf '\\t')\" -k2,2g) > "
             "sorted.csv (for files without quoted fields)", path, path, path);
    cr_assert_str_eq(err, want);
    workload_t *w = workload_open_trace(&c, WL_TRACE_AUTO, 3, NULL, err, sizeof err);
    cr_assert(w, "%s", err);
    cr_assert_eq(workload_trace_mode(w), WL_TRACE_WHOLE);
    workload_free(w);
    remove(path);
}

/* A streamed trace still refuses a duplicate id anywhere in the file
 * (ids within TRACE_ID_RANGE of each other); with ids further apart a
 * trace read whole is still checked. */
Test(trace, streamed_trace_checks_duplicate_ids, .timeout = 60)
{
    expect_error("id,event_time,arrival_time\n1,0,0\n2,1,1\n1,2,2\n", NULL,
                 ":4: duplicate id 1 (first on line 2)");
    expect_error("id,event_time\n7,0\n8,1\n7,1\n", NULL,
                 ":4: duplicate id 7 (first on line 2)");
    /* far apart: not checked by trace_open; read whole, still found */
    expect_error("id,event_time\n5,0\n900000000000,1\n5,0.5\n", NULL,
                 ":4: duplicate id 5 (first on line 2)");
    /* 200000 rows of shuffled-in-blocks ids, one repeated far down */
    char path[] = "/tmp/sluice_trace_XXXXXX";
    FILE *f = temp_file(path);
    fprintf(f, "id,event_time,arrival_time\n");
    for (int i = 0; i < 200000; i++)
        fprintf(f, "%d,%d,%d\n", i == 199990 ? 150003 : (i ^ 3), i, i);
    cr_assert_eq(fclose(f), 0);
    config_t c;
    char err[1024], want[1024];
    cfg(&c, path, NULL);
    cr_assert_null(workload_open(&c, err, sizeof err));
    snprintf(want, sizeof want, "%s:199992: duplicate id 150003 (first on line 150002)", path);
    cr_assert_str_eq(err, want);
    remove(path);
}

/* The run's budget takes a trace's length from its span, not run.duration,
 * and charges a streamed trace only for the rows it holds. */
Test(trace, budget_takes_the_span_and_the_rows_held)
{
    static const char *const sets[] = {"window.type=tumbling", "window.size=60",
                                       "run.duration=600", "run.executors=stream", NULL};
    config_t c;
    cfg(&c, "t.csv", sets);
    budget_trace streamed = {"t.csv", 1e8, 0, 1e5, 10, TRACE_BLOCK};
    budget_trace whole = {"t.csv", 1e8, 0, 1e5, 10, 1e8};
    budget_estimate_t a, b;
    budget_estimate(&c, &streamed, &a);
    budget_estimate(&c, &whole, &b);
    cr_assert_eq(a.windows, 10 * ceil((1e5 + 60) / 60)); /* 10 keys over 1e5 s, not 600 s */
    cr_assert_geq(a.horizon_s, 1e5);
    cr_assert_float_eq(b.memory_bytes - a.memory_bytes, (1e8 - TRACE_BLOCK) * 64.0, 1.0);
    cr_assert_lt(a.memory_bytes, 1e9, "%g bytes", a.memory_bytes);
}

/* Decimal values: kept exactly as integers scaled by 10^(most decimals),
 * summed exactly, written back as decimals (windows.csv, panes.csv and
 * sluice gen, whose file gives the same results again). */
Test(trace, decimal_values_sum_exactly, .timeout = 60)
{
    static const char *const none[] = {"workload.delay=none", NULL};
    got g;
    cr_assert(open_text("event_time,key,value\n0,a,0.1\n1,a,0.2\n2,b,-.05\n3,a,1\n4,b,+2.\n",
                        none, &g), "%s", g.err);
    static const int64_t want[] = {10, 20, -5, 100, 200}; /* hundredths */
    cr_assert_eq(g.n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(g.ev[i].value, want[i], "row %zu: %lld", i, (long long)g.ev[i].value);
    char buf[32];
    cr_assert_eq(trace_format_value(130, 2, buf), 4);
    cr_assert_str_eq(buf, "1.30");
    trace_format_value(-5, 2, buf);
    cr_assert_str_eq(buf, "-0.05");
    trace_format_value(-1234567890123, 9, buf);
    cr_assert_str_eq(buf, "-1234.567890123");
    trace_format_value(42, 0, buf);
    cr_assert_str_eq(buf, "42");

    char d[64], path[128], args[1024], err[4096];
    util_tmpdir(d, sizeof d);
    snprintf(path, sizeof path, "%s/t.csv", d);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("ts,user,amount\n0.5,alice,0.10\n1.5,alice,0.20\n2.5,bob,-0.05\n61,alice,19.99\n"
          "62,alice,0.01\n", f);
    cr_assert_eq(fclose(f), 0);
    snprintf(path, sizeof path, "%s/t.ini", d);
    f = fopen(path, "w");
    cr_assert(f);
    fputs("[run]\nexecutors = stream\n[workload]\nsource = trace\ntrace = t.csv\n"
          "trace_columns = key = user, event_time = ts, value = amount\ndelay = none\n"
          "[window]\ntype = tumbling\nsize = 60\n", f);
    cr_assert_eq(fclose(f), 0);
    snprintf(args, sizeof args, "run %s --out %s/a", path, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "gen %s --out %s/gen.csv", path, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    snprintf(args, sizeof args, "run %s --set workload.trace=%s/gen.csv "
             "--set workload.trace_columns= --out %s/b", path, d, d);
    cr_assert_eq(util_sluice(args, err, sizeof err), 0, "%s", err);
    size_t la, lb;
    char pa[160], pb[160];
    snprintf(pa, sizeof pa, "%s/a", d);
    snprintf(pb, sizeof pb, "%s/b", d);
    char *wa = util_slurp_in(pa, "windows.csv", &la), *wb = util_slurp_in(pb, "windows.csv", &lb);
    cr_assert(wa && wb);
    /* 0.10 + 0.20 and 19.99 + 0.01, exactly (in binary 0.1 + 0.2 != 0.3) */
    cr_assert(strstr(wa, "\nstream,alice,0,60,2,0.30,"), "%s", wa);
    cr_assert(strstr(wa, "\nstream,alice,60,120,2,20.00,"), "%s", wa);
    cr_assert(strstr(wa, "\nstream,bob,0,60,1,-0.05,"), "%s", wa);
    cr_assert(la == lb && memcmp(wa, wb, la) == 0, "round trip:\n%s\n%s", wa, wb);
    char *gen = util_slurp_in(d, "gen.csv", &la);
    cr_assert(gen && strstr(gen, ",alice,19.99,"), "%s", gen ? gen : "");
    char *pn = util_slurp_in(pa, "panes.csv", &la);
    cr_assert(pn && strstr(pn, ",20.00,0\n"), "%s", pn ? pn : "");
    free(wa);
    free(wb);
    free(gen);
    free(pn);
    util_rm_rf(d);
}
