// Lists schema properties that no report uses: each is a key whose type the
// fixture reports never exercise.
// usage: node schema_coverage.mjs SCHEMA REPORT...   (prints ok:/FAIL: lines)
import { readFileSync } from 'node:fs';

const [schemaFile, ...reports] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
const used = new Set();

// Records "Def.key" for every key of value, following the schema's $refs.
function walk(node, value, owner) {
  if (node.$ref === '#') return walk(schema, value, schema.title);
  if (node.$ref) {
    const name = node.$ref.replace('#/$defs/', '');
    return walk(schema.$defs[name], value, name);
  }
  if (node.anyOf) return node.anyOf.forEach((n) => value !== null && walk(n, value, owner));
  if (Array.isArray(value) && node.items) return value.forEach((v) => walk(node.items, v, owner));
  if (value && typeof value === 'object' && node.properties) {
    for (const [key, v] of Object.entries(value)) {
      used.add(`${owner}.${key}`);
      if (node.properties[key]) walk(node.properties[key], v, owner);
    }
  }
}
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A report of several apps (schema $defs/AppsReport) holds one report per app.
  if ('apps' in report && !('input' in report)) walk({ $ref: '#/$defs/AppsReport' }, report, 'AppsReport');
  else walk(schema, report, schema.title);
}

const listed = [];
for (const [key] of Object.entries(schema.properties)) listed.push(`${schema.title}.${key}`);
for (const [name, def] of Object.entries(schema.$defs)) for (const key of Object.keys(def.properties ?? {})) listed.push(`${name}.${key}`);
// schema.sh makes a renamed chunk and a lazy library from a copy of good, so
// every key is used by some report; none is exempt.
const unused = listed.filter((k) => !used.has(k));
console.log(unused.length ? `FAIL: schema keys no report uses: ${unused.join(', ')}` : `ok: every schema key (${listed.length}) occurs in a real report`);
