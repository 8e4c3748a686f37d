import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { rng, randomTensor } from './helpers.ts';

describe('memory', () => {
  beforeAll(() => wc.ready());

  it('thousands of calls of the same shapes leave the wasm memory size unchanged', () => {
    const r = rng(1);
    const x = randomTensor(r, [1, 8, 16, 16]);
    const w = randomTensor(r, [8, 8, 3, 3]);
    const plan = wc.createConv2d(w, { padding: 1 });
    wc.conv2d(x, w, { padding: 1, layout: 'NCHW' });
    plan.run(x);
    const before = wc.memoryStats();
    for (let i = 0; i < 3000; i++) {
      plan.run(x);
      wc.conv2d(x, w, { padding: 1 });
    }
    const after = wc.memoryStats();
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(after.usedBytes).toBe(before.usedBytes);
    plan.dispose();
  });

  it('create / run / dispose of varying shapes returns every block', () => {
    const r = rng(2);
    const base = wc.memoryStats().usedBytes;
    for (let i = 0; i < 300; i++) {
      const c = 1 + (i % 7), k = 1 + (i % 3);
      const plan = wc.createConv2d(randomTensor(r, [c + 1, c, k, k]), { layout: i % 2 ? 'NHWC' : 'NCHW' });
      plan.run(randomTensor(r, i % 2 ? [1, 5 + (i % 5), 6, c] : [1, c, 5 + (i % 5), 6]));
      plan.dispose();
    }
    expect(wc.memoryStats().usedBytes).toBe(base);
  });

  it('memory grows for a large call and later calls keep working (views are re-created)', () => {
    const r = rng(3);
    const small = randomTensor(r, [1, 2, 4, 4]);
    const w = randomTensor(r, [2, 2, 1, 1]);
    const plan = wc.createConv2d(w);
    const expected = plan.run(small);
    const big = randomTensor(r, [1, 2, 1024, 1024]);
    const grown = wc.memoryStats().memoryBytes;
    plan.run(big);
    expect(wc.memoryStats().memoryBytes).toBeGreaterThan(grown);
    expect(plan.run(small).data).toEqual(expected.data);
    plan.dispose();
  });
});
