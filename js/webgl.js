// backend: 'webgl': the same model files run by @tensorflow-models/body-pix
// on @tensorflow/tfjs-backend-webgl, behind the methods and result shapes of
// our BodyPix. TF.js is an optional peer dependency, imported here and only
// here, when a caller picks WebGL: a Wasm-only page never downloads it.
import { isA } from './canvas.js';
import { pixelsOf } from './input.js';

const PEERS = ['@tensorflow-models/body-pix', '@tensorflow/tfjs-core', '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-backend-webgl'];

async function importTfjs() {
  try {
    // Literal specifiers, so bundlers see them (and leave a stub that throws
    // when the optional peers are not installed).
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgl');
    const bodyPix = await import('@tensorflow-models/body-pix');
    return { tf, bodyPix };
  } catch (e) {
    throw new Error(`backend 'webgl' runs body-pix on TF.js, which is not installed or cannot be loaded ` +
      `(npm install ${PEERS.join(' ')}; in a page without a bundler, map them with an ` +
      `import map): ${e.message}`);
  }
}

// What body-pix reads itself (and on WebGL uploads straight to a texture);
// anything else is turned into pixels the way the Wasm backend reads it.
const NATIVE_INPUTS = ['ImageData', 'HTMLImageElement', 'HTMLCanvasElement', 'HTMLVideoElement'];

class WebGLBodyPix {
  constructor(tf, net, config) {
    this._tf = tf;
    this._net = net;
    this.architecture = config.architecture;
    this.outputStride = config.outputStride;
    this.backend = 'webgl';
    this.config = config;
  }

  _live() {
    if (!this._net) throw new Error('this BodyPix model was disposed; call load() again to get a new one');
    return this._net;
  }

  // Runs body-pix's method on the input, as a tensor if body-pix cannot read
  // the input itself.
  async _run(method, input, config) {
    const net = this._live();
    if (NATIVE_INPUTS.some((cls) => isA(input, cls))) return net[method](input, config);
    const { data, width, height } = await pixelsOf(input);
    const channels = data.length / (width * height);
    const tf = this._tf;
    const image = tf.tidy(() => {
      const all = tf.tensor3d(Int32Array.from(data), [height, width, channels], 'int32');
      return channels === 3 ? all : tf.slice(all, [0, 0, 0], [height, width, 3]);
    });
    try {
      return await net[method](image, config);
    } finally {
      image.dispose();
    }
  }

  segmentPerson(input, config) {
    return this._run('segmentPerson', input, config);
  }

  segmentPersonParts(input, config) {
    return this._run('segmentPersonParts', input, config);
  }

  segmentMultiPerson(input, config) {
    return this._run('segmentMultiPerson', input, config);
  }

  segmentMultiPersonParts(input, config) {
    return this._run('segmentMultiPersonParts', input, config);
  }

  dispose() {
    if (this._net) {
      this._net.dispose();
      this._net = null;
    }
  }
}

// config: load()'s validated config; modelUrl: where the model files are.
export async function loadWebGL(config, modelUrl) {
  const { tf, bodyPix } = await importTfjs();
  // setBackend resolves false when the backend fails to start.
  if (!(await tf.setBackend('webgl'))) throw new Error("backend 'webgl': TF.js could not start its WebGL backend in this browser");
  const { architecture, outputStride, multiplier, quantBytes } = config;
  // body-pix resolves the URL against the page itself.
  const net = await bodyPix.load({ architecture, outputStride, multiplier, quantBytes, modelUrl });
  return new WebGLBodyPix(tf, net, config);
}
