/**
 * Winograd F(2x2, 3x3) and F(4x4, 3x3) (assembly/winograd.ts, winograd4.ts): which convolutions
 * and which tiles take them, and their results
 * against the float64 reference through the public API — random sweeps over channel counts
 * around the GEMM tiles (4 / 8) and the 4-tile transform groups, odd and even sizes (partial
 * tiles at the right and bottom), every padding form (also wider than the kernel), bias,
 * activations, groups, both layouts, batches, several tile blocks, split reductions, large values
 * and NaN; and that its workspace stays bounded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { balancedBlock } from '../src/shape.ts';
import { winogradTileFor } from '../src/algorithms/winograd.ts';
import { refConv } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng, type Tolerance } from './helpers.ts';
import { ACTIVATIONS } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
/**
 * How much larger the absolute error of Winograd results may be than `tolFor` allows the GEMM.
 * F(4x4, 3x3)'s transforms have entries up to 8 (A^T) and 5 (B^T) and fractions down to 1/24
 * (G), so rounding errors grow: measured on random data in [-1, 1) against the float64
 * reference (16 to 1024 input channels, Node 20.20, simd), its largest error is 3-6x the
 * GEMM's and 6-16x F(2x2, 3x3)'s (whose error is below the GEMM's). 8x covers F(4x4) with a margin.
 */
const WINOGRAD_ERROR_GROWTH = 8;

/** The tolerance of Winograd results for a reduction of `reduction` terms (see WINOGRAD_ERROR_GROWTH). */
function tolWinograd(reduction: number): Tolerance {
  const t = tolFor(reduction);
  return { atol: t.atol * WINOGRAD_ERROR_GROWTH, rtol: t.rtol };
}

/** Time limit of the tests that run the float64 reference on many or large cases. */
const SLOW = 60_000;
/** Input channel counts per group that select Winograd: the threshold, tile edges, odd counts. */
const CHANNELS = [8, 9, 12, 15, 16, 17, 19, 20, 23, 24, 25, 31, 32, 33, 40, 47, 48, 64, 70];
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

