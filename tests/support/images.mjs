// Image decoding + deterministic synthetic inputs for parity tests.
// Everything is RGBA Uint8ClampedArray {data,width,height} (the ImageData shape
// body-pix and our wasm API take). Decoding is pure JS (jpeg-js / pngjs) so the
// reference and the implementation under test see byte-identical pixels.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/**
 * Decodes a JPEG (baseline or progressive - jpeg-js handles SOF2) or PNG file
 * to {data: Uint8ClampedArray RGBA, width, height}.
 * Note: EXIF orientation is NOT applied (none of the shared photos need it).
 */
export function decodeImage(file) {
  const buf = fs.readFileSync(file);
  const isPng = buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47;
  if (isPng) {
    // PNG.sync.read expands palette / gray / 16-bit to 8-bit RGBA.
    const png = PNG.sync.read(buf);
    return {
      data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length),
      width: png.width,
      height: png.height,
    };
  }
  const img = jpeg.decode(buf, {
    useTArray: true,
    formatAsRGBA: true,
    // Defaults (100 MP / 512 MB) are fine for our <=3 MP photos; raised so a
    // large photo someone adds later does not fail for a non-reason.
    maxResolutionInMP: 200,
    maxMemoryUsageInMB: 2048,
  });
  return {
    data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
    width: img.width,
    height: img.height,
  };
}

/** sha256 (hex) of the RGBA pixels + dims; identifies an image for caching. */
export function imageHash(img) {
  const h = crypto.createHash('sha256');
  h.update(`${img.width}x${img.height}:`);
  h.update(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength));
  return h.digest('hex');
}

// Small deterministic PRNG (mulberry32) - synthetic images must be identical
// across runs/machines so cached references stay valid.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function make(width, height, fn) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = fn(x, y);
      data[i] = r; data[i + 1] = g; data[i + 2] = b; data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

const noise = (seed) => { const r = rng(seed); return () => [r() * 256, r() * 256, r() * 256]; };
const gradient = (w, h) => (x, y) => [
  (255 * x) / Math.max(1, w - 1), (255 * y) / Math.max(1, h - 1), (255 * (x + y)) / Math.max(1, w + h - 2)];
// Smooth blobs + mild noise: closer to natural-image statistics than pure
// noise, so the network outputs are less saturated (better tests of numerics).
const blobs = (w, h, seed) => {
  const r = rng(seed);
  const c = Array.from({ length: 6 }, () => [r() * w, r() * h, (0.15 + 0.3 * r()) * Math.max(w, h), r() * 255, r() * 255, r() * 255]);
  return (x, y) => {
    let R = 40, G = 40, B = 40;
    for (const [cx, cy, s, cr, cg, cb] of c) {
      const k = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (s * s));
      R += k * cr; G += k * cg; B += k * cb;
    }
    const n = (r() - 0.5) * 16;
    return [R + n, G + n, B + n];
  };
};

/**
 * Deterministic synthetic RGBA images (no real people) for edge cases:
 * [{name, image:{data,width,height}}]. Names are stable cache keys.
 * Sizes chosen to exercise padding/resize paths: square noise, gradient,
 * smooth blobs (the network fires on them: non-empty masks), tiny 16x16
 * (1x1 network input at stride 16), odd 641x479, very wide 1200x90, very
 * tall 90x1200, 2x2 and 3x5. No width-1/height-1 images: body-pix 2.2.1
 * returns broken results for them (tf.squeeze drops the unit dimension:
 * 1x1 gives width/height undefined; see tests/reference/README.md).
 */
export function syntheticImages() {
  return [
    { name: 'noise-320x240', image: make(320, 240, noise(1)) },
    { name: 'gradient-400x300', image: make(400, 300, gradient(400, 300)) },
    { name: 'blobs-513x513', image: make(513, 513, blobs(513, 513, 7)) },
    { name: 'noise-16x16', image: make(16, 16, noise(2)) },
    { name: 'blobs-641x479', image: make(641, 479, blobs(641, 479, 3)) },
    { name: 'gradient-1200x90', image: make(1200, 90, gradient(1200, 90)) },
    { name: 'blobs-90x1200', image: make(90, 1200, blobs(90, 1200, 5)) },
    { name: 'noise-2x2', image: make(2, 2, noise(4)) },
    { name: 'noise-3x5', image: make(3, 5, noise(6)) },
  ];
}

/** Solid-colour image helper (e.g. all-black input) for ad-hoc tests. */
export function solidImage(width, height, [r, g, b] = [0, 0, 0]) {
  return make(width, height, () => [r, g, b]);
}

/** Short display name for a photo path or synthetic entry. */
export function imageName(p) {
  return typeof p === 'string' ? path.basename(p) : p.name;
}

/**
 * Deterministic bilinear resize of an RGBA image (half-pixel centres, like
 * cv2.INTER_LINEAR / tf.image.resize with halfPixelCenters), integer-rounded.
 * Used to derive photo-based edge cases at chosen sizes.
 */
export function resizeImage(img, width, height) {
  const { data: src, width: sw, height: sh } = img;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (sh / height) - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * (sw / width) - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const a = src[(y0 * sw + x0) * 4 + c];
        const b = src[(y0 * sw + x1) * 4 + c];
        const d = src[(y1 * sw + x0) * 4 + c];
        const e = src[(y1 * sw + x1) * 4 + c];
        out[(y * width + x) * 4 + c] = Math.round((a + (b - a) * wx) * (1 - wy) + (d + (e - d) * wx) * wy);
      }
    }
  }
  return { data: out, width, height };
}
