#!/usr/bin/env python3
"""Lambda Runtime API relay for the local stack: sits between each function process and
`cargo lambda watch`'s Runtime API, and sends every call of one function process over one
kept-alive connection, in order.

Why: `cargo lambda watch` (1.9.x, crates/cargo-lambda-watch/src/runtime/functions_router.rs,
`respond_to_next_invocation`) answers a function's `POST …/invocation/{id}/response` with 200
before it has read the body, and reads the body afterwards while building the HTTP answer
(trigger_router.rs, `create_buffered_response`). The function's runtime client (lambda_runtime
1.5: a hyper pool of AWS_LAMBDA_MAX_CONCURRENCY = 1 idle connection, a value cargo lambda watch
sets) often sends its next `/next` on a new connection and closes or parks the one that carried
the response. If the body (more than a few KB; a page of 100 users is ~40 KB) was not read
yet, cargo lambda watch answers the caller itself: `500 text/plain` (closed) or nothing
(parked). Here the relay reads each body in full before forwarding it, and the function's next
call follows on the same upstream connection, so cargo lambda watch always reads the whole
response first.

usage: runtime-relay.py UPSTREAM_PORT PORT_FILE  (listens on 127.0.0.1, an ephemeral port written
to PORT_FILE). Function processes reach it through scripts/lambda-runner.sh, which rewrites
AWS_LAMBDA_RUNTIME_API from http://127.0.0.1:UPSTREAM/.rt/NAME to
http://127.0.0.1:RELAY/PID/.rt/NAME. Standard library only.
"""
import http.client
import http.server
import socket
import sys
import threading

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Upstream:
    """One function process's connection to cargo lambda watch; calls are serialized."""

    def __init__(self, port):
        self.port, self.lock, self.conn = port, threading.Lock(), None

    def call(self, method, path, headers, body):
        with self.lock:
            for attempt in (1, 2):
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port)  # /next long-polls: no timeout
                    self.conn.connect()
                    self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                try:
                    self.conn.request(method, path, body=body, headers=headers)
                    r = self.conn.getresponse()
                    return r.status, r.getheaders(), r.read()
                except (ConnectionError, http.client.HTTPException, OSError):
                    # cargo lambda watch closed the kept connection: open a new one, once.
                    self.conn.close()
                    self.conn = None
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # head and body are two writes: no 40 ms delayed-ACK stalls
    upstream_port = 0
    upstreams = {}
    upstreams_lock = threading.Lock()

    def log_message(self, *args):  # quiet: cargo lambda watch logs every call already
        pass

    def relay(self):
        # /PID/.rt/NAME/2018-06-01/runtime/... → key PID, upstream path /.rt/NAME/...
        _, key, rest = self.path.split("/", 2) if self.path.count("/") >= 2 else ("", "", "")
        if not key or not rest.startswith(".rt/"):
            self.send_error(404, "not a relayed Runtime API path")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            body = self.read_chunked()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        with Relay.upstreams_lock:
            upstream = Relay.upstreams.setdefault(key, Upstream(Relay.upstream_port))
        try:
            status, resp_headers, resp_body = upstream.call(self.command, "/" + rest, headers, body)
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            self.send_error(502, f"cargo lambda watch unreachable: {e}")
            return
        self.send_response_only(status)
        for k, v in resp_headers:
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp_body)))
        self.end_headers()
        self.wfile.write(resp_body)

    def read_chunked(self):
        out = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline()

    do_GET = do_POST = do_PUT = relay


def main():
    upstream_port, port_file = int(sys.argv[1]), sys.argv[2]
    Relay.upstream_port = upstream_port
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    server.daemon_threads = True
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
