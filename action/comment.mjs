// Posts the report as ONE comment on the pull request: finds an earlier one
// by its hidden marker and edits it, else creates it.
// usage: node comment.mjs MARKDOWN_FILE [PR_NUMBER]
// env: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/repo), GITHUB_API_URL,
//      GITHUB_EVENT_PATH (the PR number when not given)
import { readFileSync } from 'node:fs';

const MARKER = '<!-- npsbundle -->';
// GitHub refuses comment bodies over 65,536 characters.
const COMMENT_LIMIT = 65536;

const env = process.env;
const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '');

function die(message) {
  console.log(`::error title=npsbundle comment::${message}`);
  process.exit(2);
}

// A token without write access (a fork's pull_request run) is not the build's
// fault: say how to get comments, and leave the job's verdict to the check.
function warnNoAccess(status) {
  console.log(
    `::warning title=npsbundle comment::GitHub answered ${status}: the token cannot comment here (a pull request from a fork?); ` +
      'see the workflow_run pattern in the action README',
  );
  process.exit(0);
}

async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${env.GITHUB_TOKEN}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'npsbundle-action',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 403 || response.status === 404) warnNoAccess(response.status);
  if (!response.ok) die(`${method} ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return response;
}

// The URL of the next page, from the Link header.
function nextPage(response) {
  const link = response.headers.get('link') || '';
  const match = /<([^>]+)>;\s*rel="next"/.exec(link);
  return match ? match[1] : null;
}

function commentBody(markdown) {
  let body = `${MARKER}\n${markdown}`;
  if (body.length > COMMENT_LIMIT) {
    const note = '\n\n… cut at GitHub\'s comment limit; the whole report is in the job\'s summary.\n';
    body = body.slice(0, COMMENT_LIMIT - note.length) + note;
  }
  return body;
}

function pullRequestNumber(given) {
  if (given) return given;
  if (!env.GITHUB_EVENT_PATH) die('no PR number given and no GITHUB_EVENT_PATH');
  const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  const number = event.pull_request?.number ?? event.number;
  if (!number) die(`${env.GITHUB_EVENT_PATH}: not a pull_request event (no pull_request.number)`);
  return String(number);
}

async function main() {
  const [markdownFile, given] = process.argv.slice(2);
  if (!markdownFile) die('usage: comment.mjs MARKDOWN_FILE [PR_NUMBER]');
  if (!env.GITHUB_TOKEN) die('GITHUB_TOKEN is empty');
  if (!/^[^/]+\/[^/]+$/.test(env.GITHUB_REPOSITORY || '')) die(`GITHUB_REPOSITORY "${env.GITHUB_REPOSITORY}" is not owner/repo`);
  const pr = pullRequestNumber(given);
  if (!/^[0-9]+$/.test(pr)) die(`PR number "${pr}" is not a number`);
  const body = commentBody(readFileSync(markdownFile, 'utf8'));
  const repo = `${api}/repos/${env.GITHUB_REPOSITORY}`;

  let url = `${repo}/issues/${pr}/comments?per_page=100`;
  while (url) {
    const response = await request('GET', url);
    const existing = (await response.json()).find((c) => typeof c.body === 'string' && c.body.startsWith(MARKER));
    if (existing) {
      await request('PATCH', `${repo}/issues/comments/${existing.id}`, { body });
      console.log(`npsbundle: updated comment ${existing.id} on #${pr}`);
      return;
    }
    url = nextPage(response);
  }
  const created = await (await request('POST', `${repo}/issues/${pr}/comments`, { body })).json();
  console.log(`npsbundle: created comment ${created.id} on #${pr}`);
}

await main();
