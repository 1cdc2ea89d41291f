# pane_timeline.gp: plot 7, the pane timeline of a few windows: when each
# EARLY / ON_TIME / LATE / BATCH pane became visible (x, processing time)
# and the result it showed (y, the count downstream after the pane: the
# running sum for delta panes) against the true count (dashed) and the
# window's end (dotted vertical line).  sluice plot picks the windows
# (pickkeys, pickstarts, pickends, npick; output/panepick.h): together
# they show the EARLY, ON_TIME, LATE and BATCH panes the run has, never
# the same interval twice, drawn in time order.  By hand (no pickkeys) the
# script takes the npick windows with the most panes.
# Look for the early panes undercounting, the on-time pane at the
# watermark, late panes climbing to the truth, and batch answering once
# but late.
# Usage: gnuplot -e "dir='results/demo'" reports/pane_timeline.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "pane_timeline"
load rdir."/common.gp"
if (!exists("npick")) npick = 3

array wkey[npick > 0 ? npick : 1]
array wstart[npick > 0 ? npick : 1]
array wend[npick > 0 ? npick : 1]
array wtruth[npick > 0 ? npick : 1]
array wlast[npick > 0 ? npick : 1]
picked(k, s) = sum [j=1:npick] ((wkey[j] == k && wstart[j] == s) ? 1 : 0)
nw = 0
if (haswin && haspanes && exists("pickkeys")) {
    # sluice plot chose the windows (output/panepick.h): together they show
    # every kind of pane the run has, each a different interval, in time order
    do for [j=1:npick] {
        wkey[j] = real(word(pickkeys, j)); wstart[j] = real(word(pickstarts, j)); wend[j] = real(word(pickends, j))
    }
    nw = npick
} else {
    if (haswin && haspanes) {
        # by hand: the windows with the most panes
        do for [j=1:npick] { wkey[j] = NaN; wstart[j] = NaN }
        do for [j=1:npick] {
            undefine STATS_*
            stats csv("windows.csv") using (picked(column("key"), column("window_start")) ? 0 : column("panes")) nooutput
            if (exists("STATS_max") && STATS_max > 0) {
                row = int(STATS_index_max)
                stats csv("windows.csv") every ::row::row \
                    using (wkey[j] = column("key"), wstart[j] = column("window_start"), \
                           wend[j] = column("window_end"), 1) nooutput
                nw = nw + 1
            }
        }
    }
}
do for [j=1:nw] {
    stats csv("windows.csv") using ((column("key") == wkey[j] && column("window_start") == wstart[j] && column("window_end") == wend[j]) ? column("truth_count") : NaN) nooutput
    wtruth[j] = STATS_max
    stats csv("panes.csv") using ((column("key") == wkey[j] && column("window_start") == wstart[j]) ? column("emit_time") : NaN) nooutput
    wlast[j] = STATS_max
}
# a round tic step (1, 2 or 5 times a power of ten) of at least x
nice_step(x) = x <= 0 ? 1 : (m = 10 ** floor(log10(x)), r = x / m, \
    m * (r <= 1 ? 1 : (r <= 2 ? 2 : (r <= 5 ? 5 : 10))))
tshape(s) = s eq "EARLY" ? 8 : (s eq "ON_TIME" ? 7 : (s eq "LATE" ? 2 : 5))
# The panes of executor e in window j go to datablock $P<j>_<ls_of(e)>:
# emit time, count shown downstream (delta panes of a discarding stream
# add up), point type of the timing.
match(e, j) = strcol("executor") eq e && column("key") == wkey[j] && column("window_start") == wstart[j]
acc = 0
shown(e, j) = match(e, j) ? (acc = deltas_of(e) ? acc + column("count") : column("count")) : NaN
block(j, e) = sprintf("$P%d_%d", j, ls_of(e))
if (nw > 0) {
    do for [j=1:nw] {
        do for [e in execs] {
            acc = 0
            eval "set table " . block(j, e) . " separator comma"
            plot csv("panes.csv") using "emit_time":(shown(e, j)):(tshape(strcol("timing"))) with table if (match(e, j))
            unset table
        }
    }
}

legend_rest = 'NaN with lines lc rgb "black" dt 2 lw 1.5 title "true count", NaN with lines ls 9 title "window end", NaN with points pt 8 ps 1.1 lc rgb "black" title "EARLY", NaN with points pt 7 ps 1.1 lc rgb "black" title "ON\\_TIME", NaN with points pt 2 ps 1.1 lc rgb "black" title "LATE", NaN with points pt 5 ps 1.1 lc rgb "black" title "BATCH"'

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    if (nw == 0) {
        set title "Pane timeline"
        eval no_data(!haswin ? "No windows in this run (window type none): every event is its own result." : (haspanes ? "No window had a pane in this run." : "panes.csv was not written for this run (run.panes_csv = 0)."))
        plot 2 notitle
    } else {
        set multiplot layout nw,1 title "Pane timeline: when each pane appeared and what it showed" font ",22" \
            margins 0.09, 0.97, 0.115, 0.74 spacing 0, 0.14
        set key at screen 0.5, screen 0.935 center top horizontal maxrows 2 font ",16" samplen 2 width 1
        set ylabel "count (events)"
        do for [j=1:nw] {
            set title sprintf("key %d, window [%g, %g) s: true count %d", wkey[j], wstart[j], wend[j], wtruth[j]) font ",16"
            set arrow 1 from graph 0, first wtruth[j] to graph 1, first wtruth[j] nohead lc rgb "black" dt 2 lw 1.5 back
            set arrow 2 from wend[j], graph 0 to wend[j], graph 1 nohead ls 9 back
            span = wlast[j] - wstart[j]
            set xrange [wstart[j] - 0.03 * span : wlast[j] + 0.05 * span]
            set yrange [0 : 1.2 * wtruth[j]]
            set ytics 0, nice_step(1.2 * wtruth[j] / 3)
            if (j == nw) { set xlabel "processing time: when the pane became visible (s)" } else { set xlabel "" }
            if (j > 1) { unset key }
            cmd = "plot "
            do for [e in execs] {
                cmd = cmd . sprintf("%s using 1:2 with steps ls %d lw 1.5 notitle, %s using 1:2:3 with points ls %d pt variable ps 1.1 notitle, NaN with linespoints ls %d title '%s', ", \
                    block(j, e), ls_of(e), block(j, e), ls_of(e), ls_of(e), label_of(e))
            }
            eval cmd . legend_rest
        }
    }
    eval close_output
    unset arrow
    unset label
}
