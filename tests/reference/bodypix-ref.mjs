// Reference side of the parity tests: the real @tensorflow-models/body-pix
// 2.2.1 running on @tensorflow/tfjs-backend-cpu 4.22 in Node, with models
// loaded from local files, plus a disk cache (tfjs-cpu is slow; CI has 2 cores).
//
// Why createRequire everywhere: body-pix ships CommonJS (no "exports" map) and
// does `input instanceof tf.Tensor` against the CJS tfjs-core instance. Going
// through require() guarantees we share that one instance (one engine, one
// registered backend, one Tensor class) and lets us reach dist/util.js, which
// body-pix does not re-export.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { imageHash } from '../support/images.mjs';
import { fileIOHandler } from './file-io.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const tfconv = require('@tensorflow/tfjs-converter');
require('@tensorflow/tfjs-backend-cpu'); // registers the 'cpu' backend
const bodyPix = require('@tensorflow-models/body-pix');
const bpModel = require('@tensorflow-models/body-pix/dist/body_pix_model.js');
const bpMobileNet = require('@tensorflow-models/body-pix/dist/mobilenet.js');
const bpResNet = require('@tensorflow-models/body-pix/dist/resnet.js');
const bpUtil = require('@tensorflow-models/body-pix/dist/util.js');

export const versions = Object.freeze({
  bodyPix: require('@tensorflow-models/body-pix/package.json').version,
  tfjsCore: tf.version_core,
  tfjsConverter: require('@tensorflow/tfjs-converter/package.json').version,
  tfjsBackendCpu: require('@tensorflow/tfjs-backend-cpu/package.json').version,
});

// Bump when the meaning/format of cached entries changes.
const CACHE_FORMAT = 1;

/** Names of the 8 graph outputs, in the graph's (= MobileNet predict()) order. */
export const HEAD_NAMES = Object.freeze([
  'float_short_offsets',
  'float_segments',
  'float_part_heatmaps',
  'float_long_offsets',
  'float_heatmaps',
  'MobilenetV1/displacement_fwd_2/BiasAdd',
  'MobilenetV1/displacement_bwd_2/BiasAdd',
  'float_part_offsets',
]);

/** body-pix's own defaults for segmentPerson/segmentPersonParts. */
export const PERSON_INFERENCE_CONFIG = Object.freeze({ ...bpModel.PERSON_INFERENCE_CONFIG });
/** body-pix's own defaults for segmentMultiPerson/segmentMultiPersonParts. */
export const MULTI_PERSON_INSTANCE_INFERENCE_CONFIG = Object.freeze({ ...bpModel.MULTI_PERSON_INSTANCE_INFERENCE_CONFIG });

// ---------------------------------------------------------------------------
// Backend

let backendReady = null;
/** Selects the tfjs CPU backend once (idempotent). */
export function initCpuBackend() {
  backendReady ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    // Silence the one-time "install tfjs-node" banner; it is noise in test logs.
    tf.backend().firstUse = false;
  })();
  return backendReady;
}

const modelHashes = new Map();
/** sha256 over the model JSON + its shards (identity of a model file for caching). */
export function modelFileHash(jsonPath) {
  const abs = path.resolve(jsonPath);
  if (modelHashes.has(abs)) return modelHashes.get(abs);
  const h = crypto.createHash('sha256');
  const json = fs.readFileSync(abs);
  h.update(json);
  for (const group of JSON.parse(json.toString('utf8')).weightsManifest) {
    for (const p of group.paths) h.update(fs.readFileSync(path.join(path.dirname(abs), p)));
  }
  const hex = h.digest('hex');
  modelHashes.set(abs, hex);
  return hex;
}

/**
 * Loads body-pix exactly as body-pix's load() does for MobileNetV1
 * (tfconv.loadGraphModel + new MobileNet(graph, outputStride) + new BodyPix),
 * but from a local file via fileIOHandler. (body-pix's load({modelUrl}) just
 * forwards modelUrl to loadGraphModel, so passing the IOHandler there works
 * too; see loadViaBodyPixLoad, which the tests use to prove equivalence.)
 *
 * @param {{jsonPath:string, outputStride:8|16, multiplier:number, quantBytes:1|2|4}} spec
 * @param {{cache?: boolean|string}} [opts] cache: false disables, a string
 *   overrides the cache dir (default $BODYPIX_CACHE/reference or
 *   ~/.cache/bodypix-wasm/reference).
 */
