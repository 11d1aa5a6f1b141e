// Types of bodypix-wasm: @tensorflow-models/body-pix 2.x's API (its names and
// shapes) on a WebAssembly engine, plus this package's own load() options.
// The inputs and the draw* helpers name DOM types, which Node projects
// compiled without the DOM library would otherwise lack.
/// <reference lib="dom" />

export type BodyPixArchitecture = 'MobileNetV1' | 'ResNet50';
export type BodyPixOutputStride = 32 | 16 | 8;
export type BodyPixMultiplier = 1.0 | 0.75 | 0.5;
export type BodyPixQuantBytes = 1 | 2 | 4;
export type BodyPixInternalResolution = number | 'low' | 'medium' | 'high' | 'full';
export type EngineFlavour = 'relaxed-simd-threads' | 'simd-threads' | 'relaxed-simd' | 'simd' | 'baseline';

/** Decoded pixels: RGBA (4 bytes a pixel) or RGB (3), row by row. ImageData has this shape. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * What the model methods take: pixels or an ImageData; in browsers also page
 * elements, canvases and bitmaps (drawn at body-pix's size for them: a laid-out
 * image or canvas at its displayed size); an encoded PNG or JPEG file as bytes
 * (in Node also as a file path). Images must have loaded (`await img.decode()`),
 * videos must have a frame (`'loadeddata'`), cross-origin ones need CORS.
 */
export type BodyPixInput =
  | Pixels
  | ImageData
  | HTMLImageElement
  | HTMLVideoElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | Uint8Array
  | ArrayBuffer
  | string;

/** What the draw* helpers draw (pixels: RGBA or RGB). */
export type ImageType =
  | HTMLImageElement
  | HTMLVideoElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | Pixels;

/** A canvas the draw* helpers draw onto. */
export type DrawTarget = HTMLCanvasElement | OffscreenCanvas;

export interface ModelConfig {
  /** Default 'MobileNetV1'. */
  architecture?: BodyPixArchitecture;
  /** Default 16. Given with modelUrl, it must match the model's stride. */
  outputStride?: BodyPixOutputStride;
  /** Default 1.0 when a config is given (0.75 for load() without one). */
  multiplier?: BodyPixMultiplier;
  /** Default 4 (float weights). */
  quantBytes?: BodyPixQuantBytes;
  /**
   * model.json to load instead of the official one for the options above: a
   * URL, or in Node a file path or file:// URL. Weight shards are read from
   * beside it.
   */
  modelUrl?: string;
  /** Which Wasm build runs the model; default: the best this runtime supports. */
  flavour?: EngineFlavour;
  /** Engine threads (simd-threads): 0 (default) = one per core, at most 4. */
  threads?: number;
  /** URL (or in Node a file:// URL) of the folder holding the engine's .js/.wasm files; default: the package's dist/. */
  wasmPath?: string;
  /** Called as the model files arrive, with bytes loaded so far and the total. */
  onProgress?: (progress: { loaded: number; total: number }) => void;
  /** Let model.json name weight shards outside its own folder (trusted models only). */
  allowAnyShardPath?: boolean;
  /**
   * Browsers, Wasm backend: keep the downloaded model files in the Cache API
   * (true: the store 'bodypix-wasm-models', or a store name) and load them from
   * there next time. For immutable URLs such as the official ones. Default false.
   * Files are kept only once the engine took the model; a cached model that
   * fails is dropped and fetched again.
   */
  cacheModel?: boolean | string;
  /**
   * Ends load() and its downloads at once: load() rejects with an Error named
   * 'AbortError' (in worker mode too). Already aborted, load() rejects at once.
   * On the WebGL backend TF.js's own downloads carry on, their model discarded.
   */
  signal?: AbortSignal;
  /**
   * Wasm backend: milliseconds without a byte after which a download fails
   * (waiting for the server to answer, or mid-file). Default 30000.
   */
  stallTimeout?: number;
  /**
   * Wasm backend: how many times a download that failed on the way (no answer,
   * HTTP 5xx, connection cut) is tried again; 4xx are not. 0 to 10, default 2.
   */
  retries?: number;
  /** Milliseconds before the first retry, doubled for each next one. Default 500. */
  retryDelay?: number;
  /**
   * The engine: this package's Wasm engine, body-pix itself on TF.js's WebGL
   * backend, or 'auto' (default): WebGL only for usage 'video' on a hardware GPU.
   */
  backend?: 'auto' | 'wasm' | 'webgl';
  /** What the model is for, which backend 'auto' weighs. Default 'image'. */
  usage?: 'image' | 'video';
  /** Browsers: run the engine in a Web Worker (the methods' inputs are transferred pixels). */
  worker?: boolean;
}

