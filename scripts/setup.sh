#!/usr/bin/env bash
# Installs everything Vitrine and rost need on a Debian 12 (bookworm) machine, idempotently.
#
# What it installs and why:
#   - Debian packages: Maven, libcapstone4 (disassembler), QEMU (the reference machine for
#     differential tests), dtc, Xvfb + Mesa + xdotool (window tests), mtools/dosfstools (disk
#     images), gdb-multiarch, the Rust cross toolchain (rustc-web, cargo-web, the arm64 core/alloc,
#     lld).
#   - libunicorn >= 2.1.4: the system's if it has one, otherwise Debian sid's libunicorn2t64 (2.1.4),
#     downloaded through a private apt configuration (the system's package sources are not touched)
#     and extracted under .deps/unicorn-2.1.4/. Why 2.1.4: see install_unicorn.
#   - Debian 12's u-boot-qemu, Linux 6.1 arm64 Image and busybox-static, extracted under
#     .deps/debian-boot/ for the tests that boot them (install_boot_images).
#   - JDK 25: the system's if it has one (JAVA_HOME, Temurin or any other under /usr/lib/jvm),
#     otherwise Debian trixie's OpenJDK 25 with the glibc it needs, extracted under .deps/jdk25/ (see
#     install_jdk). If even that fails, the script stops with the commands that install Temurin 25.
#
# Not root: commands go through sudo when it works without a password, else the exact command is
# printed and the script stops.
#
#   scripts/setup.sh                      install what is missing
#   scripts/setup.sh --print-java-home    the same, then print the JDK 25 to use on stdout
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

