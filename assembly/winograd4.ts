/**
 * Winograd F(4x4, 3x3) for 2-D 3x3 convolutions with stride 1 and dilation 1: the larger-tile
 * sibling of winograd.ts (F(2x2, 3x3)), with the same descriptor contract, work items and
 * weight panel layout, except:
 *  - Tiles are 4x4 outputs computed from the 6x6 input patch under them:
 *      Y = A^T [ sum_c (G g G^T) ⊙ (B^T d B) ] A
 *    with the interpolation points 0, 1, -1, 2, -2 and infinity (Lavin & Gray):
 *      B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 *      G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
 *      A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
 *    36 multiply-adds per tile and channel pair instead of 144 (F(2x2): 16 instead of 36), as 36
 *    GEMMs U_xi [Kg x Cg] * V_xi [Cg x tiles], xi = 6i + j.
 *  - TH = ceil(OH / 4) rows of TW = ceil(OW / 4) tiles; tile (th, tw) writes outputs
 *    (4th + a, 4tw + b), a, b in 0..3, those inside the output, from input rows 4th - PadH .. +5
 *    and columns 4tw - PadW .. +5.
 *  - Weights: 36 blocks U_xi per group (src/algorithms/winograd.ts `packWinogradWeights` with tile 4).
 *  - Workspace (`winograd4ConvWorkspaceBytes`): V, the 36 transformed input blocks; M, the 36 GEMM
 *    results (layouts as in winograd.ts); 128 bytes of GEMM tile scratch; 4 KiB of transform
 *    scratch; a 576-byte table; zeros (max(BlockK, 24) floats + 16 bytes), filled on entry.
 */
import { Slot, TILE_ROWS, TILE_COLS } from './descriptor';
import { field, fieldF, align16, roundUp } from './fields';
import { gemm, ACCUMULATE } from './gemm';
import { madd, activate4, activate1 } from './simd';

const STAGE_BYTES: usize = 4096;
const TABLE_BYTES: usize = 576;
/** Parts of the transform scratch: per-xi rows of 4 lanes (36 x 64 bytes), combined rows, padded input rows. */
const STAGE_ROWS: usize = 2304;
const STAGE_EDGE: usize = 2880;

/** Tiles of the output grid: ceil(OH / 4) * ceil(OW / 4). */
// @ts-ignore: decorator
@inline function tileCount(d: usize): i32 {
  return ((field(d, Slot.OutH) + 3) >> 2) * ((field(d, Slot.OutW) + 3) >> 2);
}

/** Bytes of workspace `winograd4Conv` needs for the descriptor at `d`. */
export function winograd4ConvWorkspaceBytes(d: usize): usize {
  const bt = <usize>roundUp(field(d, Slot.BlockTiles), TILE_COLS);
  const bk = <usize>field(d, Slot.BlockK);
  const Kg = <usize>(field(d, Slot.OutChannels) / field(d, Slot.Groups));
  return align16(36 * bt * bk * 4) + align16(36 * bt * Kg * 4) + 128 + STAGE_BYTES + TABLE_BYTES
    + align16(max<usize>(bk, 24) * 4 + 16);
}

/** Work items of `winograd4Conv`: one per image, group and block of BlockTiles tiles. */
export function winograd4ConvItems(d: usize): i32 {
  const bt = roundUp(field(d, Slot.BlockTiles), TILE_COLS);
  return field(d, Slot.Batch) * field(d, Slot.Groups) * ((tileCount(d) + bt - 1) / bt);
}

