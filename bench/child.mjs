// One benchmark child: hosts one implementation on one Node binary for the whole run and answers
// the parent's requests one at a time over the IPC channel. Messages are JSON (the parent and the
// child may be different Node versions); the child makes each workload's data itself from the
// seed (lib/workload.mjs makeData, as the parent does for the reference) and sends outputs back
// as base64 float32 bytes. Usage: forked by run.mjs as `child.mjs <implementation>`.
//
// Requests → replies:
//   init                                               → { version, backend, node, v8, ... }
//   prepare  { wl, mode }                              → { firstMs, prepareMs, output }   (or n/a)
//   warmup   { mode, minCalls, minMs, capMs, batchMs } → { calls, batch, estimateMs }
//   round    { mode }                                  → { perCallMs, calls }
//   release                                            → {}   (every mode of the workload)
import { performance } from 'node:perf_hooks';
import { IMPLS, NotAvailable } from './lib/impls.mjs';
import { makeData } from './lib/workload.mjs';

const name = process.argv[2];
const spec = IMPLS[name];
let impl = null;
let data = null; // { id, x, w, b } of the current workload
const ops = new Map(); // mode → { run, read, dispose, async, batch }

const encode = (a) => {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
};

const handlers = {
  async init() {
    impl = await import(new URL(spec.module, import.meta.url).href);
    const info = (await impl.init(spec.options)) ?? {};
    return { ...info, node: process.version, v8: process.versions.v8 };
  },

  async prepare({ wl, mode }) {
    releaseMode(mode);
    if (!data || data.id !== wl.id) data = { id: wl.id, ...makeData(wl) };
    const t0 = performance.now();
    const prepared = await impl.prepare(wl, { x: data.x, w: data.w, b: data.b }, mode);
    const op = { ...prepared, async: false, batch: 1 };
    ops.set(mode, op);
    const t1 = performance.now();
    let y = prepared.run();
    const isAsync = Boolean(y && typeof y.then === 'function');
    if (isAsync) y = await y;
    const t2 = performance.now();
    op.async = isAsync;
    return { prepareMs: t1 - t0, firstMs: t2 - t1, output: encode(prepared.read(y)) };
  },

  // Runs the op until it has made `minCalls` calls and spent `minMs`, stopping early once `capMs`
  // has passed with at least one call; then sizes the timed batch to about `batchMs`.
  async warmup({ mode, minCalls, minMs, capMs, batchMs }) {
    const op = ops.get(mode);
    const times = [];
    const start = performance.now();
    for (;;) {
      const elapsed = performance.now() - start;
      if (times.length >= minCalls && elapsed >= minMs) break;
      if (times.length >= 1 && elapsed >= capMs) break;
      const t0 = performance.now();
      if (op.async) await op.run();
      else op.run();
      times.push(performance.now() - t0);
    }
    const recent = times.slice(-3).sort((a, b) => a - b);
    const estimateMs = recent.length ? recent[recent.length >> 1] : Infinity;
    op.batch = Number.isFinite(estimateMs) && estimateMs > 0 ? Math.max(1, Math.round(batchMs / estimateMs)) : 1;
    return { calls: times.length, batch: op.batch, estimateMs };
  },

  async round({ mode }) {
    const op = ops.get(mode);
    const n = op.batch;
    let t0;
    let t1;
    if (op.async) {
      t0 = performance.now();
      for (let i = 0; i < n; i++) await op.run();
      t1 = performance.now();
    } else {
      t0 = performance.now();
      for (let i = 0; i < n; i++) op.run();
      t1 = performance.now();
    }
    return { perCallMs: (t1 - t0) / n, calls: n };
  },

  async release() {
    for (const mode of [...ops.keys()]) releaseMode(mode);
    data = null;
    return {};
  },
};

function releaseMode(mode) {
  const op = ops.get(mode);
  if (op) {
    ops.delete(mode);
    op.dispose();
  }
}

let queue = Promise.resolve();
process.on('message', (msg) => {
  queue = queue.then(async () => {
    const handler = handlers[msg.type];
    try {
      if (!handler) throw new Error(`unknown request '${msg.type}'`);
      const result = await handler(msg);
      process.send({ seq: msg.seq, ok: true, ...result });
    } catch (err) {
      const na = err instanceof NotAvailable;
      if (msg.type === 'prepare') {
        try { releaseMode(msg.mode); } catch { /* the failed workload's resources only */ }
      }
      process.send({
        seq: msg.seq,
        ok: false,
        na,
        message: (err && err.message) || String(err),
        stack: na ? undefined : err && err.stack,
      });
    }
  });
});

process.on('disconnect', () => process.exit(0));
if (!spec) {
  process.send({ seq: 0, ok: false, message: `unknown implementation '${name}'` });
  process.exit(1);
}
