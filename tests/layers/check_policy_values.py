#!/usr/bin/env python3
"""Each value of the serving policy is written once, in src/policy/: no
other source file of src/ may spell a cache header, a security header, an
error body or a content type."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
# Values as they would appear in code; comments that mention a value in
# prose ("text/javascript; charset=utf-8" as an example) are exempt.
VALUES = ['max-age=', '"no-cache"', 'nosniff', 'not found\\n', 'method not allowed',
          'text/javascript', 'text/css', 'image/svg+xml', 'application/octet-stream',
          'charset=utf-8', 'X-Content-Type-Options']


def code_of(line):
    return line.split('//', 1)[0]


def main(src=os.path.join(ROOT, 'src')):
    found = []
    for folder, _, files in os.walk(src):
        if os.path.relpath(folder, src).split(os.sep)[0] == 'policy':
            continue
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as f:
                for number, line in enumerate(f, 1):
                    for value in VALUES:
                        if value in code_of(line):
                            found.append(f'{os.path.relpath(path, ROOT)}:{number}: {value} '
                                         'is the serving policy\'s: ask src/policy/')
    for line in found:
        print(line)
    if not found:
        print(f'policy values: none of {len(VALUES)} values is stated outside src/policy/')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
