#!/usr/bin/env bash
# Macro benchmark: logq against DuckDB, jq and ripgrep on one generated dataset.
#   bench/compare.sh                 # full: 1,000,000 k8s events + 200,000 CloudTrail records, 5 runs
#   bench/compare.sh --tiny          # 20,000 + 4,000 events, 3 runs (what CI runs)
#   bench/compare.sh --profile varied  # the same on values as real clusters vary them
#   bench/compare.sh --help          # every option
# Needs: swift, python3, jq, rg (Debian ripgrep), duckdb (PyPI duckdb-cli). Release builds only.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in jq rg duckdb python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh: '$tool' is missing (jq, ripgrep: apt-get install; duckdb: pip install duckdb-cli)" >&2; exit 1; }
done
# A release build with the Swift runtime linked in (--static-swift-stdlib), as a binary is
# installed: every query is a whole process, and binding the shared Swift libraries at start-up
# costs ~8 ms of a ~20 ms query. Its own build folder, so `swift build -c release` (shared
# libraries) and this one do not rebuild each other.
build=(swift build -c release --static-swift-stdlib --scratch-path .build-static)
"${build[@]}" --product logq >&2
"${build[@]}" --product logq-gen >&2
exec python3 bench/compare.py --bin .build-static/release "$@"
