#!/usr/bin/env node
// Benchmark, not a test: in one process, our engine and body-pix 2.2.1 on
// @tensorflow/tfjs-backend-wasm, same model (body-pix's default MobileNetV1
// 0.75, stride 16, quantBytes 2), same photos, internalResolution 'medium'.
// Prints per method: cold (module init + model load + first result, with the
// libraries already imported and, after the first flavour, JS warm;
// bench-cold.mjs measures a first-time user's), warm median, and our time as
// a ratio of tfjs-wasm's; then, for our engine, the warm median of each phase
// as the engine clocks it (lastTimings()): pose decoding and the
// multi-person split apart from inference.
//   node scripts/bench.mjs [runs=15]
import path from 'node:path';

import * as bodyPix from '../js/index.js';
import { supportedFlavours } from '../js/engine.js';
import { decodeImage } from '../tests/support/images.mjs';
import { getModel, sharedPath } from '../tests/support/shared.mjs';
import { median } from '../web/stats.js';
import * as tfjs from './peer.mjs';

const RUNS = Number(process.argv[2] ?? 15);
const spec = getModel('mobilenet-75-q2-s16');
const PHOTOS = ['three-people-office-1049x861.jpg', 'pexels-fauxels-3184419.jpg', 'single-person-frisbee-513x513.jpg'];
const photos = PHOTOS.map((name) => ({ name, image: decodeImage(sharedPath(`images/${name}`)) }));
const CONFIG = { internalResolution: 'medium', segmentationThreshold: 0.7 };
const METHODS = ['segmentPerson', 'segmentPersonParts', 'segmentMultiPerson'];
const PHASES = ['preprocess', 'inference', 'segmentation', 'poses', 'instances'];

const ms = (x) => (x == null ? 'fails' : `${x.toFixed(1)} ms`);

async function time(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

// cold: from nothing loaded to the first result of `method` on the first photo.
async function measure(name, loadNet, run) {
  const result = {};
  for (const method of METHODS) {
    let net;
    const row = { cold: null, warm: {}, phases: {}, error: null };
    try {
      row.cold = await time(async () => {
        net = await loadNet();
        await run(net, method, photos[0].image);
      });
      for (const { name: photo, image } of photos) {
        const times = [];
        const phases = [];
        for (let i = 0; i < RUNS; i++) {
          times.push(await time(() => run(net, method, image)));
          if (net.lastTimings) phases.push(net.lastTimings());
        }
        row.warm[photo] = median(times);
        if (phases.length) row.phases[photo] = Object.fromEntries(PHASES.map((p) => [p, median(phases.map((x) => x[p]))]));
      }
    } catch (e) {
      row.error = e.message.split('\n')[0];
    }
    net?.dispose();
    result[method] = row;
    console.error(`  ${name} ${method}: cold ${ms(row.cold)}${row.error ? `, error: ${row.error}` : ''}`);
  }
  return result;
}

console.error(`benchmark: ${path.basename(path.dirname(spec.jsonPath))} quant2 stride 16, 'medium', ${RUNS} warm runs`);
const results = {};
for (const flavour of supportedFlavours()) {
  results[`wasm-${flavour}`] = await measure(`bodypix-wasm ${flavour}`, () => bodyPix.load({
    modelUrl: spec.jsonPath, multiplier: 0.75, quantBytes: 2, flavour,
  }), (net, method, image) => net[method](image, CONFIG));
}
results['tfjs-wasm'] = await measure('tfjs-wasm', async () => {
  await tfjs.startBackend();
  return tfjs.loadNet(spec.jsonPath);
}, (net, method, image) => tfjs.run(net, method, image, CONFIG));

const peer = results['tfjs-wasm'];
for (const method of METHODS) {
  console.log(`\n${method}`);
  console.log(['backend', 'cold', ...photos.map((p) => p.name), 'warm ratio vs tfjs-wasm'].join(' | '));
  for (const [backend, r] of Object.entries(results)) {
    const row = r[method];
    const ratios = photos.map((p) => (row.warm[p.name] != null && peer[method].warm[p.name] != null
      ? row.warm[p.name] / peer[method].warm[p.name] : null));
    const ratio = backend === 'tfjs-wasm' ? '1' : ratios.map((x) => (x == null ? 'n/a' : `${x.toFixed(2)}x`)).join(', ');
    const cells = row.error ? [`fails: ${row.error}`] : [ms(row.cold), ...photos.map((p) => ms(row.warm[p.name]))];
    console.log([backend, ...cells, row.error ? '' : ratio].join(' | '));
  }
}

console.log(`\nbodypix-wasm phases, warm median (ms): ${PHASES.join(' / ')}`);
for (const method of METHODS) {
  for (const [backend, r] of Object.entries(results)) {
    const phases = r[method].phases;
    if (!Object.keys(phases).length) continue;
    console.log([`${method} ${backend}`, ...photos.map((p) => (phases[p.name]
      ? PHASES.map((k) => phases[p.name][k].toFixed(1)).join(' / ') : 'n/a'))].join(' | '));
  }
}
