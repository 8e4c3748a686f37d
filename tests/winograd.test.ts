/**
 * Winograd F(2x2, 3x3) (assembly/winograd.ts): which convolutions take it, and its results
 * against the float64 reference through the public API — random sweeps over channel counts
 * around the GEMM tiles (4 / 8) and the 4-tile transform groups, odd and even sizes (partial
 * tiles at the right and bottom), every padding form (also wider than the kernel), bias,
 * activations, groups, both layouts, batches, several tile blocks, split reductions, large values
 * and NaN; and that its workspace stays bounded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { Plan } from '../src/plan.ts';
import { refConv } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { ACTIVATIONS } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
/** Time limit of the tests that run the float64 reference on many or large cases. */
const SLOW = 60_000;
/** Input channel counts per group that select Winograd: the threshold, tile edges, odd counts. */
const CHANNELS = [16, 17, 19, 20, 23, 24, 25, 31, 32, 33, 40, 47, 48, 64, 70];
/** Output channel counts per group: any (GEMM panels of 4 and 8 rows or columns, and partial ones). */
const OUT_CHANNELS = [1, 2, 3, 5, 8, 9, ...CHANNELS];

interface Case {
  label: string;
  x: { data: Float32Array; shape: number[] };
  w: { data: Float32Array; shape: number[] };
  options: Record<string, unknown>;
  /** Reduction length of one output (Cg * 9) for the tolerance. */
  reduction: number;
}

/** A random 3x3 stride-1 case that selects Winograd, at most `maxMacs` multiply-adds. */
function winogradCase(r: Rng, maxMacs = 1.5e6): Case {
  for (;;) {
    const groups = pick(r, [1, 1, 1, 1, 2, 3]);
    const cg = pick(r, CHANNELS), kg = pick(r, OUT_CHANNELS);
    const N = pick(r, [1, 1, 2, 3]);
    const H = r() < 0.3 ? randInt(r, 1, 9) : randInt(r, 1, 60);
    const W = r() < 0.3 ? randInt(r, 1, 9) : randInt(r, 1, 60);
    const padKind = pick(r, ['0', '1', '2', 'pairs', 'same', 'valid', 'perAxis']);
    let padding: unknown;
    let pads: Array<[number, number]>;
    if (padKind === 'pairs') { pads = [[randInt(r, 0, 2), randInt(r, 0, 2)], [randInt(r, 0, 2), randInt(r, 0, 2)]]; padding = pads; }
    else if (padKind === 'perAxis') { const a = randInt(r, 0, 2), b = randInt(r, 0, 2); pads = [[a, a], [b, b]]; padding = [a, b]; }
    else if (padKind === 'same') { padding = 'same'; pads = [[1, 1], [1, 1]]; }
    else if (padKind === 'valid') { padding = 'valid'; pads = [[0, 0], [0, 0]]; }
    else { const p = Number(padKind); pads = [[p, p], [p, p]]; padding = p; }
    const OH = H + pads[0][0] + pads[0][1] - 2, OW = W + pads[1][0] + pads[1][1] - 2;
    if (OH < 1 || OW < 1) continue;
    if (N * OH * OW * cg * kg * groups * 9 > maxMacs) continue;
    const channelsLast = r() < 0.5;
    const C = cg * groups, K = kg * groups;
    const options: Record<string, unknown> = { padding, layout: channelsLast ? 'NHWC' : 'NCHW' };
    if (groups > 1) options.groups = groups;
    if (r() < 0.6) options.bias = randomTensor(r, [K]).data;
    const act = pick(r, ACTIVATIONS);
    if (act !== undefined) options.activation = act;
    if (r() < 0.2) options.flip = true;
    if (r() < 0.15 && padKind !== 'same' && pads.every((p, i) => p[0] < [H, W][i] && p[1] < [H, W][i])) {
      options.paddingMode = pick(r, ['reflect', 'replicate', 'circular']);
    }
    const xShape = channelsLast ? [N, H, W, C] : [N, C, H, W];
    return {
      label: JSON.stringify({ x: xShape, w: [K, cg, 3, 3], ...options, bias: options.bias ? 'yes' : 'no' }),
      x: randomTensor(r, xShape),
      w: randomTensor(r, [K, cg, 3, 3]),
      options,
      reduction: cg * 9,
    };
  }
}

