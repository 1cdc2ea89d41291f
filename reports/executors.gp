# executors.gp: one style per executor, the same in every plot (loaded by
# common.gp and sweep.gp, after they have set execs).
#
# Inputs (sluice plot sets them from summary.csv or sweep.csv and sluice's
# executor registry; each a space-separated list in the order of execs):
#   execs    executor names, as in the executor column
#   labels   their legend words ("micro-batch"; default: the names)
#   styles   their style numbers 1..6: the executor's place in sluice's
#            registry (1 batch, 2 microbatch, 3 stream; others after), so
#            an executor looks the same in every run (default: 1, 2, ...)
#   deltas   1 when its panes are deltas (discarding), else 0 (default 0)
#   exec_ps_extra  added to every point size (sweep.gp: 0.2)
if (!exists("labels")) labels = execs
if (!exists("styles")) { styles = ""; do for [i = 1:words(execs)] { styles = styles.sprintf("%d ", i) } }
if (!exists("deltas")) { deltas = ""; do for [i = 1:words(execs)] { deltas = deltas."0 " } }
if (!exists("exec_ps_extra")) exec_ps_extra = 0
nexecs = words(execs)
# executor index 0..nexecs-1 in the drawn order (for bar offsets)
exec_index(e) = (strstrt(" ".execs." ", " ".e." ") == 0) ? 0 : \
    words(substr(" ".execs, 1, strstrt(" ".execs." ", " ".e." ")))
exec_word(list, e) = word(list, exec_index(e) + 1)
# Colours differ in lightness too (dark blue, orange, light green, ...),
# and each style has its own dash type and point type for greyscale prints.
nstyles = 6
style_colours = "#08306b #e6550d #41ab5d #756bb1 #636363 #d6616b"
style_dts = "1 2 4 5 6 1"
style_pts = "5 7 9 11 13 15"
style_open_pts = "4 6 8 10 12 14"
style_ps = "0.8 0.8 0.9 0.8 0.8 0.8"
do for [i = 1:nstyles] {
    eval sprintf("set style line %d lc rgb '%s' lw 3 dt %s pt %s ps %g", i, word(style_colours, i), \
        word(style_dts, i), word(style_pts, i), real(word(style_ps, i)) + exec_ps_extra)
}
ls_of(e) = (int(exec_word(styles, e)) - 1) % nstyles + 1
label_of(e) = exec_word(labels, e)
colour_of(e) = word(style_colours, ls_of(e))
pt_open(e) = int(word(style_open_pts, ls_of(e)))   # open marker
deltas_of(e) = int(exec_word(deltas, e))
