#!/bin/sh
# usage: tests/labs/grade.sh LAB SRC   (what `make lab-grade` runs)
# Builds the student's SRC with warnings as errors, links it with the
# lab's grader (build/labs/obj/) and libsluice, and runs the grader.
# Exit status: 0 all checks passed, 1 a check failed, 2 bad usage.
lab=$1
src=$2
case $lab in
watermark) sym=lab_watermark; type=watermark_type ;;
trigger) sym=lab_trigger; type=trigger_type ;;
*) echo "lab-grade: LAB=$lab: no such lab (LAB=watermark or LAB=trigger)"; exit 2 ;;
esac
if [ ! -f "$src" ]; then
    echo "lab-grade: $src: no such file (give your file with SRC=path/to/file.c)"
    exit 2
fi
for f in build/libsluice.a build/labs/obj/grade.o "build/labs/obj/grade_$lab.o"; do
    [ -f "$f" ] || { echo "lab-grade: $f is missing: run make lab-grade, not this script"; exit 2; }
done
CC=${CC:-cc}
flags="-std=c11 -Wall -Wextra -Wpedantic -Werror -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -O2 -Isim $(pkg-config --cflags gsl)"
d=$(mktemp -d) || exit 2
trap 'rm -rf "$d"' EXIT
echo "lab-grade: $lab lab, grading $src"
if ! $CC $flags -c "$src" -o "$d/student.o" 2>"$d/cc.txt"; then
    cat "$d/cc.txt"
    echo "FAIL  builds without warnings  the compiler's messages are above; here every warning is an error: fix each one"
    exit 1
fi
echo "PASS  builds without warnings"
if ! $CC -o "$d/grade" build/labs/obj/grade.o "build/labs/obj/grade_$lab.o" "$d/student.o" \
        build/libsluice.a $(pkg-config --libs gsl inih) -lcsv -lm 2>"$d/ld.txt"; then
    cat "$d/ld.txt"
    echo "FAIL  links  $src must define exactly one 'const $type $sym' (start from the lab's skeleton file)"
    exit 1
fi
"$d/grade"
