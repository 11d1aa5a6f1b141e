// Turns what callers pass as an image into the RGBA or RGB bytes the engine
// reads: pixels as they are; page elements, bitmaps and canvases drawn into a
// canvas and read back; encoded PNG/JPEG files decoded.
import { context2d, createCanvas, inputSize, isA } from './canvas.js';
import { isNode } from './environment.js';

const ACCEPTED = 'an ImageData or {data, width, height} with RGBA or RGB bytes, an HTMLImageElement, ' +
  'HTMLVideoElement, HTMLCanvasElement, OffscreenCanvas or ImageBitmap (browsers), or an encoded PNG/JPEG ' +
  'as a Uint8Array, ArrayBuffer or (Node) file path';

export async function pixelsOf(input) {
  if (typeof input === 'string') return decodeFile(input);
  if (input instanceof ArrayBuffer) return decodeBytes(new Uint8Array(input));
  if (input instanceof Uint8Array) return decodeBytes(input);
  if (input == null || typeof input !== 'object') throw new Error(`input must be ${ACCEPTED}`);
  if (isDrawable(input)) return readDrawable(input);
  const { data, width, height } = input;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new Error('input.data must be a Uint8Array or Uint8ClampedArray of RGBA or RGB bytes');
  }
  return { data, width, height };
}

function isDrawable(input) {
  return ['HTMLImageElement', 'HTMLVideoElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap']
    .some((cls) => isA(input, cls));
}

// One canvas reused for every read: segmenting video frames allocates nothing.
let scratch = null;

function readDrawable(input) {
  if (isA(input, 'HTMLImageElement') && (!input.complete || input.naturalWidth === 0)) {
    throw new Error('the image has not loaded (or failed to load): await img.decode() before segmenting it');
  }
  if (isA(input, 'HTMLVideoElement') && (input.readyState < 2 || input.videoWidth === 0)) {
    throw new Error("the video has no frame yet: wait for its 'loadeddata' event before segmenting it");
  }
  const { width, height } = inputSize(input);
  if (!(width > 0 && height > 0)) {
    throw new Error(`the input is ${width}x${height} pixels: nothing to segment`);
  }
  if (!scratch) {
    scratch = { canvas: createCanvas(width, height) };
    scratch.ctx = context2d(scratch.canvas, { willReadFrequently: true });
  }
  const { canvas, ctx } = scratch;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    ctx.clearRect(0, 0, width, height);
  }
  ctx.drawImage(input, 0, 0, width, height);
  let image;
  try {
    image = ctx.getImageData(0, 0, width, height);
  } catch (e) {
    if (e?.name === 'SecurityError') {
      throw new Error('the image is cross-origin and taints the canvas, so its pixels cannot be read: serve it ' +
        'with CORS headers (Access-Control-Allow-Origin) and set crossOrigin="anonymous" on the element ' +
        'before setting its src');
    }
    throw e;
  }
  return { data: image.data, width, height };
}

async function decodeFile(path) {
  if (!isNode) {
    throw new Error('a file path is only accepted in Node; in browsers pass an HTMLImageElement, an ImageBitmap ' +
      'or the file bytes');
  }
  const { readFile } = await import('node:fs/promises');
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  return decodeBytes(bytes, path);
}

const isPng = (b) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

// Node decodes with pure-JS libraries, imported only when first needed so
// pages never load them; browsers decode with their own codecs.
async function decodeBytes(bytes, name = 'the input') {
  if (!isPng(bytes) && !isJpeg(bytes)) {
    throw new Error(`${name} is not a PNG or JPEG file (or pass decoded pixels as {data, width, height})`);
  }
  if (!isNode) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes]));
    } catch (e) {
      throw new Error(`cannot decode ${name}: ${e.message}`);
    }
    try {
      return readDrawable(bitmap);
    } finally {
      bitmap.close();
    }
  }
  try {
    if (isPng(bytes)) {
      const { PNG } = (await import('pngjs')).default;
      // Palette, grey and 16-bit PNGs come out as 8-bit RGBA.
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), ...size(png) };
    }
    const jpeg = (await import('jpeg-js')).default;
    // jpeg-js's default caps (100 MP, 512 MB) would refuse large camera photos.
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 200, maxMemoryUsageInMB: 2048 });
    return { data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), ...size(img) };
  } catch (e) {
    // jpeg-js throws strings for some corrupt files.
    throw new Error(`cannot decode ${name}: ${e?.message ?? e}`);
  }
}

const size = ({ width, height }) => ({ width, height });
