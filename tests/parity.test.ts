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
