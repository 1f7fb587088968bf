#!/usr/bin/env bash
# SAM checks: `sam validate --lint`, `cfn-lint`, then `sam build` of every function in
# template.yaml (arm64 release builds through cargo-lambda and zig). Works offline once the
# crates are fetched. Called by scripts/test-all.sh; `--lint-only` skips the build.
#
# Tools: cargo-lambda and ziglang go in .venv (next to scim2-cli, where test-all.sh puts them);
# aws-sam-cli and cfn-lint go in .venv-sam, because aws-sam-cli pins click==8.1.8 while
# scim2-cli needs click>=8.5 and one venv cannot hold both. .venv/bin comes first on PATH:
# cargo-lambda finds zig through `python3 -m ziglang`, so that python3 must be the .venv one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

lint_only=false
case "${1:-}" in
  --lint-only) lint_only=true ;;
  "") ;;
  *) echo "usage: scripts/sam-checks.sh [--lint-only]" >&2; exit 2 ;;
esac

started=$SECONDS
step_started=$SECONDS
step() { step_started=$SECONDS; echo "-- $*"; }
took() { echo "   ($(( SECONDS - step_started )) s)"; }

step "tools"
if [ ! -x "$ROOT/.venv/bin/python3" ]; then
  python3 -m venv "$ROOT/.venv"
fi
if [ ! -x "$ROOT/.venv/bin/cargo-lambda" ] || ! "$ROOT/.venv/bin/python3" -c 'import ziglang' 2>/dev/null; then
  echo "   installing cargo-lambda and ziglang from PyPI into .venv ..."
  "$ROOT/.venv/bin/pip" install --quiet cargo-lambda==1.9.2 ziglang==0.17.1
fi
if [ ! -x "$ROOT/.venv-sam/bin/sam" ] || [ ! -x "$ROOT/.venv-sam/bin/cfn-lint" ]; then
  echo "   installing aws-sam-cli and cfn-lint from PyPI into .venv-sam ..."
  [ -x "$ROOT/.venv-sam/bin/python3" ] || python3 -m venv "$ROOT/.venv-sam"
  "$ROOT/.venv-sam/bin/pip" install --quiet aws-sam-cli==1.170.0 cfn-lint==1.58.0
fi
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi
export PATH="$ROOT/.venv/bin:$ROOT/.venv-sam/bin:$PATH"
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1
took

step "sam validate --lint -t template.yaml"
sam validate --lint -t template.yaml
took

step "cfn-lint template.yaml"
cfn-lint template.yaml
took

if ! $lint_only; then
  # samconfig.toml [default.build.parameters] applies: one function at a time.
  step "sam build -t template.yaml"
  sam build -t template.yaml
  took
  for f in .aws-sam/build/*Function/bootstrap; do
    # ELF e_machine (2 bytes at offset 18) is 0xb7 for aarch64.
    [ "$(od -An -tx2 -j18 -N2 "$f" | tr -d ' ')" = 00b7 ] || { echo "$f is not an arm64 binary" >&2; exit 1; }
  done
  echo "   $(ls .aws-sam/build/*Function/bootstrap | wc -l) functions built, arm64"
fi

echo "sam checks: $(( SECONDS - started )) s in total"
