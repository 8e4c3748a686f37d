/**
 * Depthwise convolution (groups == input channels, any channel multiplier): the direct kernels
 * of assembly/depthwise/ against the float64 reference, on random sweeps and on the shapes
 * around the kernels' vector widths (4 channels channels-last, 4 and 8 output columns
 * channels-first) and their specialised paths (3x3 and 5x5, stride 1 and 2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { ACTIVATIONS } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';
import { packDepthwiseWeights, prefersDepthwise } from '../src/algorithms/depthwise.ts';
import { algorithmOf } from '../src/internal.ts';
import { product } from '../src/shape.ts';

const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;

interface DwCase {
  label: string;
  rank: 1 | 2 | 3;
  x: { data: Float32Array; shape: number[] };
  w: { data: Float32Array; shape: number[] };
  options: Record<string, unknown>;
  taps: number;
}

interface Shape {
  rank: 1 | 2 | 3;
  C: number;
  m: number;
  N: number;
  size: number[];
  k: number[];
  stride: number[];
  dilation: number[];
  padding: unknown;
  channelsLast: boolean;
  bias: boolean;
  activation: unknown;
  flip: boolean;
  paddingMode?: string;
}

function makeCase(r: Rng, s: Shape): DwCase {
  const { rank, C, m, N, size, k, channelsLast } = s;
  const options: Record<string, unknown> = {
    groups: C, stride: s.stride, dilation: s.dilation, layout: LAYOUTS[rank][channelsLast ? 1 : 0],
  };
  if (s.padding !== undefined) options.padding = s.padding;
  if (s.bias) options.bias = randomTensor(r, [C * m]).data;
  if (s.activation !== undefined) options.activation = s.activation;
  if (s.flip) options.flip = true;
  if (s.paddingMode) options.paddingMode = s.paddingMode;
  const xShape = channelsLast ? [N, ...size, C] : [N, C, ...size];
  const wShape = [C * m, 1, ...k];
  return {
    label: JSON.stringify({ x: xShape, w: wShape, ...options, bias: s.bias ? 'yes' : 'no' }),
    rank,
    x: randomTensor(r, xShape),
    w: randomTensor(r, wShape),
    options,
    taps: k.reduce((a, b) => a * b, 1),
  };
}

/** Whether every axis' padded input holds the dilated kernel (else the case is invalid). */
function fits(size: number[], k: number[], dilation: number[], pads: Array<[number, number]>): boolean {
  return size.every((n, i) => n + pads[i][0] + pads[i][1] >= dilation[i] * (k[i] - 1) + 1);
}

/** A random valid depthwise case: any rank, kernel, stride, dilation, padding and option. */
function randomCase(r: Rng): DwCase {
  for (;;) {
    const rank = pick(r, [1, 2, 2, 2, 3] as const);
    const C = randInt(r, 1, 37);
    const m = pick(r, [1, 1, 1, 2, 3]);
    const N = pick(r, [1, 1, 2]);
    const special = rank === 2 && r() < 0.5;
    const k = special
      ? (() => { const v = pick(r, [3, 3, 5]); return [v, v]; })()
      : Array.from({ length: rank }, () => randInt(r, 1, rank === 3 ? 3 : 7));
    const stride = special
      ? (() => { const v = pick(r, [1, 2]); return [v, v]; })()
      : Array.from({ length: rank }, () => pick(r, [1, 1, 2, 3]));
    const dilation = special ? [1, 1] : Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2]));
    const maxIn = rank === 3 ? 7 : rank === 2 ? 20 : 70;
    const size = Array.from({ length: rank }, () => randInt(r, 1, maxIn));
    if (rank === 2 && r() < 0.15) size[1] = pick(r, [37, 64]);
    const padKind = pick(r, ['number', 'number', 'pairs', 'same', 'valid', 'perAxis']);
    let padding: unknown;
    let pads: Array<[number, number]>;
    if (padKind === 'number') { const p = randInt(r, 0, 3); padding = p; pads = size.map(() => [p, p]); }
    else if (padKind === 'perAxis') { pads = size.map(() => { const p = randInt(r, 0, 3); return [p, p]; }); padding = pads.map((p) => p[0]); }
    else if (padKind === 'pairs') { pads = size.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)]); padding = pads; }
    else if (padKind === 'same') { padding = 'same'; pads = size.map(() => [99, 99]); }
    else { padding = 'valid'; pads = size.map(() => [0, 0]); }
    if (!fits(size, k, dilation, pads)) continue;
    let paddingMode: string | undefined;
    if (padKind !== 'same' && r() < 0.15 && pads.every((p, i) => p[0] < size[i] && p[1] < size[i])) {
      paddingMode = pick(r, ['reflect', 'replicate', 'circular']);
    }
    return makeCase(r, {
      rank, C, m, N, size, k, stride, dilation, padding, paddingMode,
      channelsLast: r() < 0.5,
      bias: r() < 0.6,
      activation: pick(r, ACTIVATIONS),
      flip: r() < 0.2,
    });
  }
}