/** Computes the 3x3, stride-1 convolution the descriptor at `d` describes (see the contract above). */
export function winograd4Conv(d: usize): void {
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
  const TW = (OW + 3) >> 2;
  const T = tileCount(d);
  const blocks = (T + bt - 1) / bt;
  const inPlane = <usize>IH * IW, outPlane = <usize>OH * OW;
  // Workspace parts.
  const vx = <usize>bt * bk * 4, mx = <usize>bt * Kg * 4;
  const V = <usize>field(d, Slot.Workspace);
  const M = V + align16(36 * vx);
  const scratch = M + align16(36 * mx);
  const stage = scratch + 128;
  const table = stage + STAGE_BYTES;
  const zeros = table + TABLE_BYTES;
  memory.fill(zeros, 0, <usize>max(bk, 24) * 4 + 16);
  // Packed weights: 36 blocks of Kp x Cg per group.
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
    const wg = w + <usize>g * 36 * ux;
    for (let k0 = 0; k0 < Cg; k0 += bk) {
      const kc = min(bk, Cg - k0);
      const flags = k0 == 0 ? 0 : ACCUMULATE;
      if (!channelsLast) {
        const xg = x + ((<usize>(n * C + g * Cg + k0) * inPlane) << 2);
        inputChannelsFirst(xg, IH, IW, PH, PW, TW, t0, nt, kc, V, vx, stage, table, zeros);
        for (let xi = 0; xi < 36; xi++) {
          gemm(Kg, np, kc, wg + <usize>xi * ux + (<usize>k0 << 4), <usize>Cg << 4,
            V + <usize>xi * vx, <usize>kc << 5, M + <usize>xi * mx, bt, flags, 0, 0, 0, 0, scratch, true);
        }
      } else {
        const xg = x + ((<usize>n * inPlane * C + g * Cg + k0) << 2);
        inputChannelsLast(xg, C, IH, IW, PH, PW, TW, t0, nt, kc, V, vx, stage, table, zeros);
        for (let xi = 0; xi < 36; xi++) {
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
// Input transform V = B^T d B: the 6-point combination below along the patch's columns (rows of
// the patch combined), then along its rows.

/** The B^T combination of six vectors; output i at out + i * step. */
// @ts-ignore: decorator
@inline function inputCombine(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, step: usize): void {
  const t = madd(d2, f32x4.splat(-4), d4), s = madd(d1, f32x4.splat(-4), d3);
  const u = f32x4.sub(d4, d2), e = f32x4.sub(d3, d1);
  v128.store(out, madd(d0, f32x4.splat(4), madd(d2, f32x4.splat(-5), d4)));
  v128.store(out + step, f32x4.add(t, s));
  v128.store(out + 2 * step, f32x4.sub(t, s));
  v128.store(out + 3 * step, madd(e, f32x4.splat(2), u));
  v128.store(out + 4 * step, madd(e, f32x4.splat(-2), u));
  v128.store(out + 5 * step, madd(d1, f32x4.splat(4), madd(d3, f32x4.splat(-5), d5)));
}

/** `inputCombine` on single floats. */
// @ts-ignore: decorator
@inline function inputCombine1(d0: f32, d1: f32, d2: f32, d3: f32, d4: f32, d5: f32, out: usize, step: usize): void {
  const t = d4 - 4 * d2, s = d3 - 4 * d1, u = d4 - d2, e = d3 - d1;
  store<f32>(out, 4 * d0 - 5 * d2 + d4);
  store<f32>(out + step, t + s);
  store<f32>(out + 2 * step, t - s);
  store<f32>(out + 3 * step, u + 2 * e);
  store<f32>(out + 4 * step, u - 2 * e);
  store<f32>(out + 5 * step, 4 * d1 - 5 * d3 + d5);
}

/**
 * 4 horizontally adjacent tiles of one channel from 6 input rows (r_k: the first of the 18
 * columns the tiles read, each readable for 18 floats): rows combined on 4-column vectors into
 * `rows` (6 x 5 vectors), then each combined row transposed to lanes = tiles and combined along
 * its columns into the 36 blocks (out + xi * vx).
 */
function inputTiles4(
  r0: usize, r1: usize, r2: usize, r3: usize, r4: usize, r5: usize, out: usize, vx: usize, rows: usize,
): void {
  inputCombine(v128.load(r0), v128.load(r1), v128.load(r2), v128.load(r3), v128.load(r4), v128.load(r5), rows, 80);
  inputCombine(v128.load(r0, 16), v128.load(r1, 16), v128.load(r2, 16), v128.load(r3, 16), v128.load(r4, 16), v128.load(r5, 16), rows + 16, 80);
  inputCombine(v128.load(r0, 32), v128.load(r1, 32), v128.load(r2, 32), v128.load(r3, 32), v128.load(r4, 32), v128.load(r5, 32), rows + 32, 80);
  inputCombine(v128.load(r0, 48), v128.load(r1, 48), v128.load(r2, 48), v128.load(r3, 48), v128.load(r4, 48), v128.load(r5, 48), rows + 48, 80);
  inputCombine(v128.load(r0, 56), v128.load(r1, 56), v128.load(r2, 56), v128.load(r3, 56), v128.load(r4, 56), v128.load(r5, 56), rows + 64, 80);
  for (let i = 0; i < 6; i++) {
    const p = rows + <usize>i * 80;
    // Columns 0..15 transposed: c_j = column j of each tile; column 4, 5 of each tile from the
    // vector of columns 14..17.
    const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48), v4 = v128.load(p, 64);
    const a = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), b = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const c = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), e = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    const c0 = v128.shuffle<f32>(a, c, 0, 1, 4, 5), c1 = v128.shuffle<f32>(a, c, 2, 3, 6, 7);
    const c2 = v128.shuffle<f32>(b, e, 0, 1, 4, 5), c3 = v128.shuffle<f32>(b, e, 2, 3, 6, 7);
    const c4 = v128.shuffle<f32>(c0, v4, 1, 2, 3, 6), c5 = v128.shuffle<f32>(c1, v4, 1, 2, 3, 7);
    inputCombine(c0, c1, c2, c3, c4, c5, out + <usize>(6 * i) * vx, vx);
  }
}

/**
 * 4 tiles of one channel gathered to lanes: patch value (r, c) of the 4 tiles at
 * lanes + (6r + c) * 16. Rows combined into `rows` (36 vectors), then columns into the 36 blocks.
 */
function inputLanes4(lanes: usize, out: usize, vx: usize, rows: usize): void {
  for (let c = 0; c < 6; c++) {
    const p = lanes + (<usize>c << 4);
    inputCombine(v128.load(p), v128.load(p, 96), v128.load(p, 192), v128.load(p, 288), v128.load(p, 384), v128.load(p, 480),
      rows + (<usize>c << 4), 96);
  }
  for (let i = 0; i < 6; i++) {
    const p = rows + <usize>i * 96;
    inputCombine(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), v128.load(p, 64), v128.load(p, 80),
      out + <usize>(6 * i) * vx, vx);
  }
}

