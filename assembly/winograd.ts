/**
 * Winograd F(2x2, 3x3) for 2-D 3x3 convolutions with stride 1 and dilation 1.
 *
 * Each 2x2 block of outputs (a tile) is computed from the 4x4 input patch under it:
 *   Y = A^T [ sum_c (G g G^T) ⊙ (B^T d B) ] A
 * with the transforms (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks")
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  A^T = [1 1 1 0; 0 1 -1 -1],
 *   G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
 * The sum over input channels is, for each of the 16 positions xi of the 4x4 transformed tile,
 * a matrix product U_xi [Kg x Cg] * V_xi [Cg x tiles]: 16 multiply-adds per tile and channel pair
 * instead of 36. Those 16 products go through the packed GEMM of gemm.ts.
 *
 * Contract of `winogradConv(d)` (descriptor: see descriptor.ts). Kernel 3x3, stride 1,
 * dilation 1, D = 1; the padding slots give the zero padding before each axis, the output size
 * gives the rest (rows and columns past the input read as zero). It reads the input, the packed
 * weights, the bias (0 when absent, else K floats) and the descriptor, never past the input
 * positions a tile needs; it writes only the output and the workspace. No allocation, no global
 * state: calls with disjoint work ranges may run at once (each with its own workspace).
 *  - Layouts: channels-first input (N, C, IH, IW) and output (N, K, OH, OW); channels-last
 *    (N, IH, IW, C) and (N, OH, OW, K).
 *  - Tiles: TH = ceil(OH / 2) rows of TW = ceil(OW / 2) tiles, numbered row-major; tile (th, tw)
 *    writes outputs (2th + a, 2tw + b), a, b in {0, 1}, those inside the output, from input
 *    rows 2th - PadH .. +3 and columns 2tw - PadW .. +3.
 *  - Work items: image x group x block of BlockTiles tiles (the BlockP slot, rounded up to a
 *    multiple of TILE_COLS); the call computes items [WorkBegin, WorkEnd) of
 *    `winogradConvItems(d)`. BlockK is the number of input channels transformed and reduced at
 *    once (the GEMM's reduction block).
 *  - Weights, per group g (Cg = C / G input, Kg = K / G output channels), per xi = 4i + j (the
 *    element (i, j) of U = G g G^T), stored one after the other:
 *    channels-first: U_xi as 4-row GEMM panels over output channels, [ceil(Kg/4)][Cg][4];
 *    channels-last: U_xi as 8-column GEMM panels over output channels, [ceil(Kg/8)][Cg][8];
 *    entries past Kg are zero. src/winograd.ts packs them.
 *  - Workspace (`winogradConvWorkspaceBytes`, 16-byte aligned parts): V, the 16 transformed input
 *    blocks (BlockP x BlockK floats each: channels-first 8-tile panels [BlockP/8][kc][8],
 *    channels-last 4-tile panels [BlockP/4][kc][4]); M, the 16 GEMM results (BlockP x Kg floats
 *    each: channels-first [Kg][BlockP], channels-last [BlockP][Kg]); 128 bytes of GEMM tile
 *    scratch; 1 KiB of transform scratch; a 256-byte pointer table; zeros (max(BlockK, 16)
 *    floats + 16 bytes), filled on entry and never written afterwards. Its contents on entry
 *    do not matter.
 */
import { Slot, TILE_ROWS, TILE_COLS } from './descriptor';
import { field, fieldF, align16, roundUp } from './fields';
import { gemm, ACCUMULATE } from './gemm';
import { activate4, activate1 } from './simd';


const STAGE_BYTES: usize = 1024;
const TABLE_BYTES: usize = 256;

/** Tiles of the output grid: ceil(OH / 2) * ceil(OW / 2). */
// @ts-ignore: decorator
@inline function tileCount(d: usize): i32 {
  return ((field(d, Slot.OutH) + 1) >> 1) * ((field(d, Slot.OutW) + 1) >> 1);
}

/** Bytes of workspace `winogradConv` needs for the descriptor at `d`. */
export function winogradConvWorkspaceBytes(d: usize): usize {
  const bt = <usize>roundUp(field(d, Slot.BlockTiles), TILE_COLS);
  const bk = <usize>field(d, Slot.BlockK);
  const Kg = <usize>(field(d, Slot.OutChannels) / field(d, Slot.Groups));
  return align16(16 * bt * bk * 4) + align16(16 * bt * Kg * 4) + 128 + STAGE_BYTES + TABLE_BYTES
    + align16(max<usize>(bk, 16) * 4 + 16);
}

