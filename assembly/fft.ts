/**
 * Fast Fourier transforms of float32 data held as split planes: the real parts in one array of
 * f32, the imaginary parts in another of the same layout. No allocation, no state: the twiddle
 * tables come in a transform table the caller computed once per length (src/fft.ts).
 *
 * Complex transform (`fftComplex`): a Stockham (self-sorting) decimation-in-frequency FFT with
 * radix-4, 2, 3 and 5 stages; each stage reads one buffer and writes the other, so the output is
 * in natural order without a bit-reversal pass. The transform runs along an axis of `batch`
 * interleaved lanes: element t of lane b is at index t * batch + b, so one call transforms the
 * columns of a [n][batch] array as well as a single contiguous sequence (batch 1). The inner loop
 * runs over contiguous lanes, four at a time with f32x4 when there are at least four.
 *
 * Transform table at `table` (i32 words, 16-byte aligned block):
 *   [0] n, [1] stages, then per stage s: [2 + 3s] radix p, [3 + 3s] m = L / p (L the length the
 *   stage splits: n for the first, then L / p), [4 + 3s] byte offset of its twiddles from `table`.
 * Twiddles of a stage: for j in [0, m), r in [1, p): exp(-2 pi i r j / L) as (re, im) f32 pairs at
 * byte offset 8 * (j * (p - 1) + r - 1). Then [2 + 3 * stages]: byte offset from `table` of the
 * first stage's twiddles in blocks of four j (for the f32x4 first stage, when it has radix 4 and m
 * is a multiple of 4), or 0: block g, twiddle r at 96 g + 32 (r - 1): four re, then four im.
 *
 * The forward transform is X[k] = sum_t x[t] exp(-2 pi i k t / n), unnormalised. The inverse
 * (unnormalised, exp(+...)) is the forward transform with the two planes swapped: pass the
 * imaginary plane as `re` and the real plane as `im` (for both the data and the work planes).
 *
 * Real transforms of even length n = 2N go through a complex transform of length N of
 * z[t] = x[2t] + i x[2t + 1] (even samples in the real plane, odd ones in the imaginary plane),
 * then `realForwardSplit` turns Z[0..N) into the half spectrum X[0..N] (N + 1 values); the
 * inverse is `realInverseSplit` (half spectrum -> Z), the inverse complex transform, and the
 * de-interleaving of z. Their table holds w[k] = exp(-2 pi i k / n) for k in [0, N / 2] as
 * (re, im) f32 pairs.
 */

/** Bytes of one f32. */
const F = 4;
const HALF: f32 = 0.5;

// @ts-ignore: decorator
@inline function add<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.add(a as v128, b as v128) as T;
  return ((a as f32) + (b as f32)) as T;
}
// @ts-ignore: decorator
@inline function sub<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.sub(a as v128, b as v128) as T;
  return ((a as f32) - (b as f32)) as T;
}
// @ts-ignore: decorator
@inline function mul<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.mul(a as v128, b as v128) as T;
  return ((a as f32) * (b as f32)) as T;
}
// @ts-ignore: decorator
@inline function splat<T>(x: f32): T {
  if (isVector<T>()) return f32x4.splat(x) as T;
  return x as T;
}

/** Stores (ur + i ui) * (wr + i wi) at (pr, pi). */
// @ts-ignore: decorator
@inline function storeTwiddled<T>(pr: usize, pi: usize, ur: T, ui: T, wr: T, wi: T): void {
  store<T>(pr, sub<T>(mul<T>(ur, wr), mul<T>(ui, wi)));
  store<T>(pi, add<T>(mul<T>(ur, wi), mul<T>(ui, wr)));
}

// Butterflies: inputs a_q at x + q * si, outputs y_r (times twiddle r, (wNr, wNi)) at y + r * so.

// @ts-ignore: decorator
@inline function radix2<T>(xr: usize, xi: usize, yr: usize, yi: usize, si: usize, so: usize, w1r: T, w1i: T, w2r: T, w2i: T, w3r: T, w3i: T, w4r: T, w4i: T): void {
  const ar = load<T>(xr), ai = load<T>(xi), br = load<T>(xr + si), bi = load<T>(xi + si);
  store<T>(yr, add<T>(ar, br));
  store<T>(yi, add<T>(ai, bi));
  storeTwiddled<T>(yr + so, yi + so, sub<T>(ar, br), sub<T>(ai, bi), w1r, w1i);
}

