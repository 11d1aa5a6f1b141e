// scripts/serve.mjs: what pages need from it (isolation headers, MIME types
// the browser insists on) and what it must refuse (paths out of its folders).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { serve } from '../../scripts/serve.mjs';

// A raw GET: fetch() would normalise the '..' segments away before sending.
function get(port, rawPath, method = 'GET') {
  return new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

async function fixture(t) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'serve-test-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const site = path.join(root, 'site');
  const data = path.join(root, 'data');
  await fs.mkdir(path.join(site, 'sub'), { recursive: true });
  await fs.mkdir(data);
  await fs.writeFile(path.join(site, 'index.html'), '<p>home</p>');
  await fs.writeFile(path.join(site, 'sub', 'index.html'), '<p>sub</p>');
  await fs.writeFile(path.join(site, 'a.wasm'), Buffer.from([0, 97, 115, 109]));
  await fs.writeFile(path.join(site, 'a.mjs'), 'export {};');
  await fs.writeFile(path.join(site, 'a.js'), '1;');
  await fs.writeFile(path.join(site, 'a.json'), '{}');
  await fs.writeFile(path.join(site, 'group1-shard1of1'), 'w');
  await fs.writeFile(path.join(data, 'x y.txt'), 'data');
  await fs.writeFile(path.join(root, 'secret.txt'), 'secret');
  return { site, data };
}

test('serves mounted folders with isolation headers and the right MIME types', async (t) => {
  const { site, data } = await fixture(t);
  const server = await serve({ mounts: { '/': site, '/data': data } });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(server.port > 0);

  const home = await get(server.port, '/');
  assert.equal(home.status, 200);
  assert.equal(home.body.toString(), '<p>home</p>');
  assert.equal(home.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(home.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(home.headers['cross-origin-resource-policy'], 'same-origin');
  assert.match(home.headers['content-type'], /^text\/html/);

  const types = {
    '/a.wasm': /^application\/wasm$/, '/a.mjs': /^text\/javascript/, '/a.js': /^text\/javascript/,
    '/a.json': /^application\/json/, '/group1-shard1of1': /^application\/octet-stream$/,
    '/data/x%20y.txt': /^text\/plain/,
  };
  for (const [url, type] of Object.entries(types)) {
    const r = await get(server.port, url);
    assert.equal(r.status, 200, url);
    assert.match(r.headers['content-type'], type, url);
  }
  assert.equal((await get(server.port, '/data/x%20y.txt')).body.toString(), 'data');
  const wasm = await get(server.port, '/a.wasm', 'HEAD');
  assert.equal(wasm.headers['content-length'], '4');
  assert.equal(wasm.body.length, 0);

  // A folder without its slash is redirected, so its page's relative links work.
  const sub = await get(server.port, '/sub');
  assert.equal(sub.status, 301);
  assert.equal(sub.headers.location, '/sub/');
  assert.equal((await get(server.port, '/sub/')).body.toString(), '<p>sub</p>');

  // Encoded slashes survive URL parsing: '/data%2f..%2fsecret.txt' decodes
  // to a path that would reach secret.txt if nothing checked it.
  for (const bad of ['/../secret.txt', '/data/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt',
    '/data%2f..%2fsecret.txt', '/data/..%2fsecret.txt', '/missing.js', '/%E0%A4%A', '/a.js%00']) {
    const r = await get(server.port, bad);
    assert.equal(r.status, 404, bad);
    assert.ok(!r.body.toString().includes('secret'), bad);
  }
  assert.equal((await get(server.port, '/a.js', 'POST')).status, 405);
});

test('isolation: false leaves the cross-origin headers out', async (t) => {
  const { site } = await fixture(t);
  const server = await serve({ mounts: { '/': site }, isolation: false });
  t.after(() => server.close());
  const r = await get(server.port, '/a.js');
  assert.equal(r.status, 200);
  for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy']) {
    assert.equal(r.headers[h], undefined, h);
  }
});

test('bad mounts are Errors naming the problem', async () => {
  await assert.rejects(serve({ mounts: {} }), /at least one mount/);
  await assert.rejects(serve({ mounts: { dist: '.' } }), /must start with \//);
  await assert.rejects(serve({ mounts: { '/x': '' } }), /needs a folder path/);
});
