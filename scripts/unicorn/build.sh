#!/usr/bin/env bash
# Builds libunicorn 2.1.4 for AArch64 only, with the project's patches (the *.patch beside this
# script), into DEST/usr/lib/x86_64-linux-gnu/libunicorn.so.2: the layout of Debian's package, so
# `-Dvitrine.unicorn.lib` (or VITRINE_UNICORN_LIB) can point at it. 0005 (the inline block counter,
# which Vitrine's fixed model uses when the library has it) needs 0001 and 0002; the measured
# combination is `build.sh SRC DEST 0001-*.patch 0002-*.patch 0005-*.patch` (docs/speed.md, session 6).
#
#   scripts/unicorn/build.sh SOURCE DEST [PATCH...]
#
# SOURCE: Unicorn's source at tag 2.1.4 (commit 8028ec436f2d9376525352dd38ed9ed6b9f6be10), as a
# folder or a .tar.gz/.tar.xz of one (top folder stripped). None of the registries this project
# reaches (Debian's binary packages, Maven Central, npm) serves it, so scripts/setup.sh does not
# build it: see docs/speed.md, "A patched libunicorn", for the measurements and what integrating it
# would take. PATCH...: the patches to apply, in order (default: every *.patch here).
# Needs gcc, cmake and make (or ninja). Takes about 95 s of CPU (two cores: under a minute).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SOURCE DEST [PATCH...]" >&2; exit 2; }
source=$1 dest=$2; shift 2
patches=("$@")
[ ${#patches[@]} -gt 0 ] || patches=("$here"/*.patch)

work=$(mktemp -d "${TMPDIR:-/tmp}/unicorn-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
if [ -d "$source" ]; then
  cp -a "$source"/. "$work/src"
else
  tar -xf "$source" -C "$work/src" --strip-components=1
fi
[ -f "$work/src/qemu/accel/tcg/cputlb.c" ] || { echo "$source is not Unicorn's source" >&2; exit 1; }
h="$work/src/include/unicorn/unicorn.h"
grep -q 'define UC_API_MINOR 1$' "$h" && grep -q 'define UC_API_PATCH 4$' "$h" \
  || { echo "$source is not Unicorn 2.1.4 (the patches are made for it)" >&2; exit 1; }
for p in "${patches[@]}"; do
  patch -d "$work/src" -p1 -s --forward < "$p" || { echo "patch $(basename "$p") does not apply" >&2; exit 1; }
done

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$work/src" -B "$work/build" "${generator[@]}" -DUNICORN_ARCH=aarch64 -DCMAKE_BUILD_TYPE=Release \
  -DUNICORN_BUILD_TESTS=OFF -DUNICORN_LEGACY_STATIC_ARCHIVE=OFF -DUNICORN_INSTALL=OFF >"$work/cmake.log" 2>&1 \
  || { tail -n 30 "$work/cmake.log" >&2; echo "cmake failed" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 \
  || { tail -n 30 "$work/build.log" >&2; echo "building libunicorn failed" >&2; exit 1; }

mkdir -p "$dest/usr/lib/x86_64-linux-gnu"
install -m 755 "$work/build/libunicorn.so.2" "$dest/usr/lib/x86_64-linux-gnu/libunicorn.so.2"
echo "libunicorn 2.1.4 + $(printf '%s ' "${patches[@]##*/}")-> $dest/usr/lib/x86_64-linux-gnu/libunicorn.so.2"
