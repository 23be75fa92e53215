#!/usr/bin/env python3
"""Measurements of bench/run: check and serve against their peers.

bench/run installs the peers and prepares the workloads, then calls this
script, which runs every contestant interleaved (run 1 of each, then run 2 of
each, ...) so that load from other work on the machine spreads over all of
them, and writes bench/RESULTS.md plus bench/work/results.json.
Every figure is reported as median (min-max) over the runs.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib

CORES = os.cpu_count() or 1


def log(*parts):
    print("bench:", *parts, file=sys.stderr, flush=True)


def load_avg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s, unit="s", digits=None):
    if s is None:
        return "n/a"
    med = s["median"]
    if digits is None:
        digits = 3 if med < 1 else 2 if med < 100 else 0
    if s["n"] == 1:
        return f"{med:.{digits}f} {unit}".strip()
    return f"{med:.{digits}f} {unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f})".replace(" (", f" (").strip()


def ratio(a, b):
    if not a or not b or not b["median"]:
        return None
    return a["median"] / b["median"]


# ---------------------------------------------------------------------------
# Timed processes


def run_timed(cmd, ok=(0,), cwd=None, env=None, timeout=1800):
    """Wall time (s), peak RSS (MB) and CPU time (user+sys, s) of one command
    and its children, from wait4's rusage of that process tree."""
    # /usr/bin/time forks the command from a small process of its own, so the
    # peak RSS is the command's. Without it, wait4's figure has a floor of
    # this Python process's RSS (the child starts as a copy of it).
    timefile = None
    if os.path.exists("/usr/bin/time"):
        timefile = tempfile.NamedTemporaryFile("r", suffix=".time")
        cmd = ["/usr/bin/time", "-f", "%M", "-o", timefile.name] + cmd
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env)
    killer = threading.Timer(timeout, proc.kill)  # bounded, like every step of the benchmark
    killer.start()
    try:
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
        proc.stderr.close()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    rss_kb = usage.ru_maxrss
    if timefile:
        lines = timefile.read().split()
        timefile.close()
        if lines:
            rss_kb = int(lines[-1])
    return {"wall": wall, "rss": rss_kb / 1024.0, "cpu": usage.ru_utime + usage.ru_stime}


def warm_page_cache(paths):
    """Reads every file under paths once, untimed. In CI the check runs right
    after `vite build` wrote the files, so they are in the page cache; some VMs
    hand idle page cache back to the host within a minute, which would time
    disk reads instead (0.21 s vs 0.11 s for the siblings check of `large`)."""
    for top in paths:
        if os.path.isfile(top):
            tops = [(os.path.dirname(top), [], [os.path.basename(top)])]
        else:
            tops = os.walk(top)
        for dirpath, _, names in tops:
            for n in names:
                with open(os.path.join(dirpath, n), "rb") as fh:
                    while fh.read(1 << 20):
                        pass


def compressible_files(nps, build, cache=None):
    """The files npsbundle compresses (text-like, not maps, not siblings), from its JSON report."""
    cache_args = ["--cache", cache] if cache else ["--no-cache"]
    p = subprocess.run([nps, "check", build, *cache_args, "--format", "json"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=1800)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"npsbundle check {build} exited {p.returncode}")
    report = json.loads(p.stdout)
    out = []
    for f in report["files"]:
        kind_ok = f.get("compressed", f.get("gzip") != f.get("raw"))
        if kind_ok:
            out.append(f)
    return report, out


# ---------------------------------------------------------------------------
# The physical limit