/** Work items of `winogradConv`: one per image, group and block of BlockTiles tiles. */
export function winogradConvItems(d: usize): i32 {
  const bt = roundUp(field(d, Slot.BlockTiles), TILE_COLS);
  return field(d, Slot.Batch) * field(d, Slot.Groups) * ((tileCount(d) + bt - 1) / bt);
}

/** Computes the 3x3, stride-1 convolution the descriptor at `d` describes (see the contract above). */
export function winogradConv(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels), G = field(d, Slot.Groups);
  const IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const bt = roundUp(field(d, Slot.BlockTiles), TILE_COLS), bk = field(d, Slot.BlockK);
  const channelsLast = field(d, Slot.Layout) != 0;

  const Cg = C / G, Kg = K / G;
  const TW = (OW + 1) >> 1;
  const T = tileCount(d);
  const blocks = (T + bt - 1) / bt;
  const inPlane = <usize>IH * IW, outPlane = <usize>OH * OW;
  // Workspace parts.
  const vx = <usize>bt * bk * 4, mx = <usize>bt * Kg * 4;
  const V = <usize>field(d, Slot.Workspace);
  const M = V + align16(16 * vx);
  const scratch = M + align16(16 * mx);
  const stage = scratch + 128;
  const table = stage + STAGE_BYTES;
  const zeros = table + TABLE_BYTES;
  memory.fill(zeros, 0, <usize>max(bk, 16) * 4 + 16);
  // Packed weights: 16 blocks of Kp x Cg per group.
  const Kp = channelsLast ? roundUp(Kg, TILE_COLS) : roundUp(Kg, TILE_ROWS);
  const ux = <usize>Kp * Cg * 4;

  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const t0 = item % blocks * bt;
    const g = item / blocks % G;
    const n = item / blocks / G;
    const nt = min(bt, T - t0);
    // The GEMMs run on whole panels (TILE_COLS tiles channels-first, TILE_ROWS channels-last):
    // the transform writes zeros for the tiles past nt, so M holds zeros there, never stale values.
    const np = channelsLast ? roundUp(nt, TILE_ROWS) : roundUp(nt, TILE_COLS);
    const wg = w + <usize>g * 16 * ux;
    for (let k0 = 0; k0 < Cg; k0 += bk) {
      const kc = min(bk, Cg - k0);
      const flags = k0 == 0 ? 0 : ACCUMULATE;
      if (!channelsLast) {
        const xg = x + ((<usize>(n * C + g * Cg + k0) * inPlane) << 2);
        inputChannelsFirst(xg, IH, IW, PH, PW, TW, t0, nt, kc, V, vx, stage, zeros);
        for (let xi = 0; xi < 16; xi++) {
          gemm(Kg, np, kc, wg + <usize>xi * ux + (<usize>k0 << 4), <usize>Cg << 4,
            V + <usize>xi * vx, <usize>kc << 5, M + <usize>xi * mx, bt, flags, 0, 0, 0, 0, scratch, true);
        }
      } else {
        const xg = x + ((<usize>n * inPlane * C + g * Cg + k0) << 2);
        inputChannelsLast(xg, C, IH, IW, PH, PW, TW, t0, nt, kc, V, vx, stage, table, zeros);
        for (let xi = 0; xi < 16; xi++) {
          gemm(np, Kg, kc, V + <usize>xi * vx, <usize>kc << 4, wg + <usize>xi * ux + (<usize>k0 << 5),
            <usize>Cg << 5, M + <usize>xi * mx, Kg, flags, 0, 0, 0, 0, scratch, false);
        }
      }
    }
    const biasG = bias ? bias + (<usize>(g * Kg) << 2) : 0;
    if (!channelsLast) {
      const yg = y + ((<usize>(n * K + g * Kg) * outPlane) << 2);
      outputChannelsFirst(M, mx, bt, yg, OH, OW, TW, t0, nt, Kg, biasG, act, lo, hi, slope, stage);
    } else {
      const yg = y + ((<usize>n * outPlane * K + g * Kg) << 2);
      outputChannelsLast(M, mx, yg, K, OH, OW, TW, t0, nt, Kg, biasG, act, lo, hi, slope, stage);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Input transform: V_xi = (B^T d B)[i][j] for xi = 4i + j.
// Rows first: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3 (d_r: patch row r);
// then the same combination across the columns of each t_i.

/** Stores the column combination of one transformed row t_i (columns a, b, c, e) at out + j*vx. */
// @ts-ignore: decorator
@inline function columns4(a: v128, b: v128, c: v128, e: v128, out: usize, vx: usize): void {
  v128.store(out, f32x4.sub(a, c));
  v128.store(out + vx, f32x4.add(b, c));
  v128.store(out + 2 * vx, f32x4.sub(c, b));
  v128.store(out + 3 * vx, f32x4.sub(b, e));
}

/**
 * One transformed row t_i of 4 adjacent tiles, given as vectors of t_i at input columns 0..3,
 * 4..7, 2..5 and 6..9 (of the 10 columns the tiles read): splits even and odd columns into the
 * 4 columns of each tile's patch, then combines them (lanes = tiles).
 */
// @ts-ignore: decorator
@inline function rowTiles4(p0: v128, p4: v128, p2: v128, p6: v128, out: usize, vx: usize): void {
  columns4(
    v128.shuffle<f32>(p0, p4, 0, 2, 4, 6), v128.shuffle<f32>(p0, p4, 1, 3, 5, 7),
    v128.shuffle<f32>(p2, p6, 0, 2, 4, 6), v128.shuffle<f32>(p2, p6, 1, 3, 5, 7), out, vx);
}

/**
 * Transforms 4 horizontally adjacent tiles of one channel from 4 input rows (r_k points at the
 * first of the 10 columns the tiles read; each row readable for 10 floats) into the 16 blocks
 * (out + xi * vx, 4 lanes = the 4 tiles).
 */
function inputTiles4(r0: usize, r1: usize, r2: usize, r3: usize, out: usize, vx: usize): void {
  rowTiles4(
    f32x4.sub(v128.load(r0), v128.load(r2)), f32x4.sub(v128.load(r0, 16), v128.load(r2, 16)),
    f32x4.sub(v128.load(r0, 8), v128.load(r2, 8)), f32x4.sub(v128.load(r0, 24), v128.load(r2, 24)),
    out, vx);
  rowTiles4(
    f32x4.add(v128.load(r1), v128.load(r2)), f32x4.add(v128.load(r1, 16), v128.load(r2, 16)),
    f32x4.add(v128.load(r1, 8), v128.load(r2, 8)), f32x4.add(v128.load(r1, 24), v128.load(r2, 24)),
    out + 4 * vx, vx);
  rowTiles4(
    f32x4.sub(v128.load(r2), v128.load(r1)), f32x4.sub(v128.load(r2, 16), v128.load(r1, 16)),
    f32x4.sub(v128.load(r2, 8), v128.load(r1, 8)), f32x4.sub(v128.load(r2, 24), v128.load(r1, 24)),
    out + 8 * vx, vx);
  rowTiles4(
    f32x4.sub(v128.load(r1), v128.load(r3)), f32x4.sub(v128.load(r1, 16), v128.load(r3, 16)),
    f32x4.sub(v128.load(r1, 8), v128.load(r3, 8)), f32x4.sub(v128.load(r1, 24), v128.load(r3, 24)),
    out + 12 * vx, vx);
}

/** Writes B^T d B of one 4x4 patch d (row-major: dRC is row R, column C) at out + xi * vx. */
function transformPatch(
  d00: f32, d01: f32, d02: f32, d03: f32, d10: f32, d11: f32, d12: f32, d13: f32,
  d20: f32, d21: f32, d22: f32, d23: f32, d30: f32, d31: f32, d32: f32, d33: f32, out: usize, vx: usize,
): void {
  // Rows first (t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3), then columns.
  let a = d00 - d20, b = d01 - d21, c = d02 - d22, e = d03 - d23;
  store<f32>(out, a - c); store<f32>(out + vx, b + c); store<f32>(out + 2 * vx, c - b); store<f32>(out + 3 * vx, b - e);
  a = d10 + d20; b = d11 + d21; c = d12 + d22; e = d13 + d23;
  store<f32>(out + 4 * vx, a - c); store<f32>(out + 5 * vx, b + c); store<f32>(out + 6 * vx, c - b); store<f32>(out + 7 * vx, b - e);
  a = d20 - d10; b = d21 - d11; c = d22 - d12; e = d23 - d13;
  store<f32>(out + 8 * vx, a - c); store<f32>(out + 9 * vx, b + c); store<f32>(out + 10 * vx, c - b); store<f32>(out + 11 * vx, b - e);
  a = d10 - d30; b = d11 - d31; c = d12 - d32; e = d13 - d33;
  store<f32>(out + 12 * vx, a - c); store<f32>(out + 13 * vx, b + c); store<f32>(out + 14 * vx, c - b); store<f32>(out + 15 * vx, b - e);
}

/** Value at `p` when `present`, else zero (and `p` is not read). */
// @ts-ignore: decorator
@inline function loadIf(present: bool, p: usize): f32 {
  return present ? load<f32>(p) : 0;
}

/**
 * Transforms one tile of one channel without SIMD: the patch at `src` (row step `rs`, column
 * step `cs` bytes), where row r is present when bit r of `rows` is set and column c when bit c
 * of `cols` is (absent positions read as zero and are never dereferenced). Writes one float at
 * out + xi * vx for each xi.
 */
function inputTileScalar(src: usize, rs: usize, cs: usize, rows: i32, cols: i32, out: usize, vx: usize): void {
  const r0 = (rows & 1) != 0, r1 = (rows & 2) != 0, r2 = (rows & 4) != 0, r3 = (rows & 8) != 0;
  const c0 = (cols & 1) != 0, c1 = (cols & 2) != 0, c2 = (cols & 4) != 0, c3 = (cols & 8) != 0;
  const p0 = src, p1 = src + rs, p2 = src + 2 * rs, p3 = src + 3 * rs;
  transformPatch(
    loadIf(r0 && c0, p0), loadIf(r0 && c1, p0 + cs), loadIf(r0 && c2, p0 + 2 * cs), loadIf(r0 && c3, p0 + 3 * cs),
    loadIf(r1 && c0, p1), loadIf(r1 && c1, p1 + cs), loadIf(r1 && c2, p1 + 2 * cs), loadIf(r1 && c3, p1 + 3 * cs),
    loadIf(r2 && c0, p2), loadIf(r2 && c1, p2 + cs), loadIf(r2 && c2, p2 + 2 * cs), loadIf(r2 && c3, p2 + 3 * cs),
    loadIf(r3 && c0, p3), loadIf(r3 && c1, p3 + cs), loadIf(r3 && c2, p3 + 2 * cs), loadIf(r3 && c3, p3 + 3 * cs),
    out, vx);
}

/** Bit r set for r in 0..3 when start + r lies in [0, size). */
// @ts-ignore: decorator
@inline function presentMask(start: i32, size: i32): i32 {
  let m = 0;
  for (let r = 0; r < 4; r++) if (<u32>(start + r) < <u32>size) m |= 1 << r;
  return m;
}

/**
 * Channels-first input transform of tiles t0 .. t0+nt (kc channels from `x`, planes of IH x IW)
 * into V: block xi at v + xi * vx, 8-tile panels [ceil(nt/8)][kc][8]. Groups of 4 tiles in one
 * tile row read their 4 input rows directly (or a zero-padded copy of them at the image's left
 * and right edges); other groups go tile by tile.
 */
function inputChannelsFirst(
  x: usize, IH: i32, IW: i32, PH: i32, PW: i32, TW: i32, t0: i32, nt: i32, kc: i32,
  v: usize, vx: usize, stage: usize, zeros: usize,
): void {
  const planeBytes = <usize>IH * IW * 4;
  const rowBytes = <usize>IW * 4;
  const panelBytes = <usize>kc << 5;
  for (let q = 0; q < nt; q += 4) {
    const t = t0 + q;
    const th = t / TW, tw = t % TW;
    const h0 = 2 * th - PH, w0 = 2 * tw - PW;
    const out = v + <usize>(q >> 3) * panelBytes + (<usize>(q & 4) << 2);
    const rows = presentMask(h0, IH);
    if (ASC_FEATURE_SIMD) {
      if (tw + 4 <= TW) {
        // The group's tiles share input rows h0 .. h0+3 and columns w0 .. w0+9.
        const origin = x + <usize>h0 * rowBytes + (<usize>w0 << 2);
        if (w0 >= 0 && w0 + 10 <= IW) {
          for (let c = 0; c < kc; c++) {
            const base = origin + <usize>c * planeBytes;
            inputTiles4(
              rows & 1 ? base : zeros, rows & 2 ? base + rowBytes : zeros,
              rows & 4 ? base + 2 * rowBytes : zeros, rows & 8 ? base + 3 * rowBytes : zeros,
              out + (<usize>c << 5), vx);
          }
        } else {
          // Copy the present columns of each row into a zero-padded row of 12 floats.
          const first = max(0, -w0), last = min(10, IW - w0);
          for (let c = 0; c < kc; c++) {
            const base = origin + <usize>c * planeBytes;
            for (let r = 0; r < 4; r++) {
              if (!(rows & (1 << r))) continue;
              const dst = stage + <usize>r * 48, src = base + <usize>r * rowBytes;
              v128.store(dst, f32x4.splat(0)); v128.store(dst, f32x4.splat(0), 16); v128.store(dst, f32x4.splat(0), 32);
              for (let i = first; i < last; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
            }
            inputTiles4(
              rows & 1 ? stage : zeros, rows & 2 ? stage + 48 : zeros,
              rows & 4 ? stage + 96 : zeros, rows & 8 ? stage + 144 : zeros,
              out + (<usize>c << 5), vx);
          }
        }
        continue;
      }
    }
    // Tile by tile (the scalar build, or a group that wraps to the next tile row).
    for (let j = 0; j < 4; j++) {
      const o = out + (<usize>j << 2);
      if (q + j >= nt) {
        for (let c = 0; c < kc; c++) {
          for (let xi = 0; xi < 16; xi++) store<f32>(o + (<usize>c << 5) + <usize>xi * vx, 0);
        }
        continue;
      }
      const tj = t + j;
      const hj = 2 * (tj / TW) - PH, wj = 2 * (tj % TW) - PW;
      const rj = presentMask(hj, IH), cj = presentMask(wj, IW);
      const src = x + <usize>hj * rowBytes + (<usize>wj << 2);
      for (let c = 0; c < kc; c++) {
        inputTileScalar(src + <usize>c * planeBytes, rowBytes, 4, rj, cj, o + (<usize>c << 5), vx);
      }
    }
  }
  // The GEMMs read whole 8-tile panels: zero the second half of a last panel no group wrote
  // (left over from earlier calls, it could hold subnormals, which slow the arithmetic).
  if ((nt & 7) != 0 && (nt & 7) <= 4) {
    const half = v + <usize>(nt >> 3) * panelBytes + 16;
    for (let xi = 0; xi < 16; xi++) {
      const p = half + <usize>xi * vx;
      for (let c = 0; c < kc; c++) {
        store<u64>(p + (<usize>c << 5), 0); store<u64>(p + (<usize>c << 5), 0, 8);
      }
    }
  }
}

/**
 * Channels-last input transform of tiles t0 .. t0+nt (kc channels from `x`: pixels of C floats)
 * into V: block xi at v + xi * vx, 4-tile panels [ceil(nt/4)][kc][4]. A table of 16 pixel
 * addresses per tile (the zero area for pixels outside the image or tiles past nt) serves all
 * channels; 4 channels at a time are transformed per tile, then transposed to 4 tiles a channel.
 */
function inputChannelsLast(
  x: usize, C: i32, IH: i32, IW: i32, PH: i32, PW: i32, TW: i32, t0: i32, nt: i32, kc: i32,
  v: usize, vx: usize, stage: usize, table: usize, zeros: usize,
): void {
  const pixelBytes = <usize>C << 2;
  for (let q = 0; q < nt; q += 4) {
    for (let j = 0; j < 4; j++) {
      const tj = t0 + q + j;
      const hj = 2 * (tj / TW) - PH, wj = 2 * (tj % TW) - PW;
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          const h = hj + r, w = wj + c;
          const inside = q + j < nt && <u32>h < <u32>IH && <u32>w < <u32>IW;
          store<u32>(table + (<usize>(j * 16 + r * 4 + c) << 2),
            <u32>(inside ? x + <usize>(h * IW + w) * pixelBytes : zeros));
        }
      }
    }
    const out = v + <usize>(q >> 2) * (<usize>kc << 4);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 4 <= kc; c += 4) {
        const off = <usize>c << 2;
        // Per tile: 4 channels of each of the 16 transformed values, to stage[xi][tile].
        for (let j = 0; j < 4; j++) {
          const r0 = table + (<usize>j << 6), r1 = r0 + 16, r2 = r0 + 32, r3 = r0 + 48;
          const s = stage + (<usize>j << 4);
          tableRowSub(r0, r2, off, s, 64);
          tableRowAdd(r1, r2, off, s + 256, 64);
          tableRowSub(r2, r1, off, s + 512, 64);
          tableRowSub(r1, r3, off, s + 768, 64);
        }
        // Transpose each xi's 4 tiles x 4 channels into 4 channels x 4 tiles.
        const dst = out + (<usize>c << 4);
        for (let xi = 0; xi < 16; xi++) {
          const s = stage + (<usize>xi << 6);
          const a = v128.load(s), b = v128.load(s, 16), e = v128.load(s, 32), f = v128.load(s, 48);
          const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
          const ef0 = v128.shuffle<f32>(e, f, 0, 4, 1, 5), ef1 = v128.shuffle<f32>(e, f, 2, 6, 3, 7);
          const o = dst + <usize>xi * vx;
          v128.store(o, v128.shuffle<f32>(ab0, ef0, 0, 1, 4, 5));
          v128.store(o, v128.shuffle<f32>(ab0, ef0, 2, 3, 6, 7), 16);
          v128.store(o, v128.shuffle<f32>(ab1, ef1, 0, 1, 4, 5), 32);
          v128.store(o, v128.shuffle<f32>(ab1, ef1, 2, 3, 6, 7), 48);
        }
      }
    }
    for (; c < kc; c++) {
      const off = <usize>c << 2;
      for (let j = 0; j < 4; j++) {
        const tb = table + (<usize>j << 6);
        inputTableScalar(tb, off, out + (<usize>c << 4) + (<usize>j << 2), vx);
      }
    }
  }
}