describe.skipIf(!backendAvailable())(`Winograd F(2x2, 3x3) and F(4x4, 3x3) on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('is taken for 2-D 3x3 stride 1 with at least 8 input channels per group, and only then', () => {
    const r = rng(1);
    const algorithm = (w: number[], options: Record<string, unknown> = {}, create: (w: wc.TensorLike, o: never) => wc.ConvPlan = wc.createConv2d) => {
      const plan = create(randomTensor(r, w), options as never);
      const a = algorithmOf(plan);
      plan.dispose();
      return a;
    };
    expect(algorithm([16, 16, 3, 3])).toBe('winograd');
    expect(algorithm([64, 64, 3, 3], { padding: 1, layout: 'NHWC', flip: true, paddingMode: 'reflect' })).toBe('winograd');
    expect(algorithm([32, 16, 3, 3], { groups: 2 })).toBe('winograd');
    expect(algorithm([70, 17, 3, 3], { padding: [[0, 2], [1, 0]], bias: new Float32Array(70) })).toBe('winograd');
    expect(algorithm([1, 64, 3, 3])).toBe('winograd');
    expect(algorithm([6, 32, 3, 3], { groups: 2 })).toBe('winograd');
    expect(algorithm([64, 15, 3, 3])).toBe('winograd');
    expect(algorithm([64, 8, 3, 3])).toBe('winograd');
    expect(algorithm([64, 7, 3, 3])).toBe('gemm');
    expect(algorithm([32, 8, 3, 3], { groups: 4 })).toBe('grouped');
    expect(algorithm([64, 64, 3, 3], { stride: 2 })).toBe('gemm');
    expect(algorithm([64, 64, 3, 3], { stride: [1, 2] })).toBe('gemm');
    expect(algorithm([64, 64, 3, 3], { dilation: 2 })).toBe('winograd');
    expect(algorithm([64, 64, 3, 3], { dilation: [3, 1], padding: 'same' })).toBe('winograd');
    expect(algorithm([64, 64, 3, 3], { dilation: 2, stride: 2 })).toBe('gemm');
    expect(algorithm([64, 64, 5, 5])).toBe('gemm');
    expect(algorithm([64, 64, 3, 1])).toBe('gemm');
    expect(algorithm([64, 1, 3, 3], { groups: 64 })).toBe('depthwise');
    expect(algorithm([64, 64, 3, 3], {}, wc.createConvTranspose2d)).toBe('transposed');
    expect(algorithm([64, 64, 3], {}, wc.createConv1d)).toBe('gemm');
    // 1-D: 9 taps (seen as 3 x 3), stride 1, dilation 1.
    expect(algorithm([64, 64, 9], { padding: 4 }, wc.createConv1d)).toBe('winograd');
    expect(algorithm([8, 16, 9], { layout: 'NWC', groups: 2 }, wc.createConv1d)).toBe('winograd');
    expect(algorithm([64, 16, 9], {}, wc.createConv1d)).toBe('winograd');
    expect(algorithm([64, 15, 9], {}, wc.createConv1d)).toBe('gemm');
    expect(algorithm([64, 64, 9], { stride: 2 }, wc.createConv1d)).toBe('gemm');
    expect(algorithm([64, 64, 9], { dilation: 2 }, wc.createConv1d)).toBe('gemm');
    // 3-D: a 3x3 stride-1 undilated plane, at least 8 channels in a depth window (Cg x kernel depth).
    expect(algorithm([32, 32, 3, 3, 3], {}, wc.createConv3d)).toBe('winograd');
    expect(algorithm([32, 8, 2, 3, 3], { stride: [2, 1, 1], dilation: [3, 1, 1] }, wc.createConv3d)).toBe('winograd');
    expect(algorithm([32, 16, 1, 3, 3], { layout: 'NDHWC' }, wc.createConv3d)).toBe('winograd');
    expect(algorithm([32, 3, 3, 3, 3], {}, wc.createConv3d)).toBe('winograd');
    expect(algorithm([32, 2, 3, 3, 3], {}, wc.createConv3d)).toBe('gemm');
    expect(algorithm([32, 32, 3, 3, 3], { stride: [1, 2, 1] }, wc.createConv3d)).toBe('gemm');
    expect(algorithm([32, 32, 3, 3, 3], { dilation: [1, 1, 2] }, wc.createConv3d)).toBe('gemm');
    expect(algorithm([32, 32, 3, 5, 3], {}, wc.createConv3d)).toBe('gemm');
  });

  it('matches the float64 reference on 120 random cases', () => {
    const r = rng(3303);
    for (let i = 0; i < 120; i++) {
      const c = winogradCase(r);
      const got = wc.conv2d(c.x, c.w, c.options as wc.Conv2dOptions);
      expectClose(got, refConv(c.x, c.w, c.options), tolWinograd(c.reduction), `case ${i} ${c.label}`);
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
      expect(algorithmOf(plan)).toBe('winograd');
      for (let h = 1; h <= 11; h++) {
        for (let wd = 1; wd <= 11; wd++) {
          const x = randomTensor(r, layout === 'NCHW' ? [1, 18, h, wd] : [1, h, wd, 18]);
          expectClose(plan.run(x), refConv(x, w, { padding: 1, layout, bias, activation: 'relu6' }), tolWinograd(18 * 9), `${h}x${wd}`);
        }
      }
      plan.dispose();
    }, SLOW);
  }

  // F(4x4) tiles (from 144 outputs a channel): output sizes equal to, smaller and larger than
  // and not divisible by 4 on each axis, thin images, and every way a group of 4 tiles meets
  // the image edges (widths 12..21 and 36..38: 18 input columns a group).
  for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`F(4x4) tiles: output sizes 12..21 x 12..21, 36..38 wide, thin ones (${layout})`, () => {
      const r = rng(layout === 'NCHW' ? 13 : 14);
      const w = randomTensor(r, [13, 17, 3, 3]);
      const bias = randomTensor(r, [13]).data;
      const opts = { padding: 1, layout, bias, activation: 'relu' } as const;
      const plan = wc.createConv2d(w, opts);
      const sizes: number[][] = [];
      for (let h = 12; h <= 21; h += 3) for (let wd = 12; wd <= 21; wd++) sizes.push([h, wd]);
      sizes.push([13, 36], [14, 37], [15, 38], [144, 1], [1, 144], [2, 75], [3, 49], [37, 5]);
      for (const [h, wd] of sizes) {
        const x = randomTensor(r, layout === 'NCHW' ? [1, 17, h, wd] : [1, h, wd, 17]);
        expectClose(plan.run(x), refConv(x, w, opts), tolWinograd(17 * 9), `${h}x${wd}`);
      }
      plan.dispose();
    }, SLOW);
  }

  it('takes 2x2 tiles below 144 outputs a channel (from 16 input channels per group, else the GEMM) and 4x4 tiles from there', () => {
    expect([winogradTileFor(11, 13, 16), winogradTileFor(1, 143, 64), winogradTileFor(12, 12, 8), winogradTileFor(3, 48, 8), winogradTileFor(56, 56, 16)]).toEqual([2, 2, 4, 4, 4]);
    expect([winogradTileFor(11, 13, 15), winogradTileFor(11, 11, 8)]).toEqual([null, null]);
    const r = rng(2);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const w = randomTensor(r, [11, 9, 3, 3]);
      const opts = { padding: 1, layout, bias: randomTensor(r, [11]).data };
      const plan = wc.createConv2d(w, opts);
      for (const [h, wd, expected] of [[12, 12, 'winograd'], [11, 12, 'gemm'], [3, 50, 'winograd'], [5, 5, 'gemm'], [20, 13, 'winograd']] as const) {
        const shape = layout === 'NCHW' ? [2, 9, h, wd] : [2, h, wd, 9];
        const x = randomTensor(r, shape);
        expect(algorithmOf(plan, shape), `${h}x${wd} ${layout}`).toBe(expected);
        expectClose(plan.run(x), refConv(x, w, opts), tolWinograd(9 * 9), `${h}x${wd} ${layout}`);
      }
      plan.dispose();
    }
  });

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
        expectClose(wc.conv2d(x, w, opts as wc.Conv2dOptions), refConv(x, w, opts as never), tolWinograd(cg * 9), `${JSON.stringify({ N, cg, kg, H, W, groups, layout, padding })}`);
      }
    }
  }, SLOW);

  it('dilated: runs on phase images when the input splits evenly, else on the GEMM fallback; both give the reference', () => {
    const r = rng(31);
    // [N, Cg, Kg, H, W, dilation, padding, groups]; the first SPLIT split evenly, the others do not
    // (size, output size or padding not a multiple of the dilation) and take the fallback.
    const SPLIT = 6;
    const cases: Array<[number, number, number, number, number, number | number[], unknown, number]> = [
      [1, 16, 16, 16, 16, 2, 2, 1], [2, 17, 9, 12, 18, [2, 3], 'same', 1], [1, 16, 20, 9, 12, [3, 2], [3, 4], 1],
      [1, 32, 8, 8, 8, 4, 4, 2], [3, 16, 5, 6, 10, [1, 2], [[1, 1], [2, 2]], 1], [1, 16, 16, 20, 14, 2, 0, 1],
      [1, 16, 16, 21, 14, 2, 2, 1], [1, 16, 16, 16, 16, 2, 1, 1], [2, 16, 16, 14, 14, 3, 3, 1], [1, 16, 16, 16, 16, 2, [[2, 1], [2, 2]], 1],
    ];
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [i, [N, cg, kg, H, W, dilation, padding, groups]] of cases.entries()) {
        const C = cg * groups, K = kg * groups;
        const x = randomTensor(r, layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C]);
        const w = randomTensor(r, [K, cg, 3, 3]);
        const opts = { padding, dilation, layout, groups, bias: randomTensor(r, [K]).data, activation: 'relu' } as wc.Conv2dOptions;
        const plan = wc.createConv2d(w, opts);
        expect(algorithmOf(plan)).toBe('winograd');
        const label = JSON.stringify({ N, cg, kg, H, W, dilation, padding, groups, layout });
        expect(algorithmOf(plan, x.shape), label).toBe(i < SPLIT ? 'winograd' : 'gemm');
        const expected = refConv(x, w, opts as never);
        expectClose(plan.run(x), expected, tolWinograd(cg * 9), label);
        expectClose(plan.run(x, new Float32Array(expected.data.length)), expected, tolWinograd(cg * 9), `${label} into a buffer`);
        expect(plan.workspaceBytes(x.shape)).toBeGreaterThan(0);
        plan.dispose();
      }
    }
    // Padding modes are applied before the split.
    for (const paddingMode of ['reflect', 'replicate', 'circular'] as const) {
      const x = randomTensor(r, [1, 16, 10, 12]);
      const w = randomTensor(r, [8, 16, 3, 3]);
      const opts = { padding: 2, dilation: 2, paddingMode };
      expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolWinograd(16 * 9), paddingMode);
    }
  });

  it('3-D: runs on the depth windows of the input and gives the reference', () => {
    const r = rng(37);
    // [N, Cg, Kg, D, H, W, KD, stride D, dilation D, padding, groups]
    const cases: Array<[number, number, number, number, number, number, number, number, number, unknown, number]> = [
      [1, 16, 16, 4, 6, 7, 3, 1, 1, 1, 1], [2, 17, 5, 3, 9, 4, 3, 1, 1, [[1, 0], [1, 1], [0, 2]], 1],
      [1, 8, 9, 7, 5, 5, 2, 2, 1, [0, 1, 1], 1], [1, 6, 8, 9, 4, 6, 3, 2, 2, [[3, 1], [1, 1], [1, 1]], 1],
      [1, 16, 3, 1, 3, 3, 1, 1, 1, 'same', 1], [2, 20, 20, 5, 7, 3, 3, 1, 1, 'same', 3],
    ];
    for (const layout of ['NCDHW', 'NDHWC'] as const) {
      for (const [N, cg, kg, D, H, W, KD, sd, dd, padding, groups] of cases) {
        const C = cg * groups, K = kg * groups;
        const x = randomTensor(r, layout === 'NCDHW' ? [N, C, D, H, W] : [N, D, H, W, C]);
        const w = randomTensor(r, [K, cg, KD, 3, 3]);
        const opts = {
          padding, layout, groups, stride: [sd, 1, 1], dilation: [dd, 1, 1], bias: randomTensor(r, [K]).data,
          activation: 'leakyRelu', flip: r() < 0.5,
        } as wc.Conv3dOptions;
        const label = JSON.stringify({ N, cg, kg, D, H, W, KD, sd, dd, padding, groups, layout, flip: opts.flip });
        const plan = wc.createConv3d(w, opts);
        expect(algorithmOf(plan, x.shape), label).toBe('winograd');
        const expected = refConv(x, w, opts as never);
        expectClose(plan.run(x), expected, tolWinograd(cg * KD * 9), label);
        expectClose(plan.run(x, new Float32Array(expected.data.length)), expected, tolWinograd(cg * KD * 9), `${label} into a buffer`);
        plan.dispose();
      }
    }
    const x = randomTensor(r, [1, 16, 5, 6, 6]);
    const w = randomTensor(r, [4, 16, 3, 3, 3]);
    for (const paddingMode of ['reflect', 'replicate', 'circular'] as const) {
      const opts = { padding: 1, paddingMode };
      expectClose(wc.conv3d(x, w, opts), refConv(x, w, opts), tolWinograd(16 * 27), paddingMode);
    }
  });

  it('blocks come in multiples of the thread count, within their size bounds', () => {
    expect(balancedBlock(784, 128, 2, 32)).toBe(104); // 8 blocks, not 7
    expect(balancedBlock(784, 128, 1, 32)).toBe(112);
    expect(balancedBlock(3136, 768, 2)).toBe(528); // 6 blocks, not 5
    for (let total = 1; total <= 3000; total += 7) {
      for (const parts of [1, 2, 3, 4, 8]) {
        for (const [most, least] of [[128, 32], [768, 8], [64, 8]]) {
          const size = balancedBlock(total, most, parts, least);
          const blocks = Math.ceil(total / size);
          expect(size % 8).toBe(0);
          expect(size).toBeLessThanOrEqual(Math.max(most, 8));
          // With blocks large against the rounding to 8, the count is a multiple of `parts`
          // unless that would make them smaller than `least`.
          const even = Math.ceil(Math.ceil(total / most) / parts) * parts;
          if (total >= 8 * even * even && total / even >= least) expect(blocks % parts, `${total} ${parts} ${most}`).toBe(0);
        }
      }
    }
  });

  it('1-D with 9 taps: runs on rows of the signal and gives the reference, every length 1..40', () => {
    const r = rng(41);
    for (const layout of ['NCW', 'NWC'] as const) {
      const w = randomTensor(r, [10, 17, 9]);
      const bias = randomTensor(r, [10]).data;
      for (const [padding, flip] of [[4, false], [[[0, 7]], true], [[[2, 0]], false], ['same', true], [0, false]] as const) {
        const opts = { padding, layout, bias, flip, activation: 'relu6' } as wc.Conv1dOptions;
        const plan = wc.createConv1d(w, opts);
        expect(algorithmOf(plan)).toBe('winograd');
        for (let L = 1; L <= 40; L++) {
          const [p0, p1] = padding === 'same' ? [4, 4] : typeof padding === 'number' ? [padding, padding] : padding[0];
          if (L + p0 + p1 < 9) continue;
          const x = randomTensor(r, layout === 'NCW' ? [2, 17, L] : [2, L, 17]);
          expectClose(plan.run(x), refConv(x, w, opts as never), tolWinograd(17 * 9), `L=${L} ${JSON.stringify(padding)} flip=${flip} ${layout}`);
        }
        plan.dispose();
      }
    }
    // Groups, a long signal (several tile blocks), padding modes.
    for (const layout of ['NCW', 'NWC'] as const) {
      const x = randomTensor(r, layout === 'NCW' ? [1, 48, 1000] : [1, 1000, 48]);
      const w = randomTensor(r, [24, 16, 9]);
      for (const o of [{ groups: 3, padding: 4 }, { groups: 3, padding: 4, paddingMode: 'reflect' }, { groups: 3, padding: [[3, 5]], paddingMode: 'circular' }]) {
        const opts = { ...o, layout } as wc.Conv1dOptions;
        expectClose(wc.conv1d(x, w, opts), refConv(x, w, opts as never), tolWinograd(16 * 9), `${JSON.stringify(opts)}`);
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
        expectClose(wc.conv2d(x, w, opts as wc.Conv2dOptions), refConv(x, w, opts as never), tolWinograd(16 * 9), `${h}x${wd} ${JSON.stringify(padding)} ${layout}`);
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
        expectClose(wc.conv2d(x, w, opts), refConv(x, w, opts), tolWinograd(cin * 9), `${cin}->${cout} ${layout}`);
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
        const t = tolWinograd(40 * 9);
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
        expectClose(a, refConv(x, w, opts), tolWinograd(16 * 9), `${h}x${wd} ${layout}`);
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
