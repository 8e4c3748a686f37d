/**
 * 8-bit convolution (QLinearConv / ConvInteger semantics) on the backend of the vitest project:
 * the ONNX node tests, then random problems over every option and both signednesses, compared
 * bit for bit with the exact integer reference (tests/quantizedReference.ts), then sizes around
 * the kernel's 4 x 8 tile and pixel blocks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refIntegerConv, refRequantize } from './quantizedReference.ts';
import { SHARED_DIR, randInt, rng, sharedAvailable, type Rng } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const QDIR = join(SHARED_DIR, 'conformance', 'onnx-quantized');
const CASES = ['test_qlinearconv', 'test_convinteger_with_padding', 'test_convinteger_without_padding'];

interface OnnxTensor { name?: string; dtype: string; shape: number[]; data: number[] }
interface OnnxCase { op: 'QLinearConv' | 'ConvInteger'; attributes: { pads?: number[]; strides?: number[]; dilations?: number[]; group?: number }; inputs: OnnxTensor[]; outputs: OnnxTensor[] }

const typed = (t: OnnxTensor) => (t.dtype === 'int8' ? Int8Array.from(t.data) : Uint8Array.from(t.data));
const scalarOrList = (t: OnnxTensor | undefined) => (t === undefined ? undefined : t.shape.length === 0 || t.data.length === 1 ? t.data[0] : t.data);

const available = backendAvailable();
const shared = sharedAvailable();
if (!shared) console.warn(`[wasmconv tests] ${SHARED_DIR} is absent: the ONNX QLinearConv / ConvInteger cases are skipped`);

beforeAll(async () => {
  if (available) await readyBackend();
});

describe.skipIf(!available || !shared)(`ONNX 8-bit node tests (${BACKEND})`, () => {
  for (const name of CASES) {
    it(name, () => {
      const c = JSON.parse(readFileSync(join(QDIR, `${name}.json`), 'utf8')) as OnnxCase;
      const a = c.attributes;
      const rank = c.inputs[0].shape.length - 2;
      const pads = a.pads ? Array.from({ length: rank }, (_, i) => [a.pads![i], a.pads![i + rank]] as [number, number]) : undefined;
      const geometry = { padding: pads, stride: a.strides, dilation: a.dilations, groups: a.group };
      const byName = (n: string) => c.inputs.find((t) => t.name === n);
      const expected = c.outputs[0];
      const ref = (x: OnnxTensor, w: OnnxTensor, xz: number, wz: number | number[], b?: OnnxTensor) => refIntegerConv(
        { data: x.data, shape: x.shape }, { data: w.data, shape: w.shape },
        { xZeroPoint: xz, wZeroPoint: wz, bias: b?.data, pads, stride: a.strides, dilation: a.dilations, groups: a.group },
      );
      if (c.op === 'QLinearConv') {
        const [x, xs, xz, w, ws, wz, ys, yz, b] = c.inputs;
        // The reference itself must give ONNX's bytes.
        const sums = ref(x, w, xz.data[0], scalarOrList(wz)!, b);
        const r = refRequantize(sums, { xScale: xs.data[0], wScale: scalarOrList(ws)!, yScale: ys.data[0], yZeroPoint: yz.data[0], type: yz.dtype as 'uint8' | 'int8' });
        expect(Array.from(r.data)).toEqual(expected.data);
        const y = wc.quantizedConv2d(
          { data: typed(x), shape: x.shape, scale: xs.data[0], zeroPoint: xz.data[0] },
          { data: typed(w), shape: w.shape, scale: scalarOrList(ws)!, zeroPoint: scalarOrList(wz)! },
          { ...geometry, bias: b ? Int32Array.from(b.data) : undefined, output: { scale: ys.data[0], zeroPoint: yz.data[0], type: yz.dtype as wc.QuantizedType } },
        );
        expect(y.shape).toEqual(expected.shape);
        expect(Array.from(y.data)).toEqual(expected.data);
      } else {
        const x = c.inputs[0], w = c.inputs[1];
        const wz = byName('w_zero_point') ?? byName('w_zero_points');
        expect(Array.from(ref(x, w, byName('x_zero_point')?.data[0] ?? 0, scalarOrList(wz) ?? 0).data)).toEqual(expected.data);
        const y = wc.integerConv2d(
          { data: typed(x), shape: x.shape, zeroPoint: byName('x_zero_point')?.data[0] },
          { data: typed(w), shape: w.shape, zeroPoint: scalarOrList(wz) },
          geometry,
        );
        expect(y.shape).toEqual(expected.shape);
        expect(Array.from(y.data)).toEqual(expected.data);
      }
    });
  }
});

type QType = 'uint8' | 'int8';
const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const RANGE: Record<QType, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

function randomBytes(r: Rng, n: number, type: QType): Uint8Array | Int8Array {
  const [lo, hi] = RANGE[type];
  const a = type === 'uint8' ? new Uint8Array(n) : new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = randInt(r, lo, hi);
  return a;
}

interface Problem {
  rank: number; N: number; C: number; Cout: number; groups: number; spatial: number[]; k: number[];
  stride: number[]; dilation: number[]; padding: 'same' | 'valid' | Array<[number, number]>;
  channelsLast: boolean; xType: QType; wType: QType; yType: QType; perChannel: boolean; bias: boolean;
  activation: 'none' | 'relu' | 'relu6' | 'clamp'; integer: boolean;
}

/** A random valid problem: every option drawn, sizes small enough for the naive reference. */
function randomProblem(r: Rng, overrides: Partial<Problem> = {}): Problem {
  const rank = overrides.rank ?? randInt(r, 1, 3);
  const groups = overrides.groups ?? [1, 1, 2, 3][randInt(r, 0, 3)];
  const depthwise = r() < 0.2;
  const C = overrides.C ?? (depthwise ? groups : groups * randInt(r, 1, 5));
  const Cout = overrides.Cout ?? groups * randInt(r, 1, 6);
  const k = overrides.k ?? Array.from({ length: rank }, () => randInt(r, 1, rank === 3 ? 2 : 3));
  const stride = overrides.stride ?? Array.from({ length: rank }, () => randInt(r, 1, 3));
  const dilation = overrides.dilation ?? Array.from({ length: rank }, () => randInt(r, 1, 2));
  const spatial = overrides.spatial ?? k.map((kk, i) => dilation[i] * (kk - 1) + 1 + randInt(r, 0, rank === 3 ? 4 : rank === 2 ? 9 : 20));
  const pr = r();
  const padding = overrides.padding ?? (pr < 0.2 ? 'same' : pr < 0.3 ? 'valid' : Array.from({ length: rank }, () => [randInt(r, 0, 2), randInt(r, 0, 2)] as [number, number]));
  const types: QType[] = ['uint8', 'int8'];
  const acts = ['none', 'relu', 'relu6', 'clamp'] as const;
  return {
    rank, N: randInt(r, 1, 2), C, Cout, groups, spatial, k, stride, dilation, padding,
    channelsLast: r() < 0.4, xType: types[randInt(r, 0, 1)], wType: types[randInt(r, 0, 1)], yType: types[randInt(r, 0, 1)],
    perChannel: r() < 0.5, bias: r() < 0.6, activation: acts[randInt(r, 0, 3)], integer: r() < 0.25,
    ...overrides,
  };
}

