// body-pix 2.2.1's output helpers, with its signatures and its pixels:
// masks as ImageData (toMask, toColoredPartMask), drawing on a canvas
// (drawMask, drawPixelatedMask, drawBokehEffect, blurBodyPart) and
// flipPoseHorizontal. The draw* helpers need a canvas: a page, or a worker
// with OffscreenCanvas.
import { context2d, createCanvas, imageDataOf, inputSize, isA } from './canvas.js';

export const PART_CHANNELS = [
  'left_face', 'right_face',
  'left_upper_arm_front', 'left_upper_arm_back', 'right_upper_arm_front', 'right_upper_arm_back',
  'left_lower_arm_front', 'left_lower_arm_back', 'right_lower_arm_front', 'right_lower_arm_back',
  'left_hand', 'right_hand', 'torso_front', 'torso_back',
  'left_upper_leg_front', 'left_upper_leg_back', 'right_upper_leg_front', 'right_upper_leg_back',
  'left_lower_leg_front', 'left_lower_leg_back', 'right_lower_leg_front', 'right_lower_leg_back',
  'left_feet', 'right_feet',
];

// body-pix's default colour per part id (a rainbow), not exported by body-pix.
export const RAINBOW_PART_COLORS = [
  [110, 64, 170], [143, 61, 178], [178, 60, 178], [210, 62, 167],
  [238, 67, 149], [255, 78, 125], [255, 94, 99], [255, 115, 75],
  [255, 140, 56], [239, 167, 47], [217, 194, 49], [194, 219, 64],
  [175, 240, 91], [135, 245, 87], [96, 247, 96], [64, 243, 115],
  [40, 234, 141], [28, 219, 169], [26, 199, 194], [33, 176, 213],
  [47, 150, 224], [65, 125, 224], [84, 101, 214], [99, 81, 195],
];

const CONTOUR = { r: 0, g: 255, b: 255, a: 255 };

// One segmentation or an array of them (multi-person) as a list; null for [].
function people(segmentation, name) {
  const list = Array.isArray(segmentation) ? segmentation : [segmentation];
  if (list.length === 0) return null;
  const { width, height } = list[0] ?? {};
  list.forEach((s, i) => {
    if (s == null || typeof s.data?.length !== 'number') {
      throw new Error(`${name} must be a segmentation {data, width, height} or an array of them (item ${i} is ${s})`);
    }
    if (s.width !== width || s.height !== height) {
      throw new Error(`${name}: all segmentations must have the same size (item 0 is ${width}x${height}, ` +
        `item ${i} is ${s.width}x${s.height})`);
    }
  });
  return list;
}

function paint(bytes, n, { r, g, b, a }) {
  bytes[4 * n] = r;
  bytes[4 * n + 1] = g;
  bytes[4 * n + 2] = b;
  bytes[4 * n + 3] = a;
}

export function toMask(personOrPartSegmentation, foreground = { r: 0, g: 0, b: 0, a: 0 },
  background = { r: 0, g: 0, b: 0, a: 255 }, drawContour = false, foregroundIds = [1]) {
  const list = people(personOrPartSegmentation, 'toMask');
  if (!list) return null;
  const { width, height } = list[0];
  const ids = new Set(foregroundIds);
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let n = 0; n < width * height; n++) {
    paint(bytes, n, list.some((s) => ids.has(s.data[n])) ? foreground : background);
  }
  if (drawContour) {
    // body-pix strokes the four diagonal neighbours of each inner foreground
    // pixel that has a background diagonal neighbour, while it scans the rows
    // top to bottom and repaints each pixel when it reaches it: only the
    // strokes into the row above survive. The same pixels, without the scan:
    for (const { data } of list) {
      const fg = (y, x) => ids.has(data[y * width + x]);
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          if (!fg(y, x)) continue;
          if (fg(y - 1, x - 1) && fg(y - 1, x + 1) && fg(y + 1, x - 1) && fg(y + 1, x + 1)) continue;
          paint(bytes, (y - 1) * width + x - 1, CONTOUR);
          paint(bytes, (y - 1) * width + x + 1, CONTOUR);
        }
      }
    }
  }
  return imageDataOf(bytes, width, height);
}

