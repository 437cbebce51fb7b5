#!/usr/bin/env bash
# A Debian 13 (trixie) build root for the Qt 6 + KF6 SyntaxHighlighting flavour, made once with
# debootstrap from the Debian mirror this system's own apt sources name, then reused.
#   packaging/debian13-root.sh make         create the root (or reuse it) and install the build
#                                           dependencies in it; prints its path
#   packaging/debian13-root.sh test BUILD   build the qt6 flavour of these sources in BUILD and
#                                           run its tests inside the root (sources and BUILD are
#                                           bound in, not copied)
# The root lives in ${ASTRA_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/astra-review}/debian13-root.
# Needs root (debootstrap, chroot) and debootstrap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${ASTRA_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/astra-review}
root=$cache/debian13-root
suite=trixie

# What the qt6 flavour needs to build and test on Debian 13, highlighting included.
packages=(
    build-essential cmake ninja-build ccache pkg-config git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libgl-dev
    libkf6syntaxhighlighting-dev
    libgit2-dev libtomlplusplus-dev libyaml-cpp-dev libdtl-dev
    libbenchmark-dev
    postgresql bubblewrap xvfb xauth python3 locales
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() {
    echo "debian13-root: $*" >&2
    exit 1
}

# The first Debian archive URI of the system's apt sources (deb822 .sources files and the
# one-line sources.list format), not a security or updates suite: the mirror this machine is
# meant to use. Nothing is written in the repository.
debian_mirror() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -r "$file" ]] || continue
        awk '
            BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; suites = ""; types = ""
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { uris = substr($i, 6) }
                    if ($i ~ /^Suites:/) { suites = substr($i, 8) }
                    if ($i ~ /^Types:/) { types = substr($i, 7) }
                }
                if (types !~ /(^| )deb( |$)/) next
                n = split(suites, s, " ")
                for (j = 1; j <= n; j++) {
                    if (s[j] ~ /^(bookworm|trixie|forky|sid|stable|testing|unstable)$/) {
                        split(uris, u, " "); print u[1]; exit
                    }
                }
            }' "$file"
    done
    if [[ -r /etc/apt/sources.list ]]; then
        awk '$1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) ~ /^(bookworm|trixie|forky|sid|stable|testing|unstable)$/) { print $i; exit }
            }' /etc/apt/sources.list
    fi
}

in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

make_root() {
    [[ $(id -u) -eq 0 ]] || fail "making the root needs root (debootstrap, chroot); run it with sudo."
    command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"
    local wanted
    wanted=$(printf '%s\n' "${packages[@]}" | sort | sha256sum | cut -c1-16)
    if [[ -f "$root/.astra-ready" && "$(cat "$root/.astra-ready")" == "$wanted" ]]; then
        echo "$root"
        return
    fi
    local mirror
    mirror=$(debian_mirror | head -n 1)
    [[ -n "$mirror" ]] || fail "the apt sources of this system name no Debian mirror (an Ubuntu system names
Ubuntu's). Set ASTRA_DEBIAN_MIRROR to a Debian mirror's URL to make the Debian 13 root."
    mirror=${ASTRA_DEBIAN_MIRROR:-$mirror}
    if [[ ! -x "$root/usr/bin/apt-get" ]]; then
        say "Making a Debian 13 root in $root from $mirror"
        mkdir -p "$cache"
        rm -rf "$root.partial"
        if ! debootstrap --variant=minbase --components=main "$suite" "$root.partial" "$mirror" \
            >"$cache/debootstrap.log" 2>&1; then
            tail -n 20 "$cache/debootstrap.log" >&2
            rm -rf "$root.partial"
            fail "debootstrap could not make the root from $mirror (see $cache/debootstrap.log). Check that this
machine reaches the mirror, or set ASTRA_DEBIAN_MIRROR to one it reaches."
        fi
        rm -rf "$root"
        mv "$root.partial" "$root"
    fi
    say "Installing the build dependencies in the Debian 13 root"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    in_root apt-get update -q >/dev/null
    if ! in_root apt-get install -y -q --no-install-recommends "${packages[@]}" >"$cache/apt.log" 2>&1; then
        tail -n 20 "$cache/apt.log" >&2
        fail "installing the build dependencies in the root failed (see $cache/apt.log)."
    fi
    in_root apt-get clean
    echo "$wanted" >"$root/.astra-ready"
    echo "$root"
}

# Runs a command in the root as root through bubblewrap rather than chroot: the tests start
# bubblewrap sandboxes of their own, and the kernel refuses new user namespaces to a chrooted
# process. Sources and the build folder are bound in, not copied.
in_sandboxed_root() {
    local build=$1
    shift
    bwrap --bind "$root" / --bind "$here" /src --bind "$build" /build --bind /proc /proc --dev-bind /dev /dev \
        --ro-bind /sys /sys --tmpfs /tmp --ro-bind /etc/resolv.conf /etc/resolv.conf --cap-add ALL \
        --clearenv --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /root --setenv LANG C.UTF-8 \
        --setenv QT_QPA_PLATFORM offscreen -- "$@"
}

test_in_root() {
    local build=${1:?usage: debian13-root.sh test BUILD}
    make_root >/dev/null
    mkdir -p "$build"
    build=$(cd "$build" && pwd)
    say "Building the qt6 flavour in the Debian 13 root"
    in_sandboxed_root "$build" cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DQT_MAJOR_VERSION=6 -DASTRA_REQUIRE_HIGHLIGHTING=ON >/dev/null
    in_sandboxed_root "$build" cmake --build /build -j2
    say "Testing the qt6 flavour in the Debian 13 root"
    in_sandboxed_root "$build" ctest --test-dir /build --output-on-failure -j2
}

case "${1:-}" in
make) make_root ;;
test) test_in_root "${2:-}" ;;
*)
    echo "usage: packaging/debian13-root.sh make | test BUILD" >&2
    exit 2
    ;;
esac
