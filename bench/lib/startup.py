#!/usr/bin/env python3
"""`serve` start-up on the large build (issue 18), next to `vite preview`.

For each contestant and run: start the server, then
- first response: time from spawn until GET / answers 200;
- all brotli: time until every text file (IsTextLike: js, css, html, svg,
  json...) answers GET with Content-Encoding: br, polled one file at a time
  over one keep-alive connection (a file stays checked once it was br).
Cold = an empty body cache; warm = the cache the previous (cold) run left.
Writes the section between the startup markers of bench/RESULTS.md (the
rest of the report is bench/run's; write_report carries this section over)
and bench/work/startup.json.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TEXT = (".js", ".mjs", ".cjs", ".css", ".html", ".htm", ".svg", ".json", ".webmanifest", ".txt", ".xml", ".wasm")
BEGIN, END = "<!-- startup:begin -->", "<!-- startup:end -->"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def text_files(root):
    out = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(TEXT) and not name.startswith("."):
                out.append("/" + os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)


def get(conn, path):
    conn.request("GET", path, headers={"Accept-Encoding": "br, gzip", "Accept": "*/*"})
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("Content-Encoding")


def run_once(cmd, cwd, env, port, files, limit):
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    try:
        while first is None:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                if get(conn, "/")[0] == 200:
                    first = time.monotonic() - t0
            except OSError:
                time.sleep(0.005)
        left = list(files)
        all_br = None
        while left and time.monotonic() - t0 < limit:
            still = []
            for path in left:
                try:
                    status, encoding = get(conn, path)
                except (OSError, http.client.HTTPException):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    status, encoding = get(conn, path)
                if encoding != "br":
                    still.append(path)
            left = still
            if left:
                time.sleep(0.05)
        if not left:
            all_br = time.monotonic() - t0
        return first, all_br, len(left)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fmt(values):
    values = [v for v in values if v is not None]
    if not values:
        return "never"
    med = statistics.median(values)
    return f"{med:.2f} s ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"{med:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nps", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=float, default=120, help="seconds to wait for all-brotli")
    ap.add_argument("--out", required=True, help="bench/RESULTS.md to update")
    args = ap.parse_args()
    large = os.path.join(args.work, "builds", "large")
    sib = large + "-sib"
    files = text_files(large)
    if os.path.isdir(sib):
        # Only files brotli makes smaller get a br variant (tiny ones do not).
        files = [f for f in files if os.path.exists(sib + f + ".br")]
    vite = os.path.join(args.work, "largeapp", "node_modules", "vite", "bin", "vite.js")
    # As in bench.py: the files are read once untimed first (after `vite
    # build` they are in the page cache); a cold disk is not what is timed.
    for root in (large, sib):
        for dirpath, _, names in os.walk(root):
            for name in names:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    fh.read()
    cache_root = tempfile.mkdtemp(prefix="nps-startup-")
    rows = {}
    try:
        for run in range(args.runs):
            # A fresh cache per run: cold starts it, warm reuses it.
            xdg = os.path.join(cache_root, str(run))
            env = dict(os.environ, XDG_CACHE_HOME=xdg)
            contestants = [
                ("npsbundle serve, no siblings, cold body cache", large, [], env),
                ("npsbundle serve, no siblings, warm body cache", large, [], env),
                ("npsbundle serve, .br/.gz siblings, --no-cache", sib, ["--no-cache"], env),
                ("npsbundle serve --precompress=wait, no siblings, --no-cache", large,
                 ["--precompress=wait", "--no-cache"], env),
            ]
            if os.path.exists(vite):
                contestants.append(("vite preview, no siblings", large, None, env))
            for name, root, extra, cenv in contestants:
                if not os.path.isdir(root):
                    continue
                port = free_port()
                if extra is None:
                    cmd = ["node", vite, "preview", "--outDir", root, "--host", "127.0.0.1", "--port", str(port),
                           "--strictPort"]
                    cwd = os.path.join(args.work, "largeapp")
                else:
                    cmd = [args.nps, "serve", root, "--host", "127.0.0.1", "--port", str(port), "--quiet"] + extra
                    cwd = cache_root  # no node_modules here: the cache follows XDG_CACHE_HOME
                # vite preview never compresses: one poll round shows it.
                limit = 5 if extra is None else args.limit
                first, all_br, left = run_once(cmd, cwd, cenv, port, files, limit)
                print(f"run {run + 1} {name}: first {first:.3f} s, all br "
                      f"{'%.2f s' % all_br if all_br else f'not after {limit:.0f} s ({left} left)'}",
                      file=sys.stderr)
                row = rows.setdefault(name, {"first": [], "all_br": [], "left": []})
                row["first"].append(first)
                row["all_br"].append(all_br)
                row["left"].append(left)
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)

    with open(os.path.join(args.work, "startup.json"), "w") as fh:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "files": len(files),
                   "rows": rows, "load": os.getloadavg()}, fh, indent=1)
    L = [BEGIN, "## serve start-up (issue 18)", ""]
    L.append(f"Written by `bench/lib/startup.py` (`bench/run --part startup`) on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.runs} runs, median (min–max); "
             f"load average at the end {' '.join('%.2f' % x for x in os.getloadavg())}. The `large` build: "
             f"the {len(files)} text files that `npsbundle compress` gives a .br. *First response*: from spawning the server until `GET /` answers 200. "
             f"*All brotli*: until every text file answers `GET` with `Content-Encoding: br` "
             f"(polled over one keep-alive connection). Cold: an empty body cache; warm: the cache the "
             f"cold run of the same round left. The builds' files are read once before (page cache warm, "
             f"as after `vite build`). Not pinned; the machine is shared.")
    L.append("")
    L.append("| server | first response | all brotli |")
    L.append("| --- | --- | --- |")
    for name, row in rows.items():
        never = "never (it does not compress)" if name.startswith("vite") else "not within the limit"
        all_br = fmt(row["all_br"]) if all(v is not None for v in row["all_br"]) else never
        L.append(f"| {name} | {fmt(row['first'])} | {all_br} |")
    L.append(END)
    section = "\n".join(L) + "\n"
    text = open(args.out).read() if os.path.exists(args.out) else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        anchor = "## Where the time goes"
        text = text.replace(anchor, section + "\n" + anchor, 1) if anchor in text else text + "\n" + section
    with open(args.out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
