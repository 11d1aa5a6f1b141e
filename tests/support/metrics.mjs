// Comparison metrics for masks / part maps / float tensors. Plain loops over
// typed arrays: no tfjs dependency, usable from any test.
import { decodeImage } from './images.mjs';

/**
 * Intersection-over-union of two binary masks (any array-like; nonzero =
 * person). Two empty masks give 1 (they agree perfectly).
 */
export function iou(a, b) {
  if (a.length !== b.length) throw new Error(`iou: length ${a.length} != ${b.length}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Fraction of positions with equal labels, over ALL pixels (background -1 included). */
export function partAgreement(a, b) {
  if (a.length !== b.length) throw new Error(`partAgreement: length ${a.length} != ${b.length}`);
  if (a.length === 0) return 1;
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** Number of positions where a and b differ (exact compare). */
export function countDiff(a, b) {
  if (a.length !== b.length) throw new Error(`countDiff: length ${a.length} != ${b.length}`);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * max |a[i]-b[i]|. NaN anywhere (in either, not in both at the same index)
 * yields Infinity, so a NaN can never hide behind a "small" max.
 */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      return Infinity;
    }
    const d = Math.abs(x - y);
    if (d > m) m = d;
  }
  return m;
}

/** Mean |a[i]-b[i]| (for reporting alongside maxAbsDiff). */
export function meanAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`meanAbsDiff: length ${a.length} != ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return a.length ? s / a.length : 0;
}

/**
 * Decodes a golden person-mask PNG to a 0/1 Uint8Array (row-major, w*h).
 * Person = a bright, opaque pixel (R > 127 && A > 127): covers both the
 * white-on-black RGBA mask and palette variants decoded to RGBA by pngjs.
 * Returns the array with .width/.height attached.
 */
export function goldenMask(file) {
  const img = decodeImage(file);
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = img.data[i * 4] > 127 && img.data[i * 4 + 3] > 127 ? 1 : 0;
  out.width = img.width;
  out.height = img.height;
  return out;
}

/**
 * Decodes the golden part-id PNG (R = part id 0..23 where A=255; background
 * A=0) to an Int32Array with body-pix's convention (-1 = background).
 */
export function goldenPartIds(file) {
  const img = decodeImage(file);
  const n = img.width * img.height;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = img.data[i * 4 + 3] === 0 ? -1 : img.data[i * 4];
  out.width = img.width;
  out.height = img.height;
  return out;
}
