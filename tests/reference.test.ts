/**
 * The reference checked by hand: small cases whose every number is worked out in the comments,
 * plus identities (layout transposition, transposed convolution as the adjoint of convolution).
 * If these pass, the oracle the library is tested against says what it should.
 */
import { describe, expect, it } from 'vitest';
import { refConv, refConvTranspose, refSignal, type RefActivation } from './reference.ts';
import { expectClose, randomTensor, rng } from './helpers.ts';

const EXACT = { atol: 1e-6, rtol: 1e-6 };
const t = (data: number[], shape: number[]) => ({ data: Float32Array.from(data), shape });
const values = (r: { data: Float32Array }) => Array.from(r.data);

describe('refConv', () => {
  it('1-D, one channel, with bias', () => {
    // x = [1 2 3 4 5], w = [1 2 3], bias 0.5, out length 5 - 3 + 1 = 3
    // y0 = 1*1 + 2*2 + 3*3 = 14, y1 = 1*2 + 2*3 + 3*4 = 20, y2 = 1*3 + 2*4 + 3*5 = 26; + 0.5
    const y = refConv(t([1, 2, 3, 4, 5], [1, 1, 5]), t([1, 2, 3], [1, 1, 3]), { bias: new Float32Array([0.5]) });
    expectClose(y, t([14.5, 20.5, 26.5], [1, 1, 3]), EXACT);
  });

  it('1-D, two input channels summed', () => {
    // x0 = [1 2 3 4], x1 = [0 1 0 1]; w[0] = [[1 1], [2 -1]] (Cout 1, Cin 2, k 2)
    // y[i] = x0[i] + x0[i+1] + 2*x1[i] - x1[i+1]
    // y0 = 1 + 2 + 0 - 1 = 2, y1 = 2 + 3 + 2 - 0 = 7, y2 = 3 + 4 + 0 - 1 = 6
    const y = refConv(t([1, 2, 3, 4, 0, 1, 0, 1], [1, 2, 4]), t([1, 1, 2, -1], [1, 2, 2]));
    expectClose(y, t([2, 7, 6], [1, 1, 3]), EXACT);
  });

  it('2-D with asymmetric padding and stride 2', () => {
    // x = [[1 2 3], [4 5 6], [7 8 9]], w = [[1 2], [3 4]],
    // padding rows [1, 0], cols [0, 1], stride 2. The padded input P (4 x 4):
    //   0 0 0 0
    //   1 2 3 0
    //   4 5 6 0
    //   7 8 9 0
    // out rows floor((3 + 1 + 0 - 2) / 2) + 1 = 2, cols floor((3 + 0 + 1 - 2) / 2) + 1 = 2
    // out00 = 1*P00 + 2*P01 + 3*P10 + 4*P11 = 0 + 0 + 3 + 8   = 11
    // out01 = 1*P02 + 2*P03 + 3*P12 + 4*P13 = 0 + 0 + 9 + 0   = 9
    // out10 = 1*P20 + 2*P21 + 3*P30 + 4*P31 = 4 + 10 + 21 + 32 = 67
    // out11 = 1*P22 + 2*P23 + 3*P32 + 4*P33 = 6 + 0 + 27 + 0  = 33
    const y = refConv(t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]), t([1, 2, 3, 4], [1, 1, 2, 2]), {
      padding: [[1, 0], [0, 1]],
      stride: 2,
    });
    expectClose(y, t([11, 9, 67, 33], [1, 1, 2, 2]), EXACT);
  });

  it('dilation', () => {
    // x = [1 2 3 4 5 6], w = [1 10 100], dilation 2: taps at i, i+2, i+4; span 5, out 6 - 5 + 1 = 2
    // y0 = 1 + 10*3 + 100*5 = 531, y1 = 2 + 10*4 + 100*6 = 642
    const y = refConv(t([1, 2, 3, 4, 5, 6], [1, 1, 6]), t([1, 10, 100], [1, 1, 3]), { dilation: 2 });
    expectClose(y, t([531, 642], [1, 1, 2]), EXACT);
  });

  it('groups = 2: each output channel sees only its group', () => {
    // channels c0 = [1 2], c1 = [3 4] (group 0), c2 = [5 6], c3 = [7 8] (group 1); k = 1
    // w[0] = [1 1] on (c0, c1): [1+3, 2+4] = [4 6]; w[1] = [1 -1] on (c2, c3): [5-7, 6-8] = [-2 -2]
    const y = refConv(t([1, 2, 3, 4, 5, 6, 7, 8], [1, 4, 2]), t([1, 1, 1, -1], [2, 2, 1]), { groups: 2 });
    expectClose(y, t([4, 6, -2, -2], [1, 2, 2]), EXACT);
  });

  it("'same' padding: ceil(in / stride) outputs, the odd unit of padding at the end", () => {
    // in 4, k 2, stride 1: out 4, total pad (4-1)*1 + 2 - 4 = 1 -> [0, 1]
    // x = [1 2 3 4 | 0], w = [1 10]: y = [1+20, 2+30, 3+40, 4+0] = [21 32 43 4]
    const y = refConv(t([1, 2, 3, 4], [1, 1, 4]), t([1, 10], [1, 1, 2]), { padding: 'same' });
    expectClose(y, t([21, 32, 43, 4], [1, 1, 4]), EXACT);
    // in 5, k 3, stride 2: out ceil(5/2) = 3, total pad (3-1)*2 + 3 - 5 = 2 -> [1, 1]
    // x = [0 | 1 2 3 4 5 | 0], w = [1 1 1]: windows at 0, 2, 4: [0+1+2, 2+3+4, 4+5+0] = [3 9 9]
    const z = refConv(t([1, 2, 3, 4, 5], [1, 1, 5]), t([1, 1, 1], [1, 1, 3]), { padding: 'same', stride: 2 });
    expectClose(z, t([3, 9, 9], [1, 1, 3]), EXACT);
  });

  it('channels-last equals the transposed channels-first result (1-D, 2-D, 3-D)', () => {
    const r = rng(11);
    const layouts: Array<[string, string, number[], number[]]> = [
      ['NCW', 'NWC', [2, 4, 9], [6, 2, 3]],
      ['NCHW', 'NHWC', [2, 4, 7, 6], [6, 2, 3, 2]],
      ['NCDHW', 'NDHWC', [1, 4, 4, 5, 3], [6, 2, 2, 3, 2]],
    ];
    for (const [first, last, xs, ws] of layouts) {
      const x = randomTensor(r, xs);
      const w = randomTensor(r, ws);
      const opts = { groups: 2, stride: 2, padding: 1, bias: randomTensor(r, [ws[0]]).data, paddingMode: 'reflect' as const };
      const yFirst = refConv(x, w, { ...opts, layout: first });
      const yLast = refConv(toLast(x), w, { ...opts, layout: last });
      expectClose(yLast, toLast(yFirst), EXACT, last);
      // and the transposed convolution
      const tFirst = refConvTranspose(yFirst, randomTensor(rng(3), [ws[0], 3, ...ws.slice(2)]), { groups: 2, stride: 2, padding: 1, layout: first });
      const tLast = refConvTranspose(toLast(yFirst), randomTensor(rng(3), [ws[0], 3, ...ws.slice(2)]), { groups: 2, stride: 2, padding: 1, layout: last });
      expectClose(tLast, toLast(tFirst), EXACT, `${last} transposed`);
    }
  });

  // [1 2 3] padded by 2 on each side; a 1-tap kernel [1] returns the padded signal itself.
  const padCases: Array<[string, number[]]> = [
    ['zeros', [0, 0, 1, 2, 3, 0, 0]],
    ['reflect', [3, 2, 1, 2, 3, 2, 1]], // mirror about the edge element: x[-1] = x[1], x[-2] = x[2]
    ['replicate', [1, 1, 1, 2, 3, 3, 3]], // the edge value
    ['circular', [2, 3, 1, 2, 3, 1, 2]], // x[-1] = x[2], x[-2] = x[1], x[3] = x[0], x[4] = x[1]
    ['symmetric', [2, 1, 1, 2, 3, 3, 2]], // mirror with the edge repeated: x[-1] = x[0], x[-2] = x[1]
  ];
  for (const [mode, expected] of padCases) {
    it(`paddingMode '${mode}' on [1 2 3], pad 2`, () => {
      const y = refConv(t([1, 2, 3], [1, 1, 3]), t([1], [1, 1, 1]), { padding: 2, paddingMode: mode as 'zeros' });
      expect(values(y)).toEqual(expected);
    });
  }

  it('padding modes in 2-D and through a wider kernel', () => {
    // [[1 2], [3 4]] padded by 1: replicate repeats the edges, circular wraps around
    const x = t([1, 2, 3, 4], [1, 1, 2, 2]);
    const id = t([1], [1, 1, 1, 1]);
    expect(values(refConv(x, id, { padding: 1, paddingMode: 'replicate' }))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(values(refConv(x, id, { padding: 1, paddingMode: 'circular' }))).toEqual([4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1]);
    // reflect pad 1 on [1 2 3] gives [2 1 2 3 2]; w = [1 10 100]: [2+10+200, 1+20+300, 2+30+200] = [212 321 232]
    const y = refConv(t([1, 2, 3], [1, 1, 3]), t([1, 10, 100], [1, 1, 3]), { padding: 1, paddingMode: 'reflect' });
    expect(values(y)).toEqual([212, 321, 232]);
  });

  it('flip: true convolution reads the kernel back to front', () => {
    // x = [1 2 3 4], w = [1 2 3]
    // correlation: [1+4+9, 2+6+12] = [14 20]; flipped (w = [3 2 1]): [3+4+3, 6+6+4] = [10 16]
    // (numpy.convolve([1,2,3,4], [1,2,3], 'valid') = [10 16])
    const x = t([1, 2, 3, 4], [1, 1, 4]);
    const w = t([1, 2, 3], [1, 1, 3]);
    expect(values(refConv(x, w))).toEqual([14, 20]);
    expect(values(refConv(x, w, { flip: true }))).toEqual([10, 16]);
    // 2-D: w = [[1 2], [3 4]] flipped is [[4 3], [2 1]]; on x = [[1 2], [3 4]]: 4 + 6 + 6 + 4 = 20 (correlation: 1+4+9+16 = 30)
    const x2 = t([1, 2, 3, 4], [1, 1, 2, 2]);
    const w2 = t([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(values(refConv(x2, w2))).toEqual([30]);
    expect(values(refConv(x2, w2, { flip: true }))).toEqual([20]);
  });

  const x5 = [-8, -1, 0, 2, 7];
  const actCases: Array<[string, RefActivation, number[]]> = [
    ['none', 'none', [-8, -1, 0, 2, 7]],
    ['undefined', undefined, [-8, -1, 0, 2, 7]],
    ['relu', 'relu', [0, 0, 0, 2, 7]],
    ['relu6', 'relu6', [0, 0, 0, 2, 6]],
    ['leakyRelu (default 0.01)', 'leakyRelu', [-0.08, -0.01, 0, 2, 7]],
    ['leakyRelu alpha 0.5', { type: 'leakyRelu', alpha: 0.5 }, [-4, -0.5, 0, 2, 7]],
    ['clamp [-1, 3]', { type: 'clamp', min: -1, max: 3 }, [-1, -1, 0, 2, 3]],
  ];
  for (const [name, activation, expected] of actCases) {
    it(`activation ${name}`, () => {
      // identity kernel: the activation applied to [-8 -1 0 2 7]
      const y = refConv(t(x5, [1, 1, 5]), t([1], [1, 1, 1]), { activation });
      expectClose(y, t(expected, [1, 1, 5]), EXACT);
    });
  }

  it('the activation comes after the bias', () => {
    // [-8 -1 0 2 7] + 1 = [-7 0 1 3 8]; relu -> [0 0 1 3 8]
    const y = refConv(t(x5, [1, 1, 5]), t([1], [1, 1, 1]), { bias: [1], activation: 'relu' });
    expect(values(y)).toEqual([0, 0, 1, 3, 8]);
  });
});

describe('refConvTranspose', () => {
  // x = [1 2 3], w = [1 10 100], stride 2: Y[2i + k] += x[i] * w[k]
  //   i=0: Y0 += 1,  Y1 += 10, Y2 += 100
  //   i=1: Y2 += 2,  Y3 += 20, Y4 += 200
  //   i=2: Y4 += 3,  Y5 += 30, Y6 += 300
  // natural size (3-1)*2 + 3 = 7: [1 10 102 20 203 30 300]
  const x = t([1, 2, 3], [1, 1, 3]);
  const w = t([1, 10, 100], [1, 1, 3]);

  it('1-D stride 2', () => {
    expect(values(refConvTranspose(x, w, { stride: 2 }))).toEqual([1, 10, 102, 20, 203, 30, 300]);
  });

  it('outputPadding adds positions at the end (bias only when the scatter does not reach them)', () => {
    // padding 0, outputPadding 1: size 8, Y7 receives nothing: bias 0.5 only
    const y = refConvTranspose(x, w, { stride: 2, outputPadding: 1, bias: new Float32Array([0.5]) });
    expect(values(y)).toEqual([1.5, 10.5, 102.5, 20.5, 203.5, 30.5, 300.5, 0.5]);
  });

  it('padding crops both ends; outputPadding then takes back a computed position', () => {
    // padding 1: Y'[p] = Y[p + 1], natural 7 - 2 = 5: [10 102 20 203 30]
    expect(values(refConvTranspose(x, w, { stride: 2, padding: 1 }))).toEqual([10, 102, 20, 203, 30]);
    // outputPadding 1 -> 6 positions, the last is Y[6] = 300 (real contributions, not just bias)
    expect(values(refConvTranspose(x, w, { stride: 2, padding: 1, outputPadding: 1 }))).toEqual([10, 102, 20, 203, 30, 300]);
    // outputSize [6] chooses the same
    expect(values(refConvTranspose(x, w, { stride: 2, padding: 1, outputSize: [6] }))).toEqual([10, 102, 20, 203, 30, 300]);
  });

  it('groups and channels: w is [Cin, Cout/groups, k]', () => {
    // Cin 2, groups 2, Cout/groups 1, k 1: out channel g = in channel g * w[g]
    // x = [[1 2], [3 4]], w = [[[2]], [[-1]]]: [[2 4], [-3 -4]]
    const y = refConvTranspose(t([1, 2, 3, 4], [1, 2, 2]), t([2, -1], [2, 1, 1]), { groups: 2 });
    expectClose(y, t([2, 4, -3, -4], [1, 2, 2]), EXACT);
    // groups 1, Cin 2, Cout 2: both inputs reach both outputs. w[c][m]: w[0] = [1 2], w[1] = [10 20]
    // out0 = 1*x0 + 10*x1 = [1+30, 2+40] = [31 42]; out1 = 2*x0 + 20*x1 = [2+60, 4+80] = [62 84]
    const z = refConvTranspose(t([1, 2, 3, 4], [1, 2, 2]), t([1, 2, 10, 20], [2, 2, 1]));
    expectClose(z, t([31, 42, 62, 84], [1, 2, 2]), EXACT);
  });

  it('is the adjoint of convolution: <conv(x, w), y> = <x, convTranspose(y, w)>', () => {
    const r = rng(2025);
    const configs = [
      { xs: [2, 4, 11], ws: [6, 2, 3], stride: 2, padding: 1, dilation: 1 },
      { xs: [2, 4, 9, 8], ws: [6, 2, 3, 3], stride: 2, padding: 1, dilation: 1 },
      { xs: [1, 4, 9, 10], ws: [4, 2, 3, 2], stride: [2, 3], padding: [[1, 0], [2, 1]] as Array<[number, number]>, dilation: [2, 1] },
      { xs: [1, 4, 5, 6, 7], ws: [2, 2, 3, 2, 3], stride: 2, padding: 1, dilation: 1, flip: true },
    ];
    for (const c of configs) {
      const x = randomTensor(r, c.xs);
      const w = randomTensor(r, c.ws);
      const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: 2, flip: c.flip };
      const y1 = refConv(x, w, opts);
      const y = randomTensor(r, y1.shape);
      // outputSize = the input's size (the conv may have ignored trailing input positions)
      const x1 = refConvTranspose(y, w, { ...opts, outputSize: c.xs.slice(2) });
      expect(x1.shape).toEqual(c.xs);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < y.data.length; i++) lhs += y1.data[i] * y.data[i];
      for (let i = 0; i < x.data.length; i++) rhs += x.data[i] * x1.data[i];
      expect(Math.abs(lhs - rhs), `<conv(x,w),y> = ${lhs}, <x,convT(y,w)> = ${rhs} for ${JSON.stringify(c.xs)}`).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    }
  });
});