// @ts-ignore: decorator
@inline function radix3<T>(xr: usize, xi: usize, yr: usize, yi: usize, si: usize, so: usize, w1r: T, w1i: T, w2r: T, w2i: T, w3r: T, w3i: T, w4r: T, w4i: T): void {
  const S3: f32 = 0.8660254037844386; // sin(2 pi / 3)
  const a0r = load<T>(xr), a0i = load<T>(xi);
  const a1r = load<T>(xr + si), a1i = load<T>(xi + si);
  const a2r = load<T>(xr + 2 * si), a2i = load<T>(xi + 2 * si);
  const t1r = add<T>(a1r, a2r), t1i = add<T>(a1i, a2i);
  const t2r = sub<T>(a1r, a2r), t2i = sub<T>(a1i, a2i);
  store<T>(yr, add<T>(a0r, t1r));
  store<T>(yi, add<T>(a0i, t1i));
  const half = splat<T>(0.5), s = splat<T>(S3);
  const mr = sub<T>(a0r, mul<T>(half, t1r)), mi = sub<T>(a0i, mul<T>(half, t1i));
  // n = -i s t2
  const nr = mul<T>(s, t2i), ni = sub<T>(splat<T>(0), mul<T>(s, t2r));
  storeTwiddled<T>(yr + so, yi + so, add<T>(mr, nr), add<T>(mi, ni), w1r, w1i);
  storeTwiddled<T>(yr + 2 * so, yi + 2 * so, sub<T>(mr, nr), sub<T>(mi, ni), w2r, w2i);
}

// @ts-ignore: decorator
@inline function radix4<T>(xr: usize, xi: usize, yr: usize, yi: usize, si: usize, so: usize, w1r: T, w1i: T, w2r: T, w2i: T, w3r: T, w3i: T, w4r: T, w4i: T): void {
  const a0r = load<T>(xr), a0i = load<T>(xi);
  const a1r = load<T>(xr + si), a1i = load<T>(xi + si);
  const a2r = load<T>(xr + 2 * si), a2i = load<T>(xi + 2 * si);
  const a3r = load<T>(xr + 3 * si), a3i = load<T>(xi + 3 * si);
  const t0r = add<T>(a0r, a2r), t0i = add<T>(a0i, a2i);
  const t1r = sub<T>(a0r, a2r), t1i = sub<T>(a0i, a2i);
  const t2r = add<T>(a1r, a3r), t2i = add<T>(a1i, a3i);
  // t3 = -i (a1 - a3)
  const t3r = sub<T>(a1i, a3i), t3i = sub<T>(a3r, a1r);
  store<T>(yr, add<T>(t0r, t2r));
  store<T>(yi, add<T>(t0i, t2i));
  storeTwiddled<T>(yr + so, yi + so, add<T>(t1r, t3r), add<T>(t1i, t3i), w1r, w1i);
  storeTwiddled<T>(yr + 2 * so, yi + 2 * so, sub<T>(t0r, t2r), sub<T>(t0i, t2i), w2r, w2i);
  storeTwiddled<T>(yr + 3 * so, yi + 3 * so, sub<T>(t1r, t3r), sub<T>(t1i, t3i), w3r, w3i);
}

