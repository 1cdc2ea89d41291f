/*
 * test_cfg: the configuration table, the INI loader, --set, the cross-key
 * rules and the writers.  Fixtures live in tests/data/cfg/; the tests run
 * from the repository top folder, so fixture paths are relative to it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/config.h"

#define DIR "tests/data/cfg/"

/* A temporary file name (mkstemp, so parallel test processes never
 * collide); the caller unlinks it. */
static void tmp_name(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/sluice_test_cfg_XXXXXX");
    int fd = mkstemp(buf);
    cr_assert(fd >= 0, "mkstemp failed");
    close(fd);
}

/* Writes c with config_write_ini and loads it back over fresh defaults. */
static void write_and_load(const config_t *c, config_t *back)
{
    char name[64], err[CFG_ERR_MAX];
    tmp_name(name, sizeof name);
    FILE *f = fopen(name, "w");
    cr_assert(f != NULL);
    cr_assert_eq(config_write_ini(c, f), CFG_OK);
    cr_assert_eq(fclose(f), 0);
    config_defaults(back);
    int rc = config_load(back, name, err, sizeof err);
    cr_assert_eq(rc, CFG_OK, "reading back the written INI failed: %s", err);
    cr_assert_str_eq(back->path, name);
    unlink(name);
}

/* The struct has no pointers and is zero-filled, so memcmp is exact.
 * path names the file read, so it is equalized first. */
static void assert_same(const config_t *a, const config_t *b0, const char *what)
{
    config_t b = *b0;
    memcpy(b.path, a->path, sizeof b.path);
    if (memcmp(a, &b, sizeof b) == 0)
        return;
    /* name the first key that differs */
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *s, *k;
        char va[4096], vb[4096];
        config_key_at(i, &s, &k);
        cr_assert_eq(config_get(a, s, k, va, sizeof va), CFG_OK);
        cr_assert_eq(config_get(&b, s, k, vb, sizeof vb), CFG_OK);
        cr_assert_str_eq(va, vb, "%s: %s.%s differs", what, s, k);
    }
    cr_assert_fail("%s: structs differ, but no key does", what);
}

static void expect_load_error(const char *file, const char *expected)
{
    config_t c, before;
    char err[CFG_ERR_MAX] = "";
    config_defaults(&c);
    before = c;
    cr_assert_eq(config_load(&c, file, err, sizeof err), CFG_ERR, "%s loaded, expected: %s",
                 file, expected);
    cr_assert_str_eq(err, expected);
    /* a failed load leaves the struct as it was */
    cr_assert(memcmp(&c, &before, sizeof c) == 0, "%s: failed load changed the config", file);
}

static void expect_set_error(const char *assignment, const char *expected)
{
    config_t c, before;
    char err[CFG_ERR_MAX] = "";
    config_defaults(&c);
    before = c;
    cr_assert_eq(config_set(&c, assignment, err, sizeof err), CFG_ERR, "%s was accepted",
                 assignment);
    cr_assert_str_eq(err, expected);
    cr_assert(memcmp(&c, &before, sizeof c) == 0, "failed --set changed the config");
}

static void expect_invalid(const char *const *sets, size_t n, const char *expected)
{
    config_t c;
    char err[CFG_ERR_MAX] = "";
    config_defaults(&c);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(config_set(&c, sets[i], err, sizeof err), CFG_OK, "%s: %s", sets[i], err);
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR, "expected: %s", expected);
    cr_assert_str_eq(err, expected);
}

/* ---- defaults ------------------------------------------------------ */

Test(cfg, defaults_are_the_documented_demo)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_str_eq(c.path, "");
    cr_assert(c.run.executors[EXEC_BATCH] && c.run.executors[EXEC_MICROBATCH]
              && c.run.executors[EXEC_STREAM]);
    cr_assert_eq(c.run.duration, 600.0);
    cr_assert_eq(c.workload.source, SRC_GENERATE);
    cr_assert_eq(c.workload.rate, 50.0);
    cr_assert_eq(c.workload.arrival, ARR_POISSON);
    cr_assert_eq(c.workload.keys, 8);
    cr_assert_eq(c.workload.delay, DELAY_EXPONENTIAL);
    cr_assert_eq(c.workload.delay_mean, 1.0);
    cr_assert_eq(c.workload.late_fraction, 0.02);
    cr_assert_eq(c.workload.late_delay_mean, 60.0);
    cr_assert_eq(c.window.type, WIN_TUMBLING);
    cr_assert_eq(c.window.size, 60.0);
    cr_assert_eq(c.stream.watermark, WM_BOUNDED);
    cr_assert_eq(c.stream.watermark_bound, 5.0);
    cr_assert_eq(c.stream.service_mean, 0.002);
    cr_assert_eq(c.stream.parallelism, 1);
    cr_assert_eq(c.stream.buffer, 1000);
    cr_assert_eq(c.stream.checkpoint_interval, 30.0);
    cr_assert_eq(c.stream.checkpoint_cost, 0.2);
    cr_assert_eq(c.stream.restart_delay, 5.0);
    cr_assert_eq(c.batch.interval, 300.0);
    cr_assert_eq(c.batch.setup_cost, 5.0);
    cr_assert_eq(c.batch.per_event_cost, 0.0005);
    cr_assert_eq(c.batch.parallelism, 4);
    cr_assert_eq(c.microbatch.interval, 2.0);
    cr_assert_eq(c.microbatch.setup_cost, 0.2);
    cr_assert_eq(c.microbatch.per_event_cost, 0.0005);
    cr_assert_eq(c.microbatch.parallelism, 4);
    cr_assert_eq(c.microbatch.watermark_delay, 5.0);
    cr_assert_eq(c.faults.crash_times.n, 0);
    cr_assert_eq(c.faults.mtbf, 0.0);
    cr_assert_eq(c.faults.slowdown_times.n, 0);
    cr_assert_eq(c.faults.outage_times.n, 0);
    cr_assert_eq(c.faults.checkpoint_failure_times.n, 0);
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
}

