#!/usr/bin/env bash
# Smoke test of a deployed (or local) bridge: creates a temporary user and group, reads,
# patches, deactivates and deletes them, one line per step; exits non-zero on any failure.
#
#   scripts/smoke.sh BASE [TOKEN]
#
# BASE is the SCIM base URL (the stack output ScimBaseUrl, or http://127.0.0.1:9000/scim/v2 for
# `make run`). TOKEN is the bearer token; without it the script reads SCIM_TOKEN, which keeps the
# token out of the shell history and the process list. The token is never printed, and never on a
# command line here: curl reads the Authorization header from a file only this user can read.
#
# Everything it creates is named scim-smoke-<random> (the user scim-smoke-<random>@example.invalid),
# so a leftover is easy to recognise. Whatever step fails, the EXIT trap deletes what was
# created — also an object whose create answered 5xx (it is looked up by name first).
#
# Throttled answers (429) are retried after Retry-After, at most 8 times per step: the stage's
# per-method limits are low on purpose (README, "Throttling"), and a step may meet them.
# Needs curl and python3 (JSON).
set -euo pipefail

usage() { echo "usage: scripts/smoke.sh BASE [TOKEN]   (or SCIM_TOKEN=... scripts/smoke.sh BASE)" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
BASE=${1%/}
TOKEN=${2:-${SCIM_TOKEN:-}}
[ -n "$BASE" ] && [ -n "$TOKEN" ] || usage
case "$BASE" in http://* | https://*) ;; *) echo "BASE must be an http(s) URL" >&2; exit 2 ;; esac
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "needs curl and python3" >&2; exit 2; }

WORK=$(mktemp -d)
chmod 700 "$WORK"
HEADERS="$WORK/headers"
(umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$HEADERS")
unset TOKEN SCIM_TOKEN

SUFFIX=$(python3 -c 'import secrets; print(secrets.token_hex(5))')
USER_NAME="scim-smoke-$SUFFIX@example.invalid"
GROUP_NAME="scim-smoke-$SUFFIX"
USER_ID="" GROUP_ID="" USER_GONE=false GROUP_GONE=false
PASSED=0 STEP="" STARTED=0
STATUS="" BODY="$WORK/body" RETRIED=0

# json FILE EXPR: prints a value of the JSON in FILE; EXPR is a dotted path (Resources.0.id).
json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
try:
    value = json.load(open(sys.argv[1]))
    for key in sys.argv[2].split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
except Exception:
    sys.exit(0)
print(json.dumps(value) if isinstance(value, (dict, list, bool)) or value is None else value)
PY
}

# The SCIM error detail of the last answer, or the start of its body.
detail() {
  python3 - "$BODY" <<'PY'
import json, sys
text = open(sys.argv[1], errors="replace").read()
try:
    body = json.loads(text)
    print(" ".join(str(body.get(k)) for k in ("scimType", "detail") if body.get(k)) or text[:200])
except Exception:
    print(" ".join(text.split())[:200] or "(empty body)")
PY
}

# call METHOD PATH [JSON]: one request; sets STATUS and BODY. 429 is retried after Retry-After.
call() {
  local method=$1 path=$2 data=${3:-} attempt wait
  local args=(-sS -o "$BODY" -D "$WORK/answer-headers" -w '%{http_code}' --max-time 30 -X "$method"
    -H "@$HEADERS" -H 'Accept: application/scim+json')
  [ -z "$data" ] || args+=(-H 'Content-Type: application/scim+json' --data-binary "$data")
  RETRIED=0
  for attempt in 1 2 3 4 5 6 7 8 9; do
    STATUS=$(curl "${args[@]}" "$BASE$path" 2>"$WORK/curl-error") || STATUS="000"
    [ "$STATUS" = 429 ] && [ "$attempt" -lt 9 ] || break
    wait=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$WORK/answer-headers" | head -1)
    wait=$(( ${wait:-1} < 1 ? 1 : ${wait:-1} ))
    wait=$(( wait * attempt > 20 ? 20 : wait * attempt ))
    RETRIED=$((RETRIED + 1))
    sleep "$wait"
  done
  if [ "$STATUS" = "000" ]; then
    printf '{"detail":"no answer: %s"}' "$(tr -d '"\\\n' <"$WORK/curl-error" | cut -c1-150)" >"$BODY"
  fi
}

