#!/usr/bin/env bash
# The whole test suite: lint, types, then every test (parity tests need sysdig: see install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m ruff check src tests benchmarks
python3 -m mypy --strict src/sysdive
python3 -m pytest -q -p no:cacheprovider "$@"
