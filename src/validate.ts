/**
 * Argument checks. Every message names the function, the argument, what was expected and what
 * was given; nothing invalid ever reaches a kernel.
 */
import { describe } from './runtime.ts';
import type { TensorLike } from './types.ts';
import { ResidentTensor } from './tensor.ts';
import { checkDims, elementCount } from './dims.ts';

/**
 * Checks a tensor argument and returns its shape and data as float32. `unbatched`: a tensor of
 * `rank - 1` dimensions (an activation without its batch axis) is accepted too.
 */
export function checkTensor(
  fn: string, name: string, t: unknown, rank: number, expected: string, unbatched = false,
): { shape: number[]; data: Float32Array | ArrayLike<number> } {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new TypeError(`${fn}: argument '${name}' must be a tensor { data: Float32Array, shape: number[] } ${expected}, got ${describe(t)}`);
  }
  const { shape, data } = t as TensorLike;
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) {
    throw new TypeError(`${fn}: argument '${name}' must have 'shape' as an array of sizes, got ${describe(shape)}`);
  }
  const dims = checkDims(fn, name, Array.from(shape as ArrayLike<number>));
  if (dims.length !== rank && !(unbatched && dims.length === rank - 1)) {
    const ranks = unbatched ? `${rank}-D or ${rank - 1}-D` : `${rank}-D`;
    throw new RangeError(`${fn}: argument '${name}' must be a ${ranks} tensor ${expected}, got a ${dims.length}-D tensor of shape [${dims.join(', ')}]`);
  }
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: argument '${name}' must have 'data' as a Float32Array (or array of numbers), got ${describe(data)}`);
  }
  const size = elementCount(fn, name, dims);
  if (data.length !== size) {
    throw new RangeError(`${fn}: argument '${name}' has shape [${dims.join(', ')}] (${size} elements) but its data holds ${data.length} elements`);
  }
  return { shape: dims, data: data as ArrayLike<number> };
}

/**
 * Checks the optional `output` argument of a run: undefined, a Float32Array of exactly the
 * output's element count, or a wasm tensor of exactly the output shape.
 */
export function checkOutput(fn: string, output: unknown, shape: readonly number[]): Float32Array | ResidentTensor | undefined {
  if (output === undefined) return undefined;
  const size = shape.reduce((a, b) => a * b, 1);
  if (output instanceof ResidentTensor) {
    if (output.shape.length !== shape.length || output.shape.some((s, i) => s !== shape[i])) {
      throw new RangeError(`${fn}: argument 'output' is a wasm tensor of shape [${output.shape.join(', ')}], the output has shape [${shape.join(', ')}]`);
    }
    return output;
  }
  if (!(output instanceof Float32Array)) {
    throw new TypeError(`${fn}: argument 'output' must be a Float32Array of ${size} elements (output shape [${shape.join(', ')}]), a wasm tensor of that shape, or undefined, got ${describe(output)}`);
  }
  if (output.length !== size) {
    throw new RangeError(`${fn}: argument 'output' must hold ${size} elements (output shape [${shape.join(', ')}]), got a Float32Array of ${output.length}`);
  }
  return output;
}

/**
 * Checks a shape argument (`plan.outputShape(shape)`, `plan.workspaceBytes(shape)`): an array of
 * `rank` (or with `unbatched`, `rank - 1`) non-negative integer sizes. Returns it as a plain array.
 */
export function checkShape(fn: string, name: string, shape: unknown, rank: number, expected: string, unbatched = false): number[] {
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) {
    throw new TypeError(`${fn}: argument '${name}' must be an array of ${rank} sizes ${expected}, got ${describe(shape)}`);
  }
  const dims = checkDims(fn, name, Array.from(shape as ArrayLike<number>));
  if (dims.length !== rank && !(unbatched && dims.length === rank - 1)) {
    const counts = unbatched ? `${rank} or ${rank - 1}` : `${rank}`;
    throw new RangeError(`${fn}: argument '${name}' must have ${counts} sizes ${expected}, got ${dims.length}: [${dims.join(', ')}]`);
  }
  return dims;
}

/** A positive integer option (at most 2^53 - 1: larger numbers are not exact integers). */
export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new (typeof v === 'number' ? RangeError : TypeError)(
      `${fn}: option '${name}' must be a positive integer, got ${describe(v)}`,
    );
  }
  return v;
}

/** A non-negative integer option (at most 2^53 - 1; -0 reads as 0). */
export function checkNonNegativeInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new (typeof v === 'number' ? RangeError : TypeError)(
      `${fn}: option '${name}' must be a non-negative integer, got ${describe(v)}`,
    );
  }
  return v + 0;
}

/** A number or one number per spatial axis, expanded to `rank` values. */
export function perAxis(
  fn: string, name: string, v: unknown, rank: number, fallback: number, check: typeof checkPositiveInt,
): number[] {
  if (v === undefined) return new Array(rank).fill(fallback);
  if (typeof v === 'number') {
    check(fn, name, v);
    return new Array(rank).fill(v);
  }
  if (!Array.isArray(v)) {
    throw new TypeError(`${fn}: option '${name}' must be a number or an array of ${rank} numbers (one per spatial axis), got ${describe(v)}`);
  }
  if (v.length !== rank) {
    throw new RangeError(`${fn}: option '${name}' must have ${rank} value${rank > 1 ? 's' : ''} (one per spatial axis), got ${v.length}: ${describe(v)}`);
  }
  return v.map((e, i) => check(fn, `${name}[${i}]`, e));
}

/** Checks an option object: must be an object with only known keys. */
export function checkOptions(fn: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: argument 'options' must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${fn}: unknown option '${key}'; known options: ${known.join(', ')}`);
    }
  }
  return options as Record<string, unknown>;
}
