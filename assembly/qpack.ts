/**
 * Packing of 8-bit input columns for the integer GEMM (im2col fused with packing, one block of
 * pixels at a time): values are widened to i16 with the zero point subtracted, so padding is 0
 * and the GEMM needs no zero-point corrections.
 *
 * Layout of a packed block: panels of 8 output pixels; a panel holds, for each pair of
 * reductions (k, k+1), 8 i16 pairs (x[k][j], x[k+1][j]) for j = 0..7 (32 bytes per pair), which
 * is what `i32x4.dot_i16x8_s` against a splat weight pair needs.
 */

/**
 * Packs output pixels p0 .. p0+nc (the `count` row runs made by `rowRuns` from pack.ts) for
 * reductions 0 .. Kp (K = Cg * KD * KH * KW real ones, zeros up to Kp, which is even) of a
 * channels-first input: dst[panel q][k / 2][j][k & 1] = x[c, d, h, w] - zero at the tap of k for
 * block pixel 8q + j, or 0 in the padding, past K and past nc.
 * `x` points at channel 0 of the group in one image (u8, or i8 when `signed`); planes are
 * ID * IH * IW bytes. Reads at most 16 bytes from the start of an in-bounds row segment it uses
 * (never past the last byte of a row that it reads with vectors). Writes ceil(nc / 8) * Kp * 16 bytes.
 */
