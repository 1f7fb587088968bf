#!/usr/bin/env python3
"""Latency of the hot paths through the local stack (cargo lambda watch + emulator), warm.

Okta's SCIM test is said to allow < 600 ms per request (docs/identity-platforms.md OK-16, unverified);
this prints figures, it asserts nothing. Usage: start `scripts/local-stack.sh --background`, then
  SCIM_TOKEN=local-dev-token python3 tests/bench/latency.py [BASE_URL] [N]
Bounded: N requests per path (default 50), loopback only.
"""
import json
import os
import statistics
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9000/scim/v2"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 50
TOKEN = os.environ.get("SCIM_TOKEN", "local-dev-token")


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        payload = resp.read()
    return (time.perf_counter() - start) * 1000, (json.loads(payload) if payload else None)


def measure(name, method, path, body=None):
    call(method, path, body)  # warm the function
    samples = sorted(call(method, path, body)[0] for _ in range(N))
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{name:38} n={N:<4} p50={statistics.median(samples):7.1f} ms  p95={p95:7.1f} ms  max={samples[-1]:7.1f} ms")


def main():
    stamp = int(time.time())
    _, user = call("POST", "/Users", {"userName": f"bench-{stamp}@example.com"})
    _, group = call("POST", "/Groups", {"displayName": f"bench-{stamp}"})
    measure("GET /ServiceProviderConfig", "GET", "/ServiceProviderConfig")
    measure("GET /Users?filter=userName eq", "GET", f"/Users?filter=userName%20eq%20%22bench-{stamp}%40example.com%22")
    measure("GET /Users/{id}", "GET", f"/Users/{user['id']}")
    measure("GET /Groups?excludedAttributes=members", "GET", "/Groups?excludedAttributes=members")
    measure("PATCH /Users/{id} active", "PATCH", f"/Users/{user['id']}",
            {"Operations": [{"op": "replace", "path": "active", "value": True}]})
    measure("PATCH /Groups/{id} add member", "PATCH", f"/Groups/{group['id']}",
            {"Operations": [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}]})


if __name__ == "__main__":
    main()
