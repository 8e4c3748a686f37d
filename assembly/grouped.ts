/**
 * Grouped convolution with few channels per group: a direct kernel. With Cg input and Kg output
 * channels per group, the im2col GEMM of a group has only Kg rows and a reduction of Cg * taps,
 * too small to pay for its packing; here every output is summed straight from the input.
 *
 * Weights are packed per group in blocks of 4 output channels (the vector lanes; zero past Kg):
 * [G][KB][KD * KH][Cg][KW][4] channels-first, [G][KB][KD * KH][KW][Cg][4] channels-last, with
 * KB = ceil(Kg / 4) (see src/grouped.ts). One v128 load gives a tap's weights of one input
 * channel for 4 output channels; a load32_splat gives one of them.
 *
 * Layouts (descriptor slot Layout):
 *  - channels-first, input (N, C, ID, IH, IW), output (N, K, OD, OH, OW). A work item is one
 *    output row of one group: the input rows it reads (Cg channels x the kernel rows inside the
 *    image) are copied into zero-padded row buffers split by column phase (for stride S, phase p
 *    holds padded columns p, p + S, ...; see ring.ts), so every tap of 8
 *    adjacent outputs is two unaligned v128 loads without bounds checks. Vectorised across
 *    output columns: 8 columns x 4 output channels (8 accumulators) per step, 4 columns for a
 *    last block of at most 4, each input vector feeding 4 output channels (weights splatted
 *    from memory); rows of 3 adjacent taps (KW 3, stride and dilation 1 along W) are unrolled.
 *  - channels-last, input (N, ID, IH, IW, C), output (N, OD, OH, OW, K). A work item is a chunk
 *    of CHUNK output pixels of one output row, all groups. Vectorised across the output channels
 *    of a group (4 per vector): out[pixel][k..k+3] += splat(x[tap][c]) * w[tap][c][k..k+3], 4
 *    pixels per step sharing each weight load (the last step overlapping the one before), the
 *    channel loop unrolled by 4 when Cg is a multiple of 4. Pixels whose taps all lie inside the image run
 *    without bounds checks; the others clip the kw range. Kernel rows outside the image are
 *    skipped.
 *
 * Bias: 0 when absent, else K floats padded by at least BIAS_PADDING (descriptor.ts) zeros. The
 * fused activation (activateAt4 of simd.ts, from the descriptor's activation triple) is applied
 * before the store. Spatial sizes are always 3-D (unused axes have size 1). Workspace (`groupedConvWorkspaceBytes`): contents undefined on entry; the kernel
 * initialises everything it reads. Allocation-free; writes only the output and the workspace;
 * reads only the input, weights, bias, descriptor and workspace.
 */
import { Slot } from './descriptor';
import { field, align16, roundUp } from './fields';
import { madd, activate1, activateAt4 } from './simd';
import { storePart, order } from './lanes';
import { phaseRowFloats, columnOffsets, fillRingRow } from './ring';

/** Output pixels per channels-last work item. */
const CHUNK: i32 = 64;
/**
 * Bytes at the start of the workspace: 16 zero bytes (the bias of a plan without bias), then a
 * 16-byte sink for the ordering stores of the hot loops (see `order` in lanes.ts).
 */
const HEAD: usize = 32;
/** Offset of the sink in the workspace. */
const SINK: usize = 16;

/**
 * Bytes of workspace `groupedConv` needs for the descriptor at `d`: the head (HEAD), a row
 * table (KD * KH pairs of i32), and channels-first the column offsets (KW i32) and the row
 * buffers (KD * KH rows x Cg channels x SW phases x phaseRowFloats floats for blocks of 8 outputs).
 */
export function groupedConvWorkspaceBytes(d: usize): usize {
  const rows = field(d, Slot.KernelD) * field(d, Slot.KernelH);
  const KW = field(d, Slot.KernelW);
  const tables = HEAD + align16(<usize>rows << 3);
  if (field(d, Slot.Layout) != 0) return tables;
  const SW = field(d, Slot.StrideW), DW = field(d, Slot.DilationW);
  const Cg = field(d, Slot.InChannels) / field(d, Slot.Groups);
  const L = phaseRowFloats(field(d, Slot.OutW), 8, KW, SW, DW);
  return tables + align16(<usize>KW << 2) + ((<usize>rows * Cg * SW * L) << 2);
}

