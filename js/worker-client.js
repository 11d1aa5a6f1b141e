// load({worker: true}): the engine runs in a module Web Worker (js/worker.js)
// and the page gets an object with BodyPix's methods that forward each call
// there, so inference never blocks the page's main thread.
//
// Node has no Web Workers: there worker: true is rejected rather than
// emulated with worker_threads, since a Node program that wants the event
// loop free can already call load() inside a worker_threads Worker of its own.
import { context2d, inputSize, isA } from './canvas.js';
import { pixelsOf } from './input.js';

// Where the result's typed arrays came from: each owns its whole buffer
// (the worker slices results out of the Wasm heap), so moving the buffers
// costs nothing and can never detach anything still in use.
export function transferablesOf(value, found = new Set()) {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    value.forEach((v) => transferablesOf(v, found));
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach((v) => transferablesOf(v, found));
  }
  return [...found];
}

// The input as the worker receives it, plus what to transfer. Bytes (pixels
// or an encoded file) are copied once, so the caller keeps theirs, and the
// copy is moved. Elements, canvases and videos (the kinds input.js draws,
// bar ImageBitmap, which moves as it is) become an ImageBitmap here, the only
// thread that can read them, at the size body-pix would read them (a laid-out
// element's displayed size). What createImageBitmap refuses gets read here the
// way load() without a worker reads it, so the caller sees the same Error;
// anything else goes as it is, for the worker to refuse.
const ELEMENTS = ['HTMLImageElement', 'HTMLVideoElement', 'HTMLCanvasElement', 'OffscreenCanvas'];

async function portable(input) {
  if (isA(input, 'ImageBitmap')) return [input, [input]];
  if (input instanceof ArrayBuffer) {
    const copy = input.slice(0);
    return [copy, [copy]];
  }
  if (input instanceof Uint8Array) {
    const copy = input.slice();
    return [copy, [copy.buffer]];
  }
  if (input === null || typeof input !== 'object') return [input, []];
  const { data } = input;
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    const copy = data.slice();
    return [{ data: copy, width: input.width, height: input.height }, [copy.buffer]];
  }
  if (!ELEMENTS.some((cls) => isA(input, cls))) return [input, []];
  let bitmap;
  try {
    const { width, height } = inputSize(input);
    const own = intrinsicSize(input);
    bitmap = width === own.width && height === own.height
      ? await createImageBitmap(input)
      : scaled(input, width, height);
  } catch {
    return portable(await pixelsOf(input));
  }
  return [bitmap, [bitmap]];
}

// Scaled as input.js scales (drawImage on a CPU canvas), not as
// createImageBitmap's resize does, whose pixels differ.
function scaled(input, width, height) {
  const canvas = new OffscreenCanvas(width, height);
  context2d(canvas, { willReadFrequently: true }).drawImage(input, 0, 0, width, height);
  return canvas.transferToImageBitmap();
}

function intrinsicSize(input) {
  if (isA(input, 'HTMLImageElement')) return { width: input.naturalWidth, height: input.naturalHeight };
  if (isA(input, 'HTMLVideoElement')) return { width: input.videoWidth, height: input.videoHeight };
  return { width: input.width, height: input.height };
}

class WorkerBodyPix {
  constructor(worker, config) {
    this._worker = worker;
    this._pending = new Map();
    this._nextId = 1;
    this._failure = null;
    this.config = config;
    worker.onmessage = ({ data }) => {
      const call = this._pending.get(data.id);
      if (!call) return;
      if ('progress' in data) return call.onProgress?.(data.progress);
      this._pending.delete(data.id);
      if ('error' in data) call.reject(Object.assign(new Error(data.error), { name: data.name }));
      else call.resolve(data.result);
    };
    // A worker that could not start (its module failed to load) or died
    // answers nothing more: fail what waits and everything after.
    worker.onerror = (event) => {
      event.preventDefault?.();
      this._fail(`the BodyPix worker failed: ${event.message || 'it could not start (see the console)'}`);
    };
    worker.onmessageerror = () => this._fail('the BodyPix worker sent a message that could not be read');
  }

  _fail(message) {
    this._failure ??= message;
    this._worker.terminate();
    for (const call of this._pending.values()) call.reject(new Error(message));
    this._pending.clear();
  }

  async _call(method, args, transfer = [], onProgress) {
    if (this._failure) throw new Error(this._failure);
    const id = this._nextId++;
    const reply = new Promise((resolve, reject) => this._pending.set(id, { resolve, reject, onProgress }));
    try {
      this._worker.postMessage({ id, method, args }, transfer);
    } catch (e) {
      this._pending.delete(id);
      throw new Error(`cannot send ${method}'s arguments to the BodyPix worker: ${e.message}`);
    }
    return reply;
  }

  async _forward(method, input, rest) {
    if (this._failure) throw new Error(this._failure);
    const [message, transfer] = await portable(input);
    return this._call(method, [message, ...rest], transfer);
  }

  dispose() {
    this._fail('this BodyPix model was disposed; call load() again to get a new one');
  }
}

// config: what the caller passed to load(); validated: load()'s checked copy
// (becomes .config, as on BodyPix).
export async function loadInWorker(config, validated) {
  if (typeof Worker === 'undefined') {
    throw new Error('worker: true runs the engine in a Web Worker, which this runtime does not have ' +
      '(in Node, call load() from a worker_threads Worker instead)');
  }
  const { onProgress, signal, worker: _, ...rest } = config;
  // A relative modelUrl means the page's URL, not the worker script's.
  if (typeof rest.modelUrl === 'string' && globalThis.document?.baseURI) {
    rest.modelUrl = new URL(rest.modelUrl, document.baseURI).href;
  }
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const model = new WorkerBodyPix(worker, validated);
  // An AbortSignal cannot be posted: its abort is, and the worker aborts a
  // signal of its own, which ends its downloads.
  const abort = () => worker.postMessage({ abort: true });
  signal?.addEventListener('abort', abort);
  let info;
  try {
    info = await model._call('load', [{ ...rest, progress: typeof onProgress === 'function' }], [], onProgress);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  const { methods, ...properties } = info;
  Object.assign(model, properties);
  // Whatever methods BodyPix has in the worker, by name; the first segment
  // call's time as this thread waits for it.
  for (const name of methods) {
    model[name] = async (input, ...more) => {
      const begin = performance.now();
      const result = await model._forward(name, input, more);
      if (name.startsWith('segment') && model.loadTimings.firstCall === undefined) {
        model.loadTimings.firstCall = performance.now() - begin;
      }
      return result;
    };
  }
  return model;
}