/** One tile of one channel without SIMD: patch value (r, c) at patch + (6r + c) * 4; one float at out + xi * vx. */
function inputPatch1(patch: usize, out: usize, vx: usize, rows: usize): void {
  for (let c = 0; c < 6; c++) {
    const p = patch + (<usize>c << 2);
    inputCombine1(load<f32>(p), load<f32>(p, 24), load<f32>(p, 48), load<f32>(p, 72), load<f32>(p, 96), load<f32>(p, 120),
      rows + (<usize>c << 2), 24);
  }
  for (let i = 0; i < 6; i++) {
    const p = rows + <usize>i * 24;
    inputCombine1(load<f32>(p), load<f32>(p, 4), load<f32>(p, 8), load<f32>(p, 12), load<f32>(p, 16), load<f32>(p, 20),
      out + <usize>(6 * i) * vx, vx);
  }
}

/** Bit r set for r in 0..5 when start + r lies in [0, size). */
// @ts-ignore: decorator
@inline function presentMask(start: i32, size: i32): i32 {
  let m = 0;
  for (let r = 0; r < 6; r++) if (<u32>(start + r) < <u32>size) m |= 1 << r;
  return m;
}

/**
 * Copies the 6x6 patch of one channel at `src` (row step `rs` bytes, columns adjacent; row r
 * present when bit r of `rowMask` is set, column c when bit c of `colMask` is; absent values
 * are zero and never read) to dst + (6r + c) * step.
 */
function gatherPatch(src: usize, rs: usize, rowMask: i32, colMask: i32, dst: usize, step: usize): void {
  for (let r = 0; r < 6; r++) {
    const row = src + <usize>r * rs, o = dst + <usize>(6 * r) * step;
    const present = (rowMask >> r) & 1 ? colMask : 0;
    for (let c = 0; c < 6; c++) {
      store<f32>(o + <usize>c * step, (present >> c) & 1 ? load<f32>(row + (<usize>c << 2)) : 0);
    }
  }
}

