/** Checks of the sizes of a shape, shared by tensors, wasm tensors and shape arguments. */
import { describe } from './runtime.ts';

/**
 * Checks the sizes of a shape one by one: each a non-negative integer (TypeError otherwise) of at
 * most 2^53 - 1 (RangeError), with an element count of at most 2^53 - 1 (RangeError). Returns
 * them as a new array, -0 read as 0.
 */
export function checkDims(fn: string, name: string, dims: readonly unknown[]): number[] {
  const sizes = dims.map((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
      throw new TypeError(`${fn}: argument '${name}' has an invalid shape ${describe(dims)}: sizes must be non-negative integers, got ${describe(s)} at dimension ${i}`);
    }
    if (!Number.isSafeInteger(s)) {
      throw new RangeError(`${fn}: argument '${name}' has an invalid shape ${describe(dims)}: sizes must be at most 2^53 - 1, got ${s} at dimension ${i}`);
    }
    return s + 0;
  });
  elementCount(fn, name, sizes);
  return sizes;
}

/** The element count of checked sizes; a RangeError when it exceeds 2^53 - 1 (no exact float64 integer). */
export function elementCount(fn: string, name: string, sizes: readonly number[]): number {
  if (sizes.includes(0)) return 0;
  let count = 1;
  for (const s of sizes) {
    count *= s;
    if (count > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`${fn}: argument '${name}' has shape [${sizes.join(', ')}], whose element count is more than 2^53 - 1 (a 4 GiB WebAssembly memory holds 2^30 float32 values)`);
    }
  }
  return count;
}
