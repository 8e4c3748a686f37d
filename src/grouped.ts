/**
 * The direct grouped kernel (assembly/grouped.ts): when a convolution takes it, and the packing
 * of its weights.
 */
import { product } from './shape.ts';

/**
 * Whether a forward convolution (not depthwise) runs on the direct grouped kernel instead of the
 * im2col GEMM: more than one group, at most GROUPED_MAX_CHANNELS input channels per group (`cg`)
 * and at most GROUPED_MAX_OUTPUTS output channels per group (`kg`). The plan calls this once; it
 * is the only place the choice is made.
 */
export function prefersGrouped(groups: number, cg: number, kg: number): boolean {
  return groups > 1 && cg <= GROUPED_MAX_CHANNELS && kg <= GROUPED_MAX_OUTPUTS;
}

/** Most input channels per group that select the grouped kernel (see `prefersGrouped`). */
export const GROUPED_MAX_CHANNELS = 8;
/** Most output channels per group that select the grouped kernel (see `prefersGrouped`). */
export const GROUPED_MAX_OUTPUTS = 16;

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