export function toColoredPartMask(partSegmentation, partColors = RAINBOW_PART_COLORS) {
  const list = people(partSegmentation, 'toColoredPartMask');
  if (!list) return null;
  const { width, height } = list[0];
  const bytes = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let n = 0; n < width * height; n++) {
    // Where people overlap, the last one's part wins, as in body-pix.
    for (const { data } of list) {
      const part = data[n];
      if (part === -1) continue;
      const color = partColors[part];
      if (!color) throw new Error(`No color could be found for part id ${part}`);
      bytes[4 * n] = color[0];
      bytes[4 * n + 1] = color[1];
      bytes[4 * n + 2] = color[2];
    }
  }
  return imageDataOf(bytes, width, height);
}

export function flipPoseHorizontal(pose, imageWidth) {
  return {
    score: pose.score,
    keypoints: pose.keypoints.map(({ score, part, position }) => ({
      score,
      part,
      position: { x: imageWidth - 1 - position.x, y: position.y },
    })),
  };
}

// Scratch canvases by role, kept between calls (as body-pix does) so drawing
// every video frame does not allocate canvases.
const scratch = new Map();
function scratchCanvas(role) {
  if (!scratch.has(role)) scratch.set(role, createCanvas());
  return scratch.get(role);
}

function sizeCanvas(canvas, width, height) {
  const ctx = context2d(canvas);
  canvas.width = width;
  canvas.height = height;
  return ctx;
}

function assertSameSize(a, b, nameA, nameB) {
  if (b == null) throw new Error(`the ${nameB} is missing (${b})`);
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`error: dimensions must match. ${nameA} has dimensions ${a.width}x${a.height}, ` +
      `${nameB} has dimensions ${b.width}x${b.height}`);
  }
}

// What drawImage takes: elements and bitmaps as they are, pixels
// ({data, width, height}, RGBA or RGB) put on a canvas.
function drawable(image, role) {
  if (image == null || typeof image !== 'object') {
    throw new Error(`the image to draw must be an image, video, canvas, ImageBitmap or ImageData, not ${image}`);
  }
  return 'data' in image ? imageDataCanvas(image, role) : image;
}

function asImageData(image) {
  if (isA(image, 'ImageData')) return image;
  const { data, width, height } = image;
  if (data?.length === width * height * 3) {
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let n = 0; n < width * height; n++) {
      rgba.set(data.subarray(3 * n, 3 * n + 3), 4 * n);
      rgba[4 * n + 3] = 255;
    }
    return new ImageData(rgba, width, height);
  }
  if (data?.length !== width * height * 4) {
    throw new Error(`image data has ${data?.length} bytes but ${width}x${height} needs ${width * height * 4} (RGBA)`);
  }
  return new ImageData(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height);
}

function imageDataCanvas(imageData, role) {
  const canvas = scratchCanvas(role);
  sizeCanvas(canvas, imageData.width, imageData.height).putImageData(asImageData(imageData), 0, 0);
  return canvas;
}

function mirror(ctx, width) {
  ctx.scale(-1, 1);
  ctx.translate(-width, 0);
}

// The source drawn on a scratch canvas at the given size, blurred by
// `amount` px (a CSS blur: a Gaussian of that standard deviation).
function blurred(source, amount, role, { width, height } = inputSize(source)) {
  const canvas = scratchCanvas(role);
  const ctx = sizeCanvas(canvas, width, height);
  // Safari has no ctx.filter (body-pix sniffs the user agent instead).
  if (amount > 0 && typeof ctx.filter === 'string') {
    ctx.filter = `blur(${amount}px)`;
    ctx.drawImage(source, 0, 0, width, height);
    ctx.filter = 'none';
  } else {
    ctx.drawImage(source, 0, 0, width, height);
    if (amount > 0) {
      const image = ctx.getImageData(0, 0, width, height);
      gaussianBlur(image.data, width, height, amount);
      ctx.putImageData(image, 0, 0);
    }
  }
  return canvas;
}

export function drawMask(canvas, image, maskImage, maskOpacity = 0.7, maskBlurAmount = 0, flipHorizontal = false) {
  const size = inputSize(image);
  const source = drawable(image, 'image');
  const ctx = sizeCanvas(canvas, size.width, size.height);
  ctx.save();
  if (flipHorizontal) mirror(ctx, size.width);
  ctx.drawImage(source, 0, 0, size.width, size.height);
  ctx.globalAlpha = maskOpacity;
  if (maskImage) {
    assertSameSize(size, maskImage, 'image', 'mask');
    const mask = blurred(imageDataCanvas(maskImage, 'mask'), maskBlurAmount, 'blurred-mask');
    ctx.drawImage(mask, 0, 0, size.width, size.height);
  }
  ctx.restore();
}

