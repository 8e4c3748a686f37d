/**
 * Packing of the per-call GEMM operand straight from the input tensor (im2col fused with
 * packing: only one block of kc x nc values exists at a time, never a full im2col matrix).
 *
 * Channels-first forward packing walks the block's output-row runs (`rowRuns`). Other packers
 * use pixel coordinates, computed once per block into a `coords` area of 4 i32 per pixel:
 * (d, h, w) of the first input tap of that output pixel (o * stride - pad) and, on the first
 * pixel of each 8-pixel panel, a fast-path flag (FAST_STRIDE1 / FAST_STRIDE2: the panel's
 * 8 pixels lie in one output row, so one input row segment feeds them).
 */
import { copy8 } from './simd';

const FAST_STRIDE1: i32 = 1;
const FAST_STRIDE2: i32 = 2;

/**
 * Fills `coords` for output pixels p0 .. p0+nc of an (OD, OH, OW) grid with the input position
 * of tap 0 (o * stride - pad per axis) and the panel flags. Writes 16 * nc bytes.
 */
export function pixelCoords(
  coords: usize, p0: i32, nc: i32, OH: i32, OW: i32,
  SD: i32, SH: i32, SW: i32, PD: i32, PH: i32, PW: i32,
): void {
  let ow = p0 % OW;
  let t = p0 / OW;
  let oh = t % OH;
  let od = t / OH;
  for (let i = 0; i < nc; i++) {
    const at = coords + (<usize>i << 4);
    store<i32>(at, od * SD - PD);
    store<i32>(at, oh * SH - PH, 4);
    store<i32>(at, ow * SW - PW, 8);
    store<i32>(at, 0, 12);
    if (++ow == OW) { ow = 0; if (++oh == OH) { oh = 0; od++; } }
  }
  for (let q = 0; q + 8 <= nc; q += 8) {
    const first = coords + (<usize>q << 4);
    const last = first + (7 << 4);
    if (load<i32>(first) == load<i32>(last) && load<i32>(first, 4) == load<i32>(last, 4)) {
      if (SW == 1) store<i32>(first, FAST_STRIDE1, 12);
      else if (SW == 2) store<i32>(first, FAST_STRIDE2, 12);
    }
  }
}

/**
 * Splits output pixels p0 .. p0+nc of a grid with rows of OW pixels into runs that stay in one
 * output row: 4 i32 per run (first block pixel, length, first column, row index od * OH + oh).
 * Returns the number of runs (at most nc; 16 bytes each).
 */
export function rowRuns(runs: usize, p0: i32, nc: i32, OW: i32): i32 {
  let count = 0;
  let p = p0;
  for (let i = 0; i < nc; count++) {
    const ow = p % OW;
    const len = min(OW - ow, nc - i);
    const at = runs + (<usize>count << 4);
    store<i32>(at, i);
    store<i32>(at, len, 4);
    store<i32>(at, ow, 8);
    store<i32>(at, p / OW, 12);
    i += len;
    p += len;
  }
  return count;
}

/**
 * Packs B panels (8 pixels each) for a channels-first input: for k in k0 .. k0+kc, with
 * k = ((c * KD + kd) * KH + kh) * KW + kw, and the block's pixels (the `count` row runs of
 * `rowRuns`), dst[panel q][k - k0][j] = x[c, od*SD + kd*DD - PD, oh*SH + kh*DH - PH,
 * ow*SW + kw*DW - PW] of block pixel 8q+j, or 0 in the padding and past nc.
 * `x` points at channel 0 of the group in one image; planes are ID*IH*IW floats. Within a run,
 * the columns inside the input are found once, so no element is bounds-checked; a whole aligned
 * panel inside the input is copied with vector loads (stride 1, or 2 with a de-interleave).
 * Reads up to 16 floats of an input row segment; writes ceil(nc/8) * kc * 32 bytes.
 */