/** 4 channels (at byte offset `off`) of the pixel in column c of a patch row of the address table. */
// @ts-ignore: decorator
@inline function px(row: usize, c: i32, off: usize): v128 {
  return v128.load(<usize>load<u32>(row + (<usize>c << 2)) + off);
}

/** Transformed row t = row a + row b of a patch (address-table rows), 4 channels: out + j * step. */
// @ts-ignore: decorator
@inline function tableRowAdd(a: usize, b: usize, off: usize, out: usize, step: usize): void {
  columns4(
    f32x4.add(px(a, 0, off), px(b, 0, off)), f32x4.add(px(a, 1, off), px(b, 1, off)),
    f32x4.add(px(a, 2, off), px(b, 2, off)), f32x4.add(px(a, 3, off), px(b, 3, off)), out, step);
}

/** Transformed row t = row a - row b of a patch (address-table rows), 4 channels: out + j * step. */
// @ts-ignore: decorator
@inline function tableRowSub(a: usize, b: usize, off: usize, out: usize, step: usize): void {
  columns4(
    f32x4.sub(px(a, 0, off), px(b, 0, off)), f32x4.sub(px(a, 1, off), px(b, 1, off)),
    f32x4.sub(px(a, 2, off), px(b, 2, off)), f32x4.sub(px(a, 3, off), px(b, 3, off)), out, step);
}