// @ts-ignore: decorator
@inline function radix5<T>(xr: usize, xi: usize, yr: usize, yi: usize, si: usize, so: usize, w1r: T, w1i: T, w2r: T, w2i: T, w3r: T, w3i: T, w4r: T, w4i: T): void {
  const C1: f32 = 0.30901699437494745, C2: f32 = -0.8090169943749475; // cos(2 pi / 5), cos(4 pi / 5)
  const S1: f32 = 0.9510565162951535, S2: f32 = 0.5877852522924731; // sin(2 pi / 5), sin(4 pi / 5)
  const a0r = load<T>(xr), a0i = load<T>(xi);
  const a1r = load<T>(xr + si), a1i = load<T>(xi + si);
  const a2r = load<T>(xr + 2 * si), a2i = load<T>(xi + 2 * si);
  const a3r = load<T>(xr + 3 * si), a3i = load<T>(xi + 3 * si);
  const a4r = load<T>(xr + 4 * si), a4i = load<T>(xi + 4 * si);
  const t1r = add<T>(a1r, a4r), t1i = add<T>(a1i, a4i);
  const t2r = add<T>(a2r, a3r), t2i = add<T>(a2i, a3i);
  const t3r = sub<T>(a1r, a4r), t3i = sub<T>(a1i, a4i);
  const t4r = sub<T>(a2r, a3r), t4i = sub<T>(a2i, a3i);
  store<T>(yr, add<T>(a0r, add<T>(t1r, t2r)));
  store<T>(yi, add<T>(a0i, add<T>(t1i, t2i)));
  const c1 = splat<T>(C1), c2 = splat<T>(C2), s1 = splat<T>(S1), s2 = splat<T>(S2);
  const m1r = add<T>(a0r, add<T>(mul<T>(c1, t1r), mul<T>(c2, t2r)));
  const m1i = add<T>(a0i, add<T>(mul<T>(c1, t1i), mul<T>(c2, t2i)));
  const m2r = add<T>(a0r, add<T>(mul<T>(c2, t1r), mul<T>(c1, t2r)));
  const m2i = add<T>(a0i, add<T>(mul<T>(c2, t1i), mul<T>(c1, t2i)));
  // n1 = -i (s1 t3 + s2 t4), n2 = -i (s2 t3 - s1 t4); -i (u + i v) = v - i u
  const u1r = add<T>(mul<T>(s1, t3r), mul<T>(s2, t4r)), u1i = add<T>(mul<T>(s1, t3i), mul<T>(s2, t4i));
  const u2r = sub<T>(mul<T>(s2, t3r), mul<T>(s1, t4r)), u2i = sub<T>(mul<T>(s2, t3i), mul<T>(s1, t4i));
  storeTwiddled<T>(yr + so, yi + so, add<T>(m1r, u1i), sub<T>(m1i, u1r), w1r, w1i);
  storeTwiddled<T>(yr + 4 * so, yi + 4 * so, sub<T>(m1r, u1i), add<T>(m1i, u1r), w4r, w4i);
  storeTwiddled<T>(yr + 2 * so, yi + 2 * so, add<T>(m2r, u2i), sub<T>(m2i, u2r), w2r, w2i);
  storeTwiddled<T>(yr + 3 * so, yi + 3 * so, sub<T>(m2r, u2i), add<T>(m2i, u2r), w3r, w3i);
}

// @ts-ignore: decorator
@inline function butterfly<T>(p: i32, xr: usize, xi: usize, yr: usize, yi: usize, si: usize, so: usize, w1r: T, w1i: T, w2r: T, w2i: T, w3r: T, w3i: T, w4r: T, w4i: T): void {
  if (p == 4) radix4<T>(xr, xi, yr, yi, si, so, w1r, w1i, w2r, w2i, w3r, w3i, w4r, w4i);
  else if (p == 2) radix2<T>(xr, xi, yr, yi, si, so, w1r, w1i, w2r, w2i, w3r, w3i, w4r, w4i);
  else if (p == 3) radix3<T>(xr, xi, yr, yi, si, so, w1r, w1i, w2r, w2i, w3r, w3i, w4r, w4i);
  else radix5<T>(xr, xi, yr, yi, si, so, w1r, w1i, w2r, w2i, w3r, w3i, w4r, w4i);
}

/**
 * One Stockham stage of radix p over S contiguous lanes (S = batch * the product of the radices
 * before it): y[k + S (p j + r)] = w^(r j) * sum_q x[k + S (j + q m)] exp(-2 pi i q r / p).
 */
