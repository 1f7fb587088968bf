"""A minimal AWS Lambda Runtime API (version 2018-06-01) for benchmarks, standard library only.

One `Runtime` serves one function process on a loopback port, as Lambda serves one sandbox:
`GET /2018-06-01/runtime/invocation/next` hands out the next event with the Lambda headers
(request id, deadline, function ARN, trace id), `POST …/invocation/{id}/response` and
`…/error` record the answer, `POST …/init/error` records a failed init. Times are
`time.perf_counter()` readings taken when a request arrives, so they include the function's
own HTTP client work and not the driver's.

    runtime = Runtime()
    runtime.spawn(["target/release/get-user"], env)   # env: the function's own variables
    init_ms = runtime.wait_ready()                      # spawn -> first /next
    ms, answer = runtime.invoke(event)                  # event handed out -> response received
    runtime.peak_rss_kb(); runtime.stop()
"""
import http.server
import json
import queue
import socket
import subprocess
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:bench"
TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"


class FunctionFailed(Exception):
    """The function failed: an init error, an invocation error, an exit or a timeout."""


class Runtime:
    def __init__(self):
        self._events = queue.Queue()
        self._answers = {}
        self._handed_out = {}
        self._lock = threading.Condition()
        self._stopping = False
        self.next_times = []
        self.init_error = None
        self.process = None
        self.spawned_at = None
        self.last_answer_at = None
        runtime = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", headers=()):
                # Head and body in one write: two small writes meet Nagle and delayed ACKs.
                head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
                head += [f"{k}: {v}" for k, v in headers]
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    return self._send(404)
                with runtime._lock:
                    runtime.next_times.append(time.perf_counter())
                    runtime._lock.notify_all()
                while True:
                    try:
                        request_id, payload = runtime._events.get(timeout=0.2)
                        break
                    except queue.Empty:
                        if runtime._stopping:
                            self.close_connection = True
                            return
                deadline_ms = int(time.time() * 1000) + 30_000
                with runtime._lock:
                    runtime._handed_out[request_id] = time.perf_counter()
                self._send(200, payload, [
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", request_id),
                    ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                    ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                    ("Lambda-Runtime-Trace-Id", TRACE_ID),
                ])

            def do_POST(self):
                body = self._body()
                arrived = time.perf_counter()
                parts = self.path[len(PREFIX):].strip("/").split("/")
                with runtime._lock:
                    if parts[:2] == ["init", "error"]:
                        runtime.init_error = body.decode(errors="replace")
                    elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                        runtime._answers[parts[1]] = (parts[2], body, arrived)
                    runtime._lock.notify_all()
                self._send(202, b'{"status":"OK"}', [("Content-Type", "application/json")])

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a function killed at the end of a run drops its connection

        self._server = Server(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def spawn(self, argv, env):
        """Starts the function with Lambda's runtime variables added to `env` (its own settings)."""
        full = dict(env)
        full.update({
            "AWS_LAMBDA_RUNTIME_API": self.address,
            "AWS_LAMBDA_FUNCTION_NAME": "bench",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
            "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
            "_HANDLER": "bootstrap",
        })
        self.spawned_at = time.perf_counter()
        self.process = subprocess.Popen(argv, env=full, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout=30.0):
        """Milliseconds from spawn to the function's first `/next` (its init)."""
        end = time.perf_counter() + timeout
        with self._lock:
            while not self.next_times:
                self._check(end)
                self._lock.wait(0.05)
            return (self.next_times[0] - self.spawned_at) * 1000

    def enqueue(self, event):
        """Queues an event for the function's next `/next` (before spawn: a cold start's event
        is waiting when the function asks); returns its request id."""
        request_id = str(uuid.uuid4())
        self._events.put((request_id, event if isinstance(event, bytes) else json.dumps(event).encode()))
        return request_id

    def invoke(self, event, timeout=30.0):
        """Hands out one event; returns (ms from hand-out to response, the response document)."""
        return self.answer(self.enqueue(event), timeout)

    def answer(self, request_id, timeout=30.0):
        """Waits for the answer to a queued event: (ms from hand-out to response, the document)."""
        end = time.perf_counter() + timeout
        with self._lock:
            while request_id not in self._answers:
                self._check(end)
                self._lock.wait(0.05)
            kind, body, arrived = self._answers.pop(request_id)
            handed_out = self._handed_out.pop(request_id)
        self.last_answer_at = arrived
        if kind != "response":
            raise FunctionFailed(f"the function answered an invocation error: {body[:300]!r}")
        return (arrived - handed_out) * 1000, json.loads(body)

    def _check(self, end):
        if self.init_error is not None:
            raise FunctionFailed(f"init error: {self.init_error[:300]}")
        if self.process.poll() is not None:
            raise FunctionFailed(f"the function exited with status {self.process.returncode}")
        if time.perf_counter() > end:
            raise FunctionFailed("the function did not answer in time")

    def status(self, field):
        """A `kB` field of /proc/<pid>/status (VmHWM: peak resident set; VmRSS: current)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def stop(self):
        self._stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._server.shutdown()
        self._server.server_close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lambda_env(extra):
    """The environment a function gets on Lambda (no HOME, no profile files), plus `extra`."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    env.update(extra)
    return env


def rest_event(method, path, token, query=None, body=None, path_parameters=None, resource=None):
    """A REST API (v1) proxy event, stage `v1`, as API Gateway sends it (tests/src/lib.rs builds the same)."""
    host = "abc123.execute-api.us-east-1.amazonaws.com"
    headers = {"Host": host, "User-Agent": "bench", "X-Forwarded-Proto": "https",
               "Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/scim+json"
    query = query or {}
    resource = resource or path
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": path_parameters, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "r1", "stage": "v1", "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "bench"},
            "resourcePath": resource, "httpMethod": method, "apiId": "abc123",
            "path": f"/v1{path}", "protocol": "HTTP/1.1", "domainName": host,
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }

