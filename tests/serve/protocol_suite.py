#!/usr/bin/env python3
"""The protocol replay suite: the same requests, sent by real curl, to
`npsbundle serve` over plain HTTP/1.1 and over TLS, must get the same answers
(status, the fields that carry the serving policy, the body's bytes).

  protocol_suite.py NPSBUNDLE SOURCE_DIR [--http2]

Default: plain HTTP/1.1 against TLS HTTP/1.1 (`--https`, curl --http1.1).
--http2: plain HTTP/1.1 against TLS HTTP/2 (curl --http2, ALPN h2); every
answer over TLS must also report HTTP version 2.

Cases: each encoding (br, gzip, identity) of a small and a large file (the
large one goes by sendfile on plain connections, by SSL_write under TLS),
Range (206, 416), If-None-Match (304), HEAD, 405, the SPA fallback, a
missing asset (404), path traversal (--path-as-is), and keep-alive (several
requests on one connection). Exit 77 (skip) without curl.

Then the development certificate (serve --https without --cert/--key),
with XDG_CACHE_HOME in a temporary folder: curl verifying against it by
name (localhost) and by address (127.0.0.1); SANs cover --host; the second
start reuses it; another --host regenerates it (keeping the old names); the
key is mode 0600; a damaged certificate file is replaced, not a crash; and
--cert/--key errors are one line with exit 2.
"""
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

WAIT = 20  # seconds any one step may take (a hang guard, not a timing assertion)
# Fields that carry the serving policy; Date and Connection are left out
# (the clock, and HTTP/2 has no Connection field).
COMPARED = ("content-type", "content-encoding", "content-range", "content-length", "cache-control", "etag",
            "vary", "last-modified", "x-content-type-options", "accept-ranges", "allow", "location")


class Failures(list):
    def check(self, condition, what):
        if not condition:
            self.append(what)
            print("FAIL " + what)
        return condition


def start_serve(npsbundle, build, args, env):
    """(process, port, stdout lines before the first request) of a started serve."""
    process = subprocess.Popen([npsbundle, "serve", build, "--port", "0", "--quiet", "--precompress", "wait"] + args,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    while True:
        line = process.stdout.readline()
        if not line:
            process.wait(WAIT)
            raise SystemExit("serve did not start (%s): %s" % (" ".join(args), process.stderr.read()))
        lines.append(line)
        match = re.search(r"https?://[^ ]*:(\d+)/", line)
        if match:
            break
    # The certificate lines follow the URL line under TLS.
    if line.startswith("npsbundle serve: https://"):
        lines += [process.stdout.readline() for _ in range(3)]
    return process, int(match.group(1)), lines


def stop(process):
    process.terminate()
    process.wait(WAIT)


def curl(url, extra, tmp):
    """One request by curl: (status, http_version, headers dict, body bytes)."""
    head_file, body_file = os.path.join(tmp, "head"), os.path.join(tmp, "body")
    for old in (head_file, body_file):  # curl writes no body file for an empty body
        if os.path.exists(old):
            os.remove(old)
    result = subprocess.run(["curl", "-s", "-k", "--max-time", str(WAIT), "-D", head_file, "-o", body_file,
                             "-w", "%{http_code} %{http_version}"] + extra + [url],
                            capture_output=True, text=True, timeout=WAIT + 5)
    if result.returncode != 0:
        raise RuntimeError("curl %s %s: exit %d %s" % (" ".join(extra), url, result.returncode, result.stderr))
    status, version = result.stdout.split()
    headers = {}
    with open(head_file, "rb") as f:
        for line in f.read().decode("latin-1").splitlines():
            if ":" in line and not line.startswith("HTTP/"):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
    body = b""
    if os.path.exists(body_file):
        with open(body_file, "rb") as f:
            body = f.read()
    return int(status), version, headers, body


def cases(build, http2):
    assets = sorted(os.listdir(os.path.join(build, "assets")))
    js = [a for a in assets if a.endswith(".js")]
    large = max(js, key=lambda a: os.path.getsize(os.path.join(build, "assets", a)))
    small = min(js, key=lambda a: os.path.getsize(os.path.join(build, "assets", a)))
    html = ["-H", "Accept: text/html"]
    # (name, path, curl arguments, expected status)
    out = []
    for coding in ("br", "gzip", "identity"):
        for label, asset in (("small", small), ("large", large)):
            out.append(("%s %s" % (label, coding), "/assets/" + asset, ["-H", "Accept-Encoding: " + coding], 200))
    out += [
        ("index br", "/", ["-H", "Accept-Encoding: br"] + html, 200),
        ("range", "/assets/" + large, ["-H", "Range: bytes=100-1099"], 206),
        ("range suffix", "/assets/" + large, ["-H", "Range: bytes=-500"], 206),
        ("range unsatisfiable", "/assets/" + large, ["-H", "Range: bytes=99999999-"], 416),
        ("head", "/assets/" + small, ["-I"], 200),
        # Over HTTP/2 without a body: the 405 comes at HEADERS and the
        # server then resets the stream (NO_ERROR, RFC 9113 §8.1), which
        # Debian's curl 7.88 sometimes reports as error 92 mid-upload.
        ("post", "/", ["-X", "POST"] if http2 else ["-X", "POST", "-d", "x=1"], 405),
        ("spa fallback", "/dashboard/42", html, 200),
        ("missing asset", "/assets/nope-123.js", [], 404),
        ("traversal", "/../../../etc/passwd", ["--path-as-is"], None),
        ("encoded traversal", "/assets/..%2f..%2f..%2fetc%2fpasswd", ["--path-as-is"], None),
    ]
    return out, small


def replay(npsbundle, build, tmp, http2, failures):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    plain, plain_port, _ = start_serve(npsbundle, build, [], env)
    tls, tls_port, _ = start_serve(npsbundle, build, ["--https"], env)
    tls_flag = ["--http2"] if http2 else ["--http1.1"]
    try:
        case_list, small = cases(build, http2)
        for name, path, extra, expected in case_list:
            try:
                a = curl("http://127.0.0.1:%d%s" % (plain_port, path), ["--http1.1"] + extra, tmp)
                b = curl("https://127.0.0.1:%d%s" % (tls_port, path), tls_flag + extra, tmp)
            except RuntimeError as error:
                failures.check(False, "%s: %s" % (name, error))
                continue
            ok = failures.check(expected is None or a[0] == expected, "%s: plain status %d, expected %s" % (name, a[0], expected))
            ok &= failures.check(a[0] == b[0], "%s: status plain %d, TLS %d" % (name, a[0], b[0]))
            ok &= failures.check(b[1] == ("2" if http2 else "1.1"), "%s: TLS answered in HTTP/%s" % (name, b[1]))
            for field in COMPARED:
                ok &= failures.check(a[2].get(field) == b[2].get(field),
                                     "%s: %s plain %r, TLS %r" % (name, field, a[2].get(field), b[2].get(field)))
            # With -I curl writes the head where the body would go: HTTP/2
            # heads differ in spelling (lower-case names, no Connection).
            if "-I" not in extra:
                ok &= failures.check(a[3] == b[3], "%s: bodies differ (%d and %d bytes)" % (name, len(a[3]), len(b[3])))
            if name == "traversal" or name == "encoded traversal":
                ok &= failures.check(a[0] in (400, 403, 404) and b"root:" not in a[3], "%s: status %d" % (name, a[0]))
            if name.endswith(" br") or name.endswith(" gzip"):
                coding = name.split()[-1]
                ok &= failures.check(a[2].get("content-encoding") == coding, "%s: Content-Encoding %r" % (name, a[2].get("content-encoding")))
            if ok:
                print("ok   %s: %d, same over TLS" % (name, a[0]))
        # 304 with the ETag the first answer gave.
        first = curl("https://127.0.0.1:%d/assets/%s" % (tls_port, small), tls_flag + ["-H", "Accept-Encoding: br"], tmp)
        etag = first[2].get("etag", "")
        answers = [curl("%s://127.0.0.1:%d/assets/%s" % (scheme, port, small), flag + ["-H", "Accept-Encoding: br",
                        "-H", "If-None-Match: " + etag], tmp)
                   for scheme, port, flag in (("http", plain_port, ["--http1.1"]), ("https", tls_port, tls_flag))]
        if failures.check(etag and answers[0][0] == 304 and answers[1][0] == 304 and answers[1][3] == b"",
                          "if-none-match: %r gave %d and %d" % (etag, answers[0][0], answers[1][0])):
            print("ok   if-none-match: 304 on both")
        # Several requests on one TLS connection: keep-alive, and requests
        # whose bytes OpenSSL buffered while a response was being written.
        urls = ["https://127.0.0.1:%d/assets/%s" % (tls_port, small)] * 5
        result = subprocess.run(["curl", "-s", "-k", "-v", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                                 "-o", "/dev/null", "-o", "/dev/null"] + tls_flag + urls,
                                capture_output=True, text=True, timeout=WAIT)
        reused = result.stderr.count("Re-using existing connection") + result.stderr.count("Reusing existing")
        if failures.check(result.returncode == 0 and reused >= 4 and result.stderr.count("< HTTP/") == 5,
                          "keep-alive over TLS: exit %d, %d reuses" % (result.returncode, reused)):
            print("ok   keep-alive: 5 requests on one TLS connection")
        # 103 Early Hints (on by default under TLS) before the page's 200.
        verbose = subprocess.run(["curl", "-s", "-k", "-v", "-o", "/dev/null", "-H", "Accept: text/html"] + tls_flag +
                                 ["https://127.0.0.1:%d/" % tls_port], capture_output=True, text=True, timeout=WAIT).stderr
        statuses = re.findall(r"^< HTTP/[0-9.]+ (\d+)", verbose, re.M)
        if failures.check(statuses == ["103", "200"] and "< link: " in verbose.lower(),
                          "early hints over TLS: statuses %r" % statuses):
            print("ok   early hints: 103 with Link fields, then 200")
        if not http2:
            pipelined(tls_port, small, failures)
    finally:
        stop(plain)
        stop(tls)


def pipelined(port, asset, failures):
    """Three requests in one TLS write: OpenSSL decrypts them together, so
    the loop must answer the buffered ones without waiting for epoll."""
    import socket
    import ssl
    context = ssl._create_unverified_context()
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=WAIT)) as s:
        request = ("GET /assets/%s HTTP/1.1\r\nHost: x\r\n\r\n" % asset).encode()
        s.sendall(request * 2 + request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        data = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            data += piece
    if failures.check(data.count(b"HTTP/1.1 200 OK") == 3, "pipelined over TLS: %d answers" % data.count(b"HTTP/1.1 200 OK")):
        print("ok   pipelined: 3 requests in one TLS record, 3 answers")


def development_certificate(npsbundle, build, tmp, failures):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "devcache"))
    folder = os.path.join(tmp, "devcache", "npsbundle", "tls")
    cert, key = os.path.join(folder, "dev-cert.pem"), os.path.join(folder, "dev-key.pem")

    def names():
        text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-ext", "subjectAltName"],
                              capture_output=True, text=True, timeout=WAIT).stdout
        return set(n.strip() for n in text.split("\n", 1)[-1].replace("\n", "").split(","))

    def fingerprint():
        return subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                              capture_output=True, text=True, timeout=WAIT).stdout.strip().split("=", 1)[-1]

    process, port, lines = start_serve(npsbundle, build, ["--https"], env)
    try:
        made = "".join(lines)
        failures.check("made now: none yet" in made, "first start did not say it made a certificate: %r" % made)
        got = names()
        failures.check({"DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"} <= got,
                       "SANs %r" % got)
        failures.check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, "key mode %o" % stat.S_IMODE(os.stat(key).st_mode))
        failures.check(stat.S_IMODE(os.stat(folder).st_mode) == 0o700, "folder mode %o" % stat.S_IMODE(os.stat(folder).st_mode))
        # The printed fingerprint and SPKI hash are the certificate's.
        failures.check(fingerprint() in made, "printed fingerprint is not %s: %r" % (fingerprint(), made))
        spki = subprocess.run("openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform der | "
                              "openssl dgst -sha256 -binary | base64" % cert, shell=True, capture_output=True,
                              text=True, timeout=WAIT).stdout.strip()
        failures.check(spki and ("ignore-certificate-errors-spki-list=%s)" % spki) in made, "printed SPKI hash is not %s" % spki)
        # curl verifying against it, by name and by address.
        for url in ("https://localhost:%d/" % port, "https://127.0.0.1:%d/" % port):
            result = subprocess.run(["curl", "-s", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code}", url],
                                    capture_output=True, text=True, timeout=WAIT)
            failures.check(result.stdout == "200", "curl --cacert %s: %r %s" % (url, result.stdout, result.stderr))
    finally:
        stop(process)
    first = fingerprint()

    process, _, lines = start_serve(npsbundle, build, ["--https"], env)
    stop(process)
    failures.check("self-signed, reused" in "".join(lines) and fingerprint() == first, "second start did not reuse it")

    # Another --host: made again, covering it and the old names.
    process, _, lines = start_serve(npsbundle, build, ["--https", "--host", "127.0.0.2"], env)
    stop(process)
    got = names()
    failures.check("made now: names changed" in "".join(lines) and fingerprint() != first and
                   "IP Address:127.0.0.2" in got and "DNS:localhost" in got, "--host 127.0.0.2: %r" % got)

    # A damaged certificate file is replaced.
    with open(cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
    process, _, lines = start_serve(npsbundle, build, ["--https"], env)
    stop(process)
    failures.check("made now: unreadable" in "".join(lines), "damaged certificate: %r" % lines)
    if not failures:
        print("ok   development certificate: SANs, 0600 key, printed hashes, curl --cacert, reuse, new names, damage")

    # --cert/--key errors: one line, exit 2.
    garbage = os.path.join(tmp, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a pem file\n")
    other_key = os.path.join(tmp, "other-key.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other_key],
                   check=True, capture_output=True, timeout=WAIT)
    missing = os.path.join(tmp, "missing.pem")
    for args, expected in (
        (["--cert", missing, "--key", key], missing + ": cannot read: No such file or directory"),
        (["--cert", garbage, "--key", key], garbage + ": no certificate"),
        (["--cert", cert, "--key", garbage], garbage + ": no private key (an unencrypted PEM key is needed)"),
        (["--cert", cert, "--key", other_key], other_key + ": key does not match certificate " + cert),
        (["--cert", cert], "--cert needs --key"),
        (["--key", key], "--key needs --cert"),
    ):
        result = subprocess.run([npsbundle, "serve", build, "--port", "0"] + args, capture_output=True, text=True,
                                timeout=WAIT, env=env)
        lines = result.stderr.strip().splitlines()
        if failures.check(result.returncode == 2 and len(lines) == 1 and lines[0] == "npsbundle: error: " + expected,
                          "serve %s: exit %d, %r" % (" ".join(args), result.returncode, result.stderr)):
            print("ok   serve %s: exit 2, %s" % (" ".join(a if a.startswith("--") else os.path.basename(a) for a in args),
                                                  lines[0]))
    # The config file's serve.https: bad values are one line, exit 2.
    config = os.path.join(tmp, "npsbundle.config.json")
    for value, expected in (('"yes"', 'serve.https: expected true, false or {"cert": FILE, "key": FILE}'),
                            ('{"cert": "c.pem"}', "serve.https: expected both cert and key"),
                            ('{"cert": "c.pem", "key": "k.pem", "ca": "x"}', "serve.https.ca: unknown field")):
        with open(config, "w") as f:
            f.write('{"version": 1, "serve": {"https": %s}}' % value)
        result = subprocess.run([npsbundle, "serve", build, "--port", "0", "--config", config], capture_output=True,
                                text=True, timeout=WAIT, env=env)
        lines = result.stderr.strip().splitlines()
        if failures.check(result.returncode == 2 and len(lines) == 1 and lines[0] == "npsbundle: error: %s: %s" % (config, expected),
                          "serve.https %s: exit %d, %r" % (value, result.returncode, result.stderr)):
            print("ok   serve.https %s: exit 2, %s" % (value, expected))
    # {cert, key} relative to the config file; the flags win over it.
    shutil.copy(cert, os.path.join(tmp, "given-cert.pem"))
    shutil.copy(key, os.path.join(tmp, "given-key.pem"))
    with open(config, "w") as f:
        f.write('{"version": 1, "serve": {"https": {"cert": "given-cert.pem", "key": "given-key.pem"}}}')
    process, port, lines = start_serve(npsbundle, build, ["--config", config], env)
    stop(process)
    failures.check("given-cert.pem (given;" in "".join(lines) and "https://" in lines[0], "serve.https {cert, key}: %r" % lines)
    process, port, lines = start_serve(npsbundle, build, ["--config", config, "--https"], env)
    stop(process)
    failures.check("dev-cert.pem (self-signed, reused" in "".join(lines), "--https over serve.https: %r" % lines)
    with open(config, "w") as f:
        f.write('{"version": 1, "serve": {"https": true}}')
    process, port, lines = start_serve(npsbundle, build, ["--config", config], env)
    stop(process)
    failures.check("dev-cert.pem (self-signed, reused" in "".join(lines), "serve.https true: %r" % lines)

    # A given certificate is served as given.
    process, port, lines = start_serve(npsbundle, build, ["--cert", cert, "--key", key], env)
    try:
        result = subprocess.run(["curl", "-s", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code}",
                                 "https://localhost:%d/" % port], capture_output=True, text=True, timeout=WAIT)
        failures.check(result.stdout == "200" and "(given;" in "".join(lines), "--cert/--key: %r %r" % (result.stdout, lines))
    finally:
        stop(process)


def suite_start():
    """(npsbundle, the good fixture, Failures) from a suite's arguments
    (NPSBUNDLE SOURCE_DIR ...); exits 77 (skipped) without curl or openssl."""
    if not shutil.which("curl") or not shutil.which("openssl"):
        print("skip: curl or openssl not installed")
        sys.exit(77)
    return sys.argv[1], os.path.join(sys.argv[2], "fixtures", "builds", "good"), Failures()


def suite_end(failures):
    if failures:
        print("\n%d failures" % len(failures))
        sys.exit(1)


def main():
    npsbundle, build, failures = suite_start()
    http2 = "--http2" in sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        replay(npsbundle, build, tmp, http2, failures)
        if not http2:
            development_certificate(npsbundle, build, tmp, failures)
    suite_end(failures)


if __name__ == "__main__":
    main()
