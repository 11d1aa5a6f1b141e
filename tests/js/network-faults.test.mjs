// load() over a network that misbehaves (tests/support/fault-server.mjs), in
// Node: an AbortSignal ends it at once, a stall ends it by itself, transient
// failures are retried and the rest fail at once, each with an Error that
// names the URL and what happened; the official files are checked against
// their published SHA-256. tests/browser/network-faults.test.mjs covers the
// same in Chromium, where the Cache API comes in too.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { OFFICIAL_BASE_URL } from '../../models/variants.js';
import { startFaultServer } from '../support/fault-server.mjs';
import { requireShared } from '../support/shared.mjs';

const JSON_PATH = '/mobilenet/quant1/050/model-stride16.json';
const SHARD = '/mobilenet/quant1/050/group1-shard1of1.bin';
const SHARD_BYTES = 604960;
// Short waits, so the suite stays fast: the defaults are 30 s and 500 ms.
const CONFIG = { multiplier: 0.5, quantBytes: 1, flavour: 'simd', stallTimeout: 1000, retryDelay: 20 };

async function setUp(t) {
  if (!requireShared(t, `models/bodypix${SHARD}`)) return null;
  const server = await startFaultServer(t);
  return { server, modelUrl: server.url + JSON_PATH, shardUrl: server.url + SHARD };
}

// load()'s outcome and how long it took: {net} or {error}, and ms.
async function timed(config) {
  const start = performance.now();
  try {
    return { net: await bodyPix.load(config), ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

function assertError({ error }, name, pattern) {
  assert.ok(error instanceof Error, `expected an Error, got ${error}`);
  assert.equal(error.name, name);
  assert.match(error.message, pattern);
}

test('an AbortSignal ends a stalled download and load() at once; one already aborted rejects at once', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  s.server.fault(SHARD, { stall: 1024 });
  const controller = new AbortController();
  let abortedAt;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, 300);
  const r = await timed({ ...CONFIG, modelUrl: s.modelUrl, signal: controller.signal, stallTimeout: 10000 });
  const answer = performance.now() - abortedAt;
  assertError(r, 'AbortError', new RegExp(`^load\\(\\) was aborted by its signal while loading ${s.modelUrl}$`));
  assert.ok(answer < 200, `load() answered ${answer.toFixed(0)} ms after the abort`);
  const [ended] = await s.server.ended(SHARD, 1000);
  assert.ok(ended - abortedAt < 500, `the download's connection was closed ${ended - abortedAt} ms after the abort`);
  t.diagnostic(`stall + abort at 300 ms: AbortError ${answer.toFixed(0)} ms after the abort`);

  controller.abort();
  s.server.fault(SHARD, {});
  const early = await timed({ ...CONFIG, modelUrl: s.modelUrl, signal: controller.signal });
  assertError(early, 'AbortError', /^load\(\) was aborted by its signal/);
  assert.ok(early.ms < 50, `${early.ms} ms`);
  assert.equal(s.server.requests(JSON_PATH), 1, 'no request after the abort');

  // A signal that never fires changes nothing, and firing after load() does nothing.
  const later = new AbortController();
  const ok = await timed({ ...CONFIG, modelUrl: s.modelUrl, signal: later.signal });
  later.abort();
  assert.equal((await ok.net.predict({ data: new Uint8Array(4 * 33 * 33), width: 33, height: 33 })).inputSize.length, 2);
  ok.net.dispose();
});

test('a stalled download fails by itself after stallTimeout, naming the file and the wait', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  s.server.fault(SHARD, { stall: 1024 });
  const r = await timed({ ...CONFIG, modelUrl: s.modelUrl });
  assertError(r, 'Error', new RegExp(`^cannot fetch ${s.shardUrl}: the download stalled, no data for 1 s after 1024 bytes$`));
  assert.ok(r.ms >= 1000 && r.ms < 2500, `${r.ms} ms`);
  assert.equal(s.server.requests(SHARD), 1, 'a stall is not retried: the caller waited long enough');
  t.diagnostic(`stall, stallTimeout 1 s: ${r.ms.toFixed(0)} ms`);
});

