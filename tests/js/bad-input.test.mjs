// Bad input through the public API, one table row per input: what is tried,
// the Error the caller must get (class and message), and whether the model
// (or the engine, for inputs that never make a model) must still give the
// same answer afterwards. docs/robustness.md's "Bad input" section is this table.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';
import { isTested } from '../support/flavours.mjs';
import { GOLDEN, requireShared } from '../support/shared.mjs';
import { decodeImage, resizeImage } from '../support/images.mjs';

const MODEL = 'models/bodypix/mobilenet/quant1/050/model-stride16.json';
const SHARD = 'group1-shard1of1.bin';
const FLAVOUR = 'simd';
const MiB = 2 ** 20;
const CONFIG = { multiplier: 0.5, quantBytes: 1 };

const BYTES_PER_VALUE = { uint8: 1, uint16: 2, float16: 2 };

// Where each weight of the (single-group) manifest sits in the shard.
function layout(model) {
  let offset = 0;
  return model.weightsManifest[0].weights.map((w) => {
    const bytes = (BYTES_PER_VALUE[w.quantization?.dtype] ?? 4) * w.shape.reduce((a, b) => a * b, 1);
    const entry = { spec: w, offset, bytes };
    offset += bytes;
    return entry;
  });
}

const node = (model, name) => model.modelTopology.node.find((n) => n.name === name);

