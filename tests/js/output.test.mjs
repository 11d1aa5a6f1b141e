// The output helpers that need no canvas (toMask, toColoredPartMask,
// flipPoseHorizontal) against body-pix 2.2.1's own, pixel by pixel, on our
// engine's segmentations of real photos. The draw* helpers are tested in a
// browser (tests/browser/).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as reference from '@tensorflow-models/body-pix';
import * as bodyPix from '../../js/index.js';
import { gaussianBlur } from '../../js/output.js';
import { withTestFlavour } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { requireShared } from '../support/shared.mjs';

const MODEL = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';
const PHOTOS = ['images/three-people-office-1049x861.jpg', 'images/two-people-bench-515x513.jpg'];

// body-pix builds its results with `new ImageData`, which Node lacks; ours
// must work without it, so the class exists only while body-pix runs.
class ImageDataPolyfill {
  constructor(data, width, height) {
    Object.assign(this, { data, width, height });
  }
}
function ref(fn, ...args) {
  globalThis.ImageData = ImageDataPolyfill;
  try {
    return fn(...args);
  } finally {
    delete globalThis.ImageData;
  }
}

function assertSameImage(ours, theirs, what) {
  assert.ok(!(ours instanceof ImageDataPolyfill), 'without a global ImageData the result is a plain object');
  assert.equal(ours.width, theirs.width, `${what}: width`);
  assert.equal(ours.height, theirs.height, `${what}: height`);
  assert.ok(ours.data instanceof Uint8ClampedArray, `${what}: data is a Uint8ClampedArray`);
  const differing = ours.data.findIndex((v, i) => v !== theirs.data[i]);
  assert.equal(differing, -1, `${what}: first differing byte ${differing} ` +
    `(pixel ${Math.floor(differing / 4)}: ours ${ours.data[differing]}, body-pix ${theirs.data[differing]})`);
}

function cyanPixels({ data }) {
  let count = 0;
  for (let i = 0; i < data.length; i += 4) count += data[i] === 0 && data[i + 1] === 255 && data[i + 2] === 255;
  return count;
}

// Two overlapping "people" cut out of one segmentation (left 60%, right 60%
// with other ids): arrays whose people overlap, where the later one wins.
function splitInTwo(seg, background, relabel) {
  const { width, height, data } = seg;
  const left = data.map((v, n) => (n % width < 0.6 * width ? v : background));
  const right = data.map((v, n) => (n % width >= 0.4 * width && v !== background ? relabel(v) : background));
  return [left, right].map((d) => ({ width, height, data: d, pose: seg.allPoses[0] }));
}

const results = [];
before(async () => {
  const modelUrl = requireShared(null, MODEL);
  const photos = PHOTOS.map((p) => requireShared(null, p));
  if (!modelUrl || photos.includes(null)) return;
  const net = await bodyPix.load(withTestFlavour({ modelUrl, multiplier: 0.75, quantBytes: 2 }));
  for (const photo of photos) {
    const image = decodeImage(photo);
    results.push({
      photo,
      person: await net.segmentPerson(image),
      parts: await net.segmentPersonParts(image),
      multiPerson: await net.segmentMultiPerson(image),
      multiParts: await net.segmentMultiPersonParts(image),
    });
  }
  net.dispose();
});

function haveResults(t) {
  return requireShared(t, [MODEL, ...PHOTOS]) && results.length === PHOTOS.length;
}

test('toMask: the same pixels as body-pix for person and part segmentations, one person or many', (t) => {
  if (!haveResults(t)) return;
  const white = { r: 255, g: 255, b: 255, a: 255 };
  const tint = { r: 10, g: 20, b: 30, a: 128 };
  for (const { photo, person, parts, multiPerson, multiParts } of results) {
    assert.ok(person.data.some((v) => v === 1), `${photo}: someone is found`);
    assert.ok(multiPerson.length >= 2, `${photo}: ${multiPerson.length} people`);
    const people = splitInTwo(person, 0, (v) => v);
    const partPeople = splitInTwo(parts, -1, (v) => (v + 5) % 24);
    const cases = [
      ['segmentMultiPerson, defaults', [multiPerson]],
      ['segmentMultiPerson, contour', [multiPerson, white, tint, true]],
      ['segmentMultiPersonParts, hands and feet, contour', [multiParts, tint, white, true, [10, 11, 22, 23]]],
      ['person, defaults', [person]],
      ['person, colours, contour', [person, white, tint, true]],
      ['people array, contour', [people, tint, white, true]],
      ['parts, face ids, contour (blurBodyPart)', [parts, tint, white, true, [0, 1]]],
      ['part people, torso ids, contour', [partPeople, white, tint, true, [12, 13, 17]]],
      ['parts, no ids', [parts, white, tint, false, []]],
    ];
    for (const [what, args] of cases) {
      const ours = bodyPix.toMask(...args);
      assertSameImage(ours, ref(reference.toMask, ...args), `${photo}: ${what}`);
      if (args[3]) assert.ok(cyanPixels(ours) > 100, `${photo}: ${what}: contours drawn (${cyanPixels(ours)} pixels)`);
    }
    assert.equal(bodyPix.toMask([]), null);
  }
});

