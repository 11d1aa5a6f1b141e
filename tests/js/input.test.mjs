// Inputs in Node: encoded PNG/JPEG files (path, Buffer, Uint8Array,
// ArrayBuffer) decode to the same pixels the tests' decoder gives, and
// reach the model; unreadable ones are Errors that say why.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';

import * as bodyPix from '../../js/index.js';
import { pixelsOf } from '../../js/input.js';
import { withTestFlavour } from '../support/flavours.mjs';
import { decodeImage } from '../support/images.mjs';
import { requireShared } from '../support/shared.mjs';

const MODEL = 'models/bodypix/mobilenet/quant2/075/model-stride16.json';
const PHOTO = 'images/five-people-meeting-281x187.jpg';

test('encoded JPEG and PNG, as a path or bytes, decode to the expected pixels', async (t) => {
  const photo = requireShared(t, PHOTO);
  if (!photo) return;
  const expected = decodeImage(photo);
  const jpeg = await fs.readFile(photo);
  const png = PNG.sync.write(Object.assign(new PNG({ width: expected.width, height: expected.height }),
    { data: Buffer.from(expected.data) }));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bodypix-input-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const pngPath = path.join(dir, 'photo.png');
  await fs.writeFile(pngPath, png);

  const inputs = {
    'JPEG path': photo,
    'JPEG Buffer': jpeg,
    'JPEG Uint8Array': new Uint8Array(jpeg),
    'JPEG ArrayBuffer': jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.length),
    'PNG path': pngPath,
    'PNG Buffer': png,
  };
  for (const [what, input] of Object.entries(inputs)) {
    const got = await pixelsOf(input);
    assert.equal(got.width, 281, what);
    assert.equal(got.height, 187, what);
    assert.deepEqual(got.data, expected.data, what);
  }
});

test('a model segments a file path as it segments the decoded pixels', async (t) => {
  const [model, photo] = requireShared(t, [MODEL, PHOTO]) ?? [];
  if (!model) return;
  const net = await bodyPix.load(withTestFlavour({ modelUrl: model }));
  t.after(() => net.dispose());
  const fromPath = await net.segmentPersonParts(photo);
  const fromPixels = await net.segmentPersonParts(decodeImage(photo));
  assert.equal(fromPath.width, 281);
  assert.deepEqual(fromPath.data, fromPixels.data);
  assert.ok(fromPath.data.some((v) => v >= 0), 'people found');
  await assert.rejects(net.segmentPerson(path.join(os.tmpdir(), 'no-such-photo.jpg')), /no such file/);
});

test('unreadable images are Errors that say why', async (t) => {
  const photo = requireShared(t, PHOTO);
  if (!photo) return;
  const jpeg = await fs.readFile(photo);
  const png = await fs.readFile(requireShared(t, 'images/three-people-office-1049x861.bodypix-part-ids.png'));
  const rejects = (input, pattern) => assert.rejects(pixelsOf(input), (e) => e instanceof Error && pattern.test(e.message));
  await rejects('/nonexistent/photo.jpg', /cannot read image \/nonexistent\/photo\.jpg: no such file/);
  await rejects(os.tmpdir(), /cannot read image/);
  await rejects(new TextEncoder().encode('GIF89a....'), /the input is not a PNG or JPEG file/);
  await rejects(new Uint8Array(0), /not a PNG or JPEG file/);
  await rejects(jpeg.subarray(0, 200), /cannot decode the input: /);
  await rejects(png.subarray(0, 100), /cannot decode the input: /);
  await rejects(42, /input must be an ImageData or \{data, width, height\}/);
  await rejects({ data: [0, 0, 0], width: 1, height: 1 }, /input\.data must be a Uint8Array/);
});
