#!/usr/bin/env python3
"""Fails when src/ breaks its declared layering.

src/CMakeLists.txt declares each layer once, in order:
    npsbundle_layer(NAME DEPENDS a b ...)
A layer may depend only on layers declared before it. Every quoted #include
"X/..." in src/NAME/ must name NAME itself or one of its DEPENDS, and any
other target_link_libraries(npsbundle_NAME ...) may link only those too.

usage: check_layers.py [SRC_DIR]   (default: the src/ beside tests/)
Prints one line per violation and exits 1; prints a summary and exits 0.
"""
import os
import re
import sys

LAYER_CALL = re.compile(r'npsbundle_layer\(\s*(\w+)([^)]*)\)', re.S)
LINK_CALL = re.compile(r'target_link_libraries\(\s*npsbundle_(\w+)([^)]*)\)', re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def declared_layers(cmake_text):
    """[(name, [deps])] in declaration order."""
    layers = []
    for name, args in LAYER_CALL.findall(cmake_text):
        words = args.split()
        deps = []
        if 'DEPENDS' in words:
            for word in words[words.index('DEPENDS') + 1:]:
                if word.isupper():
                    break
                deps.append(word)
        layers.append((name, deps))
    return layers


def violations(src):
    cmake_path = os.path.join(src, 'CMakeLists.txt')
    with open(cmake_path) as f:
        cmake = f.read()
    layers = declared_layers(cmake)
    order = [name for name, _ in layers]
    allowed = {name: set(deps) for name, deps in layers}
    found = []
    for index, (name, deps) in enumerate(layers):
        for dep in deps:
            if dep not in order[:index]:
                found.append(f'{cmake_path}: layer {name} depends on {dep}, '
                             'which is not declared before it')
    # Links other than the ones npsbundle_layer makes from DEPENDS.
    for name, args in LINK_CALL.findall(cmake):
        for target in re.findall(r'npsbundle_(\w+)', args):
            if name in allowed and target not in allowed[name]:
                found.append(f'{cmake_path}: npsbundle_{name} links npsbundle_{target}, '
                             'which its DEPENDS do not declare')
    for entry in sorted(os.listdir(src)):
        folder = os.path.join(src, entry)
        if not os.path.isdir(folder):
            continue
        if entry not in allowed:
            found.append(f'{folder}: a folder of src/ that is no declared layer')
            continue
        for file in sorted(os.listdir(folder)):
            if not file.endswith(('.h', '.cc', '.in')):
                continue
            path = os.path.join(folder, file)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            for included in INCLUDE.findall(text):
                layer = included.split('/', 1)[0] if '/' in included else None
                if layer is None:
                    found.append(f'{path}: #include "{included}" names no layer folder')
                elif layer != entry and layer not in allowed[entry]:
                    direction = 'upward' if layer in order and order.index(layer) > order.index(entry) \
                        else 'undeclared'
                    found.append(f'{path}: #include "{included}": {direction} include from '
                                 f'{entry} into {layer}')
    return found, order


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'src')
    found, order = violations(src)
    for line in found:
        print(line)
    if found:
        print(f'layers: {len(found)} violation(s)')
        return 1
    print('layers: ' + ' < '.join(order) + ': every include and link stays within its DEPENDS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