describe.skipIf(!backendAvailable())(`Winograd F(2x2, 3x3) on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('is taken for 2-D 3x3 stride 1 dilation 1 with at least 16 input channels per group, and only then', () => {
    const r = rng(1);
    const algorithm = (w: number[], options: Record<string, unknown> = {}, create: (w: wc.TensorLike, o: never) => wc.ConvPlan = wc.createConv2d) => {
      const plan = create(randomTensor(r, w), options as never);
      const a = Plan.algorithmOf(plan);
      plan.dispose();
      return a;
    };
    expect(algorithm([16, 16, 3, 3])).toBe('winograd');
    expect(algorithm([64, 64, 3, 3], { padding: 1, layout: 'NHWC', flip: true, paddingMode: 'reflect' })).toBe('winograd');
    expect(algorithm([32, 16, 3, 3], { groups: 2 })).toBe('winograd');
    expect(algorithm([70, 17, 3, 3], { padding: [[0, 2], [1, 0]], bias: new Float32Array(70) })).toBe('winograd');
    expect(algorithm([1, 64, 3, 3])).toBe('winograd');
    expect(algorithm([6, 32, 3, 3], { groups: 2 })).toBe('winograd');
    expect(algorithm([64, 15, 3, 3])).toBe('gemm');
    expect(algorithm([64, 8, 3, 3])).toBe('gemm');
    expect(algorithm([32, 8, 3, 3], { groups: 4 })).toBe('grouped');
    expect(algorithm([64, 64, 3, 3], { stride: 2 })).toBe('gemm');
    expect(algorithm([64, 64, 3, 3], { stride: [1, 2] })).toBe('gemm');
    expect(algorithm([64, 64, 3, 3], { dilation: 2 })).toBe('gemm');
    expect(algorithm([64, 64, 5, 5])).toBe('gemm');
    expect(algorithm([64, 64, 3, 1])).toBe('gemm');
    expect(algorithm([64, 1, 3, 3], { groups: 64 })).toBe('depthwise');
    expect(algorithm([64, 64, 3, 3], {}, wc.createConvTranspose2d)).toBe('transposed');
    expect(algorithm([64, 64, 3], {}, wc.createConv1d)).toBe('gemm');
    expect(algorithm([32, 32, 3, 3, 3], {}, wc.createConv3d)).toBe('gemm');
  });

  it('matches the float64 reference on 120 random cases', () => {
    const r = rng(3303);
    for (let i = 0; i < 120; i++) {
      const c = winogradCase(r);
      const got = wc.conv2d(c.x, c.w, c.options as wc.Conv2dOptions);
      expectClose(got, refConv(c.x, c.w, c.options), tolFor(c.reduction), `case ${i} ${c.label}`);
    }
  }, SLOW);

  // Every output size from 1 to 11 on each axis: partial tiles at the right and bottom, 4-tile
  // groups that wrap to the next tile row, groups at the left and right image edges.
  for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`every output size 1..11 x 1..11 (${layout}, padding 1)`, () => {
      const r = rng(layout === 'NCHW' ? 11 : 12);
      const w = randomTensor(r, [17, 18, 3, 3]);
      const bias = randomTensor(r, [17]).data;
      const plan = wc.createConv2d(w, { padding: 1, layout, bias, activation: 'relu6' });
      expect(Plan.algorithmOf(plan)).toBe('winograd');
      for (let h = 1; h <= 11; h++) {
        for (let wd = 1; wd <= 11; wd++) {
          const x = randomTensor(r, layout === 'NCHW' ? [1, 18, h, wd] : [1, h, wd, 18]);
          expectClose(plan.run(x), refConv(x, w, { padding: 1, layout, bias, activation: 'relu6' }), tolFor(18 * 9), `${h}x${wd}`);
        }
      }
      plan.dispose();
    }, SLOW);
  }

  it('wide and tall images: many tile blocks, fast and edge groups, batch and groups', () => {
    const r = rng(77);
    const shapes: Array<[number, number, number, number, number, number, string]> = [
      // [N, Cg, Kg, H, W, groups, layout]: 2-row and 2-column images of 100 to 150 tiles,
      // 4-tile groups aligned with tile rows (W = 56: 28 tiles) and not (W = 41, 30, 18).
      [1, 16, 16, 2, 300, 1, 'NCHW'], [1, 16, 24, 300, 2, 1, 'NHWC'], [2, 16, 16, 23, 41, 2, 'NCHW'],
      [2, 16, 16, 23, 41, 2, 'NHWC'], [1, 17, 17, 30, 56, 1, 'NCHW'], [1, 17, 17, 30, 56, 1, 'NHWC'],
      [3, 16, 16, 17, 18, 1, 'NCHW'], [1, 24, 20, 60, 9, 1, 'NHWC'],
    ];
    for (const [N, cg, kg, H, W, groups, layout] of shapes) {
      for (const padding of [1, [[2, 0], [0, 1]]] as const) {
        const pads = typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
        if (H + pads[0][0] + pads[0][1] < 3 || W + pads[1][0] + pads[1][1] < 3) continue;
        const C = cg * groups, K = kg * groups;
        const x = randomTensor(r, layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C]);
        const w = randomTensor(r, [K, cg, 3, 3]);
        const opts = { padding, layout, groups, bias: randomTensor(r, [K]).data, activation: 'leakyRelu' } as const;
        expectClose(wc.conv2d(x, w, opts as wc.Conv2dOptions), refConv(x, w, opts as never), tolFor(cg * 9), `${JSON.stringify({ N, cg, kg, H, W, groups, layout, padding })}`);
      }
    }
  }, SLOW);

  it('padding wider than the kernel: whole tiles of padding, outputs that are only the bias', () => {
    const r = rng(13);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [h, wd, padding] of [[1, 1, 3], [2, 5, [[5, 0], [0, 6]]], [6, 3, [[0, 7], [4, 4]]], [9, 12, 5]] as const) {
        const x = randomTensor(r, layout === 'NCHW' ? [2, 16, h, wd] : [2, h, wd, 16]);
        const w = randomTensor(r, [9, 16, 3, 3]);
        const opts = { padding, layout, bias: randomTensor(r, [9]).data, activation: 'leakyRelu' } as const;
        expectClose(wc.conv2d(x, w, opts as wc.Conv2dOptions), refConv(x, w, opts as never), tolFor(16 * 9), `${h}x${wd} ${JSON.stringify(padding)} ${layout}`);
      }
    }
  });

  it('long reductions split into several channel blocks', () => {
    const r = rng(5);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [cin, cout] of [[600, 16], [1100, 20]]) {
        const x = randomTensor(r, layout === 'NCHW' ? [1, cin, 7, 6] : [1, 7, 6, cin]);
        const w = randomTensor(r, [cout, cin, 3, 3]);
        const opts = { padding: 1, layout, bias: randomTensor(r, [cout]).data };
        expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolFor(cin * 9), `${cin}->${cout} ${layout}`);
      }
    }
  }, SLOW);

  it('large values: error relative to the size of the data', () => {
    const r = rng(9);
    for (const scale of [1e3, 1e-3, 3e5]) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const c = { x: randomTensor(r, layout === 'NCHW' ? [2, 40, 13, 16] : [2, 13, 16, 40]), w: randomTensor(r, [24, 40, 3, 3]) };
        c.x.data.forEach((v, i) => { c.x.data[i] = v * scale; });
        c.w.data.forEach((v, i) => { c.w.data[i] = v * scale; });
        const opts = { padding: 'same', layout, bias: randomTensor(r, [24]).data.map((v) => v * scale * scale) } as const;
        const t = tolFor(40 * 9);
        expectClose(wc.conv2d(c.x, c.w, opts), refConv(c.x, c.w, opts), { atol: t.atol * scale * scale, rtol: t.rtol }, `scale ${scale} ${layout}`);
      }
    }
  }, SLOW);

  it('a plan gives the same result on every run and serves inputs of several sizes', () => {
    const r = rng(21);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const w = randomTensor(r, [20, 16, 3, 3]);
      const opts = { padding: 'same', layout, bias: randomTensor(r, [20]).data, activation: { type: 'clamp', min: -0.5, max: 0.7 } } as const;
      const plan = wc.createConv2d(w, opts);
      for (const [h, wd] of [[9, 9], [1, 40], [9, 9], [31, 2], [26, 30]]) {
        const x = randomTensor(r, layout === 'NCHW' ? [2, 16, h, wd] : [2, h, wd, 16]);
        const a = plan.run(x);
        expect(plan.run(x).data).toEqual(a.data);
        expectClose(a, refConv(x, w, opts), tolFor(16 * 9), `${h}x${wd} ${layout}`);
      }
      plan.dispose();
    }
  }, SLOW);

  it('works in blocks of tiles: the workspace does not grow with the image', () => {
    const r = rng(41);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const plan = wc.createConv2d(randomTensor(r, [64, 64, 3, 3]), { padding: 1, layout });
      const shape = (n: number) => (layout === 'NCHW' ? [1, 64, n, n] : [1, n, n, 64]);
      const bytes = plan.workspaceBytes(shape(112));
      expect(plan.workspaceBytes(shape(224))).toBe(bytes);
      expect(bytes).toBeLessThan(2 * 1024 * 1024);
      plan.dispose();
    }
  });

  it('special values propagate as in the direct computation', () => {
    const r = rng(31);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const x = randomTensor(r, layout === 'NCHW' ? [1, 16, 8, 8] : [1, 8, 8, 16]);
      const w = randomTensor(r, [16, 16, 3, 3]);
      x.data[5] = NaN;
      const y = wc.conv2d(x, w, { padding: 1, layout });
      const ref = refConv(x, w, { padding: 1, layout });
      // Every output the NaN reaches is NaN; every other one is finite and matches.
      for (let i = 0; i < ref.data.length; i++) {
        expect(Number.isNaN(y.data[i]), `element ${i}`).toBe(Number.isNaN(ref.data[i]));
      }
    }
  });
});
