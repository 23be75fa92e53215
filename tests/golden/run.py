#!/usr/bin/env python3
"""The golden harness: runs every case of cases.txt and compares its stdout
and exit code byte for byte with out/NAME and out/NAME.exit.

usage: run.py BINARY [--update] [NAME ...]
  --update  rewrite the golden files from this binary (scripts/update-golden)

Outputs are made stable before comparing: NO_COLOR, paths relative to the
source root, a cache folder of the tests' own (XDG_CACHE_HOME, else empty), and placeholders for the
tool version, the size cache's hit counts and the HTML report's embedded
data (the JSON cases hold that data already).
"""
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
OUT = os.path.join(HERE, 'out')


def cases():
    with open(os.path.join(HERE, 'cases.txt')) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                name, args = line.split(None, 1)
                yield name, shlex.split(args)


def normalise(text):
    text = re.sub(r'(<script type="application/json" id="npsbundle-data">).*?(</script>)',
                  r'\1DATA\2', text, flags=re.S)
    text = re.sub(r'(npsbundle )\d+\.\d+\.\d+', r'\1VERSION', text)
    # Hits and misses depend on what earlier cases left in the cache.
    text = re.sub(r'"cache": \{"hits": \d+, "misses": \d+\}', '"cache": {"hits": N, "misses": N}', text)
    text = re.sub(r'size cache: \d+ of (\d+)', r'size cache: N of \1', text)
    return text


def run(binary, args, cache):
    env = dict(os.environ, NO_COLOR='1', XDG_CACHE_HOME=cache, LC_ALL='C')
    env.pop('GITHUB_ACTIONS', None)
    done = subprocess.run([binary] + args, cwd=ROOT, env=env, capture_output=True, timeout=120)
    return normalise(done.stdout.decode('utf-8', 'replace')), done.returncode, done.stderr.decode()


def main(argv):
    if not argv or argv[0].startswith('-'):
        print(__doc__.strip().splitlines()[2])
        return 2
    binary = os.path.abspath(argv[0])
    update = '--update' in argv
    only = [a for a in argv[1:] if not a.startswith('--')]
    os.makedirs(OUT, exist_ok=True)
    passed = failed = 0
    # ctest passes the build's test cache, so a rerun needs no compression.
    with tempfile.TemporaryDirectory() as scratch:
        cache = os.environ.get('XDG_CACHE_HOME') or scratch
        for name, args in cases():
            if only and name not in only:
                continue
            stdout, code, stderr = run(binary, args, cache)
            golden = os.path.join(OUT, name)
            if update:
                for path, content in ((golden, stdout), (golden + '.exit', f'{code}\n')):
                    tmp = path + '.tmp'
                    with open(tmp, 'w') as f:
                        f.write(content)
                    os.replace(tmp, path)
                passed += 1
                continue
            try:
                with open(golden) as f:
                    want = f.read()
                with open(golden + '.exit') as f:
                    want_code = int(f.read())
            except FileNotFoundError:
                print(f'FAIL {name}: no golden file (run scripts/update-golden)')
                failed += 1
                continue
            if stdout == want and code == want_code:
                passed += 1
                continue
            failed += 1
            print(f'FAIL {name}: npsbundle {shlex.join(args)}')
            if code != want_code:
                print(f'  exit {code}, golden {want_code}; stderr: {stderr.strip()[:300]}')
            diff = list(difflib.unified_diff(want.splitlines(), stdout.splitlines(),
                                             'golden', 'actual', lineterm='', n=1))
            print('\n'.join('  ' + line for line in diff[:40]))
    print(f'golden: {passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
