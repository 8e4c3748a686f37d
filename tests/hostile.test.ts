/**
 * Hostile shapes: sizes mixing huge, zero, fractional, negative, NaN, infinite and -0 values in
 * every shape every public entry point takes (inputs, weights, biases, wasm tensors, output
 * buffers, signal arrays, outputShape / workspaceBytes arguments). Each call either computes or
 * throws a TypeError / RangeError naming its function; either way the instance is untouched:
 * the memory in use is what it was, and a convolution right after is correct.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const HOSTILE = [2 ** 600, 2 ** 53, 2 ** 53 - 1, 2 ** 32 + 1, 2 ** 31, 2 ** 30 + 1, 0, -0, 0.5, 2.5, -1, -(2 ** 40), NaN, Infinity, -Infinity];
/** A size: mostly small and valid, often hostile. */
const dimArb = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) });
const shapeArb = (rank: number) => fc.array(dimArb, { minLength: rank, maxLength: rank });

/** Data that claims the shape's element count (when finite and modest) without holding it. */
function dataFor(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Number.isSafeInteger(n) && n >= 0 && n <= 4096 ? new Float32Array(n).fill(0.25) : ({ length: n } as unknown as Float32Array);
}
const T = (shape: number[]) => ({ data: dataFor(shape), shape });

const okW = { data: new Float32Array(2 * 2 * 3 * 3).fill(0.5), shape: [2, 2, 3, 3] };
const okW1 = { data: new Float32Array(2 * 2 * 3).fill(0.5), shape: [2, 2, 3] };
const okW3 = { data: new Float32Array(2 * 2 * 8).fill(0.5), shape: [2, 2, 2, 2, 2] };

/** Every entry point, given hostile shapes `a` (an input-like shape) and `b` (a weight-like one). */
const ENTRIES: Array<{ name: string; ranks: [number, number]; call(a: number[], b: number[]): unknown }> = [
  { name: 'conv1d', ranks: [3, 3], call: (a, b) => wc.conv1d(T(a), T(b)) },
  { name: 'conv2d', ranks: [4, 4], call: (a, b) => wc.conv2d(T(a), T(b), { padding: 1 }) },
  { name: 'conv3d', ranks: [5, 5], call: (a, b) => wc.conv3d(T(a), T(b)) },
  { name: 'conv2dAsync', ranks: [4, 4], call: (a, b) => wc.conv2dAsync(T(a), T(b)) },
  { name: 'conv2d input', ranks: [4, 4], call: (a) => wc.conv2d(T(a), okW) },
  { name: 'conv1d input', ranks: [3, 3], call: (a) => wc.conv1d(T(a), okW1) },
  { name: 'conv3d input', ranks: [5, 5], call: (a) => wc.conv3d(T(a), okW3, { layout: 'NDHWC' }) },
  { name: 'conv2d bias', ranks: [1, 1], call: (a) => wc.conv2d(T([1, 2, 4, 4]), okW, { bias: T(a) }) },
  { name: 'convTranspose2d', ranks: [4, 4], call: (a, b) => wc.convTranspose2d(T(a), T(b)) },
  { name: 'convTranspose1d input', ranks: [3, 3], call: (a) => wc.convTranspose1d(T(a), okW1, { stride: 2 }) },
  { name: 'convTranspose3dAsync', ranks: [5, 5], call: (a, b) => wc.convTranspose3dAsync(T(a), T(b)) },
  { name: 'depthwiseConv2d', ranks: [4, 4], call: (a, b) => wc.depthwiseConv2d(T(a), T(b)) },
  { name: 'separableConv2d', ranks: [4, 4], call: (a, b) => wc.separableConv2d(T([1, 2, 5, 5]), T(a), T(b)) },
  { name: 'spatiallySeparableConv2d', ranks: [4, 4], call: (a, b) => wc.spatiallySeparableConv2d(T([1, 2, 5, 5]), T(a), T(b)) },
  { name: 'createConv2d', ranks: [4, 4], call: (_a, b) => wc.createConv2d(T(b)).dispose() },
  { name: 'convolve', ranks: [2, 2], call: (a, b) => wc.convolve(T(a), T(b)) },
  { name: 'correlate', ranks: [3, 1], call: (a, b) => wc.correlate(T(a), T(b), { mode: 'same' }) },
  { name: 'wasmTensor', ranks: [3, 3], call: (a) => wc.wasmTensor(a).dispose() },
  { name: 'wasmTensor with data', ranks: [2, 2], call: (a) => wc.wasmTensor(a, dataFor(a)).dispose() },
  { name: 'plan.run', ranks: [4, 4], call: (a) => withPlan((p) => p.run(T(a))) },
  { name: 'plan.runAsync', ranks: [4, 4], call: (a) => withPlanAsync((p) => p.runAsync(T(a))) },
  { name: 'plan.run output', ranks: [4, 4], call: (a) => withPlan((p) => p.run(T([1, 2, 4, 4]), dataFor(a))) },
  { name: 'plan.run wasm output', ranks: [4, 4], call: (a) => withPlan((p) => {
    const out = wc.wasmTensor(a);
    try {
      return p.run(T([1, 2, 4, 4]), out);
    } finally {
      out.dispose();
    }
  }) },
  { name: 'plan.outputShape', ranks: [4, 4], call: (a) => withPlan((p) => p.outputShape(a)) },
  { name: 'plan.workspaceBytes', ranks: [4, 4], call: (a) => withPlan((p) => p.workspaceBytes(a)) },
  { name: 'separable plan.outputShape', ranks: [4, 4], call: (a) => {
    const p = wc.createSpatiallySeparableConv2d(T([2, 1, 3, 1]), T([2, 1, 1, 3]), { groups: 2 });
    try {
      return p.workspaceBytes(a) + p.outputShape(a).length;
    } finally {
      p.dispose();
    }
  } },
];

