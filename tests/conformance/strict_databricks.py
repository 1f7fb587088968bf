#!/usr/bin/env python3
"""Real-client requests through the local stack against the emulator's strict default (the
Databricks the public evidence supports: docs/databricks-behaviour.md). Checks the SCIM answers
and what reached Databricks (the emulator's request log), and prints one closing line:
`strict databricks: N passed, N failed`.

usage: strict_databricks.py SCIM_BASE_URL EMULATOR_URL
The bearer token comes from SCIM_TOKEN. Exit status 1 when anything failed. Standard library only.
With SCIM_PATCH_RESPONSE=no-content in the stack, the PATCH checks expect 204 and one call.
"""
import json
import os
import sys
import urllib.error
import urllib.request

SCIM, EMULATOR = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
TOKEN = os.environ.get("SCIM_TOKEN", "")
NO_CONTENT = os.environ.get("SCIM_PATCH_RESPONSE", "resource") == "no-content"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
results = []


def call(method, url, body=None, token=True):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw) if raw else None
        except ValueError:
            return e.code, raw.decode(errors="replace")


def scim(method, path, body=None):
    return call(method, SCIM + path, body)


def emulator(method, path, body=None):
    return call(method, f"{EMULATOR}/_emulator/{path}", body, token=False)


def recorded():
    """The Databricks requests since the last reset-stats."""
    return emulator("GET", "requests")[1] or []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))


def user(name):
    status, body = scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
    assert status == 201, (status, body)
    return body["id"]


def group(name, members):
    status, body = scim("POST", "/Groups", {"displayName": name, "members": [{"value": m} for m in members]})
    assert status == 201, (status, body)
    return body["id"]


def patch_ok(status):
    return status == (204 if NO_CONTENT else 200)


def no_or_and_no_value_on_remove(requests):
    for r in requests:
        for op in (r.get("body") or {}).get("Operations", []) if isinstance(r.get("body"), dict) else []:
            path = str(op.get("path", ""))
            if "[" in path and " or " in path:
                return f"'or' in a value filter: {path}"
            if op.get("op") == "remove" and "value" in op:
                return f"a remove with a value: {op}"
    return None


def main():
    emulator("POST", "reset-stats")
    behaviour = emulator("GET", "behaviour")[1] or {}
    check("the emulator runs its strict default", behaviour.get("write_answers") == "empty"
          and behaviour.get("lenient_removal") is False and behaviour.get("cloud") == "aws", behaviour)

    a, b, c = user("strict.a@example.com"), user("strict.b@example.com"), user("strict.c@example.com")
    sales = group("strict-sales", [a, b, c])

    # The emulator itself: a PATCH answers {}, a remove of an absent attribute answers 400.
    token = {"Authorization": "Bearer " + os.environ.get("DATABRICKS_TOKEN", "dapi-local-emulator-token")}
    empty_group = group("strict-empty", [])
    for label, ops, expected in [
        ("answers a PATCH with {}", [{"op": "replace", "path": "externalId", "value": "x"}], (200, {})),
        ("answers a remove of an absent attribute with 400", [{"op": "remove", "path": "members"}], 400),
    ]:
        req = urllib.request.Request(f"{EMULATOR}/api/2.0/preview/scim/v2/Groups/{empty_group}", method="PATCH",
                                     data=json.dumps({"schemas": [PATCH_OP], "Operations": ops}).encode(),
                                     headers={**token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                got = (r.status, json.loads(r.read() or b"null"))
        except urllib.error.HTTPError as e:
            got = e.code
        check(f"Databricks (emulated) {label}", got == expected, got)

    # Entra's value-list remove of two members.
    emulator("POST", "reset-stats")
    status, body = scim("PATCH", f"/Groups/{sales}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"value": a}, {"value": b}]}]})
    state = emulator("GET", "state")[1]
    members = [m["value"] for g in state["groups"] if g["id"] == sales for m in g.get("members", [])]
    check("Entra's value-list remove answers 2xx and removes only those members",
          patch_ok(status) and members == [c], (status, body, members))
    problem = no_or_and_no_value_on_remove(recorded())
    check("it reached Databricks as one remove per member, no 'or', no value", problem is None, problem)

    # Okta's empty push on a group with no members.
    emulator("POST", "reset-stats")
    status, body = scim("PATCH", f"/Groups/{empty_group}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "members", "value": []}]})
    check("Okta's empty push on an empty group answers 2xx", patch_ok(status), (status, body))

    # A user PUT without entitlements keeps those an admin granted.
    status, _ = scim("PATCH", f"/Users/{c}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "entitlements", "value": [{"value": "allow-cluster-create"}]}]})
    emulator("POST", "reset-stats")
    status, body = scim("PUT", f"/Users/{c}", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                               "userName": "strict.c@example.com", "displayName": "Strict C"})
    kept = [e["value"] for e in (body or {}).get("entitlements", [])] if isinstance(body, dict) else []
    check("a user PUT without entitlements answers 200 and keeps the granted ones",
          status == 200 and kept == ["allow-cluster-create"], (status, body))
    check("no Databricks PUT was sent", all(r["method"] != "PUT" for r in recorded()), recorded())

    # A service principal PUT on an AWS workspace.
    status, sp = scim("POST", "/ServicePrincipals", {"displayName": "strict-etl"})
    emulator("POST", "reset-stats")
    status, body = scim("PUT", f"/ServicePrincipals/{sp['id']}", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"],
        "displayName": "strict-etl-2", "applicationId": sp["applicationId"]})
    check("a service principal PUT answers 200 with the new name",
          status == 200 and body.get("displayName") == "strict-etl-2", (status, body))
    check("no write to the AWS workspace carried applicationId",
          all("applicationId" not in json.dumps(r.get("body")) for r in recorded()), recorded())

    # Calls per PATCH: a deactivation and a membership add.
    for label, path, ops in [
        ("a deactivation", f"/Users/{a}", [{"op": "replace", "path": "active", "value": False}]),
        ("a membership add", f"/Groups/{sales}", [{"op": "add", "path": "members", "value": [{"value": a}]}]),
    ]:
        emulator("POST", "reset-stats")
        status, body = scim("PATCH", path, {"schemas": [PATCH_OP], "Operations": ops})
        total = emulator("GET", "stats")[1]["total"]
        expected = 1 if NO_CONTENT else 2
        check(f"{label} answers {204 if NO_CONTENT else 200} and costs {expected} Databricks call(s)",
              patch_ok(status) and total == expected, (status, total))

    # The SCIM surface outside suites tripped on (RFC 7644 §3.4.3, trailing slash, name case).
    status, body = scim("POST", "/Users/.search", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "strict.a@example.com"'})
    found = [r.get("id") for r in (body or {}).get("Resources", [])] if isinstance(body, dict) else []
    check("POST /Users/.search with a userName eq filter returns that user", status == 200 and found == [a], (status, body))
    status, body = scim("GET", "/Users/")
    check("GET /Users/ lists", status == 200 and isinstance(body, dict) and body.get("totalResults", 0) >= 3, (status, body))
    status, body = scim("GET", "/users")
    check("GET /users is a SCIM 404 naming /Users", status == 404 and isinstance(body, dict)
          and "/Users" in body.get("detail", ""), (status, body))

    passed = sum(results)
    print(f"strict databricks: {passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
