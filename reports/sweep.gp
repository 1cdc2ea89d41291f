# sweep.gp: plots of a sweep (sweep.csv of `sluice sweep`): for each
# metric, its mean against the first swept parameter with 95% confidence
# bars, one line per executor (and, with two or more swept keys, per value
# of the second one: splitname, splitvals).  Writes plots/sweep_METRIC.{png,svg}.
# Variables (sluice plot sets them from the sweep.csv header):
#   dir, outdir, formats  as in common.gp
#   xname    the first swept parameter (column 2), e.g. "batch.interval"
#   xkeys    zip sweeps: the swept keys moving with xname, ", " separated
#            (named in the title and the x label)
#   marks, markname1, markname2, ...  x values of vertical marks and
#            their labels (marks.csv)
#   metrics  the metric names, space separated, in column order
#   ecol, mcol0  (still set by sluice plot, no longer needed: columns are
#            read by name, XNAME, executor, METRIC_mean, METRIC_ci)
#   execs, labels, styles  the executors and their styles (executors.gp;
#            default: the executors of sweep.csv, in order of appearance)
# Usage: gnuplot -e "dir='results/sweep'; xname='batch.interval'; metrics='lat_p99'" reports/sweep.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
if (!exists("dir")) dir = "."
if (!exists("outdir")) outdir = dir."/plots"
if (!exists("formats")) formats = "png svg"
set datafile separator comma
csv(name) = dir."/".name

# executors present in sweep.csv, in order of appearance (by hand)
if (!exists("execs")) {
    execs = ""
    stats csv("sweep.csv") using (column("n"), e = strcol("executor"), \
        strstrt(" ".execs, " ".e." ") == 0 ? (execs = execs." ".e, 1) : 1) nooutput
    execs = execs[2:]." "
}
# Styles and terminals as in common.gp (not loaded: it reads a run
# folder's files), points a little larger.
exec_ps_extra = 0.1
load rdir."/executors.gp"
term_of(fmt) = (fmt eq "png" ? "set terminal pngcairo pointscale 2.08" : "set terminal svg") . \
    " size 1280,800 enhanced font 'DejaVu Sans,18' linewidth 1.5 rounded background rgb 'white'"
set grid back lc rgb "#dddddd" lw 1 dt 1
set border lw 1.5
set key opaque box lc rgb "#bbbbbb" samplen 3 spacing 1.2 below horizontal width 1
set bmargin 6.5
set title font ",22"

unit(m) = (strstrt(m, "lat_") > 0 || m eq "downtime" || m eq "wait_mean" || m eq "work_mean" \
           || m eq "hold_mean") ? "s" : (m eq "cpu_wasted" || m eq "checkpoint_cpu" || m eq "overhead" ? "CPU-s" : \
          (m eq "throughput" ? "events/s" : ((strstrt(m, "complete_") == 1 || m eq "windows_exact") \
           ? "share of truth" : "count")))
ci0(c) = c == c ? c : 0
# what a metric is, in words, for titles and axis labels
nice(m) = m eq "lat_mean" ? "mean visibility latency" : m eq "lat_p50" ? "median visibility latency" : \
    m eq "lat_p95" ? "p95 visibility latency" : m eq "lat_p99" ? "p99 visibility latency" : \
    m eq "lat_max" ? "max visibility latency" : m eq "proc_lat_mean" ? "mean latency from arrival" : \
    m eq "proc_lat_p50" ? "median latency from arrival" : m eq "proc_lat_p99" ? "p99 latency from arrival" : \
    m eq "throughput" ? "throughput" : m eq "complete_first" ? "completeness of the first pane" : \
    m eq "complete_ontime" ? "completeness of the on-time pane" : \
    m eq "complete_final" ? "completeness of the final result" : \
    m eq "windows_exact" ? "share of windows exactly right" : m eq "dropped_late" ? "events dropped as late" : \
    m eq "overhead" ? "fault-tolerance overhead" : m eq "checkpoint_cpu" ? "checkpoint CPU time" : \
    m eq "cpu_wasted" ? "work thrown away by crashes" : m eq "downtime" ? "downtime" : \
    m eq "reprocessed" ? "events reprocessed" : m eq "win_lat_mean" ? "mean window latency" : \
    m eq "win_lat_p99" ? "p99 window latency" : m

