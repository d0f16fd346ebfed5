#!/usr/bin/env bash
# Installs the benchmark environment: Google Benchmark for bench/ and PyTorch (Debian
# python3-torch, CPU) with NumPy for the side-by-side reference bench/reference_torch.py.
# Not part of scripts/setup.sh: the main build and its tests never need PyTorch.
# Idempotent; skips apt-get when everything is present.
set -euo pipefail
pkgs=(libbenchmark-dev python3-torch python3-numpy)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-bench: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
