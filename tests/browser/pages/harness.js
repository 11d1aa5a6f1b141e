// What the browser tests call in the page (as window.harness): the package
// itself, and ways to make inputs and ship results back to Node.
import * as bodyPix from '/js/index.js';

// Typed array -> base64 of its bytes (far cheaper to hand to Node than JSON).
function base64(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function image(url) {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}

// The image drawn at width x height (default: its own size) on a canvas.
async function canvas(url, width, height) {
  const img = await image(url);
  const c = document.createElement('canvas');
  c.width = width ?? img.naturalWidth;
  c.height = height ?? img.naturalHeight;
  c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
  return c;
}

async function imageData(url, width, height) {
  const c = await canvas(url, width, height);
  return c.getContext('2d').getImageData(0, 0, c.width, c.height);
}

// A segmentation with its data as base64 (poses as they are).
const portable = (s) => ({ width: s.width, height: s.height, data: base64(s.data), allPoses: s.allPoses });

// Any result with every typed array replaced by {type, base64}, for deep
// comparisons in Node.
function plain(value) {
  if (ArrayBuffer.isView(value)) return { type: value.constructor.name, base64: base64(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// Resolves to "Error: <message>" for a rejection with an Error, else says
// what came instead.
const failure = (promise) => promise.then(
  () => 'resolved',
  (e) => (e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}`));

window.harness = { bodyPix, base64, image, canvas, imageData, portable, plain, failure };
window.harnessReady = true;
