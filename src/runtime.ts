/**
 * The instance: the kernels' module instantiated once, its memory and arena, its worker pool;
 * the feature probes that tell which variants the engine runs. `ready()` (ready.ts) builds it.
 */
import { Arena } from './memory.ts';
import type { Pool } from './pool.ts';
import type { Exports } from './kernels.ts';

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

export interface Runtime {
  readonly backend: Backend;
  readonly kernels: Exports;
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

/** The instance in use, or null before `ready()`. */
export function currentRuntime(): Runtime | null {
  return current;
}

/** Instantiates `module` as the new instance (on a shared memory for threads). */
export function instantiate(backend: Backend, module: WebAssembly.Module, shared: boolean): Runtime {
  const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) : undefined;
  const kernels = new WebAssembly.Instance(module, memory ? { env: { memory } } : {}).exports as unknown as Exports;
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
