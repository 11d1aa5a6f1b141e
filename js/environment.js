// Node, as opposed to a browser page or Worker: where files are read from
// disk and there is no DOM.
export const isNode = typeof process !== 'undefined' && !!process.versions?.node;