test('transient failures are retried with backoff; 4xx and the rest are not', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const rows = [
    { name: 'HTTP 500 twice', fault: { status: 500, times: 2 }, requests: 3 },
    { name: 'HTTP 503 always', fault: { status: 503 }, requests: 3, error: /HTTP 503 Service Unavailable; gave up after 3 attempts$/ },
    { name: 'HTTP 404', fault: { status: 404 }, requests: 1, error: /HTTP 404 Not Found$/ },
    { name: 'HTTP 403, retries 0', fault: { status: 403 }, requests: 1, config: { retries: 0 }, error: /HTTP 403 Forbidden$/ },
    { name: 'HTTP 500, retries 0', fault: { status: 500 }, requests: 1, config: { retries: 0 }, error: /HTTP 500 Internal Server Error$/ },
    { name: 'connection cut once', fault: { cut: 65536, times: 1 }, requests: 2 },
    {
      name: 'connection cut always', fault: { cut: 65536 }, requests: 3,
      error: /the connection was interrupted after 65536 bytes \(terminated: other side closed\); gave up after 3 attempts$/,
    },
  ];
  for (const row of rows) {
    await t.test(row.name, async () => {
      s.server.fault(SHARD, row.fault);
      const progress = [];
      const r = await timed({ ...CONFIG, ...row.config, modelUrl: s.modelUrl, onProgress: (p) => progress.push(p.loaded) });
      assert.equal(s.server.requests(SHARD), row.requests);
      if (row.error) {
        assertError(r, 'Error', new RegExp(`^cannot fetch ${s.shardUrl}: ${row.error.source}`));
      } else {
        assert.ok(r.net, `loaded: ${r.error?.message}`);
        assert.equal(progress.at(-1), SHARD_BYTES, 'progress ends at the whole shard, a failed try taken back');
        r.net.dispose();
      }
      t.diagnostic(`${row.name}: ${r.error ? r.error.message.replace(/^.*?: /, '') : 'loaded'}, ${r.ms.toFixed(0)} ms`);
    });
  }
  // Backoff: retryDelay, then twice that.
  s.server.fault(SHARD, { status: 500 });
  const slow = await timed({ ...CONFIG, retryDelay: 200, modelUrl: s.modelUrl });
  assert.ok(slow.ms >= 600, `3 attempts with 200 + 400 ms between: ${slow.ms} ms`);
});

test('bodies cut short, HTML for JSON and a closed port are Errors naming the URL', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  // Without a Content-Length nothing says the body is short: the engine does.
  s.server.fault(SHARD, { short: 4096 });
  assertError(await timed({ ...CONFIG, modelUrl: s.modelUrl }), 'Error',
    /needs bytes \d+\.\.\d+ of its shards, but they hold only 4096 bytes \(missing or truncated shard\?\)/);
  s.server.fault(SHARD, {});
  s.server.fault(JSON_PATH, { html: true });
  assertError(await timed({ ...CONFIG, modelUrl: s.modelUrl }), 'Error',
    new RegExp(`^${s.modelUrl} is not a model\\.json file: `));
  const closed = `http://127.0.0.1:${await closedPort()}/model.json`;
  assertError(await timed({ ...CONFIG, modelUrl: closed }), 'Error',
    new RegExp(`^cannot fetch ${closed}: the connection failed before any data came \\(fetch failed: connect ECONNREFUSED .+\\); gave up after 3 attempts$`));
});

test('an engine that cannot start ends the downloads, and its Error is load()\'s at once', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  s.server.fault(JSON_PATH, { stall: 1024 });
  const r = await timed({ ...CONFIG, modelUrl: s.modelUrl, wasmPath: 'file:///nonexistent/', stallTimeout: 10000 });
  assertError(r, 'Error', /^the simd engine is not built \(\/nonexistent\/bodypix-simd\.wasm is missing\)/);
  assert.ok(r.ms < 1000, `${r.ms} ms`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await s.server.ended(JSON_PATH)).length, s.server.requests(JSON_PATH), 'the stalled download was ended');
  assert.equal(s.server.requests(SHARD), 0);
});

