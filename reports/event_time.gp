# event_time.gp: plot 1, event time against arrival (processing) time of
# the sampled events (events.csv), with each executor's watermark
# (timeline.csv) as a step line: the classic picture of out-of-order data
# from Streaming Systems.  Points far below the diagonal are late events;
# a point below a watermark line arrived after that executor's watermark
# had passed it.
# Usage: gnuplot -e "dir='results/demo'" reports/event_time.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "event_time"
load rdir."/common.gp"

# executors that report no watermark (batch: its cutoff is not one) say so
array nwm[nstyles]
do for [e in execs] {
    eval count_rows("timeline.csv", sprintf("strcol('executor') eq '%s' && column('watermark') == column('watermark')", e), "nwm_e")
    nwm[ls_of(e)] = nwm_e
}
wm_title(e) = nwm[ls_of(e)] > 0 ? "watermark: ".label_of(e) : label_of(e).": no watermark"

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Event time vs arrival time, with each executor's watermark"
    set xlabel "processing time: arrival at the system (s)"
    set ylabel "event time (s)"
    set key top left
    set xrange [0:*]
    set yrange [0:*]
    wm_plot = 'for [e in execs] csv("timeline.csv") using "time":(strcol("executor") eq e ? column("watermark") : NaN) with steps ls ls_of(e) title wm_title(e)'
    ev_plot = hasevents ? 'csv("events.csv") using "arrival_time":"event_time" with points pt 7 ps 0.7 lc rgb "#777777" title "event (sampled)", ' : ''
    if (!hasevents) { set label 1 "events.csv missing: watermarks only" at graph 0.98, graph 0.04 right }
    eval 'plot ' . ev_plot . 'x with lines lw 1.5 dt 1 lc rgb "#bbbbbb" title "event time = arrival time (no delay)", ' . wm_plot
    unset label 1
    eval close_output
}
