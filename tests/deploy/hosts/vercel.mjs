// vercel.json files from `deploy-config --target vercel`, checked against
// Vercel's own schemas and route compiler (@vercel/routing-utils: the
// objects Vercel validates vercel.json with) since no local emulator
// exists. usage: node vercel.mjs MODULES_DIR FILE:EXPECTATIONS_JSON...
// Each expectation: {"path": "/x", "cacheControl": "...", "rewrite": "/index.html" | null}.
import { createRequire } from 'node:module';
import fs from 'node:fs';

const [modules, ...cases] = process.argv.slice(2);
const require = createRequire(modules + '/');
const Ajv = require('ajv');
const utils = require('@vercel/routing-utils');
const ajv = new Ajv({ allErrors: true, strict: false });
let passed = 0;
let failed = 0;
// "ok: " and "FAIL: " lines, which run.sh counts (tests/npm/lib.sh tally).
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok: ${name}`); }
  else { failed++; console.log(`FAIL: ${name} ${detail}`); }
};

const validators = { headers: ajv.compile(utils.headersSchema), rewrites: ajv.compile(utils.rewritesSchema) };
for (const spec of cases) {
  const [file, expectations] = spec.split('::');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  check(`${file}: only known keys`, Object.keys(config).every((k) => ['$schema', 'headers', 'rewrites'].includes(k)));
  for (const [key, validate] of Object.entries(validators)) {
    check(`${file}: ${key} valid against @vercel/routing-utils`, validate(config[key]), ajv.errorsText(validate.errors));
  }
  const compile = (source) => new RegExp(utils.sourceToRegex(source).src);
  // Vercel applies every matching header rule, later ones over earlier ones;
  // the generated rules never give one path two Cache-Control values.
  const headersFor = (path) => {
    const out = {};
    for (const rule of config.headers) {
      if (!compile(rule.source).test(path)) continue;
      for (const { key, value } of rule.headers) {
        if (key === 'Cache-Control' && out[key] !== undefined) out.overlap = true;
        out[key] = value;
      }
    }
    return out;
  };
  const rewriteFor = (path) => {
    for (const rule of config.rewrites) if (compile(rule.source).test(path)) return rule.destination;
    return null;
  };
  for (const e of JSON.parse(fs.readFileSync(expectations, 'utf8'))) {
    const headers = headersFor(e.path);
    check(`${file} ${e.path}: one Cache-Control rule`, !headers.overlap);
    if ('cacheControl' in e) check(`${file} ${e.path}: Cache-Control`, headers['Cache-Control'] === e.cacheControl, `got ${headers['Cache-Control']}`);
    if ('rewrite' in e) check(`${file} ${e.path}: rewrite`, rewriteFor(e.path) === e.rewrite, `got ${rewriteFor(e.path)}`);
    if ('link' in e) check(`${file} ${e.path}: Link`, (headers.Link || '').startsWith(e.link), `got ${headers.Link}`);
    check(`${file} ${e.path}: nosniff`, headers['X-Content-Type-Options'] === 'nosniff');
  }
}
process.exit(failed ? 1 : 0);
