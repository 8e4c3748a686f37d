/**
 * Inline arithmetic helpers, one definition per feature set. Every kernel goes through these,
 * so the scalar, simd and relaxed-simd builds come from one source: `ASC_FEATURE_SIMD` and
 * `ASC_FEATURE_RELAXED_SIMD` are compile-time constants and the dead branch is removed.
 */

/** a * b + c on four lanes: fused (one rounding) with relaxed SIMD, separate otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * The fused activation y = min(max(v > 0 ? v : v * slope, lo), hi), the one definition every
 * kernel applies, in three forms: `activate1` (one value), `activate4` (four lanes, parameters in
 * registers) and `activateAt4` (four lanes, parameters read from the activation triple in
 * memory). A NaN input stays NaN in every form: the vector forms use pmax / pmin, single
 * instructions that return their first operand (the value) when the comparison is unordered.
 */
// @ts-ignore: decorator
@inline export function activate4(v: v128, lo: v128, hi: v128, slope: v128): v128 {
  return clamp4(leaky4(v, slope), lo, hi);
}

/**
 * `activate4` with lo, hi and slope read from the activation triple at `triple` (the descriptor's
 * ActLo, ActHi, ActSlope slots, in that order), each loaded where it is used so that hot loops
 * keep no registers for them. `leaky` false (slope == 1) skips the slope step.
 */
// @ts-ignore: decorator
@inline export function activateAt4(v: v128, triple: usize, leaky: bool): v128 {
  if (leaky) v = leaky4(v, v128.load32_splat(triple, 8));
  return clamp4(v, v128.load32_splat(triple), v128.load32_splat(triple, 4));
}

/** The fused activation on one value; same definition as `activate4`. */
// @ts-ignore: decorator
@inline export function activate1(v: f32, lo: f32, hi: f32, slope: f32): f32 {
  const leaky = v > 0 ? v : v * slope;
  return min<f32>(max<f32>(leaky, lo), hi);
}

/** v > 0 ? v : v * slope on four lanes. */
// @ts-ignore: decorator
@inline function leaky4(v: v128, slope: v128): v128 {
  return v128.bitselect(v, f32x4.mul(v, slope), f32x4.gt(v, f32x4.splat(0)));
}

/** min(max(v, lo), hi) on four lanes, NaN in v kept. */
// @ts-ignore: decorator
@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Copies 8 floats (32 bytes, any alignment). */
// @ts-ignore: decorator
@inline export function copy8(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
  } else {
    store<u64>(dst, load<u64>(src)); store<u64>(dst, load<u64>(src, 8), 8);
    store<u64>(dst, load<u64>(src, 16), 16); store<u64>(dst, load<u64>(src, 24), 24);
  }
}

/** Copies 12 floats (48 bytes, any alignment) between non-overlapping areas. */
// @ts-ignore: decorator
@inline export function copy12(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    v128.store(dst, v128.load(src, 32), 32);
  } else {
    store<u64>(dst, load<u64>(src)); store<u64>(dst, load<u64>(src, 8), 8);
    store<u64>(dst, load<u64>(src, 16), 16); store<u64>(dst, load<u64>(src, 24), 24);
    store<u64>(dst, load<u64>(src, 32), 32); store<u64>(dst, load<u64>(src, 40), 40);
  }
}

/** Copies n floats (a few, typically) between non-overlapping areas; reads and writes exactly n. */
// @ts-ignore: decorator
@inline export function copyFloats(dst: usize, src: usize, n: i32): void {
  if (ASC_FEATURE_SIMD && n >= 4) {
    // Whole vectors, the last one overlapping the previous ones.
    const last = <usize>(n - 4) << 2;
    for (let at: usize = 0; at < last; at += 16) v128.store(dst + at, v128.load(src + at));
    v128.store(dst + last, v128.load(src + last));
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  }
}
