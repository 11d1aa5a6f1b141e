#!/usr/bin/env node
// Precomputes the reference results of referenceMatrix() into the disk cache,
// so parity tests only ever read it. tfjs-cpu is single-threaded, so this
// spreads the work over N worker processes (default: all cores).
//   node tests/reference/warm-cache.mjs [--full] [--jobs N]
// --full = BODYPIX_REF_FULL=1 (every model x every photo). Already-cached
// entries cost only a hash + file read, so re-running is cheap.
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadReference, defaultCacheDir } from './bodypix-ref.mjs';
import { referenceMatrix, listModels, derivedImages } from '../support/shared.mjs';
import { decodeImage, syntheticImages } from '../support/images.mjs';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (args.includes('--full')) process.env.BODYPIX_REF_FULL = '1';
const shard = opt('--shard'); // internal: "i/n"

if (!shard) {
  const jobs = Number(opt('--jobs') ?? os.availableParallelism());
  if (!listModels().length) {
    console.error('warm-cache: no models found (set BODYPIX_SHARED)');
    process.exit(process.env.CI === 'true' ? 1 : 0);
  }
  console.log(`warm-cache: ${referenceMatrix().length} entries, ${jobs} jobs, cache ${defaultCacheDir()}`);
  const self = fileURLToPath(import.meta.url);
  const codes = await Promise.all(Array.from({ length: jobs }, (_, i) => new Promise((resolve) => {
    const child = spawn(process.execPath, [self, '--shard', `${i}/${jobs}`], { stdio: 'inherit', env: process.env });
    child.on('exit', (code) => resolve(code ?? 1));
  })));
  process.exit(codes.some((c) => c !== 0) ? 1 : 0);
}

const [k, n] = shard.split('/').map(Number);
// Group by model so each worker loads each of its models once; deal the
// groups round-robin weighted by a rough cost so workers finish together.
const synth = new Map([...syntheticImages(), ...derivedImages()].map((s) => [s.name, { ...s.image, name: s.name }]));
const entries = referenceMatrix();
const byModel = new Map();
for (const e of entries) {
  if (!byModel.has(e.model.id)) byModel.set(e.model.id, []);
  byModel.get(e.model.id).push(e);
}
const cost = (m) => (m.outputStride === 8 ? 2.8 : 1) * m.multiplier ** 2;
const loads = new Array(n).fill(0);
const mine = [];
for (const group of [...byModel.values()].sort((a, b) => cost(b[0].model) * b.length - cost(a[0].model) * a.length)) {
  const w = loads.indexOf(Math.min(...loads));
  loads[w] += cost(group[0].model) * group.length;
  if (w === k) mine.push(group);
}
const images = new Map();
const getImage = (id) => {
  if (!images.has(id)) images.set(id, synth.get(id) ?? { ...decodeImage(id), name: path.basename(id) });
  return images.get(id);
};
for (const group of mine) {
  const ref = await loadReference(group[0].model);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const { image, method } of group) {
    const img = getImage(image);
    if (method === 'rawHeads') await ref.rawHeads(img, 'medium');
    else await ref[method](img, { internalResolution: 'medium' });
  }
  console.log(`[${k}/${n}] ${group[0].model.id}: ${group.length} entries, ` +
    `${ref.stats.misses} computed, ${((performance.now() - t0) / 1000).toFixed(0)} s wall, ` +
    `${(Object.values(process.cpuUsage(c0)).reduce((a, b) => a + b) / 1e6).toFixed(0)} s CPU`);
  ref.dispose();
}