// A TF.js graph model that is not BodyPix: one convolution of the input.
function otherGraph() {
  const b64 = (s) => Buffer.from(s).toString('base64');
  return {
    format: 'graph-model',
    modelTopology: {
      node: [
        { name: 'image', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
        { name: 'conv', op: 'Conv2D', input: ['image', 'w'], attr: { padding: { s: b64('VALID') }, strides: { list: { i: ['1', '1', '1', '1'] } } } },
      ],
    },
    weightsManifest: [{ paths: [SHARD], weights: [{ name: 'w', shape: [1, 1, 3, 2], dtype: 'float32' }] }],
  };
}

// Each row: mutate(model, shard) returns the files of the model folder,
// {json: object | string, files: {name: bytes}} (files default to the
// original shard); or `url(dir)` builds the folder itself and returns the
// modelUrl. `error` must match the Error's message.
const MODEL_FILES = [
  { name: 'model.json truncated', mutate: (m, s, text) => ({ json: text.slice(0, 500) }), error: /model\.json is not a model\.json file: .*JSON/ },
  { name: 'model.json is binary garbage', mutate: () => ({ json: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]) }), error: /is not a model\.json file/ },
  { name: 'model.json is JSON but not an object', mutate: () => ({ json: '[1, 2, 3]' }), error: /has no weightsManifest: it is not a TF\.js graph model/ },
  { name: 'model.json is empty', mutate: () => ({ json: '' }), error: /is not a model\.json file/ },
  {
    name: 'JSON nested 100000 levels deep',
    mutate: () => ({ json: `{"weightsManifest": [], "modelTopology": ${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}}` }),
    error: /model JSON has no modelTopology\.node list: not a TF\.js graph model/,
  },
  {
    name: 'a number beyond a double (1e400)',
    mutate: (m, s, text) => ({ json: text.replace('"shape":[34]', '"shape":[1e400]') }),
    // JSON.parse reads it as Infinity.
    error: /a dimension of weight 'MobilenetV1\/offset_2\/Conv2D_bias' is not an integer: Infinity/,
  },
  {
    name: 'a dimension beyond 64 bits',
    mutate: (m, s, text) => ({ json: text.replace('"shape":[34]', '"shape":[123456789012345678901234567890]') }),
    error: /a dimension of weight 'MobilenetV1\/offset_2\/Conv2D_bias' is not an integer: 1\.23456789\d*e\+29/,
  },
  {
    name: 'a layers-model (Keras) JSON',
    mutate: () => ({
      json: {
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 2 } }] } },
        weightsManifest: [{ paths: [SHARD], weights: [{ name: 'dense/kernel', shape: [4, 2], dtype: 'float32' }] }],
      },
      files: { [SHARD]: new Uint8Array(32) },
    }),
    error: /model JSON has format 'layers-model'; BodyPix needs a TF\.js graph-model/,
  },
  {
    name: 'a layers-model JSON without a format field',
    mutate: () => ({
      json: { modelTopology: { class_name: 'Sequential', config: {} }, weightsManifest: [{ paths: [SHARD], weights: [] }] },
      files: { [SHARD]: new Uint8Array(0) },
    }),
    error: /model JSON has no modelTopology\.node list: not a TF\.js graph model/,
  },
  {
    name: 'another graph model (not BodyPix)',
    mutate: () => ({ json: otherGraph(), files: { [SHARD]: new Uint8Array(24) } }),
    error: /model has neither MobileNetV1 nor ResNet50 BodyPix heads: it is not a BodyPix model/,
  },
  {
    name: 'BodyPix without its segmentation head',
    mutate: (m) => { node(m, 'float_segments').name = 'renamed'; return { json: m }; },
    error: /model has no node 'float_segments': it is not a BodyPix model/,
  },
  {
    name: 'BodyPix without its displacement heads',
    mutate: (m) => { node(m, 'MobilenetV1/displacement_fwd_2/BiasAdd').name = 'renamed'; return { json: m }; },
    error: /model has neither MobileNetV1 nor ResNet50 BodyPix heads/,
  },
  {
    name: 'a node reads a node that does not exist',
    mutate: (m) => { node(m, 'MobilenetV1/Conv2d_0/Relu6').input = ['no/such/node']; return { json: m }; },
    error: /node 'MobilenetV1\/Conv2d_0\/Relu6' reads 'no\/such\/node', which is not in the graph/,
  },
  {
    name: 'a cycle in the graph',
    mutate: (m) => {
      // Conv2d_0's convolution reads its own Relu6, which reads it.
      node(m, 'MobilenetV1/Conv2d_0/BatchNorm/batchnorm_1/add_1/conv').input[0] = 'MobilenetV1/Conv2d_0/Relu6';
      return { json: m };
    },
    error: /model graph has a cycle: '.*Conv2d_0\/Relu6' -> '.*Conv2d_0\/BatchNorm\/batchnorm_1\/add_1\/conv' -> .*'/,
  },
  {
    name: 'two nodes with one name',
    mutate: (m) => { m.modelTopology.node.push({ ...node(m, 'sub_2') }); return { json: m }; },
    error: /model JSON has two nodes named 'sub_2'/,
  },
  { name: 'the weight shard is missing', mutate: (m) => ({ json: m, files: {} }), error: /cannot read model file .*group1-shard1of1\.bin: no such file/ },
  { name: 'the weight shard is short', mutate: (m, s) => ({ json: m, files: { [SHARD]: s.subarray(0, s.length - 1000) } }), error: /needs bytes \d+\.\.\d+ of its shards, but they hold only 603960 bytes \(missing or truncated shard\?\)/ },
  { name: 'the weight shard is empty', mutate: (m) => ({ json: m, files: { [SHARD]: new Uint8Array(0) } }), error: /hold only 0 bytes \(missing or truncated shard\?\)/ },
  {
    name: 'the weight shard has extra bytes',
    mutate: (m, s) => ({ json: m, files: { [SHARD]: Buffer.concat([s, Buffer.alloc(16)]) } }),
    error: /weight shards hold 604976 bytes but the manifest describes 604960: wrong or extra shard data/,
  },
  {
    name: 'an extra shard listed in the manifest',
    mutate: (m, s) => {
      m.weightsManifest[0].paths.push('group1-shard2of2.bin');
      return { json: m, files: { [SHARD]: s, 'group1-shard2of2.bin': new Uint8Array(100) } };
    },
    error: /weight shards hold 605060 bytes but the manifest describes 604960: wrong or extra shard data/,
  },
  {
    name: "a weight's shape disagrees with its bytes",
    mutate: (m) => { m.weightsManifest[0].weights[1].shape = [1, 1, 256, 35]; return { json: m }; },
    error: /needs bytes \d+\.\.\d+ of its shards, but they hold only 604960 bytes/,
  },
  {
    name: "a weight's dtype disagrees with its bytes",
    mutate: (m) => { m.weightsManifest[0].weights[1].quantization.dtype = 'uint16'; return { json: m }; },
    error: /but they hold only 604960 bytes \(missing or truncated shard\?\)/,
  },
  {
    name: 'a shape whose element count overflows 32 bits',
    mutate: (m) => { m.weightsManifest[0].weights[0].shape = [65536, 65536, 1, 1]; return { json: m }; },
    error: /weight 'MobilenetV1\/offset_2\/Conv2D_bias' has an invalid or too large shape \[65536,65536,1,1\]/,
  },
  {
    name: 'an absurd dimension (1e12)',
    mutate: (m) => { m.weightsManifest[0].weights[0].shape = [1e12]; return { json: m }; },
    error: /has an invalid or too large shape \[1000000000000\]/,
  },
  {
    name: 'a negative dimension',
    mutate: (m) => { m.weightsManifest[0].weights[0].shape = [-34]; return { json: m }; },
    error: /has an invalid or too large shape \[-34\]/,
  },
  {
    name: 'a dimension that is not an integer',
    mutate: (m) => { m.weightsManifest[0].weights[0].shape = [17.5, 2]; return { json: m }; },
    error: /a dimension of weight 'MobilenetV1\/offset_2\/Conv2D_bias' is not an integer: 17\.5/,
  },
  {
    name: 'an unknown quantization dtype',
    mutate: (m) => { m.weightsManifest[0].weights[0].quantization.dtype = 'int4'; return { json: m }; },
    error: /weight 'MobilenetV1\/offset_2\/Conv2D_bias' .*'int4'.*supported/,
  },
  {
    name: 'a quantization scale that makes Inf weights',
    mutate: (m) => { m.weightsManifest[0].weights[1].quantization.scale = 1e300; return { json: m }; },
    error: /weight 'MobilenetV1\/offset_2\/weights' contains NaN or Inf values/,
  },
  {
    name: 'NaN float32 weights',
    mutate: (m, s) => {
      // The first weight (34 uint8 values at offset 0) stored as float32 NaNs.
      const [first] = layout(m);
      delete first.spec.quantization;
      const nan = new Uint8Array(new Float32Array(first.spec.shape[0]).fill(NaN).buffer);
      return { json: m, files: { [SHARD]: Buffer.concat([nan, s.subarray(first.bytes)]) } };
    },
    error: /weight 'MobilenetV1\/offset_2\/Conv2D_bias' contains NaN or Inf values/,
  },
  {
    name: 'a Const node with no weight in the manifest',
    mutate: (m) => { m.weightsManifest[0].weights[0].name = 'unrelated'; return { json: m }; },
    error: /Const node 'MobilenetV1\/offset_2\/Conv2D_bias' has no entry in the weights manifest/,
  },
  {
    name: 'an unsupported op',
    mutate: (m) => { node(m, 'MobilenetV1/Conv2d_0/Relu6').op = 'Erf'; return { json: m }; },
    error: /unsupported op 'Erf' at node 'MobilenetV1\/Conv2d_0\/Relu6'/,
  },
  {
    name: 'absurd convolution strides (0)',
    mutate: (m) => {
      const conv = node(m, 'MobilenetV1/Conv2d_0/BatchNorm/batchnorm_1/add_1/conv');
      conv.attr.strides = { list: { i: ['1', '0', '0', '1'] } };
      return { json: m };
    },
    error: /node '.*Conv2d_0.*' has an invalid strides attribute/,
  },
  {
    name: 'an input that is not RGB (1 channel, with a matching first filter)',
    mutate: (m, s) => {
      node(m, 'sub_2').attr.shape.shape.dim[3].size = '1';
      const filter = layout(m).find((e) => e.spec.name === 'MobilenetV1/Conv2d_0/weights');
      filter.spec.shape[2] = 1;
      const kept = s.subarray(filter.offset, filter.offset + filter.bytes / 3);
      const shard = Buffer.concat([s.subarray(0, filter.offset), kept, s.subarray(filter.offset + filter.bytes)]);
      return { json: m, files: { [SHARD]: shard } };
    },
    error: /the model's input takes 1 channels; BodyPix models take RGB images \(3\)/,
  },
  {
    name: 'outputStride other than the file\'s',
    mutate: (m) => ({ json: m }),
    config: { outputStride: 8 },
    error: /outputStride 8 was asked for but the model file has stride 16/,
  },
];

