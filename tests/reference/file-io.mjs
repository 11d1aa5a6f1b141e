// Reading a TF.js graph model from disk, for the reference and for the
// benchmarks' peer. It loads tfjs-core only, so that a benchmark can count
// the peer's own imports.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');

/**
 * A tfjs IOHandler that reads a graph-model JSON and its weight shards from
 * disk (tfjs-core's Node platform has no file:// loader without tfjs-node).
 * Shards are concatenated in manifest order, as the http loader does.
 */
export function fileIOHandler(jsonPath) {
  const dir = path.dirname(jsonPath);
  return {
    async load() {
      const modelJSON = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = [];
        const bufs = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
        }
        const all = Buffer.concat(bufs);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}
