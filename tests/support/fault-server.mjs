// A model server that misbehaves on purpose, for the network-fault tests: it
// serves the shared models folder (the official layout: /mobilenet/quant1/050/
// model-stride16.json) on 127.0.0.1 only, and a path can be given a fault:
//   { stall: n }    sends the headers and n bytes, then nothing more
//   { cut: n }      announces the whole length, sends n bytes, drops the connection
//   { short: n }    sends n bytes and ends without a Content-Length: a body cut
//                   short that looks whole, as through some proxies
//   { status: 500 } answers that status
//   { html: true }  answers 200 with a login page
//   { bytes }       serves these bytes instead of the file
//   { delay: ms }   answers only after ms (with the file, or the fault above)
// each for the first `times` requests to the path (default: all of them).
// Responses allow any origin (test pages come from another port) and are
// never kept by the browser's HTTP cache.
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { modelsDir } from './shared.mjs';

const LOGIN_PAGE = '<!doctype html><title>Sign in</title><form action="/login"><input name="user"></form>\n';

// Starts the server (closed after t). Returns {url, fault(path, fault),
// requests(path): how many requests the path had, ended(path, ms): the times
// (performance.now()) at which its responses ended, in this process}.
export async function startFaultServer(t, { root = modelsDir } = {}) {
  const faults = new Map();
  const counts = new Map();
  const ends = new Map();
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const n = (counts.get(pathname) ?? 0) + 1;
    counts.set(pathname, n);
    res.on('close', () => ends.set(pathname, [...(ends.get(pathname) ?? []), performance.now()]));
    const fault = faults.get(pathname);
    serve(root, pathname, fault && n <= (fault.times ?? Infinity) ? fault : {}, res)
      .catch(() => res.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    fault: (pathname, fault) => {
      faults.set(pathname, fault);
      counts.delete(pathname);
      ends.delete(pathname);
    },
    requests: (pathname) => counts.get(pathname) ?? 0,
    // Waits up to ms for one to end.
    ended: async (pathname, ms = 0) => {
      for (const deadline = performance.now() + ms; !ends.has(pathname) && performance.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return ends.get(pathname) ?? [];
    },
  };
}

const HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

async function serve(root, pathname, fault, res) {
  if (fault.delay) await new Promise((resolve) => setTimeout(resolve, fault.delay));
  if (fault.status) {
    res.writeHead(fault.status, { ...HEADERS, 'Content-Type': 'text/plain' });
    return res.end(`${fault.status}\n`);
  }
  if (fault.html) {
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(LOGIN_PAGE);
  }
  const file = path.join(root, pathname);
  const bytes = fault.bytes ?? (file.startsWith(root + path.sep) ? await fs.readFile(file).catch(() => null) : null);
  if (!bytes) {
    res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain' });
    return res.end('not found\n');
  }
  const type = pathname.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  if (fault.short != null) {
    // Without a Content-Length Node sends the body chunked and ends it
    // properly: nothing tells the client that bytes are missing.
    res.writeHead(200, { ...HEADERS, 'Content-Type': type });
    return res.end(bytes.subarray(0, fault.short));
  }
  res.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': bytes.length });
  if (fault.stall != null) return res.write(bytes.subarray(0, fault.stall));
  if (fault.cut != null) return res.write(bytes.subarray(0, fault.cut), () => res.destroy());
  return res.end(bytes);
}
