// A static file server for the browser tests and the demo: folders mounted
// under URL prefixes, served on 127.0.0.1 with the headers that make pages
// cross-origin isolated (SharedArrayBuffer, hence the threaded engine, needs
// that in browsers).
//
//   import { serve } from './scripts/serve.mjs';
//   const server = await serve({ mounts: { '/': 'web', '/dist': 'dist' } });
//   ... server.url ...; await server.close();
//
// From a shell: node scripts/serve.mjs [--port N] [--no-isolation] /=web /dist=dist ...
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.ico': 'image/x-icon',
};
// Weight shards (group1-shard1of2, no extension) and anything unknown.
const DEFAULT_TYPE = 'application/octet-stream';

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Longest prefix first, so '/models/x' wins over '/'.
function normaliseMounts(mounts) {
  const list = Object.entries(mounts).map(([prefix, dir]) => {
    if (!prefix.startsWith('/')) throw new Error(`mount prefix ${JSON.stringify(prefix)} must start with /`);
    if (typeof dir !== 'string' || dir === '') throw new Error(`mount ${prefix} needs a folder path`);
    return { prefix: prefix.replace(/\/+$/, ''), dir: path.resolve(dir) };
  });
  if (list.length === 0) throw new Error('serve() needs at least one mount');
  return list.sort((a, b) => b.prefix.length - a.prefix.length);
}

// The file a URL path names, or null when no mount covers it or it would
// leave its mount's folder.
function locate(mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const { prefix, dir } of mounts) {
    if (decoded !== prefix && !decoded.startsWith(`${prefix}/`)) continue;
    const file = path.join(dir, decoded.slice(prefix.length));
    return file === dir || file.startsWith(dir + path.sep) ? file : null;
  }
  return null;
}

async function respond(mounts, isolation, headers, request, response) {
  const common = { 'Cache-Control': 'no-store', ...(isolation ? ISOLATION_HEADERS : {}), ...headers };
  const fail = (status, message) => {
    response.writeHead(status, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : `${message}\n`);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'method not allowed');
  const { pathname } = new URL(request.url, 'http://localhost');
  let file = locate(mounts, pathname);
  if (!file) return fail(404, 'not found');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    // Relative links in an index page resolve against the folder's URL.
    if (!pathname.endsWith('/')) {
      response.writeHead(301, { ...common, Location: `${pathname}/` });
      return response.end();
    }
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return fail(404, 'not found');
  response.writeHead(200, {
    ...common,
    'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? DEFAULT_TYPE,
    'Content-Length': info.size,
  });
  if (request.method === 'HEAD') return response.end();
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

// Resolves to {url, port, close()} once listening. mounts: {'/prefix': folder};
// isolation: false leaves out the COOP/COEP/CORP headers (pages are then not
// cross-origin isolated); headers: more headers for every response (e.g. a
// Content-Security-Policy); port 0 picks a free port.
export async function serve({ mounts, isolation = true, headers = {}, host = '127.0.0.1', port = 0 } = {}) {
  const list = normaliseMounts(mounts ?? {});
  const server = http.createServer((request, response) => {
    respond(list, isolation, headers, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function parseArgs(argv) {
  const options = { mounts: {}, isolation: true, port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-isolation') options.isolation = false;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (/^\/[^=]*=.+/.test(arg)) {
      const at = arg.indexOf('=');
      options.mounts[arg.slice(0, at) || '/'] = arg.slice(at + 1);
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)}: use [--port N] [--no-isolation] /prefix=folder ...`);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port needs a number from 0 to 65535');
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const server = await serve(parseArgs(process.argv.slice(2)));
    console.log(`serving on ${server.url}`);
  } catch (e) {
    console.error(`serve: ${e.message}`);
    process.exit(1);
  }
}
