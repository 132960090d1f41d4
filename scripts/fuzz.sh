#!/usr/bin/env bash
# fuzz.sh [SECONDS] — what CI runs for the fuzz targets (docs/fuzzing.md): install
# clang and libFuzzer's runtime (Debian packages, via install-deps.sh), build every
# target (make fuzz), replay each target's seed corpus and every kept finding, then
# fuzz each target for SECONDS (default 20), one at a time. Prints one line per
# target with its executions and coverage; exits non-zero on any finding.
# The mutation seed is fixed (FUZZ_SEED, default 1) so that CI explores the same inputs
# on every run instead of a new random sample each time; long exploratory runs
# (docs/fuzzing.md) use `make fuzz-run`, which draws a fresh seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bash scripts/install-deps.sh clang libclang-rt-14-dev libomp-14-dev
make -j2 fuzz >/dev/null
FUZZ_SEED=${FUZZ_SEED:-1} make --no-print-directory fuzz-run FUZZ_SECONDS="$seconds"