// Shard paths a hostile model.json could use to read outside its folder.
const HOSTILE_SHARD_PATHS = [
  '../secret/group1-shard1of1.bin',
  '../../../../../../etc/passwd',
  'sub/../../secret/group1-shard1of1.bin',
  '/etc/passwd',
  'file:///etc/passwd',
  'https://evil.example/w.bin',
  '//evil.example/w.bin',
  '..\\secret\\group1-shard1of1.bin',
  'C:\\Windows\\win.ini',
  '%2e%2e/secret/group1-shard1of1.bin',
  '.%2E/secret/group1-shard1of1.bin',
  'sub/%2e%2e/%2E%2e/secret/group1-shard1of1.bin',
  '%2fetc%2fpasswd',
  '%E0%A4%A',
];

async function setUp(t) {
  const [modelPath, photoPath] = requireShared(t, [MODEL, GOLDEN.image]);
  if (!modelPath) return null;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bodypix-bad-input-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const text = await fs.readFile(modelPath, 'utf8');
  const shard = await fs.readFile(path.join(path.dirname(modelPath), SHARD));
  const photo = resizeImage(decodeImage(photoPath), 210, 172);
  let count = 0;
  // Writes a model folder; returns the model.json path.
  const write = async ({ json, files = { [SHARD]: shard } }, folder = `m${count++}`) => {
    const d = path.join(dir, folder);
    await fs.mkdir(d, { recursive: true });
    const body = typeof json === 'string' || json instanceof Uint8Array ? json : JSON.stringify(json);
    await fs.writeFile(path.join(d, 'model.json'), body);
    for (const [name, bytes] of Object.entries(files)) await fs.writeFile(path.join(d, name), bytes);
    return path.join(d, 'model.json');
  };
  return { dir, text, shard, photo, write, modelPath };
}

