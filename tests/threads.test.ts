import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as wc from '../src/index.ts';
import { runtime } from '../src/runtime.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, rng, randomTensor, tolFor } from './helpers.ts';

const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const createConv = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;
const createTransposed = { 1: wc.createConvTranspose1d, 2: wc.createConvTranspose2d, 3: wc.createConvTranspose3d } as const;

/** Cases big enough (> 10 MFLOP) to be split across threads. */
function bigCases() {
  const r = rng(99);
  const out: Array<{ label: string; plan: wc.ConvPlan; x: wc.Tensor; ref: () => wc.Tensor; red: number }> = [];
  const spatial = { 1: [900], 2: [29, 31], 3: [5, 9, 11] } as const;
  for (const rank of [1, 2, 3] as const) {
    for (const cl of [0, 1]) {
      const layout = LAYOUTS[rank][cl];
      const size = [...spatial[rank]];
      const k = size.map(() => 3);
      // 'grouped' runs on the GEMM channels-last (8 x 10 channels per group) and on the direct
      // grouped kernel channels-first; 'fewPerGroup' (4 x 4) on the direct kernel in both layouts.
      for (const kind of ['conv', 'grouped', 'fewPerGroup', 'depthwise', 'transposed'] as const) {
        const cin = kind === 'depthwise' ? 24 : 32;
        const groups = kind === 'grouped' ? 4 : kind === 'fewPerGroup' ? 8 : kind === 'depthwise' ? 24 : 1;
        const cout = kind === 'depthwise' ? 48 : kind === 'fewPerGroup' ? 32 : 40;
        const x = randomTensor(r, cl ? [2, ...size, cin] : [2, cin, ...size]);
        const bias = randomTensor(r, [cout]).data;
        if (kind === 'transposed') {
          const w = randomTensor(r, [cin, cout / groups, ...k]);
          const opts = { stride: 2, padding: 1, outputPadding: 1, bias, layout, activation: 'relu' };
          out.push({ label: `${layout} ${kind}`, plan: createTransposed[rank](w, opts as never), x, ref: () => refConvTranspose(x, w, opts), red: cin * 27 });
        } else {
          const w = randomTensor(r, [cout, cin / groups, ...k]);
          const opts = { padding: 1, groups, bias, layout, activation: 'relu6' };
          out.push({ label: `${layout} ${kind}`, plan: createConv[rank](w, opts as never), x, ref: () => refConv(x, w, opts), red: (cin / groups) * 27 });
        }
      }
    }
  }
  // Winograd on reordered problems: dilated (phase images) and 1-D with 9 taps (signal rows).
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const x = randomTensor(r, layout === 'NCHW' ? [2, 32, 30, 32] : [2, 30, 32, 32]);
    const w = randomTensor(r, [24, 32, 3, 3]);
    const opts = { padding: 2, dilation: 2, bias: randomTensor(r, [24]).data, layout };
    out.push({ label: `${layout} dilated`, plan: wc.createConv2d(w, opts), x, ref: () => refConv(x, w, opts), red: 32 * 9 });
  }
  for (const layout of ['NCW', 'NWC'] as const) {
    const x = randomTensor(r, layout === 'NCW' ? [2, 32, 1000] : [2, 1000, 32]);
    const w = randomTensor(r, [24, 32, 9]);
    const opts = { padding: 4, bias: randomTensor(r, [24]).data, layout };
    out.push({ label: `${layout} 9 taps`, plan: wc.createConv1d(w, opts), x, ref: () => refConv(x, w, opts), red: 32 * 9 });
  }
  return out;
}

