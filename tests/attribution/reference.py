#!/usr/bin/env python3
"""Reference attribution for tests: an independent, slow implementation.

usage: reference.py BUILD_DIR
Prints JSON {"assets/x.js": {"packages": {install_path_or_folder: raw_bytes},
"unmapped": n}, ...} for every x.js that has an x.js.map.
Every byte of the chunk goes to the source of the mapping segment at or before
it on its line (the line's '\n' included); bytes before a line's first
segment, under 1-field segments and on lines without segments are unmapped.
Columns are UTF-16 code units. Sources are grouped by the innermost
node_modules package (keyed by install path) or, for app files, their folder
relative to the project root (the folder holding the outermost node_modules,
the shortest one seen in the build).
"""
import json
import os
import posixpath
import sys

B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def segments(mappings):
    line, state = 0, [0, 0, 0, 0, 0]
    for line_text in mappings.split(";"):
        state[0] = 0
        for seg in filter(None, line_text.split(",")):
            values, value, shift = [], 0, 0
            for ch in seg:
                d = B64[ch]
                value += (d & 31) << shift
                shift += 5
                if not d & 32:
                    values.append(-(value >> 1) if value & 1 else value >> 1)
                    value, shift = 0, 0
            for i, v in enumerate(values):
                state[i] += v
            yield line, state[0], (state[1] if len(values) >= 4 else None)
        line += 1


def parts_of(source, map_dir):
    path = posixpath.normpath(posixpath.join(map_dir, source)).lstrip("/")
    return [p for p in path.split("/") if p not in ("..", ".", "")]


def group_of(parts, root):
    nm = [i for i, p in enumerate(parts) if p == "node_modules" and i + 1 < len(parts) and parts[i + 1] != ".pnpm"]
    if nm:
        first = parts.index("node_modules")
        last = nm[-1]
        end = last + 3 if parts[last + 1].startswith("@") else last + 2
        return "/".join(parts[first:end])
    folder = parts[:-1]
    if root and folder[: len(root)] == root:
        folder = folder[len(root):]
    return "/".join(folder) or "(root)"


def attribute(code, m, map_dir, root):
    by_line = {}
    for line, col, src in segments(m["mappings"]):
        by_line.setdefault(line, []).append((col, src))
    totals, unmapped = {}, 0
    lines = code.split(b"\n")
    for n, raw in enumerate(lines):
        length = len(raw) + (1 if n < len(lines) - 1 else 0)
        text = raw.decode("utf-8")
        # byte offset of each UTF-16 column
        offsets, units, byte = {0: 0}, 0, 0
        for ch in text:
            units += 2 if ord(ch) > 0xFFFF else 1
            byte += len(ch.encode("utf-8"))
            offsets[units] = byte
        owner, at = None, 0
        for col, src in by_line.get(n, []):
            if col >= units:
                b = length  # at or past the end of the text: covers nothing
            else:
                b = offsets.get(col)
                if b is None:  # inside a surrogate pair
                    b = max(v for k, v in offsets.items() if k <= col)
            if b > at:
                if owner is None:
                    unmapped += b - at
                else:
                    totals[owner] = totals.get(owner, 0) + b - at
                at = b
            owner = None if src is None else group_of(parts_of(m["sources"][src], map_dir), root)
        if owner is None:
            unmapped += length - at
        else:
            totals[owner] = totals.get(owner, 0) + length - at
    return {"packages": totals, "unmapped": unmapped}


def main():
    build = sys.argv[1]
    chunks = {}
    for dirpath, _, names in os.walk(build):
        for name in names:
            if name.endswith(".js") and name + ".map" in names:
                path = os.path.relpath(os.path.join(dirpath, name), build)
                with open(os.path.join(dirpath, name), "rb") as f:
                    code = f.read()
                with open(os.path.join(dirpath, name + ".map")) as f:
                    chunks[path] = (code, json.load(f))
    root = None
    for path, (_, m) in chunks.items():
        for source in m["sources"]:
            parts = parts_of(source, posixpath.dirname(path))
            if "node_modules" in parts:
                candidate = parts[: parts.index("node_modules")]
                if root is None or len(candidate) < len(root):
                    root = candidate
    out = {path: attribute(code, m, posixpath.dirname(path), root) for path, (code, m) in sorted(chunks.items())}
    print(json.dumps(out, indent=1, sort_keys=True))


main()
