#!/usr/bin/env bash
# Installs the Debian packages attnbound needs (a fresh Debian 12 has only g++, CMake,
# GoogleTest and Google Benchmark). Idempotent; skips apt-get when everything is present.
# Extra package names given as arguments are installed too (scripts/setup-bench.sh uses this).
set -euo pipefail
pkgs=(cmake g++ make pkg-config libgtest-dev libbenchmark-dev
      libeigen3-dev libboost-dev libmpfr-dev libgmp-dev libmpfi-dev
      librapidcheck-dev libcli11-dev nlohmann-json3-dev libfmt-dev
      gnuplot-nox python3-mpmath chromium libpugixml-dev python3-junitparser libxml2-utils
      "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
