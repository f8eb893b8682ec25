#!/usr/bin/env bash
# Builds rost into build/kernel.elf, reproducibly (cargo-build.sh pins the compiler and the flags).
# User space (../guest-apps/build.sh) is built first: the kernel image includes the file server,
# and the disk image comes with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
"$here/../guest-apps/build.sh"

target=aarch64-unknown-linux-gnu
"$here/cargo-build.sh" -p rost-kernel

mkdir -p build
cp "target/$target/release/rost-kernel" build/kernel.elf
elf=build/kernel.elf
