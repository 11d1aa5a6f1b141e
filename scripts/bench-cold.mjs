#!/usr/bin/env node
// Benchmark, not a test: a first-time user's cold start in node, ours against
// body-pix 2.2.1 on tfjs-backend-wasm, each run in a fresh process (in one
// process the second load finds modules compiled and V8's code warm), the
// contenders' processes interleaved. Same model and photo as bench.mjs's
// first row: MobileNetV1 0.75, stride 16, quantBytes 2, the 1049x861 office
// photo, 'medium'. Prints medians (ms) of:
//   cold     import + load + first
//   import   the library's modules: ours, the package; the peer's,
//            tfjs-core, tfjs-converter, tfjs-backend-wasm and body-pix
//   load     ours: load(); the peer: its backend's start, then the model
//   first    the first segmentPerson
//   warm     a later segmentPerson, for comparison
// then cold as a ratio of the peer's, and where our cold start went:
// load()'s phases (net.loadTimings, ms since load() began, overlapping) and
// the first call's (lastTimings()).
//   node scripts/bench-cold.mjs [runs=7] [contender ...]
// Contenders: our flavours (default: every one node runs) and tfjs-wasm.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { decodeImage } from '../tests/support/images.mjs';
import { getModel, sharedPath } from '../tests/support/shared.mjs';
import { median } from '../web/stats.js';

const PEER = 'tfjs-wasm';
const CONFIG = { internalResolution: 'medium', segmentationThreshold: 0.7 };
const spec = getModel('mobilenet-75-q2-s16');

function stopwatch(out) {
  let last = performance.now();
  return (key) => {
    const now = performance.now();
    out[key] = now - last;
    last = now;
  };
}

async function ours(flavour, image) {
  const out = {};
  const lap = stopwatch(out);
  const bodyPix = await import('../js/index.js');
  lap('import');
  const net = await bodyPix.load({ modelUrl: spec.jsonPath, multiplier: 0.75, quantBytes: 2, flavour });
  lap('load');
  await net.segmentPerson(image, CONFIG);
  lap('first');
  for (const [phase, ms] of Object.entries(net.loadTimings)) out[`load.${phase}`] = ms;
  for (const [phase, ms] of Object.entries(net.lastTimings())) out[`first.${phase}`] = ms;
  await net.segmentPerson(image, CONFIG);
  lap('second');
  await net.segmentPerson(image, CONFIG);
  lap('warm');
  net.dispose();
  return out;
}

async function peer(image) {
  const out = {};
  const lap = stopwatch(out);
  const tfjs = await import('./peer.mjs');
  lap('import');
  await tfjs.startBackend();
  lap('load.backend');
  const net = await tfjs.loadNet(spec.jsonPath);
  lap('load.model');
  out.load = out['load.backend'] + out['load.model'];
  await tfjs.run(net, 'segmentPerson', image, CONFIG);
  lap('first');
  await tfjs.run(net, 'segmentPerson', image, CONFIG);
  lap('second');
  await tfjs.run(net, 'segmentPerson', image, CONFIG);
  lap('warm');
  return out;
}

async function child(contender) {
  const image = decodeImage(sharedPath('images/three-people-office-1049x861.jpg'));
  const out = contender === PEER ? await peer(image) : await ours(contender, image);
  out.cold = out.import + out.load + out.first;
  console.log(JSON.stringify(out));
  // The pool's Workers and the peer's would keep the process alive.
  process.exit(0);
}

async function parent(runs, contenders) {
  const script = fileURLToPath(import.meta.url);
  const rows = Object.fromEntries(contenders.map((c) => [c, []]));
  // Interleaved, so that the machine's drift spreads over every contender.
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) {
      const stdout = execFileSync(process.execPath, [...process.execArgv, script, '--child', c], { encoding: 'utf8' });
      rows[c].push(JSON.parse(stdout.trim().split('\n').pop()));
    }
  }
  const med = (c, key) => median(rows[c].map((r) => r[key]).filter((x) => x !== undefined));
  const ms = (x) => (Number.isNaN(x) ? '' : x.toFixed(1));
  const keys = ['cold', 'import', 'load', 'first', 'warm'];
  console.log(`cold start in node, medians of ${runs} fresh processes each (ms), 1049x861, 'medium'`);
  console.log(['contender', ...keys, `cold vs ${PEER}`].join(' | '));
  for (const c of contenders) {
    const ratio = contenders.includes(PEER) ? `${(med(c, 'cold') / med(PEER, 'cold')).toFixed(2)}x` : 'n/a';
    console.log([c, ...keys.map((k) => ms(med(c, k))), ratio].join(' | '));
  }
  for (const c of contenders) {
    const phases = Object.keys(rows[c][0]).filter((k) => k.includes('.'));
    console.log(`${c}: ${phases.map((k) => `${k} ${ms(med(c, k))}`).join(', ')}`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1]);
} else {
  const { supportedFlavours } = await import('../js/engine.js');
  const runs = Number(args[0] ?? 7);
  await parent(runs, args.length > 1 ? args.slice(1) : [...supportedFlavours(), PEER]);
}
