// A loaded model on the Wasm engine, with body-pix's BodyPix methods.
import { pixelsOf } from './input.js';
import { posesFrom } from './poses.js';

export const PERSON_INFERENCE_CONFIG = {
  flipHorizontal: false,
  internalResolution: 'medium',
  segmentationThreshold: 0.7,
  maxDetections: 10,
  scoreThreshold: 0.4,
  nmsRadius: 20,
};

// body-pix's defaults for segmentMultiPerson / segmentMultiPersonParts. As in
// body-pix 2.2.1 on tfjs-cpu, flipHorizontal and minKeypointScore are
// validated but change nothing.
export const MULTI_PERSON_INSTANCE_INFERENCE_CONFIG = {
  ...PERSON_INFERENCE_CONFIG,
  minKeypointScore: 0.3,
  refineSteps: 10,
};

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

  // The engine's method on the input's pixels, config over the defaults.
  async _run(method, input, config, defaults) {
    const begin = performance.now();
    const { data, width, height } = await pixelsOf(input);
    this._inputMs = performance.now() - begin;
    const result = this._live()[method](data, width, height, { ...defaults, ...config });
    // The last phase of a cold start: the first call runs code the engine has
    // not run yet.
    if (this.loadTimings && this.loadTimings.firstCall === undefined) {
      this.loadTimings.firstCall = performance.now() - begin;
    }
    return { width, height, result };
  }

  async _segment(method, input, config) {
    const { width, height, result } = await this._run(method, input, config, PERSON_INFERENCE_CONFIG);
    return { width, height, data: result.data, allPoses: posesFrom(result.poses) };
  }

  // One {width, height, data: Uint8Array, pose} per person.
  async segmentMultiPerson(input, config = MULTI_PERSON_INSTANCE_INFERENCE_CONFIG) {
    return this._segmentMulti('segmentMultiPerson', input, config);
  }

  // One {width, height, data: Int32Array (part id, -1 elsewhere), pose} per person.
  async segmentMultiPersonParts(input, config = MULTI_PERSON_INSTANCE_INFERENCE_CONFIG) {
    return this._segmentMulti('segmentMultiPersonParts', input, config);
  }

  async _segmentMulti(method, input, config) {
    const { width, height, result } = await this._run(method, input, config, MULTI_PERSON_INSTANCE_INFERENCE_CONFIG);
    return result.map(({ data, pose }) => ({ width, height, data, pose: posesFrom(pose)[0] }));
  }

  // Milliseconds spent by the last call in each phase: {input (reading the
  // input's pixels), preprocess, inference, segmentation, poses, instances}.
  lastTimings() {
    return { input: this._inputMs ?? 0, ...this._live().timings() };
  }

  // The eight raw network outputs and the padding, as the engine computed them.
  async predict(input, config = PERSON_INFERENCE_CONFIG) {
    return (await this._run('predict', input, config, PERSON_INFERENCE_CONFIG)).result;
  }

  dispose() {
    if (this._model) {
      this._model.delete();
      this._model = null;
    }
  }
}