const rejectsWith = (promise, pattern) => assert.rejects(promise, (e) => {
  assert.ok(e instanceof Error, `expected an Error, got ${e}`);
  assert.equal(e.constructor, Error, `expected a plain Error, got ${e.constructor.name}: ${e.message}`);
  assert.match(e.message, pattern);
  return true;
});

// In both flavours: the threaded one fails some rows after its thread pool
// is set up, and another model is alive meanwhile.
for (const flavour of [FLAVOUR, 'simd-threads'].filter(isTested)) {
  test(`${flavour}: bad model files are Errors naming the problem, and the engine still works after each`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const good = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour });
    t.after(() => good.dispose());
    const expected = await good.segmentPerson(s.photo);
    assert.ok(expected.data.some((v) => v === 1), 'the photo has people in it');
    for (const row of MODEL_FILES) {
      await t.test(row.name, async () => {
        const modelUrl = await s.write(row.mutate(JSON.parse(s.text), s.shard, s.text));
        await rejectsWith(bodyPix.load({ ...CONFIG, ...row.config, modelUrl, flavour }), row.error);
        assert.deepEqual((await good.segmentPerson(s.photo)).data, expected.data);
      });
    }
    // The unmodified files in a folder of their own load: the rows fail for their mutation only.
    const copy = await s.write({ json: s.text });
    const net = await bodyPix.load({ ...CONFIG, modelUrl: copy, flavour });
    assert.deepEqual((await net.segmentPerson(s.photo)).data, expected.data);
    net.dispose();
  });
}

