// Starts the detector: DETECTOR_ADDR [127.0.0.1:32168] is where it listens,
// DETECTOR_API_KEY (optional) the api_key every request must carry,
// DETECTOR_MAX_PENDING [64] how many detection requests may be read or wait for
// the model at once before more are answered 503. It logs one
// JSON line when it answers, with the address (the port when DETECTOR_ADDR asks
// for port 0), and stops on SIGTERM or SIGINT after the requests in flight.
import { createDecoder } from './decode.js';
import { loadModel, MODEL_NAME } from './model.js';
import { createServer } from './server.js';

// As large as the service accepts an art's image.
const MAX_IMAGE_BYTES = 10 << 20;
const MAX_PIXELS = 40_000_000;

function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields }));
}

function parseAddr(addr) {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!match || Number(match[3]) > 65535) throw new Error(`DETECTOR_ADDR ${JSON.stringify(addr)}: want host:port`);
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port: Number(match[3]) };
}

function parseMaxPending(raw) {
  if (raw === undefined || raw === '') return 64;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`DETECTOR_MAX_PENDING ${JSON.stringify(raw)}: want a positive integer`);
  return value;
}

const maxPending = parseMaxPending(process.env.DETECTOR_MAX_PENDING);
const { host, port } = parseAddr(process.env.DETECTOR_ADDR || '127.0.0.1:32168');
const started = Date.now();
const decode = await createDecoder({ maxPixels: MAX_PIXELS });
const detect = await loadModel();
const server = createServer({
  decode, detect, model: MODEL_NAME,
  apiKey: process.env.DETECTOR_API_KEY ?? '',
  maxImageBytes: MAX_IMAGE_BYTES, maxPending,
});
server.listen(port, host, () => {
  const { address, port: bound } = server.address();
  log({ msg: 'detector listening', addr: address.includes(':') ? `[${address}]:${bound}` : `${address}:${bound}`, model: MODEL_NAME, startMs: Date.now() - started });
});
server.on('error', (err) => {
  console.error(JSON.stringify({ level: 'error', msg: 'detector stopped', error: err.message }));
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    log({ msg: 'detector stopping', signal });
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Requests still open after this are cut off.
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
