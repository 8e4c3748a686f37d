/**
 * Worker threads that die or hang: no call waits forever. A synchronous run whose worker is gone
 * (before, during or after the run) finishes the work on the calling thread, recomputing the item
 * the worker held; an asynchronous run rejects with a clear error; the pool replaces the worker
 * and later calls use it. terminate() and reset() racing runs end them cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { runtime } from '../src/runtime.ts';
import { expectClose, randomTensor, rng } from './helpers.ts';

const r = rng(16_3);
const w = randomTensor(r, [32, 32, 3, 3]);
const x = randomTensor(r, [1, 32, 64, 64]);
/** The single-threaded result (75 MFLOP: threaded runs split it). */
let expected: wc.Tensor;
const TOL = { atol: 1e-5, rtol: 1e-5 };

const pool = () => runtime('test').pool!;
/** Resolves once the pool has replaced its dead workers (bounded). */
async function recovered(): Promise<void> {
  const start = Date.now();
  while (pool().isBusy) {
    if (Date.now() - start > 10_000) throw new Error('the pool did not replace its worker within 10 s');
    await new Promise((done) => setTimeout(done, 10));
  }
}
/** Resolves once `condition` holds (polled every ms), failing after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 10_000) throw new Error(`${what} did not happen within 10 s`);
    await new Promise((done) => setTimeout(done, 1));
  }
}
/**
 * Terminates worker `index` and resolves once the pool has noticed (it creates a replacement):
 * an asynchronous run dispatched before that goes to the dead worker and fails by design.
 */
async function killNoticed(index: number): Promise<void> {
  let created = false;
  const onWorker = () => { created = true; };
  process.on('worker', onWorker);
  try {
    pool().killWorker(index);
    await until(() => created, `the replacement of worker ${index}`);
  } finally {
    process.off('worker', onWorker);
  }
}
/** Runs `f`, failing if it takes longer than `ms`. */
async function within<T>(ms: number, f: () => T | Promise<T>): Promise<T> {
  const start = Date.now();
  const out = await f();
  expect(Date.now() - start, 'elapsed ms').toBeLessThan(ms);
  return out;
}

