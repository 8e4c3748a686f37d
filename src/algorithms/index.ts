/**
 * The algorithms, in the order a plan considers them: the first that applies to a convolution
 * and is preferred for it runs it (the GEMM, last, takes everything forward). Warm-up, the
 * `algorithm` option's values, the worker threads' kernel table, the guard-byte tests and the
 * benchmark's variant comparison all go by this list.
 *
 * Adding an algorithm: a module beside these declaring an `Algorithm`, and its place here.
 */
import type { Algorithm } from './algorithm.ts';
import type { ConvSpec, WeightTensor } from '../spec.ts';
import { transposed } from './transposed.ts';
import { separable } from './separable.ts';
import { depthwise } from './depthwise.ts';
import { grouped } from './grouped.ts';
import { fft } from './fft.ts';
import { winograd } from './winograd.ts';
import { gemm } from './gemm.ts';

export type { Algorithm } from './algorithm.ts';

export const ALGORITHMS: readonly Algorithm[] = [transposed, separable, depthwise, grouped, fft, winograd, gemm];

/** The kernel export names, in list order: a kernel's index is its number for the worker threads. */
export const KERNEL_NAMES: readonly string[] = ALGORITHMS.flatMap((a) => a.kernels);

/** Values of the `algorithm` option besides 'auto', with their meaning. */
export const ALGORITHM_OPTIONS = ALGORITHMS.flatMap((a) => (a.option ? [a.option] : []));

/**
 * The algorithm of a convolution: the one `spec.algorithm` forces if it applies, else the first
 * preferred one that applies.
 */
export function chooseAlgorithm(spec: ConvSpec, weight: WeightTensor): Algorithm {
  if (spec.algorithm !== 'auto') {
    const forced = ALGORITHMS.find((a) => a.option?.value === spec.algorithm && a.applies(spec, weight));
    if (forced) return forced;
    const strict = ALGORITHMS.find((a) => a.option?.value === spec.algorithm && a.option.requires);
    if (strict) {
      const { value, meaning, requires } = strict.option!;
      throw new RangeError(`${spec.kind.fn}: option 'algorithm' '${value}' (${meaning}) needs ${requires} (a forward convolution), got a${spec.kind.transposed ? ' transposed' : ''} convolution with stride [${spec.stride.join(', ')}]${spec.pointwiseShape ? ' and a pointwise weight' : ''}${Array.prototype.every.call(weight.data, Number.isFinite) ? '' : ' and weights with NaN or infinities'}`);
    }
  }
  return ALGORITHMS.find((a) => a.preferred(spec) && a.applies(spec, weight))!;
}
