// The command line tool, run as a user runs it: the PNG it writes is the
// engine's answer for the photo, and mistakes end in one line on stderr.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import * as bodyPix from '../../js/index.js';
import { withTestFlavour } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { repoRoot, requireShared } from '../support/shared.mjs';

const MODEL = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';
const PHOTO = 'images/two-people-bench-515x513.jpg';
const CLI = path.join(repoRoot, 'js/cli.js');

// Resolves to {code, stdout, stderr} whatever the exit code.
async function run(...args) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...process.execArgv, CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function tempDir(t) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bodypix-cli-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('segment writes the person mask and the part mask the engine computes', async (t) => {
  const [model, photo] = requireShared(t, [MODEL, PHOTO]) ?? [];
  if (!model) return;
  const dir = await tempDir(t);
  const net = await bodyPix.load(withTestFlavour({ modelUrl: model }));
  t.after(() => net.dispose());
  const flavour = net.backend.replace('wasm-', '');
  const image = decodeImage(photo);

  const options = ['--model', model, '--flavour', flavour, '--resolution', 'high', '--threshold', '0.6'];
  const personPng = path.join(dir, 'person.png');
  const person = await run('segment', photo, '-o', personPng, ...options);
  assert.equal(person.code, 0, person.stderr);
  for (const line of [/^image: 515x513, decoded in \d+ ms$/m, new RegExp(`^engine: ${flavour}, \\d+ ms$`, 'm'),
    /^model: MobileNetV1, stride 16, \d thread\(s\), \d+ ms$/m, /^segmentation: 515x513, \d+ pose\(s\), \d+ ms$/m]) {
    assert.match(person.stdout, line);
  }
  assert.match(person.stderr, /^model: 2\.\d of 2\.\d MB \(100%\)$/m, 'the progress line');

  const config = { internalResolution: 'high', segmentationThreshold: 0.6 };
  const seg = await net.segmentPerson(image, config);
  const written = decodeImage(personPng);
  assert.equal(written.width, 515);
  assert.equal(written.height, 513);
  const people = seg.data.reduce((s, v) => s + v, 0);
  assert.ok(people > 0.05 * seg.data.length, `${people} person pixels`);
  for (let n = 0; n < seg.data.length; n++) {
    const expected = seg.data[n] ? 255 : 0;
    if (written.data[4 * n] !== expected || written.data[4 * n + 1] !== expected || written.data[4 * n + 3] !== 255) {
      assert.fail(`pixel ${n}: ${written.data.subarray(4 * n, 4 * n + 4)}, expected ${expected}`);
    }
  }

  const partsPng = path.join(dir, 'parts.png');
  const parts = await run('segment', photo, '-o', partsPng, '--parts', ...options);
  assert.equal(parts.code, 0, parts.stderr);
  const expected = bodyPix.toColoredPartMask(await net.segmentPersonParts(image, config));
  assert.deepEqual(decodeImage(partsPng).data, expected.data);
});

test('--help, and mistakes as one line on stderr with exit code 1', async (t) => {
  const help = await run('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: bodypix-wasm segment <image\.jpg\|png> -o <mask\.png>/);
  const dir = await tempDir(t);
  const garbage = path.join(dir, 'garbage.jpg');
  await fs.writeFile(garbage, 'not an image');
  const cases = [
    [['segment', path.join(dir, 'missing.jpg'), '-o', 'x.png'], /cannot read image .*missing\.jpg: no such file/],
    [['segment', garbage, '-o', 'x.png'], /garbage\.jpg is not a PNG or JPEG file/],
    [['segment', garbage], /say where to write the mask: -o mask\.png/],
    [['segment', garbage, '-o', 'x.png', '--threshold', 'high'], /--threshold must be a number, not 'high'/],
    [['segment', '-o', 'x.png'], /segment takes one image, not 0/],
    [['paint', garbage], /unknown command 'paint'/],
    [['segment', garbage, '--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await run(...args);
    assert.equal(code, 1, `${args.join(' ')}: exit code`);
    assert.match(stderr, message);
    assert.match(stderr, /^bodypix-wasm: [^\n]+\nTry bodypix-wasm --help\.\n$/, `${args.join(' ')}: no stack trace`);
    assert.equal(stdout, '');
  }
  const photo = requireShared(t, PHOTO);
  const model = requireShared(t, MODEL);
  if (!photo || !model) return;
  const { flavour } = withTestFlavour({});
  const bad = await run('segment', photo, '-o', path.join(dir, 'x.png'), '--model', model, '--threshold', '3',
    ...(flavour ? ['--flavour', flavour] : []));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /segmentationThreshold 3\.0+ is out of range/);
  await assert.rejects(fs.stat(path.join(dir, 'x.png')), { code: 'ENOENT' }, 'no mask written');
});
