import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { refConv } from './reference.ts';
import { expectClose, rng, randomTensor, tolFor } from './helpers.ts';
import { convCase } from './cases.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

describe.skipIf(!backendAvailable())(`conv2d on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('uses the backend it was asked for', () => {
    expect(wc.backend()).toBe(BACKEND);
  });

  it('matches the float64 reference on 300 random cases (every option, both layouts)', () => {
    const r = rng(2024);
    for (let i = 0; i < 300; i++) {
      const c = convCase(r, 2, { paddingModes: true, flip: true });
      const got = wc.conv2d(c.x, c.w, c.options as wc.Conv2dOptions);
      expectClose(got, refConv(c.x, c.w, c.options), tolFor(c.reduction), `case ${i} ${c.label}`);
    }
  });

  // Tile edges: GEMM rows are output channels (channels-first) or pixels (channels-last) in
  // 4s, columns pixels or channels in 8s; reductions over 1024 are split into blocks and long
  // pixel runs into several pixel blocks.
  const edges: Array<[number, number, number, number, number]> = [
    // [Cin, Cout, H, W, k]
    [1, 1, 1, 1, 1], [3, 4, 2, 4, 1], [5, 8, 3, 3, 3], [4, 3, 1, 7, 1], [8, 9, 3, 9, 3],
    [16, 17, 5, 8, 3], [7, 32, 8, 8, 1], [120, 12, 6, 10, 3], [64, 33, 11, 13, 3], [2, 5, 40, 41, 5],
    [260, 6, 3, 5, 2],
  ];
  for (const [cin, cout, h, w, k] of edges) {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      it(`tile edge Cin=${cin} Cout=${cout} ${h}x${w} k=${k} ${layout}`, () => {
        const r = rng(cin * 1000 + cout * 10 + k);
        const x = randomTensor(r, layout === 'NCHW' ? [2, cin, h, w] : [2, h, w, cin]);
        const wt = randomTensor(r, [cout, cin, k, k]);
        const opts = { padding: Math.floor(k / 2), layout, bias: randomTensor(r, [cout]).data, activation: 'relu6' as const };
        expectClose(wc.conv2d(x, wt, opts), refConv(x, wt, opts), tolFor(cin * k * k), 'edge');
      });
    }
  }

  it('a plan gives the same result on every run and for inputs of several sizes', () => {
    const r = rng(7);
    const w = randomTensor(r, [6, 3, 3, 3]);
    const plan = wc.createConv2d(w, { padding: 'same', stride: 2, bias: new Float32Array(6).fill(0.5) });
    for (const [h, wd] of [[9, 9], [4, 17], [9, 9], [1, 1]]) {
      const x = randomTensor(r, [1, 3, h, wd]);
      const a = plan.run(x);
      const b = plan.run(x);
      expect(a.data).toEqual(b.data);
      expect(a.shape).toEqual([1, 6, Math.ceil(h / 2), Math.ceil(wd / 2)]);
      expectClose(a, refConv(x, w, { padding: 'same', stride: 2, bias: new Float32Array(6).fill(0.5) }), tolFor(27), `${h}x${wd}`);
    }
    plan.dispose();
  });

  it("algorithm: 'gemm' forces the im2col GEMM and gives the reference's result; other values are refused", () => {
    const r = rng(11);
    for (const [c, k, groups] of [[16, 16, 16], [20, 24, 1], [8, 8, 8]]) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const x = randomTensor(r, layout === 'NCHW' ? [1, c, 9, 11] : [1, 9, 11, c]);
        const w = randomTensor(r, [k, c / groups, 3, 3]);
        const opts = { padding: 1, groups, layout, algorithm: 'gemm' as const };
        const plan = wc.createConv2d(w, opts);
        expect(algorithmOf(plan)).toBe('gemm');
        expectClose(plan.run(x), refConv(x, w, opts), tolFor((c / groups) * 9), `gemm ${c} ${groups} ${layout}`);
        plan.dispose();
      }
    }
    expect(() => wc.conv2d(randomTensor(r, [1, 2, 4, 4]), randomTensor(r, [2, 2, 3, 3]), { algorithm: 'direct' } as never))
      .toThrow(/conv2d: option 'algorithm' must be 'auto'.*'fft'.*'gemm'.*got 'direct'/);
  });

  it("writes into the caller's output buffer when given one (every algorithm, in place too, async too)", async () => {
    const r = rng(12);
    // [Cin, Cout, groups, k, layout]: GEMM, Winograd, depthwise, pointwise, both layouts.
    const shapes: Array<[number, number, number, number, 'NCHW' | 'NHWC']> = [
      [3, 5, 1, 3, 'NCHW'], [16, 16, 1, 3, 'NHWC'], [8, 8, 8, 3, 'NCHW'], [6, 6, 1, 1, 'NHWC'], [16, 16, 1, 3, 'NCHW'],
    ];
    for (const [c, k, groups, kk, layout] of shapes) {
      const x = randomTensor(r, layout === 'NCHW' ? [2, c, 7, 6] : [2, 7, 6, c]);
      const w = randomTensor(r, [k, c / groups, kk, kk]);
      const opts = { padding: (kk - 1) / 2, groups, layout, bias: randomTensor(r, [k]).data };
      const plan = wc.createConv2d(w, opts);
      const expected = refConv(x, w, opts);
      const out = new Float32Array(expected.data.length).fill(NaN);
      const y = plan.run(x, out);
      expect(y.data).toBe(out);
      expectClose(y, expected, tolFor(c * kk * kk), `into ${c} ${k} ${groups} ${kk} ${layout}`);
      out.fill(NaN);
      const z = await plan.runAsync(x, out);
      expect(z.data).toBe(out);
      expectClose(z, expected, tolFor(c * kk * kk), `async into ${c} ${k} ${groups} ${kk} ${layout}`);
      if (c === k) {
        // The input is copied into wasm memory before the output is written: in place works.
        const copy = { data: Float32Array.from(x.data), shape: x.shape };
        expectClose(plan.run(copy, copy.data), expected, tolFor(c * kk * kk), `in place ${layout}`);
      }
      plan.dispose();
    }
  });

  it('refuses an output buffer of the wrong type or size, naming both sizes', () => {
    const r = rng(13);
    const plan = wc.createConv2d(randomTensor(r, [4, 2, 3, 3]));
    const x = randomTensor(r, [1, 2, 5, 5]);
    expect(() => plan.run(x, new Float32Array(35))).toThrow(
      /createConv2d\(\.\.\.\)\.run: argument 'output' must hold 36 elements \(output shape \[1, 4, 3, 3\]\), got a Float32Array of 35/);
    expect(() => plan.run(x, new Float64Array(36) as never)).toThrow(
      /createConv2d\(\.\.\.\)\.run: argument 'output' must be a Float32Array of 36 elements .*got .*Float64Array/);
    expect(() => plan.run(x, [] as never)).toThrow(/argument 'output' must be a Float32Array/);
    // The plan still works afterwards.
    expect(plan.run(x).data.length).toBe(36);
    plan.dispose();
  });

  it('accepts plain arrays and tensor-shaped bias, and never modifies its inputs', () => {
    const x = { data: [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [1, 1, 3, 3] };
    const w = { data: new Float32Array([1, 0, 0, -1]), shape: [1, 1, 2, 2] };
    const y = wc.conv2d(x, w, { bias: { data: new Float32Array([10]), shape: [1] } });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1 - 5 + 10, 2 - 6 + 10, 4 - 8 + 10, 5 - 9 + 10]);
    expect(x.data).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(w.data)).toEqual([1, 0, 0, -1]);
  });
});
