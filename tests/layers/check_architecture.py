#!/usr/bin/env python3
"""ARCHITECTURE.md stays true: every folder or file it names in backticks
exists, and every layer folder of src/ has a row in its table."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def main():
    with open(os.path.join(ROOT, 'ARCHITECTURE.md')) as f:
        text = f.read()
    problems = []
    named = set(re.findall(r'`((?:src|tests|budgets)/[^`\s]*)`', text))
    for path in sorted(named):
        if '<' in path:
            continue  # a pattern such as tests/<layer>/
        base = re.sub(r'\.\{[^}]*\}$', '.h', path)  # "budget/budget.{h,cc}"
        if not os.path.exists(os.path.join(ROOT, base)):
            problems.append(f'ARCHITECTURE.md: names `{path}`, which does not exist')
    # Short module names ("budget/check.cc", "policy/serving") under src/.
    for module in sorted(set(re.findall(r'`([a-z]+/[a-z_]+)(?:\.[a-z{},]+)?`', text))):
        folder, name = module.split('/')
        if folder in ('src', 'tests', 'budgets'):
            continue
        candidates = [os.path.join(ROOT, 'src', folder, name + ext) for ext in ('.h', '.cc')]
        if not any(os.path.exists(c) for c in candidates):
            problems.append(f'ARCHITECTURE.md: names `{module}`, which src/ does not have')
    for entry in sorted(os.listdir(os.path.join(ROOT, 'src'))):
        if os.path.isdir(os.path.join(ROOT, 'src', entry)) and f'`src/{entry}/`' not in text:
            problems.append(f'ARCHITECTURE.md: no row for the layer src/{entry}/')
    for line in problems:
        print(line)
    if not problems:
        print(f'architecture: {len(named)} paths named, all exist; every layer has a row')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