export interface PersonInferenceConfig {
  /** Validated; body-pix 2.2.1 ignores it in segmentPerson/segmentPersonParts, and so does this engine. */
  flipHorizontal?: boolean;
  /** Default 'medium'. A number is a fraction of the image size, 0.1 to 2. */
  internalResolution?: BodyPixInternalResolution;
  /** Default 0.7. */
  segmentationThreshold?: number;
  /** Default 10. */
  maxDetections?: number;
  /** Default 0.4. */
  scoreThreshold?: number;
  /** Default 20. */
  nmsRadius?: number;
}

export interface MultiPersonInstanceInferenceConfig extends PersonInferenceConfig {
  /** Default 0.3. */
  minKeypointScore?: number;
  /** Default 10. */
  refineSteps?: number;
}

export declare const PERSON_INFERENCE_CONFIG: Readonly<Required<PersonInferenceConfig>>;
export declare const MULTI_PERSON_INSTANCE_INFERENCE_CONFIG: Readonly<Required<MultiPersonInstanceInferenceConfig>>;

export interface Vector2D {
  x: number;
  y: number;
}

export interface Keypoint {
  score: number;
  position: Vector2D;
  /** 'nose', 'leftEye', ..., 'rightAnkle'. */
  part: string;
}

export interface Pose {
  keypoints: Keypoint[];
  score: number;
}

export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** segmentPerson: 1 where a person is, 0 elsewhere, for everyone in the image. */
export interface SemanticPersonSegmentation {
  data: Uint8Array;
  width: number;
  height: number;
  allPoses: Pose[];
}

/** segmentPersonParts: the part id (0-23, see PART_CHANNELS) where a person is, -1 elsewhere. */
export interface SemanticPartSegmentation {
  data: Int32Array;
  width: number;
  height: number;
  allPoses: Pose[];
}

/** One person of segmentMultiPerson. */
export interface PersonSegmentation {
  data: Uint8Array;
  width: number;
  height: number;
  pose: Pose;
}

/** One person of segmentMultiPersonParts. */
export interface PartSegmentation {
  data: Int32Array;
  width: number;
  height: number;
  pose: Pose;
}

/** One raw network output: height x width x channels floats. */
export interface RawHead {
  shape: [number, number, number];
  data: Float32Array;
}

/** predict(): the network's outputs by name (e.g. 'float_segments'), the padding and the network input size [height, width]. */
export interface RawOutputs {
  padding: Padding;
  inputSize: [number, number];
  [head: string]: RawHead | Padding | [number, number];
}

/** Milliseconds the last call spent in each phase. */
export interface Timings {
  /** Reading the input's pixels (drawing an element, decoding a file). */
  input: number;
  preprocess: number;
  inference: number;
  segmentation: number;
  poses: number;
  instances: number;
}

/**
 * Where load() and the first call spent their time, in ms. engine, modelJson,
 * modelBytes, decode, pool and build are when each phase ended, counted from
 * the start of load() (the engine's start and the download overlap); only the
 * Wasm backend has them. total is load()'s whole time, firstCall the first segment call's.
 */
export interface LoadTimings {
  /** The engine compiled and instantiated. */
  engine?: number;
  /** model.json parsed by the engine (while the weights may still download). */
  modelJson?: number;
  /** The model's files downloaded (or read from the cache). */
  modelBytes?: number;
  /** The model's weights decoded. */
  decode?: number;
  /** The thread pool's Workers started. */
  pool?: number;
  /** The network made (XNNPACK operators created, weights packed). */
  build?: number;
  total: number;
  /** Set once the first segment call has returned. */
  firstCall?: number;
}