# One dpkg-query for the whole list (one per package cost ~0.5 s on every launch of ./vitrine).
missing_packages() {
  local p name qualified status
  local -A installed=()
  while read -r name qualified status; do
    [ "$status" = "install ok installed" ] && installed[$name]=1 installed[$qualified]=1
  done < <(dpkg-query -W -f='${Package} ${Package}:${Architecture} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
  for p in "${APT_PACKAGES[@]}"; do
    [ -n "${installed[$p]:-}" ] || echo "$p"
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

# Downloads (never installs) packages of Debian suite $1 into folder $2 through a private apt
# configuration under .deps/: the system's package sources and state are not touched.
debian_download() {
  local suite=$1 dest=$2; shift 2
  local mirror work="$deps/$suite-apt" rc=0
  mirror=$(debian_mirror) || return 1
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$dest"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$work/sources.list"
  local opts=(-qq -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
              -o Dir::State::Lists="$work/lists" -o Dir::Cache::archives="$work/archives"
              -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1)
  [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update && (cd "$dest" && apt-get "${opts[@]}" download "$@") || rc=$?
  rm -rf "$work/lists"
  return "$rc"
}

# libunicorn 2.1.4 (Debian trixie has 2.1.1, sid 2.1.4-4; the package needs glibc 2.34 and loads on
# Debian 12): Vitrine turns accesses to unmapped physical addresses into external aborts, whose
# ELR must be the faulting load or store, and 2.1.1 reports the start of its translated block
# instead (2.1.4 restores the state from the access before the unmapped hooks run). 2.1.1 also clears
# its whole 1 GiB code buffer on every translation-cache flush. docs/unicorn-notes.md has the figures.
# It goes into its own folder: .deps/unicorn (2.1.1) may still be used by other checkouts.
UNICORN_MIN=2.1.4
unicorn_dir="$deps/unicorn-2.1.4"

system_unicorn_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' libunicorn2t64 2>/dev/null || dpkg-query -W -f='${Version}' libunicorn2 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$UNICORN_MIN"
}

install_unicorn() {
  local lib="$unicorn_dir/usr/lib/x86_64-linux-gnu/libunicorn.so.2"
  if system_unicorn_ok || [ -f "$lib" ]; then return; fi
  local dl deb v build
  mkdir -p "$deps"
  dl=$(mktemp -d "$deps/unicorn-dl.XXXXXX")
  say "fetching libunicorn $UNICORN_MIN (Debian sid's libunicorn2t64) into .deps/unicorn-2.1.4"
  debian_download sid "$dl" libunicorn2t64 || { rm -rf "$dl"; say "could not download libunicorn2t64 from Debian sid"; exit 1; }
  deb=$(echo "$dl"/libunicorn2t64_*.deb)
  v=$(dpkg-deb -f "$deb" Version)
  if ! dpkg --compare-versions "$v" ge "$UNICORN_MIN"; then
    rm -rf "$dl"
    say "Debian sid's libunicorn2t64 is $v, older than $UNICORN_MIN; install libunicorn $UNICORN_MIN or newer yourself"
    say "and point VITRINE_UNICORN_LIB at its libunicorn.so.2"
    exit 1
  fi
  # Extracted beside the final folder and renamed into place: other checkouts share .deps.
  build=$(mktemp -d "$unicorn_dir.XXXXXX")
  dpkg-deb -x "$deb" "$build"
  rm -rf "$dl"
  [ -f "$build/usr/lib/x86_64-linux-gnu/libunicorn.so.2" ] || { rm -rf "$build"; say "libunicorn.so.2 missing from the downloaded package"; exit 1; }
  chmod 755 "$build"
  mv -T "$build" "$unicorn_dir" 2>/dev/null || rm -rf "$build"
  [ -f "$lib" ] || { say "libunicorn.so.2 missing from .deps/unicorn-2.1.4"; exit 1; }
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

# Debian trixie's libunicorn 2.1.1, the version Vitrine used before 2.1.4, extracted (never
# installed) so a test can show that Vitrine refuses it too, saying why.
install_trixie_unicorn() {
  local trixie="$deps/unicorn-2.1.1"
  [ -f "$trixie/usr/lib/x86_64-linux-gnu/libunicorn.so.2" ] && return
  say "fetching Debian trixie's libunicorn 2.1.1 into .deps/unicorn-2.1.1 (for the version-refusal test)"
  if debian_download trixie "$deps/trixie-dl" libunicorn2t64; then
    mkdir -p "$trixie"
    dpkg-deb -x "$deps"/trixie-dl/libunicorn2t64_*.deb "$trixie"
  else
    say "could not download libunicorn 2.1.1; its refusal test will be skipped"
  fi
  rm -rf "$deps/trixie-dl"
}

# Software no one here wrote, booted by the tests as QEMU boots it (issue 13): Debian 12's U-Boot for
# QEMU (qemu_arm64/u-boot.bin), its arm64 Linux 6.1 Image and busybox-static for the initramfs the
# tests build. Downloaded once (never installed) with the system's apt sources and extracted under
# .deps/debian-boot; the tests skip themselves, saying why, when this could not be done.
install_boot_images() {
  local dir="$deps/debian-boot" dl="$deps/debian-boot-dl" kernel opts=(-qq)
  [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
  [ -f "$dir/.complete" ] && return
  kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' 2>/dev/null \
             | awk '{print $1}' | sort -V | tail -n1 || true)
  if [ -z "$kernel" ]; then
    say "no linux-image-6.1.0-*-arm64-unsigned in the apt lists; the Debian boot tests will be skipped"
    return
  fi
  say "fetching Debian's u-boot-qemu, $kernel and busybox-static (arm64) into .deps/debian-boot"
  rm -rf "$dl" && mkdir -p "$dl" "$dir"
  if (cd "$dl" && apt-get download "${opts[@]}" u-boot-qemu "$kernel:arm64" busybox-static:arm64 2>/dev/null); then
    for f in "$dl"/*.deb; do dpkg-deb -x "$f" "$dir"; done
    touch "$dir/.complete"
  else
    say "could not download the Debian boot images; the Debian boot tests will be skipped"
  fi
  rm -rf "$dl"
}

# --- JDK 25 ---------------------------------------------------------------------------------------
# Debian 12 packages no JDK 25, and of the registries this project reaches only Debian ships one:
# trixie's (and sid's) openjdk-25, built against glibc 2.41. Its libraries call glibc 2.38's C23
# strtol/scanf entry points and fmod, so on Debian 12 (glibc 2.36) `java` stops with "GLIBC_2.38 not
# found". On a machine without a JDK 25 the set-up therefore extracts, under .deps/jdk25/sysroot,
# trixie's openjdk-25-jre-headless and openjdk-25-jdk-headless together with trixie's libc6, and
# rewrites the JDK's programs (bin/*, lib/jspawnhelper, lib/jexec) with trixie's patchelf so that their
# ELF interpreter is that private ld.so and their RPATH starts with that private glibc. Only the JDK's
# own processes load the private glibc (libraries of the system, built for 2.36, load into it as they
# would on trixie); the programs it starts (qemu, cargo, Xvfb, ...) run on the system's glibc.
# The paths written into the programs are absolute: if the checkout moves, the JDK no longer starts and
# the next run installs it again.

private_jdk="$deps/jdk25/home"

is_jdk25() {
  local out
  [ -n "$1" ] && [ -x "$1/bin/java" ] || return 1
  out=$("$1/bin/java" -version 2>&1) || return 1
  [[ $out =~ version\ \"(2[5-9]|[3-9][0-9]) ]]
}

system_jdk() {
  local j
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if is_jdk25 "$j"; then echo "$j"; return 0; fi
  done
  return 1
}

no_jdk() {
  say "$1"
  say "no JDK 25 on this machine, and none could be installed under .deps/jdk25."
  say "Install Temurin 25 from Adoptium's apt repository (as root; on Debian 12 'bookworm'):"
  cat >&2 <<'EOF'
    apt-get update && apt-get install -y wget ca-certificates
    mkdir -p /etc/apt/keyrings
    wget -qO /etc/apt/keyrings/adoptium.asc https://packages.adoptium.net/artifactory/api/gpg/key/public
    echo "deb [signed-by=/etc/apt/keyrings/adoptium.asc] https://packages.adoptium.net/artifactory/deb bookworm main" > /etc/apt/sources.list.d/adoptium.list
    apt-get update && apt-get install -y temurin-25-jdk
EOF
  say "(it lands in /usr/lib/jvm/temurin-25-jdk-amd64), or set JAVA_HOME to any JDK 25; then run this again."
  exit 1
}

jdk=""   # the JDK 25 to use, once install_jdk has run
install_jdk() {
  jdk=$(system_jdk) && return
  if is_jdk25 "$private_jdk"; then jdk=$private_jdk; return; fi
  local final build dl sysroot home ld libdir f
  mkdir -p "$deps"
  final="$(cd "$deps" && pwd -P)/jdk25"   # the physical path: it is written into the programs
  build=$(mktemp -d "$final.XXXXXX") && chmod 755 "$build"
  dl="$build/dl" sysroot="$build/sysroot"
  say "no JDK 25 found: fetching Debian trixie's OpenJDK 25 and the glibc it needs into .deps/jdk25 (~400 MB)"
  trap 'rm -rf "$build"; no_jdk "installing OpenJDK 25 under .deps/jdk25 failed (see above)"' ERR
  debian_download trixie "$dl" openjdk-25-jre-headless openjdk-25-jdk-headless libc6 patchelf \
    || { rm -rf "$build"; no_jdk "could not download OpenJDK 25 from Debian trixie"; }
  for f in "$dl"/*.deb; do
    case "$f" in */patchelf_*) dpkg-deb -x "$f" "$build/tools" ;; *) dpkg-deb -x "$f" "$sysroot" ;; esac
    rm -f "$f"
  done
  # jmods (330 MB) only serve jlink, which the project does not use.
  rm -rf "$dl" "$sysroot"/usr/lib/jvm/*/jmods "$sysroot/usr/lib/debug" "$sysroot/usr/share/doc"
  home=$(echo "$sysroot"/usr/lib/jvm/java-25-openjdk-*)
  ld=$(echo "$sysroot"/usr/lib/*-linux-gnu*/ld-linux*.so.[12])
  libdir=$(dirname "$ld")
  [ -x "$home/bin/java" ] && [ -f "$ld" ] || { rm -rf "$build"; no_jdk "the downloaded packages lack java or ld.so"; }
  # The package's configuration lives in /etc/java-25-openjdk: point its links at the extracted copy.
  find "$home" -type l -lname '/etc/java-25-openjdk/*' -print0 | while IFS= read -r -d '' f; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$f")" "$sysroot$(readlink "$f")")" "$f"
  done
  for f in "$home"/bin/* "$home"/lib/jspawnhelper "$home"/lib/jexec; do
    [ -f "$f" ] || continue
    "$ld" --library-path "$libdir" "$build/tools/usr/bin/patchelf" \
      --set-interpreter "${ld/#"$build"/$final}" --force-rpath --set-rpath "${libdir/#"$build"/$final}:\$ORIGIN:\$ORIGIN/../lib" "$f"
  done
  rm -rf "$build/tools"
  ln -s "${home#"$build"/}" "$build/home"
  # A copy that no longer starts (the checkout moved) is replaced; a concurrent run's finished copy is kept.
  is_jdk25 "$final/home" || rm -rf "$final"
  mv -T "$build" "$final" 2>/dev/null || rm -rf "$build"
  trap - ERR
  is_jdk25 "$private_jdk" || no_jdk "the extracted OpenJDK 25 does not start: $("$private_jdk/bin/java" -version 2>&1 | head -n1)"
  jdk=$private_jdk
  say "JDK 25 ready: $jdk"
}

main() {
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$SETUP_VERSION" ] && [ -z "$(missing_packages)" ]; then
    install_unicorn
    install_old_unicorn
    install_trixie_unicorn
    install_boot_images
    install_jdk
    return
  fi
  install_packages
  install_unicorn
  install_old_unicorn
  install_trixie_unicorn
  install_boot_images
  install_jdk
  mkdir -p "$deps"
  echo "$SETUP_VERSION" > "$stamp"
  say "done"
}

# Whatever the installers print goes to stderr: stdout carries only the JDK asked for.
exec 3>&1 1>&2
main
if [ "${1:-}" = --print-java-home ]; then echo "$jdk" >&3; fi
