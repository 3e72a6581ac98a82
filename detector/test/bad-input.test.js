// What the detector answers to requests it will not serve: a clear 4xx or 503
// in the protocol's error shape, never a crash, and it keeps working after.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

import { detect, labels, photos, startDetector } from './detector.js';

function assertRefused(res, status, pattern) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.type, /^application\/json/);
  assert.equal(res.body.success, false);
  assert.equal(res.body.code, status);
  assert.match(res.body.error, pattern);
}

// post sends a request by hand and resolves with the answer as soon as it
// comes, whether or not the body was all sent: a server may refuse early.
function post(url, headers, chunks = []) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/vision/detection`, { method: 'POST', headers });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], headers: res.headers, body: JSON.parse(text) }));
    });
    // Writing on after the server answered and hung up fails; the answer is what counts.
    req.on('error', (err) => { if (!req.res) reject(err); });
    req.flushHeaders();
    (async () => {
      for (const chunk of chunks) {
        if (req.res || req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => {});
  });
}

describe('bad input', () => {
  let detector;
  before(async () => { detector = await startDetector(); });
  after(() => detector.stop());

  test('a file that is not a picture is a 400', async () => {
    assertRefused(await detect(detector.url, Buffer.from('plain text, not a picture')), 400, /not a JPEG, PNG or WebP/);
  });

  test('a form without an image, or with an empty one, is a 400', async () => {
    assertRefused(await detect(detector.url, undefined, { min_confidence: '0.5' }), 400, /no image/);
    assertRefused(await detect(detector.url, Buffer.alloc(0)), 400, /empty/);
  });

  test('a body that is not a multipart form is a 400', async () => {
    const res = await fetch(`${detector.url}/v1/vision/detection`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"image":"cat.jpg"}',
    });
    assertRefused({ status: res.status, type: res.headers.get('content-type'), body: await res.json() }, 400, /multipart/);
  });

  test('a min_confidence that is not a number from 0 to 1 is a 400', async () => {
    for (const value of ['abc', '1.5', '-0.1', 'NaN']) {
      assertRefused(await detect(detector.url, photos.cat, { min_confidence: value }), 400, /min_confidence/);
    }
  });

  test('a damaged picture is a 400', async () => {
    const { data, width, height } = jpeg.decode(photos.cat, { formatAsRGBA: true });
    const png = new pngjs.PNG({ width, height });
    data.copy(png.data);
    const damaged = pngjs.PNG.sync.write(png);
    damaged.fill(0x55, 200, 400);
    assertRefused(await detect(detector.url, damaged, {}, 'cat.png'), 400, /PNG image could not be decoded/);
  });

  test('a small file that claims too many pixels is a 413 before it is decoded', async () => {
    const png = pngjs.PNG.sync.write(new pngjs.PNG({ width: 1, height: 1 }));
    png.writeUInt32BE(20_000, 16);
    png.writeUInt32BE(20_000, 20);
    assertRefused(await detect(detector.url, png, {}, 'huge.png'), 413, /20000x20000/);
  });

  test('a body over the limit is a 413, declared or not', async () => {
    const declared = await post(detector.url, {
      'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(11 << 20),
    });
    assertRefused(declared, 413, /larger than/);
    assert.equal(declared.headers.connection, 'close');

    const boundary = 'limit';
    const chunks = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n`)];
    for (let i = 0; i < 12; i++) chunks.push(Buffer.alloc(1 << 20, 0xff));
    chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
    const streamed = await post(detector.url, { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, chunks);
    assertRefused(streamed, 413, /image is larger than 10485760 bytes/);
  });

  test('other paths and methods are refused in the same shape', async () => {
    const ask = async (method, path) => {
      const res = await fetch(`${detector.url}${path}`, { method });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
    };
    assertRefused(await ask('GET', '/v1/vision/detection'), 405, /POST/);
    assertRefused(await ask('POST', '/healthz'), 405, /GET/);
    assertRefused(await ask('POST', '/v1/vision/face'), 404, /no such endpoint/);
  });

  test('after all that it still finds the cat', async () => {
    const res = await detect(detector.url, photos.cat);
    assert.equal(res.status, 200);
    assert.equal(labels(res.body)[0], 'cat');
  });
});

describe('a detector with an api_key and a queue of one', () => {
  let detector;
  before(async () => { detector = await startDetector({ DETECTOR_API_KEY: 'correct horse', DETECTOR_MAX_PENDING: '1' }); });
  after(() => detector.stop());

  test('the api_key is required and must match', async () => {
    assertRefused(await detect(detector.url, photos.cat), 401, /api key/);
    assertRefused(await detect(detector.url, photos.cat, { api_key: 'correct' }), 401, /api key/);
    const res = await detect(detector.url, photos.cat, { api_key: 'correct horse' });
    assert.equal(res.status, 200);
    assert.equal(labels(res.body)[0], 'cat');
  });

  test('a full queue answers 503 at once instead of queueing without bound, and serves again when there is room', async () => {
    // An upload that never finishes holds the only slot.
    const held = http.request(`${detector.url}/v1/vision/detection`, {
      method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': '100000' },
    });
    held.on('error', () => {});
    held.write('--x\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n');
    await new Promise((r) => setTimeout(r, 300));

    const busy = await detect(detector.url, photos.cat, { api_key: 'correct horse' });
    assertRefused(busy, 503, /busy/);
    assert.equal(busy.headers['retry-after'], '1');

    held.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const res = await detect(detector.url, photos.cat, { api_key: 'correct horse' });
    assert.equal(res.status, 200);
    assert.equal(labels(res.body)[0], 'cat');
  });
});
