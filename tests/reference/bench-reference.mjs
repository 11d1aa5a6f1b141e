#!/usr/bin/env node
// Measures how long the tfjs-cpu reference takes, to size the CI reference
// budget. Usage:
//   node tests/reference/bench-reference.mjs [modelId ...]   (default: all)
// Prints per-call times for segmentPerson / segmentPersonParts / rawHeads at
// internalResolution 'medium' on a 1440x1080 photo and the 1049x861 golden
// photo, then extrapolates the full matrix (all models x all photos) from a
// per-model proportional fit  t = c * networkInputPixels.
// Run it on an otherwise idle machine: tfjs-cpu is single-threaded and any
// concurrent load skews the numbers.
// Cache is disabled here on purpose (we are timing the computation).
import path from 'node:path';
import os from 'node:os';
import { loadReference, bodyPixUtil } from './bodypix-ref.mjs';
import { listModels, listPhotos, sharedPath, GOLDEN } from '../support/shared.mjs';
import { decodeImage, syntheticImages } from '../support/images.mjs';

const want = process.argv.slice(2);
const models = listModels().filter((m) => !want.length || want.includes(m.id));
const photos = listPhotos();
const big = photos.find((p) => /pexels-fauxels/.test(p)) ?? photos[0];
const probe = [big, sharedPath(GOLDEN.image)].map((p) => ({ name: path.basename(p), image: decodeImage(p) }));
const sizes = photos.map((p) => { const i = decodeImage(p); return { name: path.basename(p), width: i.width, height: i.height }; });
const warm = syntheticImages().find((s) => s.name === 'noise-320x240').image;

const netPixels = (m, w, h) => {
  const [H, W] = bodyPixUtil.toInputResolutionHeightAndWidth('medium', m.outputStride, [h, w]);
  return H * W;
};
// Process CPU time (user+sys), not wall time: tfjs-cpu is single-threaded, so
// on an idle machine they agree, and CPU time stays meaningful when other jobs
// (e.g. a parallel C++ build) compete for the cores. Wall time is also kept.
let wallTotal = 0;
const time = async (fn) => {
  const w = performance.now();
  const c = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(c);
  wallTotal += (performance.now() - w) / 1000;
  return (d.user + d.system) / 1e6;
};

console.log(`node ${process.version}, ${os.cpus()[0]?.model}, ${os.availableParallelism()} cpus`);
console.log('CPU seconds per call (internalResolution medium):');
console.log('model          | photo                            | segPerson s | segParts s | rawHeads s');
let totalSeg = 0;
let totalParts = 0;
let totalRaw = 0;
for (const m of models) {
  const ref = await loadReference(m, { cache: false });
  await ref.segmentPerson(warm); // warm-up: model load + kernel JIT
  const pts = [];
  for (const { name, image } of probe) {
    const cfg = { internalResolution: 'medium', segmentationThreshold: 0.7 };
    const seg = await time(() => ref.segmentPerson(image, cfg));
    const parts = await time(() => ref.segmentPersonParts(image, cfg));
    const raw = await time(() => ref.rawHeads(image, 'medium'));
    pts.push({ px: netPixels(m, image.width, image.height), seg, parts, raw });
    console.log(`${m.id.padEnd(14)} | ${name.padEnd(32)} | ${seg.toFixed(2).padStart(11)} | ${parts.toFixed(2).padStart(10)} | ${raw.toFixed(2).padStart(10)}`);
  }
  ref.dispose();
  // Proportional fit t = c * networkInputPixels (least squares through the
  // origin over the two probes; postprocessing scales with the same area at a
  // fixed internalResolution), then summed over every photo.
  const est = (k) => {
    const c = pts.reduce((s, p) => s + p[k] * p.px, 0) / pts.reduce((s, p) => s + p.px * p.px, 0);
    return sizes.reduce((s, z) => s + c * netPixels(m, z.width, z.height), 0);
  };
  const e = { seg: est('seg'), parts: est('parts'), raw: est('raw') };
  totalSeg += e.seg; totalParts += e.parts; if (m.quantBytes === 4) totalRaw += e.raw;
  console.log(`${m.id.padEnd(14)} | est. all ${sizes.length} photos: segPerson ${e.seg.toFixed(0)} s, segParts ${e.parts.toFixed(0)} s, rawHeads ${e.raw.toFixed(0)} s`);
}
console.log(`\n(wall time of the measured calls: ${wallTotal.toFixed(0)} s)`);
console.log(`\nESTIMATE full matrix (${models.length} models x ${sizes.length} photos, medium, one core):`);
console.log(`  segmentPerson      ${totalSeg.toFixed(0)} s`);
console.log(`  segmentPersonParts ${totalParts.toFixed(0)} s`);
console.log(`  rawHeads (float)   ${totalRaw.toFixed(0)} s`);
console.log(`  total              ${(totalSeg + totalParts + totalRaw).toFixed(0)} s = ${((totalSeg + totalParts + totalRaw) / 60).toFixed(1)} min`);
