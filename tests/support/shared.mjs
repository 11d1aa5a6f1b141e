// Locates the shared test data (models + photos) that lives OUTSIDE the repo
// (it is not redistributable / too big to commit), and gives node:test helpers
// that skip loudly when it is absent locally but fail hard in CI, so a CI run
// can never silently pass with zero parity coverage.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { variantId } from '../../models/variants.js';
import { syntheticImages, decodeImage, resizeImage } from './images.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of the shared data directory ($BODYPIX_SHARED or ../shared). */
export const sharedDir = path.resolve(process.env.BODYPIX_SHARED || path.resolve(repoRoot, '../shared'));

export const modelsDir = path.join(sharedDir, 'models', 'bodypix');
export const imagesDir = path.join(sharedDir, 'images');

export const isCI = process.env.CI === 'true';

/** Absolute path for a path relative to the shared dir (absolute paths pass through). */
export function sharedPath(relPath) {
  return path.isAbsolute(relPath) ? relPath : path.join(sharedDir, relPath);
}

/** True if every given shared-relative path exists. */
export function hasShared(...relPaths) {
  return relPaths.every((p) => fs.existsSync(sharedPath(p)));
}

/**
 * For node:test. Returns the absolute path(s) if present. If missing:
 * - CI=true: throws (test fails) - missing data in CI is a setup bug.
 * - otherwise: console.warn + t.skip(), returns null; caller must `return`.
 * Usage:  const p = requireShared(t, 'images/x.jpg'); if (!p) return;
 * Accepts one path or an array (returns an array then).
 */
export function requireShared(t, relPath) {
  const list = Array.isArray(relPath) ? relPath : [relPath];
  const abs = list.map(sharedPath);
  const missing = abs.filter((p) => !fs.existsSync(p));
  if (missing.length) {
    const msg = `shared test data missing: ${missing.join(', ')} ` +
      `(set BODYPIX_SHARED; currently ${sharedDir})`;
    if (isCI) throw new Error(`[CI] ${msg}`);
    console.warn(`\n*** SKIPPING "${t?.name ?? '?'}": ${msg} ***\n`);
    t?.skip?.(msg);
    return null;
  }
  return Array.isArray(relPath) ? abs : abs[0];
}

const QUANT_BYTES = { float: 4, quant2: 2, quant1: 1 };

/**
 * Every runnable MobileNet model file under models/bodypix/mobilenet:
 * [{id:'mobilenet-75-q2-s16', dir, jsonPath, quantBytes, multiplier, outputStride}].
 * "Runnable" = the JSON exists and every shard in its weightsManifest is on
 * disk with the expected total size (incomplete variants are excluded).
 * Sorted: float, quant2, quant1; then multiplier; then stride 16 before 8.
 */
export function listModels() {
  const root = path.join(modelsDir, 'mobilenet');
  if (!fs.existsSync(root)) return [];
  const out = [];
  for (const q of Object.keys(QUANT_BYTES)) {
    const qdir = path.join(root, q);
    if (!fs.existsSync(qdir)) continue;
    for (const m of fs.readdirSync(qdir).sort()) {
      const dir = path.join(qdir, m);
      for (const outputStride of [16, 8]) {
        const jsonPath = path.join(dir, `model-stride${outputStride}.json`);
        if (!fs.existsSync(jsonPath) || !shardsComplete(jsonPath)) continue;
        const multiplier = Number(m) / 100;
        out.push({
          id: variantId({ architecture: 'MobileNetV1', multiplier, quantBytes: QUANT_BYTES[q], outputStride }),
          dir, jsonPath,
          quantBytes: QUANT_BYTES[q],
          multiplier,
          outputStride,
        });
      }
    }
  }
  return out;
}

/** One model by id ('mobilenet-75-q2-s16'); throws if unknown/incomplete. */
export function getModel(id) {
  const m = listModels().find((x) => x.id === id);
  if (!m) throw new Error(`model ${id} not found under ${modelsDir}`);
  return m;
}

// Checks that all weight shards exist and hold exactly the bytes the manifest
// needs (the shared store had 4 MiB shards silently dropped).
function shardsComplete(jsonPath) {
  try {
    const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    const dir = path.dirname(jsonPath);
    let need = 0;
    let have = 0;
    for (const group of j.weightsManifest) {
      for (const w of group.weights) {
        const n = w.shape.reduce((a, b) => a * b, 1);
        const dt = w.quantization ? w.quantization.dtype : w.dtype;
        need += n * ({ uint8: 1, uint16: 2, float16: 2 }[dt] ?? 4);
      }
      for (const p of group.paths) {
        const f = path.join(dir, p);
        if (!fs.existsSync(f)) return false;
        have += fs.statSync(f).size;
      }
    }
    return have === need;
  } catch {
    return false;
  }
}

/** Absolute paths of all photos (*.jpg / *.jpeg) in the shared images dir, sorted. */
export function listPhotos() {
  if (!fs.existsSync(imagesDir)) return [];
  return fs.readdirSync(imagesDir)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => path.join(imagesDir, f));
}

