/**
 * `convolve` and `correlate` (scipy.signal semantics): small worked examples of every mode
 * ('full', 'same', 'valid') and 2-D boundary ('fill' with fillValue, 'wrap', 'symm') in 1-D,
 * 2-D and 3-D, the 'valid' swap rule, even-length kernels in 'same', random comparisons with the
 * float64 reference, and the errors.
 *
 * The 'same' rule (src/ops/signal.ts): the part of 'full' of the size of in1 that starts at
 * floor((n2 - 1) / 2) for convolve and at floor(n2 / 2) for correlate on each axis, as
 * scipy.signal.convolve2d / correlate2d. The two differ only for even n2; for those,
 * scipy.signal.correlate (n-D) starts one position earlier than correlate2d.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refSignal } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type Arr = { data: ArrayLike<number>; shape: number[] };
type Kind = 'convolve' | 'correlate';
type Mode = wc.SignalMode;
type Boundary = wc.SignalBoundary;

const fn = (k: Kind) => (k === 'convolve' ? wc.convolve : wc.correlate);
const a1 = (...v: number[]): Arr => ({ data: v, shape: [v.length] });
const a2 = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0].length] });
const list = (t: { data: ArrayLike<number> }) => Array.from(t.data);

/** Asserts an exact result (small integers and halves are exact in float32). */
function expectExact(got: wc.Tensor, shape: number[], data: number[], label: string): void {
  expect(got.shape, `${label} shape`).toEqual(shape);
  expect(list(got), label).toEqual(data);
}

/** The part of `t` starting at `start` with shape `shape` (row-major, 1 to 3 axes). */
function slice(t: { data: ArrayLike<number>; shape: number[] }, start: number[], shape: number[]): { data: Float32Array; shape: number[] } {
  const pad = (a: number[], f: number) => [...new Array(3 - a.length).fill(f), ...a];
  const [, S1, S2] = pad(t.shape, 1);
  const [b0, b1, b2] = pad(start, 0);
  const [n0, n1, n2] = pad(shape, 1);
  const out = new Float32Array(n0 * n1 * n2);
  let o = 0;
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) out[o++] = t.data[((b0 + i) * S1 + b1 + j) * S2 + b2 + k];
  return { data: out, shape: [...shape] };
}

/** Where 'same' starts in 'full' along an axis with a kernel of length k. */
const sameStart = (kind: Kind, k: number) => (kind === 'convolve' ? Math.floor((k - 1) / 2) : Math.floor(k / 2));