/* The contract keys of DESIGN.md, all present with these exact names. */
Test(cfg, contract_keys_exist)
{
    static const char *const keys[] = {
        "run.seed", "run.executors", "run.duration",
        "workload.source", "workload.trace", "workload.rate", "workload.arrival",
        "workload.keys", "workload.key_dist", "workload.delay", "workload.delay_mean",
        "workload.late_fraction", "workload.late_delay_mean",
        "window.type", "window.size", "window.slide", "window.gap",
        "stream.watermark", "stream.watermark_bound", "stream.watermark_file",
        "stream.allowed_lateness", "stream.accumulation", "stream.early_delay",
        "stream.service", "stream.service_mean", "stream.parallelism", "stream.buffer",
        "stream.checkpoint_interval", "stream.checkpoint_cost", "stream.restart_delay",
        "stream.guarantee",
        "batch.interval", "batch.cutoff", "batch.setup_cost", "batch.per_event_cost",
        "batch.parallelism", "batch.late_policy",
        "microbatch.interval", "microbatch.setup_cost", "microbatch.per_event_cost",
        "microbatch.parallelism", "microbatch.watermark_delay", "microbatch.output_mode",
        "faults.crash_times", "faults.mtbf", "faults.slowdown_times",
        "faults.slowdown_factor", "faults.slowdown_duration", "faults.outage_times",
        "faults.outage_duration",
    };
    config_t c;
    config_defaults(&c);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char sec[32], val[4096];
        const char *dot = strchr(keys[i], '.');
        snprintf(sec, sizeof sec, "%.*s", (int)(dot - keys[i]), keys[i]);
        cr_assert_eq(config_get(&c, sec, dot + 1, val, sizeof val), CFG_OK, "missing %s", keys[i]);
    }
    /* the contract words, index = enum value */
    cr_assert_str_eq(config_word("window", "type", WIN_NONE), "none");
    cr_assert_str_eq(config_word("window", "type", WIN_TUMBLING), "tumbling");
    cr_assert_str_eq(config_word("window", "type", WIN_SLIDING), "sliding");
    cr_assert_str_eq(config_word("window", "type", WIN_SESSION), "session");
    cr_assert_str_eq(config_word("workload", "delay", DELAY_PARETO), "pareto");
    cr_assert_str_eq(config_word("workload", "arrival", ARR_DIURNAL), "diurnal");
    cr_assert_str_eq(config_word("workload", "source", SRC_TRACE), "trace");
    cr_assert_str_eq(config_word("workload", "key_dist", KEY_ZIPF), "zipf");
    cr_assert_str_eq(config_word("stream", "watermark", WM_SCRIPTED), "scripted");
    cr_assert_str_eq(config_word("stream", "watermark", WM_PERCENTILE), "percentile");
    cr_assert_str_eq(config_word("stream", "accumulation", ACC_ACCUMULATING), "accumulating");
    cr_assert_str_eq(config_word("stream", "service", SVC_EXPONENTIAL), "exponential");
    cr_assert_str_eq(config_word("stream", "routing", ROUTE_SHARED), "shared");
    cr_assert_str_eq(config_word("stream", "routing", ROUTE_ROUND_ROBIN), "round_robin");
    cr_assert_str_eq(config_word("stream", "guarantee", GUAR_AT_LEAST_ONCE), "at_least_once");
    cr_assert_str_eq(config_word("batch", "late_policy", LATE_RESTATE), "restate");
    cr_assert_str_eq(config_word("microbatch", "output_mode", OUT_UPDATE), "update");
    cr_assert_str_eq(config_word("run", "executors", EXEC_MICROBATCH), "microbatch");
    cr_assert_null(config_word("window", "type", 4));
    cr_assert_null(config_word("window", "type", -1));
    cr_assert_null(config_word("window", "size", 0));
    cr_assert_null(config_word("nope", "type", 0));
}

