# latency_cdf.gp: plot 2, the CDF of visibility latency (event time ->
# first pane that counts the event) per executor, log x axis, from
# latency.csv (measure "event"); p50 and p99 from summary.csv are marked
# and labelled.  Read it left = faster, steep = predictable; the gap
# between the p50 and p99 marks is the tail.
# Usage: gnuplot -e "dir='results/demo'" reports/latency_cdf.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "latency_cdf"
load rdir."/common.gp"

is_event(e) = strcol("executor") eq e && strcol("measure") eq "event"
# Zero latencies (underflow bucket) cannot be drawn on a log axis.
pos(x) = x > 0 ? x : NaN

eval count_rows("latency.csv", "strcol('measure') eq 'event' && column('latency_s') > 0", "ncdf")

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Visibility latency: CDF per executor (p50 and p99 marked)"
    if (ncdf == 0) {
        eval no_data("No event became visible in this run (latency.csv has no rows).")
        plot 2 notitle
    } else {
    set xlabel "visibility latency: event time to first visible result (s, log scale)"
    set ylabel "share of events visible within x"
    set logscale x
    set format x "10^{%T}"
    set xrange [*:*]
    set yrange [0:1.05]
    set ytics 0, 0.1, 1
    set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead lc rgb "#999999" dt 3 back
    set arrow 2 from graph 0, first 0.99 to graph 1, first 0.99 nohead lc rgb "#999999" dt 3 back
    set key top left title "markers: p50 (at 0.5) and p99 (at 0.99)" font ",16"
    plot for [e in execs] csv("latency.csv") \
             using (is_event(e) ? pos(column("latency_s")) : NaN):(is_event(e) ? column("cdf") : NaN) with steps ls ls_of(e) \
             title sprintf("%s: p50 %s, p99 %s", label_of(e), secs(p50[ls_of(e)]), secs(p99[ls_of(e)])), \
         for [e in execs] csv("summary.csv") \
             using (strcol("executor") eq e ? pos(column("lat_p50")) : NaN):(0.5) with points ls ls_of(e) ps 1.3 notitle, \
         for [e in execs] csv("summary.csv") \
             using (strcol("executor") eq e ? pos(column("lat_p99")) : NaN):(0.99) with points ls ls_of(e) ps 1.3 notitle
    }
    eval close_output
}
