// The WebGL backend and the 'auto' policy in Chromium, whose WebGL here is
// SwiftShader (software): auto must pick Wasm and say why; backend 'webgl'
// (body-pix on TF.js's WebGL backend) must agree with the Wasm engine on a
// photo; and a page that only uses Wasm must never fetch any of TF.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytesOf, launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { iou, partAgreement } from '../support/metrics.mjs';
import { GOLDEN, getModel, DEFAULT_MODEL_ID, requireShared } from '../support/shared.mjs';

const TFJS_REQUEST = /tensorflow|tfjs|body-pix|\/js\/webgl\.js/;

async function setUp(t, page) {
  const model = requireShared(t, 'models/bodypix/mobilenet/quant2/075/model-stride16.json');
  const photo = model && requireShared(t, GOLDEN.image);
  if (!photo) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const server = await startServer(t);
  const requests = [];
  const opened = await openPage(t, browser, 'about:blank');
  opened.page.context().on('request', (r) => requests.push(r.url()));
  await opened.page.goto(server.url + page);
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async (url) => {
    window.photo = await harness.imageData(url);
  }, sharedUrl(photo));
  const modelUrl = sharedUrl(getModel(DEFAULT_MODEL_ID).jsonPath);
  return { ...opened, requests, config: { modelUrl, quantBytes: 2, multiplier: 0.75 } };
}

// Loads with config in the page and segments window.photo (person and parts).
function segmentInPage(page, config) {
  return page.evaluate(async (c) => {
    const net = await harness.bodyPix.load(c);
    try {
      const person = await net.segmentPerson(photo);
      const parts = await net.segmentPersonParts(photo);
      return {
        backend: net.backend,
        backendReason: net.backendReason,
        person: { ...harness.portable(person), type: person.data.constructor.name },
        parts: { ...harness.portable(parts), type: parts.data.constructor.name },
      };
    } finally {
      net.dispose();
    }
  }, config);
}