# log x when the parameter spans more than a decade and a half
stats csv("sweep.csv") using (column(xname)) nooutput
logx = (STATS_min > 0 && STATS_max / STATS_min >= 30)

k = 0
do for [m in metrics] {
    k = k + 1
    mean = m."_mean"
    ci = m."_ci"
    # this metric's rows per executor into datablocks $S1..$S3 (linear
    # axes while tabulating: a log axis would apply to the table too)
    unset logscale
    set autoscale
    set offsets 0, 0, 0, 0
    cmd = "plot "
    if (!exists("splitvals")) {
        do for [e in execs] {
            eval sprintf("set table $S%d separator comma", ls_of(e))
            plot csv("sweep.csv") using (column(xname)):(column(mean)):(ci0(column(ci))) with table if (strcol("executor") eq e)
            unset table
            cmd = cmd . sprintf("$S%d using 1:2:3 with yerrorlines ls %d title '%s', ", ls_of(e), ls_of(e), label_of(e))
        }
    } else {
        # two or more swept keys: one line per executor and value of the
        # second key (column 3); the colour is the executor's, the dash
        # and point type the value's
        do for [e in execs] {
            do for [j = 1:words(splitvals)] {
                sv = word(splitvals, j)
                eval sprintf("set table $T%d_%d separator comma", ls_of(e), j)
                plot csv("sweep.csv") using (column(xname)):(column(mean)):(ci0(column(ci))) with table if (strcol("executor") eq e && strcol(splitname) eq sv)
                unset table
                cmd = cmd . sprintf("$T%d_%d using 1:2:3 with yerrorlines ls %d dt %d pt %d title '%s, %s = %s' noenhanced, ", \
                    ls_of(e), j, ls_of(e), j, 4 + 2 * j, label_of(e), splitname, sv)
            }
        }
    }
    do for [fmt in formats] {
        eval term_of(fmt)
        set output outdir."/sweep_".m.".".fmt
        set title sprintf("%s against %s", nice(m), xname . (exists("xkeys") ? " and ".xkeys : "")) noenhanced
        # log y too when the metric spans more than two decades (stats
        # before any log scale: it would apply to stats too)
        unset logscale
        stats csv("sweep.csv") using (column(mean)) nooutput
        if (logx) { set logscale x }
        logy = (STATS_min > 0 && STATS_max / STATS_min >= 100)
        if (logy) { set logscale y } else { unset logscale y }
        # a little room around linear axes (none on log axes)
        ox = logx ? 0 : 0.03
        oy = logy ? 0 : 0.05
        set offsets graph ox, graph ox, graph oy, 0
        xu = (exists("xunit") && strlen(xunit) > 0) ? xunit : ""
        set xlabel xname . (strlen(xu) > 0 ? " (" . xu . (logx ? ", log scale)" : ")") \
                                           : (logx ? " (log scale)" : "")) \
            . (exists("xkeys") ? "; with it: " . xkeys : "") noenhanced
        set ylabel sprintf("%s (%s%s; mean, 95%% CI)", nice(m), unit(m), logy ? ", log" : "") noenhanced
        set autoscale xfix
        # optional vertical marks (marks.csv of the sweep: e.g. Young's and
        # Daly's optimum checkpoint interval)
        unset arrow
        unset label
        if (exists("marks")) {
            do for [i = 1:words(marks)] {
                mx = real(word(marks, i))
                set arrow from mx, graph 0 to mx, graph 1 nohead lc rgb "#555555" lw 2 dt 3 front
                set label (exists("markname".i) ? value("markname".i) : word(marknames, i)) at mx, graph (0.97 - 0.07 * (i - 1)) offset 0.5, 0 front font ",15" noenhanced
            }
        }
        eval cmd[1:strlen(cmd) - 2]
        set output
    }
}
