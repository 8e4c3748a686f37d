/**
 * The output stage of the 8-bit kernels: ONNX QLinearConv's requantization of an int32 sum
 * (bias included): clamp(nearest(fround(f32(sum) * m)), lo - zero, hi - zero) + zero, with
 * `nearest` rounding half to even. One definition for vectors and one for single values, with
 * the same float32 operations, so every backend gives the same bytes.
 */

/**
 * Requantizes 8 sums (two i32x4) and stores them as 8 bytes at `c` (u8 when `u`, else i8).
 * `lo` / `hi`: splats of the bounds minus the zero point (f32); `z`: splat of the zero point (i32).
 */
// @ts-ignore: decorator
@inline export function requantizeStore8(c: usize, s0: v128, s1: v128, mv: v128, lo: v128, hi: v128, z: v128, u: bool): void {
  const f0 = f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(s0), mv));
  const f1 = f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(s1), mv));
  const q0 = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f0, lo), hi)), z);
  const q1 = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f1, lo), hi)), z);
  const h = i16x8.narrow_i32x4_s(q0, q1);
  v128.store64_lane(c, u ? i8x16.narrow_i16x8_u(h, h) : i8x16.narrow_i16x8_s(h, h), 0);
}

/** Requantizes one sum; `lo` / `hi` are the bounds minus the zero point. Returns the output value. */
// @ts-ignore: decorator
@inline export function requantize1(s: i32, m: f32, lo: f32, hi: f32, zero: i32): i32 {
  return <i32>min<f32>(max<f32>(nearest<f32>(<f32>s * m), lo), hi) + zero;
}