def brotli_cli_cpu(path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["brotli", "-q", "11", "-w", "22", "-c", path], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def gzip_cpu(data):
    start = time.process_time()
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    c.compress(data)
    c.flush()
    return time.process_time() - start


def brotli_startup_cpu():
    """CPU the brotli CLI spends starting up (exec, dynamic linking) on an empty file."""
    with tempfile.NamedTemporaryFile(suffix=".js") as empty:
        samples = [brotli_cli_cpu(empty.name) for _ in range(30)]
    return statistics.median(samples)


def measure_limit(root, files, startup):
    """T_limit = max(slowest file's brotli-11 + gzip-9 CPU, sum over files / cores).

    Brotli: the reference CLI per file (`brotli -q 11 -w 22 -c`), child CPU
    time minus the CLI's start-up cost. Gzip: zlib.compressobj(9, DEFLATED, 31)
    in process (what `gzip -9` computes, without a process per file)."""
    total = 0.0
    slowest = 0.0
    slowest_path = ""
    raw_total = 0.0
    for f in files:
        path = os.path.join(root, f["path"])
        with open(path, "rb") as fh:
            data = fh.read()
        b = brotli_cli_cpu(path)
        g = gzip_cpu(data)
        raw_total += b + g
        one = max(0.0, b - startup) + g
        total += one
        if one > slowest:
            slowest, slowest_path = one, f["path"]
    limit = max(slowest, total / CORES)
    return {"limit": limit, "cpu": total, "cpu_uncorrected": raw_total, "slowest": slowest,
            "slowest_path": slowest_path}


# ---------------------------------------------------------------------------
# check


def size_limit_config(build, files, path):
    paths = [os.path.join(build, f["path"]) for f in files]
    config = [
        {"name": "brotli", "path": paths, "brotli": True, "limit": "1000 MB"},
        {"name": "gzip", "path": paths, "gzip": True, "limit": "1000 MB"},
    ]
    with open(path, "w") as fh:
        json.dump(config, fh)


def bench_check(args, nps, results):
    work = args.work
    workloads = []
    # name, build, extras
    workloads.append(("good", os.path.join(work, "builds", "good")))
    if not args.smoke:
        workloads.append(("large", os.path.join(work, "builds", "large")))
    startup = brotli_startup_cpu()
    results["brotli_cli_startup_cpu"] = startup
    log(f"brotli CLI start-up: {startup * 1000:.2f} ms CPU per call (subtracted from T_limit)")
    sl_bin = os.path.join(work, "peers", "node_modules", "size-limit", "bin.js")
    have_sl = os.path.exists(sl_bin) and not args.smoke
    for name, build in workloads:
        if not os.path.isdir(build):
            log(f"skipping {name}: {build} missing")
            continue
        report, files = compressible_files(nps, build)
        wl = {"build": build, "files": len(report["files"]), "compressed_files": len(files),
              "raw_bytes": sum(f["raw"] for f in files),
              "js_css_bytes": sum(f["raw"] for f in report["files"] if f["path"].endswith((".js", ".css"))),
              "rows": {}}
        results.setdefault("check", {})[name] = wl
        sl_config = os.path.join(work, f"size-limit-{name}.json")
        size_limit_config(build, files, sl_config)
        tgz = build + ".tar.gz"
        sib = build + "-sib"
        changed = build + "-changed"
        cache_base = os.path.join(work, "cache", name + "-base")
        has = {"tgz": os.path.exists(tgz), "sib": os.path.isdir(sib), "changed": os.path.isdir(changed)}
        # Prime the cache with the base build only (outside any timing).
        shutil.rmtree(cache_base, ignore_errors=True)
        subprocess.run([nps, "check", build, "--cache", cache_base, "--format", "json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
        if have_sl:
            # Sanity: size-limit measures the same bytes (brotli to the byte;
            # gzip within a few bytes a file, Node frames its stream differently).
            p = subprocess.run(["node", sl_bin, "--config", sl_config, "--json"], cwd=os.path.join(work, "peers"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800)
            sizes = {c["name"]: c.get("size", 0) for c in json.loads(p.stdout or b"[]")}
            if not sizes.get("brotli") or not sizes.get("gzip"):
                raise RuntimeError(f"size-limit measured nothing: {p.stdout[:500]!r} {p.stderr[-500:]!r}")
            wl["totals"] = {"size-limit": sizes, "npsbundle": {"brotli": sum(f["brotli"] for f in files),
                                                              "gzip": sum(f["gzip"] for f in files)}}
        ok = (0, 1)  # 1: over budget is fine here, we time the work
        contestants = [
            ("npsbundle cold (folder)", lambda: run_timed([nps, "check", build, "--no-cache", "--format", "json"], ok)),
        ]
        if has["tgz"]:
            contestants.append(("npsbundle cold (.tar.gz)",
                                lambda: run_timed([nps, "check", tgz, "--no-cache", "--format", "json"], ok)))
        if has["sib"]:
            contestants.append(("npsbundle with .br/.gz siblings",
                                lambda: run_timed([nps, "check", sib, "--no-cache", "--format", "json"], ok)))

        def warm(target):
            scratch = os.path.join(work, "cache", name + "-run")
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(cache_base, scratch)
            return run_timed([nps, "check", target, "--cache", scratch, "--format", "json"], ok)

        contestants.append(("npsbundle warm cache, same build", lambda: warm(build)))
        if has["changed"]:
            contestants.append(("npsbundle warm cache, one page changed", lambda: warm(changed)))
        if have_sl:
            contestants.append(("size-limit (brotli 11 + gzip 9)",
                                lambda: run_timed(["node", sl_bin, "--config", sl_config, "--json"], ok,
                                                  cwd=os.path.join(work, "peers"))))
        do_limit = shutil.which("brotli") is not None
        if do_limit:
            # The reference CLIs run side by side on every core, largest file
            # first: the physical limit under the same load as the others.
            listing = os.path.join(work, f"files-{name}.txt")
            with open(listing, "w") as fh:
                for f in sorted(files, key=lambda f: -f["raw"]):
                    fh.write(os.path.join(build, f["path"]) + "\n")
            script = 'for f; do brotli -q 11 -w 22 -c "$f" >/dev/null; gzip -9 -c "$f" >/dev/null; done'
            contestants.append((f"reference CLIs on {CORES} cores (xargs -P{CORES})",
                                lambda: run_timed(["xargs", "-a", listing, "-d", "\\n", f"-P{CORES}", "-n", "4",
                                                   "sh", "-c", script, "sh"])))
        # The floor of the one-page-changed re-check: the reference CLIs on
        # just the files that changed, which no cache can have seen.
        changed_files = []
        if has["changed"]:
            def digests(folder):
                out = {}
                for dirpath, _, names in os.walk(folder):
                    for n in names:
                        full = os.path.join(dirpath, n)
                        with open(full, "rb") as fh:
                            out[os.path.relpath(full, folder)] = hashlib.sha256(fh.read()).hexdigest()
                return out
            before, after = digests(build), digests(changed)
            wl["changed_files"] = sorted(p for p, d in after.items() if before.get(p) != d)
            scratch = os.path.join(work, "cache", name + "-list")
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(cache_base, scratch)
            _, changed_all = compressible_files(nps, changed, cache=scratch)
            changed_files = [f for f in changed_all if f["path"] in set(wl["changed_files"])]
        samples = {c[0]: [] for c in contestants}
        limits = []
        floors = []
        for run in range(args.runs):
            log(f"check {name}: run {run + 1}/{args.runs} (load {load_avg()})")
            for label, fn in contestants:
                warm_page_cache([p for p in (build, tgz, sib, changed) if os.path.exists(p)])
                if run == 0 and label.startswith("npsbundle warm"):
                    fn()  # warm-up: page cache and binary
                samples[label].append(fn())
            if do_limit and (run < args.limit_runs):
                limits.append(measure_limit(build, files, startup))
                if changed_files:
                    floors.append(measure_limit(changed, changed_files, startup))
        for label, s in samples.items():
            wl["rows"][label] = {
                "wall": stats([x["wall"] for x in s]),
                "rss": stats([x["rss"] for x in s]),
                "cpu": stats([x["cpu"] for x in s]),
            }
        if limits:
            wl["limit"] = {
                "limit": stats([x["limit"] for x in limits]),
                "cpu": stats([x["cpu"] for x in limits]),
                "cpu_uncorrected": stats([x["cpu_uncorrected"] for x in limits]),
                "slowest": stats([x["slowest"] for x in limits]),
                "slowest_path": limits[0]["slowest_path"],
            }
        if floors:
            wl["changed_floor"] = {
                "limit": stats([x["limit"] for x in floors]),
                "cpu": stats([x["cpu"] for x in floors]),
                "files": len(changed_files),
                "slowest_path": floors[0]["slowest_path"],
            }
        results["load_after_check_" + name] = load_avg()


# ---------------------------------------------------------------------------
# serve


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, proc, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                r.read()
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout} s")


def tree_rss_mb(pid):
    """RSS of a process and its descendants (nginx workers), MB."""
    pids = [pid]
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], stdout=subprocess.PIPE, text=True).stdout
        pids += [int(x) for x in out.split()]
    except Exception:
        pass
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024.0


def nginx_conf(work, root, port):
    d = os.path.join(work, "nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    mod = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"
    conf = f"""# Written by bench/lib/bench.py.
{"load_module " + mod + ";" if os.path.exists(mod) else ""}
user root;
worker_processes auto;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000;
  open_file_cache max=10000 inactive=60s;
  open_file_cache_valid 60s;
  gzip_static on;
  gzip_vary on;
  {"brotli_static on;" if os.path.exists(mod) else ""}
  client_body_temp_path {d}/tmp;
  proxy_temp_path {d}/tmp;
  fastcgi_temp_path {d}/tmp;
  uwsgi_temp_path {d}/tmp;
  scgi_temp_path {d}/tmp;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location /assets/ {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
    location / {{ try_files $uri $uri/ /index.html; add_header Cache-Control "no-cache"; }}
  }}
}}
"""
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as fh:
        fh.write(conf)
    return path


def server_commands(args, nps, root, port):
    work = args.work
    pin = ["taskset", "-c", "0"] if args.pin else []
    servers = [("npsbundle serve", pin + [nps, "serve", root, "--host", "127.0.0.1", "--port", str(port), "--quiet", "--precompress=wait"], None)]
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        servers.append(("nginx", pin + ["/usr/sbin/nginx", "-c", nginx_conf(work, root, port)], None))
    sirv = os.path.join(work, "peers", "node_modules", "sirv-cli", "bin.js")
    if os.path.exists(sirv) and not args.smoke:
        servers.append(("sirv-cli", pin + ["node", sirv, root, "-B", "-G", "-e", "-m", "31536000", "-i", "-s", "-q",
                                           "-H", "127.0.0.1", "-p", str(port)], None))
    vite = os.path.join(work, "largeapp", "node_modules", "vite", "bin", "vite.js")
    if os.path.exists(vite) and not args.smoke:
        servers.append(("vite preview", pin + ["node", vite, "preview", "--outDir", root, "--host", "127.0.0.1",
                                               "--port", str(port), "--strictPort"], os.path.join(work, "largeapp")))
    return servers


WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
LAT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def to_ms(value, unit):
    v = float(value)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def run_wrk(url, conns, seconds, encoding, pin):
    cmd = (["taskset", "-c", "1"] if pin else []) + [
        "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s",
        "-H", f"Accept-Encoding: {encoding}", url]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=seconds + 30)
    m = WRK_LINE.search(p.stdout)
    lat = {k: to_ms(v, u) for k, v, u in LAT.findall(p.stdout)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", p.stdout)
    sock_err = re.search(r"Socket errors: (.*)", p.stdout)
    if not m:
        raise RuntimeError(f"wrk failed: {p.stdout[-1000:]}")
    return {"rps": float(m.group(1)), "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "sockerr": sock_err.group(1) if sock_err else ""}


def probe(url, encoding):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(req, timeout=5) as r:
        body = r.read()
        return {"status": r.status, "encoding": r.headers.get("Content-Encoding") or "identity",
                "bytes": len(body), "cache": r.headers.get("Cache-Control") or ""}


def pick_targets(root):
    assets = os.path.join(root, "assets")
    js = [f for f in os.listdir(assets) if f.endswith(".js")]
    sizes = {f: os.path.getsize(os.path.join(assets, f)) for f in js}
    # A small hashed chunk: the one closest to 4 kB raw that has a .br sibling.
    with_br = [f for f in js if os.path.exists(os.path.join(assets, f + ".br"))] or js
    small = min(with_br, key=lambda f: (abs(sizes[f] - 4000), f))
    vendors = [f for f in js if f.startswith("vendor-")] or js
    vendor = max(vendors, key=lambda f: (sizes[f], f))
    return [
        ("(i) small chunk", f"/assets/{small}", "br", sizes[small]),
        ("(ii) largest vendor chunk", f"/assets/{vendor}", "br", sizes[vendor]),
        ("(iii) index.html", "/index.html", "gzip, deflate, br, zstd", os.path.getsize(os.path.join(root, "index.html"))),
    ]


def bench_serve(args, nps, results):
    if not shutil.which("wrk"):
        log("serve: wrk is not installed; skipping")
        return
    root = os.path.join(args.work, "builds", "good-sib" if args.smoke else "large-sib")
    if not os.path.isdir(root):
        log(f"serve: {root} missing; skipping")
        return
    targets = pick_targets(root)
    conns_list = [1, 16, 64] if not args.smoke else [1, 16]
    serve = {"root": root, "pinned": args.pin, "seconds": args.seconds,
             "targets": [{"label": t[0], "path": t[1], "encoding": t[2], "raw": t[3]} for t in targets],
             "servers": {}}
    results["serve"] = serve
    port = free_port()
    names = [s[0] for s in server_commands(args, nps, root, port)]
    samples = {n: {"rss": [], "probe": {}, "cells": {}} for n in names}
    for run in range(args.runs):
        for name, cmd, cwd in server_commands(args, nps, root, port):
            log(f"serve: run {run + 1}/{args.runs} {name} (load {load_avg()})")
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_ready(base + "/index.html", proc)
                for label, path, enc, _ in targets:
                    samples[name]["probe"][label] = probe(base + path, enc)
                    run_wrk(base + path, 16, 1, enc, args.pin)  # warm-up
                    for conns in conns_list:
                        r = run_wrk(base + path, conns, args.seconds, enc, args.pin)
                        samples[name]["cells"].setdefault(f"{label}|{conns}", []).append(r)
                samples[name]["rss"].append(tree_rss_mb(proc.pid))
            finally:
                try:
                    os.killpg(proc.pid, 15)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.wait()
                time.sleep(0.3)
    for name, s in samples.items():
        cells = {}
        for key, runs in s["cells"].items():
            cells[key] = {"rps": stats([r["rps"] for r in runs]), "p50": stats([r["p50"] for r in runs]),
                          "p99": stats([r["p99"] for r in runs]),
                          "non2xx": sum(r["non2xx"] for r in runs),
                          "sockerr": "; ".join(sorted({r["sockerr"] for r in runs if r["sockerr"]}))}
        serve["servers"][name] = {"rss": stats(s["rss"]), "probe": s["probe"], "cells": cells}
    serve["conns"] = conns_list
    results["load_after_serve"] = load_avg()


# ---------------------------------------------------------------------------
# Report


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def write_report(args, results, path):
    L = []
    L.append("# npsbundle benchmark results")
    L.append("")
    L.append(f"Written by `bench/run` on {results['date']}. Every figure is the median over the runs, "
             "with min–max in brackets; contestants are interleaved run by run so that load from other work "
             "on the machine falls on all of them.")
    L.append("")
    L.append(f"- Machine: {CORES} cores, {results['cpu']}, {results['mem_gb']:.0f} GB RAM, {results['os']}")
    L.append(f"- Load average (1/5/15 min) at start: {results['load_start']}; "
             + "; ".join(f"{k.replace('load_after_', 'after ')}: {v}" for k, v in results.items()
                         if k.startswith("load_after_")))
    L.append(f"- Runs: {results.get('runs', args.runs)}{' (smoke mode)' if args.smoke else ''}; {results.get('nps_version', '')}"
             f" ({results.get('nps_commit', '')}); peers: {results.get('peers', '')}")
    parts = results.get("parts", {})
    if len(set(parts.values())) > 1:
        L.append("- Parts measured at different times: " + "; ".join(f"{k} on {v}" for k, v in parts.items()))
    L.append("")
    header_len = len(L)
    targets = []
    check = results.get("check", {})
    for name, wl in check.items():
        rows = wl["rows"]
        L.append(f"## check: `{name}` build")
        L.append("")
        L.append(f"{wl['files']} files, {wl['compressed_files']} compressed by every contestant "
                 f"({wl['raw_bytes'] / 1e6:.2f} MB); JS + CSS {wl['js_css_bytes'] / 1e6:.2f} MB."
                 + (f" The one-page-changed build differs in {len(wl['changed_files'])} files: "
                    + ", ".join(f"`{p}`" for p in wl["changed_files"]) + "." if "changed_files" in wl else ""))
        L.append("")
        if "totals" in wl:
            t = wl["totals"]
            L.append(f"Totals over those files: brotli {t['npsbundle']['brotli']:,} B (npsbundle) vs "
                     f"{t['size-limit']['brotli']:,} B (size-limit); gzip {t['npsbundle']['gzip']:,} B vs "
                     f"{t['size-limit']['gzip']:,} B.")
            L.append("")
        lim = wl.get("limit")
        sl = rows.get("size-limit (brotli 11 + gzip 9)")
        L.append("| contestant | wall | CPU (user+sys) | peak RSS | × T_limit | size-limit ÷ this |")
        L.append("| --- | --- | --- | --- | --- | --- |")
        for label, r in rows.items():
            xl = ratio(r["wall"], lim["limit"]) if lim else None
            xs = ratio(sl["wall"], r["wall"]) if sl else None
            L.append(f"| {label} | {fmt(r['wall'])} | {fmt(r['cpu'])} | {fmt(r['rss'], 'MB', 0)} | "
                     f"{'%.2f' % xl if xl else '–'} | {'%.1f×' % xs if xs else '–'} |")
        if lim:
            L.append(f"| **T_limit** (reference CLIs) | {fmt(lim['limit'])} | {fmt(lim['cpu'])} | – | 1.00 | "
                     f"{'%.1f×' % ratio(sl['wall'], lim['limit']) if sl else '–'} |")
            floor = wl.get("changed_floor")
            if floor:
                L.append(f"| **floor of the one-page-changed re-check** (reference CLIs on its {floor['files']} "
                         f"changed compressed files) | {fmt(floor['limit'])} | {fmt(floor['cpu'])} | – | "
                         f"{'%.2f' % ratio(floor['limit'], lim['limit'])} | "
                         f"{'%.1f×' % ratio(sl['wall'], floor['limit']) if sl else '–'} |")
            L.append("")
            L.append(f"T_limit = max(slowest file {fmt(lim['slowest'])} [`{lim['slowest_path']}`], "
                     f"total CPU {fmt(lim['cpu'])} / {CORES} cores). Brotli: `brotli -q 11 -w 22 -c` per file, "
                     f"child CPU time minus its start-up ({results['brotli_cli_startup_cpu'] * 1000:.2f} ms a call; "
                     f"uncorrected total {fmt(lim['cpu_uncorrected'])}); gzip: `zlib.compressobj(9, DEFLATED, 31)`.")
        L.append("")
        cold = rows.get("npsbundle cold (folder)")
        if name == "large" or args.smoke:
            if lim and cold:
                x = ratio(cold["wall"], lim["limit"])
                targets.append((f"cold check of `{name}` ≤ 1.10 × T_limit", f"{x:.2f} × T_limit", x <= 1.10))
                eff = lim["cpu"]["median"] / (cold["wall"]["median"] * CORES)
                targets.append((f"(parallel efficiency of the cold check under this load, `{name}`: reference CPU ÷ (wall × cores))",
                                f"{eff * 100:.0f} %", None))
                ref = rows.get(f"reference CLIs on {CORES} cores (xargs -P{CORES})")
                if ref:
                    x = ratio(cold["wall"], ref["wall"])
                    targets.append((f"(cold check ÷ the reference CLIs run on {CORES} cores under the same load, `{name}`)",
                                    f"{x:.2f}×", None))
                x = max(cold["cpu"]["median"] / CORES, lim["slowest"]["median"]) / lim["limit"]["median"]
                targets.append((f"(cold check projected to an idle machine: max(its CPU ÷ {CORES} cores, slowest file), `{name}`)",
                                f"{x:.2f} × T_limit", None))
            if cold:
                targets.append((f"peak RSS of cold check of `{name}` ≤ 200 MB", fmt(cold["rss"], "MB", 0),
                                cold["rss"]["median"] <= 200))
            sib = rows.get("npsbundle with .br/.gz siblings")
            if sib and sl:
                x = ratio(sl["wall"], sib["wall"])
                targets.append((f"with siblings ≥ 50 × faster than size-limit (`{name}`)", f"{x:.0f}×", x >= 50))
            wc = rows.get("npsbundle warm cache, one page changed")
            if wc and sl:
                x = ratio(sl["wall"], wc["wall"])
                targets.append((f"warm re-check, one page changed, ≥ 50 × faster than size-limit (`{name}`)",
                                f"{x:.0f}×", x >= 50))
                floor = wl.get("changed_floor")
                if floor:
                    targets.append((f"(the most any re-check can be ahead: size-limit ÷ the floor of compressing "
                                    f"the {floor['files']} changed files, slowest `{floor['slowest_path']}`, `{name}`)",
                                    f"{ratio(sl['wall'], floor['limit']):.0f}×", None))
                    targets.append((f"(warm re-check, one page changed ÷ that floor, `{name}`)",
                                    f"{ratio(wc['wall'], floor['limit']):.2f}×", None))
            tgz = rows.get("npsbundle cold (.tar.gz)")
            if tgz and cold:
                x = ratio(tgz["wall"], cold["wall"])
                targets.append((f".tar.gz ≤ 1.10 × folder (`{name}`, cold, wall)", f"{x:.3f}×", x <= 1.10))
                x = ratio(tgz["cpu"], cold["cpu"])
                targets.append((f"(.tar.gz ÷ folder, CPU time: less sensitive to the load, `{name}`)", f"{x:.3f}×", None))
        if sl and cold:
            targets.append((f"(cold check vs size-limit, `{name}`)", f"{ratio(sl['wall'], cold['wall']):.2f}× faster", None))
    serve = results.get("serve")
    if serve:
        L.append("## serve")
        L.append("")
        L.append(f"Build `{os.path.relpath(serve['root'], args.work)}` (with .br/.gz siblings). wrk 4.1, one thread, "
                 f"keep-alive, {serve['seconds']} s a cell after a 1 s warm-up, loopback only. "
                 + ("Server pinned to core 0 and wrk to core 1 with `taskset` (one core each); nginx runs "
                    "`worker_processes auto` = 2 workers on that one core."
                    if serve["pinned"] else "Not pinned: server and wrk share both cores."))
        L.append("")
        L.append("Targets: " + "; ".join(f"{t['label']} `{t['path']}` ({t['raw'] / 1000:.1f} kB raw, "
                                         f"Accept-Encoding `{t['encoding']}`)" for t in serve["targets"]))
        L.append("")
        L.append("What each server sent (one probe):")
        L.append("")
        L.append("| server | " + " | ".join(t["label"] for t in serve["targets"]) + " | RSS after the runs |")
        L.append("| --- |" + " --- |" * (len(serve["targets"]) + 1))
        for name, s in serve["servers"].items():
            cells = []
            for t in serve["targets"]:
                p = s["probe"].get(t["label"], {})
                cells.append(f"{p.get('status')} {p.get('encoding')} {p.get('bytes')} B")
            L.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(s['rss'], 'MB', 1)} |")
        L.append("")
        nginx = serve["servers"].get("nginx")
        nps = serve["servers"].get("npsbundle serve")
        for t in serve["targets"]:
            L.append(f"### {t['label']}")
            L.append("")
            L.append("| server | conns | req/s | p50 | p99 | npsbundle ÷ this (req/s) | errors |")
            L.append("| --- | --- | --- | --- | --- | --- | --- |")
            for conns in serve["conns"]:
                key = f"{t['label']}|{conns}"
                for name, s in serve["servers"].items():
                    c = s["cells"].get(key)
                    if not c:
                        continue
                    x = ratio(nps["cells"][key]["rps"], c["rps"]) if nps else None
                    err = (f"{c['non2xx']} non-2xx " if c["non2xx"] else "") + c["sockerr"]
                    L.append(f"| {name} | {conns} | {fmt(c['rps'], '', 0)} | {fmt(c['p50'], 'ms')} | "
                             f"{fmt(c['p99'], 'ms')} | {'%.2f×' % x if x else '–'} | {err or '–'} |")
            L.append("")
        if nps:
            for t in serve["targets"]:
                key16 = f"{t['label']}|16"
                key64 = f"{t['label']}|64"
                if nginx and key16 in nginx["cells"]:
                    x = ratio(nps["cells"][key16]["rps"], nginx["cells"][key16]["rps"])
                    must = not t["label"].startswith("(ii)")
                    targets.append((f"serve {t['label']}, 16 conns: ≥ 1.0 × nginx req/s" + ("" if must else " (not a target)"),
                                    f"{x:.2f}×", (x >= 1.0) if must else None))
                for peer in ("sirv-cli", "vite preview"):
                    p = serve["servers"].get(peer)
                    if p and key16 in p["cells"]:
                        x = ratio(nps["cells"][key16]["rps"], p["cells"][key16]["rps"])
                        targets.append((f"serve {t['label']}, 16 conns: ≥ 3 × {peer} req/s", f"{x:.2f}×", x >= 3))
                if nginx and key64 in nginx["cells"] and nps["cells"].get(key64):
                    a, b = nps["cells"][key64]["p99"], nginx["cells"][key64]["p99"]
                    x = ratio(a, b)
                    targets.append((f"serve {t['label']}, 64 conns: p99 ≤ 1.5 × nginx's",
                                    f"{a['median']:.2f} ms vs {b['median']:.2f} ms = {x:.2f}×", x <= 1.5))
    summary = ["## Targets (issue 5)", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    for label, value, ok in targets:
        summary.append(f"| {label} | {value} | {'–' if ok is None else verdict(ok)} |")
    summary.append("")
    L[header_len:header_len] = summary
    # The start-up section is bench/lib/startup.py's (`--part startup`): kept as it was.
    if os.path.exists(path):
        old = open(path).read()
        begin, end = "<!-- startup:begin -->", "<!-- startup:end -->"
        if begin in old and end in old:
            L.append(old[old.index(begin):old.index(end) + len(end)])
            L.append("")
    if args.notes and os.path.exists(args.notes):
        with open(args.notes) as fh:
            L.append(fh.read().rstrip())
        L.append("")
    # The sections of bench/proxy, bench/h2 and bench/measure-h2 stay at the end of the report.
    for section in ("PROXY.md", "H2.md", "MEASURE-H2.md"):
        notes = os.path.join(os.path.dirname(os.path.abspath(path)), section)
        if os.path.exists(notes):
            with open(notes) as fh:
                L.append(fh.read().rstrip())
            L.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
    results["targets"] = [{"target": a, "measured": b, "met": c} for a, b, c in targets]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nps", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--part", default="all", choices=["check", "serve", "all"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit-runs", type=int, default=2, help="runs that also measure T_limit")
    ap.add_argument("--seconds", type=int, default=5, help="wrk duration per cell")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--out", required=True, help="RESULTS.md to write")
    ap.add_argument("--notes", help="markdown appended to the report (analysis)")
    ap.add_argument("--meta", default="{}", help="JSON with versions")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from work/results.json")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    if args.pin and not shutil.which("taskset"):
        args.pin = False
    if CORES < 2:
        args.pin = False
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "cpu": cpu_model(), "mem_gb": mem_kb / 1024 / 1024,
               "os": " ".join(platform.freedesktop_os_release().get("PRETTY_NAME", "").split())
               if hasattr(platform, "freedesktop_os_release") else platform.platform(),
               "load_start": load_avg()}
    results.update(json.loads(args.meta))
    results["runs"] = args.runs
    if args.report_only:
        with open(os.path.join(args.work, "results.json")) as fh:
            results = json.load(fh)
        write_report(args, results, args.out)
        log(f"wrote {args.out} from {args.work}/results.json")
        return
    results["parts"] = {}
    saved = os.path.join(args.work, "results.json")
    if args.part != "all" and not args.smoke and os.path.exists(saved):
        # One part rerun: keep the other part's figures from the last run.
        with open(saved) as fh:
            old = json.load(fh)
        other = "serve" if args.part == "check" else "check"
        for k, v in old.items():
            if k == other or k.startswith("load_after_" + other) or (other == "check" and k == "brotli_cli_startup_cpu"):
                results[k] = v
        results["parts"][other] = old.get("parts", {}).get(other, old["date"])
    for part in ("check", "serve"):
        if args.part in (part, "all"):
            results["parts"][part] = results["date"]
    if args.part in ("check", "all"):
        bench_check(args, args.nps, results)
    if args.part in ("serve", "all"):
        bench_serve(args, args.nps, results)
    write_report(args, results, args.out)
    # The smoke test never overwrites the figures of a full run.
    with open(os.path.join(args.work, "results-smoke.json" if args.smoke else "results.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    log(f"wrote {args.out}")
    for t in results["targets"]:
        log(f"  {t['target']}: {t['measured']}" + ("" if t["met"] is None else f" -> {'met' if t['met'] else 'NOT met'}"))


if __name__ == "__main__":
    main()
