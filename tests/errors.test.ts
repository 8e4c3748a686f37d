import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, rng, randomTensor } from './helpers.ts';

const t = (shape: number[], fill = 1) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill), shape });
const x = t([1, 4, 8, 8]);
const w = t([6, 4, 3, 3]);

/** Asserts that `f` throws `type` with every key word in its message. */
function throwsWith(f: () => unknown, type: ErrorConstructor, ...words: string[]): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected an error').toBeInstanceOf(type);
  const message = (error as Error).message;
  for (const word of words) expect(message).toContain(word);
}

describe('errors: bad input throws a precise TypeError / RangeError and the library keeps working', () => {
  beforeAll(() => wc.ready());

  it('wrong argument types', () => {
    throwsWith(() => wc.conv2d(null as never, w), TypeError, 'conv2d', "'input'", 'tensor', 'null');
    throwsWith(() => wc.conv2d(x, 'w' as never), TypeError, 'conv2d', "'weight'", "'w'");
    throwsWith(() => wc.conv2d({ data: 5, shape: [1, 4, 8, 8] } as never, w), TypeError, "'input'", 'data', '5');
    throwsWith(() => wc.conv2d({ data: new Float32Array(4), shape: 'abc' } as never, w), TypeError, "'input'", 'shape');
    throwsWith(() => wc.conv2d(x, w, 3 as never), TypeError, "'options'", 'object', '3');
    throwsWith(() => wc.conv2d(x, w, { strides: 2 } as never), TypeError, "unknown option 'strides'", 'stride');
    throwsWith(() => wc.conv2d(x, w, { stride: '2' } as never), TypeError, "'stride'", "'2'");
    throwsWith(() => wc.conv2d(x, w, { layout: 'CHWN' } as never), TypeError, "'layout'", "'NCHW'", "'NHWC'", "'CHWN'");
    throwsWith(() => wc.conv2d(x, w, { activation: 'gelu' } as never), TypeError, "'activation'", 'relu6', "'gelu'");
    throwsWith(() => wc.conv2d(x, w, { bias: 'b' } as never), TypeError, "'bias'", "'b'");
    throwsWith(() => wc.conv2d(x, w, { flip: 1 } as never), TypeError, "'flip'", 'boolean');
  });

  it('ready() rejects an unknown backend', async () => {
    await expect(wc.ready({ backend: 'gpu' } as never)).rejects.toThrow(/ready: option 'backend' must be one of .*'simd'.*got 'gpu'/);
    await expect(wc.ready({ backend: 'gpu' } as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('wrong ranks and data lengths', () => {
    throwsWith(() => wc.conv2d(t([8, 8]), w), RangeError, 'conv2d', "'input'", '4-D or 3-D', '2-D', '[8, 8]');
    throwsWith(() => wc.conv2d(x, t([6, 4, 3])), RangeError, 'conv2d', "'weight'", '4-D', '[out_channels, in_channels/groups, H, W]', '[6, 4, 3]');
    throwsWith(() => wc.conv2d({ data: new Float32Array(10), shape: [1, 4, 8, 8] }, w), RangeError, "'input'", '256 elements', '10 elements');
    throwsWith(() => wc.conv2d(x, w, { stride: [1, 1, 1] }), RangeError, "'stride'", '2 values', '3');
  });

  it('channels versus groups', () => {
    throwsWith(() => wc.conv2d(t([1, 5, 8, 8]), w), RangeError, 'groups=1', 'weight of shape [6, 4, 3, 3]', 'to have 4 channels', 'got 5 channels');
    throwsWith(() => wc.conv2d(x, w, { groups: 4 }), RangeError, 'weight of shape [6, 4, 3, 3]', '6 output channels', 'not divisible by groups=4');
    throwsWith(() => wc.conv2d(x, t([6, 2, 3, 3]), { groups: 3 }), RangeError, 'groups=3', 'to have 6 channels', 'got 4');
    throwsWith(() => wc.conv2d(x, w, { layout: 'NHWC' }), RangeError, 'layout NHWC', 'to have 4 channels', 'got 8');
    throwsWith(() => wc.conv2d(x, w, { bias: new Float32Array(5) }), RangeError, "'bias'", '6', 'got 5');
  });

  it('non-positive, non-integer, NaN and infinite sizes', () => {
    throwsWith(() => wc.conv2d(x, w, { stride: 0 }), RangeError, "'stride'", 'positive integer', 'got 0');
    throwsWith(() => wc.conv2d(x, w, { stride: [1, 1.5] }), RangeError, "'stride[1]'", '1.5');
    throwsWith(() => wc.conv2d(x, w, { dilation: NaN }), RangeError, "'dilation'", 'NaN');
    throwsWith(() => wc.conv2d(x, w, { padding: -1 }), RangeError, "'padding'", 'non-negative', '-1');
    throwsWith(() => wc.conv2d(x, w, { padding: [[1, Infinity], [0, 0]] }), RangeError, "'padding[0][1]'", 'Infinity');
    throwsWith(() => wc.conv2d(x, w, { groups: 0 }), RangeError, "'groups'", 'got 0');
    throwsWith(() => wc.conv2d({ data: new Float32Array(0), shape: [1, 4, 0, 8] }, w), RangeError, "'input'", 'at least 1', '[1, 4, 0, 8]');
    throwsWith(() => wc.conv2d(x, t([6, 4, 0, 3])), RangeError, "'weight'", 'non-zero', '[6, 4, 0, 3]');
    throwsWith(() => wc.conv2d({ data: [1], shape: [1, 1, -1, -1] }, w), TypeError, "'input'", 'non-negative integers');
  });

  it('kernel larger than the padded input, and empty outputs', () => {
    throwsWith(() => wc.conv2d(t([1, 4, 2, 8]), w), RangeError, 'padded input size', '2 x 8', '3 x 3');
    throwsWith(() => wc.conv2d(t([1, 4, 4, 4]), w, { dilation: 2, padding: 0 }), RangeError, 'dilated kernel size', '5 x 5');
    throwsWith(() => wc.convTranspose2d(t([1, 4, 1, 1]), t([4, 2, 1, 1]), { padding: 1 }), RangeError, 'output would be empty');
  });

  it('sizes beyond the 4 GiB WebAssembly memory', () => {
    const huge = { data: { length: 2 ** 31 } as unknown as Float32Array, shape: [1, 1, 2 ** 16, 2 ** 15] };
    throwsWith(() => wc.conv2d(huge, t([2, 1, 1, 1])), RangeError, 'conv2d', '4 GiB');
  });

  it('use after dispose, and before ready', () => {
    const plan = wc.createConv2d(w);
    plan.dispose();
    throwsWith(() => plan.run(x), Error, 'disposed');
  });

  it('still computes correctly after all of the above', () => {
    const r = rng(5);
    const xi = randomTensor(r, [2, 4, 9, 7]);
    const wi = randomTensor(r, [6, 4, 3, 3]);
    expectClose(wc.conv2d(xi, wi, { padding: 1 }), refConv(xi, wi, { padding: 1 }), { atol: 1e-4, rtol: 1e-4 }, 'after errors');
  });
});
