// The demo and benchmark pages (web/) as npm start serves them, in Chromium:
// the demo segments a sample photo in its Web Worker to the bytes the engine
// gives in Node and draws them, runs on Chromium's fake camera, and the
// benchmark runs unattended with numbers for every backend. Screenshots go to
// test-output/ (look at them: they are what a visitor sees).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { serveSite } from '../../scripts/start.mjs';
import { bytesOf, launchBrowser, openPage } from '../support/browser.mjs';
import { getModel, repoRoot, requireShared, sharedDir } from '../support/shared.mjs';

const OUTPUT = path.join(repoRoot, 'test-output');
const PHOTO = 'three-people-office-1049x861.jpg';
const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

async function setUp(t, extraMounts = {}) {
  const files = [
    'models/bodypix/mobilenet/quant2/075/model-stride16.json',
    'models/bodypix/mobilenet/quant2/050/model-stride16.json',
    `images/${PHOTO}`, 'images/single-person-frisbee-513x513.jpg',
  ];
  if (!requireShared(t, files)) return null;
  const browser = await launchBrowser(t, { args: FAKE_CAMERA });
  if (!browser) return null;
  const site = await serveSite({ models: path.join(sharedDir, 'models'), shared: sharedDir, extraMounts });
  t.after(() => site.close());
  fs.mkdirSync(OUTPUT, { recursive: true });
  return { browser, site };
}

// Waits for the demo's nth result (or its error, which fails the test).
async function demoResults(page, n) {
  await page.waitForFunction((count) => window.demo?.state.results >= count || window.demo?.state.error,
    n, { timeout: 120_000 });
  const error = await page.evaluate(() => window.demo.state.error);
  assert.equal(error, null, `the demo shows an error: ${error}`);
}

const screenshot = (page, name) => page.screenshot({ path: path.join(OUTPUT, name), fullPage: true });

test('the demo segments a sample photo in its worker, as the engine does in Node, and draws the mask', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const { page, errors } = await openPage(t, s.browser, `${s.site.url}?sample=${PHOTO}`);
  await demoResults(page, 1);
  const shown = await page.evaluate(() => {
    const { state, source, views } = window.demo;
    const base64 = (view) => {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    };
    const pixels = (c) => base64(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    return {
      backend: document.getElementById('backend-used').textContent,
      reason: document.getElementById('backend-reason').textContent,
      where: document.getElementById('t-note').textContent,
      timings: ['t-load', 't-first', 't-last'].map((id) => document.getElementById(id).textContent),
      config: state.config,
      width: source.width,
      height: source.height,
      source: pixels(source),
      mask: pixels(views.mask),
      person: base64(state.person.data),
      poses: state.person.allPoses.length,
      partsWidth: views.parts.width,
    };
  });
  assert.match(shown.backend, /^wasm-relaxed-simd-threads/);
  assert.match(shown.reason, /^auto chose it: .*Wasm.*\.Flavour relaxed-simd-threads: the best this page runs/);
  assert.match(shown.where, /in a Web Worker$/);
  shown.timings.forEach((v) => assert.match(v, /^\d+(\.\d)? ms$/));
  assert.deepEqual([shown.width, shown.height, shown.partsWidth], [1049, 861, 1049]);
  assert.deepEqual(shown.config, { internalResolution: 'medium', segmentationThreshold: 0.7 });

  // The same pixels through the engine in Node.
  const model = getModel('mobilenet-75-q2-s16');
  const net = await bodyPix.load({
    modelUrl: model.jsonPath, quantBytes: 2, multiplier: 0.75, flavour: 'relaxed-simd-threads',
  });
  const source = bytesOf(shown.source);
  const expected = await net.segmentPerson({ data: source, width: 1049, height: 861 }, shown.config);
  net.dispose();
  const person = bytesOf(shown.person);
  assert.ok(Buffer.from(person).equals(Buffer.from(expected.data)), "the page's mask differs from Node's");
  assert.equal(shown.poses, expected.allPoses.length);
  const people = expected.data.reduce((a, v) => a + v, 0);
  assert.ok(people > 0.05 * expected.data.length, `three people should cover the photo (${people} pixels)`);

  // drawMask(toMask(person), opacity 0.7): people as in the photo, the
  // background darkened to 30%.
  const mask = bytesOf(shown.mask);
  let wrong = 0;
  for (let i = 0; i < expected.data.length; i++) {
    for (let c = 0; c < 3; c++) {
      const want = expected.data[i] ? source[4 * i + c] : 0.3 * source[4 * i + c];
      if (Math.abs(mask[4 * i + c] - want) > 2) {
        wrong++;
        break;
      }
    }
  }
  assert.ok(wrong <= 0.001 * expected.data.length, `${wrong} pixels of the mask view do not show the mask`);
  await screenshot(page, 'demo.png');

  // The same page on a phone-sized screen: one column, nothing wider than it.
  const phone = await s.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  t.after(() => phone.close());
  const small = await phone.newPage();
  await small.goto(`${s.site.url}?sample=${PHOTO}`);
  await demoResults(small, 1);
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.equal(overflow, 0, 'the page is wider than a phone screen');
  await screenshot(small, 'demo-phone.png');
  assert.deepEqual(errors, []);
});

