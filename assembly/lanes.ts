/**
 * Lane helpers of the direct (non-GEMM) vector kernels: partial loads and stores of the first r
 * of 4 lanes, strided stores, and the ordering store that keeps V8 from hoisting loads. SIMD
 * builds only (every caller sits behind `ASC_FEATURE_SIMD`).
 */

/** The first `r` lanes (r in 1..4) of 4 floats at p, read exactly; other lanes are 0. */
// @ts-ignore: decorator
@inline export function loadPart(p: usize, r: i32): v128 {
  if (r >= 4) return v128.load(p);
  if (r == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return r == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/** Writes the first `r` lanes (r >= 4: all) of v at p. */
// @ts-ignore: decorator
@inline export function storePart(p: usize, v: v128, r: i32): void {
  if (r >= 4) { v128.store(p, v); return; }
  if (r == 1) { v128.store32_lane(p, v, 0); return; }
  v128.store64_lane(p, v, 0);
  if (r == 3) v128.store32_lane(p, v, 2, 8);
}

/** Stores the first `r` lanes (r in 1..4) of v at p, lane i at byte offset i * stride. */
// @ts-ignore: decorator
@inline export function storeStrided(p: usize, v: v128, r: i32, stride: usize): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (r > 1) store<f32>(p + stride, f32x4.extract_lane(v, 1));
  if (r > 2) store<f32>(p + 2 * stride, f32x4.extract_lane(v, 2));
  if (r > 3) store<f32>(p + 3 * stride, f32x4.extract_lane(v, 3));
}

/**
 * Stores v to a sink in the workspace that is never read. Hot loops store a running sum there
 * between their groups of loads: V8 keeps wasm loads in program order with stores, so this stops
 * its scheduler from hoisting every load of an iteration to the top, which would need more than
 * its 15 vector registers and spill.
 */
// @ts-ignore: decorator
@inline export function order(sink: usize, v: v128): void {
  v128.store(sink, v);
}
