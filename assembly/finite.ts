/**
 * Whether `count` floats at `p` are all finite (no NaN, no infinity): x - x is 0 for every finite
 * x and NaN otherwise, and NaN survives any sum. Reads only the `count` floats.
 */
export function allFinite(p: usize, count: i32): bool {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= count; i += 4, p += 16) {
      const v = v128.load(p);
      acc = f32x4.add(acc, f32x4.sub(v, v));
    }
    if (!i32x4.all_true(f32x4.eq(acc, f32x4.splat(0)))) return false;
  }
  let probe: f32 = 0;
  for (; i < count; i++, p += 4) {
    const v = load<f32>(p);
    probe += v - v;
  }
  return probe == 0;
}
