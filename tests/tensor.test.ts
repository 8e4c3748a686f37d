/**
 * Wasm tensors (`wasmTensor`): plans read them as input and write them as output in place, for
 * every kind of plan, also in place on one tensor, with padding modes (copied on the way in),
 * after the memory grew, asynchronously; their blocks go back to the arena on dispose; misuse
 * (disposed, from an instance that was reset, wrong output shape, bad arguments) throws a clear
 * error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

describe.skipIf(!backendAvailable())(`wasm tensors on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it('serve as input and output of every kind of plan, in place too, and give the reference', async () => {
    const r = rng(51);
    // [weight shape, options, input shape]: GEMM, Winograd, dilated and 1-D Winograd, depthwise,
    // grouped, pointwise, 3-D, padding mode (copied in), channels-last.
    const cases: Array<[number[], Record<string, unknown>, number[]]> = [
      [[6, 3, 3, 3], { padding: 1 }, [2, 3, 9, 8]],
      [[16, 16, 3, 3], { padding: 1, layout: 'NHWC' }, [1, 10, 11, 16]],
      [[16, 16, 3, 3], { padding: 2, dilation: 2 }, [1, 16, 12, 10]],
      [[8, 1, 3, 3], { padding: 1, groups: 8 }, [1, 8, 9, 9]],
      [[16, 4, 3, 3], { padding: 1, groups: 4, layout: 'NHWC' }, [1, 7, 9, 16]],
      [[12, 5, 1, 1], {}, [1, 5, 6, 7]],
      [[4, 16, 3, 3, 3], { padding: 1 }, [1, 16, 3, 5, 6]],
      [[5, 3, 3, 3], { padding: 1, paddingMode: 'reflect' }, [1, 3, 7, 6]],
    ];
    for (const [ws, opts, xs] of cases) {
      const label = JSON.stringify({ ws, opts, xs });
      const w = randomTensor(r, ws);
      const x = randomTensor(r, xs);
      const rank = ws.length - 2;
      const create = ([null, wc.createConv1d, wc.createConv2d, wc.createConv3d] as const)[rank]!;
      const plan = create(w, opts as never);
      const expected = refConv(x, w, opts as never);
      const xt = wc.wasmTensor(x.shape, x.data);
      const yt = wc.wasmTensor(expected.shape);
      expectClose(plan.run(xt), expected, tolFor(ws[1] * 27), `${label} wasm input`);
      const y = plan.run(xt, yt);
      expect(y).toBe(yt);
      expectClose(yt, expected, tolFor(ws[1] * 27), `${label} wasm output`);
      yt.data.fill(0);
      expect(await plan.runAsync(x, yt)).toBe(yt);
      expectClose(yt, expected, tolFor(ws[1] * 27), `${label} async wasm output`);
      if (ws[0] === (opts.groups === undefined ? ws[1] : ws[1] * (opts.groups as number)) && !('paddingMode' in opts) && expected.data.length === x.data.length) {
        // One tensor as input and output: the result replaces the input.
        const same = wc.wasmTensor(x.shape, x.data);
        plan.run(same, same);
        expectClose({ data: same.data, shape: expected.shape }, expected, tolFor(ws[1] * 27), `${label} in place`);
        same.dispose();
      }
      xt.dispose();
      yt.dispose();
      plan.dispose();
    }
    const x = randomTensor(r, [1, 6, 5, 5]);
    const wt = randomTensor(r, [6, 4, 3, 3]);
    const opts = { stride: 2, padding: 1 };
    const xt = wc.wasmTensor(x.shape, x.data);
    expectClose(wc.createConvTranspose2d(wt, opts).run(xt), refConvTranspose(x, wt, opts), tolFor(54), 'transposed');
    xt.dispose();
  });

  it('carry the middle of a spatially separable plan: repeated runs, changing shapes, disposal', () => {
    const r = rng(54);
    const col = randomTensor(r, [4, 3, 5, 1]);
    const row = randomTensor(r, [4, 1, 1, 5]);
    const full = { data: new Float32Array(4 * 3 * 25), shape: [4, 3, 5, 5] };
    for (let k = 0; k < 4; k++) for (let c = 0; c < 3; c++) for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      full.data[((k * 3 + c) * 5 + i) * 5 + j] = col.data[(k * 3 + c) * 5 + i] * row.data[k * 5 + j];
    }
    const plan = wc.createSpatiallySeparableConv2d(col, row, { padding: 2 });
    for (const shape of [[1, 3, 9, 8], [1, 3, 9, 8], [2, 3, 6, 11], [1, 3, 9, 8]]) {
      const x = randomTensor(r, shape);
      const expected = refConv(x, full, { padding: 2 });
      expectClose(plan.run(x), expected, tolFor(75), JSON.stringify(shape));
      const xt = wc.wasmTensor(x.shape, x.data);
      const yt = wc.wasmTensor(expected.shape);
      expect(plan.run(xt, yt)).toBe(yt);
      expectClose(yt, expected, tolFor(75), `${JSON.stringify(shape)} wasm tensors`);
      xt.dispose();
      yt.dispose();
    }
    expect(() => plan.run({ data: new Float32Array(5), shape: [1, 2, 5] })).toThrow(/createSpatiallySeparableConv2d/);
    plan.dispose();
  });

  it('stay valid while the memory grows, and give their blocks back on dispose', () => {
    const r = rng(52);
    const before = wc.memoryStats().usedBytes;
    const x = randomTensor(r, [1, 4, 8, 8]);
    const xt = wc.wasmTensor(x.shape, x.data);
    expect(wc.memoryStats().usedBytes).toBeGreaterThan(before);
    // Grow the memory with a large tensor, then use the first one.
    const big = wc.wasmTensor([64, 1024, 1024]);
    expect(Array.from(xt.data)).toEqual(Array.from(x.data));
    const w = randomTensor(r, [3, 4, 3, 3]);
    expectClose(wc.conv2d(xt, w), refConv(x, w), tolFor(36), 'after growth');
    big.dispose();
    xt.dispose();
    xt.dispose();
    expect(wc.memoryStats().usedBytes).toBe(before);
  });

  it('refuse misuse with a clear error', async () => {
    const r = rng(53);
    const plan = wc.createConv2d(randomTensor(r, [2, 3, 3, 3]));
    const xt = wc.wasmTensor([1, 3, 5, 5]);
    expect(() => plan.run(xt, wc.wasmTensor([1, 2, 3, 4]))).toThrow(
      /createConv2d\(\.\.\.\)\.run: argument 'output' is a wasm tensor of shape \[1, 2, 3, 4\], the output has shape \[1, 2, 3, 3\]/);
    xt.dispose();
    expect(() => plan.run(xt)).toThrow(/createConv2d\(\.\.\.\)\.run: this wasm tensor was disposed; create a new one/);
    expect(() => xt.data).toThrow(/wasmTensor\(\.\.\.\)\.data: this wasm tensor was disposed/);
    expect(() => wc.wasmTensor([2, -1])).toThrow(/wasmTensor: argument 'shape' must be an array of non-negative integer sizes, got/);
    expect(() => wc.wasmTensor('3' as never)).toThrow(TypeError);
    expect(() => wc.wasmTensor([2, 3], new Float32Array(5))).toThrow(/wasmTensor: argument 'data' must hold 6 elements \(shape \[2, 3\]\), got 5/);
    expect(() => wc.wasmTensor([2 ** 16, 2 ** 15])).toThrow(/more than the 2\^30 float32 values/);
    plan.dispose();
    // After a reset, old tensors are void.
    const old = wc.wasmTensor([1, 3, 5, 5]);
    await readyBackend();
    wc.reset();
    await readyBackend();
    const fresh = wc.createConv2d(randomTensor(r, [2, 3, 3, 3]));
    expect(() => fresh.run(old)).toThrow(/this wasm tensor belongs to a wasmconv instance that was reset/);
    old.dispose();
    fresh.dispose();
  });
});
