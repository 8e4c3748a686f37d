/**
 * Winograd F(4x4, 3x3) and F(2x2, 3x3) (assembly/winograd4.ts `winograd4Conv`, assembly/winograd.ts
 * `winogradConv`): when a convolution takes them and which tile a run takes, the packing of the
 * transformed weights, the blocking, and the reorders that turn dilated, 3-D and 1-D
 * convolutions into their 2-D problem.
 */
import type { Algorithm, KernelProblem } from './algorithm.ts';
import { forwardFlops } from './algorithm.ts';
import type { ConvSpec } from '../spec.ts';
import type { Geometry } from '../geometry.ts';
import type { Exports } from '../kernels.ts';
import { balancedBlock, toThreeAxes, type Pads } from '../shape.ts';
import { TILE_COLS, TILE_ROWS } from '../../assembly/descriptor.ts';

/**
 * Whether a forward convolution runs as Winograd (tile: `winogradTileFor`) instead of the im2col GEMM: 2-D,
 * 3x3, stride 1, and at least WINOGRAD_MIN_CHANNELS input channels per group (`cg`), any number
 * of output channels; or 3-D with a 3x3 stride-1 undilated plane (any depth), at least
 * WINOGRAD_MIN_CHANNELS channels per group in a depth window (`cg` times the kernel depth); or
 * 1-D with 9 taps, stride 1, dilation 1 (seen as 3 x 3), at least WINOGRAD_MIN_CHANNELS_1D. The
 * plan's choice (./index.ts) asks this after the depthwise and grouped kernels declined. Runs
 * whose tile would be 2x2 need WINOGRAD_SMALL_TILE_MIN_CHANNELS (see `winogradTileFor`). The kernel computes 2-D undilated convolutions: a dilated one runs on
 * the phase images of its input, a 3-D one on its depth windows, a 1-D one on rows of its signal
 * (assembly/reorder.ts); a dilated input that does not split evenly runs on the plan's GEMM
 * fallback.
 *
 * Measured (Node 20.20, 2-core AVX-512 Xeon, simd and relaxed-simd, both layouts, interleaved
 * medians, 56x56 to 14x14 images): F(2x2) against the direct path is 1.1-2.3x faster from 16
 * input channels per group on, whatever the output channels (1 to 8 output channels: 1.2-3.9x,
 * the direct path's GEMM being weak there too); with 12 input channels still 1.1-2.1x, with 8 or
 * fewer it ties or loses (0.7-1.4x with 64-128 output channels: a reduction of only Cg per GEMM
 * tile leaves the tile's loads and stores and the transforms unpaid). F(4x4), with 4x fewer
 * multiplies than the direct path, against it (Node 20.20, simd, loaded machine): 8 to 12 input
 * channels 1.2-5.3x faster on 20x20 to 112x112 images (1.0x at 14x14), 4 input channels
 * 1.0-1.3x (not taken: within the noise); 3-D with 3 or 4 channels (9 or 12 a depth window)
 * 1.9-3.2x; 1-D with 8 and 12 channels 0.4x and 0.9x (its reorder into rows of the signal costs
 * more), so 1-D keeps WINOGRAD_MIN_CHANNELS_1D.
 */
