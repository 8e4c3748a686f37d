/**
 * Grouped convolution with few channels per group: the direct kernel of assembly/grouped.ts
 * against the float64 reference and against the same plan forced onto the im2col GEMM, on shapes
 * around its vector widths (4 output channels a vector, 8 and 4 output columns channels-first,
 * 4 pixels channels-last, input channels per group in multiples of 4 or not), every geometry and
 * option, both layouts, 1-D/2-D/3-D.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { prefersWinograd } from '../src/algorithms/winograd.ts';
import {
  packGroupedWeights, prefersGrouped, GROUPED_MAX_CHANNELS, GROUPED_MAX_OUTPUTS_FIRST, GROUPED_MAX_PAIRS_LAST,
} from '../src/algorithms/grouped.ts';
import { refConv } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { ACTIVATIONS } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;

interface Shape {
  rank: 1 | 2 | 3;
  groups: number;
  cg: number;
  kg: number;
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

/** Runs the case on the plan it gets and on the GEMM plan; checks both against the reference and the choice of kernel. */
function check(r: Rng, s: Shape, label = ''): void {
  const C = s.cg * s.groups, K = s.kg * s.groups;
  const options: Record<string, unknown> = {
    groups: s.groups, stride: s.stride, dilation: s.dilation, layout: LAYOUTS[s.rank][s.channelsLast ? 1 : 0],
  };
  if (s.padding !== undefined) options.padding = s.padding;
  if (s.bias) options.bias = randomTensor(r, [K]).data;
  if (s.activation !== undefined) options.activation = s.activation;
  if (s.flip) options.flip = true;
  if (s.paddingMode) options.paddingMode = s.paddingMode;
  const x = randomTensor(r, s.channelsLast ? [s.N, ...s.size, C] : [s.N, C, ...s.size]);
  const w = randomTensor(r, [K, s.cg, ...s.k]);
  const what = `${label}${JSON.stringify({ x: x.shape, w: w.shape, ...options, bias: s.bias ? 'yes' : 'no' })}`;
  const plan = CREATE[s.rank](w, options as never);
  const gemm = CREATE[s.rank](w, { ...options, algorithm: 'gemm' } as never);
  try {
    const taps = s.k.reduce((a, b) => a * b, 1);
    expect(algorithmOf(plan), what).toBe(prefersGrouped(s.groups, s.cg, s.kg, taps, s.channelsLast) ? 'grouped'
      : prefersWinograd(s.rank, s.k, s.stride, s.dilation, s.cg) ? 'winograd' : 'gemm');
    expect(algorithmOf(gemm), what).toBe('gemm');
    const tol = tolFor(s.cg * taps);
    const y = plan.run(x);
    expectClose(y, refConv(x, w, options as never), tol, what);
    expectClose(y, gemm.run(x), tol, `${what} against the GEMM plan`);
  } finally {
    plan.dispose();
    gemm.dispose();
  }
}

/** Whether every axis' padded input holds the dilated kernel (else the case is invalid). */
function fits(size: number[], k: number[], dilation: number[], pads: Array<[number, number]>): boolean {
  return size.every((n, i) => n + pads[i][0] + pads[i][1] >= dilation[i] * (k[i] - 1) + 1);
}

/** A random valid grouped case within the grouped kernel's range: any rank, kernel, stride, dilation, padding and option. */
function randomShape(r: Rng): Shape {
  for (;;) {
    const rank = pick(r, [1, 2, 2, 2, 3] as const);
    const k = Array.from({ length: rank }, () => (rank === 2 && r() < 0.4 ? 3 : randInt(r, 1, rank === 3 ? 3 : 5)));
    const stride = Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2, 3]));
    const dilation = Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2]));
    const maxIn = rank === 3 ? 7 : rank === 2 ? 19 : 70;
    const size = Array.from({ length: rank }, () => randInt(r, 1, maxIn));
    const padKind = pick(r, ['number', 'number', 'pairs', 'same', 'valid']);
    let padding: unknown;
    let pads: Array<[number, number]>;
    if (padKind === 'number') { const p = randInt(r, 0, 3); padding = p; pads = size.map(() => [p, p]); }
    else if (padKind === 'pairs') { pads = size.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)]); padding = pads; }
    else if (padKind === 'same') { padding = 'same'; pads = size.map(() => [99, 99]); }
    else { padding = 'valid'; pads = size.map(() => [0, 0]); }
    if (!fits(size, k, dilation, pads)) continue;
    let paddingMode: string | undefined;
    if (padKind !== 'same' && r() < 0.15 && pads.every((p, i) => p[0] < size[i] && p[1] < size[i])) {
      paddingMode = pick(r, ['reflect', 'replicate', 'circular']);
    }
    return {
      rank, groups: randInt(r, 2, 6), cg: randInt(r, 2, GROUPED_MAX_CHANNELS), kg: randInt(r, 1, GROUPED_MAX_OUTPUTS_FIRST),
      N: pick(r, [1, 1, 2]), size, k, stride, dilation, padding, paddingMode,
      channelsLast: r() < 0.5, bias: r() < 0.6, activation: pick(r, ACTIVATIONS), flip: r() < 0.2,
    };
  }
}

