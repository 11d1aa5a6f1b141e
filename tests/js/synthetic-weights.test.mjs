// The official graphs whose shards are missing here (MobileNetV1 float 0.75 /
// 1.00, quant2 1.00, ResNet50 float / quant2 / quant1), run with synthetic
// weights by both TF.js and us: the graph translation must agree with TF.js.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { loadReference } from '../reference/bodypix-ref.mjs';
import { withTestFlavour } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { iou, maxAbsDiff } from '../support/metrics.mjs';
import { requireShared } from '../support/shared.mjs';
import { writeSyntheticModel } from '../support/synthetic-model.mjs';

const GRAPHS = [
  { file: 'mobilenet/float/075/model-stride16.json', architecture: 'MobileNetV1', outputStride: 16, multiplier: 0.75, quantBytes: 4 },
  { file: 'mobilenet/float/100/model-stride8.json', architecture: 'MobileNetV1', outputStride: 8, multiplier: 1, quantBytes: 4 },
  { file: 'mobilenet/quant2/100/model-stride16.json', architecture: 'MobileNetV1', outputStride: 16, multiplier: 1, quantBytes: 2 },
  { file: 'resnet50/float/model-stride16.json', architecture: 'ResNet50', outputStride: 16, multiplier: 1, quantBytes: 4 },
  { file: 'resnet50/quant2/model-stride16.json', architecture: 'ResNet50', outputStride: 16, multiplier: 1, quantBytes: 2 },
  { file: 'resnet50/quant1/model-stride16.json', architecture: 'ResNet50', outputStride: 16, multiplier: 1, quantBytes: 1 },
];
const PHOTO = 'images/two-people-bench-515x513.jpg';

const workDir = path.join(os.tmpdir(), `bodypix-synthetic-${process.pid}`);
process.on('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));

for (const graph of GRAPHS) {
  test(`${graph.file} with synthetic weights: raw heads and mask agree with TF.js`, async (t) => {
    const [jsonPath, photo] = requireShared(t, [`models/bodypix-incomplete/${graph.file}`, PHOTO]) ?? [];
    if (!jsonPath) return;
    const modelPath = writeSyntheticModel(jsonPath, path.join(workDir, graph.file.replace(/\//g, '-')));
    const image = decodeImage(photo);
    const reference = await loadReference({ ...graph, jsonPath: modelPath });
    const net = await bodyPix.load(withTestFlavour({ ...graph, modelUrl: modelPath }));
    try {
      assert.equal(net.architecture, graph.architecture);
      const ref = await reference.rawHeads(image, 'medium');
      const ours = await net.predict(image, { internalResolution: 'medium' });
      assert.deepEqual(ours.padding, ref.padding);
      for (const [name, head] of Object.entries(ref.heads)) {
        assert.deepEqual(ours[name].shape, head.shape, name);
        // Random weights give outputs of any magnitude: compare relative to it.
        const scale = head.data.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        const diff = maxAbsDiff(ours[name].data, head.data) / scale;
        t.diagnostic(`${name}: max diff ${diff.toExponential(2)} of max |value| ${scale.toPrecision(3)}`);
        assert.ok(diff <= 1e-3, `${name}: relative max abs diff ${diff}`);
      }
      const maskIou = iou((await net.segmentPerson(image)).data, (await reference.segmentPerson(image)).data);
      t.diagnostic(`mask IoU ${maskIou.toFixed(5)}`);
      assert.ok(maskIou >= 0.995, `mask IoU ${maskIou}`);
    } finally {
      net.dispose();
      reference.dispose();
    }
  });
}
