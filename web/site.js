// What the demo and the benchmark share: the served site's configuration,
// the model variants and where their files are, photos, the GPU's name.
import { isSoftwareRenderer, probeWebGL } from '/js/backend.js';
import { modelPath, OFFICIAL_BASE_URL, variantId } from '/models/variants.js';

// Every official BodyPix 2 graph, MobileNet first; ids are stable URL values.
export const VARIANTS = [];
for (const quantBytes of [2, 1, 4]) {
  for (const multiplier of [0.5, 0.75, 1.0]) {
    for (const outputStride of [16, 8]) {
      VARIANTS.push({ architecture: 'MobileNetV1', multiplier, outputStride, quantBytes });
    }
  }
}
for (const quantBytes of [2, 1, 4]) {
  for (const outputStride of [16, 32]) {
    VARIANTS.push({ architecture: 'ResNet50', multiplier: 1.0, outputStride, quantBytes });
  }
}
const WEIGHTS = { 4: 'float32', 2: '2-byte', 1: '1-byte' };
for (const v of VARIANTS) {
  v.id = variantId(v);
  v.path = modelPath(v);
  v.label = `${v.architecture === 'ResNet50' ? 'ResNet50' : `MobileNet ${v.multiplier.toFixed(2)}`} · ` +
    `stride ${v.outputStride} · ${WEIGHTS[v.quantBytes]}`;
}
// body-pix's usual demo model (its load() default has float weights).
export const DEFAULT_VARIANT = 'mobilenet-75-q2-s16';

export const variantById = (id) => VARIANTS.find((v) => v.id === id);

// {modelBaseUrl, localModels, samples} from scripts/start.mjs; a server that
// does not write one (any static server) gets the official model URLs and
// no sample photos.
export async function siteConfig() {
  const fallback = { modelBaseUrl: null, localModels: [], samples: [] };
  try {
    const response = await fetch('/site/config.json');
    return response.ok ? { ...fallback, ...(await response.json()) } : fallback;
  } catch {
    return fallback;
  }
}

export const isLocal = (config, variant) => !!config.modelBaseUrl && config.localModels.includes(variant.path);

// The served copy when there is one, else Google's.
export function modelUrl(config, variant) {
  const base = isLocal(config, variant) ? config.modelBaseUrl : OFFICIAL_BASE_URL;
  return new URL(base + variant.path, location.href).href;
}

// Options for a <select>; variants fetched from Google's hosting say so.
export function fillVariantSelect(select, config, selectedId) {
  select.replaceChildren(...VARIANTS.map((v) => {
    const option = new Option(`${v.label}${isLocal(config, v) ? '' : ' · online'}`, v.id);
    option.selected = v.id === selectedId;
    return option;
  }));
}

export async function loadImage(url) {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}

// The photo's pixels on a canvas at its own size, shrunk to at most maxSide:
// what both pages segment and draw on.
export function photoCanvas(source, maxSide = 1440, canvas = document.createElement('canvas')) {
  const width = source.naturalWidth ?? source.videoWidth ?? source.width;
  const height = source.naturalHeight ?? source.videoHeight ?? source.height;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.getContext('2d', { willReadFrequently: true }).drawImage(source, 0, 0, w, h);
  return canvas;
}

// The WebGL renderer, as backend: 'auto' judges it: with no GPU, Chromium
// renders WebGL in software (SwiftShader), and WebGL timings then say
// nothing about GPUs.
export function gpuInfo() {
  const gl = probeWebGL();
  if (!gl) return { renderer: 'no WebGL', software: true };
  return { ...gl, software: isSoftwareRenderer(gl.renderer) };
}

export const formatMs = (v) => (v == null || Number.isNaN(v) ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
