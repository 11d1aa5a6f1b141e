// load({worker: true}) in Chromium: the engine in a module Web Worker gives
// the results the page's own engine gives, for every kind of input, with
// the same Errors, and keeps the page's main thread free while it works.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { DEFAULT_MODEL_ID, GOLDEN, getModel, requireShared } from '../support/shared.mjs';

const HARNESS = 'tests/browser/pages/harness.html';
const MODEL = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';

async function setUp(t) {
  const [, photo] = requireShared(t, [MODEL, GOLDEN.image]) ?? [];
  if (!photo) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const server = await startServer(t);
  const { page, errors } = await openPage(t, browser, server.url + HARNESS);
  await page.waitForFunction(() => window.harnessReady);
  return { page, errors, modelUrl: sharedUrl(getModel(DEFAULT_MODEL_ID).jsonPath), photoUrl: sharedUrl(photo) };
}

test('worker mode: same results, inputs, Errors and lifecycle as the page-thread engine', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const r = await s.page.evaluate(async ({ modelUrl, photoUrl }) => {
    const { bodyPix, plain, failure } = harness;
    const config = { modelUrl, quantBytes: 2, multiplier: 0.75, flavour: 'simd-threads' };
    const progress = [];
    const local = await bodyPix.load(config);
    const remote = await bodyPix.load({ ...config, worker: true, onProgress: (p) => progress.push(p) });
    const photo = await harness.imageData(photoUrl);
    const out = {
      backend: remote.backend, outputStride: remote.outputStride, architecture: remote.architecture,
      config: remote.config.modelUrl === config.modelUrl && remote.config.worker === true,
      lastProgress: progress.at(-1), progressCalls: progress.length,
      methods: Object.getOwnPropertyNames(bodyPix.BodyPix.prototype)
        .filter((m) => !m.startsWith('_') && m !== 'constructor')
        .filter((m) => typeof remote[m] !== 'function'),
    };

    // Each input kind through the worker against ImageData on the page thread.
    const expected = {
      person: plain(await local.segmentPerson(photo)),
      parts: plain(await local.segmentPersonParts(photo, { internalResolution: 'high' })),
      predict: plain(await local.predict(photo)),
    };
    const bitmap = await createImageBitmap(photo);
    const pixels = { data: new Uint8Array(photo.data), width: photo.width, height: photo.height };
    const inputs = {
      imageData: photo,
      pixels,
      imageBitmap: bitmap,
      image: await harness.image(photoUrl),
      canvas: await harness.canvas(photoUrl),
      jpegBytes: new Uint8Array(await (await fetch(photoUrl)).arrayBuffer()),
    };
    out.inputs = {};
    for (const [name, input] of Object.entries(inputs)) {
      out.inputs[name] = plain(await remote.segmentPerson(input));
    }
    // The page-thread engine decodes JPEG bytes through the same codec.
    out.expectedJpeg = plain(await local.segmentPerson(inputs.jpegBytes));
    out.parts = plain(await remote.segmentPersonParts(photo, { internalResolution: 'high' }));
    // Methods are forwarded by name, whatever BodyPix has (lists of results too).
    out.multi = {};
    for (const m of ['segmentMultiPerson', 'segmentMultiPersonParts'].filter((name) => name in local)) {
      out.multi[m] = [plain(await remote[m](photo)), plain(await local[m](photo))];
    }
    out.predict = plain(await remote.predict(photo));
    // Calls in flight together each get their own answer.
    out.together = (await Promise.all([
      remote.predict(photo), remote.segmentPersonParts(photo, { internalResolution: 'high' }), remote.segmentPerson(photo),
    ])).map(plain);
    out.photoIntact = photo.data.length === photo.width * photo.height * 4 && pixels.data.byteLength > 0;
    out.bitmapMoved = bitmap.width === 0;

    // An image laid out at another size is read at its displayed size.
    const shown = await harness.image(photoUrl);
    shown.style.width = '300px';
    shown.style.height = '200px';
    document.body.append(shown);
    out.shown = { remote: plain(await remote.segmentPerson(shown)), local: plain(await local.segmentPerson(shown)) };
    shown.remove();

    // The same Errors as without a worker, and a worker that survives them.
    const bad = [
      [{ data: new Uint8Array(10), width: 64, height: 48 }],
      [null],
      [{ data: [1, 2, 3], width: 1, height: 1 }],
      ['photo.jpg'],
      [new Uint8Array([1, 2, 3, 4])],
      [new Image()],
      [photo, { internalResolution: 'huge' }],
      [photo, { segmentationThreshold: 1.5 }],
    ];
    out.errors = [];
    for (const args of bad) {
      out.errors.push([await failure(local.segmentPerson(...args)), await failure(remote.segmentPerson(...args))]);
    }
    out.afterErrors = plain(await remote.segmentPerson(photo));
    const missing = new URL('/no/such/model.json', location.href).href;
    out.loadErrors = [
      [await failure(bodyPix.load({ modelUrl: missing })),
        await failure(bodyPix.load({ modelUrl: missing, worker: true }))],
      [await failure(bodyPix.load({ modelUrl, flavour: 'quantum' })),
        await failure(bodyPix.load({ modelUrl, flavour: 'quantum', worker: true }))],
    ];

    // A relative modelUrl means the page's URL, as without a worker.
    const relative = await bodyPix.load({ ...config, modelUrl: `../../..${modelUrl}`, worker: true });
    out.relative = plain(await relative.segmentPerson(photo));
    relative.dispose();

    // A call still running when dispose() comes, and calls after it, reject.
    const running = failure(remote.segmentPerson(photo));
    remote.dispose();
    out.disposed = [await running, await failure(remote.segmentPerson(photo)), await failure(remote.predict(photo))];
    remote.dispose();
    local.dispose();
    return { out, expected };
  }, { modelUrl: s.modelUrl, photoUrl: s.photoUrl });
  const { out, expected } = r;
  assert.equal(out.backend, 'wasm-simd-threads');
  assert.equal(out.outputStride, 16);
  assert.equal(out.architecture, 'MobileNetV1');
  assert.ok(out.config, 'config is load()\'s validated config');
  assert.deepEqual(out.methods, [], 'every public BodyPix method exists in worker mode');
  assert.ok(out.progressCalls > 0 && out.lastProgress.loaded === out.lastProgress.total, 'onProgress reached the end');

  assert.ok(expected.person.data.base64.length > 0);
  for (const [name, result] of Object.entries(out.inputs)) {
    assert.deepEqual(result, name === 'jpegBytes' ? out.expectedJpeg : expected.person, `segmentPerson(${name})`);
  }
  assert.deepEqual(out.parts, expected.parts, 'segmentPersonParts');
  assert.deepEqual(out.predict, expected.predict, 'predict');
  assert.deepEqual(out.together, [expected.predict, expected.parts, expected.person], 'concurrent calls');
  for (const [m, [remote, local]] of Object.entries(out.multi)) {
    assert.ok(local.length > 0, `${m} finds people in the photo`);
    assert.deepEqual(remote, local, m);
  }
  assert.ok(out.photoIntact, 'the caller\'s pixels stay theirs');
  assert.ok(out.bitmapMoved, 'an ImageBitmap is transferred');
  assert.equal(out.shown.remote.width, 300);
  assert.equal(out.shown.remote.height, 200);
  assert.deepEqual(out.shown.remote, out.shown.local, 'a laid-out image at its displayed size');

  for (const [local, remote] of out.errors) {
    assert.match(local, /^Error: /);
    assert.equal(remote, local);
  }
  assert.deepEqual(out.afterErrors, expected.person);
  for (const [local, remote] of out.loadErrors) {
    assert.match(local, /^Error: /);
    assert.equal(remote, local);
  }
  assert.deepEqual(out.relative, expected.person, 'a model at a URL relative to the page');
  for (const d of out.disposed) assert.match(d, /^Error: this BodyPix model was disposed/);
  // The only console errors: the 404s the bad modelUrls asked for.
  assert.deepEqual(s.errors.filter((e) => !/404 \(Not Found\).*\/no\/such\/model\.json/.test(e)), []);
});

