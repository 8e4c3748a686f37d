/**
 * conv1d against the float64 reference: a random sweep over every option (layouts NCW / NWC,
 * stride, dilation, every padding form, groups including depthwise with depth multipliers,
 * bias, activations, flip, padding modes, batch > 1), channel and pixel counts around the GEMM
 * tiles, reductions longer than one block, pointwise convolutions, and plans reused across runs
 * and input sizes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { ACTIVATIONS, convSweepCase, samePadsOf } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type Opts = wc.Conv1dOptions;

function check(x: { data: Float32Array; shape: number[] }, w: { data: Float32Array; shape: number[] }, options: Opts, reduction: number, label: string): void {
  expectClose(wc.conv1d(x, w, options), refConv(x, w, options as Record<string, unknown>), tolFor(reduction), label);
}

describe.skipIf(!backendAvailable())(`conv1d on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('matches the float64 reference on 260 random cases (every option, both layouts)', () => {
    const r = rng(1101);
    const seen = { NWC: 0, depthwise: 0, same: 0, pairs: 0, modes: 0, flip: 0, batch: 0, stride: 0, dilation: 0 };
    for (let i = 0; i < 260; i++) {
      const c = convSweepCase(r, 1, { maxCost: 120_000 });
      const o = c.options;
      if (o.layout === 'NWC') seen.NWC++;
      if (o.groups !== undefined && c.w.shape[1] === 1 && (o.groups as number) > 1) seen.depthwise++;
      if (o.padding === 'same') seen.same++;
      if (Array.isArray(o.padding) && Array.isArray(o.padding[0])) seen.pairs++;
      if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') seen.modes++;
      if (o.flip) seen.flip++;
      if (c.x.shape[0] > 1) seen.batch++;
      if ([o.stride].flat().some((s) => (s as number) > 1)) seen.stride++;
      if ([o.dilation].flat().some((s) => (s as number) > 1)) seen.dilation++;
      check(c.x, c.w, o as Opts, c.reduction, `case ${i} ${c.label}`);
    }
    // The sweep really covers every option.
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(10);
  });

  it('every activation, with and without bias, on both layouts', () => {
    const r = rng(1102);
    for (const activation of [...ACTIVATIONS, 'none' as const]) {
      for (const layout of ['NCW', 'NWC'] as const) {
        for (const withBias of [false, true]) {
          const x = randomTensor(r, layout === 'NCW' ? [2, 5, 23] : [2, 23, 5]);
          const w = randomTensor(r, [9, 5, 4]);
          const options: Opts = { layout, padding: [[2, 1]], activation: activation as Opts['activation'] };
          if (withBias) options.bias = randomTensor(r, [9]).data.map((v) => v * 3);
          check(x, w, options, 20, `${JSON.stringify(activation)} ${layout} bias=${withBias}`);
        }
      }
    }
  });

  it('every padding mode with every padding form', () => {
    const r = rng(1103);
    const paddings = [0, 1, 3, [2], [[0, 3]], [[4, 0]], 'same', 'valid'] as const;
    for (const paddingMode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
      for (const padding of paddings) {
        for (const layout of ['NCW', 'NWC'] as const) {
          for (const [stride, dilation] of [[1, 1], [2, 1], [1, 2], [3, 2]]) {
            const x = randomTensor(r, layout === 'NCW' ? [2, 3, 11] : [2, 11, 3]);
            const w = randomTensor(r, [4, 3, 3]);
            const options = { layout, padding, paddingMode, stride, dilation } as Opts;
            check(x, w, options, 9, JSON.stringify(options));
          }
        }
      }
    }
  });

  it('padding modes at their limits: reflect up to n - 1, circular up to n, replicate beyond n', () => {
    const r = rng(1104);
    for (const n of [1, 2, 3, 5]) {
      for (const layout of ['NCW', 'NWC'] as const) {
        const x = randomTensor(r, layout === 'NCW' ? [1, 2, n] : [1, n, 2]);
        const w = randomTensor(r, [3, 2, 2]);
        if (n > 1) check(x, w, { layout, paddingMode: 'reflect', padding: [[n - 1, n - 1]] }, 4, `reflect n=${n}`);
        check(x, w, { layout, paddingMode: 'circular', padding: [[n, n]] }, 4, `circular n=${n}`);
        check(x, w, { layout, paddingMode: 'replicate', padding: [[n + 3, 2 * n]] }, 4, `replicate n=${n}`);
      }
    }
  });

  it('depthwise (groups == channels) with depth multipliers 1 to 3 and every option', () => {
    const r = rng(1105);
    for (const C of [1, 3, 4, 5, 8, 9, 16, 17]) {
      for (const m of [1, 2, 3]) {
        for (const layout of ['NCW', 'NWC'] as const) {
          const k = 1 + ((C + m) % 7);
          const W = 3 + ((C * 7 + m * 3) % 40);
          const x = randomTensor(r, layout === 'NCW' ? [2, C, W] : [2, W, C]);
          const w = randomTensor(r, [C * m, 1, k]);
          const options: Opts = {
            layout, groups: C, padding: 'same', stride: 1 + (m % 2), dilation: 1 + (C % 2),
            bias: randomTensor(r, [C * m]).data, activation: 'leakyRelu', flip: m === 2,
          };
          const mode = (['zeros', 'replicate', 'circular', 'reflect'] as const)[(C + m) % 4];
          const pads = samePadsOf(W, k, options.stride as number, options.dilation as number);
          if (mode === 'replicate' || mode === 'zeros' || (mode === 'circular' ? Math.max(...pads) <= W : Math.max(...pads) < W)) options.paddingMode = mode;
          check(x, w, options, k, `depthwise C=${C} m=${m} k=${k} W=${W} ${layout}`);
        }
      }
    }
  });

  // Tile edges: GEMM rows are output channels (NCW) or pixels (NWC) in 4s, columns pixels or
  // channels in 8s. [Cin, Cout, W, k, groups]
  const edges: Array<[number, number, number, number, number]> = [
    [1, 1, 1, 1, 1], [1, 4, 8, 1, 1], [3, 3, 7, 3, 1], [4, 5, 9, 2, 1], [5, 8, 16, 3, 1], [8, 7, 17, 5, 1],
    [9, 12, 31, 3, 1], [16, 16, 32, 3, 1], [17, 9, 33, 4, 1], [4, 33, 65, 3, 1], [12, 8, 24, 3, 4],
    [6, 10, 15, 2, 2], [9, 9, 11, 3, 3], [2, 64, 257, 7, 1], [33, 3, 5, 1, 1],
  ];
  for (const [cin, cout, W, k, groups] of edges) {
    for (const layout of ['NCW', 'NWC'] as const) {
      it(`tile edge Cin=${cin} Cout=${cout} W=${W} k=${k} groups=${groups} ${layout}`, () => {
        const r = rng(cin * 997 + cout * 31 + W + k);
        for (const N of [1, 3]) {
          const x = randomTensor(r, layout === 'NCW' ? [N, cin, W] : [N, W, cin]);
          const w = randomTensor(r, [cout, cin / groups, k]);
          const options: Opts = { layout, groups, padding: Math.floor(k / 2), bias: randomTensor(r, [cout]).data, activation: 'relu6' };
          check(x, w, options, (cin / groups) * k, `N=${N}`);
        }
      });
    }
  }

  it('pointwise (k = 1, stride 1) convolutions, which read the input directly', () => {
    const r = rng(1106);
    for (const [cin, cout, W, groups] of [[1, 1, 1, 1], [3, 5, 7, 1], [8, 8, 8, 1], [17, 9, 33, 1], [12, 6, 10, 3], [64, 20, 100, 2], [5, 4, 1000, 1]]) {
      for (const layout of ['NCW', 'NWC'] as const) {
        const x = randomTensor(r, layout === 'NCW' ? [2, cin, W] : [2, W, cin]);
        const w = randomTensor(r, [cout, cin / groups, 1]);
        check(x, w, { layout, groups, bias: randomTensor(r, [cout]).data, activation: 'relu' }, cin / groups, `pointwise ${cin}->${cout} W=${W} g=${groups} ${layout}`);
        // k = 1 with stride or padding does not take the direct path but must agree too
        check(x, w, { layout, groups, stride: 2, padding: 1 }, cin / groups, `k=1 stride 2 ${cin}->${cout} ${layout}`);
      }
    }
  });

  it('reductions longer than one block (> 1024), with bias and activation applied once at the end', () => {
    const r = rng(1107);
    // [Cin, Cout, W, k, groups]
    const cases: Array<[number, number, number, number, number]> = [
      [1100, 5, 9, 1, 1], [300, 9, 10, 5, 1], [700, 4, 12, 3, 1], [1200, 6, 8, 2, 2], [2050, 3, 5, 1, 1], [513, 8, 11, 4, 1],
    ];
    for (const [cin, cout, W, k, groups] of cases) {
      for (const layout of ['NCW', 'NWC'] as const) {
        const x = randomTensor(r, layout === 'NCW' ? [2, cin, W] : [2, W, cin]);
        const w = randomTensor(r, [cout, cin / groups, k]);
        const red = (cin / groups) * k;
        // A large bias with a clamp and relu catch an epilogue applied per block.
        const bias = randomTensor(r, [cout]).data.map((v) => v * 20);
        check(x, w, { layout, groups, padding: 'same', bias, activation: 'relu' }, red, `red=${red} relu ${layout}`);
        check(x, w, { layout, groups, bias, activation: { type: 'clamp', min: -3, max: 4 } }, red, `red=${red} clamp ${layout}`);
      }
    }
    // Depthwise with a long kernel: the reduction is the kernel itself.
    for (const layout of ['NCW', 'NWC'] as const) {
      const x = randomTensor(r, layout === 'NCW' ? [1, 3, 1200] : [1, 1200, 3]);
      const w = randomTensor(r, [6, 1, 1100]);
      check(x, w, { layout, groups: 3, padding: [[3, 10]], bias: new Float32Array(6).fill(5), activation: 'relu6' }, 1100, `depthwise k=1100 ${layout}`);
    }
  });

  it('long signals (several pixel blocks) and stride larger than the kernel', () => {
    const r = rng(1108);
    for (const layout of ['NCW', 'NWC'] as const) {
      const x = randomTensor(r, layout === 'NCW' ? [2, 6, 3000] : [2, 3000, 6]);
      check(x, randomTensor(r, [10, 6, 5]), { layout, padding: 2, bias: randomTensor(r, [10]).data }, 30, `W=3000 ${layout}`);
      check(x, randomTensor(r, [7, 6, 3]), { layout, stride: 7, dilation: 2 }, 18, `stride 7 > span ${layout}`);
      check(x, randomTensor(r, [6, 2, 2]), { layout, stride: 5, groups: 3, padding: 'same' }, 4, `stride 5 > k, groups ${layout}`);
    }
  });

  it('a plan gives the same result on every run and for inputs of several sizes', () => {
    const r = rng(1109);
    const configs: Array<{ w: number[]; options: Opts; red: number; C: number; sizes?: number[] }> = [
      { w: [6, 3, 3], options: { padding: 'same', stride: 2, bias: new Float32Array(6).fill(0.5) }, red: 9, C: 3 },
      { w: [5, 4, 4], options: { layout: 'NWC', padding: [[1, 3]], dilation: 2, activation: 'relu' }, red: 16, C: 4 },
      { w: [8, 1, 5], options: { groups: 4, paddingMode: 'reflect', padding: 2, flip: true }, red: 5, C: 4 },
      { w: [9, 3, 3], options: { layout: 'NWC', groups: 3, paddingMode: 'circular', padding: 'same', stride: 3 }, red: 3, C: 9 },
      { w: [4, 700, 2], options: { padding: 1, bias: new Float32Array(4).fill(-1), activation: 'relu6' }, red: 1400, C: 700, sizes: [9, 3, 40, 9] },
    ];
    for (const { w: ws, options, red, C, sizes } of configs) {
      const w = randomTensor(r, ws);
      const plan = wc.createConv1d(w, options);
      for (const W of sizes ?? [9, 3, 64, 9, 1000, 3]) {
        const N = W === 3 ? 2 : 1;
        const x = randomTensor(r, options.layout === 'NWC' ? [N, W, C] : [N, C, W]);
        const a = plan.run(x);
        const b = plan.run(x);
        expect(a.data).toEqual(b.data);
        expect(plan.outputShape(x.shape)).toEqual(a.shape);
        expect(plan.workspaceBytes(x.shape)).toBeGreaterThanOrEqual(0);
        expectClose(a, refConv(x, w, options as Record<string, unknown>), tolFor(red), `plan ${JSON.stringify(ws)} W=${W}`);
      }
      plan.dispose();
    }
  });

  it('several plans alive at once do not disturb each other', () => {
    const r = rng(1110);
    const ws = [randomTensor(r, [4, 3, 3]), randomTensor(r, [7, 3, 1]), randomTensor(r, [3, 1, 5])];
    const opts: Opts[] = [{ padding: 1 }, { layout: 'NCW', bias: new Float32Array(7).fill(1) }, { groups: 3, padding: 'same', flip: true }];
    const plans = ws.map((w, i) => wc.createConv1d(w, opts[i]));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < plans.length; i++) {
        const x = randomTensor(r, [2, 3, 10 + round * 7 + i]);
        expectClose(plans[i].run(x), refConv(x, ws[i], opts[i] as Record<string, unknown>), tolFor(15), `plan ${i} round ${round}`);
      }
    }
    plans.forEach((p) => p.dispose());
  });

  it('hand-worked examples: cross-correlation, flip, stride, dilation', () => {
    const x = { data: new Float32Array([1, 2, 3, 4, 5]), shape: [1, 1, 5] };
    const w = { data: new Float32Array([1, 0, -1]), shape: [1, 1, 3] };
    expect(Array.from(wc.conv1d(x, w).data)).toEqual([-2, -2, -2]);
    expect(Array.from(wc.conv1d(x, w, { flip: true }).data)).toEqual([2, 2, 2]);
    expect(Array.from(wc.conv1d(x, w, { padding: 1 }).data)).toEqual([-2, -2, -2, -2, 4]);
    expect(Array.from(wc.conv1d(x, w, { padding: 1, stride: 2 }).data)).toEqual([-2, -2, 4]);
    expect(Array.from(wc.conv1d(x, w, { dilation: 2 }).data)).toEqual([-4]);
    expect(Array.from(wc.conv1d(x, w, { padding: 1, paddingMode: 'reflect' }).data)).toEqual([0, -2, -2, -2, 0]);
    expect(Array.from(wc.conv1d(x, w, { padding: 1, paddingMode: 'replicate' }).data)).toEqual([-1, -2, -2, -2, -1]);
    expect(Array.from(wc.conv1d(x, w, { padding: 1, paddingMode: 'circular' }).data)).toEqual([3, -2, -2, -2, 3]);
    // 'same' with an even kernel: the odd unit of padding goes at the end
    const w2 = { data: new Float32Array([1, 10]), shape: [1, 1, 2] };
    expect(Array.from(wc.conv1d(x, w2, { padding: 'same' }).data)).toEqual([21, 32, 43, 54, 5]);
  });
});
