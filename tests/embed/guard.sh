#!/bin/sh
# guard.sh HEADER...: gives each header that has none the extern "C"
# guards every installed header carries (check-embed fails without them):
#
#     #ifdef __cplusplus            after the last #include (or after the
#     extern "C" {                  include guard's #define when there is
#     #endif                        no #include), after a blank line
#
#     #ifdef __cplusplus            before the last #endif, followed by a
#     }                             blank line
#     #endif
#
# The rest of the file is left as it is; a header that already has
# `extern "C" {` is skipped.  For developers (a new header, or a merge that
# brings one): sh tests/embed/guard.sh sim/NEW/*.h
set -eu
for h in "$@"; do
    if grep -q '^extern "C" {' "$h"; then
        echo "guard.sh: $h: has its guards"
        continue
    fi
    awk '
        NR == FNR {
            if ($0 ~ /^#include/) inc = FNR
            if (!def && $0 ~ /^#define /) def = FNR
            if ($0 ~ /^#endif/) end = FNR
            next
        }
        FNR == 1 { at = inc ? inc : def
                   if (!at || !end || end < at) { print FILENAME ": no include guard" > "/dev/stderr"; exit 1 } }
        FNR == end { print "#ifdef __cplusplus"; print "}"; print "#endif"; print "" }
        { print }
        FNR == at { print ""; print "#ifdef __cplusplus"; print "extern \"C\" {"; print "#endif" }
    ' "$h" "$h" >"$h.guard.tmp" || { rm -f "$h.guard.tmp"; exit 1; }
    mv "$h.guard.tmp" "$h"
    echo "guard.sh: $h: guards added"
done
