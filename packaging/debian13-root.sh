#!/usr/bin/env bash
# A Debian 13 (trixie) build root for the Qt 6 + KF6 SyntaxHighlighting flavour, made once with
# debootstrap from the Debian mirror this system's own apt sources name, then reused.
#   packaging/debian13-root.sh make         create the root (or reuse it) and install the build
#                                           dependencies in it; prints its path
#   packaging/debian13-root.sh test BUILD   in the root: build the qt6 flavour of these sources in
#                                           BUILD with highlighting required, run its whole suite
#                                           (with a PostgreSQL server of the root's own), build
#                                           the .deb and validate its desktop file and metainfo;
#                                           then install the .deb with apt in a clean copy of the
#                                           bare root and run the installed programs
# Sources and BUILD are bound in, not copied. The roots live in
# ${ASTRA_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/astra-review}: debian13-base (debootstrap's
# minimal system, kept bare) and debian13-root (the base with the build dependencies).
# Needs root (debootstrap, chroot, bubblewrap as root) and debootstrap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${ASTRA_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/astra-review}
base=$cache/debian13-base
root=$cache/debian13-root
suite=trixie

# What the qt6 flavour needs to build and test on Debian 13, highlighting included.
packages=(
    build-essential cmake ninja-build ccache pkg-config git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libgl-dev
    libkf6syntaxhighlighting-dev
    libgit2-dev libtomlplusplus-dev libyaml-cpp-dev libdtl-dev libgmime-3.0-dev
    libbenchmark-dev
    postgresql bubblewrap xvfb xauth python3 locales
    help2man desktop-file-utils appstream file
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
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
    local dir=$1
    shift
    chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# debootstrap's minimal Debian 13, never changed afterwards: the build root starts as a copy of
# it, and each package installation check starts from a fresh copy.
make_base() {
    [[ -x "$base/usr/bin/apt-get" ]] && return
    local mirror
    mirror=${ASTRA_DEBIAN_MIRROR:-$(debian_mirror | head -n 1)}
    [[ -n "$mirror" ]] || fail "the apt sources of this system name no Debian mirror (an Ubuntu system names
Ubuntu's). Set ASTRA_DEBIAN_MIRROR to a Debian mirror's URL to make the Debian 13 root."
    say "Making a Debian 13 root in $base from $mirror"
    mkdir -p "$cache"
    rm -rf "$base.partial"
    if ! debootstrap --variant=minbase --components=main "$suite" "$base.partial" "$mirror" \
        >"$cache/debootstrap.log" 2>&1; then
        tail -n 5 "$cache/debootstrap.log" >&2
        rm -rf "$base.partial"
        fail "debootstrap could not make a Debian 13 root from $mirror (its log: $cache/debootstrap.log).
Check that this machine reaches that mirror, or set ASTRA_DEBIAN_MIRROR to a Debian mirror it reaches.
Nothing was kept: the next run starts again."
    fi
    mv "$base.partial" "$base"
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
    make_base
    if [[ ! -x "$root/usr/bin/apt-get" ]]; then
        rm -rf "$root.partial"
        cp -a "$base" "$root.partial"
        mv "$root.partial" "$root"
    fi
    say "Installing the build dependencies in the Debian 13 root"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    if ! in_root "$root" apt-get update -q >"$cache/apt.log" 2>&1 ||
        ! in_root "$root" apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$cache/apt.log" 2>&1; then
        tail -n 5 "$cache/apt.log" >&2
        fail "installing the build dependencies in the Debian 13 root failed (its log: $cache/apt.log).
Check that this machine reaches the mirror in $root/etc/apt/sources.list, then run this again."
    fi
    # The downloaded packages stay: the installation check installs the runtime ones from them.
    echo "$wanted" >"$root/.astra-ready"
    echo "$root"
}

# Runs a command in a root as root through bubblewrap rather than chroot: the tests start
# bubblewrap sandboxes of their own, and the kernel refuses new user namespaces to a chrooted
# process. The host's /proc is bound in (a nested proc mount is refused).
in_sandbox() {
    local dir=$1
    shift
    bwrap --bind "$dir" / --bind /proc /proc --dev-bind /dev /dev --ro-bind /sys /sys --perms 1777 --tmpfs /tmp \
        --ro-bind /etc/resolv.conf /etc/resolv.conf --cap-add ALL --clearenv \
        --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /root --setenv LANG C.UTF-8 "$@"
}

# Inside the build root: build, test, package, validate. BUILD is /build, the sources /src.
inside_build_root() {
    export QT_QPA_PLATFORM=offscreen CCACHE_DIR=/ccache
    say "Building the qt6 flavour in the Debian 13 root (highlighting and man pages required)"
    cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
        -DQT_MAJOR_VERSION=6 -DASTRA_WERROR=ON -DASTRA_REQUIRE_HIGHLIGHTING=ON -DASTRA_REQUIRE_MAN_PAGES=ON \
        >/build/configure.log 2>&1 || {
        cat /build/configure.log >&2
        exit 1
    }
    cmake --build /build -j2
    local t0=$SECONDS
    say "Testing the qt6 flavour in the Debian 13 root"
    ASTRA_TEST_PG_URL=$(/src/tests/scripts/pg-server.sh start /tmp/pg)
    export ASTRA_TEST_PG_URL
    local failed=0
    ctest --test-dir /build --output-on-failure -j2 || failed=1
    /src/tests/scripts/pg-server.sh stop /tmp/pg
    echo "tests: $((SECONDS - t0)) s" >/build/timings.txt
    [[ $failed -eq 0 ]] || exit 1

    say "Packaging the qt6 flavour"
    rm -f /build/astra-review_*.deb
    (cd /build && cpack -G DEB >/build/cpack.log 2>&1) || {
        cat /build/cpack.log >&2
        exit 1
    }
    local deb
    deb=$(ls /build/astra-review_*.deb)
    dpkg-deb --info "$deb" | sed -n '/Depends/,/Section/p'
    rm -rf /tmp/unpacked
    dpkg-deb -x "$deb" /tmp/unpacked
    desktop-file-validate /tmp/unpacked/usr/share/applications/org.astrareview.AstraReview.desktop
    appstreamcli validate --no-net /tmp/unpacked/usr/share/metainfo/org.astrareview.AstraReview.metainfo.xml
    local file
    for file in usr/bin/astra usr/bin/astra-review usr/share/man/man1/astra.1.gz \
        usr/share/man/man1/astra-review.1.gz usr/share/astra-review/domains/code-maintenance.hddl \
        usr/share/icons/hicolor/scalable/apps/org.astrareview.AstraReview.svg; do
        [[ -f "/tmp/unpacked/$file" ]] || {
            echo "debian13-root: the package lacks /$file" >&2
            exit 1
        }
    done
}

# Inside a fresh copy of the bare root: install the package with apt as a user would (with its
# Recommends), then run what a user runs, as a user, from the installed files only. The
# screenshots go to /out.
inside_install_check() {
    say "Installing $(basename "$1") with apt in a bare Debian 13 root"
    apt-get install -y -q "$1" >/tmp/apt.log 2>&1 || {
        tail -n 20 /tmp/apt.log >&2
        exit 1
    }
    echo "installed size: $(dpkg-query -W -f='${Installed-Size}' astra-review) KiB"
    useradd --create-home reviewer
    local run=(runuser -u reviewer -- env HOME=/home/reviewer XDG_RUNTIME_DIR=/tmp/reviewer-runtime)
    mkdir -m 700 /tmp/reviewer-runtime && chown reviewer: /tmp/reviewer-runtime
    set -x
    "${run[@]}" astra --version
    "${run[@]}" astra-review --version | tee /tmp/versions
    "${run[@]}" astra demo /home/reviewer/demo >/dev/null
    "${run[@]}" astra status --repo /home/reviewer/demo
    "${run[@]}" astra-review --repo /home/reviewer/demo --view diff --screenshot /tmp/diff.png
    set +x
    grep -q '^KSyntaxHighlighting [0-9]' /tmp/versions || {
        echo "debian13-root: the installed astra-review has no language highlighting" >&2
        exit 1
    }
    cp /tmp/diff.png /out/installed-diff.png

    # On a desktop: the same window through Qt's X11 plugin, on an X server installed only now,
    # after the package, so the package's own dependencies had to bring what the plugin loads.
    say "Opening the installed workstation on an X server"
    apt-get install -y -q --no-install-recommends xvfb xauth >>/tmp/apt.log 2>&1 || {
        tail -n 20 /tmp/apt.log >&2
        exit 1
    }
    "${run[@]}" QT_QPA_PLATFORM=xcb xvfb-run -a astra-review --repo /home/reviewer/demo --view kanban \
        --screenshot /tmp/kanban-x11.png
    cp /tmp/kanban-x11.png /out/installed-kanban-x11.png
    ls /usr/share/man/man1/astra.1.gz /usr/share/man/man1/astra-review.1.gz >/dev/null
}

test_in_root() {
    local build=${1:?usage: debian13-root.sh test BUILD}
    make_root >/dev/null
    mkdir -p "$build" "$cache/ccache"
    build=$(cd "$build" && pwd)
    in_sandbox "$root" --bind "$here" /src --bind "$build" /build --bind "$cache/ccache" /ccache \
        -- bash /src/packaging/debian13-root.sh inside-build-root

    local check=$cache/install-check deb
    deb=$(ls "$build"/astra-review_*.deb)
    rm -rf "$check"
    cp -a "$base" "$check"
    # The package lists and the downloaded packages of the build root: no second download.
    cp -a "$root/var/lib/apt/lists/." "$check/var/lib/apt/lists/"
    in_sandbox "$check" --bind "$root/var/cache/apt/archives" /var/cache/apt/archives \
        --ro-bind "$here/packaging/debian13-root.sh" /check.sh --ro-bind "$deb" "/tmp/$(basename "$deb")" \
        --bind "$build" /out -- bash /check.sh inside-install-check "/tmp/$(basename "$deb")"
    rm -rf "$check"
    echo "package: $(basename "$deb"), $(($(stat -c %s "$deb") / 1024)) KiB; the installed workstation: $build/installed-diff.png (offscreen), $build/installed-kanban-x11.png (X11)"
}

case "${1:-}" in
make) make_root ;;
test) test_in_root "${2:-}" ;;
inside-build-root) inside_build_root ;;
inside-install-check) inside_install_check "${2:?}" ;;
*)
    echo "usage: packaging/debian13-root.sh make | test BUILD" >&2
    exit 2
    ;;
esac
