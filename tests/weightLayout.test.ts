/**
 * The weightLayout option: a weight given in TensorFlow's or TFLite's axis order computes what the
 * same weight in PyTorch's order computes (compared with the float64 reference), for forward,
 * transposed, grouped, depthwise and separable convolutions of every rank; tfjs' own shapes go in
 * as they are; bad layouts and channel counts that do not fit say which layout was read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type T = { data: Float32Array; shape: number[] };

/** `t`, whose axes are named by the letters of `from`, with its axes reordered as `to`. */
function permute(t: T, from: string, to: string): T {
  const shape = [...to].map((a) => t.shape[from.indexOf(a)]);
  const data = new Float32Array(t.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let at = 0; at < data.length; at++) {
    // The source offset of idx (named by `to`) in the `from` order.
    let src = 0;
    for (let d = 0; d < from.length; d++) src = src * t.shape[d] + idx[to.indexOf(from[d])];
    data[at] = t.data[src];
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return { data, shape };
}

const r = rng(1515);
const SPATIAL: Record<number, string> = { 1: 'W', 2: 'HW', 3: 'DHW' };
const convFns = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d } as const;
const transposeFns = { 1: wc.convTranspose1d, 2: wc.convTranspose2d, 3: wc.convTranspose3d } as const;

describe.skipIf(!backendAvailable())(`weightLayout (${BACKEND})`, () => {
  beforeAll(readyBackend);

  for (const rank of [1, 2, 3] as const) {
    const k = SPATIAL[rank];
    const spatial = rank === 3 ? [5, 6, 7] : rank === 2 ? [9, 11] : [13];
    const kernel = rank === 3 ? [2, 3, 3] : rank === 2 ? [3, 2] : [5];

    it(`${rank}-D forward, groups 1 and 2: OI${k} (default), ${k}IO, O${k}I agree with the reference`, () => {
      for (const groups of [1, 2]) {
        const [C, O] = [4, 6];
        const x = randomTensor(r, [2, C, ...spatial]);
        const w = randomTensor(r, [O, C / groups, ...kernel]);
        const options = { padding: 1, stride: 2, groups, bias: randomTensor(r, [O]).data };
        const expected = refConv(x, w, options);
        for (const layout of [`OI${k}`, `${k}IO`, `O${k}I`]) {
          const got = convFns[rank](x, permute(w, `OI${k}`, layout) as never, { ...options, weightLayout: layout } as never);
          expectClose(got, expected, tolFor(w.data.length / O), `${layout} groups=${groups}`);
        }
      }
    });

    it(`${rank}-D transposed: IO${k} (default), ${k}OI (tfjs), O${k}I (TFLite) agree with the reference`, () => {
      for (const groups of [1, 2]) {
        const [C, O] = [4, 6];
        const x = randomTensor(r, [1, C, ...spatial]);
        const w = randomTensor(r, [C, O / groups, ...kernel]);
        const options = { stride: 2, padding: 1, groups };
        const expected = refConvTranspose(x, w, options);
        for (const layout of [`IO${k}`, `${k}OI`, `O${k}I`]) {
          const plan = ({ 1: wc.createConvTranspose1d, 2: wc.createConvTranspose2d, 3: wc.createConvTranspose3d })[rank](
            permute(w, `IO${k}`, layout) as never, { ...options, weightLayout: layout } as never);
          expectClose(plan.run(x), expected, tolFor(C * 8), `${layout} groups=${groups}`);
          plan.dispose();
        }
      }
    });
  }

  it("takes a tfjs conv2d filter [kH, kW, inC, outC] with weightLayout 'HWIO', in either activation layout", () => {
    // An RGB 3x3 kernel with 16 filters, as tf.conv2d's filter argument holds it.
    const tfFilter = randomTensor(r, [3, 3, 3, 16]);
    const x = randomTensor(r, [1, 3, 12, 10]);
    const torchWeight = permute(tfFilter, 'HWIO', 'OIHW');
    const expected = refConv(x, torchWeight, { padding: 'same' });
    expect(expected.shape).toEqual([1, 16, 12, 10]);
    expectClose(wc.conv2d(x, tfFilter, { padding: 'same', weightLayout: 'HWIO' }), expected, tolFor(27));
    const nhwc = permute(x, 'NCHW', 'NHWC');
    const got = wc.conv2d(nhwc, tfFilter, { padding: 'same', layout: 'NHWC', weightLayout: 'HWIO' });
    expectClose(got, permute(expected as T, 'NCHW', 'NHWC'), tolFor(27));
  });

  it("takes a tfjs conv2dTranspose filter [kH, kW, outC, inC] with weightLayout 'HWOI'", () => {
    const [inC, outC] = [5, 3];
    const tfFilter = randomTensor(r, [4, 4, outC, inC]);
    const x = randomTensor(r, [1, inC, 6, 7]);
    const expected = refConvTranspose(x, permute(tfFilter, 'HWOI', 'IOHW'), { stride: 2, padding: 1 });
    expectClose(wc.convTranspose2d(x, tfFilter, { stride: 2, padding: 1, weightLayout: 'HWOI' }), expected, tolFor(inC * 4));
  });

  it("depthwise: 'HWIO' [kH, kW, C, M] (tfjs depthwiseConv2d) and 'IHWO' [1, kH, kW, C*M] (TFLite) agree with 'OIHW'", () => {
    const [C, M] = [5, 2];
    const x = randomTensor(r, [2, C, 9, 8]);
    const tf = randomTensor(r, [3, 3, C, M]);
    // Output channel c * M + m of PyTorch's [C * M, 1, kH, kW] is TensorFlow's [.., .., c, m].
    const torch = permute({ data: tf.data, shape: [3, 3, 1, C * M] }, 'HWIO', 'OIHW');
    const expected = refConv(x, torch, { groups: C, padding: 1 });
    expectClose(wc.depthwiseConv2d(x, torch, { padding: 1, depthMultiplier: M }), expected, tolFor(9));
    expectClose(wc.depthwiseConv2d(x, tf, { padding: 1, weightLayout: 'HWIO' }), expected, tolFor(9), 'HWIO');
    expectClose(wc.depthwiseConv2d(x, tf, { padding: 1, weightLayout: 'HWIO', depthMultiplier: M }), expected, tolFor(9), 'HWIO with M');
    const tflite = permute(torch, 'OIHW', 'IHWO');
    expectClose(wc.depthwiseConv2d(x, tflite, { padding: 1, depthMultiplier: M, weightLayout: 'IHWO' }), expected, tolFor(9), 'IHWO');
    expect(() => wc.depthwiseConv2d(x, tf, { weightLayout: 'HWIO', depthMultiplier: 3 })).toThrow(/option 'depthMultiplier' is 3 but the weight of shape \[3, 3, 5, 2\] in weightLayout 'HWIO'/);
  });

  it("separable: Keras SeparableConv2D's kernels ([kH, kW, C, M] and [1, 1, C*M, Cout]) with weightLayout 'HWIO'", () => {
    const [C, M, O] = [3, 2, 4];
    const x = randomTensor(r, [1, C, 7, 9]);
    const dwTf = randomTensor(r, [3, 3, C, M]);
    const pwTf = randomTensor(r, [1, 1, C * M, O]);
    const dw = permute({ data: dwTf.data, shape: [3, 3, 1, C * M] }, 'HWIO', 'OIHW');
    const pw = permute(pwTf, 'HWIO', 'OIHW');
    const expected = refConv(refConv(x, dw, { groups: C, padding: 1 }), pw);
    expectClose(wc.separableConv2d(x, dwTf, pwTf, { padding: 1, weightLayout: 'HWIO' }), expected, tolFor(9 + C * M));
    expectClose(wc.separableConv2d(x, dw, pw, { padding: 1, depthMultiplier: M }), expected, tolFor(9 + C * M), 'OIHW');
    const got = wc.separableConv2d(x, permute(dw, 'OIHW', 'IHWO'), permute(pw, 'OIHW', 'OHWI'), { padding: 1, depthMultiplier: M, weightLayout: 'IHWO' });
    expectClose(got, expected, tolFor(9 + C * M), 'IHWO');
  });

  it('converts once, when the plan is created: later changes to the given weight do not matter', () => {
    const w = randomTensor(r, [3, 3, 2, 4]);
    const x = randomTensor(r, [1, 2, 6, 6]);
    const plan = wc.createConv2d(w, { weightLayout: 'HWIO' });
    const before = plan.run(x);
    w.data.fill(0);
    expect(Array.from(plan.run(x).data)).toEqual(Array.from(before.data));
    plan.dispose();
  });

  it('rejects unknown layouts, naming the ones it accepts, and says which layout was read when channels do not fit', () => {
    const w = randomTensor(r, [3, 3, 3, 16]);
    expect(() => wc.createConv2d(w, { weightLayout: 'NHWC' as never })).toThrow(TypeError);
    expect(() => wc.createConv2d(w, { weightLayout: 'NHWC' as never })).toThrow("createConv2d: option 'weightLayout' of a 2-D convolution must be one of 'OIHW', 'HWIO', 'OHWI', got 'NHWC'");
    expect(() => wc.createConvTranspose1d(randomTensor(r, [2, 2, 3]), { weightLayout: 'HWOI' as never })).toThrow(/'IOW', 'WOI', 'OWI'/);
    expect(() => wc.depthwiseConv2d(randomTensor(r, [1, 2, 5, 5]), randomTensor(r, [2, 1, 3, 3]), { weightLayout: 'OHWI' as never })).toThrow(/'OIHW', 'HWIO', 'IHWO'/);
    // A TensorFlow kernel read as PyTorch's: the message says how it was read and what TensorFlow's needs.
    const x = randomTensor(r, [1, 16, 8, 8]);
    expect(() => wc.conv2d(x, { data: w.data, shape: [3, 3, 3, 16] })).toThrow(
      /but got 16 channels instead \(the weight was read in weightLayout 'OIHW', \[out_channels, in_channels\/groups, kH, kW\]; TensorFlow weights \[kH, kW, in_channels\/groups, out_channels\] need weightLayout: 'HWIO'\)/,
    );
    expect(() => wc.conv2d(x, w, { weightLayout: 'HWIO' })).toThrow(/to have 3 channels .*but got 16 channels instead \(the weight was read in weightLayout 'HWIO', \[kH, kW, in_channels\/groups, out_channels\]\)/);
    expect(() => wc.conv2d(x, { data: w.data, shape: [3, 3, 16] }, { weightLayout: 'HWIO' })).toThrow(/argument 'weight' must be a 4-D tensor \[kH, kW, in_channels\/groups, out_channels\] \(weightLayout 'HWIO'\)/);
  });
});

describe.skipIf(!backendAvailable())(`weightLayout with the Winograd plan's GEMM fallback (${BACKEND})`, () => {
  beforeAll(readyBackend);

  it('an input holding infinities (run on the GEMM fallback) gives what the default layout gives', () => {
    const w = randomTensor(r, [8, 16, 3, 3]);
    const x = randomTensor(r, [1, 16, 6, 6]);
    x.data[5] = Infinity;
    const expected = wc.conv2d(x, w, { padding: 1 });
    const got = wc.conv2d(x, permute(w, 'OIHW', 'HWIO'), { padding: 1, weightLayout: 'HWIO' });
    expect(Array.from(got.data)).toEqual(Array.from(expected.data));
  });
});
