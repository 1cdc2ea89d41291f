# latency_time.gp: plot 3, visibility latency over processing time per
# executor (timeline.csv: p99 as a thick line, p50 as a thin line of the
# same colour, log y axis), with each fault marked by a dotted vertical
# line (faults.csv).  Look for the spike after a fault and how long it
# takes to come back down.
# Usage: gnuplot -e "dir='results/demo'" reports/latency_time.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "latency_time"
load rdir."/common.gp"
pos(x) = x > 0 ? x : NaN

eval count_rows("timeline.csv", "column('lat_p50') > 0 || column('lat_p99') > 0", "nlat")

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Visibility latency over time (thick: p99, thin: p50), faults marked"
    set xlabel "processing time (s)"
    set ylabel "visibility latency of events made visible (s, log scale)"
    set logscale y
    set xrange [0:*]
    eval zoom_time
    set key below horizontal maxrows 2 width 1
    set bmargin 7.5
    if (nlat == 0) {
        eval no_data("No event became visible in this run (timeline.csv has no latencies).")
        plot 2 notitle
    } else {
    eval mark_faults
    plot for [e in execs] csv("timeline.csv") \
             using "time":(strcol("executor") eq e ? pos(column("lat_p99")) : NaN) with linespoints ls ls_of(e) \
             title label_of(e)." p99", \
         for [e in execs] csv("timeline.csv") \
             using "time":(strcol("executor") eq e ? pos(column("lat_p50")) : NaN) with linespoints ls ls_of(e) lw 1 pt pt_open(e) ps 0.6 \
             title label_of(e)." p50"
    }
    eval close_output
    eval clear_marks
}
