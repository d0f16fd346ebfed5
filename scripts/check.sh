#!/usr/bin/env bash
# Installs what is missing, builds, and checks every claim with the quick profile:
# writes results/results.json and results/report.md; exit 0 all hold, 1 a claim is violated.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec ./build/attnbound check --profile quick --jobs "$(nproc)" --out results "$@"
