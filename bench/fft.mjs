// FFT convolution: wasmconv's convolve (method 'auto', 'fft', 'direct') against scipy.signal's
// fftconvolve / oaconvolve (through python3, when it and scipy are installed) and ml-convolution's
// FFT method (1-D only), on the targets of the FFT work, then a sweep of signal and kernel sizes
// comparing 'auto' with the faster of 'direct' and 'fft' (and where the FFT starts to win).
//
// Every result is the median of the rounds; wasmconv's methods and ml-convolution run interleaved
// in this process (A, B, C, A, B, C ...); scipy runs its rounds in a child process just before.
// mode 'same' everywhere (the size of the signal, as ml-convolution's 'CONSTANT' border).
// 'direct' runs only where the cost model expects under ~5 s.
// Run: npm run build && node bench/fft.mjs [--rounds=5] [--no-sweep]
import { execFileSync } from 'node:child_process';
import * as wc from '../dist/index.js';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
const sweep = !process.argv.includes('--no-sweep');
const rand = (n, seed) => { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; };
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const size = (s) => s.reduce((a, b) => a * b, 1);
/** Seconds per multiply-add of the direct method, roughly (src/ops/fftconv.ts), to skip the slowest. */
const DIRECT_MAC_S = [0.22e-9, 0.3e-9, 0.6e-9];
const directSeconds = (n, k) => size(n) * size(k) * DIRECT_MAC_S[n.length - 1];

/** Times functions interleaved after one warm-up call each; returns the median ms of each (null: skipped). */
function race(fns, count = rounds) {
  fns.forEach((f) => f?.());
  const times = fns.map(() => []);
  for (let r = 0; r < count; r++) fns.forEach((f, i) => { if (!f) return; const t = performance.now(); f(); times[i].push(performance.now() - t); });
  return times.map((t) => (t.length ? median(t) : null));
}

let ml = null;
try {
  ml = await import('ml-convolution');
} catch {
  console.log('ml-convolution is not installed (cd bench && npm install): its column is skipped');
}

const PYTHON = `
import json, sys, time
import numpy as np
from scipy import signal
cases, rounds = json.loads(sys.argv[1]), int(sys.argv[2])
out = []
for s1, s2 in cases:
    rng = np.random.default_rng(1)
    a = rng.random(s1, dtype=np.float32) - 0.5
    v = rng.random(s2, dtype=np.float32) - 0.5
    fns = [lambda: signal.fftconvolve(a, v, mode='same'), lambda: signal.oaconvolve(a, v, mode='same')]
    for f in fns: f()
    times = [[], []]
    for r in range(rounds):
        for i, f in enumerate(fns):
            t = time.perf_counter(); f(); times[i].append((time.perf_counter() - t) * 1e3)
    out.append([float(np.median(t)) for t in times])
import scipy
print(json.dumps({'scipy': scipy.__version__, 'times': out}))
`;

/** scipy's medians (ms) of fftconvolve and oaconvolve per case, or null with the reason printed. */
function scipyTimes(cases) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    const out = execFileSync('python3', ['-c', PYTHON, JSON.stringify(cases), String(rounds)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    return JSON.parse(out);
  } catch (e) {
    console.log(`scipy column skipped: python3 with numpy and scipy is not available here (${String(e.message ?? e).split('\n')[0]})`);
    return null;
  }
}

await wc.ready();
console.log(`wasmconv FFT convolution · backend ${wc.backend()} · Node ${process.version} · ${rounds} rounds, medians, mode 'same'\n`);