/**
 * Channels-first input transform of tiles t0 .. t0+nt (kc channels from `x`, planes of IH x IW)
 * into V: block xi at v + xi * vx, 8-tile panels [ceil(nt/8)][kc][8]. Groups of 4 tiles in one
 * tile row read their 6 input rows directly (or a zero-padded copy of them at the image's left
 * and right edges); other groups gather each tile's patch.
 */
function inputChannelsFirst(
  x: usize, IH: i32, IW: i32, PH: i32, PW: i32, TW: i32, t0: i32, nt: i32, kc: i32,
  v: usize, vx: usize, stage: usize, table: usize, zeros: usize,
): void {
  const planeBytes = <usize>IH * IW * 4;
  const rowBytes = <usize>IW * 4;
  const panelBytes = <usize>kc << 5;
  const rowsStage = stage + STAGE_ROWS, edge = stage + STAGE_EDGE;
  for (let q = 0; q < nt; q += 4) {
    const t = t0 + q;
    const th = t / TW, tw = t % TW;
    const h0 = 4 * th - PH, w0 = 4 * tw - PW;
    const out = v + <usize>(q >> 3) * panelBytes + (<usize>(q & 4) << 2);
    if (ASC_FEATURE_SIMD) {
      if (q + 4 <= nt && tw + 4 <= TW) {
        // The group's tiles share input rows h0 .. h0+5 and columns w0 .. w0+17.
        const rows = presentMask(h0, IH);
        const origin = x + <usize>h0 * rowBytes + (<usize>w0 << 2);
        if (w0 >= 0 && w0 + 18 <= IW) {
          for (let c = 0; c < kc; c++) {
            const base = origin + <usize>c * planeBytes;
            inputTiles4(
              rows & 1 ? base : zeros, rows & 2 ? base + rowBytes : zeros, rows & 4 ? base + 2 * rowBytes : zeros,
              rows & 8 ? base + 3 * rowBytes : zeros, rows & 16 ? base + 4 * rowBytes : zeros,
              rows & 32 ? base + 5 * rowBytes : zeros, out + (<usize>c << 5), vx, rowsStage);
          }
        } else {
          // Copy the present columns of each row into a zero-padded row of 20 floats.
          const first = max(0, -w0), last = min(18, IW - w0);
          for (let c = 0; c < kc; c++) {
            const base = origin + <usize>c * planeBytes;
            for (let r = 0; r < 6; r++) {
              if (!(rows & (1 << r))) continue;
              const dst = edge + <usize>r * 80, src = base + <usize>r * rowBytes;
              const z = f32x4.splat(0);
              v128.store(dst, z); v128.store(dst, z, 16); v128.store(dst, z, 32); v128.store(dst, z, 48); v128.store(dst, z, 64);
              for (let i = first; i < last; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
            }
            inputTiles4(
              rows & 1 ? edge : zeros, rows & 2 ? edge + 80 : zeros, rows & 4 ? edge + 160 : zeros,
              rows & 8 ? edge + 240 : zeros, rows & 16 ? edge + 320 : zeros,
              rows & 32 ? edge + 400 : zeros, out + (<usize>c << 5), vx, rowsStage);
          }
        }
        continue;
      }
    }
    // Tile by tile: each tile's patch origin and masks in the table (a tile past nt: no rows).
    for (let j = 0; j < 4; j++) {
      const tj = t + j;
      const hj = 4 * (tj / TW) - PH, wj = 4 * (tj % TW) - PW;
      const e = table + (<usize>j * 12);
      store<u32>(e, <u32>(x + <usize>hj * rowBytes + (<usize>wj << 2)));
      store<i32>(e, q + j < nt ? presentMask(hj, IH) : 0, 4);
      store<i32>(e, presentMask(wj, IW), 8);
    }
    for (let c = 0; c < kc; c++) {
      const o = out + (<usize>c << 5);
      const plane = <usize>c * planeBytes;
      if (ASC_FEATURE_SIMD) {
        for (let j = 0; j < 4; j++) {
          const e = table + (<usize>j * 12);
          gatherPatch(<usize>load<u32>(e) + plane, rowBytes, load<i32>(e, 4), load<i32>(e, 8), stage + (<usize>j << 2), 16);
        }
        inputLanes4(stage, o, vx, rowsStage);
      } else {
        for (let j = 0; j < 4; j++) {
          const e = table + (<usize>j * 12);
          gatherPatch(<usize>load<u32>(e) + plane, rowBytes, load<i32>(e, 4), load<i32>(e, 8), stage, 4);
          inputPatch1(stage, o + (<usize>j << 2), vx, rowsStage);
        }
      }
    }
  }
  // The GEMMs read whole 8-tile panels: zero the second half of a last panel no group wrote
  // (left over from earlier calls, it could hold subnormals, which slow the arithmetic).
  if ((nt & 7) != 0 && (nt & 7) <= 4) {
    const half = v + <usize>(nt >> 3) * panelBytes + 16;
    for (let xi = 0; xi < 36; xi++) {
      const p = half + <usize>xi * vx;
      for (let c = 0; c < kc; c++) {
        store<u64>(p + (<usize>c << 5), 0); store<u64>(p + (<usize>c << 5), 0, 8);
      }
    }
  }
}

/** 4 channels (at byte offset `off`) of the pixel in column c of a row of the address table. */
// @ts-ignore: decorator
@inline function px(row: usize, c: i32, off: usize): v128 {
  return v128.load(<usize>load<u32>(row + (<usize>c << 2)) + off);
}

/**
 * Channels-last input transform of tiles t0 .. t0+nt (kc channels from `x`: pixels of C floats)
 * into V: block xi at v + xi * vx, 4-tile panels [ceil(nt/4)][kc][4]. A table of 36 pixel
 * addresses per tile (the zero area for pixels outside the image or tiles past nt) serves all
 * channels; 4 channels at a time are transformed per tile, then transposed to 4 tiles a channel.
 */
function inputChannelsLast(
  x: usize, C: i32, IH: i32, IW: i32, PH: i32, PW: i32, TW: i32, t0: i32, nt: i32, kc: i32,
  v: usize, vx: usize, stage: usize, table: usize, zeros: usize,
): void {
  const pixelBytes = <usize>C << 2;
  const rowsStage = stage + STAGE_ROWS;
  for (let q = 0; q < nt; q += 4) {
    for (let j = 0; j < 4; j++) {
      const tj = t0 + q + j;
      const hj = 4 * (tj / TW) - PH, wj = 4 * (tj % TW) - PW;
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 6; c++) {
          const h = hj + r, w = wj + c;
          const inside = q + j < nt && <u32>h < <u32>IH && <u32>w < <u32>IW;
          store<u32>(table + (<usize>(j * 36 + r * 6 + c) << 2),
            <u32>(inside ? x + <usize>(h * IW + w) * pixelBytes : zeros));
        }
      }
    }
    const out = v + <usize>(q >> 2) * (<usize>kc << 4);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 4 <= kc; c += 4) {
        const off = <usize>c << 2;
        // Per tile: 4 channels of each of the 36 transformed values, to stage[xi][tile].
        for (let j = 0; j < 4; j++) {
          const tb = table + <usize>j * 144;
          for (let col = 0; col < 6; col++) {
            inputCombine(px(tb, col, off), px(tb + 24, col, off), px(tb + 48, col, off), px(tb + 72, col, off),
              px(tb + 96, col, off), px(tb + 120, col, off), rowsStage + (<usize>col << 4), 96);
          }
          for (let i = 0; i < 6; i++) {
            const p = rowsStage + <usize>i * 96;
            inputCombine(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), v128.load(p, 64), v128.load(p, 80),
              stage + <usize>(6 * i) * 64 + (<usize>j << 4), 64);
          }
        }
        // Transpose each xi's 4 tiles x 4 channels into 4 channels x 4 tiles.
        const dst = out + (<usize>c << 4);
        for (let xi = 0; xi < 36; xi++) {
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
        const tb = table + <usize>j * 144;
        for (let e = 0; e < 36; e++) {
          store<f32>(stage + (<usize>e << 2), load<f32>(<usize>load<u32>(tb + (<usize>e << 2)) + off));
        }
        inputPatch1(stage, out + (<usize>c << 4) + (<usize>j << 2), vx, rowsStage);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output transform Y = A^T M A: the 6-to-4 combination below along M's columns, then its rows;
// then the bias and the activation.

/** The A^T combination of six vectors; output a at out + a * step. */
// @ts-ignore: decorator
@inline function outputCombine(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, step: usize): void {
  const p12 = f32x4.add(m1, m2), n12 = f32x4.sub(m1, m2), p34 = f32x4.add(m3, m4), n34 = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, p12), p34));
  v128.store(out + step, madd(n34, f32x4.splat(2), n12));
  v128.store(out + 2 * step, madd(p34, f32x4.splat(4), p12));
  v128.store(out + 3 * step, f32x4.add(madd(n34, f32x4.splat(8), n12), m5));
}

