# latency_bars.gp: plot 8, the visibility latency of each executor as
# grouped bars: p50, p95 and p99 (summary.csv), the value written on each
# bar.  Look for the gap between the median and the tail, and which
# executor is faster for most events but slower in the tail.
# Usage: gnuplot -e "dir='results/demo'" reports/latency_bars.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "latency_bars"
load rdir."/common.gp"

array p95[nstyles]
do for [e in execs] {
    stats csv("summary.csv") using (strcol("executor") eq e ? (p95[ls_of(e)] = column("lat_p95"), 1) : 1) nooutput
}
# one row per executor: position, p50, p95, p99
set print $LAT
do for [e in execs] { print sprintf("%d,%.9g,%.9g,%.9g", exec_index(e), p50[ls_of(e)], p95[ls_of(e)], p99[ls_of(e)]) }
unset print
ymax = 0
do for [e in execs] { if (p99[ls_of(e)] == p99[ls_of(e)] && p99[ls_of(e)] > ymax) { ymax = p99[ls_of(e)] } }
bw = 0.26
# percentile k (1 p50, 2 p95, 3 p99): offset and fill, distinct in grey
poff(k) = (k - 2) * (bw + 0.02)
array pfill[3] = ["solid 0.3", "pattern 4", "solid 1.0"]
array pname[3] = ["p50 (median)", "p95", "p99"]

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Visibility latency per executor: median and tail"
    set ylabel "visibility latency (s)"
    set xlabel ""
    set style fill solid 1.0 border lc rgb "black"
    set boxwidth bw absolute
    set xrange [-0.6 : nexecs - 0.4]
    set yrange [0 : ymax > 0 ? 1.15 * ymax : 1]
    set xtics scale 0 ()
    do for [e in execs] { set xtics add (label_of(e) exec_index(e)) }
    set grid ytics
    set key below horizontal
    if (ymax == 0) {
        eval no_data("No event became visible in this run (summary.csv has no latencies).")
        plot 2 notitle
    } else {
        cmd = "plot "
        do for [k=1:3] {
            do for [e in execs] {
                cmd = cmd . sprintf("$LAT using ($1 == %d ? $1 + poff(%d) : NaN):%d with boxes fc rgb '%s' fs %s notitle, ", \
                    exec_index(e), k, k + 1, colour_of(e), pfill[k])
                cmd = cmd . sprintf("$LAT using ($1 == %d ? $1 + poff(%d) : NaN):%d:(secs(column(%d))) with labels offset 0,0.7 font ',13' notitle, ", \
                    exec_index(e), k, k + 1, k + 1)
            }
            cmd = cmd . sprintf("NaN with boxes fc rgb '#555555' fs %s title '%s', ", pfill[k], pname[k])
        }
        eval cmd . "NaN notitle"
    }
    eval close_output
}
