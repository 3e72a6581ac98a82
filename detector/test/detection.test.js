// The detector as a client sees it: real photos in, the right COCO labels out.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode.js';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

import { detect, labels, photos, startDetector } from './detector.js';

const require = createRequire(import.meta.url);

describe('detection on real photos', () => {
  let detector;
  before(async () => { detector = await startDetector(); });
  after(() => detector.stop());

  test('the health endpoint names the model', async () => {
    const res = await fetch(`${detector.url}/healthz`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'ok');
    assert.match(body.model, /CenterNet.*COCO/);
  });

  for (const [want, unwanted] of [['cat', 'dog'], ['person', 'cat'], ['cup', 'person']]) {
    test(`a photo of a ${want} is labelled ${want} first`, async () => {
      const res = await detect(detector.url, photos[want]);
      assert.equal(res.status, 200);
      assert.match(res.type, /^application\/json/);
      assert.equal(res.body.success, true);
      assert.equal(labels(res.body)[0], want, JSON.stringify(res.body));
      assert.ok(!labels(res.body).includes(unwanted), JSON.stringify(res.body));
      assert.equal(res.body.count, res.body.predictions.length);
    });
  }

  test('predictions follow the protocol: best first, boxes inside the photo', async () => {
    const { width, height } = jpeg.decode(photos.cup);
    const res = await detect(detector.url, photos.cup, { min_confidence: '0.1' });
    assert.equal(res.status, 200);
    const { predictions } = res.body;
    assert.ok(predictions.length >= 2, JSON.stringify(res.body));
    for (const [i, p] of predictions.entries()) {
      assert.deepEqual(Object.keys(p).sort(), ['confidence', 'label', 'x_max', 'x_min', 'y_max', 'y_min']);
      assert.ok(p.confidence >= 0.1 && p.confidence <= 1, JSON.stringify(p));
      if (i > 0) assert.ok(p.confidence <= predictions[i - 1].confidence, 'sorted by confidence');
      for (const key of ['x_min', 'y_min', 'x_max', 'y_max']) assert.ok(Number.isInteger(p[key]), `${key} is a whole pixel`);
      assert.ok(p.x_min >= 0 && p.x_min < p.x_max && p.x_max <= width, JSON.stringify(p));
      assert.ok(p.y_min >= 0 && p.y_min < p.y_max && p.y_max <= height, JSON.stringify(p));
    }
    const cup = predictions.find((p) => p.label === 'cup');
    // The cup stands in the middle of the upper part of the photo.
    assert.ok(cup.x_min > width * 0.15 && cup.x_max < width * 0.85 && cup.y_max < height * 0.8, JSON.stringify(cup));
  });

  test('min_confidence leaves out what the model is less sure of; 0.4 when not given', async () => {
    const loose = await detect(detector.url, photos.cup, { min_confidence: '0.05' });
    const usual = await detect(detector.url, photos.cup);
    const strict = await detect(detector.url, photos.cup, { min_confidence: '0.95' });
    assert.ok(loose.body.predictions.some((p) => p.confidence < 0.4), JSON.stringify(loose.body));
    assert.ok(usual.body.predictions.length > 0);
    assert.ok(usual.body.predictions.every((p) => p.confidence >= 0.4), JSON.stringify(usual.body));
    assert.deepEqual(strict.body.predictions, []);
  });

  test('one object is one prediction, even where the model drew several boxes around it', async () => {
    const res = await detect(detector.url, photos.cat, { min_confidence: '0.3' });
    assert.deepEqual(labels(res.body).filter((l) => l === 'cat'), ['cat'], JSON.stringify(res.body));
  });

  test('PNG and WebP photos are read as well as JPEG', async () => {
    const { data, width, height } = jpeg.decode(photos.cat, { formatAsRGBA: true });
    const png = new pngjs.PNG({ width, height });
    data.copy(png.data);
    await initWebpEncoder(await WebAssembly.compile(await readFile(require.resolve('@jsquash/webp/codec/enc/webp_enc_simd.wasm'))));
    const webp = Buffer.from(await encodeWebp({ data: new Uint8ClampedArray(data), width, height }, { quality: 90 }));
    for (const [name, bytes] of [['photo.png', pngjs.PNG.sync.write(png)], ['photo.webp', webp]]) {
      const res = await detect(detector.url, bytes, {}, name);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(labels(res.body)[0], 'cat', `${name}: ${JSON.stringify(res.body)}`);
    }
  });

  test('a photo a camera stored turned, with its EXIF orientation, is read upright', async () => {
    const upright = await detect(detector.url, photos.cat);
    const turned = await detect(detector.url, jpegTurnedWithOrientation(photos.cat));
    assert.equal(turned.status, 200);
    assert.equal(labels(turned.body)[0], 'cat', JSON.stringify(turned.body));
    const [a, b] = [upright.body.predictions[0], turned.body.predictions[0]];
    for (const key of ['x_min', 'y_min', 'x_max', 'y_max']) {
      assert.ok(Math.abs(a[key] - b[key]) <= 15, `the box is in the upright photo's pixels: ${JSON.stringify({ a, b })}`);
    }
  });

  test('requests at once each get the answer for their own photo', async () => {
    const kinds = ['cat', 'person', 'cup', 'cup', 'cat', 'person'];
    const answers = await Promise.all(kinds.map((kind) => detect(detector.url, photos[kind])));
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 200);
      assert.equal(labels(res.body)[0], kinds[i], `request ${i}: ${JSON.stringify(res.body)}`);
    }
  });
});

// jpegTurnedWithOrientation stores photo turned a quarter to the left, with an
// EXIF orientation of 6 telling viewers to turn it back to the right.
function jpegTurnedWithOrientation(photo) {
  const { data, width, height } = jpeg.decode(photo, { formatAsRGBA: true });
  const turned = Buffer.alloc(data.length);
  // The stored picture is height pixels wide and width pixels high.
  for (let r = 0; r < width; r++) {
    for (let c = 0; c < height; c++) {
      data.copy(turned, (r * height + c) * 4, (c * width + (width - 1 - r)) * 4, (c * width + (width - r)) * 4);
    }
  }
  const encoded = jpeg.encode({ data: turned, width: height, height: width }, 90).data;
  const exif = Buffer.from([
    0xff, 0xe1, 0x00, 0x22, // APP1, 34 bytes
    0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, first IFD at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, // Orientation, SHORT, 1, 6
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
  return Buffer.concat([encoded.subarray(0, 2), exif, encoded.subarray(2)]);
}