/** The float at byte offset `off` from address-table entry e. */
// @ts-ignore: decorator
@inline function at(tb: usize, e: i32, off: usize): f32 {
  return load<f32>(<usize>load<u32>(tb + (<usize>e << 2)) + off);
}

/** Transforms one channel (byte offset `off`) of one tile through its 16-address table. */
function inputTableScalar(tb: usize, off: usize, out: usize, vx: usize): void {
  transformPatch(
    at(tb, 0, off), at(tb, 1, off), at(tb, 2, off), at(tb, 3, off), at(tb, 4, off), at(tb, 5, off),
    at(tb, 6, off), at(tb, 7, off), at(tb, 8, off), at(tb, 9, off), at(tb, 10, off), at(tb, 11, off),
    at(tb, 12, off), at(tb, 13, off), at(tb, 14, off), at(tb, 15, off), out, vx);
}

// ---------------------------------------------------------------------------------------------
// Output transform: Y = A^T M A, rows first: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 (m_i: row i of
// the 4x4 M), then y[a][0] = s_a0 + s_a1 + s_a2, y[a][1] = s_a1 - s_a2 - s_a3; then the bias and
// the activation.

/**
 * Output transform of 4 lanes (4 tiles of one channel, or 4 channels of one tile): M values at
 * p + xi * mx, bias `vb`; stores y00, y01, y10, y11 (4 lanes each) at dst, dst + 16, +32, +48.
 */
