/**
 * Feature probe, instantiation and warm-up of the kernels.
 *
 * One AssemblyScript source is built three times (scalar, simd, relaxed-simd); the threaded
 * builds of the SIMD variants are derived from their bytes (shared.ts). `ready()` picks
 * the best variant the engine supports, instantiates it once and runs small convolutions so
 * that V8 compiles the hot kernels with its optimizing tier before the first real call.
 *
 * Where the bytes of a variant come from is up to the entry point: the default one decodes the
 * variants inlined as base64 (inline.ts), the URL entry fetches `.wasm` files (url.ts).
 */
import { Arena } from './memory.ts';
import { warmUp } from './warmup.ts';
import { Pool } from './pool.ts';
import { Slot } from '../assembly/descriptor.ts';
import { withSharedMemory } from './shared.ts';

/** The wasm variants, best first. */
export const BACKENDS = ['relaxed-simd', 'simd', 'scalar'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface ReadyOptions {
  /** Force a variant instead of the best one the engine supports. */
  backend?: Backend;
  /**
   * Threads for one convolution: a number, or 'auto' for every core. With more than one, a pool
   * of worker threads shares the instance's memory (needs SharedArrayBuffer: in browsers, a
   * cross-origin isolated page). Default 1.
   */
  threads?: number | 'auto';
}

/** Kernel exports plans call, by name; the index is the kernel's number for worker threads. */
export const KERNELS = ['convForward', 'convTransposed', 'depthwiseForward', 'separableForward', 'winogradForward', 'groupedForward'] as const;
export type KernelName = (typeof KERNELS)[number];

/** The kernels' exports (see assembly/index.ts). */
export interface Kernels {
  memory: WebAssembly.Memory;
  convForward(descriptor: number): void;
  convForwardItems(descriptor: number): number;
  convTransposed(descriptor: number): void;
  convTransposedItems(descriptor: number): number;
  workspaceBytes(descriptor: number, transposed: number): number;
  depthwiseForward(descriptor: number): void;
  depthwiseItems(descriptor: number): number;
  depthwiseWorkspaceBytes(descriptor: number): number;
  separableForward(descriptor: number): void;
  separableItems(descriptor: number): number;
  winogradForward(descriptor: number): void;
  winogradItems(descriptor: number): number;
  winogradWorkspaceBytes(descriptor: number): number;
  groupedForward(descriptor: number): void;
  groupedItems(descriptor: number): number;
  groupedWorkspaceBytes(descriptor: number): number;
  phaseShuffle(image: number, phases: number, N: number, C: number, H: number, W: number, DH: number, DW: number, channelsLast: number, merge: number): void;
  depthWindows(
    input: number, windows: number, N: number, C: number, G: number, D: number, HW: number, OD: number,
    KD: number, SD: number, DD: number, PD: number, channelsLast: number,
  ): void;
  allFinite(p: number, count: number): number;
  signalRows(signal: number, rows: number, N: number, C: number, L: number, PL: number, J: number, channelsLast: number): void;
  signalMerge(rows: number, signal: number, N: number, C: number, L: number, J: number, channelsLast: number): void;
  heapBase(): number;
  fftComplex(re: number, im: number, workRe: number, workIm: number, table: number, batch: number, count: number, stride: number): void;
  realForwardSplit(re: number, im: number, twiddles: number, N: number, count: number, stride: number): void;
  realInverseSplit(re: number, im: number, twiddles: number, N: number, count: number, stride: number): void;
  realSpectrumMultiply(re: number, im: number, hr: number, hi: number, twiddles: number, N: number, scale: number): void;
  spectrumMultiply(ar: number, ai: number, br: number, bi: number, count: number, scale: number): void;
  realPack(src: number, length: number, srcStride: number, re: number, im: number, N: number, dstStride: number, rows: number): void;
  realUnpack(re: number, im: number, srcStride: number, offset: number, length: number, dst: number, dstStride: number, rows: number, scale: number, accumulate: number): void;
  quantizedConvForward(descriptor: number): void;
  quantizedDepthwiseForward(descriptor: number): void;
}

export interface Runtime {
  readonly backend: Backend;
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** Increases every time the instance is rebuilt; plans of an older generation are void. */
  readonly generation: number;
  /** The worker pool (threaded builds only); null runs everything on the calling thread. */
  pool: Pool | null;
}

/**
 * The module bytes of a backend's variant: at once (inlined) or as a promise (fetched). Its
 * threaded build is derived from them (shared.ts).
 */
export type BinarySource = (backend: Backend) => Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>;

let current: Runtime | null = null;
let generation = 0;
let supported: Backend[] | null = null;

// Feature probes, `(module (func (result v128) ...))`: a v128.const for SIMD, a relaxed_madd of
// three of them for relaxed SIMD. The scalar variant needs nothing beyond WebAssembly itself.
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const PROBES: Record<Backend, number[] | null> = {
  'relaxed-simd': [...V128_CONST, ...V128_CONST, ...V128_CONST, 0xfd, 0x85, 0x02],
  simd: V128_CONST,
  scalar: null,
};

function probe(body: number[] | null): boolean {
  if (!body) return true;
  const code = [0, ...body, 0x0b];
  const header = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0];
  return WebAssembly.validate(new Uint8Array([...header, 10, code.length + 2, 1, code.length, ...code]));
}