const targets = [
  ['1-D 2^20 x 16,384 taps', [2 ** 20], [16384]],
  ['1-D 48,000 x 48,000', [48000], [48000]],
  ['2-D 2048x2048 with 31x31', [2048, 2048], [31, 31]],
  ['2-D 512x512 with 255x255', [512, 512], [255, 255]],
];
const py = scipyTimes(targets.map(([, a, b]) => [a, b]));
if (py) console.log(`scipy ${py.scipy} (python3, one thread)\n`);
const fmt = (t) => (t === null || t === undefined ? '—' : t.toFixed(1));
console.log('| workload | auto ms | fft ms | direct ms | scipy fftconvolve ms | scipy oaconvolve ms | ml-convolution fft ms | scipy best / auto | ml / auto |');
console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: |');
targets.forEach(([name, s1, s2], i) => {
  const a = { data: rand(size(s1), 1), shape: s1 };
  const v = { data: rand(size(s2), 2), shape: s2 };
  const withDirect = directSeconds(s1, s2) < 5;
  // ml-convolution takes odd kernel lengths only: an even kernel gets one zero tap more.
  const mlKernel = v.data.length % 2 ? v.data : Float32Array.from([...v.data, 0]);
  const mlFn = ml && s1.length === 1 ? () => ml.fftConvolution(a.data, mlKernel, 'CONSTANT') : null;
  const [auto, fft, direct, mlt] = race([
    () => wc.convolve(a, v, { mode: 'same' }),
    () => wc.convolve(a, v, { mode: 'same', method: 'fft' }),
    withDirect ? () => wc.convolve(a, v, { mode: 'same', method: 'direct' }) : null,
    mlFn,
  ]);
  const sp = py?.times[i];
  const best = sp ? Math.min(...sp) : null;
  console.log(`| ${name} | ${fmt(auto)} | ${fmt(fft)} | ${withDirect ? fmt(direct) : `skipped (~${directSeconds(s1, s2).toFixed(0)} s)`} | ${fmt(sp?.[0])} | ${fmt(sp?.[1])} | ${mlFn ? fmt(mlt) : 'n/a (1-D only)'} | ${best ? (best / auto).toFixed(2) + 'x' : '—'} | ${mlt ? (mlt / auto).toFixed(1) + 'x' : '—'} |`);
});

if (sweep) {
  console.log(`\nSweep: 'auto' against the faster of 'direct' and 'fft' (ratio auto / best; 1.00 = the right choice, measured)`);
  const grids = [
    ['1-D 65,536 samples', [65536], [4, 8, 16, 32, 64, 128, 256, 1024, 4096].map((k) => [k])],
    ['1-D 1,024 samples', [1024], [4, 8, 16, 32, 64, 128, 512].map((k) => [k])],
    ['2-D 256x256', [256, 256], [3, 5, 7, 9, 11, 15, 21, 31].map((k) => [k, k])],
    ['2-D 1024x1024', [1024, 1024], [3, 5, 7, 9, 15].map((k) => [k, k])],
    ['3-D 32x32x32', [32, 32, 32], [3, 5, 7].map((k) => [k, k, k])],
  ];
  let worst = 0;
  for (const [name, s1, kernels] of grids) {
    console.log(`\n${name}\n| kernel | direct ms | fft ms | auto ms | auto / best |\n| --- | --: | --: | --: | --: |`);
    let crossover = null;
    for (const s2 of kernels) {
      const a = { data: rand(size(s1), 3), shape: s1 };
      const v = { data: rand(size(s2), 4), shape: s2 };
      const [direct, fft, auto] = race([
        () => wc.convolve(a, v, { mode: 'same', method: 'direct' }),
        () => wc.convolve(a, v, { mode: 'same', method: 'fft' }),
        () => wc.convolve(a, v, { mode: 'same' }),
      ], Math.max(rounds, 5));
      const best = Math.min(direct, fft);
      worst = Math.max(worst, auto / best);
      if (crossover === null && fft < direct) crossover = s2.join('x');
      console.log(`| ${s2.join('x')} | ${direct.toFixed(2)} | ${fft.toFixed(2)} | ${auto.toFixed(2)} | ${(auto / best).toFixed(2)} |`);
    }
    console.log(`FFT faster from kernel ${crossover ?? '(never in this range)'}`);
  }
  console.log(`\nlargest auto / best over the sweep: ${worst.toFixed(2)}`);
}
console.log('\nOn a loaded machine these figures are indicative; compare ratios within one run.');
