#!/usr/bin/env python3
"""Makes the fixture run folder of tests/test_report.c (the CSV files of a
`sluice run` in the exact formats of the output contract).

A toy model, not the simulator: 10 minutes of events at 20 events/s over 4
keys, exponential delays with 5 % late events, tumbling 60 s windows, two
crashes (t = 243 s and 363 s), and three executors:
  - stream: bounded watermark (5 s), early panes after 10 s, allowed
    lateness 120 s, discarding panes, checkpoints every 30 s, at-least-once
    (panes since the last checkpoint are emitted again after a crash);
  - microbatch: a batch every 10 s, watermark delay 10 s, append mode;
  - batch: a job every 120 s over windows that ended 30 s before it,
    late_policy drop; a crash kills the running job, which re-runs.
The numbers only need to look like a real run.  The files are committed;
run this script again only to change the fixture:  python3 gen.py
"""
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(20261125)

DURATION, RATE, KEYS, SIZE = 600.0, 20.0, 4, 60.0
DELAY_MEAN, LATE_FRACTION, LATE_DELAY = 2.0, 0.05, 60.0
CRASHES = [243.0, 363.0]
BUCKET = 10.0


def g(x):
    """%.9g, empty for missing/non-finite."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    return "%.9g" % x


# ---- events -----------------------------------------------------------
events = []
t = 0.0
i = 0
while True:
    t += R.expovariate(RATE)
    if t >= DURATION:
        break
    d = R.expovariate(1.0 / DELAY_MEAN)
    if R.random() < LATE_FRACTION:
        d += R.expovariate(1.0 / LATE_DELAY)
    key = R.randrange(KEYS)
    val = R.randint(1, 10)
    events.append(dict(id=i, key=key, val=val, et=t, at=t + d))
    i += 1
by_arrival = sorted(events, key=lambda e: (e["at"], e["id"]))
N = len(events)


def win_of(e):
    s = math.floor(e["et"] / SIZE) * SIZE
    return (e["key"], s, s + SIZE)


truth = {}
for e in events:
    w = win_of(e)
    c, s = truth.get(w, (0, 0))
    truth[w] = (c + 1, s + e["val"])


# ---- executors --------------------------------------------------------
class Run:
    def __init__(self, name):
        self.name = name
        self.panes = []       # (key, ws, we, idx, timing, emit, count, sum, dup)
        self.visible = {}     # event id -> emit time of the first pane
        self.proc = {}        # event id -> (start, end) of processing
        self.dropped = set()
        self.watermark = []   # (time, wm) steps
        self.faults = []      # rows of faults.csv
        self.deltas = False
        self.work = 0.0


def stream_run():
    r = Run("stream")
    r.deltas = True
    bound, early, lateness, svc = 5.0, 10.0, 120.0, 0.004
    restart, ckpt = 6.0, 30.0
    # processing times: a crash stops processing for `restart` s, then the
    # events since the last checkpoint are replayed at 400 events/s.
    down = [(c, c + restart, math.floor(c / ckpt) * ckpt) for c in CRASHES]
    busy = 0.0
    for e in by_arrival:
        start = max(e["at"], busy)
        for c, up, ck in down:
            if c <= start < up:
                replay = sum(1 for x in by_arrival if ck <= x["at"] < c)
                start = max(start, up + replay / 400.0)
        busy = start + svc
        r.proc[e["id"]] = (start, busy)
    order = sorted(events, key=lambda e: (r.proc[e["id"]][1], e["id"]))
    maxet = -math.inf
    wm_at = []  # (time, wm) after each processed event
    for e in order:
        maxet = max(maxet, e["et"])
        wm_at.append((r.proc[e["id"]][1], maxet - bound))
    r.watermark = wm_at

    def wm_time(level):
        for tt, w in wm_at:
            if w >= level:
                return tt
        return None  # drained: +inf at the end

    end_time = r.proc[order[-1]["id"]][1] + 1.0
    state = {}
    for e in order:
        state.setdefault(win_of(e), []).append(e)
    for w, evs in sorted(state.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        key, ws, we = w
        t_on = wm_time(we) or end_time
        t_gc = wm_time(we + lateness) or end_time
        idx = 0
        first = r.proc[evs[0]["id"]][1]
        if first + early < t_on:
            part = [x for x in evs if r.proc[x["id"]][1] <= first + early]
            r.panes.append([key, ws, we, idx, "EARLY", first + early, part, 0])
            idx += 1
        else:
            part = []
        rest = [x for x in evs if r.proc[x["id"]][1] <= t_on and x not in part]
        r.panes.append([key, ws, we, idx, "ON_TIME", t_on, rest, 0])
        idx += 1
        for x in evs:
            pt = r.proc[x["id"]][1]
            if pt > t_on:
                if pt <= t_gc:
                    r.panes.append([key, ws, we, idx, "LATE", pt, [x], 0])
                    idx += 1
                else:
                    r.dropped.add(x["id"])
    # at-least-once: panes emitted between the last checkpoint and a crash
    # are emitted again after the restart.
    for c, up, ck in down:
        for p in list(r.panes):
            if p[7] == 0 and ck <= p[5] < c:
                r.panes.append([p[0], p[1], p[2], p[3], p[4], up + 0.5, p[6], 1])
    return r, down


def microbatch_run():
    r = Run("microbatch")
    interval, setup, per, wdelay, restart = 10.0, 0.8, 0.0004, 10.0, 8.0
    k = 1
    done = 0
    wm = -math.inf
    emitted = set()
    state = {}
    t = interval
    pending_crash = list(CRASHES)
    while done < N or state:
        batch = [e for e in by_arrival[done:] if e["at"] <= t]
        start = t
        dur = setup + per * len(batch)
        if pending_crash and pending_crash[0] < start + dur:
            c = pending_crash.pop(0)
            lost = max(0.0, c - start)
            r.faults.append((c, c + 1.0, c + restart, lost, len(batch) if lost else 0))
            r.work += lost
            start = max(start, c + restart)
        end = start + dur
        r.work += dur
        for e in batch:
            w = win_of(e)
            if w in emitted or e["et"] < wm - 1e9:
                r.dropped.add(e["id"])
            else:
                state.setdefault(w, []).append(e)
            r.proc[e["id"]] = (start, end)
        done += len(batch)
        if batch:
            wm = max(wm, max(e["et"] for e in batch) - wdelay)
        if done >= N:
            wm = math.inf
        r.watermark.append((end, wm))
        for w in sorted(state, key=lambda w: (w[1], w[0])):
            if w[2] <= wm:
                r.panes.append([w[0], w[1], w[2], 0, "ON_TIME", end, state[w], 0])
                emitted.add(w)
        for w in emitted:
            state.pop(w, None)
        k += 1
        t = max(k * interval, end)
    return r


def batch_run():
    r = Run("batch")
    interval, cutoff, setup, per, restart = 120.0, 30.0, 5.0, 0.0006, 10.0
    computed = set()
    t = interval
    pending_crash = list(CRASHES)
    done_windows_upto = -math.inf
    last = False
    while True:
        arrived = [e for e in by_arrival if e["at"] <= t]
        last = len(arrived) == N
        horizon = math.inf if last else t - cutoff
        todo = {}
        for e in arrived:
            w = win_of(e)
            if e["id"] in r.proc:
                continue
            if w[2] <= horizon:
                if w in computed:
                    r.dropped.add(e["id"])
                    r.proc[e["id"]] = (t, t)
                else:
                    todo.setdefault(w, []).append(e)
        n = sum(len(v) for v in todo.values())
        start = t
        dur = setup + per * n
        if pending_crash and start <= pending_crash[0] < start + dur:
            c = pending_crash.pop(0)
            r.faults.append((c, c + 2.0, c + restart, c - start, 0))
            r.work += c - start
            start = c + restart
        end = start + dur
        r.work += dur
        for w in sorted(todo, key=lambda w: (w[1], w[0])):
            r.panes.append([w[0], w[1], w[2], 0, "BATCH", end, todo[w], 0])
            computed.add(w)
            for e in todo[w]:
                r.proc[e["id"]] = (start, end)
        done_windows_upto = horizon
        r.watermark.append((end, horizon))
        if last:
            break
        t = max(t + interval, end)
    return r


stream, stream_down = stream_run()
micro = microbatch_run()
batch = batch_run()
runs = [batch, micro, stream]

for r in runs:
    r.panes.sort(key=lambda p: (p[5], p[1], p[0], p[3], p[8] if len(p) > 8 else 0))
    for p in r.panes:
        for e in p[6]:
            if p[7] == 0 and e["id"] not in r.visible:
                r.visible[e["id"]] = p[5]


# ---- summary helpers --------------------------------------------------
def quantile(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    k = max(0, math.ceil(q * len(xs)) - 1)
    return xs[k]


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def window_results(r):
    res = {}
    for p in r.panes:
        w = (p[0], p[1], p[2])
        cnt, sm = len(p[6]), sum(e["val"] for e in p[6])
        d = res.setdefault(w, dict(fc=cnt, fs=sm, fe=p[5], oc=None,
                                   c=0, s=0, ce=p[5], panes=0))
        d["panes"] += 1
        if r.deltas:
            d["c"] += cnt
            d["s"] += sm
        else:
            d["c"], d["s"] = cnt, sm
        d["ce"] = p[5]
        if d["oc"] is None and p[4] in ("ON_TIME", "BATCH"):
            d["oc"] = d["c"]
    return res


def fault_rows(r):
    rows = []
    for fid, c in enumerate(CRASHES):
        if r.name == "stream":
            cc, up, ck = stream_down[fid]
            rep = sum(1 for x in by_arrival if ck <= x["at"] < c)
            dups = sum(1 for p in r.panes if p[7] and ck <= p[5] < up + 1)
            resumed, down, wasted = up, up - c, rep * 0.004
            caught = up + rep / 400.0 + 4.0
        else:
            f = [x for x in r.faults if x[0] == c]
            if f:
                det, resumed, wasted = f[0][1], f[0][2], f[0][3]
                down = resumed - c
                rep = (sum(1 for e in by_arrival if e["at"] <= c)
                       if r.name == "batch" else f[0][4])
                caught = resumed + (25.0 if r.name == "batch" else 12.0)
                dups = 0
            else:
                resumed, down, wasted, rep, caught, dups = c, 0.0, 0.0, 0, c, 0
        if r.name == "stream":
            det = c + 1.0
        elif not [x for x in r.faults if x[0] == c]:
            det = c + 1.0
        lat = [r.visible[e["id"]] - e["et"] for e in events
               if e["id"] in r.visible and c <= r.visible[e["id"]] <= caught]
        rows.append([r.name, fid, "crash", c, det, resumed, caught, down, rep,
                     wasted, dups, 0, max(lat) if lat else None])
    return rows


# ---- write files ------------------------------------------------------
def write(name, header, rows):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(x if isinstance(x, str) else g(x) for x in row) + "\n")


def G(x):
    return x if isinstance(x, str) else g(x)


# events.csv: every k-th event in arrival order, at most ~2,000 here
k = max(1, N // 2000)
write("events.csv", "id,key,event_time,arrival_time",
      [[e["id"], e["key"], e["et"], e["at"]] for e in by_arrival[::k]])

pane_rows, sum_rows, tl_rows, win_rows, lat_rows, f_rows = [], [], [], [], [], []
LABELS = {"batch": "batch", "microbatch": "micro-batch", "stream": "stream"}
for r in runs:
    for p in r.panes:
        pane_rows.append([r.name, p[0], p[1], p[2], p[3], p[4], p[5],
                          len(p[6]), sum(e["val"] for e in p[6]), p[7]])
    res = window_results(r)
    lat = [r.visible[e["id"]] - e["et"] for e in events if e["id"] in r.visible]
    plat = [r.visible[e["id"]] - e["at"] for e in events if e["id"] in r.visible]
    frows = fault_rows(r)
    f_rows += frows
    wl = [p[5] - p[2] for p in r.panes]
    shares_first, shares_on, shares_fin, exact = [], [], [], 0
    for w, (tc, ts) in truth.items():
        d = res.get(w)
        shares_first.append((d["fc"] if d else 0) / tc)
        shares_on.append(((d["oc"] or 0) if d else 0) / tc)
        shares_fin.append((d["c"] if d else 0) / tc)
        exact += 1 if d and d["c"] == tc and d["s"] == ts else 0
    first_arr = by_arrival[0]["at"]
    last_emit = max(p[5] for p in r.panes)
    counted = len(r.visible)
    waits = [r.proc[e["id"]][0] - e["at"] for e in events if e["id"] in r.proc]
    works = [r.proc[e["id"]][1] - r.proc[e["id"]][0] for e in events if e["id"] in r.proc]
    holds = [r.visible[e["id"]] - r.proc[e["id"]][1] for e in events if e["id"] in r.visible]
    sum_rows.append([
        r.name, N, counted, len(r.dropped), sum(1 for p in r.panes if p[7]),
        0, mean(lat), quantile(lat, .5), quantile(lat, .95), quantile(lat, .99),
        max(lat), mean(plat), quantile(plat, .99), counted / (last_emit - first_arr),
        len(r.panes), len(CRASHES), sum(fr[7] for fr in frows),
        sum(fr[8] for fr in frows), "ok", quantile(plat, .5),
        sum(fr[9] for fr in frows), mean(wl), quantile(wl, .99),
        mean(shares_first), mean(shares_on), mean(shares_fin), exact / len(truth),
        mean(waits), mean(works), mean(holds),
        # the executor's facts (exec_type): label, parallelism (config
        # defaults: batch and micro-batch 4, stream 1), deltas,
        # exactly_once (stream is at_least_once here), seed
        LABELS[r.name], 1 if r.name == "stream" else 4, 1 if r.deltas else 0,
        0 if r.name == "stream" else 1, 42])
    # timeline
    end = max(last_emit, max(e["at"] for e in events))
    nb = int(math.ceil(end / BUCKET))
    wm_steps = sorted(r.watermark)
    wi, wm = 0, None
    for b in range(nb):
        t0, t1 = b * BUCKET, (b + 1) * BUCKET
        arr = sum(1 for e in events if t0 < e["at"] <= t1)
        proc = sum(1 for e in events if e["id"] in r.proc and t0 < r.proc[e["id"]][1] <= t1)
        arrived = sum(1 for e in events if e["at"] <= t1)
        done = sum(1 for e in events if e["id"] in r.proc and r.proc[e["id"]][1] <= t1)
        while wi < len(wm_steps) and wm_steps[wi][0] <= t1:
            wm = wm_steps[wi][1]
            wi += 1
        vis = [r.visible[e["id"]] - e["et"] for e in events
               if e["id"] in r.visible and t0 < r.visible[e["id"]] <= t1]
        drop = sum(1 for e in events if e["id"] in r.dropped
                   and t0 < r.proc.get(e["id"], (0, 0))[1] <= t1)
        tl_rows.append([r.name, t1, arr, proc, arrived - done,
                        wm if wm is not None and math.isfinite(wm) else "",
                        quantile(vis, .5), quantile(vis, .99), drop, len(vis)])
    # windows
    for w in sorted(set(truth) | set(res), key=lambda w: (w[1], w[2], w[0])):
        tc, ts = truth.get(w, (0, 0))
        d = res.get(w)
        if d:
            win_rows.append([r.name, w[0], w[1], w[2], tc, ts, d["fc"], d["fs"],
                             d["fe"], d["oc"] or 0, d["c"], d["s"], d["ce"], d["panes"]])
        else:
            win_rows.append([r.name, w[0], w[1], w[2], tc, ts, 0, 0, "", 0, 0, 0, "", 0])
    # latency histograms: 1 % log buckets, geometric midpoints
    for measure, xs in (("event", lat), ("arrival", plat)):
        f = 1.02
        buckets = {}
        for x in xs:
            b = -1 if x < 1e-6 else int(math.floor(math.log(x / 1e-6) / math.log(f)))
            buckets[b] = buckets.get(b, 0) + 1
        cum = 0
        for b in sorted(buckets):
            cum += buckets[b]
            mid = 0.0 if b < 0 else 1e-6 * f ** (b + 0.5)
            lat_rows.append([r.name, measure, mid, cum / len(xs)])

write("summary.csv",
      "executor,events,counted,dropped_late,duplicates,lost,lat_mean,lat_p50,"
      "lat_p95,lat_p99,lat_max,proc_lat_mean,proc_lat_p99,throughput,panes,"
      "crashes,downtime,reprocessed,invariants,proc_lat_p50,cpu_wasted,"
      "win_lat_mean,win_lat_p99,complete_first,complete_ontime,complete_final,"
      "windows_exact,wait_mean,work_mean,hold_mean,label,parallelism,deltas,"
      "exactly_once,seed", sum_rows)
write("panes.csv", "executor,key,window_start,window_end,pane,timing,emit_time,"
      "count,sum,duplicate", pane_rows)
write("timeline.csv", "executor,time,arrivals,processed,backlog,watermark,"
      "lat_p50,lat_p99,dropped,visible", tl_rows)
write("windows.csv", "executor,key,window_start,window_end,truth_count,truth_sum,"
      "first_count,first_sum,first_emit,ontime_count,final_count,final_sum,"
      "final_emit,panes", win_rows)
write("latency.csv", "executor,measure,latency_s,cdf", lat_rows)
write("faults.csv", "executor,fault_id,kind,time,detected,resumed,caught_up,"
      "downtime,reprocessed,cpu_wasted,duplicates,lost,peak_latency", f_rows)
with open(os.path.join(HERE, "config.ini"), "w") as f:
    f.write("""# effective configuration (fixture of tests/test_report.c)
[run]
seed = 42
executors = batch,microbatch,stream
duration = 600
timeline_bucket = 10

[workload]
source = generate
rate = 20
arrival = poisson
keys = 4
key_dist = uniform
delay = exponential
delay_mean = 2
late_fraction = 0.05
late_delay_mean = 60

[window]
type = tumbling
size = 60

[stream]
watermark = bounded
watermark_bound = 5
allowed_lateness = 120
accumulation = discarding
early_delay = 10
service = constant
service_mean = 0.004
parallelism = 1
checkpoint_interval = 30
restart_delay = 6
guarantee = at_least_once

[batch]
interval = 120
cutoff = 30
setup_cost = 5
per_event_cost = 0.0006
late_policy = drop

[microbatch]
interval = 10
setup_cost = 0.8
per_event_cost = 0.0004
watermark_delay = 10
output_mode = append

[faults]
crash_times = 243,363
""")