/** Runs a problem through the API (one-shot or plan) and the reference; expects identical data. */
function check(p: Problem, r: Rng, usePlan: boolean): number {
  const { rank } = p;
  const xShape = p.channelsLast ? [p.N, ...p.spatial, p.C] : [p.N, p.C, ...p.spatial];
  const wShape = [p.Cout, p.C / p.groups, ...p.k];
  const x = randomBytes(r, xShape.reduce((a, b) => a * b, 1), p.xType);
  const w = randomBytes(r, wShape.reduce((a, b) => a * b, 1), p.wType);
  const [xl, xh] = RANGE[p.xType], [wl, wh] = RANGE[p.wType];
  const xZero = randInt(r, xl, xh);
  const wZero = p.perChannel ? Array.from({ length: p.Cout }, () => randInt(r, wl, wh)) : randInt(r, wl, wh);
  const xScale = 0.001 + r() * 0.05;
  const wScale = p.perChannel ? Array.from({ length: p.Cout }, () => 0.001 + r() * 0.05) : 0.001 + r() * 0.05;
  const [yl, yh] = RANGE[p.yType];
  const yZero = randInt(r, yl, yh);
  // An output scale of the order of the sums' spread keeps results inside the range most of the time.
  const K = (p.C / p.groups) * p.k.reduce((a, b) => a * b, 1);
  const yScale = xScale * 0.03 * (0.2 + r()) * Math.sqrt(K) * 40;
  const bias = p.bias ? Int32Array.from({ length: p.Cout }, () => randInt(r, -5000, 5000)) : undefined;
  const layout = LAYOUTS[rank][p.channelsLast ? 1 : 0];
  const pads = p.padding === 'same'
    ? p.spatial.map((n, i) => {
        const out = Math.ceil(n / p.stride[i]);
        const total = Math.max(0, (out - 1) * p.stride[i] + p.dilation[i] * (p.k[i] - 1) + 1 - n);
        return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
      })
    : p.padding === 'valid' ? p.spatial.map(() => [0, 0] as [number, number]) : p.padding;
  const geometry = { stride: p.stride, dilation: p.dilation, padding: p.padding, groups: p.groups, layout };
  const sums = refIntegerConv({ data: x, shape: xShape }, { data: w, shape: wShape }, {
    xZeroPoint: xZero, wZeroPoint: wZero, bias: p.integer ? undefined : bias, stride: p.stride, dilation: p.dilation, pads, groups: p.groups, channelsLast: p.channelsLast,
  });
  const label = JSON.stringify(p);
  if (p.integer) {
    const fns = [wc.integerConv1d, wc.integerConv2d, wc.integerConv3d];
    const y = fns[rank - 1]({ data: x, shape: xShape, zeroPoint: xZero }, { data: w, shape: wShape, zeroPoint: wZero }, geometry as never);
    expect(y.shape, label).toEqual(sums.shape);
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(Array.from(y.data), label).toEqual(Array.from(sums.data));
    return 1;
  }
  const out = { scale: yScale, zeroPoint: yZero, type: p.yType };
  let lo: number | undefined, hi: number | undefined;
  let activation: wc.QuantizedActivation = 'none';
  const q = (v: number) => Math.min(yh, Math.max(yl, yZero + Math.round(v / yScale)));
  if (p.activation === 'relu') { activation = 'relu'; lo = q(0); }
  if (p.activation === 'relu6') { activation = 'relu6'; lo = q(0); hi = q(6); }
  if (p.activation === 'clamp') {
    const a = -yScale * 40.25, b = yScale * 30.75; // exact halves away from ties in float64
    activation = { type: 'clamp', min: a, max: b };
    lo = q(a); hi = q(b);
  }
  const expected = refRequantize(sums, { xScale, wScale, yScale, yZeroPoint: yZero, type: p.yType, lo, hi, channelsLast: p.channelsLast });
  const xq = { data: x, shape: xShape, scale: xScale, zeroPoint: xZero };
  const wq = { data: w, shape: wShape, scale: wScale, zeroPoint: wZero };
  const options = { ...geometry, bias, output: out, activation } as never;
  let y: wc.QuantizedTensor;
  if (usePlan) {
    const creators = [wc.createQuantizedConv1d, wc.createQuantizedConv2d, wc.createQuantizedConv3d];
    const plan = creators[rank - 1](wq, options);
    plan.run(xq);
    y = plan.run(xq); // a second run reuses the plan's state
    expect(plan.outputShape(xShape)).toEqual(expected.shape);
    plan.dispose();
  } else {
    const fns = [wc.quantizedConv1d, wc.quantizedConv2d, wc.quantizedConv3d];
    y = fns[rank - 1](xq, wq, options);
  }
  expect(y.shape, label).toEqual(expected.shape);
  expect(y.data, label).toBeInstanceOf(p.yType === 'uint8' ? Uint8Array : Int8Array);
  expect(y.scale).toBe(yScale);
  expect(y.zeroPoint).toBe(yZero);
  const got = Array.from(y.data), want = Array.from(expected.data);
  const first = got.findIndex((v, i) => v !== want[i]);
  expect(first, `${label}: first difference at ${first}: got ${got[first]}, expected ${want[first]}`).toBe(-1);
  // The share of outputs inside the range: the random tests check that most are not saturated.
  return want.filter((v) => v !== yl && v !== yh).length / Math.max(1, want.length);
}

