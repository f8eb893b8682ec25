#!/usr/bin/env bash
# Counts the kernel's lines of Rust: non-blank lines that are not only a comment, in every .rs file
# under kernel-image/ except the abi crate (shared with user space), tests (tests/ directories,
# *_test.rs, and everything from a `#[cfg(test)]` line to the end of its file) and build output.
# Prints `kernel lines: N (budget 2500)` and exits 1 when N exceeds the budget.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
budget=2500

n=$(find "$here" \( -path "$here/target" -o -path "$here/build" -o -path "$here/abi" -o -name tests \) -prune \
      -o -type f -name '*.rs' ! -name '*_test.rs' -print0 \
    | sort -z \
    | xargs -0 -r awk '
        FNR == 1 { block = 0; tests = 0 }
        tests { next }
        /^[ \t]*#\[cfg\(test\)\]/ { tests = 1; next }
        block { if ($0 ~ /\*\//) block = 0; next }
        /^[ \t]*\/\*/ { if ($0 !~ /\*\//) block = 1; next }
        /^[ \t]*(\/\/.*)?$/ { next }
        { n++ }
        END { print n + 0 }')
echo "kernel lines: $n (budget $budget)"
[ "$n" -le "$budget" ]
