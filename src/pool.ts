/**
 * The worker pool: threads that run kernels on the instance's shared memory.
 *
 * Every worker instantiates the same compiled module on the one shared `WebAssembly.Memory`.
 * The main thread owns allocation; a job is a kernel, its count of work items and one descriptor
 * per part (each with its own workspace). The parts take items one at a time from a shared
 * counter (writing the item's range into their descriptor), so a thread that runs faster (its
 * cache is warmer, or it shares its core with less) does more of them. Workers sleep in
 * `Atomics.wait` on a control block (its layout and the workers' program: worker.ts) and are
 * woken by `Atomics.notify`. Synchronous runs (Node only: browsers forbid blocking the main
 * thread) compute part 0 on the main thread and wait for the rest; asynchronous runs give every
 * part to a worker and resolve on the workers' messages, so the caller's event loop stays free.
 * Asynchronous jobs run one after another in the order they were submitted.
 *
 * No wait is unbounded: a worker that dies (or hangs) is noticed by its silence (see SILENCE_MS),
 * ended and replaced. A synchronous run then computes the dead worker's claimed item and every
 * unclaimed one on the calling thread; an asynchronous job fails with an error that says so.
 */
import { PROTOCOL, claimItems, workerMain, type WorkerInit } from './worker.ts';

const {
  slots: SLOTS, seq: SEQ, kernel: KERNEL, descriptor: DESCRIPTOR, done: DONE, status: STATUS, reply: REPLY,
  active: ACTIVE, beat: BEAT, halt: HALT, next: NEXT, total: TOTAL,
} = PROTOCOL;
/**
 * A worker whose BEAT stays still this long during a job (or 20 times the longest item the
 * calling thread computed, if more) is taken for dead: ended, replaced, its claimed item
 * recomputed. A work item takes milliseconds to tens of milliseconds, a wake-up less than one.
 */
const SILENCE_MS = 2000;
/** How often a waiting main thread (or an asynchronous job's timer) checks the workers' beats, in ms. */
const CHECK_MS = 20;

interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
  on?(event: string, fn: (arg: unknown) => void): void;
  addEventListener?(event: string, fn: (arg: unknown) => void): void;
  unref?(): void;
  ref?(): void;
}

type WorkerFactory = (index: number, onMessage: (m: unknown) => void, onFailure: (e: unknown) => void) => Promise<WorkerHandle>;

/** A part given to a worker: settles with its status (0 done, 1 trapped, DIED, TERMINATED). */
interface Part {
  seq: number;
  settle(status: number): void;
}
const DIED = -1;
const TERMINATED = -2;

export class Pool {
  readonly size: number;
  /** Whether the main thread may block on workers (true in Node). */
  readonly canBlock: boolean;
  private readonly control: Int32Array;
  /** Index in `control` of the job slots (NEXT, TOTAL), after the workers' slots. */
  private readonly job: number;
  private readonly memory: WebAssembly.Memory;
  /** Descriptor slot of a part's first work item. */
  private readonly workBegin: number;
  private readonly workers: WorkerHandle[] = [];
  private readonly sequence: number[] = [];
  private readonly parts: Array<Part | null> = [];
  /** Per worker, settles when its last asynchronous part has finished. */
  private idle: Array<Promise<unknown>> = [];
  private readonly create: WorkerFactory;
  /** Per worker, settles when it is running (a replaced worker starts again). */
  private readonly started: Array<Promise<void>> = [];
  private starting = 0;
  /** Per worker: ends it as dead and starts its replacement (settling its part as DIED). */
  private readonly retire: Array<() => void> = [];
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private closed = false;

  private constructor(size: number, canBlock: boolean, create: WorkerFactory, memory: WebAssembly.Memory, workBegin: number) {
    this.size = size;
    this.canBlock = canBlock;
    this.memory = memory;
    this.workBegin = workBegin;
    this.control = new Int32Array(new SharedArrayBuffer((size * SLOTS + 2) * 4));
    this.job = size * SLOTS;
    this.create = create;
  }

