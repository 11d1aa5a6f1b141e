// The benchmark: each selected backend on the same photos and settings, in
// one page and one run. ?auto=1 runs it with the settings in the URL (or the
// defaults) and sets window.benchmarkResults when done.
import * as bodyPix from '/js/index.js';
import { FLAVOURS, unsupportedReason } from '/js/engine.js';
import { median, p90 } from './stats.js';
import {
  DEFAULT_VARIANT, fillVariantSelect, formatMs, gpuInfo, loadImage, modelUrl, photoCanvas, siteConfig, variantById,
} from './site.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const site = await siteConfig();
const supported = bodyPix.supportedFlavours();
const METHODS = ['segmentPerson', 'segmentPersonParts'];
const TFJS_WASM_FILES = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

// The peer: body-pix 2.2.1 on TF.js's own Wasm backend.
async function loadTfjsWasm(modelConfig) {
  const tf = await import('@tensorflow/tfjs-core');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const bodyPixRef = await import('@tensorflow-models/body-pix');
  setWasmPaths(TFJS_WASM_FILES);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its Wasm backend');
  const net = await bodyPixRef.load(modelConfig);
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  net.backend = `tfjs-wasm (${[simd && 'simd', threads && 'threads'].filter(Boolean).join(' + ') || 'baseline'})`;
  return net;
}

// Every backend the page knows: {id, label, load(modelConfig), why it cannot run}.
const BACKENDS = [
  ...FLAVOURS.map((flavour) => ({
    id: `wasm-${flavour}`,
    label: `bodypix-wasm ${flavour}`,
    short: `wasm ${flavour}`,
    unavailable: supported.includes(flavour) ? null
      : `this page cannot run it (${unsupportedReason(flavour)})`,
    load: (c) => bodyPix.load({ ...c, backend: 'wasm', flavour, worker: $('worker').checked }),
  })),
  {
    id: 'webgl', label: 'WebGL (body-pix on TF.js WebGL)', short: 'webgl (TF.js)', unavailable: null,
    load: async (c) => {
      const net = await bodyPix.load({ ...c, backend: 'webgl' });
      if (net.backend !== 'webgl') {
        net.dispose();
        throw new Error(`this build has no WebGL backend (load({backend: 'webgl'}) ran ${net.backend})`);
      }
      return net;
    },
  },
  {
    id: 'tfjs-wasm', label: 'body-pix 2.2.1 on tfjs-backend-wasm (peer)', short: 'tfjs-wasm (peer)', unavailable: null,
    load: loadTfjsWasm,
  },
];

// ---- settings ----
fillVariantSelect($('variant'), site, params.get('model') ?? DEFAULT_VARIANT);
$('resolution').value = params.get('internalResolution') ?? 'medium';
$('runs').value = params.get('runs') ?? '10';
$('warmups').value = params.get('warmups') ?? '5';
$('worker').checked = params.get('worker') === '1';
const wanted = params.get('backends')?.split(',');
$('backends').replaceChildren(...BACKENDS.map((b) => {
  const label = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: b.id });
  box.checked = !b.unavailable && (!wanted || wanted.includes(b.id));
  box.disabled = !!b.unavailable;
  label.className = b.unavailable ? 'disabled' : '';
  label.title = b.unavailable ?? '';
  label.append(box, `${b.label}${b.unavailable ? ' (cannot run here)' : ''}`);
  return label;
}));

const DEFAULT_PHOTO = /^three-people-office/;
const wantedPhotos = params.get('photos')?.split(',');
$('photos').replaceChildren(...site.samples.map((s, i) => {
  const label = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: s.name });
  box.checked = wantedPhotos ? wantedPhotos.includes(s.name)
    : DEFAULT_PHOTO.test(s.name) || (i === 0 && !site.samples.some((x) => DEFAULT_PHOTO.test(x.name)));
  label.append(box, s.name);
  return label;
}));
if (!site.samples.length) {
  $('photos').textContent = 'No sample photos are served: the run uses a synthetic 640x480 image.';
}

const checked = (id) => [...$(id).querySelectorAll('input:checked')].map((i) => i.value);