/* Every key of the table is in one of the seven sections, in contract
 * order, with a unique name. */
Test(cfg, table_is_consistent)
{
    static const char *const order[] = {
        "run", "workload", "window", "stream", "batch", "microbatch", "faults"
    };
    size_t n = config_key_count(), sec = 0;
    cr_assert_gt(n, 60);
    for (size_t i = 0; i < n; i++) {
        const char *s, *k;
        cr_assert_eq(config_key_at(i, &s, &k), CFG_OK);
        while (sec < 7 && strcmp(order[sec], s) != 0)
            sec++;
        cr_assert_lt(sec, 7, "key %s.%s out of section order", s, k);
        for (size_t j = 0; j < i; j++) {
            const char *s2, *k2;
            config_key_at(j, &s2, &k2);
            cr_assert(strcmp(s, s2) != 0 || strcmp(k, k2) != 0, "%s.%s twice", s, k);
        }
    }
    cr_assert_eq(config_key_at(n, NULL, NULL), CFG_ERR);
}

/* ---- loading ------------------------------------------------------- */

Test(cfg, load_good_file)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "good.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.path, DIR "good.ini");
    cr_assert_eq(c.run.seed, 7);                 /* inline comment stripped */
    cr_assert(c.run.executors[EXEC_STREAM] && c.run.executors[EXEC_BATCH]);
    cr_assert_not(c.run.executors[EXEC_MICROBATCH]);
    cr_assert_eq(c.workload.rate, 120.0);        /* "key: value" form */
    cr_assert_eq(c.window.type, WIN_SLIDING);    /* words ignore case */
    cr_assert_eq(c.window.size, 10.0);
    cr_assert_eq(c.window.slide, 5.0);
    cr_assert_eq(c.workload.keys, 8);            /* untouched keys keep defaults */
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
}

/* A UTF-8 byte order mark and Windows line ends are fine. */
Test(cfg, bom_and_crlf)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "bom_crlf.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.run.seed, 9);
    cr_assert_eq(c.faults.crash_times.n, 2);
    cr_assert_eq(c.faults.crash_times.v[1], 2.0);
}

Test(cfg, empty_sections_change_nothing)
{
    config_t c, d;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    config_defaults(&d);
    cr_assert_eq(config_load(&c, DIR "empty_sections.ini", err, sizeof err), CFG_OK, "%s", err);
    assert_same(&d, &c, "empty sections");
}

Test(cfg, continued_list)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "continued_list.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.faults.crash_times.n, 4);
    cr_assert_eq(c.faults.crash_times.v[0], 10.0);
    cr_assert_eq(c.faults.crash_times.v[1], 20.0);
    cr_assert_eq(c.faults.crash_times.v[2], 30.0);
    cr_assert_eq(c.faults.crash_times.v[3], 40.0);
    cr_assert_eq(c.faults.outage_times.n, 0);    /* empty list = none */
    cr_assert_eq(c.faults.slowdown_times.n, 1);
    cr_assert_eq(c.faults.slowdown_times.v[0], 5.0);
}

Test(cfg, missing_and_unreadable_files)
{
    expect_load_error(DIR "no_such_file.ini",
                      DIR "no_such_file.ini: cannot open: No such file or directory");
    expect_load_error(DIR "sub", DIR "sub: not a regular file (a directory)");
}

