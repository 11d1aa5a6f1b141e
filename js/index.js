// bodypix-wasm: @tensorflow-models/body-pix 2.x's API on a WebAssembly engine.
import { fetchModelFiles } from '../models/loader.js';
import { modelPath, OFFICIAL_BASE_URL, validateModelConfig } from '../models/variants.js';
import { chooseBackend } from './backend.js';
import { BodyPix } from './bodypix.js';
import { loadEngine, supportedFlavours } from './engine.js';
import { loadInWorker } from './worker-client.js';

export { supportedFlavours };
export {
  blurBodyPart, drawBokehEffect, drawMask, drawPixelatedMask, flipPoseHorizontal, PART_CHANNELS, toColoredPartMask, toMask,
} from './output.js';
export { BodyPix, MULTI_PERSON_INSTANCE_INFERENCE_CONFIG, PERSON_INFERENCE_CONFIG } from './bodypix.js';

// load(config): body-pix's load() with the same keys and defaults, plus
// modelUrl as a file path or file:// URL in Node, threads (0 = one per core),
// flavour ('relaxed-simd-threads' | 'simd-threads' | 'simd' | 'baseline'), wasmPath, onProgress and,
// in browsers, worker: true (the engine runs in a Web Worker), backend
// ('auto' | 'wasm' | 'webgl') and usage ('image' | 'video'): see js/backend.js
// for what 'auto' picks; net.backend and net.backendReason tell what it did.
export async function load(config) {
  if (config != null && (typeof config !== 'object' || Array.isArray(config))) {
    throw new Error(`load() takes a config object (or nothing for the defaults), not ${JSON.stringify(config)}`);
  }
  const explicitStride = config?.outputStride;
  const c = validateModelConfig(config);
  const { backend, reason } = chooseBackend(c);
  const net = await loadOn(backend, config, c, explicitStride);
  net.backendReason = reason;
  return net;
}

async function loadOn(backend, config, c, explicitStride) {
  if (c.worker) return loadInWorker({ ...config, backend: 'wasm' }, c);
  const url = c.modelUrl ?? OFFICIAL_BASE_URL + modelPath(c);
  if (backend === 'webgl') return (await import('./webgl.js')).loadWebGL(c, url);
  const [engine, files] = await Promise.all([
    loadEngine({ flavour: c.flavour, wasmPath: c.wasmPath }),
    fetchModelFiles(url, { onProgress: c.onProgress, allowAnyShardPath: c.allowAnyShardPath, cacheModel: c.cacheModel }),
  ]);
  const model = engine.module.loadModel(files.json, files.shards, {
    threads: c.threads ?? 0,
    outputStride: explicitStride ?? 0,
  });
  try {
    await engine.threadsReady;
    model.start();
  } catch (e) {
    model.delete();
    throw e;
  }
  return new BodyPix(engine, model, c);
}
