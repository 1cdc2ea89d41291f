# time_split.gp: plot 9, where an event's time goes, per executor, as
# stacked bars of means (summary.csv): waiting for processing to start
# (wait_mean), being processed (work_mean) and held until visible
# (hold_mean: window, watermark, batch cutoff or commit).  Look for which
# part dominates: batch waits for its schedule, stream holds for the
# watermark.
# Usage: gnuplot -e "dir='results/demo'" reports/time_split.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "time_split"
load rdir."/common.gp"
# summary.csv of sluice before these columns has none (sluice plot says)
if (!exists("hassplit")) hassplit = 1

array wait_m[nstyles]
array work_m[nstyles]
array hold_m[nstyles]
ymax = 0
if (hassplit) {
    do for [e in execs] {
        stats csv("summary.csv") using (strcol("executor") eq e ? (wait_m[ls_of(e)] = column("wait_mean"), \
            work_m[ls_of(e)] = column("work_mean"), hold_m[ls_of(e)] = column("hold_mean"), 1) : 1) nooutput
        i = ls_of(e)
        tot = (wait_m[i] == wait_m[i] ? wait_m[i] : 0) + (work_m[i] == work_m[i] ? work_m[i] : 0) + (hold_m[i] == hold_m[i] ? hold_m[i] : 0)
        ymax = tot > ymax ? tot : ymax
    }
}
z(x) = x == x ? x : 0
set print $SPLIT
do for [e in execs] { i = ls_of(e); print sprintf("%d,%.9g,%.9g,%.9g", exec_index(e), z(wait_m[i]), z(wait_m[i]) + z(work_m[i]), z(wait_m[i]) + z(work_m[i]) + z(hold_m[i])) }
unset print
array sfill[3] = ["solid 1.0", "pattern 4", "solid 0.3"]
array sname[3] = ["waiting to be processed (wait\\_mean)", "processing (work\\_mean)", "held until visible (hold\\_mean)"]

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Where the time goes: mean seconds per event, from arrival to visible"
    set ylabel "mean time per event (s)"
    set style fill solid 1.0 border lc rgb "black"
    set boxwidth 0.5 absolute
    set xrange [-0.6 : nexecs - 0.4]
    set yrange [0 : ymax > 0 ? 1.3 * ymax : 1]
    set xtics scale 0 ()
    do for [e in execs] { set xtics add (label_of(e) exec_index(e)) }
    set grid ytics
    set key below horizontal
    if (ymax == 0) {
        eval no_data(hassplit ? "No event was processed in this run." : "summary.csv has no wait_mean, work_mean, hold_mean (an older sluice).")
        plot 2 notitle
    } else {
        # drawn top part first: each bar covers the one below from 0
        cmd = "plot "
        do for [k=3:1:-1] {
            do for [e in execs] {
                cmd = cmd . sprintf("$SPLIT using ($1 == %d ? $1 : NaN):%d with boxes fc rgb '%s' fs %s notitle, ", exec_index(e), k + 1, colour_of(e), sfill[k])
            }
        }
        do for [k=1:3] { cmd = cmd . sprintf("NaN with boxes fc rgb '#555555' fs %s title '%s', ", sfill[k], sname[k]) }
        cmd = cmd . "$SPLIT using 1:4:(secs($4)) with labels offset 0,0.8 font ',14' notitle"
        eval cmd
    }
    eval close_output
}