/* Every error class: exact message and line. */
Test(cfg, error_messages)
{
    static const struct { const char *file, *msg; } cases[] = {
        { "unknown_section.ini", "4: unknown section [wokload] (did you mean [workload]?)" },
        { "unknown_section_far.ini",
          "4: unknown section [foo]; sections are [run], [workload], [window], [stream], "
          "[batch], [microbatch], [faults]" },
        { "unknown_key.ini", "4: unknown key 'rat' in [workload] (did you mean 'rate'?)" },
        { "wrong_section_key.ini", "3: unknown key 'rate' in [stream] (it belongs in [workload])" },
        { "not_a_number.ini", "3: workload.rate: 'fast' is not a number" },
        { "not_an_integer.ini", "2: workload.keys: '2.5' is not an integer" },
        { "not_finite.ini", "2: run.duration: '1e999' is not a finite number" },
        { "out_of_range_open.ini", "2: workload.rate: 0 is out of range: must be > 0 events/s" },
        { "out_of_range_interval.ini",
          "3: workload.late_fraction: 1.5 is out of range: must be in [0, 1]" },
        { "out_of_range_int.ini",
          "2: stream.parallelism: 0 is out of range: must be in [1, 4096] workers" },
        { "list_out_of_range.ini", "2: faults.crash_times: -5 is out of range: must be >= 0 s" },
        { "seed_negative.ini",
          "2: run.seed: '-1' is not an integer in [0, 18446744073709551615]" },
        { "seed_too_big.ini",
          "2: run.seed: 18446744073709551616 is out of range: must be in "
          "[0, 18446744073709551615]" },
        { "bad_word.ini",
          "2: window.type: 'tumble' is not one of none, tumbling, sliding, session "
          "(did you mean 'tumbling'?)" },
        { "bad_word_nosuggest.ini",
          "2: stream.guarantee: 'maybe' is not one of exactly_once, at_least_once" },
        { "bad_bool.ini", "2: run.panes_csv: 'maybe' is not one of off, on" },
        { "bad_executor.ini",
          "2: run.executors: 'steam' is not one of batch, microbatch, stream "
          "(did you mean 'stream'?)" },
        { "executor_twice.ini", "2: run.executors: 'stream' is listed twice" },
        { "too_many_items.ini", "7: faults.crash_times: too many items (at most 64)" },
        { "empty_item.ini", "2: faults.crash_times: empty item in the list '10, , 30'" },
        { "twice.ini", "5: workload.rate given twice (first on line 2)" },
        { "syntax_no_equals.ini", "2: syntax error: expected 'key = value' or '[section]'" },
        { "syntax_no_bracket.ini", "3: syntax error: missing ']' after the section name" },
        { "empty_value.ini", "2: workload.rate: empty value (expected a number)" },
        { "empty_word.ini",
          "2: window.type: empty value (expected one of none, tumbling, sliding, session)" },
        { "outside_section.ini",
          "1: key 'rate' is outside any section (put a [section] line above it)" },
        { "indented_key.ini",
          "3: indented line: INI reads it as more of the value of run.duration above; only "
          "lists and paths continue on indented lines (remove the indentation)" },
        { "long_line.ini", "2: line too long (252 characters, at most 197)" },
        /* inih reads an indented line after a key as more of that value */
        { "indented_section.ini",
          "3: indented line: INI reads it as more of the value of run.duration above; only "
          "lists and paths continue on indented lines (remove the indentation)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char file[256], msg[CFG_ERR_MAX];
        snprintf(file, sizeof file, DIR "%s", cases[i].file);
        snprintf(msg, sizeof msg, "%s:%s", file, cases[i].msg);
        expect_load_error(file, msg);
    }
}

/* The error is the first one of the file, even when a later line is
 * also wrong; and a bad value after an unknown section is not reported
 * in its place. */
Test(cfg, first_error_wins)
{
    char name[64], err[CFG_ERR_MAX], expect[CFG_ERR_MAX];
    tmp_name(name, sizeof name);
    FILE *f = fopen(name, "w");
    cr_assert(f != NULL);
    fprintf(f, "[run]\nseed = 1\n\n[stream]\nservice_mean = -1\n[bogus\nrate = x\n");
    fclose(f);
    config_t c;
    config_defaults(&c);
    cr_assert_eq(config_load(&c, name, err, sizeof err), CFG_ERR);
    snprintf(expect, sizeof expect,
             "%s:5: stream.service_mean: -1 is out of range: must be >= 0 s", name);
    cr_assert_str_eq(err, expect);
    unlink(name);
}

/* ---- did you mean -------------------------------------------------- */

Test(cfg, suggestions)
{
    /* one typo, a swap, a wrong case, a truncation; and no suggestion for
     * something far from every name */
    expect_set_error("workload.delay_maen=1",
                     "--set workload.delay_maen: unknown key 'delay_maen' in [workload] "
                     "(did you mean 'delay_mean'?)");
    expect_set_error("stream.Parallelism=2",
                     "--set stream.Parallelism: unknown key 'Parallelism' in [stream] "
                     "(did you mean 'parallelism'?)");
    expect_set_error("stream.checkpoint=2",
                     "--set stream.checkpoint: unknown key 'checkpoint' in [stream] "
                     "(did you mean 'checkpoint_cost'?)");
    expect_set_error("stream.colour=2", "--set stream.colour: unknown key 'colour' in [stream]");
    expect_set_error("windows.size=2",
                     "--set windows.size: unknown section [windows] (did you mean [window]?)");
    expect_set_error("micro_batch.interval=2",
                     "--set micro_batch.interval: unknown section [micro_batch] (did you "
                     "mean [microbatch]?)");
    expect_set_error("stream.watermark=bonded",
                     "--set stream.watermark: 'bonded' is not one of perfect, bounded, "
                     "percentile, scripted (did you mean 'bounded'?)");
    expect_set_error("stream.guarantee=exactlyonce",
                     "--set stream.guarantee: 'exactlyonce' is not one of exactly_once, "
                     "at_least_once (did you mean 'exactly_once'?)");
    expect_set_error("batch.late_delay_mean=3",
                     "--set batch.late_delay_mean: unknown key 'late_delay_mean' in [batch] "
                     "(it belongs in [workload])");
}

/* ---- --set ---------------------------------------------------------- */

Test(cfg, set_overrides)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "workload.rate=250", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.workload.rate, 250.0);
    cr_assert_eq(config_set(&c, " stream.parallelism = 8 ", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.stream.parallelism, 8);
    cr_assert_eq(config_set(&c, "window.type=session", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(c.window.type, WIN_SESSION);
    cr_assert_eq(config_set(&c, "run.executors=stream", err, sizeof err), CFG_OK, "%s", err);
    cr_assert(!c.run.executors[EXEC_BATCH] && !c.run.executors[EXEC_MICROBATCH]
              && c.run.executors[EXEC_STREAM]);
    cr_assert_eq(config_set(&c, "faults.crash_times=100, 200.5", err, sizeof err), CFG_OK);
    cr_assert_eq(c.faults.crash_times.n, 2);
    cr_assert_eq(c.faults.crash_times.v[1], 200.5);
    /* a list is replaced, not extended; empty = none */
    cr_assert_eq(config_set(&c, "faults.crash_times=7", err, sizeof err), CFG_OK);
    cr_assert_eq(c.faults.crash_times.n, 1);
    cr_assert_eq(config_set(&c, "faults.crash_times=", err, sizeof err), CFG_OK);
    cr_assert_eq(c.faults.crash_times.n, 0);
    cr_assert_eq(c.faults.crash_times.v[0], 0.0); /* zero-filled: memcmp stays exact */
    cr_assert_eq(config_set(&c, "run.seed=18446744073709551615", err, sizeof err), CFG_OK);
    cr_assert_eq(c.run.seed, UINT64_MAX);
    cr_assert_eq(config_set(&c, "run.panes_csv=off", err, sizeof err), CFG_OK);
    cr_assert_eq(c.run.panes_csv, 0);
    cr_assert_eq(config_set(&c, "run.panes_csv=true", err, sizeof err), CFG_OK);
    cr_assert_eq(c.run.panes_csv, 1);
    /* -0 is stored as +0, so equal settings give equal structs */
    cr_assert_eq(config_set(&c, "stream.early_delay=-0", err, sizeof err), CFG_OK);
    cr_assert_not(signbit(c.stream.early_delay));
    /* --set after a file overrides the file */
    cr_assert_eq(config_load(&c, DIR "good.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "workload.rate=3", err, sizeof err), CFG_OK);
    cr_assert_eq(c.workload.rate, 3.0);
}

Test(cfg, set_errors)
{
    expect_set_error("workload.rate", "--set workload.rate: expected section.key=value");
    expect_set_error("rate=5", "--set rate: expected section.key=value");
    expect_set_error("workload.rate=fast", "--set workload.rate: 'fast' is not a number");
    expect_set_error("workload.rate=", "--set workload.rate: empty value (expected a number)");
    expect_set_error("workload.rate=-1",
                     "--set workload.rate: -1 is out of range: must be > 0 events/s");
    expect_set_error("workload.late_fraction=2",
                     "--set workload.late_fraction: 2 is out of range: must be in [0, 1]");
    expect_set_error("workload.delay_shape=1",
                     "--set workload.delay_shape: 1 is out of range: must be in (1, 100]");
    expect_set_error("stream.buffer=0",
                     "--set stream.buffer: 0 is out of range: must be in [1, 1000000] events");
    expect_set_error("stream.parallelism=99999999999",
                     "--set stream.parallelism: 99999999999 is out of range: must be in "
                     "[1, 4096] workers");
    expect_set_error("window.type=hopping",
                     "--set window.type: 'hopping' is not one of none, tumbling, sliding, "
                     "session");
    expect_set_error("run.executors=stream,flink",
                     "--set run.executors: 'flink' is not one of batch, microbatch, stream");
    expect_set_error("faults.crash_times=1,x",
                     "--set faults.crash_times: 'x' is not a number");
    expect_set_error("run.duration=nan", "--set run.duration: 'nan' is not a number");
    expect_set_error("run.duration=inf", "--set run.duration: 'inf' is not a finite number");
    expect_set_error("workload.trace=\"a",
                     "--set workload.trace: missing the closing '\"' of a quoted value (a ';' "
                     "after a blank starts a comment even inside quotes: write it \\;)");
}

/* ---- paths ---------------------------------------------------------- */

Test(cfg, relative_paths_resolve_against_the_config_folder)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "sub/paths.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, DIR "sub/traces/t.csv");
    cr_assert_str_eq(c.stream.watermark_file, DIR "sub/wm.csv"); /* "./" dropped */
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "sub/abs_path.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, "/data/abs/t.csv");
    /* a path may go on over indented lines, and still resolves */
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "sub/continued_path.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.workload.trace, DIR "sub/traces/t.csv");
    /* --set: relative to the current directory, stored as given */
    cr_assert_eq(config_set(&c, "workload.trace=traces/x.csv", err, sizeof err), CFG_OK);
    cr_assert_str_eq(c.workload.trace, "traces/x.csv");
    cr_assert_eq(config_set(&c, "workload.trace=", err, sizeof err), CFG_OK);
    cr_assert_str_eq(c.workload.trace, "");
}

/* config_write_ini writes relative paths as absolute ones, so the written
 * file means the same file wherever it is read from. */
Test(cfg, written_paths_are_absolute)
{
    config_t c, back;
    char err[CFG_ERR_MAX], cwd[CFG_PATH_MAX], expect[2 * CFG_PATH_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "sub/paths.ini", err, sizeof err), CFG_OK, "%s", err);
    write_and_load(&c, &back);
    cr_assert(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(expect, sizeof expect, "%s/" DIR "sub/traces/t.csv", cwd);
    cr_assert_str_eq(back.workload.trace, expect);
    /* and an absolute path round-trips exactly */
    config_t again;
    write_and_load(&back, &again);
    assert_same(&back, &again, "absolute paths");
}

/* A path longer than one INI line is split over indented lines. */
Test(cfg, long_path_round_trip)
{
    config_t c, back;
    char err[CFG_ERR_MAX], path[CFG_PATH_MAX], set[CFG_PATH_MAX + 32];
    size_t n = 0;
    path[n++] = '/';
    while (n < 900) {
        n += (size_t)snprintf(path + n, sizeof path - n, "dir %zu; #x/", n); /* spaces, ';', '#' */
    }
    path[n - 1] = 'z';
    path[n] = '\0';
    config_defaults(&c);
    snprintf(set, sizeof set, "stream.watermark_file=%s", path);
    cr_assert_eq(config_set(&c, set, err, sizeof err), CFG_OK, "%s", err);
    cr_assert_str_eq(c.stream.watermark_file, path);
    write_and_load(&c, &back);
    assert_same(&c, &back, "long path");
    /* too long for the struct */
    char huge[CFG_PATH_MAX + 40];
    memset(huge, 'a', sizeof huge);
    memcpy(huge, "workload.trace=/", 16);
    huge[sizeof huge - 1] = '\0';
    cr_assert_eq(config_set(&c, huge, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, "--set workload.trace: path too long (at most 1023 characters)");
}

/* ---- round trips ---------------------------------------------------- */

Test(cfg, round_trip_defaults)
{
    config_t c, back;
    config_defaults(&c);
    write_and_load(&c, &back);
    assert_same(&c, &back, "defaults");
}

Test(cfg, round_trip_every_key_changed)
{
    config_t d, c, back;
    char err[CFG_ERR_MAX];
    config_defaults(&d);
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "all_changed.ini", err, sizeof err), CFG_OK, "%s", err);
    /* the fixture really changes every key of the table */
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *s, *k;
        char vd[4096], vc[4096];
        config_key_at(i, &s, &k);
        cr_assert_eq(config_get(&d, s, k, vd, sizeof vd), CFG_OK);
        cr_assert_eq(config_get(&c, s, k, vc, sizeof vc), CFG_OK);
        cr_assert_str_neq(vd, vc, "all_changed.ini leaves %s.%s at its default", s, k);
    }
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
    write_and_load(&c, &back);
    assert_same(&c, &back, "every key changed");
}

/* Random doubles (64-bit patterns mapped to [0, 1e6)) in a full list:
 * the shortest-form writer must still read back bit-identically, and a
 * 64-item list must survive its split over continuation lines. */
Test(cfg, round_trip_random_lists)
{
    for (uint64_t seed = 1; seed <= 40; seed++) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull;
        config_t c, back;
        config_defaults(&c);
        c.faults.crash_times.n = CFG_LIST_MAX;
        for (size_t i = 0; i < CFG_LIST_MAX; i++) {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27; /* xorshift64 */
            c.faults.crash_times.v[i] = (double)(x >> 11) * 0x1.0p-53 * 1e6;
        }
        c.faults.outage_times.n = 3;
        c.faults.outage_times.v[0] = 0.1;
        c.faults.outage_times.v[1] = 1.0 / 3.0;
        c.faults.outage_times.v[2] = 5e-324; /* smallest subnormal */
        write_and_load(&c, &back);
        config_t b = back;
        memcpy(b.path, c.path, sizeof b.path);
        cr_assert(memcmp(&c, &b, sizeof c) == 0, "seed %llu: lists differ after round trip",
                  (unsigned long long)seed);
    }
}

