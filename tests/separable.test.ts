/**
 * Depthwise, depthwise-separable and spatially separable 2-D convolution against the float64
 * reference:
 * - depthwiseConv2d (weight [C * m, 1, kH, kW], option depthMultiplier m) is conv2d with groups = C;
 * - separableConv2d(x, dw, pw) is the depthwise convolution then the pointwise one (bias and
 *   activation at the end);
 * - spatiallySeparableConv2d(x, column, row) is conv2d with the outer-product kernel
 *   W[o, i, y, x] = column[o, i, y, 0] * row[o, 0, 0, x].
 * Both layouts, strides, every padding form, dilations, groups, padding modes; plans; errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { ACTIVATIONS, samePadsOf } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type T = { data: Float32Array; shape: number[] };
type Opts = Record<string, unknown>;
const pick = <V>(r: Rng, a: readonly V[]): V => a[Math.floor(r() * a.length)];

function input(r: Rng, layout: string, N: number, C: number, H: number, W: number): T {
  return randomTensor(r, layout === 'NHWC' ? [N, H, W, C] : [N, C, H, W]);
}

/** The full kernel of a spatially separable convolution: W[o, i, y, x] = column[o, i, y, 0] * row[o, 0, 0, x]. */
function outerKernel(column: T, row: T): T {
  const [O, I, KH] = column.shape;
  const KW = row.shape[3];
  const data = new Float32Array(O * I * KH * KW);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
    data[((o * I + i) * KH + y) * KW + x] = Math.fround(column.data[(o * I + i) * KH + y] * row.data[o * KW + x]);
  }
  return { data, shape: [O, I, KH, KW] };
}

