#!/usr/bin/env python3
"""Renderers are pure functions of the result model: no file in src/report/
may include a file-system header or call a file function. Whether the input
is a folder, where a report is written and so on are decided by the caller
(src/cli/) and passed in.

Usage: check_pure_renderers.py [FOLDER]   (default: src/report)
       check_pure_renderers.py --self-test (plants each kind of violation)"""
import os
import re
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
HEADERS = ['filesystem', 'fstream', 'unistd.h', 'fcntl.h', 'sys/stat.h', 'dirent.h']
# <cstdio> itself is fine (snprintf); its file functions are not.
CALLS = re.compile(r'\b(fopen|freopen|fdopen|fclose|fwrite|fread|fputs|fgets|fprintf|fflush|tmpfile|'
                   r'remove|rename|opendir|ifstream|ofstream|fstream|is_directory|is_regular_file|'
                   r'exists|file_size|directory_iterator|filesystem)\b')
INCLUDE = re.compile(r'#\s*include\s*<([^>]+)>')


def code_of(line):
    return line.split('//', 1)[0]


def problems(folder):
    found = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(('.cc', '.h')):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                code = code_of(line)
                include = INCLUDE.search(code)
                if include and include.group(1) in HEADERS:
                    found.append(f'{os.path.relpath(path, ROOT)}:{number}: includes <{include.group(1)}>')
                    continue
                # String literals may say anything ("exists" in a message).
                call = CALLS.search(re.sub(r'"(\\.|[^"\\])*"', '""', code))
                if call:
                    found.append(f'{os.path.relpath(path, ROOT)}:{number}: calls {call.group(1)}')
    return found


def self_test():
    plants = {
        'includes_filesystem.cc': '#include <filesystem>\n',
        'includes_fstream.h': '#include <fstream>\n',
        'calls_fopen.cc': '#include <cstdio>\nvoid F() { FILE* f = fopen("x", "w"); }\n',
        'asks_is_directory.cc': 'bool F(const std::string& p) { return std::filesystem::is_directory(p); }\n',
    }
    clean = '#include <cstdio>\n// fopen in a comment\nvoid F(char* b) { snprintf(b, 4, "%s", "exists"); }\n'
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, 'clean.cc'), 'w') as f:
            f.write(clean)
        if problems(folder):
            print('self-test: a clean renderer was flagged:', problems(folder))
            failures += 1
        for name, text in plants.items():
            with open(os.path.join(folder, name), 'w') as f:
                f.write(text)
            caught = [p for p in problems(folder) if name in p]
            if not caught:
                print(f'self-test: {name} was not caught')
                failures += 1
            os.remove(os.path.join(folder, name))
    print(f'self-test: {len(plants) - failures} of {len(plants)} planted violations caught' if not failures
          else 'self-test: FAILED')
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    folder = argv[1] if len(argv) > 1 else os.path.join(ROOT, 'src', 'report')
    found = problems(folder)
    for line in found:
        print(line)
    if not found:
        print(f'pure renderers: no file of {os.path.relpath(folder, ROOT)} touches the file system')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