/**
 * Work items of `groupedConv`: channels-first one per image, group and output row (D x H);
 * channels-last one per image, output row and chunk of CHUNK output pixels.
 */
export function groupedConvItems(d: usize): i32 {
  const rows = field(d, Slot.Batch) * field(d, Slot.OutD) * field(d, Slot.OutH);
  if (field(d, Slot.Layout) != 0) return rows * ((field(d, Slot.OutW) + CHUNK - 1) / CHUNK);
  return rows * field(d, Slot.Groups);
}

/** Computes work items [WorkBegin, WorkEnd) of the grouped convolution the descriptor at `d` describes. */
export function groupedConv(d: usize): void {
  const ws = <usize>field(d, Slot.Workspace);
  memory.fill(ws, 0, SINK);
  if (field(d, Slot.Layout) != 0) forwardChannelsLast(d);
  else forwardChannelsFirst(d);
}

// ---------------------------------------------------------------------------------------------
// Channels-first

/**
 * Channels-first grouped convolution. Workspace after the head: the row table (per kernel row
 * inside the image: its buffer address and its weights' byte offset within a block), the column
 * offsets (byte offset of tap kw from a buffer row's start: phase (kw * DW) % SW, index
 * (kw * DW) / SW) and the row buffers, zero-filled here once: afterwards only their image columns
 * are written, so the padding columns stay zero.
 */
function forwardChannelsFirst(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels), G = field(d, Slot.Groups);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const ac = d + (<usize>Slot.ActLo << 2);

  const Cg = C / G, Kg = K / G;
  const KB = (Kg + 3) >> 2;
  const taps = KD * KH * KW;
  const blockBytes = <usize>(taps * Cg) << 4;
  const L = phaseRowFloats(OW, 8, KW, SW, DW);
  const phaseBytes = <usize>L << 2;
  const channelBytes = phaseBytes * SW;
  const rowBytes = channelBytes * Cg;
  const ws = <usize>field(d, Slot.Workspace);
  const tab = ws + HEAD;
  const colOff = tab + align16(<usize>(KD * KH) << 3);
  const buffers = colOff + align16(<usize>KW << 2);
  memory.fill(buffers, 0, rowBytes * KD * KH);
  columnOffsets(colOff, KW, SW, DW, phaseBytes);
  const inPlane = <usize>ID * IH * IW, outPlane = <usize>OD * OH * OW;
  const taps3 = KW == 3 && SW == 1 && DW == 1;

  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const oh = item % OH;
    const od = item / OH % OD;
    const g = item / (OH * OD) % G;
    const n = item / (OH * OD * G);
    // Copy the kernel rows inside the image, every channel of the group, into the buffers.
    let rows = 0;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * SD - PD + kd * DD;
      if (<u32>id >= <u32>ID) continue;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * SH - PH + kh * DH;
        if (<u32>ih >= <u32>IH) continue;
        const buf = buffers + <usize>rows * rowBytes;
        const src = x + ((<usize>(n * C + g * Cg) * inPlane + <usize>(id * IH + ih) * IW) << 2);
        for (let c = 0; c < Cg; c++) {
          fillRingRow(buf + <usize>c * channelBytes, src + ((<usize>c * inPlane) << 2), IW, PW, SW, L);
        }
        const at = tab + (<usize>rows << 3);
        store<i32>(at, <i32>buf);
        store<i32>(at, (kd * KH + kh) * KW * Cg << 4, 4);
        rows++;
      }
    }
    const y0 = y + ((<usize>(n * K + g * Kg) * outPlane + <usize>(od * OH + oh) * OW) << 2);
    for (let kb = 0; kb < KB; kb++) {
      const wb = w + <usize>(g * KB + kb) * blockBytes;
      const bp = bias ? bias + (<usize>(g * Kg + kb * 4) << 2) : ws;
      const yk = y0 + ((<usize>(kb * 4) * outPlane) << 2);
      const kn = min(4, Kg - kb * 4);
      if (ASC_FEATURE_SIMD) {
        rowBlockFirst(yk, outPlane, kn, OW, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac, ws + SINK, taps3);
      } else {
        rowBlockFirstScalar(yk, outPlane, kn, OW, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac);
      }
    }
  }
}