test('toColoredPartMask: the same pixels as body-pix, one person or many', (t) => {
  if (!haveResults(t)) return;
  const grey = Array.from({ length: 24 }, (_, i) => [i * 10, 255 - i * 10, i]);
  for (const { photo, parts, multiParts } of results) {
    const partPeople = splitInTwo(parts, -1, (v) => (v + 5) % 24);
    assertSameImage(bodyPix.toColoredPartMask(parts), ref(reference.toColoredPartMask, parts), `${photo}: defaults`);
    assertSameImage(bodyPix.toColoredPartMask(multiParts), ref(reference.toColoredPartMask, multiParts),
      `${photo}: segmentMultiPersonParts`);
    assertSameImage(bodyPix.toColoredPartMask(partPeople), ref(reference.toColoredPartMask, partPeople),
      `${photo}: people array`);
    assertSameImage(bodyPix.toColoredPartMask(partPeople, grey), ref(reference.toColoredPartMask, partPeople, grey),
      `${photo}: people array, own colours`);
  }
  assert.equal(bodyPix.toColoredPartMask([]), null);
  const one = { width: 2, height: 1, data: Int32Array.of(-1, 30) };
  assert.throws(() => bodyPix.toColoredPartMask(one), /No color could be found for part id 30/);
});

test('flipPoseHorizontal: the same poses as body-pix', (t) => {
  if (!haveResults(t)) return;
  let poses = 0;
  for (const { person, parts, multiPerson } of results) {
    for (const pose of [...person.allPoses, ...parts.allPoses, ...multiPerson.map((p) => p.pose)]) {
      assert.deepEqual(bodyPix.flipPoseHorizontal(pose, person.width), reference.flipPoseHorizontal(pose, person.width));
      poses++;
    }
  }
  assert.ok(poses >= 4, `${poses} poses compared`);
});

test('PART_CHANNELS is body-pix\'s', () => {
  assert.deepEqual(bodyPix.PART_CHANNELS, reference.PART_CHANNELS);
});

test('bad segmentations are Errors naming the problem', () => {
  const a = { width: 2, height: 2, data: new Uint8Array(4) };
  const b = { width: 3, height: 2, data: new Uint8Array(6) };
  assert.throws(() => bodyPix.toMask([a, b]), /same size \(item 0 is 2x2, item 1 is 3x2\)/);
  assert.throws(() => bodyPix.toMask(null), /toMask must be a segmentation/);
  assert.throws(() => bodyPix.toColoredPartMask([a, {}]), /item 1/);
});

// The fallback blur for canvases without ctx.filter: a Gaussian of the given
// standard deviation (mass kept, variance sigma²), on premultiplied alpha.
test('gaussianBlur: Gaussian spread, mass kept, colour of transparent pixels ignored', () => {
  const size = 101;
  const c = 50;
  for (const sigma of [1, 3, 8]) {
    // A white disc (r = 3, so 8-bit rounding stays small) on transparent red:
    // the invisible red must not bleed into the blur.
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      const [x, y] = [i % size, Math.floor(i / size)];
      rgba.set((x - c) ** 2 + (y - c) ** 2 <= 9 ? [255, 255, 255, 255] : [255, 0, 0, 0], 4 * i);
    }
    const alpha = (i) => rgba[4 * i + 3];
    const moments = () => {
      let mass = 0;
      let varX = 0;
      for (let i = 0; i < size * size; i++) {
        mass += alpha(i);
        varX += alpha(i) * (i % size - c) ** 2;
      }
      return { mass, varX: varX / mass };
    };
    const before = moments();
    gaussianBlur(rgba, size, size, sigma);
    const after = moments();
    assert.ok(Math.abs(after.mass / before.mass - 1) < 0.02, `sigma ${sigma}: mass ${after.mass} vs ${before.mass}`);
    const spread = after.varX - before.varX;
    // The spec's three boxes are narrower than the Gaussian (sigma 8: boxes
    // of 15, variance 56 for 64), and 8-bit rounding trims the tails.
    assert.ok(Math.abs(spread / (sigma * sigma) - 1) < 0.2, `sigma ${sigma}: added variance ${spread}`);
    for (let i = 0; i < size * size; i++) {
      if (alpha(i) > 8) assert.deepEqual([...rgba.subarray(4 * i, 4 * i + 3)], [255, 255, 255], `sigma ${sigma}: white`);
    }
    assert.ok(Math.abs(alpha(c * size + c - 10) - alpha(c * size + c + 10)) <= 1, `sigma ${sigma}: symmetric`);
  }
});
