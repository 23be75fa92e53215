#!/usr/bin/env python3
"""HTTP/2 attacks against a real `npsbundle serve --https`, each from its own
TLS connection (Python's ssl module, ALPN h2, frames built by hand):

  rapid reset (CVE-2023-44487)      HEADERS + RST_STREAM pairs
  CONTINUATION flood (CVE-2024-28182) one header block that never ends
  HPACK bomb                        one table entry referenced 3000 times
  SETTINGS flood, PING flood        frames whose ACKs are never read

  h2_attack_suite.py NPSBUNDLE SOURCE_DIR [--expect-hints]

Each attack is repeated on new connections for ATTACK_SECONDS; every
connection must end in GOAWAY ENHANCE_YOUR_CALM or be closed, while a second
client (curl --http2, one request after another) keeps getting 200 over h2,
and the server's peak RSS (VmHWM in /proc/PID/status) stays within 64 MiB of
its idle figure. Also: ALPN selects h2, the server's SETTINGS carry no
ENABLE_CONNECT_PROTOCOL (no RFC 8441: WebSockets stay on HTTP/1.1), and
`nghttp -v` sees a 103 Early Hints before the 200 on a navigation to "/"
(required when `serve --help` lists --early-hints, or with --expect-hints). Exit 77 (skip) without curl or openssl.
"""
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protocol_suite import WAIT, start_serve, stop, suite_end, suite_start  # noqa: E402

ATTACK_SECONDS = 2.0  # how long each attack is repeated (not a timing assertion)
HWM_MARGIN = 64 * 1024 * 1024
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION = 0, 1, 3, 4, 6, 7, 9
END_STREAM, END_HEADERS, ACK = 1, 4, 1
ENHANCE_YOUR_CALM, CANCEL = 0xB, 0x8
SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_integer(value, bits, flags=0):
    limit = (1 << bits) - 1
    if value < limit:
        return bytes([flags | value])
    out = [flags | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(out + [value])


def literal(name, value, index=False):
    name, value = name.encode(), value.encode()
    return (b"\x40" if index else b"\x00") + hpack_integer(len(name), 7) + name + hpack_integer(len(value), 7) + value


def indexed(index):
    return hpack_integer(index, 7, 0x80)


def get_block(path="/"):
    # Static table: 2 ":method GET", 7 ":scheme https".
    return indexed(2) + indexed(7) + literal(":path", path) + literal(":authority", "localhost")


class Connection:
    """One TLS connection speaking h2 by hand."""

    def __init__(self, port):
        context = ssl._create_unverified_context()
        context.set_alpn_protocols(["h2", "http/1.1"])
        self.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
        self.alpn = self.sock.selected_alpn_protocol()
        self.buffer = b""
        self.send(PREFACE + frame(SETTINGS, 0, 0))

    def send(self, data):
        """False once the server has closed (a send into a closed connection)."""
        try:
            self.sock.sendall(data)
            return True
        except (OSError, ssl.SSLError):
            return False

    def next_frame(self):
        """(type, flags, stream, payload), or None at EOF, reset or timeout."""
        while True:
            if len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) >= 9 + length:
                    head, self.buffer = self.buffer[:9 + length], self.buffer[9 + length:]
                    return head[3], head[4], int.from_bytes(head[5:9], "big") & 0x7FFFFFFF, head[9:]
            try:
                piece = self.sock.recv(65536)
            except (OSError, ssl.SSLError):
                return None
            if not piece:
                return None
            self.buffer += piece

    def outcome(self):
        """("goaway", code) or ("closed", None): how the server ended it."""
        while True:
            seen = self.next_frame()
            if seen is None:
                return "closed", None
            if seen[0] == GOAWAY:
                return "goaway", int.from_bytes(seen[3][4:8], "big")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def rapid_reset(conn):
    pairs = b"".join(frame(HEADERS, END_STREAM | END_HEADERS, 2 * i + 1, get_block()) +
                     frame(RST_STREAM, 0, 2 * i + 1, struct.pack(">I", CANCEL)) for i in range(2000))
    conn.send(pairs)


def continuation_flood(conn):
    if not conn.send(frame(HEADERS, END_STREAM, 1, get_block())):
        return
    piece = frame(CONTINUATION, 0, 1, literal("x-a", "b"))
    for _ in range(100):
        if not conn.send(piece * 100):
            return


def hpack_bomb(conn):
    bomb = get_block() + literal("x-bomb", "b" * 4000, index=True) + indexed(62) * 3000
    conn.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, bomb))


def settings_flood(conn):
    conn.send(frame(SETTINGS, 0, 0, struct.pack(">HI", 0x1, 4096)) * 20000)


def ping_flood(conn):
    conn.send(b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(20000)))


ATTACKS = [("rapid reset", rapid_reset), ("CONTINUATION flood", continuation_flood), ("HPACK bomb", hpack_bomb),
           ("SETTINGS flood", settings_flood), ("PING flood", ping_flood)]


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM for pid %d" % pid)


