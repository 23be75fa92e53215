#!/usr/bin/env python3
"""The proxy suite: a test backend written for it, and the same checks run
through `npsbundle serve --proxy` or through real nginx running the config
`npsbundle nginx` generates from the same rules.

  proxy_suite.py NPSBUNDLE SOURCE_DIR [--nginx | --caddy] [--https] [--client-https]

Checks: methods, X-Forwarded-*, hop-by-hop stripping, a 10 MB upload, a
chunked upload, Server-Sent Events arriving event by event (the backend
sends event N+1 only after the client has received event N: order, never
wall-clock), WebSocket echo of text, binary and close frames, 502 naming the
target, 504 after --proxy-timeout, a client abort closing the backend side,
and that proxy paths never get the SPA fallback or static caching headers.
Exit 77 (skip) with --nginx or --caddy when that server is not installed.

--https: the backend speaks TLS (python's ssl module, a certificate made by
`openssl req` here) and the rules name https:// and wss:// targets with
`secure: false`; serve then runs once more with verification on, where a
proxied request must be a 502 naming the target and the certificate error.

--client-https: the client side is TLS (`serve --https`, its development
certificate made in a temporary cache folder): every check runs through
connections the loop hands to the proxy with their TLS session, and
X-Forwarded-Proto is https.
"""
import base64
import hashlib
import http.client
import os
import re
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

CLIENT_TLS = "--client-https" in sys.argv[3:]
WAIT = 20  # seconds any single step may take before the suite fails (a hang guard, not a timing assertion)


class Backend(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls_context=None):
        super().__init__(("127.0.0.1", 0), BackendHandler)
        self.sse_released = [threading.Event() for _ in range(4)]
        self.hold_closed = threading.Event()
        self.connections = 0
        self.lock = threading.Lock()
        self.tls_context = tls_context

    def get_request(self):
        sock, address = super().get_request()
        if self.tls_context:
            # A failed handshake (a client refusing our certificate) is an
            # OSError, which socketserver drops without serving.
            sock.settimeout(WAIT)
            sock = self.tls_context.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        return sock, address


