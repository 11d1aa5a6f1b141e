// load() over a network that misbehaves (tests/support/fault-server.mjs), in
// Chromium, on the page thread and in worker mode: an AbortSignal ends it at
// once, a stall ends it by itself, transient failures are retried, each
// Error names the URL and what happened; and with cacheModel the Cache API
// never keeps a broken model, and heals when one got there.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OFFICIAL_BASE_URL } from '../../models/variants.js';
import { launchBrowser, openPage, startServer } from '../support/browser.mjs';
import { startFaultServer } from '../support/fault-server.mjs';
import { requireShared } from '../support/shared.mjs';

const FOLDER = '/mobilenet/quant1/050/';
const JSON_PATH = `${FOLDER}model-stride16.json`;
const SHARD = `${FOLDER}group1-shard1of1.bin`;
const SIZES = { [JSON_PATH]: 54655, [SHARD]: 604960 };
// Short waits, so the suite stays fast: the defaults are 30 s and 500 ms.
const CONFIG = { multiplier: 0.5, quantBytes: 1, flavour: 'simd', stallTimeout: 1000, retryDelay: 20 };
const CACHE = 'bodypix-wasm-models';

async function setUp(t) {
  if (!requireShared(t, `models/bodypix${SHARD}`)) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const server = await startServer(t);
  const faults = await startFaultServer(t);
  const { page, errors } = await openPage(t, browser, `${server.url}tests/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harnessReady);
  // The official URLs, answered by the fault server: there is no network here.
  await page.context().route(`${OFFICIAL_BASE_URL}**`, async (route) => {
    const answer = await fetch(route.request().url().replace(OFFICIAL_BASE_URL, `${faults.url}/`));
    await route.fulfill({
      status: answer.status,
      headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
      body: Buffer.from(await answer.arrayBuffer()),
    });
  });
  // load(config) in the page, timed. abortAfter: ms after which the signal
  // fires (-1: before load() starts).
  const run = (config) => page.evaluate(async ({ abortAfter, ...config }) => {
    const controller = new AbortController();
    let abortedAt;
    const abort = () => {
      abortedAt = performance.now();
      controller.abort();
    };
    if (abortAfter === -1) abort();
    else if (abortAfter != null) setTimeout(abort, abortAfter);
    const start = performance.now();
    try {
      const net = await harness.bodyPix.load({ ...config, ...(abortAfter != null && { signal: controller.signal }) });
      net.dispose();
      return { loaded: true, ms: performance.now() - start };
    } catch (e) {
      const end = performance.now();
      return { isError: e instanceof Error, name: e.name, message: e.message, ms: end - start, afterAbort: end - abortedAt };
    }
  }, config);
  // What the cache holds: {URL path: bytes}.
  const cached = () => page.evaluate(async (name) => {
    const cache = await caches.open(name);
    const entries = await Promise.all((await cache.keys()).map(async (request) =>
      [new URL(request.url).pathname, (await (await cache.match(request)).arrayBuffer()).byteLength]));
    return Object.fromEntries(entries);
  }, CACHE);
  const clearCache = () => page.evaluate((name) => caches.delete(name), CACHE);
  return { page, errors, faults, run, cached, clearCache, modelUrl: faults.url + JSON_PATH, shardUrl: faults.url + SHARD };
}

function assertError(r, name, pattern) {
  assert.ok(r.isError, `expected an Error, got ${JSON.stringify(r)}`);
  assert.equal(r.name, name);
  assert.match(r.message, pattern);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const worker of [false, true]) {
  const mode = worker ? 'worker' : 'page thread';

  test(`${mode}: an AbortSignal ends a stalled download and load() at once; one already aborted rejects at once`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const config = { ...CONFIG, worker, modelUrl: s.modelUrl };
    s.faults.fault(SHARD, { stall: 1024 });
    const r = await s.run({ ...config, stallTimeout: 10000, abortAfter: 500 });
    assertError(r, 'AbortError', new RegExp(`^load\\(\\) was aborted by its signal while loading ${escape(s.modelUrl)}$`));
    assert.ok(r.afterAbort < 250, `load() answered ${r.afterAbort} ms after the abort`);
    // The download itself ended too (in worker mode: the worker's).
    assert.equal((await s.faults.ended(SHARD, 1000)).length, 1, 'the stalled connection was closed');
    t.diagnostic(`stall + abort at 500 ms: AbortError ${r.afterAbort.toFixed(0)} ms after the abort`);

    s.faults.fault(SHARD, {});
    s.faults.fault(JSON_PATH, {});
    const early = await s.run({ ...config, abortAfter: -1 });
    assertError(early, 'AbortError', /^load\(\) was aborted by its signal/);
    assert.ok(early.ms < 50, `${early.ms} ms`);
    assert.equal(s.faults.requests(JSON_PATH), 0, 'nothing is fetched');
    assert.deepEqual(s.errors.filter((e) => e.startsWith('page:')), []);
  });

  test(`${mode}: a stall fails by itself; transient failures are retried, 4xx are not`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const config = { ...CONFIG, worker, modelUrl: s.modelUrl };
    const shard = escape(s.shardUrl);
    const rows = [
      { name: 'stall after 1 KiB', fault: { stall: 1024 }, requests: 1, error: /the download stalled, no data for 1 s after 1024 bytes$/ },
      { name: 'HTTP 500 twice', fault: { status: 500, times: 2 }, requests: 3 },
      { name: 'HTTP 500 always', fault: { status: 500 }, requests: 3, error: /HTTP 500 Internal Server Error; gave up after 3 attempts$/ },
      { name: 'HTTP 404', fault: { status: 404 }, requests: 1, error: /HTTP 404 Not Found$/ },
      { name: 'connection cut once', fault: { cut: 65536, times: 1 }, requests: 2 },
      // Chromium may fail the whole request when the body breaks early on.
      {
        name: 'connection cut always', fault: { cut: 65536 }, requests: 3,
        error: /the connection (was interrupted after \d+ bytes|failed before any data came) \(.+\); gave up after 3 attempts$/,
      },
    ];
    for (const row of rows) {
      s.faults.fault(SHARD, row.fault);
      const r = await s.run(config);
      assert.equal(s.faults.requests(SHARD), row.requests, row.name);
      if (row.error) assertError(r, 'Error', new RegExp(`^cannot fetch ${shard}: ${row.error.source}`));
      else assert.ok(r.loaded, `${row.name}: ${r.message}`);
      t.diagnostic(`${row.name}: ${r.loaded ? 'loaded' : r.message.slice(r.message.indexOf(SHARD) + SHARD.length + 2)}, ${r.ms.toFixed(0)} ms`);
      if (row.name.startsWith('stall')) assert.ok(r.ms >= 1000 && r.ms < 2500, `${r.ms} ms`);
    }
    s.faults.fault(SHARD, {});
    s.faults.fault(JSON_PATH, { html: true });
    assertError(await s.run(config), 'Error', new RegExp(`^${escape(s.modelUrl)} is not a model\\.json file: `));
    const badSignal = await s.page.evaluate((c) => harness.failure(harness.bodyPix.load({ ...c, signal: new AbortController() })), config);
    assert.equal(badSignal, 'Error: signal must be an AbortSignal (an AbortController\'s .signal), not AbortController');
    assertError(await s.run({ ...config, stallTimeout: 0 }), 'Error', /^stallTimeout must be a number of milliseconds/);
    assert.deepEqual(s.errors.filter((e) => e.startsWith('page:')), []);
  });

  test(`${mode}: the Cache API keeps whole models only, and a bad cached model heals`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const config = { ...CONFIG, worker, modelUrl: s.modelUrl, cacheModel: true };
    // A body cut short without a Content-Length: only the engine can tell.
    s.faults.fault(SHARD, { short: 4096, times: 1 });
    const first = await s.run(config);
    assertError(first, 'Error', /needs bytes \d+\.\.\d+ of its shards, but they hold only 4096 bytes \(missing or truncated shard\?\)/);
    assert.deepEqual(await s.cached(), {}, 'nothing of a model the engine refused is kept');
    const second = await s.run(config);
    assert.ok(second.loaded, second.message);
    assert.deepEqual(await s.cached(), SIZES, 'the healthy load keeps the whole files');
    t.diagnostic(`short shard: "${first.message}" in ${first.ms.toFixed(0)} ms; then loaded in ${second.ms.toFixed(0)} ms`);

    // A cache poisoned by an older version, which kept what it fetched as it came.
    await s.page.evaluate(async ({ name, shardUrl }) => {
      const cache = await caches.open(name);
      await cache.put(shardUrl, new Response((await (await cache.match(shardUrl)).arrayBuffer()).slice(0, 4096)));
    }, { name: CACHE, shardUrl: s.shardUrl });
    s.faults.fault(SHARD, {});
    s.faults.fault(JSON_PATH, {});
    const healed = await s.run(config);
    assert.ok(healed.loaded, healed.message);
    assert.equal(s.faults.requests(SHARD), 1, 'the bad cached shard is fetched again');
    assert.equal(s.faults.requests(JSON_PATH), 1, 'and the model.json read with it');
    assert.deepEqual(await s.cached(), SIZES);
    t.diagnostic(`poisoned cache: healed, loaded in ${healed.ms.toFixed(0)} ms`);
    const again = await s.run(config);
    assert.ok(again.loaded);
    assert.equal(s.faults.requests(SHARD), 1, 'later loads come from the cache');

    // A load that fails on the network keeps nothing either.
    await s.clearCache();
    s.faults.fault(SHARD, { cut: 65536 });
    assertError(await s.run(config), 'Error', /the connection (was interrupted|failed)/);
    assert.deepEqual(await s.cached(), {});
    assert.deepEqual(s.errors.filter((e) => e.startsWith('page:')), []);
  });

  test(`${mode}: official files must have their published SHA-256, in the cache too`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const config = { ...CONFIG, worker, cacheModel: true };
    const official = (p) => `${OFFICIAL_BASE_URL}${p.slice(1)}`;
    const altered = new Uint8Array(await (await fetch(s.shardUrl)).arrayBuffer());
    altered[1000] ^= 1;
    s.faults.fault(SHARD, { bytes: altered, times: 1 });
    const bad = await s.run(config);
    assertError(bad, 'Error', new RegExp(`^${escape(official(SHARD))} is not the official file: its SHA-256 is [0-9a-f]{64}, ` +
      'the published one is 839ea607[0-9a-f]{56} \\(cut short or altered on the way\\?\\)$'));
    assert.deepEqual(await s.cached(), {});
    const good = await s.run(config);
    assert.ok(good.loaded, good.message);
    const paths = (o) => Object.fromEntries(Object.entries(o).map(([p, n]) => [`/tfjs-models/savedmodel/bodypix${p}`, n]));
    assert.deepEqual(await s.cached(), paths(SIZES));

    // A cached official file with one bit changed (same length): dropped and fetched again.
    await s.page.evaluate(async ({ name, url, bytes }) => {
      await (await caches.open(name)).put(url, new Response(Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))));
    }, { name: CACHE, url: official(SHARD), bytes: Buffer.from(altered).toString('base64') });
    const healed = await s.run(config);
    assert.ok(healed.loaded, healed.message);
    assert.equal(s.faults.requests(SHARD), 3);
    assert.deepEqual(await s.cached(), paths(SIZES));
    assert.deepEqual(s.errors.filter((e) => e.startsWith('page:')), []);
  });
}