export function packColumnsChannelsFirst(
  x: usize, ID: i32, IH: i32, IW: i32, OH: i32, KD: i32, KH: i32, KW: i32,
  SD: i32, SH: i32, SW: i32, DD: i32, DH: i32, DW: i32, PD: i32, PH: i32, PW: i32,
  k0: i32, kc: i32, nc: i32, runs: usize, count: i32, dst: usize,
): void {
  const plane = <usize>ID * IH * IW;
  let kw = k0 % KW;
  let t = k0 / KW;
  let kh = t % KH;
  t /= KH;
  let kd = t % KD;
  let c = t / KD;
  const panelBytes = <usize>kc << 5;
  const padded = (nc + 7) & ~7;
  for (let kk = 0; kk < kc; kk++) {
    const xc = x + ((<usize>c * plane) << 2);
    const offD = kd * DD - PD, offH = kh * DH - PH, offW = kw * DW - PW;
    const column = dst + (<usize>kk << 5);
    for (let r = 0; r < count; r++) {
      const at = runs + (<usize>r << 4);
      const i0 = load<i32>(at), len = load<i32>(at, 4), ow0 = load<i32>(at, 8), row = load<i32>(at, 12);
      const d = row / OH * SD + offD, h = row % OH * SH + offH;
      const w = ow0 * SW + offW;
      // Run positions j in [lo, hi) read columns inside the input.
      let lo = 0, hi = 0;
      if (<u32>d < <u32>ID && <u32>h < <u32>IH && w < IW) {
        lo = w >= 0 ? 0 : (SW - 1 - w) / SW;
        hi = min(len, (IW - 1 - w) / SW + 1);
      }
      const src = xc + ((<usize>(d * IH + h) * IW) << 2);
      let i = i0;
      for (let j = 0; j < len;) {
        const lane = i & 7;
        const chunk = min(len - j, 8 - lane);
        const out = column + <usize>(i >> 3) * panelBytes + (<usize>lane << 2);
        if (chunk == 8 && j >= lo && j + 8 <= hi) {
          const first = src + (<usize>(w + j * SW) << 2);
          if (SW == 1) {
            copy8(out, first);
            j += 8; i += 8;
            continue;
          }
          if (ASC_FEATURE_SIMD) {
            if (SW == 2 && w + j * 2 + 16 <= IW) {
              v128.store(out, v128.shuffle<f32>(v128.load(first), v128.load(first, 16), 0, 2, 4, 6));
              v128.store(out, v128.shuffle<f32>(v128.load(first, 32), v128.load(first, 48), 0, 2, 4, 6), 16);
              j += 8; i += 8;
              continue;
            }
          }
        }
        for (let e = 0; e < chunk; e++) {
          const jj = j + e;
          const v: f32 = jj >= lo && jj < hi ? load<f32>(src + (<usize>(w + jj * SW) << 2)) : 0;
          store<f32>(out + (<usize>e << 2), v);
        }
        j += chunk;
        i += chunk;
      }
    }
    for (let i = nc; i < padded; i++) {
      store<f32>(column + <usize>(i >> 3) * panelBytes + (<usize>(i & 7) << 2), 0);
    }
    if (++kw == KW) { kw = 0; if (++kh == KH) { kh = 0; if (++kd == KD) { kd = 0; c++; } } }
  }
}

/**
 * Packs B panels for a pointwise view of a channels-first input (a plane of `plane` floats per
 * channel, used directly as the K x P matrix): dst[panel q][kk][j] = x[k0+kk][p0 + 8q + j], 0 past nc.
 */
export function packColumnsPointwise(
  x: usize, plane: i32, p0: i32, k0: i32, kc: i32, nc: i32, dst: usize,
): void {
  const full = nc >> 3;
  const panelBytes = <usize>kc << 5;
  for (let kk = 0; kk < kc; kk++) {
    const src = x + ((<usize>(k0 + kk) * plane + p0) << 2);
    let out = dst + (<usize>kk << 5);
    for (let q = 0; q < full; q++, out += panelBytes) copy8(out, src + (<usize>q << 5));
    const rest = nc & 7;
    if (rest) {
      for (let j = 0; j < 8; j++) {
        store<f32>(out + (<usize>j << 2), j < rest ? load<f32>(src + (<usize>((full << 3) + j) << 2)) : 0);
      }
    }
  }
}