/** `outputCombine` on single floats. */
// @ts-ignore: decorator
@inline function outputCombine1(m0: f32, m1: f32, m2: f32, m3: f32, m4: f32, m5: f32, out: usize, step: usize): void {
  const p12 = m1 + m2, n12 = m1 - m2, p34 = m3 + m4, n34 = m3 - m4;
  store<f32>(out, m0 + p12 + p34);
  store<f32>(out + step, n12 + 2 * n34);
  store<f32>(out + 2 * step, p12 + 4 * p34);
  store<f32>(out + 3 * step, n12 + 8 * n34 + m5);
}

/**
 * Output transform of 4 lanes (4 tiles of one channel, or 4 channels of one tile): M values at
 * p + xi * mx, bias `vb`; stores y[a][b] (4 lanes) at stage + (4a + b) * 16 and uses
 * stage + 256 .. +640 for the combined columns.
 */
function outputLanes4(p: usize, mx: usize, vb: v128, act: bool, vlo: v128, vhi: v128, vs: v128, stage: usize): void {
  const cols = stage + 256;
  for (let j = 0; j < 6; j++) {
    const pj = p + <usize>j * mx;
    outputCombine(v128.load(pj), v128.load(pj + 6 * mx), v128.load(pj + 12 * mx), v128.load(pj + 18 * mx),
      v128.load(pj + 24 * mx), v128.load(pj + 30 * mx), cols + (<usize>j << 4), 96);
  }
  for (let a = 0; a < 4; a++) {
    const s = cols + <usize>a * 96;
    const o = stage + (<usize>a << 6);
    outputCombine(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80), o, 16);
    for (let b = 0; b < 4; b++) {
      let yv = f32x4.add(v128.load(o + (<usize>b << 4)), vb);
      if (act) yv = activate4(yv, vlo, vhi, vs);
      v128.store(o + (<usize>b << 4), yv);
    }
  }
}

