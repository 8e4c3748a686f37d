/**
 * FFT convolution (`method: 'fft'`, overlap-add, 'auto', createConvolve / createCorrelate) against
 * the float64 reference, with the stated error bound (README, "Accuracy of the FFT method"):
 *
 *   max |y - y_ref| <= C * eps * (log2(F) * ||x||_2 * ||h||_2 + max |y_ref|),   eps = 2^-24, C = ERROR_C,
 *
 * F the number of values of the full result (the product of n1 + n2 - 1 over the axes), x the
 * signal (minus the fill value), h the kernel; the last term is the rounding of the result to
 * float32. The bound is in norms, not in max |y| alone: with a large
 * DC offset and a zero-sum kernel, y is near 0 while the rounding of the transforms is not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as wc from '../src/index.ts';
import { refSignal } from './reference.ts';
import { randomTensor, rng } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type Arr = { data: Float32Array; shape: number[] };
type Kind = 'convolve' | 'correlate';

/**
 * Measured over every case here on the three backends: the error reached 0.93 of the bound with C = 1
 * (a 2-sample case with a fill value, where the two float32 roundings of the fill's shift dominate)
 * and at most 0.02 of it on the long transforms (2^20 samples, overlap-add, adversarial data).
 */
const ERROR_C = 2;
const EPS = 2 ** -24;

const fn = (k: Kind) => (k === 'convolve' ? wc.convolve : wc.correlate);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const norm = (d: ArrayLike<number>, shift = 0) => {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += (d[i] - shift) ** 2;
  return Math.sqrt(s);
};

let worst = 0;
let worstCase = '';

/** Asserts the error bound; returns the error as a fraction of the bound. */
function expectWithinBound(got: wc.Tensor, want: { data: ArrayLike<number>; shape: number[] }, x: Arr, h: Arr, label: string, fill = 0): number {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  const F = size(x.shape.map((n, i) => n + h.shape[i] - 1));
  let err = 0, top = 0;
  for (let i = 0; i < want.data.length; i++) top = Math.max(top, Math.abs(want.data[i]));
  for (let i = 0; i < want.data.length; i++) {
    const e = Math.abs(got.data[i] - want.data[i]);
    if (!(e <= err)) err = e; // NaN propagates into err
  }
  const bound = ERROR_C * EPS * (Math.max(1, Math.log2(F)) * norm(x.data, fill) * norm(h.data) + top) + 1e-30;
  const ratio = err / bound;
  if (ratio > worst) {
    worst = ratio;
    worstCase = label;
  }
  expect(ratio, `${label}: max error ${err} vs bound ${bound}`).toBeLessThanOrEqual(1);
  return ratio;
}

/** Full convolution of a signal with a sparse kernel, in float64: sum of shifted copies. */
function sparseConvolve(x: Float32Array, taps: Array<[number, number]>, k: number): Float64Array {
  const y = new Float64Array(x.length + k - 1);
  for (const [at, w] of taps) for (let i = 0; i < x.length; i++) y[i + at] += w * x[i];
  return y;
}

