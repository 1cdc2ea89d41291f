# recovery_timeline.gp: plot 10, each crash's recovery per executor
# (faults.csv) along processing time: from the crash to its detection,
# restoring until processing resumed, catching up until backlog and
# latency were back to normal (caught_up).  One row per executor; every
# fault is marked.  Look for which executor is back soonest, and how
# long catching up takes compared with the downtime itself.
# Usage: gnuplot -e "dir='results/demo'" reports/recovery_timeline.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "recovery_timeline"
load rdir."/common.gp"

eval count_rows("faults.csv", "strcol('kind') eq 'crash' && column('detected') == column('detected')", "ncrash_rows")
# phase k of a row: 1 crash -> detected, 2 detected -> resumed,
# 3 resumed -> caught_up
ph_from(k) = k == 1 ? column("time") : (k == 2 ? column("detected") : column("resumed"))
ph_to(k) = k == 1 ? column("detected") : (k == 2 ? column("resumed") : column("caught_up"))
array phfill[3] = ["solid 1.0", "pattern 4", "solid 0.3"]
array phname[3] = ["crash until detected", "restoring until resumed", "catching up"]
row_of(e) = nexecs - 1 - exec_index(e)

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Recovery after each crash: detected, resumed, caught up"
    set xlabel "processing time (s)"
    set ylabel ""
    set style fill solid 1.0 border lc rgb "black"
    set yrange [-0.7 : nexecs - 0.3]
    set ytics scale 0 ()
    do for [e in execs] { set ytics add (label_of(e) row_of(e)) }
    set xrange [0:*]
    eval zoom_time
    set grid xtics
    set key below horizontal maxrows 1
    set bmargin 6
    if (ncrash_rows == 0) {
        eval no_data("No crash in this run: nothing to recover from (slowdowns and outages stop no executor).")
        plot 2 notitle
    } else {
        eval mark_faults
        cmd = "plot "
        do for [k=1:3] {
            do for [e in execs] {
                cmd = cmd . sprintf("csv('faults.csv') using (strcol('executor') eq '%s' && ph_to(%d) > ph_from(%d) ? (ph_from(%d) + ph_to(%d)) / 2 : NaN):(row_of('%s')):((ph_to(%d) - ph_from(%d)) / 2):(0.3) with boxxyerror fc rgb '%s' fs %s notitle, ", \
                    e, k, k, k, k, e, k, k, colour_of(e), phfill[k])
            }
            cmd = cmd . sprintf("NaN with boxes fc rgb '#555555' fs %s title '%s', ", phfill[k], phname[k])
        }
        eval cmd . "NaN notitle"
    }
    eval close_output
    eval clear_marks
}