export async function loadReference(spec, opts = {}) {
  const { jsonPath, outputStride, multiplier, quantBytes } = spec;
  if (!jsonPath) throw new Error('loadReference: jsonPath required');
  if (![8, 16, 32].includes(outputStride)) throw new Error(`bad outputStride ${outputStride}`);
  const resNet = spec.architecture === 'ResNet50';
  // Same graph outputs; ResNet names its displacement heads after its scope.
  const headNames = HEAD_NAMES.map((n) => (resNet ? n.replace('MobilenetV1/', 'resnet_v1_50/') : n));
  const cacheDir = opts.cache === false ? null
    : (typeof opts.cache === 'string' ? opts.cache : defaultCacheDir());
  const modelHash = modelFileHash(jsonPath);
  let net = null; // loaded lazily: a fully cached run never pays model load time
  const getNet = async () => {
    if (!net) {
      await initCpuBackend();
      const graph = await tfconv.loadGraphModel(fileIOHandler(jsonPath));
      net = new bodyPix.BodyPix(resNet ? new bpResNet.ResNet(graph, outputStride)
        : new bpMobileNet.MobileNet(graph, outputStride));
    }
    return net;
  };
  const stats = { hits: 0, misses: 0 };

  // Shared path for all methods: look up, else compute + store.
  async function cached(method, image, config, compute) {
    const key = cacheKey({ modelHash, outputStride, method, config, image });
    if (cacheDir) {
      const hit = readEntry(cacheDir, key);
      if (hit) { stats.hits++; return hit; }
    }
    stats.misses++;
    const value = await compute(await getNet());
    if (cacheDir) {
      writeEntry(cacheDir, key, value, {
        method, config, outputStride, multiplier, quantBytes,
        model: path.resolve(jsonPath), modelHash,
        image: { name: image.name ?? null, width: image.width, height: image.height },
        versions,
      });
    }
    return value;
  }

  function multiPerson(method, image, config) {
    const cfg = { ...MULTI_PERSON_INSTANCE_INFERENCE_CONFIG, ...config };
    return cached(method, image, cfg, async (bp) => {
      const input = toInputTensor(image);
      try {
        const persons = await bp[method](input, cfg);
        return persons.map((r) => ({ width: r.width, height: r.height, data: r.data, pose: r.pose }));
      } finally { input.dispose(); }
    });
  }

  return {
    spec: { jsonPath, outputStride, multiplier, quantBytes },
    modelHash,
    stats,
    /** async () => the underlying body-pix BodyPix instance (loads the model on first use). */
    getBodyPix: getNet,

    /**
     * body-pix segmentPerson(). Returns {width, height, data: Int32Array
     * (0/1; body-pix's data() of an int32 tensor, despite its docs saying
     * Uint8Array), allPoses}. config is merged over body-pix's defaults.
     */
    async segmentPerson(image, config = {}) {
      const cfg = { ...PERSON_INFERENCE_CONFIG, ...config };
      return cached('segmentPerson', image, cfg, async (bp) => {
        const input = toInputTensor(image);
        try {
          const r = await bp.segmentPerson(input, cfg);
          return { width: r.width, height: r.height, data: r.data, allPoses: r.allPoses };
        } finally { input.dispose(); }
      });
    },

    /**
     * body-pix segmentPersonParts(). Returns {width, height, data: Int32Array
     * (part id 0..23, -1 = background), allPoses}.
     */
    async segmentPersonParts(image, config = {}) {
      const cfg = { ...PERSON_INFERENCE_CONFIG, ...config };
      return cached('segmentPersonParts', image, cfg, async (bp) => {
        const input = toInputTensor(image);
        try {
          const r = await bp.segmentPersonParts(input, cfg);
          return { width: r.width, height: r.height, data: r.data, allPoses: r.allPoses };
        } finally { input.dispose(); }
      });
    },

    /**
     * body-pix segmentMultiPerson(). Returns [{width, height, data: Uint8Array
     * (0/1), pose}], one per pose scoring at least scoreThreshold.
     */
    async segmentMultiPerson(image, config = {}) {
      return multiPerson('segmentMultiPerson', image, config);
    },

    /**
     * body-pix segmentMultiPersonParts(). Returns [{width, height, data:
     * Int32Array (part id 0..23, -1 = not this person), pose}].
     */
    async segmentMultiPersonParts(image, config = {}) {
      return multiPerson('segmentMultiPersonParts', image, config);
    },

    /**
     * The raw network outputs for exactly the input body-pix would build.
     * Returns {
     *   heads: {<graph output name>: {shape:[h,w,c], data:Float32Array}} (8 heads,
     *          pre-activation: no sigmoid anywhere),
     *   input:   {shape:[H,W,3], data:Float32Array}  the preprocessed network
     *            input (resized/127.5 - 1), i.e. what feeds 'sub_2',
     *   resized: {shape:[H,W,3], data:Float32Array}  same before preprocessing
     *            (padded + resizeBilinear of the int32 RGB image),
     *   padding: {top,left,right,bottom}  (body-pix padAndResizeTo, in source px),
     *   inputResolution: [H, W] }
     */
    async rawHeads(image, internalResolution = 'medium') {
      return cached('rawHeads', image, { internalResolution }, async (bp) => {
        const input = toInputTensor(image);
        const base = bp.baseModel;
        const [height, width] = [image.height, image.width];
        const res = bpUtil.toInputResolutionHeightAndWidth(internalResolution, base.outputStride, [height, width]);
        const { resized, padding } = bpUtil.padAndResizeTo(input, res);
        try {
          const pre = tf.tidy(() => base.preprocessInput(tf.cast(resized, 'float32')));
          const batch = tf.expandDims(pre, 0);
          // execute() with explicit names: same graph/kernels as predict(),
          // but keyed by node name so nobody depends on output order.
          const outs = base.model.execute(batch, headNames);
          const heads = {};
          for (let i = 0; i < headNames.length; i++) {
            heads[headNames[i]] = { shape: outs[i].shape.slice(1), data: await outs[i].data() };
          }
          const value = {
            heads,
            input: { shape: pre.shape, data: await pre.data() },
            resized: { shape: resized.shape, data: await resized.data() },
            padding,
            inputResolution: res,
          };
          tf.dispose([pre, batch, ...outs]);
          return value;
        } finally { tf.dispose([input, resized]); }
      });
    },

    /** Frees the model's weights. */
    dispose() { net?.dispose(); net = null; },
  };
}