// Longest main-thread task while segmenting a 1440x1080 frame several times,
// by the Long Tasks API (which reports tasks of 50 ms or more), with the
// largest gap between 0 ms timers as a second view. In worker mode the page's
// thread only posts frames and takes results: on an idle machine no task
// reaches 50 ms, but a busy one can stretch one to 50 or so, while a call on
// the page's thread is a task of hundreds of ms.
test('worker mode keeps the page\'s main thread free: its tasks stay far below a call\'s', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const r = await s.page.evaluate(async ({ modelUrl, photoUrl }) => {
    const { bodyPix, plain } = harness;
    const frame = await harness.imageData(photoUrl, 1440, 1080);
    // One engine thread: with one per core, the engine takes both cores of a
    // 2-core machine and the OS alone can stretch a page task past 50 ms.
    const config = { modelUrl, quantBytes: 2, multiplier: 0.75, flavour: 'simd-threads', threads: 1 };

    async function watch(work) {
      const longTasks = [];
      const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
      observer.observe({ type: 'longtask' });
      let maxGap = 0;
      let last = performance.now();
      let running = true;
      const tick = () => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        if (running) setTimeout(tick, 0);
      };
      setTimeout(tick, 0);
      const start = performance.now();
      const results = await work();
      const elapsed = performance.now() - start;
      running = false;
      // Entries are delivered after their task ends.
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      return {
        // Encoded for Node only now: that is the test's work, not the page's.
        results: results.map(plain),
        elapsed, longestTask: Math.max(0, ...longTasks), longTasks: longTasks.length, maxGap,
      };
    }
    const segmentTimes = (net, n) => watch(async () => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await net.segmentPerson(frame));
      return out;
    });

    const remote = await bodyPix.load({ ...config, worker: true });
    await remote.segmentPerson(frame);
    const inWorker = await segmentTimes(remote, 5);
    remote.dispose();
    // The same work on the page thread, to show the probes see long tasks.
    const local = await bodyPix.load(config);
    const onPage = await segmentTimes(local, 2);
    local.dispose();
    return {
      supported: PerformanceObserver.supportedEntryTypes.includes('longtask'),
      size: [frame.width, frame.height],
      inWorker, onPage,
    };
  }, { modelUrl: s.modelUrl, photoUrl: s.photoUrl });
  const { inWorker, onPage } = r;
  const summary = (m) => `${m.results.length} frames in ${m.elapsed.toFixed(0)} ms, longest task ` +
    `${m.longestTask.toFixed(0)} ms (${m.longTasks} over 50 ms), longest timer gap ${m.maxGap.toFixed(1)} ms`;
  t.diagnostic(`worker: ${summary(inWorker)}`);
  t.diagnostic(`page thread: ${summary(onPage)}`);
  assert.ok(r.supported, 'Chromium reports long tasks');
  assert.deepEqual(r.size, [1440, 1080]);
  assert.ok(onPage.longestTask >= 50, 'segmenting on the page thread is a long task (the probe works)');
  assert.ok(inWorker.longestTask < Math.min(100, onPage.longestTask / 4),
    `longest main-thread task with the worker: ${inWorker.longestTask} ms (on the page: ${onPage.longestTask} ms)`);
  // A timer gap also counts the time the OS gives the page's thread no core:
  // tens of ms at most, not a frame's time.
  assert.ok(inWorker.maxGap < onPage.maxGap / 3, 'timers run while the worker segments');
  for (const result of inWorker.results) assert.deepEqual(result, onPage.results[0]);
  assert.ok(onPage.results[0].data.base64.length > 0);
});

