#!/usr/bin/env bash
# Builds and runs the benchmarks (after scripts/setup.sh and scripts/setup-bench.sh):
#   scripts/bench.sh [BUILD_DIR] [--side-by-side-only | --gbench-only]
# 1. Google Benchmark: forward pass, gradient, ProjGD and ProjSGD steps at d=8, T=16, n=4000,
#    m = 8..256, 1 and 2 threads; Theorem 1 bound evaluations at 50 and 100 digits.
#    JSON in BUILD_DIR/bench/gbench.json.
# 2. bench/side_by_side.py: the same ProjGD run in attnbound and in PyTorch (float64, CPU,
#    2 threads each), loss trajectories compared, steps/s and ratio per width.
#    JSON in BUILD_DIR/bench/side_by_side.json. Exit status 1 if the trajectories disagree.
# Uses the Debian interpreter (/usr/bin/python3) unless PYTHON is set: python3-torch lives there.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
what=all
for arg in "$@"; do
  case "$arg" in
    --side-by-side-only) what=side ;;
    --gbench-only) what=gbench ;;
    -*) echo "bench.sh: unknown option $arg" >&2; exit 2 ;;
    *) build="$arg" ;;
  esac
done
python="${PYTHON:-/usr/bin/python3}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target attnbound_bench attnbound_side_by_side
if [ "$what" != side ]; then
  "$build/bench/attnbound_bench" --benchmark_out="$build/bench/gbench.json" --benchmark_out_format=json
fi
if [ "$what" != gbench ]; then
  "$python" bench/side_by_side.py --build "$build" --json "$build/bench/side_by_side.json"
fi