/**
 * Loads through body-pix's own public load({modelUrl: IOHandler}) path.
 * Used by the tests to prove our manual construction is the same thing.
 */
export async function loadViaBodyPixLoad({ jsonPath, outputStride, multiplier, quantBytes }) {
  await initCpuBackend();
  return bodyPix.load({
    architecture: 'MobileNetV1', outputStride, multiplier, quantBytes,
    modelUrl: fileIOHandler(jsonPath),
  });
}

/**
 * {data RGBA, width, height} -> int32 [h,w,3] tensor, i.e. exactly what
 * tf.browser.fromPixels(imageData) returns (alpha dropped, no premultiply);
 * fromPixels is unavailable for plain objects in Node, and body-pix accepts
 * a tf.Tensor3D directly (util.toInputTensor / getInputSize).
 */
export function toInputTensor({ data, width, height }) {
  const n = width * height;
  if (data.length !== n * 4) throw new Error(`expected RGBA ${width}x${height}, got ${data.length} bytes`);
  const rgb = new Int32Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgb[i * 3] = data[j]; rgb[i * 3 + 1] = data[j + 1]; rgb[i * 3 + 2] = data[j + 2];
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

/** body-pix 2.2.1's own dist/util.js (not re-exported by its index): resolution
 * math, padAndResizeTo, scaleAndCropToInputTensorShape, ... */
export const bodyPixUtil = bpUtil;
export { tf };

// ---------------------------------------------------------------------------
// Disk cache: <dir>/<key[0:2]>/<key>/{meta.json, <n>.bin[.gz]}. Typed arrays
// are stored as raw little-endian files (integer arrays gzipped); everything
// else goes into meta.json with typed arrays replaced by
// {$typed: ctorName, file, length, encoding?: 'gzip'}.

export function defaultCacheDir() {
  const root = process.env.BODYPIX_CACHE || path.join(os.homedir(), '.cache', 'bodypix-wasm');
  return path.join(root, 'reference');
}

function stableStringify(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(',')}}`;
}

// Image identity = sha256 of its pixels+dims (memoized on the object), so a
// photo, its re-decode, and a regenerated synthetic image all hit the same entry.
const imageHashes = new WeakMap();
function imageId(image) {
  let h = imageHashes.get(image);
  if (!h) { h = imageHash(image); imageHashes.set(image, h); }
  return h;
}

/** Exposed for tests: the cache key of one reference computation. */
export function cacheKey({ modelHash, outputStride, method, config, image }) {
  const ident = {
    f: CACHE_FORMAT, modelHash, outputStride, method, config,
    image: { w: image.width, h: image.height, sha256: imageId(image) },
    versions,
  };
  return crypto.createHash('sha256').update(stableStringify(ident)).digest('hex');
}

const TYPED = { Float32Array, Int32Array, Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Float64Array };

function entryDir(cacheDir, key) { return path.join(cacheDir, key.slice(0, 2), key); }

function writeEntry(cacheDir, key, value, info) {
  const final = entryDir(cacheDir, key);
  if (fs.existsSync(final)) return;
  // Write into a temp dir then rename: concurrent test processes (node --test
  // runs files in parallel) never observe a half-written entry.
  const tmp = `${final}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(tmp, { recursive: true });
  let n = 0;
  const encode = (v) => {
    if (ArrayBuffer.isView(v)) {
      const raw = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      // Integer maps (masks, part ids) are mostly runs: gzip makes them ~100x
      // smaller (keeps a CI cache small). Floats stay raw (poor ratio, and
      // raw files can be inspected/mmapped directly).
      if (!(v instanceof Float32Array || v instanceof Float64Array)) {
        const file = `${n++}.bin.gz`;
        fs.writeFileSync(path.join(tmp, file), zlib.gzipSync(raw, { level: 6 }));
        return { $typed: v.constructor.name, file, length: v.length, encoding: 'gzip' };
      }
      const file = `${n++}.bin`;
      fs.writeFileSync(path.join(tmp, file), raw);
      return { $typed: v.constructor.name, file, length: v.length };
    }
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    return v;
  };
  const meta = { info, createdAt: new Date().toISOString(), value: encode(value) };
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta));
  try {
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true }); // lost a race: fine
    if (!fs.existsSync(final)) throw e;
  }
}

function readEntry(cacheDir, key) {
  const dir = entryDir(cacheDir, key);
  let meta;
  try { meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')); } catch { return null; }
  try {
    const decode = (v) => {
      if (Array.isArray(v)) return v.map(decode);
      if (v && typeof v === 'object') {
        if (v.$typed) {
          const Ctor = TYPED[v.$typed];
          let buf = fs.readFileSync(path.join(dir, v.file));
          if (v.encoding === 'gzip') buf = zlib.gunzipSync(buf);
          if (buf.length !== v.length * Ctor.BYTES_PER_ELEMENT) throw new Error('truncated cache file');
          // Copy into a fresh, aligned ArrayBuffer (Buffer pools are unaligned).
          const out = new Ctor(v.length);
          new Uint8Array(out.buffer).set(buf);
          return out;
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
      }
      return v;
    };
    return decode(meta.value);
  } catch {
    // Corrupt/truncated entry: drop it so the recomputed value can be stored.
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
}
