// Size budget of the browser build: raw and gzipped bytes of every file a page may load
// (dist/browser.js, dist/url.js and the dist/*.wasm variants it fetches). Exits with 1 when
// the gzipped total is over the budget. Run after `npm run build`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
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
  return { file: `dist/${f}`, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const total = { file: 'total', raw: rows.reduce((s, r) => s + r.raw, 0), gzip: rows.reduce((s, r) => s + r.gzip, 0) };
const width = Math.max(...rows.map((r) => r.file.length));
const line = (r) => `${r.file.padEnd(width)}  ${String(r.raw).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzip  (${kb(r.gzip)})`;
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzipped'.padStart(12)}`);
for (const r of rows) console.log(line(r));
console.log(line(total));
const ok = total.gzip <= BUDGET;
console.log(`\nbrowser build: ${kb(total.gzip)} gzipped of a ${kb(BUDGET)} budget: ${ok ? 'within' : 'OVER'} budget`);
process.exit(ok ? 0 : 1);
