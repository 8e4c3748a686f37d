/**
 * Layouts: the channels-last result of every convolution equals the channels-first result
 * transposed (both computed by the library, through different kernels: the GEMM computes
 * Y[Cout x pixels] channels-first and Y[pixels x Cout] channels-last), for forward and
 * transposed convolution in 1-D, 2-D and 3-D and for the separable functions. The
 * channels-first result is also checked against the float64 reference.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor } from './helpers.ts';
import { convSweepCase, layoutsOf, toChannelsFirst, toChannelsLast, transposeCase } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type T = { data: Float32Array; shape: number[] };
type Fn = (x: T, w: T, o?: Record<string, unknown>) => wc.Tensor;

const FORWARD: Record<number, Fn> = { 1: wc.conv1d as Fn, 2: wc.conv2d as Fn, 3: wc.conv3d as Fn };
const TRANSPOSED: Record<number, Fn> = { 1: wc.convTranspose1d as Fn, 2: wc.convTranspose2d as Fn, 3: wc.convTranspose3d as Fn };

describe.skipIf(!backendAvailable())(`channels-last equals channels-first transposed on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('toChannelsLast / toChannelsFirst are inverse transpositions', () => {
    const t = { data: Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i), shape: [2, 3, 4, 5] };
    const cl = toChannelsLast(t);
    expect(cl.shape).toEqual([2, 4, 5, 3]);
    // element [n=1, c=2, h=3, w=4] moves to [n=1, h=3, w=4, c=2]
    expect(cl.data[((1 * 4 + 3) * 5 + 4) * 3 + 2]).toBe(t.data[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
    expect(toChannelsFirst(cl)).toEqual({ data: t.data, shape: t.shape });
  });

  for (const [rank, count, seed] of [[1, 90, 7701], [2, 90, 7702], [3, 60, 7703]] as const) {
    it(`conv${rank}d: ${count} random cases`, () => {
      const r = rng(seed);
      const [first, last] = layoutsOf(rank);
      for (let i = 0; i < count; i++) {
        const c = convSweepCase(r, rank, { channelsLast: false, maxCost: rank === 3 ? 60_000 : 100_000 });
        expect(c.options.layout).toBe(first);
        const yFirst = FORWARD[rank](c.x, c.w, c.options);
        const yLast = FORWARD[rank](toChannelsLast(c.x), c.w, { ...c.options, layout: last });
        const tol = tolFor(c.reduction);
        expectClose(yLast, toChannelsLast(yFirst), tol, `case ${i} ${last} vs ${first} ${c.label}`);
        expectClose(yFirst, refConv(c.x, c.w, c.options), tol, `case ${i} reference ${c.label}`);
      }
    });

    it(`convTranspose${rank}d: ${count} random cases`, () => {
      const r = rng(seed + 10);
      const [first, last] = layoutsOf(rank);
      for (let i = 0; i < count; i++) {
        const c = transposeCase(r, rank, { channelsLast: false, maxCost: 80_000 });
        expect(c.options.layout).toBe(first);
        const yFirst = TRANSPOSED[rank](c.x, c.w, c.options);
        const yLast = TRANSPOSED[rank](toChannelsLast(c.x), c.w, { ...c.options, layout: last });
        const tol = tolFor(c.reduction);
        expectClose(yLast, toChannelsLast(yFirst), tol, `case ${i} ${last} vs ${first} ${c.label}`);
        expectClose(yFirst, refConvTranspose(c.x, c.w, c.options), tol, `case ${i} reference ${c.label}`);
      }
    });
  }

  it('the layout option of a plan: the same plan weights give transposed results', () => {
    const r = rng(7704);
    const w = randomTensor(r, [7, 3, 3, 2]);
    const opts = { padding: [[2, 0], [0, 1]] as [number, number][], stride: [1, 2], bias: randomTensor(r, [7]).data, activation: 'relu6' as const };
    const pf = wc.createConv2d(w, { ...opts, layout: 'NCHW' });
    const pl = wc.createConv2d(w, { ...opts, layout: 'NHWC' });
    for (const [H, W] of [[5, 6], [1, 1], [17, 9]]) {
      const x = randomTensor(r, [2, 3, H, W]);
      const yf = pf.run(x);
      expectClose(pl.run(toChannelsLast(x)), toChannelsLast(yf), tolFor(18), `${H}x${W}`);
      expectClose(yf, refConv(x, w, opts), tolFor(18), `reference ${H}x${W}`);
      expect(pl.outputShape([2, H, W, 3])).toEqual(toChannelsLast(yf).shape);
    }
    pf.dispose();
    pl.dispose();
  });

  it('depthwise, separable and spatially separable functions', () => {
    const r = rng(7705);
    for (let i = 0; i < 30; i++) {
      const C = randInt(r, 1, 9), m = randInt(r, 1, 3), H = randInt(r, 3, 12), W = randInt(r, 3, 12), Cout = randInt(r, 1, 10);
      const x = randomTensor(r, [randInt(r, 1, 2), C, H, W]);
      const xl = toChannelsLast(x);
      const spatial = {
        stride: [randInt(r, 1, 2), randInt(r, 1, 2)], dilation: [randInt(r, 1, 2), 1], padding: 'same' as const,
        paddingMode: (['zeros', 'replicate', 'circular'] as const)[i % 3], flip: i % 4 === 0,
        bias: randomTensor(r, [C * m]).data, activation: 'leakyRelu' as const,
      };
      const dw = randomTensor(r, [C * m, 1, 3, 2]);
      const dwf = wc.depthwiseConv2d(x, dw, { ...spatial, depthMultiplier: m });
      expectClose(wc.depthwiseConv2d(xl, dw, { ...spatial, depthMultiplier: m, layout: 'NHWC' }), toChannelsLast(dwf), tolFor(6), `depthwise ${i}`);
      expectClose(dwf, refConv(x, dw, { ...spatial, groups: C }), tolFor(6), `depthwise reference ${i}`);

      const pw = randomTensor(r, [Cout, C * m, 1, 1]);
      const sepOpts = { ...spatial, bias: randomTensor(r, [Cout]).data, depthMultiplier: m };
      const sf = wc.separableConv2d(x, dw, pw, sepOpts);
      expectClose(wc.separableConv2d(xl, dw, pw, { ...sepOpts, layout: 'NHWC' }), toChannelsLast(sf), tolFor(6 * C * m), `separable ${i}`);
      const mid = refConv(x, dw, { ...spatial, bias: undefined, activation: undefined, groups: C });
      expectClose(sf, refConv(mid, pw, { bias: sepOpts.bias, activation: 'leakyRelu' }), tolFor(6 * C * m), `separable reference ${i}`);

      const column = randomTensor(r, [Cout, C, 3, 1]);
      const row = randomTensor(r, [Cout, 1, 1, 4]);
      const ssOpts = { ...spatial, bias: randomTensor(r, [Cout]).data };
      const ssf = wc.spatiallySeparableConv2d(x, column, row, ssOpts);
      expectClose(wc.spatiallySeparableConv2d(xl, column, row, { ...ssOpts, layout: 'NHWC' }), toChannelsLast(ssf), tolFor(12 * C), `spatially separable ${i}`);
      const full = { data: new Float32Array(Cout * C * 12), shape: [Cout, C, 3, 4] };
      for (let o = 0; o < Cout; o++) for (let c = 0; c < C; c++) for (let y = 0; y < 3; y++) for (let xx = 0; xx < 4; xx++) {
        full.data[((o * C + c) * 3 + y) * 4 + xx] = column.data[(o * C + c) * 3 + y] * row.data[o * 4 + xx];
      }
      expectClose(ssf, refConv(x, full, ssOpts), tolFor(12 * C), `spatially separable reference ${i}`);
    }
  });
});
