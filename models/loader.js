// Fetches a TF.js graph model (model.json and its weight shards) from a URL,
// or in Node also from a file path or file:// URL.
import { download, downloadOptions, follow, readBody } from './download.js';
import { KNOWN_SHA256, OFFICIAL_BASE_URL } from './variants.js';
import { isNode } from '../js/environment.js';

// A hostile model.json must not make us read outside its own folder: shard
// paths are plain relative names unless the caller allows more. URLs and
// file:// paths decode %2e%2e to '..', so the decoded form is checked too.
function escapesFolder(path) {
  let decoded;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return [path, decoded].some((p) => /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') ||
    p.includes('\\') || p.split('/').includes('..'));
}

function checkShardPath(path, allowAnyShardPath) {
  if (typeof path !== 'string' || path === '') {
    throw new Error(`model.json lists weight shard ${JSON.stringify(path)}, which is not a file name`);
  }
  if (!allowAnyShardPath && escapesFolder(path)) {
    throw new Error(`model.json lists weight shard ${JSON.stringify(path)}, which is not a path inside the ` +
      `model's folder; pass allowAnyShardPath: true to load() if you trust this model`);
  }
}

function isFileLocation(url) {
  return isNode && (url.startsWith('file://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url));
}

async function readFileLocation(location) {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = location.startsWith('file://') ? fileURLToPath(location) : location;
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`cannot read model file ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

// The Cache API store for cacheModel, or null where there is none (Node, an
// insecure or opaque origin): caching is an optimisation, never a failure.
async function openCache(name) {
  if (!name || typeof globalThis.caches?.open !== 'function') return null;
  try {
    return await globalThis.caches.open(name);
  } catch {
    return null;
  }
}

// Keeps the files of a model the engine took. A store that fails part way
// takes back what it wrote: the cache holds whole models only.
async function store(cache, files) {
  try {
    for (const { url, bytes } of files) await cache.put(url, new Response(bytes));
  } catch {
    await forget(cache, files.map((f) => f.url));
  }
}

async function forget(cache, urls) {
  await Promise.all(urls.map((url) => cache.delete(url).catch(() => false)));
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

// The official files whose SHA-256 is published must match it, from the
// network or the cache. Insecure pages have no crypto.subtle (nor a Cache
// API), and the official URLs are HTTPS: there the check is TLS's.
async function checkOfficial(url, bytes) {
  const expected = url.startsWith(OFFICIAL_BASE_URL) ? KNOWN_SHA256[url.slice(OFFICIAL_BASE_URL.length)] : undefined;
  if (!expected || !globalThis.crypto?.subtle) return;
  const actual = hex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  if (actual !== expected) {
    throw new Error(`${url} is not the official file: its SHA-256 is ${actual}, the published one is ${expected} ` +
      '(cut short or altered on the way?)');
  }
}

function resolve(base, relative) {
  // In a page or worker a relative modelUrl is relative to the document.
  if (!isFileLocation(base)) return new URL(relative, new URL(base, globalThis.location?.href)).href;
  const slash = base.lastIndexOf('/');
  return (slash < 0 ? '' : base.slice(0, slash + 1)) + relative;
}

export const DEFAULT_CACHE_NAME = 'bodypix-wasm-models';

// Resolves to accept({json, shards}) (by default the files themselves),
// accept being where the engine takes the model. onProgress({loaded, total})
// reports weight bytes as they arrive; total comes from the manifest.
// signal, stallTimeout, retries and retryDelay: see download.js. cacheModel
// (true, or a Cache API store name) serves files from the browser's Cache
// API, and keeps those it fetched there once accept() resolved.
// onModelJson(parsed) gets model.json, parsed, as soon as it is in, before
// the weight shards are (again if a cached model fails and is fetched anew).
export async function fetchModelFiles(modelUrl, options = {}, accept = (files) => files) {
  const { onProgress, onModelJson, allowAnyShardPath = false, cacheModel = false } = options;
  if (typeof modelUrl !== 'string' || modelUrl === '') throw new Error('modelUrl must be a non-empty string');
  if (onProgress != null && typeof onProgress !== 'function') throw new Error('onProgress must be a function');
  if (onModelJson != null && typeof onModelJson !== 'function') throw new Error('onModelJson must be a function');
  // A truthy string from a query or a form must not lift the folder check.
  if (allowAnyShardPath != null && typeof allowAnyShardPath !== 'boolean') {
    throw new Error('allowAnyShardPath must be true or false');
  }
  if (cacheModel != null && typeof cacheModel !== 'boolean' && (typeof cacheModel !== 'string' || cacheModel === '')) {
    throw new Error('cacheModel must be true, false or the name of a Cache API store');
  }
  const settings = {
    onProgress,
    onModelJson,
    allowAnyShardPath: allowAnyShardPath === true,
    network: downloadOptions(options),
    cache: await openCache(cacheModel === true ? DEFAULT_CACHE_NAME : cacheModel),
  };
  const cached = [];
  try {
    return await attempt(modelUrl, settings, accept, cached);
  } catch (e) {
    if (cached.length === 0 || settings.network.signal?.aborted) throw e;
    // A cached model that fails (a file cut short that an older version
    // kept, a disk fault) is dropped and fetched again: the cache heals.
    await forget(settings.cache, cached);
    return attempt(modelUrl, settings, accept, null);
  }
}

// One try at the model: files from the cache where `cached` (which collects
// their URLs) allows, else from the network; what was fetched is stored once
// accept() took the model.
async function attempt(modelUrl, settings, accept, cached) {
  const { cache } = settings;
  const fetched = [];
  // One file that fails ends the others' downloads: the load has no use for them.
  const { controller, release } = follow(settings.network.signal);
  const network = { ...settings.network, signal: controller.signal };
  const read = async (location, onChunk) => {
    if (isFileLocation(location)) return readFileLocation(location);
    const hit = cached && await cache?.match(location).catch(() => undefined);
    let bytes;
    if (hit) {
      cached.push(location);
      bytes = await readBody(hit, onChunk);
    } else {
      bytes = await download(location, network, onChunk);
      fetched.push({ url: location, bytes });
    }
    await checkOfficial(location, bytes);
    return bytes;
  };
  let files;
  try {
    files = await readModel(modelUrl, settings, read);
  } catch (e) {
    controller.abort();
    throw e;
  } finally {
    release();
  }
  const result = await accept(files);
  if (cache) await store(cache, fetched);
  return result;
}

async function readModel(modelUrl, { onProgress, onModelJson, allowAnyShardPath }, read) {
  const json = new TextDecoder().decode(await read(modelUrl));
  let parsed;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`${modelUrl} is not a model.json file: ${e.message}`);
  }
  const manifest = parsed?.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${modelUrl} has no weightsManifest: it is not a TF.js graph model`);
  // Read here, not by the engine: the shards download while it compiles.
  const paths = manifest.flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
  paths.forEach((p) => checkShardPath(p, allowAnyShardPath));
  onModelJson?.(parsed);
  // Only for progress reports: the engine checks the manifest itself.
  const total = manifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : [])).reduce((sum, w) => {
    const bytes = { uint8: 1, uint16: 2, float16: 2 }[w?.quantization?.dtype] ?? 4;
    return sum + bytes * (Array.isArray(w?.shape) ? w.shape : []).reduce((a, b) => a * Number(b), 1);
  }, 0);
  let loaded = 0;
  const report = (n) => {
    loaded += n;
    onProgress?.({ loaded, total });
  };
  const shards = await Promise.all(paths.map(async (p) => {
    const location = resolve(modelUrl, p);
    const bytes = await read(location, onProgress ? report : undefined);
    if (isFileLocation(location) && onProgress) report(bytes.length);
    return bytes;
  }));
  return { json, shards };
}
