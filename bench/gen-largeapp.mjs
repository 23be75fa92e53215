#!/usr/bin/env node
// Writes the sources of a large generated Vite + React app for the benchmark:
// one entry with a router and N lazy route pages. Every page imports a
// different subset of real libraries (lodash-es, date-fns and one of its
// locales, three.js, echarts, d3, @tanstack/react-table, @tanstack/react-query)
// plus generated component code, data tables and CSS that survive
// minification, so that brotli has real, varied work to do.
//
// usage: node bench/gen-largeapp.mjs --out DIR [--routes N] [--changed K] [--scale F]
//   --out DIR     app folder (package.json and node_modules are left alone)
//   --routes N    lazy route pages (default 420)
//   --changed K   give page K different content (the "one page changed" build)
//   --scale F     multiplies the generated code per page (default 1)
//
// Output is deterministic: the same arguments give byte-identical sources.
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = opt('--out');
if (!out) {
  console.error('gen-largeapp: --out DIR is required');
  process.exit(2);
}
const ROUTES = Number(opt('--routes', '420'));
const CHANGED = opt('--changed') === undefined ? -1 : Number(opt('--changed'));
const SCALE = Number(opt('--scale', '1'));

// mulberry32: small deterministic PRNG.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LODASH = `chunk compact difference drop flatten flattenDeep groupBy keyBy orderBy sortBy uniq uniqBy debounce
throttle memoize merge cloneDeep isEqual pick omit get set camelCase kebabCase snakeCase startCase capitalize
template truncate padStart range sum sumBy meanBy maxBy minBy partition zip unzip countBy mapValues mapKeys invert
defaults defaultsDeep escape unescape words deburr shuffle sampleSize intersection union xor without takeWhile
dropWhile findLastIndex isPlainObject toPath cloneDeepWith mergeWith transform zipObject fromPairs toPairs round
clamp inRange random groupBy intersectionBy unionBy differenceBy sortedUniq tail head last nth pullAll remove
reverse slice sortedIndex take takeRight uniqWith zipWith every filter find flatMap includes invokeMap map
reduce reject some curry partial once negate flow flowRight castArray cloneWith conforms isMatch toNumber
toString assign at create entries extend findKey forIn has invoke keys result unset update values lowerFirst
upperFirst parseInt repeat replace split trim trimEnd trimStart unescape upperCase lowerCase attempt cond
constant identity iteratee matches method noop nthArg over property rangeRight stubArray times uniqueId`.split(/\s+/);

const DATEFNS = `format addDays subMonths differenceInDays formatDistance parseISO isAfter startOfWeek endOfMonth
eachDayOfInterval formatRelative intervalToDuration formatDuration isWeekend getISOWeek addBusinessDays closestTo
compareAsc formatISO isValid lightFormat max min roundToNearestMinutes setHours startOfQuarter
differenceInBusinessDays eachWeekOfInterval formatDistanceStrict getQuarter isSameMonth lastDayOfMonth
nextMonday previousFriday setDay startOfYear sub add areIntervalsOverlapping clamp`.split(/\s+/);

const LOCALES = `af ar arDZ arEG arMA arSA arTN az be beTarask bg bn bs ca ckb cs cy da de deAT el enAU enCA enGB
enIE enIN enNZ enZA eo es et eu faIR fi fr frCA frCH fy gd gl gu he hi hr ht hu hy id is it itCH ja jaHira ka kk
km kn ko lb lt lv mk mn ms mt nb nl nlBE nn oc pl pt ptBR ro ru se sk sl sq sr srLatn sv ta te th tr ug uk uz
uzCyrl vi zhCN zhHK zhTW`.split(/\s+/);

const THREE = `Vector3 Matrix4 Quaternion Euler Color Box3 Sphere Ray Plane Frustum BoxGeometry SphereGeometry
TorusKnotGeometry MeshStandardMaterial MeshPhongMaterial Mesh Scene PerspectiveCamera BufferGeometry
Float32BufferAttribute Raycaster Clock CatmullRomCurve3 Shape ExtrudeGeometry LatheGeometry TubeGeometry
IcosahedronGeometry Line LineBasicMaterial Points PointsMaterial InstancedMesh DirectionalLight AmbientLight
Group Object3D AnimationMixer KeyframeTrack AnimationClip Spherical Cylindrical Triangle Line3 Box2 Vector2`.split(/\s+/);

const ECHARTS_CHARTS = `BarChart LineChart PieChart ScatterChart RadarChart HeatmapChart TreemapChart SankeyChart
GaugeChart FunnelChart CandlestickChart BoxplotChart GraphChart SunburstChart ParallelChart ThemeRiverChart`.split(/\s+/);
const ECHARTS_COMPONENTS = `GridComponent TooltipComponent LegendComponent TitleComponent DataZoomComponent
VisualMapComponent ToolboxComponent PolarComponent MarkLineComponent DatasetComponent`.split(/\s+/);

const D3 = `scaleLinear scaleTime scaleBand scaleOrdinal scaleLog scaleSqrt line area arc pie stack axisBottom axisLeft
select extent bisector format timeFormat interpolateViridis interpolateRainbow forceSimulation forceManyBody
forceLink hierarchy treemap pack geoPath geoMercator geoOrthographic contourDensity Delaunay zoom brush drag
csvParse tsvParse quadtree chord bin curveCatmullRom curveMonotoneX symbol easeCubic transition interpolateRgb
polygonHull range group rollup`.split(/\s+/);

const TABLE = `useReactTable getCoreRowModel getSortedRowModel getFilteredRowModel getPaginationRowModel
getGroupedRowModel getExpandedRowModel createColumnHelper flexRender`.split(/\s+/);

const WORDS = `account action active address admin advanced alert amount analysis anomaly archive asset audit
balance batch billing budget buffer cache campaign capacity category certificate channel checkout cluster cohort
column comment compliance config connection console contract conversion cost coverage credential customer
dashboard dataset deadline delivery deployment device discount domain draft endpoint engine event export
feature feedback filter firmware forecast gateway grant group health history incident index insight inventory
invoice issue journal ledger license limit listing location metric migration milestone monitor network node
notice offer order owner package partner payment pipeline policy portfolio preview pricing project provider
quota ranking region release report request resource revenue review risk role route rule sample schedule
scope segment sensor server service session setting shipment signal snapshot source stage storage subscription
summary supplier support survey target task team template tenant threshold ticket timeline token topic trace
transfer trend usage user variant vendor version volume warehouse webhook widget workflow workspace zone`.split(/\s+/);

const VERBS = `approve archive assign audit cancel compare configure confirm create delete deploy disable download
edit enable escalate export filter import inspect invite merge migrate monitor notify pause publish refresh
reject rename renew resolve restore resume retry review revoke rotate schedule share sort suspend sync tag
transfer update upload validate verify`.split(/\s+/);

function pageSource(index, seed) {
  const r = rng(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const pickN = (list, n) => {
    const copy = [...new Set(list)];
    const res = [];
    while (res.length < n && copy.length) res.push(copy.splice(Math.floor(r() * copy.length), 1)[0]);
    return res;
  };
  const word = () => pick(WORDS);
  const title = () => {
    const w = word();
    return w[0].toUpperCase() + w.slice(1);
  };
  const sentence = (n) => {
    const ws = [];
    for (let i = 0; i < n; ++i) ws.push(r() < 0.2 ? pick(VERBS) : word());
    const s = ws.join(' ');
    return s[0].toUpperCase() + s.slice(1) + '.';
  };
  const name = `Page${String(index).padStart(4, '0')}`;
  const lines = [];
  const imports = [];
  const uses = [];

  const lodash = pickN(LODASH, 3 + Math.floor(r() * 5));
  imports.push(`import { ${lodash.map((f) => `${f} as _${f}`).join(', ')} } from 'lodash-es';`);
  lodash.forEach((f, i) => uses.push(`_${f}(rows${i % 2 ? ", 'value'" : ''})`));

  const dates = pickN(DATEFNS, 2 + Math.floor(r() * 4));
  const locale = LOCALES[index % LOCALES.length];
  imports.push(`import { ${dates.map((f) => `${f} as d_${f}`).join(', ')} } from 'date-fns';`);
  imports.push(`import { ${locale} as dateLocale } from 'date-fns/locale';`);
  dates.forEach((f) => uses.push(`d_${f}(new Date(${1700000000000 + Math.floor(r() * 1e11)}), { locale: dateLocale })`));

  if (index % 3 === 0) {
    const parts = pickN(THREE, 2 + Math.floor(r() * 4));
    imports.push(`import { ${parts.map((p) => `${p} as T${p}`).join(', ')} } from 'three';`);
    parts.forEach((p) => uses.push(`new T${p}()`));
  }
  if (index % 4 === 1) {
    const charts = pickN(ECHARTS_CHARTS, 1 + Math.floor(r() * 2));
    const comps = pickN(ECHARTS_COMPONENTS, 2 + Math.floor(r() * 3));
    const renderer = r() < 0.5 ? 'CanvasRenderer' : 'SVGRenderer';
    imports.push(`import * as echarts from 'echarts/core';`);
    imports.push(`import { ${charts.join(', ')} } from 'echarts/charts';`);
    imports.push(`import { ${comps.join(', ')} } from 'echarts/components';`);
    imports.push(`import { ${renderer} } from 'echarts/renderers';`);
    lines.push(`echarts.use([${[...charts, ...comps, renderer].join(', ')}]);`);
    uses.push(`echarts.getInstanceByDom`);
  }
  if (index % 5 === 2) {
    const parts = pickN(D3, 2 + Math.floor(r() * 5));
    imports.push(`import { ${parts.map((p) => `${p} as D${p}`).join(', ')} } from 'd3';`);
    parts.forEach((p) => uses.push(`D${p}`));
  }
  if (index % 6 === 3) {
    const parts = pickN(TABLE, 2 + Math.floor(r() * 4));
    imports.push(`import { ${parts.map((p) => `${p} as R${p}`).join(', ')} } from '@tanstack/react-table';`);
    parts.forEach((p) => uses.push(`R${p}`));
  }
  imports.push(`import { useQuery } from '@tanstack/react-query';`);
  imports.push(`import { useMemo, useState } from 'react';`);
  imports.push(`import './${name}.css';`);

  // Data table: records with varied fields; survives minification as literals.
  const records = Math.round((90 + r() * 60) * SCALE);
  const fields = pickN(WORDS, 6).map((w) => w.replace(/[^a-z]/g, ''));
  const rows = [];
  for (let i = 0; i < records; ++i) {
    const rec = {
      id: `${word()}-${Math.floor(r() * 1e6).toString(36)}`,
      label: sentence(2 + Math.floor(r() * 4)),
      value: Math.round(r() * 1e5) / 100,
    };
    for (const f of fields.slice(0, 3 + Math.floor(r() * 3))) {
      rec[f] = r() < 0.5 ? Math.floor(r() * 10000) : `${pick(VERBS)}_${word()}`;
    }
    if (r() < 0.3) rec.tags = pickN(WORDS, 1 + Math.floor(r() * 3));
    rows.push(rec);
  }
  lines.push(`const ROWS = ${JSON.stringify(rows)};`);

  // Helper functions with distinct arithmetic and string handling.
  const helpers = [];
  const helperCount = Math.round((10 + r() * 10) * SCALE);
  for (let h = 0; h < helperCount; ++h) {
    const fname = `${pick(VERBS)}${title()}${h}`;
    const a = Math.floor(r() * 97) + 2;
    const b = Math.floor(r() * 1000);
    const f1 = pick(fields);
    const f2 = pick(fields);
    const kind = Math.floor(r() * 4);
    let body;
    if (kind === 0) {
      body = `let acc = ${b};
  for (const row of list) {
    if (typeof row.${f1} === 'number') acc = (acc * ${a} + row.${f1}) % ${1000003 + b};
    else if (row.${f2}) acc += String(row.${f2}).length * ${a};
  }
  return acc;`;
    } else if (kind === 1) {
      body = `return list
    .filter((row) => row.value > ${(r() * 500).toFixed(2)} || String(row.label).includes(${JSON.stringify(word())}))
    .map((row) => ({ key: row.id, score: Math.round(row.value * ${a}) / ${b + 1}, note: ${JSON.stringify(sentence(3))} }))
    .slice(0, ${5 + Math.floor(r() * 40)});`;
    } else if (kind === 2) {
      body = `const out = {};
  for (const row of list) {
    const k = String(row.${f1} ?? ${JSON.stringify(word())}).slice(0, ${2 + Math.floor(r() * 6)});
    out[k] = (out[k] || 0) + (row.value > ${a} ? ${b} : 1);
  }
  return Object.entries(out).sort((x, y) => y[1] - x[1]);`;
    } else {
      body = `switch (list.length % ${3 + Math.floor(r() * 5)}) {
    case 0: return ${JSON.stringify(sentence(5))};
    case 1: return \`\${list.length} ${pick(WORDS)} \${${JSON.stringify(pick(VERBS))}}\`;
    case 2: return list.map((row) => row.id).join(${JSON.stringify(r() < 0.5 ? ', ' : ' / ')});
    default: return ${JSON.stringify(sentence(4))} + list.length;
  }`;
    }
    helpers.push(fname);
    lines.push(`function ${fname}(list) {\n  ${body}\n}`);
  }

  // Component: JSX with class names and copy text.
  const sections = [];
  const sectionCount = Math.round((6 + r() * 8) * SCALE);
  for (let s = 0; s < sectionCount; ++s) {
    const cls = `${name.toLowerCase()}-${word()}-${s}`;
    const items = [];
    for (let k = 0; k < 2 + Math.floor(r() * 5); ++k) {
      items.push(`<li className="${cls}__item">{t(${JSON.stringify(`${name}.${word()}.${k}`)}, ${JSON.stringify(sentence(4 + Math.floor(r() * 8)))})}</li>`);
    }
    sections.push(`      <section className="${cls}">
        <h2>${title()} ${pick(VERBS)} ${word()}</h2>
        <p>${sentence(8 + Math.floor(r() * 16))}</p>
        <ul>${items.join('')}</ul>
        <button type="button" onClick={() => setMode(${s})}>${title()}</button>
        {mode === ${s} && <pre>{JSON.stringify(${pick(helpers)}(rows)).slice(0, ${100 + Math.floor(r() * 400)})}</pre>}
      </section>`);
  }
  const css = [];
  for (let s = 0; s < sectionCount; ++s) {
    const cls = sections[s].match(/className="([^"]+)"/)[1];
    const color = () => `#${Math.floor(r() * 0xffffff).toString(16).padStart(6, '0')}`;
    css.push(`.${cls} { display: ${pick(['grid', 'flex', 'block'])}; gap: ${Math.floor(r() * 24)}px; padding: ${Math.floor(r() * 32)}px ${Math.floor(r() * 32)}px; border: 1px solid ${color()}; border-radius: ${Math.floor(r() * 12)}px; background: linear-gradient(${Math.floor(r() * 360)}deg, ${color()}, ${color()}); }
.${cls} h2 { font: ${500 + 100 * Math.floor(r() * 4)} ${(1 + r()).toFixed(3)}rem/1.${Math.floor(r() * 9)} system-ui, sans-serif; color: ${color()}; letter-spacing: ${(r() * 0.1).toFixed(3)}em; }
.${cls}__item { margin: ${Math.floor(r() * 8)}px 0; color: ${color()}; transition: opacity ${Math.floor(r() * 400)}ms ease-in-out; }
.${cls}__item:hover { opacity: ${(r()).toFixed(2)}; transform: translateY(-${Math.floor(r() * 4)}px); }
@media (max-width: ${480 + Math.floor(r() * 600)}px) { .${cls} { grid-template-columns: repeat(${1 + Math.floor(r() * 3)}, minmax(0, 1fr)); } }`);
  }

  const src = `// Generated by bench/gen-largeapp.mjs: page ${index}.
${imports.join('\n')}

${lines.join('\n\n')}

const t = (key, fallback) => (globalThis.__i18n && globalThis.__i18n[key]) || fallback;

export default function ${name}() {
  const [mode, setMode] = useState(-1);
  const query = useQuery({ queryKey: [${JSON.stringify(name)}], queryFn: async () => ROWS });
  const rows = query.data ?? ROWS;
  const derived = useMemo(() => [
    ${uses.join(',\n    ')},
  ], [rows]);
  return (
    <main className="${name.toLowerCase()}">
      <h1>{t(${JSON.stringify(`${name}.title`)}, ${JSON.stringify(sentence(3))})}</h1>
      <p className="summary">{derived.length} · {rows.length}</p>
${sections.join('\n')}
    </main>
  );
}
`;
  return { name, src, css: css.join('\n') + '\n' };
}