/** The reference of separableConv2d: depthwise (spatial options) then pointwise (bias, activation). */
function refSeparable(x: T, dw: T, pw: T, o: Opts): { data: Float32Array; shape: number[] } {
  const C = (o.layout === 'NHWC' ? x.shape[3] : x.shape[1]);
  const { bias, activation, depthwiseBias, depthwiseActivation, depthMultiplier: _, algorithm: __, ...spatial } = o;
  const mid = refConv(x, dw, { ...spatial, groups: C, bias: depthwiseBias, activation: depthwiseActivation });
  return refConv(mid, pw, { bias, activation, layout: o.layout } as Opts);
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

interface Geometry {
  H: number; W: number; kH: number; kW: number;
  stride: [number, number]; dilation: [number, number];
  padding: unknown; pads: Array<[number, number]>;
}

/** Random valid 2-D geometry with every padding form (number, 2 numbers, 2 pairs, mixed, 'same', 'valid'). */
function geometry(r: Rng, maxIn = 14, maxK = 5): Geometry {
  for (;;) {
    const H = randInt(r, 1, maxIn), W = randInt(r, 1, maxIn);
    const kH = randInt(r, 1, maxK), kW = randInt(r, 1, maxK);
    const stride: [number, number] = [pick(r, [1, 1, 2, 3]), pick(r, [1, 1, 2, 3])];
    const dilation: [number, number] = [pick(r, [1, 1, 2]), pick(r, [1, 1, 2])];
    const kind = pick(r, ['none', 'number', 'two', 'pairs', 'mixed', 'same', 'valid']);
    let padding: unknown;
    let pads: Array<[number, number]> = [[0, 0], [0, 0]];
    if (kind === 'number') { const p = randInt(r, 0, 3); padding = p; pads = [[p, p], [p, p]]; }
    else if (kind === 'two') { const a = randInt(r, 0, 3), b = randInt(r, 0, 3); padding = [a, b]; pads = [[a, a], [b, b]]; }
    else if (kind === 'pairs') { pads = [[randInt(r, 0, 3), randInt(r, 0, 3)], [randInt(r, 0, 3), randInt(r, 0, 3)]]; padding = pads.map((p) => [...p]); }
    else if (kind === 'mixed') { const a = randInt(r, 0, 3); const p: [number, number] = [randInt(r, 0, 3), randInt(r, 0, 3)]; padding = [a, p]; pads = [[a, a], p]; }
    else if (kind === 'same') { padding = 'same'; pads = [samePadsOf(H, kH, stride[0], dilation[0]), samePadsOf(W, kW, stride[1], dilation[1])]; }
    else if (kind === 'valid') padding = 'valid';
    if (H + pads[0][0] + pads[0][1] < dilation[0] * (kH - 1) + 1) continue;
    if (W + pads[1][0] + pads[1][1] < dilation[1] * (kW - 1) + 1) continue;
    return { H, W, kH, kW, stride, dilation, padding, pads };
  }
}

/** A padding mode the geometry allows (or none). */
function paddingMode(r: Rng, g: Geometry): string | undefined {
  if (r() < 0.55) return undefined;
  const mode = pick(r, ['reflect', 'replicate', 'circular', 'zeros']);
  const [n0, n1] = [g.H, g.W];
  const ok = (p: [number, number], n: number) => (mode === 'reflect' ? p[0] < n && p[1] < n : mode === 'circular' ? p[0] <= n && p[1] <= n : true);
  return ok(g.pads[0], n0) && ok(g.pads[1], n1) ? mode : undefined;
}

function spatialOptions(r: Rng, g: Geometry, layout: string): Opts {
  const o: Opts = { layout };
  if (g.stride[0] !== 1 || g.stride[1] !== 1 || r() < 0.3) o.stride = g.stride[0] === g.stride[1] && r() < 0.5 ? g.stride[0] : g.stride;
  if (g.dilation[0] !== 1 || g.dilation[1] !== 1 || r() < 0.3) o.dilation = g.dilation[0] === g.dilation[1] && r() < 0.5 ? g.dilation[0] : g.dilation;
  if (g.padding !== undefined) o.padding = g.padding;
  const mode = paddingMode(r, g);
  if (mode) o.paddingMode = mode;
  if (r() < 0.3) o.flip = true;
  return o;
}

function epilogue(r: Rng, o: Opts, cout: number): Opts {
  if (r() < 0.6) o.bias = randomTensor(r, [cout]).data;
  const act = pick(r, ACTIVATIONS);
  if (act !== undefined) o.activation = act;
  return o;
}

describe.skipIf(!backendAvailable())(`separable convolutions on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('depthwiseConv2d equals conv2d with groups = C and the reference, on 150 random cases', () => {
    const r = rng(6601);
    for (let i = 0; i < 150; i++) {
      const g = geometry(r);
      const layout = r() < 0.5 ? 'NCHW' : 'NHWC';
      const C = pick(r, [1, 2, 3, 4, 5, 8, 9, 12, 16, 17]);
      const m = randInt(r, 1, 3);
      const N = pick(r, [1, 1, 2, 3]);
      const x = input(r, layout, N, C, g.H, g.W);
      const w = randomTensor(r, [C * m, 1, g.kH, g.kW]);
      const o = epilogue(r, spatialOptions(r, g, layout), C * m);
      if (m > 1 || r() < 0.3) o.depthMultiplier = m;
      const label = `case ${i} ${JSON.stringify({ x: x.shape, w: w.shape, ...o, bias: !!o.bias })}`;
      const got = wc.depthwiseConv2d(x, w, o as wc.DepthwiseConv2dOptions);
      const { depthMultiplier: _, ...convOpts } = o;
      expectClose(got, refConv(x, w, { ...convOpts, groups: C }), tolFor(g.kH * g.kW), label);
      expect(Array.from(got.data), `${label}: equals conv2d`).toEqual(Array.from(wc.conv2d(x, w, { ...convOpts, groups: C } as wc.Conv2dOptions).data));
    }
  });

  it('createDepthwiseConv2d: a plan reused across runs and input sizes', () => {
    const r = rng(6602);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const w = randomTensor(r, [12, 1, 3, 3]);
      const o = { layout, depthMultiplier: 3, padding: 'same' as const, stride: 2, bias: randomTensor(r, [12]).data, activation: 'relu6' as const };
      const plan = wc.createDepthwiseConv2d(w, o);
      for (const [H, W] of [[5, 5], [1, 9], [16, 3], [5, 5]]) {
        const x = input(r, layout, 2, 4, H, W);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expectClose(a, refConv(x, w, { layout, groups: 4, padding: 'same', stride: 2, bias: o.bias, activation: 'relu6' }), tolFor(9), `${layout} ${H}x${W}`);
      }
      plan.dispose();
    }
  });

  it('separableConv2d equals depthwise then pointwise (bias and activation at the end), on 120 random cases', () => {
    const r = rng(6603);
    for (let i = 0; i < 120; i++) {
      const g = geometry(r, 12, 4);
      const layout = r() < 0.5 ? 'NCHW' : 'NHWC';
      const C = pick(r, [1, 2, 3, 4, 5, 8, 9]);
      const m = randInt(r, 1, 3);
      const Cout = pick(r, [1, 3, 4, 5, 8, 9, 16, 17]);
      const N = pick(r, [1, 1, 2]);
      const x = input(r, layout, N, C, g.H, g.W);
      const dw = randomTensor(r, [C * m, 1, g.kH, g.kW]);
      const pw = randomTensor(r, [Cout, C * m, 1, 1]);
      const o = epilogue(r, spatialOptions(r, g, layout), Cout);
      if (m > 1 || r() < 0.3) o.depthMultiplier = m;
      const label = `case ${i} ${JSON.stringify({ x: x.shape, dw: dw.shape, pw: pw.shape, ...o, bias: !!o.bias })}`;
      expectClose(wc.separableConv2d(x, dw, pw, o as wc.SeparableConv2dOptions), refSeparable(x, dw, pw, o), tolFor(g.kH * g.kW * C * m), label);
    }
  });

  it('separableConv2d over several pixel blocks and with more than 1024 intermediate channels', () => {
    const r = rng(6609);
    // [C, m, Cout, H, W, k]: 192 intermediate channels make pixel blocks of 256, so 17 x 17
    // outputs take two; 1040 intermediate channels split the pointwise reduction in two blocks.
    const cases: Array<[number, number, number, number, number, number]> = [
      [64, 3, 12, 17, 17, 3], [520, 2, 6, 6, 7, 3], [1100, 1, 5, 4, 5, 2], [8, 2, 9, 61, 53, 3],
    ];
    for (const [C, m, Cout, H, W, k] of cases) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const x = input(r, layout, C > 50 ? 1 : 2, C, H, W);
        const dw = randomTensor(r, [C * m, 1, k, k]);
        const pw = randomTensor(r, [Cout, C * m, 1, 1]);
        const bias = randomTensor(r, [Cout]).data.map((v) => v * 10);
        for (const o of [
          { layout, depthMultiplier: m, padding: 'same', bias, activation: 'relu' },
          { layout, depthMultiplier: m, stride: 2, padding: [[1, 0], [0, 1]], paddingMode: 'reflect', flip: true, bias, activation: { type: 'clamp', min: -2, max: 3 } },
        ] as Opts[]) {
          expectClose(wc.separableConv2d(x, dw, pw, o as wc.SeparableConv2dOptions), refSeparable(x, dw, pw, o), tolFor(k * k * C * m),
            `C=${C} m=${m} Cout=${Cout} ${H}x${W} ${JSON.stringify({ ...o, bias: 'yes' })}`);
        }
      }
    }
  });

  it('a MobileNet block: depthwiseBias and depthwiseActivation between the stages, fused and on the GEMM, at tile and block edges', () => {
    const r = rng(6631);
    // [C, m, Cout, H, W, k, stride]: outputs not a multiple of the 8-pixel (channels-first) or
    // 4-pixel (channels-last) panels; two pixel blocks (192 intermediate channels, 17 x 17); the
    // pointwise reduction in two blocks of intermediate channels (1100: the bias offset per block).
    const cases: Array<[number, number, number, number, number, number, number]> = [
      [3, 2, 5, 5, 7, 3, 1], [4, 1, 6, 9, 9, 3, 2], [64, 3, 12, 17, 17, 3, 1], [1100, 1, 5, 4, 5, 2, 1], [8, 2, 9, 23, 19, 3, 2],
    ];
    const midActivations = ['relu6', 'relu', { type: 'leakyRelu', alpha: 0.2 }, { type: 'clamp', min: -0.5, max: 0.25 }];
    let i = 0;
    for (const [C, m, Cout, H, W, k, stride] of cases) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        for (const algorithm of ['auto', 'gemm'] as const) {
          const x = input(r, layout, C > 50 ? 1 : 2, C, H, W);
          const dw = randomTensor(r, [C * m, 1, k, k]);
          const pw = randomTensor(r, [Cout, C * m, 1, 1]);
          const depthwiseBias = randomTensor(r, [C * m]).data.map((v) => v * 2);
          const o: Opts = {
            layout, depthMultiplier: m, stride, padding: 'same', algorithm, depthwiseBias, depthwiseActivation: midActivations[i++ % midActivations.length],
            bias: randomTensor(r, [Cout]).data, activation: 'relu6',
          };
          const what = `C=${C} m=${m} Cout=${Cout} ${H}x${W} stride ${stride} ${layout} ${algorithm} ${JSON.stringify(o.depthwiseActivation)}`;
          const expected = refSeparable(x, dw, pw, o);
          expectClose(wc.separableConv2d(x, dw, pw, o as wc.SeparableConv2dOptions), expected, tolFor(k * k + C * m), what);
          // The mid stage changes the result: without it the answer differs.
          const plain = refSeparable(x, dw, pw, { ...o, depthwiseBias: undefined, depthwiseActivation: undefined });
          expect(plain.data.some((v, j) => Math.abs(v - expected.data[j]) > 1e-3), what).toBe(true);
          // A plan is a snapshot of its options: changing the bias afterwards changes nothing.
          const plan = wc.createSeparableConv2d(dw, pw, o as wc.SeparableConv2dOptions);
          depthwiseBias.fill(100);
          expectClose(plan.run(x), expected, tolFor(k * k + C * m), `${what} plan`);
          plan.dispose();
        }
      }
    }
    // Without a depthwise bias (activation only) and without a depthwise activation (bias only).
    const x = input(r, 'NCHW', 1, 6, 11, 10);
    const dw = randomTensor(r, [6, 1, 3, 3]);
    const pw = randomTensor(r, [7, 6, 1, 1]);
    for (const o of [{ depthwiseActivation: 'relu6' }, { depthwiseBias: randomTensor(r, [6]).data }, { depthwiseBias: randomTensor(r, [6]), depthwiseActivation: 'leakyRelu' }] as Opts[]) {
      expectClose(wc.separableConv2d(x, dw, pw, { padding: 1, ...o } as wc.SeparableConv2dOptions), refSeparable(x, dw, pw, { padding: 1, ...o }), tolFor(15), JSON.stringify(Object.keys(o)));
    }
    // Checked as the other options are, and only the separable helpers take them.
    for (const algorithm of ['auto', 'gemm'] as const) {
      throwsWith(() => wc.separableConv2d(x, dw, pw, { algorithm, depthwiseBias: new Float32Array(7) }), RangeError, 'separableConv2d', "option 'depthwiseBias'", 'depthwise output channel (6)', 'got 7');
      throwsWith(() => wc.createSeparableConv2d(dw, pw, { algorithm, depthwiseActivation: 'relu7' as never }), TypeError, 'createSeparableConv2d', "option 'depthwiseActivation'", "'relu7'");
      throwsWith(() => wc.createSeparableConv2d(dw, pw, { algorithm, depthwiseActivation: { type: 'clamp', min: 1, max: 0 } }), RangeError, "option 'depthwiseActivation'", 'min <= max');
    }
    throwsWith(() => wc.depthwiseConv2d(x, dw, { depthwiseBias: new Float32Array(6) } as never), TypeError, "unknown option 'depthwiseBias'");
    throwsWith(() => wc.conv2d(x, dw, { groups: 6, depthwiseActivation: 'relu' } as never), TypeError, "unknown option 'depthwiseActivation'");
  });

  it('createSeparableConv2d: a plan reused across runs and input sizes, and its output shape', () => {
    const r = rng(6604);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const dw = randomTensor(r, [6, 1, 3, 2]);
      const pw = randomTensor(r, [10, 6, 1, 1]);
      const o = { layout, depthMultiplier: 2, padding: [[1, 1], [0, 1]] as [number, number][], dilation: [2, 1], bias: randomTensor(r, [10]).data, activation: 'leakyRelu' as const };
      const plan = wc.createSeparableConv2d(dw, pw, o);
      for (const [H, W] of [[6, 7], [3, 1], [20, 9], [6, 7]]) {
        const x = input(r, layout, 1, 3, H, W);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expect(plan.workspaceBytes(x.shape)).toBeGreaterThanOrEqual(0);
        expectClose(a, refSeparable(x, dw, pw, o), tolFor(36), `${layout} ${H}x${W}`);
      }
      plan.dispose();
    }
  });

  it('spatiallySeparableConv2d equals conv2d with the outer-product kernel, on 200 random cases', () => {
    const r = rng(6605);
    const seen: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const g = geometry(r, 14, 6);
      const layout = r() < 0.5 ? 'NCHW' : 'NHWC';
      const groups = pick(r, [1, 1, 1, 2, 3]);
      const cg = pick(r, [1, 2, 3, 4, 5, 8]);
      const kg = pick(r, [1, 2, 3, 4, 5, 8, 9]);
      const N = pick(r, [1, 1, 2]);
      const x = input(r, layout, N, cg * groups, g.H, g.W);
      const column = randomTensor(r, [kg * groups, cg, g.kH, 1]);
      const row = randomTensor(r, [kg * groups, 1, 1, g.kW]);
      const o = epilogue(r, spatialOptions(r, g, layout), kg * groups);
      if (groups > 1 || r() < 0.3) o.groups = groups;
      const label = `case ${i} ${JSON.stringify({ x: x.shape, column: column.shape, row: row.shape, ...o, bias: !!o.bias })}`;
      const got = wc.spatiallySeparableConv2d(x, column, row, o as wc.Conv2dOptions);
      expectClose(got, refConv(x, outerKernel(column, row), o), tolFor(cg * g.kH * g.kW), label);
      const key = `${typeof o.padding === 'string' ? o.padding : Array.isArray(o.padding) ? 'array' : typeof o.padding}/${o.paddingMode ?? 'zeros'}`;
      seen[key] = (seen[key] ?? 0) + 1;
    }
    for (const k of ['same/zeros', 'same/reflect', 'array/circular', 'array/replicate', 'number/reflect', 'valid/zeros', 'undefined/zeros']) {
      expect(seen[k] ?? 0, `cases with ${k}`).toBeGreaterThan(0);
    }
  });

  it('spatiallySeparableConv2d: a rank-1 kernel gives the same result as conv2d with it', () => {
    const r = rng(6606);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const paddingMode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
        const x = input(r, layout, 2, 4, 9, 11);
        const column = randomTensor(r, [6, 2, 3, 1]);
        const row = randomTensor(r, [6, 1, 1, 5]);
        const o = { layout, groups: 2, padding: 'same' as const, stride: [2, 1], dilation: [1, 2], paddingMode, bias: randomTensor(r, [6]).data, activation: 'relu' as const };
        const viaConv = wc.conv2d(x, outerKernel(column, row), o);
        expectClose(wc.spatiallySeparableConv2d(x, column, row, o), viaConv, tolFor(30), `${layout} ${paddingMode}`);
        expectClose(viaConv, refConv(x, outerKernel(column, row), o), tolFor(30), `conv2d ${layout} ${paddingMode}`);
      }
    }
    // A Sobel filter is [1, 2, 1]^T x [1, 0, -1]: hand-checked on a ramp
    const ramp = { data: Float32Array.from({ length: 25 }, (_, i) => i % 5), shape: [1, 1, 5, 5] };
    const sobel = wc.spatiallySeparableConv2d(ramp, { data: [1, 2, 1], shape: [1, 1, 3, 1] }, { data: [1, 0, -1], shape: [1, 1, 1, 3] });
    expect(sobel.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(sobel.data)).toEqual(new Array(9).fill(-8));
  });

  it('createSpatiallySeparableConv2d: a plan reused across runs and input sizes', () => {
    const r = rng(6607);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const column = randomTensor(r, [4, 3, 4, 1]);
      const row = randomTensor(r, [4, 1, 1, 3]);
      const o = { layout, padding: [2, [1, 0]] as unknown as wc.Padding, paddingMode: 'replicate' as const, stride: 2, flip: true, bias: randomTensor(r, [4]).data };
      const plan = wc.createSpatiallySeparableConv2d(column, row, o);
      for (const [H, W] of [[5, 6], [1, 2], [13, 8], [5, 6]]) {
        const x = input(r, layout, 2, 3, H, W);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expectClose(a, refConv(x, outerKernel(column, row), o as Opts), tolFor(36), `${layout} ${H}x${W}`);
      }
      plan.dispose();
    }
  });

  it('errors: wrong weight and factor shapes, options that do not apply', () => {
    const x = { data: new Float32Array(4 * 36), shape: [1, 4, 6, 6] };
    const t = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
    // depthwise
    throwsWith(() => wc.depthwiseConv2d(x, t([4, 2, 3, 3])), RangeError, 'depthwiseConv2d', "'depthwiseWeight'", '[C * depthMultiplier, 1, kH, kW]', '[4, 2, 3, 3]');
    throwsWith(() => wc.depthwiseConv2d(x, t([10, 1, 3, 3]), { depthMultiplier: 3 }), RangeError, "'depthwiseWeight'", 'depthMultiplier=3', '[10, 1, 3, 3]');
    throwsWith(() => wc.depthwiseConv2d(x, t([4, 1, 3])), RangeError, "'depthwiseWeight'", '4-D');
    throwsWith(() => wc.depthwiseConv2d(x, t([8, 1, 3, 3])), RangeError, 'to have 8 channels', 'got 4'); // m = 2 needs depthMultiplier
    expect(wc.depthwiseConv2d(x, t([8, 1, 3, 3]), { depthMultiplier: 2 }).shape).toEqual([1, 8, 4, 4]);
    throwsWith(() => wc.depthwiseConv2d(x, t([4, 1, 3, 3]), { depthMultiplier: 0 }), RangeError, "'depthMultiplier'");
    throwsWith(() => wc.depthwiseConv2d(x, t([4, 1, 3, 3]), { groups: 4 } as never), TypeError, "unknown option 'groups'");
    // separable
    throwsWith(() => wc.separableConv2d(x, t([4, 1, 3, 3]), t([6, 5, 1, 1])), RangeError, 'separableConv2d', "'pointwiseWeight'", '[Cout, 4, 1, 1]', '[6, 5, 1, 1]');
    throwsWith(() => wc.separableConv2d(x, t([8, 1, 3, 3]), t([6, 4, 1, 1]), { depthMultiplier: 2 }), RangeError, "'pointwiseWeight'", '[Cout, 8, 1, 1]');
    throwsWith(() => wc.separableConv2d(x, t([4, 1, 3, 3]), t([6, 4, 3, 3])), RangeError, "'pointwiseWeight'", '[6, 4, 3, 3]');
    throwsWith(() => wc.separableConv2d(x, t([4, 1, 3, 3]), t([6, 4])), RangeError, "'pointwiseWeight'", '4-D');
    throwsWith(() => wc.separableConv2d(x, t([4, 3, 3, 3]), t([6, 4, 1, 1])), RangeError, "'depthwiseWeight'");
    throwsWith(() => wc.separableConv2d(x, t([4, 1, 3, 3]), t([6, 4, 1, 1]), { groups: 2 } as never), TypeError, "unknown option 'groups'");
    // spatially separable
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 2]), t([6, 1, 1, 3])), RangeError, 'spatiallySeparableConv2d', "'column'", '[Cout, Cin/groups, kH, 1]', '[6, 4, 3, 2]');
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 1]), t([5, 1, 1, 3])), RangeError, "'row'", '[6, 1, 1, kW]', '[5, 1, 1, 3]');
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 1]), t([6, 2, 1, 3])), RangeError, "'row'", '[6, 2, 1, 3]');
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 1]), t([6, 1, 3, 3])), RangeError, "'row'", '[6, 1, 3, 3]');
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3]), t([6, 1, 1, 3])), RangeError, "'column'", '4-D');
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 1]), null as never), TypeError, "'row'");
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 4, 3, 1]), t([6, 1, 1, 3]), { padding: [1, 1, 1] }), TypeError, "'padding'", "'same'");
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 3, 3, 1]), t([6, 1, 1, 3])), RangeError, 'channels'); // Cin/groups = 3 vs 4
    throwsWith(() => wc.spatiallySeparableConv2d(x, t([6, 2, 3, 1]), t([6, 1, 1, 3]), { groups: 4 }), RangeError, 'groups=4');
    throwsWith(() => wc.createSpatiallySeparableConv2d(t([6, 4, 3, 1]), t([6, 1, 1, 3]), { depthMultiplier: 2 } as never), TypeError, "unknown option 'depthMultiplier'");
    // and the library keeps working
    const r = rng(6608);
    const xi = randomTensor(r, [1, 4, 6, 6]);
    const wi = randomTensor(r, [4, 1, 3, 3]);
    expectClose(wc.depthwiseConv2d(xi, wi, { padding: 1 }), refConv(xi, wi, { padding: 1, groups: 4 }), tolFor(9), 'after errors');
  });
});
