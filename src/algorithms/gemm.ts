/**
 * The packed im2col GEMM (assembly/conv.ts `gemmConv`): every forward convolution, the one the
 * others are measured against and the fallback when none of them is preferred.
 */
import type { Algorithm } from './algorithm.ts';
import { forwardFlops, gemmBlocking } from './algorithm.ts';
import { product } from '../shape.ts';
import { TILE_COLS, TILE_ROWS } from '../../assembly/descriptor.ts';

export const gemm: Algorithm = {
  name: 'gemm',
  kernels: ['gemmConv'],
  option: { value: 'gemm', meaning: 'always the im2col GEMM' },
  applies: (spec) => !spec.kind.transposed && !spec.pointwiseShape,
  preferred: () => true,
  pack: (spec, w) => packWeights(w.data, w.shape, spec.groups, false, spec.channelsLast, spec.flip),
  flops: forwardFlops,
  blocking: (spec, g, threads) => gemmBlocking((g.C / spec.groups) * product(g.kernel), product(g.out), threads),
  // 3x3 stride 2 (im2col packing) and 1x1 (the input read in place as the GEMM operand).
  warmUp: [{ weight: [16, 16, 3, 3], stride: 2 }, { weight: [16, 16, 1, 1] }],
};

/**
 * Packs weights into the panels the kernels read (see assembly/conv.ts):
 * forward channels-first: per group, TILE_ROWS-row panels over (out channel) x (c, tap);
 * forward channels-last: per group, TILE_COLS-column panels over (tap, c) x (out channel);
 * transposed channels-first: per group, TILE_ROWS-row panels over (m, tap) x c;
 * transposed channels-last: per group, TILE_COLS-column panels over c x (tap, m).
 * `flip` reverses the taps (mathematical convolution).
 */
export function packWeights(
  w: ArrayLike<number>, shape: readonly number[], groups: number, transposed: boolean, channelsLast: boolean, flip: boolean,
): Float32Array {
  const taps = product(shape.slice(2));
  const tapOf = flip ? (t: number) => taps - 1 - t : (t: number) => t;
  const [w0, w1] = shape;
  // The GEMM view per group: `outer` is the operand dimension that gets tiled (rows or columns),
  // `red` the reduction; value(g, o, r) reads the weight.
  let outer: number, red: number, value: (g: number, o: number, r: number) => number;
  if (!transposed) {
    const Kg = w0 / groups, Cg = w1;
    outer = Kg;
    red = Cg * taps;
    value = channelsLast
      ? (g, o, r) => w[((g * Kg + o) * Cg + (r % Cg)) * taps + tapOf(Math.floor(r / Cg))]
      : (g, o, r) => w[(g * Kg + o) * red + Math.floor(r / taps) * taps + tapOf(r % taps)];
  } else {
    const Cg = w0 / groups, Kg = w1;
    outer = Kg * taps;
    red = Cg;
    value = channelsLast
      ? (g, o, r) => w[((g * Cg + r) * Kg + (o % Kg)) * taps + tapOf(Math.floor(o / Kg))]
      : (g, o, r) => w[((g * Cg + r) * Kg + Math.floor(o / taps)) * taps + tapOf(o % taps)];
  }
  const tile = channelsLast ? TILE_COLS : TILE_ROWS;
  const padded = Math.ceil(outer / tile) * tile;
  const out = new Float32Array(groups * padded * red);
  let i = 0;
  for (let g = 0; g < groups; g++) {
    for (let o0 = 0; o0 < padded; o0 += tile) {
      for (let r = 0; r < red; r++) {
        for (let t = 0; t < tile; t++, i++) {
          const o = o0 + t;
          if (o < outer) out[i] = value(g, o, r);
        }
      }
    }
  }
  return out;
}