/** The photo used by the official tfjs-models golden tests. */
export const GOLDEN = {
  image: 'images/three-people-office-1049x861.jpg',
  personMask: 'images/three-people-office-1049x861.bodypix-person-mask.png',
  personSegmentation: 'images/three-people-office-1049x861.bodypix-person-segmentation.png',
  partIds: 'images/three-people-office-1049x861.bodypix-part-ids.png',
  partColors: 'images/three-people-office-1049x861.bodypix-part-colors.png',
};

/**
 * Which reference computations parity tests run, as a flat list of
 * {model, image, method} (image = absolute photo path or a synthetic name
 * from syntheticImages(); method = 'segmentPerson' | 'segmentPersonParts' |
 * 'rawHeads' | 'segmentMultiPerson' | 'segmentMultiPersonParts'; all at
 * internalResolution 'medium', other options default).
 *
 * tfjs-cpu is slow (full matrix: ~50 CPU-minutes), so by default (~7.5
 * CPU-minutes cold, ~4 min wall with warm-cache.mjs on 2 cores; free once cached):
 *  - every model file x the golden photo x both methods
 *  - mobilenet-75-q2-s16 (body-pix's default architecture) x every photo x both methods
 *  - synthetic + derived images (padding/odd-size geometry; depends on the
 *    stride, not on width/quantization) x both methods on SYNTHETIC_MODELS
 *  - rawHeads for the float models (mobilenet-50-q4-s16/8) on the golden photo, the
 *    small five-people photo and all synthetic images
 *  - segmentMultiPerson + segmentMultiPersonParts on the photos with one,
 *    two, three and five people (MULTI_PERSON_PHOTOS) for MULTI_PERSON_MODELS
 *    (one stride-16 quantised model, one stride-8 float one): ~0.5 CPU-minute
 * BODYPIX_REF_FULL=1 (or {full:true}): every model x every photo + synthetic
 * image x both methods, rawHeads for the float models everywhere, and the
 * multi-person methods for every model on MULTI_PERSON_PHOTOS.
 */
export const DEFAULT_MODEL_ID = 'mobilenet-75-q2-s16';
export const SYNTHETIC_MODELS = Object.freeze(['mobilenet-75-q2-s16', 'mobilenet-75-q2-s8', 'mobilenet-50-q4-s16', 'mobilenet-50-q4-s8']);
export const MULTI_PERSON_MODELS = Object.freeze(['mobilenet-75-q2-s16', 'mobilenet-50-q4-s8']);
export const MULTI_PERSON_PHOTOS = Object.freeze([
  'images/single-person-frisbee-513x513.jpg',
  'images/two-people-bench-515x513.jpg',
  'images/three-people-office-1049x861.jpg',
  'images/five-people-meeting-281x187.jpg',
]);

export function referenceMatrix({
  full = process.env.BODYPIX_REF_FULL === '1',
  synthetic = [...syntheticImages(), ...derivedImages()].map((s) => s.name),
} = {}) {
  const photos = listPhotos();
  const golden = sharedPath(GOLDEN.image);
  const small = photos.filter((p) => /five-people-meeting/.test(p));
  const out = [];
  for (const model of listModels()) {
    const synth = full || SYNTHETIC_MODELS.includes(model.id) ? synthetic : [];
    const imgs = full || model.id === DEFAULT_MODEL_ID ? photos : [golden];
    for (const image of [...imgs, ...synth]) {
      out.push({ model, image, method: 'segmentPerson' }, { model, image, method: 'segmentPersonParts' });
    }
    if (model.quantBytes === 4) {
      for (const image of [...(full ? photos : [golden, ...small]), ...synth]) {
        out.push({ model, image, method: 'rawHeads' });
      }
    }
    if (full || MULTI_PERSON_MODELS.includes(model.id)) {
      for (const image of MULTI_PERSON_PHOTOS.filter((p) => hasShared(p)).map(sharedPath)) {
        out.push({ model, image, method: 'segmentMultiPerson' }, { model, image, method: 'segmentMultiPersonParts' });
      }
    }
  }
  return out;
}

let derived = null;
/**
 * Photo-based edge cases, derived deterministically from the golden photo
 * ([] if it is missing): [{name, image}].
 * - three-people-736x608: at this size tfjs's cropAndResize (the last step
 *   of body-pix's upsampling) computes the last column's source x as
 *   960.0000000000001 > W-1 and writes extrapolationValue 0 there, so body-pix
 *   marks the whole last column background even where people are (419 person
 *   pixels in column 734, 0 in column 735 with mobilenet-75-q2-s16). 737x608 is the
 *   control (no extrapolation). ~0.06% of sizes do this, e.g. 1920x1440 medium.
 */
export function derivedImages() {
  if (derived) return derived;
  const src = sharedPath(GOLDEN.image);
  if (!fs.existsSync(src)) return [];
  const g = decodeImage(src);
  derived = [
    { name: 'three-people-736x608', image: resizeImage(g, 736, 608) },
    { name: 'three-people-737x608', image: resizeImage(g, 737, 608) },
  ];
  return derived;
}
