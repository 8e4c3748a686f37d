// A short tour on built-in data: runs convolutions of several shapes and prints, for each,
// the shapes, the median time, GFLOP/s and the largest difference from the float64 reference.
import * as wc from '../dist/index.js';
import { refConv, refConvTranspose } from '../build/reference.mjs';

/** Deterministic sample data: a smooth pattern with some texture, in [-1, 1]. */
function sample(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37 + seed) * 0.7 + Math.cos(i * 0.011 * seed) * 0.3;
  return { data, shape };
}

const cases = [
  { name: 'Sobel edge filter, 1 channel 256x256', x: [1, 1, 256, 256], w: [1, 1, 3, 3], options: { padding: 1 } },
  { name: 'ResNet 3x3, 64->64 at 56x56, bias + ReLU', x: [1, 64, 56, 56], w: [64, 64, 3, 3], options: { padding: 1, bias: true, activation: 'relu' } },
  { name: 'Pointwise 1x1, 64->256 at 56x56', x: [1, 64, 56, 56], w: [256, 64, 1, 1], options: {} },
  { name: 'ResNet stem 7x7 stride 2, 3->64 at 224x224', x: [1, 3, 224, 224], w: [64, 3, 7, 7], options: { stride: 2, padding: 3 } },
  { name: 'Grouped 3x3 (32 groups), channels-last', x: [1, 28, 28, 128], w: [128, 4, 3, 3], options: { padding: 'same', groups: 32, layout: 'NHWC' } },
  { name: 'Dilated 3x3 (rate 2), asymmetric padding, batch 2', x: [2, 32, 40, 40], w: [32, 32, 3, 3], options: { dilation: 2, padding: [[2, 1], [1, 2]] } },
  { name: 'Transposed 4x4 stride 2 (upsampling), 64->32', x: [1, 64, 32, 32], w: [64, 32, 4, 4], options: { stride: 2, padding: 1 }, transposed: true },
];

await wc.ready();
console.log(`wasmconv tour: backend '${wc.backend()}' (supported here: ${wc.supportedBackends().join(', ')})\n`);
const rows = [];
for (const [i, c] of cases.entries()) {
  const x = sample(c.x, i + 1);
  const w = sample(c.w, i + 11);
  const options = { ...c.options };
  const cout = c.transposed ? c.w[1] : c.w[0];
  if (options.bias) options.bias = sample([cout], i + 21).data;
  const plan = c.transposed ? wc.createConvTranspose2d(w, options) : wc.createConv2d(w, options);
  const t0 = performance.now();
  const y = plan.run(x);
  const first = performance.now() - t0;
  const times = [];
  for (let r = 0; r < 11; r++) {
    const s = performance.now();
    plan.run(x);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const median = times[5];
  const k = c.w[2] * c.w[3];
  const macs = c.transposed
    ? c.x[0] * c.x[2] * c.x[3] * c.w[0] * c.w[1] * k
    : (y.data.length / cout) * cout * c.w[1] * k;
  const ref = (c.transposed ? refConvTranspose : refConv)(x, w, options);
  let err = 0;
  for (let j = 0; j < ref.data.length; j++) err = Math.max(err, Math.abs(ref.data[j] - y.data[j]));
  plan.dispose();
  rows.push([c.name, `[${c.x}] -> [${y.shape}]`, first.toFixed(2), median.toFixed(2), ((2 * macs) / median / 1e6).toFixed(1), err.toExponential(1)]);
}
const head = ['case', 'input -> output', 'first ms', 'median ms', 'GFLOP/s', 'max |error|'];
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r) => r.map((v, j) => (j < 2 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ');
console.log(line(head));
console.log(widths.map((n) => '-'.repeat(n)).join('  '));
for (const r of rows) console.log(line(r));
console.log('\nmax |error| is against a float64 reference; float32 sums of hundreds of products differ by ~1e-6..1e-5.');
