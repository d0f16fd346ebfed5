#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with CTest
# (unit tests, rapidcheck properties, CLI contract tests).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 1200
