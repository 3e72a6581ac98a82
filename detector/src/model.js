// Runs the MobileNetV3 CenterNet that @vladmandic/human ships (trained on
// COCO's 80 classes) with TensorFlow.js on its WebAssembly backend. The model
// and the .wasm binaries are read from node_modules: nothing is fetched.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { COCO_LABELS } from './labels.js';

const require = createRequire(import.meta.url);

/** What the health endpoint says is running. */
export const MODEL_NAME = 'MobileNetV3 CenterNet, COCO (80 classes), @vladmandic/human 3.3.6';

// The model's output: 100 rows of x_min, y_min, x_max, y_max, score, class
// index, in the pixels of its 512x512 input.
const OUTPUT = 'tower_0/detections';
const ROW = 6;
// Boxes of one class overlapping more than this are one object.
const IOU_THRESHOLD = 0.5;

/**
 * Loads the model on one CPU thread and runs it once, so the first real
 * picture is not slowed by compiling kernels. Answers detect(picture,
 * minConfidence) for pictures from the decoder.
 */
export async function loadModel() {
  // One thread: a photo keeps one core busy and leaves the others to the
  // service and its database.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('the TensorFlow.js WebAssembly backend did not start');
  }
  await tf.ready();

  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
  const manifest = JSON.parse(await readFile(path.join(modelDir, 'centernet.json'), 'utf8'));
  const weightSpecs = [];
  const weightFiles = [];
  for (const group of manifest.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const file of group.paths) weightFiles.push(await readFile(path.join(modelDir, file)));
  }
  const weights = Buffer.concat(weightFiles);
  const model = await loadGraphModel(tf.io.fromMemory({
    modelTopology: manifest.modelTopology,
    weightSpecs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    format: manifest.format,
    generatedBy: manifest.generatedBy,
    convertedBy: manifest.convertedBy,
    signature: manifest.signature,
  }));
  const inputSize = Number(Object.values(manifest.signature.inputs)[0].tensorShape.dim[1].size);

  const detect = (picture, minConfidence) => detectObjects(model, inputSize, picture, minConfidence);
  detect({ data: new Uint8Array(inputSize * inputSize * 3), width: inputSize, height: inputSize, channels: 3, orientation: 1 }, 1);
  return detect;
}

function detectObjects(model, inputSize, picture, minConfidence) {
  const factor = Math.max(1, Math.floor(Math.max(picture.width, picture.height) / inputSize));
  const small = shrinkToRGB(picture, factor);
  const output = tf.tidy(() => {
    const upright = orient(tf.tensor3d(small.data, [small.height, small.width, 3], 'float32'), picture.orientation);
    const [height, width] = upright.shape;
    const side = Math.max(height, width);
    // Padded to a square, not stretched: a stretched cat looks like a dog to this model.
    const square = tf.pad(upright, [[0, side - height], [0, side - width], [0, 0]]);
    const input = tf.image.resizeBilinear(tf.expandDims(square, 0), [inputSize, inputSize]);
    return model.execute(input, OUTPUT);
  });
  const rows = output.dataSync();
  output.dispose();

  const turned = picture.orientation >= 5;
  const width = turned ? picture.height : picture.width;
  const height = turned ? picture.width : picture.height;
  const scale = (Math.max(small.width, small.height) * factor) / inputSize;

  const byClass = new Map();
  for (let i = 0; i + ROW <= rows.length; i += ROW) {
    const score = rows[i + 4];
    const label = COCO_LABELS[rows[i + 5]];
    if (!(score >= minConfidence) || label === undefined) continue;
    const box = {
      x_min: clamp(rows[i] * scale, width), y_min: clamp(rows[i + 1] * scale, height),
      x_max: clamp(rows[i + 2] * scale, width), y_max: clamp(rows[i + 3] * scale, height),
    };
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label).push({ label, confidence: score, ...box });
  }
  const predictions = [];
  for (const candidates of byClass.values()) predictions.push(...suppressOverlaps(candidates, minConfidence));
  return predictions
    .sort((a, b) => b.confidence - a.confidence)
    .map((p) => ({ ...p, confidence: Math.round(p.confidence * 1e4) / 1e4 }));
}

// suppressOverlaps keeps, among boxes of one class, the best of each group that
// overlap: suppressing across classes would let a confident wrong class hide the
// right one drawn around the same object.
function suppressOverlaps(candidates, minConfidence) {
  const kept = tf.tidy(() => tf.image.nonMaxSuppression(
    tf.tensor2d(candidates.map((c) => [c.y_min, c.x_min, c.y_max, c.x_max]), [candidates.length, 4]),
    tf.tensor1d(candidates.map((c) => c.confidence)),
    candidates.length, IOU_THRESHOLD, minConfidence,
  ));
  const indices = kept.arraySync();
  kept.dispose();
  return indices.map((i) => candidates[i]);
}

// shrinkToRGB averages factor x factor blocks into one RGB pixel, dropping any
// alpha: a 40-megapixel photo is at most 1023 pixels a side before it becomes a
// tensor, which keeps memory small and avoids aliasing a one-step resize.
function shrinkToRGB({ data, width, height, channels }, factor) {
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Float32Array(w * h * 3);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let i = ((y * factor + dy) * width + x * factor) * channels;
        for (let dx = 0; dx < factor; dx++, i += channels) {
          r += data[i];
          g += data[i + 1];
          b += data[i + 2];
        }
      }
      const o = (y * w + x) * 3;
      out[o] = r / area;
      out[o + 1] = g / area;
      out[o + 2] = b / area;
    }
  }
  return { data: out, width: w, height: h };
}

// orient turns a photo upright as its EXIF orientation (1-8) says a viewer shows it.
function orient(image, orientation) {
  switch (orientation) {
    case 2: return tf.reverse(image, 1);
    case 3: return tf.reverse(image, [0, 1]);
    case 4: return tf.reverse(image, 0);
    case 5: return tf.transpose(image, [1, 0, 2]);
    case 6: return tf.reverse(tf.transpose(image, [1, 0, 2]), 1);
    case 7: return tf.reverse(tf.transpose(image, [1, 0, 2]), [0, 1]);
    case 8: return tf.reverse(tf.transpose(image, [1, 0, 2]), 0);
    default: return image;
  }
}

function clamp(value, limit) {
  return Math.round(Math.min(Math.max(value, 0), limit));
}
