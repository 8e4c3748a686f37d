/**
 * Where users reach for PyTorch's conventions: depthwise helpers of every rank (against the
 * float64 reference), `algorithm` on the depthwise and separable helpers, and `outputSize` with
 * PyTorch's optional batch and channel prefix.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const r = rng(715);

describe.skipIf(!backendAvailable())(`PyTorch parity (${BACKEND})`, () => {
  beforeAll(readyBackend);

  it('depthwiseConv1d / depthwiseConv3d and their plans equal the reference with groups = C (multipliers, strides, channels-last)', () => {
    for (const M of [1, 3]) {
      const C = 4;
      const x1 = randomTensor(r, [2, C, 17]);
      const w1 = randomTensor(r, [C * M, 1, 5]);
      const o1 = { stride: 2, padding: 2, bias: randomTensor(r, [C * M]).data, activation: 'relu' as const };
      const e1 = refConv(x1, w1, { ...o1, groups: C });
      expectClose(wc.depthwiseConv1d(x1, w1, { ...o1, depthMultiplier: M }), e1, tolFor(5), `1-D M=${M}`);
      const plan = wc.createDepthwiseConv1d(w1, { ...o1, depthMultiplier: M });
      expectClose(plan.run(x1), e1, tolFor(5), `1-D plan M=${M}`);
      plan.dispose();
      // TensorFlow's [kW, C, M] with NWC activations.
      const tf = new Float32Array(5 * C * M);
      for (let k = 0; k < 5; k++) for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) tf[(k * C + c) * M + m] = w1.data[(c * M + m) * 5 + k];
      const nwc = (t: { data: Float32Array; shape: number[] }) => {
        const [N, CC, L] = t.shape;
        const d = new Float32Array(t.data.length);
        for (let n = 0; n < N; n++) for (let c = 0; c < CC; c++) for (let l = 0; l < L; l++) d[(n * L + l) * CC + c] = t.data[(n * CC + c) * L + l];
        return { data: d, shape: [N, L, CC] };
      };
      const got = wc.depthwiseConv1d(nwc(x1), { data: tf, shape: [5, C, M] }, { ...o1, layout: 'NWC', weightLayout: 'WIO' });
      expectClose(got, nwc(e1), tolFor(5), `1-D WIO NWC M=${M}`);

      const x3 = randomTensor(r, [1, C, 5, 6, 7]);
      const w3 = randomTensor(r, [C * M, 1, 3, 3, 3]);
      const e3 = refConv(x3, w3, { padding: 1, dilation: [1, 2, 1], groups: C });
      expectClose(wc.depthwiseConv3d(x3, w3, { padding: 1, dilation: [1, 2, 1], depthMultiplier: M }), e3, tolFor(27), `3-D M=${M}`);
    }
    expect(() => wc.depthwiseConv3d(randomTensor(r, [1, 2, 4, 4, 4]), randomTensor(r, [3, 1, 2, 2, 2]), { depthMultiplier: 2 })).toThrow(
      "depthwiseConv3d: argument 'depthwiseWeight' must have shape [C * depthMultiplier, 1, kD, kH, kW] with depthMultiplier=2, got [3, 1, 2, 2, 2]",
    );
    expect(() => wc.createDepthwiseConv1d(randomTensor(r, [2, 1, 3]), { groups: 2 } as never)).toThrow(/createDepthwiseConv1d: unknown option 'groups'/);
  });

  it("depthwise and separable helpers take algorithm: 'gemm' (the im2col GEMM) and 'auto'", () => {
    const [C, M, O] = [6, 2, 5];
    const x = randomTensor(r, [1, C, 10, 9]);
    const dw = randomTensor(r, [C * M, 1, 3, 3]);
    const pw = randomTensor(r, [O, C * M, 1, 1]);
    const bias = randomTensor(r, [O]).data;
    const expectedDw = refConv(x, dw, { groups: C, padding: 1 });
    for (const algorithm of ['auto', 'gemm'] as const) {
      const plan = wc.createDepthwiseConv2d(dw, { padding: 1, depthMultiplier: M, algorithm });
      expect(algorithmOf(plan)).toBe(algorithm === 'gemm' ? 'gemm' : 'depthwise');
      expectClose(plan.run(x), expectedDw, tolFor(9), `depthwise ${algorithm}`);
      plan.dispose();
      expectClose(wc.depthwiseConv2d(x, dw, { padding: 1, depthMultiplier: M, algorithm }), expectedDw, tolFor(9));
      const expected = refConv(expectedDw, pw, { bias, activation: 'relu6' });
      const sep = wc.separableConv2d(x, dw, pw, { padding: 1, depthMultiplier: M, bias, activation: 'relu6', algorithm });
      expectClose(sep, expected, tolFor(9 + C * M), `separable ${algorithm}`);
    }
    expect(() => wc.depthwiseConv2d(x, dw, { depthMultiplier: M, algorithm: 'direct' as never })).toThrow(/option 'algorithm' must be 'auto'/);
  });

  it('outputSize may carry the batch and channel sizes first, as torch output_size', () => {
    const x = randomTensor(r, [2, 3, 5, 6]);
    const w = randomTensor(r, [3, 4, 3, 3]);
    const o = { stride: 2, padding: 1 };
    const expected = refConvTranspose(x, w, { ...o, outputSize: [10, 12] });
    expect(expected.shape).toEqual([2, 4, 10, 12]);
    expectClose(wc.convTranspose2d(x, w, { ...o, outputSize: [2, 4, 10, 12] }), expected, tolFor(27));
    expectClose(wc.convTranspose2d(x, w, { ...o, outputSize: [10, 12] }), expected, tolFor(27));
    expect(() => wc.convTranspose2d(x, w, { ...o, outputSize: [4, 10, 12] })).toThrow(RangeError);
  });
});

/** A plan of every family, for inputs of `rank` spatial axes in either layout. */
interface Family { name: string; rank: 1 | 2 | 3; C: number; make: (layout: string) => wc.ConvPlan }