Test(cfg, write_defaults_parses_back_to_defaults)
{
    char name[64], err[CFG_ERR_MAX];
    tmp_name(name, sizeof name);
    FILE *f = fopen(name, "w");
    cr_assert(f != NULL);
    cr_assert_eq(config_write_defaults(f), CFG_OK);
    fclose(f);
    config_t d, c;
    config_defaults(&d);
    /* load over something else, so that every key must come from the file */
    c = d;
    cr_assert_eq(config_load(&c, DIR "all_changed.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_load(&c, name, err, sizeof err), CFG_OK, "%s", err);
    assert_same(&d, &c, "config_write_defaults");
    /* every key is in it with a comment above it */
    f = fopen(name, "r");
    cr_assert(f != NULL);
    char line[512], prev[512] = "";
    size_t keys = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_lt(strlen(line), 198, "line too long for inih: %s", line);
        if (line[0] != ';' && line[0] != '[' && line[0] != '\n') {
            cr_assert_eq(prev[0], ';', "no comment above: %s", line);
            keys++;
        }
        strcpy(prev, line);
    }
    fclose(f);
    unlink(name);
    cr_assert_eq(keys, config_key_count());
}

/* One Markdown table per section, one row per key. */
Test(cfg, markdown_reference)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f != NULL);
    cr_assert_eq(config_write_markdown(f), CFG_OK);
    fclose(f);
    size_t headers = 0, rows = 0;
    for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "### [", 5) == 0)
            headers++;
        else if (strncmp(p, "| `", 3) == 0)
            rows++;
    }
    cr_assert_eq(headers, 7);
    cr_assert_eq(rows, config_key_count());
    cr_assert(strstr(buf, "| `rate` | `50` | events/s | > 0 |") != NULL);
    cr_assert(strstr(buf, "| `type` | `tumbling` |  | none, tumbling, sliding, session |")
              != NULL);
    cr_assert(strstr(buf, "| `late_fraction` | `0.02` | share | [0, 1] |") != NULL);
    /* '*' is escaped, or "rate*(1 + a*sin" would turn into emphasis */
    cr_assert(strstr(buf, "rate\\*(1 + amplitude\\*sin(2\\*pi\\*t/period))") != NULL);
    free(buf);
}

