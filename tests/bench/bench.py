#!/usr/bin/env python3
"""`make bench`: what a SCIM operation costs, each figure beside its goal (issue 11). Prints
figures and asserts nothing about time; exits non-zero only when a function cannot be run.

    python3 tests/bench/bench.py [--short] [--bin-dir target/release] [--arm64-dir DIR]
                                 [--emulator PATH] [--moto PATH]

Every function runs as on Lambda: a process of its own, spawned with Lambda's environment and
served by the Runtime API stub of tests/bench/runtime_api.py, with API Gateway REST events.
Databricks is the emulator (tests/databricks-emulator) on loopback, Secrets Manager is moto's
server on loopback. Sections:
  a. Databricks calls per SCIM operation (the emulator's stats), under each --write-answers variant
  b. cold start of get-user configured as in production (both secrets from Secrets Manager)
     against bench-hello (tests/bench/hello), median of the runs, and their ratio
  c. warm overhead: get-user end to end against the same GET made directly, p50 and p99
  d. arm64 size of every function and what it links; peak RSS after the warm requests
  e. a 10 000-user listing page by page: pages, time, memory after each page
`--short` (CI) runs fewer repetitions and a 2 000-user listing. Bounded: every wait has a timeout,
every process is stopped at exit.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.setswitchinterval(0.0005)  # the stub answers a function promptly while the driver waits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api import FunctionFailed, Runtime, free_port, lambda_env, rest_event  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATABRICKS_TOKEN = "dapi-bench-emulator-token"
SCIM_TOKEN = "bench-scim-token"
SCIM = "/api/2.0/preview/scim/v2"
MB = 1_000_000

FUNCTIONS = [
    "create-user", "get-user", "list-users", "replace-user", "patch-user", "delete-user",
    "create-group", "get-group", "list-groups", "replace-group", "patch-group", "delete-group",
    "create-service-principal", "get-service-principal", "list-service-principals",
    "replace-service-principal", "patch-service-principal", "delete-service-principal",
    "list-partners", "disconnect-partner", "discovery", "oauth-token",
]

processes = []


def log(line=""):
    print(line, flush=True)


def spawn_service(argv, port, health):
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes.append(proc)
    end = time.time() + 60
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"bench: {argv[0]} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2):
                return proc
        except OSError:
            time.sleep(0.1)
    sys.exit(f"bench: {argv[0]} did not start within 60 s")


class Emulator:
    def __init__(self, binary, write_answers="empty"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = spawn_service([binary, "--host", "127.0.0.1", "--port", str(self.port), "--token",
                                   DATABRICKS_TOKEN, "--write-answers", write_answers],
                                  self.port, "/_emulator/health")

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if not path.startswith("/_emulator"):
            headers["Authorization"] = f"Bearer {DATABRICKS_TOKEN}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def create(self, resource, body):
        return self.call("POST", f"{SCIM}/{resource}", body)["id"]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Moto:
    def __init__(self, binary):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = spawn_service([binary, "-H", "127.0.0.1", "-p", str(self.port)], self.port, "/moto-api/")

    def request(self, target, body, fresh=False):
        """One Secrets Manager call (JSON protocol; moto does not check signatures)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("POST", "/", body=json.dumps(body), headers={
            "X-Amz-Target": f"secretsmanager.{target}", "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/secretsmanager/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        answer = json.loads(connection.getresponse().read())
        connection.close()
        return answer

    def put(self, name, value):
        return self.request("CreateSecret", {"Name": name, "SecretString": value})["ARN"]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def scim_event(method, path, query=None, body=None):
    """An API Gateway REST event for a bridge path (`/Users/123`, `/admin/partners`)."""
    full = path if path.startswith("/admin") else f"/scim/v2{path}"
    parts = path.strip("/").split("/")
    if path.startswith("/admin/partners/"):
        resource, params = "/admin/partners/{partner}", {"partner": parts[-1]}
    elif path.startswith("/admin"):
        resource, params = "/admin/partners", None
    elif parts[0] not in ("Users", "Groups", "ServicePrincipals"):
        resource, params = "/scim/v2/{proxy+}", {"proxy": path.strip("/")}
    elif len(parts) > 1:
        resource, params = f"/scim/v2/{parts[0]}/{{id}}", {"id": parts[1]}
    else:
        resource, params = f"/scim/v2/{parts[0]}", None
    return rest_event(method, full, SCIM_TOKEN, query=query, body=body, path_parameters=params, resource=resource)


def start_function(bin_dir, name, env):
    runtime = Runtime()
    runtime.spawn([os.path.join(bin_dir, name)], lambda_env(env))
    init_ms = runtime.wait_ready()
    return runtime, init_ms


def static_env(emulator, extra=None):
    env = {**LAMBDA_TRUST_STORE, "DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": DATABRICKS_TOKEN, "SCIM_BEARER_TOKENS": SCIM_TOKEN,
           "RUST_LOG": "warn"}
    env.update(extra or {})
    return env


# ------------------------------------------------------------------------------------------------
# a. Databricks calls per operation
# ------------------------------------------------------------------------------------------------

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def patch(*operations):
    return {"schemas": [PATCH], "Operations": list(operations)}


def scenario(name, emulator, n):
    """Sets up on the emulator, returns the measured request and its goal per write-answers
    variant: (event, {"empty": calls, "no-content": calls, "resource": calls}). Goals are what
    the README documents: one call per Databricks object touched, plus a read after a write
    when the SCIM answer carries the resource and the write answered without it."""
    def user(tag="u"):
        return emulator.create("Users", {"userName": f"bench-{tag}-{n}@example.com"})

    def principal(display):
        return emulator.create("ServicePrincipals", {"displayName": display})

    flat = lambda k: {"empty": k, "no-content": k, "resource": k}  # noqa: E731
    read_after = lambda k: {"empty": k + 1, "no-content": k + 1, "resource": k}  # noqa: E731
    if name == "create-user":
        return scim_event("POST", "/Users", body={"userName": f"bench-new-{n}@example.com"}), flat(1)
    if name == "get-user":
        return scim_event("GET", f"/Users/{user()}"), flat(1)
    if name == "list-users":
        user()
        return scim_event("GET", "/Users", query={"filter": f'userName eq "bench-u-{n}@example.com"'}), flat(1)
    if name == "replace-user":
        body = {"userName": f"bench-u-{n}@example.com", "displayName": "New"}
        return scim_event("PUT", f"/Users/{user()}", body=body), read_after(2)
    if name == "patch-user":
        body = patch({"op": "replace", "path": "active", "value": False})
        return scim_event("PATCH", f"/Users/{user()}", body=body), read_after(1)
    if name == "delete-user":
        return scim_event("DELETE", f"/Users/{user()}"), flat(1)
    if name == "create-group":
        return scim_event("POST", "/Groups", body={"displayName": f"bench-g-{n}", "members": [{"value": user()}]}), flat(1)
    if name == "get-group":
        group = emulator.create("Groups", {"displayName": f"bench-g-{n}"})
        return scim_event("GET", f"/Groups/{group}", query={"excludedAttributes": "members"}), flat(1)
    if name == "list-groups":
        emulator.create("Groups", {"displayName": f"bench-g-{n}"})
        return scim_event("GET", "/Groups"), flat(1)
    if name == "replace-group":
        stays, joins = user("a"), user("b")
        group = emulator.create("Groups", {"displayName": f"bench-g-{n}", "members": [{"value": stays}]})
        body = {"displayName": f"bench-g-{n}", "members": [{"value": joins}]}
        return scim_event("PUT", f"/Groups/{group}", body=body), read_after(2)
    if name == "patch-group":
        member = user()
        group = emulator.create("Groups", {"displayName": f"bench-g-{n}"})
        body = patch({"op": "add", "path": "members", "value": [{"value": member}]})
        return scim_event("PATCH", f"/Groups/{group}", body=body), read_after(1)
    if name == "delete-group":
        return scim_event("DELETE", f"/Groups/{emulator.create('Groups', {'displayName': f'bench-g-{n}'})}"), flat(1)
    if name == "create-service-principal":
        return scim_event("POST", "/ServicePrincipals", body={"displayName": f"bench-sp-{n}"}), flat(1)
    if name == "get-service-principal":
        return scim_event("GET", f"/ServicePrincipals/{principal(f'bench-sp-{n}')}"), flat(1)
    if name == "list-service-principals":
        principal(f"bench-sp-{n}")
        return scim_event("GET", "/ServicePrincipals", query={"filter": f'displayName eq "bench-sp-{n}"'}), flat(1)
    if name == "replace-service-principal":
        body = {"displayName": f"bench-sp-{n}-2"}
        return scim_event("PUT", f"/ServicePrincipals/{principal(f'bench-sp-{n}')}", body=body), read_after(2)
    if name == "patch-service-principal":
        body = patch({"op": "replace", "path": "displayName", "value": f"bench-sp-{n}-2"})
        return scim_event("PATCH", f"/ServicePrincipals/{principal(f'bench-sp-{n}')}", body=body), read_after(1)
    if name == "delete-service-principal":
        return scim_event("DELETE", f"/ServicePrincipals/{principal(f'bench-sp-{n}')}"), flat(1)
    if name == "list-partners":
        principal("FIVETRAN_USER")
        return scim_event("GET", "/admin/partners"), flat(1)
    if name == "disconnect-partner":
        emulator.call("POST", "/_emulator/tokens", {"owner_id": principal("FIVETRAN_USER")})
        return scim_event("DELETE", "/admin/partners/fivetran"), flat(3)
    if name == "discovery":
        return scim_event("GET", "/ServiceProviderConfig"), flat(0)
    raise ValueError(name)


def calls_per_operation(args):
    log("a. Databricks calls per SCIM operation (emulator stats; goal as documented in the README)")
    variants = ["empty", "no-content", "resource"]
    rows = {}
    for variant in variants:
        emulator = Emulator(args.emulator, variant)
        try:
            for n, name in enumerate(f for f in FUNCTIONS if f != "oauth-token"):
                runtime, _ = start_function(args.bin_dir, name, static_env(emulator))
                try:
                    emulator.call("POST", "/_emulator/reset")
                    event, goals = scenario(name, emulator, n)
                    emulator.call("POST", "/_emulator/reset-stats")
                    _, answer = runtime.invoke(event)
                    methods = [r["method"] for r in emulator.call("GET", "/_emulator/requests")]
                    rows.setdefault(name, {})[variant] = (answer["statusCode"], methods, goals[variant])
                finally:
                    runtime.stop()
        finally:
            emulator.stop()
    log(f"   {'function':26} " + "  ".join(f"{'writes ' + v:>30}" for v in variants))
    over = 0
    for name, by_variant in rows.items():
        cells = []
        for variant in variants:
            status, methods, goal = by_variant[variant]
            mark = "" if len(methods) <= goal and status < 300 else " !"
            over += bool(mark)
            text = f"{len(methods)} ({', '.join(methods) or '-'}) goal {goal}{mark}"
            if status >= 300:
                text += f" HTTP {status}"
            cells.append(f"{text:>30}")
        log(f"   {name:26} " + "  ".join(cells))
    log("   oauth-token                makes no Databricks call (it signs tokens of its own)")
    log(f"   -> {'every operation within its goal' if not over else f'{over} figure(s) over the goal (!)'}")
    return over


# ------------------------------------------------------------------------------------------------
# b. cold start, c. warm overhead, d. RSS
# ------------------------------------------------------------------------------------------------

# Lambda's provided.al2023 keeps its CA certificates in one bundle (/etc/pki/tls/certs holds
# the bundle files only); Debian adds a directory of ~150 hashed per-certificate files that
# rustls-native-certs reads too, at each client build. The functions run with the machine's bundle
# only, as on Lambda; section b also shows get-user with this machine's full trust store.
CA_BUNDLE = next((p for p in ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt")
                  if os.path.exists(p)), None)
LAMBDA_TRUST_STORE = {"SSL_CERT_FILE": CA_BUNDLE} if CA_BUNDLE else {}


def production_env(emulator, moto, secrets):
    """get-user as template.yaml configures it: both secrets from Secrets Manager (moto)."""
    return {**LAMBDA_TRUST_STORE, "DATABRICKS_HOST": emulator.url, "DATABRICKS_SECRET_ID": secrets["databricks"],
            "SCIM_TOKENS_SECRET_ID": secrets["inbound"], "DATABRICKS_RETRY_BUDGET_MS": "8000",
            "SCIM_PATCH_RESPONSE": "resource", "RUST_LOG": "info", "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_ENDPOINT_URL": moto.url}


def direct_get(emulator, path, connection=None):
    """The Databricks call the bridge makes, made directly (a new connection unless one is given)."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": f"Bearer {DATABRICKS_TOKEN}"})
    connection.getresponse().read()
    ms = (time.perf_counter() - started) * 1000
    if own:
        connection.close()
    return ms


def cold_start(args, emulator, moto, secrets, user_id, runs):
    log(f"b. cold start, median (and best) of {runs} runs each, runs interleaved (init: spawn -> first /next; "
        "first response: spawn -> answer; budget: init + both secrets + the Databricks call)")
    production = production_env(emulator, moto, secrets)
    machine_trust = {k: v for k, v in production.items() if k not in LAMBDA_TRUST_STORE}
    contenders = [("bench-hello", os.path.join(args.bin_dir, "bench-hello"), dict(LAMBDA_TRUST_STORE)),
                  ("get-user", os.path.join(args.bin_dir, "get-user"), production),
                  ("get-user, machine's trust store", os.path.join(args.bin_dir, "get-user"), machine_trust)]
    for path in args.compare:  # a directory holds a get-user and a bench-hello built with another profile
        if os.path.isdir(path):
            contenders += [(f"{os.path.basename(path)}: bench-hello", os.path.join(path, "bench-hello"),
                            dict(LAMBDA_TRUST_STORE)),
                           (f"{os.path.basename(path)}: get-user", os.path.join(path, "get-user"), production)]
        else:
            contenders.append((os.path.basename(path), path, production))
    samples = {label: ([], [], []) for label, _, _ in contenders}
    for _ in range(runs):
        for label, binary, env in contenders:
            inits, invokes, firsts = samples[label]
            runtime = Runtime()
            try:
                request_id = runtime.enqueue(scim_event("GET", f"/Users/{user_id}"))
                runtime.spawn([binary], lambda_env(env))
                inits.append(runtime.wait_ready())
                invoke_ms, answer = runtime.answer(request_id)
                if answer["statusCode"] != 200:
                    raise FunctionFailed(f"{label} answered {answer['statusCode']}: {answer.get('body', '')[:200]}")
                invokes.append(invoke_ms)
                firsts.append((runtime.last_answer_at - runtime.spawned_at) * 1000)
            finally:
                runtime.stop()
    one_secret = statistics.median(time_secret_read(moto, [secrets["inbound"]]) for _ in range(runs))
    secret_rtt = statistics.median(time_secret_read(moto, list(secrets.values())) for _ in range(runs))
    db_call = statistics.median(direct_get(emulator, f"{SCIM}/Users/{user_id}") for _ in range(runs))
    hello, hello_min = statistics.median(samples["bench-hello"][0]), min(samples["bench-hello"][0])
    log(f"   {'':34} {'init':>8} {'(best)':>8} {'ratio':>6} {'(best)':>6} {'1st invocation':>15} "
        f"{'1st response':>13} {'budget':>8}")
    figures = {}
    for label, _, _ in contenders:
        inits, invokes, firsts = samples[label]
        init, best = statistics.median(inits), min(inits)
        invoke, first = statistics.median(invokes), statistics.median(firsts)
        if label == "bench-hello":
            log(f"   {label:34} {init:6.2f}ms {best:6.2f}ms {'':6} {'':6} {invoke:13.2f}ms {first:11.2f}ms")
            continue
        ratio, budget = init / hello, init + secret_rtt + db_call
        figures[label] = (ratio, first, budget)
        log(f"   {label:34} {init:6.2f}ms {best:6.2f}ms {ratio:5.2f}x {best / hello_min:5.2f}x {invoke:13.2f}ms "
            f"{first:11.2f}ms {budget:6.2f}ms")
    ratio, first, budget = figures["get-user"]
    log(f"   init ratio get-user / hello      {ratio:5.2f}x   goal <= 1.5x   {'ok' if ratio <= 1.5 else 'OVER'}")
    log(f"   first response {first:6.2f} ms   goal <= init + one Secrets Manager round trip for both secrets "
        f"({secret_rtt:.2f} ms; one secret alone {one_secret:.2f} ms) + one Databricks call ({db_call:.2f} ms) "
        f"= {budget:.2f} ms   {'ok' if first <= budget else 'OVER'}")
    return figures


def time_secret_read(moto, secret_ids):
    """One GetSecretValue round trip per secret, all at once, each on a new connection (as a
    cold function makes them): milliseconds until the last answer."""
    threads = [threading.Thread(target=moto.request, args=("GetSecretValue", {"SecretId": s})) for s in secret_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - started) * 1000


def warm(args, emulator, moto, secrets, user_id, requests):
    log(f"c. warm overhead, get-user: {requests} requests end to end vs the same GET made directly")
    runtime, _ = start_function(args.bin_dir, "get-user", production_env(emulator, moto, secrets))
    try:
        event = scim_event("GET", f"/Users/{user_id}")
        handler = []
        for _ in range(requests):
            ms, answer = runtime.invoke(event)
            if answer["statusCode"] != 200:
                raise FunctionFailed(f"get-user answered {answer['statusCode']}")
            handler.append(ms)
        hwm = runtime.status("VmHWM")
    finally:
        runtime.stop()
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    direct = [direct_get(emulator, f"{SCIM}/Users/{user_id}", connection) for _ in range(requests)]
    connection.close()
    for p in (50, 99):
        h, d = percentile(handler, p), percentile(direct, p)
        log(f"   p{p}: handler {h:6.2f} ms, direct {d:6.2f} ms, overhead {h - d:+6.2f} ms")
    log(f"d. peak RSS of get-user after {requests} requests (VmHWM) {hwm / 1024:6.1f} MiB   goal <= 25 MB  "
        f"{'ok' if hwm * 1024 <= 25 * MB else 'OVER'}")
    return hwm


# ------------------------------------------------------------------------------------------------
# d. sizes and what each binary links
# ------------------------------------------------------------------------------------------------

OPS_SOURCE = re.compile(rb"shared/src/ops/([a-z_]+)\.rs")


def sizes(arm64_dir):
    if not arm64_dir or not os.path.isdir(arm64_dir):
        log("d. arm64 sizes: skipped (no arm64 build; `make bench` builds one with cargo lambda)")
        return None
    log(f"d. arm64 release size of every function ({os.path.relpath(arm64_dir, ROOT)}); goal <= 5 MB, "
        "its own operation only")
    largest, strangers = 0, 0
    for name in FUNCTIONS:
        # cargo lambda: target/lambda/<name>/bootstrap; sam build: .aws-sam/build/<LogicalId>/bootstrap
        logical_id = "".join(part.capitalize() for part in name.split("-")) + "Function"
        path = os.path.join(arm64_dir, name, "bootstrap")
        if not os.path.exists(path):
            path = os.path.join(arm64_dir, logical_id, "bootstrap")
        if not os.path.exists(path):
            log(f"   {name:26} not built")
            continue
        size = os.path.getsize(path)
        largest = max(largest, size)
        with open(path, "rb") as f:
            linked = sorted({m.decode() for m in OPS_SOURCE.findall(f.read())})
        own = name.replace("-", "_")
        others = [m for m in linked if m not in (own, "support", "mod")]
        strangers += bool(others)
        log(f"   {name:26} {size / MB:5.2f} MB  {'ok ' if size <= 5 * MB else 'OVER'}  "
            f"ops modules: {', '.join(linked) or '-'}{'  (others linked!)' if others else ''}")
    log(f"   -> largest {largest / MB:.2f} MB; "
        f"{'every function links its own operation only' if not strangers else f'{strangers} link other operations'}")
    return largest


# ------------------------------------------------------------------------------------------------
# e. listing
# ------------------------------------------------------------------------------------------------

def listing(args, users):
    emulator = Emulator(args.emulator)
    try:
        emulator.call("POST", "/_emulator/users/bulk", {"prefix": "bench-list", "count": users})
        runtime, _ = start_function(args.bin_dir, "list-users", static_env(emulator))
        try:
            page_size, start, pages, marks = 100, 1, 0, []
            started = time.perf_counter()
            while True:
                _, answer = runtime.invoke(scim_event("GET", "/Users", query={
                    "startIndex": str(start), "count": str(page_size)}))
                if answer["statusCode"] != 200:
                    raise FunctionFailed(f"list-users answered {answer['statusCode']}")
                page = json.loads(answer["body"])
                pages += 1
                marks.append(runtime.status("VmHWM"))
                got = page.get("itemsPerPage", len(page.get("Resources", [])))
                start += got
                if got == 0 or start > page["totalResults"] or pages > users:
                    break
            elapsed = time.perf_counter() - started
        finally:
            runtime.stop()
    finally:
        emulator.stop()
    first, middle, last = marks[0], marks[len(marks) // 2], marks[-1]
    flat = last - first <= 2048
    log(f"e. listing {users} users, pages of {page_size}: {pages} pages in {elapsed:.2f} s "
        f"({elapsed / pages * 1000:.1f} ms a page); peak RSS after page 1 / {len(marks) // 2 + 1} / {pages}: "
        f"{first / 1024:.1f} / {middle / 1024:.1f} / {last / 1024:.1f} MiB   goal flat  {'ok' if flat else 'GROWS'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="CI: fewer repetitions, a smaller listing")
    parser.add_argument("--bin-dir", default=os.path.join(ROOT, "target", "release"))
    parser.add_argument("--arm64-dir", default=os.path.join(ROOT, "target", "lambda"))
    parser.add_argument("--emulator", default=None)
    parser.add_argument("--moto", default=os.path.join(ROOT, ".venv", "bin", "moto_server"))
    parser.add_argument("--compare", action="append", default=[],
                        help="another get-user binary to time in section b (a profile lever, a baseline)")
    parser.add_argument("--runs", type=int, default=None, help="cold starts per contender (section b)")
    parser.add_argument("--sections", default="abcde", help="which sections to run, e.g. bc")
    args = parser.parse_args()
    args.emulator = args.emulator or os.path.join(args.bin_dir, "databricks-emulator")
    runs, requests, users = (11, 200, 2_000) if args.short else (31, 1_000, 10_000)
    runs = args.runs or runs
    debug = os.path.basename(os.path.normpath(args.bin_dir)) == "debug"
    log(f"bench: binaries from {os.path.relpath(args.bin_dir, ROOT)}{' (short run)' if args.short else ''}"
        f"{'; debug build: the times are not release figures' if debug else ''}")
    try:
        if "a" in args.sections:
            calls_per_operation(args)
        if "b" in args.sections or "c" in args.sections:
            emulator, moto = Emulator(args.emulator), Moto(args.moto)
            secrets = {
                "databricks": moto.put("bench/databricks",
                                       json.dumps({"host": emulator.url, "token": DATABRICKS_TOKEN})),
                "inbound": moto.put("bench/scim-tokens", json.dumps({"current": SCIM_TOKEN})),
            }
            user_id = emulator.create("Users", {"userName": "bench-cold@example.com"})
            if "b" in args.sections:
                cold_start(args, emulator, moto, secrets, user_id, runs)
            if "c" in args.sections:
                warm(args, emulator, moto, secrets, user_id, requests)
        if "d" in args.sections:
            sizes(args.arm64_dir)
        if "e" in args.sections:
            listing(args, users)
    except FunctionFailed as failure:
        sys.exit(f"bench: {failure}")
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