// @ts-ignore: decorator
@inline function outputLanes4(
  p: usize, mx: usize, vb: v128, act: bool, vlo: v128, vhi: v128, vs: v128, dst: usize,
): void {
  const s00 = f32x4.add(f32x4.add(v128.load(p), v128.load(p + 4 * mx)), v128.load(p + 8 * mx));
  const s01 = f32x4.add(f32x4.add(v128.load(p + mx), v128.load(p + 5 * mx)), v128.load(p + 9 * mx));
  const s02 = f32x4.add(f32x4.add(v128.load(p + 2 * mx), v128.load(p + 6 * mx)), v128.load(p + 10 * mx));
  const s03 = f32x4.add(f32x4.add(v128.load(p + 3 * mx), v128.load(p + 7 * mx)), v128.load(p + 11 * mx));
  const s10 = f32x4.sub(f32x4.sub(v128.load(p + 4 * mx), v128.load(p + 8 * mx)), v128.load(p + 12 * mx));
  const s11 = f32x4.sub(f32x4.sub(v128.load(p + 5 * mx), v128.load(p + 9 * mx)), v128.load(p + 13 * mx));
  const s12 = f32x4.sub(f32x4.sub(v128.load(p + 6 * mx), v128.load(p + 10 * mx)), v128.load(p + 14 * mx));
  const s13 = f32x4.sub(f32x4.sub(v128.load(p + 7 * mx), v128.load(p + 11 * mx)), v128.load(p + 15 * mx));
  let y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), vb);
  let y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), vb);
  let y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), vb);
  let y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), vb);
  if (act) {
    y00 = activate4(y00, vlo, vhi, vs); y01 = activate4(y01, vlo, vhi, vs);
    y10 = activate4(y10, vlo, vhi, vs); y11 = activate4(y11, vlo, vhi, vs);
  }
  v128.store(dst, y00); v128.store(dst, y01, 16); v128.store(dst, y10, 32); v128.store(dst, y11, 48);
}