/* ---- rules between keys --------------------------------------------- */

Test(cfg, validate_rules)
{
    {
        const char *s[] = { "run.executors=" };
        expect_invalid(s, 1, "run.executors: at least one executor is needed (batch, "
                             "microbatch, stream)");
    }
    {
        const char *s[] = { "window.type=sliding", "window.size=30", "window.slide=40" };
        expect_invalid(s, 3, "window.slide = 40 must be <= window.size = 30 (sliding windows)");
    }
    {
        const char *s[] = { "window.type=sliding", "window.size=3000", "window.slide=1" };
        expect_invalid(s, 3, "window.size / window.slide = 3000 windows per event; at most 1000");
    }
    {
        const char *s[] = { "workload.source=trace" };
        expect_invalid(s, 1, "workload.source = trace needs workload.trace (the trace CSV file)");
    }
    {
        const char *s[] = { "stream.watermark=scripted" };
        expect_invalid(s, 1, "stream.watermark = scripted needs stream.watermark_file (a CSV "
                             "time,watermark)");
    }
    {
        const char *s[] = { "workload.arrival=mmpp", "workload.mmpp_rate_high=0",
                            "workload.mmpp_rate_low=0" };
        expect_invalid(s, 3, "workload.arrival = mmpp needs workload.mmpp_rate_high > 0");
    }
    {
        const char *s[] = { "workload.arrival=mmpp", "workload.mmpp_rate_high=10",
                            "workload.mmpp_rate_low=20" };
        expect_invalid(s, 3, "workload.mmpp_rate_high = 10 must be >= workload.mmpp_rate_low = 20");
    }
    {
        const char *s[] = { "workload.delay=pareto", "workload.delay_mean=0" };
        expect_invalid(s, 2, "workload.delay = pareto needs workload.delay_mean > 0");
    }
    {
        const char *s[] = { "stream.checkpoint_interval=10", "stream.checkpoint_cost=10" };
        expect_invalid(s, 2, "stream.checkpoint_cost = 10 must be < stream.checkpoint_interval = 10");
    }
    {
        const char *s[] = { "faults.slowdown_times=5", "faults.slowdown_duration=0" };
        expect_invalid(s, 2, "faults.slowdown_times is given but faults.slowdown_duration = 0");
    }
    {
        const char *s[] = { "faults.outage_times=5", "faults.outage_duration=0" };
        expect_invalid(s, 2, "faults.outage_times is given but faults.outage_duration = 0");
    }
    {
        const char *s[] = { "microbatch.interval=0", "microbatch.setup_cost=0",
                            "microbatch.per_event_cost=0" };
        expect_invalid(s, 3, "microbatch.interval = 0 (back to back) needs "
                             "microbatch.setup_cost or microbatch.per_event_cost > 0");
    }
    {
        const char *s[] = { "run.timeline_bucket=0.0001" };
        expect_invalid(s, 1, "run.duration / run.timeline_bucket = 6000000 timeline rows; at "
                             "most 1000000");
    }
    /* the same rules pass at their edges */
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_set(&c, "window.type=sliding", err, sizeof err), CFG_OK);
    cr_assert_eq(config_set(&c, "window.slide=60", err, sizeof err), CFG_OK); /* = size */
    cr_assert_eq(config_set(&c, "stream.checkpoint_interval=0", err, sizeof err), CFG_OK);
    cr_assert_eq(config_set(&c, "stream.checkpoint_cost=100", err, sizeof err), CFG_OK);
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_OK, "%s", err);
}