test('shard paths outside the model folder are refused unless allowAnyShardPath is set', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  // A real shard outside the model's folder, where every hostile path below
  // that starts from the folder would land.
  await fs.mkdir(path.join(s.dir, 'secret'));
  await fs.writeFile(path.join(s.dir, 'secret', SHARD), s.shard);
  const withPaths = (paths) => { const m = JSON.parse(s.text); m.weightsManifest[0].paths = paths; return m; };
  const server = http.createServer(async (req, res) => {
    try {
      res.end(await fs.readFile(path.join(s.dir, decodeURIComponent(new URL(req.url, 'http://x').pathname))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;

  for (const [i, p] of HOSTILE_SHARD_PATHS.entries()) {
    const modelPath = await s.write({ json: withPaths([p]) }, `hostile${i}`);
    const folderUrl = `hostile${i}/model.json`;
    for (const modelUrl of [modelPath, pathToFileURL(modelPath).href, `${base}/${folderUrl}`]) {
      await rejectsWith(bodyPix.load({ ...CONFIG, modelUrl, flavour: FLAVOUR }),
        /model\.json lists weight shard .*, which is not a path inside the model's folder; pass allowAnyShardPath: true/);
    }
  }
  for (const p of [42, null, '']) {
    const modelUrl = await s.write({ json: withPaths([p]) });
    await rejectsWith(bodyPix.load({ ...CONFIG, modelUrl, flavour: FLAVOUR, allowAnyShardPath: true }),
      /model\.json lists weight shard .*, which is not a file name/);
  }
  // The paths that would reach the real shard outside do load once allowed,
  // from a file path, a file:// URL and over HTTP: the refusals above are the
  // check's doing, not a failed read.
  for (const p of ['../secret/group1-shard1of1.bin', '%2e%2e/secret/group1-shard1of1.bin']) {
    const modelPath = await s.write({ json: withPaths([p]), files: {} }, `allowed${p.startsWith('%') ? 1 : 0}`);
    const urls = [pathToFileURL(modelPath).href, `${base}/${path.relative(s.dir, modelPath)}`];
    if (!p.startsWith('%')) urls.push(modelPath);
    for (const modelUrl of urls) {
      const net = await bodyPix.load({ ...CONFIG, modelUrl, flavour: FLAVOUR, allowAnyShardPath: true });
      assert.equal(net.outputStride, 16);
      net.dispose();
    }
  }
  // A plain name in a subfolder is inside the folder and loads.
  const nested = await s.write({ json: withPaths(['weights/' + SHARD]), files: {} }, 'nested');
  await fs.mkdir(path.join(path.dirname(nested), 'weights'));
  await fs.writeFile(path.join(path.dirname(nested), 'weights', SHARD), s.shard);
  (await bodyPix.load({ ...CONFIG, modelUrl: nested, flavour: FLAVOUR })).dispose();
});

test('model files over HTTP that are missing or wrong are Errors naming the URL', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const routes = {
    '/ok/model.json': s.text,
    '/ok/group1-shard1of1.bin': s.shard,
    '/noshard/model.json': s.text,
    '/html/model.json': '<!doctype html><title>Sign in</title>',
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/error/model.json') res.statusCode = 500;
    else if (!(req.url in routes)) res.statusCode = 404;
    res.end(routes[req.url] ?? '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  // Server errors are retried: short pauses keep the test fast.
  const load = (p) => bodyPix.load({ ...CONFIG, modelUrl: `${base}${p}`, flavour: FLAVOUR, retryDelay: 10 });
  await rejectsWith(load('/missing/model.json'), new RegExp(`cannot fetch ${base}/missing/model\\.json: HTTP 404 Not Found`));
  await rejectsWith(load('/error/model.json'),
    /cannot fetch .*\/error\/model\.json: HTTP 500 Internal Server Error; gave up after 3 attempts$/);
  await rejectsWith(load('/noshard/model.json'), /cannot fetch .*\/noshard\/group1-shard1of1\.bin: HTTP 404 Not Found/);
  await rejectsWith(load('/html/model.json'), /\/html\/model\.json is not a model\.json file/);
  // Nothing listening there.
  await rejectsWith(bodyPix.load({ ...CONFIG, modelUrl: 'http://127.0.0.1:1/model.json', flavour: FLAVOUR, retries: 0 }),
    /cannot fetch http:\/\/127\.0\.0\.1:1\/model\.json: the connection failed before any data came \(fetch failed: bad port\)$/);
  const net = await load('/ok/model.json');
  assert.equal((await net.segmentPerson(s.photo)).data.length, s.photo.width * s.photo.height);
  net.dispose();
});

test('bad load() configs are Errors naming the value', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const rows = [
    [{ threads: -1 }, /threads -1\.0+ is invalid: it must be an integer between 0 \(automatic\) and 64/],
    [{ threads: 1.5 }, /threads 1\.50+ is invalid/],
    [{ threads: NaN }, /threads nan is invalid/],
    [{ threads: 1e9 }, /threads 1000000000\.0+ is invalid/],
    [{ threads: 'x' }, /threads must be a number, got string/],
    [{ architecture: 'VGG' }, /Invalid architecture VGG\. Should be one of MobileNetV1,ResNet50/],
    [{ multiplier: NaN }, /Invalid multiplier NaN\. Should be one of 0\.5,0\.75,1/],
    [{ quantBytes: 3 }, /Invalid quantBytes 3\. Should be one of 1,2,4/],
    [{ outputStride: 12 }, /Invalid outputStride 12\. Should be one of 8,16,32/],
    [{ modelUrl: 42 }, /modelUrl must be a non-empty string/],
    [{ modelUrl: '' }, /modelUrl must be a non-empty string/],
    [{ onProgress: 'x' }, /onProgress must be a function/],
    [{ allowAnyShardPath: 'yes' }, /allowAnyShardPath must be true or false/],
    [{ signal: new AbortController() }, /signal must be an AbortSignal \(an AbortController's \.signal\), not AbortController/],
    [{ signal: 'stop' }, /signal must be an AbortSignal .*, not "stop"/],
    [{ stallTimeout: 0 }, /stallTimeout must be a number of milliseconds from 1 to 2147483647, not 0/],
    [{ stallTimeout: '30s' }, /stallTimeout must be .*, not "30s"/],
    [{ retries: 1.5 }, /retries must be an integer from 0 to 10, not 1\.5/],
    [{ retryDelay: -1 }, /retryDelay must be a number of milliseconds from 0 to 60000, not -1/],
    [{ flavour: 42 }, /unknown engine flavour '42': use one of relaxed-simd-threads,simd-threads,relaxed-simd,simd,baseline/],
    [{ wasmPath: 'file:///nonexistent/' }, /the simd engine is not built \(\/nonexistent\/bodypix-simd\.wasm is missing\)/],
  ];
  for (const [config, error] of rows) {
    await rejectsWith(bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR, ...config }), error);
  }
  for (const config of ['x', 42, [CONFIG]]) {
    await rejectsWith(bodyPix.load(config), /load\(\) takes a config object \(or nothing for the defaults\), not /);
  }
  const net = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR, allowAnyShardPath: false, threads: 1 });
  assert.equal(net.threads, 1);
  net.dispose();
});

// Each row: the image (and config) passed to segmentPerson, and the Error.
const bytes = (n) => new Uint8Array(n);
const rgba = (w, h) => ({ data: bytes(w * h * 4), width: w, height: h });
const BAD_IMAGES = [
  { name: '0x0', input: () => rgba(0, 0), error: /image size 0x0 is invalid: width and height must be positive/ },
  { name: 'width 0', input: () => ({ data: bytes(0), width: 0, height: 10 }), error: /image size 0x10 is invalid/ },
  { name: 'height 0', input: () => ({ data: bytes(0), width: 10, height: 0 }), error: /image size 10x0 is invalid/ },
  { name: 'negative size', input: () => ({ data: bytes(16), width: -2, height: -2 }), error: /width -2\.0+ is not a valid image dimension/ },
  { name: 'width NaN', input: () => ({ data: bytes(4), width: NaN, height: 1 }), error: /width nan is not a valid image dimension/ },
  { name: 'width Infinity', input: () => ({ data: bytes(4), width: Infinity, height: 1 }), error: /width inf is not a valid image dimension/ },
  { name: 'width 1.5', input: () => ({ data: bytes(4), width: 1.5, height: 1 }), error: /width 1\.50+ is not a valid image dimension/ },
  { name: "width '64' (a string)", input: () => ({ data: bytes(4), width: '64', height: 1 }), error: /width must be a number/ },
  { name: 'height missing', input: () => ({ data: bytes(4), width: 1 }), error: /height must be a number/ },
  { name: 'data shorter than width x height', input: () => ({ data: bytes(10), width: 64, height: 48 }), error: /image data has 10 bytes but 64x48 needs 12288 \(RGBA\) or 9216 \(RGB\)/ },
  { name: 'data one byte too long', input: () => ({ data: bytes(64 * 48 * 4 + 1), width: 64, height: 48 }), error: /image data has 12289 bytes but 64x48 needs 12288/ },
  { name: 'data a plain array', input: () => ({ data: [1, 2, 3, 4], width: 1, height: 1 }), error: /input\.data must be a Uint8Array or Uint8ClampedArray/ },
  { name: 'data a Float32Array', input: () => ({ data: new Float32Array(4), width: 1, height: 1 }), error: /input\.data must be a Uint8Array or Uint8ClampedArray/ },
  { name: 'input null', input: () => null, error: /input must be an ImageData or \{data, width, height\}/ },
  { name: 'input a number', input: () => 42, error: /input must be/ },
  { name: 'a missing image file', input: () => '/no/such/image.png', error: /cannot read image \/no\/such\/image\.png: no such file/ },
  // 65536 * 65536 * 4 wraps to 0 in 32 bits: empty data must not pass as RGBA.
  { name: '65536x65536 with empty data', input: () => ({ data: bytes(0), width: 65536, height: 65536 }), error: /image 65536x65536 has more than the 67108864 pixels \(8192x8192\) the engine accepts: downscale it first/ },
  // A full-size buffer: refused before it is copied into the Wasm heap.
  { name: '20000x20000', input: () => rgba(20000, 20000), error: /image 20000x20000 has more than the 67108864 pixels \(8192x8192\) the engine accepts/ },
  { name: 'width 1e6 + 1', input: () => ({ data: bytes(4), width: 1e6 + 1, height: 1 }), error: /width 1000001\.0+ is not a valid image dimension/ },
  // 4097x4097 network input once ran XNNPACK past its buffers (a Wasm trap).
  { name: '4096x4096 at internalResolution full', input: () => ({ data: bytes(4096 * 4096 * 3), width: 4096, height: 4096 }), config: { internalResolution: 'full' }, error: /the network input would be 4097x4097 pixels, which needs about \d+ MiB for activations; this model allows at most \d+ MiB .*use a lower internalResolution or a smaller image/ },
  { name: '8192x8192 at internalResolution 2', input: () => ({ data: bytes(8192 * 8192 * 3), width: 8192, height: 8192 }), config: { internalResolution: 2 }, error: /the network input would be 16385x16385 pixels/ },
];

const METHODS = ['segmentPerson', 'segmentPersonParts', 'segmentMultiPerson', 'segmentMultiPersonParts', 'predict'];

const BAD_CONFIGS = [
  [{ internalResolution: 'huge' }, /internalResolution/],
  [{ internalResolution: 5 }, /internalResolution must be a string or number between 0\.1 and 2, but was 5/],
  [{ internalResolution: 0.05 }, /between 0\.1 and 2, but was 0\.05/],
  [{ internalResolution: NaN }, /between 0\.1 and 2, but was nan/],
  [{ internalResolution: {} }, /internalResolution must be a string or a number, got object/],
  [{ segmentationThreshold: 1.5 }, /segmentationThreshold 1\.50+ is out of range: it must be in \[0, 1\]/],
  [{ segmentationThreshold: -0.1 }, /segmentationThreshold -0\.10+ is out of range/],
  [{ segmentationThreshold: NaN }, /segmentationThreshold nan is out of range/],
  [{ segmentationThreshold: 'high' }, /segmentationThreshold must be a number, got string/],
  [{ maxDetections: 0 }, /maxDetections 0\.0+ is invalid: it must be an integer between 1 and 2147483647/],
  [{ maxDetections: 1.5 }, /maxDetections 1\.50+ is invalid/],
  [{ maxDetections: 1e12 }, /maxDetections 1000000000000\.0+ is invalid: it must be an integer between 1 and 2147483647/],
  [{ maxDetections: 'ten' }, /maxDetections must be a number, got string/],
  [{ scoreThreshold: 2 }, /scoreThreshold 2\.0+ is out of range: it must be in \[0, 1\]/],
  [{ scoreThreshold: NaN }, /scoreThreshold nan is out of range/],
  [{ nmsRadius: 0 }, /nmsRadius 0\.0+ is invalid: it must be > 0/],
  [{ nmsRadius: -5 }, /nmsRadius -5\.0+ is invalid/],
  [{ nmsRadius: NaN }, /nmsRadius nan is invalid/],
];

test(`${FLAVOUR}: bad images and configs are Errors naming the problem, and the model still works after each`, async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const net = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR });
  t.after(() => net.dispose());
  const expected = await net.segmentPerson(s.photo);
  const expectedParts = await net.segmentPersonParts(s.photo);
  const stillWorks = async () => {
    assert.deepEqual((await net.segmentPerson(s.photo)).data, expected.data);
    assert.deepEqual((await net.segmentPersonParts(s.photo)).data, expectedParts.data);
  };
  for (const row of BAD_IMAGES) {
    await t.test(`image: ${row.name}`, async () => {
      for (const method of METHODS.filter((m) => typeof net[m] === 'function')) {
        await rejectsWith(net[method](row.input(), row.config), row.error);
      }
      await stillWorks();
    });
  }
  for (const [config, error] of BAD_CONFIGS) {
    await t.test(`config: ${JSON.stringify(config, (k, v) => (Number.isNaN(v) ? 'NaN' : v))}`, async () => {
      for (const method of METHODS.filter((m) => typeof net[m] === 'function')) {
        await rejectsWith(net[method](s.photo, config), error);
      }
      await stillWorks();
    });
  }
  await t.test('tiny and thin images are segmented, not refused', async () => {
    for (const [w, h] of [[1, 1], [1, 500], [500, 1], [2, 1], [3, 3]]) {
      for (const channels of [4, 3]) {
        const image = { data: new Uint8Array(w * h * channels).fill(128), width: w, height: h };
        const seg = await net.segmentPerson(image);
        assert.equal(seg.data.length, w * h);
        assert.ok(seg.data.every((v) => v === 0 || v === 1));
        const parts = await net.segmentPersonParts(image);
        assert.ok(parts.data.every((v) => v >= -1 && v < 24));
      }
    }
    await stillWorks();
  });
  await t.test('the largest image accepted (8192x8192) at a resolution that fits is segmented', async () => {
    const seg = await net.segmentPerson({ data: bytes(8192 * 8192 * 3), width: 8192, height: 8192 }, { internalResolution: 0.25 });
    assert.equal(seg.data.length, 8192 * 8192);
    await stillWorks();
  });
});

