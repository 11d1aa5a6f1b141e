// The first mask of a page that exists for it (first-mask.html, or
// first-mask-tfjs.html for body-pix on TF.js's Wasm backend). Times are
// performance.now() marks, i.e. ms since navigation started; the photo
// loads while the engine does, as an <img> on a real page would.
const params = new URLSearchParams(location.search);
const backend = document.documentElement.dataset.backend;
const CONFIG = {
  architecture: 'MobileNetV1', outputStride: 16, multiplier: 0.75, quantBytes: 2,
  modelUrl: params.get('model') ?? '/model-files/bodypix/mobilenet/quant2/075/model-stride16.json',
};
const SEGMENTATION = { internalResolution: 'medium' };
const TFJS_WASM_FILES = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

const photo = new Image();
photo.src = `/samples/${encodeURIComponent(params.get('photo') ?? 'three-people-office-1049x861.jpg')}`;
const decoded = photo.decode();
const marks = {};
const mark = (name) => { marks[name] = performance.now(); };

async function ours() {
  // The bundle, as a page without a build step of its own would import it;
  // another build's engine files sit beside its bundle.
  const engine = params.get('engine');
  const bodyPix = await import(`${engine ?? '/dist/'}bodypix-wasm.js`);
  mark('imported');
  const net = await bodyPix.load({
    ...CONFIG, flavour: params.get('flavour') ?? undefined, wasmPath: engine ? new URL(engine, location.href) : undefined,
  });
  mark('loaded');
  await decoded;
  return { net, name: net.backend };
}

async function tfjsWasm() {
  const [tf, { setWasmPaths }, bodyPix] = await Promise.all([
    import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-backend-wasm'), import('@tensorflow-models/body-pix'),
  ]);
  mark('imported');
  setWasmPaths(TFJS_WASM_FILES);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its Wasm backend');
  const net = await bodyPix.load(CONFIG);
  mark('loaded');
  await decoded;
  return { net, name: 'tfjs-wasm' };
}

try {
  mark('start');
  const { net, name } = await (backend === 'tfjs-wasm' ? tfjsWasm() : ours());
  const mask = await net.segmentPerson(photo, SEGMENTATION);
  mark('mask');
  window.firstMask = {
    backend: name, photo: `${photo.naturalWidth}x${photo.naturalHeight}`, marks,
    personPixels: mask.data.reduce((sum, v) => sum + v, 0),
    // Ours only: where load() and the first call spent their time.
    loadTimings: net.loadTimings, firstCallPhases: net.lastTimings?.(),
  };
} catch (e) {
  window.firstMask = { backend, error: e?.message ?? String(e) };
}
