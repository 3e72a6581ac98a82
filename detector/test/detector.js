// Starts the real detector as its own process on a free port, with the network
// closed to it, and talks to it as a client would.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The sample photos in testdata/ (see testdata/README.md). */
export const photos = {
  cat: readFileSync(new URL('../testdata/chelsea.jpg', import.meta.url)),
  person: readFileSync(new URL('../testdata/astronaut.jpg', import.meta.url)),
  cup: readFileSync(new URL('../testdata/coffee.jpg', import.meta.url)),
};

/**
 * Starts a detector with env added to its environment; it resolves once the
 * detector logs that it listens. stop() ends it and rejects if it ever tried
 * to use the network.
 */
export async function startDetector(env = {}) {
  const child = spawn(process.execPath, ['--require', './test/no-network.cjs', 'src/main.js'], {
    cwd: root,
    env: { ...process.env, DETECTOR_ADDR: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const addr = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /"msg":"detector listening","addr":"([^"]+)"/.exec(stdout);
      if (match) resolve(match[1]);
    });
    exited.then((code) => reject(new Error(`the detector exited (${code}) before it listened: ${stderr}`)));
  });
  return {
    url: `http://${addr}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      if (stderr.includes('network use at run time')) throw new Error(`the detector used the network: ${stderr}`);
    },
  };
}

/** Sends a detection request; fields are extra form fields, image is put under `image` unless undefined. */
export async function detect(url, image, fields = {}, filename = 'photo.jpg') {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (image !== undefined) form.append('image', new Blob([image]), filename);
  const res = await fetch(`${url}/v1/vision/detection`, { method: 'POST', body: form });
  return { status: res.status, type: res.headers.get('content-type'), headers: Object.fromEntries(res.headers), body: await res.json() };
}

/** The labels of an answer's predictions, best first. */
export function labels(body) {
  return body.predictions.map((p) => p.label);
}