/**
 * One output row of up to 4 output channels (kn) of a group, channels-first: blocks of 8 columns
 * (8 accumulators: 2 column vectors x 4 channels), a last block of 4 when at most 4 columns are
 * left. `tab`: `rows` pairs (buffer address of channel 0, weight offset); `wb`: the block's
 * weights; `bp`: 4 bias values; `sink`: see `order`. `taps3`: KW == 3, SW == 1, DW == 1, so
 * the 3 taps of a row are 3 adjacent columns, unrolled; otherwise tap kw is at the `colOff`
 * offset. Reads buffer columns below roundUp(OW, 8) past each tap's start; writes exactly OW
 * floats of each of the kn output rows (row k at yk + k * outPlane floats).
 */
function rowBlockFirst(
  yk: usize, outPlane: usize, kn: i32, OW: i32, tab: usize, rows: i32, wb: usize, bp: usize,
  Cg: i32, KW: i32, colOff: usize, channelBytes: usize, act: bool, ac: usize, sink: usize, taps3: bool,
): void {
  let ow = 0;
  if (taps3) {
    for (; ow + 4 < OW; ow += 8) columnsFirst(yk, outPlane, kn, OW - ow, <usize>ow << 2, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac, sink, true, true);
    if (ow < OW) columnsFirst(yk, outPlane, kn, OW - ow, <usize>ow << 2, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac, sink, false, true);
  } else {
    for (; ow + 4 < OW; ow += 8) columnsFirst(yk, outPlane, kn, OW - ow, <usize>ow << 2, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac, sink, true, false);
    if (ow < OW) columnsFirst(yk, outPlane, kn, OW - ow, <usize>ow << 2, tab, rows, wb, bp, Cg, KW, colOff, channelBytes, act, ac, sink, false, false);
  }
}

/**
 * Columns [off / 4, off / 4 + min(left, 8 or 4)) of rowBlockFirst's output rows: `wide` (inlined
 * as a constant) 8 columns (2 vectors), else 4; `taps3` and `sink` as in rowBlockFirst.
 */