// A port nothing listens on: one the system just gave out and took back.
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The official URLs, served by the fault server: there is no network here.
test('official files must have their published SHA-256', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => realFetch(String(url).replace(OFFICIAL_BASE_URL, `${s.server.url}/`), init);
  t.after(() => { globalThis.fetch = realFetch; });
  const official = { ...CONFIG, modelUrl: undefined };
  const net = await bodyPix.load(official);
  assert.equal(s.server.requests(SHARD), 1);
  net.dispose();

  const altered = new Uint8Array(await (await realFetch(s.shardUrl)).arrayBuffer());
  altered[1000] ^= 1;
  s.server.fault(SHARD, { bytes: altered });
  assertError(await timed(official), 'Error', new RegExp(`^${OFFICIAL_BASE_URL}mobilenet/quant1/050/group1-shard1of1\\.bin ` +
    'is not the official file: its SHA-256 is [0-9a-f]{64}, the published one is 839ea607[0-9a-f]{56} \\(cut short or altered on the way\\?\\)$'));
  // Short without a Content-Length: the checksum catches it before the engine.
  s.server.fault(SHARD, { short: 4096 });
  assertError(await timed(official), 'Error', /group1-shard1of1\.bin is not the official file/);
});

test('model.json is parsed while the weights download; a graph the engine rejects ends them', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  s.server.fault(SHARD, { delay: 500 });
  const { net } = await timed({ ...CONFIG, modelUrl: s.modelUrl });
  const { modelJson, modelBytes, decode } = net.loadTimings;
  assert.ok(modelJson < modelBytes - 200, `model.json parsed at ${modelJson} ms, the weights in at ${modelBytes} ms`);
  assert.ok(modelBytes <= decode);
  net.dispose();
  t.diagnostic(`shard delayed 500 ms: model.json parsed at ${modelJson.toFixed(0)} ms, weights in at ` +
    `${modelBytes.toFixed(0)}, decoded at ${decode.toFixed(0)}`);

  // A graph the engine rejects is load()'s Error at once, the download ended.
  const json = JSON.parse(await (await fetch(s.modelUrl)).text());
  delete json.modelTopology.node;
  s.server.fault(JSON_PATH, { bytes: Buffer.from(JSON.stringify(json)) });
  s.server.fault(SHARD, { stall: 1024 });
  const r = await timed({ ...CONFIG, modelUrl: s.modelUrl, stallTimeout: 10000 });
  assertError(r, 'Error', /no modelTopology\.node list/);
  assert.ok(r.ms < 1000, `load() rejected the graph after ${r.ms.toFixed(0)} ms`);
  assert.equal((await s.server.ended(SHARD, 1000)).length, 1, 'the stalled shard\'s download was ended');
});

test('bad network options are Errors naming the value', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const rows = [
    [{ signal: new AbortController() }, /^signal must be an AbortSignal \(an AbortController's \.signal\), not AbortController$/],
    [{ signal: 'stop' }, /^signal must be an AbortSignal .*, not "stop"$/],
    [{ signal: true }, /^signal must be an AbortSignal .*, not true$/],
    [{ stallTimeout: 0 }, /^stallTimeout must be a number of milliseconds from 1 to 2147483647, not 0$/],
    [{ stallTimeout: -1 }, /^stallTimeout must be .*, not -1$/],
    [{ stallTimeout: '30s' }, /^stallTimeout must be .*, not "30s"$/],
    [{ stallTimeout: Infinity }, /^stallTimeout must be .*, not Infinity$/],
    [{ stallTimeout: NaN }, /^stallTimeout must be .*, not NaN$/],
    [{ retries: 1.5 }, /^retries must be an integer from 0 to 10, not 1\.5$/],
    [{ retries: 11 }, /^retries must be an integer from 0 to 10, not 11$/],
    [{ retryDelay: -1 }, /^retryDelay must be a number of milliseconds from 0 to 60000, not -1$/],
  ];
  for (const [config, error] of rows) assertError(await timed({ ...CONFIG, modelUrl: s.modelUrl, ...config }), 'Error', error);
  assert.equal(s.server.requests(JSON_PATH), 0, 'refused before any download');
});
