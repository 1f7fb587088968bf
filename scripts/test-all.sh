#!/usr/bin/env bash
# Every check, in the order CI runs them: format, lints, unit and integration tests (the
# emulator in both modes), then scim2-tester, scripts/smoke.sh, real-client requests and 2 000
# sequential requests (scripts/runner-check.py) against the local stack, then a short benchmark
# run (figures only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ ! -x "$ROOT/.venv/bin/scim2" ] || [ ! -x "$ROOT/.venv/bin/cargo-lambda" ] || [ ! -x "$ROOT/.venv/bin/moto_server" ]; then
  echo "installing scim2-cli, cargo-lambda and moto[server] from PyPI into .venv ..."
  python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/pip" install --quiet scim2-cli==0.6.0 cargo-lambda "moto[server]"
fi
export PATH="$ROOT/.venv/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test (unit, emulator, integration in both emulator modes, Secrets Manager on moto)"
cargo test --workspace
echo "== the integration suite and the client corpus again, against the account target (SCIM_TEST_TARGET=account)"
SCIM_TEST_TARGET=account cargo test -p tests --test api
echo "== fault suite, fixed seed (tests/faults/; last line: lost, duplicated and crashes must be 0)"
timeout 300 make faults SEED=${FAULTS_SEED:-20261201}
echo "== fault suite against the account target, assignment faulted too (last line: lost, duplicated and crashes must be 0; unassigned is a figure)"
timeout 300 make faults SEED=${FAULTS_SEED:-20261201} TARGET=account
echo "== SAM template checks and sam build"
scripts/sam-checks.sh

echo "== scim2-tester against the local stack"
export PORT=${CONFORMANCE_PORT:-9400} EMULATOR_PORT=${CONFORMANCE_EMULATOR_PORT:-9487}
export SCIM_BEARER_TOKENS=conformance-token
trap 'scripts/local-stack.sh --stop >/dev/null 2>&1 || true' EXIT
scripts/local-stack.sh --background
SCIM_TOKEN=conformance-token python3 tests/conformance/scim_conformance.py "http://127.0.0.1:$PORT/scim/v2"

echo "== smoke test against the local stack: a temporary user and group created, read, patched, deactivated, deleted"
SCIM_TOKEN=conformance-token scripts/smoke.sh "http://127.0.0.1:$PORT/scim/v2"

echo "== real-client requests against the strict Databricks emulator, PATCH answered 200 then 204"
SCIM_TOKEN=conformance-token python3 tests/conformance/strict_databricks.py "http://127.0.0.1:$PORT/scim/v2" "http://127.0.0.1:$EMULATOR_PORT"

echo "== OAuth client credentials through the local stack: a token from /oauth/token authorises SCIM calls; expired and altered tokens are a SCIM 401"
SCIM_TOKEN=conformance-token python3 tests/conformance/oauth_client_credentials.py "http://127.0.0.1:$PORT/scim/v2"
scripts/local-stack.sh --stop >/dev/null
SCIM_PATCH_RESPONSE=no-content scripts/local-stack.sh --background >/dev/null
SCIM_PATCH_RESPONSE=no-content SCIM_TOKEN=conformance-token \
  python3 tests/conformance/strict_databricks.py "http://127.0.0.1:$PORT/scim/v2" "http://127.0.0.1:$EMULATOR_PORT"

echo "== the local stack answers every request: 2 000 sequential requests, 0 answers not the bridge's"
SCIM_TOKEN=conformance-token python3 scripts/runner-check.py "http://127.0.0.1:$PORT/scim/v2" "http://127.0.0.1:$EMULATOR_PORT" 2000 --users 2000

echo "== the account target through the local stack (emulator --target account, workspace assignment on): scim2-tester and the smoke test"
scripts/local-stack.sh --stop >/dev/null
EMULATOR_FLAGS="--target account" DATABRICKS_TARGET=account DATABRICKS_ACCOUNT_ID=0d26daa6-5e44-4c97-a497-ef015f91254a \
  DATABRICKS_ASSIGN_WORKSPACES=1234567890123456 scripts/local-stack.sh --background >/dev/null
SCIM_TOKEN=conformance-token python3 tests/conformance/scim_conformance.py "http://127.0.0.1:$PORT/scim/v2"
SCIM_TOKEN=conformance-token scripts/smoke.sh "http://127.0.0.1:$PORT/scim/v2"
python3 - "http://127.0.0.1:$PORT/scim/v2" "http://127.0.0.1:$EMULATOR_PORT" conformance-token <<'PY'
# Through the local stack: a user and a group created are each one account SCIM create and one
# permission assignment in the emulator's request log; deleting them removes both.
import json, sys, urllib.request
scim, emulator, token = sys.argv[1:4]
def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return r.status, json.loads(text) if text else None
auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
def emu(path, method="GET"):
    return call(method, f"{emulator}/_emulator/{path}")[1]
def log():
    return [(r["method"], r["path"]) for r in emu("requests")]
def assigned(pid):
    return [a for a in emu("state").get("permission_assignments", []) if a["principal_id"] == pid]
account, ws = "/api/2.0/accounts/0d26daa6-5e44-4c97-a497-ef015f91254a", "1234567890123456"
for resource, body in [("Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "acceptance@example.com"}),
                       ("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "acceptance-group"})]:
    emu("reset-stats", "POST")
    status, created = call("POST", f"{scim}/{resource}", body, auth)
    pid = created["id"]
    expected = [("POST", f"{account}/scim/v2/{resource}"), ("PUT", f"{account}/workspaces/{ws}/permissionassignments/principals/{pid}")]
    assert status == 201 and log() == expected, (status, log())
    assert [a["permissions"] for a in assigned(pid)] == [["USER"]], assigned(pid)
    emu("reset-stats", "POST")
    status, _ = call("DELETE", f"{scim}/{resource}/{pid}", None, auth)
    expected = [("DELETE", f"{account}/workspaces/{ws}/permissionassignments/principals/{pid}"), ("DELETE", f"{account}/scim/v2/{resource}/{pid}")]
    assert status == 204 and log() == expected, (status, log())
    assert assigned(pid) == [], assigned(pid)
    print(f"account target, {resource}: one SCIM create and one permission assignment; the delete removed both")
PY

echo "== benchmark, short run: figures only, nothing asserted about time (debug binaries; the arm64 sizes are sam build's)"
scripts/local-stack.sh --stop >/dev/null
scripts/bench.sh --short