describe('threads', () => {
  beforeAll(() => wc.ready({ threads: 2 }));
  afterAll(() => wc.ready({ threads: 1 }));

  it('starts the pool it was asked for', () => {
    expect(wc.threads()).toBe(2);
  });

  it('threaded results (sync and async) equal the reference and each other for every variant', async () => {
    for (const c of bigCases()) {
      const sync = c.plan.run(c.x);
      const async = await c.plan.runAsync(c.x);
      expect(async.data, c.label).toEqual(sync.data);
      expectClose(sync, c.ref(), tolFor(c.red), c.label);
      c.plan.dispose();
    }
    // The float64 references of the big cases take most of this test's time: up to a minute on
    // a loaded 2-core machine.
  }, 180_000);

  it('depthwise: threaded results equal single-threaded ones (both layouts, stride 1 and 2, 3x3 and other kernels)', async () => {
    const r = rng(31);
    // [N, C, m, H, W, kernel, stride, dilation]: each above the threading threshold (10 MFLOP).
    const shapes: Array<[number, number, number, number, number, number, number, number]> = [
      [2, 48, 1, 96, 96, 3, 1, 1], [1, 96, 1, 161, 158, 3, 2, 1], [1, 3, 2, 320, 321, 3, 1, 1],
      [2, 32, 1, 64, 61, 5, 1, 2], [1, 24, 2, 130, 129, 5, 2, 1],
    ];
    const cases = shapes.flatMap(([N, C, m, H, W, k, s, dl]) => ['NCHW', 'NHWC'].map((layout) => {
      const x = randomTensor(r, layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C]);
      const w = randomTensor(r, [C * m, 1, k, k]);
      const opts = { padding: 'same', stride: s, dilation: dl, groups: C, layout, bias: randomTensor(r, [C * m]).data, activation: 'relu6' };
      return { label: `${layout} ${JSON.stringify({ N, C, m, H, W, k, s, dl })}`, x, w, opts, taps: k * k };
    }));
    const results = async (threads: number) => {
      await wc.ready({ threads });
      expect(wc.threads()).toBe(threads);
      return cases.map((c) => {
        const plan = wc.createConv2d(c.w, c.opts as never);
        const y = plan.run(c.x);
        plan.dispose();
        return y;
      });
    };
    const single = await results(1);
    const threaded = await results(2);
    cases.forEach((c, i) => {
      // Element by element (toEqual on arrays this long is slow): bit for bit the same.
      const a = threaded[i].data, b = single[i].data;
      expect(a.length, c.label).toBe(b.length);
      expect(a.findIndex((v, j) => !Object.is(v, b[j])), c.label).toBe(-1);
      expectClose(threaded[i], refConv(c.x, c.w, c.opts as never), tolFor(c.taps), c.label);
    });
  });

  it('many concurrent asynchronous calls give the sequential results', async () => {
    const r = rng(5);
    const w = randomTensor(r, [32, 16, 3, 3]);
    const plan = wc.createConv2d(w, { padding: 1 });
    const inputs = Array.from({ length: 24 }, (_, i) => randomTensor(r, [1, 16, 40 + (i % 5), 48]));
    const expected = inputs.map((x) => plan.run(x));
    const got = await Promise.all(inputs.map((x, i) => (i % 3 ? plan.runAsync(x) : wc.conv2dAsync(x, w, { padding: 1 }))));
    got.forEach((g, i) => expect(g.data).toEqual(expected[i].data));
    plan.dispose();
  });

  it('memory growth while asynchronous calls are queued is safe', async () => {
    const r = rng(6);
    const w = randomTensor(r, [16, 16, 3, 3]);
    const plan = wc.createConv2d(w, { padding: 1 });
    const x = randomTensor(r, [1, 16, 64, 64]);
    const expected = plan.run(x);
    const before = wc.memoryStats().memoryBytes;
    const pending = [plan.runAsync(x), plan.runAsync(x)];
    // A large synchronous call in between forces the shared memory to grow.
    wc.conv2d(randomTensor(r, [1, 4, 1024, 1024]), randomTensor(r, [4, 4, 1, 1]));
    expect(wc.memoryStats().memoryBytes).toBeGreaterThan(before);
    for (const y of await Promise.all(pending)) expect(y.data).toEqual(expected.data);
    plan.dispose();
  });

  it('a timer keeps firing during a long threaded convolution', async () => {
    const r = rng(7);
    const plan = wc.createConv2d(randomTensor(r, [64, 64, 3, 3]), { padding: 1 });
    const x = randomTensor(r, [4, 64, 96, 96]);
    // Blocking the event loop shows as one gap between ticks as long as the run; a loaded
    // machine only spaces the ticks out, so the test looks at the longest gap, not at the count.
    const ticks: number[] = [];
    const start = performance.now();
    const timer = setInterval(() => ticks.push(performance.now()), 5);
    await plan.runAsync(x);
    const end = performance.now();
    clearInterval(timer);
    const elapsed = end - start;
    const gaps = [start, ...ticks, end].slice(1).map((t, i, all) => t - (i === 0 ? start : all[i - 1]));
    expect(elapsed).toBeGreaterThan(30);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps)).toBeLessThan(elapsed / 2);
    plan.dispose();
  });

  it('a worker that dies rejects its call with a clear error and is replaced', async () => {
    const r = rng(8);
    const plan = wc.createConv2d(randomTensor(r, [32, 32, 3, 3]), { padding: 1 });
    const x = randomTensor(r, [2, 32, 64, 64]);
    const expected = plan.run(x);
    const call = plan.runAsync(x);
    runtime('test').pool!.killWorker(0);
    await expect(call).rejects.toThrow(/worker thread 0 died.*replaced/);
    // Later calls wait for the replacement and work.
    expect((await plan.runAsync(x)).data).toEqual(expected.data);
    plan.dispose();
  });

  it('a Node process with a pool exits on its own after terminate()', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `import * as wc from ${JSON.stringify(dist)};
      await wc.ready({ threads: 2 });
      const w = { data: new Float32Array(64 * 64 * 9).fill(0.01), shape: [64, 64, 3, 3] };
      const y = await wc.conv2dAsync({ data: new Float32Array(64 * 64 * 64).fill(1), shape: [1, 64, 64, 64] }, w, { padding: 1 });
      wc.terminate();
      console.log(wc.threads(), y.data[64 * 64 + 65].toFixed(2));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }).toString().trim();
    expect(out).toBe('1 5.76');
  });
});