start() { STEP=$1; STARTED=$(date +%s%N); }
ok() {
  local ms=$(( ($(date +%s%N) - STARTED) / 1000000 )) note=""
  [ "$RETRIED" = 0 ] || note=", $RETRIED× throttled"
  printf 'ok    %-44s %s, %d ms%s%s\n' "$STEP" "$STATUS" "$ms" "$note" "${1:+, $1}"
  PASSED=$((PASSED + 1))
}
fail() {
  printf 'FAIL  %-44s %s\n' "$STEP" "$1"
  exit 1
}
# expect CODES...: the last answer's status must be one of them.
expect() {
  local code
  for code in "$@"; do [ "$STATUS" = "$code" ] && return 0; done
  fail "expected $(echo "$@" | sed 's/ / or /g'), got $STATUS: $(detail)"
}
# check NAME ACTUAL WANTED
check() { [ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"; }

# Looks an object up by name (for a create whose answer was lost or 5xx) and prints its id.
find_id() {
  local resource=$1 attribute=$2 value=$3 query
  query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(f"{sys.argv[1]} eq \"{sys.argv[2]}\""))' "$attribute" "$value")
  call GET "/$resource?filter=$query&count=2" >/dev/null 2>&1 || return 0
  [ "$STATUS" = 200 ] && json "$BODY" Resources.0.id || true
}

cleanup() {
  local code=$?
  trap - EXIT
  set +e
  if ! $GROUP_GONE; then
    [ -n "$GROUP_ID" ] || GROUP_ID=$(find_id Groups displayName "$GROUP_NAME")
    if [ -n "$GROUP_ID" ]; then
      call DELETE "/Groups/$GROUP_ID"
      printf 'clean %-44s %s\n' "delete group $GROUP_ID" "$STATUS"
    fi
  fi
  if ! $USER_GONE; then
    [ -n "$USER_ID" ] || USER_ID=$(find_id Users userName "$USER_NAME")
    if [ -n "$USER_ID" ]; then
      call DELETE "/Users/$USER_ID"
      printf 'clean %-44s %s\n' "delete user $USER_ID" "$STATUS"
    fi
  fi
  rm -rf "$WORK"
  if [ "$code" = 0 ]; then
    echo "smoke: $PASSED steps passed against $BASE"
  else
    echo "smoke: FAILED after $PASSED passed steps against $BASE"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "smoke: $BASE, temporary user $USER_NAME and group $GROUP_NAME"

start "service provider config"
call GET /ServiceProviderConfig
expect 200
ok

start "create user"
call POST /Users "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$USER_NAME\",\"displayName\":\"SCIM smoke $SUFFIX\",\"name\":{\"givenName\":\"SCIM\",\"familyName\":\"Smoke\"},\"active\":true,\"externalId\":\"scim-smoke-$SUFFIX\"}"
expect 201
USER_ID=$(json "$BODY" id)
[ -n "$USER_ID" ] || fail "the answer has no id"
ok "id $USER_ID"

start "read user"
call GET "/Users/$USER_ID"
expect 200
check userName "$(json "$BODY" userName | tr 'A-Z' 'a-z')" "$USER_NAME"
check active "$(json "$BODY" active)" true
ok

start "find user by userName"
QUERY=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(f"userName eq \"{sys.argv[1]}\""))' "$USER_NAME")
call GET "/Users?filter=$QUERY"
expect 200
check totalResults "$(json "$BODY" totalResults)" 1
check "Resources[0].id" "$(json "$BODY" Resources.0.id)" "$USER_ID"
ok

start "patch user displayName"
call PATCH "/Users/$USER_ID" '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"SCIM smoke '"$SUFFIX"' renamed"}]}'
expect 200 204
if [ "$STATUS" = 204 ]; then call GET "/Users/$USER_ID"; expect 200; fi
check displayName "$(json "$BODY" displayName)" "SCIM smoke $SUFFIX renamed"
ok

start "create group with the user"
call POST /Groups "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"$GROUP_NAME\",\"members\":[{\"value\":\"$USER_ID\"}]}"
expect 201
GROUP_ID=$(json "$BODY" id)
[ -n "$GROUP_ID" ] || fail "the answer has no id"
ok "id $GROUP_ID"

start "read group"
call GET "/Groups/$GROUP_ID"
expect 200
check displayName "$(json "$BODY" displayName)" "$GROUP_NAME"
check "members[0].value" "$(json "$BODY" members.0.value)" "$USER_ID"
ok

start "patch group: rename, remove the member"
call PATCH "/Groups/$GROUP_ID" '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"'"$GROUP_NAME"'-renamed"},{"op":"remove","path":"members[value eq \"'"$USER_ID"'\"]"}]}'
expect 200 204
call GET "/Groups/$GROUP_ID"
expect 200
check displayName "$(json "$BODY" displayName)" "$GROUP_NAME-renamed"
MEMBERS=$(json "$BODY" members)
[ -z "$MEMBERS" ] || [ "$MEMBERS" = "[]" ] || fail "members is $MEMBERS, expected none"
GROUP_NAME="$GROUP_NAME-renamed"
ok

start "deactivate user"
call PATCH "/Users/$USER_ID" '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}'
expect 200 204
if [ "$STATUS" = 204 ]; then call GET "/Users/$USER_ID"; expect 200; fi
check active "$(json "$BODY" active)" false
ok

start "delete group"
call DELETE "/Groups/$GROUP_ID"
expect 204
GROUP_GONE=true
ok

start "group is gone"
call GET "/Groups/$GROUP_ID"
expect 404
ok

start "delete user"
call DELETE "/Users/$USER_ID"
expect 204
USER_GONE=true
ok

start "user is gone"
call GET "/Users/$USER_ID"
expect 404
ok