export function drawPixelatedMask(canvas, image, maskImage, maskOpacity = 0.7, maskBlurAmount = 0,
  flipHorizontal = false, pixelCellWidth = 10.0) {
  const size = inputSize(image);
  assertSameSize(size, maskImage, 'image', 'mask');
  const source = drawable(image, 'image');
  const mask = blurred(imageDataCanvas(maskImage, 'mask'), maskBlurAmount, 'blurred-mask');
  const ctx = sizeCanvas(canvas, size.width, size.height);
  ctx.save();
  if (flipHorizontal) mirror(ctx, size.width);
  // The mask shrunk to one pixel per cell, then scaled back up unsmoothed.
  const cells = scratchCanvas('lowres-part-mask');
  const cols = Math.max(1, Math.floor(size.width / pixelCellWidth));
  const rows = Math.max(1, Math.floor(size.height / pixelCellWidth));
  sizeCanvas(cells, cols, rows).drawImage(mask, 0, 0, size.width, size.height, 0, 0, cols, rows);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(cells, 0, 0, cols, rows, 0, 0, size.width, size.height);
  // One stroke per grid line, as body-pix draws them: where lines cross,
  // their anti-aliased edges add up.
  ctx.strokeStyle = '#ffffff';
  const line = (x0, y0, x1, y1) => {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  };
  for (let i = 0; i < cols; i++) line(pixelCellWidth * i, 0, pixelCellWidth * i, size.height);
  for (let i = 0; i < rows; i++) line(0, pixelCellWidth * i, size.width, pixelCellWidth * i);
  ctx.globalAlpha = 1.0 - maskOpacity;
  ctx.drawImage(source, 0, 0, size.width, size.height);
  ctx.restore();
}

// The image sharp where `keepMask` is opaque, blurred elsewhere.
function drawSharpOverBlurred(canvas, image, segmentation, makeMask, backgroundBlurAmount, edgeBlurAmount,
  flipHorizontal) {
  const size = inputSize(image);
  const source = drawable(image, 'image');
  const background = blurred(source, backgroundBlurAmount, 'blurred', size);
  const ctx = sizeCanvas(canvas, size.width, size.height);
  if (Array.isArray(segmentation) && segmentation.length === 0) {
    ctx.drawImage(background, 0, 0);
    return;
  }
  const maskImage = makeMask();
  assertSameSize(size, maskImage, 'image', 'segmentation');
  const keepMask = blurred(imageDataCanvas(maskImage, 'mask'), edgeBlurAmount, 'blurred-mask');
  ctx.save();
  if (flipHorizontal) mirror(ctx, size.width);
  ctx.drawImage(source, 0, 0, size.width, size.height);
  ctx.globalCompositeOperation = 'destination-in';
  ctx.drawImage(keepMask, 0, 0);
  ctx.globalCompositeOperation = 'destination-over';
  ctx.drawImage(background, 0, 0);
  ctx.restore();
}

export function drawBokehEffect(canvas, image, personSegmentation, backgroundBlurAmount = 3, edgeBlurAmount = 3,
  flipHorizontal = false) {
  const opaque = { r: 0, g: 0, b: 0, a: 255 };
  const clear = { r: 0, g: 0, b: 0, a: 0 };
  drawSharpOverBlurred(canvas, image, personSegmentation, () => toMask(personSegmentation, opaque, clear),
    backgroundBlurAmount, edgeBlurAmount, flipHorizontal);
}

export function blurBodyPart(canvas, image, partSegmentation, bodyPartIdsToBlur = [0, 1], backgroundBlurAmount = 3,
  edgeBlurAmount = 3, flipHorizontal = false) {
  const opaque = { r: 0, g: 0, b: 0, a: 255 };
  const clear = { r: 0, g: 0, b: 0, a: 0 };
  drawSharpOverBlurred(canvas, image, partSegmentation,
    () => toMask(partSegmentation, clear, opaque, true, bodyPartIdsToBlur),
    backgroundBlurAmount, edgeBlurAmount, flipHorizontal);
}

