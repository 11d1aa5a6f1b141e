#!/usr/bin/env node
// Benchmark, not a test: runs web/benchmark.html?auto=1 in headless Chromium
// (Debian's, through playwright-core) on the npm start site and prints its
// results with each time as a ratio of body-pix on tfjs-backend-wasm, the
// peer measured in the same run. Each backend runs in a page of its own, in
// a fresh browser context: in one page a backend's cold start would find
// the JS, HTTP cache and model files that the backends before it warmed
// (TF.js's WebGL and Wasm backends share tfjs-core and body-pix). Arguments
// are the page's URL settings, e.g. runs=10 model=mobilenet-75-q2-s16
// worker=1 backends=wasm-simd,tfjs-wasm, and colds=N: N fresh contexts per
// backend, taken in turn (default 7); cold and warm are then medians over
// them, and the cold column shows their range. A table per photo of photos=
// (default: a 513x513 and a 1049x861 one; a bigger photo hides fixed
// costs), for a cold start is one photo's. Each page opens once the
// browser, which a fresh context gives a new window, is quiet again.
// Then a first-time visitor's whole wait, navigation -> first mask, on a page
// that does nothing else (web/first-mask.html against first-mask-tfjs.html,
// body-pix on tfjs-wasm with its scripts), colds times each in turn, for
// each of the photos.
// firstmask=0 skips it; firstmask=only runs nothing else; mbps=N throttles
// its pages' network to N Mbit/s (a first visit over a real link, where the
// engine's start overlaps the download); against=<folder> adds our page
// with another build in turn (the folder holds its bodypix-wasm.js and
// engine files, e.g. a copy of dist/ from before a change).
//   node scripts/bench-browser.mjs [key=value ...]
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { serveSite } from './start.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/support/browser.mjs';
import { repoRoot, sharedDir } from '../tests/support/shared.mjs';
import { median } from '../web/stats.js';

const PEER = 'tfjs-wasm';
const query = new URLSearchParams([['auto', '1'], ...process.argv.slice(2).map((a) => a.split('=', 2))]);
const colds = Number(query.get('colds') ?? 7);
query.delete('colds');
const firstMaskMode = query.get('firstmask') ?? '1';
query.delete('firstmask');
const mbps = query.has('mbps') ? Number(query.get('mbps')) : null;
query.delete('mbps');
const against = query.get('against');
query.delete('against');
if (against && !fs.existsSync(path.join(against, 'bodypix-wasm.js'))) {
  throw new Error(`against=${against} has no bodypix-wasm.js: give a folder holding another build's dist/ files`);
}
if (mbps !== null && !(mbps > 0)) throw new Error(`mbps must be a positive number of Mbit/s, not ${query.get('mbps')}`);
const photos = query.get('photos')?.split(',') ?? ['tennis-player-and-crowd-513x513.jpg', 'three-people-office-1049x861.jpg'];
query.delete('photos');
// Each page in turn: its file and its query beyond the photo.
const FIRST_MASK_PAGES = {
  ours: ['first-mask.html', {}],
  ...(against ? { against: ['first-mask.html', { engine: '/against/' }] } : {}),
  [PEER]: ['first-mask-tfjs.html', {}],
};
if (!Number.isInteger(colds) || colds < 1) throw new Error(`colds must be a whole number of runs, not ${colds}`);
const models = path.join(sharedDir, 'models');
const site = await serveSite({
  models: fs.existsSync(models) ? models : null, shared: sharedDir,
  extraMounts: against ? { '/against': path.resolve(against) } : {},
});
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
// What a page sets window[name] to when it is done. The page polls for it
// itself: Playwright's waitForFunction would first inject its ~300 KB
// script, which landed on our first-mask page's thread while the engine
// started (navigation -> first mask 364 vs 323 ms, 12 contexts each; the
// peer's page, with idle time there, 609 vs 605).
async function pageResult(page, name, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${page.url()} set no window.${name} in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const done = page.evaluate((key) => new Promise((resolve) => {
    const poll = () => (window[key] ? resolve(window[key]) : setTimeout(poll, 50));
    poll();
  }), name);
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// A fresh context opens a browser window, whose own pages (the omnibox
// popups are WebUI pages) take the cores for about half a second: a page
// loaded meanwhile shares them (navigation -> first mask at 513x513, ours
// 319 vs 216 ms, body-pix on tfjs-wasm's 649 vs 432, with their ranges
// three times as wide). Each page waits until the browser has been quiet
// for a moment, as a visitor's is when they open a link.
const browserCdp = await browser.newBrowserCDPSession();
async function newQuietPage(context) {
  const page = await context.newPage();
  const cpu = async () => (await browserCdp.send('SystemInfo.getProcessInfo')).processInfo
    .reduce((sum, p) => sum + p.cpuTime, 0);
  let last = await cpu();
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 10_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await cpu();
    quiet = now - last < 0.02 ? quiet + 1 : 0;
    last = now;
  }
  return page;
}

