// bodypix-wasm: @tensorflow-models/body-pix 2.x's API on a WebAssembly engine.
import { fetchModelFiles } from '../models/loader.js';
import { modelPath, OFFICIAL_BASE_URL, validateModelConfig } from '../models/variants.js';
import { loadEngine, supportedFlavours } from './engine.js';

export { supportedFlavours };

export const PERSON_INFERENCE_CONFIG = {
  flipHorizontal: false,
  internalResolution: 'medium',
  segmentationThreshold: 0.7,
  maxDetections: 10,
  scoreThreshold: 0.4,
  nmsRadius: 20,
};

function pixelsOf(input) {
  if (input == null || typeof input !== 'object') {
    throw new Error('input must be an ImageData or an object {data, width, height} with RGBA or RGB bytes');
  }
  const { data, width, height } = input;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new Error('input.data must be a Uint8Array or Uint8ClampedArray of RGBA or RGB bytes');
  }
  return { data, width, height };
}

export class BodyPix {
  constructor(engine, model, config) {
    this._engine = engine;
    this._model = model;
    const info = model.info();
    this.architecture = info.architecture;
    this.outputStride = info.outputStride;
    this.threads = info.threads;
    this.backend = `wasm-${engine.flavour}`;
    this.config = config;
  }

  _live() {
    if (!this._model) throw new Error('this BodyPix model was disposed; call load() again to get a new one');
    return this._model;
  }

  async segmentPerson(input, config = PERSON_INFERENCE_CONFIG) {
    return this._segment('segmentPerson', input, config);
  }

  async segmentPersonParts(input, config = PERSON_INFERENCE_CONFIG) {
    return this._segment('segmentPersonParts', input, config);
  }

  _segment(method, input, config) {
    const model = this._live();
    const { data, width, height } = pixelsOf(input);
    const result = model[method](data, width, height, { ...PERSON_INFERENCE_CONFIG, ...config });
    return { width, height, data: result.data, allPoses: result.allPoses };
  }

  // The eight raw network outputs and the padding, as the engine computed them.
  async predict(input, config = PERSON_INFERENCE_CONFIG) {
    const { data, width, height } = pixelsOf(input);
    return this._live().predict(data, width, height, { ...PERSON_INFERENCE_CONFIG, ...config });
  }

  dispose() {
    if (this._model) {
      this._model.delete();
      this._model = null;
    }
  }
}

// load(config): body-pix's load() with the same keys and defaults, plus
// modelUrl as a file path or file:// URL in Node, threads (0 = one per core),
// flavour ('simd-threads' | 'simd' | 'baseline'), wasmPath and onProgress.
export async function load(config) {
  const explicitStride = config?.outputStride;
  const c = validateModelConfig(config);
  const url = c.modelUrl ?? OFFICIAL_BASE_URL + modelPath(c);
  const [engine, files] = await Promise.all([
    loadEngine({ flavour: c.flavour, wasmPath: c.wasmPath }),
    fetchModelFiles(url, { onProgress: c.onProgress, allowAnyShardPath: c.allowAnyShardPath }),
  ]);
  const model = engine.module.loadModel(files.json, files.shards, {
    threads: c.threads ?? 0,
    outputStride: explicitStride ?? 0,
  });
  return new BodyPix(engine, model, c);
}
