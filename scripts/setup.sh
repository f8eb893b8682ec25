#!/usr/bin/env bash
# Installs everything Vitrine and rost need on a Debian 12 (bookworm) machine, idempotently.
#
# What it installs and why:
#   - Debian packages: Maven, libcapstone4 (disassembler), QEMU (the reference machine for
#     differential tests), dtc, Xvfb + Mesa + xdotool (window tests), mtools/dosfstools (disk
#     images), gdb-multiarch, the Rust cross toolchain (rustc-web, cargo-web, the arm64 core/alloc,
#     lld).
#   - libunicorn >= 2.1: the system's if it has one, otherwise Debian trixie's libunicorn2t64,
#     downloaded through a private apt configuration (the system's package sources are not touched)
#     and extracted under .deps/unicorn/.
#   - JDK 25 must already be present (Temurin under /usr/lib/jvm); there is no Debian 12 package.
#
# Not root: commands go through sudo when it works without a password, else the exact command is
# printed and the script stops.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"
stamp="$deps/setup.stamp"
say() { printf '[setup] %s\n' "$*" >&2; }

# Bump when the package set changes, so machines that ran an older set run it again.
SETUP_VERSION=5
APT_PACKAGES=(maven gcc libcapstone4 qemu-system-arm device-tree-compiler xvfb xauth libgl1-mesa-dri
  libglx-mesa0 xdotool x11-utils imagemagick mtools dosfstools gdb-multiarch
  strace libx11-6 libxrandr2 libxinerama1 libxcursor1 libxi6 libxxf86vm1 libgl1
  binutils-aarch64-linux-gnu rustc-web cargo-web libstd-rust-web-dev:arm64 lld)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif sudo -n true 2>/dev/null; then sudo "$@"
  else
    say "need root for: $*"
    say "run it yourself (or give this user password-less sudo), then run this script again."
    exit 1
  fi
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
}

missing_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

install_packages() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding the arm64 architecture (for the Rust core/alloc of the guest target)"
    as_root dpkg --add-architecture arm64
    apt_updated=0
  fi
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -n "${missing// /}" ]; then
    apt_update_once
    say "installing: $missing"
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}

# The Debian mirror the system already uses (deb822 or one-line format); never a hard-coded host.
debian_mirror() {
  local uri
  uri=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | sed -E 's/\[[^]]*\]//' | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  [ -n "$uri" ] || { say "no Debian mirror found in the system's apt sources"; exit 1; }
  echo "${uri%/}"
}

system_unicorn_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' libunicorn2t64 2>/dev/null || dpkg-query -W -f='${Version}' libunicorn2 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 2.1
}

install_unicorn() {
  local lib="$deps/unicorn/usr/lib/x86_64-linux-gnu/libunicorn.so.2"
  if system_unicorn_ok || [ -f "$lib" ]; then return; fi
  local mirror work
  mirror=$(debian_mirror)
  work="$deps/trixie-apt"
  say "fetching libunicorn 2.1 (Debian trixie's libunicorn2t64) from $mirror into .deps/unicorn"
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$deps/unicorn"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
  local opts=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
              -o Dir::State::Lists="$work/lists" -o Dir::Cache::archives="$work/archives"
              -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1)
  [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq
  (cd "$work" && apt-get "${opts[@]}" download libunicorn2t64)
  dpkg-deb -x "$work"/libunicorn2t64_*.deb "$deps/unicorn"
  rm -rf "$work/lists"
  [ -f "$lib" ] || { say "libunicorn.so.2 missing from the downloaded package"; exit 1; }
}

# Debian 12's libunicorn 2.0.1, extracted (never installed) so a test can show that Vitrine refuses it.
install_old_unicorn() {
  local dir="$deps/unicorn-2.0"
  [ -f "$dir/usr/lib/x86_64-linux-gnu/libunicorn.so.2" ] && return
  say "fetching Debian 12's libunicorn 2.0.1 into .deps/unicorn-2.0 (for the version-refusal test)"
  mkdir -p "$dir" "$deps/bookworm-dl"
  if (cd "$deps/bookworm-dl" && apt-get download -qq libunicorn2 2>/dev/null); then
    dpkg-deb -x "$deps"/bookworm-dl/libunicorn2_*.deb "$dir"
  else
    say "could not download libunicorn2 2.0.1; the refusal test will be skipped"
  fi
  rm -rf "$deps/bookworm-dl"
}

check_jdk() {
  local j
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$j/bin/java" ] || continue
    if "$j/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then return; fi
  done
  say "no JDK 25 found under /usr/lib/jvm or JAVA_HOME; install a JDK 25 (e.g. Temurin 25) and run again"
  exit 1
}

main() {
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$SETUP_VERSION" ] && [ -z "$(missing_packages)" ]; then
    install_unicorn
    install_old_unicorn
    return
  fi
  check_jdk
  install_packages
  install_unicorn
  install_old_unicorn
  mkdir -p "$deps"
  echo "$SETUP_VERSION" > "$stamp"
  say "done"
}
main "$@"