/**
 * One tile and channel without SIMD: M values at p + xi * mx, bias b; stores the outputs at
 * (oh + a, ow + b) inside OH x OW of the plane at `y` (row step `rowBytes`, column step
 * `colBytes`). `stage`: 160 bytes of scratch.
 */
function outputTile1(
  p: usize, mx: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32,
  y: usize, rowBytes: usize, colBytes: usize, OH: i32, OW: i32, oh: i32, ow: i32, stage: usize,
): void {
  for (let j = 0; j < 6; j++) {
    const pj = p + <usize>j * mx;
    outputCombine1(load<f32>(pj), load<f32>(pj + 6 * mx), load<f32>(pj + 12 * mx), load<f32>(pj + 18 * mx),
      load<f32>(pj + 24 * mx), load<f32>(pj + 30 * mx), stage + (<usize>j << 2), 24);
  }
  const rows = min(4, OH - oh), cols = min(4, OW - ow);
  for (let a = 0; a < rows; a++) {
    const s = stage + <usize>a * 24, o = stage + 96;
    outputCombine1(load<f32>(s), load<f32>(s, 4), load<f32>(s, 8), load<f32>(s, 12), load<f32>(s, 16), load<f32>(s, 20), o, 4);
    const dst = y + <usize>(oh + a) * rowBytes + <usize>ow * colBytes;
    for (let c = 0; c < cols; c++) {
      let v = load<f32>(o + (<usize>c << 2)) + b;
      if (act) v = activate1(v, lo, hi, slope);
      store<f32>(dst + <usize>c * colBytes, v);
    }
  }
}