test('the first-mask pages segment one photo, ours and body-pix on tfjs-wasm, with the same people', async (t) => {
  // bench:browser's against= serves another build's folder: here dist/ again.
  const s = await setUp(t, { '/another-build': path.join(repoRoot, 'dist') });
  if (!s) return;
  const results = {};
  for (const file of ['first-mask.html', 'first-mask-tfjs.html', 'first-mask.html?engine=/another-build/']) {
    const url = `${s.site.url}${file}${file.includes('?') ? '&' : '?'}photo=${PHOTO}`;
    const { page, errors } = await openPage(t, s.browser, url);
    await page.waitForFunction(() => window.firstMask, null, { timeout: 120_000 });
    const r = await page.evaluate(() => window.firstMask);
    assert.equal(r.error, undefined, `${file}: ${r.error}`);
    assert.equal(r.photo, '1049x861');
    const { start, imported, loaded, mask } = r.marks;
    assert.ok(start < imported && imported < loaded && loaded < mask, `${file}: marks in order ${JSON.stringify(r.marks)}`);
    assert.deepEqual(errors, []);
    if (file.includes('engine=')) {
      const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      for (const name of ['bodypix-wasm.js', 'bodypix-relaxed-simd-threads.wasm']) {
        assert.ok(fetched.includes(`/another-build/${name}`) && !fetched.includes(`/dist/${name}`), `${name} from ${fetched}`);
      }
    }
    results[file] = r;
  }
  assert.match(results['first-mask.html'].backend, /^wasm-relaxed-simd-threads$/);
  // Where load() and the first call went, as the benchmark prints it.
  const timings = results['first-mask.html'].loadTimings;
  for (const phase of ['engine', 'modelBytes', 'decode', 'pool', 'build', 'total', 'firstCall']) {
    assert.ok(timings[phase] > 0, `loadTimings.${phase}: ${JSON.stringify(timings)}`);
  }
  assert.equal(results['first-mask-tfjs.html'].backend, 'tfjs-wasm');
  const [ours, theirs, another] = Object.values(results).map((r) => r.personPixels);
  assert.ok(ours > 0.05 * 1049 * 861, `three people should cover the photo (${ours} pixels)`);
  assert.ok(Math.abs(ours - theirs) < 0.01 * ours, `person pixels: ours ${ours}, tfjs-wasm ${theirs}`);
  assert.equal(another, ours, 'the same build from another folder');
});

