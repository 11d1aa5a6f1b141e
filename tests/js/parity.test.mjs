// Parity with the reference: @tensorflow-models/body-pix 2.2.1 on
// tfjs-backend-cpu, same model files, same pixels, for each Wasm flavour.
// The cases are referenceMatrix() (BODYPIX_REF_FULL=1: every model on every
// image); scripts/test.sh fills the reference cache first, in parallel.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { loadReference } from '../reference/bodypix-ref.mjs';
import { TEST_FLAVOURS } from '../support/flavours.mjs';
import { decodeImage, syntheticImages } from '../support/images.mjs';
import { iou, maxAbsDiff } from '../support/metrics.mjs';
import { comparePersons, personPartAgreement, poseDifference } from '../support/persons.mjs';
import { derivedImages, listModels, referenceMatrix, requireShared } from '../support/shared.mjs';

const MIN_IOU = 0.995;
const MIN_PART_AGREEMENT = 0.99;
// Per element, |ours - TF.js| <= tolerance * max(1, |TF.js|). tfjs-backend-cpu
// and XNNPACK both sum convolutions in float32, in different orders; on the
// heads in pixel units (offsets, displacements: up to a few hundred) the order
// alone moves some values by just over 1e-3, so those get 2e-3. The score heads that
// masks and parts come from keep 1e-3.
const MAX_HEAD_DIFF = 1e-3;
const PIXEL_HEAD_DIFF = 2e-3;
const isPixelHead = (name) => /offsets|displacement/.test(name) && name !== 'float_part_offsets';

function worstHeadError(ours, ref) {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const error = Math.abs(ours[i] - ref[i]) / Math.max(1, Math.abs(ref[i]));
    worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
  }
  return worst;
}

// BODYPIX_PARITY_MODELS=mobilenet-75-q2-s16,mobilenet-50-q4-s8 narrows the matrix while developing.
const only = process.env.BODYPIX_PARITY_MODELS?.split(',');
const matrix = referenceMatrix().filter((e) => !only || only.includes(e.model.id));

const generated = new Map([...syntheticImages(), ...derivedImages()].map((s) => [s.name, s.image]));
const pixels = new Map();
const imageOf = (name) => {
  if (!pixels.has(name)) pixels.set(name, generated.get(name) ?? decodeImage(name));
  return pixels.get(name);
};

test('the shared models and photos are there', (t) => {
  if (!requireShared(t, 'models/bodypix/mobilenet')) return;
  assert.equal(listModels().length, 12, 'six complete MobileNet variants, two strides each');
});

// Same poses in the same order: keypoints within 0.5 px, scores within 1e-3.
function comparePoses(t, flavour, ours, ref) {
  assert.equal(ours.length, ref.length, `${flavour}: number of poses`);
  let position = 0;
  let score = 0;
  ref.forEach((pose, i) => {
    const d = poseDifference(ours[i], pose);
    position = Math.max(position, d.position);
    score = Math.max(score, d.score);
  });
  t.diagnostic(`${flavour}: ${ref.length} poses, keypoints within ${position.toExponential(2)} px, scores within ${score.toExponential(2)}`);
  assert.ok(position <= 0.5, `${flavour}: keypoint position differs by ${position} px`);
  assert.ok(score <= 1e-3, `${flavour}: score differs by ${score}`);
}

// segmentMultiPerson(Parts): per person (paired by pose), the same limits
// on the pose, and mask IoU / part agreement of at least 0.99.
const MIN_PERSON_IOU = 0.99;

async function compareMultiPerson(t, reference, nets, image, method, metric) {
  const ref = await reference[method](image);
  for (const flavour of TEST_FLAVOURS) {
    const worst = comparePersons(await nets[flavour][method](image), ref, metric);
    t.diagnostic(`${flavour}: ${ref.length} persons, keypoints within ${worst.position.toExponential(2)} px, ` +
      `scores within ${worst.score.toExponential(2)}, worst per-person ` +
      `${metric === iou ? 'mask IoU' : 'part agreement'} ${worst.metric.toFixed(5)}`);
    assert.ok(worst.position <= 0.5, `${flavour}: keypoint position differs by ${worst.position} px`);
    assert.ok(worst.score <= 1e-3, `${flavour}: score differs by ${worst.score}`);
    assert.ok(worst.metric >= MIN_PERSON_IOU, `${flavour}: per-person ${metric.name} ${worst.metric}`);
  }
}

const checks = {
  async segmentPerson(t, reference, nets, image) {
    const ref = await reference.segmentPerson(image);
    for (const flavour of TEST_FLAVOURS) {
      const ours = await nets[flavour].segmentPerson(image);
      const value = iou(ours.data, ref.data);
      t.diagnostic(`${flavour}: mask IoU ${value.toFixed(5)}`);
      assert.ok(value >= MIN_IOU, `${flavour}: mask IoU ${value}`);
      comparePoses(t, flavour, ours.allPoses, ref.allPoses);
    }
  },
  async segmentPersonParts(t, reference, nets, image) {
    const ref = await reference.segmentPersonParts(image);
    for (const flavour of TEST_FLAVOURS) {
      const value = personPartAgreement((await nets[flavour].segmentPersonParts(image)).data, ref.data);
      t.diagnostic(`${flavour}: ${(value * 100).toFixed(3)}% of person pixels have the same part`);
      assert.ok(value >= MIN_PART_AGREEMENT, `${flavour}: part agreement ${value}`);
    }
  },
  segmentMultiPerson: (t, reference, nets, image) => compareMultiPerson(t, reference, nets, image, 'segmentMultiPerson', iou),
  segmentMultiPersonParts: (t, reference, nets, image) =>
    compareMultiPerson(t, reference, nets, image, 'segmentMultiPersonParts', personPartAgreement),
  async rawHeads(t, reference, nets, image) {
    const ref = await reference.rawHeads(image, 'medium');
    for (const flavour of TEST_FLAVOURS) {
      const ours = await nets[flavour].predict(image, { internalResolution: 'medium' });
      assert.deepEqual(ours.padding, ref.padding);
      let worst = 0;
      for (const [name, head] of Object.entries(ref.heads)) {
        assert.deepEqual(ours[name].shape, head.shape, `${flavour} ${name} shape`);
        const diff = worstHeadError(ours[name].data, head.data);
        assert.ok(diff <= (isPixelHead(name) ? PIXEL_HEAD_DIFF : MAX_HEAD_DIFF), `${flavour} ${name}: error ${diff} (max abs diff ${maxAbsDiff(ours[name].data, head.data)})`);
        worst = Math.max(worst, diff);
      }
      t.diagnostic(`${flavour}: worst head error ${worst.toExponential(2)}`);
    }
  },
};

for (const model of [...new Set(matrix.map((e) => e.model.id))]) {
  const entries = matrix.filter((e) => e.model.id === model);
  const spec = entries[0].model;
  describe(`model ${model}`, () => {
    let reference;
    const nets = {};
    before(async () => {
      reference = await loadReference(spec);
      for (const flavour of TEST_FLAVOURS) {
        nets[flavour] = await bodyPix.load({
          modelUrl: spec.jsonPath, multiplier: spec.multiplier, quantBytes: spec.quantBytes,
          outputStride: spec.outputStride, flavour,
        });
      }
    });
    after(() => {
      reference?.dispose();
      Object.values(nets).forEach((n) => n.dispose());
    });
    for (const { image, method } of entries) {
      test(`${method} on ${path.basename(image)}`, (t) => checks[method](t, reference, nets, imageOf(image)));
    }
  });
}
