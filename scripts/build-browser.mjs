// The browser builds (run by scripts/build.mjs after the wasm variants and src/generated/wasm.ts):
//  - dist/browser.js: ESM for browsers and bundlers, the wasm variants inlined as base64;
//  - dist/url.js + dist/wasmconv.<variant>.wasm: the same API, fetching the one variant it uses.
// ES2020 syntax (so no Uint8Array.fromBase64), minified, usable with no bundler configuration.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// src/pool.ts imports node:worker_threads only when it runs under Node; in these builds that
// import is a module that explains itself instead of a specifier browsers and bundlers reject.
const nodeBuiltinsAbsent = {
  name: 'node-builtins-absent',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `throw new Error('wasmconv: the browser build cannot load ${args.path}; under Node import the package normally (its Node build)');`,
      loader: 'js',
    }));
  },
};

// `process` is undefined in browsers: the minifier then drops what runs only under Node (the
// worker_threads pool, which these builds cannot load anyway): 0.5 KB gzipped.
const common = {
  bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true,
  define: { process: 'undefined' }, plugins: [nodeBuiltinsAbsent], logLevel: 'warning',
};
mkdirSync(join(root, 'dist'), { recursive: true });
// dist/browser.js runs only where DecompressionStream inflates 'deflate-raw' (Chrome 103, Firefox
// 113, Safari 16.4 and later), which all parse ES2022: its shorter syntax saves 0.2 KB gzipped.
await build({ ...common, target: 'es2022', entryPoints: [join(root, 'src/index.ts')], outfile: join(root, 'dist/browser.js') });
await build({ ...common, entryPoints: [join(root, 'src/url.ts')], outfile: join(root, 'dist/url.js') });
const wasmFile = (f) => /^wasmconv\..+\.wasm$/.test(f);
// Variants an earlier build had (the threaded ones before they were derived at run time) go.
for (const file of readdirSync(join(root, 'dist')).filter(wasmFile)) rmSync(join(root, 'dist', file));
for (const file of readdirSync(join(root, 'build')).filter(wasmFile)) {
  copyFileSync(join(root, 'build', file), join(root, 'dist', file));
}
