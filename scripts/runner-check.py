#!/usr/bin/env python3
"""Does every answer of the local stack come from the bridge? Seeds the emulator, then sends N
sequential requests through `cargo lambda watch`, each on a new connection as curl would:
pages of `GET /Users` and `GET /ServicePrincipals` (100 a page, ~40 KB answers), single
reads, `POST /Users/.search`, `GET /Groups`, `GET /ServiceProviderConfig`, and a user's
create, PATCH and DELETE. An answer is the bridge's if its Content-Type is
`application/scim+json` (the only type the bridge answers with a body) or if it is an empty
204 (its DELETE). Anything else (`cargo lambda watch`'s own `500 text/plain`, a reset, a
timeout) is a runner error. Last line: `runner errors: N of M`; exit status 1 when N is not 0.

usage: runner-check.py SCIM_BASE_URL EMULATOR_URL [N] [--users K] [--service-principals K]
The SCIM token comes from SCIM_TOKEN, the emulator's from DATABRICKS_TOKEN
(dapi-local-emulator-token, the local stack's default). Standard library only.
"""
import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

EMULATOR_SCIM = "/api/2.0/preview/scim/v2"


class Endpoint:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url.rstrip("/"))
        self.host, self.port, self.base = u.hostname, u.port or 80, u.path

    def call(self, method, path, body=None, headers=None, conn=None):
        """One request; a new connection unless one is given. Returns (status, headers, body)."""
        own = conn is None
        conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            data = None if body is None else json.dumps(body).encode()
            hdrs = dict(headers or {})
            if data is not None:
                hdrs.setdefault("Content-Type", "application/scim+json")
            conn.request(method, self.base + path, body=data, headers=hdrs)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            if own:
                conn.close()


def seed(emulator, users, sps):
    """Users through the emulator's own SCIM API (one keep-alive connection), service
    principals through its bulk admin call. Returns up to 100 user ids for single reads."""
    token = os.environ.get("DATABRICKS_TOKEN", "dapi-local-emulator-token")
    auth = {"Authorization": f"Bearer {token}"}
    emulator.call("POST", "/_emulator/reset")
    started = time.monotonic()
    ids = []
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)
    try:
        for i in range(users):
            body = {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": f"runner-check-{i:05d}@example.com",
                "displayName": f"Runner Check {i:05d}",
                "name": {"givenName": "Runner", "familyName": f"Check {i:05d}"},
                "emails": [{"value": f"runner-check-{i:05d}@example.com", "type": "work", "primary": True}],
                "active": True,
            }
            status, _, raw = emulator.call("POST", EMULATOR_SCIM + "/Users", body, auth, conn)
            if status not in (200, 201):
                sys.exit(f"seeding user {i}: emulator answered {status}: {raw[:200]!r}")
            if len(ids) < 100:
                ids.append(json.loads(raw)["id"])
    finally:
        conn.close()
    if sps:
        status, _, raw = emulator.call("POST", "/_emulator/service-principals/bulk", {"prefix": "runner-check-sp", "count": sps})
        if status != 200:
            sys.exit(f"seeding service principals: emulator answered {status}: {raw[:200]!r}")
    print(f"seeded {users} users and {sps} service principals in {time.monotonic() - started:.1f}s")
    return ids


def workload(n, users, sps, ids):
    """N requests: mostly list pages walked in order (the case that failed), some other calls."""
    user_pages = max(1, (users + 99) // 100)
    sp_pages = max(1, (sps + 99) // 100)
    u = s = 0
    for i in range(n):
        kind = i % 10
        if kind in (0, 1, 2, 3, 4):
            yield "GET", f"/Users?startIndex={u % user_pages * 100 + 1}&count=100", None
            u += 1
        elif kind in (5, 6):
            yield "GET", f"/ServicePrincipals?startIndex={s % sp_pages * 100 + 1}&count=100", None
            s += 1
        elif kind == 7:
            yield "GET", f"/Users/{ids[i % len(ids)]}" if ids else "/Users?count=1", None
        elif kind == 8:
            yield "POST", "/Users/.search", {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": f'userName eq "runner-check-{i % max(users, 1):05d}@example.com"',
            }
        else:  # in turn: discovery, groups, and a user's create, PATCH and DELETE (writes too)
            step = i // 10 % 5
            created = f"runner-check-new-{i // 50}@example.com"
            if step == 0:
                yield "GET", "/ServiceProviderConfig", None
            elif step == 1:
                yield "GET", "/Groups?count=10", None
            elif step == 2:
                yield "POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": created}
            elif step == 3:
                yield "PATCH", ("/Users/{created}", created), {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "active", "value": False}],
                }
            else:
                yield "DELETE", ("/Users/{created}", created), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scim_url")
    ap.add_argument("emulator_url")
    ap.add_argument("n", type=int, nargs="?", default=2000)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--service-principals", type=int, default=10000)
    ap.add_argument("--no-seed", action="store_true", help="keep the emulator's state")
    a = ap.parse_args()
    scim, emulator = Endpoint(a.scim_url), Endpoint(a.emulator_url)
    ids = [] if a.no_seed else seed(emulator, a.users, a.service_principals)
    auth = {"Authorization": f"Bearer {os.environ.get('SCIM_TOKEN', '')}"}

    faults, statuses, started, slowest = [], {}, time.monotonic(), 0.0
    created = {}  # userName → id of the users the workload created
    for i, (method, path, body) in enumerate(workload(a.n, a.users, a.service_principals, ids)):
        if isinstance(path, tuple):  # a request about a user created earlier in the run
            template, name = path
            path = template.format(created=created.get(name, "unknown-id"))
        t0 = time.monotonic()
        try:
            status, headers, raw = scim.call(method, path, body, auth)
            ctype = headers.get("content-type", "")
            # the bridge's only bodiless answer is a 204 (DELETE, PATCH with no-content)
            bridge = ctype.startswith("application/scim+json") or (status == 204 and not raw)
            if bridge and method == "POST" and path == "/Users" and status == 201:
                created[body["userName"]] = json.loads(raw).get("id")
            what = f"{status} {ctype or '(no content-type)'} {raw[:120]!r}"
        except (OSError, http.client.HTTPException) as e:
            status, bridge, what = "no answer", False, f"{type(e).__name__}: {e}"
        took = time.monotonic() - t0
        slowest = max(slowest, took)
        statuses[status] = statuses.get(status, 0) + 1
        if not bridge:
            faults.append(i)
            print(f"RUNNER  #{i} {method} {path} after {time.monotonic() - started:.1f}s ({took * 1000:.0f} ms): {what}")
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))
    print(f"{a.n} sequential requests in {elapsed:.1f}s (slowest {slowest * 1000:.0f} ms); statuses {{{summary}}}")
    print(f"runner errors: {len(faults)} of {a.n}")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
