/**
 * The direct grouped kernel (assembly/grouped.ts `groupedConv`): when a convolution takes it, and
 * the packing of its weights.
 */
import type { Algorithm } from './algorithm.ts';
import { forwardFlops, gemmBlocking } from './algorithm.ts';
import { rowBufferFits } from './depthwise.ts';
import { product } from '../shape.ts';

export const grouped: Algorithm = {
  name: 'grouped',
  kernels: ['groupedConv'],
  applies: (spec) => !spec.kind.transposed && !spec.pointwiseShape && rowBufferFits(spec.stride, spec.dilation, spec.padding),
  preferred: (spec) => prefersGrouped(spec.groups, spec.weightShape[1], spec.weightShape[0] / spec.groups, product(spec.kernel), spec.channelsLast),
  pack: (spec, w) => packGroupedWeights(w.data, w.shape, spec.groups, spec.channelsLast, spec.flip),
  flops: forwardFlops,
  blocking: (spec, g, threads) => gemmBlocking((g.C / spec.groups) * product(g.kernel), product(g.out), threads),
  // 4 channels per group.
  warmUp: [{ weight: [16, 4, 3, 3], groups: 4 }],
};

/**
 * Whether a forward convolution (not depthwise) runs on the direct grouped kernel instead of the
 * im2col GEMM: more than one group, more than one tap, at most GROUPED_MAX_CHANNELS input
 * channels per group (`cg`), and at most GROUPED_MAX_OUTPUTS_FIRST output channels per group
 * (`kg`) channels-first, cg * kg at most GROUPED_MAX_PAIRS_LAST channels-last. The rule `auto`
 * applies where the grouped kernel comes before Winograd and the GEMM in ./index.ts.
 *
 * Measured (Node 20.20, 2-core AVX-512 Xeon, simd, interleaved medians of the direct kernel
 * against the same plan forced onto the GEMM, 28x28 and 56x56 images, kernels 1x1, 3x3, 5x5,
 * strides 1 and 2): channels-first the direct kernel wins every case with a kernel larger than
 * 1x1 (1.2-2.4x with cg 2 to 8 and kg up to 16; still 1.3-2.2x with cg 16 or 32, where Winograd
 * or a longer GEMM reduction takes over); channels-last it wins 1.2-5.6x while cg * kg <= 64
 * (cg 2, 4, 8 with kg 2 to 16) and loses (0.75-0.95x) from cg * kg = 128 on. On 1x1 kernels the
 * GEMM's pointwise path is as fast or faster (0.8-1.4x). Keeping cg below Winograd's 16 leaves
 * 3x3 stride-1 convolutions with many channels per group to Winograd.
 */
export function prefersGrouped(groups: number, cg: number, kg: number, taps: number, channelsLast: boolean): boolean {
  return groups > 1 && taps > 1 && cg <= GROUPED_MAX_CHANNELS
    && (channelsLast ? cg * kg <= GROUPED_MAX_PAIRS_LAST : kg <= GROUPED_MAX_OUTPUTS_FIRST);
}

/** Most input channels per group that select the grouped kernel (see `prefersGrouped`). */
export const GROUPED_MAX_CHANNELS = 8;
/** Most output channels per group that select the grouped kernel channels-first (see `prefersGrouped`). */
export const GROUPED_MAX_OUTPUTS_FIRST = 16;
/** Most (input, output) channel pairs per group that select the grouped kernel channels-last (see `prefersGrouped`). */
export const GROUPED_MAX_PAIRS_LAST = 64;

/**
 * Packs weights of shape `[K, Cg, ...k]` (1 to 3 spatial axes, `groups` groups, Kg = K / groups
 * output channels each) into the blocks the grouped kernel reads: per group, per block of 4
 * output channels (the vector lanes; zero past Kg), per kernel row (kd, kh), then
 *
 * - channels-first: `[Cg][KW][4]`,
 * - channels-last: `[KW][Cg][4]`,
 *
 * i.e. `[G][ceil(Kg / 4)][KD * KH][Cg][KW][4]` or `[G][ceil(Kg / 4)][KD * KH][KW][Cg][4]`.
 * `flip` reverses the taps on every spatial axis (true convolution): tap t -> taps - 1 - t in
 * row-major order.
 */
export function packGroupedWeights(
  w: ArrayLike<number>, shape: readonly number[], groups: number, channelsLast: boolean, flip: boolean,
): Float32Array {
  const [K, Cg] = shape;
  const k = shape.slice(2);
  const Kg = K / groups;
  const KB = Math.ceil(Kg / 4);
  const taps = product(k);
  const KW = k[k.length - 1];
  const rows = taps / KW;
  const out = new Float32Array(groups * KB * taps * Cg * 4);
  let i = 0;
  for (let g = 0; g < groups; g++) {
    for (let kb = 0; kb < KB; kb++) {
      for (let row = 0; row < rows; row++) {
        for (let a = 0; a < (channelsLast ? KW : Cg); a++) {
          for (let b = 0; b < (channelsLast ? Cg : KW); b++) {
            const [c, kw] = channelsLast ? [b, a] : [a, b];
            const t = row * KW + kw;
            const src = flip ? taps - 1 - t : t;
            for (let lane = 0; lane < 4; lane++, i++) {
              const o = kb * 4 + lane;
              if (o < Kg) out[i] = w[((g * Kg + o) * Cg + c) * taps + src];
            }
          }
        }
      }
    }
  }
  return out;
}
