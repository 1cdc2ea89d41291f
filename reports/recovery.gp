# recovery.gp: plot 5, the cost of each fault per executor (faults.csv):
# four panels, downtime (s), events reprocessed, CPU seconds wasted and
# duplicate panes, one bar per executor for each fault.  Look for which
# executor pays most for the same fault, and in what currency (a batch
# job re-runs everything, a stream job replays since its checkpoint).
# Usage: gnuplot -e "dir='results/demo'" reports/recovery.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "recovery"
load rdir."/common.gp"

# distinct fault ids: 0 .. max
nfaults = 0
if (nfault_rows > 0) { do for [i=1:nfault_rows] { if (fid[i] + 1 > nfaults) { nfaults = int(fid[i]) + 1 } } }
bw = 0.8 / (nexecs > 0 ? nexecs : 1)
xpos(e, f) = f + (exec_index(e) - (nexecs - 1) / 2.0) * bw
# fill per executor: solid dark, hatched, light solid (distinct in grey)
array style_fills[nstyles] = ["solid 1.0", "pattern 5", "solid 0.45", "pattern 4", "solid 0.7", "pattern 6"]
fill_of(e) = style_fills[ls_of(e)]
set style fill solid 1.0 border lc rgb "black"

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    if (nfaults == 0) {
        set title "Recovery cost per fault and executor"
        eval no_data("No faults were injected in this run (faults.csv has no rows).")
        plot 2 notitle
    } else {
        set multiplot layout 2,2 title "Recovery cost per fault and executor" font ",22" \
            margins 0.09, 0.98, 0.12, 0.80 spacing 0.13, 0.16
        set boxwidth bw absolute
        set xrange [-0.6:nfaults - 0.4]
        set yrange [0:*]
        set xtics scale 0 font ",15"
        set grid ytics
        set key at screen 0.5, screen 0.935 center top horizontal maxcols 3 maxrows 1 font ",16" samplen 2 width 1
        set offsets 0, 0, graph 0.12, 0
        # x tic labels, from the first executor's rows: "crash 1\n(363 s)"
        # for up to 4 faults, else the fault's number (as in the other
        # plots' fault labels), every fault_label_step-th one
        set xtics ()
        nfree = 0
        free_kinds = ""
        do for [i=1:nfault_rows] {
            if (fex[i] eq first_fault_exec) {
                lbl = nfaults_distinct <= 4 ? sprintf("%s %d\n(%s)", fkind[i], fid[i] + 1, round_time(ftime[i])) : sprintf("%d", fid[i] + 1)
                if (int(fid[i]) % fault_label_step == 0) { set xtics add (lbl fid[i]) }
                if (fkind[i] ne "crash") {
                    nfree = nfree + 1
                    if (strstrt(free_kinds, fkind[i]) == 0) { free_kinds = free_kinds.(strlen(free_kinds) ? " and " : "").fkind[i]."s" }
                }
            }
        }
        note = nfaults_distinct > 4 ? "x: the fault's number, as in the other plots" : ""
        if (nfree > 0) {
            note = note . (strlen(note) ? "\n" : "") . sprintf("%s (%d of %d) cost no downtime, replay or CPU: they slow or pause the work (see latency over time).", free_kinds, nfree, nfaults_distinct)
        }
        if (strlen(note)) { set label 20 note at screen 0.5, screen 0.045 center font ",13" tc rgb "#444444" }
        do for [m=1:4] {
            col = m == 1 ? "downtime" : (m == 2 ? "reprocessed" : (m == 3 ? "cpu_wasted" : "duplicates"))
            set title (m == 1 ? "downtime (s)" : (m == 2 ? "events reprocessed" : \
                      (m == 3 ? "CPU wasted (CPU-s)" : "duplicate panes emitted"))) font ",18"
            set ylabel (m == 1 ? "s" : (m == 2 ? "events" : (m == 3 ? "CPU-s" : "panes")))
            if (m > 1) { unset key }
            cmd = "plot "
            do for [e in execs] {
                cmd = cmd . sprintf("csv('faults.csv') using (strcol('executor') eq '%s' ? xpos('%s', column('fault_id')) : NaN):(column(col)) with boxes fc rgb '%s' fs %s border lc rgb 'black' lw 1.5 dt 1 title '%s', ", \
                    e, e, colour_of(e), fill_of(e), label_of(e))
            }
            eval cmd . "NaN notitle"
        }
    }
    eval close_output
    unset label
}