// ---- environment ----
const gpu = gpuInfo();
const environment = {
  userAgent: navigator.userAgent,
  hardwareConcurrency: navigator.hardwareConcurrency,
  crossOriginIsolated,
  supportedFlavours: supported,
  gpuRenderer: gpu.renderer,
  gpuVendor: gpu.vendor,
  softwareRenderer: gpu.software,
};
function showEnvironment() {
  const rows = [
    ['GPU renderer', gpu.software
      ? `${gpu.renderer} (software rendering: WebGL times here say nothing about GPUs)` : gpu.renderer],
    ['Wasm flavours', supported.join(', ')],
    ['Cross-origin isolated', crossOriginIsolated ? 'yes (threads available)' : 'no (no threads)'],
    ['CPU cores', String(navigator.hardwareConcurrency)],
    ['Browser', navigator.userAgent],
  ];
  $('env').replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    if (k === 'GPU renderer' && gpu.software) dd.innerHTML = `<span class="pill bad">software</span> ${dd.innerHTML}`;
    return [dt, dd];
  }));
}
showEnvironment();

// ---- measuring ----
const round = (v) => Math.round(v * 100) / 100;
const breath = () => new Promise((resolve) => setTimeout(resolve, 0));

function foreground(method, result) {
  let n = 0;
  for (const v of result.data) n += method === 'segmentPerson' ? v === 1 : v >= 0;
  return n;
}

async function photosToRun() {
  const names = checked('photos');
  if (names.length) {
    return Promise.all(site.samples.filter((s) => names.includes(s.name)).map(async (s) => ({
      name: s.name, canvas: photoCanvas(await loadImage(s.url), 4096),
    })));
  }
  const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
  const ctx = canvas.getContext('2d');
  const g = ctx.createLinearGradient(0, 0, 640, 480);
  g.addColorStop(0, '#345');
  g.addColorStop(1, '#dcb');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 640, 480);
  return [{ name: 'synthetic-640x480', canvas }];
}

// Where a cold start went, as segments in sequence (keys in that order).
// Our Wasm load() says when its phases ended (the engine's start and the
// download overlap, so they are one segment); the other backends, and a build
// without loadTimings, only have load() and the first call. This page's clock
// ends both, so the segments add up to coldMs; in a Web Worker the worker's
// start-up comes first but lands in restOfLoad, as the worker's clock misses it.
function coldPhases(timings, loadMs, coldMs) {
  const { engine, modelBytes, decode, build } = timings ?? {};
  const ends = [engine, modelBytes, decode, build].every(Number.isFinite)
    ? [['engineAndDownload', Math.max(engine, modelBytes)], ['decode', decode], ['poolAndBuild', build],
      ['restOfLoad', loadMs]]
    : [['load', loadMs]];
  const phases = {};
  let at = 0;
  for (const [key, end] of [...ends, ['firstCall', coldMs]]) {
    // Clamped so that no segment is negative and load()'s stay within it,
    // whatever a backend reports.
    const next = Math.max(at, Math.min(end, key === 'firstCall' ? coldMs : loadMs));
    phases[key] = round(round(next) - round(at));
    at = next;
  }
  return phases;
}

