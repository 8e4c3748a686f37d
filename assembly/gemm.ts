/**
 * Packed single-precision GEMM: a 4x8 register-tiled micro-kernel and the loop over tiles.
 *
 * Operands are packed by the caller:
 *  - A in panels of 4 rows: for each k, the 4 row values are adjacent (16 bytes per k);
 *  - B in panels of 8 columns: for each k, the 8 column values are adjacent (32 bytes per k).
 * Panels are zero-filled past the real rows / columns, so the micro-kernel always computes a full
 * 4x8 tile and writes only the mr x nr valid part of C.
 */
import { madd, activate4, activate1 } from './simd';

/** Start from the values already in C instead of the bias. */
export const ACCUMULATE: i32 = 1;
/** Start from a bias per row (4 floats at `bias`). */
export const BIAS_ROW: i32 = 2;
/** Start from a bias per column (8 floats at `bias`). */
export const BIAS_COL: i32 = 4;
/** Apply the activation before storing. */
export const ACTIVATE: i32 = 8;

/**
 * One 4x8 tile: C[0..mr, 0..nr] = start + sum_{k < kc} A[k][row] * B[k][col].
 *
 * `a` / `b`: packed panels (kc x 4 and kc x 8 floats), 4-byte aligned at least.
 * `c`: row-major, row stride `ldc` floats; only mr x nr floats are read or written.
 * `start` per `flags`: C (ACCUMULATE), a bias per row or per column (the bias block is read as
 * 4 or 8 floats even when mr / nr are smaller: callers pad it), or zero.
 * `scratch`: 128 bytes used for partial tiles.
 */
export function tile4x8(
  kc: i32, a: usize, b: usize, c: usize, ldc: i32, mr: i32, nr: i32,
  flags: i32, bias: usize, lo: f32, hi: f32, slope: f32, scratch: usize,
): void {
  const full = mr == 4 && nr == 8;
  let t = c;
  let rowBytes = <usize>ldc << 2;
  if (!full) {
    t = scratch;
    rowBytes = 32;
    if (flags & ACCUMULATE) copyTile(c, <usize>ldc << 2, scratch, 32, mr, nr);
  }
  if (ASC_FEATURE_SIMD) {
    let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
    if (flags & ACCUMULATE) {
      c00 = v128.load(t); c01 = v128.load(t, 16);
      c10 = v128.load(t + rowBytes); c11 = v128.load(t + rowBytes, 16);
      c20 = v128.load(t + 2 * rowBytes); c21 = v128.load(t + 2 * rowBytes, 16);
      c30 = v128.load(t + 3 * rowBytes); c31 = v128.load(t + 3 * rowBytes, 16);
    } else if (flags & BIAS_ROW) {
      c00 = c01 = v128.load32_splat(bias);
      c10 = c11 = v128.load32_splat(bias, 4);
      c20 = c21 = v128.load32_splat(bias, 8);
      c30 = c31 = v128.load32_splat(bias, 12);
    } else if (flags & BIAS_COL) {
      c00 = c10 = c20 = c30 = v128.load(bias);
      c01 = c11 = c21 = c31 = v128.load(bias, 16);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = f32x4.splat(0);
    }
    let pa = a, pb = b;
    for (let k = 0; k < kc; k++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a0 = v128.load32_splat(pa);
      c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
      const a1 = v128.load32_splat(pa, 4);
      c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
      const a2 = v128.load32_splat(pa, 8);
      c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
      const a3 = v128.load32_splat(pa, 12);
      c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
      pa += 16; pb += 32;
    }
    if (flags & ACTIVATE) {
      const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vs = f32x4.splat(slope);
      c00 = activate4(c00, vlo, vhi, vs); c01 = activate4(c01, vlo, vhi, vs);
      c10 = activate4(c10, vlo, vhi, vs); c11 = activate4(c11, vlo, vhi, vs);
      c20 = activate4(c20, vlo, vhi, vs); c21 = activate4(c21, vlo, vhi, vs);
      c30 = activate4(c30, vlo, vhi, vs); c31 = activate4(c31, vlo, vhi, vs);
    }
    v128.store(t, c00); v128.store(t, c01, 16);
    // A partial tile goes to the 4x8 scratch, so all four rows can be stored.
    v128.store(t + rowBytes, c10); v128.store(t + rowBytes, c11, 16);
    v128.store(t + 2 * rowBytes, c20); v128.store(t + 2 * rowBytes, c21, 16);
    v128.store(t + 3 * rowBytes, c30); v128.store(t + 3 * rowBytes, c31, 16);
  } else {
    for (let i = 0; i < mr; i++) {
      const row = t + <usize>i * rowBytes;
      let s0: f32, s1: f32, s2: f32, s3: f32, s4: f32, s5: f32, s6: f32, s7: f32;
      if (flags & ACCUMULATE) {
        s0 = load<f32>(row); s1 = load<f32>(row, 4); s2 = load<f32>(row, 8); s3 = load<f32>(row, 12);
        s4 = load<f32>(row, 16); s5 = load<f32>(row, 20); s6 = load<f32>(row, 24); s7 = load<f32>(row, 28);
      } else if (flags & BIAS_ROW) {
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = load<f32>(bias + (<usize>i << 2));
      } else if (flags & BIAS_COL) {
        s0 = load<f32>(bias); s1 = load<f32>(bias, 4); s2 = load<f32>(bias, 8); s3 = load<f32>(bias, 12);
        s4 = load<f32>(bias, 16); s5 = load<f32>(bias, 20); s6 = load<f32>(bias, 24); s7 = load<f32>(bias, 28);
      } else {
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0;
      }
      let pa = a + (<usize>i << 2), pb = b;
      for (let k = 0; k < kc; k++) {
        const av = load<f32>(pa);
        s0 += av * load<f32>(pb); s1 += av * load<f32>(pb, 4);
        s2 += av * load<f32>(pb, 8); s3 += av * load<f32>(pb, 12);
        s4 += av * load<f32>(pb, 16); s5 += av * load<f32>(pb, 20);
        s6 += av * load<f32>(pb, 24); s7 += av * load<f32>(pb, 28);
        pa += 16; pb += 32;
      }
      if (flags & ACTIVATE) {
        s0 = activate1(s0, lo, hi, slope); s1 = activate1(s1, lo, hi, slope);
        s2 = activate1(s2, lo, hi, slope); s3 = activate1(s3, lo, hi, slope);
        s4 = activate1(s4, lo, hi, slope); s5 = activate1(s5, lo, hi, slope);
        s6 = activate1(s6, lo, hi, slope); s7 = activate1(s7, lo, hi, slope);
      }
      store<f32>(row, s0); store<f32>(row, s1, 4); store<f32>(row, s2, 8); store<f32>(row, s3, 12);
      store<f32>(row, s4, 16); store<f32>(row, s5, 20); store<f32>(row, s6, 24); store<f32>(row, s7, 28);
    }
  }
  if (!full) copyTile(scratch, 32, c, <usize>ldc << 2, mr, nr);
}

