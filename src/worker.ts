/**
 * The worker threads' protocol: the layout of the shared control block, the claim loop that
 * hands out a job's work items (run by the main thread and the workers alike), and the workers'
 * program. The pool (pool.ts) sends `workerMain` and `claimItems` as source to every worker, with
 * `PROTOCOL` in its start message: both functions use nothing from outside their parameters.
 */

/**
 * The control block's layout (Int32 slots), the one definition the main thread and the workers
 * share (the workers get it in their start message). Per worker `slots` slots: job sequence,
 * kernel, descriptor, done sequence, status, reply; `active`: 1 + the item it claims last (0:
 * none yet in this job); `beat`: counts wake-ups and items done (a worker whose count stands still
 * past a bound is taken for dead); `halt`: tests make the worker stop answering in its next job
 * (see `Pool.killWorker`). After the workers' slots: the job's `next` unclaimed work item and its `total`.
 */
export const PROTOCOL = {
  slots: 9, seq: 0, kernel: 1, descriptor: 2, done: 3, status: 4, reply: 5, active: 6, beat: 7, halt: 8, next: 0, total: 1,
} as const;
export type Protocol = typeof PROTOCOL;
/**
 * The claim loop of a part, on the main thread and in the workers alike: takes the job's work
 * items one at a time from the shared counter (`control[job + next]`, up to `control[job + total]`),
 * writes each into `range` (the part's descriptor slots WorkBegin, WorkEnd) and computes it with
 * `run`. A worker (`base`: its first slot; -1 on the main thread) records the item before it
 * claims it, so a thread that dies leaves behind which item it may have held, calls `claimed`
 * once it holds it, and beats after each. Self-contained: the workers receive its source.
 */
export function claimItems(
  control: Int32Array, job: number, p: Protocol, base: number, range: Int32Array, run: (item: number) => void,
  claimed?: () => void,
): void {
  for (;;) {
    const item = Atomics.load(control, job + p.next);
    if (item >= control[job + p.total]) return;
    if (base >= 0) Atomics.store(control, base + p.active, item + 1);
    if (Atomics.compareExchange(control, job + p.next, item, item + 1) !== item) continue;
    claimed?.();
    range[0] = item;
    range[1] = item + 1;
    run(item);
    if (base >= 0) Atomics.add(control, base + p.beat, 1);
  }
}

/** What a worker starts with (sent once). */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  /** Export names of the kernels, by the number jobs give. */
  kernels: string[];
  /** Index in the control block of the job's slots. */
  job: number;
  /** Descriptor slot of a part's first work item (WorkEnd follows it). */
  workBegin: number;
  protocol: Protocol;
}

/** The worker's program: instantiate, then run jobs until the sequence goes negative. Self-contained (its source is sent). */
export function workerMain(init: WorkerInit, post: (message: string | number) => void, claim: typeof claimItems): void {
  const { module, memory, control, index, kernels, job, workBegin, protocol: p } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as Record<string, (d: number) => void>;
  const fns = kernels.map((name) => exports[name]);
  const ctl = new Int32Array(control);
  const base = index * p.slots;
  let seq = 0;
  post('ready');
  for (;;) {
    Atomics.wait(ctl, base + p.seq, seq);
    seq = Atomics.load(ctl, base + p.seq);
    if (seq < 0) return;
    Atomics.add(ctl, base + p.beat, 1);
    // Tests: HALT counts down at the wake-up and at each claim; at 0 the worker stops answering.
    const halt = () => ctl[base + p.halt] > 0 && Atomics.sub(ctl, base + p.halt, 1) === 1 && Atomics.wait(ctl, base + p.halt, 0);
    halt();
    let status = 0;
    try {
      const fn = fns[ctl[base + p.kernel]], d = ctl[base + p.descriptor];
      claim(ctl, job, p, base, new Int32Array(memory.buffer, d + 4 * workBegin, 2), () => fn(d), halt);
      if (ctl[base + p.halt] > 0) {
        Atomics.store(ctl, base + p.halt, 1);
        halt();
      }
    } catch {
      status = 1;
    }
    ctl[base + p.status] = status;
    Atomics.store(ctl, base + p.done, seq);
    Atomics.notify(ctl, base + p.done);
    if (ctl[base + p.reply]) post(seq);
  }
}