export function prefersWinograd(
  rank: number, kernel: readonly number[], stride: readonly number[], dilation: readonly number[], cg: number,
): boolean {
  const [kh, kw] = kernel.slice(-2), [sh, sw] = stride.slice(-2);
  const plane = kh === 3 && kw === 3 && sh === 1 && sw === 1;
  if (rank === 1) return kernel[0] === 9 && stride[0] === 1 && dilation[0] === 1 && cg >= WINOGRAD_MIN_CHANNELS_1D;
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
export const WINOGRAD_MIN_CHANNELS = 8;
/** Fewest input channels per group that select Winograd for 1-D kernels of 9 taps (see `prefersWinograd`). */
export const WINOGRAD_MIN_CHANNELS_1D = 16;
/** Fewest input channels per group of a run on 2x2 tiles; runs with fewer take the GEMM (see `winogradTileFor`). */
export const WINOGRAD_SMALL_TILE_MIN_CHANNELS = 16;

/**
 * The transformed weights U = G g G^T of each (output, input) channel pair for Winograd
 * F(tile x tile, 3x3) — 16 values (4x4) for tile 2, 36 (6x6) for tile 4 — packed as the kernel
 * reads them: per group, per xi = n * i + j (U[i][j], n = tile + 2), GEMM panels over the
 * group's output channels — TILE_ROWS-row panels [ceil(Kg/4)][Cg][4] channels-first,
 * TILE_COLS-column panels [ceil(Kg/8)][Cg][8] channels-last — zero past Kg. `w` has shape
 * [K, Cg, 3, 3]; `flip` rotates each 3x3 kernel by 180 degrees first (true convolution). The
 * transform is computed in float64.
 */
export function packWinogradWeights(
  w: ArrayLike<number>, shape: readonly number[], groups: number, channelsLast: boolean, flip: boolean, tile: WinogradTile,
): Float32Array {
  const [K, Cg] = shape;
  const Kg = K / groups;
  const panel = channelsLast ? TILE_COLS : TILE_ROWS;
  const Kp = Math.ceil(Kg / panel) * panel;
  const G = tile === 2 ? G2 : G4;
  const n = G.length, freqs = n * n;
  const out = new Float32Array(groups * freqs * Kp * Cg);
  const g3 = new Float64Array(9);
  const u = new Float64Array(freqs);
  const t = new Float64Array(n * 3);
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < Kg; k++) {
      for (let c = 0; c < Cg; c++) {
        const src = ((g * Kg + k) * Cg + c) * 9;
        for (let i = 0; i < 9; i++) g3[i] = w[src + (flip ? 8 - i : i)];
        // t = G g (n x 3), then u = t G^T (n x n).
        for (let r = 0; r < n; r++) {
          for (let col = 0; col < 3; col++) t[3 * r + col] = G[r][0] * g3[col] + G[r][1] * g3[3 + col] + G[r][2] * g3[6 + col];
        }
        for (let r = 0; r < n; r++) {
          for (let col = 0; col < n; col++) u[n * r + col] = t[3 * r] * G[col][0] + t[3 * r + 1] * G[col][1] + t[3 * r + 2] * G[col][2];
        }
        const base = g * freqs * Kp * Cg + Math.floor(k / panel) * Cg * panel + c * panel + (k % panel);
        for (let xi = 0; xi < freqs; xi++) out[base + xi * Kp * Cg] = u[xi];
      }
    }
  }
  return out;
}

/**
 * The Winograd tile for a 2-D output of OH x OW with `cg` input channels per group: 4x4 from
 * WINOGRAD_LARGE_TILE_OUTPUTS outputs a channel on, else 2x2 — or none (the GEMM runs) with
 * fewer than WINOGRAD_SMALL_TILE_MIN_CHANNELS input channels per group. F(4x4) does 36
 * multiplies per 16 outputs against F(2x2)'s 16 per 4, but its transformed weights are 36 per
 * channel pair against 16: on small images, where each weight serves few tiles, streaming them
 * costs more than the multiplies saved. Measured (Node 20.20, simd, both layouts, 64 to 512
 * channels, interleaved medians, loaded machine): F(4x4) against F(2x2) 0.4-0.6x at 4x4,
 * 0.6-1.5x at 7x7, 0.85-1.1x at 10x10 and 12x12 (within the noise), 1.0-1.5x at 14x14, 1.2-1.9x
 * at 28x28 and 56x56.
 */
export function winogradTileFor(OH: number, OW: number, cg: number): WinogradTile | null {
  return OH * OW >= WINOGRAD_LARGE_TILE_OUTPUTS ? 4 : cg >= WINOGRAD_SMALL_TILE_MIN_CHANNELS ? 2 : null;
}

/** Outputs a channel from which Winograd runs take F(4x4, 3x3) (see `winogradTileFor`). */
const WINOGRAD_LARGE_TILE_OUTPUTS = 144;

/** Output tile edge of a Winograd kernel: F(2x2, 3x3) (assembly/winograd.ts) or F(4x4, 3x3) (assembly/winograd4.ts). */
export type WinogradTile = 2 | 4;

/** The kernel transform G of F(2x2, 3x3) (points 0, 1, -1, infinity). */
const G2 = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
/** The kernel transform G of F(4x4, 3x3) (points 0, 1, -1, 2, -2, infinity). */
const G4 = [
  [1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1],
];

/** Upper bound of the transformed input blocks and the GEMM results together, in floats (1 MiB, half the L2 here). */
const WINOGRAD_BLOCK_FLOATS = 256 * 1024;
/** Fewest and most tiles in one block (a multiple of 8: the GEMM's column panels). */
const WINOGRAD_MIN_TILES = 32;
const WINOGRAD_MAX_TILES = 128;
/** Longest reduction (input channels) transformed at once. */
const WINOGRAD_MAX_BLOCK_K = 512;

