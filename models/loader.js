// Fetches a TF.js graph model (model.json and its weight shards) from a URL,
// or in Node also from a file path or file:// URL.

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

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

async function fetchBytes(url, onChunk, cache) {
  let response = await cache?.match(url).catch(() => undefined);
  let stored = Promise.resolve();
  if (!response) {
    try {
      response = await fetch(url);
    } catch (e) {
      throw new Error(`cannot fetch ${url}: ${e.message}`);
    }
    if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
    if (cache) stored = cache.put(url, response.clone()).catch(() => {});
  }
  try {
    return await readBody(response, onChunk);
  } finally {
    // The next load() should find the file even if it starts right away.
    await stored;
  }
}

async function readBody(response, onChunk) {
  if (!response.body || !onChunk) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let length = 0;
  for (const reader = response.body.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onChunk(value.length);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function resolve(base, relative) {
  // In a page or worker a relative modelUrl is relative to the document.
  if (!isFileLocation(base)) return new URL(relative, new URL(base, globalThis.location?.href)).href;
  const slash = base.lastIndexOf('/');
  return (slash < 0 ? '' : base.slice(0, slash + 1)) + relative;
}

export const DEFAULT_CACHE_NAME = 'bodypix-wasm-models';

// Returns {json, shards} ready for the engine. onProgress({loaded, total})
// reports weight bytes as they arrive; total comes from the manifest.
// cacheModel (true, or a Cache API store name) keeps fetched files in the
// browser's Cache API and serves later loads from there.
export async function fetchModelFiles(modelUrl, { onProgress, allowAnyShardPath = false, cacheModel = false } = {}) {
  if (typeof modelUrl !== 'string' || modelUrl === '') throw new Error('modelUrl must be a non-empty string');
  if (onProgress != null && typeof onProgress !== 'function') throw new Error('onProgress must be a function');
  // A truthy string from a query or a form must not lift the folder check.
  if (allowAnyShardPath != null && typeof allowAnyShardPath !== 'boolean') {
    throw new Error('allowAnyShardPath must be true or false');
  }
  if (cacheModel != null && typeof cacheModel !== 'boolean' && (typeof cacheModel !== 'string' || cacheModel === '')) {
    throw new Error('cacheModel must be true, false or the name of a Cache API store');
  }
  const cache = await openCache(cacheModel === true ? DEFAULT_CACHE_NAME : cacheModel);
  const read = (location, onChunk) =>
    isFileLocation(location) ? readFileLocation(location) : fetchBytes(location, onChunk, cache);
  const json = new TextDecoder().decode(await read(modelUrl));
  let manifest;
  try {
    manifest = JSON.parse(json).weightsManifest;
  } catch (e) {
    throw new Error(`${modelUrl} is not a model.json file: ${e.message}`);
  }
  if (!Array.isArray(manifest)) throw new Error(`${modelUrl} has no weightsManifest: it is not a TF.js graph model`);
  const paths = manifest.flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
  paths.forEach((p) => checkShardPath(p, allowAnyShardPath === true));
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
