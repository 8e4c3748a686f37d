/**
 * Transposed convolution (assembly/conv.ts `transposedConv`): a GEMM of the weights with the
 * input into a column tile, then a scatter-add of the tile into the output (col2im), split by
 * output channels so that threads never write the same element. The only kernel for transposed
 * plans.
 */
import type { Algorithm } from './algorithm.ts';
import { gemmBlocking } from './algorithm.ts';
import { packWeights } from './gemm.ts';
import { product } from '../shape.ts';

/** Upper bound of the column tile, in floats. */
const COLUMN_TILE_FLOATS = 64 * 1024;

export const transposed: Algorithm = {
  name: 'transposed',
  kernels: ['transposedConv'],
  applies: (spec) => spec.kind.transposed,
  preferred: () => true,
  pack: (spec, w) => packWeights(w.data, w.shape, spec.groups, true, spec.channelsLast, spec.flip),
  flops: (spec, g) => 2 * g.N * product(g.inSpatial) * spec.inChannels * (spec.outChannels / spec.groups) * product(spec.kernel),
  blocking(spec, g) {
    // A block of input pixels makes taps * Kg column rows (rounded up to the 8-row panels); its
    // work items are chunks of output channels, so the pixel blocks are not cut for threads.
    const rows = Math.ceil((product(g.kernel) * spec.outChannels) / spec.groups / 8) * 8;
    return gemmBlocking(g.C / spec.groups, product(g.inSpatial), 1, Math.floor(COLUMN_TILE_FLOATS / rows));
  },
  warmUp: [{ weight: [16, 16, 2, 2], transposed: true, stride: 2 }],
};