// @ts-ignore: decorator
@inline function stageOf(p: i32, xr: usize, xi: usize, yr: usize, yi: usize, m: i32, S: i32, tw: usize): void {
  const si = <usize>S * <usize>m * F, so = <usize>S * F;
  for (let j = 0; j < m; j++) {
    // The group's twiddles, loaded once for every lane (unused ones stay 0).
    const w = tw + (<usize>(j * (p - 1)) << 3);
    const w1r = load<f32>(w), w1i = load<f32>(w, 4);
    const w2r = p > 2 ? load<f32>(w, 8) : <f32>0, w2i = p > 2 ? load<f32>(w, 12) : <f32>0;
    const w3r = p > 3 ? load<f32>(w, 16) : <f32>0, w3i = p > 3 ? load<f32>(w, 20) : <f32>0;
    const w4r = p > 4 ? load<f32>(w, 24) : <f32>0, w4i = p > 4 ? load<f32>(w, 28) : <f32>0;
    const inAt = <usize>S * <usize>j * F, outAt = <usize>S * <usize>(p * j) * F;
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      const v1r = f32x4.splat(w1r), v1i = f32x4.splat(w1i), v2r = f32x4.splat(w2r), v2i = f32x4.splat(w2i);
      const v3r = f32x4.splat(w3r), v3i = f32x4.splat(w3i), v4r = f32x4.splat(w4r), v4i = f32x4.splat(w4i);
      for (; k + 4 <= S; k += 4) {
        const d = <usize>k * F;
        butterfly<v128>(p, xr + inAt + d, xi + inAt + d, yr + outAt + d, yi + outAt + d, si, so, v1r, v1i, v2r, v2i, v3r, v3i, v4r, v4i);
      }
    }
    for (; k < S; k++) {
      const d = <usize>k * F;
      butterfly<f32>(p, xr + inAt + d, xi + inAt + d, yr + outAt + d, yi + outAt + d, si, so, w1r, w1i, w2r, w2i, w3r, w3i, w4r, w4i);
    }
  }
}

function stage(p: i32, xr: usize, xi: usize, yr: usize, yi: usize, m: i32, S: i32, tw: usize): void {
  // One specialised loop per radix (the radix test leaves the inner loop).
  if (p == 4) stageOf(4, xr, xi, yr, yi, m, S, tw);
  else if (p == 2) stageOf(2, xr, xi, yr, yi, m, S, tw);
  else if (p == 3) stageOf(3, xr, xi, yr, yi, m, S, tw);
  else stageOf(5, xr, xi, yr, yi, m, S, tw);
}

/**
 * The first stage of a transform with one lane, radix 4, m a multiple of 4: butterflies j .. j + 3
 * in the four lanes (inputs x[j + q m] are contiguous), outputs y[4 j + r] transposed back to
 * memory order. `tw`: the blocked twiddles (see the table layout).
 */
function firstRadix4(xr: usize, xi: usize, yr: usize, yi: usize, m: i32, tw: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const si = <usize>m * F;
  for (let j = 0; j < m; j += 4) {
    const at = <usize>j * F;
    const a0r = v128.load(xr + at), a0i = v128.load(xi + at);
    const a1r = v128.load(xr + si + at), a1i = v128.load(xi + si + at);
    const a2r = v128.load(xr + 2 * si + at), a2i = v128.load(xi + 2 * si + at);
    const a3r = v128.load(xr + 3 * si + at), a3i = v128.load(xi + 3 * si + at);
    const t0r = f32x4.add(a0r, a2r), t0i = f32x4.add(a0i, a2i);
    const t1r = f32x4.sub(a0r, a2r), t1i = f32x4.sub(a0i, a2i);
    const t2r = f32x4.add(a1r, a3r), t2i = f32x4.add(a1i, a3i);
    const t3r = f32x4.sub(a1i, a3i), t3i = f32x4.sub(a3r, a1r);
    const w = tw + <usize>(j >> 2) * 96;
    const y0r = f32x4.add(t0r, t2r), y0i = f32x4.add(t0i, t2i);
    const u1r = f32x4.add(t1r, t3r), u1i = f32x4.add(t1i, t3i);
    const u2r = f32x4.sub(t0r, t2r), u2i = f32x4.sub(t0i, t2i);
    const u3r = f32x4.sub(t1r, t3r), u3i = f32x4.sub(t1i, t3i);
    const w1r = v128.load(w), w1i = v128.load(w, 16), w2r = v128.load(w, 32), w2i = v128.load(w, 48);
    const w3r = v128.load(w, 64), w3i = v128.load(w, 80);
    const y1r = f32x4.sub(f32x4.mul(u1r, w1r), f32x4.mul(u1i, w1i)), y1i = f32x4.add(f32x4.mul(u1r, w1i), f32x4.mul(u1i, w1r));
    const y2r = f32x4.sub(f32x4.mul(u2r, w2r), f32x4.mul(u2i, w2i)), y2i = f32x4.add(f32x4.mul(u2r, w2i), f32x4.mul(u2i, w2r));
    const y3r = f32x4.sub(f32x4.mul(u3r, w3r), f32x4.mul(u3i, w3i)), y3i = f32x4.add(f32x4.mul(u3r, w3i), f32x4.mul(u3i, w3r));
    const out = <usize>j * 4 * F;
    storeTransposed(yr + out, y0r, y1r, y2r, y3r);
    storeTransposed(yi + out, y0i, y1i, y2i, y3i);
  }
}

