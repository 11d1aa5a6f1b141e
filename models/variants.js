// The official BodyPix 2 model variants and where Google hosts them. Weights
// are never part of this package: they are fetched from modelUrl at load().

export const OFFICIAL_BASE_URL = 'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/';

export const VALID_ARCHITECTURE = ['MobileNetV1', 'ResNet50'];
export const VALID_STRIDE = { MobileNetV1: [8, 16, 32], ResNet50: [32, 16] };
export const VALID_MULTIPLIER = { MobileNetV1: [0.5, 0.75, 1.0], ResNet50: [1.0] };
export const VALID_QUANT_BYTES = [1, 2, 4];

const MULTIPLIER_FOLDER = { 1: '100', 0.75: '075', 0.5: '050' };

// A variant's one name, as the pages' URLs, the tests and the benchmarks
// spell it: 'mobilenet-75-q2-s16', 'resnet50-q4-s32'.
export function variantId({ architecture, multiplier, quantBytes, outputStride }) {
  const net = architecture === 'ResNet50' ? 'resnet50' : `mobilenet-${Math.round(multiplier * 100)}`;
  return `${net}-q${quantBytes}-s${outputStride}`;
}

// The hosting layout, relative to OFFICIAL_BASE_URL (the same layout a local
// mirror of the official files uses).
export function modelPath({ architecture, outputStride, multiplier, quantBytes }) {
  const precision = quantBytes === 4 ? 'float' : `quant${quantBytes}`;
  const file = `model-stride${outputStride}.json`;
  return architecture === 'ResNet50'
    ? `resnet50/${precision}/${file}`
    : `mobilenet/${precision}/${MULTIPLIER_FOLDER[multiplier]}/${file}`;
}

