// The official BodyPix golden mask (tfjs-models' own test data): with the
// body-pix default model, our IoU against it must equal TF.js's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { loadReference } from '../reference/bodypix-ref.mjs';
import { TEST_FLAVOURS } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { goldenMask, iou } from '../support/metrics.mjs';
import { getModel, GOLDEN, requireShared } from '../support/shared.mjs';

test('golden person mask: our IoU equals TF.js\'s (0.993) within 0.002, every flavour', async (t) => {
  const paths = requireShared(t, [GOLDEN.image, GOLDEN.personMask, 'models/bodypix/mobilenet/quant2/075/model-stride16.json']);
  if (!paths) return;
  const [imagePath, maskPath] = paths;
  const image = decodeImage(imagePath);
  const golden = goldenMask(maskPath);
  const spec = getModel('mobilenet-75-q2-s16');
  const reference = await loadReference(spec);
  const referenceIou = iou((await reference.segmentPerson(image)).data, golden);
  reference.dispose();
  t.diagnostic(`TF.js (tfjs-backend-cpu): IoU ${referenceIou.toFixed(4)}`);
  assert.ok(Math.abs(referenceIou - 0.993) < 0.0015, `reference IoU ${referenceIou}`);
  for (const flavour of TEST_FLAVOURS) {
    const net = await bodyPix.load({ modelUrl: spec.jsonPath, multiplier: 0.75, quantBytes: 2, flavour });
    const ours = iou((await net.segmentPerson(image)).data, golden);
    net.dispose();
    t.diagnostic(`${flavour}: IoU ${ours.toFixed(4)}`);
    assert.ok(Math.abs(ours - referenceIou) <= 0.002, `${flavour}: IoU ${ours} vs TF.js ${referenceIou}`);
  }
});
