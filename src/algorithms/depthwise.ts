/**
 * The direct depthwise kernels (assembly/depthwise/, `depthwiseConv`): groups == input channels
 * C, weight `[C * m, 1, ...k]` (m = channel multiplier; filter k = c * m + j reads input channel
 * c). Vectorised across output columns channels-first (with specialised 3x3 and 5x5 stride 1 and
 * 2 row kernels) or across channels channels-last; preferred to the GEMM, whose tiles would hold
 * one input channel each (measured in bench/variants.mjs: see the README's performance section),
 * but for a single input channel with many outputs (`prefersDepthwise`).
 */
import type { Algorithm } from './algorithm.ts';
import { forwardFlops, gemmBlocking } from './algorithm.ts';
import { product, type Pads } from '../shape.ts';

export const depthwise: Algorithm = {
  name: 'depthwise',
  kernels: ['depthwiseConv'],
  applies: (spec) => !spec.kind.transposed && !spec.pointwiseShape && spec.groups === spec.inChannels
    && rowBufferFits(spec.stride, spec.dilation, spec.padding),
  preferred: (spec) => prefersDepthwise(spec.inChannels, spec.outChannels, spec.channelsLast),
  pack: (spec, w) => packDepthwiseWeights(w.data, w.shape, spec.channelsLast, spec.flip, spec.outChannels / spec.inChannels),
  flops: forwardFlops,
  blocking: (spec, g, threads) => gemmBlocking((g.C / spec.groups) * product(g.kernel), product(g.out), threads),
  // 3x3 stride 1 and stride 2: separate row kernels.
  warmUp: [{ weight: [16, 1, 3, 3], groups: 16 }, { weight: [16, 1, 3, 3], groups: 16, stride: 2 }],
};

/**
 * Whether a convolution with groups == input channels runs on the depthwise kernels: always, but
 * for a single input channel with more outputs than DEPTHWISE_MAX_SINGLE_CHANNEL_OUTPUTS (a dense
 * convolution of a one-channel signal or image: audio front ends, grayscale stems), which the
 * GEMM computes faster: the depthwise kernels compute one multiplier at a time, the GEMM all
 * outputs of a pixel block at once. Measured (Node 20.20, simd, 1 thread, interleaved medians on
 * a loaded machine; depthwise kernels against `algorithm: 'gemm'`, 1 input channel):
 * channels-first 2 outputs 3.7x faster, 8 1.4x, 16 (1-D, k=3) 2.5x, 32 (3x3) 0.86-1.2x (a tie,
 * left on the depthwise kernels); 64 (k=10 s=5) 0.98x, 64 (7x7 s2) 0.68-0.8x, 256 (k=400
 * s=160) 0.37-0.53x, 512 (k=10 s=5) 0.81-0.9x; channels-last 2 outputs 2.2x faster, 4 1.0x, 8
 * 0.6x, 16 0.5x, 32 0.03-0.13x, 64 (7x7 s2) 0.09-0.11x, 256 (k=400 s=160) 0.014-0.024x.
 */
export function prefersDepthwise(inChannels: number, outChannels: number, channelsLast: boolean): boolean {
  return inChannels > 1 || outChannels <= DEPTHWISE_MAX_SINGLE_CHANNEL_OUTPUTS[channelsLast ? 1 : 0];
}

/** Most outputs of a one-channel input that select the depthwise kernels, channels-first and -last (see `prefersDepthwise`). */
const DEPTHWISE_MAX_SINGLE_CHANNEL_OUTPUTS = [32, 4];

/**
 * The direct depthwise and grouped kernels buffer input rows per output row, a span that grows
 * with stride, dilation and padding: extreme geometry goes to the GEMM path instead.
 */
export function rowBufferFits(stride: readonly number[], dilation: readonly number[], padding: Pads | 'same'): boolean {
  const pads = padding === 'same' ? [0] : padding.flat();
  return Math.max(...stride, ...dilation, ...pads) <= 1024;
}

/**
 * Packs depthwise weights of shape `[C * m, 1, ...k]` (PyTorch layout, 1 to 3 spatial axes;
 * `multiplier` = m) into the layout the depthwise kernels read. With T = prod(k) taps and the tap
 * index t row-major over k:
 *
 * - channels-first: `[C * m][T]`, filter after filter (the source layout itself);
 * - channels-last: `[T][m][Cp]` with Cp = C rounded up to a multiple of 4, entries past C zero:
 *   entry (t, j, c) is tap t of filter c * m + j, so one 16-byte load gives a tap's weights for
 *   4 consecutive input channels and the same multiplier index j.
 *
 * `flip` reverses the taps on every spatial axis (true convolution); with the taps in row-major
 * order that is reversing the tap index, t -> T - 1 - t.
 */
export function packDepthwiseWeights(
  w: ArrayLike<number>, shape: readonly number[], channelsLast: boolean, flip: boolean, multiplier = 1,
): Float32Array {
  const K = shape[0];
  const m = multiplier;
  if (shape[1] !== 1 || !Number.isInteger(m) || m < 1 || K % m !== 0) {
    throw new RangeError(`packDepthwiseWeights: expected a weight of shape [C * ${m}, 1, ...k], got [${shape.join(', ')}]`);
  }
  const T = product(shape.slice(2));
  const tapOf = flip ? (t: number) => T - 1 - t : (t: number) => t;
  if (!channelsLast) {
    const out = new Float32Array(K * T);
    for (let k = 0; k < K; k++) {
      for (let t = 0; t < T; t++) out[k * T + t] = w[k * T + tapOf(t)];
    }
    return out;
  }
  const C = K / m;
  const Cp = Math.ceil(C / 4) * 4;
  const out = new Float32Array(T * m * Cp);
  for (let t = 0; t < T; t++) {
    const src = tapOf(t);
    for (let j = 0; j < m; j++) {
      const row = (t * m + j) * Cp;
      for (let c = 0; c < C; c++) out[row + c] = w[(c * m + j) * T + src];
    }
  }
  return out;
}
