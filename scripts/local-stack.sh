#!/usr/bin/env bash
# Runs the whole stack locally: the Databricks emulator and `cargo lambda watch`, which
# serves every function behind one base URL mirroring the API Gateway routes.
#
#   scripts/local-stack.sh               # foreground; Ctrl-C stops everything
#   scripts/local-stack.sh --background  # start, wait until ready, return (pids in .local/)
#   scripts/local-stack.sh --stop        # stop a background stack
#
# Environment (all optional): PORT (9000), EMULATOR_PORT (8787), SCIM_BEARER_TOKENS
# (local-dev-token), EMULATOR_FLAGS (e.g. "--seed-quirks" or "--write-answers resource"), and
# the functions' own settings, passed through: SCIM_PATCH_RESPONSE, DATABRICKS_CLOUD,
# DATABRICKS_RETRY_BUDGET_MS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE="$ROOT/.local"
PORT=${PORT:-9000}
EMULATOR_PORT=${EMULATOR_PORT:-8787}
export SCIM_BEARER_TOKENS=${SCIM_BEARER_TOKENS:-local-dev-token}
DATABRICKS_TOKEN=${DATABRICKS_TOKEN:-dapi-local-emulator-token}
MODE=${1:-foreground}

stop() {
  for f in "$STATE"/watch.pid "$STATE"/emulator.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}
if [ "$MODE" = "--stop" ]; then stop; echo "local stack stopped"; exit 0; fi

mkdir -p "$STATE"
# cargo-lambda left crates.io; its PyPI wheel ships the binary.
if ! cargo lambda --version >/dev/null 2>&1; then
  if [ ! -x "$ROOT/.venv/bin/cargo-lambda" ]; then
    echo "installing cargo-lambda from PyPI into .venv ..."
    python3 -m venv "$ROOT/.venv"
    "$ROOT/.venv/bin/pip" install --quiet cargo-lambda
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
fi

echo "building the emulator and the functions (first run: a few minutes) ..."
cargo build --quiet --bins

stop  # a previous background stack, if any
setsid "$ROOT/target/debug/databricks-emulator" --host 127.0.0.1 --port "$EMULATOR_PORT" \
  --token "$DATABRICKS_TOKEN" ${EMULATOR_FLAGS:-} >"$STATE/emulator.log" 2>&1 &
echo $! >"$STATE/emulator.pid"

export DATABRICKS_HOST="http://127.0.0.1:$EMULATOR_PORT" DATABRICKS_TOKEN RUST_LOG=${RUST_LOG:-info}
# cargo lambda watch hands its environment to the functions.
export SCIM_PATCH_RESPONSE=${SCIM_PATCH_RESPONSE:-resource}
[ -z "${DATABRICKS_CLOUD:-}" ] || export DATABRICKS_CLOUD
[ -z "${DATABRICKS_RETRY_BUDGET_MS:-}" ] || export DATABRICKS_RETRY_BUDGET_MS
setsid cargo lambda watch -A 127.0.0.1 -P "$PORT" >"$STATE/watch.log" 2>&1 &
echo $! >"$STATE/watch.pid"
trap 'stop' INT TERM

BASE="http://127.0.0.1:$PORT/scim/v2"
TOKEN=${SCIM_BEARER_TOKENS%%,*}
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$(cat "$STATE/watch.pid")" 2>/dev/null; then
    echo "cargo lambda watch exited; see $STATE/watch.log" >&2; tail -20 "$STATE/watch.log" >&2; stop; exit 1
  fi
  sleep 1
done
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig" || {
  echo "the stack did not come up; see $STATE/watch.log" >&2; stop; exit 1; }

cat <<MSG
local stack is up: SCIM base URL $BASE (emulator on http://127.0.0.1:$EMULATOR_PORT)
try:
  curl -H "Authorization: Bearer $TOKEN" $BASE/Users
MSG
if [ "$MODE" = "--background" ]; then exit 0; fi
echo "(Ctrl-C stops the stack)"
wait "$(cat "$STATE/watch.pid")"
