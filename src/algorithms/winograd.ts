/**
 * Winograd F(2x2, 3x3) (assembly/winograd.ts `winogradConv`): when a convolution takes it, the
 * packing of its transformed weights, its blocking, and the reorders that turn dilated, 3-D and
 * 1-D convolutions into its 2-D problem.
 */
import type { Algorithm, KernelProblem } from './algorithm.ts';
import { forwardFlops } from './algorithm.ts';
import type { ConvSpec } from '../spec.ts';
import type { Geometry } from '../geometry.ts';
import type { Exports } from '../kernels.ts';
import { balancedBlock, toThreeAxes, type Pads } from '../shape.ts';
import { TILE_COLS, TILE_ROWS } from '../../assembly/descriptor.ts';

/**
 * Whether a forward convolution runs as Winograd F(2x2, 3x3) instead of the im2col GEMM: 2-D,
 * 3x3, stride 1, and at least WINOGRAD_MIN_CHANNELS input channels per group (`cg`), any number
 * of output channels; or 3-D with a 3x3 stride-1 undilated plane (any depth), at least
 * WINOGRAD_MIN_CHANNELS channels per group in a depth window (`cg` times the kernel depth); or
 * 1-D with 9 taps, stride 1, dilation 1 (seen as 3 x 3). The plan's choice (./index.ts)
 * asks this after the depthwise and grouped kernels declined. The kernel computes 2-D undilated convolutions: a dilated one runs on
 * the phase images of its input, a 3-D one on its depth windows, a 1-D one on rows of its signal
 * (assembly/reorder.ts); a dilated input that does not split evenly runs on the plan's GEMM
 * fallback.
 *
 * Measured (Node 20.20, 2-core AVX-512 Xeon, simd and relaxed-simd, both layouts, interleaved
 * medians, 56x56 to 14x14 images): Winograd against the direct path is 1.1-2.3x faster from 16
 * input channels per group on, whatever the output channels (1 to 8 output channels: 1.2-3.9x,
 * the direct path's GEMM being weak there too); with 12 input channels still 1.1-2.1x, with 8 or
 * fewer it ties or loses (0.7-1.4x with 64-128 output channels: a reduction of only Cg per GEMM
 * tile leaves the tile's loads and stores and the transforms unpaid). 16 keeps a margin over the
 * measurement noise.
 */
export function prefersWinograd(
  rank: number, kernel: readonly number[], stride: readonly number[], dilation: readonly number[], cg: number,
): boolean {
  const [kh, kw] = kernel.slice(-2), [sh, sw] = stride.slice(-2);
  const plane = kh === 3 && kw === 3 && sh === 1 && sw === 1;
  if (rank === 1) return kernel[0] === 9 && stride[0] === 1 && dilation[0] === 1 && cg >= WINOGRAD_MIN_CHANNELS;
  if (rank === 2) return plane && cg >= WINOGRAD_MIN_CHANNELS;
  return rank === 3 && plane && dilation[1] === 1 && dilation[2] === 1 && cg * kernel[0] >= WINOGRAD_MIN_CHANNELS;
}

/**
 * 1-D weights [K, Cg, 9] as 2-D weights [K, Cg, 3, 3]: w2[b][a] = w[3a + b] (see `signalRows` in
 * assembly/reorder.ts). A flip of the 1-D kernel is the 180-degree turn of the 3 x 3 one, which
 * `packWinogradWeights` applies.
 */
export function nineTapsAsThreeByThree(w: ArrayLike<number>, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const [K, Cg] = shape;
  const data = new Float32Array(K * Cg * 9);
  for (let kc = 0; kc < K * Cg; kc++) {
    for (let b = 0; b < 3; b++) for (let a = 0; a < 3; a++) data[kc * 9 + b * 3 + a] = w[kc * 9 + 3 * a + b];
  }
  return { data, shape: [K, Cg, 3, 3] };
}

/**
 * 3-D weights [K, Cg, KD, 3, 3] as 2-D weights [K, KD * Cg, 3, 3] whose input channels are the
 * depth-window channels (kd, c) of assembly/reorder.ts `depthWindows`. `flip` reverses the depth
 * axis here; the 3x3 part is flipped by `packWinogradWeights`.
 */
export function depthAsChannels(
  w: ArrayLike<number>, shape: readonly number[], flip: boolean,
): { data: Float32Array; shape: number[] } {
  const [K, Cg, KD] = shape;
  const data = new Float32Array(K * KD * Cg * 9);
  for (let k = 0; k < K; k++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let c = 0; c < Cg; c++) {
        const from = ((k * Cg + c) * KD + (flip ? KD - 1 - kd : kd)) * 9;
        const to = ((k * KD + kd) * Cg + c) * 9;
        for (let t = 0; t < 9; t++) data[to + t] = w[from + t];
      }
    }
  }
  return { data, shape: [K, KD * Cg, 3, 3] };
}