/* A rule broken in a loaded file names the file. */
Test(cfg, validate_names_the_file)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    cr_assert_eq(config_load(&c, DIR "sub/abs_path.ini", err, sizeof err), CFG_OK, "%s", err);
    cr_assert_eq(config_set(&c, "run.executors=", err, sizeof err), CFG_OK);
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, DIR "sub/abs_path.ini: run.executors: at least one executor is "
                          "needed (batch, microbatch, stream)");
}

/* A struct filled in by code gets the range checks of the table too. */
Test(cfg, validate_checks_ranges_of_code_filled_structs)
{
    config_t c;
    char err[CFG_ERR_MAX];
    config_defaults(&c);
    c.stream.parallelism = 0;
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, "stream.parallelism = 0 is out of range: must be in [1, 4096] workers");
    config_defaults(&c);
    c.workload.rate = NAN;
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, "workload.rate = nan is out of range: must be > 0 events/s");
    config_defaults(&c);
    c.window.type = 7;
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, "window.type = 7 is not a valid choice");
    config_defaults(&c);
    c.faults.outage_times.n = 1;
    c.faults.outage_times.v[0] = -3;
    cr_assert_eq(config_validate(&c, err, sizeof err), CFG_ERR);
    cr_assert_str_eq(err, "faults.outage_times: -3 is out of range: must be >= 0 s");
}

