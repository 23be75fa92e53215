// The stylesheet and script inlined into every HTML report. They are plain
// text kept here (not fetched) so a report is one file that works from
// file:// with no network. The script reads the report data from the
// <script type="application/json" id="npsbundle-data"> element.
#include "report/report_html.h"

namespace npsbundle {

std::string_view HtmlReportStyle() {
  return R"css(
:root { --initial: #3b82f6; --lazy: #f59e0b; --other: #94a3b8; --pass: #16a34a; --fail: #dc2626; --warn: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #0f172a; background: #f8fafc; }
header { padding: 12px 20px; background: #0f172a; color: #f8fafc; }
header h1 { margin: 0; font-size: 18px; }
header .verdict { margin-top: 4px; font-weight: 600; }
header .verdict.pass { color: #4ade80; } header .verdict.fail { color: #f87171; }
header .meta { color: #94a3b8; font-size: 12px; }
main { padding: 12px 20px 40px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin-bottom: 8px; }
.toolbar fieldset { border: 1px solid #cbd5e1; border-radius: 6px; padding: 2px 10px; margin: 0; }
.legend span { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; }
.legend i { width: 12px; height: 12px; display: inline-block; border-radius: 2px; }
.crumbs button { border: 0; background: none; color: #2563eb; cursor: pointer; padding: 0 2px; font: inherit; }
.crumbs button:disabled { color: #0f172a; cursor: default; font-weight: 600; }
#treemap { position: relative; width: 100%; height: 560px; background: #e2e8f0; border-radius: 6px; overflow: hidden; }
.box { position: absolute; overflow: hidden; border: 1px solid rgba(15, 23, 42, .35); border-radius: 3px;
       cursor: pointer; color: #0f172a; font-size: 12px; }
.box > .label { padding: 1px 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; pointer-events: none; }
.box[data-depth="0"] > .label { font-weight: 600; }
.box:hover { outline: 2px solid #0f172a; z-index: 2; }
.box.load-initial { background: #bfdbfe; } .box.load-lazy { background: #fde68a; } .box.load-other { background: #e2e8f0; }
.box .box.kind-package { background: rgba(255, 255, 255, .55); }
.box .box.kind-app { background: rgba(255, 255, 255, .85); }
.box .box.kind-generated { background: repeating-linear-gradient(45deg, #f1f5f9, #f1f5f9 4px, #e2e8f0 4px, #e2e8f0 8px); }
.box .box.kind-module { background: rgba(255, 255, 255, .7); }
table { border-collapse: collapse; margin: 8px 0 20px; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-pass { color: var(--pass); } .status-fail { color: var(--fail); font-weight: 600; } .status-warn { color: var(--warn); }
.note { color: #475569; font-size: 12px; }
h2 { font-size: 16px; margin: 20px 0 4px; }
)css";
}

std::string_view HtmlReportScript() {
  return R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('npsbundle-data').textContent);
  var measure = 'gzip';
  var stack = [];  // zoom path: nodes from the root down

  function kb(bytes) { return (bytes / 1000).toFixed(1) + ' kB'; }

  // The tree: build -> chunks -> packages/folders -> modules. Raw bytes are
  // exact; compressed sizes below chunk level are estimates (proportional).
  function buildTree() {
    var root = { name: 'build', kind: 'build', children: [] };
    data.chunks.forEach(function (c) {
      var chunk = { name: c.file, kind: 'chunk', load: c.load, size: { raw: c.raw, gzip: c.gzip, brotli: c.brotli },
                    children: [], detail: c.load === 'initial' ? 'initial load' : c.load === 'lazy' ? 'lazy: ' + c.pages.join(', ') : 'not in a load group' };
      (c.groups || []).forEach(function (g) {
        var group = { name: g.name, kind: g.kind, load: c.load, estimate: true,
                      size: { raw: g.raw, gzip: g.gzip, brotli: g.brotli }, children: [] };
        (g.modules || []).forEach(function (m) {
          var share = g.raw ? m[1] / g.raw : 0;
          group.children.push({ name: m[0], kind: 'module', load: c.load, estimate: true,
                                size: { raw: m[1], gzip: g.gzip * share, brotli: g.brotli * share }, children: [] });
        });
        chunk.children.push(group);
      });
      root.children.push(chunk);
    });
    root.size = { raw: 0, gzip: 0, brotli: 0 };
    root.children.forEach(function (c) { ['raw', 'gzip', 'brotli'].forEach(function (m) { root.size[m] += c.size[m]; }); });
    return root;
  }

  // Squarified treemap (Bruls, Huizing, van Wijk): rows of boxes whose aspect
  // ratios stay close to 1. Returns [{node, x, y, w, h}].
  function squarify(nodes, x, y, w, h) {
    var items = nodes.filter(function (n) { return n.size[measure] > 0; })
                     .sort(function (a, b) { return b.size[measure] - a.size[measure]; });
    var total = items.reduce(function (s, n) { return s + n.size[measure]; }, 0);
    var out = [];
    if (!total || w <= 0 || h <= 0) return out;
    var scale = (w * h) / total;
    var row = [];
    function worst(row, side) {
      var sum = 0, max = 0, min = Infinity;
      row.forEach(function (n) { var a = n.size[measure] * scale; sum += a; max = Math.max(max, a); min = Math.min(min, a); });
      return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
    }
    function layoutRow(row) {
      var sum = row.reduce(function (s, n) { return s + n.size[measure] * scale; }, 0);
      if (w >= h) {
        var rw = sum / h, yy = y;
        row.forEach(function (n) { var rh = (n.size[measure] * scale) / rw; out.push({ node: n, x: x, y: yy, w: rw, h: rh }); yy += rh; });
        x += rw; w -= rw;
      } else {
        var rh2 = sum / w, xx = x;
        row.forEach(function (n) { var cw = (n.size[measure] * scale) / rh2; out.push({ node: n, x: xx, y: y, w: cw, h: rh2 }); xx += cw; });
        y += rh2; h -= rh2;
      }
    }
    items.forEach(function (n) {
      var side = Math.min(w, h);
      if (row.length && worst(row.concat([n]), side) > worst(row, side)) { layoutRow(row); row = []; }
      row.push(n);
    });
    if (row.length) layoutRow(row);
    return out;
  }

  function tooltip(node) {
    var s = node.size, est = node.estimate ? ' (estimate)' : '';
    return node.name + (node.detail ? '\n' + node.detail : '') + '\nraw ' + kb(s.raw) + '\ngzip ' + kb(s.gzip) + est +
           '\nbrotli ' + kb(s.brotli) + est;
  }

  function renderBoxes(container, nodes, x, y, w, h, depth, maxDepth) {
    squarify(nodes, x, y, w, h).forEach(function (r) {
      var n = r.node;
      var box = document.createElement('div');
      box.className = 'box load-' + (n.load || 'other') + ' kind-' + n.kind;
      box.setAttribute('data-depth', String(depth));
      box.setAttribute('data-name', n.name);
      box.style.left = r.x + 'px'; box.style.top = r.y + 'px';
      box.style.width = Math.max(r.w, 0) + 'px'; box.style.height = Math.max(r.h, 0) + 'px';
      box.title = tooltip(n);
      var label = document.createElement('div');
      label.className = 'label';
      label.textContent = n.name + ' · ' + kb(n.size[measure]);
      box.appendChild(label);
      box.addEventListener('click', function (event) {
        event.stopPropagation();
        if (n.children.length) { stack.push(n); render(); }
      });
      container.appendChild(box);
      // One nested level inside each box shows what it is made of.
      if (depth < maxDepth && n.children.length && r.w > 40 && r.h > 36) {
        renderBoxes(box, n.children, 2, 18, r.w - 6, r.h - 22, depth + 1, maxDepth);
      }
    });
  }

  function renderCrumbs() {
    var crumbs = document.getElementById('crumbs');
    crumbs.textContent = '';
    stack.forEach(function (node, i) {
      if (i) crumbs.appendChild(document.createTextNode(' › '));
      var b = document.createElement('button');
      b.textContent = i ? node.name : 'all chunks';
      b.disabled = i === stack.length - 1;
      b.addEventListener('click', function () { stack.length = i + 1; render(); });
      crumbs.appendChild(b);
    });
  }

  function render() {
    var map = document.getElementById('treemap');
    map.textContent = '';
    var node = stack[stack.length - 1];
    renderBoxes(map, node.children, 0, 0, map.clientWidth, map.clientHeight, 0, 1);
    renderCrumbs();
    document.getElementById('total').textContent = node.name === 'build' ? 'all chunks: ' + kb(node.size[measure]) + ' ' + measure
                                                                          : node.name + ': ' + kb(node.size[measure]) + ' ' + measure;
  }

  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function renderRules() {
    var body = document.getElementById('rules-body');
    data.rules.forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, r.status === 'pass' ? '✓ pass' : r.status === 'warn' ? '! warn' : '✗ fail', 'status-' + r.status);
      cell(tr, r.rule); cell(tr, r.subject); cell(tr, r.message);
      body.appendChild(tr);
    });
  }

  function renderDiff() {
    var section = document.getElementById('diff');
    if (!data.diff) { section.hidden = true; return; }
    document.getElementById('diff-baseline').textContent = data.diff.baseline;
    var body = document.getElementById('diff-body');
    data.diff.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, r.label); cell(tr, r.kind);
      cell(tr, r.before ? kb(r.before.gzip) : '–', 'num');
      cell(tr, r.after ? kb(r.after.gzip) : '–', 'num');
      var d = (r.after ? r.after.gzip : 0) - (r.before ? r.before.gzip : 0);
      cell(tr, (d > 0 ? '+' : '') + kb(d), 'num');
      cell(tr, !r.before ? 'new' : !r.after ? 'removed' : r.before.gzip ? (100 * d / r.before.gzip).toFixed(1) + '%' : '–', 'num');
      body.appendChild(tr);
    });
  }

  var root = buildTree();
  stack = [root];
  Array.prototype.forEach.call(document.querySelectorAll('input[name=measure]'), function (input) {
    input.checked = input.value === measure;
    input.addEventListener('change', function () { measure = input.value; render(); });
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && stack.length > 1) { stack.pop(); render(); } });
  window.addEventListener('resize', render);
  renderRules();
  renderDiff();
  render();
  document.body.setAttribute('data-rendered', 'true');
})();
)js";
}

}  // namespace npsbundle