function families(): Family[] {
  const k = (rank: number, n: number) => new Array(rank).fill(n);
  const out: Family[] = [];
  for (const rank of [1, 2, 3] as const) {
    const suffix = `${rank}d` as const;
    const conv = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d }[rank] as (w: unknown, o: object) => wc.ConvPlan;
    const transposed = { 1: wc.createConvTranspose1d, 2: wc.createConvTranspose2d, 3: wc.createConvTranspose3d }[rank] as (w: unknown, o: object) => wc.ConvPlan;
    const depthwise = { 1: wc.createDepthwiseConv1d, 2: wc.createDepthwiseConv2d, 3: wc.createDepthwiseConv3d }[rank] as (w: unknown, o: object) => wc.ConvPlan;
    const w = randomTensor(r, [5, 3, ...k(rank, 3)]);
    const bias = randomTensor(r, [5]).data;
    out.push({ name: `conv${suffix}`, rank, C: 3, make: (layout) => conv(w, { layout, padding: 1, stride: 2, bias, activation: 'relu' }) });
    const wt = randomTensor(r, [3, 4, ...k(rank, 2)]);
    out.push({ name: `convTranspose${suffix}`, rank, C: 3, make: (layout) => transposed(wt, { layout, stride: 2 }) });
    const dw = randomTensor(r, [8, 1, ...k(rank, 3)]);
    out.push({ name: `depthwiseConv${suffix}`, rank, C: 4, make: (layout) => depthwise(dw, { layout, padding: 1, depthMultiplier: 2 }) });
  }
  // Winograd (3x3, 16 channels), the fused separable kernel, its GEMM chain and the spatially separable chain.
  const wino = randomTensor(r, [6, 16, 3, 3]);
  out.push({ name: 'conv2d winograd', rank: 2, C: 16, make: (layout) => wc.createConv2d(wino, { layout: layout as never, padding: 1 }) });
  const dw = randomTensor(r, [8, 1, 3, 3]);
  const pw = randomTensor(r, [5, 8, 1, 1]);
  for (const algorithm of ['auto', 'gemm'] as const) {
    out.push({ name: `separableConv2d ${algorithm}`, rank: 2, C: 4, make: (layout) => wc.createSeparableConv2d(dw, pw, { layout: layout as never, padding: 1, depthMultiplier: 2, algorithm, activation: 'relu6' }) });
  }
  const column = randomTensor(r, [5, 4, 3, 1]);
  const row = randomTensor(r, [5, 1, 1, 3]);
  out.push({ name: 'spatiallySeparableConv2d', rank: 2, C: 4, make: (layout) => wc.createSpatiallySeparableConv2d(column, row, { layout: layout as never, padding: 1 }) });
  return out;
}

