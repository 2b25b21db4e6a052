#!/usr/bin/env bash
# Builds absl_reference beside this script: g++ -O2 -march=native against Debian's libabsl-dev (pkg-config).
# Needs: apt-get install -y g++ libabsl-dev pkg-config
set -euo pipefail
cd "$(dirname "$0")"

for tool in g++ pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing: apt-get install -y g++ libabsl-dev pkg-config" >&2; exit 1; }
done
if ! pkg-config --exists absl_flat_hash_map absl_hash absl_raw_hash_set; then
  echo "abseil's pkg-config files are missing: apt-get install -y libabsl-dev" >&2
  exit 1
fi

# shellcheck disable=SC2046 # pkg-config's output is a list of flags and must be split
g++ -std=c++17 -O2 -march=native -DNDEBUG -Wall -Wextra -Werror \
  -o absl_reference absl_reference.cc \
  $(pkg-config --cflags --libs absl_flat_hash_map absl_hash absl_raw_hash_set)
echo "built $(pwd)/absl_reference"