// @ts-ignore: decorator
@inline function columnsFirst(
  yk: usize, outPlane: usize, kn: i32, left: i32, off: usize, tab: usize, rows: i32, wb: usize, bp: usize,
  Cg: i32, KW: i32, colOff: usize, channelBytes: usize, act: bool, ac: usize, sink: usize, wide: bool, taps3: bool,
): void {
  let a0 = v128.load32_splat(bp), a1 = v128.load32_splat(bp, 4), a2 = v128.load32_splat(bp, 8), a3 = v128.load32_splat(bp, 12);
  let e0 = a0, e1 = a1, e2 = a2, e3 = a3;
  for (let r = 0; r < rows; r++) {
    const at = tab + (<usize>r << 3);
    let row = <usize>load<i32>(at) + off;
    let wp = wb + <usize>load<i32>(at, 4);
    for (let c = 0; c < Cg; c++, row += channelBytes) {
      if (taps3) {
        let x0 = v128.load(row), x1 = wide ? v128.load(row, 16) : x0;
        let s = v128.load32_splat(wp);
        a0 = madd(x0, s, a0); if (wide) e0 = madd(x1, s, e0);
        s = v128.load32_splat(wp, 4);
        a1 = madd(x0, s, a1); if (wide) e1 = madd(x1, s, e1);
        s = v128.load32_splat(wp, 8);
        a2 = madd(x0, s, a2); if (wide) e2 = madd(x1, s, e2);
        s = v128.load32_splat(wp, 12);
        a3 = madd(x0, s, a3); if (wide) e3 = madd(x1, s, e3);
        order(sink, a0);
        x0 = v128.load(row, 4); x1 = wide ? v128.load(row, 20) : x0;
        s = v128.load32_splat(wp, 16);
        a0 = madd(x0, s, a0); if (wide) e0 = madd(x1, s, e0);
        s = v128.load32_splat(wp, 20);
        a1 = madd(x0, s, a1); if (wide) e1 = madd(x1, s, e1);
        s = v128.load32_splat(wp, 24);
        a2 = madd(x0, s, a2); if (wide) e2 = madd(x1, s, e2);
        s = v128.load32_splat(wp, 28);
        a3 = madd(x0, s, a3); if (wide) e3 = madd(x1, s, e3);
        order(sink, a0);
        x0 = v128.load(row, 8); x1 = wide ? v128.load(row, 24) : x0;
        s = v128.load32_splat(wp, 32);
        a0 = madd(x0, s, a0); if (wide) e0 = madd(x1, s, e0);
        s = v128.load32_splat(wp, 36);
        a1 = madd(x0, s, a1); if (wide) e1 = madd(x1, s, e1);
        s = v128.load32_splat(wp, 40);
        a2 = madd(x0, s, a2); if (wide) e2 = madd(x1, s, e2);
        s = v128.load32_splat(wp, 44);
        a3 = madd(x0, s, a3); if (wide) e3 = madd(x1, s, e3);
        wp += 48;
      } else {
        for (let kw = 0; kw < KW; kw++, wp += 16) {
          const p = row + <usize>load<i32>(colOff + (<usize>kw << 2));
          const x0 = v128.load(p), x1 = wide ? v128.load(p, 16) : x0;
          let s = v128.load32_splat(wp);
          a0 = madd(x0, s, a0); if (wide) e0 = madd(x1, s, e0);
          s = v128.load32_splat(wp, 4);
          a1 = madd(x0, s, a1); if (wide) e1 = madd(x1, s, e1);
          s = v128.load32_splat(wp, 8);
          a2 = madd(x0, s, a2); if (wide) e2 = madd(x1, s, e2);
          s = v128.load32_splat(wp, 12);
          a3 = madd(x0, s, a3); if (wide) e3 = madd(x1, s, e3);
        }
      }
    }
  }
  if (act) {
    a0 = activateAt4(a0, ac, true); a1 = activateAt4(a1, ac, true); a2 = activateAt4(a2, ac, true); a3 = activateAt4(a3, ac, true);
    if (wide) { e0 = activateAt4(e0, ac, true); e1 = activateAt4(e1, ac, true); e2 = activateAt4(e2, ac, true); e3 = activateAt4(e3, ac, true); }
  }
  const planeBytes = outPlane << 2;
  let out = yk + off;
  storePart(out, a0, left);
  if (wide && left > 4) storePart(out + 16, e0, left - 4);
  if (kn > 1) {
    out += planeBytes;
    storePart(out, a1, left);
    if (wide && left > 4) storePart(out + 16, e1, left - 4);
  }
  if (kn > 2) {
    out += planeBytes;
    storePart(out, a2, left);
    if (wide && left > 4) storePart(out + 16, e2, left - 4);
  }
  if (kn > 3) {
    out += planeBytes;
    storePart(out, a3, left);
    if (wide && left > 4) storePart(out + 16, e3, left - 4);
  }
}

