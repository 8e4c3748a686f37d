/**
 * Convolution drivers: one call computes a whole convolution described by a descriptor
 * (see descriptor.ts), block by block, through the packed GEMM.
 *
 * Forward convolution is GEMM over im2col blocks:
 *  - channels-first: C = Y[Kg x P] (rows: output channels of a group, columns: output pixels),
 *    A = weights packed once (4-row panels of K = Cg*KD*KH*KW), B = packed input columns;
 *  - channels-last: C = Y[P x Kg] (rows: pixels, columns: output channels, row stride K),
 *    A = packed input rows (k = tap * Cg + c), B = weights packed once (8-column panels).
 * Transposed convolution is GEMM into a column tile followed by col2im (scatter-add):
 *  - channels-first: col[(m, tap) x pixels] = W^T * X, then Y[m, o] += col;
 *  - channels-last: col[pixels x (tap, m)] = X * W, then Y[o, m] += col.
 *
 * Workspace (one block, 16-byte aligned; `gemmConvWorkspaceBytes` / `transposedConvWorkspaceBytes`
 * give its size): packed operand
 * (BlockK * BlockP floats), pixel coordinates (16 bytes per pixel), a 128-byte tile scratch,
 * zeros (min(KW * Cg, BlockK) floats read for padding pixels by the channels-last packing,
 * filled on entry), and for transposed convolution a column tile. Its contents on entry do not matter.
 * Kernels write only Y and the workspace; they may read up to 64 bytes past an input row.
 */
import { Slot, TILE_ROWS, TILE_COLS } from './descriptor';
import { field, fieldF, align16, roundUp } from './fields';
import { gemm, ACCUMULATE, BIAS_ROW, BIAS_COL, ACTIVATE } from './gemm';
import { activate4, activate1 } from './simd';
import {
  pixelCoords, rowRuns, packColumnsChannelsFirst, packColumnsPointwise, packRowsChannelsLast,
} from './pack';


/** Rows of the column tile of a transposed convolution (channels-first), padded to 4. */
function transposedRows(d: usize): i32 {
  const taps = field(d, Slot.KernelD) * field(d, Slot.KernelH) * field(d, Slot.KernelW);
  return roundUp(taps * (field(d, Slot.OutChannels) / field(d, Slot.Groups)), 8);
}

/**
 * Floats of the zero area: the most the channels-last packing reads for one pixel at once (a row
 * of KW taps of Cg channels, within one reduction block).
 */
function zeroFloats(d: usize): i32 {
  const cg = field(d, Slot.InChannels) / field(d, Slot.Groups);
  return min(field(d, Slot.KernelW) * cg, field(d, Slot.BlockK));
}

/** Bytes of workspace the descriptor's job needs (`transposed`: a transposed convolution). */
function workspaceBytes(d: usize, transposed: bool): usize {
  const bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  const bk = field(d, Slot.BlockK);
  let bytes = align16(<usize>bk * bp * 4) + <usize>bp * 16 + 128 + align16(<usize>zeroFloats(d) * 4);
  if (transposed) bytes += <usize>transposedRows(d) * bp * 4;
  return bytes;
}

/** Bytes of workspace `gemmConv` needs for the descriptor at `d`. */
export function gemmConvWorkspaceBytes(d: usize): usize {
  return workspaceBytes(d, false);
}

/** Bytes of workspace `transposedConv` needs for the descriptor at `d`. */
export function transposedConvWorkspaceBytes(d: usize): usize {
  return workspaceBytes(d, true);
}

/** Work items of `gemmConv`: one per image, group and block of BlockP output pixels. */
export function gemmConvItems(d: usize): i32 {
  const P = field(d, Slot.OutD) * field(d, Slot.OutH) * field(d, Slot.OutW);
  const bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  return field(d, Slot.Batch) * field(d, Slot.Groups) * ((P + bp - 1) / bp);
}

