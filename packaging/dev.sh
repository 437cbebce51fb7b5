#!/usr/bin/env bash
# Set-up, build and run for Debian 12 and Ubuntu 22.04 or later.
#   packaging/dev.sh demo   install what is missing, build, start the workstation on the demo workspace
#   packaging/dev.sh test   install what is missing, build both Qt flavours and the sanitizer builds
#                           (ASan+UBSan, ThreadSanitizer), start a PostgreSQL server on loopback,
#                           run every test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# One list, one place: everything the build, the tests and the demo need.
packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libgl-dev
    qtbase5-dev qttools5-dev qttools5-dev-tools libqt5sql5-sqlite libqt5sql5-psql
    libkf5syntaxhighlighting-dev
    libgit2-dev libtomlplusplus-dev libyaml-cpp-dev libdtl-dev
    libbenchmark-dev
    postgresql bubblewrap xvfb xauth python3
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

supported_system() {
    [[ -r /etc/os-release ]] || return 1
    # shellcheck disable=SC1091
    . /etc/os-release
    case "${ID:-}" in
    debian) [[ "${VERSION_ID%%.*}" -ge 12 ]] 2>/dev/null ;;
    ubuntu) [[ "${VERSION_ID%%.*}" -ge 22 ]] 2>/dev/null ;;
    *) return 1 ;;
    esac
}

install_dependencies() {
    if ! supported_system; then
        echo "This script installs dependencies on Debian 12 or Ubuntu 22.04 and later only." >&2
        echo "On this system, install the equivalents of these Debian packages, then build with" >&2
        echo "'cmake --preset qt6 && cmake --build --preset qt6':" >&2
        printf '  %s\n' "${packages[@]}" >&2
        exit 1
    fi
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
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
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
    build qt6 --target astra astra-review
    local data=${XDG_DATA_HOME:-$HOME/.local/share}/astra-review
    local demo=$data/snapback-demo
    if [[ ! -d "$demo/.git" ]]; then
        mkdir -p "$data"
        build/qt6/app/cli/astra demo "$demo"
    fi
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
        local shot=$data/status.png
        say "No display: rendering the workstation to $shot"
        build/qt6/app/gui/astra-review --repo "$demo" --screenshot "$shot" --view status
        echo "Wrote $shot. On a desktop, run: build/qt6/app/gui/astra-review --repo $demo"
        return
    fi
    say "Starting Astra Review on $demo"
    exec build/qt6/app/gui/astra-review --repo "$demo"
}

run_tests() {
    local started=$SECONDS
    local timings=()
    local pgdir
    pgdir=$(mktemp -d /tmp/astra-pg.XXXXXX)
    local port=$((20000 + RANDOM % 20000))
    say "Starting PostgreSQL on 127.0.0.1:$port"
    local url
    url=$(tests/scripts/pg-server.sh start "$pgdir" "$port")
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
    say "Timings"
    printf '  %s\n' "${timings[@]}"
    echo "  total: $((SECONDS - started)) s"
    return $failed
}

case "${1:-}" in
demo)
    install_dependencies
    run_demo
    ;;
test)
    install_dependencies
    run_tests
    ;;
*)
    echo "usage: packaging/dev.sh demo | test" >&2
    exit 2
    ;;
esac