// One backend and method: a fresh model, its first mask (cold), then N timed
// calls per photo after W untimed ones (at least one on each further photo,
// whose new size the first call pays for).
async function measure(backend, method, photos, modelConfig, segConfig, { runs, warmups }, progress) {
  const entry = { backend: backend.id, label: backend.label, short: backend.short, method };
  let net;
  try {
    const started = performance.now();
    net = await backend.load(modelConfig);
    const loaded = performance.now();
    const first = await net[method](photos[0].canvas, segConfig);
    const done = performance.now();
    entry.coldMs = round(done - started);
    entry.coldPhases = coldPhases(net.loadTimings, loaded - started, done - started);
    entry.backendRun = net.backend;
    entry.photos = [];
    for (const [i, photo] of photos.entries()) {
      let result = first;
      for (let w = 0; w < Math.max(warmups, i > 0 ? 1 : 0); w++) {
        progress(`${backend.label}: ${method}, ${photo.name}, untimed ${w + 1}`);
        result = await net[method](photo.canvas, segConfig);
      }
      const times = [];
      for (let r = 0; r < runs; r++) {
        progress(`${backend.label}: ${method}, ${photo.name}, warm ${r + 1}/${runs}`);
        await breath();
        const t0 = performance.now();
        result = await net[method](photo.canvas, segConfig);
        times.push(performance.now() - t0);
      }
      entry.photos.push({
        photo: photo.name, width: photo.canvas.width, height: photo.canvas.height,
        warmMedianMs: round(median(times)), warmP90Ms: round(p90(times)), runsMs: times.map(round),
        foregroundPixels: foreground(method, result),
      });
    }
    const all = entry.photos.flatMap((p) => p.runsMs);
    entry.warmMedianMs = round(median(all));
    entry.warmP90Ms = round(p90(all));
  } catch (e) {
    entry.error = e?.message ?? String(e);
    delete entry.photos;
  } finally {
    try {
      net?.dispose();
    } catch { /* a model that failed half-way may not dispose cleanly; its error is recorded */ }
  }
  return entry;
}

async function run() {
  $('run').disabled = true;
  $('download').disabled = true;
  setState('running', 'busy');
  window.benchmarkResults = undefined;
  const variant = variantById($('variant').value) ?? variantById(DEFAULT_VARIANT);
  const { architecture, outputStride, multiplier, quantBytes } = variant;
  const modelConfig = { architecture, outputStride, multiplier, quantBytes, modelUrl: modelUrl(site, variant) };
  const segConfig = { internalResolution: $('resolution').value };
  const runs = Math.max(1, Math.min(200, Math.round(Number($('runs').value) || 10)));
  const warmups = Math.max(0, Math.min(50, Math.round(Number($('warmups').value) || 0)));
  const backends = BACKENDS.filter((b) => checked('backends').includes(b.id));
  const photos = await photosToRun();
  const results = {
    date: new Date().toISOString(),
    settings: {
      model: variant.id, modelUrl: modelConfig.modelUrl, ...segConfig, runs, warmups,
      workerForWasm: $('worker').checked,
      photos: photos.map((p) => ({ name: p.name, width: p.canvas.width, height: p.canvas.height })),
    },
    environment,
    results: [],
  };
  const started = performance.now();
  for (const backend of backends) {
    for (const method of METHODS) {
      results.results.push(await measure(backend, method, photos, modelConfig, segConfig, { runs, warmups },
        (text) => { $('progress').textContent = text; }));
      showResults(results);
    }
  }
  results.totalMs = round(performance.now() - started);
  $('progress').textContent = `done in ${(results.totalMs / 1000).toFixed(1)} s`;
  const failed = results.results.some((r) => r.error);
  setState(failed ? 'done, with failures' : 'done', failed ? 'bad' : '');
  lastResults = results;
  $('download').disabled = false;
  $('run').disabled = false;
  window.benchmarkResults = results;
}

function setState(text, kind = '') {
  $('state').textContent = text;
  $('state').className = `pill ${kind}`;
}

// ---- showing ----
let lastResults = null;
const charts = {};

function cell(text, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  td.className = className;
  return td;
}

// The photo's name, with its size unless the name says it already.
function photoLabel({ photo, width, height }) {
  const name = photo.replace(/\.\w+$/, '');
  return name.includes(`${width}x${height}`) ? name : `${name} (${width}x${height})`;
}

function showResults({ results }) {
  const rows = [];
  for (const r of results) {
    if (r.error) {
      const tr = document.createElement('tr');
      tr.append(cell(r.short), cell(r.method), cell('–'), cell(`failed: ${r.error}`, 'error'));
      tr.firstChild.title = r.label;
      tr.lastChild.colSpan = 4;
      rows.push(tr);
      continue;
    }
    r.photos.forEach((p, i) => {
      const tr = document.createElement('tr');
      const name = cell(i ? '' : r.short);
      name.title = r.label;
      if (!i && r.backendRun && r.backendRun !== r.backend) {
        const detail = document.createElement('div');
        detail.className = 'small muted';
        detail.textContent = r.backendRun;
        name.append(detail);
      }
      tr.append(name, cell(i ? '' : r.method), cell(photoLabel(p)),
        cell(i ? '' : formatMs(r.coldMs), 'num'), cell(formatMs(p.warmMedianMs), 'num'),
        cell(formatMs(p.warmP90Ms), 'num'), cell(p.foregroundPixels.toLocaleString('en'), 'num'));
      rows.push(tr);
    });
  }
  $('table').tBodies[0].replaceChildren(...rows);
  $('chart-note').hidden = !results.some((r) => r.error);
  drawCharts(results);
}