/**
 * One tile and channel without SIMD: M values at p + xi * mx, bias b; stores the outputs at
 * (oh, ow) of the plane at `y` (row step `rowBytes`, column step `colBytes`) inside OH x OW.
 */
function outputTileScalar(
  p: usize, mx: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32,
  y: usize, rowBytes: usize, colBytes: usize, OH: i32, OW: i32, oh: i32, ow: i32,
): void {
  const s00 = load<f32>(p) + load<f32>(p + 4 * mx) + load<f32>(p + 8 * mx);
  const s01 = load<f32>(p + mx) + load<f32>(p + 5 * mx) + load<f32>(p + 9 * mx);
  const s02 = load<f32>(p + 2 * mx) + load<f32>(p + 6 * mx) + load<f32>(p + 10 * mx);
  const s03 = load<f32>(p + 3 * mx) + load<f32>(p + 7 * mx) + load<f32>(p + 11 * mx);
  const s10 = load<f32>(p + 4 * mx) - load<f32>(p + 8 * mx) - load<f32>(p + 12 * mx);
  const s11 = load<f32>(p + 5 * mx) - load<f32>(p + 9 * mx) - load<f32>(p + 13 * mx);
  const s12 = load<f32>(p + 6 * mx) - load<f32>(p + 10 * mx) - load<f32>(p + 14 * mx);
  const s13 = load<f32>(p + 7 * mx) - load<f32>(p + 11 * mx) - load<f32>(p + 15 * mx);
  let y00 = s00 + s01 + s02 + b, y01 = s01 - s02 - s03 + b;
  let y10 = s10 + s11 + s12 + b, y11 = s11 - s12 - s13 + b;
  if (act) {
    y00 = activate1(y00, lo, hi, slope); y01 = activate1(y01, lo, hi, slope);
    y10 = activate1(y10, lo, hi, slope); y11 = activate1(y11, lo, hi, slope);
  }
  storeTile(y + <usize>oh * rowBytes + <usize>ow * colBytes, rowBytes, colBytes, oh + 1 < OH, ow + 1 < OW, y00, y01, y10, y11);
}

