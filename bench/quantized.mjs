// 8-bit convolution, in one process, calls interleaved (A, B, C, A, B, C, ...): wasmconv's
// QLinearConv (wasmconv-q) against ONNX Runtime Web's (ort-web-q) on the same 8-bit data, and
// against wasmconv's own float32 path on the float data. Also checks that the two 8-bit
// implementations give the same bytes.
//
// Usage: node bench/quantized.mjs [--backend simd|relaxed-simd|scalar] [--workloads r3,p1,...] [--rounds 15] [--passes 1]
// (relaxed-simd on Node 20: node --experimental-wasm-relaxed-simd bench/quantized.mjs ...)
// Needs `npm run build` (dist/) and bench/node_modules. Medians of per-call times; single thread.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describeWorkload, makeData } from './lib/workload.mjs';
import * as wasmconvQ from './impls/wasmconv-q.mjs';
import * as wasmconvF from './impls/wasmconv.mjs';
import * as ortQ from './impls/ort-web-q.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const backend = args.backend ?? 'simd';
const ids = (args.workloads ?? 'r3,r3b,r3s2,p1,stem,dw,dws2,g').split(',');
const rounds = Number(args.rounds ?? 15);
const passes = Number(args.passes ?? 1);
const all = JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8')).workloads;

await wasmconvQ.init({ backend });
await wasmconvF.init({ backend, channelsLast: false });
const ortInfo = await ortQ.init({});
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

console.log(`node ${process.version}, backend ${backend}, onnxruntime-web ${ortInfo.version}, 1 thread, ${passes} x ${rounds} rounds; load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log('workload | wasmconv int8 ms | ort-web int8 ms | wasmconv f32 ms | ort/wasmconv int8 | f32/int8 | same bytes');
// Every pass prepares each workload anew and times `rounds` interleaved rounds; the figures are
// medians over all passes (the first calls of a pass can still meet code V8 has not optimized yet).
const times = new Map(ids.map((id) => [id, [[], [], []]]));
const differs = new Map();
for (let pass = 0; pass < passes; pass++) {
  for (const id of ids) {
    const wl = describeWorkload(all.find((w) => w.id === id));
    const data = makeData(wl);
    const impls = [await wasmconvQ.prepare(wl, data), await ortQ.prepare(wl, data), await wasmconvF.prepare(wl, data)];
    const a = impls[0].bytes(impls[0].run()), b = impls[1].bytes(await impls[1].run());
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
    differs.set(id, `${differ === 0 ? 'yes' : `${differ} of ${a.length} differ`}`);
    // Warm-up: V8 runs new wasm code in its baseline tier first and compiles the optimized code in
    // the background, which takes seconds on a loaded machine: at least 10 calls and 1.5 s each.
    for (const impl of impls) {
      const start = performance.now();
      for (let i = 0; i < 10 || performance.now() - start < 1500; i++) await impl.run();
    }
    const t = times.get(id);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < impls.length; k++) {
        const t0 = performance.now();
        await impls[k].run();
        t[k].push(performance.now() - t0);
      }
    }
    for (const impl of impls) impl.dispose();
  }
}
const ratios = [];
for (const id of ids) {
  const [q, o, f] = times.get(id).map(median);
  ratios.push([o / q, f / q]);
  console.log(`${id} | ${q.toFixed(2)} | ${o.toFixed(2)} | ${f.toFixed(2)} | ${(o / q).toFixed(2)}x | ${(f / q).toFixed(2)}x | ${differs.get(id)}`);
}
const geomean = (v) => Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
console.log(`geomean: ort/wasmconv int8 ${geomean(ratios.map((r) => r[0])).toFixed(2)}x, wasmconv f32/int8 ${geomean(ratios.map((r) => r[1])).toFixed(2)}x`);
