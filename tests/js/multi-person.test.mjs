// segmentMultiPerson / segmentMultiPersonParts at their edges, through the
// package API, each compared with body-pix 2.2.1 (tfjs-cpu): no person, a
// person cut by the image border, more people than maxDetections, a score
// threshold nobody reaches, options body-pix ignores, and bad options.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { loadReference, toInputTensor } from '../reference/bodypix-ref.mjs';
import { withTestFlavour } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { iou } from '../support/metrics.mjs';
import { comparePersons, personPartAgreement } from '../support/persons.mjs';
import { getModel, hasShared, isCI, sharedPath } from '../support/shared.mjs';

const MODEL_ID = 'mobilenet-75-q2-s16';
const PHOTOS = {
  none: 'images/no-person-office-blurred-1920x1440.jpg',
  one: 'images/single-person-frisbee-513x513.jpg',
  two: 'images/two-people-bench-515x513.jpg',
  five: 'images/five-people-meeting-281x187.jpg',
};
const available = hasShared('models/bodypix/mobilenet', ...Object.values(PHOTOS));
if (!available && isCI) throw new Error('[CI] shared models or photos missing (set BODYPIX_SHARED)');

function crop({ data, width }, left, top, w, h) {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) out.set(data.subarray(((top + y) * width + left) * 4, ((top + y) * width + left + w) * 4), y * w * 4);
  return { data: out, width: w, height: h };
}

const METHODS = [['segmentMultiPerson', iou], ['segmentMultiPersonParts', personPartAgreement]];

