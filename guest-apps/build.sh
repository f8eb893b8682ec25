#!/usr/bin/env bash
# Builds rost's user space and its disk: every program of the workspace as a static-PIE ELF in
# build/<name>.elf (the file server last: it includes the demo and the boot screen, and the
# kernel includes it), then build/disk.img, a FAT16 image (dosfstools + mtools, so it can be read and
# written on the host with mdir/mcopy) with the programs in /BIN and the sample documents of
# docs/ (and its folders) in /DOCS. Reproducible: the compiler is pinned like the kernel's (see
# kernel-image/cargo-build.sh), and the FAT image gets a fixed volume id and fixed timestamps.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

target=aarch64-unknown-linux-gnu
build() { "$here/../kernel-image/cargo-build.sh" "$@"; }

# The programs on the disk, in /BIN; fsd is not one of them (it is process 1, in the kernel).
apps=(demo hello systest hostile screen peer wmtest wm terminal browser snake editor files pingpong uarch)

# Stripped: the symbol names' hashes depend on where the checkout is (the ABI crate is a path
# dependency outside this workspace), and fsd and the kernel image include these files. The
# unstripped ELFs, for debugging, stay in target/.
strip() {
  for app in "$@"; do
    aarch64-linux-gnu-strip -o "build/$app.elf" "target/$target/release/$app"
  done
}

mkdir -p build
build --workspace --exclude fsd
strip "${apps[@]}"
build -p fsd
strip fsd

# The disk: 16 MiB FAT16, fixed volume id; mtools' timestamps pinned with SOURCE_DATE_EPOCH.
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01
img=build/disk.img.tmp
rm -f "$img"
truncate -s 16M "$img"
mkfs.fat --invariant -F 16 -n ROST -i 0x2026c0de "$img" >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$img" ::/BIN ::/DOCS
for app in "${apps[@]}"; do
  mcopy -i "$img" "build/$app.elf" "::/BIN/$(echo "$app" | tr a-z A-Z)"
done
# A malformed program for the loader's tests: hello cut off in the middle of its segments.
head -c 3000 build/hello.elf > build/broken.elf
mcopy -i "$img" build/broken.elf ::/BIN/BROKEN
# docs/ and its folders (the Browser's sample pages in docs/web), names in upper case.
upper() { basename "$1" | tr a-z A-Z; }
for doc in docs/*; do
  if [ -d "$doc" ]; then
    mmd -i "$img" "::/DOCS/$(upper "$doc")"
    for page in "$doc"/*; do
      mcopy -i "$img" "$page" "::/DOCS/$(upper "$doc")/$(upper "$page")"
    done
  else
    mcopy -i "$img" "$doc" "::/DOCS/$(upper "$doc")"
  fi
done
mv "$img" build/disk.img
