// npm start (after scripts/build.sh): serves the demo (web/index.html) and the
// benchmark (web/benchmark.html) on 127.0.0.1 with scripts/serve.mjs, which
// makes the pages cross-origin isolated (the threaded engine needs that).
//
//   PORT            port to listen on (default 8080; 0 picks a free one)
//   BODYPIX_MODELS  a folder laid out like the official hosting
//                   (bodypix/mobilenet/float/050/model-stride16.json, ...),
//                   served at /model-files/; default <BODYPIX_SHARED>/models
//                   when it exists, else the pages use the official URLs
//   BODYPIX_SHARED  the shared data folder (default ../shared); its images/
//                   are the sample photos, served at /samples/
//
// The pages learn what is served from /site/config.json, written here into
// a temporary folder: {modelBaseUrl, localModels, samples}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from './serve.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Only the files the pages import, not all of node_modules.
const VENDOR_FOLDERS = [
  '@tensorflow/tfjs-core/dist',
  '@tensorflow/tfjs-converter/dist',
  '@tensorflow/tfjs-backend-webgl/dist',
  '@tensorflow/tfjs-backend-wasm/dist',
  '@tensorflow-models/body-pix/dist',
  'chart.js/dist',
  '@kurkle/color/dist',
];

const isDir = (p) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

// Model JSONs under <models>/bodypix, as paths relative to it
// ('mobilenet/quant2/075/model-stride16.json').
function listModelFiles(modelsDir) {
  const root = path.join(modelsDir, 'bodypix');
  if (!isDir(root)) return [];
  return fs.readdirSync(root, { recursive: true })
    .filter((f) => /model-stride\d+\.json$/.test(f))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

const listSamples = (imagesDir) => (isDir(imagesDir)
  ? fs.readdirSync(imagesDir).filter((f) => /\.(jpe?g|png)$/i.test(f) && !/\.bodypix-|-mask\.png$/.test(f)).sort()
  : []);

// Starts the site server; resolves to serve()'s {url, port, close()} plus
// what it found ({models, samples}). models / shared: folders or null;
// extraMounts: more {url prefix: folder}.
export async function serveSite({ port = 0, models = null, shared = null, extraMounts = {} } = {}) {
  const mounts = {
    '/': path.join(repo, 'web'),
    '/js': path.join(repo, 'js'),
    '/dist': path.join(repo, 'dist'),
    '/models': path.join(repo, 'models'),
    ...extraMounts,
  };
  for (const folder of VENDOR_FOLDERS) {
    const dir = path.join(repo, 'node_modules', folder);
    if (!isDir(dir)) throw new Error(`${dir} is missing: run scripts/setup.sh (npm ci)`);
    mounts[`/node_modules/${folder}`] = dir;
  }
  const config = { modelBaseUrl: null, localModels: [], samples: [] };
  if (models) {
    if (!isDir(models)) throw new Error(`BODYPIX_MODELS=${models} is not a folder`);
    mounts['/model-files'] = models;
    config.modelBaseUrl = '/model-files/bodypix/';
    config.localModels = listModelFiles(models);
  }
  const images = shared && path.join(shared, 'images');
  if (images && isDir(images)) {
    mounts['/samples'] = images;
    config.samples = listSamples(images).map((name) => ({ name, url: `/samples/${encodeURIComponent(name)}` }));
  }
  const siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bodypix-site-'));
  fs.writeFileSync(path.join(siteDir, 'config.json'), JSON.stringify(config, null, 2));
  mounts['/site'] = siteDir;
  let server;
  try {
    server = await serve({ mounts, port });
  } catch (e) {
    fs.rmSync(siteDir, { recursive: true, force: true });
    throw e;
  }
  return {
    ...server,
    config,
    close: async () => {
      await server.close();
      fs.rmSync(siteDir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`start: PORT=${process.env.PORT} is not a port number (0-65535)`);
    process.exit(1);
  }
  const shared = path.resolve(process.env.BODYPIX_SHARED || path.join(repo, '../shared'));
  let models = process.env.BODYPIX_MODELS ? path.resolve(process.env.BODYPIX_MODELS) : null;
  if (!models && isDir(path.join(shared, 'models', 'bodypix'))) {
    models = path.join(shared, 'models');
    console.log(`BODYPIX_MODELS is not set: serving the model files in ${models}`);
  }
  let site;
  try {
    site = await serveSite({ port, models, shared });
  } catch (e) {
    console.error(`start: ${e.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT` : e.message}`);
    process.exit(1);
  }
  const { config } = site;
  console.log(config.modelBaseUrl
    ? `models: ${models} (${config.localModels.length} files; other variants from the official URLs)`
    : 'models: the official URLs (set BODYPIX_MODELS to serve a local copy)');
  console.log(config.samples.length
    ? `sample photos: ${path.join(shared, 'images')} (${config.samples.length})`
    : `sample photos: none (${path.join(shared, 'images')} is missing); pick your own in the page`);
  console.log(`demo:      ${site.url}`);
  console.log(`benchmark: ${site.url}benchmark.html`);
  console.log('Ctrl+C stops the server');
  const stop = () => site.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