/** Fewest input channels per group that select Winograd (see `prefersWinograd`). */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * The 16 transformed weights U = G g G^T of each (output, input) channel pair, packed as the
 * kernel reads them: per group, per xi = 4i + j (U[i][j]), GEMM panels over the group's output
 * channels — 4-row panels [ceil(Kg/4)][Cg][4] channels-first, 8-column panels [ceil(Kg/8)][Cg][8]
 * channels-last — zero past Kg. `w` has shape [K, Cg, 3, 3]; `flip` rotates each 3x3 kernel by
 * 180 degrees first (true convolution). The transform is computed in float64.
 */
export function packWinogradWeights(
  w: ArrayLike<number>, shape: readonly number[], groups: number, channelsLast: boolean, flip: boolean,
): Float32Array {
  const [K, Cg] = shape;
  const Kg = K / groups;
  const tile = channelsLast ? TILE_COLS : TILE_ROWS;
  const Kp = Math.ceil(Kg / tile) * tile;
  const out = new Float32Array(groups * 16 * Kp * Cg);
  const g3 = new Float64Array(9);
  const u = new Float64Array(16);
  const scratch = new Float64Array(12);
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < Kg; k++) {
      for (let c = 0; c < Cg; c++) {
        const src = ((g * Kg + k) * Cg + c) * 9;
        for (let t = 0; t < 9; t++) g3[t] = w[src + (flip ? 8 - t : t)];
        transformKernel(g3, u, scratch);
        const base = g * 16 * Kp * Cg + Math.floor(k / tile) * Cg * tile + c * tile + (k % tile);
        for (let xi = 0; xi < 16; xi++) out[base + xi * Kp * Cg] = u[xi];
      }
    }
  }
  return out;
}

/** u (4x4, row-major) = G g G^T for a row-major 3x3 kernel g; `t`: 12 floats of scratch. */
function transformKernel(g: Float64Array, u: Float64Array, t: Float64Array): void {
  // Gg (4x3): rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 of g's rows.
  for (let c = 0; c < 3; c++) {
    const a = g[c], b = g[3 + c], e = g[6 + c];
    t[c] = a;
    t[3 + c] = (a + b + e) / 2;
    t[6 + c] = (a - b + e) / 2;
    t[9 + c] = e;
  }
  // (Gg) G^T: the same combination across each row.
  for (let r = 0; r < 4; r++) {
    const a = t[3 * r], b = t[3 * r + 1], e = t[3 * r + 2];
    u[4 * r] = a;
    u[4 * r + 1] = (a + b + e) / 2;
    u[4 * r + 2] = (a - b + e) / 2;
    u[4 * r + 3] = e;
  }
}

/** Upper bound of the 16 transformed input blocks and the 16 GEMM results together, in floats (1 MiB, half the L2 here). */
const WINOGRAD_BLOCK_FLOATS = 256 * 1024;
/** Fewest and most tiles in one block (a multiple of 8: the GEMM's column panels). */
const WINOGRAD_MIN_TILES = 32;
const WINOGRAD_MAX_TILES = 128;
/** Longest reduction (input channels) transformed at once. */
const WINOGRAD_MAX_BLOCK_K = 512;

/**
 * Blocking of a Winograd run over `tiles` tiles per image, for `parts` threads: `blockK` input
 * channels per reduction block and `blockP` tiles (a multiple of 8) per block. A block's 16
 * transformed input blocks and 16 GEMM results (16 * blockP * (blockK + kg) floats) stay within
 * WINOGRAD_BLOCK_FLOATS; the block count per image is a multiple of `parts` (see `balancedBlock`).
 * Measured: 32, 64 or 128 tiles a block run at the same speed (within 5%) on 64, 128 and 256
 * channels.
 */
export function winogradBlocking(cg: number, kg: number, tiles: number, parts: number): { blockK: number; blockP: number } {
  const blockK = cg <= WINOGRAD_MAX_BLOCK_K ? cg : Math.ceil(cg / Math.ceil(cg / WINOGRAD_MAX_BLOCK_K));
  const fits = Math.max(8, Math.min(WINOGRAD_MAX_TILES, Math.floor(WINOGRAD_BLOCK_FLOATS / (16 * (blockK + kg)) / 8) * 8));
  return { blockK, blockP: balancedBlock(tiles, fits, parts, WINOGRAD_MIN_TILES) };
}

