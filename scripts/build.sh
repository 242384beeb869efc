#!/usr/bin/env bash
# Configures and builds chaosrun into ${BUILD_DIR:-build} (incremental; Ninja).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
build_type="${BUILD_TYPE:-RelWithDebInfo}"
launcher=()
# ccache (when installed) makes rebuilds of a fresh clone on the same machine cheap.
if command -v ccache >/dev/null && [[ "${CHAOSRUN_CCACHE:-1}" == 1 ]]; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so a clean clone elsewhere hits the same cache entries.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
  # The tests' precompiled header (tests/CMakeLists.txt): ccache caches its users only with these
  # (the header is rebuilt moments before they compile, and it records the time macros).
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
fi
# Line tables only (-g1): enough for backtraces and sanitizer reports, and a quarter faster to
# compile than full debug info. CHAOSRUN_DEBUG_INFO=full for a build to step through in gdb.
flags=()
if [[ "${CHAOSRUN_DEBUG_INFO:-lines}" == lines ]]; then
  flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
    -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCMAKE_C_FLAGS_DEBUG="-O0 -g1")
fi
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "${launcher[@]}" \
  "${flags[@]}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}"
# The ML driver (drivers/ml/) is built OUT OF TREE, as a third-party driver is: against the SDK
# installed from this build into $build_dir/sdk, with the same compiler (and ccache launcher).
# Result: $build_dir/drivers-ml/libchaosrun_ml.so (use it with --driver-dir $build_dir/drivers-ml).
cmake --install "$build_dir" --prefix "$build_dir/sdk" >/dev/null
sdk_prefix="$(cd "$build_dir" && pwd)/sdk"
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt" | head -n 1; }
ml_args=(-DCMAKE_CXX_COMPILER="$(cache_value CMAKE_CXX_COMPILER)")
ml_launcher="$(cache_value CMAKE_CXX_COMPILER_LAUNCHER)"
if [[ -n "$ml_launcher" ]]; then ml_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$ml_launcher"); fi
cmake -S drivers/ml -B "$build_dir/drivers-ml" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_PREFIX_PATH="$sdk_prefix" "${ml_args[@]}" "${flags[@]}" --no-warn-unused-cli >/dev/null
cmake --build "$build_dir/drivers-ml" -j "${JOBS:-2}"
