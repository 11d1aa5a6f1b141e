// Compiled (never run) by tests/js/types.test.mjs: code a user writes against
// the package's types, by its package name as users import it. The lines
// marked as expected errors must fail to type-check: the types are not `any`.
import * as bodyPix from 'bodypix-wasm';
import {
  load, toMask, toColoredPartMask, drawMask, drawPixelatedMask, drawBokehEffect, blurBodyPart, flipPoseHorizontal,
  PART_CHANNELS, PERSON_INFERENCE_CONFIG, supportedFlavours,
  type BodyPix, type ModelConfig, type SemanticPersonSegmentation, type SemanticPartSegmentation,
  type PersonSegmentation, type PartSegmentation, type Pose, type Keypoint, type MaskImage,
} from 'bodypix-wasm';

export async function node(): Promise<void> {
  const config: ModelConfig = {
    architecture: 'MobileNetV1', outputStride: 16, multiplier: 0.75, quantBytes: 2,
    modelUrl: 'model-stride16.json', flavour: 'simd', threads: 2, wasmPath: 'file:///dist/',
    onProgress: ({ loaded, total }) => console.log(loaded / total), allowAnyShardPath: false,
    backend: 'auto', worker: false, signal: AbortSignal.timeout(60000), stallTimeout: 10000, retries: 3,
    retryDelay: 250,
  };
  const net: BodyPix = await load(config);
  const pixels = { data: new Uint8ClampedArray(4 * 6), width: 3, height: 2 };
  const person: SemanticPersonSegmentation = await net.segmentPerson(pixels, { internalResolution: 'high' });
  const parts: SemanticPartSegmentation = await net.segmentPersonParts('photo.jpg', { segmentationThreshold: 0.5 });
  const people: PersonSegmentation[] = await net.segmentMultiPerson(new Uint8Array(10), { refineSteps: 5 });
  const partPeople: PartSegmentation[] = await net.segmentMultiPersonParts(pixels);
  const id: number = parts.data[0];
  const bit: number = person.data[0];
  const pose: Pose = flipPoseHorizontal(person.allPoses[0], person.width);
  const keypoint: Keypoint = pose.keypoints[0];
  const x: number = keypoint.position.x + people[0].pose.score + partPeople.length + id + bit;
  const name: string = keypoint.part + PART_CHANNELS[0] + net.backend + net.architecture;
  const mask: MaskImage | null = toMask(person, { r: 255, g: 255, b: 255, a: 255 }, undefined, true, [1]);
  const colours = toColoredPartMask(partPeople, [[1, 2, 3]]);
  const bytes: Uint8ClampedArray | undefined = colours?.data;
  const raw = await net.predict(pixels);
  console.log(x, name, mask?.width, bytes, raw.padding.top, raw.inputSize[0], PERSON_INFERENCE_CONFIG.nmsRadius,
    supportedFlavours()[0], net.lastTimings().inference, bodyPix.toMask([]), net.loadTimings.total,
    net.loadTimings.firstCall ?? 0);
  net.dispose();

  // @ts-expect-error: not an architecture
  await load({ architecture: 'MobileNetV2' });
  // @ts-expect-error: strides are 8, 16, 32
  await load({ outputStride: 12 });
  // @ts-expect-error: not a flavour
  await load({ flavour: 'fast' });
  // @ts-expect-error: the controller is not its signal
  await load({ signal: new AbortController() });
  // @ts-expect-error: milliseconds, not a string
  await load({ stallTimeout: '30s' });
  // @ts-expect-error: numbers are not inputs
  await net.segmentPerson(42);
  // @ts-expect-error: part data is Int32Array, not Uint8Array
  const wrong: Uint8Array = parts.data;
  // @ts-expect-error: a person mask is not a part segmentation
  toColoredPartMask(person);
  console.log(wrong);
}

export function page(canvas: HTMLCanvasElement, img: HTMLImageElement, video: HTMLVideoElement,
  person: SemanticPersonSegmentation, parts: SemanticPartSegmentation): void {
  const offscreen = new OffscreenCanvas(10, 10);
  const mask = toMask(person);
  drawMask(canvas, img, mask, 0.7, 3, true);
  drawMask(offscreen, video, null);
  if (mask) drawPixelatedMask(canvas, img, mask, 0.7, 0, false, 10);
  drawBokehEffect(canvas, video, person, 3, 3, false);
  drawBokehEffect(offscreen, img, []);
  blurBodyPart(canvas, img, parts, [0, 1], 3, 3, false);
  // @ts-expect-error: a person mask has no part ids to blur
  blurBodyPart(canvas, img, person);
  // @ts-expect-error: draws onto a canvas, not an image
  drawMask(img, img, mask);
}
