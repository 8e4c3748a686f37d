// Size budget of the browser build: raw, gzipped and (for reference) brotli bytes of each of its
// files (dist/browser.js, dist/url.js and the dist/*.wasm variants url.js fetches). The budget
// holds for each way a page can load the library: dist/browser.js (every wasm variant inlined),
// or dist/url.js with the largest variant it may fetch. Exits with 1 when either is over it.
// Run after `npm run build`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// About a hundredth of ONNX Runtime Web's 6.9 MB: with the FFT, 8-bit and F(4x4) Winograd kernels
// the fully inlined build passed the earlier 60 KB (69.9 KB measured), and no page should load more than this.
const BUDGET = 72 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const files = ['browser.js', 'url.js', ...(existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.wasm')).sort() : [])];
const missing = files.filter((f) => !existsSync(join(dist, f)));
if (missing.length > 0 || files.length < 3) {
  console.error(`size: the browser build is missing (${missing.join(', ') || 'no .wasm files'} in dist/): run 'npm run build' first`);
  process.exit(1);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = files.map((f) => {
  const bytes = readFileSync(join(dist, f));
  return {
    file: `dist/${f}`,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
const total = { file: 'all files', raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
const width = Math.max(...rows.map((r) => r.file.length), total.file.length);
const cells = (r) => [r.file.padEnd(width), ...[r.raw, r.gzip, r.brotli].map((v) => String(v).padStart(8))].join('  ');
console.log(cells({ file: 'bytes', raw: 'raw', gzip: 'gzip', brotli: 'brotli' }));
for (const r of rows) console.log(cells(r));
console.log(cells(total));

const gz = (f) => rows.find((r) => r.file === `dist/${f}`).gzip;
const variants = rows.filter((r) => r.file.endsWith('.wasm')).map((r) => r.gzip);
console.log(`\na page loads (gzip): dist/browser.js ${kb(gz('browser.js'))}, or dist/url.js and one variant ${kb(gz('url.js') + Math.min(...variants))} to ${kb(gz('url.js') + Math.max(...variants))}`);
const largestPage = Math.max(gz('browser.js'), gz('url.js') + Math.max(...variants));
const ok = largestPage <= BUDGET;
console.log(`largest page load: ${kb(largestPage)} gzipped, budget ${kb(BUDGET)}: ${ok ? 'within budget' : 'OVER BUDGET'} (all files on disk: ${kb(total.gzip)})`);
process.exit(ok ? 0 : 1);
