# common.gp: settings shared by every sluice plot script (loaded first).
#
# Inputs (gnuplot variables, set with -e "name='value'"; sluice plot sets
# them all, a user running a script by hand needs only dir):
#   dir      the run folder holding summary.csv, timeline.csv, ...  (".")
#   outdir   where plots go (dir."/plots"; must exist)
#   formats  "png svg" (default) or one of them
#   execs    executors to draw, space separated, in the order of
#            summary.csv (default: read from summary.csv)
#   labels, styles, deltas  per executor: see executors.gp
#   haswin, hasevents, haspanes  0 when windows.csv / events.csv /
#            panes.csv is missing (default 1)
#   tmin, tmax  zoom: the part of the run (processing time, s) that the
#            time axes show (default: all of it)
# Every plot: 1280x800, fonts sized for a slide, one colour + dash type +
# point type per executor (the same in every plot, distinct in greyscale).

set datafile separator comma
set datafile missing ""
if (!exists("dir")) dir = "."
if (!exists("outdir")) outdir = dir."/plots"
if (!exists("formats")) formats = "png svg"
# Optional files (sluice plot says whether they exist; gnuplot cannot).
if (!exists("haswin")) haswin = 1
if (!exists("hasevents")) hasevents = 1
if (!exists("haspanes")) haspanes = 1
csv(name) = dir."/".name
# Zoom of the processing-time axes (event_time, latency_time, throughput):
# tmin / tmax in s (sluice plot --from / --to); unset: the whole run.
BIG = 1e300
if (!exists("tmin")) tmin = -BIG
if (!exists("tmax")) tmax = BIG
zoomed = tmin > -BIG || tmax < BIG
# eval zoom_time after a script's own `set xrange [0:*]`
zoom_time = 'if (tmin > -BIG) { set xrange [tmin:] }; if (tmax < BIG) { set xrange [:tmax] }'

# ---- executors ----------------------------------------------------------
# (by hand: the executor rows of summary.csv, in file order)
if (!exists("execs")) {
    execs = ""
    stats csv("summary.csv") using (column("events"), execs = execs.strcol("executor")." ", 1) nooutput
    # and their labels and deltas, when summary.csv has those columns
    # (folders of older sluice versions do not)
    summary_header = system("head -n 1 '".csv("summary.csv")."'")
    if (strstrt(",".summary_header.",", ",label,") > 0) {
        labels = ""
        stats csv("summary.csv") using (column("events"), labels = labels.strcol("label")." ", 1) nooutput
    }
    if (strstrt(",".summary_header.",", ",deltas,") > 0) {
        deltas = ""
        stats csv("summary.csv") using (deltas = deltas.sprintf("%d ", column("deltas")), 1) nooutput
    }
}
load rdir."/executors.gp"
set style line 9 lc rgb "#555555" lw 1.5 dt 3

# ---- data rows per file (a run can leave a file with its header only) ----
# count_rows(file, expr) counts the data rows where expr is true; use it as
#   eval count_rows("timeline.csv", "column('lat_p99') > 0", "nlat")
# (expr must address a column with column('name'): a file's first row is
# its header, and gnuplot reads it as one only then; strcol('name') alone
# is not enough)
count_rows(f, expr, var) = sprintf("undefine STATS_*; stats csv('%s') using ((%s) ? 1 : 0) nooutput; %s = exists('STATS_sum') ? int(STATS_sum) : 0", f, expr, var)
eval count_rows("timeline.csv", "column('time') == column('time')", "ntimeline")

# ---- faults: read once into arrays ---------------------------------------
undefine STATS_*
stats csv("faults.csv") using (column("fault_id")) nooutput
nfault_rows = exists("STATS_records") ? int(STATS_records) : 0
array fex[nfault_rows > 0 ? nfault_rows : 1]
array fkind[nfault_rows > 0 ? nfault_rows : 1]
array fid[nfault_rows > 0 ? nfault_rows : 1]
array ftime[nfault_rows > 0 ? nfault_rows : 1]
array fresumed[nfault_rows > 0 ? nfault_rows : 1]
array fcaught[nfault_rows > 0 ? nfault_rows : 1]
if (nfault_rows > 0) {
    do for [i=1:nfault_rows] {
        stats csv("faults.csv") every ::(i-1)::(i-1) \
            using (fex[i]=strcol("executor"), fid[i]=column("fault_id"), fkind[i]=strcol("kind"), \
                   ftime[i]=column("time"), fresumed[i]=column("resumed"), \
                   fcaught[i]=column("caught_up"), 1) nooutput
    }
}
# distinct faults: the rows of the first executor that has any
first_fault_exec = nfault_rows > 0 ? fex[1] : ""