/** Scalar form of rowBlockFirst (the scalar build): one output at a time. */
function rowBlockFirstScalar(
  yk: usize, outPlane: usize, kn: i32, OW: i32, tab: usize, rows: i32, wb: usize, bp: usize,
  Cg: i32, KW: i32, colOff: usize, channelBytes: usize, act: bool, ac: usize,
): void {
  const lo = load<f32>(ac), hi = load<f32>(ac, 4), slope = load<f32>(ac, 8);
  for (let k = 0; k < kn; k++) {
    const yr = yk + ((<usize>k * outPlane) << 2);
    const wk = wb + (<usize>k << 2);
    for (let ow = 0; ow < OW; ow++) {
      let a = load<f32>(bp + (<usize>k << 2));
      for (let r = 0; r < rows; r++) {
        const at = tab + (<usize>r << 3);
        let row = <usize>load<i32>(at) + (<usize>ow << 2);
        let wp = wk + <usize>load<i32>(at, 4);
        for (let c = 0; c < Cg; c++, row += channelBytes) {
          for (let kw = 0; kw < KW; kw++, wp += 16) {
            a += load<f32>(row + <usize>load<i32>(colOff + (<usize>kw << 2))) * load<f32>(wp);
          }
        }
      }
      if (act) a = activate1(a, lo, hi, slope);
      store<f32>(yr + (<usize>ow << 2), a);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Channels-last

/**
 * Channels-last grouped convolution. Workspace after the head: the row table of the current
 * output row (per kernel row inside the image: the address of its input column 0 and its
 * weights' byte offset within a block). For each chunk of pixels: interior pixels (every kw tap
 * inside the image) 4 at a time, the others one at a time with the kw range clipped; for each,
 * every group and block of 4 output channels.
 */
function forwardChannelsLast(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels), G = field(d, Slot.Groups);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const ac = d + (<usize>Slot.ActLo << 2);

  const Cg = C / G, Kg = K / G;
  const blockBytes = <usize>(KD * KH * KW * Cg) << 4;
  const ws = <usize>field(d, Slot.Workspace);
  const tab = ws + HEAD;
  const rowBytes = (<usize>IW * C) << 2;
  // Interior columns [owA, owB): every kw tap lands inside the image.
  const owA = min(OW, (PW + SW - 1) / SW);
  const lastStart = IW - 1 - (KW - 1) * DW + PW;
  const owB = lastStart < 0 ? 0 : min(OW, lastStart / SW + 1);
  const chunks = (OW + CHUNK - 1) / CHUNK;

  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const ow0 = item % chunks * CHUNK;
    const ow1 = min(OW, ow0 + CHUNK);
    const oh = item / chunks % OH;
    const od = item / chunks / OH % OD;
    const n = item / chunks / OH / OD;
    let rows = 0;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * SD - PD + kd * DD;
      if (<u32>id >= <u32>ID) continue;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * SH - PH + kh * DH;
        if (<u32>ih >= <u32>IH) continue;
        const at = tab + (<usize>rows << 3);
        store<i32>(at, <i32>(x + <usize>((n * ID + id) * IH + ih) * rowBytes));
        store<i32>(at, (kd * KH + kh) * KW * Cg << 4, 4);
        rows++;
      }
    }
    const yrow = y + ((<usize>((n * OD + od) * OH + oh) * OW * K) << 2);
    // Interior pixels of the chunk: [a, b); pixelsClipped takes the rest.
    const a = max(ow0, min(owA, ow1)), b = max(a, min(owB, ow1));
    pixelsClipped(yrow, tab, rows, w, blockBytes, bias, ws, C, K, Cg, Kg, ow0, a, IW, SW, PW, DW, KW, act, ac);
    let done = a;
    if (ASC_FEATURE_SIMD) {
      if (Cg & 3) done = interiorLast(yrow, tab, rows, w, blockBytes, bias, ws, C, K, Cg, Kg, a, b, SW, PW, DW, KW, act, ac, false);
      else done = interiorLast(yrow, tab, rows, w, blockBytes, bias, ws, C, K, Cg, Kg, a, b, SW, PW, DW, KW, act, ac, true);
    }
    pixelsClipped(yrow, tab, rows, w, blockBytes, bias, ws, C, K, Cg, Kg, done, ow1, IW, SW, PW, DW, KW, act, ac);
  }
}

/**
 * Interior pixels [owA, owB) of one channels-last output row (every kw tap inside the image),
 * 4 pixels per step, every group and block of 4 output channels: 4 accumulators, each weight
 * vector loaded once for the 4 pixels. `blockBytes`: the weights of one block of 4 output
 * channels. `quad` (inlined as a constant): Cg is a multiple of 4, so the channel loop is
 * unrolled by 4. Returns the first pixel not computed: owB, or owA when there are fewer than 4.
 */
