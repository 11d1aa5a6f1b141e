// What js/input.js and js/output.js share about canvases and the image kinds
// browsers draw: sizes as body-pix measures them, scratch canvases, contexts.

// `instanceof` guarded for runtimes (Node, workers) that lack the class.
export function isA(value, className) {
  const cls = globalThis[className];
  return typeof cls === 'function' && value instanceof cls;
}

// The size body-pix gives its results for an input (its getInputSize): a
// canvas or image laid out on the page counts at its displayed size, a video
// at its width/height attributes if both are set, else its frame size.
export function inputSize(input) {
  if (isA(input, 'HTMLCanvasElement') || isA(input, 'OffscreenCanvas') || isA(input, 'HTMLImageElement')) {
    if (input.offsetWidth && input.offsetHeight) return { width: input.offsetWidth, height: input.offsetHeight };
    return { width: input.width, height: input.height };
  }
  if (isA(input, 'HTMLVideoElement')) {
    if (input.hasAttribute('width') && input.hasAttribute('height')) return { width: input.width, height: input.height };
    return { width: input.videoWidth, height: input.videoHeight };
  }
  return { width: input?.width, height: input?.height };
}

// A canvas to draw into: a DOM canvas in pages (as body-pix does), an
// OffscreenCanvas in workers.
export function createCanvas(width = 0, height = 0) {
  if (typeof document !== 'undefined' && typeof document.createElement === 'function') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  throw new Error('no canvas here: drawing needs a browser page or a worker with OffscreenCanvas ' +
    '(in Node, pass {data, width, height} pixels or an encoded PNG/JPEG instead)');
}

export function context2d(canvas, options) {
  if (canvas == null || typeof canvas.getContext !== 'function') {
    throw new Error('canvas must be an HTMLCanvasElement or an OffscreenCanvas');
  }
  const ctx = canvas.getContext('2d', options);
  if (!ctx) throw new Error('cannot get a 2D context from the canvas (it already has a WebGL or bitmap context)');
  return ctx;
}

// Pixels as an ImageData where the runtime has the class, else an object of
// the same shape (Node has no ImageData).
export function imageDataOf(data, width, height) {
  return typeof ImageData === 'function' ? new ImageData(data, width, height) : { data, width, height };
}
