#!/usr/bin/env bash
# `make bench`: builds release binaries (host, to run; arm64 through cargo-lambda and zig, to
# weigh) and runs tests/bench/bench.py, which prints each figure beside its goal: Databricks
# calls per operation under each emulator --write-answers variant, cold start against a bare
# lambda_http function, warm overhead, arm64 sizes and peak RSS, a 10 000-user listing.
# Figures only: nothing here fails on a time. BENCHMARKS.md keeps one run.
#
#   scripts/bench.sh            # the full run (first run: release builds, several minutes)
#   scripts/bench.sh --short    # CI (scripts/test-all.sh): the debug binaries the local stack
#                               # built, the arm64 binaries of `sam build`, fewer repetitions
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

short=false
case "${1:-}" in
  --short) short=true ;;
  "") ;;
  *) echo "usage: scripts/bench.sh [--short]" >&2; exit 2 ;;
esac

# Tools from PyPI into .venv, as scripts/test-all.sh and scripts/sam-checks.sh install them.
if [ ! -x "$ROOT/.venv/bin/python3" ]; then
  python3 -m venv "$ROOT/.venv"
fi
if [ ! -x "$ROOT/.venv/bin/moto_server" ]; then
  echo "installing moto[server] from PyPI into .venv ..."
  "$ROOT/.venv/bin/pip" install --quiet "moto[server]"
fi
export PATH="$ROOT/.venv/bin:$PATH"

if $short; then
  # scripts/local-stack.sh built these (cargo build --bins); `sam build` the arm64 functions.
  cargo build --quiet --bins
  exec python3 tests/bench/bench.py --short --bin-dir target/debug --arm64-dir .aws-sam/build
fi

if [ ! -x "$ROOT/.venv/bin/cargo-lambda" ] || ! python3 -c 'import ziglang' 2>/dev/null; then
  echo "installing cargo-lambda and ziglang from PyPI into .venv ..."
  pip install --quiet cargo-lambda==1.9.2 ziglang==0.17.1
fi
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi
echo "== release build (host): the functions, bench-hello and the emulator"
cargo build --quiet --release --bins
echo "== release build (arm64, cargo lambda): every function"
started=$SECONDS
cargo lambda build --quiet --release --arm64 $(ls functions | sed 's/^/-p /')
echo "   ($(( SECONDS - started )) s)"
python3 tests/bench/bench.py --bin-dir target/release --arm64-dir target/lambda