// @ts-ignore: decorator
@inline function interiorLast(
  yrow: usize, tab: usize, rows: i32, w: usize, blockBytes: usize, bias: usize, ws: usize, C: i32, K: i32,
  Cg: i32, Kg: i32, owA: i32, owB: i32, SW: i32, PW: i32, DW: i32, KW: i32, act: bool, ac: usize, quad: bool,
): i32 {
  const pix = <usize>C << 2;
  const s1 = <usize>SW * pix, s2 = s1 * 2, s3 = s1 * 3;
  const dwBytes = <usize>DW * pix;
  const G = C / Cg, KB = (Kg + 3) >> 2;
  const outStep = <usize>K << 2;
  const sink = ws + SINK;
  if (owB - owA < 4) return owA;
  for (let t = owA; t < owB; t += 4) {
    // The last tile ends at owB, recomputing (and rewriting with the same values) some pixels.
    const ow = min(t, owB - 4);
    const first = <usize>(ow * SW - PW) * pix;
    const out = yrow + ((<usize>ow * K) << 2);
    for (let g = 0; g < G; g++) {
      const xg = first + (<usize>(g * Cg) << 2);
      for (let kb = 0; kb < KB; kb++) {
        const k0 = g * Kg + kb * 4;
        const wb = w + <usize>(g * KB + kb) * blockBytes;
        let a0 = bias ? v128.load(bias + (<usize>k0 << 2)) : v128.load(ws);
        let a1 = a0, a2 = a0, a3 = a0;
        for (let r = 0; r < rows; r++) {
          const at = tab + (<usize>r << 3);
          let p = <usize>load<i32>(at) + xg;
          let wp = wb + <usize>load<i32>(at, 4);
          for (let kw = 0; kw < KW; kw++, p += dwBytes) {
            if (quad) {
              for (let c = 0; c < Cg; c += 4, wp += 64) {
                const q = p + (<usize>c << 2);
                let wv = v128.load(wp);
                a0 = madd(v128.load32_splat(q), wv, a0);
                a1 = madd(v128.load32_splat(q + s1), wv, a1);
                a2 = madd(v128.load32_splat(q + s2), wv, a2);
                a3 = madd(v128.load32_splat(q + s3), wv, a3);
                order(sink, a0);
                wv = v128.load(wp, 16);
                a0 = madd(v128.load32_splat(q, 4), wv, a0);
                a1 = madd(v128.load32_splat(q + s1, 4), wv, a1);
                a2 = madd(v128.load32_splat(q + s2, 4), wv, a2);
                a3 = madd(v128.load32_splat(q + s3, 4), wv, a3);
                order(sink, a0);
                wv = v128.load(wp, 32);
                a0 = madd(v128.load32_splat(q, 8), wv, a0);
                a1 = madd(v128.load32_splat(q + s1, 8), wv, a1);
                a2 = madd(v128.load32_splat(q + s2, 8), wv, a2);
                a3 = madd(v128.load32_splat(q + s3, 8), wv, a3);
                order(sink, a0);
                wv = v128.load(wp, 48);
                a0 = madd(v128.load32_splat(q, 12), wv, a0);
                a1 = madd(v128.load32_splat(q + s1, 12), wv, a1);
                a2 = madd(v128.load32_splat(q + s2, 12), wv, a2);
                a3 = madd(v128.load32_splat(q + s3, 12), wv, a3);
              }
            } else {
              for (let c = 0; c < Cg; c++, wp += 16) {
                const q = p + (<usize>c << 2);
                const wv = v128.load(wp);
                a0 = madd(v128.load32_splat(q), wv, a0);
                a1 = madd(v128.load32_splat(q + s1), wv, a1);
                a2 = madd(v128.load32_splat(q + s2), wv, a2);
                a3 = madd(v128.load32_splat(q + s3), wv, a3);
              }
            }
          }
        }
        if (act) { a0 = activateAt4(a0, ac, true); a1 = activateAt4(a1, ac, true); a2 = activateAt4(a2, ac, true); a3 = activateAt4(a3, ac, true); }
        const kn = min(4, Kg - kb * 4);
        const o = out + (<usize>k0 << 2);
        storePart(o, a0, kn);
        storePart(o + outStep, a1, kn);
        storePart(o + 2 * outStep, a2, kn);
        storePart(o + 3 * outStep, a3, kn);
      }
    }
  }
  return owB;
}

