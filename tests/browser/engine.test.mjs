// The package in a real page (Chromium): each engine flavour the page can run
// segments a photo to the very bytes the same engine gives in Node, and a
// page that is not cross-origin isolated falls back to a build without threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { FLAVOURS } from '../../js/engine.js';
import { bytesOf, launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { GOLDEN, getModel, DEFAULT_MODEL_ID, requireShared } from '../support/shared.mjs';

const HARNESS = 'tests/browser/pages/harness.html';

// Opens the harness page and decodes the golden photo there; the browser's
// decoder, not jpeg-js, defines the pixels both sides segment.
async function setUp(t, { isolation = true, headers } = {}) {
  const [, photo] = requireShared(t, [`models/bodypix/mobilenet/quant2/075/model-stride16.json`, GOLDEN.image]) ?? [];
  if (!photo) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const model = getModel(DEFAULT_MODEL_ID);
  const server = await startServer(t, { isolation, headers });
  const { page, errors } = await openPage(t, browser, server.url + HARNESS);
  await page.waitForFunction(() => window.harnessReady);
  const decoded = await page.evaluate(async (url) => {
    window.photo = await harness.imageData(url);
    return { width: photo.width, height: photo.height, data: harness.base64(photo.data) };
  }, sharedUrl(photo));
  const pixels = { ...decoded, data: new Uint8ClampedArray(bytesOf(decoded.data).buffer) };
  return { page, errors, model, modelUrl: sharedUrl(model.jsonPath), pixels };
}

// Segments window.photo in the page with load(config).
function segmentInPage(page, config) {
  return page.evaluate(async (c) => {
    const net = await harness.bodyPix.load(c);
    try {
      const person = harness.portable(await net.segmentPerson(photo));
      const parts = harness.portable(await net.segmentPersonParts(photo));
      return { backend: net.backend, person, parts };
    } finally {
      net.dispose();
    }
  }, config);
}

async function segmentInNode(model, flavour, pixels) {
  const net = await bodyPix.load({ modelUrl: model.jsonPath, quantBytes: model.quantBytes, multiplier: model.multiplier, flavour });
  try {
    return { person: await net.segmentPerson(pixels), parts: await net.segmentPersonParts(pixels) };
  } finally {
    net.dispose();
  }
}

function assertSame(page, node, what) {
  assert.equal(page.width, node.width, `${what}: width`);
  assert.equal(page.height, node.height, `${what}: height`);
  const bytes = new Uint8Array(node.data.buffer, node.data.byteOffset, node.data.byteLength);
  assert.ok(Buffer.from(bytesOf(page.data)).equals(Buffer.from(bytes)), `${what}: the page's mask differs from Node's`);
  assert.deepEqual(page.allPoses, node.allPoses, `${what}: poses`);
}

test('in a cross-origin isolated page every flavour segments a photo exactly as in Node', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const [isolated, flavours] = await s.page.evaluate(() => [crossOriginIsolated, harness.bodyPix.supportedFlavours()]);
  assert.equal(isolated, true);
  assert.deepEqual(flavours, FLAVOURS);
  for (const flavour of flavours) {
    await t.test(flavour, async () => {
      const inPage = await segmentInPage(s.page, { modelUrl: s.modelUrl, quantBytes: 2, multiplier: 0.75, flavour });
      assert.equal(inPage.backend, `wasm-${flavour}`);
      const inNode = await segmentInNode(s.model, flavour, s.pixels);
      assert.ok(inNode.person.data.some((v) => v === 1), 'the photo has people: an empty mask would prove little');
      assertSame(inPage.person, inNode.person, 'segmentPerson');
      assertSame(inPage.parts, inNode.parts, 'segmentPersonParts');
    });
  }
  assert.deepEqual(s.errors, []);
});

test('without cross-origin isolation load() falls back to Relaxed SIMD without threads, which gives the same result', async (t) => {
  const s = await setUp(t, { isolation: false });
  if (!s) return;
  const [isolated, flavours] = await s.page.evaluate(() => [crossOriginIsolated, harness.bodyPix.supportedFlavours()]);
  assert.equal(isolated, false);
  assert.deepEqual(flavours, ['relaxed-simd', 'simd', 'baseline']);
  const threaded = await s.page.evaluate((modelUrl) => harness.bodyPix.load({ modelUrl, flavour: 'simd-threads' })
    .then(() => 'loaded', (e) => `${e instanceof Error} ${e.message}`), s.modelUrl);
  assert.match(threaded, /^true the simd-threads engine cannot run here \(supported: relaxed-simd, simd, baseline\)/);

  const inNode = await segmentInNode(s.model, 'relaxed-simd', s.pixels);
  // A worker of a page that is not isolated is not isolated either.
  for (const worker of [false, true]) {
    const inPage = await segmentInPage(s.page, { modelUrl: s.modelUrl, quantBytes: 2, multiplier: 0.75, worker });
    assert.equal(inPage.backend, 'wasm-relaxed-simd', `worker: ${worker}`);
    assertSame(inPage.person, inNode.person, `segmentPerson, worker: ${worker}`);
    assertSame(inPage.parts, inNode.parts, `segmentPersonParts, worker: ${worker}`);
  }
  assert.deepEqual(s.errors, []);
});

// The strictest policy a site can keep and still run Wasm: no 'unsafe-eval'
// (so no glue evaluated from text), Workers only from the site or blobs.
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:";

test('under a strict Content-Security-Policy every flavour segments on the page thread and in a Worker', async (t) => {
  const s = await setUp(t, { headers: { 'Content-Security-Policy': STRICT_CSP } });
  if (!s) return;
  const flavours = await s.page.evaluate(() => harness.bodyPix.supportedFlavours());
  assert.deepEqual(flavours, FLAVOURS);
  for (const flavour of flavours) {
    const inNode = await segmentInNode(s.model, flavour, s.pixels);
    for (const worker of [false, true]) {
      await t.test(`${flavour}, worker: ${worker}`, async () => {
        const inPage = await segmentInPage(s.page, { modelUrl: s.modelUrl, quantBytes: 2, multiplier: 0.75, flavour, worker });
        assert.equal(inPage.backend, `wasm-${flavour}`);
        assertSame(inPage.person, inNode.person, 'segmentPerson');
        assertSame(inPage.parts, inNode.parts, 'segmentPersonParts');
      });
    }
  }
  // A refused script, Worker or fetch shows up here; the policy also refuses
  // the harness page's own placeholder icon (data:), which is not ours.
  assert.deepEqual(s.errors.filter((e) => !/Loading the image 'data:,'/.test(e)), []);
});

test('a thread pool whose Worker the page refuses fails load() with an Error that says so', async (t) => {
  const s = await setUp(t, { headers: { 'Content-Security-Policy': STRICT_CSP.replace("worker-src 'self' blob:", "worker-src 'none'") } });
  if (!s) return;
  const outcome = await s.page.evaluate(async (modelUrl) => {
    try {
      const net = await harness.bodyPix.load({ modelUrl, quantBytes: 2, multiplier: 0.75, flavour: 'relaxed-simd-threads' });
      net.dispose();
      return 'loaded';
    } catch (e) {
      return `${e.constructor.name}: ${e.message}`;
    }
  }, s.modelUrl);
  assert.match(outcome, /^Error: the engine's thread pool Worker failed to start/);
  // The same page still runs a flavour without threads.
  const inPage = await segmentInPage(s.page, { modelUrl: s.modelUrl, quantBytes: 2, multiplier: 0.75, flavour: 'relaxed-simd' });
  assert.equal(inPage.backend, 'wasm-relaxed-simd');
});