test(`${FLAVOUR}: dispose twice, and every method after dispose, are clear`, async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const net = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR });
  const expected = await net.segmentPerson(s.photo);
  // A call made before dispose() but not yet run gets the same Error.
  const pending = net.segmentPerson(s.photo);
  net.dispose();
  net.dispose();
  await rejectsWith(pending, /this BodyPix model was disposed; call load\(\) again to get a new one/);
  for (const method of METHODS.filter((m) => typeof net[m] === 'function')) await rejectsWith(net[method](s.photo), /this BodyPix model was disposed/);
  if (typeof net.lastTimings === 'function') assert.throws(() => net.lastTimings(), /this BodyPix model was disposed/);
  // Other models on the same engine are unaffected.
  const again = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR });
  assert.deepEqual((await again.segmentPerson(s.photo)).data, expected.data);
  again.dispose();
});

// A graph can be valid at one input size and not at another: a VALID window
// wider than a small image's feature map once made XNNPACK read outside its
// input (found by the fuzzer). Here a 17x17 max pool over the last feature map
// (a global pool at the engine's nominal 257x257) is added back to it.
test(`${FLAVOUR}: a window that does not fit the image's feature map is an Error, and the model still works`, async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const m = JSON.parse(s.text);
  const features = 'MobilenetV1/Conv2d_13_pointwise/Relu6';
  const b64 = (x) => Buffer.from(x).toString('base64');
  for (const n of m.modelTopology.node) {
    if (n.input?.[0] === features) n.input[0] = 'with_global';
  }
  m.modelTopology.node.push(
    { name: 'global', op: 'MaxPool', input: [features], attr: { ksize: { list: { i: ['1', '17', '17', '1'] } }, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') } } },
    { name: 'with_global', op: 'AddV2', input: [features, 'global'] },
  );
  const net = await bodyPix.load({ ...CONFIG, modelUrl: await s.write({ json: m }), flavour: FLAVOUR });
  t.after(() => net.dispose());
  const fits = { data: new Uint8Array(257 * 257 * 4).fill(128), width: 257, height: 257 };
  const expected = await net.segmentPerson(fits, { internalResolution: 'full' });
  for (const method of METHODS.filter((name) => typeof net[name] === 'function')) {
    await rejectsWith(net[method](s.photo),
      /node 'global' has a window 17 pixels high over an input of 6 at a network input of 81x97; the model needs a larger input/);
  }
  // Larger, the pool's output is no longer one pixel and cannot be added back.
  await rejectsWith(net.segmentPerson(fits, { internalResolution: 1.5 }), /node 'with_global' combines tensors 25 and 9 pixels high at a network input of 385x385/);
  assert.deepEqual((await net.segmentPerson(fits, { internalResolution: 'full' })).data, expected.data);
});

// The engine runs one call at a time per module (each call is synchronous
// once its pixels are ready), so calls in flight on one model are served in
// turn, each with its own answer.
for (const flavour of [FLAVOUR, 'simd-threads'].filter(isTested)) {
  test(`${flavour}: segmentations in flight at once on one model each get their own answer`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const net = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour });
    t.after(() => net.dispose());
    const images = [s.photo, resizeImage(s.photo, 97, 130), resizeImage(s.photo, 320, 240), s.photo];
    const configs = [{}, { internalResolution: 'high' }, { internalResolution: 'low' }, { segmentationThreshold: 0.3 }];
    const sequential = [];
    for (const [i, image] of images.entries()) {
      sequential.push(await net.segmentPerson(image, configs[i]), await net.segmentPersonParts(image, configs[i]));
    }
    const concurrent = await Promise.all(images.flatMap((image, i) =>
      [net.segmentPerson(image, configs[i]), net.segmentPersonParts(image, configs[i])]));
    assert.equal(concurrent.length, sequential.length);
    concurrent.forEach((r, i) => {
      assert.equal(r.width, sequential[i].width);
      assert.deepEqual(r.data, sequential[i].data);
      assert.deepEqual(r.allPoses, sequential[i].allPoses);
    });
    // A bad call among them fails alone.
    const mixed = await Promise.allSettled([net.segmentPerson(s.photo), net.segmentPerson(rgba(0, 0)), net.segmentPerson(s.photo)]);
    assert.deepEqual(mixed.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(mixed[2].value.data, sequential[0].data);
  });

  // Each model once had its own thread pool: in the threaded flavour a second
  // one waited forever for a Worker that could not start.
  test(`${flavour}: several models alive at once on one engine, loaded and used concurrently`, async (t) => {
    const s = await setUp(t);
    if (!s) return;
    const nets = await Promise.all([0, 1, 2].map(() => bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour })));
    const expected = await nets[0].segmentPerson(s.photo);
    const results = await Promise.all(nets.map((net) => net.segmentPerson(s.photo)));
    results.forEach((r) => assert.deepEqual(r.data, expected.data));
    nets[1].dispose();
    const another = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour });
    for (const net of [nets[0], nets[2], another]) {
      assert.deepEqual((await net.segmentPerson(s.photo)).data, expected.data);
      net.dispose();
    }
  });
}