class Bystander(threading.Thread):
    """A well-behaved client: curl --http2, one request after another."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.results = []  # (time, "200 2") and the like
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            result = subprocess.run(["curl", "-s", "-k", "--http2", "--max-time", str(WAIT), "-o", "/dev/null",
                                     "-w", "%{http_code} %{http_version}", self.url],
                                    capture_output=True, text=True)
            self.results.append((time.monotonic(), result.stdout.strip() or "exit %d" % result.returncode))

    def between(self, start, end):
        return [r for t, r in self.results if start <= t <= end]


def server_settings(port):
    conn = Connection(port)
    try:
        seen = conn.next_frame()
        settings = {}
        if seen and seen[0] == SETTINGS:
            payload = seen[3]
            for at in range(0, len(payload) - 5, 6):
                key, value = struct.unpack(">HI", payload[at:at + 6])
                settings[key] = value
        return conn.alpn, settings
    finally:
        conn.close()


def early_hints(port, expect, failures):
    if not shutil.which("nghttp"):
        print("note: nghttp not installed, 103 check skipped")
        return
    # A navigation, as a browser sends it.
    result = subprocess.run(["nghttp", "-v", "-n", "-H", "accept: text/html", "-H", "sec-fetch-mode: navigate",
                             "https://127.0.0.1:%d/" % port],
                            capture_output=True, text=True, timeout=WAIT)
    lines = [line for line in result.stdout.splitlines() if ":status:" in line and "recv" in line]
    statuses = [line.split(":status:")[1].strip() for line in lines]
    if "103" not in statuses:
        failures.check(not expect, "nghttp: no 103 before the 200 (%r)" % statuses)
        if not expect:
            print("note: no 103 Early Hints sent (statuses %r)" % statuses)
        return
    if failures.check(statuses.index("103") < statuses.index("200"), "nghttp: statuses in order %r" % statuses):
        print("ok   nghttp: 103 Early Hints before the 200")


def main():
    npsbundle, build, failures = suite_start()
    # A serve that has --early-hints sends them by default under --https.
    help_text = subprocess.run([npsbundle, "serve", "--help"], capture_output=True, text=True, timeout=WAIT).stdout
    expect_hints = "--expect-hints" in sys.argv[3:] or "--early-hints" in help_text
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        process, port, _ = start_serve(npsbundle, build, ["--https"], env)
        bystander = Bystander("https://127.0.0.1:%d/" % port)
        try:
            alpn, settings = server_settings(port)
            if not failures.check(alpn == "h2", "ALPN selected %r, not h2" % alpn):
                raise SystemExit(1)
            failures.check(SETTINGS_ENABLE_CONNECT_PROTOCOL not in settings,
                           "SETTINGS_ENABLE_CONNECT_PROTOCOL advertised: %r" % settings)
            print("ok   ALPN h2; SETTINGS %r, no extended CONNECT" % settings)
            early_hints(port, expect_hints, failures)
            bystander.start()
            while len(bystander.results) < 5:  # warm: the figure below is the served-idle one
                time.sleep(0.05)
            idle = vm_hwm(process.pid)
            print("     idle VmHWM %.1f MiB" % (idle / 2**20))
            for name, attack in ATTACKS:
                start = time.monotonic()
                outcomes = []
                while not outcomes or time.monotonic() - start < ATTACK_SECONDS:
                    conn = Connection(port)
                    attack(conn)
                    outcomes.append(conn.outcome())
                    conn.close()
                end = time.monotonic()
                # At least one bystander answer that ended after the attack began
                # (on a loaded machine one request may outlast the attack).
                deadline = time.monotonic() + WAIT
                while not bystander.between(start, deadline) and time.monotonic() < deadline:
                    time.sleep(0.05)
                served = bystander.between(start, time.monotonic())
                hwm = vm_hwm(process.pid)
                bad = [o for o in outcomes if o != ("goaway", ENHANCE_YOUR_CALM) and o[0] != "closed"]
                goaways = sum(1 for o in outcomes if o[0] == "goaway")
                ok = failures.check(not bad, "%s: connections ended %r" % (name, bad[:3]))
                ok &= failures.check(served and all(r == "200 2" for r in served),
                                     "%s: the other client got %r" % (name, served[:5]))
                ok &= failures.check(hwm - idle <= HWM_MARGIN, "%s: VmHWM %.1f MiB over the idle %.1f MiB" %
                                     (name, (hwm - idle) / 2**20, idle / 2**20))
                if ok:
                    print("ok   %s: %d connections in %.1f s, %d ended by GOAWAY ENHANCE_YOUR_CALM, %d closed; "
                          "the other client got %d x 200 over h2; VmHWM +%.1f MiB" %
                          (name, len(outcomes), end - start, goaways, len(outcomes) - goaways, len(served),
                           (hwm - idle) / 2**20))
            failures.check(process.poll() is None, "serve exited during the attacks")
        finally:
            bystander.stopping.set()
            if bystander.is_alive():
                bystander.join(WAIT + 5)
            stop(process)
    suite_end(failures)


if __name__ == "__main__":
    main()