describe(`multi-person edge cases on ${MODEL_ID}`, { skip: !available && 'shared models or photos missing' }, () => {
  let net;
  let reference;
  const images = {};
  before(async () => {
    const spec = getModel(MODEL_ID);
    reference = await loadReference(spec);
    net = await bodyPix.load(withTestFlavour({ modelUrl: spec.jsonPath, multiplier: spec.multiplier, quantBytes: spec.quantBytes }));
    for (const [key, file] of Object.entries(PHOTOS)) images[key] = decodeImage(sharedPath(file));
  });
  after(() => {
    net?.dispose();
    reference?.dispose();
  });

  // Same persons as body-pix, within the parity limits; returns ours.
  async function sameAsBodyPix(t, method, metric, image, config) {
    const ours = await net[method](image, config);
    const worst = comparePersons(ours, await reference[method](image, config), metric);
    t.diagnostic(`${method}: ${ours.length} persons, keypoints within ${worst.position.toExponential(2)} px, ` +
      `worst per-person ${metric.name} ${worst.metric.toFixed(5)}`);
    assert.ok(worst.position <= 0.5 && worst.score <= 1e-3 && worst.metric >= 0.99, JSON.stringify(worst));
    return ours;
  }

  test('no person: no persons, as no pose reaches scoreThreshold', async (t) => {
    for (const [method, metric] of METHODS) {
      assert.deepEqual(await sameAsBodyPix(t, method, metric, images.none), []);
    }
    // segmentPerson still decodes poses and finds a few person-like pixels here
    // (as body-pix does: the parity matrix compares them).
    const { allPoses } = await net.segmentPerson(images.none);
    assert.ok(allPoses.length > 0 && allPoses.every((p) => p.score < 0.4), allPoses.map((p) => p.score).join());
  });

  test('a person cut by the top and left borders', async (t) => {
    // The frisbee player spans x 86..376, y 146..436 of the 513x513 photo.
    const image = crop(images.one, 120, 180, 393, 333);
    for (const [method, metric] of METHODS) {
      const [person, ...others] = await sameAsBodyPix(t, method, metric, image);
      assert.equal(others.length, 0);
      const on = (i) => (method === 'segmentMultiPerson' ? person.data[i] === 1 : person.data[i] >= 0);
      assert.ok(person.data.some((_, i) => i < image.width && on(i)), 'the person reaches the top row');
      assert.ok(person.data.some((_, i) => i % image.width === 0 && on(i)), 'the person reaches the left column');
    }
  });

  test('more people than maxDetections: the first maxDetections, as body-pix', async (t) => {
    // At scoreThreshold 0.1 body-pix finds 4 persons here, one of them without pixels.
    const all = await sameAsBodyPix(t, 'segmentMultiPerson', iou, images.five, { scoreThreshold: 0.1 });
    assert.equal(all.length, 4);
    assert.ok(all.some((p) => p.data.every((v) => v === 0)), 'a pose owning no pixel still counts');
    for (const [method, metric] of METHODS) {
      const two = await sameAsBodyPix(t, method, metric, images.five, { scoreThreshold: 0.1, maxDetections: 2 });
      assert.equal(two.length, 2);
      assert.deepEqual(two.map((p) => p.pose), all.slice(0, 2).map((p) => p.pose));
    }
  });

  test('scoreThreshold 1: no persons', async (t) => {
    for (const [method, metric] of METHODS) {
      assert.deepEqual(await sameAsBodyPix(t, method, metric, images.two, { scoreThreshold: 1 }), []);
    }
  });

  test('refineSteps changes the split as in body-pix; flipHorizontal and minKeypointScore change nothing', async (t) => {
    const plain = await net.segmentMultiPerson(images.two);
    const moved = (persons) => persons.reduce((n, p, k) => n + p.data.filter((v, i) => v !== plain[k].data[i]).length, 0);
    for (const config of [{ refineSteps: 1 }, { refineSteps: 20 }]) {
      // A few dozen pixels change hands between the two.
      assert.ok(moved(await sameAsBodyPix(t, 'segmentMultiPerson', iou, images.two, config)) > 0);
    }
    for (const config of [{ flipHorizontal: true }, { minKeypointScore: 0.9 }]) {
      const ours = await sameAsBodyPix(t, 'segmentMultiPerson', iou, images.two, config);
      assert.deepEqual(ours, plain);
    }
  });

  test('bad options are Errors naming the option, where body-pix throws too', async (t) => {
    const bp = await reference.getBodyPix();
    const input = toInputTensor(images.five);
    t.after(() => input.dispose());
    for (const [config, pattern] of [
      [{ refineSteps: 0 }, /refineSteps/],
      [{ refineSteps: 21 }, /refineSteps/],
      [{ minKeypointScore: 1.5 }, /minKeypointScore/],
      [{ minKeypointScore: -0.1 }, /minKeypointScore/],
      [{ maxDetections: 0 }, /maxDetections/],
      [{ scoreThreshold: 1.1 }, /scoreThreshold/],
      [{ nmsRadius: 0 }, /nmsRadius/],
      [{ segmentationThreshold: -1 }, /segmentationThreshold/],
    ]) {
      for (const method of ['segmentMultiPerson', 'segmentMultiPersonParts']) {
        await assert.rejects(bp[method](input, config), pattern, `body-pix ${method} ${JSON.stringify(config)}`);
        await assert.rejects(net[method](images.five, config), (e) => e instanceof Error && pattern.test(e.message),
          `${method} ${JSON.stringify(config)}`);
      }
    }
    // Stricter than body-pix, which runs 3 steps for 2.5 and none for 'x'.
    await assert.rejects(net.segmentMultiPerson(images.five, { refineSteps: 2.5 }), /refineSteps .* integer in \[1, 20\]/);
    await assert.rejects(net.segmentMultiPerson(images.five, { refineSteps: 'x' }), /refineSteps must be a number/);
    assert.equal((await net.segmentMultiPerson(images.five)).length, 2, 'the model still works');
  });

  test('lastTimings: the phases of the last call', async () => {
    await net.segmentMultiPerson(images.two);
    const t = net.lastTimings();
    assert.deepEqual(Object.keys(t).sort(), ['inference', 'input', 'instances', 'poses', 'preprocess', 'segmentation']);
    for (const v of Object.values(t)) assert.ok(Number.isFinite(v) && v >= 0);
    assert.ok(t.inference > 0 && t.instances > 0);
    await net.segmentPerson(images.two);
    assert.equal(net.lastTimings().instances, 0, 'segmentPerson matches no instances');
  });
});
