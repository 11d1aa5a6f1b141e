// The package as an app gets it: `npm pack` of this repo installed into a
// small Vite app (tests/consumer), built with `vite build`, served on
// 127.0.0.1 and run in Chromium. The app's mask must be the very bytes the
// engine gives in Node for the same pixels, with cross-origin isolation
// (threaded engine) and without it (the fallback without threads).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import * as bodyPix from '../../js/index.js';
import { serve } from '../../scripts/serve.mjs';
import { bytesOf, launchBrowser, openPage, sharedUrl } from '../support/browser.mjs';
import { iou } from '../support/metrics.mjs';
import { DEFAULT_MODEL_ID, getModel, GOLDEN, repoRoot, requireShared, sharedDir } from '../support/shared.mjs';

const run = promisify(execFile);
const CONSUMER = path.join(repoRoot, 'tests/consumer');
const CACHE = path.join(process.env.BODYPIX_CACHE || path.join(os.homedir(), '.cache/bodypix-wasm'), 'consumer');
const NPM = { maxBuffer: 64 << 20, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } };

// TF.js at the versions this repo tests with, for the app variant that has
// the optional peer dependencies installed.
const TFJS = (() => {
  const dev = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).devDependencies;
  return ['@tensorflow-models/body-pix', '@tensorflow/tfjs-core', '@tensorflow/tfjs-converter',
    '@tensorflow/tfjs-backend-webgl'].map((name) => `${name}@${dev[name]}`);
})();

let packed = null;
// npm pack of the repo, once for the file: {tarball, files (paths inside the package)}.
function pack() {
  packed ??= (async () => {
    const dir = path.join(CACHE, 'pack');
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { ...NPM, cwd: repoRoot });
    const [info] = JSON.parse(stdout);
    return { tarball: path.join(dir, info.filename), files: info.files.map((f) => f.path) };
  })();
  return packed;
}

// The app with the tarball (and extra packages) installed, in a folder keyed
// by the app's files, the tarball and the extras (installing is the slow
// part; a new key replaces the variant's old folder).
async function installApp(tarball, variant, extras) {
  const hash = createHash('sha256');
  const sources = (await fs.readdir(CONSUMER)).sort();
  for (const name of sources) hash.update(name).update(await fs.readFile(path.join(CONSUMER, name)));
  hash.update(await fs.readFile(tarball)).update(extras.join(' '));
  const key = `${variant}-${hash.digest('hex').slice(0, 16)}`;
  const app = path.join(CACHE, key);
  const done = path.join(app, '.installed');
  if (await fs.stat(done).catch(() => null)) return app;
  const old = (await fs.readdir(CACHE).catch(() => [])).filter((d) => d.startsWith(`${variant}-`));
  for (const d of old) await fs.rm(path.join(CACHE, d), { recursive: true, force: true });
  await fs.mkdir(app, { recursive: true });
  for (const name of sources) await fs.copyFile(path.join(CONSUMER, name), path.join(app, name));
  await run('npm', ['install', '--no-save', tarball, ...extras], { ...NPM, cwd: app });
  await fs.writeFile(done, '');
  return app;
}

const built = new Map();
// Packs, installs and builds each variant once for the file: the built folder.
// 'wasm': the package alone; 'tfjs': with TF.js installed beside it.
function buildApp(variant) {
  if (!built.has(variant)) {
    built.set(variant, (async () => {
      const { tarball, files } = await pack();
      for (const f of ['js/index.js', 'js/engine.js', 'js/webgl.js', 'dist/bodypix-relaxed-simd-threads.mjs',
        'dist/bodypix-relaxed-simd-threads.wasm', 'dist/bodypix-simd-threads.mjs', 'dist/bodypix-simd-threads.wasm',
        'dist/bodypix-relaxed-simd.mjs', 'dist/bodypix-relaxed-simd.wasm', 'dist/bodypix-simd.mjs', 'dist/bodypix-simd.wasm']) {
        assert.ok(files.includes(f), `the package lacks ${f}`);
      }
      const app = await installApp(tarball, variant, variant === 'tfjs' ? TFJS : []);
      await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
        { ...NPM, cwd: app });
      return path.join(app, 'dist');
    })());
  }
  return built.get(variant);
}

async function runApp(t, { isolation, worker = false, backend = 'auto', variant = 'wasm' }) {
  const [modelJson, photo] = requireShared(t, ['models/bodypix/mobilenet/quant2/075/model-stride16.json', GOLDEN.image]) ?? [];
  if (!photo) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const dist = await buildApp(variant);
  const assets = await fs.readdir(path.join(dist, 'assets'));
  assert.ok(assets.some((f) => /^bodypix-relaxed-simd-threads-.*\.wasm$/.test(f)), `vite copied no Relaxed SIMD engine: ${assets}`);
  assert.ok(assets.some((f) => /^bodypix-simd-threads-.*\.wasm$/.test(f)), `vite copied no threaded engine: ${assets}`);
  assert.ok(assets.some((f) => /^bodypix-simd-(?!threads-).*\.wasm$/.test(f)), `vite copied no SIMD engine: ${assets}`);

  const server = await serve({ mounts: { '/': dist, '/shared': sharedDir }, isolation });
  t.after(() => server.close());
  const { page, errors } = await openPage(t, browser, 'about:blank');
  const requests = [];
  page.context().on('request', (r) => requests.push(new URL(r.url()).pathname));
  const query = new URLSearchParams({ model: sharedUrl(modelJson), image: sharedUrl(photo), worker: worker ? '1' : '0', backend });
  await page.goto(`${server.url}?${query}`);
  await page.waitForFunction(() => window.result, null, { timeout: 120_000 });
  const result = await page.evaluate(() => window.result);
  const model = getModel(DEFAULT_MODEL_ID);
  if (backend === 'webgl') return { result, requests, errors, model };
  assert.equal(result.error, undefined, `the app failed: ${result.error}`);
  assert.equal(result.crossOriginIsolated, isolation);
  assert.ok(requests.some((p) => /^\/assets\/bodypix-.*\.wasm$/.test(p)), 'the engine came from the bundle');
  assert.deepEqual(requests.filter((p) => /tfjs|tensorflow|body-pix|webgl/i.test(p)), [],
    'a Wasm-only app must not fetch TF.js');
  assert.deepEqual(errors, []);
  return { result, model };
}

