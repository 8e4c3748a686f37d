/**
 * The package as users install it: the tarball `npm pack` makes from the built dist/ (run
 * `npm run build` first; `npm test` does), unpacked into consumer projects in a temporary folder.
 * - its file list: what users need, nothing internal;
 * - publint and arethetypeswrong find nothing;
 * - TypeScript consumers, ESM and CommonJS, compile under every moduleResolution mode with this
 *   project's TypeScript and with TypeScript 5.0, without skipLibCheck;
 * - `wasmconv/url` bundled by esbuild and by Rollup (with the documented copy of the .wasm files)
 *   runs under Node, as does the entry itself (reading its files from disk).
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const requireFrom = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
let work = '';
let tarball = '';
let packed: string[] = [];

const run = (file: string, args: string[], cwd: string) => {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}${err.message}`);
  }
};

/** A project folder with the packed package installed in node_modules/wasmconv. */
function project(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(join(work, 'package'), join(dir, 'node_modules', 'wasmconv'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasmconv-package-'));
  const out = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root));
  tarball = join(work, out[0].filename);
  packed = out[0].files.map((f: { path: string }) => f.path).sort();
  run('tar', ['-xzf', tarball], work);
}, 120_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the bundles, one declaration file per entry and format, the wasm files, README, LICENSE', () => {
    expect(packed).toEqual([
      'LICENSE', 'README.md',
      'dist/browser.js', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js',
      'dist/url.cjs', 'dist/url.d.cts', 'dist/url.d.ts', 'dist/url.js', 'dist/url.node.js',
      'dist/wasmconv.relaxed-simd.wasm', 'dist/wasmconv.scalar.wasm', 'dist/wasmconv.simd.wasm',
      'package.json',
    ]);
  });

  it('publint finds nothing to report', () => {
    const out = run(bin('publint'), ['run', tarball, '--strict'], work);
    expect(out).toMatch(/All good!/);
  });

  it('arethetypeswrong finds no problem for either entry under any resolution', () => {
    const out = run(bin('attw'), [tarball, '--format', 'ascii'], work);
    expect(out).toMatch(/No problems found/);
  });
});

// Consumers: the same few lines, as ESM and as CommonJS, importing both entries.
const body = `
const x = { data: new Float32Array(16), shape: [1, 1, 4, 4] };
const w = { data: new Float32Array(9), shape: [1, 1, 3, 3] };
export async function main(): Promise<number[]> {
  await wasmconv.ready({ backend: 'simd' });
  const y: Tensor = wasmconv.conv2d(x, w, { padding: 1 });
  const plan = wasmconv.createConv2d(w, { padding: 'same' });
  await url.ready({ wasmUrl: 'https://example.com/assets/' });
  plan.dispose();
  return y.shape;
}
`;
const esm = `import * as wasmconv from 'wasmconv';\nimport * as url from 'wasmconv/url';\nimport type { Tensor } from 'wasmconv';\n${body}`;
const cjs = `import wasmconv = require('wasmconv');\nimport url = require('wasmconv/url');\ntype Tensor = wasmconv.Tensor;\n${body}`;
const MODES = [
  { name: 'node16 ESM', module: 'node16', moduleResolution: 'node16', type: 'module', file: 'main.ts', source: esm },
  { name: 'node16 CommonJS', module: 'node16', moduleResolution: 'node16', type: 'commonjs', file: 'main.ts', source: cjs },
  { name: 'nodenext ESM', module: 'nodenext', moduleResolution: 'nodenext', type: 'module', file: 'main.mts', source: esm },
  { name: 'nodenext CommonJS', module: 'nodenext', moduleResolution: 'nodenext', type: 'module', file: 'main.cts', source: cjs },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler', type: 'module', file: 'main.ts', source: esm },
  { name: 'node10', module: 'commonjs', moduleResolution: 'node10', type: 'commonjs', file: 'main.ts', source: esm },
];
const COMPILERS = [['TypeScript (the project\'s)', 'typescript'], ['TypeScript 5.0', 'typescript-5.0']] as const;

/**
 * Type-checks one consumer project as `tsc -p` would, in this process: the compilers' own lib
 * files (lib.dom.d.ts is most of the work) are parsed once per compiler instead of once a project.
 */
