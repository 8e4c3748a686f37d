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

/** The fused activation on four lanes: min(max(v > 0 ? v : v * slope, lo), hi). NaN propagates. */
// @ts-ignore: decorator
@inline export function activate4(v: v128, lo: v128, hi: v128, slope: v128): v128 {
  const leaky = v128.bitselect(v, f32x4.mul(v, slope), f32x4.gt(v, f32x4.splat(0)));
  return f32x4.min(f32x4.max(leaky, lo), hi);
}

/** The fused activation on one value; same definition as `activate4`. */
// @ts-ignore: decorator
@inline export function activate1(v: f32, lo: f32, hi: f32, slope: f32): f32 {
  const leaky = v > 0 ? v : v * slope;
  return min<f32>(max<f32>(leaky, lo), hi);
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
