// The import map of both pages (a classic script, run before their modules:
// browsers take an import map only inline, so it is added from here rather
// than written out in each page). It resolves the bare names of the TF.js
// packages (the WebGL backend and the peer are TF.js) to the files npm start
// serves; tfjs-backend-wasm's Node-only imports go to an empty stub.
const script = document.createElement('script');
script.type = 'importmap';
script.textContent = JSON.stringify({
  imports: {
    '@tensorflow/tfjs-core': '/node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.js',
    '@tensorflow/tfjs-converter': '/node_modules/@tensorflow/tfjs-converter/dist/tf-converter.fesm.js',
    '@tensorflow/tfjs-backend-webgl': '/node_modules/@tensorflow/tfjs-backend-webgl/dist/tf-backend-webgl.fesm.js',
    '@tensorflow/tfjs-backend-wasm': '/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.js',
    '@tensorflow-models/body-pix': '/node_modules/@tensorflow-models/body-pix/dist/body-pix.esm.js',
    'chart.js': '/node_modules/chart.js/dist/chart.js',
    '@kurkle/color': '/node_modules/@kurkle/color/dist/color.esm.js',
    fs: '/node-stub.js', path: '/node-stub.js', os: '/node-stub.js', perf_hooks: '/node-stub.js',
  },
});
document.currentScript.after(script);
