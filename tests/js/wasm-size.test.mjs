// Every byte of the engine is downloaded and compiled before a first-time
// visitor's first mask: each flavour's .wasm stays within a budget a few
// percent above its size. XNNPACK's reference kernels and its fp16 and
// quantized operators, which the engine never runs (cmake/XNNPACK.cmake,
// steps 6 and 7), would add about 410 KB to the SIMD flavours.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import test from 'node:test';
import { TEST_FLAVOURS } from '../support/flavours.mjs';

const BUDGET = {
  'relaxed-simd-threads': 475_000,
  'simd-threads': 490_000,
  'relaxed-simd': 446_000,
  simd: 463_000,
  baseline: 375_000,
};

for (const flavour of TEST_FLAVOURS) {
  test(`the ${flavour} engine is at most ${BUDGET[flavour] / 1000} KB`, async () => {
    const { size } = await stat(new URL(`../../dist/bodypix-${flavour}.wasm`, import.meta.url));
    assert.ok(size <= BUDGET[flavour], `bodypix-${flavour}.wasm is ${size} bytes, over its budget of ${BUDGET[flavour]}`);
  });
}