/** Stores the 4 x 4 matrix whose columns are a, b, c, d, row by row (16 floats at p). */
// @ts-ignore: decorator
@inline function storeTransposed(p: usize, a: v128, b: v128, c: v128, d: v128): void {
  const ab0 = i32x4.shuffle(a, b, 0, 4, 1, 5), cd0 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const ab1 = i32x4.shuffle(a, b, 2, 6, 3, 7), cd1 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(p, i32x4.shuffle(ab0, cd0, 0, 1, 4, 5));
  v128.store(p, i32x4.shuffle(ab0, cd0, 2, 3, 6, 7), 16);
  v128.store(p, i32x4.shuffle(ab1, cd1, 0, 1, 4, 5), 32);
  v128.store(p, i32x4.shuffle(ab1, cd1, 2, 3, 6, 7), 48);
}

/**
 * In-place forward complex FFT of length n (from `table`) along an axis of `batch` lanes, repeated
 * `count` times at element offsets c * stride (c in [0, count)).
 * - re, im: the data planes (f32); element t of lane b of repetition c at c * stride + t * batch + b;
 * - workRe, workIm: work planes of n * batch floats each, not overlapping the data;
 * - table: the transform table of n (layout above).
 * Reads and writes only those elements and the work planes.
 */
export function fftComplex(re: usize, im: usize, workRe: usize, workIm: usize, table: usize, batch: i32, count: i32, stride: i32): void {
  const n = load<i32>(table), stages = load<i32>(table, 4);
  const bytes = <usize>n * <usize>batch * F;
  for (let c = 0; c < count; c++) {
    const ar = re + <usize>c * <usize>stride * F, ai = im + <usize>c * <usize>stride * F;
    // The stages alternate between the data and the work planes and must end in the data.
    let xr = ar, xi = ai, yr = workRe, yi = workIm;
    if (stages & 1) {
      memory.copy(workRe, ar, bytes);
      memory.copy(workIm, ai, bytes);
      xr = workRe; xi = workIm; yr = ar; yi = ai;
    }
    let S = batch;
    let s = 0;
    const blocked = load<i32>(table + 8 + <usize>(stages * 12));
    if (ASC_FEATURE_SIMD && S == 1 && blocked != 0) {
      // The first stage has one lane: four butterflies side by side instead (j, j + 1, ...).
      firstRadix4(xr, xi, yr, yi, load<i32>(table, 12), table + <usize>blocked);
      const tr = xr, ti = xi;
      xr = yr; xi = yi; yr = tr; yi = ti;
      S = 4;
      s = 1;
    }
    for (; s < stages; s++) {
      const at = table + 8 + <usize>(s * 12);
      const p = load<i32>(at), m = load<i32>(at, 4), tw = table + <usize>load<i32>(at, 8);
      stage(p, xr, xi, yr, yi, m, S, tw);
      const tr = xr, ti = xi;
      xr = yr; xi = yi; yr = tr; yi = ti;
      S *= p;
    }
  }
}

/**
 * Z -> X for real transforms, `count` rows at element offsets c * stride: each row holds
 * Z[0..N), the complex transform of z[t] = x[2t] + i x[2t + 1], and receives the half spectrum
 * X[0..N] of x (writes element N: a row needs N + 1 elements). `twiddles`: w[k] = exp(-2 pi i k / 2N)
 * for k in [0, N / 2] as (re, im) f32 pairs. N >= 1.
 */