/**
 * Channels-first output transform of tiles t0 .. t0+nt: M block xi at m + xi * mx, [Kg][bt].
 * Output channel k of the group at y + k * OH * OW floats. Adds the bias (0 when `bias` is 0)
 * and applies the activation when `act`. `stage`: 640 bytes of scratch.
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
      // Groups of 4 tiles (lanes); M holds bt >= nt rounded up to 8 columns, so all 4 are readable.
      for (let q = 0; q < nt; q += 4) {
        outputLanes4(mk + (<usize>q << 2), mx, vb, act, vlo, vhi, vs, stage);
        const t = t0 + q;
        const oh = 4 * (t / TW), ow = 4 * (t % TW);
        if (q + 4 <= nt && t % TW + 4 <= TW && ow + 16 <= OW && oh + 4 <= OH) {
          // 4 whole tiles in one tile row: transpose each output row from lanes = tiles.
          for (let a = 0; a < 4; a++) {
            const s = stage + (<usize>a << 6);
            const o = yk + <usize>(oh + a) * rowBytes + (<usize>ow << 2);
            const v0 = v128.load(s), v1 = v128.load(s, 16), v2 = v128.load(s, 32), v3 = v128.load(s, 48);
            const p0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), p1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
            const p2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), p3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
            v128.store(o, v128.shuffle<f32>(p0, p2, 0, 1, 4, 5));
            v128.store(o, v128.shuffle<f32>(p0, p2, 2, 3, 6, 7), 16);
            v128.store(o, v128.shuffle<f32>(p1, p3, 0, 1, 4, 5), 32);
            v128.store(o, v128.shuffle<f32>(p1, p3, 2, 3, 6, 7), 48);
          }
        } else {
          const count = min(4, nt - q);
          for (let j = 0; j < count; j++) {
            const tj = t + j;
            const ohj = 4 * (tj / TW), owj = 4 * (tj % TW);
            const rows = min(4, OH - ohj), cols = min(4, OW - owj);
            const s = stage + (<usize>j << 2);
            for (let a = 0; a < rows; a++) {
              const o = yk + <usize>(ohj + a) * rowBytes + (<usize>owj << 2);
              for (let c = 0; c < cols; c++) store<f32>(o + (<usize>c << 2), load<f32>(s + (<usize>(4 * a + c) << 4)));
            }
          }
        }
      }
    } else {
      for (let q = 0; q < nt; q++) {
        const t = t0 + q;
        outputTile1(mk + (<usize>q << 2), mx, b, act, lo, hi, slope, yk, rowBytes, 4, OH, OW, 4 * (t / TW), 4 * (t % TW), stage);
      }
    }
  }
}

/**
 * Channels-last output transform of tiles t0 .. t0+nt: M block xi at m + xi * mx, [bt][Kg].
 * Output pixels of K floats; the group's first channel at `y` (image origin). Bias and
 * activation as in `outputChannelsFirst`; `stage`: 640 bytes of scratch.
 */
function outputChannelsLast(
  m: usize, mx: usize, y: usize, K: i32, OH: i32, OW: i32, TW: i32, t0: i32, nt: i32, Kg: i32,
  bias: usize, act: bool, lo: f32, hi: f32, slope: f32, stage: usize,
): void {
  const colBytes = <usize>K << 2;
  const rowBytes = <usize>OW * colBytes;
  for (let q = 0; q < nt; q++) {
    const t = t0 + q;
    const oh = 4 * (t / TW), ow = 4 * (t % TW);
    const rows = min(4, OH - oh), cols = min(4, OW - ow);
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
        for (let a = 0; a < rows; a++) {
          for (let c = 0; c < cols; c++) {
            v128.store(ok + <usize>a * rowBytes + <usize>c * colBytes, v128.load(stage + (<usize>(4 * a + c) << 4)));
          }
        }
      }
    }
    for (; k < Kg; k++) {
      const b: f32 = bias ? load<f32>(bias + (<usize>k << 2)) : 0;
      outputTile1(mq + (<usize>k << 2), mx, b, act, lo, hi, slope,
        y + (<usize>k << 2), rowBytes, colBytes, OH, OW, oh, ow, stage);
    }
  }
}
