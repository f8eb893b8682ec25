#!/usr/bin/env bash
# Builds rost into build/kernel.elf, reproducibly: the compiler is pinned to Debian's /usr/bin
# rustc/cargo (rustup's shims come first on PATH and have no aarch64 core), cargo runs offline
# (there are no third-party crates), and the caller's RUSTFLAGS and wrappers are ignored; all flags
# live in .cargo/config.toml. User space (../guest-apps/build.sh) is built first: the kernel image
# includes the demo program, and the disk image comes with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
"$here/../guest-apps/build.sh"

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER \
  CARGO_BUILD_TARGET CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
export RUSTC=/usr/bin/rustc
target=aarch64-unknown-linux-gnu

# rustc warns that `-outline-atomics` is an unstable target feature, once per crate, and has no
# switch to silence just that; drop exactly that message and its per-crate summary line so a
# clean build prints nothing, while every other warning still shows.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/bin/cargo build --offline --release --quiet -p rost-kernel 2>"$log" || status=$?
awk '
  /^warning: unstable feature specified for `-Ctarget-feature`: `outline-atomics`$/ { skip = 1; next }
  skip && /^$/ { skip = 0; next }
  skip { next }
  /^warning: `[a-z_-]+` \((lib|bin "[a-z_-]+")\) generated 1 warning( \(1 duplicate\))?$/ { next }
  { print }
' "$log" >&2
[ "$status" -eq 0 ] || exit "$status"

mkdir -p build
cp "target/$target/release/rost-kernel" build/kernel.elf
elf=build/kernel.elf