export const winograd: Algorithm = {
  name: 'winograd',
  kernel: 'winogradConv',
  // The kernel's shapes; finite weights only (one infinity would turn a whole tile into NaN).
  applies: (spec, w) => !spec.kind.transposed && !spec.pointwiseShape
    && prefersWinograd(spec.kind.rank, spec.kernel, spec.stride, spec.dilation, Infinity) && allFinite(w.data),
  preferred: (spec) => prefersWinograd(spec.kind.rank, spec.kernel, spec.stride, spec.dilation, spec.weightShape[1]),
  pack(spec, w) {
    const { groups, channelsLast, flip } = spec;
    const [K, Cg] = w.shape;
    if (spec.kind.rank === 1) return packWinogradWeights(nineTapsAsThreeByThree(w.data, w.shape).data, [K, Cg, 3, 3], groups, channelsLast, flip);
    if (spec.kind.rank === 3) {
      return packWinogradWeights(depthAsChannels(w.data, w.shape, flip).data, [K, Cg * spec.kernel[0], 3, 3], groups, channelsLast, flip);
    }
    return packWinogradWeights(w.data, w.shape, groups, channelsLast, flip);
  },
  flops: forwardFlops,
  blocking(spec, g, threads) {
    const [, oH, oW] = toThreeAxes(g.out, 1);
    return winogradBlocking(g.C / spec.groups, spec.outChannels / spec.groups, Math.ceil(oH / 2) * Math.ceil(oW / 2), threads);
  },
  problem: winogradProblem,
  needsFiniteInput: true,
  warmUp: [{ weight: [16, 16, 3, 3] }],
};

/** Whether every value is finite (a product with 0 is NaN exactly for NaN and infinities). */
function allFinite(data: ArrayLike<number>): boolean {
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  return probe === 0;
}

/**
 * The problem the kernel computes for geometry `g`, with the reorders around it
 * (assembly/reorder.ts): `g` itself for 2-D undilated plans; the phase images of a dilated
 * input, the depth windows of a 3-D one, rows of the signal of a 1-D one; null when a dilated
 * input does not split evenly into phase images (the GEMM fallback runs it).
 */
function winogradProblem(spec: ConvSpec, g: Geometry, kernels: Exports): KernelProblem | null {
  const { rank } = spec.kind;
  if (rank === 2 && g.dilation.every((d) => d === 1)) return { g };
  const cl = spec.channelsLast ? 1 : 0;
  const K = spec.outChannels;
  if (rank === 1) {
    // Output columns J of the 2-D problem (3 rows), input columns J + 2 (5 rows).
    const [L] = g.inSpatial, [OL] = g.out, J = Math.ceil(OL / 3), none: Pads = [[0, 0], [0, 0]];
    return {
      g: {
        ...g, spatial: [5, J + 2], inSpatial: [5, J + 2], out: [3, J], pads: none, modePads: none,
        stride: [1, 1], dilation: [1, 1], kernel: [3, 3],
      },
      input: (from, to) => kernels.signalRows(from, to, g.N, g.C, L, g.pads[0][0], J + 2, cl),
      output: (from, to) => kernels.signalMerge(from, to, g.N, K, OL, J, cl),
    };
  }
  if (rank === 3) {
    const [D, H, W] = g.inSpatial, [OD, OH, OW] = g.out, KD = spec.kernel[0];
    return {
      g: {
        ...g, N: g.N * OD, C: g.C * KD, spatial: g.spatial.slice(1), inSpatial: [H, W], out: [OH, OW],
        pads: g.pads.slice(1), modePads: g.modePads.slice(1), stride: [1, 1], dilation: [1, 1], kernel: [3, 3],
      },
      input: (from, to) => kernels.depthWindows(from, to, g.N, g.C, spec.groups, D, H * W, OD, KD, g.stride[0], g.dilation[0], g.pads[0][0], cl),
      // Channels-last, the images of the output depths are already the output.
      output: cl ? undefined : (from, to) => kernels.phaseShuffle(to, from, g.N, K, OD, OH * OW, OD, 1, 0, 1),
    };
  }
  const sub = phaseGeometry(g);
  if (!sub) return null;
  const [H, W] = g.inSpatial, [OH, OW] = g.out, [DH, DW] = g.dilation;
  return {
    g: sub,
    input: (from, to) => kernels.phaseShuffle(from, to, g.N, g.C, H, W, DH, DW, cl, 0),
    output: (from, to) => kernels.phaseShuffle(to, from, g.N, K, OH, OW, DH, DW, cl, 1),
  };
}

/**
 * The undilated geometry of the phase images of a dilated 2-D convolution's input (see
 * assembly/reorder.ts): N * DH * DW images of H / DH x W / DW, output OH / DH x OW / DW, padding
 * divided by the dilation. Null unless the input, the output and the padding before each axis
 * are multiples of the dilation along it and the stride is 1.
 */
function phaseGeometry(g: Geometry): Geometry | null {
  const fits = (n: number, i: number) => n % g.dilation[i] === 0;
  if (g.spatial.length !== 2 || g.stride.some((s) => s !== 1) || !g.inSpatial.every(fits) || !g.out.every(fits)
    || !g.pads.every((p, i) => fits(p[0], i))) return null;
  const phases = g.dilation[0] * g.dilation[1];
  const divide = (a: number[]) => a.map((n, i) => n / g.dilation[i]);
  const pads = g.pads.map((p, i) => [p[0] / g.dilation[i], Math.floor(p[1] / g.dilation[i])] as [number, number]);
  return {
    ...g, N: g.N * phases, spatial: divide(g.spatial), inSpatial: divide(g.inSpatial), out: divide(g.out), pads,
    modePads: pads, outShape: [], dilation: [1, 1],
  };
}
