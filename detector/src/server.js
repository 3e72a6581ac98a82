// The HTTP side of the detector: the DeepStack / CodeProject.AI Server
// protocol (POST /v1/vision/detection, a multipart form with the picture in
// `image`, `min_confidence`, `api_key`) and a health endpoint.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import busboy from 'busboy';

import { ImageError } from './decode.js';

export const DETECTION_PATH = '/v1/vision/detection';
export const HEALTH_PATH = '/healthz';
/** The confidence below which objects are left out when a request names none, as CodeProject.AI Server does. */
export const DEFAULT_MIN_CONFIDENCE = 0.4;

// Room for the form's boundaries, headers and small fields beside the picture.
const FORM_OVERHEAD_BYTES = 64 << 10;

/** A request this server will not serve; status is the HTTP answer. */
class RequestError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/**
 * Builds the server. decode turns uploaded bytes into a picture (and throws
 * ImageError for anything else), detect(picture, minConfidence) lists what it
 * shows. At most maxPending detection requests are read or queued at once; more
 * are answered 503 at once rather than left to wait without bound.
 */
export function createServer({ decode, detect, model, apiKey = '', maxImageBytes, maxPending }) {
  let pending = 0;
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://detector');
    if (pathname === HEALTH_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'use GET', { Allow: 'GET, HEAD' });
      return reply(res, 200, { status: 'ok', model });
    }
    if (pathname !== DETECTION_PATH) return refuse(res, 404, `no such endpoint; detection is POST ${DETECTION_PATH}`);
    if (req.method !== 'POST') return refuse(res, 405, 'use POST', { Allow: 'POST' });
    if (pending >= maxPending) {
      // The upload is read to its end and dropped before the answer: a client
      // still sending when the connection closed would see a reset, not the 503.
      // The server's body timeout bounds how long that takes.
      req.resume();
      req.on('end', () => refuse(res, 503, 'the detector is busy, try again shortly', { 'Retry-After': '1', Connection: 'close' }));
      return undefined;
    }

    pending++;
    res.on('close', () => pending--);
    try {
      const started = performance.now();
      const form = await readForm(req, maxImageBytes);
      if (apiKey !== '' && !sameSecret(form.fields.api_key ?? '', apiKey)) {
        throw new RequestError('Incorrect api key', 401);
      }
      const minConfidence = parseMinConfidence(form.fields.min_confidence);
      if (form.image === undefined) throw new RequestError('the form has no image file field', 400);
      if (form.image.length === 0) throw new RequestError('the image is empty', 400);
      const picture = await decode(form.image);
      const inferenceStarted = performance.now();
      const predictions = detect(picture, minConfidence);
      const finished = performance.now();
      reply(res, 200, {
        success: true,
        predictions,
        count: predictions.length,
        inferenceMs: Math.round(finished - inferenceStarted),
        processMs: Math.round(finished - started),
        code: 200,
      });
    } catch (err) {
      if (err instanceof RequestError || err instanceof ImageError) {
        // The rest of a refused upload is not worth reading: close the connection after the answer.
        return refuse(res, err.status, err.message, { Connection: 'close' });
      }
      console.error(JSON.stringify({ level: 'error', msg: 'detection failed', error: String(err?.stack ?? err) }));
      refuse(res, 500, 'detection failed', { Connection: 'close' });
    }
  });
  // A client that trickles its headers or body is cut off instead of holding a slot.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

// readForm reads the multipart form: the first `image` file and the first value
// of each field. Other files are skipped, and every part is bounded.
function readForm(req, maxImageBytes) {
  const declared = Number(req.headers['content-length']);
  if (declared > maxImageBytes + FORM_OVERHEAD_BYTES) {
    return Promise.reject(new RequestError(`the request is larger than ${maxImageBytes + FORM_OVERHEAD_BYTES} bytes`, 413));
  }
  let parser;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: maxImageBytes, files: 4, fields: 16, fieldSize: 1024, parts: 20 },
    });
  } catch {
    return Promise.reject(new RequestError('the body must be a multipart/form-data form with an image file field', 400));
  }
  return new Promise((resolve, reject) => {
    // No prototype: a field named __proto__ or constructor is only a field.
    const fields = Object.create(null);
    let image;
    const fail = (err) => {
      req.unpipe(parser);
      req.resume();
      reject(err);
    };
    const tooMany = () => fail(new RequestError('the form has too many parts', 400));
    parser.on('file', (name, stream) => {
      if (name !== 'image' || image !== undefined) {
        stream.resume();
        return;
      }
      const chunks = [];
      image = Buffer.alloc(0);
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('limit', () => fail(new RequestError(`the image is larger than ${maxImageBytes} bytes`, 413)));
      stream.on('end', () => {
        image = Buffer.concat(chunks);
      });
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new RequestError(`the form field ${name} is too long`, 400));
      if (!(name in fields)) fields[name] = value;
    });
    parser.on('partsLimit', tooMany);
    parser.on('filesLimit', tooMany);
    parser.on('fieldsLimit', tooMany);
    parser.on('error', (err) => fail(new RequestError(`the multipart form is malformed: ${err.message}`, 400)));
    parser.on('close', () => resolve({ fields, image }));
    const gone = () => fail(new RequestError('the client went away before the form was read', 400));
    req.on('error', gone);
    req.on('close', () => { if (!req.complete) gone(); });
    req.pipe(parser);
  });
}

function parseMinConfidence(raw) {
  if (raw === undefined || raw.trim() === '') return DEFAULT_MIN_CONFIDENCE;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RequestError(`min_confidence must be a number from 0 to 1, not ${JSON.stringify(raw)}`, 400);
  }
  return value;
}

// sameSecret compares digests so that the time taken says nothing about the key.
function sameSecret(given, expected) {
  const digest = (s) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// refuse answers an error as DeepStack and CodeProject.AI Server do.
function refuse(res, status, error, headers) {
  reply(res, status, { success: false, error, code: status }, headers);
}

function reply(res, status, body, headers = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}