const LAYOUT_NAMES: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const SIZES: Record<number, number[]> = { 1: [13], 2: [9, 10], 3: [5, 4, 6] };

describe.skipIf(!backendAvailable())(`batch axis as PyTorch treats it (${BACKEND})`, () => {
  beforeAll(readyBackend);

  it('unbatched inputs give the batch of one without its batch axis: every family, rank and layout; run, run into a buffer or a wasm tensor, runAsync, outputShape, workspaceBytes', async () => {
    for (const f of families()) {
      for (const [li, layout] of LAYOUT_NAMES[f.rank].entries()) {
        const unbatchedShape = li === 0 ? [f.C, ...SIZES[f.rank]] : [...SIZES[f.rank], f.C];
        const x = randomTensor(r, unbatchedShape);
        const plan = f.make(layout);
        const what = `${f.name} ${layout}`;
        const batched = plan.run({ data: x.data, shape: [1, ...unbatchedShape] });
        const outShape = batched.shape.slice(1);
        expect(batched.shape[0], what).toBe(1);
        expect(plan.outputShape(unbatchedShape), what).toEqual(outShape);
        expect(plan.workspaceBytes(unbatchedShape), what).toBe(plan.workspaceBytes([1, ...unbatchedShape]));
        const y = plan.run(x);
        expect(y.shape, what).toEqual(outShape);
        expect(Array.from(y.data), what).toEqual(Array.from(batched.data));
        const ya = await plan.runAsync(x);
        expect(ya.shape, what).toEqual(outShape);
        expect(Array.from(ya.data), what).toEqual(Array.from(batched.data));
        const buffer = new Float32Array(batched.data.length);
        const yb = plan.run(x, buffer);
        expect(yb.data, what).toBe(buffer);
        expect(yb.shape, what).toEqual(outShape);
        expect(Array.from(buffer), what).toEqual(Array.from(batched.data));
        // Wasm tensors without a batch axis, as input and output.
        const xw = wc.wasmTensor(unbatchedShape, x.data);
        const yw = wc.wasmTensor(outShape);
        expect(plan.run(xw, yw), what).toBe(yw);
        expect(Array.from(yw.data), what).toEqual(Array.from(batched.data));
        expect(() => plan.run(xw, wc.wasmTensor([1, ...outShape])), what).toThrow(/argument 'output' is a wasm tensor of shape \[1, /);
        xw.dispose();
        yw.dispose();
        plan.dispose();
      }
    }
  });

  it('unbatched inputs of the one-shot functions equal the float64 reference without its batch axis', async () => {
    const strip = (t: { data: Float32Array; shape: number[] }) => ({ data: t.data, shape: t.shape.slice(1) });
    const x1 = randomTensor(r, [1, 3, 11]);
    const w1 = randomTensor(r, [4, 3, 3]);
    expectClose(wc.conv1d(strip(x1), w1, { padding: 1 }), strip(refConv(x1, w1, { padding: 1 })), tolFor(9));
    const x2 = randomTensor(r, [1, 4, 7, 8]);
    const w2 = randomTensor(r, [5, 4, 3, 3]);
    const e2 = refConv(x2, w2, { padding: 1 });
    expectClose(wc.conv2d(strip(x2), w2, { padding: 1 }), strip(e2), tolFor(36));
    expectClose(await wc.conv2dAsync(strip(x2), w2, { padding: 1 }), strip(e2), tolFor(36));
    const x3 = randomTensor(r, [1, 2, 4, 5, 6]);
    const w3 = randomTensor(r, [3, 2, 2, 2, 2]);
    expectClose(wc.conv3d(strip(x3), w3), strip(refConv(x3, w3)), tolFor(16));
    const wt = randomTensor(r, [4, 2, 3, 3]);
    expectClose(wc.convTranspose2d(strip(x2), wt, { stride: 2 }), strip(refConvTranspose(x2, wt, { stride: 2 })), tolFor(36));
    const dw = randomTensor(r, [4, 1, 3, 3]);
    const eDw = refConv(x2, dw, { groups: 4, padding: 1 });
    expectClose(wc.depthwiseConv2d(strip(x2), dw, { padding: 1 }), strip(eDw), tolFor(9));
    const pw = randomTensor(r, [6, 4, 1, 1]);
    expectClose(wc.separableConv2d(strip(x2), dw, pw, { padding: 1 }), strip(refConv(eDw, pw)), tolFor(13));
    const column = randomTensor(r, [5, 4, 3, 1]);
    const row = randomTensor(r, [5, 1, 1, 3]);
    const mid = refConv(x2, column, { padding: [[1, 1], [0, 0]] });
    expectClose(wc.spatiallySeparableConv2d(strip(x2), column, row, { padding: 1 }), strip(refConv(mid, row, { groups: 5, padding: [[0, 0], [1, 1]] })), tolFor(9));
  });

  it('an empty batch (N = 0) gives an empty result of the right shape: every family, rank and layout', async () => {
    for (const f of families()) {
      for (const [li, layout] of LAYOUT_NAMES[f.rank].entries()) {
        const one = li === 0 ? [1, f.C, ...SIZES[f.rank]] : [1, ...SIZES[f.rank], f.C];
        const empty = [0, ...one.slice(1)];
        const plan = f.make(layout);
        const what = `${f.name} ${layout}`;
        const expected = [0, ...plan.outputShape(one).slice(1)];
        expect(plan.outputShape(empty), what).toEqual(expected);
        expect(plan.workspaceBytes(empty), what).toBe(0);
        const x = { data: new Float32Array(0), shape: empty };
        for (const y of [plan.run(x), await plan.runAsync(x)]) {
          expect(y.shape, what).toEqual(expected);
          expect(y.data.length, what).toBe(0);
        }
        const buffer = new Float32Array(0);
        expect(plan.run(x, buffer).data, what).toBe(buffer);
        expect(() => plan.run(x, new Float32Array(3)), what).toThrow(/argument 'output' must hold 0 elements/);
        plan.dispose();
      }
    }
    const w = randomTensor(r, [5, 4, 3, 3]);
    const empty = { data: new Float32Array(0), shape: [0, 4, 9, 9] };
    expect(wc.conv2d(empty, w, { stride: 2 })).toEqual({ data: new Float32Array(0), shape: [0, 5, 4, 4] });
    expect(await wc.conv2dAsync(empty, w)).toEqual({ data: new Float32Array(0), shape: [0, 5, 7, 7] });
    expect(wc.separableConv2d(empty, randomTensor(r, [4, 1, 3, 3]), randomTensor(r, [2, 4, 1, 1])).shape).toEqual([0, 2, 7, 7]);
  });

  it('unbatched and empty inputs are still checked, and messages show the shape as given', () => {
    const plan = wc.createConv2d(randomTensor(r, [5, 4, 3, 3]));
    expect(() => plan.run(randomTensor(r, [3, 8, 8]))).toThrow(
      /expected input of shape \[3, 8, 8\] \(layout NCHW, unbatched\) to have 4 channels .*but got 3 channels/,
    );
    expect(() => plan.run(randomTensor(r, [4, 2, 8]))).toThrow(/\(input shape \[4, 2, 8\]\)/);
    expect(() => plan.outputShape([4, 0, 8])).toThrow(/spatial sizes of at least 1 \(layout NCHW, unbatched\), got shape \[4, 0, 8\]/);
    expect(() => plan.run(randomTensor(r, [8, 8]))).toThrow(/argument 'input' must be a 4-D or 3-D tensor \[N, C, H, W\] \(or unbatched \[C, H, W\]\), got a 2-D tensor of shape \[8, 8\]/);
    expect(() => plan.workspaceBytes([1, 1, 4, 8, 8])).toThrow(/must have 4 or 3 sizes/);
    expect(() => plan.run({ data: new Float32Array(0), shape: [0, 3, 8, 8] })).toThrow(/\[0, 3, 8, 8\].*to have 4 channels/);
    expect(() => plan.run({ data: new Float32Array(0), shape: [0, 4, 2, 8] })).toThrow(/padded input size/);
    expect(() => plan.run(randomTensor(r, [4, 8, 8]), new Float32Array(5 * 36 + 1))).toThrow(/must hold 180 elements \(output shape \[5, 6, 6\]\)/);
    const t = wc.createConvTranspose1d(randomTensor(r, [2, 3, 3]), { stride: 2, outputSize: [9] });
    expect(t.outputShape([2, 4])).toEqual([3, 9]);
    expect(() => t.outputShape([2, 2])).toThrow(/'outputSize' \[9\] is not reachable for input shape \[2, 2\]/);
    t.dispose();
    plan.dispose();
  });
});