mkdirSync(join(out, 'src', 'pages'), { recursive: true });
// Remove pages from an earlier run with more routes.
for (const f of readdirSync(join(out, 'src', 'pages'))) rmSync(join(out, 'src', 'pages', f));

const names = [];
for (let i = 0; i < ROUTES; ++i) {
  const seed = 1000 + i * 7919 + (i === CHANGED ? 424242 : 0);
  const page = pageSource(i, seed);
  names.push(page.name);
  writeFileSync(join(out, 'src', 'pages', `${page.name}.tsx`), page.src);
  writeFileSync(join(out, 'src', 'pages', `${page.name}.css`), page.css);
}

writeFileSync(
  join(out, 'src', 'routes.ts'),
  `// Generated by bench/gen-largeapp.mjs.
import { lazy } from 'react';

export const routes = [
${names.map((n) => `  { path: '/${n.toLowerCase()}', title: '${n}', Component: lazy(() => import('./pages/${n}')) },`).join('\n')}
];
`,
);
writeFileSync(
  join(out, 'src', 'main.tsx'),
  `// Generated by bench/gen-largeapp.mjs.
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Route, Routes } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { routes } from './routes';
import './index.css';

const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 60_000, retry: 1 } } });

function App() {
  return (
    <div className="layout">
      <nav>{routes.map((r) => <Link key={r.path} to={r.path}>{r.title}</Link>)}</nav>
      <Suspense fallback={<p>Loading…</p>}>
        <Routes>
          {routes.map(({ path, Component }) => <Route key={path} path={path} element={<Component />} />)}
          <Route path="*" element={<p>Pick a page.</p>} />
        </Routes>
      </Suspense>
    </div>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
`,
);
writeFileSync(
  join(out, 'src', 'index.css'),
  `body { margin: 0; font-family: system-ui, sans-serif; }\n.layout { display: grid; grid-template-columns: 16rem 1fr; }\nnav { display: flex; flex-direction: column; overflow-y: auto; max-height: 100vh; }\n`,
);
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>npsbundle bench app</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`,
);
writeFileSync(
  join(out, 'vite.config.ts'),
  `// Generated by bench/gen-largeapp.mjs. BENCH_OUTDIR picks the output folder.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const nm = (pkgs: string) => new RegExp(\`[\\\\\\\\/]node_modules[\\\\\\\\/](?:\${pkgs})[\\\\\\\\/]\`);

export default defineConfig({
  root,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(process.env.BENCH_OUTDIR ?? 'dist'),
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 100000,
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor-react', test: nm('react|react-dom|react-router|react-router-dom|scheduler|cookie|set-cookie-parser'), priority: 30 },
            { name: 'vendor-query', test: nm('@tanstack[\\\\\\\\/]react-query|@tanstack[\\\\\\\\/]query-core'), priority: 20 },
          ],
        },
      },
    },
  },
});
`,
);
if (!existsSync(join(out, 'package.json'))) console.error('gen-largeapp: note: no package.json in', out);
console.error(`gen-largeapp: ${ROUTES} pages in ${out}${CHANGED >= 0 ? ` (page ${CHANGED} changed)` : ''}`);
