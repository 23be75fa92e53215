"""Checks `measure --format json` against the estimate and `check`'s sizes.

usage: check.py CHECK_JSON MEASURE_JSON
The tolerance is the one the README states: on fast-3g the measured initial
load (load event and arrival of the initial set) is within 0.5-2x of the
estimate. Three runs, so the median shrugs off one stalled run on a busy
machine. Bytes must match exactly: Chromium asks 127.0.0.1 for brotli, and
the server sends the bytes `check` measures.
"""
import json
import sys

LOW, HIGH = 0.5, 2.0

check = json.load(open(sys.argv[1]))
measure = json.load(open(sys.argv[2]))
failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)


groups = {(m["kind"], m["key"]): m for m in measure["measurements"]}
expect(measure["runs"] == 3, "3 runs")
expect(measure["profile"]["name"] == "fast-3g", "profile fast-3g")

brotli = {g["key"]: g["total"]["brotli"] for g in check["entries"] + check["lazyPages"]}
for kind, key in [("initialLoad", "index.html"), ("pageTransition", "src/pages/Oracle.tsx")]:
    m = groups.get((kind, key))
    if m is None:
        failures.append(f"no {kind} measurement of {key}")
        continue
    expect(m["encodings"] == ["br"], f"{key}: encodings {m['encodings']}, expected br")
    expect(len(m["bytes"]["samples"]) == 3, f"{key}: 3 samples")
    for sample in m["bytes"]["samples"]:
        expect(sample == brotli[key], f"{key}: {sample} bytes transferred, check says {brotli[key]} brotli")
    expect(m["expectedBytes"] == brotli[key], f"{key}: expectedBytes {m['expectedBytes']} != {brotli[key]}")
    expect(m["estimate"]["bytes"] == brotli[key], f"{key}: the estimate assumed {m['estimate']['bytes']} bytes")

initial = groups.get(("initialLoad", "index.html"))
if initial:
    estimate = initial["estimate"]["ms"]
    for field in ("arrivedMs", "loadEventMs"):
        p50 = initial[field]["p50"]
        ratio = p50 / estimate
        print(f"initial load {field} p50 {p50:.0f} ms, estimate {estimate:.0f} ms, ratio {ratio:.2f}")
        expect(LOW <= ratio <= HIGH, f"initial load {field} p50 {p50:.0f} ms is not within {LOW}-{HIGH}x of "
               f"the estimate {estimate:.0f} ms")
oracle = groups.get(("pageTransition", "src/pages/Oracle.tsx"))
if oracle:
    print(f"Oracle arrivedMs p50 {oracle['arrivedMs']['p50']:.0f} ms, estimate {oracle['estimate']['ms']:.0f} ms")
    expect(oracle["loadEventMs"] is None, "a transition has no load event")
    expect(oracle["arrivedMs"]["p50"] > 0, "the transition took time")

for f in failures:
    print(f"FAIL: {f}", file=sys.stderr)
sys.exit(1 if failures else 0)
