// The published type declarations (run by scripts/build.mjs after tsc wrote build/types/):
// one self-contained file per entry, for ESM (.d.ts) and CommonJS (.d.cts) consumers alike:
//   dist/index.d.ts, dist/index.d.cts   for 'wasmconv'
//   dist/url.d.ts, dist/url.d.cts       for 'wasmconv/url'
// Only what the entry exports is kept (no internal modules, no inlined wasm). The files must
// compile with TypeScript 5.0 (tests/package/types.test.ts checks every resolution mode).
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// tsc writes relative imports as './x.ts' (the sources' spelling); resolve them to the .d.ts.
const tsToDts = {
  name: 'ts-to-dts',
  resolveId(source, importer) {
    if (importer && source.startsWith('.') && source.endsWith('.ts')) return join(dirname(importer), source.replace(/\.ts$/, '.d.ts'));
    return null;
  },
};

for (const entry of ['index', 'url']) {
  const bundle = await rollup({ input: join(root, `build/types/src/${entry}.d.ts`), plugins: [tsToDts, dts()] });
  const out = join(root, `dist/${entry}.d.ts`);
  await bundle.write({ file: out, format: 'es' });
  await bundle.close();
  // TypeScript before 5.7 has no generic Uint8Array: the public declarations must not use one.
  const text = readFileSync(out, 'utf8');
  if (/Uint8Array</.test(text) || /PACKED/.test(text)) throw new Error(`${out}: declares internals (Uint8Array<...> or the inlined wasm)`);
  copyFileSync(out, join(root, `dist/${entry}.d.cts`));
}
