// Variant comparisons inside wasmconv (one process, rounds interleaved, medians):
//  - depthwise convolution on its dedicated kernels against the same plan forced onto the
//    im2col GEMM (`algorithm: 'gemm'`), on the suite's depthwise workloads, both layouts;
//  - spatially separable convolution against conv2d with the outer-product kernel, k = 3 .. 9.
// Run: npm run build && node bench/variants.mjs
import * as wc from '../dist/index.js';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 15);
const rand = (n, seed) => { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; };
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Times functions interleaved (A, B, A, B ...) after a warm-up; returns median ms of each. */
function race(fns) {
  for (let i = 0; i < 5; i++) fns.forEach((f) => f());
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) fns.forEach((f, i) => { const t = performance.now(); f(); times[i].push(performance.now() - t); });
  return times.map(median);
}

await wc.ready();
console.log(`wasmconv variants · backend ${wc.backend()} · ${rounds} rounds, medians\n`);
console.log('| depthwise workload | dedicated kernels ms | GEMM ms | speedup |\n| --- | --: | --: | --: |');
for (const [name, c, s] of [['dw (3x3 s1, 112x112x32)', 32, 1], ['dws2 (3x3 s2, 112x112x96)', 96, 2]]) {
  for (const layout of ['NCHW', 'NHWC']) {
    const x = { data: rand(c * 112 * 112, 1), shape: layout === 'NCHW' ? [1, c, 112, 112] : [1, 112, 112, c] };
    const w = { data: rand(c * 9, 2), shape: [c, 1, 3, 3] };
    const options = { groups: c, padding: 1, stride: s, layout };
    const direct = wc.createConv2d(w, options);
    const gemm = wc.createConv2d(w, { ...options, algorithm: 'gemm' });
    const [a, b] = race([() => direct.run(x), () => gemm.run(x)]);
    console.log(`| ${name} ${layout} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(1)}x |`);
    direct.dispose(); gemm.dispose();
  }
}
console.log('\n| spatially separable, 3x256x256, per channel | separable ms | full conv2d ms | speedup |\n| --- | --: | --: | --: |');
for (const k of [3, 5, 7, 9]) {
  const x = { data: rand(3 * 256 * 256, 3), shape: [1, 3, 256, 256] };
  const col = { data: rand(3 * k, 4), shape: [3, 1, k, 1] };
  const row = { data: rand(3 * k, 5), shape: [3, 1, 1, k] };
  const outer = new Float32Array(3 * k * k);
  for (let o = 0; o < 3; o++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) outer[(o * k + i) * k + j] = col.data[o * k + i] * row.data[o * k + j];
  const sep = wc.createSpatiallySeparableConv2d(col, row, { groups: 3, padding: 'same' });
  const full = wc.createConv2d({ data: outer, shape: [3, 1, k, k] }, { groups: 3, padding: 'same' });
  const [a, b] = race([() => sep.run(x), () => full.run(x)]);
  console.log(`| k = ${k} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}x |`);
  sep.dispose(); full.dispose();
}