/** Computes a forward convolution (cross-correlation) as the descriptor at `d` says. */
export function gemmConv(d: usize): void {
  const N = field(d, Slot.Batch), C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const G = field(d, Slot.Groups);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const act = field(d, Slot.HasActivation) != 0 ? ACTIVATE : 0;
  const bk = field(d, Slot.BlockK), bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  const channelsLast = field(d, Slot.Layout) != 0;

  const Cg = C / G, Kg = K / G;
  const taps = KD * KH * KW;
  const red = Cg * taps;
  const inPlane = <usize>ID * IH * IW;
  const P = OD * OH * OW;
  const packed = <usize>field(d, Slot.Workspace);
  const coords = packed + align16(<usize>bk * bp * 4);
  const scratch = coords + <usize>bp * 16;
  const zeros = scratch + 128;
  memory.fill(zeros, 0, <usize>zeroFloats(d) * 4);
  const pointwise = taps == 1 && SD == 1 && SH == 1 && SW == 1 && PD == 0 && PH == 0 && PW == 0
    && OD == ID && OH == IH && OW == IW;
  const biasFlag = bias ? (channelsLast ? BIAS_COL : BIAS_ROW) : 0;

  const blocks = (P + bp - 1) / bp;
  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const p0 = item % blocks * bp;
    const g = item / blocks % G;
    const n = item / blocks / G;
    const biasG = bias + (<usize>(g * Kg) << 2);
    const nc = min(bp, P - p0);
    let runs = 0;
    if (channelsLast) pixelCoords(coords, p0, nc, OH, OW, SD, SH, SW, PD, PH, PW);
    else if (!pointwise) runs = rowRuns(coords, p0, nc, OW);
    for (let k0 = 0; k0 < red; k0 += bk) {
      const kc = min(bk, red - k0);
      const flags = (k0 == 0 ? biasFlag : ACCUMULATE) | (k0 + kc == red ? act : 0);
      if (!channelsLast) {
        const xg = x + ((<usize>(n * C + g * Cg) * inPlane) << 2);
        if (pointwise) packColumnsPointwise(xg, <i32>inPlane, p0, k0, kc, nc, packed);
        else packColumnsChannelsFirst(xg, ID, IH, IW, OH, KD, KH, KW, SD, SH, SW, DD, DH, DW, PD, PH, PW,
          k0, kc, nc, coords, runs, packed);
        const wg = w + <usize>g * <usize>(roundUp(Kg, TILE_ROWS) * red) * 4 + (<usize>k0 << 4);
        const yg = y + ((<usize>(n * K + g * Kg) * P + p0) << 2);
        gemm(Kg, nc, kc, wg, <usize>red << 4, packed, <usize>kc << 5, yg, P,
          flags, biasG, lo, hi, slope, scratch, true);
      } else {
        const xg = x + ((<usize>n * inPlane * C + g * Cg) << 2);
        packRowsChannelsLast(xg, C, Cg, ID, IH, IW, KH, KW, DD, DH, DW, k0, kc, nc, coords, zeros, packed);
        const wg = w + <usize>g * <usize>(roundUp(Kg, TILE_COLS) * red) * 4 + (<usize>k0 << 5);
        const yg = y + ((<usize>(n * P + p0) * K + g * Kg) << 2);
        gemm(nc, Kg, kc, packed, <usize>kc << 4, wg, <usize>red << 5, yg, K,
          flags, biasG, lo, hi, slope, scratch, false);
      }
    }
  }
}

/**
 * Computes a transposed convolution as the descriptor at `d` says ("In" = the transposed
 * convolution's input, "Out" = its output, OutChannels = K). Weights are packed with rows
 * (m, tap) x Cg (channels-first) or Cg x columns (tap, m) (channels-last), per group.
 */
