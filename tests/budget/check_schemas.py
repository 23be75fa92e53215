#!/usr/bin/env python3
"""Validates the presets and example files against the JSON Schemas
(budgets/budget.schema.json, schema/config.schema.json), and that the
schemas reject what npsbundle rejects. Exit 77 (skipped) without the
jsonschema module (Debian: python3-jsonschema).

usage: check_schemas.py SOURCE_ROOT
"""
import json
import os
import sys
import warnings

warnings.filterwarnings('ignore', category=DeprecationWarning)  # RefResolver: newer jsonschema prefers referencing

try:
    import jsonschema
except ImportError:
    print('jsonschema not installed: skipped')
    sys.exit(77)


def load(path):
    with open(path) as f:
        return json.load(f)


def validator(root, relative):
    path = os.path.join(root, relative)
    schema = load(path)
    jsonschema.Draft7Validator.check_schema(schema)
    # Relative $refs ("../budgets/budget.schema.json#...") resolve against the file.
    resolver = jsonschema.RefResolver(base_uri='file://' + os.path.abspath(path), referrer=schema)
    return jsonschema.Draft7Validator(schema, resolver=resolver)


def main(root):
    budget = validator(root, 'budgets/budget.schema.json')
    config = validator(root, 'schema/config.schema.json')
    cases = [
        # (validator, document, valid?)
        (budget, load(os.path.join(root, 'budgets/default.json')), True),
        (budget, load(os.path.join(root, 'budgets/nps.json')), True),
        (budget, {'version': 1, 'extends': 'nps', 'vendorChunks': []}, True),
        (budget, {'version': 1, 'timing': [{'pageTransition': '100 ms', 'profile': 'slow'}],
                  'profiles': {'slow': {'downMbps': 0.4, 'rttMs': 400}}}, True),
        (budget, {'version': 1, 'timing': [{'initialLoad': '2 s'}]}, False),  # no profile
        (budget, {'extends': 'nps'}, False),  # version is required in a budget file
        (budget, {'version': 1, 'chunk': {'max': '500 kB'}}, False),  # no measure
        (budget, {'version': 1, 'budget': {}}, False),  # a config, not a budget
        (config, {'version': 1}, True),
        (config, {'version': 1, 'extends': 'nps', 'budget': {'initial': {'max': '300 kB gzip'}},
                  'serve': {'proxy': {}}, 'deploy': {}, 'apps': [{'path': 'apps/web/dist'}]}, True),
        (config, load(os.path.join(root, 'fixtures/monorepo/npsbundle.config.json')), True),
        (config, {'version': 1, 'apps': {'web': {}}}, False),  # a list, not a map
        (config, {'version': 1, 'apps': [{'name': 'web'}]}, False),  # no path
        (config, {'version': 1, 'apps': [{'path': 'a/dist', 'budget': {'chunk': {'max': '1 kb raw'}}}]}, False),
        (config, {'version': 1, 'budget': load(os.path.join(root, 'budgets/nps.json'))}, True),
        (config, {'version': 1, 'chunk': {'max': '1 kB raw'}}, False),  # rules go under budget
        (config, {'version': 1, 'budget': {'extends': 'nps'}}, False),
        (config, {'version': 1, 'budget': {'chunk': {'max': '1 kb raw'}}}, False),
        (config, {'budget': {}}, False),
        (config, {'version': 1, 'serve': 1}, False),
    ]
    failed = 0
    for number, (v, document, valid) in enumerate(cases):
        errors = list(v.iter_errors(document))
        if bool(errors) == valid:
            failed += 1
            print(f'case {number}: expected {"valid" if valid else "invalid"}: {json.dumps(document)[:200]}')
            for error in errors[:3]:
                print('  ', error.message[:200])
    print(f'schemas: {len(cases) - failed} of {len(cases)} cases as expected')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')))
