/**
 * The worker pool: threads that run kernels on the instance's shared memory.
 *
 * Every worker instantiates the same compiled module on the one shared `WebAssembly.Memory`.
 * The main thread owns allocation; a job is a kernel and one descriptor per part (each with its
 * own work range and workspace). Workers sleep in `Atomics.wait` on a control block and are
 * woken by `Atomics.notify`. Synchronous runs (Node only: browsers forbid blocking the main
 * thread) compute part 0 on the main thread and wait for the rest; asynchronous runs give every
 * part to a worker and resolve on the workers' messages, so the caller's event loop stays free.
 * Asynchronous jobs run one after another in the order they were submitted.
 */

/** Control slots per worker (Int32): job sequence, kernel, descriptor, done sequence, status, reply. */
const SLOTS = 8;
const SEQ = 0, KERNEL = 1, DESCRIPTOR = 2, DONE = 3, STATUS = 4, REPLY = 5;

/** The worker's program: instantiate, then run jobs until the sequence goes negative. */
function workerMain(
  init: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; index: number; kernels: string[] },
  post: (message: string) => void,
): void {
  const { module, memory, control, index, kernels } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as Record<string, (d: number) => void>;
  const fns = kernels.map((name) => exports[name]);
  const ctl = new Int32Array(control);
  const base = index * 8;
  let seq = 0;
  post('ready');
  for (;;) {
    Atomics.wait(ctl, base, seq);
    seq = Atomics.load(ctl, base);
    if (seq < 0) return;
    let status = 0;
    try {
      fns[ctl[base + 1]](ctl[base + 2]);
    } catch {
      status = 1;
    }
    ctl[base + 4] = status;
    Atomics.store(ctl, base + 3, seq);
    Atomics.notify(ctl, base + 3);
    if (ctl[base + 5]) post('done');
  }
}

interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
  on?(event: string, fn: (arg: unknown) => void): void;
  addEventListener?(event: string, fn: (arg: unknown) => void): void;
  unref?(): void;
  ref?(): void;
}

type WorkerFactory = (index: number, onMessage: (m: string) => void, onFailure: (e: unknown) => void) => Promise<WorkerHandle>;

interface PendingJob {
  remaining: number;
  resolve(): void;
  reject(e: Error): void;
}

export class Pool {
  readonly size: number;
  /** Whether the main thread may block on workers (true in Node). */
  readonly canBlock: boolean;
  private readonly control: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private readonly sequence: number[] = [];
  private readonly pending: Array<PendingJob | null> = [];
  private readonly create: WorkerFactory;
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private closed = false;

  private constructor(size: number, canBlock: boolean, create: WorkerFactory) {
    this.size = size;
    this.canBlock = canBlock;
    this.control = new Int32Array(new SharedArrayBuffer(size * SLOTS * 4));
    this.create = create;
  }

  /** Starts `size` workers on `module` and `memory`; `kernels` names the exports jobs may call. */
  static async start(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: string[]): Promise<Pool> {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    let pool: Pool;
    const init = (index: number) => ({ module, memory, control: pool.control.buffer as SharedArrayBuffer, index, kernels });
    const source = `(${workerMain.toString()})`;
    let factory: WorkerFactory;
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      factory = async (index, onMessage, onFailure) => {
        const w = new Worker(
          `const { workerData, parentPort } = require('node:worker_threads');\n${source}(workerData, (m) => parentPort.postMessage(m));`,
          { eval: true, workerData: init(index) },
        );
        await new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        });
        w.on('message', (m) => onMessage(m as string));
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
    pool = new Pool(size, isNode, factory);
    await Promise.all(Array.from({ length: size }, (_, i) => pool.spawn(i)));
    return pool;
  }

  private async spawn(index: number): Promise<void> {
    const base = index * SLOTS;
    this.control.fill(0, base, base + SLOTS);
    this.sequence[index] = 0;
    this.pending[index] = null;
    let alive = true;
    const worker = await this.create(
      index,
      (m) => {
        if (m !== 'done') return;
        const job = this.pending[index];
        if (!job) return;
        this.pending[index] = null;
        if (this.control[base + STATUS] !== 0) job.reject(new Error('wasmconv: a kernel trapped in a worker thread'));
        else if (--job.remaining === 0) job.resolve();
      },
      (e) => {
        if (!alive || this.closed) return;
        alive = false;
        const job = this.pending[index];
        this.pending[index] = null;
        job?.reject(new Error(`wasmconv: worker thread ${index} died (${e instanceof Error ? e.message : String(e)}); it has been replaced, the call failed`));
        void this.spawn(index).catch(() => {});
      },
    );
    if (this.closed) {
      worker.terminate();
      return;
    }
    this.workers[index] = worker;
  }

  /** Whether the pool is computing an asynchronous job now. */
  get isBusy(): boolean {
    return this.busy;
  }

  /**
   * Runs `kernel` on descriptors synchronously: part 0 on the calling thread via `runHere`,
   * the others on workers 0 .. parts-2. Only when `canBlock` and the pool is idle.
   */
  runSync(kernel: number, descriptors: number[], runHere: (descriptor: number) => void): void {
    const parts = descriptors.length;
    for (let p = 1; p < parts; p++) this.dispatch(p - 1, kernel, descriptors[p], false);
    runHere(descriptors[0]);
    let failed = false;
    for (let p = 1; p < parts; p++) {
      const base = (p - 1) * SLOTS;
      const seq = this.sequence[p - 1];
      while (Atomics.load(this.control, base + DONE) !== seq) Atomics.wait(this.control, base + DONE, Atomics.load(this.control, base + DONE), 1000);
      if (this.control[base + STATUS] !== 0) failed = true;
    }
    if (failed) throw new Error('wasmconv: a kernel trapped in a worker thread');
  }

  /** Runs `kernel` on every descriptor, one per worker, without blocking; jobs run in order. */
  runAsync(kernel: number, descriptors: number[]): Promise<void> {
    const job = this.queue.then(() => {
      if (this.closed) throw new Error('wasmconv: the thread pool was terminated');
      this.busy = true;
      this.workers.forEach((w) => w.ref?.());
      return new Promise<void>((resolve, reject) => {
        const entry: PendingJob = { remaining: descriptors.length, resolve, reject };
        descriptors.forEach((d, i) => {
          this.pending[i] = entry;
          this.dispatch(i, kernel, d, true);
        });
      }).finally(() => {
        this.busy = false;
        this.workers.forEach((w) => w.unref?.());
      });
    });
    this.queue = job.catch(() => {});
    return job;
  }

  private dispatch(index: number, kernel: number, descriptor: number, reply: boolean): void {
    const base = index * SLOTS;
    const seq = ++this.sequence[index];
    this.control[base + KERNEL] = kernel;
    this.control[base + DESCRIPTOR] = descriptor;
    this.control[base + REPLY] = reply ? 1 : 0;
    this.control[base + STATUS] = 0;
    Atomics.store(this.control, base + SEQ, seq);
    Atomics.notify(this.control, base + SEQ);
  }

  /** Ends every worker; pending asynchronous jobs fail. */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.workers.forEach((w, i) => {
      const job = this.pending[i];
      this.pending[i] = null;
      job?.reject(new Error('wasmconv: the thread pool was terminated'));
      Atomics.store(this.control, i * SLOTS + SEQ, -1);
      Atomics.notify(this.control, i * SLOTS + SEQ);
      w.terminate();
    });
  }

  /** Terminates one worker as if it had crashed (for tests of the failure path). */
  killWorker(index: number): void {
    this.workers[index]?.terminate();
  }
}