test('the demo takes photos from its file input and from a drop, and follows its controls', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const { page, errors } = await openPage(t, s.browser, `${s.site.url}?sample=${PHOTO}`);
  await demoResults(page, 1);
  const size = () => page.evaluate(() => [window.demo.source.width, window.demo.source.height,
    window.demo.state.person.width, window.demo.state.person.height]);

  await page.setInputFiles('#file', path.join(sharedDir, 'images/single-person-frisbee-513x513.jpg'));
  await demoResults(page, 2);
  assert.deepEqual(await size(), [513, 513, 513, 513]);

  // A drop anywhere on the page, as a file manager would make it.
  await page.evaluate(async () => {
    const blob = await (await fetch('/samples/five-people-meeting-281x187.jpg')).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], 'meeting.jpg', { type: 'image/jpeg' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await demoResults(page, 3);
  assert.deepEqual(await size(), [281, 187, 281, 187]);
  assert.equal(await page.locator('#samples button[aria-pressed="true"]').count(), 0);

  // Its controls: another model, a Wasm flavour, then WebGL.
  const shown = () => page.evaluate(() => ({
    backend: document.getElementById('backend-used').textContent,
    reason: document.getElementById('backend-reason').innerText,
    flavourDisabled: document.getElementById('flavour').disabled,
  }));
  await page.selectOption('#variant', 'mobilenet-50-q2-s16');
  await demoResults(page, 4);
  await page.selectOption('#flavour', 'simd');
  await demoResults(page, 5);
  assert.deepEqual(await shown(), {
    backend: 'wasm-simd', reason: "auto chose it: flavour 'simd' picks a Wasm engine.\nFlavour simd, as chosen.",
    flavourDisabled: false,
  });
  await page.selectOption('#backend', 'webgl');
  await demoResults(page, 6);
  assert.deepEqual(await shown(), {
    backend: 'webgl', reason: "Backend 'webgl' was asked for.", flavourDisabled: true,
  });
  assert.equal(await page.evaluate(() => window.demo.state.person.data.length), 281 * 187);
  assert.deepEqual(errors, []);
});

test("the demo runs on Chromium's fake camera, frame after frame", async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const { page, errors } = await openPage(t, s.browser, s.site.url);
  await demoResults(page, 1);
  await page.click('#camera');
  await page.waitForFunction(() => window.demo.state.camera, null, { timeout: 30_000 });
  const before = await page.evaluate(() => window.demo.state.results);
  await demoResults(page, before + 3);
  const frame = await page.evaluate(() => {
    const { state, source, views } = window.demo;
    const ctx = views.mask.getContext('2d');
    const data = ctx.getImageData(0, 0, views.mask.width, views.mask.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) lit += data[i] + data[i + 1] + data[i + 2] > 0;
    return {
      camera: !!state.camera, width: source.width, height: source.height, mask: [views.mask.width, views.mask.height],
      personLength: state.person.data.length, lit, button: document.getElementById('camera').textContent };
  });
  assert.equal(frame.camera, true);
  assert.deepEqual([frame.width, frame.height], [640, 480]);
  assert.deepEqual(frame.mask, [640, 480]);
  assert.equal(frame.personLength, 640 * 480);
  assert.ok(frame.lit > 0.5 * 640 * 480, 'the mask view shows the camera frame');
  assert.equal(frame.button, 'Stop the camera');
  await screenshot(page, 'demo-camera.png');
  await page.click('#camera');
  await page.waitForFunction(() => !window.demo.state.camera && !window.demo.state.running);
  assert.deepEqual(errors, []);
});

