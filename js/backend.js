// Which backend load() runs a model on, and why: the Wasm engine, or
// body-pix itself on TF.js's WebGL backend (js/webgl.js). The policy for
// backend: 'auto' (the default):
//  - Wasm in Node, in workers and wherever WebGL is missing;
//  - Wasm for single images (usage: 'image', the default): WebGL's first
//    inference compiles its shaders, which costs seconds, more than Wasm
//    needs for the whole job;
//  - Wasm when WebGL renders in software (SwiftShader, llvmpipe, ...): there
//    WebGL is slower than the Wasm engine on the same CPU;
//  - WebGL only for usage: 'video' on a hardware GPU, where the one-time
//    shader cost is paid back over the stream.
// The decision comes back as {backend: 'wasm' | 'webgl', reason}, and the
// reason ends up on the model as net.backendReason.
import { isNode } from './environment.js';

export const BACKENDS = ['auto', 'wasm', 'webgl'];
export const USAGES = ['image', 'video'];

// Renderer strings of the software rasterisers browsers fall back to when
// there is no usable GPU (Chrome's SwiftShader, Mesa's llvmpipe / softpipe /
// lavapipe, Windows' Basic Render Driver, ...).
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render|gdi generic/i;

export function isSoftwareRenderer(renderer) {
  return SOFTWARE_RENDERER.test(renderer);
}

// {renderer, vendor} of the WebGL this page gets (WebGL2 if there, as TF.js
// prefers), or null without WebGL. The unmasked names come from
// WEBGL_debug_renderer_info; browsers that hide it still name software
// renderers in RENDERER.
export function probeWebGL() {
  let canvas;
  if (typeof OffscreenCanvas === 'function') canvas = new OffscreenCanvas(1, 1);
  else if (typeof document !== 'undefined') canvas = document.createElement('canvas');
  else return null;
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  const vendor = String(gl.getParameter(info ? info.UNMASKED_VENDOR_WEBGL : gl.VENDOR));
  // Browsers cap the live contexts per page; this one has done its job.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { renderer, vendor };
}

// env stands in for the runtime in tests: {node: running in Node?, probe}.
export function chooseBackend({ backend = 'auto', usage = 'image', worker = false, flavour } = {},
  { node = isNode, probe = probeWebGL } = {}) {
  if (!BACKENDS.includes(backend)) throw new Error(`unknown backend '${backend}': use one of ${BACKENDS.join(', ')}`);
  if (!USAGES.includes(usage)) throw new Error(`unknown usage '${usage}': use one of ${USAGES.join(', ')}`);
  if (backend === 'webgl') {
    if (node) {
      throw new Error("backend 'webgl' needs a browser: Node has no WebGL (use backend 'wasm' or 'auto')");
    }
    if (worker) {
      throw new Error("backend 'webgl' runs body-pix on the page, while worker: true runs the Wasm engine in a " +
        'Worker: drop one of them');
    }
    if (flavour != null) throw new Error(`flavour '${flavour}' picks a Wasm engine: it cannot go with backend 'webgl'`);
    return { backend: 'webgl', reason: "backend 'webgl' was asked for" };
  }
  const wasm = (reason) => ({ backend: 'wasm', reason });
  if (backend === 'wasm') return wasm("backend 'wasm' was asked for");
  if (node) return wasm('Node has no WebGL');
  if (worker) return wasm('worker: true runs the Wasm engine in a Web Worker');
  if (flavour != null) return wasm(`flavour '${flavour}' picks a Wasm engine`);
  if (usage !== 'video') {
    return wasm("single images run faster on Wasm: WebGL's first inference spends seconds compiling shaders " +
      "(pass usage: 'video' to allow WebGL for a stream)");
  }
  const gl = probe();
  if (!gl) return wasm('this browser has no WebGL');
  if (isSoftwareRenderer(gl.renderer)) {
    return wasm(`WebGL renders in software here (${gl.renderer}), slower than the Wasm engine on the same CPU`);
  }
  return { backend: 'webgl', reason: `video on a hardware GPU (${gl.renderer}): WebGL pays its shader compilation once` };
}
