/**
 * FFT convolution layers (src/algorithms/fft.ts): conv1d / conv2d / conv3d with
 * `algorithm: 'fft'` against the float64 reference, within the FFT's norm-based error bound (the
 * one tests/fft.test.ts states for convolve / correlate, summed over the input channels), over
 * 1-D, 2-D and 3-D, groups, bias, activations, padding forms and modes, dilation, both layouts,
 * odd and even sizes and sizes around the transform lengths' factors; which convolutions 'auto'
 * sends to it; and the errors when it is forced where it does not apply.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { refConv } from './reference.ts';
import { randomTensor, rng, type Rng } from './helpers.ts';
import { ACTIVATIONS } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const ERROR_C = 2;
const EPS = 2 ** -24;
const SLOW = 60_000;
const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const norm = (d: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] ** 2;
  return Math.sqrt(s);
};
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;
const RUN = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d } as const;
const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };

type Arr = { data: Float32Array; shape: number[] };

/**
 * The bound of tests/fft.test.ts for a sum over input channels: with F the product of the full
 * convolution's sizes, error <= C eps (log2(F) ||x|| ||w|| + max |y|) (Cauchy-Schwarz bounds the
 * sum over channels of ||x_c|| ||w_oc|| by the norms of the whole input and weight).
 */
function expectWithinBound(got: wc.Tensor, x: Arr, w: Arr, options: Record<string, unknown>, label: string): void {
  const want = refConv(x, w, options);
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  const rank = w.shape.length - 2;
  const cl = String(options.layout ?? '').endsWith('C');
  const spatial = cl ? x.shape.slice(1, rank + 1) : x.shape.slice(2);
  const k = w.shape.slice(2);
  const F = spatial.reduce((a, n, i) => a * (n + 2 * k[i]), 1);
  let err = 0, top = 0;
  for (let i = 0; i < want.data.length; i++) {
    top = Math.max(top, Math.abs(want.data[i]));
    const e = Math.abs(got.data[i] - want.data[i]);
    if (!(e <= err)) err = e;
  }
  const bound = ERROR_C * EPS * (Math.max(1, Math.log2(F)) * norm(x.data) * norm(w.data) + top) + 1e-30;
  expect(err / bound, `${label}: max error ${err} vs bound ${bound}`).toBeLessThanOrEqual(1);
}

interface Case { rank: 1 | 2 | 3; x: Arr; w: Arr; options: Record<string, unknown>; label: string }

/** A random case: sizes around the transform lengths' factors, any groups, padding, dilation, bias, activation, layout. */
function randomCase(r: Rng, rank: 1 | 2 | 3): Case {
  const groups = pick(r, [1, 1, 2, 3]);
  const cg = pick(r, [1, 2, 3]), kg = pick(r, [1, 2, 5]);
  const N = pick(r, [1, 2]);
  const sizes = rank === 1 ? [15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129] : rank === 2 ? [7, 8, 9, 15, 16, 17, 24, 25, 27] : [4, 5, 6, 8, 9];
  const spatial = Array.from({ length: rank }, () => pick(r, sizes));
  const kernel = spatial.map((n) => 1 + Math.floor(r() * Math.min(n, rank === 1 ? 40 : 9)));
  const dilation = spatial.map((n, i) => (r() < 0.2 && (kernel[i] - 1) * 2 + 1 <= n ? 2 : 1));
  const options: Record<string, unknown> = { algorithm: 'fft', groups, dilation };
  const mode = pick(r, ['valid', 'same', 'pairs', 'pairs']);
  if (mode === 'pairs') options.padding = spatial.map((n, i) => [Math.floor(r() * kernel[i]), Math.floor(r() * (kernel[i] + 2))]);
  else options.padding = mode;
  const paddingMode = pick(r, ['zeros', 'zeros', 'reflect', 'replicate', 'circular']);
  if (paddingMode !== 'zeros' && mode === 'pairs') {
    options.paddingMode = paddingMode;
    options.padding = (options.padding as number[][]).map(([b, e], i) => [Math.min(b, spatial[i] - 1), Math.min(e, spatial[i] - 1)]);
  }
  if (r() < 0.5) options.flip = true;
  const layout = pick(r, LAYOUTS[rank]);
  options.layout = layout;
  const K = kg * groups, C = cg * groups;
  if (r() < 0.6) options.bias = randomTensor(r, [K]).data;
  const act = pick(r, ACTIVATIONS);
  if (act !== undefined) options.activation = act;
  const x = randomTensor(r, layout.endsWith('C') ? [N, ...spatial, C] : [N, C, ...spatial]);
  const w = randomTensor(r, [K, cg, ...kernel]);
  return { rank, x, w, options, label: `${rank}-D x [${x.shape}] w [${w.shape}] ${JSON.stringify({ ...options, bias: options.bias ? 'yes' : undefined })}` };
}