describe.skipIf(!backendAvailable())(`convolve / correlate on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('1-D, every mode: [1, 2, 3] with [0, 1, 0.5]', () => {
    // convolve full: y[m] = sum_j a[m - j] v[j]
    const a = a1(1, 2, 3), v = a1(0, 1, 0.5);
    expectExact(wc.convolve(a, v), [5], [0, 1, 2.5, 4, 1.5], 'convolve full (the default)');
    expectExact(wc.convolve(a, v, { mode: 'full' }), [5], [0, 1, 2.5, 4, 1.5], 'convolve full');
    expectExact(wc.convolve(a, v, { mode: 'same' }), [3], [1, 2.5, 4], 'convolve same');
    expectExact(wc.convolve(a, v, { mode: 'valid' }), [1], [2.5], 'convolve valid');
    // correlate full: y[m] = sum_j a[m - 2 + j] v[j]
    expectExact(wc.correlate(a, v), [5], [0.5, 2, 3.5, 3, 0], 'correlate full');
    expectExact(wc.correlate(a, v, { mode: 'same' }), [3], [2, 3.5, 3], 'correlate same');
    expectExact(wc.correlate(a, v, { mode: 'valid' }), [1], [3.5], 'correlate valid');
    // convolution is commutative in 'full'
    expectExact(wc.convolve(v, a), [5], [0, 1, 2.5, 4, 1.5], 'convolve full swapped');
  });

  it("'valid' with the second array the larger: the arrays swap (correlate is then reversed)", () => {
    const small = a1(0, 1, 0.5), big = a1(1, 2, 3, 4);
    expectExact(wc.convolve(big, small, { mode: 'valid' }), [2], [2.5, 4], 'convolve(big, small)');
    expectExact(wc.convolve(small, big, { mode: 'valid' }), [2], [2.5, 4], 'convolve(small, big)');
    expectExact(wc.correlate(big, small, { mode: 'valid' }), [2], [3.5, 5], 'correlate(big, small)');
    expectExact(wc.correlate(small, big, { mode: 'valid' }), [2], [5, 3.5], 'correlate(small, big) = reversed');
    // 2-D: correlate2d([[1, 2], [3, 4]], 1..9 as 3x3, 'valid') is correlate2d(B, A) reversed on both axes
    const A = a2([[1, 2], [3, 4]]), B = a2([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expectExact(wc.correlate(B, A, { mode: 'valid' }), [2, 2], [37, 47, 67, 77], 'correlate2d(B, A)');
    expectExact(wc.correlate(A, B, { mode: 'valid' }), [2, 2], [77, 67, 47, 37], 'correlate2d(A, B)');
    expectExact(wc.convolve(A, B, { mode: 'valid' }), [2, 2], [23, 33, 53, 63], 'convolve2d(A, B)');
    // 3-D: a single value against a 2x2x2 array
    const c = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2] };
    expectExact(wc.correlate({ data: [1], shape: [1, 1, 1] }, c, { mode: 'valid' }), [2, 2, 2], [8, 7, 6, 5, 4, 3, 2, 1], '3-D correlate swap');
    expectExact(wc.convolve({ data: [1], shape: [1, 1, 1] }, c, { mode: 'valid' }), [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8], '3-D convolve swap');
    // equal sizes: one output value, no swap needed
    expectExact(wc.correlate(a1(1, 2), a1(3, 4), { mode: 'valid' }), [1], [11], 'equal sizes');
  });

  it("even-length kernels in 'same': convolve starts at floor((n2 - 1) / 2) of 'full', correlate at floor(n2 / 2)", () => {
    const a = a1(1, 2, 3, 4, 5);
    // kernel [1, 10]: full convolve [1, 12, 23, 34, 45, 50], full correlate [10, 21, 32, 43, 54, 5]
    expectExact(wc.convolve(a, a1(1, 10), { mode: 'same' }), [5], [1, 12, 23, 34, 45], 'convolve k=2: from 0');
    expectExact(wc.correlate(a, a1(1, 10), { mode: 'same' }), [5], [21, 32, 43, 54, 5], 'correlate k=2: from 1');
    // kernel [1, 2, 3, 4]: full convolve [1, 4, 10, 20, 30, 34, 31, 20], full correlate
    // [4, 11, 20, 30, 40, 26, 14, 5]
    const v = a1(1, 2, 3, 4);
    expectExact(wc.convolve(a, v), [8], [1, 4, 10, 20, 30, 34, 31, 20], 'convolve full k=4');
    expectExact(wc.correlate(a, v), [8], [4, 11, 20, 30, 40, 26, 14, 5], 'correlate full k=4');
    expectExact(wc.convolve(a, v, { mode: 'same' }), [5], [4, 10, 20, 30, 34], 'convolve same k=4: from 1');
    expectExact(wc.correlate(a, v, { mode: 'same' }), [5], [20, 30, 40, 26, 14], 'correlate same k=4: from 2');
    // odd kernels: both start at (n2 - 1) / 2
    expectExact(wc.correlate(a, a1(1, 0, 2), { mode: 'same' }), [5], [4, 7, 10, 13, 4], 'correlate same k=3: from 1');
    // kernel longer than the input: 'same' still has the input's size
    expectExact(wc.convolve(a1(1, 2), a1(1, 1, 1, 1), { mode: 'same' }), [2], [3, 3], 'convolve same, long kernel');
    // full correlate of [1, 2] with [1, 2, 3, 4] is [4, 11, 8, 5, 2]
    expectExact(wc.correlate(a1(1, 2), v, { mode: 'same' }), [2], [8, 5], 'correlate same, long kernel');
    // 2-D even kernel 2x2, 'same' = full[0:3, 0:3] with each boundary
    const A = a2([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), K = a2([[1, 2], [3, 4]]);
    expectExact(wc.convolve(A, K, { mode: 'same', fillValue: 2 }), [3, 3], [19, 18, 21, 19, 23, 33, 31, 53, 63], 'fill 2');
    expectExact(wc.convolve(A, K, { mode: 'same', boundary: 'wrap' }), [3, 3], [64, 56, 66, 31, 23, 33, 61, 53, 63], 'wrap');
    expectExact(wc.convolve(A, K, { mode: 'same', boundary: 'symm' }), [3, 3], [10, 14, 24, 19, 23, 33, 49, 53, 63], 'symm');
    // correlate with an even 2-D kernel: 'same' is the bottom-right 3x3 of the 4x4 'full'
    for (const boundary of ['fill', 'wrap', 'symm'] as const) {
      const full = wc.correlate(A, K, { boundary, fillValue: -1 });
      const same = wc.correlate(A, K, { mode: 'same', boundary, fillValue: -1 });
      expectExact(same, [3, 3], list(slice(full, [1, 1], [3, 3])), `correlate same ${boundary}`);
      const cfull = wc.convolve(A, K, { boundary, fillValue: -1 });
      const csame = wc.convolve(A, K, { mode: 'same', boundary, fillValue: -1 });
      expectExact(csame, [3, 3], list(slice(cfull, [0, 0], [3, 3])), `convolve same ${boundary}`);
    }
    // and every mixed shape: 'same' = 'full' from the start of each axis
    const B = a2([[1, -2, 3, 0, 5], [2, 2, -1, 4, 1], [0, 3, 1, -3, 2], [4, -1, 0, 2, 1]]);
    for (const kind of ['convolve', 'correlate'] as const) {
      for (const ks of [[1, 2], [2, 1], [2, 3], [3, 4], [4, 4], [5, 6]]) {
        const Kk = { data: Array.from({ length: ks[0] * ks[1] }, (_, i) => ((i * 7) % 5) - 2), shape: ks };
        for (const boundary of ['fill', 'wrap', 'symm'] as const) {
          const full = fn(kind)(B, Kk, { boundary, fillValue: 3 });
          const same = fn(kind)(B, Kk, { mode: 'same', boundary, fillValue: 3 });
          expectExact(same, [4, 5], list(slice(full, ks.map((k) => sameStart(kind, k)), [4, 5])), `${kind} same ${ks} ${boundary}`);
        }
      }
    }
  });

  describe('2-D boundaries (as scipy.signal.convolve2d / correlate2d), 1..9 as 3x3 with [[0, 1, 0], [2, 0, 0], [0, 0, -1]]', () => {
    const A = a2([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const K = a2([[0, 1, 0], [2, 0, 0], [0, 0, -1]]);
    const table: Array<[Kind, Boundary, Mode, number[][]]> = [
      ['convolve', 'fill', 'full', [[4, 3, 4, 5, 4], [2, 6, 9, 8, 4], [8, 15, 19, 11, 3], [14, 16, 16, 1, 0], [4, 4, -1, -2, -3]]],
      ['convolve', 'fill', 'same', [[6, 9, 8], [15, 19, 11], [16, 16, 1]]],
      ['convolve', 'fill', 'valid', [[19]]],
      ['correlate', 'fill', 'full', [[5, 4, 3, 4, 4], [2, 1, -2, 4, 6], [-1, -3, 1, 11, 12], [4, 6, 17, 20, 18], [4, 9, 10, 11, 4]]],
      ['correlate', 'fill', 'same', [[1, -2, 4], [-3, 1, 11], [6, 17, 20]]],
      ['correlate', 'fill', 'valid', [[1]]],
      ['convolve', 'wrap', 'full', [[12, 11, 16, 12, 11], [0, -1, 4, 0, -1], [15, 14, 19, 15, 14], [12, 11, 16, 12, 11], [0, -1, 4, 0, -1]]],
      ['convolve', 'wrap', 'same', [[-1, 4, 0], [14, 19, 15], [11, 16, 12]]],
      ['convolve', 'wrap', 'valid', [[19]]],
      ['correlate', 'wrap', 'full', [[21, 20, 16, 21, 20], [9, 8, 4, 9, 8], [6, 5, 1, 6, 5], [21, 20, 16, 21, 20], [9, 8, 4, 9, 8]]],
      ['correlate', 'wrap', 'same', [[8, 4, 9], [5, 1, 6], [20, 16, 21]]],
      ['correlate', 'wrap', 'valid', [[1]]],
      ['convolve', 'symm', 'full', [[-2, 1, 4, 4, 1], [4, 7, 10, 10, 7], [13, 16, 19, 19, 16], [16, 19, 22, 22, 19], [10, 13, 16, 16, 13]]],
      ['convolve', 'symm', 'same', [[7, 10, 10], [16, 19, 19], [19, 22, 22]]],
      ['convolve', 'symm', 'valid', [[19]]],
      ['correlate', 'symm', 'full', [[7, 4, 4, 7, 10], [1, -2, -2, 1, 4], [4, 1, 1, 4, 7], [13, 10, 10, 13, 16], [19, 16, 16, 19, 22]]],
      ['correlate', 'symm', 'same', [[-2, -2, 1], [1, 1, 4], [10, 10, 13]]],
      ['correlate', 'symm', 'valid', [[1]]],
    ];
    for (const [kind, boundary, mode, rows] of table) {
      it(`${kind} boundary '${boundary}' mode '${mode}'${boundary === 'fill' ? ' fillValue 2' : ''}`, () => {
        const got = fn(kind)(A, K, { mode, boundary, fillValue: 2 });
        expectExact(got, [rows.length, rows[0].length], rows.flat(), `${kind} ${boundary} ${mode}`);
      });
    }

    it('worked by hand: the centre of every mode is 19 (convolve) and 1 (correlate)', () => {
      // convolve: the flipped kernel [[-1, 0, 0], [0, 0, 2], [0, 1, 0]] over A: -1*1 + 2*6 + 1*8 = 19
      // correlate: 1*2 + 2*4 - 1*9 = 1
      for (const mode of ['full', 'same', 'valid'] as const) {
        const c = wc.convolve(A, K, { mode });
        const r = wc.correlate(A, K, { mode });
        const centre = (t: wc.Tensor) => t.data[Math.floor(t.shape[0] / 2) * t.shape[1] + Math.floor(t.shape[1] / 2)];
        expect(centre(c)).toBe(19);
        expect(centre(r)).toBe(1);
      }
      // fill value 0 is the default; the corner of 'full' sees only A[0][0] times K[0][0] = 0
      expect(wc.convolve(A, K).data[0]).toBe(0);
      expect(wc.convolve(A, K, { fillValue: 2 }).data[0]).toBe(4); // 2 * (1 + 2 - 1): every other tap reads the fill
    });

    it('a kernel larger than the input with wrap and symm boundaries', () => {
      const S = a2([[1, 2], [3, 4]]), B = a2([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
      expectExact(wc.convolve(S, B, { mode: 'same', boundary: 'wrap' }), [2, 2], [135, 120, 105, 90], 'wrap same');
      expectExact(wc.convolve(S, B, { boundary: 'symm' }), [4, 4], [111, 105, 120, 126, 75, 69, 84, 90, 105, 99, 114, 120, 141, 135, 150, 156], 'symm full');
    });
  });

  it('3-D, every mode: 1..8 as 2x2x2 with [1, -1] along the first axis', () => {
    const a = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2] };
    const k = { data: [1, -1], shape: [2, 1, 1] };
    // convolve: the first slab, then the difference (5 - 1 = 4 everywhere), then minus the second slab
    expectExact(wc.convolve(a, k), [3, 2, 2], [1, 2, 3, 4, 4, 4, 4, 4, -5, -6, -7, -8], 'convolve full');
    expectExact(wc.correlate(a, k), [3, 2, 2], [-1, -2, -3, -4, -4, -4, -4, -4, 5, 6, 7, 8], 'correlate full');
    expectExact(wc.convolve(a, k, { mode: 'same' }), [2, 2, 2], [1, 2, 3, 4, 4, 4, 4, 4], 'convolve same');
    expectExact(wc.correlate(a, k, { mode: 'same' }), [2, 2, 2], [-4, -4, -4, -4, 5, 6, 7, 8], 'correlate same (from 1 of full)');
    expectExact(wc.correlate(a, k, { mode: 'valid' }), [1, 2, 2], [-4, -4, -4, -4], 'correlate valid');
    expectExact(wc.convolve(a, k, { mode: 'valid' }), [1, 2, 2], [4, 4, 4, 4], 'convolve valid');
    // boundaries in 3-D: wrap makes the first slab of 'full' [1 - 5, ...] = -4, symm [1 - 1, ...] = 0
    expectExact(wc.convolve(a, k, { boundary: 'wrap' }), [3, 2, 2], [-4, -4, -4, -4, 4, 4, 4, 4, -4, -4, -4, -4], 'convolve wrap');
    expectExact(wc.convolve(a, k, { boundary: 'symm' }), [3, 2, 2], [0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0], 'convolve symm');
    expectExact(wc.convolve(a, k, { fillValue: 10 }), [3, 2, 2], [-9, -8, -7, -6, 4, 4, 4, 4, 5, 4, 3, 2], 'convolve fill 10');
    expectExact(wc.correlate(a, { data: [2], shape: [1, 1, 1] }, { mode: 'valid' }), [2, 2, 2], [2, 4, 6, 8, 10, 12, 14, 16], 'scale');
  });

  it('1-D boundaries: wrap and symm extend the signal periodically and by mirroring', () => {
    const a = a1(1, 2, 3);
    // extended by 2 on each side: wrap [2, 3, | 1, 2, 3 | 1, 2], symm [2, 1, | 1, 2, 3 | 3, 2]
    expectExact(wc.correlate(a, a1(1, 0, 0), { boundary: 'wrap' }), [5], [2, 3, 1, 2, 3], 'wrap: reads the left extension');
    expectExact(wc.correlate(a, a1(0, 0, 1), { boundary: 'wrap' }), [5], [1, 2, 3, 1, 2], 'wrap: reads the right extension');
    expectExact(wc.correlate(a, a1(1, 0, 0), { boundary: 'symm' }), [5], [2, 1, 1, 2, 3], 'symm left');
    expectExact(wc.correlate(a, a1(0, 0, 1), { boundary: 'symm' }), [5], [1, 2, 3, 3, 2], 'symm right');
    expectExact(wc.correlate(a, a1(1, 0, 0), { fillValue: -7 }), [5], [-7, -7, 1, 2, 3], 'fill -7');
    // 'valid' never reads outside, whatever the boundary
    for (const boundary of ['fill', 'wrap', 'symm'] as const) {
      expectExact(wc.convolve(a, a1(1, 1), { mode: 'valid', boundary, fillValue: 100 }), [2], [3, 5], `valid ${boundary}`);
    }
  });

  it('matches the float64 reference on 300 random cases (ranks 1-3, every mode and boundary)', () => {
    const r = rng(5501);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const rank = 1 + (i % 3);
      const kind: Kind = r() < 0.5 ? 'convolve' : 'correlate';
      const mode = (['full', 'same', 'valid'] as const)[randInt(r, 0, 2)];
      const boundary = (['fill', 'wrap', 'symm'] as const)[randInt(r, 0, 2)];
      const fillValue = r() < 0.5 ? 0 : Math.round((r() * 4 - 2) * 4) / 4;
      const maxN = rank === 1 ? 40 : rank === 2 ? 12 : 6;
      const maxK = rank === 1 ? 12 : rank === 2 ? 6 : 4;
      let s1 = Array.from({ length: rank }, () => randInt(r, 1, maxN));
      let s2 = Array.from({ length: rank }, () => randInt(r, 1, maxK));
      if (mode === 'valid') {
        s2 = s2.map((k, j) => Math.min(k, s1[j]));
        if (r() < 0.4) [s1, s2] = [s2, s1]; // the second array the larger: the swap rule
      } else if (r() < 0.15) {
        [s1, s2] = [s2, s1]; // a kernel larger than the input
      }
      const in1 = randomTensor(r, s1), in2 = randomTensor(r, s2);
      const opts: wc.SignalOptions = { mode, boundary };
      if (boundary === 'fill' && fillValue !== 0) opts.fillValue = fillValue;
      const got = fn(kind)(in1, in2, opts);
      const want = refSignal(kind, in1, in2, mode, boundary, opts.fillValue ?? 0);
      // each output sums one product per tap of the kernel (after the 'valid' swap, the smaller array)
      const n1 = s1.reduce((a, b) => a * b, 1), n2 = s2.reduce((a, b) => a * b, 1);
      const taps = mode === 'valid' ? Math.min(n1, n2) : n2;
      expectClose(got, want, tolFor(taps), `case ${i} ${kind} ${JSON.stringify({ s1, s2, ...opts })}`);
      const key = `${rank}-${mode}-${boundary}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    expect(Object.keys(counts).length).toBe(27);
  });

  it('accepts plain arrays and never modifies its inputs', () => {
    const a = { data: [3, 1, 2], shape: [3] };
    const v = { data: new Float32Array([1, -1]), shape: [2] };
    const y = wc.convolve(a, v);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(list(y)).toEqual([3, -2, 1, -2]);
    expect(a.data).toEqual([3, 1, 2]);
    expect(list(v)).toEqual([1, -1]);
  });

  it('errors: rank mismatch, bad ranks, bad mode / boundary / fillValue, valid with neither covering', () => {
    const throwsWith = (f: () => unknown, type: ErrorConstructor, ...words: string[]) => {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error, 'expected an error').toBeInstanceOf(type);
      for (const w of words) expect((error as Error).message).toContain(w);
    };
    const v1 = a1(1, 2, 3);
    const m2 = a2([[1, 2], [3, 4]]);
    throwsWith(() => wc.convolve(v1, m2), RangeError, 'convolve', "'in1'", "'in2'", 'same number of dimensions', '[3]', '[2, 2]');
    throwsWith(() => wc.correlate(m2, { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2] }), RangeError, 'correlate', 'same number of dimensions');
    throwsWith(() => wc.convolve({ data: new Float32Array(16), shape: [2, 2, 2, 2] }, { data: new Float32Array(16), shape: [2, 2, 2, 2] }), RangeError, "'in1'", '1 to 3 dimensions');
    throwsWith(() => wc.convolve({ data: [], shape: [] }, { data: [], shape: [] }), RangeError, "'in1'", '1 to 3 dimensions');
    throwsWith(() => wc.convolve(v1, { data: [], shape: [0] }), RangeError, "'in2'", 'at least 1');
    throwsWith(() => wc.convolve(v1, { data: [1, 2], shape: [3] }), RangeError, "'in2'", '3 elements', '2 elements');
    throwsWith(() => wc.convolve(null as never, v1), TypeError, 'convolve', "'in1'");
    throwsWith(() => wc.convolve(v1, v1, { mode: 'circular' } as never), TypeError, "'mode'", "'full'", "'same'", "'valid'", 'circular');
    throwsWith(() => wc.correlate(v1, v1, { boundary: 'reflect' } as never), TypeError, 'correlate', "'boundary'", "'fill'", "'wrap'", "'symm'", 'reflect');
    throwsWith(() => wc.convolve(v1, v1, { fillValue: '1' } as never), TypeError, "'fillValue'");
    throwsWith(() => wc.convolve(v1, v1, { padding: 1 } as never), TypeError, "unknown option 'padding'");
    // valid: neither array at least as large as the other on every axis
    throwsWith(() => wc.convolve(a2([[1, 2, 3]]), a2([[1], [2]]), { mode: 'valid' }), RangeError, 'convolve', "'valid'", '[1, 3]', '[2, 1]');
    throwsWith(() => wc.correlate({ data: new Float32Array(12), shape: [2, 3, 2] }, { data: new Float32Array(12), shape: [3, 2, 2] }, { mode: 'valid' }), RangeError, 'correlate', "'valid'");
    // ... while 'full' and 'same' accept those shapes
    expect(wc.convolve(a2([[1, 2, 3]]), a2([[1], [2]])).shape).toEqual([2, 3]);
    expect(wc.correlate(a2([[1, 2, 3]]), a2([[1], [2]]), { mode: 'same' }).shape).toEqual([1, 3]);
    // and the library keeps working
    expectExact(wc.convolve(a1(1, 2, 3), a1(0, 1, 0.5)), [5], [0, 1, 2.5, 4, 1.5], 'after errors');
  });
});
