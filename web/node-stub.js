// tfjs-backend-wasm's ES module imports node's fs, path, os and perf_hooks,
// and only touches them when it runs in Node: in a page they can be empty.
export default {};
