// Validates JSON documents against schema/report.schema.json with the subset
// of JSON Schema the schema uses; any other keyword is an error, so the
// schema cannot silently rely on something unchecked.
// usage: node validate.mjs SCHEMA REPORT...   (prints ok:/FAIL: lines)
import { readFileSync } from 'node:fs';

const KNOWN = new Set(['$schema', '$id', 'title', 'description', 'type', 'required', 'additionalProperties',
  'properties', '$defs', 'items', 'enum', 'const', 'anyOf', '$ref', 'minimum', 'maximum']);

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
const matchesType = (v, t) => typeOf(v) === t || (t === 'number' && typeOf(v) === 'integer');

// Returns the first problem as "location: what", or null.
export function validate(schema, node, value, where = '$') {
  for (const key of Object.keys(node)) if (!KNOWN.has(key)) return `schema at ${where}: unsupported keyword ${key}`;
  if (node.$ref === '#') return validate(schema, schema, value, where);
  if (node.$ref) {
    const name = node.$ref.replace('#/$defs/', '');
    if (!schema.$defs[name]) return `schema: unknown $ref ${node.$ref}`;
    return validate(schema, schema.$defs[name], value, where);
  }
  if (node.anyOf) {
    const problems = node.anyOf.map((n) => validate(schema, n, value, where));
    if (problems.every(Boolean)) return problems.join('; and ');
  }
  if ('const' in node && value !== node.const) return `${where}: ${JSON.stringify(value)} is not ${JSON.stringify(node.const)}`;
  if (node.enum && !node.enum.includes(value)) return `${where}: ${JSON.stringify(value)} is not one of ${node.enum.join(', ')}`;
  if (node.type) {
    const types = [].concat(node.type);
    if (!types.some((t) => matchesType(value, t))) return `${where}: ${typeOf(value)}, expected ${types.join(' or ')}`;
  }
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) return `${where}: ${value} < ${node.minimum}`;
    if (node.maximum !== undefined && value > node.maximum) return `${where}: ${value} > ${node.maximum}`;
  }
  if (Array.isArray(value) && node.items) {
    for (let i = 0; i < value.length; ++i) {
      const problem = validate(schema, node.items, value[i], `${where}[${i}]`);
      if (problem) return problem;
    }
  }
  if (typeOf(value) === 'object' && (node.properties || node.required)) {
    for (const key of node.required ?? []) if (!(key in value)) return `${where}: missing "${key}"`;
    for (const [key, item] of Object.entries(value)) {
      const sub = node.properties?.[key];
      if (!sub) {
        if (node.additionalProperties === false) return `${where}: key "${key}" is not in the schema`;
        continue;
      }
      const problem = validate(schema, sub, item, `${where}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [schemaFile, ...reports] = process.argv.slice(2);
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  for (const file of reports) {
    let problem;
    try {
      const report = JSON.parse(readFileSync(file, 'utf8'));
      // A report of several apps has "apps" instead of "input" (schema $defs/AppsReport).
      const root = report && 'apps' in report && !('input' in report) ? { $ref: '#/$defs/AppsReport' } : schema;
      problem = validate(schema, root, report);
    } catch (error) {
      problem = error.message;
    }
    console.log(problem ? `FAIL: schema: ${file}: ${problem}` : `ok: schema: ${file} is valid`);
  }
}
