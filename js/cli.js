#!/usr/bin/env node
// bodypix-wasm segment photo.jpg -o mask.png: a person (or part) mask of a
// PNG/JPEG as a PNG, with timings.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { loadEngine } from './engine.js';
import { load, toColoredPartMask, toMask } from './index.js';
import { pixelsOf } from './input.js';

const HELP = `Usage: bodypix-wasm segment <image.jpg|png> -o <mask.png> [options]

Writes a mask PNG of <image>: people white on black, or with --parts each
body part in body-pix's colours (toColoredPartMask) on white.

Options:
  -o, --output <file>       the PNG to write (required)
      --parts               body parts instead of the person mask
      --model <url|path>    model.json (default: the official model for the options below)
      --architecture <a>    MobileNetV1 (default) or ResNet50
      --multiplier <m>      1.0, 0.75 (default) or 0.5 (MobileNetV1)
      --quant-bytes <n>     4 (float), 2 (default) or 1
      --stride <n>          output stride: 8, 16 (default) or 32
      --resolution <r>      internalResolution: low, medium (default), high, full or a number
      --threshold <t>       segmentationThreshold, 0 to 1 (default 0.7)
      --flavour <f>         engine: relaxed-simd-threads, simd-threads, relaxed-simd, simd
                            or baseline
                            (default: the best supported)
      --threads <n>         engine threads (default 0: one per core)
  -h, --help                this help
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  parts: { type: 'boolean' },
  model: { type: 'string' },
  architecture: { type: 'string' },
  multiplier: { type: 'string' },
  'quant-bytes': { type: 'string' },
  stride: { type: 'string' },
  resolution: { type: 'string', default: 'medium' },
  threshold: { type: 'string', default: '0.7' },
  flavour: { type: 'string' },
  threads: { type: 'string', default: '0' },
  help: { type: 'boolean', short: 'h' },
};

// A number option as a number (undefined if not given); load() and
// segmentPerson() check its range.
function number(values, name) {
  if (values[name] === undefined) return undefined;
  const value = Number(values[name]);
  if (values[name].trim() === '' || !Number.isFinite(value)) {
    throw new Error(`--${name} must be a number, not '${values[name]}'`);
  }
  return value;
}

const ms = (start) => `${Math.round(performance.now() - start)} ms`;

async function segment(values, file) {
  if (!values.output) throw new Error('say where to write the mask: -o mask.png');
  const resolution = /^[a-z]+$/.test(values.resolution) ? values.resolution : number(values, 'resolution');
  const config = { internalResolution: resolution, segmentationThreshold: number(values, 'threshold') };

  let start = performance.now();
  const image = await pixelsOf(file);
  console.log(`image: ${image.width}x${image.height}, decoded in ${ms(start)}`);

  start = performance.now();
  const engine = await loadEngine({ flavour: values.flavour });
  console.log(`engine: ${engine.flavour}, ${ms(start)}`);

  start = performance.now();
  let lastPercent = -1;
  const progress = ({ loaded, total }) => {
    const percent = total ? Math.floor((100 * loaded) / total) : 0;
    if (percent === lastPercent) return;
    lastPercent = percent;
    const line = `model: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB (${percent}%)`;
    // On a terminal one line that updates; in a log, only the end.
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else if (loaded === total) process.stderr.write(`${line}\n`);
  };
  // The official model by default: body-pix's recommended MobileNetV1 0.75
  // quant2. A given model file says what it is; only an explicit --stride
  // reaches the engine (as with load()).
  const official = values.model === undefined;
  const net = await load({
    architecture: values.architecture,
    outputStride: number(values, 'stride'),
    multiplier: number(values, 'multiplier') ?? (official ? 0.75 : undefined),
    quantBytes: number(values, 'quant-bytes') ?? (official ? 2 : undefined),
    modelUrl: values.model,
    flavour: engine.flavour,
    threads: number(values, 'threads'),
    onProgress: progress,
  });
  if (process.stderr.isTTY && lastPercent >= 0) process.stderr.write('\n');
  console.log(`model: ${net.architecture}, stride ${net.outputStride}, ${net.threads} thread(s), ${ms(start)}`);

  try {
    start = performance.now();
    const seg = values.parts ? await net.segmentPersonParts(image, config) : await net.segmentPerson(image, config);
    console.log(`segmentation: ${seg.width}x${seg.height}, ${seg.allPoses.length} pose(s), ${ms(start)}`);
    const mask = values.parts
      ? toColoredPartMask(seg)
      : toMask(seg, { r: 255, g: 255, b: 255, a: 255 }, { r: 0, g: 0, b: 0, a: 255 });
    await writeFile(values.output, await encodePng(mask));
    console.log(`wrote ${values.output}`);
  } finally {
    net.dispose();
  }
}

async function encodePng({ data, width, height }) {
  const { PNG } = (await import('pngjs')).default;
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png);
}

async function main(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return;
  }
  const [command, ...images] = positionals;
  if (command !== 'segment') throw new Error(`unknown command '${command}' (the command is: segment)`);
  if (images.length !== 1) throw new Error(`segment takes one image, not ${images.length}`);
  await segment(values, images[0]);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`bodypix-wasm: ${e?.message ?? e}\nTry bodypix-wasm --help.\n`);
  process.exitCode = 1;
});