export function realForwardSplit(re: usize, im: usize, twiddles: usize, N: i32, count: i32, stride: i32): void {
  for (let c = 0; c < count; c++) {
    const rr = re + <usize>c * <usize>stride * F, ri = im + <usize>c * <usize>stride * F;
    const z0r = load<f32>(rr), z0i = load<f32>(ri);
    store<f32>(rr, z0r + z0i); store<f32>(ri, 0);
    store<f32>(rr + <usize>N * F, z0r - z0i); store<f32>(ri + <usize>N * F, 0);
    for (let k = 1; 2 * k <= N; k++) {
      const pk = <usize>k * F, pn = <usize>(N - k) * F;
      const ar = load<f32>(rr + pk), ai = load<f32>(ri + pk);
      const br = load<f32>(rr + pn), bi = -load<f32>(ri + pn); // conj(Z[N - k])
      const er = HALF * (ar + br), ei = HALF * (ai + bi);
      // O = -i (a - b) / 2
      const or = HALF * (ai - bi), oi = -HALF * (ar - br);
      const wr = load<f32>(twiddles + (<usize>k << 3)), wi = load<f32>(twiddles + (<usize>k << 3), 4);
      const pr = wr * or - wi * oi, pi = wr * oi + wi * or;
      store<f32>(rr + pk, er + pr); store<f32>(ri + pk, ei + pi);
      store<f32>(rr + pn, er - pr); store<f32>(ri + pn, pi - ei);
    }
  }
}

/**
 * X -> Z, the inverse of `realForwardSplit` (same arguments): each row holds a half spectrum
 * X[0..N] (X[0] and X[N] real; their imaginary parts are ignored) and receives Z[0..N) such that
 * the inverse complex transform of Z is N z, z[t] = x[2t] + i x[2t + 1] with x the inverse real
 * transform of X (x = n^-1 sum_k X[k] exp(+2 pi i k t / n) over the whole Hermitian spectrum).
 */
export function realInverseSplit(re: usize, im: usize, twiddles: usize, N: i32, count: i32, stride: i32): void {
  for (let c = 0; c < count; c++) {
    const rr = re + <usize>c * <usize>stride * F, ri = im + <usize>c * <usize>stride * F;
    const x0 = load<f32>(rr), xn = load<f32>(rr + <usize>N * F);
    store<f32>(rr, HALF * (x0 + xn)); store<f32>(ri, HALF * (x0 - xn));
    for (let k = 1; 2 * k <= N; k++) {
      const pk = <usize>k * F, pn = <usize>(N - k) * F;
      const ar = load<f32>(rr + pk), ai = load<f32>(ri + pk);
      const br = load<f32>(rr + pn), bi = -load<f32>(ri + pn); // conj(X[N - k])
      const er = HALF * (ar + br), ei = HALF * (ai + bi);
      const dr = HALF * (ar - br), di = HALF * (ai - bi);
      // O = d * conj(w)
      const wr = load<f32>(twiddles + (<usize>k << 3)), wi = load<f32>(twiddles + (<usize>k << 3), 4);
      const or = dr * wr + di * wi, oi = di * wr - dr * wi;
      // Z[k] = E + i O, Z[N - k] = conj(E) + i conj(O)
      store<f32>(rr + pk, er - oi); store<f32>(ri + pk, ei + or);
      store<f32>(rr + pn, er + oi); store<f32>(ri + pn, or - ei);
    }
  }
}

/**
 * `realForwardSplit`, the product with a half spectrum and `realInverseSplit` in one pass, for one
 * row: (re, im) hold Z[0..N) of a real signal (N + 1 elements, as for the split); (hr, hi) the
 * half spectrum H[0..N] of the kernel (H[0], H[N] real). Afterwards (re, im) hold the Z of the
 * product X H times `scale` (element N unchanged), ready for the inverse complex transform.
 */
