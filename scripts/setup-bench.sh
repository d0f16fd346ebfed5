#!/usr/bin/env bash
# Installs the benchmark environment: everything scripts/setup.sh installs, plus Google
# Benchmark for bench/ and PyTorch (Debian python3-torch, CPU) with NumPy for the
# side-by-side reference bench/reference_torch.py. The main build and its tests never need
# PyTorch. Idempotent; skips apt-get when everything is present.
set -euo pipefail
exec "$(dirname "$0")/setup.sh" libbenchmark-dev python3-torch python3-numpy