describe.skipIf(!available)(`8-bit convolution against the exact reference (${BACKEND})`, () => {
  it('random problems over every option (one-shot functions)', () => {
    const r = rng(1401);
    let inside = 0;
    for (let i = 0; i < 150; i++) inside += check(randomProblem(r), r, false);
    expect(inside / 150, 'mean share of outputs not saturated').toBeGreaterThan(0.5);
  });

  it('random problems through plans', () => {
    const r = rng(1402);
    for (let i = 0; i < 60; i++) check(randomProblem(r), r, true);
  });

  it('every signedness combination with per-channel weights and activations', () => {
    const r = rng(1403);
    for (const xType of ['uint8', 'int8'] as const) {
      for (const wType of ['uint8', 'int8'] as const) {
        for (const yType of ['uint8', 'int8'] as const) {
          for (const activation of ['none', 'relu', 'relu6', 'clamp'] as const) {
            check(randomProblem(r, { rank: 2, xType, wType, yType, activation, integer: false, perChannel: true, bias: true }), r, false);
          }
        }
        check(randomProblem(r, { rank: 2, xType, wType, integer: true }), r, false);
      }
    }
  });

  it('depthwise (groups = channels, with channel multipliers), both layouts, stride 1 and 2', () => {
    const r = rng(1404);
    for (const channelsLast of [false, true]) {
      for (const s of [1, 2]) {
        for (const mult of [1, 2, 5]) {
          const C = randInt(r, 1, 9);
          check(randomProblem(r, { rank: 2, C, groups: C, Cout: C * mult, k: [3, 3], stride: [s, s], dilation: [1, 1], spatial: [randInt(r, 3, 20), randInt(r, 3, 40)], padding: [[1, 1], [1, 1]], channelsLast }), r, false);
        }
      }
    }
  });

  it('output channels and pixels equal to, below, above and not divisible by the 4 x 8 tile', () => {
    const r = rng(1405);
    for (const Cout of [1, 3, 4, 5, 8, 13]) {
      for (const W of [1, 7, 8, 9, 16, 17, 23]) {
        for (const C of [1, 2, 3]) {
          check(randomProblem(r, { rank: 2, C, Cout, groups: 1, k: [1, 3], stride: [1, 1], dilation: [1, 1], spatial: [2, W + 2], padding: 'valid', channelsLast: false }), r, false);
        }
      }
    }
  });

  it('pixel counts across several blocks, long reductions (odd and even), rows wide enough for the vector paths (GEMM and depthwise)', () => {
    const r = rng(1406);
    // 64 channels x 9 taps = 576 reductions: blocks of 24 pixels; 41 x 37 outputs cross many blocks.
    check(randomProblem(r, { rank: 2, N: 1, C: 64, Cout: 9, groups: 1, k: [3, 3], stride: [1, 1], dilation: [1, 1], spatial: [41, 37], padding: [[1, 1], [1, 1]], channelsLast: false, integer: false, activation: 'none' }), r, false);
    check(randomProblem(r, { rank: 2, N: 2, C: 7, Cout: 6, groups: 1, k: [3, 3], stride: [2, 2], dilation: [1, 1], spatial: [35, 67], padding: 'same', channelsLast: false }), r, false);
    check(randomProblem(r, { rank: 2, N: 1, C: 3, Cout: 5, groups: 1, k: [3, 3], stride: [2, 2], dilation: [1, 1], spatial: [33, 64], padding: [[1, 1], [1, 1]], channelsLast: false }), r, false);
    check(randomProblem(r, { rank: 1, N: 1, C: 5, Cout: 7, groups: 1, k: [7], stride: [1], dilation: [1], spatial: [300], padding: [[3, 3]], channelsLast: false }), r, true);
    check(randomProblem(r, { rank: 2, N: 1, C: 6, Cout: 5, groups: 1, k: [2, 3], stride: [3, 3], dilation: [1, 2], spatial: [20, 90], padding: [[0, 2], [1, 0]], channelsLast: true }), r, false);
    for (const channelsLast of [false, true]) {
      for (const [s, dl] of [[1, 1], [2, 1], [1, 2], [2, 2], [3, 1]]) {
        check(randomProblem(r, { rank: 2, N: 1, C: 4, Cout: 8, groups: 4, k: [3, 5], stride: [s, s], dilation: [dl, dl], spatial: [12, 70], padding: [[1, 2], [2, 1]], channelsLast }), r, false);
      }
    }
    check(randomProblem(r, { rank: 3, N: 2, C: 3, Cout: 3, groups: 3, k: [2, 3, 3], stride: [1, 1, 2], dilation: [1, 1, 1], spatial: [3, 5, 50], padding: 'same', channelsLast: false }), r, false);
    check(randomProblem(r, { rank: 1, N: 1, C: 6, Cout: 6, groups: 6, k: [5], stride: [1], dilation: [1], spatial: [100], padding: [[2, 2]], channelsLast: false }), r, true);
    check(randomProblem(r, { rank: 3, N: 1, C: 3, Cout: 4, groups: 1, k: [3, 3, 3], stride: [1, 1, 1], dilation: [1, 1, 1], spatial: [5, 9, 20], padding: [[1, 1], [1, 1], [1, 1]], channelsLast: false }), r, false);
  });

  it('extreme values: every input and weight at the ends of its range, with and without zero points', () => {
    for (const [xType, xv, xz] of [['uint8', 255, 0], ['uint8', 0, 255], ['int8', -128, 127], ['int8', 127, -128]] as const) {
      for (const [wType, wv, wz] of [['uint8', 255, 0], ['int8', -128, 127], ['int8', 127, -128]] as const) {
        const C = 40, K = C * 9;
        const x = (xType === 'uint8' ? new Uint8Array(C * 100) : new Int8Array(C * 100)).fill(xv);
        const w = (wType === 'uint8' ? new Uint8Array(3 * K) : new Int8Array(3 * K)).fill(wv);
        const y = wc.integerConv2d({ data: x, shape: [1, C, 10, 10], zeroPoint: xz }, { data: w, shape: [3, C, 3, 3], zeroPoint: wz }, { padding: 1 });
        const ref = refIntegerConv({ data: x, shape: [1, C, 10, 10] }, { data: w, shape: [3, C, 3, 3] }, { xZeroPoint: xz, wZeroPoint: wz, pads: [[1, 1], [1, 1]] });
        expect(Array.from(y.data)).toEqual(Array.from(ref.data));
      }
    }
  });
});