/* Robustness: random INI-like files (lines built from pieces of real
 * keys, sections, junk bytes, indentation, long lines) never crash the
 * loader (ASan run), and each load either succeeds or reports
 * "FILE:LINE: " with 1 <= LINE <= lines in the file, leaving the struct
 * unchanged. */
Test(cfg, random_files_never_crash)
{
    static const char *const pieces[] = {
        "[run]", "[workload]", "[stream]", "[faults]", "[bogus]", "[run", "  ", "\t",
        "seed", "rate", "keys", "crash_times", "trace", "type", "window", "=", ":", ";",
        "#", " ; c", "1", "2.5", "-1", "x", ",", "tumbling", "1e999", "\xef\xbb\xbf",
        "\r", "/a/b", "./c", "\x01", "executors", "stream,batch", "[]", "  rate = 4",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    char name[64];
    tmp_name(name, sizeof name);
    for (uint64_t seed = 1; seed <= 300; seed++) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
        FILE *f = fopen(name, "wb");
        cr_assert(f != NULL);
        int lines = (int)(NEXT() % 12) + 1;
        for (int l = 0; l < lines; l++) {
            int parts = (int)(NEXT() % 6);
            if (NEXT() % 40 == 0) /* now and then a line too long for inih */
                for (int k = 0; k < 210; k++)
                    fputc('a', f);
            for (int p = 0; p < parts; p++)
                fputs(pieces[NEXT() % np], f);
            fputc('\n', f);
        }
        fclose(f);
        config_t c, before;
        char err[CFG_ERR_MAX];
        config_defaults(&c);
        before = c;
        if (config_load(&c, name, err, sizeof err) == CFG_OK)
            continue;
        size_t nl = strlen(name);
        cr_assert(strncmp(err, name, nl) == 0 && err[nl] == ':', "seed %llu: %s",
                  (unsigned long long)seed, err);
        char *end;
        long line = strtol(err + nl + 1, &end, 10);
        cr_assert(line >= 1 && line <= lines && strncmp(end, ": ", 2) == 0,
                  "seed %llu: bad line in '%s' (%d lines)", (unsigned long long)seed, err,
                  lines);
        cr_assert(memcmp(&c, &before, sizeof c) == 0, "seed %llu: failed load changed c",
                  (unsigned long long)seed);
#undef NEXT
    }
    unlink(name);
}
