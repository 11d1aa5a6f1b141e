// The benchmarks' peer: @tensorflow-models/body-pix 2.2.1 on
// @tensorflow/tfjs-backend-wasm (SIMD and threads where node has them), the
// model read from disk. Importing this module imports the peer's libraries.
import { createRequire } from 'node:module';
import path from 'node:path';

import { fileIOHandler } from '../tests/reference/file-io.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const tfconv = require('@tensorflow/tfjs-converter');
const tfjsBodyPix = require('@tensorflow-models/body-pix');
const tfjsMobileNet = require('@tensorflow-models/body-pix/dist/mobilenet.js');
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm');

export async function startBackend() {
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/');
  await tf.setBackend('wasm');
  await tf.ready();
}

// A MobileNetV1 stride-16 model, as body-pix's load() makes it.
export async function loadNet(jsonPath) {
  const graph = await tfconv.loadGraphModel(fileIOHandler(jsonPath));
  return new tfjsBodyPix.BodyPix(new tfjsMobileNet.MobileNet(graph, 16));
}

// body-pix takes a tensor in node (tf.browser.fromPixels wants a canvas or
// an element): the RGBA photo becomes one, as part of the call.
export function run(net, method, { data, width, height }, config) {
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[3 * i] = data[j]; rgb[3 * i + 1] = data[j + 1]; rgb[3 * i + 2] = data[j + 2];
  }
  const input = tf.tensor3d(rgb, [height, width, 3], 'int32');
  return net[method](input, config).finally(() => input.dispose());
}
