#!/usr/bin/env node
// Benchmark, not a test: the cold path of each engine flavour, phase by
// phase, each run in a fresh node process (in one process the second load
// finds the module compiled and V8's code warm, which bench.mjs's cold column
// partly does). Same model and photo as bench.mjs's first row: MobileNetV1
// 0.75, stride 16, quantBytes 2, the 1049x861 office photo, 'medium'.
// Prints medians (ms) of:
//   module   engine module ready: read, compile and instantiate the Wasm
//   wasm     of which WebAssembly.instantiate
//   files    model.json + shard read
//   decode   parseModel + load (parse, dequantize, subgraph)
//   pool     the wait for the pool's Worker (threads flavours)
//   build    start() (thread pool, XNNPACK runtime: weight packing)
//   first    first segmentPerson; its engine phases follow (the network's
//            first reshape counts as inference)
//   cold     module + files + decode + pool + build + first
//   warm     a later segmentPerson, for comparison
//   node scripts/bench-cold.mjs [runs=7] [flavour ...]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadEngine, supportedFlavours } from '../js/engine.js';
import { BodyPix } from '../js/bodypix.js';
import { fetchModelFiles } from '../models/loader.js';
import { decodeImage } from '../tests/support/images.mjs';
import { getModel, sharedPath } from '../tests/support/shared.mjs';
import { median } from '../web/stats.js';

const CONFIG = { internalResolution: 'medium', segmentationThreshold: 0.7 };
const PHASES = ['preprocess', 'inference', 'segmentation', 'poses'];

async function child(flavour) {
  const spec = getModel('mobilenet-75-q2-s16');
  const image = decodeImage(sharedPath('images/three-people-office-1049x861.jpg'));
  const out = {};
  // Emscripten's loader calls WebAssembly.instantiate with the bytes we pass.
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const start = performance.now();
    try {
      return await instantiate(...args);
    } finally {
      out.wasm = performance.now() - start;
    }
  };
  let last = performance.now();
  const lap = (key) => {
    const now = performance.now();
    out[key] = now - last;
    last = now;
  };
  const engine = await loadEngine({ flavour });
  lap('module');
  const files = await fetchModelFiles(spec.jsonPath);
  lap('files');
  // As load(): the network waits for the thread pool's Workers, parsing does not.
  const pending = engine.module.parseModel(JSON.parse(files.json));
  const model = pending.load(files.shards, { threads: 0, outputStride: 0 });
  pending.delete();
  lap('decode');
  await engine.threadsReady;
  lap('pool');
  model.start();
  lap('build');
  const net = new BodyPix(engine, model, {});
  await net.segmentPerson(image, CONFIG);
  lap('first');
  const first = model.timings();
  out.cold = out.module + out.files + out.decode + out.pool + out.build + out.first;
  await net.segmentPerson(image, CONFIG);
  last = performance.now();
  await net.segmentPerson(image, CONFIG);
  lap('warm');
  const warm = model.timings();
  for (const p of PHASES) {
    out[`first.${p}`] = first[p];
    out[`warm.${p}`] = warm[p];
  }
  net.dispose();
  console.log(JSON.stringify(out));
}

function parent(runs, flavours) {
  const script = fileURLToPath(import.meta.url);
  const rows = Object.fromEntries(flavours.map((f) => [f, []]));
  // Interleaved, so that load from other processes spreads over all flavours.
  for (let i = 0; i < runs; i++) {
    for (const f of flavours) {
      const stdout = execFileSync(process.execPath, [...process.execArgv, script, '--child', f], { encoding: 'utf8' });
      rows[f].push(JSON.parse(stdout.trim().split('\n').pop()));
    }
  }
  const keys = ['cold', 'module', 'wasm', 'files', 'decode', 'pool', 'build', 'first', ...PHASES.map((p) => `first.${p}`),
    'warm', ...PHASES.map((p) => `warm.${p}`)];
  console.log(`cold path, medians of ${runs} fresh processes (ms)`);
  console.log(['flavour', ...keys].join(' | '));
  for (const f of flavours) {
    console.log([f, ...keys.map((k) => median(rows[f].map((r) => r[k])).toFixed(1))].join(' | '));
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1]);
} else {
  const runs = Number(args[0] ?? 7);
  parent(runs, args.length > 1 ? args.slice(1) : supportedFlavours());
}
