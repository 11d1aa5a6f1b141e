// The draw* helpers in Chromium, against body-pix 2.2.1's own in the same
// page: identical canvases for the golden photo and body-pix's golden
// segmentations (one person or many). Then what body-pix lacks: ImageData
// and OffscreenCanvas, a worker (no DOM), and the blur for canvases without
// ctx.filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeImage } from '../support/images.mjs';
import { launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { GOLDEN, requireShared } from '../support/shared.mjs';

// The page that maps body-pix and TF.js for the browser.
const PAGE = 'tests/browser/pages/webgl.html';

// body-pix's golden results for the golden photo, as segmentations: the
// person mask is white on black, the part map's red is the part id (alpha 0
// where there is no part).
function goldenSegmentations(personPng, partsPng) {
  const person = decodeImage(personPng);
  const parts = decodeImage(partsPng);
  const n = person.width * person.height;
  const personData = new Uint8Array(n);
  const partData = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    personData[i] = person.data[4 * i] > 127 ? 1 : 0;
    partData[i] = parts.data[4 * i + 3] ? parts.data[4 * i] : -1;
  }
  const encode = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return { width: person.width, height: person.height, person: encode(personData), parts: encode(partData) };
}

async function setUp(t) {
  const files = requireShared(t, [GOLDEN.image, GOLDEN.personMask, GOLDEN.partIds]);
  if (!files) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const server = await startServer(t);
  const { page, errors } = await openPage(t, browser, server.url + PAGE);
  await page.waitForFunction(() => window.harnessReady);
  await page.evaluate(async ({ photoUrl, seg }) => {
    const decode = (b64, Type) => new Type(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer);
    const { width, height } = seg;
    const person = { width, height, data: decode(seg.person, Uint8Array), allPoses: [] };
    const parts = { width, height, data: decode(seg.parts, Int32Array), allPoses: [] };
    // Two overlapping people cut out of each: left 60% and right 60%.
    const split = (s, none) => [(x) => x < 0.6 * width, (x) => x >= 0.4 * width].map((keep) => ({
      width, height, pose: { score: 1, keypoints: [] }, data: s.data.map((v, i) => (keep(i % width) ? v : none)),
    }));
    const img = await harness.image(photoUrl);
    const canvas = await harness.canvas(photoUrl);
    const reference = await import('@tensorflow-models/body-pix');
    // RGBA bytes of what draw(canvas) drew.
    const drawn = (draw, target = document.createElement('canvas')) => {
      draw(target);
      return target.getContext('2d').getImageData(0, 0, target.width, target.height).data;
    };
    // {bytes, differing, maxDiff, meanDiff} between two drawings.
    const compare = (a, b) => {
      if (a.length !== b.length) return { sizes: [a.length, b.length] };
      let differing = 0;
      let maxDiff = 0;
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        if (d) differing++;
        maxDiff = Math.max(maxDiff, d);
        sum += d;
      }
      return { bytes: a.length, differing, maxDiff, meanDiff: sum / a.length };
    };
    window.t = {
      ours: harness.bodyPix, reference, img, canvas, person, parts,
      people: split(person, 0), partPeople: split(parts, -1), drawn, compare,
    };
  }, { photoUrl: sharedUrl(files[0]), seg: goldenSegmentations(files[1], files[2]) });
  return { page, errors };
}

test('draw* draw what body-pix draws', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const results = await s.page.evaluate(() => {
    const { ours, reference, img, canvas, person, parts, people, partPeople, drawn, compare } = window.t;
    // Each case: a function of a library, drawing on a canvas.
    const cases = {
      'drawMask, person mask': (lib) => (c) => lib.drawMask(c, img, lib.toMask(person), 0.7, 0, false),
      'drawMask, people, part colours, blurred, flipped': (lib) => (c) =>
        lib.drawMask(c, img, lib.toColoredPartMask(partPeople), 0.5, 3, true),
      'drawMask, no mask': (lib) => (c) => lib.drawMask(c, canvas, null),
      'drawMask, contour mask of people': (lib) => (c) =>
        lib.drawMask(c, img, lib.toMask(people, undefined, undefined, true), 0.9),
      'drawPixelatedMask, defaults': (lib) => (c) => lib.drawPixelatedMask(c, img, lib.toColoredPartMask(parts)),
      'drawPixelatedMask, blurred, flipped, 7.5 px cells': (lib) => (c) =>
        lib.drawPixelatedMask(c, canvas, lib.toColoredPartMask(parts), 0.6, 2, true, 7.5),
      'drawBokehEffect, defaults': (lib) => (c) => lib.drawBokehEffect(c, img, person),
      'drawBokehEffect, people, 9 px, sharp edge, flipped': (lib) => (c) =>
        lib.drawBokehEffect(c, canvas, people, 9, 0, true),
      'drawBokehEffect, no people': (lib) => (c) => lib.drawBokehEffect(c, img, [], 5),
      'blurBodyPart, defaults (faces)': (lib) => (c) => lib.blurBodyPart(c, img, parts),
      'blurBodyPart, people, torsos, flipped': (lib) => (c) =>
        lib.blurBodyPart(c, canvas, partPeople, [12, 13], 6, 1, true),
    };
    return Object.fromEntries(Object.entries(cases).map(([name, draw]) => {
      const a = drawn(draw(ours));
      const b = drawn(draw(reference));
      return [name, { ...compare(a, b), changed: compare(a, drawn((c) => reference.drawMask(c, img, null, 0))).differing }];
    }));
  });
  for (const [name, r] of Object.entries(results)) {
    assert.equal(r.bytes, 1049 * 861 * 4, `${name}: size`);
    assert.equal(r.differing, 0, `${name}: ${r.differing} bytes differ from body-pix's (max ${r.maxDiff})`);
    // A drawing that is just the photo would prove nothing (except the no-mask case).
    if (name !== 'drawMask, no mask') assert.ok(r.changed > 1000, `${name}: the photo is changed`);
  }
  assert.deepEqual(s.errors, []);
});