def make_certificate(tmp):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    cert, key = os.path.join(tmp, "backend.crt"), os.path.join(tmp, "backend.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=npsbundle test backend",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=WAIT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def client_socket(port):
    """A connection to the server under test, through TLS with --client-https."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    if CLIENT_TLS:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        s = context.wrap_socket(s)
    return s


def read_head(sock_file):
    line = sock_file.readline()
    if not line:
        return None, None
    headers = []
    while True:
        field = sock_file.readline()
        if field in (b"\r\n", b"\n", b""):
            break
        name, _, value = field.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    return line.decode("latin-1").strip(), headers


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return ", ".join(values) if values else None


class BackendHandler(socketserver.StreamRequestHandler):
    def handle(self):
        with self.server.lock:
            self.server.connections += 1
        while True:
            request_line, headers = read_head(self.rfile)
            if request_line is None:
                return
            method, target, _ = request_line.split(" ", 2)
            body = b""
            if header(headers, "transfer-encoding"):
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    body += self.rfile.read(size)
                    self.rfile.readline()
            elif header(headers, "content-length"):
                body = self.rfile.read(int(header(headers, "content-length")))
            path = target.split("?")[0]
            if path.endswith("/sse"):
                self.sse()
                return
            if path.endswith("/slow"):
                time.sleep(5)
                return
            if path.endswith("/hold"):
                self.hold()
                return
            if path.startswith("/ws"):
                self.websocket(headers)
                return
            info = [
                "method=" + method,
                "target=" + target,
                "bytes=%d" % len(body),
                "sha256=" + hashlib.sha256(body).hexdigest(),
                "chunked=%s" % bool(header(headers, "transfer-encoding")),
            ]
            for name in ("host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-trace", "keep-alive"):
                info.append("%s=%s" % (name, header(headers, name)))
            text = ("\n".join(info) + "\n").encode()
            head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                    "Connection: X-Backend-Hop\r\nX-Backend-Hop: secret\r\nX-Backend: yes\r\n\r\n" % len(text))
            self.wfile.write(head.encode() + (b"" if method == "HEAD" else text))
            self.wfile.flush()

    def sse(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(4):
            event = ("data: event %d\n\n" % i).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
            # The next event only once the client has this one.
            if not self.server.sse_released[i].wait(WAIT):
                return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def hold(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"6\r\nstart\n\r\n")
        self.wfile.flush()
        # Blocks until the proxy closes this connection (the client went away).
        self.connection.settimeout(WAIT)
        try:
            while self.connection.recv(1024):
                pass
            self.server.hold_closed.set()
        except OSError:
            self.server.hold_closed.set()

    def websocket(self, headers):
        key = header(headers, "sec-websocket-key")
        if not key or (header(headers, "upgrade") or "").lower() != "websocket":
            self.wfile.write(b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n")
            return
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        self.wfile.flush()
        while True:
            frame = read_frame(self.rfile)
            if frame is None:
                return
            opcode, payload = frame
            # Echo, unmasked as a server sends; a close is echoed, then we close.
            self.wfile.write(make_frame(opcode, payload, mask=False))
            self.wfile.flush()
            if opcode == 8:
                return


def make_frame(opcode, payload, mask=True):
    head = bytes([0x80 | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_exact(f, n):
    data = f.read(n)
    return data if data is not None and len(data) == n else None


def read_frame(f):
    head = read_exact(f, 2)
    if head is None:
        return None
    opcode, n = head[0] & 0x0F, head[1] & 0x7F
    masked = head[1] & 0x80
    if n == 126:
        n = int.from_bytes(read_exact(f, 2), "big")
    elif n == 127:
        n = int.from_bytes(read_exact(f, 8), "big")
    key = read_exact(f, 4) if masked else None
    payload = read_exact(f, n) if n else b""
    if payload is None:
        return None
    if key:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return opcode, payload


def read_until_close(sock):
    data = b""
    while True:
        piece = sock.recv(65536)
        if not piece:
            sock.close()
            return data
        data += piece


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def fields(body):
    return dict(line.split("=", 1) for line in body.decode().splitlines() if "=" in line)


def run_suite(port, backend, down_target, name):
    failures = []

    def case(fn):
        try:
            fn()
            print("ok   %s: %s" % (name, fn.__name__))
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failures.append("%s: %s: %s" % (name, fn.__name__, error))
            print("FAIL %s: %s: %s" % (name, fn.__name__, error))

    def conn():
        if CLIENT_TLS:
            return http.client.HTTPSConnection("127.0.0.1", port, timeout=WAIT,
                                               context=ssl._create_unverified_context())
        return http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)

    def methods():
        c = conn()
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            body = b"x=1" if method in ("POST", "PUT", "PATCH") else None
            c.request(method, "/api/echo?q=1", body=body)
            r = c.getresponse()
            data = r.read()
            check(r.status == 200, "%s status %d" % (method, r.status))
            got = fields(data)
            check(got["method"] == method, "%s arrived as %s" % (method, got["method"]))
            check(got["target"] == "/api/echo?q=1", "target %s" % got["target"])
            check(got["bytes"] == ("3" if body else "0"), "%s body bytes %s" % (method, got["bytes"]))
        c.request("HEAD", "/api/echo")
        r = c.getresponse()
        check(r.status == 200 and r.read() == b"", "HEAD")
        c.close()

    def forwarded_and_hop_by_hop():
        c = conn()
        c.request("GET", "/api/echo", headers={"Host": "app.example:8080", "Connection": "keep-alive, X-Trace",
                                               "X-Trace": "1", "Keep-Alive": "timeout=5"})
        r = c.getresponse()
        got = fields(r.read())
        check(got["x-forwarded-for"].endswith("127.0.0.1"), "X-Forwarded-For %s" % got["x-forwarded-for"])
        proto = "https" if CLIENT_TLS else "http"
        check(got["x-forwarded-proto"] == proto, "X-Forwarded-Proto %s" % got["x-forwarded-proto"])
        check(got["x-forwarded-host"] == "app.example:8080", "X-Forwarded-Host %s" % got["x-forwarded-host"])
        if name == "serve":  # nginx passes on fields a Connection header lists (README: proxy)
            check(got["x-trace"] == "None", "a field Connection lists reached the backend")
            check(r.getheader("X-Backend-Hop") is None, "a field the backend's Connection lists reached the client")
        check(got["keep-alive"] == "None", "Keep-Alive reached the backend")
        check(r.getheader("X-Backend") == "yes", "backend field missing")
        check(r.getheader("Cache-Control") is None, "proxied response got Cache-Control %s" % r.getheader("Cache-Control"))
        c.close()

    def upload_10mb():
        data = os.urandom(10 * 1024 * 1024)
        c = conn()
        c.request("POST", "/api/echo", body=data)
        got = fields(c.getresponse().read())
        check(got["bytes"] == str(len(data)), "bytes %s" % got["bytes"])
        check(got["sha256"] == hashlib.sha256(data).hexdigest(), "upload corrupted")
        c.close()

    def chunked_upload():
        parts = [b"alpha", b"b" * 70000, b"omega"]
        c = conn()
        c.request("POST", "/api/echo", body=iter(parts), encode_chunked=True,
                  headers={"Transfer-Encoding": "chunked"})
        got = fields(c.getresponse().read())
        check(got["bytes"] == str(sum(map(len, parts))), "chunked bytes %s" % got["bytes"])
        check(got["sha256"] == hashlib.sha256(b"".join(parts)).hexdigest(), "chunked body corrupted")
        # The connection stays usable after a chunked upload.
        c.request("GET", "/api/echo")
        check(c.getresponse().read().startswith(b"method=GET"), "next request after chunked upload")
        c.close()

    def server_sent_events():
        for event in backend.sse_released:
            event.clear()
        c = conn()
        c.request("GET", "/api/sse", headers={"Accept": "text/event-stream"})
        r = c.getresponse()
        check(r.status == 200, "status %d" % r.status)
        check(r.getheader("Content-Type") == "text/event-stream", "type %s" % r.getheader("Content-Type"))
        for i in range(4):
            # Event i must arrive while the backend is still holding event i+1.
            buffer = b""
            while not buffer.endswith(b"\n\n"):
                chunk = r.read1(64)
                check(chunk, "stream ended before event %d" % i)
                buffer += chunk
            check(buffer == ("data: event %d\n\n" % i).encode(), "event %d was %r" % (i, buffer))
            check(not backend.sse_released[i].is_set(), "event %d came after the backend moved on" % i)
            backend.sse_released[i].set()
        check(r.read() == b"", "stream end")
        c.close()

    def websocket_echo():
        s = client_socket(port)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(("GET /ws/chat HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
        f = s.makefile("rb")
        status, headers = read_head(f)
        check(status.startswith("HTTP/1.1 101"), "status %s" % status)
        expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        check(header(headers, "sec-websocket-accept") == expected.decode(), "accept header")
        big = os.urandom(200000)
        for opcode, payload in ((1, "héllo".encode()), (2, bytes(range(256))), (2, big), (1, b"after")):
            s.sendall(make_frame(opcode, payload))
            check(read_frame(f) == (opcode, payload), "echo of opcode %d (%d bytes)" % (opcode, len(payload)))
        s.sendall(make_frame(8, b"\x03\xe8bye"))
        check(read_frame(f) == (8, b"\x03\xe8bye"), "close frame echo")
        check(f.read(1) == b"", "the tunnel closes after the close handshake")
        s.close()

    def backend_keep_alive():
        # Sequential requests reuse one backend connection (plain or TLS).
        c = conn()
        c.request("GET", "/api/echo")
        c.getresponse().read()
        before = backend.connections
        for _ in range(5):
            c.request("GET", "/api/echo")
            check(c.getresponse().read().startswith(b"method=GET"), "keep-alive request")
        c.close()
        check(backend.connections == before, "%d new backend connections for 5 requests" % (backend.connections - before))

    def bad_gateway():
        c = conn()
        c.request("GET", "/down/x")
        r = c.getresponse()
        body = r.read().decode()
        check(r.status == 502, "status %d" % r.status)
        if name == "serve":
            check(down_target in body and body.count("\n") == 1, "body %r" % body)
        c.close()

    def gateway_timeout():
        c = conn()
        c.request("GET", "/api/slow")
        r = c.getresponse()
        body = r.read().decode()
        check(r.status == 504, "status %d" % r.status)
        if name == "serve":
            check("response headers" in body and body.count("\n") == 1, "body %r" % body)
        c.close()

    def client_abort():
        backend.hold_closed.clear()
        s = client_socket(port)
        s.sendall(b"GET /api/hold HTTP/1.1\r\nHost: app\r\n\r\n")
        got = b""
        while b"start" not in got:
            piece = s.recv(4096)
            check(piece, "no data before abort")
            got += piece
        s.close()
        check(backend.hold_closed.wait(WAIT), "the backend side stayed open after the client left")

    def no_spa_fallback():
        c = conn()
        c.request("GET", "/api", headers={"Accept": "text/html"})
        r = c.getresponse()
        data = r.read()
        check(r.status == 200 and data.startswith(b"method=GET"), "/api itself is proxied")
        c.request("GET", "/apix/users", headers={"Accept": "text/html"})
        r = c.getresponse()
        data = r.read()
        check(b"method=" not in data, "/apix is not under /api")
        c.request("GET", "/", headers={"Accept": "text/html"})
        r = c.getresponse()
        check(r.status == 200 and b"<html" in r.read().lower(), "static / still served")
        c.close()

    def http10_client():
        s = client_socket(port)
        s.sendall(b"GET /api/sse HTTP/1.0\r\n\r\n")
        for event in backend.sse_released:
            event.set()  # no pacing: this checks framing, not arrival
        data = read_until_close(s)
        head, _, body = data.partition(b"\r\n\r\n")
        # Caddy (Go's net/http) answers an HTTP/1.0 request with an HTTP/1.0
        # status line; serve and nginx say 1.1 (both allowed, RFC 9110 §6.2).
        status_line = b"HTTP/1.0 200" if name == "caddy" else b"HTTP/1.1 200"
        check(head.startswith(status_line), "status %r" % head[:40])
        check(b"transfer-encoding" not in head.lower(), "chunked to an HTTP/1.0 client")
        check(body == b"".join(b"data: event %d\n\n" % i for i in range(4)), "close-delimited body %r" % body)
        if name == "serve":  # nginx sends no Host when the client sent none; Caddy its own choice
            c = client_socket(port)
            c.sendall(b"GET /api/echo HTTP/1.0\r\n\r\n")
            reply = read_until_close(c)
            got = fields(reply.partition(b"\r\n\r\n")[2])
            check(got["host"].startswith("127.0.0.1:"), "Host for an HTTP/1.0 request: %s" % got["host"])

    for fn in (methods, http10_client, forwarded_and_hop_by_hop, upload_10mb, chunked_upload, server_sent_events,
               websocket_echo, bad_gateway, gateway_timeout, client_abort, no_spa_fallback):
        case(fn)
    if name == "serve":  # nginx and Caddy pool on their own terms
        case(backend_keep_alive)
    return failures


def cli_errors(npsbundle, build):
    """Bad rules stop every command with one line and exit 2, before serving or starting a browser."""
    failures = []
    cases = [
        (["serve", build, "--proxy", "api=http://127.0.0.1:1"], "--proxy api=http://127.0.0.1:1: a path prefix starts with '/'"),
        (["serve", build, "--proxy", "/api=ftp://example.com"], "expected an http:// or https:// URL"),
        (["serve", build, "--proxy", "/api=http://a", "--proxy-timeout", "0"], "--proxy-timeout"),
        (["measure", build, "--proxy", "/api"], "--proxy /api: expected PREFIX=URL"),
        (["nginx", build, "--proxy", "/api=http://a:70000"], "expected a port 1..65535"),
    ]
    for args, expected in cases:
        result = subprocess.run([npsbundle] + args, capture_output=True, text=True, timeout=WAIT)
        lines = result.stderr.strip().splitlines()
        if result.returncode != 2 or len(lines) != 1 or expected not in lines[0]:
            failures.append("cli: %s: exit %d, stderr %r" % (" ".join(args[2:]), result.returncode, result.stderr))
    print("%s cli: bad proxy rules are exit 2 with one line" % ("FAIL" if failures else "ok  "))
    return failures


def stops_with_open_tunnel(process, port):
    """SIGTERM with a WebSocket open: the drain cuts it, the server exits."""
    s = client_socket(port)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    f = s.makefile("rb")
    status, _ = read_head(f)
    process.terminate()
    try:
        process.wait(WAIT)
        ok = status.startswith("HTTP/1.1 101") and f.read(1) == b""
    except subprocess.TimeoutExpired:
        ok = False
    s.close()
    print("%s serve: stops with a WebSocket open (tunnel cut after the drain)" % ("ok  " if ok else "FAIL"))
    return [] if ok else ["serve: did not stop with a WebSocket open"]


def verification_on(npsbundle, build, backend_url, tmp):
    """secure left at its default: the self-signed backend is a 502 naming the target and why."""
    config_path = os.path.join(tmp, "verify.config.json")
    with open(config_path, "w") as f:
        f.write('{"version": 1, "serve": {"proxy": {"/api": {"target": "%s"}}}}' % backend_url)
    process, port = start_serve(npsbundle, build, ["--config", config_path, "--proxy-timeout", "5"])
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        c.request("GET", "/api/echo")
        r = c.getresponse()
        body = r.read().decode()
        c.close()
    finally:
        process.terminate()
        process.wait(WAIT)
    ok = (r.status == 502 and body.count("\n") == 1 and backend_url in body and
          "certificate verify failed" in body)
    print("%s serve: verification on refuses the self-signed backend: %d %r" % ("ok  " if ok else "FAIL", r.status, body))
    return [] if ok else ["serve: verification on gave %d %r" % (r.status, body)]


def start_serve(npsbundle, build, rules_args):
    tls_args = ["--https"] if CLIENT_TLS else []
    process = subprocess.Popen([npsbundle, "serve", build, "--port", "0", "--quiet"] + tls_args + rules_args,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"https?://127\.0\.0\.1:(\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit("serve did not start: %r %s" % (line, process.stderr.read()))
    return process, int(match.group(1))


def find_server(name, usual_path):
    """The server's binary, or exit 77 (skip) when it is not installed."""
    path = shutil.which(name) or (usual_path if os.access(usual_path, os.X_OK) else None)
    if not path:
        print("skip: %s not installed" % name)
        sys.exit(77)
    return path


def wait_listening(name, process, port):
    """(process, port) once the server accepts on `port`; exits if it dies or never listens."""
    deadline = time.time() + WAIT
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit("%s did not start: %s" % (name, process.stderr.read().decode()))
            time.sleep(0.05)
    raise SystemExit("%s did not start listening" % name)


def start_nginx(npsbundle, source, build, config_path, tmp):
    nginx = find_server("nginx", "/usr/sbin/nginx")
    port = free_port()
    snippets = os.path.join(tmp, "snippets")
    os.makedirs(snippets)
    for entry in os.listdir(os.path.join(source, "nginx-snippets")):
        if not entry.endswith(".conf"):
            continue
        with open(os.path.join(source, "nginx-snippets", entry)) as f:
            text = f.read().replace("/etc/nginx/snippets/npsbundle", snippets)
        with open(os.path.join(snippets, entry), "w") as f:
            f.write(text)
    generated = subprocess.run([npsbundle, "nginx", build, "--root", os.path.abspath(build), "--listen",
                                "127.0.0.1:%d" % port, "--snippets", snippets, "--config", config_path,
                                "--proxy-timeout", "1"], capture_output=True, text=True, check=True).stdout
    module = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"
    conf = "load_module %s;\n" % module if os.path.exists(module) else ""
    conf += "master_process off;\ndaemon off;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n" % (tmp, tmp)
    conf += "events { worker_connections 256; }\nhttp {\naccess_log off;\n"
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        conf += "%s_temp_path %s/tmp/%s;\n" % (temp, tmp, temp)
    conf += "default_type application/octet-stream;\n" + generated + "\n}\n"
    os.makedirs(os.path.join(tmp, "conf"))
    os.makedirs(os.path.join(tmp, "tmp"))
    shutil.copy("/etc/nginx/mime.types", os.path.join(tmp, "conf", "mime.types"))
    with open(os.path.join(tmp, "conf", "nginx.conf"), "w") as f:
        f.write(conf)
    process = subprocess.Popen([nginx, "-p", tmp + "/", "-c", tmp + "/conf/nginx.conf", "-e", tmp + "/error.log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return wait_listening("nginx", process, port)


def start_caddy(npsbundle, build, config_path, tmp):
    caddy = find_server("caddy", "/usr/bin/caddy")
    port = free_port()
    site = os.path.join(tmp, "site.caddy")
    # The site address has no host, so requests with any Host reach it (the
    # suite sends "app", "app.example:8080", none); default_bind keeps it on
    # loopback.
    subprocess.run([npsbundle, "deploy-config", build, "--target", "caddy", "--root", os.path.abspath(build),
                    "--listen", "http://:%d" % port, "--config", config_path, "--proxy-timeout", "1",
                    "--output", site], capture_output=True, text=True, check=True)
    main_file = os.path.join(tmp, "Caddyfile")
    with open(main_file, "w") as f:
        f.write("{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system %s\n}\n"
                "import %s\n" % (os.path.join(tmp, "data"), site))
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "config"), XDG_DATA_HOME=os.path.join(tmp, "data"))
    process = subprocess.Popen([caddy, "run", "--config", main_file, "--adapter", "caddyfile"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return wait_listening("caddy", process, port)


def main():
    npsbundle, source = sys.argv[1], sys.argv[2]
    use_nginx = "--nginx" in sys.argv[3:]
    use_caddy = "--caddy" in sys.argv[3:]
    use_https = "--https" in sys.argv[3:]
    build = os.path.join(source, "fixtures", "builds", "good")
    scheme = "https" if use_https else "http"
    with tempfile.TemporaryDirectory() as tmp:
        # The development certificate of --client-https goes to this run's folder.
        os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
        backend = Backend(make_certificate(tmp) if use_https else None)
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        backend_url = "%s://127.0.0.1:%d" % (scheme, backend.server_address[1])
        down = "%s://127.0.0.1:%d" % (scheme, free_port())
        # The same rules for both servers, from one config file; a
        # self-signed TLS backend is used with secure: false (Vite's option).
        secure = ', "secure": false' if use_https else ""
        config_path = os.path.join(tmp, "npsbundle.config.json")
        with open(config_path, "w") as f:
            f.write('{"version": 1, "serve": {"proxy": {'
                    '"/api": {"target": "%s", "changeOrigin": false%s},'
                    '"/ws": {"target": "%s", "ws": true%s},'
                    '"/down": "%s"}}}' % (backend_url, secure, backend_url.replace("http", "ws", 1), secure, down))
        if use_nginx:
            process, port = start_nginx(npsbundle, source, build, config_path, tmp)
            name = "nginx"
        elif use_caddy:
            process, port = start_caddy(npsbundle, build, config_path, tmp)
            name = "caddy"
        else:
            process, port = start_serve(npsbundle, build, ["--config", config_path, "--proxy-timeout", "1"])
            name = "serve"
        try:
            failures = run_suite(port, backend, down, name)
            if name == "serve":
                failures += stops_with_open_tunnel(process, port)
                failures += verification_on(npsbundle, build, backend_url, tmp) if use_https else cli_errors(npsbundle, build)
        finally:
            process.terminate()
            process.wait(WAIT)
        backend.shutdown()
    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
