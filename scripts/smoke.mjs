// A quick check of the built package on the running Node (CI runs it on every supported Node line
// whose whole test suite it does not run): both entries load, every wasm variant computes a small
// convolution correctly once, two threads agree, and ready() picks relaxed-simd by default.
//   npm run build && node scripts/smoke.mjs
import { createRequire } from 'node:module';

const esm = await import('wasmconv');
const cjs = createRequire(import.meta.url)('wasmconv');
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// x: [1, 3, 9, 11], w: [4, 3, 3, 3], padding 1, against a float64 loop.
const [N, C, H, W, O, K] = [1, 3, 9, 11, 4, 3];
const x = { data: Float32Array.from({ length: N * C * H * W }, (_, i) => Math.sin(i * 0.37)), shape: [N, C, H, W] };
const w = { data: Float32Array.from({ length: O * C * K * K }, (_, i) => Math.cos(i * 0.11)), shape: [O, C, K, K] };
const expected = new Float64Array(O * H * W);
for (let o = 0; o < O; o++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
  let s = 0;
  for (let c = 0; c < C; c++) for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
    const y = i + a - 1, z = j + b - 1;
    if (y >= 0 && y < H && z >= 0 && z < W) s += x.data[(c * H + y) * W + z] * w.data[((o * C + c) * K + a) * K + b];
  }
  expected[(o * H + i) * W + j] = s;
}
const close = (got) => got.length === expected.length && got.every((v, i) => Math.abs(v - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])));

for (const [name, api] of [['import', esm], ['require', cjs]]) {
  await api.ready();
  check(api.backend() === 'relaxed-simd', `${name}: ready() picks ${api.backend()} on Node ${process.versions.node} (relaxed-simd expected)`);
  for (const backend of api.BACKENDS) {
    await api.ready({ backend, threads: 1 });
    check(close(api.conv2d(x, w, { padding: 1 }).data), `${name}: conv2d on ${backend}`);
  }
  for (const backend of ['simd', 'relaxed-simd']) {
    await api.ready({ backend, threads: 2 });
    const plan = api.createConv2d(w, { padding: 1 });
    const results = await Promise.all([plan.runAsync(x), plan.runAsync(x)]);
    check(api.threads() === 2 && results.every((r) => close(r.data)), `${name}: conv2d on ${backend} with ${api.threads()} threads`);
    plan.dispose();
  }
  api.terminate();
  api.reset();
}
console.log(failures.length === 0 ? `smoke test passed on Node ${process.versions.node}` : `smoke test: ${failures.length} failed on Node ${process.versions.node}`);
process.exit(failures.length === 0 ? 0 : 1);