/**
 * Packs A panels (4 pixels each) for a channels-last input: for k in k0 .. k0+kc with
 * k = tap * Cg + c and tap = (kd * KH + kh) * KW + kw,
 * dst[panel q][k - k0][j] = x[d + kd*DD, h + kh*DH, w + kw*DW, c] of pixel 4q+j, or 0.
 * `x` points at channel 0 of the group in one image; a pixel holds `C` floats.
 * With DW == 1 and Cg == C, the taps kw, kw+1, ... of a kernel row are adjacent in memory and
 * are copied as one run when no pixel of the panel has them partly outside the image.
 * `zeros` must hold at least min(KW * Cg, kc) zero floats. Writes ceil(nc/4) * kc * 16 bytes.
 */
export function packRowsChannelsLast(
  x: usize, C: i32, Cg: i32, ID: i32, IH: i32, IW: i32, KH: i32, KW: i32, DD: i32, DH: i32, DW: i32,
  k0: i32, kc: i32, nc: i32, coords: usize, zeros: usize, dst: usize,
): void {
  const panels = (nc + 3) >> 2;
  const pixelBytes = <usize>C << 2;
  const rowRuns = DW == 1 && Cg == C;
  for (let q = 0; q < panels; q++) {
    const out = dst + <usize>q * (<usize>kc << 4);
    let tap = k0 / Cg;
    let c = k0 % Cg;
    let kk = 0;
    while (kk < kc) {
      const kw = tap % KW;
      const kh = (tap / KW) % KH;
      const kd = tap / (KW * KH);
      // Whole taps of this kernel row in one run, or one tap's channels.
      let taps = rowRuns && c == 0 ? max(1, min(KW - kw, (kc - kk) / Cg)) : 1;
      let s0 = zeros, s1 = zeros, s2 = zeros, s3 = zeros;
      for (let j = 0; j < 4; j++) {
        const i = (q << 2) + j;
        if (i >= nc) break;
        const at = coords + (<usize>i << 4);
        const d = load<i32>(at) + kd * DD;
        const h = load<i32>(at, 4) + kh * DH;
        const w = load<i32>(at, 8) + kw * DW;
        if (<u32>d >= <u32>ID || <u32>h >= <u32>IH || w + taps <= 0 || w >= IW) continue;
        if (w < 0 || w + taps > IW) {
          // Partly outside: this tap alone (inside or not), for every pixel again.
          taps = 1;
          s0 = s1 = s2 = s3 = zeros;
          j = -1;
          continue;
        }
        const src = x + <usize>((d * IH + h) * IW + w) * pixelBytes + (<usize>c << 2);
        if (j == 0) s0 = src; else if (j == 1) s1 = src; else if (j == 2) s2 = src; else s3 = src;
      }
      const run = taps > 1 ? taps * Cg : min(Cg - c, kc - kk);
      let o = out + (<usize>kk << 4);
      let r = 0;
      if (ASC_FEATURE_SIMD) {
        for (; r + 4 <= run; r += 4) {
          const off = <usize>r << 2;
          const v0 = v128.load(s0 + off), v1 = v128.load(s1 + off);
          const v2 = v128.load(s2 + off), v3 = v128.load(s3 + off);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(o, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(o, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(o, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
          o += 64;
        }
      }
      for (; r < run; r++) {
        const off = <usize>r << 2;
        store<f32>(o, load<f32>(s0 + off));
        store<f32>(o, load<f32>(s1 + off), 4);
        store<f32>(o, load<f32>(s2 + off), 8);
        store<f32>(o, load<f32>(s3 + off), 12);
        o += 16;
      }
      kk += run;
      tap += taps;
      c = 0;
    }
  }
}
