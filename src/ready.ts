/**
 * `ready()`: picks the best variant the engine supports (or the one asked for), instantiates it
 * once, starts the worker threads, and runs small convolutions of every algorithm (warmup.ts) so
 * that V8 compiles the hot kernels with its optimizing tier before the first real call.
 *
 * Where the bytes of a variant come from is up to the entry point: the default one decodes the
 * variants inlined as base64 (inline.ts), the URL entry fetches `.wasm` files (url.ts).
 */
import { Slot } from '../assembly/descriptor.ts';
import {
  BACKENDS, currentRuntime, describe, instantiate, reset, supportedBackends,
  type BinarySource, type ReadyOptions,
} from './runtime.ts';
import { withSharedMemory } from './shared.ts';
import { Pool } from './pool.ts';
import { warmUp } from './warmup.ts';
import { KERNEL_NAMES } from './algorithms/index.ts';

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
  const inUse = () => {
    const current = currentRuntime();
    return current !== null && (wanted === undefined || wanted === current.backend)
      && (options.threads === undefined || threads === (current.pool?.size ?? 1));
  };
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
  // The threaded build is the variant with its memory imported and shared (shared.ts).
  const module = new WebAssembly.Module(shared ? withSharedMemory(bytes) : bytes);
  const rt = instantiate(backend, module, shared);
  if (shared) {
    const pool = await Pool.start(threads, module, rt.kernels.memory, KERNEL_NAMES, Slot.WorkBegin);
    // A concurrent ready() may have replaced the instance while the workers started.
    if (currentRuntime() !== rt) {
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
