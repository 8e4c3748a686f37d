// A small static file server for the demo and the browser tests. It serves the repository root
// (the demo at /demo/, the builds at /dist/) with the headers that make a page cross-origin
// isolated. `node demo/serve.mjs [port]` (default 8080); `npm run demo` builds first.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.map': 'application/json', '.svg': 'image/svg+xml',
};
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** An http.Server answering GET/HEAD for files under `root` ('/' redirects to the demo). */
export function createStaticServer(root = ROOT) {
  return createServer(async (req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { ...ISOLATION, 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { Allow: 'GET, HEAD' });
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (path === '/') return send(302, '', { Location: '/demo/' });
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(403, 'forbidden');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      send(200, body, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    } catch {
      send(404, 'not found');
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const port = Number(process.argv[2] ?? 8080);
  createStaticServer().listen(port, 'localhost', () => {
    console.log(`wasmconv demo: http://localhost:${port}/ (cross-origin isolated; Ctrl+C stops)`);
  });
}