function withPlan<R>(f: (p: wc.ConvPlan) => R): R {
  const p = wc.createConv2d(okW, { padding: 1 });
  try {
    return f(p);
  } finally {
    p.dispose();
  }
}
async function withPlanAsync<R>(f: (p: wc.ConvPlan) => Promise<R>): Promise<R> {
  const p = wc.createConv2d(okW, { padding: 1 });
  try {
    return await f(p);
  } finally {
    p.dispose();
  }
}

describe.runIf(backendAvailable())(`hostile shapes (${BACKEND})`, () => {
  const x = randomTensor(rng(16_1), [1, 2, 7, 6]);
  const w = randomTensor(rng(16_2), [3, 2, 3, 3]);
  const expected = refConv(x, w, { padding: 1 });
  /** A plan made before everything: it must go on computing correctly. */
  let plan: wc.ConvPlan;
  beforeAll(async () => {
    await readyBackend();
    plan = wc.createConv2d(w, { padding: 1 });
  });

  it('the reported case: a huge shape with a zero size next to a hole in the free list', () => {
    const a = wc.wasmTensor([1000]), b = wc.wasmTensor([1000]);
    a.dispose();
    const before = wc.memoryStats();
    expect(() => wc.wasmTensor([2 ** 600, 2 ** 600, 0])).toThrow(RangeError);
    expect(() => wc.wasmTensor([2 ** 600, 2 ** 600, 0])).toThrow(/wasmTensor: argument 'shape' .*at most 2\^53 - 1, got .* at dimension 0/);
    expect(wc.memoryStats()).toEqual(before);
    expectClose(wc.conv2d(x, w, { padding: 1 }), expected, tolFor(18));
    b.dispose();
  });

  it('every entry point refuses (or computes) hostile shapes and leaves the instance untouched', async () => {
    let refused = 0, computed = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(ENTRIES.length - 1), fc.nat(), fc.nat(), async (ei, sa, sb) => {
        const e = ENTRIES[ei];
        // Shapes drawn from the seeds so a failure reproduces from its counterexample.
        const [a] = fc.sample(shapeArb(e.ranks[0]), { seed: sa, numRuns: 1 });
        const [b] = fc.sample(shapeArb(e.ranks[1]), { seed: sb, numRuns: 1 });
        const before = wc.memoryStats();
        let error: unknown = null;
        try {
          await e.call(a, b);
          computed++;
        } catch (err) {
          error = err;
          refused++;
        }
        const what = `${e.name}(${JSON.stringify(a)}, ${JSON.stringify(b)})`;
        if (error) {
          expect(error instanceof TypeError || error instanceof RangeError, `${what}: ${error}`).toBe(true);
          // The message starts with the public function (or plan method) that refused.
          const head = /^(\w+)(\(\.\.\.\)\.\w+)?: /.exec((error as Error).message);
          expect(head && head[1] in wc, `${what}: ${(error as Error).message}`).toBe(true);
          expect(wc.memoryStats(), what).toEqual(before);
        } else {
          expect(wc.memoryStats().usedBytes, what).toBe(before.usedBytes);
        }
        const stats = wc.memoryStats();
        expect(Number.isSafeInteger(stats.usedBytes) && Number.isSafeInteger(stats.memoryBytes), what).toBe(true);
        expectClose(plan.run(x), expected, tolFor(18), `after ${what}`);
        expectClose(wc.conv2d(x, w, { padding: 1 }), expected, tolFor(18), `after ${what}`);
      }),
      { numRuns: 400, seed: 16_16 },
    );
    expect(refused).toBeGreaterThan(100);
    expect(computed).toBeGreaterThan(0);
  });

  it('the arena refuses sizes that are not exact non-negative integers and records nothing', async () => {
    const { runtime } = await import('../src/runtime.ts');
    const arena = runtime('test').arena;
    const before = wc.memoryStats();
    for (const bytes of [NaN, Infinity, -Infinity, -16, 0.5, 2 ** 600, 2 ** 53]) {
      expect(() => arena.alloc(bytes, 'a test block'), String(bytes)).toThrow(RangeError);
    }
    expect(wc.memoryStats()).toEqual(before);
  });
});
