// The check step of the action: runs `npsbundle check` for the JSON report,
// the Markdown summary and the GitHub annotations, and writes the outputs.
// Always exits 0 once the reports exist, so the comment step still runs; the
// action's last step fails the job from the `status` output.
// env: INPUT_PATH (one or more builds), INPUT_BUDGET, INPUT_BASELINE, NPSBUNDLE_COMMAND,
//      NPSBUNDLE_CACHE_DIR, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

// GitHub shows at most 1 MiB of a step's summary.
const SUMMARY_LIMIT = 1024 * 1024;

const env = process.env;
const command = env.NPSBUNDLE_COMMAND || 'npsbundle';
const outDir = path.join(env.RUNNER_TEMP || tmpdir(), 'npsbundle');
mkdirSync(outDir, { recursive: true });
const reportFile = path.join(outDir, 'report.json');
const markdownFile = path.join(outDir, 'report.md');

// `path`: one build or several (newline- or space-separated, globs such as
// apps/*/dist allowed: the binary expands them, no shell runs here); several
// make one report with a section per app. Empty: the `apps` of
// ./npsbundle.config.json when it lists them, else dist.
function buildPaths(input) {
  const words = (input || '').split(/\s+/).filter(Boolean);
  if (words.length > 0) return words;
  try {
    if (Array.isArray(JSON.parse(readFileSync('npsbundle.config.json', 'utf8')).apps)) return [];
  } catch {}
  return ['dist'];
}

const args = ['check', ...buildPaths(env.INPUT_PATH)];
if (env.INPUT_BUDGET) args.push('--budget', env.INPUT_BUDGET);
if (env.INPUT_BASELINE) args.push('--baseline', env.INPUT_BASELINE);
if (env.NPSBUNDLE_CACHE_DIR) args.push('--cache', env.NPSBUNDLE_CACHE_DIR.replace(/^~(?=\/|$)/, homedir()));

function check(format, extra, stdout) {
  const result = spawnSync(command, [...args, '--format', format, ...extra], { stdio: ['ignore', stdout, 'inherit'] });
  if (result.error) {
    console.log(`::error title=npsbundle::cannot run ${command}: ${result.error.code || result.error.message}`);
    return 70;
  }
  return result.status ?? 70;
}

function setOutput(name, value) {
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

const code = check('json', ['--output', reportFile], 'inherit');
const status = code === 0 ? 'pass' : code === 1 ? 'fail' : 'error';
setOutput('status', status);
if (status === 'error') {
  // The binary said what is wrong on stderr, in one line.
  setOutput('report', '');
  setOutput('markdown', '');
  process.exit(0);
}
check('markdown', ['--output', markdownFile], 'inherit');
check('github', [], 'inherit');
setOutput('report', reportFile);
setOutput('markdown', markdownFile);

if (env.GITHUB_STEP_SUMMARY) {
  let markdown = readFileSync(markdownFile, 'utf8');
  if (Buffer.byteLength(markdown) > SUMMARY_LIMIT) {
    const note = '\n\n… cut at 1 MiB (GitHub\'s limit); the whole report is the `markdown` output of the step.\n';
    markdown = Buffer.from(markdown).subarray(0, SUMMARY_LIMIT - Buffer.byteLength(note) - 4).toString('utf8').replace(/\uFFFD+$/, '') + note;
  }
  appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
}
