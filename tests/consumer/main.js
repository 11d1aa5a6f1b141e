// Segments the photo named by ?image= with the model named by ?model= (both
// URLs on this server; ?worker=1 runs the engine in a Web Worker, ?backend=
// picks one), draws the person mask over it, and leaves what the
// test checks in window.result.
import * as bodyPix from 'bodypix-wasm';

const base64 = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

async function pixelsOf(url) {
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

async function run() {
  const params = new URLSearchParams(location.search);
  const image = await pixelsOf(params.get('image'));
  const net = await bodyPix.load({
    modelUrl: params.get('model'), architecture: 'MobileNetV1', outputStride: 16, multiplier: 0.75, quantBytes: 2,
    worker: params.get('worker') === '1', backend: params.get('backend') ?? 'auto',
  });
  const person = await net.segmentPerson(image);
  const parts = await net.segmentPersonParts(image);
  bodyPix.drawMask(document.getElementById('output'), image, bodyPix.toMask(person), 0.7);
  const result = {
    backend: net.backend,
    backendReason: net.backendReason,
    crossOriginIsolated,
    width: person.width,
    height: person.height,
    pixels: base64(image.data),
    person: base64(person.data),
    parts: base64(parts.data),
    poses: person.allPoses.length,
  };
  net.dispose();
  return result;
}

run().then(
  (result) => {
    document.getElementById('status').textContent = `segmented on ${result.backend}`;
    window.result = result;
  },
  (e) => {
    document.getElementById('status').textContent = `failed: ${e.message}`;
    window.result = { error: `${e.message}\n${e.stack}` };
  },
);