test('the benchmark page runs unattended (?auto=1) with numbers for every backend', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  // Small settings keep CI quick: MobileNet 0.50 on a 513x513 photo, 3 warm
  // runs after 1 untimed call.
  const query = 'auto=1&runs=3&warmups=1&model=mobilenet-50-q2-s16&photos=single-person-frisbee-513x513.jpg';
  const { page, errors } = await openPage(t, s.browser, `${s.site.url}benchmark.html?${query}`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForFunction(() => window.benchmarkResults, null, { timeout: 300_000 });
  const results = await page.evaluate(() => window.benchmarkResults);
  fs.writeFileSync(path.join(OUTPUT, 'benchmark-results.json'), JSON.stringify(results, null, 2));
  await screenshot(page, 'benchmark.png');

  assert.match(results.environment.gpuRenderer, /\S/);
  assert.deepEqual(results.settings.photos, [{ name: 'single-person-frisbee-513x513.jpg', width: 513, height: 513 }]);
  assert.equal(results.settings.warmups, 1);
  const backends = [...bodyPix.supportedFlavours().map((f) => `wasm-${f}`), 'webgl', 'tfjs-wasm'];
  for (const backend of backends) {
    for (const method of ['segmentPerson', 'segmentPersonParts']) {
      const entry = results.results.find((r) => r.backend === backend && r.method === method);
      assert.ok(entry, `no result for ${backend} ${method}`);
      if (backend === 'tfjs-wasm' && method === 'segmentPersonParts') {
        // body-pix 2.2.1 cannot run segmentPersonParts on tfjs-backend-wasm
        // 4.22 (an int32 matMul in its part decoding): recorded as a failure.
        assert.match(entry.error, /^BatchMatMul for non non-float32 tensors not yet supported/);
        assert.equal(entry.coldMs, undefined);
        continue;
      }
      assert.equal(entry.error, undefined, `${backend} ${method} failed: ${entry.error}`);
      assert.ok(entry.coldMs > 0 && entry.warmMedianMs > 0 && entry.warmP90Ms >= entry.warmMedianMs,
        `${backend} ${method}: ${JSON.stringify(entry)}`);
      assert.equal(entry.photos[0].runsMs.length, 3);
      // The cold start in phases, one after the other: five for our Wasm
      // engine once its load() reports them, else load() and the first call.
      const shown = `${backend} ${method}: ${JSON.stringify(entry.coldPhases)}`;
      const keys = Object.keys(entry.coldPhases ?? {}).join();
      assert.ok(keys === 'load,firstCall' || (backend.startsWith('wasm-')
        && keys === 'engineAndDownload,decode,poolAndBuild,restOfLoad,firstCall'), shown);
      const phases = Object.values(entry.coldPhases);
      assert.ok(phases.every((v) => v >= 0), shown);
      const sum = phases.reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(sum - entry.coldMs) < 2, `${shown} add up to ${sum}, cold ${entry.coldMs}`);
    }
  }
  const box = await page.locator('canvas#chart-phases').boundingBox();
  assert.ok(box?.width > 0 && box?.height > 0, `the cold-start phases chart: ${JSON.stringify(box)}`);
  // The backends segment the same photo alike (TF.js's own kernels differ in
  // the last bits, so not to the pixel).
  const people = (backend) => results.results.find((r) => r.backend === backend && r.method === 'segmentPerson')
    .photos[0].foregroundPixels;
  assert.ok(people('wasm-simd') > 5000, `the frisbee player is found (${people('wasm-simd')} pixels)`);
  for (const backend of ['webgl', 'tfjs-wasm']) {
    assert.ok(Math.abs(people(backend) - people('wasm-simd')) <= 0.02 * people('wasm-simd'),
      `${backend} finds ${people(backend)} person pixels, bodypix-wasm ${people('wasm-simd')}`);
  }
  const table = await page.locator('#table tbody tr').count();
  assert.equal(table, results.results.length);

  // The JSON download is window.benchmarkResults.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.match(download.suggestedFilename(), /^bodypix-benchmark-.*\.json$/);
  const saved = path.join(OUTPUT, 'benchmark-download.json');
  await download.saveAs(saved);
  assert.deepEqual(JSON.parse(fs.readFileSync(saved, 'utf8')), results);

  // On a phone-sized screen only the results table scrolls sideways (once
  // the charts have followed the resize).
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = await page.waitForFunction(() => document.documentElement.scrollWidth === 390, null, { timeout: 5000 })
    .then(() => true, () => false);
  assert.ok(fits, `the page is ${await page.evaluate(() => document.documentElement.scrollWidth)} pixels wide`);
  await screenshot(page, 'benchmark-phone.png');
  assert.deepEqual(errors, []);
});

test('npm start serves the pages with cross-origin isolation on PORT and prints the URLs', async (t) => {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs')], {
    env: { ...process.env, PORT: '0', BODYPIX_MODELS: '', BODYPIX_SHARED: sharedDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill());
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const m = /^benchmark: +(http:\/\/127\.0\.0\.1:\d+\/)benchmark\.html$/m.exec(output);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error(`start.mjs exited (${code}): ${output}`)));
  });
  assert.match(output, new RegExp(`^demo: +${url.replace(/[.]/g, '\\.')}$`, 'm'));
  for (const file of ['', 'benchmark.html', 'js/index.js', 'dist/bodypix-simd.wasm',
    'node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.js', 'node_modules/chart.js/dist/chart.js']) {
    const response = await fetch(url + file, { method: 'HEAD' });
    assert.equal(response.status, 200, `${file}: HTTP ${response.status}`);
    assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
  }
  // Only what the pages use of node_modules is served.
  assert.equal((await fetch(`${url}node_modules/playwright-core/package.json`)).status, 404);
  const config = await (await fetch(`${url}site/config.json`)).json();
  if (fs.existsSync(path.join(sharedDir, 'models', 'bodypix'))) {
    // BODYPIX_MODELS unset: the shared models are served.
    assert.match(output, /BODYPIX_MODELS is not set: serving the model files in /);
    assert.equal(config.modelBaseUrl, '/model-files/bodypix/');
    assert.ok(config.localModels.includes('mobilenet/quant2/075/model-stride16.json'));
    const json = await fetch(`${url}model-files/bodypix/mobilenet/quant2/075/model-stride16.json`);
    assert.equal(json.status, 200);
  }
});
