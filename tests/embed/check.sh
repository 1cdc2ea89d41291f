#!/bin/sh
# check-embed: sluice as a library, used the way an embedding program
# would, from an installed tree.  Run from the top folder (make check-embed).
#
#  1. make install DESTDIR=$tmp/root PREFIX=/usr/local; checks the shared
#     library's soname, its two links and that it has no text relocations.
#  2. With PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR pointing into that
#     tree, builds tests/embed/example.c with `pkg-config --cflags --libs
#     sluice gsl` (the example calls gsl_set_error_handler_off itself, so
#     it names gsl; sluice alone gives just -lsluice, and libsluice.so
#     carries its own gsl, inih and libm dependencies), loading
#     libsluice.so.0 from the tree; with `--static` and -static; and as
#     C++ (proving the extern "C" guards at link time).  Every installed
#     header also passes the C++ compiler (-fsyntax-only) and every layer
#     header holds an extern "C" guard.
#  3. Runs each build on CONFIGS and compares: the figures it prints with
#     the same columns of summary.csv from the installed `sluice run`, and
#     the result files it writes (every CSV and config.ini) with the CLI's,
#     byte for byte.
set -eu
MAKE=${MAKE:-make}
CC=${CC:-cc}
CXX=${CXX:-c++}
CONFIGS="workloads/default.ini workloads/faults.ini"
CFLAGS_STRICT="-std=c11 -Wall -Wextra -Wpedantic -Werror"
CXXFLAGS_STRICT="-std=c++11 -Wall -Wextra -Wpedantic -Werror"

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "check-embed: FAIL: $*" >&2; exit 1; }
say() { echo "check-embed: $*"; }

# ---- 1. install
root=$t/root
say "$MAKE install DESTDIR=$root PREFIX=/usr/local"
$MAKE --no-print-directory install DESTDIR="$root" PREFIX=/usr/local >"$t/install.log" 2>&1 ||
    { cat "$t/install.log" >&2; fail "make install"; }
lib=$root/usr/local/lib
inc=$root/usr/local/include/sluice
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
version=$(pkg-config --modversion sluice) || fail "pkg-config finds no sluice.pc in $lib/pkgconfig"
major=${version%%.*}
[ -f "$lib/libsluice.a" ] || fail "no $lib/libsluice.a"
{ [ -f "$lib/libsluice.so.$version" ] && [ ! -L "$lib/libsluice.so.$version" ]; } ||
    fail "no file $lib/libsluice.so.$version"
[ "$(readlink "$lib/libsluice.so.$major")" = "libsluice.so.$version" ] ||
    fail "libsluice.so.$major is not a link to libsluice.so.$version"
[ "$(readlink "$lib/libsluice.so")" = "libsluice.so.$major" ] ||
    fail "libsluice.so is not a link to libsluice.so.$major"
readelf -d "$lib/libsluice.so.$version" >"$t/dyn"
grep -q "(SONAME).*\[libsluice.so.$major\]" "$t/dyn" || fail "soname is not libsluice.so.$major"
! grep -q TEXTREL "$t/dyn" || fail "libsluice.so has text relocations (objects not PIC)"
[ -f "$inc/sluice.h" ] || fail "no $inc/sluice.h"
say "installed sluice $version: libsluice.a, libsluice.so.$version (soname libsluice.so.$major), headers"

# ---- 2. build the example against the installed tree
cflags=$(pkg-config --cflags sluice gsl)
libs=$(pkg-config --libs sluice gsl)
slibs=$(pkg-config --libs --static sluice gsl)
# shellcheck disable=SC2046 # word splitting drops pkg-config's blanks
set -- $(pkg-config --libs sluice)
plain="$*"
[ "$plain" = "-L$lib -lsluice" ] || fail "pkg-config --libs sluice gives '$plain', not -L$lib -lsluice"
for dep in libgsl.so libinih.so libm.so; do
    grep -q "(NEEDED).*\[$dep" "$t/dyn" || fail "libsluice.so does not name $dep as needed"
