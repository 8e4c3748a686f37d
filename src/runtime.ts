/**
 * Feature probe, instantiation and warm-up of the kernels.
 *
 * One AssemblyScript source is built three times (scalar, simd, relaxed-simd). `ready()` picks
 * the best variant the engine validates, instantiates it once and runs small convolutions so
 * that V8 compiles the hot kernels with its optimizing tier before the first real call.
 */
import { instantiateSync } from '@assemblyscript/loader';
import * as binaries from './generated/wasm.ts';
import { Arena } from './memory.ts';
import { warmUp } from './warmup.ts';

/** The wasm variants, best first. */
export const BACKENDS = ['relaxed-simd', 'simd', 'scalar'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface ReadyOptions {
  /** Force a variant instead of the best one the engine supports. */
  backend?: Backend;
}

/** The kernels' exports (see assembly/index.ts). */
export interface Kernels {
  memory: WebAssembly.Memory;
  convForward(descriptor: number): void;
  convTransposed(descriptor: number): void;
  workspaceBytes(descriptor: number, transposed: number): number;
  heapBase(): number;
}

export interface Runtime {
  readonly backend: Backend;
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** Increases every time the instance is rebuilt; plans of an older generation are void. */
  readonly generation: number;
}

let current: Runtime | null = null;
let generation = 0;
const decoded = new Map<Backend, Uint8Array<ArrayBuffer>>();

function binary(backend: Backend): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(backend);
  if (!bytes) {
    const b64 = backend === 'scalar' ? binaries.scalar : backend === 'simd' ? binaries.simd : binaries.relaxedSimd;
    bytes = decodeBase64(b64);
    decoded.set(backend, bytes);
  }
  return bytes;
}

/** The variants this engine can run, best first (each binary is checked with WebAssembly.validate). */
export function supportedBackends(): Backend[] {
  return BACKENDS.filter((b) => WebAssembly.validate(binary(b)));
}

/**
 * Compiles and instantiates the kernels once; later calls return at once. Asking for a different
 * backend than the one in use rebuilds the instance, which voids every existing plan.
 */
export async function ready(options: ReadyOptions = {}): Promise<void> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`ready: argument 'options' must be an object such as { backend: 'simd' }, got ${describe(options)}`);
  }
  const wanted = options.backend;
  if (wanted !== undefined && !(BACKENDS as readonly string[]).includes(wanted)) {
    throw new TypeError(
      `ready: option 'backend' must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${describe(wanted)}`,
    );
  }
  if (current && (wanted === undefined || wanted === current.backend)) return;
  const supported = supportedBackends();
  const backend = wanted ?? supported[0];
  if (!supported.includes(backend)) {
    const hint = backend === 'relaxed-simd' ? ' (Node 20 needs the flag --experimental-wasm-relaxed-simd)' : '';
    throw new RangeError(
      `ready: backend '${backend}' is not supported by this JavaScript engine${hint}; supported: ${supported.join(', ')}`,
    );
  }
  instantiate(backend);
}

/** Drops the instance and its memory; the next `ready()` builds a new one. Plans made before are void. */
export function reset(): void {
  current = null;
  generation++;
}

function instantiate(backend: Backend): void {
  const { exports } = instantiateSync<Record<string, unknown>>(binary(backend), {});
  const kernels = exports as unknown as Kernels;
  current = {
    backend,
    kernels,
    arena: new Arena(kernels.memory, kernels.heapBase()),
    generation: ++generation,
  };
  warmUp();
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

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
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