// sha256 of official files as published (checked against the copies we test
// with); a downloaded file that is listed here must match.
export const KNOWN_SHA256 = {
  'mobilenet/float/050/group1-shard1of1.bin': '6066a2082f41602a10f59450754b38000616eadf8c800b07cf25aa895831698d',
  'mobilenet/float/050/model-stride16.json': '753ca143964f579f0f6f4d882b97ca60cbb2b9155ae6077c0a4317e5daf950bd',
  'mobilenet/float/050/model-stride8.json': '897721605f9db01309e8d117a25b81f1f386dd29420347de10b1de8b44098a30',
  'mobilenet/float/075/group1-shard2of2.bin': '13f0db2400200d3a920a9badcccfb371a7440965f940f3a5fcb5806efd49d255',
  'mobilenet/float/075/model-stride16.json': 'f4c5ff1f07b3957191e46ef4b178b6a87fcc5beb723ea9a2a6d442da98164a9b',
  'mobilenet/float/075/model-stride8.json': 'fe28b82114e2142c1da2fc7005aa908d3cf5a1b3ac4a7bed627055325ea5c301',
  'mobilenet/float/100/group1-shard4of4.bin': '74a79a9630a9172be5383b54785eb0e5945ae76c70ee0ab5702cf34da7e8c733',
  'mobilenet/float/100/model-stride16.json': 'ab696f2b07508cc77bdbddc5194c2d152676d1b7518a2ceb8987bc0fe3c4308b',
  'mobilenet/float/100/model-stride8.json': '6f120b9b380977e7938e2d5a333ba0086e0707e7cab51c7a5692cd9630779ac2',
  'mobilenet/quant1/050/group1-shard1of1.bin': '839ea607edcb271ae135e7ce605a7f4a9941c1521e3831f230da473e00b4574c',
  'mobilenet/quant1/050/model-stride16.json': '7cd88f54637fcb36760273ec716fd88078354b09e649bd6e1188f0428cb9c146',
  'mobilenet/quant1/050/model-stride8.json': '026e3c85c7b5ec7b0fb7f4cd4ebf3b5f131c7f1af442dfd5f373e48087f76331',
  'mobilenet/quant1/075/group1-shard1of1.bin': '01fd14c9f46978c0e7dca221ec7b282ebf28a11aad1822dd512885b0b6bcecc1',
  'mobilenet/quant1/075/model-stride16.json': '209e8c6234e2d5cefaed39329b97b74f88b7232d0c793914dbc719ab737ea7ce',
  'mobilenet/quant1/075/model-stride8.json': '6158d803da429abd301c62d07a033cab2ef235c6ca82c4a58cc6348625234eba',
  'mobilenet/quant1/100/group1-shard1of1.bin': 'b4aa6b88f8b67f57c8ceecc058d3bd8f7330590120dc96f55a608c40b6304f38',
  'mobilenet/quant1/100/model-stride16.json': '562286643df13a09d4a3900885146c1783b7e614ed7c66932d5a5c63110168a9',
  'mobilenet/quant1/100/model-stride8.json': 'f5b4506ed68d230e713afc88edaeb55440ecc4ff70e8ff74fd714bf828ea0547',
  'mobilenet/quant2/050/group1-shard1of1.bin': '76c2be65c09e953a1c6334cd122c3219c60dae9d66d62d575e2599a5b317ebe9',
  'mobilenet/quant2/050/model-stride16.json': 'aaeddfa9de73c4882598c1779286ed6ce44be80b4d582607808da2d7463b0136',
  'mobilenet/quant2/050/model-stride8.json': '22bc16e86455e13c3292fc846b3a2ea97213c3c4f66a601815a3b7861867904f',
  'mobilenet/quant2/075/group1-shard1of1.bin': 'e215c9546b9db0e1e06c23c759ed48ccaf2aad68c656d0130b5757bc0479ac77',
  'mobilenet/quant2/075/model-stride16.json': 'f7e26cc294524a502dcd873662d152b7c630e1bcb448f69c26ad021f62619da4',
  'mobilenet/quant2/075/model-stride8.json': '8f6a52989ce92d9419863c1738616865980f762bc12ca237b46b5183b7cad9c8',
  'mobilenet/quant2/100/group1-shard2of2.bin': '7c794a7950dfa085bd13c3907e6925e37e8502bdec9a157da13f062e60f47687',
  'mobilenet/quant2/100/model-stride16.json': 'ad2b5c1543c1da42ecbc31fb0752bfb2bc75b2a1330faf8b6afd959ab616c329',
  'mobilenet/quant2/100/model-stride8.json': '2e4a7cd27016aa8cba873a27027bf344e92cfd60545fad52ee11b56c7e43100e',
  'resnet50/float/group1-shard23of23.bin': '10e523de1b49ffb1bb5c436086a201684a7ca5be67f8d5ef32b6c9aea3180431',
  'resnet50/float/model-stride16.json': '2245c6b07c967573651e515b4c41f32c7059a41df9cec4144666b4f1c9e5ce26',
  'resnet50/quant1/group1-shard6of6.bin': 'b4eb6db798e23904d979016f6af18656267cd774230428e5ea7430d3c2fc99d6',
  'resnet50/quant1/model-stride16.json': 'fa3b4e3c1a0766599357acb5efbcaadaad11fcf263ff1fd1fe243988a46b5e9b',
  'resnet50/quant2/group1-shard12of12.bin': 'c3ff8b139bf782a2560e0b5acca1d647f404a9e5b808898c237dcd4f5b1f5fb8',
  'resnet50/quant2/model-stride16.json': '6e0bc797dbf0b5eb98417ea13c8b466e8f3025b42c2bffe1e114a99ffd61a770',
};

// body-pix 2.x's validateModelConfig: the same defaults and the same checks,
// with messages that say what to use instead.
export function validateModelConfig(config) {
  const c = config == null
    ? { architecture: 'MobileNetV1', outputStride: 16, quantBytes: 4, multiplier: 0.75 }
    : { ...config };
  if (c.architecture == null) c.architecture = 'MobileNetV1';
  if (!VALID_ARCHITECTURE.includes(c.architecture)) {
    throw new Error(`Invalid architecture ${c.architecture}. Should be one of ${VALID_ARCHITECTURE}`);
  }
  if (c.outputStride == null) c.outputStride = 16;
  if (!VALID_STRIDE[c.architecture].includes(c.outputStride)) {
    throw new Error(`Invalid outputStride ${c.outputStride}. Should be one of ${VALID_STRIDE[c.architecture]} ` +
      `for architecture ${c.architecture}.`);
  }
  if (c.multiplier == null) c.multiplier = 1.0;
  if (!VALID_MULTIPLIER[c.architecture].includes(c.multiplier)) {
    throw new Error(`Invalid multiplier ${c.multiplier}. Should be one of ${VALID_MULTIPLIER[c.architecture]} ` +
      `for architecture ${c.architecture}.`);
  }
  if (c.quantBytes == null) c.quantBytes = 4;
  if (!VALID_QUANT_BYTES.includes(c.quantBytes)) {
    throw new Error(`Invalid quantBytes ${c.quantBytes}. Should be one of ${VALID_QUANT_BYTES} ` +
      `for architecture ${c.architecture}.`);
  }
  return c;
}