done
build() { # OUT COMPILER... : the compiler line, shown and run
    out=$1
    shift
    say "$*"
    "$@" || fail "building $out"
}
# shellcheck disable=SC2086 # the flags are word lists
build shared $CC $CFLAGS_STRICT $cflags tests/embed/example.c -o "$t/ex_shared" $libs
# shellcheck disable=SC2086
build static $CC $CFLAGS_STRICT -static $cflags tests/embed/example.c -o "$t/ex_static" $slibs
# shellcheck disable=SC2086
build c++ $CXX $CXXFLAGS_STRICT $cflags -x c++ tests/embed/example.c -x none -o "$t/ex_cxx" $libs
# The README's example ("Using sluice as a library"), as a user copies it.
awk '/^## Using sluice as a library/ { in_sec = 1; next }
     /^## / { in_sec = 0 }
     in_sec && /^```c$/ { code = 1; next }
     code && /^```$/ { exit }
     code { print }' README.md >"$t/readme.c"
[ -s "$t/readme.c" ] || fail "README.md: no C example under 'Using sluice as a library'"
# shellcheck disable=SC2086
build readme $CC $CFLAGS_STRICT $cflags "$t/readme.c" -o "$t/ex_readme" $libs
LD_LIBRARY_PATH=$lib ldd "$t/ex_shared" >"$t/ldd"
grep -q "libsluice.so.$major => $lib/libsluice.so.$major" "$t/ldd" ||
    { cat "$t/ldd" >&2; fail "ex_shared does not load libsluice.so.$major from $lib"; }
! readelf -d "$t/ex_static" 2>/dev/null | grep -q NEEDED || fail "ex_static needs shared libraries"
n=0
for h in $(cd "$inc" && find . -name '*.h' | sort); do
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS_STRICT $cflags -x c++ -fsyntax-only "$inc/$h" || fail "$h does not compile as C++"
    case $h in
    ./*/*) grep -q '^extern "C" {' "$inc/$h" ||
        fail "${h#./} has no extern \"C\" guards (add them: sh tests/embed/guard.sh sim/${h#./})" ;;
    esac
    n=$((n + 1))
done
say "$n installed headers compile as C++ ($CXX -fsyntax-only)"

# ---- 3. run and compare with the CLI
for cfg in $CONFIGS; do
    name=$(basename "$cfg" .ini)
    "$root/usr/local/bin/sluice" run "$cfg" --out "$t/cli_$name" >/dev/null || fail "sluice run $cfg"
    for b in shared static cxx; do
        mkdir "$t/${b}_$name"
        LD_LIBRARY_PATH=$lib "$t/ex_$b" "$cfg" "$t/${b}_$name" >"$t/${b}_$name.out" ||
            fail "ex_$b $cfg exited with $?"
    done
    # The columns the example names, picked from summary.csv by name.
    awk -F, -v cols="$(head -n 1 "$t/shared_$name.out")" '
        NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i
                  n = split(cols, c, ",")
                  for (j = 1; j <= n; j++) if (!(c[j] in at)) { print "no column " c[j] > "/dev/stderr"; exit 1 } }
        { s = ""; for (j = 1; j <= n; j++) s = s (j > 1 ? "," : "") $(at[c[j]]); print s }' \
        "$t/cli_$name/summary.csv" >"$t/want_$name.out" || fail "summary.csv of $cfg"
    [ "$(wc -l <"$t/want_$name.out")" -ge 2 ] || fail "summary.csv of $cfg has no rows"
    for b in shared static cxx; do
        diff "$t/want_$name.out" "$t/${b}_$name.out" >&2 ||
            fail "ex_$b $cfg: figures differ from summary.csv of sluice run"
        nfiles=0
        for f in "$t/cli_$name"/*.csv "$t/cli_$name/config.ini"; do
            f=${f##*/}
            cmp "$t/cli_$name/$f" "$t/${b}_$name/$f" || fail "ex_$b $cfg: $f differs from sluice run's"
            nfiles=$((nfiles + 1))
        done
    done
    # The README's example: one line per row of summary.csv, with its verdict.
    LD_LIBRARY_PATH=$lib "$t/ex_readme" "$cfg" >"$t/readme_$name.out" ||
        fail "the README's example on $cfg exited with $?"
    awk -F, 'NR > 1 { print $1 }' "$t/cli_$name/summary.csv" >"$t/want_exec_$name"
    sed 's/:.*//' "$t/readme_$name.out" | diff "$t/want_exec_$name" - >&2 ||
        fail "the README's example on $cfg: not one line per executor of summary.csv"
    grep -q 'p99 latency [0-9.e+-]* s, ok$' "$t/readme_$name.out" ||
        fail "the README's example on $cfg: unexpected output"
    say "$cfg: shared, static and C++ builds print summary.csv's figures and write the CLI's $nfiles files; the README's example runs"
done
say "ok"
