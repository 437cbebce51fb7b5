#!/usr/bin/env bash
# Set-up, build and run for Debian 12 and later and Ubuntu 24.04 and later.
#   packaging/dev.sh demo      install what is missing, build the flavour with language highlighting
#                              on this system, start the workstation on the demo workspace
#   packaging/dev.sh test      install what is missing, build both Qt flavours and the sanitizer
#                              builds (ASan+UBSan, ThreadSanitizer), start a PostgreSQL server on
#                              loopback, run every test; then, in a Debian 13 root, build and test
#                              the Qt 6 + KF6 flavour, package it and install the package
#   packaging/dev.sh package   build the .deb of the flavour with language highlighting on this system
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# Everything the builds need, by what for. The flavour with language highlighting decides
# between the Qt 6 and the Qt 5 set for `demo` and `package`; `test` builds both.
common_packages=(
    build-essential cmake ninja-build ccache pkg-config git
    libgit2-dev libtomlplusplus-dev libyaml-cpp-dev libdtl-dev libgmime-3.0-dev bubblewrap python3
)
qt6_packages=(
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libgl-dev
)
qt5_packages=(
    qtbase5-dev qttools5-dev qttools5-dev-tools libqt5sql5-sqlite libqt5sql5-psql
    libkf5syntaxhighlighting-dev
)
test_packages=(libbenchmark-dev postgresql xvfb xauth debootstrap help2man)
package_packages=(help2man file)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

supported_system() {
    [[ -r /etc/os-release ]] || return 1
    # shellcheck disable=SC1091
    . /etc/os-release
    case "${ID:-}" in
    debian) [[ "${VERSION_ID%%.*}" -ge 12 ]] 2>/dev/null ;;
    ubuntu) [[ "${VERSION_ID%%.*}" -ge 24 ]] 2>/dev/null ;; # 22.04 packages no toml++
    *) return 1 ;;
    esac
}

apt_updated=0
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

apt_update_once() {
    [[ $apt_updated -eq 1 ]] && return
    as_root apt-get update -q >/dev/null || {
        echo "apt-get update failed: check this machine's apt sources and network, then run this again." >&2
        exit 1
    }
    apt_updated=1
}

# Whether apt can install a package here (it has a candidate version).
packaged() {
    local candidate
    candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    [[ -n "$candidate" && "$candidate" != "(none)" ]]
}

# The flavour with language highlighting on this system, and why, in `flavour` and `why`: Qt 6
# with KF6 SyntaxHighlighting where that is packaged (Debian 13), otherwise Qt 5.15 with KF5
# (Debian 12, Ubuntu 24.04), whose KSyntaxHighlighting exists only for Qt 5.
flavour=""
why=""
choose_flavour() {
    # A fresh system may have no package lists yet: without them nothing looks packaged.
    compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null || apt_update_once
    if packaged libkf6syntaxhighlighting-dev; then
        flavour=qt6
        why="Qt 6 with KF6 SyntaxHighlighting (packaged here): the product with language highlighting"
    else
        flavour=qt5
        why="Qt 5.15 with KF5 SyntaxHighlighting: this system packages KSyntaxHighlighting only for Qt 5 (no libkf6syntaxhighlighting-dev), and the Qt 6 build would show the diff without language highlighting"
    fi
}

flavour_packages() {
    if [[ $1 == qt6 ]]; then
        printf '%s\n' "${qt6_packages[@]}" libkf6syntaxhighlighting-dev
    else
        printf '%s\n' "${qt5_packages[@]}"
    fi
}

install_dependencies() {
    local packages=("$@")
    local missing=()
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        return
    fi
    say "Installing ${missing[*]}"
    apt_update_once
    if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
        echo "Could not install: ${missing[*]}. Install them by hand (apt-get install ...) and run this again." >&2
        exit 1
    fi
}

build() {
    local preset=$1
    shift
    say "Building the $preset flavour"
    cmake --preset "$preset" >"build-$preset.configure.log" 2>&1 || {
        cat "build-$preset.configure.log" >&2
        exit 1
    }
    rm -f "build-$preset.configure.log"
    cmake --build --preset "$preset" "$@"
}

run_demo() {
    local preset=$1
    build "$preset" --target astra astra-review
    local bin=build/$preset/app
    local data=${XDG_DATA_HOME:-$HOME/.local/share}/astra-review
    local demo=$data/snapback-demo
    if [[ ! -d "$demo/.git" ]]; then
        mkdir -p "$data"
        "$bin/cli/astra" demo "$demo"
    fi
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
        local shot=$data/diff.png
        say "No display: rendering the workstation's diff view to $shot"
        "$bin/gui/astra-review" --repo "$demo" --screenshot "$shot" --view diff
        echo "Wrote $shot. On a desktop, run: $bin/gui/astra-review --repo $demo"
        return
    fi
    say "Starting Astra Review on $demo"
    exec "$bin/gui/astra-review" --repo "$demo"
}

