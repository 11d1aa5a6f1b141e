#!/usr/bin/env node
// Bundles the package's browser modules into dist/: bodypix-wasm.js (what
// `bodypix-wasm/bundle` exports) and worker.js (the Worker of worker: true),
// each one file. A page that imports the package without a bundler of its own
// would otherwise fetch a dozen modules, one import level at a time (~100 ms
// of a first visit here). The engine's files sit beside them, where the
// bundle's `new URL('../dist/...', import.meta.url)` literals still point.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  absWorkingDir: repo,
  entryPoints: { 'bodypix-wasm': 'js/index.js', worker: 'js/worker.js' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  minify: true,
  // Loaded only where they are used: Node's modules and decoders, and TF.js
  // for backend 'webgl', which the app provides.
  external: ['node:*', 'pngjs', 'jpeg-js', '@tensorflow/*', '@tensorflow-models/*'],
  logLevel: 'warning',
});