/**
 * Pixels [ow0, ow1) of one channels-last output row, one at a time, every group and output
 * channel: the kw range is clipped to the image per pixel. The scalar build computes every pixel
 * here.
 */
function pixelsClipped(
  yrow: usize, tab: usize, rows: i32, w: usize, blockBytes: usize, bias: usize, ws: usize, C: i32, K: i32,
  Cg: i32, Kg: i32, ow0: i32, ow1: i32, IW: i32, SW: i32, PW: i32, DW: i32, KW: i32, act: bool, ac: usize,
): void {
  const pix = <usize>C << 2;
  const G = C / Cg, KB = (Kg + 3) >> 2;
  const dwBytes = <usize>DW * pix;
  const lo = load<f32>(ac), hi = load<f32>(ac, 4), slope = load<f32>(ac, 8);
  for (let ow = ow0; ow < ow1; ow++) {
    const iw = ow * SW - PW;
    const kw0 = iw < 0 ? (DW - 1 - iw) / DW : 0;
    const kw1 = iw > IW - 1 ? 0 : min(KW, (IW - 1 - iw) / DW + 1);
    const out = yrow + ((<usize>ow * K) << 2);
    // Offset of the first used tap from a row's column 0 (>= 0 whenever kw0 < kw1).
    const first = <usize>(iw + kw0 * DW) * pix;
    for (let g = 0; g < G; g++) {
      const xg = first + (<usize>(g * Cg) << 2);
      for (let kb = 0; kb < KB; kb++) {
        const k0 = g * Kg + kb * 4;
        const kn = min(4, Kg - kb * 4);
        const wb = w + <usize>(g * KB + kb) * blockBytes + (<usize>(kw0 * Cg) << 4);
        if (ASC_FEATURE_SIMD) {
          let a = bias ? v128.load(bias + (<usize>k0 << 2)) : v128.load(ws);
          for (let r = 0; r < rows; r++) {
            const at = tab + (<usize>r << 3);
            let p = <usize>load<i32>(at) + xg;
            let wp = wb + <usize>load<i32>(at, 4);
            for (let kw = kw0; kw < kw1; kw++, p += dwBytes) {
              let c = 0;
              for (; c + 4 <= Cg; c += 4, wp += 64) {
                const q = p + (<usize>c << 2);
                a = madd(v128.load32_splat(q), v128.load(wp), a);
                a = madd(v128.load32_splat(q, 4), v128.load(wp, 16), a);
                a = madd(v128.load32_splat(q, 8), v128.load(wp, 32), a);
                a = madd(v128.load32_splat(q, 12), v128.load(wp, 48), a);
              }
              for (; c < Cg; c++, wp += 16) a = madd(v128.load32_splat(p + (<usize>c << 2)), v128.load(wp), a);
            }
          }
          if (act) a = activateAt4(a, ac, true);
          storePart(out + (<usize>k0 << 2), a, kn);
        } else {
          for (let k = 0; k < kn; k++) {
            let a: f32 = bias ? load<f32>(bias + (<usize>(k0 + k) << 2)) : 0;
            for (let r = 0; r < rows; r++) {
              const at = tab + (<usize>r << 3);
              let p = <usize>load<i32>(at) + xg;
              let wp = wb + <usize>load<i32>(at, 4) + (<usize>k << 2);
              for (let kw = kw0; kw < kw1; kw++, p += dwBytes) {
                for (let c = 0; c < Cg; c++, wp += 16) a += load<f32>(p + (<usize>c << 2)) * load<f32>(wp);
              }
            }
            if (act) a = activate1(a, lo, hi, slope);
            store<f32>(out + (<usize>(k0 + k) << 2), a);
          }
        }
      }
    }
  }
}