describe.skipIf(!backendAvailable())(`FFT convolution on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('every mode, kind and rank against the float64 reference, odd and even sizes, fill values', () => {
    const r = rng(1301);
    const shapes: Array<[number[], number[]]> = [
      [[1], [1]], [[2], [1]], [[7], [3]], [[100], [17]], [[257], [256]], [[1000], [999]], [[3000], [40]], [[9], [30]],
      [[5, 6], [2, 3]], [[33, 20], [7, 9]], [[2, 50], [1, 7]], [[17, 1], [4, 1]], [[3, 3], [5, 4]],
      [[4, 5, 6], [2, 3, 2]], [[6, 1, 9], [3, 1, 4]], [[7, 8, 9], [7, 8, 9]],
    ];
    let count = 0;
    for (const [s1, s2] of shapes) {
      const x = randomTensor(r, s1), h = randomTensor(r, s2);
      for (const kind of ['convolve', 'correlate'] as const) {
        for (const mode of ['full', 'same', 'valid'] as const) {
          for (const fillValue of [0, 1.5]) {
            const label = `${kind} ${mode} [${s1}] [${s2}] fill ${fillValue}`;
            const validSwap = mode === 'valid' && s1.some((n, i) => n < s2[i]);
            if (validSwap && s2.some((n, i) => n < s1[i])) continue;
            const got = fn(kind)(x, h, { mode, method: 'fft', fillValue });
            const want = refSignal(kind, x, h, mode, 'fill', fillValue);
            if (validSwap) expectWithinBound(got, want, h, x, label, fillValue);
            else expectWithinBound(got, want, x, h, label, fillValue);
            count++;
          }
        }
      }
    }
    expect(count).toBeGreaterThan(150);
  });

  it("overlap-add (a 1-D signal much longer than its kernel) matches the reference in every mode", () => {
    const r = rng(1302);
    for (const [n, k] of [[20000, 33], [50000, 100], [7777, 64]]) {
      const x = randomTensor(r, [n]), h = randomTensor(r, [k]);
      for (const kind of ['convolve', 'correlate'] as const) {
        for (const mode of ['full', 'same', 'valid'] as const) {
          const got = fn(kind)(x, h, { mode, method: 'fft' });
          expectWithinBound(got, refSignal(kind, x, h, mode), x, h, `overlap-add ${kind} ${mode} ${n}x${k}`);
        }
      }
    }
  });

  it('adversarial data: a large DC offset with a zero-sum kernel, impulses, both signs', () => {
    const r = rng(1303);
    // DC offset 1000 with small noise; kernel [1, -1] repeated (sums to 0): y is small, x is not
    const n = 30000;
    const dc = { data: Float32Array.from({ length: n }, () => 1000 + (r() - 0.5) * 1e-2), shape: [n] };
    const diff = { data: Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? -1 : 1)), shape: [64] };
    for (const mode of ['full', 'same', 'valid'] as const) {
      expectWithinBound(wc.convolve(dc, diff, { mode, method: 'fft' }), refSignal('convolve', dc, diff, mode), dc, diff, `DC offset ${mode}`);
    }
    // impulses of both signs and very different sizes in a zero signal
    const imp = new Float32Array(5000);
    imp[0] = 1e4; imp[1234] = -3; imp[4999] = 1e-3; imp[2500] = -1e4;
    const x = { data: imp, shape: [5000] };
    const h = randomTensor(r, [777]);
    for (const kind of ['convolve', 'correlate'] as const) {
      expectWithinBound(fn(kind)(x, h, { method: 'fft' }), refSignal(kind, x, h), x, h, `impulses ${kind}`);
    }
    // an impulse as the kernel: the result is the signal, shifted
    const sig = randomTensor(r, [4096]);
    const delta = { data: new Float32Array(100), shape: [100] };
    delta.data[37] = 1;
    const y = wc.convolve(sig, delta, { method: 'fft' });
    for (let i = 0; i < 4096; i += 97) expect(Math.abs(y.data[i + 37] - sig.data[i])).toBeLessThan(1e-5);
    // 2-D: offset image, kernel of both signs
    const img = { data: Float32Array.from({ length: 64 * 64 }, () => 500 + (r() - 0.5)), shape: [64, 64] };
    const k2 = randomTensor(r, [9, 9]);
    expectWithinBound(wc.correlate(img, k2, { mode: 'same', method: 'fft' }), refSignal('correlate', img, k2, 'same'), img, k2, '2-D offset');
  });

  it('a long transform: 2^20 samples with a sparse 2^19-tap kernel (about 1.5 M points)', () => {
    const r = rng(1304);
    const n = 2 ** 20, k = 2 ** 19;
    const x = randomTensor(r, [n]);
    const taps: Array<[number, number]> = [[0, 0.5], [1, -1], [4095, 2], [77777, -0.25], [k - 1, 1]];
    const h = { data: new Float32Array(k), shape: [k] };
    for (const [at, w] of taps) h.data[at] = w;
    const got = wc.convolve(x, h, { method: 'fft' });
    const want = { data: sparseConvolve(x.data, taps, k), shape: [n + k - 1] };
    const ratio = expectWithinBound(got, want, x, h, '2^20 x 2^19');
    expect(ratio).toBeLessThan(1);
  });

  it("'auto' picks 'direct' for small kernels (exact) and the FFT for long ones", () => {
    const a = { data: [1, 2, 3], shape: [3] }, v = { data: [0, 1, 0.5], shape: [3] };
    expect(Array.from(wc.convolve(a, v).data)).toEqual([0, 1, 2.5, 4, 1.5]);
    expect(wc.createConvolve(v, { shape: [3] }).method).toBe('direct');
    expect(wc.createConvolve({ data: new Float32Array(4096).fill(1), shape: [4096] }, { shape: [65536] }).method).toBe('fft');
    expect(wc.createConvolve({ data: new Float32Array(31 * 31).fill(1), shape: [31, 31] }, { shape: [256, 256] }).method).toBe('fft');
    // other boundaries go to 'direct'
    expect(wc.createConvolve({ data: new Float32Array(4096).fill(1), shape: [4096] }, { shape: [65536], boundary: 'wrap' }).method).toBe('direct');
    // 'direct' stays exact on integers where the FFT rounds
    const big = { data: Float32Array.from({ length: 3000 }, (_, i) => (i * 7) % 13 - 6), shape: [3000] };
    const ker = { data: Float32Array.from({ length: 500 }, (_, i) => (i * 5) % 11 - 5), shape: [500] };
    const exact = wc.convolve(big, ker, { method: 'direct' });
    const want = refSignal('convolve', big, ker);
    expect(Array.from(exact.data)).toEqual(Array.from(want.data));
  });

  it('createConvolve / createCorrelate: the same results as the one-off calls, one or many channels', () => {
    const r = rng(1305);
    for (const method of ['fft', 'direct', 'auto'] as const) {
      for (const [shape, ks] of [[[3000], [200]], [[40, 30], [7, 5]], [[6, 7, 8], [3, 2, 3]]] as number[][][]) {
        const h = randomTensor(r, ks);
        for (const kind of ['convolve', 'correlate'] as const) {
          const plan = (kind === 'convolve' ? wc.createConvolve : wc.createCorrelate)(h, { shape, mode: 'same', method });
          expect(plan.outputShape).toEqual(shape);
          const channels = 3;
          const batch = randomTensor(r, [channels, ...shape]);
          const y = plan.run(batch);
          expect(y.shape).toEqual([channels, ...shape]);
          for (let c = 0; c < channels; c++) {
            const xc = { data: batch.data.slice(c * size(shape), (c + 1) * size(shape)), shape };
            const one = plan.run(xc);
            const want = refSignal(kind, xc, h, 'same');
            expectWithinBound(one, want, xc, h, `${kind} plan ${method} [${shape}]`);
            expect(Array.from(y.data.subarray(c * size(shape), (c + 1) * size(shape)))).toEqual(Array.from(one.data));
          }
          plan.dispose();
          expect(() => plan.run({ data: new Float32Array(size(shape)), shape })).toThrow(/disposed/);
        }
      }
    }
  });

  it('createConvolveStream / createCorrelateStream: blocks of any length give the full result', () => {
    const r = rng(1307);
    for (const [k, blocks] of [[1, [5, 1, 7]], [9, [3, 1, 20, 2, 8]], [300, [1000, 1000, 17, 1000, 1]], [1500, [2048, 2048, 1000]]] as Array<[number, number[]]>) {
      const h = randomTensor(r, [k]);
      const total = blocks.reduce((a, b) => a + b, 0);
      const x = randomTensor(r, [total]);
      for (const kind of ['convolve', 'correlate'] as const) {
        const want = refSignal(kind, x, h);
        for (const method of ['auto', 'direct', 'fft'] as const) {
          const stream = (kind === 'convolve' ? wc.createConvolveStream : wc.createCorrelateStream)(h, { method });
          const parts: number[] = [];
          let at = 0;
          for (const m of blocks) {
            const y = stream.push(x.data.subarray(at, at + m));
            expect(y.length).toBe(m);
            parts.push(...y);
            at += m;
          }
          parts.push(...stream.flush());
          const got = { data: Float32Array.from(parts), shape: [parts.length] };
          expectWithinBound(got, want, x, h, `stream ${kind} ${method} k=${k} [${blocks}]`);
          // after flush the stream starts anew
          const first = stream.push([1]);
          expect(first.length).toBe(1);
          expect(first[0]).toBeCloseTo(kind === 'convolve' ? h.data[0] : h.data[k - 1], 6);
          stream.dispose();
          expect(() => stream.push([1])).toThrow(/disposed/);
        }
      }
    }
    expect(() => wc.createConvolveStream({ data: [1, 2, 3, 4], shape: [2, 2] })).toThrow(/must be 1-D/);
    expect(() => wc.createConvolveStream({ data: [1], shape: [1] }, { mode: 'same' } as never)).toThrow(/unknown option 'mode'/);
    expect(() => wc.createConvolveStream({ data: [1], shape: [1] }).push(null as never)).toThrow(TypeError);
  });

  it('property: random sizes, ranks, kinds and modes within the bound (fast-check)', () => {
    const arb = fc.record({
      rank: fc.integer({ min: 1, max: 3 }),
      n: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 3, maxLength: 3 }),
      k: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 3, maxLength: 3 }),
      kind: fc.constantFrom<Kind>('convolve', 'correlate'),
      mode: fc.constantFrom('full', 'same', 'valid' as const),
      long: fc.boolean(),
      seed: fc.integer(),
    });
    fc.assert(fc.property(arb, ({ rank, n, k, kind, mode, long, seed }) => {
      const r = rng(seed);
      // 1-D cases up to 3000 x 300, 2-D up to 40^2 x 12^2, 3-D up to 12^3 x 6^3
      const s1 = n.slice(0, rank).map((v) => (rank === 1 ? v * (long ? 75 : 1) : rank === 3 ? Math.ceil(v / 3.4) : v));
      let s2 = k.slice(0, rank).map((v) => (rank === 1 ? v * (long ? 25 : 1) : rank === 3 ? Math.ceil(v / 2) : v));
      if (mode === 'valid') s2 = s2.map((v, i) => Math.min(v, s1[i]));
      const x = randomTensor(r, s1), h = randomTensor(r, s2);
      const got = fn(kind)(x, h, { mode, method: 'fft' });
      expectWithinBound(got, refSignal(kind, x, h, mode), x, h, `${kind} ${mode} [${s1}] [${s2}]`);
    }), { numRuns: 60, seed: 1306 });
  });

  it('errors: fft with wrap / symm, bad method, plan shapes and signals', () => {
    const v = { data: [1, 2, 3], shape: [3] };
    expect(() => wc.convolve(v, v, { method: 'fft', boundary: 'wrap' })).toThrow(RangeError);
    expect(() => wc.convolve(v, v, { method: 'fft', boundary: 'symm' })).toThrow(/boundary 'fill' only/);
    expect(() => wc.correlate(v, v, { method: 'fast' } as never)).toThrow(/option 'method' must be 'auto', 'direct' or 'fft', got 'fast'/);
    expect(() => wc.createConvolve(v, undefined as never)).toThrow(TypeError);
    expect(() => wc.createConvolve(v, { shape: [2, 2] })).toThrow(/option 'shape' must be an array of 1 positive integers/);
    expect(() => wc.createConvolve(v, { shape: [0] })).toThrow(TypeError);
    expect(() => wc.createConvolve(v, { shape: [2], mode: 'valid' })).toThrow(/at least as large as the kernel/);
    const plan = wc.createCorrelate(v, { shape: [5], method: 'fft' });
    expect(() => plan.run({ data: [1, 2, 3, 4], shape: [4] })).toThrow(/must have shape \[5\] or \[channels, 5\]/);
    expect(() => plan.run({ data: [1, 2, 3, 4, 5], shape: [1, 1, 5] })).toThrow(RangeError);
    expect(() => plan.run({ data: [1, 2, 3, 4], shape: [5] })).toThrow(/5 elements/);
    expect(Array.from(plan.run({ data: [1, 0, 0, 0, 0], shape: [5] }).data).map((e) => Math.round(e * 1e4) / 1e4)).toEqual([3, 2, 1, 0, 0, 0, 0]);
    plan.dispose();
    plan.dispose();
  });

  it('reports the largest error seen, as a fraction of the bound', () => {
    console.log(`[fft accuracy] ${BACKEND}: largest error / bound (C = ${ERROR_C}) = ${worst.toFixed(4)} (${worstCase})`);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(1);
  });
});
