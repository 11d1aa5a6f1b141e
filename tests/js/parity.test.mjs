// Parity with the reference: @tensorflow-models/body-pix 2.2.1 on
// tfjs-backend-cpu, same model files, same pixels, for each Wasm flavour.
import assert from 'node:assert/strict';
import { describe, test, before, after } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { FLAVOURS } from '../../js/engine.js';
import { loadReference } from '../reference/bodypix-ref.mjs';
import { decodeImage, imageName, syntheticImages } from '../support/images.mjs';
import { iou, maxAbsDiff } from '../support/metrics.mjs';
import { listModels, listPhotos, requireShared } from '../support/shared.mjs';

const MIN_IOU = 0.995;
const MIN_PART_AGREEMENT = 0.99;
const MAX_HEAD_DIFF = 1e-3;

// BODYPIX_PARITY_MODELS=quant2-075-16,float-050-8 narrows the matrix while developing.
const only = process.env.BODYPIX_PARITY_MODELS?.split(',');
const models = listModels().filter((m) => !only || only.includes(m.id));

// Agreement over the pixels either side calls a person: background, which
// dominates most photos, would make any part map look good.
function personPartAgreement(a, b) {
  let same = 0;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 && b[i] < 0) continue;
    total++;
    if (a[i] === b[i]) same++;
  }
  return total === 0 ? 1 : same / total;
}
const images = [
  ...listPhotos().map((p) => ({ name: imageName(p), path: p })),
  ...syntheticImages().map(({ name, image }) => ({ name, image })),
];
const pixels = new Map();
const imageOf = (entry) => {
  if (!pixels.has(entry.name)) pixels.set(entry.name, entry.image ?? decodeImage(entry.path));
  return pixels.get(entry.name);
};

test('the shared models and photos are there', (t) => {
  if (!requireShared(t, 'models/bodypix/mobilenet')) return;
  if (!only) assert.equal(models.length, 12, 'six complete MobileNet variants, two strides each');
  assert.ok(listPhotos().length >= 10);
});

for (const spec of models) {
  describe(`model ${spec.id}`, () => {
    let reference;
    const nets = {};
    before(async () => {
      reference = await loadReference(spec);
      for (const flavour of FLAVOURS) {
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

    for (const entry of images) {
      test(`${entry.name}: mask IoU >= ${MIN_IOU}, parts >= ${MIN_PART_AGREEMENT * 100}% equal`, async (t) => {
        const image = imageOf(entry);
        const refMask = await reference.segmentPerson(image);
        const refParts = await reference.segmentPersonParts(image);
        for (const flavour of FLAVOURS) {
          const mask = await nets[flavour].segmentPerson(image);
          const parts = await nets[flavour].segmentPersonParts(image);
          const maskIou = iou(mask.data, refMask.data);
          const agreement = personPartAgreement(parts.data, refParts.data);
          t.diagnostic(`${flavour}: IoU ${maskIou.toFixed(5)}, parts ${(agreement * 100).toFixed(3)}%`);
          assert.ok(maskIou >= MIN_IOU, `${flavour}: mask IoU ${maskIou}`);
          assert.ok(agreement >= MIN_PART_AGREEMENT, `${flavour}: part agreement ${agreement}`);
        }
      });
    }

    if (spec.quantBytes === 4) {
      for (const entry of images) {
        test(`${entry.name}: raw heads within ${MAX_HEAD_DIFF}`, async (t) => {
          const image = imageOf(entry);
          const ref = await reference.rawHeads(image, 'medium');
          for (const flavour of FLAVOURS) {
            const ours = await nets[flavour].predict(image, { internalResolution: 'medium' });
            assert.deepEqual(ours.padding, ref.padding);
            let worst = 0;
            for (const [name, head] of Object.entries(ref.heads)) {
              assert.deepEqual(ours[name].shape, head.shape, `${flavour} ${name} shape`);
              const diff = maxAbsDiff(ours[name].data, head.data);
              assert.ok(diff <= MAX_HEAD_DIFF, `${flavour} ${name}: max abs diff ${diff}`);
              worst = Math.max(worst, diff);
            }
            t.diagnostic(`${flavour}: max abs head diff ${worst.toExponential(2)}`);
          }
        });
      }
    }
  });
}