export function realSpectrumMultiply(re: usize, im: usize, hr: usize, hi: usize, twiddles: usize, N: i32, scale: f32): void {
  const pn = <usize>N * F;
  const z0r = load<f32>(re), z0i = load<f32>(im);
  const y0 = (z0r + z0i) * load<f32>(hr) * scale, yn = (z0r - z0i) * load<f32>(hr + pn) * scale;
  store<f32>(re, HALF * (y0 + yn)); store<f32>(im, HALF * (y0 - yn));
  for (let k = 1; 2 * k <= N; k++) {
    const pk = <usize>k * F, pm = <usize>(N - k) * F;
    const wr = load<f32>(twiddles + (<usize>k << 3)), wi = load<f32>(twiddles + (<usize>k << 3), 4);
    // X[k] = E + w O and X[N - k] = conj(E - w O), as in realForwardSplit
    const ar = load<f32>(re + pk), ai = load<f32>(im + pk);
    const br = load<f32>(re + pm), bi = -load<f32>(im + pm);
    const er = HALF * (ar + br), ei = HALF * (ai + bi);
    const or = HALF * (ai - bi), oi = -HALF * (ar - br);
    const pr = wr * or - wi * oi, pi = wr * oi + wi * or;
    const xkr = er + pr, xki = ei + pi, xmr = er - pr, xmi = pi - ei;
    // Y = X H scale
    const hkr = load<f32>(hr + pk) * scale, hki = load<f32>(hi + pk) * scale;
    const hmr = load<f32>(hr + pm) * scale, hmi = load<f32>(hi + pm) * scale;
    const ykr = xkr * hkr - xki * hki, yki = xkr * hki + xki * hkr;
    const ymr = xmr * hmr - xmi * hmi, ymi = xmr * hmi + xmi * hmr;
    // Z[k] = E' + i O', Z[N - k] = conj(E') + i conj(O'), as in realInverseSplit
    const cr = ymr, ci = -ymi;
    const fr = HALF * (ykr + cr), fi = HALF * (yki + ci);
    const dr = HALF * (ykr - cr), di = HALF * (yki - ci);
    const qr = dr * wr + di * wi, qi = di * wr - dr * wi;
    store<f32>(re + pk, fr - qi); store<f32>(im + pk, fi + qr);
    store<f32>(re + pm, fr + qi); store<f32>(im + pm, qr - fi);
  }
}

/**
 * a[i] = a[i] * b[i] * scale for `count` complex values in split planes (ar, ai) and (br, bi).
 * The planes of a and b must not overlap unless they are the same.
 */
export function spectrumMultiply(ar: usize, ai: usize, br: usize, bi: usize, count: i32, scale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    for (; i + 4 <= count; i += 4) {
      const d = <usize>i * F;
      const xr = v128.load(ar + d), xi = v128.load(ai + d);
      const yr = f32x4.mul(v128.load(br + d), s), yi = f32x4.mul(v128.load(bi + d), s);
      v128.store(ar + d, f32x4.sub(f32x4.mul(xr, yr), f32x4.mul(xi, yi)));
      v128.store(ai + d, f32x4.add(f32x4.mul(xr, yi), f32x4.mul(xi, yr)));
    }
  }
  for (; i < count; i++) {
    const d = <usize>i * F;
    const xr = load<f32>(ar + d), xi = load<f32>(ai + d);
    const yr = load<f32>(br + d) * scale, yi = load<f32>(bi + d) * scale;
    store<f32>(ar + d, xr * yr - xi * yi);
    store<f32>(ai + d, xr * yi + xi * yr);
  }
}

/**
 * acc[i] = (accumulate ? acc[i] : 0) + a[i] * b[i] for `count` complex values in split planes
 * (accRe, accIm), (aRe, aIm), (bRe, bIm). acc must not overlap a or b.
 */
export function spectrumMultiplyAdd(accRe: usize, accIm: usize, aRe: usize, aIm: usize, bRe: usize, bIm: usize, count: i32, accumulate: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= count; i += 4) {
      const d = <usize>i * F;
      const xr = v128.load(aRe + d), xi = v128.load(aIm + d);
      const yr = v128.load(bRe + d), yi = v128.load(bIm + d);
      const cr = accumulate ? v128.load(accRe + d) : zero, ci = accumulate ? v128.load(accIm + d) : zero;
      v128.store(accRe + d, f32x4.add(cr, f32x4.sub(f32x4.mul(xr, yr), f32x4.mul(xi, yi))));
      v128.store(accIm + d, f32x4.add(ci, f32x4.add(f32x4.mul(xr, yi), f32x4.mul(xi, yr))));
    }
  }
  for (; i < count; i++) {
    const d = <usize>i * F;
    const xr = load<f32>(aRe + d), xi = load<f32>(aIm + d);
    const yr = load<f32>(bRe + d), yi = load<f32>(bIm + d);
    const cr: f32 = accumulate ? load<f32>(accRe + d) : 0, ci: f32 = accumulate ? load<f32>(accIm + d) : 0;
    store<f32>(accRe + d, cr + (xr * yr - xi * yi));
    store<f32>(accIm + d, ci + (xr * yi + xi * yr));
  }
}