export function transposedConv(d: usize): void {
  const N = field(d, Slot.Batch), C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const G = field(d, Slot.Groups);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const bk = field(d, Slot.BlockK), bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  const channelsLast = field(d, Slot.Layout) != 0;

  const Cg = C / G, Kg = K / G;
  const taps = KD * KH * KW;
  const rows = taps * Kg;
  const inPlane = ID * IH * IW;
  const outPlane = <usize>OD * OH * OW;
  const packed = <usize>field(d, Slot.Workspace);
  const coords = packed + align16(<usize>bk * bp * 4);
  const scratch = coords + <usize>bp * 16;
  const zeros = scratch + 128;
  memory.fill(zeros, 0, <usize>zeroFloats(d) * 4);
  const cols = zeros + align16(<usize>zeroFloats(d) * 4);
  const ldc = channelsLast ? transposedRows(d) : bp;

  const chunk = transposedChunk(d);
  const chunks = (Kg + chunk - 1) / chunk;
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const act = field(d, Slot.HasActivation) != 0;
  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const m0 = item % chunks * chunk;
    const m1 = min(Kg, m0 + chunk);
    const g = item / chunks % G;
    const n = item / chunks / G;
    const yn = y + ((<usize>n * K * outPlane) << 2);
    const k0 = g * Kg + m0, k1 = g * Kg + m1;
    fillBias(yn, bias, K, <i32>outPlane, k0, k1, channelsLast);
    for (let p0 = 0; p0 < inPlane; p0 += bp) {
      const nc = min(bp, inPlane - p0);
      if (channelsLast) pixelCoords(coords, p0, nc, IH, IW, 1, 1, 1, 0, 0, 0);
      for (let c0 = 0; c0 < Cg; c0 += bk) {
        const kc = min(bk, Cg - c0);
        const flags = c0 == 0 ? 0 : ACCUMULATE;
        if (!channelsLast) {
          // Rows (m, tap) of channels m0 .. m1 only (m0 * taps is a multiple of 4).
          const xg = x + ((<usize>(n * C + g * Cg) * inPlane) << 2);
          packColumnsPointwise(xg, inPlane, p0, c0, kc, nc, packed);
          const wg = w + <usize>g * <usize>(roundUp(rows, TILE_ROWS) * Cg) * 4
            + <usize>(m0 * taps >> 2) * (<usize>Cg << 4) + (<usize>c0 << 4);
          gemm((m1 - m0) * taps, nc, kc, wg, <usize>Cg << 4, packed, <usize>kc << 5, cols, ldc,
            flags, 0, 0, 0, 0, scratch, true);
        } else {
          const xg = x + ((<usize>n * inPlane * C + g * Cg) << 2);
          packRowsChannelsLast(xg, C, Cg, ID, IH, IW, 1, 1, 1, 1, 1, c0, kc, nc, coords, zeros, packed);
          const wg = w + <usize>g * <usize>(roundUp(rows, TILE_COLS) * Cg) * 4 + (<usize>c0 << 5);
          gemm(nc, rows, kc, packed, <usize>kc << 4, wg, <usize>Cg << 5, cols, ldc,
            flags, 0, 0, 0, 0, scratch, false);
        }
      }
      // Scatter-add the column tile into the output.
      if (!channelsLast) scatterChannelsFirst(d, cols, ldc, coords, p0, nc, yn + ((<usize>k0 * outPlane) << 2), m1 - m0);
      else {
        for (let i = 0; i < nc; i++) {
          const at = coords + (<usize>i << 4);
          const id = load<i32>(at), ih = load<i32>(at, 4), iw = load<i32>(at, 8);
          for (let tap = 0; tap < taps; tap++) {
            const kw = tap % KW, kh = (tap / KW) % KH, kd = tap / (KW * KH);
            const od = id * SD + kd * DD - PD, oh = ih * SH + kh * DH - PH, ow = iw * SW + kw * DW - PW;
            if (<u32>od >= <u32>OD || <u32>oh >= <u32>OH || <u32>ow >= <u32>OW) continue;
            const o = <usize>(od * OH + oh) * OW + ow;
            addRow(yn + ((o * K + k0) << 2), cols + ((<usize>i * ldc + tap * Kg) << 2), Kg);
          }
        }
      }
    }
    if (act) activateChannels(yn, K, <i32>outPlane, k0, k1, channelsLast, lo, hi, slope);
  }
}

/**
 * Channels-first col2im: adds the column tile `cols` (rows (m, tap) of `chunk` output channels,
 * `ldc` floats apart; column i = block pixel i of input pixels p0 .. p0+nc) into the output
 * planes at `y` (channel m of the chunk at plane m). Pixels go by runs within an input row, so
 * a tap's outputs along the run are SW apart and clipped to the output once per run.
 * Overwrites `runs` (16 bytes per pixel at most).
 */