// A log axis starting a power of ten below the smallest bar (bars grow from
// the axis's start, so one starting at the smallest value would be empty).
const logAxis = (values) => ({
  type: 'logarithmic',
  min: 10 ** Math.floor(Math.log10(Math.min(...values))),
  ticks: { maxRotation: 0, autoSkipPadding: 12 },
  title: { display: true, text: 'ms (log scale)' },
});

const COLORS = { segmentPerson: '#4b3fd1', segmentPersonParts: '#2bb3a3' };
const PHASES = {
  engineAndDownload: ['engine + download', '#a39cf0'],
  decode: ['decode', '#7b71e3'],
  poolAndBuild: ['pool wait + build', '#4b3fd1'],
  restOfLoad: ['rest of load()', '#2c2488'],
  load: ['load()', '#7d86a0'],
  firstCall: ['first call', '#2bb3a3'],
};

async function drawCharts(results) {
  let Chart;
  try {
    ({ Chart } = await import('./bar-chart.js'));
  } catch (e) {
    $('chart-warm').replaceWith(`The chart library did not load: ${e.message}`);
    return;
  }
  const labels = [...new Set(results.map((r) => r.short))];
  const dataset = (method, key) => ({
    label: method,
    backgroundColor: COLORS[method],
    data: labels.map((l) => results.find((r) => r.short === l && r.method === method)?.[key] ?? null),
  });
  for (const [id, key] of [['chart-warm', 'warmMedianMs'], ['chart-cold', 'coldMs']]) {
    const data = { labels, datasets: METHODS.map((m) => dataset(m, key)) };
    // Software WebGL can be 30x slower than the rest: a log axis keeps every bar readable.
    const values = data.datasets.flatMap((d) => d.data).filter((v) => v > 0);
    const log = values.length > 1 && Math.max(...values) / Math.min(...values) > 10;
    charts[id]?.destroy();
    charts[id] = new Chart($(id), {
      type: 'bar',
      data,
      options: {
        maintainAspectRatio: false,
        animation: false,
        indexAxis: 'y',
        scales: { x: log ? logAxis(values) : { beginAtZero: true, title: { display: true, text: 'ms' } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }
  drawPhases(Chart, results);
}

// One stacked bar per backend: its first cold start that worked, the one
// that pays for the module's start-up (a linear axis, so lengths compare).
function drawPhases(Chart, results) {
  const firsts = [];
  for (const r of results) if (r.coldPhases && !firsts.some((f) => f.short === r.short)) firsts.push(r);
  const keys = Object.keys(PHASES).filter((k) => firsts.some((r) => k in r.coldPhases));
  charts.phases?.destroy();
  charts.phases = new Chart($('chart-phases'), {
    type: 'bar',
    data: {
      labels: firsts.map((r) => r.short),
      datasets: keys.map((k) => ({
        label: PHASES[k][0], backgroundColor: PHASES[k][1], data: firsts.map((r) => r.coldPhases[k] ?? null),
      })),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      indexAxis: 'y',
      scales: {
        x: { stacked: true, beginAtZero: true, title: { display: true, text: 'ms' } },
        y: { stacked: true },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

$('run').addEventListener('click', run);
$('download').addEventListener('click', () => {
  const blob = new Blob([JSON.stringify(lastResults, null, 2)], { type: 'application/json' });
  const a = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob), download: `bodypix-benchmark-${lastResults.date.replace(/[:.]/g, '-')}.json`,
  });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

if (params.get('auto') === '1') run();
