#!/usr/bin/env bash
# packaging/debian13-root.sh when the Debian mirror cannot be reached: it fails with a message that
# names the mirror and the setting to change, and keeps nothing half-made for the next run.
set -euo pipefail
script=${1:?usage: root-unreachable.sh DEBIAN13-ROOT-SCRIPT}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
mirror=http://127.0.0.1:9/debian # the discard port: nothing answers there

set +e
out=$(ASTRA_ROOT_CACHE=$cache ASTRA_DEBIAN_MIRROR=$mirror bash "$script" make 2>&1)
status=$?
set -e

expect() {
    grep -qF -- "$1" <<<"$out" || {
        printf 'expected "%s" in the output:\n%s\n' "$1" "$out" >&2
        exit 1
    }
}
[[ $status -eq 1 ]] || {
    printf 'expected exit status 1, got %s:\n%s\n' "$status" "$out" >&2
    exit 1
}
if [[ $(id -u) -ne 0 ]]; then
    expect "making the root needs root"
elif ! command -v debootstrap >/dev/null; then
    expect "debootstrap is missing: apt-get install debootstrap"
else
    expect "debootstrap could not make a Debian 13 root from $mirror"
    expect "set ASTRA_DEBIAN_MIRROR to a Debian mirror it reaches"
    # Only the log stays; no root, partial or whole, that a later run would take as made.
    left=$(find "$cache" -mindepth 1 -maxdepth 1 ! -name '*.log')
    [[ -z "$left" ]] || {
        printf 'left behind: %s\n' "$left" >&2
        exit 1
    }
fi
echo "refused as expected: $(head -n 1 <<<"$(grep 'debian13-root:' <<<"$out")")"