/**
 * Real rows into split planes: row c of `rows` (length `length` at element offset c * srcStride
 * of src) becomes z[t] = x[2t] + i x[2t + 1] for t in [0, N), zero past the row's end, at element
 * offset c * dstStride of (re, im). length <= 2N.
 */
export function realPack(src: usize, length: i32, srcStride: i32, re: usize, im: usize, N: i32, dstStride: i32, rows: i32): void {
  for (let c = 0; c < rows; c++) {
    const s = src + <usize>c * <usize>srcStride * F;
    const rr = re + <usize>c * <usize>dstStride * F, ri = im + <usize>c * <usize>dstStride * F;
    const pairs = length >> 1;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= pairs; t += 4) {
        const a = v128.load(s + (<usize>t << 3)), b = v128.load(s + (<usize>t << 3), 16);
        v128.store(rr + (<usize>t << 2), i32x4.shuffle(a, b, 0, 2, 4, 6));
        v128.store(ri + (<usize>t << 2), i32x4.shuffle(a, b, 1, 3, 5, 7));
      }
    }
    for (; t < pairs; t++) {
      store<f32>(rr + (<usize>t << 2), load<f32>(s + (<usize>t << 3)));
      store<f32>(ri + (<usize>t << 2), load<f32>(s + (<usize>t << 3), 4));
    }
    if (length & 1) {
      store<f32>(rr + (<usize>t << 2), load<f32>(s + (<usize>t << 3)));
      store<f32>(ri + (<usize>t << 2), 0);
      t++;
    }
    if (t < N) {
      memory.fill(rr + (<usize>t << 2), 0, <usize>(N - t) << 2);
      memory.fill(ri + (<usize>t << 2), 0, <usize>(N - t) << 2);
    }
  }
}

/**
 * The inverse of `realPack`: samples [offset, offset + length) of each row's z (x[2t] = re[t],
 * x[2t + 1] = im[t]) go to dst at element offset c * dstStride, each times `scale`; with
 * `accumulate` they are added to what dst holds. offset + length <= 2N.
 */
export function realUnpack(re: usize, im: usize, srcStride: i32, offset: i32, length: i32, dst: usize, dstStride: i32, rows: i32, scale: f32, accumulate: bool): void {
  for (let c = 0; c < rows; c++) {
    const rr = re + <usize>c * <usize>srcStride * F, ri = im + <usize>c * <usize>srcStride * F;
    let d = dst + <usize>c * <usize>dstStride * F;
    let t = offset, end = offset + length;
    if (t < end && (t & 1)) {
      unpackOne(ri + (<usize>(t >> 1) << 2), d, scale, accumulate);
      t++; d += F;
    }
    // t is even from here: samples t, t + 1 are re[t / 2], im[t / 2]
    if (ASC_FEATURE_SIMD) {
      const s = f32x4.splat(scale);
      for (; t + 8 <= end; t += 8, d += 8 * F) {
        const at = <usize>(t >> 1) << 2;
        const a = v128.load(rr + at), b = v128.load(ri + at);
        let lo = f32x4.mul(i32x4.shuffle(a, b, 0, 4, 1, 5), s), hi = f32x4.mul(i32x4.shuffle(a, b, 2, 6, 3, 7), s);
        if (accumulate) {
          lo = f32x4.add(lo, v128.load(d));
          hi = f32x4.add(hi, v128.load(d, 16));
        }
        v128.store(d, lo);
        v128.store(d, hi, 16);
      }
    }
    for (; t < end; t++, d += F) unpackOne((t & 1 ? ri : rr) + (<usize>(t >> 1) << 2), d, scale, accumulate);
  }
}

// @ts-ignore: decorator
@inline function unpackOne(src: usize, dst: usize, scale: f32, accumulate: bool): void {
  const v = load<f32>(src) * scale;
  store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
}
