// What a page can hand the model (Chromium): images, canvases, bitmaps,
// videos and encoded bytes give the pixels the page itself sees, at the size
// body-pix gives results for; images not loaded yet, videos without a frame
// and cross-origin images are Errors that say what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser, openPage, sharedUrl, startServer } from '../support/browser.mjs';
import { requireShared } from '../support/shared.mjs';

const HARNESS = 'tests/browser/pages/harness.html';
const PHOTO = 'images/two-people-bench-515x513.jpg';
const MODEL = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';

async function setUp(t, options) {
  const files = requireShared(t, [PHOTO, MODEL]);
  if (!files) return null;
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const server = await startServer(t, options);
  const { page, errors } = await openPage(t, browser, server.url + HARNESS);
  await page.waitForFunction(() => window.harnessReady);
  return { browser, page, errors, photoUrl: sharedUrl(files[0]), modelUrl: sharedUrl(files[1]) };
}

test('images, canvases, bitmaps, videos and bytes give the pixels the page sees', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const r = await s.page.evaluate(async ({ photoUrl, modelUrl }) => {
    const { pixelsOf } = await import('/js/input.js');
    const expected = await harness.imageData(photoUrl);
    const { width, height } = expected;
    const summary = ({ data, width: w, height: h }) => {
      if (w !== width || h !== height) return `${w}x${h}`;
      let sum = 0;
      let max = 0;
      for (let i = 0; i < data.length; i++) {
        const d = Math.abs(data[i] - expected.data[i]);
        sum += d;
        max = Math.max(max, d);
      }
      return max === 0 ? 'same' : `mean ${(sum / data.length).toFixed(2)}, max ${max}`;
    };
    const img = await harness.image(photoUrl);
    const canvas = await harness.canvas(photoUrl);
    const offscreen = new OffscreenCanvas(width, height);
    offscreen.getContext('2d').drawImage(img, 0, 0);
    const bytes = new Uint8Array(await (await fetch(photoUrl)).arrayBuffer());

    // A live video: the photo on a canvas, streamed. A canvas stream sends a
    // frame when the canvas is drawn on, so it is redrawn until one arrives.
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = canvas.captureStream();
    const frame = new Promise((resolve, reject) => {
      video.addEventListener('loadeddata', resolve, { once: true });
      setTimeout(() => reject(new Error('the video had no frame after 30 s')), 30000);
    });
    const redraw = setInterval(() => canvas.getContext('2d').drawImage(img, 0, 0), 50);
    await video.play();
    await frame.finally(() => clearInterval(redraw));

    // An image laid out smaller than it is: body-pix's size is the displayed one.
    const shown = await harness.image(photoUrl);
    shown.style.width = '300px';
    shown.style.height = '200px';
    document.body.append(shown);

    const results = {
      HTMLImageElement: summary(await pixelsOf(img)),
      HTMLCanvasElement: summary(await pixelsOf(canvas)),
      OffscreenCanvas: summary(await pixelsOf(offscreen)),
      ImageBitmap: summary(await pixelsOf(await createImageBitmap(img))),
      'JPEG bytes': summary(await pixelsOf(bytes)),
      'JPEG ArrayBuffer': summary(await pixelsOf(bytes.buffer)),
      ImageData: summary(await pixelsOf(expected)),
    };
    const fromVideo = await pixelsOf(video);
    const fromShown = await pixelsOf(shown);

    // The model reads them all the same way.
    const net = await harness.bodyPix.load({ modelUrl, quantBytes: 2, multiplier: 0.75 });
    try {
      const reference = await net.segmentPerson(expected);
      const same = async (input) => {
        const seg = await net.segmentPerson(input);
        return seg.width === width && seg.data.every((v, i) => v === reference.data[i]);
      };
      const shownSeg = await net.segmentPersonParts(shown);
      return {
        results,
        video: { width: fromVideo.width, height: fromVideo.height, summary: summary(fromVideo) },
        shown: [fromShown.width, fromShown.height, shownSeg.width, shownSeg.height],
        people: reference.data.reduce((a, v) => a + v, 0),
        segmented: { img: await same(img), canvas: await same(canvas), bytes: await same(bytes) },
      };
    } finally {
      net.dispose();
      video.srcObject.getTracks().forEach((track) => track.stop());
    }
  }, { photoUrl: s.photoUrl, modelUrl: s.modelUrl });
  for (const [kind, summary] of Object.entries(r.results)) assert.equal(summary, 'same', kind);
  assert.deepEqual([r.video.width, r.video.height], [515, 513]);
  // Video frames travel as YUV: close to the canvas, not equal.
  const videoMean = Number(/mean ([\d.]+)/.exec(r.video.summary)?.[1] ?? (r.video.summary === 'same' ? 0 : NaN));
  assert.ok(videoMean < 4, `video: ${r.video.summary}`);
  assert.deepEqual(r.shown, [300, 200, 300, 200]);
  assert.ok(r.people > 10000, `${r.people} person pixels`);
  assert.deepEqual(r.segmented, { img: true, canvas: true, bytes: true });
  assert.deepEqual(s.errors, []);
});