test('the bundle (bodypix-wasm/bundle) gives what the modules give, on the page thread and in worker mode', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const r = await s.page.evaluate(async ({ modelUrl, photoUrl }) => {
    const { bodyPix, plain } = harness;
    const bundle = await import('/dist/bodypix-wasm.js');
    const config = { modelUrl, quantBytes: 2, multiplier: 0.75 };
    const photo = await harness.imageData(photoUrl);
    const modules = await bodyPix.load(config);
    const expected = JSON.stringify(plain(await modules.segmentPersonParts(photo)));
    modules.dispose();
    const out = { bundleIsNotModules: bundle.load !== bodyPix.load };
    for (const worker of [false, true]) {
      const net = await bundle.load({ ...config, worker });
      const same = JSON.stringify(plain(await net.segmentPersonParts(photo))) === expected;
      out[worker ? 'worker' : 'page'] = { same, backend: net.backend, phases: Object.keys(net.loadTimings).sort() };
      net.dispose();
    }
    return out;
  }, { modelUrl: s.modelUrl, photoUrl: s.photoUrl });
  assert.equal(r.bundleIsNotModules, true);
  const phases = ['build', 'decode', 'engine', 'firstCall', 'modelBytes', 'modelJson', 'pool', 'total'];
  for (const where of ['page', 'worker']) {
    assert.deepEqual(r[where], { same: true, backend: 'wasm-relaxed-simd-threads', phases }, where);
  }
  assert.deepEqual(s.errors, []);
});