// The page's results for one backend, run in a fresh context.
async function runPage(backend, photo) {
  const context = await browser.newContext();
  try {
    const page = await newQuietPage(context);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    const q = new URLSearchParams(query);
    q.set('backends', backend);
    q.set('photos', photo);
    await page.goto(`${site.url}benchmark.html?${q}`);
    return await pageResult(page, 'benchmarkResults', 1_800_000);
  } finally {
    await context.close();
  }
}

// One entry per backend and method: medians over the fresh contexts (the
// first error, if any run failed).
function combine(entries) {
  const groups = new Map();
  for (const e of entries) {
    const key = `${e.backend}/${e.method}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((group) => {
    const failed = group.find((e) => e.error);
    if (failed || group.length === 1) return failed ?? group[0];
    const colds = group.map((e) => e.coldMs);
    return {
      ...group[0],
      coldMs: median(colds),
      coldRangeMs: [Math.min(...colds), Math.max(...colds)],
      coldsMs: colds,
      warmMedianMs: median(group.map((e) => e.warmMedianMs)),
      warmP90Ms: median(group.map((e) => e.warmP90Ms)),
      // Per phase: the medians need not add up to the median cold time.
      coldPhases: group[0].coldPhases && Object.fromEntries(Object.keys(group[0].coldPhases)
        .map((k) => [k, median(group.map((e) => e.coldPhases?.[k] ?? 0))])),
    };
  });
}

// window.firstMask of one first-mask page in a fresh context.
async function firstMask([file, extra], photo) {
  const context = await browser.newContext();
  try {
    const page = await newQuietPage(context);
    if (mbps) {
      // Chromium's own throttling, as DevTools applies it: every file of
      // the page comes through a link of this speed and 20 ms latency.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 20, downloadThroughput: (mbps * 1e6) / 8, uploadThroughput: (mbps * 1e6) / 8,
      });
    }
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    const q = new URLSearchParams({ photo, ...extra });
    if (query.get('flavour')) q.set('flavour', query.get('flavour'));
    await page.goto(`${site.url}${file}?${q}`);
    const result = await pageResult(page, 'firstMask', 300_000);
    if (result.error) throw new Error(`${file}: ${result.error}`);
    return result;
  } finally {
    await context.close();
  }
}

async function firstMaskTable() {
  const link = mbps ? `, network throttled to ${mbps} Mbit/s` : '';
  console.log(`navigation -> first mask, ${colds} fresh context(s) each, in turn, once the browser is quiet${link} ` +
    '(ms: median (range); phases: medians)');
  console.log('| page | photo | navigation -> first mask | import | load | first call | vs peer |');
  console.log('|---|---|---|---|---|---|---|');
  const phaseLines = [];
  for (const photo of photos) {
    const runs = Object.fromEntries(Object.keys(FIRST_MASK_PAGES).map((k) => [k, []]));
    for (let i = 0; i < colds; i++) {
      for (const [key, page] of Object.entries(FIRST_MASK_PAGES)) runs[key].push(await firstMask(page, photo));
    }
    const total = (key) => median(runs[key].map((r) => r.marks.mask));
    for (const [key, list] of Object.entries(runs)) {
      const phase = (from, to) => Math.round(median(list.map((r) => r.marks[to] - r.marks[from])));
      const masks = list.map((r) => r.marks.mask);
      const name = key === 'against' ? `${list[0].backend} (${against})` : list[0].backend;
      console.log(`| ${name} | ${list[0].photo} | ${Math.round(total(key))} (${Math.round(Math.min(...masks))}-` +
        `${Math.round(Math.max(...masks))}) | ${phase('start', 'imported')} | ${phase('imported', 'loaded')} | ` +
        `${phase('loaded', 'mask')} | ${(total(key) / total(PEER)).toFixed(2)}x |`);
    }
    phaseLines.push(ourPhases(runs.ours));
    if (against) phaseLines.push(`  ${against}: ${ourPhases(runs.against)}`);
  }
  console.log(`\nwhere our cold start went (medians; load() phases end at ms since load() began, overlapping):`);
  for (const line of phaseLines) console.log(line);
}

// One line of load() and first-call phases, medians over the runs.
function ourPhases(list) {
  const { photo, loadTimings, firstCallPhases } = list[0];
  const med = (pick) => Math.round(median(list.map(pick)));
  const load = Object.keys(loadTimings).map((k) => `${k} ${med((r) => r.loadTimings[k])}`);
  const call = Object.keys(firstCallPhases).map((k) => `${k} ${med((r) => r.firstCallPhases[k])}`);
  return `${photo}: load() [${load.join(', ')}]; first call [${call.join(', ')}]`;
}

// The benchmark page's results for every backend on one photo, as ratios of
// the peer's.
async function benchmarkTable(photo) {
  // The backends the page would run with these settings (those it can run).
  const listing = await browser.newPage();
  const q = new URLSearchParams(query);
  q.delete('auto');
  await listing.goto(`${site.url}benchmark.html?${q}`);
  await listing.waitForSelector('#backends input');
  const backends = await listing.$$eval('#backends input:checked', (boxes) => boxes.map((b) => b.value));
  await listing.close();
  if (!backends.length) throw new Error(`no backend to run: backends=${q.get('backends')} names none this page can run`);
  const runs = [];
  for (let i = 0; i < colds; i++) {
    for (const backend of backends) runs.push(await runPage(backend, photo));
  }
  const { date, settings, environment } = runs[0];
  const results = combine(runs.flatMap((r) => r.results));
  settings.freshContextPerBackend = true;
  settings.quietBrowser = true;
  settings.colds = colds;
  const table = { date, settings, environment, results };

  console.log(`${date}, ${settings.model}, internalResolution ${settings.internalResolution}, ` +
    `${settings.runs} warm runs after ${settings.warmups} untimed, photos ${settings.photos.map((p) => `${p.width}x${p.height}`).join(', ')}`);
  console.log(`GPU renderer: ${environment.gpuRenderer ?? environment.renderer ?? JSON.stringify(environment)}`);
  const fmt = (x) => (x == null ? '-' : `${Math.round(x)} ms`);
  const ratio = (x, peer) => (x == null || peer == null ? '' : `${(x / peer).toFixed(2)}x`);
  console.log('| backend | method | cold | warm median | warm p90 | cold vs peer | warm vs peer |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const peer = results.find((p) => p.backend === PEER && p.method === r.method && !p.error);
    const range = r.coldRangeMs ? ` (${r.coldRangeMs.map(Math.round).join('-')})` : '';
    const cells = r.error
      ? [`fails: ${r.error}`, '', '', '', '']
      : [fmt(r.coldMs) + range, fmt(r.warmMedianMs), fmt(r.warmP90Ms), ratio(r.coldMs, peer?.coldMs), ratio(r.warmMedianMs, peer?.warmMedianMs)];
    console.log(`| ${r.backendRun ?? r.backend} | ${r.method} | ${cells.join(' | ')} |`);
  }
  return table;
}

try {
  if (firstMaskMode !== 'only') {
    const tables = [];
    for (const photo of photos) {
      tables.push(await benchmarkTable(photo));
      console.log();
    }
    const out = path.join(repoRoot, 'test-output', 'benchmark-browser.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(tables, null, 2));
    console.log(`(all results, a table per photo: ${path.relative(process.cwd(), out)})\n`);
  }
  if (firstMaskMode !== '0') await firstMaskTable();
} finally {
  await browser.close();
  await site.close();
}