# distinct faults (numbered from 1 in labels: fault_id + 1)
nfaults_distinct = 0
if (nfault_rows > 0) { do for [i=1:nfault_rows] { if (fex[i] eq first_fault_exec) { nfaults_distinct = nfaults_distinct + 1 } } }
# A fault's label: "crash 1 (200 s)" for up to 8 faults, else its number;
# with more than 16 only every fault_label_step-th is labelled, and labels
# alternate between two heights so that neighbours do not overprint.
fault_label_step = nfaults_distinct > 16 ? int(ceil(nfaults_distinct / 16.0)) : 1
round_time(t) = abs(t) >= 10 ? sprintf("%.0f s", t) : sprintf("%.2g s", t)
fault_label(i) = nfaults_distinct <= 8 ? sprintf("%s %d (%s)", fkind[i], fid[i] + 1, round_time(ftime[i])) : sprintf("%d", fid[i] + 1)
fault_in_zoom(i) = ftime[i] >= tmin && ftime[i] <= tmax
# Vertical dotted line and a label at each fault (eval mark_faults).
mark_faults = 'if (nfault_rows > 0) { do for [i=1:nfault_rows] { if (fex[i] eq first_fault_exec && fault_in_zoom(i)) { \
    set arrow from ftime[i], graph 0 to ftime[i], graph 1 nohead ls 9 front; \
    if (int(fid[i]) % fault_label_step == 0) { \
        set label fault_label(i) at ftime[i], graph ((int(fid[i]) / fault_label_step) % 2 ? 0.92 : 0.97) offset 0.4,0 left font ",13" tc rgb "#444444" front } } } }'
# The recovery period of each fault and executor (from the fault to
# caught_up, or resumed), in the executor's colour (eval shade_faults):
# shaded over the whole height for up to 12 rows of faults.csv, beyond
# that (shading would pile up) a bar per executor along the bottom.
recovery_end(i) = fcaught[i] == fcaught[i] ? fcaught[i] : (fresumed[i] == fresumed[i] ? fresumed[i] : ftime[i])
shade_faults = 'if (nfault_rows > 0) { do for [i=1:nfault_rows] { if (strstrt(" ".execs." ", " ".fex[i]." ") > 0 && recovery_end(i) > ftime[i]) { \
    if (nfault_rows <= 12) { set object rect from ftime[i], graph 0 to recovery_end(i), graph 1 behind fc rgb colour_of(fex[i]) fs transparent solid 0.15 noborder } \
    else { set object rect from ftime[i], graph 0.025 * exec_index(fex[i]) to recovery_end(i), graph 0.025 * (exec_index(fex[i]) + 1) front fc rgb colour_of(fex[i]) fs solid 0.8 noborder } } } }'
clear_marks = 'unset arrow; unset label; unset object'

# ---- output ---------------------------------------------------------------
# Before drawing: eval term_of(fmt); set output out_of(fmt).  After: eval close_output.
# Markers: svg draws a point 0.75 font heights per unit of ps (13.5 px at
# 18 pt), pngcairo 6.5 px whatever the font: pointscale 2.08 makes them the
# same size in both (scripts' ps values are chosen for that scale).
term_of(fmt) = (fmt eq "png" ? "set terminal pngcairo pointscale 2.08" : "set terminal svg") . \
    " size 1280,800 enhanced font 'DejaVu Sans,18' linewidth 1.5 rounded background rgb 'white'"
out_of(fmt) = outdir . "/" . plotname . "." . fmt
close_output = 'unset multiplot; set output'

set grid back lc rgb "#dddddd" lw 1 dt 1
set border lw 1.5
set key opaque box lc rgb "#bbbbbb" samplen 3 spacing 1.2
set title font ",22"
# Message shown instead of a plot when the data does not apply.
no_data(msg) = sprintf("unset logscale; unset arrow; unset object; set label 1 '%s' at graph 0.5, 0.5 center font ',20'; unset xtics; unset ytics; unset key; set xrange [0:1]; set yrange [0:1]; set border 0; unset grid", msg)

# ---- headline figures per executor (arrays indexed by ls_of(e)) ------------
array p50[nstyles]
array p99[nstyles]
do for [e in execs] {
    stats csv("summary.csv") using (strcol("executor") eq e ? \
        (p50[ls_of(e)] = column("lat_p50"), p99[ls_of(e)] = column("lat_p99"), 1) : 1) nooutput
}
secs(x) = x == x ? (x < 1 ? sprintf("%.3g s", x) : (x < 1000 ? sprintf("%.3g s", x) : sprintf("%.0f s", x))) : "n/a"
