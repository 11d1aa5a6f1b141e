// The package's public API in Node: body-pix's call shapes, bad input as
// Errors that name the problem, and a model that survives them.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { loadEngine } from '../../js/engine.js';
import { TEST_FLAVOURS, withTestFlavour } from '../support/flavours.mjs';
import { requireShared } from '../support/shared.mjs';
import { solidImage } from '../support/images.mjs';

const MODEL = 'models/bodypix/mobilenet/quant1/050/model-stride16.json';

for (const flavour of TEST_FLAVOURS) {
  test(`${flavour}: load, segment, bad input, dispose`, async (t) => {
    const modelUrl = requireShared(t, MODEL);
    if (!modelUrl) return;
    const net = await bodyPix.load({ modelUrl, multiplier: 0.5, quantBytes: 1, flavour });
    assert.equal(net.backend, `wasm-${flavour}`);
    assert.equal(net.outputStride, 16);
    assert.equal(net.architecture, 'MobileNetV1');
    const image = solidImage(64, 48, [120, 90, 60]);
    // The cold path's phases: each ends after the ones it needs, within load().
    const t0 = { ...net.loadTimings };
    for (const phase of ['engine', 'modelJson', 'modelBytes', 'decode', 'pool', 'build', 'total']) {
      assert.ok(Number.isFinite(t0[phase]) && t0[phase] >= 0, `loadTimings.${phase}: ${t0[phase]}`);
      assert.ok(t0[phase] <= t0.total, `loadTimings.${phase} ${t0[phase]} > total ${t0.total}`);
    }
    assert.ok(t0.engine <= t0.modelJson && t0.modelJson <= t0.decode && t0.modelBytes <= t0.decode &&
      t0.decode <= t0.pool && t0.pool <= t0.build);
    assert.equal(t0.firstCall, undefined, 'no call yet');

    const seg = await net.segmentPerson(image);
    const { firstCall } = net.loadTimings;
    assert.ok(firstCall > 0 && firstCall >= net.lastTimings().inference, `firstCall ${firstCall}`);
    assert.ok(Number.isFinite(net.lastTimings().input));
    assert.equal(seg.width, 64);
    assert.equal(seg.height, 48);
    assert.ok(seg.data instanceof Uint8Array);
    assert.equal(seg.data.length, 64 * 48);
    assert.ok(Array.isArray(seg.allPoses));
    const parts = await net.segmentPersonParts(image, { internalResolution: 'high' });
    assert.ok(parts.data instanceof Int32Array);
    assert.equal(parts.data.length, 64 * 48);

    const rejects = (promise, pattern) => assert.rejects(promise, (e) => e instanceof Error && pattern.test(e.message));
    await rejects(net.segmentPerson({ data: new Uint8Array(10), width: 64, height: 48 }), /10 bytes but 64x48 needs 12288 \(RGBA\) or 9216 \(RGB\)/);
    await rejects(net.segmentPerson({ data: new Uint8Array(0), width: 0, height: 0 }), /must be positive/);
    await rejects(net.segmentPerson({ data: image.data, width: -64, height: -48 }), /not a valid image dimension/);
    await rejects(net.segmentPerson({ data: [1, 2, 3], width: 1, height: 1 }), /Uint8Array/);
    await rejects(net.segmentPerson(null), /input must be/);
    await rejects(net.segmentPerson(image, { internalResolution: 'huge' }), /internalResolution/);
    await rejects(net.segmentPerson(image, { internalResolution: 5 }), /internalResolution/);
    await rejects(net.segmentPerson(image, { segmentationThreshold: 1.5 }), /segmentationThreshold/);
    await rejects(net.segmentPerson(image, { segmentationThreshold: 'high' }), /segmentationThreshold must be a number/);

    // Still usable, and still right, after every rejection.
    assert.deepEqual((await net.segmentPerson(image)).data, seg.data);
    assert.equal(net.loadTimings.firstCall, firstCall, 'only the first call counts');
    net.dispose();
    net.dispose();
    await rejects(net.segmentPerson(image), /disposed/);
  });
}

test('bad model files and configs are Errors naming the problem', async (t) => {
  const modelUrl = requireShared(t, MODEL);
  if (!modelUrl) return;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bodypix-bad-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const json = await fs.readFile(modelUrl, 'utf8');
  const shard = await fs.readFile(path.join(path.dirname(modelUrl), 'group1-shard1of1.bin'));
  const write = async (name, jsonText, shardBytes) => {
    await fs.mkdir(path.join(dir, name));
    await fs.writeFile(path.join(dir, name, 'model.json'), jsonText);
    if (shardBytes) await fs.writeFile(path.join(dir, name, 'group1-shard1of1.bin'), shardBytes);
    return path.join(dir, name, 'model.json');
  };
  const loadRejects = (config, pattern) =>
    assert.rejects(bodyPix.load(withTestFlavour({ multiplier: 0.5, quantBytes: 1, ...config })),
      (e) => e instanceof Error && pattern.test(e.message));

  await loadRejects({ modelUrl: await write('truncated', json.slice(0, 500), shard) }, /not a model.json file/);
  await loadRejects({ modelUrl: await write('noshard', json) }, /cannot read model file .*group1-shard1of1.bin: no such file/);
  await loadRejects({ modelUrl: await write('short', json, shard.subarray(0, 1000)) }, /truncated shard/);
  const evil = JSON.parse(json);
  evil.weightsManifest[0].paths = ['../../etc/passwd'];
  await loadRejects({ modelUrl: await write('evil', JSON.stringify(evil), shard) }, /not a path inside the model's folder/);
  const unsupported = JSON.parse(json);
  unsupported.modelTopology.node.find((n) => n.op === 'Relu6').op = 'Erf';
  await loadRejects({ modelUrl: await write('op', JSON.stringify(unsupported), shard) }, /unsupported op 'Erf' at node '.*Relu6'/);
  await loadRejects({ modelUrl, outputStride: 8 }, /asked for but the model file has stride 16/);
  await loadRejects({ modelUrl: path.join(dir, 'missing.json') }, /no such file/);
  await loadRejects({ multiplier: 0.6 }, /Invalid multiplier 0.6/);
  await loadRejects({ outputStride: 12 }, /Invalid outputStride 12/);
  await loadRejects({ quantBytes: 3 }, /Invalid quantBytes 3/);
  await loadRejects({ modelUrl, flavour: 'fast' }, /unknown engine flavour/);
});

test("the exported inference configs are the engine's defaults", async () => {
  const { module } = await loadEngine({ flavour: TEST_FLAVOURS[0] });
  const engine = module.defaultConfig();
  for (const exported of [bodyPix.PERSON_INFERENCE_CONFIG, bodyPix.MULTI_PERSON_INSTANCE_INFERENCE_CONFIG]) {
    for (const [key, value] of Object.entries(exported)) {
      // body-pix's; ignored by its CPU path, and so by the engine.
      if (key === 'flipHorizontal') continue;
      const expected = key === 'internalResolution' ? { medium: 0.5 }[value] : value;
      // segmentationThreshold is a float32 in the engine.
      assert.ok(Math.abs(engine[key] - expected) < 1e-6, `${key}: exported ${value}, engine ${engine[key]}`);
    }
  }
});