export declare class BodyPix {
  private constructor();
  readonly loadTimings: LoadTimings;
  readonly architecture: BodyPixArchitecture;
  readonly outputStride: BodyPixOutputStride;
  readonly threads: number;
  /** e.g. 'wasm-simd-threads'. */
  readonly backend: string;
  /** Why load() picked this backend (with backend: 'auto'). */
  readonly backendReason?: string;
  /** load()'s config with body-pix's defaults filled in. */
  readonly config: ModelConfig;
  segmentPerson(input: BodyPixInput, config?: PersonInferenceConfig): Promise<SemanticPersonSegmentation>;
  segmentPersonParts(input: BodyPixInput, config?: PersonInferenceConfig): Promise<SemanticPartSegmentation>;
  segmentMultiPerson(input: BodyPixInput, config?: MultiPersonInstanceInferenceConfig): Promise<PersonSegmentation[]>;
  segmentMultiPersonParts(input: BodyPixInput, config?: MultiPersonInstanceInferenceConfig): Promise<PartSegmentation[]>;
  predict(input: BodyPixInput, config?: PersonInferenceConfig): Promise<RawOutputs>;
  lastTimings(): Timings;
  /** Frees the model; later calls reject. Calling it twice is harmless. */
  dispose(): void;
}

export declare function load(config?: ModelConfig): Promise<BodyPix>;

/** The engine flavours this runtime can run, best first. */
export declare function supportedFlavours(): EngineFlavour[];

/** Part names by id: 'left_face', 'right_face', ..., 'right_feet'. */
export declare const PART_CHANNELS: readonly string[];

export interface Color {
  r: number;
  g: number;
  b: number;
  a: number;
}

/**
 * A mask image: an ImageData where the runtime has the class (browsers,
 * workers), else (Node) a plain object of the same shape.
 */
export type MaskImage = ImageData | { data: Uint8ClampedArray; width: number; height: number };

type AnySegmentation =
  | SemanticPersonSegmentation
  | PersonSegmentation[]
  | SemanticPartSegmentation
  | PartSegmentation[];

/**
 * foreground (default transparent black) where any person's value is one of
 * foregroundIds (default [1]), background (default opaque black) elsewhere;
 * drawContour outlines the foreground in cyan, as body-pix does. null for [].
 */
export declare function toMask(
  personOrPartSegmentation: AnySegmentation,
  foreground?: Color,
  background?: Color,
  drawContour?: boolean,
  foregroundIds?: number[],
): MaskImage | null;

/** Each part in partColors[id] (default: body-pix's rainbow), white where no part is. null for []. */
export declare function toColoredPartMask(
  partSegmentation: SemanticPartSegmentation | PartSegmentation[],
  partColors?: Array<[number, number, number]>,
): MaskImage | null;

export declare function drawMask(
  canvas: DrawTarget,
  image: ImageType,
  maskImage: MaskImage | null,
  maskOpacity?: number,
  maskBlurAmount?: number,
  flipHorizontal?: boolean,
): void;

export declare function drawPixelatedMask(
  canvas: DrawTarget,
  image: ImageType,
  maskImage: MaskImage,
  maskOpacity?: number,
  maskBlurAmount?: number,
  flipHorizontal?: boolean,
  pixelCellWidth?: number,
): void;

export declare function drawBokehEffect(
  canvas: DrawTarget,
  image: ImageType,
  personSegmentation: SemanticPersonSegmentation | PersonSegmentation[],
  backgroundBlurAmount?: number,
  edgeBlurAmount?: number,
  flipHorizontal?: boolean,
): void;

export declare function blurBodyPart(
  canvas: DrawTarget,
  image: ImageType,
  partSegmentation: SemanticPartSegmentation | PartSegmentation[],
  bodyPartIdsToBlur?: number[],
  backgroundBlurAmount?: number,
  edgeBlurAmount?: number,
  flipHorizontal?: boolean,
): void;

export declare function flipPoseHorizontal(pose: Pose, imageWidth: number): Pose;
