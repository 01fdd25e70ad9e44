#!/usr/bin/env bash
# Macro benchmark: logq against DuckDB, jq and ripgrep on one generated dataset.
#   bench/compare.sh                 # full: 1,000,000 k8s events + 200,000 CloudTrail records, 5 runs
#   bench/compare.sh --tiny          # 20,000 + 4,000 events, 3 runs (what CI runs)
#   bench/compare.sh --help          # every option
# Needs: swift, python3, jq, rg (Debian ripgrep), duckdb (PyPI duckdb-cli). Release builds only.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in jq rg duckdb python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh: '$tool' is missing (jq, ripgrep: apt-get install; duckdb: pip install duckdb-cli)" >&2; exit 1; }
done
swift build -c release --product logq >&2
swift build -c release --product logq-gen >&2
exec python3 bench/compare.py --bin .build/release "$@"