const libCache = new Map<string, unknown>();
function typeCheck(compiler: string, dir: string, file: string, json: Record<string, unknown>): string {
  const ts = requireFrom(join(root, 'node_modules', compiler, 'lib', 'typescript.js'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(json, dir);
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})));
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile;
  host.getSourceFile = (name: string, ...rest: unknown[]) => {
    if (!name.includes(`node_modules/${compiler}/lib/`)) return parse.call(host, name, ...rest);
    const key = `${compiler}:${name}`;
    if (!libCache.has(key)) libCache.set(key, parse.call(host, name, ...rest));
    return libCache.get(key);
  };
  const program = ts.createProgram([join(dir, file)], options, host);
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
}

describe('TypeScript consumers, without skipLibCheck', () => {
  for (const [name, compiler] of COMPILERS) {
    it.each(MODES)(`${name}: $name`, (mode) => {
      const dir = project(`${compiler}-${mode.name.replace(/\W/g, '-')}`, {
        'package.json': JSON.stringify({ type: mode.type }),
        [mode.file]: mode.source,
      });
      const errors = typeCheck(compiler, dir, mode.file, {
        target: 'es2022', lib: ['es2022', 'dom'], module: mode.module, moduleResolution: mode.moduleResolution,
        strict: true, noEmit: true, skipLibCheck: false, types: [],
      });
      expect(errors).toBe('');
    });
  }
});

describe('wasmconv/url with bundlers and under Node', () => {
  const app = `import { ready, conv2d, backend } from 'wasmconv/url';
await ready({ backend: 'scalar' });
const y = conv2d({ data: [1, 2, 3, 4], shape: [1, 1, 2, 2] }, { data: [1, 1, 1, 1], shape: [1, 1, 2, 2] }, { padding: 'same' });
console.log(JSON.stringify({ backend: backend(), data: Array.from(y.data) }));
`;
  // 'same' pads one row and column after: each output sums the window below-right of it.
  const expected = { backend: 'scalar', data: [10, 6, 7, 4] };

  it('runs from node_modules, reading the .wasm files from disk (ESM and CommonJS)', () => {
    const dir = project('node', {
      'app.mjs': app,
      'app.cjs': `const { ready, conv2d, backend } = require('wasmconv/url');\n(async () => {\n${app.split('\n').slice(1).join('\n')}})();`,
    });
    expect(JSON.parse(run(process.execPath, ['app.mjs'], dir))).toEqual(expected);
    expect(JSON.parse(run(process.execPath, ['app.cjs'], dir))).toEqual(expected);
  });

  it('esbuild: bundled, the .wasm files copied beside the bundle, runs', () => {
    const dir = project('esbuild', { 'app.mjs': app });
    run(bin('esbuild'), ['app.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=out/app.mjs'], dir);
    for (const f of readdirSync(join(dir, 'node_modules/wasmconv/dist')).filter((f) => f.endsWith('.wasm'))) {
      cpSync(join(dir, 'node_modules/wasmconv/dist', f), join(dir, 'out', f));
    }
    expect(JSON.parse(run(process.execPath, ['out/app.mjs'], dir))).toEqual(expected);
  });

  it('Rollup: bundled, the .wasm files copied beside the bundle, runs', () => {
    const dir = project('rollup', {
      'app.mjs': app,
      'rollup.config.mjs': `import { nodeResolve } from ${JSON.stringify(join(root, 'node_modules/@rollup/plugin-node-resolve/dist/es/index.js'))};
export default { input: 'app.mjs', output: { file: 'out/app.mjs', format: 'es' }, plugins: [nodeResolve({ exportConditions: ['node'] })] };
`,
    });
    run(bin('rollup'), ['-c', 'rollup.config.mjs'], dir);
    for (const f of readdirSync(join(dir, 'node_modules/wasmconv/dist')).filter((f) => f.endsWith('.wasm'))) {
      cpSync(join(dir, 'node_modules/wasmconv/dist', f), join(dir, 'out', f));
    }
    expect(JSON.parse(run(process.execPath, ['out/app.mjs'], dir))).toEqual(expected);
  });
});
