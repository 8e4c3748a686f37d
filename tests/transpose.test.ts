/**
 * Transposed convolution (1-D, 2-D, 3-D) against the float64 reference: random sweeps over
 * every option (stride 1 to 4 and larger than the kernel, dilation, asymmetric padding pairs,
 * outputPadding below stride or dilation, every reachable outputSize, groups including
 * groups == channels, bias, activation, flip, both layouts, batch > 1), tile edges, long
 * reductions, plans reused across runs and sizes, and the errors specific to transposition.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { ACTIVATIONS, layoutsOf, transposeCase } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type T = { data: Float32Array; shape: number[] };
type AnyOpts = Record<string, unknown>;

const FN = {
  1: wc.convTranspose1d as (x: T, w: T, o?: AnyOpts) => wc.Tensor,
  2: wc.convTranspose2d as (x: T, w: T, o?: AnyOpts) => wc.Tensor,
  3: wc.convTranspose3d as (x: T, w: T, o?: AnyOpts) => wc.Tensor,
} as const;
const CREATE = {
  1: wc.createConvTranspose1d as (w: T, o?: AnyOpts) => wc.ConvPlan,
  2: wc.createConvTranspose2d as (w: T, o?: AnyOpts) => wc.ConvPlan,
  3: wc.createConvTranspose3d as (w: T, o?: AnyOpts) => wc.ConvPlan,
} as const;

function check(rank: 1 | 2 | 3, x: T, w: T, options: AnyOpts, reduction: number, label: string): void {
  expectClose(FN[rank](x, w, options), refConvTranspose(x, w, options), tolFor(reduction), label);
}

/** An input [N, C, ...s] or [N, ...s, C]. */
function input(r: () => number, channelsLast: boolean, N: number, C: number, s: number[]): T {
  return randomTensor(r, channelsLast ? [N, ...s, C] : [N, C, ...s]);
}

/** Asserts that `f` throws `type` with every key word in its message. */
function throwsWith(f: () => unknown, type: ErrorConstructor, ...words: string[]): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected an error').toBeInstanceOf(type);
  for (const word of words) expect((error as Error).message).toContain(word);
}