test('ImageData images, OffscreenCanvas targets, a worker, and the blur without ctx.filter', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const r = await s.page.evaluate(async () => {
    const { ours, img, canvas, person, parts, drawn, compare } = window.t;
    const { width, height } = canvas;
    const imageData = canvas.getContext('2d').getImageData(0, 0, width, height);
    const bokeh = drawn((c) => ours.drawBokehEffect(c, img, person, 5, 3));
    const offscreen = new OffscreenCanvas(1, 1);
    ours.drawBokehEffect(offscreen, img, person, 5, 3);
    const results = {
      imageData: compare(drawn((c) => ours.drawBokehEffect(c, imageData, person, 5, 3)), bokeh),
      rgbPixels: compare(drawn((c) => ours.drawMask(c, {
        width, height, data: imageData.data.filter((_, i) => i % 4 !== 3),
      }, ours.toMask(person))), drawn((c) => ours.drawMask(c, img, ours.toMask(person)))),
      offscreen: compare(offscreen.getContext('2d').getImageData(0, 0, width, height).data, bokeh),
    };

    // A worker has no document: the scratch canvases are OffscreenCanvases.
    const source = `
      import { drawBokehEffect, blurBodyPart } from '${location.origin}/js/output.js';
      onmessage = ({ data: { bitmap, person, parts } }) => {
        const canvas = new OffscreenCanvas(1, 1);
        try {
          drawBokehEffect(canvas, bitmap, person, 5, 3);
          const bokeh = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          blurBodyPart(canvas, bitmap, parts);
          const faces = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          postMessage({ bokeh, faces });
        } catch (e) {
          postMessage({ error: e.message });
        }
      };`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
    const bitmap = await createImageBitmap(img);
    const answer = await new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (e) => reject(new Error(`the worker failed: ${e.message}`));
      setTimeout(() => reject(new Error('the worker did not answer in 60 s')), 60000);
      worker.postMessage({ bitmap, person, parts }, [bitmap]);
    });
    worker.terminate();
    if (answer.error) return { workerError: answer.error };
    results.worker = compare(answer.bokeh, bokeh);
    results.workerFaces = compare(answer.faces, drawn((c) => ours.blurBodyPart(c, img, parts)));

    // As in Safari: contexts without ctx.filter blur in JS.
    const filter = Object.getOwnPropertyDescriptor(CanvasRenderingContext2D.prototype, 'filter');
    Object.defineProperty(CanvasRenderingContext2D.prototype, 'filter', { configurable: true, get: () => undefined });
    try {
      results.jsBlur = compare(drawn((c) => ours.drawBokehEffect(c, img, person, 5, 3)), bokeh);
      results.jsBlurFaces = compare(drawn((c) => ours.blurBodyPart(c, img, parts, [0, 1], 2, 1.5)),
        (Object.defineProperty(CanvasRenderingContext2D.prototype, 'filter', filter),
        drawn((c) => ours.blurBodyPart(c, img, parts, [0, 1], 2, 1.5))));
    } finally {
      Object.defineProperty(CanvasRenderingContext2D.prototype, 'filter', filter);
    }
    const errors = [];
    for (const bad of [() => ours.drawMask(img, img, null), () => ours.drawMask(canvas, img, ours.toMask({ ...person, width: 10 })),
      () => ours.drawBokehEffect(canvas, null, person), () => ours.drawPixelatedMask(canvas, img, null)]) {
      try {
        bad();
        errors.push('no error');
      } catch (e) {
        errors.push(`${e.constructor.name}: ${e.message}`);
      }
    }
    return { ...results, errors };
  });
  assert.equal(r.workerError, undefined, `in the worker: ${r.workerError}`);
  for (const name of ['imageData', 'rgbPixels', 'offscreen', 'worker', 'workerFaces']) {
    assert.equal(r[name].differing, 0, `${name}: ${JSON.stringify(r[name])}`);
  }
  // The JS blur follows the Filter Effects spec, as Chromium's does, but
  // rounds differently.
  for (const name of ['jsBlur', 'jsBlurFaces']) {
    assert.ok(r[name].meanDiff < 0.1 && r[name].maxDiff <= 8, `${name}: ${JSON.stringify(r[name])}`);
  }
  assert.deepEqual(r.errors, [
    'Error: canvas must be an HTMLCanvasElement or an OffscreenCanvas',
    'Error: error: dimensions must match. image has dimensions 1049x861, mask has dimensions 10x861',
    'Error: the image to draw must be an image, video, canvas, ImageBitmap or ImageData, not null',
    'Error: the mask is missing (null)',
  ]);
  assert.deepEqual(s.errors, []);
});
