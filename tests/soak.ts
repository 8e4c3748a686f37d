/**
 * The soak: for a bounded time, random concurrent synchronous and asynchronous calls on several
 * plans, instances and backends, with random disposals, worker kills (terminated or hung) and
 * memory growth. Every result is compared with the single-threaded result computed first; every
 * call runs under a timeout; an unhandled rejection, a wrong result, an unexpected error or
 * memory that keeps growing fails it. Seeded: a failure names the seed and the step.
 */
import * as wc from '../src/index.ts';
import { runtime } from '../src/runtime.ts';
import { randomTensor, rng, type Rng } from './helpers.ts';

interface Case {
  name: string;
  x: { data: Float32Array; shape: number[] };
  create(): wc.ConvPlan;
  expected?: wc.Tensor;
}

/** Errors a call may end with because of what the soak did to it (its plan disposed, its worker killed, its instance reset). */
const EXPECTED_ERRORS = /was disposed|died during the call|thread pool was terminated|was reset or switched backend/;
/** Longest a call may take (a synchronous run that loses a worker waits 2 s for it). */
const CALL_TIMEOUT_MS = 30_000;
/**
 * Memory the instance may reach: a bound that catches runaway growth. The soak queues
 * asynchronous calls without backpressure, so its high-water mark follows the queue's depth: 520-550
 * MB on Node 20 and up to 811 MB on Node 26 (faster, so more calls queued) on a quiet 2-core
 * machine. Leaks are caught exactly: after each round `usedBytes` must be back at its baseline.
 */
const MEMORY_CAP = 2 * 2 ** 30;

function cases(r: Rng): Case[] {
  const t = (shape: number[]) => randomTensor(r, shape);
  const w1 = t([24, 16, 3, 3]), w2 = t([16, 16, 3, 3]), w3 = t([32, 1, 3, 3]), w4 = t([16, 8, 4, 4]);
  const w5 = t([12, 16, 9]), dw = t([16, 1, 3, 3]), pw = t([24, 16, 1, 1]), b = t([24]).data;
  return [
    { name: 'winograd 2-D', x: t([1, 16, 64, 64]), create: () => wc.createConv2d(w1, { padding: 1, bias: b, activation: 'relu' }) },
    { name: 'gemm 2-D', x: t([2, 16, 40, 40]), create: () => wc.createConv2d(w2, { padding: [1, 2], stride: [1, 2], algorithm: 'gemm' }) },
    { name: 'winograd dilated NHWC', x: t([1, 48, 48, 16]), create: () => wc.createConv2d(w2, { padding: 2, dilation: 2, layout: 'NHWC' }) },
    { name: 'depthwise', x: t([1, 32, 56, 56]), create: () => wc.createConv2d(w3, { padding: 1, groups: 32, paddingMode: 'reflect' }) },
    { name: 'transposed', x: t([1, 16, 30, 30]), create: () => wc.createConvTranspose2d(w4, { stride: 2, padding: 1 }) },
    { name: 'winograd 1-D', x: t([2, 16, 900]), create: () => wc.createConv1d(w5, { padding: 4 }) },
    { name: 'separable', x: t([1, 16, 48, 48]), create: () => wc.createSeparableConv2d(dw, pw, { padding: 1, bias: b, activation: 'relu6' }) },
  ];
}

function close(a: wc.Tensor, b: wc.Tensor): string | null {
  if (a.shape.join() !== b.shape.join()) return `shape [${a.shape}] instead of [${b.shape}]`;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (!(d <= 1e-4 + 1e-4 * Math.abs(b.data[i]))) return `element ${i} is ${a.data[i]} instead of ${b.data[i]}`;
  }
  return null;
}

function timeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`soak: ${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    }),
  ]);
}

export interface SoakReport {
  steps: number;
  calls: number;
  kills: number;
  expectedErrors: number;
  failures: string[];
}

/** Runs the soak for `seconds` from `seed`; returns what happened (failures empty when all is well). */
export async function soak(seconds: number, seed: number): Promise<SoakReport> {
  const r = rng(seed);
  const report: SoakReport = { steps: 0, calls: 0, kills: 0, expectedErrors: 0, failures: [] };
  const fail = (m: string) => {
    if (report.failures.length < 20) report.failures.push(`seed ${seed}, step ${report.steps}: ${m}`);
  };
  const onUnhandled = (e: unknown) => fail(`unhandled rejection: ${e}`);
  process.on('unhandledRejection', onUnhandled);
  const workers: Array<{ terminate(): unknown }> = [];
  const onWorker = (w: { terminate(): unknown }) => workers.push(w);
  process.on('worker', onWorker);
  try {
    const all = cases(r);
    // The single-threaded results every other result must equal.
    await wc.ready({ backend: 'simd', threads: 1 });
    for (const c of all) {
      const p = c.create();
      c.expected = p.run(c.x);
      p.dispose();
    }
    const configs: Array<{ backend: wc.Backend; threads: number }> = wc.supportedBackends()
      .flatMap((backend) => (backend === 'scalar' ? [1] : [1, 2]).map((threads) => ({ backend, threads })));
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end && report.failures.length === 0) {
      const config = configs[Math.floor(r() * configs.length)];
      await wc.ready(config);
      const baseline = wc.memoryStats().usedBytes;
      const plans = new Map<number, { c: Case; plan: wc.ConvPlan }>();
      const pending: Array<Promise<unknown>> = [];
      const tensors: wc.WasmTensor[] = [];
      const check = (c: Case, y: wc.Tensor, how: string) => {
        const bad = close(y, c.expected!);
        if (bad) fail(`${c.name} ${how} on ${config.backend} x${config.threads}: ${bad}`);
      };
      const settle = (e: unknown, what: string) => {
        if (EXPECTED_ERRORS.test(String(e))) report.expectedErrors++;
        else fail(`${what} on ${config.backend} x${config.threads}: ${e instanceof Error ? e.stack : e}`);
      };
      const roundEnd = Math.min(end, Date.now() + 2000 + r() * 3000);
      while (Date.now() < roundEnd && report.failures.length === 0) {
        report.steps++;
        const action = r();
        const i = Math.floor(r() * all.length);
        if (!plans.has(i) || r() < 0.05) {
          plans.get(i)?.plan.dispose();
          plans.set(i, { c: all[i], plan: all[i].create() });
        }
        const { c, plan } = plans.get(i)!;
        if (action < 0.35) {
          report.calls++;
          pending.push(timeout(plan.runAsync(c.x), `${c.name}.runAsync`).then((y) => check(c, y, 'runAsync'), (e) => settle(e, `${c.name}.runAsync`)));
        } else if (action < 0.65) {
          report.calls++;
          const start = Date.now();
          try {
            const into = r() < 0.3 ? wc.wasmTensor(plan.outputShape(c.x.shape)) : undefined;
            check(c, plan.run(c.x, into), into ? 'run into a wasm tensor' : 'run');
            into?.dispose();
          } catch (e) {
            settle(e, `${c.name}.run`);
          }
          if (Date.now() - start > CALL_TIMEOUT_MS) fail(`${c.name}.run took ${Date.now() - start} ms`);
        } else if (action < 0.72) {
          plan.dispose();
          plans.delete(i);
        } else if (action < 0.8) {
          // Memory growth: a large wasm tensor, kept for a while.
          tensors.push(wc.wasmTensor([Math.floor(1 + r() * 4) * 2 ** 20]));
          if (tensors.length > 3) tensors.shift()!.dispose();
        } else if (action < 0.85 && config.threads > 1) {
          report.kills++;
          const pool = runtime('soak').pool;
          if (r() < 0.5 || !pool) workers[Math.floor(r() * workers.length)]?.terminate();
          else pool.killWorker(Math.floor(r() * pool.size), 1 + Math.floor(r() * 3));
        } else if (action < 0.9) {
          // A one-shot call on the same instance.
          report.calls++;
          pending.push(timeout(wc.conv2dAsync(all[0].x, { data: new Float32Array(16 * 16 * 9).fill(0.01), shape: [16, 16, 3, 3] }), 'conv2dAsync')
            .then((y) => {
              if (!(Math.abs(y.data[0] - 0.01 * cornerSum(all[0].x)) < 1e-4)) fail(`conv2dAsync: output 0 is ${y.data[0]}, expected ${0.01 * cornerSum(all[0].x)}`);
            }, (e) => settle(e, 'conv2dAsync')));
        } else {
          // Let queued calls progress.
          await Promise.race([Promise.all(pending), new Promise((done) => setTimeout(done, r() * 20))]);
        }
        const stats = wc.memoryStats();
        if (stats.memoryBytes > MEMORY_CAP) fail(`memory grew to ${stats.memoryBytes} bytes`);
      }
      await Promise.all(pending);
      for (const { plan } of plans.values()) plan.dispose();
      for (const t of tensors) t.dispose();
      const used = wc.memoryStats().usedBytes;
      if (used !== baseline) fail(`round on ${config.backend} x${config.threads} left ${used - baseline} bytes in use`);
      workers.length = 0;
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('worker', onWorker);
    await wc.ready({ threads: 1 });
  }
  return report;
}

/** Sum of the top-left 3 x 3 window over the channels of image 0 (output 0 of a 3 x 3 kernel of ones, unpadded). */
function cornerSum(x: { data: Float32Array; shape: number[] }): number {
  const [, C, H, W] = x.shape;
  let s = 0;
  for (let c = 0; c < C; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += x.data[(c * H + i) * W + j];
  return s;
}
