// The worker side of load({worker: true}) (see worker-client.js): one model
// per worker, methods called by name, results sent back with their typed
// arrays moved rather than copied.
import { load } from './index.js';
import { transferablesOf } from './worker-client.js';

let model = null;
// Aborts the load() in progress when the page's signal fires.
let loading = null;

async function run(id, method, args) {
  if (method === 'load') {
    const { progress, ...config } = args[0];
    if (progress) config.onProgress = (p) => postMessage({ id, progress: p });
    loading = new AbortController();
    try {
      model = await load({ ...config, signal: loading.signal });
    } finally {
      loading = null;
    }
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(model))
      .filter((name) => typeof model[name] === 'function' && !name.startsWith('_') &&
        name !== 'constructor' && name !== 'dispose');
    const { architecture, outputStride, threads, backend, loadTimings } = model;
    return { methods, architecture, outputStride, threads, backend, loadTimings };
  }
  if (typeof model?.[method] !== 'function') throw new Error(`the worker's model has no method ${method}`);
  const [input, ...rest] = args;
  try {
    return await model[method](input, ...rest);
  } finally {
    // The bitmap was moved here for this one call.
    if (input instanceof ImageBitmap) input.close();
  }
}

self.onmessage = async ({ data: { id, method, args, abort } }) => {
  if (abort) return loading?.abort();
  try {
    const result = await run(id, method, args);
    postMessage({ id, result }, transferablesOf(result));
  } catch (e) {
    // The name too: an AbortError stays one on the page.
    postMessage({ id, error: e?.message ?? String(e), name: e instanceof Error ? e.name : 'Error' });
  }
};