describe.skipIf(!backendAvailable())(`FFT convolution layers on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  for (const rank of [1, 2, 3] as const) {
    it(`${rank}-D: random cases against the float64 reference within the norm bound`, () => {
      const r = rng(1000 + rank);
      for (let i = 0; i < 40; i++) {
        const c = randomCase(r, rank);
        const plan = CREATE[rank](c.w, c.options as never);
        expect(algorithmOf(plan), c.label).toBe('fft');
        expectWithinBound(plan.run(c.x), c.x, c.w, c.options, c.label);
        // A second run (kept spectra) and one of another size (new spectra) give the reference's result too.
        expectWithinBound(plan.run(c.x), c.x, c.w, c.options, `${c.label} again`);
        plan.dispose();
      }
    }, SLOW);
  }

  it('long kernels: 1-D 255 taps on 4,000 samples and 2-D 31x31 on 64x64 (odd and even lengths)', () => {
    const r = rng(7);
    for (const [x, w, options] of [
      [randomTensor(r, [1, 1, 4000]), randomTensor(r, [4, 1, 255]), { padding: 'same' }],
      [randomTensor(r, [1, 2, 4001]), randomTensor(r, [3, 2, 256]), { bias: [1, 2, 3], activation: 'relu' }],
      [randomTensor(r, [1, 64, 64, 3]), randomTensor(r, [2, 3, 31, 31]), { padding: 15, layout: 'NHWC' }],
      [randomTensor(r, [1, 3, 63, 65]), randomTensor(r, [4, 3, 30, 31]), { paddingMode: 'reflect', padding: [[10, 5], [3, 20]] }],
    ] as const) {
      const rank = (w.shape.length - 2) as 1 | 2;
      const o = { ...options, algorithm: 'fft' } as Record<string, unknown>;
      expectWithinBound(RUN[rank](x, w, o as never), x, w, o, `[${x.shape}] * [${w.shape}]`);
    }
  }, SLOW);

  it('one plan runs inputs of different sizes (new spectra per transform size)', () => {
    const r = rng(11);
    const w = randomTensor(r, [3, 2, 20]);
    const plan = wc.createConv1d(w, { algorithm: 'fft', padding: 'same' });
    for (const n of [50, 81, 50, 128]) {
      const x = randomTensor(r, [2, 2, n]);
      expectWithinBound(plan.run(x), x, w, { padding: 'same' }, `n = ${n}`);
    }
    plan.dispose();
  });

  it('NaN and infinities in the input give the GEMM path\'s result', () => {
    const r = rng(12);
    const w = randomTensor(r, [2, 1, 9, 9]);
    const x = randomTensor(r, [1, 1, 20, 20]);
    x.data[5] = NaN;
    x.data[300] = Infinity;
    const got = wc.conv2d(x, w, { algorithm: 'fft' });
    const want = wc.conv2d(x, w, { algorithm: 'gemm' });
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
  });

  it("'auto' takes the FFT for long kernels, not for a 3x3 or small 1-D kernels", () => {
    const r = rng(13);
    const auto = (w: Arr, o: Record<string, unknown> = {}, input?: number[]) => {
      const rank = (w.shape.length - 2) as 1 | 2 | 3;
      const plan = CREATE[rank](w, o as never);
      const a = algorithmOf(plan, input);
      plan.dispose();
      return a;
    };
    expect(auto(randomTensor(r, [16, 2, 255]), { padding: 'same' }, [1, 2, 16384])).toBe('fft');
    expect(auto(randomTensor(r, [8, 3, 31, 31]), { padding: 'same' }, [1, 3, 256, 256])).toBe('fft');
    expect(auto(randomTensor(r, [4, 4, 7, 7, 7]), { padding: 'same' }, [1, 4, 32, 32, 32])).toBe('fft');
    // The run's cost model: a long kernel over an input hardly longer (few outputs) stays on the GEMM.
    expect(auto(randomTensor(r, [8, 3, 31, 31]), {}, [1, 3, 33, 33])).toBe('gemm');
    // Depthwise convolutions keep their direct kernel.
    expect(auto(randomTensor(r, [16, 1, 255]))).toBe('depthwise');
    expect(auto(randomTensor(r, [8, 3, 3, 3]))).not.toBe('fft');
    expect(auto(randomTensor(r, [8, 3, 9]))).not.toBe('fft');
    expect(auto(randomTensor(r, [8, 3, 3, 3, 3]))).not.toBe('fft');
    expect(auto(randomTensor(r, [16, 1, 255]), { stride: 2 })).not.toBe('fft');
  });

  it("'auto' never takes it for the suite's workloads (bench/workloads.json)", () => {
    const { workloads } = JSON.parse(readFileSync(new URL('../bench/workloads.json', import.meta.url), 'utf8')) as {
      workloads: { id: string; op: string; cin: number; cout: number; in: number[]; k: number[]; stride: number[]; pad: number[]; dilation: number[]; groups: number }[];
    };
    let checked = 0;
    for (const w of workloads.filter((x) => x.op === 'conv')) {
      const rank = w.k.length as 1 | 2 | 3;
      const weight = { data: new Float32Array(w.cout * (w.cin / w.groups) * w.k.reduce((a, b) => a * b, 1)), shape: [w.cout, w.cin / w.groups, ...w.k] };
      const plan = CREATE[rank](weight, { stride: w.stride, padding: w.pad, dilation: w.dilation, groups: w.groups } as never);
      expect(algorithmOf(plan, [1, w.cin, ...w.in]), w.id).not.toBe('fft');
      plan.dispose();
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("algorithm: 'fft' with a stride above 1 is a RangeError saying what it needs", () => {
    const w = randomTensor(rng(14), [2, 1, 5, 5]);
    expect(() => wc.createConv2d(w, { algorithm: 'fft', stride: 2 })).toThrow(RangeError);
    expect(() => wc.createConv2d(w, { algorithm: 'fft', stride: [1, 2] })).toThrow(/createConv2d: option 'algorithm' 'fft' .* needs stride 1 .*got .*stride \[1, 2\]/);
    const inf = randomTensor(rng(15), [2, 1, 9]);
    inf.data[3] = Infinity;
    expect(() => wc.createConv1d(inf, { algorithm: 'fft' })).toThrow(/finite weights.*got .*weights with NaN or infinities/);
  });

  it('workspaceBytes counts the spectra', () => {
    const plan = wc.createConv2d(randomTensor(rng(16), [4, 3, 15, 15]), { algorithm: 'fft' });
    expect(plan.workspaceBytes([1, 3, 64, 64])).toBeGreaterThan(4 * 3 * 4 * 64 * 33 * 2);
    plan.dispose();
  });
});
