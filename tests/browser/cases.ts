/**
 * The computations the browser tests run both in Chromium (through dist/browser.js) and in Node
 * (through src/index.ts): every kind of function on small deterministic data. The library is a
 * parameter, so this file imports only types and bundles into a tiny script for the test page.
 */
import type * as WC from '../../src/index.ts';

type Lib = typeof WC;
type Tensor = { data: Float32Array; shape: number[] };

export interface CaseResult {
  name: string;
  shape: number[];
  data: number[];
}

/** Values in [-1, 1) from a seeded generator (mulberry32): the same sequence everywhere. */
function tensor(shape: number[], seed: number): Tensor {
  let state = seed >>> 0;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    data[i] = (((z ^ (z >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return { data, shape };
}

export const CASES: Array<{ name: string; run(wc: Lib): Tensor }> = [
  {
    name: 'conv2d 3->5, stride 2, bias, relu',
    run: (wc) => wc.conv2d(tensor([1, 3, 17, 19], 1), tensor([5, 3, 3, 3], 2), { stride: 2, padding: 1, bias: tensor([5], 3).data, activation: 'relu' }),
  },
  {
    name: 'conv2d NHWC, 3 groups, dilation 2, same',
    run: (wc) => wc.conv2d(tensor([2, 11, 8, 9], 4), tensor([6, 3, 3, 3], 5), { layout: 'NHWC', groups: 3, dilation: 2, padding: 'same' }),
  },
  {
    name: 'conv2d 32->16 1x1 (pointwise)',
    run: (wc) => wc.conv2d(tensor([1, 32, 9, 10], 6), tensor([16, 32, 1, 1], 7)),
  },
  {
    name: 'conv1d stride 2, reflect padding',
    run: (wc) => wc.conv1d(tensor([2, 4, 37], 8), tensor([6, 4, 5], 9), { stride: 2, padding: 2, paddingMode: 'reflect' }),
  },
  {
    name: 'conv3d 2->4, padding 1',
    run: (wc) => wc.conv3d(tensor([1, 2, 6, 7, 8], 10), tensor([4, 2, 3, 3, 3], 11), { padding: 1 }),
  },
  {
    name: 'convTranspose2d 4->3, stride 2',
    run: (wc) => wc.convTranspose2d(tensor([1, 4, 7, 6], 12), tensor([4, 3, 4, 4], 13), { stride: 2, padding: 1 }),
  },
  {
    name: 'depthwiseConv2d, multiplier 2',
    run: (wc) => wc.depthwiseConv2d(tensor([1, 6, 15, 13], 14), tensor([12, 1, 3, 3], 15), { depthMultiplier: 2, padding: 1 }),
  },
  {
    name: 'depthwiseConv2d NHWC 5x5, stride 2',
    run: (wc) => wc.depthwiseConv2d(tensor([1, 14, 12, 7], 16), tensor([7, 1, 5, 5], 17), { layout: 'NHWC', stride: 2, padding: 2 }),
  },
  {
    name: 'separableConv2d 4->8',
    run: (wc) => wc.separableConv2d(tensor([1, 4, 12, 12], 18), tensor([4, 1, 3, 3], 19), tensor([8, 4, 1, 1], 20), { padding: 1, activation: 'relu6' }),
  },
  {
    name: 'spatiallySeparableConv2d 5x5, replicate',
    run: (wc) => wc.spatiallySeparableConv2d(tensor([1, 3, 16, 16], 21), tensor([3, 1, 5, 1], 22), tensor([3, 1, 1, 5], 23), { groups: 3, padding: 'same', paddingMode: 'replicate' }),
  },
  {
    name: 'convolve 2-D same, symm',
    run: (wc) => wc.convolve(tensor([20, 23], 24), tensor([4, 5], 25), { mode: 'same', boundary: 'symm' }),
  },
  {
    name: 'correlate 1-D valid',
    run: (wc) => wc.correlate(tensor([50], 26), tensor([7], 27), { mode: 'valid' }),
  },
];

/** Runs every case with `wc` (initialised) into plain data that crosses to Node intact. */
export function runCases(wc: Lib): CaseResult[] {
  return CASES.map((c) => {
    const y = c.run(wc);
    return { name: c.name, shape: [...y.shape], data: Array.from(y.data) };
  });
}