function check(c: DwCase, label = c.label): void {
  const plan = CREATE[c.rank](c.w, c.options as never);
  try {
    expectClose(plan.run(c.x), refConv(c.x, c.w, c.options as never), tolFor(c.taps), label);
  } finally {
    plan.dispose();
  }
}

describe.skipIf(!backendAvailable())(`depthwise convolution on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('matches the float64 reference on 300 random cases (1-D/2-D/3-D, every option, both layouts)', () => {
    const r = rng(4242);
    for (let i = 0; i < 300; i++) {
      const c = randomCase(r);
      check(c, `case ${i} ${c.label}`);
    }
  });

  // The specialised paths: 3x3 and 5x5, stride 1 and 2, at widths around the vector widths,
  // channel counts around 4, multipliers 1..3, odd and even padding, with and without bias.
  it('3x3 and 5x5 kernels, stride 1 and 2, widths 1..20, 37 and 64, channels 1..9 and 32', () => {
    const r = rng(99);
    let n = 0;
    for (const kk of [3, 5]) {
      for (const s of [1, 2]) {
        for (const channelsLast of [false, true]) {
          for (const W of [...Array.from({ length: 20 }, (_, i) => i + 1), 37, 64]) {
            const C = pick(r, [1, 2, 3, 4, 5, 6, 7, 8, 9, 32]);
            const m = pick(r, [1, 1, 2, 3]);
            const H = randInt(r, 1, 9);
            const p = pick(r, [0, 1, 2, (kk - 1) / 2]);
            const pads: Array<[number, number]> = [[p, p], [p, p]];
            if (!fits([H, W], [kk, kk], [1, 1], pads)) continue;
            check(makeCase(r, {
              rank: 2, C, m, N: pick(r, [1, 2]), size: [H, W], k: [kk, kk], stride: [s, s], dilation: [1, 1],
              padding: p, channelsLast, bias: r() < 0.7, activation: pick(r, ACTIVATIONS), flip: r() < 0.2,
            }));
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(120);
  });

  it('asymmetric padding, larger than the kernel, and mixed strides per axis', () => {
    const r = rng(7);
    for (let i = 0; i < 40; i++) {
      const size = [randInt(r, 1, 12), randInt(r, 1, 23)];
      const k = [pick(r, [1, 3, 5]), pick(r, [1, 3, 5, 7])];
      const pads: Array<[number, number]> = [[randInt(r, 0, 4), randInt(r, 0, 4)], [randInt(r, 0, 7), randInt(r, 0, 7)]];
      const dilation = [pick(r, [1, 2]), pick(r, [1, 1, 3])];
      if (!fits(size, k, dilation, pads)) continue;
      check(makeCase(r, {
        rank: 2, C: randInt(r, 1, 13), m: pick(r, [1, 2]), N: 1, size, k, stride: [randInt(r, 1, 3), randInt(r, 1, 3)],
        dilation, padding: pads, channelsLast: i % 2 === 1, bias: true, activation: 'relu6', flip: false,
      }));
    }
  });

  // Wide rows: channels-last rows are cut into pixel tiles (about 32 KB of the input lines one
  // channel block reads: 170 pixels of 3 rows at stride 1, 85 at stride 2).
  it('the benchmark shapes (MobileNet 3x3, stride 1 and 2) and wide rows of many channels, both layouts', () => {
    const r = rng(11);
    const shapes: Array<[number, number, number, number, number]> = [
      // [C, m, H, W, stride]
      [32, 1, 28, 28, 1], [96, 1, 28, 28, 2], [24, 1, 17, 17, 2], [144, 1, 7, 7, 1],
      [96, 1, 5, 64, 1], [100, 1, 4, 80, 2], [70, 2, 3, 41, 1], [129, 1, 3, 90, 2],
      [16, 1, 3, 200, 1], [21, 1, 3, 190, 2], [33, 2, 2, 181, 1],
    ];
    for (const [C, m, H, W, s] of shapes) {
      for (const channelsLast of [false, true]) {
        check(makeCase(r, {
          rank: 2, C, m, N: 1, size: [H, W], k: [3, 3], stride: [s, s], dilation: [1, 1], padding: 1,
          channelsLast, bias: true, activation: 'relu6', flip: false,
        }));
      }
    }
  });

  it('other kernels on wide rows of many channels (channels-last interior tiles), 1-D and 2-D', () => {
    const r = rng(21);
    const shapes: Array<[number, number, number[], number[], number, number]> = [
      // [C, m, size, kernel, stride, dilation]
      [96, 1, [4, 70], [5, 5], 1, 1], [72, 1, [5, 61], [5, 5], 2, 1], [50, 2, [3, 47], [3, 5], 1, 2],
      [130, 1, [2, 40], [1, 7], 1, 1], [64, 1, [300], [9], 1, 1], [33, 3, [150], [4], 2, 1],
      [24, 1, [4, 130], [5, 5], 1, 1], [20, 1, [700], [9], 1, 1],
    ];
    for (const [C, m, size, k, s, dl] of shapes) {
      const rank = size.length as 1 | 2;
      for (const channelsLast of [false, true]) {
        check(makeCase(r, {
          rank, C, m, N: 1, size, k, stride: size.map(() => s), dilation: size.map(() => dl), padding: 'same',
          channelsLast, bias: true, activation: { type: 'leakyRelu', alpha: 0.2 }, flip: false,
        }));
      }
    }
  });

  it('a 1-input-channel convolution (groups == 1 == C) uses the multiplier as output channels', () => {
    const r = rng(12);
    const x = randomTensor(r, [2, 1, 11, 13]);
    const w = randomTensor(r, [6, 1, 3, 3]);
    const opts = { padding: 1, bias: randomTensor(r, [6]).data };
    expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolFor(9), 'C=1');
  });

  it('one input channel with many outputs runs on the GEMM (prefersDepthwise), few on the depthwise kernels; both give the reference', () => {
    const r = rng(13);
    for (const [rank, K, k, stride, cl, expected] of [
      [1, 40, [10], [5], true, 'gemm'], [1, 4, [10], [5], true, 'depthwise'], [1, 5, [3], [1], true, 'gemm'],
      [1, 33, [12], [4], false, 'gemm'], [1, 32, [12], [4], false, 'depthwise'],
      [2, 8, [3, 3], [1, 1], true, 'gemm'], [2, 64, [7, 7], [2, 2], false, 'gemm'], [2, 3, [3, 3], [2, 1], true, 'depthwise'],
    ] as const) {
      const size = rank === 1 ? [97] : [19, 23];
      const layout = LAYOUTS[rank][cl ? 1 : 0];
      const x = randomTensor(r, cl ? [2, ...size, 1] : [2, 1, ...size]);
      const w = randomTensor(r, [K, 1, ...k]);
      const opts = { layout, stride: [...stride], padding: Math.floor(k[0] / 2), bias: randomTensor(r, [K]).data, activation: 'relu' };
      const plan = CREATE[rank](w, opts as never);
      const label = `${rank}-D 1 -> ${K} k ${k} ${layout}`;
      expect(algorithmOf(plan), label).toBe(expected);
      expect(prefersDepthwise(1, K, cl), label).toBe(expected === 'depthwise');
      expectClose(plan.run(x), refConv(x, w, opts), tolFor(product(k)), label);
      plan.dispose();
    }
  });

  it('plans: repeated runs agree, several input sizes, workspace is reported and memory is stable', () => {
    const r = rng(13);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const w = randomTensor(r, [10, 1, 3, 3]);
      const opts = { padding: 'same' as const, stride: 2, groups: 5, layout, bias: new Float32Array(10).fill(0.25) };
      const plan = wc.createConv2d(w, opts);
      for (const [h, wd] of [[9, 9], [4, 17], [9, 9], [1, 1], [30, 3]]) {
        const x = randomTensor(r, layout === 'NCHW' ? [1, 5, h, wd] : [1, h, wd, 5]);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expect(plan.workspaceBytes(x.shape)).toBeGreaterThan(0);
        expectClose(a, refConv(x, w, opts), tolFor(9), `${layout} ${h}x${wd}`);
      }
      const x = randomTensor(r, layout === 'NCHW' ? [1, 5, 16, 16] : [1, 16, 16, 5]);
      plan.run(x);
      const before = wc.memoryStats();
      for (let i = 0; i < 50; i++) plan.run(x);
      expect(wc.memoryStats()).toEqual(before);
      plan.dispose();
    }
  });

  it('NaN and infinity in the input propagate only to the outputs that read them', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const C = 5, H = 6, W = 9;
      const x = { data: new Float32Array(C * H * W).fill(1), shape: layout === 'NCHW' ? [1, C, H, W] : [1, H, W, C] };
      // Channel 2, row 3, column 4.
      x.data[layout === 'NCHW' ? (2 * H + 3) * W + 4 : (3 * W + 4) * C + 2] = NaN;
      const w = { data: new Float32Array(C * 9).fill(1), shape: [C, 1, 3, 3] };
      const opts = { padding: 1, groups: C, layout };
      expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolFor(9), layout);
    }
  });
});

describe('packDepthwiseWeights', () => {
  it('channels-first keeps [C*m][taps]; flip reverses the taps', () => {
    const w = Float32Array.from({ length: 2 * 6 }, (_, i) => i);
    expect(Array.from(packDepthwiseWeights(w, [2, 1, 2, 3], false, false))).toEqual(Array.from(w));
    expect(Array.from(packDepthwiseWeights(w, [2, 1, 2, 3], false, true))).toEqual([5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6]);
  });

  it('channels-last is [taps][m][C rounded up to 4]', () => {
    // C = 3 channels, m = 2, 2 taps: filter k = c * 2 + j holds values 10k, 10k + 1.
    const w = Float32Array.from({ length: 6 * 2 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    const p = packDepthwiseWeights(w, [6, 1, 2], true, false, 2);
    expect(Array.from(p)).toEqual([
      0, 20, 40, 0, /* tap 0, j 0 */ 10, 30, 50, 0, /* tap 0, j 1 */
      1, 21, 41, 0, /* tap 1, j 0 */ 11, 31, 51, 0, /* tap 1, j 1 */
    ]);
  });
});
