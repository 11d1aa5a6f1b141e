// Proves the reference harness itself is trustworthy before anything is
// compared against it: local-file loading == body-pix's own load(), the
// reference reproduces the official golden mask, rawHeads is exactly the
// network body-pix runs, and the disk cache round-trips losslessly.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadReference, loadViaBodyPixLoad, toInputTensor, HEAD_NAMES, tf,
} from '../reference/bodypix-ref.mjs';
import {
  requireShared, listModels, listPhotos, getModel, GOLDEN, derivedImages, referenceMatrix,
} from '../support/shared.mjs';
import { decodeImage, syntheticImages } from '../support/images.mjs';
import { iou, goldenMask, countDiff, maxAbsDiff } from '../support/metrics.mjs';

const require = (await import('node:module')).createRequire(import.meta.url);
const bpUtil = require('@tensorflow-models/body-pix/dist/util.js');

const DEFAULT_MODEL = 'mobilenet/quant2/075/model-stride16.json';
const SMALL_PHOTO = 'images/five-people-meeting-281x187.jpg';

test('shared data: 12 complete model files and the photos are found', (t) => {
  if (!requireShared(t, ['models/bodypix/mobilenet', 'images'])) return;
  const models = listModels();
  assert.equal(models.length, 12, models.map((m) => m.id).join(','));
  const m = models.find((x) => x.id === 'mobilenet-75-q2-s16');
  assert.deepEqual(
    { q: m.quantBytes, mult: m.multiplier, s: m.outputStride, f: path.basename(m.jsonPath) },
    { q: 2, mult: 0.75, s: 16, f: 'model-stride16.json' });
  assert.ok(listPhotos().length >= 12);
});

test('decodeImage handles progressive JPEG and PNG', (t) => {
  const [jpg, png] = requireShared(t, [GOLDEN.image, GOLDEN.personMask]) ?? [];
  if (!jpg) return;
  const a = decodeImage(jpg); // progressive (SOF2)
  assert.deepEqual([a.width, a.height, a.data.length], [1049, 861, 1049 * 861 * 4]);
  assert.ok(a.data instanceof Uint8ClampedArray);
  const b = decodeImage(png);
  assert.deepEqual([b.width, b.height], [1049, 861]);
});

test('IOHandler load == body-pix load({modelUrl: IOHandler}) (bit-identical)', async (t) => {
  if (!requireShared(t, [`models/bodypix/${DEFAULT_MODEL}`, SMALL_PHOTO])) return;
  const spec = getModel('mobilenet-75-q2-s16');
  const img = decodeImage(requireShared(t, SMALL_PHOTO));
  const ref = await loadReference(spec, { cache: false });
  const viaLoad = await loadViaBodyPixLoad(spec);
  const x = toInputTensor(img);
  try {
    const a = await ref.segmentPersonParts(img);
    const b = await viaLoad.segmentPersonParts(x);
    assert.equal(countDiff(a.data, b.data), 0);
    assert.deepEqual(a.allPoses, b.allPoses);
  } finally {
    x.dispose(); ref.dispose(); viaLoad.dispose();
  }
});

test('golden: mobilenet-75-q2-s16 segmentPerson IoU vs official mask = 0.993 +- 0.002', async (t) => {
  if (!requireShared(t, [`models/bodypix/${DEFAULT_MODEL}`, GOLDEN.image, GOLDEN.personMask])) return;
  const ref = await loadReference(getModel('mobilenet-75-q2-s16')); // default disk cache
  const img = decodeImage(requireShared(t, GOLDEN.image));
  const res = await ref.segmentPerson(img, { internalResolution: 'medium', segmentationThreshold: 0.7 });
  const gold = goldenMask(requireShared(t, GOLDEN.personMask));
  assert.deepEqual([res.width, res.height], [gold.width, gold.height]);
  const v = iou(res.data, gold);
  t.diagnostic(`IoU ${v.toFixed(5)}`);
  assert.ok(Math.abs(v - 0.993) <= 0.002, `IoU ${v}`);
  ref.dispose();
});

test('rawHeads is exactly the network body-pix runs (re-derives segmentPerson bit-exactly)', async (t) => {
  if (!requireShared(t, `models/bodypix/${DEFAULT_MODEL}`)) return;
  const ref = await loadReference(getModel('mobilenet-75-q2-s16'), { cache: false });
  const { image } = syntheticImages().find((s) => s.name === 'blobs-641x479'); // has "person" pixels
  const cfg = { internalResolution: 'medium', segmentationThreshold: 0.7 };
  const seg = await ref.segmentPerson(image, cfg);
  const raw = await ref.rawHeads(image, 'medium');
  assert.deepEqual(Object.keys(raw.heads), [...HEAD_NAMES]);
  const [H, W] = raw.inputResolution;
  assert.deepEqual(raw.input.shape, [H, W, 3]);
  for (const name of HEAD_NAMES) assert.equal(raw.heads[name].shape.length, 3, name);
  // Input really is resized/127.5 - 1, as two float32-rounded ops (tfjs-cpu
  // div then sub); doing it in double differs by 1 ulp on some pixels.
  const pre = raw.resized.data.map((v) => Math.fround(Math.fround(v / 127.5) - 1));
  assert.equal(maxAbsDiff(pre, raw.input.data), 0);
  // Redo body-pix's post-processing from the cached logits with its own util.
  const s = raw.heads.float_segments;
  const p = raw.padding;
  const mask = tf.tidy(() => {
    const logits = tf.tensor3d(s.data, s.shape);
    const scaled = bpUtil.scaleAndCropToInputTensorShape(logits, [image.height, image.width], [H, W],
      [[p.top, p.bottom], [p.left, p.right]], true);
    return tf.cast(tf.greater(tf.squeeze(scaled), cfg.segmentationThreshold), 'int32');
  });
  const data = await mask.data();
  mask.dispose();
  assert.equal(countDiff(data, seg.data), 0);
  assert.ok(seg.data.some((v) => v === 1), 'expected some positives on blobs-641x479');
  ref.dispose();
});

