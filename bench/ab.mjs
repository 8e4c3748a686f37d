// Two builds of wasmconv in one process, timed interleaved (A, B, A, B ...) on a few workloads of
// each kernel family: for changes to how the wasm is built, which must leave the kernels as fast.
// Run: node bench/ab.mjs <A/index.js> <B/index.js> [--rounds=N] [--backend=simd] [--only=text]
// (each argument a copy of dist/index.js built from one side of the change).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
if (files.length !== 2) {
  console.error('usage: node bench/ab.mjs <A/index.js> <B/index.js> [--rounds=N] [--backend=simd] [--only=text]');
  process.exit(2);
}
const rounds = Number(option('rounds', 21));
const backend = option('backend', 'simd');
const only = option('only', '');
const builds = await Promise.all(files.map((f) => import(pathToFileURL(resolve(f)).href)));
for (const wc of builds) await wc.ready({ backend });

const rand = (n, seed) => { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; };
const bytes = (n, seed) => { const a = new Uint8Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s >>> 24; } return a; };
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const t = (data, shape) => ({ data, shape });

/** Workloads: a name and, given a build, a function running one call. */
const workloads = [
  ['conv2d 3x3 64->64 56x56 NCHW (Winograd)', (wc) => { const p = wc.createConv2d(t(rand(64 * 64 * 9, 1), [64, 64, 3, 3]), { padding: 1 }); const x = t(rand(64 * 56 * 56, 2), [1, 64, 56, 56]); return () => p.run(x); }],
  ['conv2d 3x3 s2 32->64 112x112 NHWC (GEMM)', (wc) => { const p = wc.createConv2d(t(rand(64 * 32 * 9, 1), [64, 32, 3, 3]), { padding: 1, stride: 2, layout: 'NHWC' }); const x = t(rand(32 * 112 * 112, 2), [1, 112, 112, 32]); return () => p.run(x); }],
  ['conv2d 1x1 128->128 28x28 NHWC (GEMM)', (wc) => { const p = wc.createConv2d(t(rand(128 * 128, 1), [128, 128, 1, 1]), { layout: 'NHWC' }); const x = t(rand(128 * 28 * 28, 2), [1, 28, 28, 128]); return () => p.run(x); }],
  ['depthwise 3x3 96ch 112x112 NCHW', (wc) => { const p = wc.createConv2d(t(rand(96 * 9, 1), [96, 1, 3, 3]), { padding: 1, groups: 96 }); const x = t(rand(96 * 112 * 112, 2), [1, 96, 112, 112]); return () => p.run(x); }],
  ['depthwise 3x3 s2 96ch 112x112 NHWC', (wc) => { const p = wc.createConv2d(t(rand(96 * 9, 1), [96, 1, 3, 3]), { padding: 1, stride: 2, groups: 96, layout: 'NHWC' }); const x = t(rand(96 * 112 * 112, 2), [1, 112, 112, 96]); return () => p.run(x); }],
  ['grouped 3x3 g4 64->64 56x56 NCHW', (wc) => { const p = wc.createConv2d(t(rand(64 * 16 * 9, 1), [64, 16, 3, 3]), { padding: 1, groups: 4 }); const x = t(rand(64 * 56 * 56, 2), [1, 64, 56, 56]); return () => p.run(x); }],
  ['convTranspose2d 4x4 s2 64->32 28x28 NCHW', (wc) => { const p = wc.createConvTranspose2d(t(rand(64 * 32 * 16, 1), [64, 32, 4, 4]), { stride: 2, padding: 1 }); const x = t(rand(64 * 28 * 28, 2), [1, 64, 28, 28]); return () => p.run(x); }],
  ['conv3d 3x3x3 16->16 16x32x32 NCDHW', (wc) => { const p = wc.createConv3d(t(rand(16 * 16 * 27, 1), [16, 16, 3, 3, 3]), { padding: 1 }); const x = t(rand(16 * 16 * 32 * 32, 2), [1, 16, 16, 32, 32]); return () => p.run(x); }],
  ['convolve 1-D 200k x 2k taps (FFT)', (wc) => { const a = t(rand(200000, 1), [200000]); const k = t(rand(2000, 2), [2000]); return () => wc.convolve(a, k, { method: 'fft' }); }],
  ['convolve 1-D 20k x 31 taps (direct)', (wc) => { const a = t(rand(20000, 1), [20000]); const k = t(rand(31, 2), [31]); return () => wc.convolve(a, k, { method: 'direct' }); }],
  ['quantized conv2d 3x3 64->64 56x56 NHWC', (wc) => {
    const w = { data: new Int8Array(bytes(64 * 64 * 9, 1).buffer), shape: [64, 64, 3, 3], scale: 0.01, zeroPoint: 0 };
    const p = wc.createQuantizedConv2d(w, { padding: 1, layout: 'NHWC', output: { scale: 0.05, zeroPoint: 128, type: 'uint8' } });
    const x = { data: bytes(64 * 56 * 56, 2), shape: [1, 56, 56, 64], scale: 0.02, zeroPoint: 128 };
    return () => p.run(x);
  }],
];

console.log(`A: ${files[0]}\nB: ${files[1]}\nbackend ${backend}, Node ${process.versions.node}, ${rounds} rounds interleaved, medians\n`);
console.log('| workload | A ms | B ms | B/A |\n| --- | --: | --: | --: |');
const ratios = [];
for (const [name, make] of workloads.filter(([n]) => n.includes(only))) {
  const fns = builds.map(make);
  for (let i = 0; i < 5; i++) fns.forEach((f) => f());
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [1, 0] : [0, 1];
    for (const i of order) { const s = performance.now(); fns[i](); times[i].push(performance.now() - s); }
  }
  const [a, b] = times.map(median);
  ratios.push(b / a);
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(3)} |`);
}
console.log(`\ngeometric mean B/A: ${Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length).toFixed(3)}`);
for (const wc of builds) wc.terminate();