function scatterChannelsFirst(d: usize, cols: usize, ldc: i32, runs: usize, p0: i32, nc: i32, y: usize, chunk: i32): void {
  const IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const taps = KD * KH * KW;
  const outPlane = <usize>OD * OH * OW;
  const count = rowRuns(runs, p0, nc, IW);
  const step = <usize>SW << 2;
  for (let tap = 0; tap < taps; tap++) {
    const kw = tap % KW, kh = (tap / KW) % KH, kd = tap / (KW * KH);
    for (let r = 0; r < count; r++) {
      const at = runs + (<usize>r << 4);
      const first = load<i32>(at), len = load<i32>(at, 4), iw = load<i32>(at, 8), row = load<i32>(at, 12);
      const od = row / IH * SD + kd * DD - PD, oh = row % IH * SH + kh * DH - PH;
      if (<u32>od >= <u32>OD || <u32>oh >= <u32>OH) continue;
      // Output column of run pixel t: base + t * SW; keep those in 0 .. OW-1.
      const base = iw * SW + kw * DW - PW;
      const t0 = base >= 0 ? 0 : (SW - 1 - base) / SW;
      const t1 = OW - 1 - base < 0 ? 0 : min(len, (OW - 1 - base) / SW + 1);
      if (t1 <= t0) continue;
      const o = <usize>(od * OH + oh) * OW + base + t0 * SW;
      for (let m = 0; m < chunk; m++) {
        let src = cols + ((<usize>(m * taps + tap) * ldc + first + t0) << 2);
        let dst = y + ((<usize>m * outPlane + o) << 2);
        for (let t = t0; t < t1; t++, src += 4, dst += step) store<f32>(dst, load<f32>(dst) + load<f32>(src));
      }
    }
  }
}

/**
 * Output channels per work item of `transposedConv`: channels-first splits a group's channels
 * into chunks (a multiple of 4, enough rows to keep the GEMM efficient); channels-last keeps a
 * group whole (its GEMM columns interleave taps and channels).
 */
function transposedChunk(d: usize): i32 {
  const Kg = field(d, Slot.OutChannels) / field(d, Slot.Groups);
  if (field(d, Slot.Layout) != 0) return Kg;
  const taps = field(d, Slot.KernelD) * field(d, Slot.KernelH) * field(d, Slot.KernelW);
  return min(Kg, roundUp(max(1, 64 / taps), 4));
}

/** Work items of `transposedConv`: one per image, group and chunk of output channels. */
export function transposedConvItems(d: usize): i32 {
  const Kg = field(d, Slot.OutChannels) / field(d, Slot.Groups);
  const chunk = transposedChunk(d);
  return field(d, Slot.Batch) * field(d, Slot.Groups) * ((Kg + chunk - 1) / chunk);
}

/** dst[0..n] += src[0..n]. */
function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(dst + off, f32x4.add(v128.load(dst + off), v128.load(src + off)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(dst + off, load<f32>(dst + off) + load<f32>(src + off));
  }
}

/** Fills channels k0 .. k1 of one image (K channels, `plane` pixels) with the bias (or 0). */
function fillBias(y: usize, bias: usize, K: i32, plane: i32, k0: i32, k1: i32, channelsLast: bool): void {
  if (!channelsLast) {
    for (let k = k0; k < k1; k++) {
      const v: f32 = bias ? load<f32>(bias + (<usize>k << 2)) : 0;
      const row = y + ((<usize>k * plane) << 2);
      for (let i = 0; i < plane; i++) store<f32>(row + (<usize>i << 2), v);
    }
  } else {
    const bytes = <usize>(k1 - k0) << 2;
    for (let i = 0; i < plane; i++) {
      const at = y + ((<usize>i * K + k0) << 2);
      if (bias) memory.copy(at, bias + (<usize>k0 << 2), bytes);
      else memory.fill(at, 0, bytes);
    }
  }
}

/** Applies the activation to channels k0 .. k1 of one image (K channels, `plane` pixels). */
function activateChannels(
  y: usize, K: i32, plane: i32, k0: i32, k1: i32, channelsLast: bool, lo: f32, hi: f32, slope: f32,
): void {
  if (!channelsLast) {
    activateInPlace(y + ((<usize>k0 * plane) << 2), (k1 - k0) * plane, lo, hi, slope);
  } else {
    for (let i = 0; i < plane; i++) activateInPlace(y + ((<usize>i * K + k0) << 2), k1 - k0, lo, hi, slope);
  }
}

/** Applies the activation (see simd.ts) to n floats in place. */
function activateInPlace(y: usize, n: i32, lo: f32, hi: f32, slope: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vs = f32x4.splat(slope);
    for (; i + 4 <= n; i += 4) {
      const at = y + (<usize>i << 2);
      v128.store(at, activate4(v128.load(at), vlo, vhi, vs));
    }
  }
  for (; i < n; i++) {
    const at = y + (<usize>i << 2);
    store<f32>(at, activate1(load<f32>(at), lo, hi, slope));
  }
}