describe.skipIf(!backendAvailable())(`transposed convolution on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  for (const [rank, count, seed] of [[2, 160, 4402], [1, 110, 4401], [3, 90, 4403]] as const) {
    it(`${rank}-D matches the float64 reference on ${count} random cases (every option, both layouts)`, () => {
      const r = rng(seed);
      const seen = { channelsLast: 0, depthwise: 0, groups: 0, pairs: 0, outputPadding: 0, outputSize: 0, flip: 0, batch: 0, strideOverKernel: 0, dilation: 0, bias: 0 };
      for (let i = 0; i < count; i++) {
        const c = transposeCase(r, rank);
        const o = c.options;
        const stride = [o.stride].flat() as number[];
        if (o.layout === layoutsOf(rank)[1]) seen.channelsLast++;
        if ((o.groups as number) > 1) seen.groups++;
        if ((o.groups as number) > 1 && o.groups === c.w.shape[0]) seen.depthwise++;
        if (Array.isArray(o.padding) && Array.isArray(o.padding[0])) seen.pairs++;
        if (o.outputPadding !== undefined && [o.outputPadding].flat().some((v) => (v as number) > 0)) seen.outputPadding++;
        if (o.outputSize !== undefined) seen.outputSize++;
        if (o.flip) seen.flip++;
        if (o.bias) seen.bias++;
        if (c.x.shape[0] > 1) seen.batch++;
        if (c.w.shape.slice(2).some((k, j) => (stride[j] ?? stride[0]) > k)) seen.strideOverKernel++;
        if ([o.dilation].flat().some((v) => (v as number) > 1)) seen.dilation++;
        check(rank, c.x, c.w, o, c.reduction, `case ${i} ${c.label}`);
      }
      for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(rank === 3 ? 5 : 8);
    });
  }

  it('every reachable outputSize (from the natural size to natural + max(stride, dilation) - 1)', () => {
    const r = rng(4404);
    // [rank, input spatial, kernel, stride, dilation, padding]
    const configs: Array<[1 | 2 | 3, number[], number[], number[], number[], Array<[number, number]>]> = [
      [1, [5], [3], [3], [1], [[1, 0]]],
      [1, [4], [2], [1], [4], [[0, 0]]],
      [1, [3], [1], [4], [1], [[0, 0]]],
      [2, [3, 4], [3, 2], [2, 4], [1, 1], [[1, 1], [0, 1]]],
      [2, [2, 3], [2, 3], [1, 3], [3, 2], [[0, 2], [1, 0]]],
      [3, [2, 2, 3], [2, 1, 3], [3, 2, 1], [1, 1, 2], [[0, 0], [0, 0], [1, 1]]],
    ];
    for (const [rank, s, k, stride, dilation, padding] of configs) {
      const natural = s.map((n, i) => (n - 1) * stride[i] - padding[i][0] - padding[i][1] + dilation[i] * (k[i] - 1) + 1);
      const extra = s.map((_, i) => Math.max(stride[i], dilation[i]));
      // Every combination of per-axis sizes.
      const total = extra.reduce((a, b) => a * b, 1);
      for (let idx = 0; idx < total; idx++) {
        let rest = idx;
        const outputSize = extra.map((e, i) => {
          const v = natural[i] + (rest % e);
          rest = Math.floor(rest / e);
          return v;
        });
        for (const channelsLast of [false, true]) {
          const x = input(r, channelsLast, 2, 3, s);
          const w = randomTensor(r, [3, 2, ...k]);
          const options = { stride, dilation, padding, outputSize, layout: layoutsOf(rank)[channelsLast ? 1 : 0], bias: randomTensor(r, [2]).data };
          const y = FN[rank](x, w, options);
          expect(channelsLast ? y.shape.slice(1, -1) : y.shape.slice(2)).toEqual(outputSize);
          expectClose(y, refConvTranspose(x, w, options), tolFor(3 * k.reduce((a, b) => a * b, 1)), `${rank}-D outputSize ${outputSize}`);
          // outputPadding = outputSize - natural gives the same result
          const op = outputSize.map((v, i) => v - natural[i]);
          const { outputSize: _, ...rest2 } = options;
          expect(Array.from(FN[rank](x, w, { ...rest2, outputPadding: op }).data)).toEqual(Array.from(y.data));
        }
      }
    }
  });

  it('outputPadding below the dilation when the stride is 1, and below the stride when the dilation is 1', () => {
    const r = rng(4405);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const x = input(r, layout === 'NHWC', 1, 4, [3, 5]);
      const w = randomTensor(r, [4, 3, 2, 3]);
      check(2, x, w, { layout, stride: 1, dilation: [3, 2], outputPadding: [2, 1] }, 24, `op < dilation ${layout}`);
      check(2, x, w, { layout, stride: [4, 2], dilation: 1, outputPadding: [3, 1] }, 24, `op < stride ${layout}`);
      check(2, x, w, { layout, stride: [2, 1], dilation: [1, 2], outputPadding: 1, padding: [[1, 0], [0, 2]] }, 24, `op < stride or dilation ${layout}`);
    }
  });

  it('stride larger than the kernel leaves gaps that receive only the bias (and activation)', () => {
    const r = rng(4406);
    for (const layout of ['NCW', 'NWC'] as const) {
      const x = input(r, layout === 'NWC', 2, 3, [6]);
      const w = randomTensor(r, [3, 4, 2]);
      const bias = new Float32Array([-1, 2, 0.5, -0.25]);
      for (const activation of ACTIVATIONS) {
        check(1, x, w, { layout, stride: 5, bias, activation, outputPadding: 4 }, 6, `stride 5 k 2 ${JSON.stringify(activation)} ${layout}`);
      }
    }
    // Hand-worked: 1 channel, kernel [1, 2], stride 3: y = [1, 2, 0, 3, 6, 0, 5, 10] for x = [1, 3, 5]
    const y = wc.convTranspose1d({ data: [1, 3, 5], shape: [1, 1, 3] }, { data: [1, 2], shape: [1, 1, 2] }, { stride: 3, outputPadding: 1 });
    expect(Array.from(y.data)).toEqual([1, 2, 0, 3, 6, 0, 5, 10, 0]);
    const yf = wc.convTranspose1d({ data: [1, 3, 5], shape: [1, 1, 3] }, { data: [1, 2], shape: [1, 1, 2] }, { stride: 3, flip: true, padding: [[1, 0]] });
    expect(Array.from(yf.data)).toEqual([1, 0, 6, 3, 0, 10, 5]);
  });

  it('groups == channels (depthwise transposed) with output multipliers 1 to 3, both layouts', () => {
    const r = rng(4407);
    for (const C of [1, 3, 4, 5, 8, 9, 17]) {
      for (const m of [1, 2, 3]) {
        for (const channelsLast of [false, true]) {
          const x = input(r, channelsLast, 2, C, [4, 3 + m]);
          const w = randomTensor(r, [C, m, 3, 2]);
          const options = {
            layout: channelsLast ? 'NHWC' : 'NCHW', groups: C, stride: [2, m], padding: [[1, 0], [0, 1]],
            bias: randomTensor(r, [C * m]).data, activation: 'relu', flip: m === 2,
          };
          check(2, x, w, options, 6, `C=${C} m=${m} ${options.layout}`);
        }
      }
    }
  });

  // Tile edges: GEMM rows (Cout x taps) in 4s, columns (pixels or channels) in 8s.
  // [Cin, Cout, H, W, k, stride, groups]
  const edges: Array<[number, number, number, number, number, number, number]> = [
    [1, 1, 1, 1, 1, 1, 1], [3, 4, 2, 4, 1, 1, 1], [4, 5, 3, 3, 2, 2, 1], [5, 8, 3, 3, 3, 2, 1], [8, 7, 4, 4, 3, 1, 1],
    [9, 12, 3, 9, 2, 3, 1], [16, 17, 5, 8, 3, 2, 1], [17, 9, 6, 5, 4, 2, 1], [12, 8, 4, 6, 3, 2, 4], [64, 33, 5, 7, 3, 2, 1],
  ];
  for (const [cin, cout, h, wd, k, stride, groups] of edges) {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      it(`tile edge Cin=${cin} Cout=${cout} ${h}x${wd} k=${k} stride=${stride} groups=${groups} ${layout}`, () => {
        const r = rng(cin * 997 + cout * 31 + h * 7 + wd + k);
        const x = input(r, layout === 'NHWC', 2, cin, [h, wd]);
        const w = randomTensor(r, [cin, cout / groups, k, k]);
        const options = { layout, groups, stride, padding: Math.floor(k / 2) * (k > 2 ? 1 : 0), bias: randomTensor(r, [cout]).data, activation: 'relu6' };
        check(2, x, w, options, (cin / groups) * k * k, 'edge');
      });
    }
  }

  it('long reductions (input channels per group > 1024) and outputs over several column tiles', () => {
    const r = rng(4408);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const cl = layout === 'NHWC';
      let x = input(r, cl, 1, 1100, [2, 3]);
      let w = randomTensor(r, [1100, 5, 2, 3]);
      const bias = randomTensor(r, [5]).data.map((v) => v * 20);
      check(2, x, w, { layout, stride: 2, bias, activation: 'relu' }, 1100 * 6, `Cin=1100 ${layout}`);
      x = input(r, cl, 1, 2400, [2, 3]);
      w = randomTensor(r, [2400, 3, 2, 2]);
      check(2, x, w, { layout, groups: 2, bias: randomTensor(r, [6]).data.map((v) => v * 20), activation: { type: 'clamp', min: -3, max: 4 } }, 1200 * 4, `Cin/g=1200 ${layout}`);
      // 16 x 16 taps = 256 column-tile rows: the 64K-float tile holds 256 input pixels, so the
      // 600 input pixels take several tiles.
      x = input(r, cl, 1, 3, [20, 30]);
      w = randomTensor(r, [3, 16, 4, 4]);
      check(2, x, w, { layout, stride: 2, outputPadding: 1, padding: 1, bias: randomTensor(r, [16]).data }, 48, `several column tiles ${layout}`);
      x = input(r, cl, 1, 20, [12, 12]);
      w = randomTensor(r, [20, 40, 4, 4]);
      check(2, x, w, { layout, stride: 2, padding: [[1, 2], [2, 1]] }, 20 * 16, `40 x 16 taps ${layout}`);
    }
    for (const layout of ['NCW', 'NWC'] as const) {
      const x = input(r, layout === 'NWC', 2, 8, [1500]);
      const w = randomTensor(r, [8, 6, 5]);
      check(1, x, w, { layout, stride: 3, dilation: 2, padding: [[3, 1]] }, 40, `W=3000 ${layout}`);
    }
  });

  it('a plan gives the same result on every run and for inputs of several sizes', () => {
    const r = rng(4409);
    const configs: Array<{ rank: 1 | 2 | 3; w: number[]; options: AnyOpts; red: number; sizes: number[][] }> = [
      { rank: 2, w: [3, 6, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1, bias: new Float32Array(6).fill(0.5) }, red: 27, sizes: [[4, 4], [1, 1], [7, 3], [4, 4]] },
      { rank: 2, w: [4, 2, 2, 3], options: { layout: 'NHWC', groups: 2, stride: [3, 1], dilation: [1, 2], activation: 'leakyRelu' }, red: 12, sizes: [[2, 5], [9, 9], [1, 2]] },
      { rank: 1, w: [5, 3, 4], options: { layout: 'NWC', stride: 4, padding: [[2, 1]], flip: true, bias: new Float32Array(3).fill(-1) }, red: 20, sizes: [[10], [1], [300], [10]] },
      { rank: 3, w: [2, 3, 2, 2, 3], options: { stride: [2, 1, 2], padding: [[0, 1], [0, 0], [1, 1]], activation: 'relu6' }, red: 24, sizes: [[2, 3, 4], [1, 1, 2], [3, 5, 2]] },
      // outputSize is fixed: every input size must reach it (inputs of one size only work)
      { rank: 2, w: [3, 3, 3, 3], options: { stride: 2, padding: 1, outputSize: [8, 10] }, red: 27, sizes: [[4, 5], [4, 5]] },
    ];
    for (const { rank, w: ws, options, red, sizes } of configs) {
      const w = randomTensor(r, ws);
      const plan = CREATE[rank](w, options);
      const cl = options.layout === layoutsOf(rank)[1];
      for (const s of sizes) {
        const x = input(r, cl, s[0] === 1 ? 2 : 1, ws[0], s);
        const a = plan.run(x);
        const b = plan.run(x);
        expect(a.data).toEqual(b.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expectClose(a, refConvTranspose(x, w, options), tolFor(red), `plan ${JSON.stringify(ws)} ${s}`);
      }
      plan.dispose();
    }
  });

  it('is the adjoint of the forward convolution: <conv(x), y> == <x, convT(y)>', () => {
    const r = rng(4410);
    for (let i = 0; i < 12; i++) {
      const rank = (1 + (i % 3)) as 1 | 2 | 3;
      const s = Array.from({ length: rank }, () => 5 + Math.floor(r() * 5));
      const k = Array.from({ length: rank }, () => 1 + Math.floor(r() * 3));
      const stride = Array.from({ length: rank }, () => 1 + Math.floor(r() * 3));
      const dilation = Array.from({ length: rank }, () => 1 + Math.floor(r() * 2));
      const padding = Array.from({ length: rank }, () => [Math.floor(r() * 2), Math.floor(r() * 2)] as [number, number]);
      const groups = 1 + (i % 2);
      const channelsLast = i % 4 >= 2;
      const layout = layoutsOf(rank)[channelsLast ? 1 : 0];
      const x = input(r, channelsLast, 2, 4, s);
      const w = randomTensor(r, [6, 4 / groups, ...k]);
      const fwd = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d }[rank] as (x: T, w: T, o?: AnyOpts) => wc.Tensor;
      const y = fwd(x, w, { stride, dilation, padding, groups, layout });
      const ySpatial = channelsLast ? y.shape.slice(1, -1) : y.shape.slice(2);
      const v = input(r, channelsLast, 2, 6, ySpatial);
      // The forward weight [Cout, Cin/g, ...k] is the transposed weight [Cin', Cout'/g, ...k]
      // with Cin' = Cout: the transposed convolution maps 6 channels back to 4.
      const outputSize = s;
      const xt = FN[rank](v, w, { stride, dilation, padding, groups, layout, outputSize });
      let lhs = 0, rhs = 0;
      for (let j = 0; j < y.data.length; j++) lhs += y.data[j] * v.data[j];
      for (let j = 0; j < x.data.length; j++) rhs += x.data[j] * xt.data[j];
      expect(Math.abs(lhs - rhs), `adjoint ${rank}-D case ${i}`).toBeLessThan(1e-3 * (1 + Math.abs(lhs)));
    }
  });

  it('rejects outputPadding >= both stride and dilation, unreachable outputSize, other padding modes and padding "same"', () => {
    const x = { data: new Float32Array(2 * 5 * 5), shape: [1, 2, 5, 5] };
    const w = { data: new Float32Array(2 * 3 * 3 * 3), shape: [2, 3, 3, 3] };
    throwsWith(() => wc.convTranspose2d(x, w, { stride: 2, outputPadding: 2 }), RangeError, 'convTranspose2d', "'outputPadding'", 'stride=2', 'dilation=1', 'axis 0');
    throwsWith(() => wc.convTranspose2d(x, w, { stride: [1, 3], dilation: [2, 1], outputPadding: [1, 3] }), RangeError, "'outputPadding'", 'outputPadding=3', 'axis 1');
    throwsWith(() => wc.convTranspose2d(x, w, { stride: 1, dilation: 1, outputPadding: 1 }), RangeError, "'outputPadding'");
    throwsWith(() => wc.createConvTranspose1d({ data: new Float32Array(6), shape: [2, 3, 1] }, { stride: 2, dilation: 3, outputPadding: 3 }), RangeError, 'createConvTranspose1d', "'outputPadding'");
    // natural size: (5 - 1) * 2 - 2 + 3 = 9, reachable 9 and 10
    throwsWith(() => wc.convTranspose2d(x, w, { stride: 2, padding: 1, outputSize: [8, 9] }), RangeError, "'outputSize'", 'between 9 and 10', 'got 8', 'axis 0');
    throwsWith(() => wc.convTranspose2d(x, w, { stride: 2, padding: 1, outputSize: [9, 11] }), RangeError, "'outputSize'", 'between 9 and 10', 'got 11', 'axis 1');
    throwsWith(() => wc.convTranspose2d(x, w, { stride: 1, dilation: 3, outputSize: [11, 14] }), RangeError, "'outputSize'", 'between 11 and 13', 'got 14');
    throwsWith(() => wc.convTranspose3d({ data: new Float32Array(2 * 8), shape: [1, 2, 2, 2, 2] }, { data: new Float32Array(2 * 3), shape: [2, 3, 1, 1, 1] }, { stride: 2, outputSize: [3, 4, 5] }), RangeError, "'outputSize'", 'between 3 and 4', 'got 5', 'axis 2');
    throwsWith(() => wc.convTranspose2d(x, w, { outputSize: [7] }), RangeError, "'outputSize'", '2 values');
    throwsWith(() => wc.convTranspose2d(x, w, { outputSize: [7, 0] }), RangeError, "'outputSize[1]'");
    throwsWith(() => wc.convTranspose2d(x, w, { outputPadding: 0, outputSize: [7, 7] }), TypeError, "'outputPadding'", "'outputSize'");
    for (const mode of ['reflect', 'replicate', 'circular']) {
      throwsWith(() => wc.convTranspose2d(x, w, { padding: 1, paddingMode: mode } as never), RangeError, 'convTranspose2d', "'paddingMode'", "'zeros'", `'${mode}'`);
      throwsWith(() => wc.createConvTranspose1d({ data: new Float32Array(6), shape: [2, 3, 1] }, { paddingMode: mode } as never), RangeError, "'paddingMode'", "'zeros'");
    }
    throwsWith(() => wc.convTranspose2d(x, w, { padding: 'same' } as never), RangeError, 'convTranspose2d', "'padding'", "'same'", 'outputSize');
    throwsWith(() => wc.createConvTranspose3d({ data: new Float32Array(6), shape: [2, 3, 1, 1, 1] }, { padding: 'same' } as never), RangeError, "'same'");
    // 'valid' is zero padding and is accepted
    expect(wc.convTranspose2d(x, w, { padding: 'valid' }).shape).toEqual([1, 3, 7, 7]);
    // weight channels: transposed weights are [Cin, Cout/groups, ...k]
    throwsWith(() => wc.convTranspose2d({ data: new Float32Array(3 * 25), shape: [1, 3, 5, 5] }, w), RangeError, 'to have 2 channels', 'got 3');
    throwsWith(() => wc.convTranspose2d(x, { data: new Float32Array(3 * 3 * 9), shape: [3, 3, 3, 3] }, { groups: 2 }), RangeError, 'not divisible by groups=2');
  });

  it('still computes correctly after the errors', () => {
    const r = rng(4411);
    const x = randomTensor(r, [2, 4, 5, 3]);
    const w = randomTensor(r, [4, 3, 3, 2]);
    check(2, x, w, { stride: 2, outputPadding: [1, 0], padding: [[1, 0], [0, 1]] }, 24, 'after errors');
  });
});