export function packQuantizedColumns(
  x: usize, signed: bool, zero: i32, ID: i32, IH: i32, IW: i32, OH: i32, KD: i32, KH: i32, KW: i32,
  SD: i32, SH: i32, SW: i32, DD: i32, DH: i32, DW: i32, PD: i32, PH: i32, PW: i32,
  K: i32, Kp: i32, nc: i32, runs: usize, count: i32, dst: usize,
): void {
  const plane = <usize>ID * IH * IW;
  const panelBytes = <usize>Kp << 4;
  const padded = (nc + 7) & ~7;
  // Decoded tap of reduction k (advanced by one each step).
  let kw = 0, kh = 0, kd = 0, c = 0;
  for (let k = 0; k < Kp; k += 2) {
    // Offsets (d, h, w, channel plane) of k and k + 1; `has1` is false past K.
    const offD0 = kd * DD - PD, offH0 = kh * DH - PH, offW0 = kw * DW - PW;
    const xc0 = x + <usize>c * plane;
    if (++kw == KW) { kw = 0; if (++kh == KH) { kh = 0; if (++kd == KD) { kd = 0; c++; } } }
    const has1 = k + 1 < K;
    const offD1 = kd * DD - PD, offH1 = kh * DH - PH, offW1 = kw * DW - PW;
    const xc1 = x + <usize>c * plane;
    if (++kw == KW) { kw = 0; if (++kh == KH) { kh = 0; if (++kd == KD) { kd = 0; c++; } } }
    const pair = dst + (<usize>k << 4);
    for (let r = 0; r < count; r++) {
      const at = runs + (<usize>r << 4);
      const i0 = load<i32>(at), len = load<i32>(at, 4), ow0 = load<i32>(at, 8), row = load<i32>(at, 12);
      const od = row / OH, oh = row % OH;
      // Run positions j in [lo, hi) read columns inside the input, for each of the two taps.
      const d0 = od * SD + offD0, h0 = oh * SH + offH0, w0 = ow0 * SW + offW0;
      const d1 = od * SD + offD1, h1 = oh * SH + offH1, w1 = ow0 * SW + offW1;
      let lo0 = 0, hi0 = 0, lo1 = 0, hi1 = 0;
      if (<u32>d0 < <u32>ID && <u32>h0 < <u32>IH && w0 < IW) {
        lo0 = w0 >= 0 ? 0 : (SW - 1 - w0) / SW;
        hi0 = min(len, (IW - 1 - w0) / SW + 1);
      }
      if (has1 && <u32>d1 < <u32>ID && <u32>h1 < <u32>IH && w1 < IW) {
        lo1 = w1 >= 0 ? 0 : (SW - 1 - w1) / SW;
        hi1 = min(len, (IW - 1 - w1) / SW + 1);
      }
      const src0 = xc0 + <usize>(d0 * IH + h0) * IW;
      const src1 = xc1 + <usize>(d1 * IH + h1) * IW;
      const lo = max(lo0, lo1), hi = min(hi0, hi1);
      let i = i0;
      for (let j = 0; j < len;) {
        const lane = i & 7;
        const chunk = min(len - j, 8 - lane);
        const out = pair + <usize>(i >> 3) * panelBytes + (<usize>lane << 2);
        if (ASC_FEATURE_SIMD) {
          if (chunk == 8 && j >= lo && j + 8 <= hi) {
            const a = src0 + <usize>(w0 + j * SW), b = src1 + <usize>(w1 + j * SW);
            let va: v128, vb: v128;
            if (SW == 1) {
              va = v128.load64_zero(a);
              vb = v128.load64_zero(b);
            } else if (SW == 2) {
              // 15 bytes cover the 8 even positions; the 16th byte is one past the last one used.
              const last = w0 + j * 2 + 16 <= IW && w1 + j * 2 + 16 <= IW;
              if (!last) { scalarPairs(out, src0 + <usize>w0, src1 + <usize>w1, SW, j, chunk, lo0, hi0, lo1, hi1, signed, zero); j += chunk; i += chunk; continue; }
              va = i8x16.shuffle(v128.load(a), v128.load(a), 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
              vb = i8x16.shuffle(v128.load(b), v128.load(b), 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
            } else {
              scalarPairs(out, src0 + <usize>w0, src1 + <usize>w1, SW, j, chunk, lo0, hi0, lo1, hi1, signed, zero);
              j += chunk; i += chunk;
              continue;
            }
            const z = i16x8.splat(<i16>zero);
            const wa = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(va) : i16x8.extend_low_i8x16_u(va), z);
            const wb = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(vb) : i16x8.extend_low_i8x16_u(vb), z);
            v128.store(out, v128.shuffle<i16>(wa, wb, 0, 8, 1, 9, 2, 10, 3, 11));
            v128.store(out, v128.shuffle<i16>(wa, wb, 4, 12, 5, 13, 6, 14, 7, 15), 16);
            j += 8; i += 8;
            continue;
          }
        }
        scalarPairs(out, src0 + <usize>w0, src1 + <usize>w1, SW, j, chunk, lo0, hi0, lo1, hi1, signed, zero);
        j += chunk;
        i += chunk;
      }
    }
    for (let i = nc; i < padded; i++) {
      store<i32>(pair + <usize>(i >> 3) * panelBytes + (<usize>(i & 7) << 2), 0);
    }
  }
}

/** Stores `chunk` i16 pairs for run positions j .. j+chunk of two taps (0 outside [lo, hi)). */
// @ts-ignore: decorator
@inline function scalarPairs(
  out: usize, row0: usize, row1: usize, SW: i32, j: i32, chunk: i32,
  lo0: i32, hi0: i32, lo1: i32, hi1: i32, signed: bool, zero: i32,
): void {
  for (let e = 0; e < chunk; e++) {
    const jj = j + e;
    let v0 = 0, v1 = 0;
    if (jj >= lo0 && jj < hi0) {
      const at = row0 + <usize>(jj * SW);
      v0 = (signed ? <i32>load<i8>(at) : <i32>load<u8>(at)) - zero;
    }
    if (jj >= lo1 && jj < hi1) {
      const at = row1 + <usize>(jj * SW);
      v1 = (signed ? <i32>load<i8>(at) : <i32>load<u8>(at)) - zero;
    }
    store<i32>(out + (<usize>e << 2), (v0 & 0xffff) | (v1 << 16));
  }
}