/** Stores a tile's outputs at `o` (row step `rowBytes`, column step `colBytes`): the second row / column when present. */
// @ts-ignore: decorator
@inline function storeTile(
  o: usize, rowBytes: usize, colBytes: usize, down: bool, right: bool, y00: f32, y01: f32, y10: f32, y11: f32,
): void {
  store<f32>(o, y00);
  if (right) store<f32>(o + colBytes, y01);
  if (down) {
    store<f32>(o + rowBytes, y10);
    if (right) store<f32>(o + rowBytes + colBytes, y11);
  }
}

/**
 * Channels-first output transform of tiles t0 .. t0+nt: M block xi at m + xi * mx, [Kg][bt].
 * Output channel k of the group at y + k * OH * OW floats. Adds the bias (0 when `bias` is 0)
 * and applies the activation when `act`. `stage`: 64 bytes of scratch.
 */
function outputChannelsFirst(
  m: usize, mx: usize, bt: i32, y: usize, OH: i32, OW: i32, TW: i32, t0: i32, nt: i32, Kg: i32,
  bias: usize, act: bool, lo: f32, hi: f32, slope: f32, stage: usize,
): void {
  const planeBytes = <usize>OH * OW * 4;
  const rowBytes = <usize>OW * 4;
  for (let k = 0; k < Kg; k++) {
    const yk = y + <usize>k * planeBytes;
    const b: f32 = bias ? load<f32>(bias + (<usize>k << 2)) : 0;
    const mk = m + ((<usize>k * bt) << 2);
    if (ASC_FEATURE_SIMD) {
      const vb = f32x4.splat(b), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vs = f32x4.splat(slope);
      // Groups of 4 tiles (lanes); M holds bt >= nt rounded up to 4 columns, so all 4 are readable.
      for (let q = 0; q < nt; q += 4) {
        outputLanes4(mk + (<usize>q << 2), mx, vb, act, vlo, vhi, vs, stage);
        const t = t0 + q;
        const oh = 2 * (t / TW), ow = 2 * (t % TW);
        if (q + 4 <= nt && t % TW + 4 <= TW && ow + 8 <= OW && oh + 2 <= OH) {
          // 4 whole tiles in one tile row: interleave the columns of each output row.
          const o = yk + <usize>oh * rowBytes + (<usize>ow << 2);
          const y00 = v128.load(stage), y01 = v128.load(stage, 16), y10 = v128.load(stage, 32), y11 = v128.load(stage, 48);
          v128.store(o, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
          v128.store(o, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
          v128.store(o + rowBytes, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
          v128.store(o + rowBytes, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        } else {
          const count = min(4, nt - q);
          for (let j = 0; j < count; j++) {
            const tj = t + j;
            const ohj = 2 * (tj / TW), owj = 2 * (tj % TW);
            const s = stage + (<usize>j << 2);
            storeTile(yk + <usize>ohj * rowBytes + (<usize>owj << 2), rowBytes, 4, ohj + 1 < OH, owj + 1 < OW,
              load<f32>(s), load<f32>(s, 16), load<f32>(s, 32), load<f32>(s, 48));
          }
        }
      }
    } else {
      for (let q = 0; q < nt; q++) {
        const t = t0 + q;
        outputTileScalar(mk + (<usize>q << 2), mx, b, act, lo, hi, slope, yk, rowBytes, 4, OH, OW, 2 * (t / TW), 2 * (t % TW));
      }
    }
  }
}

/**
 * Channels-last output transform of tiles t0 .. t0+nt: M block xi at m + xi * mx, [bt][Kg].
 * Output pixels of K floats; the group's first channel at `y` (image origin). Bias and
 * activation as in `outputChannelsFirst`; `stage`: 64 bytes of scratch.
 */
function outputChannelsLast(
  m: usize, mx: usize, y: usize, K: i32, OH: i32, OW: i32, TW: i32, t0: i32, nt: i32, Kg: i32,
  bias: usize, act: bool, lo: f32, hi: f32, slope: f32, stage: usize,
): void {
  const colBytes = <usize>K << 2;
  const rowBytes = <usize>OW * colBytes;
  for (let q = 0; q < nt; q++) {
    const t = t0 + q;
    const oh = 2 * (t / TW), ow = 2 * (t % TW);
    const down = oh + 1 < OH, right = ow + 1 < OW;
    const o = y + <usize>oh * rowBytes + <usize>ow * colBytes;
    const mq = m + ((<usize>q * Kg) << 2);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vs = f32x4.splat(slope);
      // 4 channels a step (lanes).
      for (; k + 4 <= Kg; k += 4) {
        const vb = bias ? v128.load(bias + (<usize>k << 2)) : f32x4.splat(0);
        outputLanes4(mq + (<usize>k << 2), mx, vb, act, vlo, vhi, vs, stage);
        const ok = o + (<usize>k << 2);
        v128.store(ok, v128.load(stage));
        if (right) v128.store(ok + colBytes, v128.load(stage, 16));
        if (down) {
          v128.store(ok + rowBytes, v128.load(stage, 32));
          if (right) v128.store(ok + rowBytes + colBytes, v128.load(stage, 48));
        }
      }
    }
    for (; k < Kg; k++) {
      const b: f32 = bias ? load<f32>(bias + (<usize>k << 2)) : 0;
      outputTileScalar(mq + (<usize>k << 2), mx, b, act, lo, hi, slope,
        y + (<usize>k << 2), rowBytes, colBytes, OH, OW, oh, ow);
    }
  }
}