describe('worker threads that die', () => {
  let plan: wc.ConvPlan;
  /** Same shapes, other weights: its run leaves other values in the blocks the next run reuses. */
  let other: wc.ConvPlan;
  beforeAll(async () => {
    await wc.ready({ threads: 1 });
    const single = wc.createConv2d(w, { padding: 1 });
    expected = single.run(x);
    single.dispose();
    await wc.ready({ threads: 2 });
    plan = wc.createConv2d(w, { padding: 1 });
    other = wc.createConv2d(randomTensor(r, [32, 32, 3, 3]), { padding: 1 });
    expectClose(plan.run(x), expected, TOL, 'threaded');
  });
  afterAll(() => wc.ready({ threads: 1 }));

  it('a worker killed just before a synchronous run: the run finishes on the calling thread', async () => {
    pool().killWorker(0);
    const y = await within(6000, () => plan.run(x));
    expectClose(y, expected, TOL, 'killed before');
    await recovered();
    expectClose(plan.run(x), expected, TOL, 'after the replacement');
  });

  it('a worker that hangs during a synchronous run: its claimed item is recomputed, the worker replaced', async () => {
    other.run(x);
    pool().killWorker(0, 2);
    const y = await within(6000, () => plan.run(x));
    expectClose(y, expected, TOL, 'hung during');
    await recovered();
    expectClose(plan.run(x), expected, TOL, 'after the replacement');
  });

  it('a worker killed after a synchronous run: the next synchronous and asynchronous runs are right', async () => {
    expectClose(plan.run(x), expected, TOL, 'before the kill');
    await killNoticed(1);
    expectClose(await within(6000, () => plan.run(x)), expected, TOL, 'sync after');
    expectClose(await within(6000, () => plan.runAsync(x)), expected, TOL, 'async after');
    await recovered();
  });

  it('asynchronous runs queued behind a synchronous run that lost its worker', async () => {
    pool().killWorker(0);
    const y = plan.run(x);
    const queued = [plan.runAsync(x), plan.runAsync(x), wc.conv2dAsync(x, w, { padding: 1 })];
    expectClose(y, expected, TOL, 'sync');
    for (const [i, result] of (await within(10_000, () => Promise.allSettled(queued))).entries()) {
      // Runs queued before the replacement wait for it (or, dispatched to the dead worker, fail clearly).
      if (result.status === 'fulfilled') expectClose(result.value, expected, TOL, `queued ${i}`);
      else expect(String(result.reason)).toMatch(/worker thread \d died/);
    }
    await recovered();
    expectClose(await plan.runAsync(x), expected, TOL, 'async after recovery');
  });

  it('a worker that hangs during an asynchronous run: the run rejects clearly, the next ones work', async () => {
    await recovered();
    pool().killWorker(1, 1);
    const hung = plan.runAsync(x);
    const next = plan.runAsync(x);
    await expect(within(8000, () => hung)).rejects.toThrow(/worker thread 1 died during the call; it has been replaced/);
    expectClose(await within(8000, () => next), expected, TOL, 'queued behind the hung run');
    await recovered();
    expectClose(plan.run(x), expected, TOL, 'sync after');
  });

  it('a replacement killed while it starts: the pool starts another, queued runs settle', async () => {
    await recovered();
    const replacements: Array<{ terminate(): unknown }> = [];
    const onWorker = (w: { terminate(): unknown }) => {
      replacements.push(w);
      if (replacements.length === 1) w.terminate();
    };
    process.on('worker', onWorker);
    try {
      pool().killWorker(0);
      await until(() => replacements.length > 0, 'the replacement of worker 0');
      const queued = plan.runAsync(x);
      expectClose(await within(8000, () => queued), expected, TOL, 'queued behind the failed start');
      await recovered();
      expect(replacements.length).toBeGreaterThanOrEqual(2);
      expectClose(plan.run(x), expected, TOL, 'sync after');
    } finally {
      process.off('worker', onWorker);
    }
  });

  it('a run dispatched while a worker\'s replacement fails to start: it settles, the pool recovers', async () => {
    // The run waits for worker 1's replacement; meanwhile worker 0 dies and its replacements are
    // ended while they start, until worker 1's replacement is ready. The run must wait for worker 0's
    // replacement too, or, given to its slot, fail when a start attempt clears the slot: never be
    // dropped unsettled (it, and every run queued behind it, would wait forever).
    await recovered();
    let replacing1: { once(event: string, fn: () => void): void } | null = null;
    let dispatched = false;
    let endedStarts = 0;
    const onWorker = (w: { terminate(): unknown; once(event: string, fn: () => void): void }) => {
      if (!replacing1) {
        replacing1 = w;
        // Its first message is 'ready': the run's dispatch follows in the same turn of the event loop.
        w.once('message', () => setImmediate(() => { dispatched = true; }));
      } else if (!dispatched && endedStarts < 3) {
        endedStarts++;
        w.terminate();
      }
    };
    process.on('worker', onWorker);
    try {
      pool().killWorker(1);
      await until(() => replacing1 !== null, 'the replacement of worker 1');
      const queued = plan.runAsync(x);
      pool().killWorker(0);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        queued.then((y) => y, (e: unknown) => e),
        new Promise((done) => { timer = setTimeout(() => done(new Error('the run did not settle within 8 s')), 8000); }),
      ]).finally(() => clearTimeout(timer));
      if (result instanceof Error) expect(String(result)).toMatch(/worker thread 0 died during the call/);
      else expectClose(result as wc.Tensor, expected, TOL, 'dispatched during the restart');
      expect(dispatched).toBe(true);
      await recovered();
      expectClose(await within(8000, () => plan.runAsync(x)), expected, TOL, 'async after recovery');
      expectClose(plan.run(x), expected, TOL, 'sync after recovery');
    } finally {
      process.off('worker', onWorker);
    }
  });

  it('terminate() racing runs: pending asynchronous runs reject, later runs use one thread', async () => {
    const a = plan.runAsync(x);
    const b = plan.runAsync(x);
    wc.terminate();
    for (const result of await within(6000, () => Promise.allSettled([a, b]))) {
      if (result.status === 'fulfilled') expectClose(result.value, expected, TOL, 'finished before terminate');
      else expect(String(result.reason)).toMatch(/thread pool was terminated/);
    }
    expect(wc.threads()).toBe(1);
    expectClose(plan.run(x), expected, TOL, 'after terminate');
    expectClose(await plan.runAsync(x), expected, TOL, 'async after terminate');
    await wc.ready({ threads: 2 });
    plan = wc.createConv2d(w, { padding: 1 });
  });

  it('reset() racing runs: pending runs reject, the next instance computes', async () => {
    const a = plan.runAsync(x);
    wc.reset();
    const settled = await within(6000, () => Promise.allSettled([a]));
    if (settled[0].status === 'rejected') expect(String(settled[0].reason)).toMatch(/terminated/);
    expect(() => plan.run(x)).toThrow(/reset/);
    await wc.ready({ threads: 2 });
    plan = wc.createConv2d(w, { padding: 1 });
    pool().killWorker(0);
    expectClose(await within(6000, () => plan.run(x)), expected, TOL, 'new instance, worker killed');
    await recovered();
    expectClose(await plan.runAsync(x), expected, TOL, 'new instance, async');
  });
});
