// The demo: a photo (picked, dropped, a sample) or the camera, segmented in a
// Web Worker (load({worker: true})), so the page never waits on inference.
import * as bodyPix from '/js/index.js';
import { FLAVOURS } from '/js/engine.js';
import {
  DEFAULT_VARIANT, fillVariantSelect, formatMs, loadImage, modelUrl, photoCanvas, siteConfig, variantById,
} from './site.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const site = await siteConfig();

// posenet's skeleton: the keypoint pairs body-pix's demo draws.
const SKELETON = [
  ['leftHip', 'leftShoulder'], ['leftElbow', 'leftShoulder'], ['leftElbow', 'leftWrist'], ['leftHip', 'leftKnee'],
  ['leftKnee', 'leftAnkle'], ['rightHip', 'rightShoulder'], ['rightElbow', 'rightShoulder'],
  ['rightElbow', 'rightWrist'], ['rightHip', 'rightKnee'], ['rightKnee', 'rightAnkle'],
  ['leftShoulder', 'rightShoulder'], ['leftHip', 'rightHip'],
];
// posenet's demo thresholds: weaker poses and keypoints are mostly noise.
const MIN_POSE_SCORE = 0.15;
const MIN_KEYPOINT_SCORE = 0.3;
const POSE_COLORS = ['#7cf0c5', '#ffd166', '#9ab8ff', '#ff8fab', '#c3f584', '#f9a26c'];

const views = {
  mask: $('view-mask'), parts: $('view-parts'), bokeh: $('view-bokeh'), skeleton: $('view-skeleton'),
};
// What gets segmented and drawn: the photo or the camera's latest frame.
const source = document.createElement('canvas');

const state = {
  netKey: '', net: null, loadMs: null, firstMs: null, lastMs: null, hasInput: false,
  camera: null, running: false, again: false, results: 0, person: null, parts: null, error: null,
};
// For the browser tests (and the curious): the latest results and inputs.
window.demo = { state, source, views, bodyPix };

// ---- controls ----
fillVariantSelect($('variant'), site, params.get('variant') ?? DEFAULT_VARIANT);
const supported = bodyPix.supportedFlavours();
$('flavour').replaceChildren(new Option('auto (best this page supports)', 'auto'), ...FLAVOURS.map((f) => {
  const option = new Option(supported.includes(f) ? f : `${f} (cannot run here)`, f);
  option.disabled = !supported.includes(f);
  return option;
}));
for (const [id, param] of [['backend', 'backend'], ['flavour', 'flavour'], ['resolution', 'internalResolution']]) {
  if (params.has(param)) $(id).value = params.get(param);
}
if (params.has('threshold')) $('threshold').value = params.get('threshold');
const showThreshold = () => { $('threshold-value').textContent = Number($('threshold').value).toFixed(2); };
showThreshold();

for (const id of ['variant', 'backend', 'flavour', 'resolution']) $(id).addEventListener('change', refresh);
$('threshold').addEventListener('input', () => { showThreshold(); refresh(); });
// A Wasm flavour means nothing to WebGL.
const flavourApplies = () => { $('flavour').disabled = $('backend').value === 'webgl'; };
$('backend').addEventListener('change', flavourApplies);
flavourApplies();

function setState(text, kind = '') {
  $('state').textContent = text;
  $('state').className = `pill ${kind}`;
}

function showError(e) {
  state.error = e?.message ?? String(e);
  $('error').textContent = state.error;
  $('error').hidden = false;
  setState('error', 'bad');
}

function showTimings() {
  $('t-load').textContent = formatMs(state.loadMs);
  $('t-first').textContent = formatMs(state.firstMs);
  $('t-last').textContent = formatMs(state.lastMs);
}

// ---- the model ----
// js/backend.js's policy for backend 'auto', asked here rather than inside
// load(): load() with worker: true always means Wasm, and the page wants
// the decision the policy makes for this page and this use.
const policy = await import('/js/backend.js').catch(() => null);

function decide(backend, flavour) {
  if (!policy) return { backend: backend === 'webgl' ? 'webgl' : 'wasm', reason: '' };
  return policy.chooseBackend({ backend, flavour, usage: state.camera ? 'video' : 'image' });
}