// A Gaussian blur of RGBA pixels in place, for contexts without ctx.filter:
// the Filter Effects spec's recipe for feGaussianBlur (an exact kernel below
// sigma 2, three box blurs above; Chromium blurs the same way), on
// premultiplied alpha, with transparent pixels around the image as a canvas
// filter has. The image is blurred inside a transparent margin as wide as
// the blur reaches, so what spreads out of the image can spread back in.
export function gaussianBlur(rgba, width, height, sigma) {
  const passes = blurPasses(sigma);
  const pad = passes.reduce((sum, { before, after }) => sum + Math.max(before, after), 0);
  const columns = width + 2 * pad;
  const rows = height + 2 * pad;
  const stride = columns * 4;
  let planes = new Float32Array(rows * stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const o = (y + pad) * stride + 4 * (x + pad);
      const a = rgba[i + 3] / 255;
      planes[o] = rgba[i] * a;
      planes[o + 1] = rgba[i + 1] * a;
      planes[o + 2] = rgba[i + 2] * a;
      planes[o + 3] = rgba[i + 3];
    }
  }
  // Along rows (only the image's: the margin rows are still empty), then
  // across them, a whole row at a time so memory is read in order.
  const line = new Float32Array(stride);
  for (let y = pad; y < pad + height; y++) {
    const row = planes.subarray(y * stride, (y + 1) * stride);
    for (const pass of passes) pass.along(row, line, columns);
  }
  let scratch = new Float32Array(rows * stride);
  for (const pass of passes) {
    pass.across(planes, scratch, rows, stride);
    [planes, scratch] = [scratch, planes];
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const o = (y + pad) * stride + 4 * (x + pad);
      const a = planes[o + 3];
      const k = a > 0 ? 255 / a : 0;
      rgba[i] = planes[o] * k;
      rgba[i + 1] = planes[o + 1] * k;
      rgba[i + 2] = planes[o + 2] * k;
      rgba[i + 3] = a;
    }
  }
}

// The 1-D passes for a blur of standard deviation sigma: how far each reaches
// before and after a pixel; along(row, scratch, count) filters a row of RGBA
// pixels in place; across(src, dst, rows, stride) filters down the columns.
function blurPasses(sigma) {
  if (sigma < 2) {
    const radius = Math.ceil(3 * sigma);
    const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
    const total = kernel.reduce((sum, k) => sum + k, 0);
    const weights = kernel.map((k) => k / total);
    return [{
      before: radius,
      after: radius,
      along: (row, out, count) => {
        convolve(row, out, count, 4, weights, radius);
        row.set(out);
      },
      across: (src, dst, rows, stride) => convolve(src, dst, rows, stride, weights, radius),
    }];
  }
  const d = Math.floor(sigma * 3 * Math.sqrt(2 * Math.PI) / 4 + 0.5);
  const box = (before, after) => ({
    before,
    after,
    along: (row, out, count) => {
      boxFilter(row, out, count, 4, before, after);
      row.set(out);
    },
    across: (src, dst, rows, stride) => boxFilter(src, dst, rows, stride, before, after),
  });
  const half = Math.floor(d / 2);
  if (d % 2 === 1) return [box(half, half), box(half, half), box(half, half)];
  // An even box has no centre pixel: one leans left, one right, then one of d + 1.
  return [box(half, half - 1), box(half - 1, half), box(half, half)];
}

// dst = src convolved with weights (2 * radius + 1 taps), along `count` steps
// of `step` floats; each step is `step` independent values. Zeros outside.
function convolve(src, dst, count, step, weights, radius) {
  for (let i = 0; i < count; i++) {
    const o = i * step;
    for (let j = 0; j < step; j++) dst[o + j] = 0;
    for (let k = Math.max(0, i - radius); k <= Math.min(count - 1, i + radius); k++) {
      const w = weights[k - i + radius];
      const s = k * step;
      for (let j = 0; j < step; j++) dst[o + j] += w * src[s + j];
    }
  }
}

// dst = the mean of src over the window [i - before, i + after], along
// `count` steps of `step` floats, with zeros outside: a running sum.
function boxFilter(src, dst, count, step, before, after) {
  const size = before + after + 1;
  const sums = new Float64Array(step);
  for (let k = 0; k <= Math.min(after, count - 1); k++) {
    for (let j = 0; j < step; j++) sums[j] += src[k * step + j];
  }
  for (let i = 0; i < count; i++) {
    const o = i * step;
    for (let j = 0; j < step; j++) dst[o + j] = sums[j] / size;
    const enter = i + after + 1;
    const leave = i - before;
    if (enter < count) for (let j = 0; j < step; j++) sums[j] += src[enter * step + j];
    if (leave >= 0) for (let j = 0; j < step; j++) sums[j] -= src[leave * step + j];
  }
}
