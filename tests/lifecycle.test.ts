/**
 * Lifecycle and memory: 100,000 create / run / dispose cycles and 100,000 one-shot calls of
 * varying small shapes keep the wasm memory and the JS heap bounded; every use of a disposed plan
 * throws a clear error; a plan dropped without dispose() is freed by the FinalizationRegistry
 * safety net; reset() gives the memory back (a new instance) and voids older plans. Then, with
 * worker threads: many concurrent asynchronous calls of every kind of plan equal the sequential
 * results, a plan disposed while its calls are queued finishes them, a bad call in the queue
 * fails alone, memory grown by a call in the middle of the queue is safe, and every block is
 * returned at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';

const CYCLES = 100_000;

/** A garbage collection on demand: Node's --expose-gc if given, else the same function made available at run time. */
function collector(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
const gc = collector();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts bitwise equal data (NaN equal to NaN) with a short message: a failing toEqual on a large typed array is slow to print. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let bad = 0, first = -1;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i]) && bad++ === 0) first = i;
  expect(bad, `${label}: ${bad} of ${expected.length} elements differ; first at ${first}: ${actual[first]} instead of ${expected[first]}`).toBe(0);
}

/** Heap in use after a full collection (MiB); without a collector, the heap as it is. */
function heapMiB(): number {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** A tensor of the shape with a cheap deterministic fill. */
function tensor(shape: number[], seed: number): { data: Float32Array; shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7 + seed * 13) % 17) / 17 - 0.5;
  return { data, shape };
}