test('disk cache round-trips results losslessly and is actually used', async (t) => {
  if (!requireShared(t, `models/bodypix/${DEFAULT_MODEL}`)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bodypix-ref-cache-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const spec = getModel('mobilenet-75-q2-s16');
  const { image } = syntheticImages().find((s) => s.name === 'blobs-513x513');
  const cfg = { internalResolution: 0.4, segmentationThreshold: 0.6 };

  const a = await loadReference(spec, { cache: dir });
  const seg1 = await a.segmentPerson(image, cfg);
  const parts1 = await a.segmentPersonParts(image, cfg);
  const raw1 = await a.rawHeads(image, 0.4);
  assert.deepEqual(a.stats, { hits: 0, misses: 3 });
  a.dispose();

  const b = await loadReference(spec, { cache: dir }); // fresh instance: only the disk is shared
  const seg2 = await b.segmentPerson(image, cfg);
  const parts2 = await b.segmentPersonParts(image, cfg);
  const raw2 = await b.rawHeads(image, 0.4);
  assert.deepEqual(b.stats, { hits: 3, misses: 0 });
  // deepStrictEqual checks typed-array classes and every element.
  assert.deepStrictEqual(seg2, seg1);
  assert.deepStrictEqual(parts2, parts1);
  assert.deepStrictEqual(raw2, raw1);

  // Different config or different pixels => different entry.
  await b.segmentPerson(image, { ...cfg, segmentationThreshold: 0.5 });
  const img2 = { ...image, data: image.data.slice() };
  img2.data[0] ^= 1;
  await b.segmentPerson(img2, cfg);
  assert.equal(b.stats.misses, 2);

  // A truncated .bin is detected and recomputed, not returned.
  const bins = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f); else if (/\.bin(\.gz)?$/.test(f)) bins.push(f);
  });
  walk(dir);
  for (const f of bins) fs.truncateSync(f, 3);
  const c = await loadReference(spec, { cache: dir });
  assert.deepStrictEqual(await c.segmentPerson(image, cfg), seg1);
  assert.equal(c.stats.misses, 1);
  c.dispose();
  b.dispose();
});

// Known body-pix 2.2.1 behaviours the implementation must reproduce; pinned
// here so a reference/tfjs upgrade that changes them is noticed.
test('body-pix quirk: flipHorizontal is ignored by segmentPerson/segmentPersonParts', async (t) => {
  if (!requireShared(t, [`models/bodypix/${DEFAULT_MODEL}`, SMALL_PHOTO])) return;
  const ref = await loadReference(getModel('mobilenet-75-q2-s16'));
  const img = decodeImage(requireShared(t, SMALL_PHOTO));
  for (const m of ['segmentPerson', 'segmentPersonParts']) {
    const a = await ref[m](img, { flipHorizontal: false });
    const b = await ref[m](img, { flipHorizontal: true });
    assert.equal(countDiff(a.data, b.data), 0, m);
    assert.deepEqual(a.allPoses, b.allPoses, m);
  }
  ref.dispose();
});

test('body-pix quirk: cropAndResize extrapolates the last column at 736x608 (background there)', async (t) => {
  if (!requireShared(t, [`models/bodypix/${DEFAULT_MODEL}`, GOLDEN.image])) return;
  const ref = await loadReference(getModel('mobilenet-75-q2-s16'));
  const byName = Object.fromEntries(derivedImages().map((d) => [d.name, d.image]));
  const col = (r, x, pos) => { let n = 0; for (let y = 0; y < r.height; y++) if (pos(r.data[y * r.width + x])) n++; return n; };
  for (const [name, lastIsEmpty] of [['three-people-736x608', true], ['three-people-737x608', false]]) {
    const img = byName[name];
    const seg = await ref.segmentPerson(img);
    const parts = await ref.segmentPersonParts(img);
    const w = img.width;
    assert.ok(col(seg, w - 2, (v) => v === 1) > 100, `${name}: people reach the right edge`);
    assert.equal(col(seg, w - 1, (v) => v === 1) === 0, lastIsEmpty, `${name} segmentPerson last column`);
    assert.equal(col(parts, w - 1, (v) => v >= 0) === 0, lastIsEmpty, `${name} parts last column`);
  }
  ref.dispose();
});

test('referenceMatrix: default subset covers every model, full is a superset', (t) => {
  if (!requireShared(t, ['models/bodypix/mobilenet', GOLDEN.image])) return;
  const key = (e) => `${e.model.id}|${e.image}|${e.method}`;
  const def = referenceMatrix({ full: false });
  const full = new Set(referenceMatrix({ full: true }).map(key));
  assert.equal(new Set(def.map((e) => e.model.id)).size, listModels().length);
  for (const e of def) assert.ok(full.has(key(e)), key(e));
  assert.ok(def.length < full.size / 3);
});
