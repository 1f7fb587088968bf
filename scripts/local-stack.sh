#!/usr/bin/env bash
# Runs the whole stack locally: the Databricks emulator and `cargo lambda watch`, which
# serves every function behind one base URL mirroring the API Gateway routes.
#
#   scripts/local-stack.sh               # foreground; Ctrl-C stops everything
#   scripts/local-stack.sh --background  # start, wait until ready, return (pids and logs in .local/$PORT/)
#   scripts/local-stack.sh --stop        # stop a background stack
#
# Environment (all optional): PORT (9000), EMULATOR_PORT (8787), SCIM_BEARER_TOKENS
# (local-dev-token), EMULATOR_FLAGS (e.g. "--seed-quirks" or "--write-answers resource"), and
# the functions' own settings, passed through: SCIM_PATCH_RESPONSE, DATABRICKS_CLOUD,
# DATABRICKS_RETRY_BUDGET_MS, the account target (DATABRICKS_TARGET, DATABRICKS_ACCOUNT_ID,
# DATABRICKS_ASSIGN_WORKSPACES, DATABRICKS_ASSIGN_PERMISSION; with DATABRICKS_TARGET=account the
# emulator also serves the accounts host, so pass EMULATOR_FLAGS="--target account"); and OAuth client credentials: OAUTH_CLIENTS and OAUTH_SIGNING_KEYS
# (a local client and key by default; OAUTH_CLIENTS= turns the token endpoint off),
# OAUTH_TOKEN_LIFETIME_SECS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-9000}
# One state directory per port, so stacks on other ports (other runs, CI) are left alone.
STATE="$ROOT/.local/$PORT"
EMULATOR_PORT=${EMULATOR_PORT:-8787}
export SCIM_BEARER_TOKENS=${SCIM_BEARER_TOKENS:-local-dev-token}
DATABRICKS_TOKEN=${DATABRICKS_TOKEN:-dapi-local-emulator-token}
MODE=${1:-foreground}

stop() {
  for f in "$STATE"/watch.pid "$STATE"/relay.pid "$STATE"/emulator.pid; do
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
for v in DATABRICKS_TARGET DATABRICKS_ACCOUNT_ID DATABRICKS_ASSIGN_WORKSPACES DATABRICKS_ASSIGN_PERMISSION; do
  [ -z "${!v:-}" ] || export "${v?}"
done
# The emulator is the accounts host too.
[ "${DATABRICKS_TARGET:-}" != account ] || export DATABRICKS_ACCOUNTS_HOST="$DATABRICKS_HOST"
# OAuth client credentials (README, "OAuth client credentials"), the secrets' values in the
# environment instead of Secrets Manager: the token endpoint reads both, every SCIM function the keys.
LOCAL_OAUTH_CLIENTS='{"local-client":"local-client-secret-0123456789"}'
export OAUTH_CLIENTS=${OAUTH_CLIENTS-$LOCAL_OAUTH_CLIENTS}
export OAUTH_SIGNING_KEYS=${OAUTH_SIGNING_KEYS-'{"current":"local-signing-key-0123456789abcdefghij"}'}
[ -z "${OAUTH_TOKEN_LIFETIME_SECS:-}" ] || export OAUTH_TOKEN_LIFETIME_SECS
# Every function reaches cargo lambda watch's Runtime API through scripts/runtime-relay.py, one
# kept-alive connection per function process: cargo lambda watch answers a function's response
# before reading its body, and answered the caller `500 text/plain` itself when the function's
# runtime then closed that connection (scripts/runtime-relay.py says more). The relay is
# wired in by a cargo target runner (scripts/lambda-runner.sh), so cargo lambda watch still
# starts, routes and invokes the functions.
rm -f "$STATE/relay.port"
setsid python3 "$ROOT/scripts/runtime-relay.py" "$PORT" "$STATE/relay.port" >"$STATE/relay.log" 2>&1 &
echo $! >"$STATE/relay.pid"
for _ in $(seq 1 50); do [ -s "$STATE/relay.port" ] && break; sleep 0.1; done
[ -s "$STATE/relay.port" ] || { echo "the Runtime API relay did not start; see $STATE/relay.log" >&2; stop; exit 1; }
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p' | tr 'a-z.-' 'A-Z__')
# --ignore-changes: a file event (any edit, a `git status`, Cargo.lock rewritten by a build)
# made cargo lambda watch restart every function and lose the requests in flight.
env LAMBDA_RUNTIME_RELAY="http://127.0.0.1:$(cat "$STATE/relay.port")" \
  "CARGO_TARGET_${HOST_TRIPLE}_RUNNER=$ROOT/scripts/lambda-runner.sh" \
  setsid cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$PORT" >"$STATE/watch.log" 2>&1 &
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
if [ "$OAUTH_CLIENTS" = "$LOCAL_OAUTH_CLIENTS" ]; then
  cat <<MSG
OAuth client credentials (client local-client): an access token for the same calls
  curl -u local-client:local-client-secret-0123456789 -d grant_type=client_credentials http://127.0.0.1:$PORT/oauth/token
MSG
fi
if [ "$MODE" = "--background" ]; then exit 0; fi
echo "(Ctrl-C stops the stack)"
wait "$(cat "$STATE/watch.pid")"