describe.skipIf(!backendAvailable())(`grouped convolution on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('takes the grouped kernel for few channels per group only', () => {
    for (const channelsLast of [false, true]) {
      expect(prefersGrouped(32, 4, 4, 9, channelsLast)).toBe(true);
      expect(prefersGrouped(2, GROUPED_MAX_CHANNELS, GROUPED_MAX_PAIRS_LAST / GROUPED_MAX_CHANNELS, 2, channelsLast)).toBe(true);
      expect(prefersGrouped(1, 4, 4, 9, channelsLast)).toBe(false);
      expect(prefersGrouped(4, 4, 4, 1, channelsLast)).toBe(false);
      expect(prefersGrouped(4, GROUPED_MAX_CHANNELS + 1, 4, 9, channelsLast)).toBe(false);
    }
    expect(prefersGrouped(4, 4, GROUPED_MAX_OUTPUTS_FIRST, 9, false)).toBe(true);
    expect(prefersGrouped(4, 4, GROUPED_MAX_OUTPUTS_FIRST + 1, 9, false)).toBe(false);
    expect(prefersGrouped(4, 8, GROUPED_MAX_PAIRS_LAST / 8 + 1, 9, true)).toBe(false);
  });

  it('matches the reference and the GEMM plan on 200 random cases (1-D/2-D/3-D, every option, both layouts)', () => {
    const r = rng(777);
    for (let i = 0; i < 200; i++) check(r, randomShape(r), `case ${i} `);
  });

  // Widths around the channels-first column blocks (8, then 4) and the channels-last pixel tiles
  // (4, the last one overlapping), channels per group around the unrolled multiples of 4, output
  // channels per group around the 4 lanes; the unrolled 3-tap rows (3x3, stride 1) and the rest.
  it('widths 1 to 20, 28 and 37, channels per group 2 to 8, 3x3 stride 1 and 2, both layouts', () => {
    const r = rng(31);
    for (const channelsLast of [false, true]) {
      for (const [k, s] of [[3, 1], [3, 2], [2, 1]]) {
        for (const W of [...Array.from({ length: 20 }, (_, i) => i + 1), 28, 37]) {
          const p = pick(r, [0, 1, 2]);
          const H = randInt(r, 1, 6);
          if (!fits([H, W], [k, k], [1, 1], [[p, p], [p, p]])) continue;
          check(r, {
            rank: 2, groups: pick(r, [2, 3, 8]), cg: randInt(r, 2, 8), kg: pick(r, [1, 2, 3, 4, 5, 8, 12, 16]),
            N: 1, size: [H, W], k: [k, k], stride: [s, s], dilation: [1, 1], padding: p, channelsLast,
            bias: r() < 0.7, activation: pick(r, ACTIVATIONS), flip: r() < 0.2,
          });
        }
      }
    }
  });

  it('the benchmark shape (ResNeXt 3x3, 28x28, 128 -> 128, groups 32) and channel multipliers, both layouts, batch 2', () => {
    const r = rng(32);
    for (const channelsLast of [false, true]) {
      for (const [groups, cg, kg] of [[32, 4, 4], [16, 8, 8], [32, 4, 8], [8, 2, 16], [16, 8, 2]]) {
        check(r, {
          rank: 2, groups, cg, kg, N: 2, size: [28, 28], k: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 1,
          channelsLast, bias: true, activation: 'relu', flip: false,
        });
      }
    }
  });

  it('every activation, with and without bias, 1-D and 3-D', () => {
    const r = rng(33);
    for (const activation of ACTIVATIONS) {
      for (const channelsLast of [false, true]) {
        check(r, {
          rank: 1, groups: 3, cg: 4, kg: 5, N: 2, size: [41], k: [5], stride: [2], dilation: [2], padding: 'same',
          channelsLast, bias: r() < 0.5, activation, flip: false,
        });
        check(r, {
          rank: 3, groups: 2, cg: 3, kg: 4, N: 1, size: [4, 6, 9], k: [3, 2, 3], stride: [1, 2, 1], dilation: [1, 1, 2],
          padding: [[1, 0], [0, 1], [2, 2]], channelsLast, bias: r() < 0.5, activation, flip: true,
        });
      }
    }
  });

  it('NaN and infinity in the input propagate only to the outputs that read them', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const C = 8, H = 6, W = 11;
      const x = { data: new Float32Array(C * H * W).fill(1), shape: layout === 'NCHW' ? [1, C, H, W] : [1, H, W, C] };
      // Channel 5 (group 1), row 3, column 4; an infinity in channel 2 (group 0), row 0, column 10.
      x.data[layout === 'NCHW' ? (5 * H + 3) * W + 4 : (3 * W + 4) * C + 5] = NaN;
      x.data[layout === 'NCHW' ? (2 * H + 0) * W + 10 : (0 * W + 10) * C + 2] = Infinity;
      const w = { data: new Float32Array(8 * 4 * 9).fill(1), shape: [8, 4, 3, 3] };
      const opts = { padding: 1, groups: 2, layout };
      expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolFor(36), layout);
    }
  });

  it('plans: repeated runs agree, several input sizes, memory is stable', () => {
    const r = rng(34);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const w = randomTensor(r, [12, 4, 3, 3]);
      const opts = { padding: 1, groups: 3, layout, bias: new Float32Array(12).fill(0.25), activation: 'relu6' as const };
      const plan = wc.createConv2d(w, opts);
      expect(algorithmOf(plan)).toBe('grouped');
      for (const [h, wd] of [[9, 9], [4, 17], [9, 9], [1, 1], [30, 3]]) {
        const x = randomTensor(r, layout === 'NCHW' ? [1, 12, h, wd] : [1, h, wd, 12]);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expectClose(a, refConv(x, w, opts), tolFor(36), `${layout} ${h}x${wd}`);
      }
      const x = randomTensor(r, layout === 'NCHW' ? [1, 12, 16, 16] : [1, 16, 16, 12]);
      plan.run(x);
      const before = wc.memoryStats();
      for (let i = 0; i < 20; i++) plan.run(x);
      expect(wc.memoryStats()).toEqual(before);
      plan.dispose();
    }
  });
});

describe('packGroupedWeights', () => {
  // 2 groups, Kg = 5 (two blocks of 4 lanes, the second with one used lane), Cg = 2, kernel 1 x 2:
  // weight (k, c, t) holds 100 k + 10 c + t.
  const shape = [10, 2, 1, 2];
  const w = Float32Array.from({ length: 40 }, (_, i) => 100 * Math.floor(i / 4) + 10 * (Math.floor(i / 2) % 2) + (i % 2));
  const lanes = (g: number, kb: number, c: number, t: number) =>
    [0, 1, 2, 3].map((l) => (kb * 4 + l < 5 ? 100 * (g * 5 + kb * 4 + l) + 10 * c + t : 0));

  it('channels-first is [G][ceil(Kg/4)][KD*KH][Cg][KW][4]; flip reverses the taps', () => {
    const want: number[] = [];
    for (let g = 0; g < 2; g++) for (let kb = 0; kb < 2; kb++) for (let c = 0; c < 2; c++) for (let t = 0; t < 2; t++) want.push(...lanes(g, kb, c, t));
    expect(Array.from(packGroupedWeights(w, shape, 2, false, false))).toEqual(want);
    const flipped: number[] = [];
    for (let g = 0; g < 2; g++) for (let kb = 0; kb < 2; kb++) for (let c = 0; c < 2; c++) for (let t = 0; t < 2; t++) flipped.push(...lanes(g, kb, c, 1 - t));
    expect(Array.from(packGroupedWeights(w, shape, 2, false, true))).toEqual(flipped);
  });

  it('channels-last is [G][ceil(Kg/4)][KD*KH][KW][Cg][4]', () => {
    const want: number[] = [];
    for (let g = 0; g < 2; g++) for (let kb = 0; kb < 2; kb++) for (let t = 0; t < 2; t++) for (let c = 0; c < 2; c++) want.push(...lanes(g, kb, c, t));
    expect(Array.from(packGroupedWeights(w, shape, 2, true, false))).toEqual(want);
  });
});
