#!/usr/bin/env bash
# `cargo build --offline --release --quiet ARGS` as rost's images are built, reproducibly: the
# compiler is pinned to Debian's /usr/bin rustc/cargo (rustup's shims come first on PATH and have
# no aarch64 core), cargo runs offline (there are no third-party crates), and the caller's
# RUSTFLAGS and wrappers are ignored (all flags live in .cargo/config.toml). rustc warns that
# `-outline-atomics` is an unstable target feature, once per crate, and has no switch to silence
# just that; exactly that message and its per-crate summary line are dropped, so a clean build
# prints nothing while every other warning still shows. Used by build.sh here and by
# ../guest-apps/build.sh, each from its workspace.
set -euo pipefail
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER \
  CARGO_BUILD_TARGET CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
export RUSTC=/usr/bin/rustc

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/bin/cargo build --offline --release --quiet "$@" 2>"$log" || status=$?
awk '
  /^warning: unstable feature specified for `-Ctarget-feature`: `outline-atomics`$/ { skip = 1; next }
  skip && /^$/ { skip = 0; next }
  skip { next }
  /^warning: `[a-z_-]+` \((lib|bin "[a-z_-]+")\) generated 1 warning( \(1 duplicate\))?$/ { next }
  { print }
' "$log" >&2
exit "$status"
