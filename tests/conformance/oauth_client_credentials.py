#!/usr/bin/env python3
"""OAuth 2.0 client credentials (RFC 6749 §4.4) through the local stack: a token from the token
endpoint authorises SCIM calls next to the static bearer token; the endpoint's errors are the
RFC 6749 §5.2 ones; an expired or altered token is a SCIM 401. Prints one line per check and a
closing line `oauth client credentials: N passed, N failed`; exit status 1 when anything failed.

usage: oauth_client_credentials.py SCIM_BASE_URL
Environment (the local stack's defaults, scripts/local-stack.sh): OAUTH_CLIENT_ID,
OAUTH_CLIENT_SECRET, OAUTH_SIGNING_KEY (the `current` key: the expired token is made here, as an
independent check of the token format in README "OAuth client credentials"), SCIM_TOKEN (the
static bearer token). Standard library only; a few seconds.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SCIM = sys.argv[1].rstrip("/")
TOKEN_URL = SCIM[: SCIM.rfind("/scim/v2")] + "/oauth/token"
CLIENT_ID = os.environ.get("OAUTH_CLIENT_ID", "local-client")
CLIENT_SECRET = os.environ.get("OAUTH_CLIENT_SECRET", "local-client-secret-0123456789")
SIGNING_KEY = os.environ.get("OAUTH_SIGNING_KEY", "local-signing-key-0123456789abcdefghij")
STATIC = os.environ.get("SCIM_TOKEN", "local-dev-token")
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
results = []


def request(method, url, headers=None, data=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, dict(r.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, dict(e.headers), json.loads(raw) if raw else None
        except ValueError:
            return e.code, dict(e.headers), raw.decode(errors="replace")


def token_request(form, basic=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        pair = urllib.parse.quote(basic[0], safe="") + ":" + urllib.parse.quote(basic[1], safe="")
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    return request("POST", TOKEN_URL, headers, urllib.parse.urlencode(form).encode())


def scim(method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/scim+json"
        data = json.dumps(body).encode()
    return request(method, SCIM + path, headers, data)


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(payload, key=SIGNING_KEY):
    """A token in the bridge's format (README, "OAuth client credentials"), made independently."""
    kid = b64url(hashlib.sha256(b"databricks-scim-bridge signing key id\0" + key.encode()).digest()[:9])
    header_b64 = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    signing_input = header_b64 + "." + b64url(json.dumps(payload).encode())
    mac = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def refused_as_scim_401(name, token, detail_part):
    status, headers, body = scim("GET", "/Users", token)
    ok = (
        status == 401
        and isinstance(body, dict)
        and body.get("schemas") == [ERROR_SCHEMA]
        and detail_part in str(body.get("detail"))
        and header(headers, "WWW-Authenticate") == 'Bearer realm="scim", error="invalid_token"'
    )
    check(f"{name}: SCIM 401 {body.get('detail') if isinstance(body, dict) else ''}", ok, f"{status} {headers} {body}")


# 1. A token from the endpoint (HTTP Basic) authorises SCIM calls.
status, headers, body = token_request({"grant_type": "client_credentials"}, (CLIENT_ID, CLIENT_SECRET))
ok = (
    status == 200
    and body.get("token_type") == "Bearer"
    and isinstance(body.get("expires_in"), int)
    and header(headers, "Cache-Control") == "no-store"
)
check(f"POST {TOKEN_URL} (HTTP Basic): {status}, token_type Bearer, expires_in {body.get('expires_in')}", ok, f"{status} {body}")
access = body.get("access_token", "") if isinstance(body, dict) else ""
status, _, body = scim("GET", "/Users?count=1", access)
check(f"GET /Users with the access token: {status}", status == 200, body)
status, _, body = scim("POST", "/Users", access, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "oauth.check@example.com"})
check(f"POST /Users with the access token: {status}", status == 201, body)
if status == 201:
    status, _, body = scim("DELETE", f"/Users/{body['id']}", access)
    check(f"DELETE /Users/{{id}} with the access token: {status}", status == 204, body)
status, _, body = scim("GET", "/ServiceProviderConfig", STATIC)
check(f"the static bearer token still works: {status}", status == 200, body)

# 2. Client authentication in the body works too.
status, _, body = token_request({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
form_token = body.get("access_token", "") if isinstance(body, dict) else ""
check(f"client_id and client_secret in the body: {status}", status == 200 and scim("GET", "/Groups", form_token)[0] == 200, body)

# 3. The endpoint's errors (RFC 6749 §5.2).
for name, form, basic, want_status, want_error in [
    ("wrong client secret", {"grant_type": "client_credentials"}, (CLIENT_ID, "wrong-secret-0123456789"), 401, "invalid_client"),
    ("unknown client", {"grant_type": "client_credentials"}, ("no-such-client", CLIENT_SECRET), 401, "invalid_client"),
    ("missing grant_type", {}, (CLIENT_ID, CLIENT_SECRET), 400, "invalid_request"),
    ("password grant", {"grant_type": "password", "username": "a", "password": "b"}, (CLIENT_ID, CLIENT_SECRET), 400, "unsupported_grant_type"),
    ("HTTP Basic and a body secret", {"grant_type": "client_credentials", "client_secret": CLIENT_SECRET}, (CLIENT_ID, CLIENT_SECRET), 400, "invalid_request"),
]:
    status, headers, body = token_request(form, basic)
    ok = status == want_status and isinstance(body, dict) and body.get("error") == want_error
    ok = ok and header(headers, "Cache-Control") == "no-store"
    if want_status == 401:
        ok = ok and (header(headers, "WWW-Authenticate") or "").startswith("Basic")
    check(f"{name}: {status} {body.get('error') if isinstance(body, dict) else body}", ok, f"{status} {headers} {body}")

# 4. Expired and altered tokens are a SCIM 401.
now = int(time.time())
refused_as_scim_401("expired token", signed({"client_id": CLIENT_ID, "iat": now - 1000, "exp": now - 100}), "expired")
check("a token made here with the local key is accepted (the format is as documented)",
      scim("GET", "/Users?count=1", signed({"client_id": CLIENT_ID, "iat": now, "exp": now + 60}))[0] == 200)
head, payload, mac = access.split(".") if access.count(".") == 2 else ("", "", "")
forged = b64url(json.dumps({"client_id": "someone-else", "iat": now, "exp": now + 3600}).encode())
refused_as_scim_401("payload altered", f"{head}.{forged}.{mac}", "signature is not valid")
refused_as_scim_401("signature altered", f"{head}.{payload}.{mac[:-1] + ('A' if mac[-1:] != 'A' else 'B')}", "signature is not valid")
refused_as_scim_401("signed with another key", signed({"client_id": CLIENT_ID, "iat": now, "exp": now + 60}, "another-key-0123456789abcdefghijklmn"), "does not accept")

passed = sum(results)
print(f"oauth client credentials: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
