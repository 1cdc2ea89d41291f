# throughput.gp: plot 4, throughput (events processed per second) and
# backlog (events waiting) over processing time per executor, from
# timeline.csv; the offered load (arrivals per second) in grey.  Each
# fault's recovery period, from the fault to caught_up in faults.csv, is
# shaded in the executor's colour.  Look for the dip at a fault, the
# catch-up burst above the offered load afterwards, and the backlog
# building up and draining.
# Usage: gnuplot -e "dir='results/demo'" reports/throughput.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "throughput"
load rdir."/common.gp"

# Bucket width: the time of the first row (buckets start at 0), or the
# step between the first two rows of the same executor.
bucket = 1
if (ntimeline > 0) {
    stats csv("timeline.csv") every ::0::1 using "time" nooutput
    bucket = (STATS_records == 2 && STATS_max > STATS_min) ? STATS_max - STATS_min : STATS_min
    if (!(bucket > 0)) { bucket = 1 }
}
first_exec = word(execs, 1)

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    if (ntimeline == 0) {
        set title "Throughput and backlog over time"
        eval no_data("timeline.csv has no rows.")
        plot 2 notitle
    } else {
    set multiplot layout 2,1 title "Throughput and backlog over time (shaded: recovery after a fault)" font ",22" \
        margins 0.09, 0.97, 0.11, 0.79 spacing 0, 0.11
    set xrange [0:*]
    eval zoom_time
    set key at screen 0.5, screen 0.935 center top horizontal maxrows 1 width 1 samplen 2
    set ylabel "events/s"
    set format x ""
    set xlabel ""
    set title "throughput: events processed per second" font ",18"
    eval shade_faults
    eval mark_faults
    plot csv("timeline.csv") using "time":(strcol("executor") eq first_exec ? column("arrivals") / bucket : NaN) \
             with fillsteps fc rgb "#cccccc" fs solid 0.5 noborder title "offered load (arrivals/s)", \
         for [e in execs] csv("timeline.csv") \
             using "time":(strcol("executor") eq e ? column("processed") / bucket : NaN) with steps ls ls_of(e) title label_of(e)
    unset label
    set title "backlog: events arrived but not yet processed" font ",18"
    set format x "%g"
    set xlabel "processing time (s)"
    set ylabel "events"
    unset key
    plot for [e in execs] csv("timeline.csv") \
             using "time":(strcol("executor") eq e ? column("backlog") : NaN) with steps ls ls_of(e) title label_of(e)
    }
    eval close_output
    eval clear_marks
}
