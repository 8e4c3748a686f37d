// FFT convolution layers against the im2col GEMM (one process, rounds interleaved, medians):
// conv1d / conv2d / conv3d plans forced to `algorithm: 'fft'` and `'gemm'` on long and
// medium kernels, with what 'auto' picks. The thresholds of src/algorithms/fft.ts come from it.
// Run: npm run build && node bench/fftconv.mjs [--rounds=N] [--quick]
import * as wc from '../build/internal.mjs';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);
const quick = process.argv.includes('--quick');
const rand = (n, seed) => { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; };
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const prod = (a) => a.reduce((x, y) => x * y, 1);

function race(fns) {
  for (let i = 0; i < 2; i++) fns.forEach((f) => f());
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) fns.forEach((f, i) => { const t = performance.now(); f(); times[i].push(performance.now() - t); });
  return times.map(median);
}

await wc.ready();
console.log(`wasmconv FFT layers · backend ${wc.backend()} · Node ${process.versions.node} · ${rounds} rounds, medians\n`);
console.log('| shape | fft ms | gemm ms | gemm / fft | direct kernel (auto without fft) | its ms | its / fft |\n| --- | --: | --: | --: | --- | --: | --: |');
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d };
const cases = [
  // [input shape, weight shape, options]
  [[1, 1, 16384], [16, 1, 255], { padding: 'same' }],
  [[1, 1, 16384], [16, 1, 127], { padding: 'same' }],
  [[1, 1, 16384], [16, 1, 63], { padding: 'same' }],
  [[1, 1, 16384], [16, 1, 31], { padding: 'same' }],
  [[1, 4, 16384], [8, 4, 128], {}],
  [[1, 3, 256, 256], [8, 3, 31, 31], { padding: 'same' }],
  [[1, 3, 256, 256], [8, 3, 15, 15], { padding: 'same' }],
  [[1, 3, 256, 256], [8, 3, 11, 11], { padding: 'same' }],
  [[1, 3, 256, 256], [8, 3, 7, 7], { padding: 'same' }],
  [[1, 16, 64, 64], [16, 16, 15, 15], { padding: 'same' }],
  [[1, 4, 32, 32, 32], [4, 4, 7, 7, 7], { padding: 'same' }],
];
for (const [xs, ws, options] of quick ? cases.slice(0, 2) : cases) {
  const rank = ws.length - 2;
  const x = { data: rand(prod(xs), 1), shape: xs };
  const w = { data: rand(prod(ws), 2), shape: ws };
  const fft = CREATE[rank](w, { ...options, algorithm: 'fft' });
  const gemm = CREATE[rank](w, { ...options, algorithm: 'gemm' });
  // What the plan would run without the FFT: the first other algorithm of the list that is preferred
  // (depthwise and grouped come before the FFT, so 'auto' runs them).
  const other = wc.ALGORITHMS.find((al) => al.name !== 'fft' && al.preferred(fft.spec) && al.applies(fft.spec, w));
  const direct = other.name === 'gemm' ? gemm : CREATE[rank](w, options);
  const fns = [() => fft.run(x), () => gemm.run(x)];
  if (direct !== gemm) fns.push(() => direct.run(x));
  const [a, b, c = b] = race(fns);
  const auto = CREATE[rank](w, options);
  console.log(`| x [${xs}] w [${ws}] ${JSON.stringify(options)} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}x | ${other.name} (auto: ${wc.algorithmOf(auto, xs)}) | ${c.toFixed(2)} | ${(c / a).toFixed(2)}x |`);
  fft.dispose(); gemm.dispose(); auto.dispose(); if (direct !== gemm) direct.dispose();
}
