#!/usr/bin/env bash
# Run .ci/run as CI does, on a fresh Debian 12 (bookworm) made with
# `debootstrap --variant=minbase`: nothing on it but what .ci/run installs.
#
#   sudo scripts/ci-chroot.sh [COMMIT]        (default: HEAD of this clone)
#
# The minbase system is built once and kept as a tarball in $CHROOT_CACHE (default
# ~/.cache/linkdesk-ci-chroot, outside any repository); every run unpacks it into a new directory, so
# each run starts from the same untouched system. Into it go a fresh `git clone` of COMMIT
# (/ci/linkdesk) and, beside it, a copy of $SHARED_DIR (/ci/shared) as CI lays them out.
# Inside: `CI=true bash .ci/run </dev/null` as root, in an environment emptied with `env -i`
# (no PYTHON* variables, no pip configuration of this machine). Prints the commit, the time
# taken and PASS or FAIL; the full log stays in $CHROOT_CACHE/logs/. The mounts (/proc, /sys,
# /dev, /dev/pts, /dev/shm) are undone on every exit; KEEP_ROOT=1 keeps the unpacked system.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse "${1:-HEAD}")"
cache="${CHROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/linkdesk-ci-chroot}"
shared="${SHARED_DIR:-$repo/../shared}"  # CI lays shared/ beside the clone
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm

[ "$(id -u)" = 0 ] || { echo "ci-chroot: run as root (debootstrap, chroot and mount need it)" >&2; exit 2; }
mkdir -p "$cache/logs"

base="$cache/$suite-minbase.tar"
if [ ! -s "$base" ]; then
    echo "ci-chroot: building the $suite minbase system (once; cached in $base)"
    build="$(mktemp -d "$cache/build.XXXXXX")"
    debootstrap --variant=minbase "$suite" "$build" "$mirror" >"$cache/logs/debootstrap.log" 2>&1 \
        || { echo "ci-chroot: debootstrap failed, see $cache/logs/debootstrap.log" >&2; rm -rf "$build"; exit 2; }
    # The sources a fresh Debian 12 install has: main, updates and security.
    rm -f "$build/etc/apt/sources.list"
    cat >"$build/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    tar -C "$build" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf "$build"
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
root="$cache/run-$stamp-${commit:0:10}"
log="$cache/logs/run-$stamp-${commit:0:10}.log"
mounted=()
cleanup() {
    local i pid
    # Whatever .ci/run left running inside (an Xvfb, a dbus daemon): ended by process id.
    for pid in /proc/[0-9]*; do
        [ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill "${pid#/proc/}" 2>/dev/null
    done
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[i]}" 2>/dev/null || true
    done
    if [ "${KEEP_ROOT:-0}" != 1 ] && [ -d "$root" ]; then
        # Never remove through a mount that is still there.
        if ! grep -q " $root" /proc/self/mounts; then rm -rf "$root"; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$root"
tar -C "$root" -xf "$base"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

mount_in() {  # mount_in TARGET mount-args...
    local target="$root$1"; shift
    mkdir -p "$target"
    mount "$@" "$target"
    mounted+=("$target")
}
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm --bind /dev/shm

mkdir -p "$root/ci"
git clone --quiet --no-local --no-checkout "$repo" "$root/ci/linkdesk"
git -C "$root/ci/linkdesk" cat-file -e "$commit^{commit}" 2>/dev/null \
    || git -C "$root/ci/linkdesk" fetch --quiet "$repo" "$commit"  # a commit on no branch
git -C "$root/ci/linkdesk" checkout --quiet --detach "$commit"
[ -d "$shared" ] && cp -a "$shared" "$root/ci/shared"

# A network that re-signs TLS with its own authority (a proxy; here the one under
# /usr/local/share/ca-certificates) is this machine's, not CI's: pip inside is told to trust the
# host's bundle, as a CI runner on such a network is configured. Nothing else is carried over.
network_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/ci/network-ca.crt"
    network_env=(PIP_CERT=/ci/network-ca.crt)
fi

echo "ci-chroot: $commit in $root (log: $log)"
start=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true "${network_env[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c 'cd /ci/linkdesk && bash .ci/run' </dev/null >"$log" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
tail -n 25 "$log"
result=PASS; [ "$rc" = 0 ] || result="FAIL (exit $rc)"
printf 'ci-chroot: %s  commit %s  %dm%02ds  debootstrap --variant=minbase %s  log %s\n' \
    "$result" "$commit" $((elapsed / 60)) $((elapsed % 60)) "$suite" "$log"
exit "$rc"