# The .deb of the flavour with language highlighting, from its preset's build folder.
run_package() {
    local preset=$1
    cmake --preset "$preset" -DASTRA_REQUIRE_MAN_PAGES=ON >"build-$preset.configure.log" 2>&1 || {
        cat "build-$preset.configure.log" >&2
        exit 1
    }
    rm -f "build-$preset.configure.log"
    build "$preset" --target astra astra-review astra-man-pages
    say "Packaging the $preset flavour"
    rm -f "build/$preset"/astra-review_*.deb
    (cd "build/$preset" && cpack -G DEB >cpack.log 2>&1) || {
        cat "build/$preset/cpack.log" >&2
        exit 1
    }
    local deb
    deb=$(ls "$here/build/$preset"/astra-review_*.deb)
    echo "$deb ($(($(stat -c %s "$deb") / 1024)) KiB)"
    echo "Install it with: sudo apt install $deb"
}

run_tests() {
    local started=$SECONDS
    local timings=()
    local pgdir
    pgdir=$(mktemp -d /tmp/astra-pg.XXXXXX)
    local url
    url=$(tests/scripts/pg-server.sh start "$pgdir")
    say "Started PostgreSQL at $url"
    # shellcheck disable=SC2064 # expand now: pgdir is local to this function
    trap "tests/scripts/pg-server.sh stop '$pgdir'" EXIT
    export ASTRA_TEST_PG_URL=$url
    export QT_QPA_PLATFORM=offscreen

    local failed=0
    for preset in qt6 qt5 asan tsan; do
        local t0=$SECONDS
        build "$preset"
        local t1=$SECONDS
        say "Testing the $preset flavour"
        if ! ctest --preset "$preset"; then
            failed=1
        fi
        timings+=("$preset: build $((t1 - t0)) s, tests $((SECONDS - t1)) s")
    done
    local t0=$SECONDS
    # The product as it is meant to be, Qt 6 with KF6 SyntaxHighlighting, in a Debian 13 root:
    # built, tested, packaged, the package installed in a bare root and run.
    if ! as_root env ${ASTRA_ROOT_CACHE:+ASTRA_ROOT_CACHE="$ASTRA_ROOT_CACHE"} \
        ${ASTRA_DEBIAN_MIRROR:+ASTRA_DEBIAN_MIRROR="$ASTRA_DEBIAN_MIRROR"} \
        ${XDG_CACHE_HOME:+XDG_CACHE_HOME="$XDG_CACHE_HOME"} HOME="$HOME" \
        packaging/debian13-root.sh test build/debian13; then
        failed=1
    fi
    timings+=("debian13 (root, build, tests, package, installation): $((SECONDS - t0)) s")
    say "Timings"
    printf '  %s\n' "${timings[@]}"
    echo "  total: $((SECONDS - started)) s"
    return $failed
}

case "${1:-}" in
demo | test | package)
    if ! supported_system; then
        echo "This script installs dependencies on Debian 12 and later and Ubuntu 24.04 and later only (Ubuntu" >&2
        echo "22.04 packages no toml++). On this system, install the equivalents of the Debian packages listed" >&2
        echo "at the top of $0, then" >&2
        echo "build with 'cmake --preset qt6 && cmake --build --preset qt6'." >&2
        exit 1
    fi
    ;;&
demo)
    choose_flavour
    mapfile -t wanted < <(printf '%s\n' "${common_packages[@]}"; flavour_packages "$flavour")
    install_dependencies "${wanted[@]}"
    say "Building the $flavour flavour: $why"
    run_demo "$flavour"
    ;;
test)
    choose_flavour
    mapfile -t wanted < <(
        printf '%s\n' "${common_packages[@]}" "${qt6_packages[@]}" "${qt5_packages[@]}" "${test_packages[@]}"
        # Where KF6 SyntaxHighlighting is packaged, the host's qt6 flavour gets highlighting too.
        [[ $flavour == qt5 ]] || echo libkf6syntaxhighlighting-dev
    )
    install_dependencies "${wanted[@]}"
    run_tests
    ;;
package)
    choose_flavour
    mapfile -t wanted < <(printf '%s\n' "${common_packages[@]}" "${package_packages[@]}"; flavour_packages "$flavour")
    install_dependencies "${wanted[@]}"
    say "Packaging the $flavour flavour: $why"
    run_package "$flavour"
    ;;
*)
    echo "usage: packaging/dev.sh demo | test | package" >&2
    exit 2
    ;;
esac