describe('lifecycle: memory stays bounded, disposed plans fail clearly, dropped plans are freed', () => {
  beforeAll(() => wc.ready({ backend: 'simd' }));

  it(`${CYCLES.toLocaleString('en')} create / run / dispose cycles of varying tiny shapes`, () => {
    // Shapes cycle through a small set, so after the first round every request fits a freed block.
    const shapes = Array.from({ length: 12 }, (_, i) => ({ c: 1 + (i % 3), k: 1 + (i % 2), h: 2 + (i % 4), w: 3 + (i % 3), last: i % 2 === 1 }));
    const inputs = shapes.map((s, i) => tensor(s.last ? [1, s.h, s.w, s.c] : [1, s.c, s.h, s.w], i));
    const weights = shapes.map((s, i) => tensor([s.c + 1, s.c, s.k, s.k], i + 50));
    const round = (i: number) => {
      const s = shapes[i % shapes.length];
      const plan = wc.createConv2d(weights[i % shapes.length], { layout: s.last ? 'NHWC' : 'NCHW', padding: s.k - 1 });
      const y = plan.run(inputs[i % shapes.length]);
      plan.dispose();
      return y;
    };
    for (let i = 0; i < 2 * shapes.length; i++) round(i);
    const mem0 = wc.memoryStats();
    const heap0 = heapMiB();
    const start = performance.now();
    let checksum = 0;
    for (let i = 0; i < CYCLES; i++) checksum += round(i).data[0];
    const seconds = (performance.now() - start) / 1000;
    const heap1 = heapMiB();
    const mem1 = wc.memoryStats();
    console.log(`[lifecycle] ${CYCLES} create/run/dispose cycles in ${seconds.toFixed(1)} s; wasm memory ${mem0.memoryBytes} -> ${mem1.memoryBytes} bytes, in use ${mem0.usedBytes} -> ${mem1.usedBytes}; JS heap ${heap0.toFixed(1)} -> ${heap1.toFixed(1)} MiB${gc ? '' : ' (no collector: loose bound)'}`);
    expect(Number.isFinite(checksum)).toBe(true);
    expect(mem1.memoryBytes, 'the wasm memory did not grow').toBe(mem0.memoryBytes);
    expect(mem1.usedBytes, 'every block went back').toBe(mem0.usedBytes);
    expect(heap1 - heap0, 'JS heap growth (MiB)').toBeLessThan(gc ? 8 : 64);
  }, 120_000);

  it(`${CYCLES.toLocaleString('en')} one-shot calls of every function with varying tiny shapes`, () => {
    const calls: Array<(i: number) => wc.Tensor> = [
      (i) => wc.conv1d(tensor([1, 2, 4 + (i % 5)], i), tensor([3, 2, 1 + (i % 3)], 1), { padding: 1 }),
      (i) => wc.conv2d(tensor([1, 2, 3 + (i % 3), 4], i), tensor([2, 2, 2, 2], 2), { layout: 'NCHW', stride: 1 + (i % 2) }),
      (i) => wc.conv2d(tensor([1, 2, 3 + (i % 2), 4], i), tensor([3, 2, 1, 1], 3)),
      (i) => wc.conv3d(tensor([1, 1, 2, 3, 3 + (i % 2)], i), tensor([2, 1, 1, 2, 2], 4)),
      (i) => wc.convTranspose1d(tensor([1, 2, 3 + (i % 4)], i), tensor([2, 2, 2], 5), { stride: 2 }),
      (i) => wc.convTranspose2d(tensor([1, 2 + (i % 3), 2, 1], i), tensor([1, 2, 3, 3], 6), { padding: 1, layout: 'NHWC' }),
      (i) => wc.depthwiseConv2d(tensor([1, 2, 4, 4 + (i % 3)], i), tensor([4, 1, 3, 3], 7), { padding: 1, depthMultiplier: 2 }),
      (i) => wc.separableConv2d(tensor([1, 2, 3 + (i % 2), 4], i), tensor([2, 1, 3, 3], 8), tensor([3, 2, 1, 1], 9), { padding: 'same' }),
      (i) => wc.spatiallySeparableConv2d(tensor([1, 1, 4, 3 + (i % 3)], i), tensor([2, 1, 2, 1], 10), tensor([2, 1, 1, 2], 11)),
      (i) => wc.convolve(tensor([5 + (i % 4)], i), tensor([3], 12), { mode: 'same' }),
      (i) => wc.correlate(tensor([3, 4 + (i % 2)], i), tensor([2, 2], 13), { mode: 'valid', boundary: 'wrap' }),
    ];
    for (let i = 0; i < 10 * calls.length; i++) calls[i % calls.length](i);
    const mem0 = wc.memoryStats();
    const heap0 = heapMiB();
    const start = performance.now();
    let checksum = 0;
    for (let i = 0; i < CYCLES; i++) checksum += calls[i % calls.length](Math.floor(i / calls.length)).data[0];
    const seconds = (performance.now() - start) / 1000;
    const heap1 = heapMiB();
    const mem1 = wc.memoryStats();
    console.log(`[lifecycle] ${CYCLES} one-shot calls in ${seconds.toFixed(1)} s; wasm memory ${mem0.memoryBytes} -> ${mem1.memoryBytes} bytes, in use ${mem0.usedBytes} -> ${mem1.usedBytes}; JS heap ${heap0.toFixed(1)} -> ${heap1.toFixed(1)} MiB`);
    expect(Number.isFinite(checksum)).toBe(true);
    expect(mem1.memoryBytes).toBe(mem0.memoryBytes);
    expect(mem1.usedBytes).toBe(mem0.usedBytes);
    expect(heap1 - heap0, 'JS heap growth (MiB)').toBeLessThan(gc ? 8 : 64);
  }, 120_000);

  it('every use of a disposed plan throws a clear error; dispose twice is harmless', async () => {
    const x = tensor([1, 2, 5, 5], 1);
    const plans: Array<[string, wc.ConvPlan, wc.TensorLike]> = [
      ['createConv2d', wc.createConv2d(tensor([3, 2, 3, 3], 2)), x],
      ['createConvTranspose2d', wc.createConvTranspose2d(tensor([2, 3, 2, 2], 3), { stride: 2 }), x],
      ['createDepthwiseConv2d', wc.createDepthwiseConv2d(tensor([2, 1, 3, 3], 4)), x],
      ['createSeparableConv2d', wc.createSeparableConv2d(tensor([2, 1, 3, 3], 5), tensor([4, 2, 1, 1], 6)), x],
      ['createSpatiallySeparableConv2d', wc.createSpatiallySeparableConv2d(tensor([3, 2, 3, 1], 7), tensor([3, 1, 1, 3], 8)), x],
      ['createConv1d', wc.createConv1d(tensor([2, 2, 3], 9)), tensor([1, 2, 7], 1)],
      ['createConv3d', wc.createConv3d(tensor([2, 2, 1, 2, 2], 10)), tensor([1, 2, 2, 3, 3], 1)],
    ];
    const used = wc.memoryStats().usedBytes;
    for (const [name, plan, input] of plans) {
      plan.run(input);
      plan.dispose();
      plan.dispose();
      const disposed = new RegExp(`${name.replace(/[()]/g, '\\$&')}.*disposed; create a new one`);
      expect(() => plan.run(input), name).toThrow(disposed);
      await expect(plan.runAsync(input), name).rejects.toThrow(disposed);
      expect(() => plan.outputShape(input.shape), name).toThrow(disposed);
      expect(() => plan.workspaceBytes(input.shape), name).toThrow(disposed);
    }
    expect(wc.memoryStats().usedBytes, 'disposing returned every block').toBeLessThan(used);
  });

  it('a plan dropped without dispose() is freed by the FinalizationRegistry safety net', async () => {
    if (!gc) {
      // No collector in this process: the same check in a child process started with --expose-gc.
      const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
      expect(existsSync(dist), 'dist/index.js (npm run build)').toBe(true);
      const script = `import * as wc from ${JSON.stringify(dist)};
        await wc.ready();
        const base = wc.memoryStats().usedBytes;
        (() => { for (let i = 0; i < 50; i++) wc.createConv2d({ data: new Float32Array(4 * 4 * 9), shape: [4, 4, 3, 3] }); })();
        const held = wc.memoryStats().usedBytes;
        for (let i = 0; i < 100 && wc.memoryStats().usedBytes > base; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
        console.log(held > base, wc.memoryStats().usedBytes === base);`;
      const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { timeout: 30_000 }).toString().trim();
      expect(out).toBe('true true');
      return;
    }
    const base = wc.memoryStats().usedBytes;
    const drop = () => {
      for (let i = 0; i < 50; i++) {
        const plan = wc.createConv2d(tensor([4, 4, 3, 3], i), { bias: new Float32Array(4) });
        plan.run(tensor([1, 4, 6, 6], i));
      }
    };
    drop();
    const held = wc.memoryStats().usedBytes;
    expect(held, 'the dropped plans hold their packed weights until collected').toBeGreaterThan(base);
    for (let i = 0; i < 200 && wc.memoryStats().usedBytes > base; i++) {
      gc();
      await sleep(10);
    }
    expect(wc.memoryStats().usedBytes, 'every dropped plan was freed').toBe(base);
  });

  it('reset() gives the wasm memory back: a new, small instance; older plans fail clearly', async () => {
    const plan = wc.createConv2d(tensor([2, 4, 1, 1], 1));
    const big = tensor([1, 4, 512, 512], 2);
    plan.run(big);
    const grown = wc.memoryStats().memoryBytes;
    expect(grown).toBeGreaterThan(4 * 2 ** 20);
    wc.reset();
    expect(wc.backend()).toBe(null);
    expect(() => wc.memoryStats()).toThrow(/memoryStats: wasmconv is not initialised: call 'await ready\(\)'/);
    expect(() => wc.conv2d(big, tensor([2, 4, 1, 1], 1))).toThrow(/conv2d: wasmconv is not initialised/);
    await wc.ready({ backend: 'simd' });
    const fresh = wc.memoryStats();
    console.log(`[lifecycle] reset(): wasm memory ${grown} bytes before, ${fresh.memoryBytes} bytes in the new instance`);
    expect(fresh.memoryBytes).toBeLessThan(grown / 4);
    expect(fresh.usedBytes).toBe(0);
    expect(() => plan.run(tensor([1, 4, 3, 3], 3))).toThrow(/createConv2d\(\.\.\.\)\.run: this plan belongs to a wasmconv instance that was reset/);
    plan.dispose();
    expect(wc.memoryStats().usedBytes, "disposing a plan of the old instance touches nothing of the new one").toBe(0);
    const x = randomTensor(rng(1), [1, 3, 6, 6]), w = randomTensor(rng(2), [2, 3, 3, 3]);
    expectClose(wc.conv2d(x, w, { padding: 1 }), refConv(x, w, { padding: 1 }), tolFor(27), 'after reset');
  });
});

