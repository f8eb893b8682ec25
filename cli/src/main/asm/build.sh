#!/usr/bin/env bash
# Assembles the benchmark guests (bare-metal AArch64 ELFs linked at 0x40080000, as QEMU's -kernel
# and Vitrine load them) into OUT/bench/NAME.elf. Run by the cli module's build (pom.xml).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in "$src"/*.S; do
  name=$(basename "$s" .S)
  aarch64-linux-gnu-as -I "$src" -o "$tmp/$name.o" "$s"
  aarch64-linux-gnu-ld -nostdlib -N --no-warn-rwx-segments -Ttext=0x40080000 -e _start -o "$out/$name.elf" "$tmp/$name.o"
done
