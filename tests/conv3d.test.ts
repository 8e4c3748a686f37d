/**
 * conv3d against the float64 reference: a random sweep over every option (layouts NCDHW /
 * NDHWC, stride, dilation, every padding form, groups including depthwise with depth
 * multipliers, bias, activations, flip, padding modes, batch > 1), channel and voxel counts
 * around the GEMM tiles, reductions longer than one block, pointwise convolutions, and plans
 * reused across runs and input sizes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { ACTIVATIONS, convSweepCase } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type Opts = wc.Conv3dOptions;
type T = { data: Float32Array; shape: number[] };

function check(x: T, w: T, options: Opts, reduction: number, label: string): void {
  expectClose(wc.conv3d(x, w, options), refConv(x, w, options as Record<string, unknown>), tolFor(reduction), label);
}

/** An input of N x C x (d, h, w) in the given layout. */
function input(r: () => number, layout: 'NCDHW' | 'NDHWC', N: number, C: number, s: number[]): T {
  return randomTensor(r, layout === 'NCDHW' ? [N, C, ...s] : [N, ...s, C]);
}

describe.skipIf(!backendAvailable())(`conv3d on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('matches the float64 reference on 150 random cases (every option, both layouts)', () => {
    const r = rng(3301);
    const seen = { NDHWC: 0, depthwise: 0, same: 0, pairs: 0, modes: 0, flip: 0, batch: 0, stride: 0, dilation: 0 };
    for (let i = 0; i < 150; i++) {
      const c = convSweepCase(r, 3);
      const o = c.options;
      if (o.layout === 'NDHWC') seen.NDHWC++;
      if (c.w.shape[1] === 1 && (o.groups as number) > 1) seen.depthwise++;
      if (o.padding === 'same') seen.same++;
      if (Array.isArray(o.padding) && Array.isArray(o.padding[0])) seen.pairs++;
      if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') seen.modes++;
      if (o.flip) seen.flip++;
      if (c.x.shape[0] > 1) seen.batch++;
      if ([o.stride].flat().some((s) => (s as number) > 1)) seen.stride++;
      if ([o.dilation].flat().some((s) => (s as number) > 1)) seen.dilation++;
      check(c.x, c.w, o as Opts, c.reduction, `case ${i} ${c.label}`);
    }
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(8);
  });

  it('every activation, with and without bias, on both layouts', () => {
    const r = rng(3302);
    for (const activation of [...ACTIVATIONS, 'none' as const]) {
      for (const layout of ['NCDHW', 'NDHWC'] as const) {
        for (const withBias of [false, true]) {
          const x = input(r, layout, 2, 3, [4, 5, 3]);
          const w = randomTensor(r, [5, 3, 2, 3, 2]);
          const options: Opts = { layout, padding: [[1, 0], [1, 1], [0, 1]], activation: activation as Opts['activation'] };
          if (withBias) options.bias = randomTensor(r, [5]).data.map((v) => v * 3);
          check(x, w, options, 36, `${JSON.stringify(activation)} ${layout} bias=${withBias}`);
        }
      }
    }
  });

  it('every padding mode with every padding form, per-axis strides and dilations', () => {
    const r = rng(3303);
    const paddings = [0, 1, [1, 0, 2], [[0, 1], [2, 0], [1, 1]], 'same', 'valid'] as const;
    for (const paddingMode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
      for (const padding of paddings) {
        for (const layout of ['NCDHW', 'NDHWC'] as const) {
          for (const [stride, dilation] of [[1, 1], [[1, 2, 3], 1], [1, [2, 1, 1]], [2, [1, 1, 2]]] as const) {
            const x = input(r, layout, 1, 2, [4, 5, 6]);
            const w = randomTensor(r, [3, 2, 2, 2, 3]);
            const options = { layout, padding, paddingMode, stride, dilation } as Opts;
            check(x, w, options, 24, JSON.stringify(options));
          }
        }
      }
    }
  });

  it('padding modes at their limits on each axis', () => {
    const r = rng(3304);
    for (const s of [[1, 2, 3], [2, 3, 1], [3, 1, 2]]) {
      for (const layout of ['NCDHW', 'NDHWC'] as const) {
        const x = input(r, layout, 1, 2, s);
        const w = randomTensor(r, [3, 2, 2, 2, 2]);
        check(x, w, { layout, paddingMode: 'circular', padding: s.map((n) => [n, n] as [number, number]) }, 16, `circular ${s}`);
        check(x, w, { layout, paddingMode: 'replicate', padding: s.map((n) => [n + 1, 2 * n] as [number, number]) }, 16, `replicate ${s}`);
        // reflect pads at most n - 1: a size-1 axis takes a kernel of 1
        const wr = randomTensor(r, [3, 2, ...s.map((n) => Math.min(2, 2 * n - 1))]);
        check(x, wr, { layout, paddingMode: 'reflect', padding: s.map((n) => [n - 1, n - 1] as [number, number]) }, 16, `reflect ${s}`);
      }
    }
  });

  it('depthwise (groups == channels) with depth multipliers 1 to 3', () => {
    const r = rng(3305);
    for (const C of [1, 3, 4, 5, 8, 9, 17]) {
      for (const m of [1, 2, 3]) {
        for (const layout of ['NCDHW', 'NDHWC'] as const) {
          const k = [1 + (C % 3), 1 + (m % 3), 3];
          const x = input(r, layout, 2, C, [3 + (C % 3), 4, 5 + m]);
          const w = randomTensor(r, [C * m, 1, ...k]);
          const options: Opts = {
            layout, groups: C, padding: 'same', stride: [1, m === 3 ? 2 : 1, 1 + (C % 2)],
            bias: randomTensor(r, [C * m]).data, activation: 'relu', flip: m === 2,
            paddingMode: (['zeros', 'replicate'] as const)[C % 2],
          };
          check(x, w, options, k[0] * k[1] * k[2], `depthwise C=${C} m=${m} ${layout}`);
        }
      }
    }
  });

  // Tile edges: [Cin, Cout, [D, H, W], k, groups]
  const edges: Array<[number, number, number[], number, number]> = [
    [1, 1, [1, 1, 1], 1, 1], [3, 4, [2, 2, 2], 1, 1], [4, 5, [2, 3, 3], 2, 1], [5, 8, [3, 3, 3], 3, 1],
    [8, 7, [2, 4, 4], 3, 1], [9, 12, [1, 3, 11], 3, 1], [16, 17, [3, 4, 5], 2, 1], [2, 33, [4, 4, 4], 3, 1],
    [12, 8, [3, 3, 4], 3, 4], [6, 10, [2, 5, 3], 2, 2],
  ];
  for (const [cin, cout, s, k, groups] of edges) {
    for (const layout of ['NCDHW', 'NDHWC'] as const) {
      it(`tile edge Cin=${cin} Cout=${cout} ${s.join('x')} k=${k} groups=${groups} ${layout}`, () => {
        const r = rng(cin * 997 + cout * 31 + s[2] + k);
        for (const N of [1, 2]) {
          const x = input(r, layout, N, cin, s);
          const w = randomTensor(r, [cout, cin / groups, k, k, k]);
          const options: Opts = { layout, groups, padding: Math.floor(k / 2), bias: randomTensor(r, [cout]).data, activation: 'relu6' };
          check(x, w, options, (cin / groups) * k ** 3, `N=${N}`);
        }
      });
    }
  }

  it('pointwise (1x1x1, stride 1) convolutions, which read the input directly', () => {
    const r = rng(3306);
    for (const [cin, cout, groups] of [[1, 1, 1], [3, 5, 1], [8, 8, 1], [17, 9, 1], [12, 6, 3], [40, 20, 2]]) {
      for (const layout of ['NCDHW', 'NDHWC'] as const) {
        const x = input(r, layout, 2, cin, [3, 4, 5]);
        const w = randomTensor(r, [cout, cin / groups, 1, 1, 1]);
        check(x, w, { layout, groups, bias: randomTensor(r, [cout]).data, activation: 'leakyRelu' }, cin / groups, `pointwise ${cin}->${cout} g=${groups} ${layout}`);
        check(x, w, { layout, groups, stride: [1, 2, 1], padding: [0, 1, 0] }, cin / groups, `1x1x1 strided ${cin}->${cout} ${layout}`);
      }
    }
  });

  it('reductions longer than one block (> 1024), with bias and activation applied once at the end', () => {
    const r = rng(3307);
    // [Cin, Cout, k, groups]: reductions 1100, 1296, 1600, 1224
    const cases: Array<[number, number, number[], number]> = [
      [1100, 5, [1, 1, 1], 1], [48, 6, [3, 3, 3], 1], [200, 4, [2, 2, 2], 1], [612, 6, [2, 2, 1], 2],
    ];
    for (const [cin, cout, k, groups] of cases) {
      for (const layout of ['NCDHW', 'NDHWC'] as const) {
        const x = input(r, layout, 1, cin, [3, 3, 4]);
        const w = randomTensor(r, [cout, cin / groups, ...k]);
        const red = (cin / groups) * k[0] * k[1] * k[2];
        const bias = randomTensor(r, [cout]).data.map((v) => v * 20);
        check(x, w, { layout, groups, padding: 'same', bias, activation: 'relu' }, red, `red=${red} relu ${layout}`);
        check(x, w, { layout, groups, bias, activation: { type: 'clamp', min: -3, max: 4 } }, red, `red=${red} clamp ${layout}`);
      }
    }
    // Depthwise with a large kernel volume: 11 x 11 x 11 = 1331 taps.
    for (const layout of ['NCDHW', 'NDHWC'] as const) {
      const x = input(r, layout, 1, 2, [12, 11, 13]);
      const w = randomTensor(r, [4, 1, 11, 11, 11]);
      check(x, w, { layout, groups: 2, padding: [[0, 1], [0, 0], [1, 2]], bias: new Float32Array(4).fill(5), activation: 'relu6' }, 1331, `depthwise 11^3 ${layout}`);
    }
  });

  it('many voxels (several pixel blocks) and stride larger than the kernel', () => {
    const r = rng(3308);
    for (const layout of ['NCDHW', 'NDHWC'] as const) {
      const x = input(r, layout, 1, 4, [9, 20, 24]);
      check(x, randomTensor(r, [6, 4, 2, 3, 3]), { layout, padding: 1, bias: randomTensor(r, [6]).data }, 72, `4320 voxels ${layout}`);
      check(x, randomTensor(r, [5, 4, 2, 2, 2]), { layout, stride: [4, 5, 3], dilation: [1, 2, 1] }, 32, `stride > span ${layout}`);
    }
  });

  it('a plan gives the same result on every run and for inputs of several sizes', () => {
    const r = rng(3309);
    const configs: Array<{ w: number[]; options: Opts; red: number; C: number }> = [
      { w: [6, 3, 3, 3, 3], options: { padding: 'same', stride: 2, bias: new Float32Array(6).fill(0.5) }, red: 81, C: 3 },
      { w: [5, 4, 2, 1, 3], options: { layout: 'NDHWC', padding: [[1, 1], [0, 2], [2, 0]], dilation: [1, 1, 2], activation: 'relu' }, red: 24, C: 4 },
      { w: [8, 1, 1, 3, 3], options: { groups: 4, paddingMode: 'replicate', padding: [0, 1, 1], flip: true }, red: 9, C: 4 },
      { w: [9, 3, 1, 1, 3], options: { layout: 'NDHWC', groups: 3, paddingMode: 'circular', padding: 'same', stride: [1, 1, 2] }, red: 9, C: 9 },
    ];
    for (const { w: ws, options, red, C } of configs) {
      const w = randomTensor(r, ws);
      const plan = wc.createConv3d(w, options);
      for (const s of [[3, 4, 5], [5, 3, 3], [3, 4, 5], [2, 9, 17], [3, 3, 3]]) {
        const x = input(r, options.layout ?? 'NCDHW', s[0] === 3 && s[1] === 3 ? 2 : 1, C, s);
        const a = plan.run(x);
        const b = plan.run(x);
        expect(a.data).toEqual(b.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expectClose(a, refConv(x, w, options as Record<string, unknown>), tolFor(red), `plan ${JSON.stringify(ws)} ${s}`);
      }
      plan.dispose();
    }
  });

  it('hand-worked example: a 2x2x2 box sum with stride 2 and padding', () => {
    const x = { data: Float32Array.from({ length: 27 }, (_, i) => i), shape: [1, 1, 3, 3, 3] };
    const w = { data: new Float32Array(8).fill(1), shape: [1, 1, 2, 2, 2] };
    const y = wc.conv3d(x, w);
    // out[d,h,w] = sum of x over the 2x2x2 cube starting at (d,h,w) = 8 * x[d,h,w] + 8 * (9 + 3 + 1) / 2
    const expected = [];
    for (let d = 0; d < 2; d++) for (let h = 0; h < 2; h++) for (let ww = 0; ww < 2; ww++) expected.push(8 * (9 * d + 3 * h + ww) + 52);
    expect(y.shape).toEqual([1, 1, 2, 2, 2]);
    expect(Array.from(y.data)).toEqual(expected);
    const z = wc.conv3d(x, w, { padding: [[1, 0], [1, 0], [1, 0]], stride: 2 });
    expect(z.shape).toEqual([1, 1, 2, 2, 2]);
    expect(z.data[0]).toBe(0); // only x[0,0,0] = 0 falls inside
    expect(z.data[7]).toBe(13 + 14 + 16 + 17 + 22 + 23 + 25 + 26);
  });
});
