# completeness.gp: plot 6, completeness per window (windows.csv): the
# share of the ground-truth count that the first pane showed (top) and
# that the final result holds (bottom), averaged over keys, against the
# window's start in event time, one line per executor.  Look for early
# answers that are incomplete (top below 1) and for final results that
# miss late data (bottom below 1) or count it twice (above 1).
# Usage: gnuplot -e "dir='results/demo'" reports/completeness.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "completeness"
load rdir."/common.gp"

# windows.csv is not written for window type none: sluice plot sets
# haswin=0 then (gnuplot cannot test whether a file exists).
share(a, t) = t > 0 ? a / t : NaN
is(e) = strcol("executor") eq e

nwin = 0
if (haswin) { eval count_rows("windows.csv", "column('truth_count') > 0", "nwin") }

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    if (nwin == 0) {
        set title "Completeness per window"
        eval no_data(haswin ? "No window holds any event in this run." : "No windows in this run (window type none): every event is its own result.")
        plot 2 notitle
    } else {
        set multiplot layout 2,1 title "Completeness per window: share of the true count (mean over keys)" font ",22" \
            margins 0.09, 0.97, 0.11, 0.82 spacing 0, 0.11
        set key at screen 0.5, screen 0.935 center top horizontal maxrows 1 width 1 samplen 2
        set yrange [0:*]
        set offsets 0, 0, graph 0.08, 0
        set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#999999" dt 3 back
        set title "in the first pane (what a reader saw first)" font ",18"
        set ylabel "share of truth"
        set format x ""
        set xlabel ""
        plot for [e in execs] csv("windows.csv") \
                 using "window_start":(is(e) ? share(column("first_count"), column("truth_count")) : NaN) smooth unique with linespoints ls ls_of(e) \
                 title label_of(e)
        set title "in the final result (after every late pane)" font ",18"
        set format x "%g"
        set xlabel "window start (event time, s)"
        unset key
        plot for [e in execs] csv("windows.csv") \
                 using "window_start":(is(e) ? share(column("final_count"), column("truth_count")) : NaN) smooth unique with linespoints ls ls_of(e) \
                 title label_of(e)
    }
    eval close_output
    unset arrow
    unset label
}