// What a failed allocation turns into: an Error, and the module carries on.
test(`${FLAVOUR}: running out of Wasm memory is an Error, and the model works once memory is back`, async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const net = await bodyPix.load({ ...CONFIG, modelUrl: s.modelPath, flavour: FLAVOUR });
  t.after(() => net.dispose());
  const expected = await net.segmentPerson(s.photo);
  const module = net._engine.module;
  // Take all of the 4 GB heap but a hole, then segment: which allocation
  // fails first depends on the hole's size; each failure must be one of the
  // two out-of-memory Errors, and both must be met over the sizes tried.
  const seen = new Set();
  for (const holeKiB of [64, 128, 256, 384, 512, 768, 1024]) {
    const hole = module._malloc(holeKiB << 10);
    const taken = [];
    for (let size = 256 << 20; size >= 4096;) {
      const p = module._malloc(size);
      if (p) taken.push(p);
      else size >>= 1;
    }
    assert.ok(module.memoryStats().allocatedBytes > 4000 * MiB);
    try {
      await rejectsWith(net.segmentPerson({ data: bytes(2000 * 2000 * 4), width: 2000, height: 2000 }),
        /^out of memory: the WebAssembly heap \(at most 4 GB\) cannot hold what this call needs; use a smaller image/);
      module._free(hole);
      await net.segmentPerson({ data: bytes(64 * 64 * 3), width: 64, height: 64 }, { internalResolution: 2 }).then(
        () => seen.add('fits'),
        (e) => {
          assert.match(e.message, /^out of memory: the WebAssembly heap \(at most 4 GB\) cannot hold (what this call needs|the network at 129x129); use a smaller image/);
          seen.add(e.message);
        });
    } finally {
      taken.forEach((p) => module._free(p));
    }
    assert.deepEqual((await net.segmentPerson(s.photo)).data, expected.data);
  }
  assert.equal(seen.size, 3, `outcomes met: ${[...seen].join(' | ')}`);
  assert.deepEqual((await net.segmentPerson(s.photo)).data, expected.data);
});
