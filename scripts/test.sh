#!/usr/bin/env bash
# Sets up the machine, builds chaosrun and its tests, and runs the whole suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest -j2 --output-on-failure ${CTEST_ARGS:-}