// load()'s config, and why that backend. Wasm runs in a Web Worker; WebGL
// (body-pix on TF.js) runs on the page, where its GPU work is asynchronous.
function modelConfig() {
  const variant = variantById($('variant').value) ?? variantById(DEFAULT_VARIANT);
  const { architecture, outputStride, multiplier, quantBytes } = variant;
  const flavour = $('flavour').value === 'auto' || $('backend').value === 'webgl' ? undefined : $('flavour').value;
  const decision = decide($('backend').value, flavour);
  const config = { architecture, outputStride, multiplier, quantBytes, modelUrl: modelUrl(site, variant) };
  if (decision.backend === 'webgl') Object.assign(config, { backend: 'webgl' });
  else Object.assign(config, { backend: 'wasm', worker: true }, flavour ? { flavour } : {});
  return { config, reason: decision.reason };
}

function describeBackend(net, { config, reason }) {
  const flavour = net.backend?.startsWith('wasm-') ? net.backend.slice(5) : null;
  $('backend-used').textContent = `${net.backend}${flavour && net.threads > 1 ? `, ${net.threads} threads` : ''}`;
  const lines = [];
  if ($('backend').value === 'auto') lines.push(`auto chose it: ${reason}.`);
  else if (reason) lines.push(`${reason[0].toUpperCase()}${reason.slice(1)}.`);
  if (flavour) {
    lines.push(config.flavour
      ? `Flavour ${flavour}, as chosen.`
      : `Flavour ${flavour}: the best this page runs (${supported.join(', ')} can run; ` +
        `${crossOriginIsolated ? 'the page is cross-origin isolated, so threads work'
          : 'not cross-origin isolated: no threads'}).`);
  }
  $('backend-reason').replaceChildren(...lines.map((text) => {
    const line = document.createElement('div');
    line.textContent = text;
    return line;
  }));
  const where = flavour ? 'in a Web Worker' : 'on the page (WebGL)';
  $('t-note').textContent = `segmentPerson + segmentPersonParts, ${where}`;
}

function currentModel() {
  const chosen = modelConfig();
  const key = JSON.stringify(chosen.config);
  if (key === state.netKey) {
    // Same model, but the reason may have changed (a photo, then the camera).
    if (chosen.reason !== state.reason) state.net.then((net) => describeBackend(net, chosen), () => {});
    state.reason = chosen.reason;
    return state.net;
  }
  state.reason = chosen.reason;
  state.net?.then((net) => net.dispose(), () => {});
  state.netKey = key;
  state.loadMs = state.firstMs = state.lastMs = null;
  showTimings();
  $('backend-used').textContent = '';
  $('backend-reason').textContent = '';
  setState('loading the model', 'busy');
  const started = performance.now();
  // A model replaced while it loads says nothing about the one in use.
  const current = () => state.netKey === key;
  state.net = bodyPix.load(chosen.config).then((net) => {
    if (current()) {
      state.loadMs = performance.now() - started;
      describeBackend(net, chosen);
      showTimings();
    }
    return net;
  });
  // A failed load is tried again on the next change.
  state.net.catch(() => {
    if (current()) state.netKey = '';
  });
  return state.net;
}