describe('concurrency: asynchronous calls on worker threads', () => {
  beforeAll(() => wc.ready({ backend: 'simd', threads: 2 }));
  afterAll(() => wc.ready({ threads: 1 }));

  /** Plans of every kind with an input each (some above the 10 MFLOP at which a call is split over the threads). */
  function kinds(seed: number) {
    const r = rng(seed);
    const t = (shape: number[]) => randomTensor(r, shape);
    return [
      { name: 'conv2d gemm', plan: wc.createConv2d(t([24, 8, 3, 3]), { padding: 1, bias: t([24]).data, activation: 'relu' }), x: t([1, 8, 40, 44]) },
      { name: 'conv2d winograd', plan: wc.createConv2d(t([32, 32, 3, 3]), { padding: 1 }), x: t([1, 32, 36, 36]) },
      { name: 'conv2d NHWC big', plan: wc.createConv2d(t([32, 32, 3, 3]), { padding: 1, layout: 'NHWC', stride: 2 }), x: t([2, 64, 64, 32]) },
      { name: 'conv1d', plan: wc.createConv1d(t([6, 4, 5]), { padding: 2, dilation: 2 }), x: t([2, 4, 90]) },
      { name: 'conv3d', plan: wc.createConv3d(t([4, 3, 2, 3, 3]), { padding: 1, layout: 'NDHWC' }), x: t([1, 5, 9, 9, 3]) },
      { name: 'convTranspose2d', plan: wc.createConvTranspose2d(t([8, 6, 4, 4]), { stride: 2, padding: 1 }), x: t([1, 8, 20, 22]) },
      { name: 'convTranspose2d big', plan: wc.createConvTranspose2d(t([32, 16, 3, 3]), { stride: 2, padding: 1, outputPadding: 1, layout: 'NHWC' }), x: t([1, 40, 40, 32]) },
      { name: 'depthwise', plan: wc.createDepthwiseConv2d(t([16, 1, 3, 3]), { padding: 1, depthMultiplier: 2 }), x: t([1, 8, 33, 35]) },
      { name: 'separable', plan: wc.createSeparableConv2d(t([8, 1, 3, 3]), t([12, 8, 1, 1]), { padding: 1, layout: 'NHWC' }), x: t([1, 30, 31, 8]) },
      { name: 'spatially separable', plan: wc.createSpatiallySeparableConv2d(t([6, 2, 5, 1]), t([6, 1, 1, 5]), { padding: 'same', groups: 2 }), x: t([1, 4, 30, 30]) },
    ];
  }

  it('starts two threads', () => {
    expect(wc.threads()).toBe(2);
  });

  it('many concurrent runAsync calls of every kind of plan, mixed with synchronous runs, equal the sequential results', async () => {
    const ks = kinds(1);
    const used = wc.memoryStats().usedBytes;
    const expected = ks.map((k) => k.plan.run(k.x));
    const calls: Array<Promise<wc.Tensor>> = [];
    const order: number[] = [];
    for (let round = 0; round < 4; round++) {
      ks.forEach((k, i) => {
        calls.push(k.plan.runAsync(k.x));
        order.push(i);
        // A synchronous run while asynchronous ones are queued runs on this thread.
        if ((i + round) % 4 === 0) expectSame(k.plan.run(k.x).data, expected[i].data, `${k.name} sync`);
      });
    }
    const got = await Promise.all(calls);
    got.forEach((g, j) => expectSame(g.data, expected[order[j]].data, `${ks[order[j]].name} call ${j}`));
    ks.forEach((k) => k.plan.dispose());
    expect(wc.memoryStats().usedBytes, 'every block went back').toBeLessThan(used + 1);
  });

  it('a plan disposed while its call is queued finishes it, then frees its weights', async () => {
    const ks = kinds(2);
    const base = wc.memoryStats().usedBytes;
    const expected = ks.map((k) => k.plan.run(k.x));
    const calls = ks.map((k) => k.plan.runAsync(k.x).then((y) => y, (e: Error) => e));
    ks.forEach((k) => k.plan.dispose());
    ks.forEach((k) => expect(() => k.plan.run(k.x)).toThrow(/disposed/));
    const got = await Promise.all(calls);
    const failed = got.flatMap((g, j) => (g instanceof Error ? [`${ks[j].name}: ${g.message}`] : []));
    expect(failed, 'calls queued before dispose() complete').toEqual([]);
    got.forEach((g, j) => expectSame((g as wc.Tensor).data, expected[j].data, ks[j].name));
    expect(wc.memoryStats().usedBytes).toBeLessThan(base);
  });

  it('a bad call in the queue fails alone; the calls around it complete', async () => {
    const ks = kinds(3);
    const expected = ks.map((k) => k.plan.run(k.x));
    const calls: Array<Promise<unknown>> = [];
    ks.forEach((k, i) => {
      calls.push(k.plan.runAsync(k.x));
      calls.push(k.plan.runAsync({ data: new Float32Array(3), shape: [3] } as never).then(() => 'no error', (e: Error) => e));
      if (i % 3 === 0) calls.push(wc.conv2dAsync(k.x, { data: new Float32Array(1), shape: [1] } as never).then(() => 'no error', (e: Error) => e));
    });
    const settled = await Promise.all(calls);
    let j = 0;
    ks.forEach((k, i) => {
      expectSame((settled[j++] as wc.Tensor).data, expected[i].data, k.name);
      const bad = settled[j++];
      expect(bad, `${k.name}: bad input`).toBeInstanceOf(RangeError);
      if (i % 3 === 0) expect(settled[j++], 'conv2dAsync with a bad weight').toBeInstanceOf(RangeError);
    });
    ks.forEach((k) => k.plan.dispose());
  });

  it('memory growth in the middle of queued calls of every kind is safe', async () => {
    // Two sets of the same plans, one call each: the calls share no plan.
    const ks = kinds(4), again = kinds(4);
    const expected = ks.map((k) => k.plan.run(k.x));
    const before = wc.memoryStats().memoryBytes;
    const first = ks.map((k) => k.plan.runAsync(k.x));
    // A large asynchronous call queued in between, then a large synchronous one: both grow the shared memory.
    const r = rng(9);
    const bigX = randomTensor(r, [1, 4, 700, 700]), bigW = randomTensor(r, [4, 4, 1, 1]);
    const big = wc.conv2dAsync(bigX, bigW);
    const second = again.map((k) => k.plan.runAsync(k.x));
    wc.conv2d(randomTensor(r, [1, 4, 900, 900]), bigW);
    expect(wc.memoryStats().memoryBytes).toBeGreaterThan(before);
    const results = await Promise.all([...first, ...second]);
    results.forEach((g, j) => expectSame(g.data, expected[j % ks.length].data, ks[j % ks.length].name));
    const b = await big;
    expect(b.shape).toEqual([1, 4, 700, 700]);
    expect(b.data[12345]).toBeCloseTo(refAt(bigX, bigW, 12345), 4);
    [...ks, ...again].forEach((k) => k.plan.dispose());
  });

  it('the asynchronous functions of every family equal their synchronous forms', async () => {
    const r = rng(5);
    const x1 = randomTensor(r, [2, 4, 50]), w1 = randomTensor(r, [6, 4, 3]), t1 = randomTensor(r, [4, 3, 4]);
    const x2 = randomTensor(r, [1, 8, 30, 30]), w2 = randomTensor(r, [8, 4, 3, 3]), t2 = randomTensor(r, [8, 2, 3, 3]);
    const x3 = randomTensor(r, [1, 3, 6, 7, 7]), w3 = randomTensor(r, [4, 3, 3, 3, 3]), t3 = randomTensor(r, [3, 2, 2, 2, 2]);
    const pairs: Array<[Promise<wc.Tensor>, () => wc.Tensor, string]> = [
      [wc.conv1dAsync(x1, w1, { padding: 1 }), () => wc.conv1d(x1, w1, { padding: 1 }), 'conv1d'],
      [wc.conv2dAsync(x2, w2, { padding: 1, groups: 2 }), () => wc.conv2d(x2, w2, { padding: 1, groups: 2 }), 'conv2d'],
      [wc.conv3dAsync(x3, w3, { padding: 1 }), () => wc.conv3d(x3, w3, { padding: 1 }), 'conv3d'],
      [wc.convTranspose1dAsync(x1, t1, { stride: 2 }), () => wc.convTranspose1d(x1, t1, { stride: 2 }), 'convTranspose1d'],
      [wc.convTranspose2dAsync(x2, t2, { stride: 2, groups: 2 }), () => wc.convTranspose2d(x2, t2, { stride: 2, groups: 2 }), 'convTranspose2d'],
      [wc.convTranspose3dAsync(x3, t3, { stride: 2 }), () => wc.convTranspose3d(x3, t3, { stride: 2 }), 'convTranspose3d'],
    ];
    const results = await Promise.all(pairs.map(([a]) => a));
    results.forEach((y, i) => expectSame(y.data, pairs[i][1]().data, pairs[i][2]));
  });
});

/** One output element of a 1x1 convolution (no bias), by direct summation. */
function refAt(x: wc.Tensor, w: wc.Tensor, flat: number): number {
  const [, C, H, W] = x.shape;
  const K = w.shape[0];
  const plane = H * W;
  const k = Math.floor(flat / plane) % K, p = flat % plane;
  let s = 0;
  for (let c = 0; c < C; c++) s += x.data[c * plane + p] * w.data[k * C + c];
  return s;
}
