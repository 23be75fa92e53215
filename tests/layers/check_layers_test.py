#!/usr/bin/env python3
"""The layer check must fail on what it exists to catch: an upward include
and a link its DEPENDS do not declare, planted in a copy of src/."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', '..', 'src')
CHECK = os.path.join(HERE, 'check_layers.py')


def run(src):
    done = subprocess.run([sys.executable, CHECK, src], capture_output=True, text=True)
    return done.returncode, done.stdout


def planted(edit):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'src')
        shutil.copytree(SRC, copy)
        edit(copy)
        return run(copy)


def append(path, text):
    with open(path, 'a') as f:
        f.write(text)


def main():
    cases = [
        ('clean tree passes', lambda src: None, 0, 'stays within'),
        ('upward include fails',
         lambda src: append(os.path.join(src, 'core', 'escape.cc'), '#include "serve/serve.h"\n'),
         1, 'core/escape.cc: #include "serve/serve.h": upward include from core into serve'),
        ('sideways include fails',
         lambda src: append(os.path.join(src, 'deploy', 'nginx.cc'), '#include "http/message.h"\n'),
         1, 'undeclared include from deploy into http'),
        ('undeclared link fails',
         lambda src: append(os.path.join(src, 'CMakeLists.txt'),
                            'target_link_libraries(npsbundle_policy PUBLIC npsbundle_serve)\n'),
         1, 'npsbundle_policy links npsbundle_serve, which its DEPENDS do not declare'),
        ('dependency on a later layer fails',
         lambda src: append(os.path.join(src, 'CMakeLists.txt'), 'npsbundle_layer(extra DEPENDS cli zzz)\n'),
         1, 'layer extra depends on zzz, which is not declared before it'),
        ('undeclared folder fails',
         lambda src: os.makedirs(os.path.join(src, 'stray')), 1, 'no declared layer'),
    ]
    passed = failed = 0
    for name, edit, want_code, want_text in cases:
        code, out = planted(edit)
        if code == want_code and want_text in out:
            passed += 1
        else:
            failed += 1
            print(f'FAIL {name}: exit {code}, output:\n{out}')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
