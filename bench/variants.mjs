// Variant comparisons inside wasmconv (one process, rounds interleaved, medians):
//  - every algorithm of the list (src/algorithms/index.ts) that 'auto' picks for a workload of the
//    suite, against the same plan forced onto the im2col GEMM (`algorithm: 'gemm'`), both layouts;
//  - spatially separable convolution against conv2d with the outer-product kernel, k = 3 .. 9.
// Run: npm run build && node bench/variants.mjs
import { readFileSync } from 'node:fs';
import * as wc from '../build/internal.mjs';

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
const { workloads } = JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8'));
const LAYOUTS = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d };
const prod = (a) => a.reduce((x, y) => x * y, 1);
console.log('| algorithm | workload | its kernel ms | GEMM ms | speedup |\n| --- | --- | --: | --: | --: |');
for (const algorithm of wc.ALGORITHMS) {
  if (algorithm.name === 'gemm') continue;
  let compared = 0;
  for (const w of workloads.filter((l) => l.op === 'conv')) {
    const rank = w.in.length;
    const weight = { data: rand(w.cout * (w.cin / w.groups) * prod(w.k), 2), shape: [w.cout, w.cin / w.groups, ...w.k] };
    for (const layout of LAYOUTS[rank]) {
      const options = { groups: w.groups, padding: w.pad, stride: w.stride, dilation: w.dilation, layout };
      const auto = CREATE[rank](weight, options);
      const x = { data: rand(w.cin * prod(w.in), 1), shape: layout === LAYOUTS[rank][0] ? [1, w.cin, ...w.in] : [1, ...w.in, w.cin] };
      if (wc.algorithmOf(auto, x.shape) === algorithm.name) {
        const gemm = CREATE[rank](weight, { ...options, algorithm: 'gemm' });
        const [a, b] = race([() => auto.run(x), () => gemm.run(x)]);
        console.log(`| ${algorithm.name} | ${w.id} (${w.desc}) ${layout} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}x |`);
        gemm.dispose();
        compared++;
      }
      auto.dispose();
    }
  }
  if (!compared) console.log(`| ${algorithm.name} | no workload of the suite runs on it with a GEMM alternative | | | |`);
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