/**
 * Blocking of a Winograd run over `tiles` tiles per image, for `parts` threads: `blockK` input
 * channels per reduction block and `blockP` tiles (a multiple of 8) per block of `tile` x `tile`
 * output tiles. A block's transformed input blocks and GEMM results ((tile + 2)^2 * blockP *
 * (blockK + kg) floats) stay within
 * WINOGRAD_BLOCK_FLOATS; the block count per image is a multiple of `parts` (see `balancedBlock`).
 * Measured: 32, 64 or 128 tiles a block run at the same speed (within 5%) on 64, 128 and 256
 * channels.
 */
export function winogradBlocking(
  cg: number, kg: number, tiles: number, parts: number, tile: WinogradTile,
): { blockK: number; blockP: number } {
  const blockK = cg <= WINOGRAD_MAX_BLOCK_K ? cg : Math.ceil(cg / Math.ceil(cg / WINOGRAD_MAX_BLOCK_K));
  const freqs = (tile + 2) ** 2;
  const fits = Math.max(8, Math.min(WINOGRAD_MAX_TILES, Math.floor(WINOGRAD_BLOCK_FLOATS / (freqs * (blockK + kg)) / 8) * 8));
  return { blockK, blockP: balancedBlock(tiles, fits, parts, WINOGRAD_MIN_TILES) };
}

/** Output tile edge of each of the algorithm's kernels, in the order of its `kernels`. */
const TILES: readonly WinogradTile[] = [4, 2];

export const winograd: Algorithm = {
  name: 'winograd',
  // F(4x4) first: its weights are packed when a plan is created, F(2x2)'s on the first small run.
  kernels: ['winograd4Conv', 'winogradConv'],
  // The kernels' shapes; finite weights only (one infinity would turn a whole tile into NaN).
  applies: (spec, w) => !spec.kind.transposed && !spec.pointwiseShape
    && prefersWinograd(spec.kind.rank, spec.kernel, spec.stride, spec.dilation, Infinity) && allFinite(w.data),
  preferred: (spec) => prefersWinograd(spec.kind.rank, spec.kernel, spec.stride, spec.dilation, spec.weightShape[1]),
  pack(spec, w, _pointwise, kernel) {
    const { groups, channelsLast, flip } = spec;
    const [K, Cg] = w.shape;
    const tile = TILES[kernel];
    if (spec.kind.rank === 1) return packWinogradWeights(nineTapsAsThreeByThree(w.data, w.shape).data, [K, Cg, 3, 3], groups, channelsLast, flip, tile);
    if (spec.kind.rank === 3) {
      return packWinogradWeights(depthAsChannels(w.data, w.shape, flip).data, [K, Cg * spec.kernel[0], 3, 3], groups, channelsLast, flip, tile);
    }
    return packWinogradWeights(w.data, w.shape, groups, channelsLast, flip, tile);
  },
  flops: forwardFlops,
  blocking(spec, g, threads, kernel) {
    const [, oH, oW] = toThreeAxes(g.out, 1);
    const t = TILES[kernel];
    return winogradBlocking(g.C / spec.groups, spec.outChannels / spec.groups, Math.ceil(oH / t) * Math.ceil(oW / t), threads, t);
  },
  problem(spec, g, kernels) {
    const p = reorderedProblem(spec, g, kernels);
    const tile = p && winogradTileFor(p.g.out[0], p.g.out[1], p.g.C / spec.groups);
    return p && tile ? { ...p, kernel: TILES.indexOf(tile) } : null;
  },
  needsFiniteInput: true,
  // 12 x 12 outputs: F(4x4); 8 x 8: F(2x2).
  warmUp: [{ weight: [16, 16, 3, 3] }, { weight: [16, 16, 3, 3], size: 8 }],
};

/** Whether every value is finite (a product with 0 is NaN exactly for NaN and infinities). */
function allFinite(data: ArrayLike<number>): boolean {
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  return probe === 0;
}

/**
 * The 2-D problem the kernels compute for geometry `g`, with the reorders around it
 * (assembly/reorder.ts): `g` itself for 2-D undilated plans; the phase images of a dilated
 * input, the depth windows of a 3-D one, rows of the signal of a 1-D one; null when a dilated
 * input does not split evenly into phase images (the GEMM fallback runs it).
 */
function reorderedProblem(spec: ConvSpec, g: Geometry, kernels: Exports): KernelProblem | null {
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
