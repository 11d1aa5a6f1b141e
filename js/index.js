// bodypix-wasm: @tensorflow-models/body-pix 2.x's API on a WebAssembly engine.
import { abortError, downloadOptions, follow } from '../models/download.js';
import { fetchModelFiles } from '../models/loader.js';
import { modelPath, OFFICIAL_BASE_URL, validateModelConfig } from '../models/variants.js';
import { chooseBackend } from './backend.js';
import { BodyPix } from './bodypix.js';
import { loadEngine, supportedFlavours, warmUpWhile } from './engine.js';
import { loadInWorker } from './worker-client.js';

export { supportedFlavours };
export {
  blurBodyPart, drawBokehEffect, drawMask, drawPixelatedMask, flipPoseHorizontal, PART_CHANNELS, toColoredPartMask, toMask,
} from './output.js';
export { BodyPix, MULTI_PERSON_INSTANCE_INFERENCE_CONFIG, PERSON_INFERENCE_CONFIG } from './bodypix.js';

// load(config): body-pix's load() with the same keys and defaults, plus
// modelUrl as a file path or file:// URL in Node, threads (0 = one per core),
// flavour ('relaxed-simd-threads' | 'simd-threads' | 'relaxed-simd' | 'simd' | 'baseline'), wasmPath, onProgress and,
// in browsers, worker: true (the engine runs in a Web Worker), backend
// ('auto' | 'wasm' | 'webgl') and usage ('image' | 'video'): see js/backend.js
// for what 'auto' picks; net.backend and net.backendReason tell what it did.
// signal (an AbortSignal), stallTimeout, retries and retryDelay govern the
// downloads: see models/download.js.
export async function load(config) {
  if (config != null && (typeof config !== 'object' || Array.isArray(config))) {
    throw new Error(`load() takes a config object (or nothing for the defaults), not ${JSON.stringify(config)}`);
  }
  const explicitStride = config?.outputStride;
  const c = validateModelConfig(config);
  // Checked here too, so that worker mode refuses them on the caller's thread.
  const { signal } = downloadOptions(c);
  const url = c.modelUrl ?? OFFICIAL_BASE_URL + modelPath(c);
  const aborted = () => abortError(`load() was aborted by its signal while loading ${url}`, signal);
  if (signal?.aborted) throw aborted();
  const { backend, reason } = chooseBackend(c);
  const begin = performance.now();
  const net = await untilAborted(loadOn(backend, config, c, url, explicitStride), signal, aborted);
  net.backendReason = reason;
  net.loadTimings = { ...net.loadTimings, total: performance.now() - begin };
  return net;
}

// load() answers an abort at once, whatever it was doing (downloads end by
// the same signal); a model that arrives all the same is disposed.
function untilAborted(loading, signal, aborted) {
  if (!signal) return loading;
  return new Promise((resolve, reject) => {
    const abort = () => {
      reject(aborted());
      loading.then((net) => net.dispose(), () => {});
    };
    signal.addEventListener('abort', abort, { once: true });
    loading.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

async function loadOn(backend, config, c, url, explicitStride) {
  if (c.worker) return loadInWorker({ ...config, backend: 'wasm' }, c);
  if (backend === 'webgl') return (await import('./webgl.js')).loadWebGL(c, url);
  // The engine compiles while the files download; one that cannot start
  // ends the downloads, and its Error is load()'s.
  const clock = stopwatch();
  const engine = loadEngine({ flavour: c.flavour, wasmPath: c.wasmPath });
  let downloading = true;
  engine.then((e) => {
    clock.mark('engine');
    return warmUpWhile(e, () => downloading);
  }).catch(() => {});
  const { controller, release } = follow(c.signal);
  engine.catch(() => controller.abort());
  // model.json is read by the engine once it and the engine are in, while
  // the weights may still be downloading; one the engine rejects ends the
  // downloads.
  let parsed = null;
  let rejected = null;
  const parse = (modelJson) => {
    discard(parsed);
    rejected = null;
    parsed = engine.then((e) => {
      const pending = e.module.parseModel(modelJson);
      clock.mark('modelJson');
      return pending;
    });
    parsed.catch((e) => {
      rejected = e;
      controller.abort();
    });
  };
  const options = {
    onProgress: c.onProgress, onModelJson: parse, allowAnyShardPath: c.allowAnyShardPath, cacheModel: c.cacheModel,
    signal: controller.signal, stallTimeout: c.stallTimeout, retries: c.retries, retryDelay: c.retryDelay,
  };
  try {
    return await fetchModelFiles(url, options, async (files) => {
      downloading = false;
      clock.mark('modelBytes');
      return start(await engine, await parsed, files, c, explicitStride, clock);
    });
  } catch (e) {
    // Downloads that the engine's failure, or its rejecting model.json,
    // ended: that Error says what happened.
    if (controller.signal.aborted && !c.signal?.aborted) {
      await engine;
      if (rejected) throw rejected;
    }
    throw e;
  } finally {
    release();
    discard(parsed);
  }
}

// A parsed model.json that no model took.
function discard(parsed) {
  parsed?.then((pending) => {
    if (!pending.isDeleted()) pending.delete();
  }, () => {});
}

// When each phase of load() ended, in ms since it began. The engine's start,
// the pool's and the model's download overlap; decode and build follow.
function stopwatch() {
  const begin = performance.now();
  const marks = {};
  return { marks, mark: (name) => { marks[name] = performance.now() - begin; } };
}

async function start(engine, pending, files, c, explicitStride, clock) {
  let model;
  try {
    model = pending.load(files.shards, { threads: c.threads ?? 0, outputStride: explicitStride ?? 0 });
  } finally {
    pending.delete();
  }
  clock.mark('decode');
  try {
    await engine.threadsReady;
    clock.mark('pool');
    model.start();
    clock.mark('build');
  } catch (e) {
    model.delete();
    throw e;
  }
  const net = new BodyPix(engine, model, c);
  net.loadTimings = clock.marks;
  return net;
}