  /**
   * Starts `size` workers on `module` and `memory`; `kernels` names the exports jobs may call,
   * `workBegin` is the descriptor slot of a part's first work item (WorkEnd follows it).
   */
  static async start(
    size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: readonly string[], workBegin: number,
  ): Promise<Pool> {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    let pool: Pool;
    const init = (index: number): WorkerInit => ({
      module, memory, control: pool.control.buffer as SharedArrayBuffer, index, kernels: [...kernels], job: pool.job, workBegin,
      protocol: PROTOCOL,
    });
    // The worker's program with the claim loop it shares with the main thread, as one function of (init, post).
    const source = `((init, post) => (${workerMain.toString()})(init, post, ${claimItems.toString()}))`;
    let factory: WorkerFactory;
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      factory = async (index, onMessage, onFailure) => {
        const w = new Worker(
          // A dynamic import works whether Node evaluates this as CommonJS or as a module.
          `import('node:worker_threads').then(({ workerData, parentPort }) => ${source}(workerData, (m) => parentPort.postMessage(m)));`,
          { eval: true, workerData: init(index) },
        );
        await new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
          // A worker ended while starting (terminated by someone else) never sends its message.
          w.once('exit', (code) => reject(new Error(`worker exited with code ${code} while starting`)));
        });
        w.on('message', onMessage);
        w.on('error', onFailure);
        w.on('exit', (code) => onFailure(new Error(`worker exited with code ${code}`)));
        w.unref();
        return w as unknown as WorkerHandle;
      };
    } else {
      const url = URL.createObjectURL(new Blob([`onmessage = (e) => ${source}(e.data, (m) => postMessage(m));`], { type: 'text/javascript' }));
      factory = async (index, onMessage, onFailure) => {
        const w = new Worker(url);
        await new Promise<void>((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => reject(e);
          w.postMessage(init(index));
        });
        w.onmessage = (e) => onMessage(e.data);
        w.onerror = (e) => onFailure(e);
        return w as unknown as WorkerHandle;
      };
    }
    pool = new Pool(size, isNode, factory, memory, workBegin);
    await Promise.all(Array.from({ length: size }, (_, i) => pool.spawn(i)));
    return pool;
  }

  /** Starts worker `index`; a replacement (`retries` > 0) that dies while starting is started again. */
  private spawn(index: number, retries = 0): Promise<void> {
    this.starting++;
    const attempt = async (): Promise<void> => {
      for (let n = 0; ; n++) {
        try {
          return await this.start(index);
        } catch (e) {
          // A part dispatched to this slot while the worker was starting has no worker now.
          this.abandon(index, DIED);
          if (this.closed || n >= retries) throw e;
          await new Promise((done) => setTimeout(done, 50 * (n + 1)));
        }
      }
    };
    const started = attempt().finally(() => this.starting--);
    this.started[index] = started.catch(() => {});
    return started;
  }

  private async start(index: number): Promise<void> {
    const base = index * SLOTS;
    // The slots are cleared, so a part still held here would never be run: it fails, never dropped.
    this.abandon(index, DIED);
    this.control.fill(0, base, base + SLOTS);
    this.sequence[index] = 0;
    let alive = true;
    let handle: WorkerHandle | null = null;
    const fail = () => {
      if (!alive || this.closed) return;
      alive = false;
      handle?.terminate();
      this.abandon(index, DIED);
      void this.spawn(index, 4).catch(() => {});
    };
    const worker = await this.create(
      index,
      (seq) => {
        const part = this.parts[index];
        if (!part || part.seq !== seq) return;
        this.parts[index] = null;
        part.settle(this.control[base + STATUS]);
      },
      fail,
    );
    if (this.closed) {
      worker.terminate();
      return;
    }
    handle = worker;
    this.workers[index] = worker;
    this.retire[index] = fail;
  }

  /** Whether the pool is computing an asynchronous job or replacing a worker now. */
  get isBusy(): boolean {
    return this.busy || this.starting > 0;
  }

  /**
   * Runs the `items` work items of `kernel` synchronously: part 0 on the calling thread via
   * `runHere` (the kernel's export here; its descriptor's range set per item), the others on
   * workers 0 .. parts-2. Only when `canBlock` and the pool is idle.
   */
  runSync(kernel: number, descriptors: number[], items: number, runHere: (descriptor: number) => void): void {
    const helpers = Array.from({ length: descriptors.length - 1 }, (_, i) => i);
    this.startJob(items);
    for (const i of helpers) this.dispatch(i, kernel, descriptors[i + 1], false);
    const d = descriptors[0];
    const range = new Int32Array(this.memory.buffer, d + 4 * this.workBegin, 2);
    // The longest item here scales the silence bound: on a loaded machine every item takes longer.
    let longest = 0;
    const compute = () => {
      const start = Date.now();
      runHere(d);
      longest = Math.max(longest, Date.now() - start);
    };
    let lost = new Map<number, number>();
    try {
      claimItems(this.control, this.job, PROTOCOL, -1, range, compute);
    } finally {
      // Even when a kernel trapped here: the workers still use the job's memory until they finish.
      lost = this.awaitWorkers(helpers, Math.max(SILENCE_MS, 20 * longest));
    }
    // A worker taken for dead may have claimed one item and not finished it: computed here again
    // (an item writes its whole share of the output, so a second computation changes nothing).
    for (const active of lost.values()) {
      if (active === 0) continue;
      range[0] = active - 1;
      range[1] = active;
      compute();
    }
    if (helpers.some((i) => !lost.has(i) && this.control[i * SLOTS + STATUS] !== 0)) {
      throw new Error('wasmconv: a kernel trapped in a worker thread');
    }
  }

  /**
   * Blocks until the workers `indices` have finished their part of the job, never longer than a
   * worker stays silent: those silent past `bound` ms are retired (ended and replaced). Returns
   * them, each with its ACTIVE slot as it was (its replacement clears the slots).
   */
  private awaitWorkers(indices: number[], bound: number): Map<number, number> {
    const pending = new Set(indices);
    const lost = new Map<number, number>();
    const beat = new Map(indices.map((i) => [i, { count: Atomics.load(this.control, i * SLOTS + BEAT), at: Date.now() }]));
    while (pending.size > 0) {
      for (const i of pending) {
        if (Atomics.load(this.control, i * SLOTS + DONE) === this.sequence[i]) pending.delete(i);
      }
      const [next] = pending;
      if (next === undefined) break;
      const done = next * SLOTS + DONE;
      Atomics.wait(this.control, done, Atomics.load(this.control, done), CHECK_MS);
      const now = Date.now();
      for (const i of pending) {
        const b = beat.get(i)!;
        const count = Atomics.load(this.control, i * SLOTS + BEAT);
        if (count !== b.count) {
          b.count = count;
          b.at = now;
        } else if (now - b.at > bound && Atomics.load(this.control, i * SLOTS + DONE) !== this.sequence[i]) {
          pending.delete(i);
          lost.set(i, Atomics.load(this.control, i * SLOTS + ACTIVE));
          this.retire[i]?.();
        }
      }
    }
    return lost;
  }

  /**
   * Runs the `items` work items of `kernel` on workers, one descriptor each, without blocking;
   * jobs run in order.
   */
  runAsync(kernel: number, descriptors: number[], items: number): Promise<void> {
    const job = this.queue.then(async () => {
      // Wait for parts of a failed job still running and for replaced workers to start, including
      // those replaced while waiting: a part is never given to a slot whose worker is starting (the
      // silence check could fail it while the new worker still runs it on the next job's counter).
      await Promise.all(this.idle);
      let awaited: Array<Promise<void>> = [];
      while (this.started.some((p, i) => p !== awaited[i])) {
        awaited = [...this.started];
        await Promise.all(awaited);
      }
      if (this.closed) throw new Error('wasmconv: the thread pool was terminated');
      this.busy = true;
      this.workers.forEach((w) => w.ref?.());
      try {
        this.startJob(items);
        const parts = descriptors.map((d, i) => new Promise<number>((settle) => {
          this.parts[i] = { seq: this.dispatch(i, kernel, d, true), settle };
        }));
        this.idle = parts;
        const statuses = await this.watch(parts, descriptors.length);
        if (statuses.includes(TERMINATED)) throw new Error('wasmconv: the thread pool was terminated during the call');
        const died = statuses.indexOf(DIED);
        if (died >= 0) throw new Error(`wasmconv: worker thread ${died} died during the call; it has been replaced, the call failed`);
        if (statuses.some((st) => st !== 0)) throw new Error('wasmconv: a kernel trapped in a worker thread');
      } finally {
        this.busy = false;
        this.workers.forEach((w) => w.unref?.());
      }
    });
    this.queue = job.catch(() => {});
    return job;
  }

  /**
   * The statuses of an asynchronous job's `count` parts; a worker silent past SILENCE_MS meanwhile
   * is retired (its part settles as DIED), so the job never waits forever.
   */
  private async watch(parts: Array<Promise<number>>, count: number): Promise<number[]> {
    const beat = Array.from({ length: count }, (_, i) => ({ count: Atomics.load(this.control, i * SLOTS + BEAT), at: Date.now() }));
    const timer = setInterval(() => {
      const now = Date.now();
      beat.forEach((b, i) => {
        const c = Atomics.load(this.control, i * SLOTS + BEAT);
        if (c !== b.count) Object.assign(b, { count: c, at: now });
        else if (now - b.at > SILENCE_MS && this.parts[i]) {
          this.retire[i]?.();
          // A slot whose worker is already gone (its replacement could not start) fails the part itself.
          this.abandon(i, DIED);
        }
      });
    }, CHECK_MS * 5);
    try {
      return await Promise.all(parts);
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Settles the part slot `index` holds (if any) with `status` and clears the slot. Every way a
   * part leaves its slot goes through here or the worker's reply, so no part is ever dropped
   * unsettled (its job would wait forever: the silence check only sees parts still held).
   */
  private abandon(index: number, status: number): void {
    const part = this.parts[index];
    this.parts[index] = null;
    part?.settle(status);
  }

  /** Resets the shared item counter for a job of `items` work items. */
  private startJob(items: number): void {
    Atomics.store(this.control, this.job + TOTAL, items);
    Atomics.store(this.control, this.job + NEXT, 0);
  }

  private dispatch(index: number, kernel: number, descriptor: number, reply: boolean): number {
    const base = index * SLOTS;
    const seq = ++this.sequence[index];
    this.control[base + KERNEL] = kernel;
    this.control[base + DESCRIPTOR] = descriptor;
    this.control[base + REPLY] = reply ? 1 : 0;
    this.control[base + STATUS] = 0;
    this.control[base + ACTIVE] = 0;
    Atomics.store(this.control, base + SEQ, seq);
    Atomics.notify(this.control, base + SEQ);
    return seq;
  }

  /** Ends every worker; pending asynchronous jobs fail. */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.workers.forEach((w, i) => {
      this.abandon(i, TERMINATED);
      Atomics.store(this.control, i * SLOTS + SEQ, -1);
      Atomics.notify(this.control, i * SLOTS + SEQ);
      w.terminate();
    });
  }

  /**
   * For tests of the failure paths: terminates worker `index` as if it had crashed or, with
   * `afterItems` n > 0, makes it stop answering (hang) in its next job: at the wake-up for 1,
   * holding its (n-1)-th claimed item otherwise, at the end of the job if it claims fewer.
   */
  killWorker(index: number, afterItems = 0): void {
    if (afterItems > 0) Atomics.store(this.control, index * SLOTS + HALT, afterItems);
    else this.workers[index]?.terminate();
  }
}
