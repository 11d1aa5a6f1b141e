// Soak: 1000 segmentations of varied sizes on one model must not grow the
// Wasm heap, the memory malloc hands out, or the process's RSS once every
// size has been seen; dispose() must give the model's memory back. Prints
// the figures docs/robustness.md quotes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { GOLDEN, requireShared } from '../support/shared.mjs';
import { decodeImage, resizeImage, rng } from '../support/images.mjs';

const MODEL = 'models/bodypix/mobilenet/quant1/050/model-stride16.json';
const FLAVOUR = 'simd';
const CONFIG = { multiplier: 0.5, quantBytes: 1, flavour: FLAVOUR };
const CALLS = 1000;
const WARM_UP = 50;
const MiB = 2 ** 20;

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

test(`${FLAVOUR}: ${CALLS} segmentations of varied sizes keep memory flat; dispose gives it back`, async (t) => {
  const [modelUrl, photoPath] = requireShared(t, [MODEL, GOLDEN.image]);
  if (!modelUrl) return;
  const photo = decodeImage(photoPath);
  const random = rng(6);
  // 40 sizes from 16 to 1200 px a side, mostly small to keep the run short.
  // The warm-up meets each of them at the highest internal resolution (the
  // most memory that size takes) before measuring.
  const sizes = Array.from({ length: 40 }, (_, i) => {
    const side = () => 16 + Math.floor(random() ** 2 * (i % 4 === 0 ? 1184 : 480));
    return [side(), side()];
  });
  sizes[0] = [1200, 1200];
  sizes[1] = [16, 16];
  const images = sizes.map(([w, h]) => resizeImage(photo, w, h));
  const resolutions = ['full', 'low', 'medium', 'high', 0.3];
  const calls = [...images.keys()].map((index) => [index, 'full']);
  while (calls.length < CALLS) {
    calls.push([Math.floor(random() * images.length), resolutions[Math.floor(random() * resolutions.length)]]);
  }

  let module;
  const stats = () => ({ ...module.memoryStats(), rss: process.memoryUsage().rss });
  // One load and dispose first, so that what the engine sets up once
  // (XNNPACK's tables, the module's own allocations) is in the baseline.
  const first = await bodyPix.load({ ...CONFIG, modelUrl });
  module = first._engine.module;
  first.dispose();
  const empty = stats();

  const net = await bodyPix.load({ ...CONFIG, modelUrl });
  const reference = images[2];
  const expected = await net.segmentPerson(reference);
  // The model keeps buffers sized to its last call: measure after the same one.
  const measure = async () => {
    assert.deepEqual((await net.segmentPerson(reference)).data, expected.data);
    return stats();
  };
  let afterWarmUp;
  let halfway;
  const started = Date.now();
  for (const [call, [index, internalResolution]] of calls.entries()) {
    const image = images[index];
    const seg = await net.segmentPerson(image, { internalResolution });
    assert.equal(seg.data.length, image.width * image.height);
    if (call + 1 === WARM_UP) afterWarmUp = await measure();
    if (call + 1 === CALLS / 2) halfway = stats();
  }
  const seconds = (Date.now() - started) / 1000;
  const end = await measure();
  const loaded = end.allocatedBytes - empty.allocatedBytes;
  net.dispose();
  const disposed = stats();

  // Loading and disposing again and again neither leaks nor grows the heap.
  for (let i = 0; i < 20; i++) (await bodyPix.load({ ...CONFIG, modelUrl })).dispose();
  const reloaded = stats();

  const figures = {
    calls: CALLS,
    seconds: seconds.toFixed(1),
    'heap after warm-up': mib(afterWarmUp.heapBytes),
    'heap halfway': mib(halfway.heapBytes),
    'heap at end': mib(end.heapBytes),
    'allocated after warm-up': mib(afterWarmUp.allocatedBytes),
    'allocated halfway': mib(halfway.allocatedBytes),
    'allocated at end': mib(end.allocatedBytes),
    'RSS after warm-up': mib(afterWarmUp.rss),
    'RSS halfway': mib(halfway.rss),
    'RSS at end': mib(end.rss),
    'allocated before load (bytes)': empty.allocatedBytes,
    'allocated while loaded (weights, buffers of the largest call)': mib(loaded),
    'allocated after dispose (bytes)': disposed.allocatedBytes,
    'allocated after 20 more load+dispose (bytes)': reloaded.allocatedBytes,
    'heap after 20 more load+dispose': mib(reloaded.heapBytes),
  };
  console.log(`soak (${FLAVOUR}):`, figures);

  // The heap is malloc's high-water mark: XNNPACK reallocates its operators'
  // buffers at every new size, and fragmentation may lift the mark once or
  // twice (seen: +35 MiB, once); a leak shows in the malloc'd bytes instead.
  assert.ok(end.heapBytes - afterWarmUp.heapBytes <= 48 * MiB,
    `the Wasm heap grew by ${mib(end.heapBytes - afterWarmUp.heapBytes)} after the warm-up`);
  assert.ok(Math.abs(end.allocatedBytes - afterWarmUp.allocatedBytes) <= 64 * 1024,
    `malloc'd memory went from ${afterWarmUp.allocatedBytes} to ${end.allocatedBytes} bytes`);
  // RSS also holds node's own heaps, which settle over the first few hundred
  // calls (about +30 MiB here); a leak would keep it climbing.
  assert.ok(end.rss - afterWarmUp.rss <= 64 * MiB, `RSS grew by ${mib(end.rss - afterWarmUp.rss)}`);
  assert.ok(end.rss - halfway.rss <= 16 * MiB, `RSS grew by ${mib(end.rss - halfway.rss)} in the second half`);
  assert.ok(loaded > 2 * MiB, 'the model holds its weights while loaded');
  assert.equal(disposed.allocatedBytes, empty.allocatedBytes, 'dispose() left memory allocated');
  assert.equal(reloaded.allocatedBytes, empty.allocatedBytes, 'load + dispose leaks');
  assert.equal(reloaded.heapBytes, disposed.heapBytes, 'load + dispose grows the heap');
});

// XNNPACK's memory planner, as patched (cmake/XNNPACK.cmake), fits the
// network's activations in the space their lifetimes need: at 1049x861
// 'medium', MobileNetV1 0.75's workspace is 15.5 MB (20.6 unpatched), and a
// call keeps ~21 MiB in all (the workspace, the operators' indirection
// buffers, the network's input and outputs), ~26 MiB unpatched.
test(`${FLAVOUR}: a 1049x861 call at 'medium' keeps its activations in the space they need`, async (t) => {
  const model = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';
  const [modelUrl, photoPath] = requireShared(t, [model, GOLDEN.image]);
  if (!modelUrl) return;
  const net = await bodyPix.load({ multiplier: 0.75, quantBytes: 2, flavour: FLAVOUR, modelUrl });
  try {
    const module = net._engine.module;
    const loaded = module.memoryStats().allocatedBytes;
    await net.segmentPerson(decodeImage(photoPath), { internalResolution: 'medium' });
    const kept = module.memoryStats().allocatedBytes - loaded;
    assert.ok(kept <= 23 * MiB, `the call keeps ${mib(kept)}`);
    assert.ok(kept >= 15 * MiB, `the call keeps only ${mib(kept)}: does it still run the network?`);
  } finally {
    net.dispose();
  }
});
