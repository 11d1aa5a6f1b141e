// The backend policy (js/backend.js) with stand-in WebGL probes, and what
// load() does with backend / usage in Node. The browser side (a real
// software WebGL, TF.js's WebGL backend) is tests/browser/webgl.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { chooseBackend, isSoftwareRenderer } from '../../js/backend.js';
import { withTestFlavour } from '../support/flavours.mjs';
import { requireShared } from '../support/shared.mjs';

const MODEL = 'models/bodypix/mobilenet/quant1/050/model-stride16.json';

test('software renderers are told from GPUs by their WebGL renderer string', () => {
  for (const r of [
    'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
    'llvmpipe (LLVM 15.0.6, 256 bits)', 'Mesa softpipe', 'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)',
  ]) assert.ok(isSoftwareRenderer(r), r);
  for (const r of [
    'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Apple M2',
    'Mesa Intel(R) UHD Graphics 620 (KBL GT2)', 'Adreno (TM) 640', 'ANGLE (AMD, AMD Radeon RX 6800 (radeonsi), OpenGL 4.6)',
  ]) assert.ok(!isSoftwareRenderer(r), r);
});

test('in Node, auto is Wasm and webgl is refused with a reason', async () => {
  const never = () => assert.fail('Node must not probe WebGL');
  assert.deepEqual(chooseBackend({}, { probe: never }), { backend: 'wasm', reason: 'Node has no WebGL' });
  assert.deepEqual(chooseBackend({ backend: 'auto', usage: 'video' }, { probe: never }), { backend: 'wasm', reason: 'Node has no WebGL' });
  assert.equal(chooseBackend({ backend: 'wasm' }, { probe: never }).backend, 'wasm');
  assert.throws(() => chooseBackend({ backend: 'webgl' }, { probe: never }), /backend 'webgl' needs a browser: Node has no WebGL/);
  assert.throws(() => chooseBackend({ backend: 'gpu' }, { probe: never }), /unknown backend 'gpu': use one of auto, wasm, webgl/);
  assert.throws(() => chooseBackend({ usage: 'stream' }, { probe: never }), /unknown usage 'stream': use one of image, video/);
  await assert.rejects(bodyPix.load({ backend: 'webgl' }), /backend 'webgl' needs a browser/);
});

test('load() says which backend it picked and why', async (t) => {
  const modelUrl = requireShared(t, MODEL);
  if (!modelUrl) return;
  const net = await bodyPix.load(withTestFlavour({ modelUrl, multiplier: 0.5, quantBytes: 1, usage: 'video' }));
  try {
    assert.match(net.backend, /^wasm-/);
    assert.equal(net.backendReason, 'Node has no WebGL');
  } finally {
    net.dispose();
  }
});

test('in a browser, auto allows WebGL only for video on a hardware GPU', () => {
  const browserPolicy = (config, probe) => chooseBackend(config, { node: false, probe });
  const gpu = () => ({ renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)' });
  const swiftshader = () => ({ renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' });
  const none = () => null;
  const never = () => assert.fail('no probe needed');

  const image = browserPolicy({}, never);
  assert.equal(image.backend, 'wasm');
  assert.match(image.reason, /single images .*shaders/);
  assert.deepEqual(browserPolicy({ usage: 'video' }, gpu), {
    backend: 'webgl', reason: `video on a hardware GPU (${gpu().renderer}): WebGL pays its shader compilation once`,
  });
  const soft = browserPolicy({ usage: 'video' }, swiftshader);
  assert.equal(soft.backend, 'wasm');
  assert.match(soft.reason, /WebGL renders in software here \(.*SwiftShader/);
  assert.deepEqual(browserPolicy({ usage: 'video' }, none), { backend: 'wasm', reason: 'this browser has no WebGL' });
  assert.equal(browserPolicy({ usage: 'video', worker: true }, never).backend, 'wasm');
  assert.equal(browserPolicy({ usage: 'video', flavour: 'simd' }, never).backend, 'wasm');
  assert.equal(browserPolicy({ backend: 'webgl' }, never).backend, 'webgl');
  assert.throws(() => browserPolicy({ backend: 'webgl', worker: true }, never), /drop one of them/);
  assert.throws(() => browserPolicy({ backend: 'webgl', flavour: 'simd' }, never), /cannot go with backend 'webgl'/);
});