const bytes = (s) => bytesOf(s.data);
const int32s = (s) => {
  const b = bytesOf(s.data);
  return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

test('auto: Wasm for images, and for video on software WebGL (SwiftShader), with the reason', async (t) => {
  const s = await setUp(t, 'tests/browser/pages/harness.html');
  if (!s) return;
  const renderer = await s.page.evaluate(async () => (await import('/js/backend.js')).probeWebGL()?.renderer);
  assert.match(renderer, /SwiftShader/, 'this Chromium is expected to render WebGL with SwiftShader');

  const video = await s.page.evaluate(async (c) => {
    const net = await harness.bodyPix.load({ ...c, backend: 'auto', usage: 'video' });
    net.dispose();
    return [net.backend, net.backendReason];
  }, s.config);
  assert.match(video[0], /^wasm-/);
  assert.match(video[1], /^WebGL renders in software here \(.*SwiftShader.*\)/);

  const image = await s.page.evaluate(async (c) => {
    const net = await harness.bodyPix.load(c);
    net.dispose();
    return [net.backend, net.backendReason];
  }, s.config);
  assert.equal(image[0], 'wasm-relaxed-simd-threads');
  assert.match(image[1], /^single images run faster on Wasm/);

  const refused = await s.page.evaluate((c) => harness.bodyPix.load({ ...c, backend: 'webgl', worker: true })
    .then(() => 'loaded', (e) => e.message), s.config);
  assert.match(refused, /drop one of them/);
  assert.deepEqual(s.errors, []);
});

test('a page that only uses Wasm never requests TF.js', async (t) => {
  const s = await setUp(t, 'tests/browser/pages/harness.html');
  if (!s) return;
  const result = await segmentInPage(s.page, s.config);
  assert.match(result.backend, /^wasm-/);
  assert.ok(s.requests.some((u) => u.endsWith('.wasm')), 'the Wasm engine was fetched');
  assert.deepEqual(s.requests.filter((u) => TFJS_REQUEST.test(u)), []);
  // Without TF.js (no import map here), asking for WebGL fails with a clear Error.
  const webgl = await s.page.evaluate((c) => harness.bodyPix.load({ ...c, backend: 'webgl' })
    .then(() => 'loaded', (e) => e.message), s.config);
  assert.match(webgl, /^backend 'webgl' runs body-pix on TF.js, which is not installed or cannot be loaded/);
});

test("backend 'webgl' runs body-pix on TF.js's WebGL and agrees with the Wasm engine", async (t) => {
  const s = await setUp(t, 'tests/browser/pages/webgl.html');
  if (!s) return;
  const webgl = await segmentInPage(s.page, { ...s.config, backend: 'webgl' });
  assert.equal(webgl.backend, 'webgl');
  assert.equal(webgl.backendReason, "backend 'webgl' was asked for");
  assert.equal(await s.page.evaluate(async () => (await import('@tensorflow/tfjs-core')).getBackend()), 'webgl');
  const wasm = await segmentInPage(s.page, { ...s.config, backend: 'wasm' });
  assert.match(wasm.backend, /^wasm-/);

  for (const what of ['person', 'parts']) {
    assert.equal(webgl[what].width, wasm[what].width, `${what}: width`);
    assert.equal(webgl[what].height, wasm[what].height, `${what}: height`);
    assert.equal(webgl[what].type, wasm[what].type, `${what}: result type`);
    assert.equal(webgl[what].allPoses.length, wasm[what].allPoses.length, `${what}: number of poses`);
    assert.deepEqual(Object.keys(webgl[what].allPoses[0]).sort(), Object.keys(wasm[what].allPoses[0]).sort());
  }
  assert.equal(webgl.person.type, 'Uint8Array');
  assert.equal(webgl.parts.type, 'Int32Array');
  const wasmPerson = bytes(wasm.person);
  assert.ok(wasmPerson.some((v) => v === 1), 'the photo has people: an empty mask would prove little');
  const personIoU = iou(bytes(webgl.person), wasmPerson);
  const partMaskIoU = iou(int32s(webgl.parts).map((p) => p + 1), int32s(wasm.parts).map((p) => p + 1));
  const parts = partAgreement(int32s(webgl.parts), int32s(wasm.parts));
  console.log(`webgl vs wasm: person IoU ${personIoU.toFixed(5)}, part-map person IoU ${partMaskIoU.toFixed(5)}, ` +
    `part labels equal on ${(parts * 100).toFixed(3)}% of pixels`);
  assert.ok(personIoU >= 0.98, `person mask IoU ${personIoU} < 0.98`);
  assert.ok(partMaskIoU >= 0.98, `part map's person IoU ${partMaskIoU} < 0.98`);
  assert.deepEqual(s.errors, []);
});

test("backend 'webgl' takes the inputs the Wasm backend takes, and refuses calls once disposed", async (t) => {
  const s = await setUp(t, 'tests/browser/pages/webgl.html');
  if (!s) return;
  const small = requireShared(t, 'images/five-people-meeting-281x187.jpg');
  if (!small) return;
  const out = await s.page.evaluate(async ({ c, url }) => {
    const image = await harness.imageData(url);
    const rgb = new Uint8Array(image.width * image.height * 3);
    for (let i = 0, j = 0; i < image.data.length; i += 4, j += 3) rgb.set(image.data.subarray(i, i + 3), j);
    const inputs = {
      'ImageData': image,
      'RGBA {data, width, height}': { data: new Uint8Array(image.data), width: image.width, height: image.height },
      'RGB {data, width, height}': { data: rgb, width: image.width, height: image.height },
      'ImageBitmap': await createImageBitmap(image),
    };
    const net = await harness.bodyPix.load({ ...c, backend: 'webgl' });
    const masks = {};
    for (const [name, input] of Object.entries(inputs)) masks[name] = harness.base64((await net.segmentPerson(input)).data);
    const bad = await net.segmentPerson({ data: [1, 2, 3], width: 1, height: 1 }).then(() => 'ok', (e) => e.message);
    net.dispose();
    const disposed = await net.segmentPerson(image).then(() => 'ok', (e) => e.message);
    return { masks, bad, disposed };
  }, { c: s.config, url: sharedUrl(small) });
  const reference = out.masks.ImageData;
  assert.ok(bytesOf(reference).some((v) => v === 1), 'the photo has people');
  for (const [name, mask] of Object.entries(out.masks)) assert.equal(mask, reference, `${name}: a different mask`);
  assert.match(out.bad, /Uint8Array/);
  assert.match(out.disposed, /disposed/);
  assert.deepEqual(s.errors, []);
});
