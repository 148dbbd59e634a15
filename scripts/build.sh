#!/usr/bin/env bash
# build.sh — installs what is missing (setup.sh), configures and compiles switchyard.
#   build.sh           the normal build in build/
#   build.sh --asan    the AddressSanitizer/UBSan build in build-asan/ (system allocator)
# It does not run tests (scripts/test.sh does). Safe to run repeatedly from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=build
build_options=()
case "${1:-}" in
    "") ;;
    --asan)
        build_dir=build-asan
        build_options=("-Db_sanitize=address,undefined" -Dallocator=system -Db_lundef=false) ;;
    *) echo "usage: $0 [--asan]" >&2; exit 2 ;;
esac

bash scripts/setup.sh
log=$(mktemp "${TMPDIR:-/tmp}/switchyard-build.XXXXXX")
trap 'rm -f "$log"' EXIT
if [[ ! -f "$build_dir/meson-private/coredata.dat" ]]; then
    echo "build: configuring $build_dir"
    meson setup "$build_dir" "${build_options[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
echo "build: compiling $build_dir"
if ! ninja -C "$build_dir" >"$log" 2>&1; then
    cat "$log" >&2
    echo "build: $build_dir FAILED" >&2
    exit 1
fi
echo "build: $build_dir ready"