test('unloaded images, frameless videos, cross-origin images and bad bytes are Errors that say what to do', async (t) => {
  // Two servers without isolation: two origins, and cross-origin images load
  // (tainting the canvas) instead of being blocked.
  const s = await setUp(t, { isolation: false });
  if (!s) return;
  const other = await startServer(t, { isolation: false });
  const r = await s.page.evaluate(async ({ photoUrl, foreignUrl }) => {
    const { pixelsOf } = await import('/js/input.js');
    const loading = new Image();
    loading.src = `${photoUrl}?not-yet`;
    // Before the image had a chance to load.
    const loadingFailure = harness.failure(pixelsOf(loading));
    const broken = new Image();
    broken.src = '/no/such/image.jpg';
    await new Promise((resolve) => { broken.onerror = resolve; });
    const foreign = new Image();
    foreign.src = foreignUrl;
    await foreign.decode();
    const corsFree = new Image();
    corsFree.crossOrigin = 'anonymous';
    corsFree.src = `${foreignUrl}?cors`;
    const corsFreeLoaded = await corsFree.decode().then(() => 'loaded', (e) => `${e.name}`);
    return {
      loading: await loadingFailure,
      broken: await harness.failure(pixelsOf(broken)),
      video: await harness.failure(pixelsOf(document.createElement('video'))),
      foreign: await harness.failure(pixelsOf(foreign)),
      // The server sends no CORS headers, so crossOrigin images do not load at all.
      corsFreeLoaded,
      gif: await harness.failure(pixelsOf(new TextEncoder().encode('GIF89a'))),
      corrupt: await harness.failure(pixelsOf(Uint8Array.of(0xff, 0xd8, 0xff, 0, 1, 2, 3))),
      path: await harness.failure(pixelsOf('photo.jpg')),
      empty: await harness.failure(pixelsOf(new OffscreenCanvas(0, 0))),
    };
  }, { photoUrl: s.photoUrl, foreignUrl: `${other.url}${s.photoUrl.slice(1)}` });
  assert.equal(r.loading, 'Error: the image has not loaded (or failed to load): await img.decode() before segmenting it');
  assert.equal(r.broken, r.loading);
  assert.equal(r.video, "Error: the video has no frame yet: wait for its 'loadeddata' event before segmenting it");
  assert.match(r.foreign, /^Error: the image is cross-origin and taints the canvas.*crossOrigin="anonymous"/);
  assert.equal(r.corsFreeLoaded, 'EncodingError');
  assert.equal(r.gif, 'Error: the input is not a PNG or JPEG file (or pass decoded pixels as {data, width, height})');
  assert.match(r.corrupt, /^Error: cannot decode the input: /);
  assert.match(r.path, /^Error: a file path is only accepted in Node/);
  assert.equal(r.empty, 'Error: the input is 0x0 pixels: nothing to segment');
});
