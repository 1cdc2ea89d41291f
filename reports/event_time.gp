# event_time.gp: plot 1, event time against arrival (processing) time of
# the sampled events (events.csv), with each executor's watermark drawn
# from its change points (watermarks.csv; timeline.csv's samples for a
# folder from before that file) as a step line: the classic picture of
# out-of-order data from Streaming Systems.  Points far below the
# diagonal are late events; a point below a watermark line arrived after
# that executor's watermark had passed it.  Faults are marked.
# Axes are fitted to the data; tmin / tmax (processing time, s; sluice
# plot --from / --to) zoom into a part of the run.
# Usage: gnuplot -e "dir='results/demo'" reports/event_time.gp
#        gnuplot -e "dir='results/demo'; tmin=190; tmax=260" reports/event_time.gp
if (!exists("rdir")) { rdir = ARG0; n = strlen(rdir); while (n > 0 && rdir[n:n] ne "/") { n = n - 1 }; rdir = n > 1 ? rdir[1:n-1] : (n == 1 ? "/" : ".") }
plotname = "event_time"
load rdir."/common.gp"
if (!exists("haswms")) haswms = system("test -f '".csv("watermarks.csv")."' && echo 1 || echo 0") + 0
inzoom(t) = (t >= tmin && t <= tmax) ? 1 : 0

# where the watermarks come from: (file, time column)
wmfile = haswms ? "watermarks.csv" : "timeline.csv"
# executors that report a watermark; the others (batch: its cutoff is its
# schedule) get a note, not a legend entry
array nwm[nstyles]
nwm_all = 0
wm_none = ""
do for [e in execs] {
    eval count_rows(wmfile, sprintf("strcol('executor') eq '%s' && column('watermark') == column('watermark')", e), "nwm_e")
    nwm[ls_of(e)] = nwm_e
    nwm_all = nwm_all + nwm_e
    if (nwm_e == 0) { wm_none = wm_none.(strlen(wm_none) ? ", " : "").label_of(e) }
}

# ---- the ranges: fitted to what is drawn, within the zoom ----------------
xlo = BIG; xhi = -BIG; ylo = BIG; yhi = -BIG
if (hasevents) {
    undefine STATS_*
    stats csv("events.csv") using (inzoom(column("arrival_time")) ? column("arrival_time") : NaN):(inzoom(column("arrival_time")) ? column("event_time") : NaN) nooutput
    if (exists("STATS_records") && STATS_records > 0 && exists("STATS_min_x")) {
        xlo = STATS_min_x; xhi = STATS_max_x; ylo = STATS_min_y; yhi = STATS_max_y
    }
}
if (nwm_all > 0) {
    undefine STATS_*
    stats csv(wmfile) using (inzoom(column("time")) && column("watermark") == column("watermark") ? column("time") : NaN):(inzoom(column("time")) ? column("watermark") : NaN) nooutput
    if (exists("STATS_records") && STATS_records > 0 && exists("STATS_min_x")) {
        xlo = xlo < STATS_min_x ? xlo : STATS_min_x; xhi = xhi > STATS_max_x ? xhi : STATS_max_x
        ylo = ylo < STATS_min_y ? ylo : STATS_min_y; yhi = yhi > STATS_max_y ? yhi : STATS_max_y
    }
}
if (tmin > -BIG) { xlo = tmin }
if (tmax < BIG) { xhi = tmax }
hasdata = xlo < xhi && ylo <= yhi
if (hasdata) {
    if (tmin == -BIG && xlo > 0 && xlo < 0.05 * xhi) { xlo = 0 }
    if (ylo > 0 && ylo < 0.05 * yhi) { ylo = 0 }
    padx = 0.02 * (xhi - xlo); pady = 0.03 * (yhi > ylo ? yhi - ylo : 1)
    xlo = (xlo == 0 || tmin > -BIG) ? xlo : xlo - padx
    ylo = ylo == 0 ? 0 : ylo - pady
    xtop = tmax < BIG ? tmax : xhi + padx
}

# a watermark holds its last value until the executor's run ends (its
# last timeline row): drawn on from the last change point (computed here,
# before any range is set: stats honours the ranges)
array wl_t[nstyles]
array wl_v[nstyles]
array wl_end[nstyles]
do for [e in execs] {
    if (nwm[ls_of(e)] > 0) {
        undefine STATS_*
        stats csv(wmfile) using (strcol("executor") eq e ? column("time") : NaN):(strcol("executor") eq e ? column("watermark") : NaN) nooutput
        wl_t[ls_of(e)] = STATS_max_x; wl_v[ls_of(e)] = STATS_max_y
        stats csv("timeline.csv") using (strcol("executor") eq e ? column("time") : NaN) nooutput
        wl_end[ls_of(e)] = STATS_max
    }
}

do for [fmt in formats] {
    eval term_of(fmt)
    set output out_of(fmt)
    set title "Event time vs arrival time, with each executor's watermark"
    set xlabel "processing time: arrival at the system (s)"
    set ylabel "event time (s)"
    set key below horizontal maxrows 2 width 1 samplen 2
    set bmargin 7.5
    if (!hasdata) {
        eval no_data("No sampled event and no watermark to draw in this run".(zoomed ? " between the times asked" : "")."." )
        plot 2 notitle
    } else {
        set xrange [xlo : xtop]
        set yrange [ylo : yhi + pady]
        eval mark_faults
        do for [e in execs] {
            i = ls_of(e)
            if (nwm[i] > 0 && wl_end[i] > (wl_t[i] > xlo ? wl_t[i] : xlo) && wl_v[i] >= ylo && wl_v[i] <= yhi + pady) {
                set arrow from (wl_t[i] > xlo ? wl_t[i] : xlo), wl_v[i] to (wl_end[i] < xtop ? wl_end[i] : xtop), wl_v[i] nohead ls i front
            }
        }
        notes = ""
        if (!hasevents) { notes = "events.csv missing: watermarks only" }
        if (strlen(wm_none)) { notes = notes.(strlen(notes) ? "\n" : "").wm_none.": no watermark (not drawn)" }
        if (!haswms && nwm_all > 0) { notes = notes.(strlen(notes) ? "\n" : "")."watermark sampled once per timeline bucket (no watermarks.csv)" }
        if (strlen(notes)) { set label 10 notes at graph 0.98, graph 0.05 right front font ",14" tc rgb "#444444" }
        wm_plot = ''
        do for [e in execs] {
            if (nwm[ls_of(e)] > 0) {
                wm_plot = wm_plot . sprintf(', csv(wmfile) using "time":(strcol("executor") eq "%s" ? column("watermark") : NaN) with steps ls %d title "watermark: %s"', e, ls_of(e), label_of(e))
            }
        }
        ev_plot = hasevents ? 'csv("events.csv") using "arrival_time":"event_time" with points pt 7 ps 0.4 lc rgb "#777777" title "events (sampled)", ' : ''
        eval 'plot ' . ev_plot . 'x with lines lw 1.5 dt 1 lc rgb "#bbbbbb" title "no delay: event time = arrival"' . wm_plot
        unset label 10
    }
    eval close_output
    eval clear_marks
}