/** Copies an mr x nr block of floats between row-major buffers (row strides in bytes). */
// @ts-ignore: decorator
@inline function copyTile(src: usize, srcRow: usize, dst: usize, dstRow: usize, mr: i32, nr: i32): void {
  const bytes = <usize>nr << 2;
  for (let i = 0; i < mr; i++) {
    memory.copy(dst + <usize>i * dstRow, src + <usize>i * srcRow, bytes);
  }
}

/**
 * C[M x N] = start + A[M x kc] * B[kc x N] over 4x8 tiles.
 *
 * Panel i of A (rows 4i..4i+3) starts at `a + i * aPanel` bytes, panel j of B (columns 8j..8j+7)
 * at `b + j * bPanel`. `c` row stride is `ldc` floats. With BIAS_ROW the bias of row r is read at
 * `bias + 4r`, with BIAS_COL the bias of column n at `bias + 4n` (padded to whole tiles).
 * `rowsOuter` keeps one A panel hot while B panels stream (true) or the reverse (false): the
 * operand that stays is the one that was packed once (the weights).
 */
export function gemm(
  M: i32, N: i32, kc: i32, a: usize, aPanel: usize, b: usize, bPanel: usize,
  c: usize, ldc: i32, flags: i32, bias: usize, lo: f32, hi: f32, slope: f32, scratch: usize,
  rowsOuter: bool,
): void {
  const rowBytes = <usize>ldc << 2;
  if (rowsOuter) {
    for (let i = 0; i < M; i += 4) {
      const mr = min(4, M - i);
      const pa = a + <usize>(i >> 2) * aPanel;
      const bi = bias + (<usize>i << 2);
      for (let j = 0; j < N; j += 8) {
        const nr = min(8, N - j);
        const bj = flags & BIAS_COL ? bias + (<usize>j << 2) : bi;
        tile4x8(kc, pa, b + <usize>(j >> 3) * bPanel, c + <usize>i * rowBytes + (<usize>j << 2), ldc,
          mr, nr, flags, bj, lo, hi, slope, scratch);
      }
    }
  } else {
    for (let j = 0; j < N; j += 8) {
      const nr = min(8, N - j);
      const pb = b + <usize>(j >> 3) * bPanel;
      const bj = bias + (<usize>j << 2);
      for (let i = 0; i < M; i += 4) {
        const mr = min(4, M - i);
        const bi = flags & BIAS_ROW ? bias + (<usize>i << 2) : bj;
        tile4x8(kc, a + <usize>(i >> 2) * aPanel, pb, c + <usize>i * rowBytes + (<usize>j << 2), ldc,
          mr, nr, flags, bi, lo, hi, slope, scratch);
      }
    }
  }
}
