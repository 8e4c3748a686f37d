// One benchmark child: hosts one implementation for the whole run and answers the parent's
// requests one at a time over the IPC channel (advanced serialization, so typed arrays travel as
// they are). Usage: forked by run.mjs as `child.mjs <implementation>`.
//
// Requests → replies:
//   init                                        → { version, ... }
//   prepare  { wl, x, w, b }                    → { firstMs, prepareMs, output }   (or n/a)
//   warmup   { minCalls, minMs, capMs, batchMs } → { calls, batch, estimateMs }
//   round                                       → { perCallMs }
//   release                                     → {}
import { performance } from 'node:perf_hooks';
import { IMPLS, NotAvailable } from './lib/impls.mjs';

const name = process.argv[2];
const spec = IMPLS[name];
let impl = null;
let op = null; // the prepared workload: { run, read, dispose, async, batch }

const handlers = {
  async init() {
    impl = await import(new URL(spec.module, import.meta.url).href);
    return (await impl.init(spec.options)) ?? {};
  },

  async prepare({ wl, x, w, b }) {
    release();
    const t0 = performance.now();
    const prepared = await impl.prepare(wl, { x, w, b });
    op = { ...prepared, async: false, batch: 1 };
    const t1 = performance.now();
    let y = prepared.run();
    const isAsync = Boolean(y && typeof y.then === 'function');
    if (isAsync) y = await y;
    const t2 = performance.now();
    op.async = isAsync;
    return { prepareMs: t1 - t0, firstMs: t2 - t1, output: prepared.read(y) };
  },

  // Runs the op until it has made `minCalls` calls and spent `minMs`, stopping early once `capMs`
  // has passed with at least one call; then sizes the timed batch to about `batchMs`.
  async warmup({ minCalls, minMs, capMs, batchMs }) {
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

  async round() {
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
    release();
    return {};
  },
};

function release() {
  if (op) {
    const prev = op;
    op = null;
    prev.dispose();
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
        try { release(); } catch { /* the failed workload's resources only */ }
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
