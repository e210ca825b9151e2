#!/usr/bin/env bash
# Installs the Debian packages splitsim needs to build, test and plot, but only those
# that are missing, so `make demo` is quick on a machine that already has them.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
    build-essential cmake pkg-config gcc clang
    libclang-rt-14-dev          # ASan/UBSan/libFuzzer runtimes for clang
    libyaml-dev                 # scenario files
    libre2-dev                  # regular expressions as Envoy matches them (RE2)
    g++                         # regex.cc: RE2 behind a C interface
    nettle-dev                  # sha256 for Kuma's subset cluster names, flow stream hashes
    libjansson-dev              # JSON reports
    libcriterion-dev            # unit tests
    gnuplot-nox                 # plots (run as an external program)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
