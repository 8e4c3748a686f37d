/**
 * The fused depthwise-separable kernel (assembly/separable.ts `separableConv`): per block of
 * pixels, the depthwise results are computed into the pointwise GEMM's packed operand and
 * consumed while in cache. The only kernel for separable plans (`createSeparableConv2d`).
 */
import type { Algorithm } from './algorithm.ts';
import { gemmBlocking } from './algorithm.ts';
import { packWeights } from './gemm.ts';
import type { WeightTensor } from '../spec.ts';
import { product } from '../shape.ts';
import { Slot } from '../../assembly/descriptor.ts';

export const separable: Algorithm = {
  name: 'separable',
  kernels: ['separableConv'],
  applies: (spec) => spec.pointwiseShape !== null,
  preferred: () => true,
  pack: (spec, w, pointwise) => packSeparableWeights(w.data, w.shape, pointwise!, spec.channelsLast, spec.flip, spec.depthwiseBias),
  flops: (spec, g) => 2 * g.N * product(g.out) * spec.weightShape[0] * (product(spec.kernel) + spec.outChannels),
  // The pointwise GEMM reduces over the depthwise output channels.
  blocking: (spec, g, threads) => gemmBlocking(spec.weightShape[0], product(g.out), threads),
  writeSlots(spec, g, d, weights) {
    const mid = spec.weightShape[0];
    const taps = product(g.kernel);
    d[Slot.MidChannels] = mid;
    d[Slot.PointwiseWeights] = weights + pointwiseOffset(mid, taps, spec.depthwiseBias !== null);
    d[Slot.DepthwiseBias] = spec.depthwiseBias ? weights + pointwiseOffset(mid, taps) : 0;
    const a = spec.depthwiseActivation;
    const f = new Float32Array(d.buffer, d.byteOffset, d.length);
    d[Slot.DepthwiseHasActivation] = a ? 1 : 0;
    f[Slot.DepthwiseActLo] = a ? a.lo : -Infinity;
    f[Slot.DepthwiseActHi] = a ? a.hi : Infinity;
    f[Slot.DepthwiseActSlope] = a ? a.slope : 1;
  },
  warmUp: [{ weight: [16, 1, 3, 3], groups: 16, pointwise: [16, 16, 1, 1] }],
};

/**
 * Bytes from the start of the weights block to the pointwise weights: `mid` filters of `taps`
 * taps, padded to 4 floats, then (`withDepthwiseBias`) the `mid` depthwise biases, padded to 4
 * floats. Without it: where the depthwise biases start.
 */
export function pointwiseOffset(mid: number, taps: number, withDepthwiseBias = false): number {
  return Math.ceil((mid * taps) / 4) * 16 + (withDepthwiseBias ? Math.ceil(mid / 4) * 16 : 0);
}

/**
 * Weights of the fused kernel in one block: the depthwise filters `[mid][taps]` (channels-first)
 * or `[taps][mid]` (channels-last), padded to 4 floats, the depthwise biases if any (padded to 4
 * floats), then the pointwise weights packed as a 1x1 convolution's.
 */
export function packSeparableWeights(
  dw: ArrayLike<number>, shape: readonly number[], pointwise: WeightTensor, channelsLast: boolean, flip: boolean,
  depthwiseBias: Float32Array | null = null,
): Float32Array {
  const mid = shape[0];
  const taps = product(shape.slice(2));
  const depthwiseFloats = pointwiseOffset(mid, taps, depthwiseBias !== null) / 4;
  const pw = packWeights(pointwise.data, pointwise.shape, 1, false, channelsLast, false);
  const out = new Float32Array(depthwiseFloats + pw.length);
  for (let m = 0; m < mid; m++) {
    for (let t = 0; t < taps; t++) {
      const v = dw[m * taps + (flip ? taps - 1 - t : t)];
      out[channelsLast ? t * mid + m : m * taps + t] = v;
    }
  }
  if (depthwiseBias) out.set(depthwiseBias, pointwiseOffset(mid, taps) / 4);
  out.set(pw, depthwiseFloats);
  return out;
}
