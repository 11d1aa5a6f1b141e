// Turns what callers pass as an image into the RGBA or RGB bytes the engine reads.

export function pixelsOf(input) {
  if (input == null || typeof input !== 'object') {
    throw new Error('input must be an ImageData or an object {data, width, height} with RGBA or RGB bytes');
  }
  const { data, width, height } = input;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new Error('input.data must be a Uint8Array or Uint8ClampedArray of RGBA or RGB bytes');
  }
  return { data, width, height };
}