// ---- segmenting and drawing ----
function drawSkeleton(canvas, image, poses) {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  ctx.fillStyle = 'rgba(16, 20, 32, 0.45)';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.max(1.5, Math.max(canvas.width, canvas.height) / 400);
  ctx.lineWidth = 1.5 * scale;
  ctx.lineCap = 'round';
  poses.filter((p) => p.score >= MIN_POSE_SCORE).forEach((pose, i) => {
    const at = Object.fromEntries(pose.keypoints.map((k) => [k.part, k]));
    ctx.strokeStyle = ctx.fillStyle = POSE_COLORS[i % POSE_COLORS.length];
    for (const [a, b] of SKELETON) {
      if (!(at[a]?.score >= MIN_KEYPOINT_SCORE && at[b]?.score >= MIN_KEYPOINT_SCORE)) continue;
      ctx.beginPath();
      ctx.moveTo(at[a].position.x, at[a].position.y);
      ctx.lineTo(at[b].position.x, at[b].position.y);
      ctx.stroke();
    }
    for (const k of pose.keypoints) {
      if (k.score < MIN_KEYPOINT_SCORE) continue;
      ctx.beginPath();
      ctx.arc(k.position.x, k.position.y, 2.2 * scale, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
}

function render(person, parts) {
  bodyPix.drawMask(views.mask, source, bodyPix.toMask(person), 0.7, 0, false);
  bodyPix.drawMask(views.parts, source, bodyPix.toColoredPartMask(parts), 0.7, 0, false);
  bodyPix.drawBokehEffect(views.bokeh, source, person, 9, 3, false);
  drawSkeleton(views.skeleton, source, person.allPoses);
  const n = person.allPoses.length;
  const strong = person.allPoses.filter((p) => p.score >= MIN_POSE_SCORE).length;
  $('pose-count').textContent = `allPoses: ${n} (${strong} over ${MIN_POSE_SCORE})`;
}

async function segmentOnce() {
  const net = await currentModel();
  if (state.camera) photoCanvas($('video'), 1440, source);
  const config = { internalResolution: $('resolution').value, segmentationThreshold: Number($('threshold').value) };
  setState(state.camera ? 'camera' : 'segmenting', 'busy');
  const started = performance.now();
  const person = await net.segmentPerson(source, config);
  const parts = await net.segmentPersonParts(source, config);
  const ms = performance.now() - started;
  state.firstMs ??= ms;
  state.lastMs = ms;
  state.person = person;
  state.parts = parts;
  state.config = config;
  render(person, parts);
  state.results++;
  showTimings();
  setState(state.camera ? 'camera' : 'ready');
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

// One run at a time; changes that come in meanwhile make one more run, and
// the camera keeps it going frame after frame.
async function refresh() {
  if (!state.hasInput) return;
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = true;
  $('error').hidden = true;
  state.error = null;
  try {
    do {
      state.again = false;
      await segmentOnce();
      if (state.camera) await nextFrame();
    } while (state.again || state.camera);
  } catch (e) {
    stopCamera();
    showError(e);
  } finally {
    state.running = false;
  }
}

// ---- inputs ----
// The new photo in every view at once; its results are drawn over it when
// they come.
function showPhoto() {
  $('placeholder').hidden = true;
  for (const canvas of Object.values(views)) {
    canvas.width = source.width;
    canvas.height = source.height;
    canvas.getContext('2d').drawImage(source, 0, 0);
  }
}

async function usePhoto(url, button) {
  stopCamera();
  try {
    const img = await loadImage(url);
    photoCanvas(img, 1440, source);
  } catch {
    showError(new Error('that file is not an image this browser can decode'));
    return;
  }
  document.querySelectorAll('#samples button').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
  showPhoto();
  state.hasInput = true;
  state.firstMs = state.lastMs = null;
  refresh();
}

async function useFile(file) {
  if (!file) return;
  const url = URL.createObjectURL(file);
  try {
    await usePhoto(url, null);
  } finally {
    URL.revokeObjectURL(url);
  }
}

$('file').addEventListener('change', () => useFile($('file').files[0]));
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  $('dropzone').classList.add('over');
});
document.addEventListener('dragleave', (e) => {
  if (!e.relatedTarget) $('dropzone').classList.remove('over');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  $('dropzone').classList.remove('over');
  useFile([...e.dataTransfer.files].find((f) => f.type.startsWith('image/')));
});

for (const sample of site.samples) {
  const button = document.createElement('button');
  button.type = 'button';
  button.title = sample.name;
  button.dataset.sample = sample.name;
  button.setAttribute('aria-pressed', 'false');
  const img = new Image();
  img.src = sample.url;
  img.alt = sample.name;
  img.loading = 'lazy';
  button.append(img);
  button.addEventListener('click', () => usePhoto(sample.url, button));
  $('samples').append(button);
}

function stopCamera() {
  if (!state.camera) return;
  state.camera.getTracks().forEach((t) => t.stop());
  state.camera = null;
  $('video').srcObject = null;
  $('camera').textContent = 'Use the camera';
  if (!state.running) setState('ready');
}

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    showError(new Error('this browser gives no camera access here (it needs https or localhost)'));
    return;
  }
  try {
    state.camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  } catch (e) {
    showError(new Error(`no camera: ${e.message}`));
    return;
  }
  const video = $('video');
  video.srcObject = state.camera;
  await video.play();
  if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
  document.querySelectorAll('#samples button').forEach((b) => b.setAttribute('aria-pressed', 'false'));
  $('camera').textContent = 'Stop the camera';
  state.hasInput = true;
  state.firstMs = state.lastMs = null;
  refresh();
}

$('camera').addEventListener('click', () => (state.camera ? stopCamera() : startCamera()));

// ---- start ----
const first = site.samples.find((s) => s.name === params.get('sample')) ??
  site.samples.find((s) => s.name.startsWith('three-people-office')) ?? site.samples[0];
if (first) {
  usePhoto(first.url, document.querySelector(`#samples button[data-sample="${CSS.escape(first.name)}"]`));
} else {
  setState('pick a photo');
  $('placeholder').hidden = false;
}