/** The variants this engine can run, best first (told by validating tiny modules that use each feature). */
export function supportedBackends(): Backend[] {
  supported ??= BACKENDS.filter((b) => probe(PROBES[b]));
  return [...supported];
}

/**
 * `ready()` with the variants' bytes taken from `source`. Inlined bytes (a Uint8Array, not a
 * promise) are instantiated before this function first yields, as they always were.
 */
export async function readyWith(source: BinarySource, options: ReadyOptions = {}): Promise<void> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`ready: argument 'options' must be an object such as { backend: 'simd' }, got ${describe(options)}`);
  }
  const wanted = options.backend;
  if (wanted !== undefined && !(BACKENDS as readonly string[]).includes(wanted)) {
    throw new TypeError(
      `ready: option 'backend' must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${describe(wanted)}`,
    );
  }
  const threads = threadCount(options.threads);
  const inUse = () => current !== null && (wanted === undefined || wanted === current.backend)
    && (options.threads === undefined || threads === (current.pool?.size ?? 1));
  if (inUse()) return;
  const available = supportedBackends();
  const backend = wanted ?? available[0];
  if (!available.includes(backend)) {
    const hint = backend === 'relaxed-simd' ? ' (Node 20 needs the flag --experimental-wasm-relaxed-simd)' : '';
    throw new RangeError(
      `ready: backend '${backend}' is not supported by this JavaScript engine${hint}; supported: ${available.join(', ')}`,
    );
  }
  if (threads > 1 && backend === 'scalar') {
    throw new RangeError(`ready: threads need a SIMD backend ('simd' or 'relaxed-simd'), got backend 'scalar' with threads=${threads}`);
  }
  const shared = threads > 1 && sharedMemoryAvailable();
  if (threads > 1 && !shared) {
    console.warn('wasmconv: SharedArrayBuffer is unavailable (a browser page must be cross-origin isolated); running on one thread');
  }
  const loaded = source(backend);
  const bytes = loaded instanceof Uint8Array ? loaded : await loaded;
  // A concurrent ready() may have built the same instance while the bytes were loading.
  if (inUse()) return;
  reset();
  const module = new WebAssembly.Module(shared ? withSharedMemory(bytes) : bytes);
  const rt = instantiate(backend, module, shared);
  if (shared) {
    const pool = await Pool.start(threads, module, rt.kernels.memory, [...KERNELS], Slot.WorkBegin);
    // A concurrent ready() may have replaced the instance while the workers started.
    if (current !== rt) {
      pool.terminate();
      return;
    }
    rt.pool = pool;
  }
  warmUp();
}

function threadCount(t: unknown): number {
  if (t === undefined) return 1;
  if (t === 'auto') {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    return Math.max(1, nav?.hardwareConcurrency ?? 1);
  }
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 256) {
    throw new (typeof t === 'number' ? RangeError : TypeError)(`ready: option 'threads' must be an integer from 1 to 256 or 'auto', got ${describe(t)}`);
  }
  return t;
}

/** SharedArrayBuffer exists and (in a browser) the page is cross-origin isolated. */
function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** Drops the instance, its memory and its threads; the next `ready()` builds a new one. Plans made before are void. */
export function reset(): void {
  current?.pool?.terminate();
  current = null;
  generation++;
}

/** Ends the worker threads (the instance goes on with one thread), so a Node process can exit. */
export function terminate(): void {
  if (current?.pool) {
    current.pool.terminate();
    current.pool = null;
  }
}

/** Threads a convolution may use now (1 without a pool). */
export function threads(): number {
  return current?.pool?.size ?? 1;
}

function instantiate(backend: Backend, module: WebAssembly.Module, shared: boolean): Runtime {
  const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) : undefined;
  const kernels = new WebAssembly.Instance(module, memory ? { env: { memory } } : {}).exports as unknown as Kernels;
  current = {
    backend,
    kernels,
    arena: new Arena(kernels.memory, kernels.heapBase()),
    generation: ++generation,
    pool: null,
  };
  return current;
}

/** The generation of the current instance (plans of another generation are void). */
export function currentGeneration(): number {
  return current ? current.generation : -1;
}

/** The backend in use, or null before `ready()`. */
export function backend(): Backend | null {
  return current ? current.backend : null;
}

/** The runtime; throws a clear error when `ready()` has not completed. */
export function runtime(fn: string): Runtime {
  if (!current) {
    throw new Error(`${fn}: wasmconv is not initialised: call 'await ready()' once before computing`);
  }
  return current;
}

/** Memory statistics of the current instance (bytes). */
export function memoryStats(): { memoryBytes: number; usedBytes: number } {
  const rt = runtime('memoryStats');
  return { memoryBytes: rt.arena.memoryBytes, usedBytes: rt.arena.usedBytes };
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) {
    return v.length > 8 ? `an array of length ${v.length}` : `[${v.map((e) => (Array.isArray(e) ? describe(e) : typeof e === 'number' ? String(e) : describe(e))).join(', ')}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
