/**
 * Tensors that live in wasm memory: a plan reads such an input and writes such an output in
 * place, with no copy in or out, so layers can be chained without leaving wasm memory.
 */
import { runtime, describe, currentGeneration, type Runtime } from './runtime.ts';
import type { WasmTensor } from './types.ts';
import { checkDims, elementCount } from './dims.ts';

/** Blocks of tensors dropped without dispose(): they go back to the arena. */
const dropped = new FinalizationRegistry<{ rt: Runtime; block: number }>(({ rt, block }) => {
  if (rt.generation === currentGeneration()) rt.arena.release(block);
});

export class ResidentTensor implements WasmTensor {
  readonly shape: number[];
  /** Byte address of the first element, and the element count. */
  readonly pointer: number;
  readonly length: number;
  private readonly rt: Runtime;
  private disposed = false;

  constructor(fn: string, shape: unknown, data: unknown) {
    if (!Array.isArray(shape) || shape.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0)) {
      throw new TypeError(`${fn}: argument 'shape' must be an array of non-negative integer sizes, got ${describe(shape)}`);
    }
    const dims = checkDims(fn, 'shape', shape);
    const length = elementCount(fn, 'shape', dims);
    if (length > 2 ** 30) {
      throw new RangeError(`${fn}: argument 'shape' [${shape.join(', ')}] has ${length} elements, more than the 2^30 float32 values a 4 GiB WebAssembly memory can hold`);
    }
    if (data !== undefined && (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number')) {
      throw new TypeError(`${fn}: argument 'data' must be a Float32Array (or array of numbers) or undefined, got ${describe(data)}`);
    }
    if (data !== undefined && (data as ArrayLike<number>).length !== length) {
      throw new RangeError(`${fn}: argument 'data' must hold ${length} elements (shape [${shape.join(', ')}]), got ${(data as ArrayLike<number>).length}`);
    }
    this.rt = runtime(fn);
    this.shape = dims;
    this.length = length;
    this.pointer = this.rt.arena.alloc(length * 4, 'the tensor');
    const view = this.rt.arena.f32(this.pointer, length);
    if (data === undefined) view.fill(0);
    else view.set(data as ArrayLike<number>);
    dropped.register(this, { rt: this.rt, block: this.pointer }, this);
  }

  get data(): Float32Array {
    this.check('wasmTensor(...).data');
    return this.rt.arena.f32(this.pointer, this.length);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    dropped.unregister(this);
    if (this.rt.generation === currentGeneration()) this.rt.arena.release(this.pointer);
  }

  /** Whether the tensor can be used now (not disposed, its instance not reset). */
  alive(): boolean {
    return !this.disposed && this.rt.generation === currentGeneration();
  }

  /** Throws unless the tensor can be used now, in the instance of `rt` if given. */
  check(fn: string, rt?: Runtime): void {
    if (this.disposed) throw new Error(`${fn}: this wasm tensor was disposed; create a new one`);
    if (this.rt.generation !== currentGeneration() || (rt && rt !== this.rt)) {
      throw new Error(`${fn}: this wasm tensor belongs to a wasmconv instance that was reset or switched backend; create it again after ready()`);
    }
  }
}

/**
 * A float32 tensor of `shape` in wasm memory, zeros or a copy of `data`. Its `data` is a view of
 * the memory (read it again after other calls: a growing memory makes new views). Plans take it
 * as input or output without copying it; `dispose()` frees it.
 */
export function wasmTensor(shape: readonly number[], data?: ArrayLike<number>): WasmTensor {
  return new ResidentTensor('wasmTensor', shape, data);
}