describe('refSignal (scipy.signal.convolve2d / correlate2d semantics)', () => {
  const x = t([1, 2, 3], [3]);
  const h = t([0, 1, 0.5], [3]);

  it('convolve: full, same, valid', () => {
    // full[p] = sum_j h[j] x[p - j]:
    //   p0 = 0*1 = 0; p1 = 0*2 + 1*1 = 1; p2 = 0*3 + 1*2 + 0.5*1 = 2.5; p3 = 1*3 + 0.5*2 = 4; p4 = 0.5*3 = 1.5
    expectClose(refSignal('convolve', x, h, 'full'), t([0, 1, 2.5, 4, 1.5], [5]), EXACT);
    // same: the centre of full, from (5 - 3) // 2 = 1
    expectClose(refSignal('convolve', x, h, 'same'), t([1, 2.5, 4], [3]), EXACT);
    // valid: only where h fits entirely
    expectClose(refSignal('convolve', x, h, 'valid'), t([2.5], [1]), EXACT);
  });

  it('convolve: boundaries wrap and symm, fill with a value', () => {
    // same[m] = sum_j h[j] x[m + 1 - j]; only m = 0 (reads x[-1] through h[2] = 0.5) and
    // m = 2 (reads x[3] through h[0] = 0) leave the input.
    //   wrap: x[-1] = x[2] = 3 -> same0 = 1*1 + 0.5*3 = 2.5
    //   symm: x[-1] = x[0] = 1 -> same0 = 1 + 0.5 = 1.5
    //   fill 10: x[-1] = 10   -> same0 = 1 + 5 = 6
    expectClose(refSignal('convolve', x, h, 'same', 'wrap'), t([2.5, 2.5, 4], [3]), EXACT);
    expectClose(refSignal('convolve', x, h, 'same', 'symm'), t([1.5, 2.5, 4], [3]), EXACT);
    expectClose(refSignal('convolve', x, h, 'same', 'fill', 10), t([6, 2.5, 4], [3]), EXACT);
    // full with wrap (x[-2] = x[1], x[-1] = x[2], x[3] = x[0], x[4] = x[1]):
    //   p0 = 0*x0 + 1*x[-1] + 0.5*x[-2] = 3 + 1 = 4;  p1 = 0*x1 + 1*x0 + 0.5*x[-1] = 1 + 1.5 = 2.5
    //   p2 = 2.5;  p3 = 0*x[3] + 1*x2 + 0.5*x1 = 3 + 1 = 4;  p4 = 0*x[4] + 1*x[3] + 0.5*x2 = 1 + 1.5 = 2.5
    expectClose(refSignal('convolve', x, h, 'full', 'wrap'), t([4, 2.5, 2.5, 4, 2.5], [5]), EXACT);
    // full with symm (x[-1] = x0, x[-2] = x1, x[3] = x2, x[4] = x1):
    //   p0 = 1*1 + 0.5*2 = 2;  p1 = 1*1 + 0.5*1 = 1.5;  p2 = 2.5;  p3 = 3 + 0.5*2 = 4;  p4 = 1*3 + 0.5*3 = 4.5
    expectClose(refSignal('convolve', x, h, 'full', 'symm'), t([2, 1.5, 2.5, 4, 4.5], [5]), EXACT);
    // full with fill 10: p0 = 1*10 + 0.5*10 = 15; p1 = 1*1 + 0.5*10 = 6; p4 = 0*10 + 1*10 + 0.5*3 = 11.5
    expectClose(refSignal('convolve', x, h, 'full', 'fill', 10), t([15, 6, 2.5, 4, 11.5], [5]), EXACT);
  });

  it('correlate: full, same, valid and boundaries', () => {
    // full[p] = sum_j h[j] x[p - 2 + j]:
    //   p0 = 0.5*1 = 0.5; p1 = 1*1 + 0.5*2 = 2; p2 = 0*1 + 1*2 + 0.5*3 = 3.5; p3 = 0*2 + 1*3 = 3; p4 = 0*3 = 0
    expectClose(refSignal('correlate', x, h, 'full'), t([0.5, 2, 3.5, 3, 0], [5]), EXACT);
    // same[m] = sum_j h[j] x[m - 1 + j]: [0 + 1 + 1, 3.5, 0*2 + 3 + 0.5*x[3]] = [2 3.5 3]
    expectClose(refSignal('correlate', x, h, 'same'), t([2, 3.5, 3], [3]), EXACT);
    expectClose(refSignal('correlate', x, h, 'valid'), t([3.5], [1]), EXACT);
    // same, x[3] by wrap = x0 = 1 -> 3 + 0.5 = 3.5; by symm = x2 = 3 -> 3 + 1.5 = 4.5
    expectClose(refSignal('correlate', x, h, 'same', 'wrap'), t([2, 3.5, 3.5], [3]), EXACT);
    expectClose(refSignal('correlate', x, h, 'same', 'symm'), t([2, 3.5, 4.5], [3]), EXACT);
  });

  it("even kernels: where 'same' starts", () => {
    const y = t([1, 10], [2]);
    // convolve full: [1, 10 + 2, 20 + 3, 30] = [1 12 23 30]; same starts at (2-1)//2 = 0: [1 12 23]
    expectClose(refSignal('convolve', x, y, 'full'), t([1, 12, 23, 30], [4]), EXACT);
    expectClose(refSignal('convolve', x, y, 'same'), t([1, 12, 23], [3]), EXACT);
    // correlate full[p] = x[p-1] + 10 x[p]: [10 21 32 3]. correlate2d's 'same' is
    // same[m] = x[m] + 10 x[m+1] = [21 32 3], i.e. it starts at 1, not 0 as
    // scipy.signal.correlate(..., 'same') would ([10 21 32]); the reference follows correlate2d.
    expectClose(refSignal('correlate', x, y, 'full'), t([10, 21, 32, 3], [4]), EXACT);
    expectClose(refSignal('correlate', x, y, 'same'), t([21, 32, 3], [3]), EXACT);
  });

  it("'valid' with the second input larger swaps the inputs", () => {
    // convolve is commutative: convolve([1 2 3], [1 2]) valid = [1*2 + 2*1, 2*2 + 3*1] = [4 7]
    expectClose(refSignal('convolve', t([1, 2], [2]), t([1, 2, 3], [3]), 'valid'), t([4, 7], [2]), EXACT);
    // correlate: correlate([1 2 3], [1 2]) valid = [1 + 4, 2 + 6] = [5 8], reversed -> [8 5]
    // (= numpy.correlate([1, 2], [1, 2, 3], 'valid'))
    expectClose(refSignal('correlate', t([1, 2], [2]), t([1, 2, 3], [3]), 'valid'), t([8, 5], [2]), EXACT);
    // neither larger in every dim: an error, as in scipy
    expect(() => refSignal('convolve', t([1, 2, 3, 4], [2, 2]), t([1, 2, 3], [1, 3]), 'valid')).toThrow();
  });

  it('2-D examples', () => {
    const X = t([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
    const K = t([1, 0, 0, -1], [2, 2]);
    // convolve valid: out[m,n] = K00 X[m+1,n+1] + K11 X[m,n] = X[m+1,n+1] - X[m,n] = 4 everywhere
    expectClose(refSignal('convolve', X, K, 'valid'), t([4, 4, 4, 4], [2, 2]), EXACT);
    // correlate valid: X[m,n] - X[m+1,n+1] = -4
    expectClose(refSignal('correlate', X, K, 'valid'), t([-4, -4, -4, -4], [2, 2]), EXACT);
    // [[1 2], [3 4]] with a 3x3 box, 'same': each output sums a 3x3 window of the extended input
    //   symm extension    wrap extension
    //   1 1 2 2           4 3 4 3
    //   1 1 2 2           2 1 2 1
    //   3 3 4 4           4 3 4 3
    //   3 3 4 4           2 1 2 1
    //   symm: (1+1+2)+(1+1+2)+(3+3+4) = 18, (1+2+2)+(1+2+2)+(3+4+4) = 21, 4+10+10 = 24, 5+11+11 = 27
    //   wrap: (4+3+4)+(2+1+2)+(4+3+4) = 27, 10+4+10 = 24, 5+11+5 = 21, 4+10+4 = 18
    const S = t([1, 2, 3, 4], [2, 2]);
    const box = t(new Array(9).fill(1), [3, 3]);
    expectClose(refSignal('convolve', S, box, 'same', 'symm'), t([18, 21, 24, 27], [2, 2]), EXACT);
    expectClose(refSignal('convolve', S, box, 'same', 'wrap'), t([27, 24, 21, 18], [2, 2]), EXACT);
  });

  it('3-D example, and a 3-D input with leading size-1 axes equals the 2-D result', () => {
    // [2,2,2] values 1..8 with [[[1 1]]]: each row [a b] becomes [a, a+b, b]
    const y = refSignal('convolve', t([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), t([1, 1], [1, 1, 2]), 'full');
    expectClose(y, t([1, 3, 2, 3, 7, 4, 5, 11, 6, 7, 15, 8], [2, 2, 3]), EXACT);
    const r = rng(8);
    const a = randomTensor(r, [5, 6]);
    const b = randomTensor(r, [3, 2]);
    for (const mode of ['full', 'same', 'valid'] as const) {
      for (const kind of ['convolve', 'correlate'] as const) {
        const two = refSignal(kind, a, b, mode, 'symm');
        const three = refSignal(kind, { data: a.data, shape: [1, 5, 6] }, { data: b.data, shape: [1, 3, 2] }, mode, 'symm');
        expect(three.shape).toEqual([1, ...two.shape]);
        expect(Array.from(three.data)).toEqual(Array.from(two.data));
      }
    }
  });
});

/** [N, C, ...spatial] -> [N, ...spatial, C]. */
function toLast(x: { data: Float32Array; shape: number[] }): { data: Float32Array; shape: number[] } {
  const [N, C, ...sp] = x.shape;
  const S = sp.reduce((p, v) => p * v, 1);
  const out = new Float32Array(x.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) out[(n * S + s) * C + c] = x.data[(n * C + c) * S + s];
  return { data: out, shape: [N, ...sp, C] };
}