// load() from this checkout in Node, on the pixels the page decoded.
async function segmentInNode(result, model, flavour) {
  const pixels = { width: result.width, height: result.height, data: new Uint8ClampedArray(bytesOf(result.pixels).buffer) };
  const net = await bodyPix.load({ modelUrl: model.jsonPath, quantBytes: 2, multiplier: 0.75, flavour });
  try {
    return { person: await net.segmentPerson(pixels), parts: await net.segmentPersonParts(pixels) };
  } finally {
    net.dispose();
  }
}

// The app's results are Node's, byte for byte.
async function assertSameAsNode(result, model, flavour) {
  const { person, parts } = await segmentInNode(result, model, flavour);
  assert.ok(person.data.some((v) => v === 1), 'the photo has people: an empty mask would prove little');
  assert.equal(result.poses, person.allPoses.length);
  assert.ok(Buffer.from(bytesOf(result.person)).equals(Buffer.from(person.data)), "the app's person mask differs from Node's");
  assert.ok(Buffer.from(bytesOf(result.parts)).equals(Buffer.from(parts.data.buffer, parts.data.byteOffset, parts.data.byteLength)),
    "the app's part map differs from Node's");
}

test('a Vite app with the packed package segments a photo as Node does (cross-origin isolated: Relaxed SIMD, threads)', async (t) => {
  const s = await runApp(t, { isolation: true });
  if (!s) return;
  assert.equal(s.result.backend, 'wasm-relaxed-simd-threads');
  assert.match(s.result.backendReason, /^single images run faster on Wasm/);
  await assertSameAsNode(s.result, s.model, 'relaxed-simd-threads');
});

test('the same app without cross-origin isolation falls back to the Relaxed SIMD engine without threads and still works', async (t) => {
  const s = await runApp(t, { isolation: false });
  if (!s) return;
  assert.equal(s.result.backend, 'wasm-relaxed-simd');
  await assertSameAsNode(s.result, s.model, 'relaxed-simd');
});

test('the app with worker: true: Vite bundles the engine into the Worker too', async (t) => {
  const s = await runApp(t, { isolation: true, worker: true });
  if (!s) return;
  assert.equal(s.result.backend, 'wasm-relaxed-simd-threads');
  assert.equal(s.result.backendReason, 'worker: true runs the Wasm engine in a Web Worker');
  await assertSameAsNode(s.result, s.model, 'relaxed-simd-threads');
});

test("the app built without TF.js installed: backend 'webgl' fails with an Error that says what to install", async (t) => {
  const s = await runApp(t, { isolation: true, backend: 'webgl' });
  if (!s) return;
  assert.match(s.result.error, /^backend 'webgl' runs body-pix on TF.js, which is not installed or cannot be loaded \(npm install @tensorflow-models\/body-pix @tensorflow\/tfjs-core/);
  // Vite leaves a stub for a missing optional peer dependency, which throws.
  assert.match(s.result.error, /Could not resolve "@tensorflow\/tfjs-core"/);
  assert.ok(!s.requests.some((p) => p.endsWith('.wasm')), 'no engine is fetched for a WebGL load');
});

test("an app with TF.js installed runs backend 'webgl' from its bundle, in agreement with the engine", async (t) => {
  const s = await runApp(t, { isolation: true, backend: 'webgl', variant: 'tfjs' });
  if (!s) return;
  assert.equal(s.result.error, undefined, `the app failed: ${s.result.error}`);
  assert.equal(s.result.backend, 'webgl');
  assert.ok(!s.requests.some((p) => p.endsWith('.wasm')), 'no engine is fetched for a WebGL load');
  const node = await segmentInNode(s.result, s.model, 'simd-threads');
  const personIoU = iou(bytesOf(s.result.person), node.person.data);
  const partBytes = bytesOf(s.result.parts);
  const parts = new Int32Array(partBytes.buffer, partBytes.byteOffset, partBytes.byteLength / 4);
  const partsIoU = iou(parts.map((p) => p + 1), node.parts.data.map((p) => p + 1));
  console.log(`bundled webgl vs Node wasm: person IoU ${personIoU.toFixed(5)}, part-map person IoU ${partsIoU.toFixed(5)}`);
  assert.ok(personIoU >= 0.98, `person IoU ${personIoU}`);
  assert.ok(partsIoU >= 0.98, `part map's person IoU ${partsIoU}`);
  assert.deepEqual(s.errors, []);
});

test('the app with TF.js installed but on Wasm never fetches TF.js', async (t) => {
  const s = await runApp(t, { isolation: true, variant: 'tfjs' });
  if (!s) return;
  assert.equal(s.result.backend, 'wasm-relaxed-simd-threads');
});
