// load({cacheModel}) in Chromium: the first load stores the model files in
// the Cache API, a second load (also in a worker) reads them from there
// without a request and gives the same answers; without the option nothing
// is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { DEFAULT_MODEL_ID, GOLDEN, getModel, requireShared } from '../support/shared.mjs';

test('cacheModel: the second load comes from the Cache API, with the same results', async (t) => {
  const model = getModel(DEFAULT_MODEL_ID);
  const [, photo] = requireShared(t, [model.jsonPath, GOLDEN.image]) ?? [];
  if (!photo) return;
  const browser = await launchBrowser(t);
  if (!browser) return;
  const server = await startServer(t);
  const { page, errors } = await openPage(t, browser, `${server.url}tests/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harness);
  const modelFiles = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/bodypix/')) modelFiles.push(r.url());
  });
  const modelUrl = sharedUrl(model.jsonPath);
  const photoUrl = sharedUrl(photo);
  const run = (args) => page.evaluate(async ({ modelUrl, photoUrl, cacheModel, worker }) => {
    const progress = [];
    const net = await harness.bodyPix.load({ modelUrl, multiplier: 0.75, quantBytes: 2, cacheModel, worker,
      onProgress: (p) => progress.push(p) });
    const seg = await net.segmentPerson(await harness.imageData(photoUrl));
    net.dispose();
    const stored = await (await caches.open(cacheModel === true ? 'bodypix-wasm-models' : 'unused')).keys();
    return { mask: harness.plain(seg.data), progress: progress.at(-1), stored: stored.length };
  }, { modelUrl, photoUrl, ...args });

  const plainLoad = await run({ cacheModel: false, worker: false });
  const fetched = modelFiles.splice(0).length;
  assert.ok(fetched >= 2, `the model.json and its shards are fetched: ${fetched} requests`);
  assert.equal(plainLoad.stored, 0, 'without cacheModel nothing is stored');

  const first = await run({ cacheModel: true, worker: false });
  assert.equal(modelFiles.splice(0).length, fetched, 'the first cached load fetches every file');
  assert.equal(first.stored, fetched, 'and stores each of them');

  for (const worker of [false, true]) {
    const again = await run({ cacheModel: true, worker });
    assert.deepEqual(modelFiles.splice(0), [], `a later load (worker: ${worker}) makes no request for model files`);
    assert.deepEqual(again.mask, plainLoad.mask);
    assert.deepEqual(again.progress, plainLoad.progress, 'progress is reported from the cache too');
  }
  assert.deepEqual(first.mask, plainLoad.mask);

  const bad = await page.evaluate(({ modelUrl }) => harness.bodyPix.load({ modelUrl, cacheModel: 1 })
    .then(() => 'loaded', (e) => e.message), { modelUrl });
  assert.match(bad, /cacheModel must be true, false or the name of a Cache API store/);
  assert.deepEqual(errors, []);
});
