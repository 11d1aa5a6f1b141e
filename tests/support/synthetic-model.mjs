// Runnable stand-ins for the official graphs whose weight shards are missing
// (../shared/models/bodypix-incomplete): the genuine model.json with
// deterministic weights of the sizes its manifest implies. Parity with TF.js
// on them checks the computation, not the accuracy.
import fs from 'node:fs';
import path from 'node:path';

import { rng } from './images.mjs';

// ResNet's Pad constants must keep their real values (PROVENANCE.md).
const REAL_INT32 = {
  'resnet_v1_50/Pad/paddings': [0, 0, 3, 3, 3, 3, 0, 0],
  'resnet_v1_50/Pad_1/paddings': [0, 0, 1, 1, 1, 1, 0, 0],
};

function floatValues(spec, random) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  // Variance-preserving filters keep 50 ResNet layers from blowing up or
  // dying out; fan-in is everything but the last axis of a TF filter.
  const fanIn = spec.shape.length === 4 ? spec.shape[0] * spec.shape[1] * spec.shape[2] : 0;
  const isDepthwise = /depthwise_weights$/.test(spec.name);
  const scale = spec.shape.length === 4
    ? Math.sqrt(6 / (isDepthwise ? spec.shape[0] * spec.shape[1] : fanIn))
    : 0.1;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (random() * 2 - 1) * scale;
  return v;
}

function encode(spec, random) {
  const q = spec.quantization;
  if (spec.dtype === 'int32') {
    const real = REAL_INT32[spec.name];
    if (!real) throw new Error(`no known value for int32 weight ${spec.name}`);
    if (!q) return new Uint8Array(Int32Array.from(real).buffer);
    const Q = q.dtype === 'uint8' ? Uint8Array : Uint16Array;
    return new Uint8Array(Q.from(real, (v) => Math.round((v - q.min) / q.scale)).buffer);
  }
  const values = floatValues(spec, random);
  if (!q) return new Uint8Array(values.buffer);
  // Quantized: the value range of the manifest's min/scale would be the real
  // weights' range, far too wide for random weights; store the float values'
  // nearest codes for a scale chosen here instead.
  const levels = q.dtype === 'uint8' ? 255 : 65535;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  q.min = lo;
  q.scale = (hi - lo) / levels || 1;
  const Q = q.dtype === 'uint8' ? Uint8Array : Uint16Array;
  return new Uint8Array(Q.from(values, (v) => Math.round((v - lo) / q.scale)).buffer);
}

// Writes <outDir>/model.json and its shards; returns the JSON's path.
export function writeSyntheticModel(jsonPath, outDir, seed = 1) {
  const model = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const random = rng(seed);
  fs.mkdirSync(outDir, { recursive: true });
  for (const group of model.weightsManifest) {
    const parts = group.weights.map((spec) => encode(spec, random));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) { bytes.set(p, offset); offset += p.length; }
    // Split as the manifest does, so multi-shard loading is exercised too.
    const per = Math.ceil(total / group.paths.length);
    group.paths.forEach((p, i) => fs.writeFileSync(path.join(outDir, p), bytes.subarray(i * per, (i + 1) * per)));
  }
  const out = path.join(outDir, path.basename(jsonPath));
  fs.writeFileSync(out, JSON.stringify(model));
  return out;
}
