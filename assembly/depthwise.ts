/**
 * Depthwise convolution: groups == input channels C, any channel multiplier m = K / C.
 * Output channel k = c * m + j reads input channel c only, with filter k (KD x KH x KW taps).
 * Direct kernels (no GEMM): the reduction per output is just the taps, so the work is laid out
 * to keep a filter's weights in registers and to share every input load between neighbouring
 * outputs.
 *
 * Layouts (descriptor slot Layout):
 *  - channels-first, input (N, C, ID, IH, IW), output (N, K, OD, OH, OW); weights packed [K][taps]
 *    (tap = (kd * KH + kh) * KW + kw). Vectorised across output columns, two output rows per pass
 *    (the input rows they share are loaded once). 2-D 3x3 with strides 1 or 2 (the common case)
 *    reads the input rows in place, with padded copies of the edge columns only; stride 2 splits
 *    even and odd columns in registers. Every other kernel, stride, dilation and 3-D copies each
 *    input row once into a ring of zero-padded rows split by column phase (for stride S, phase p
 *    holds padded columns p, p + S, p + 2S, ...), so every tap of 4 adjacent outputs is one
 *    unaligned v128 load without bounds checks.
 *  - channels-last, input (N, ID, IH, IW, C), output (N, OD, OH, OW, K); weights packed
 *    [taps][m][Cp] (Cp = C rounded up to 4, zero-filled): weight (tap, j, c) is filter c * m + j,
 *    so one v128 load gives a tap's weights for 4 consecutive input channels. Vectorised across
 *    channels; input rows outside the image read a zero row of the workspace, columns outside it
 *    are clipped per border pixel (interior pixels run without bounds checks).
 *
 * Bias: 0 when absent, else K floats padded by at least 8 zeros. The fused activation of
 * simd.ts is applied before the store (read from the descriptor's ActLo, ActHi, ActSlope slots,
 * which are consecutive). Spatial sizes are always 3-D (unused axes have size 1).
 * Every kernel is allocation-free and writes only the output and the workspace; none reads
 * outside the input, weights, bias, descriptor and workspace areas described here. The workspace
 * may hold anything on entry: the kernels write every workspace byte they read (the zero head,
 * the zeroed ring and zero row, the tables) before reading it. A call computes the work items
 * [WorkBegin, WorkEnd) of `depthwiseConvItems`; items write disjoint parts of the output, so calls
 * with disjoint ranges and their own workspaces may run at the same time.
 */
import { Slot } from './descriptor';
import { field, fieldF, align16, roundUp } from './fields';
import { madd, activate1 } from './simd';

/** Output rows per pass of the channels-first kernels (the input rows they share are loaded once). */
const ROWS: i32 = 2;
/**
 * Bytes at the start of the workspace, written by every call before use: 16 zero bytes (the bias
 * of a plan without bias), a 16-byte bias vector (channels-last) and a 32-byte sink for the
 * ordering stores of the hot loops (see `order`).
 */
const HEAD: usize = 64;
/** Offset of the sink in the workspace. */
const SINK: usize = 32;

/** Floats per phase row of the channels-first ring: every column a 4-wide output block reads. */
function ringRowFloats(OW: i32, KW: i32, SW: i32, DW: i32): i32 {
  return roundUp(roundUp(OW, 4) + (KW - 1) * DW / SW, 4);
}

/** Rows per kd layer of the channels-first ring: the input rows of one pass of ROWS output rows. */
// @ts-ignore: decorator
@inline function ringRows(KH: i32, SH: i32, DH: i32): i32 {
  return DH * (KH - 1) + 1 + SH * (ROWS - 1);
}

/**
 * Whether the channels-first job takes the direct 3x3 path: a 2-D 3x3 kernel (KD == 1),
 * dilation 1 and equal strides 1 or 2 along H and W.
 */
function direct3x3(d: usize): bool {
  const S = field(d, Slot.StrideW);
  return field(d, Slot.KernelD) == 1 && field(d, Slot.KernelH) == 3 && field(d, Slot.KernelW) == 3
    && field(d, Slot.DilationH) == 1 && field(d, Slot.DilationW) == 1
    && field(d, Slot.StrideH) == S && S <= 2;
}

/** Floats per ring row of the direct 3x3 path: padded columns up to the last block's reads. */
// @ts-ignore: decorator
@inline function directRowFloats(OW: i32, S: i32): i32 {
  // Block b (outputs 4b .. 4b+3) reads padded columns 4bS .. 4bS + 3S + 2.
  return roundUp(4 * S * ((OW + 3) >> 2) - S + 3, 4);
}

/**
 * Bytes of workspace `depthwiseConv` needs for the descriptor at `d` (16-byte aligned parts):
 * a 64-byte head (HEAD), then channels-first direct 3x3: row tables (3 * (3 + S) i32), a scratch output
 * row and the ring (3 + S rows of directRowFloats); other channels-first jobs: tap tables
 * (ROWS * taps + KW + KD * ring rows i32) and the ring (KD * ringRows slots of SW phase rows of
 * ringRowFloats floats); channels-last: a row table (KD * KH i32) and one zero input row
 * (IW * C floats + 16 bytes).
 */
export function depthwiseConvWorkspaceBytes(d: usize): usize {
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const OW = field(d, Slot.OutW);
  if (field(d, Slot.Layout) != 0) {
    const C = field(d, Slot.InChannels), IW = field(d, Slot.InW);
    return HEAD + align16(<usize>(KD * KH) << 2) + align16(((<usize>IW * C) << 2) + 16);
  }
  const SW = field(d, Slot.StrideW), DW = field(d, Slot.DilationW);
  const SH = field(d, Slot.StrideH), DH = field(d, Slot.DilationH);
  if (ASC_FEATURE_SIMD) {
    if (direct3x3(d)) {
      const rows = 3 + SW;
      return HEAD + align16(<usize>(3 * rows) << 2) + (<usize>roundUp(OW, 4) << 2)
        + ((<usize>rows * directRowFloats(OW, SW)) << 2);
    }
  }
  const L = ringRowFloats(OW, KW, SW, DW);
  const RS = ringRows(KH, SH, DH);
  const tables = ROWS * KD * KH * KW + KW + KD * RS;
  return HEAD + align16(<usize>tables << 2) + ((<usize>KD * RS * SW * L) << 2);
}

/**
 * Output-row passes per band of a channels-first job: the rows of a plane are cut into bands only
 * when the job has fewer than 16 planes (N * C), so that every job has enough items for a few
 * threads while a band's setup (reloading the input rows it shares with the band above) stays
 * rare.
 */
function bandsFirst(d: usize): i32 {
  const planes = field(d, Slot.Batch) * field(d, Slot.InChannels);
  const passes = (field(d, Slot.OutH) + ROWS - 1) / ROWS;
  return planes >= 16 ? 1 : min(passes, (16 + planes - 1) / planes);
}

/**
 * Work items of `depthwiseConv`, each writing its own part of the output: channels-first one
 * per image, input channel and band of output rows (see bandsFirst; the item's m output planes,
 * rows of the band at every output depth); channels-last one per output row (image, depth, row).
 */
export function depthwiseConvItems(d: usize): i32 {
  if (field(d, Slot.Layout) != 0) return field(d, Slot.Batch) * field(d, Slot.OutD) * field(d, Slot.OutH);
  return field(d, Slot.Batch) * field(d, Slot.InChannels) * bandsFirst(d);
}

/**
 * Output rows [begin, end) of band `band` of a channels-first plane: whole passes of ROWS rows,
 * `bands` bands of nearly equal numbers of passes.
 */
// @ts-ignore: decorator
@inline function bandRows(OH: i32, band: i32, bands: i32): i64 {
  const passes = <i64>((OH + ROWS - 1) / ROWS);
  const begin = <i32>(ROWS * (<i64>band * passes / bands));
  const end = min(OH, <i32>(ROWS * (<i64>(band + 1) * passes / bands)));
  return (<i64>end << 32) | <i64>begin;
}

/**
 * Computes work items [WorkBegin, WorkEnd) of `depthwiseConvItems(d)` of the depthwise convolution the
 * descriptor at `d` describes (groups == InChannels). The workspace (depthwiseConvWorkspaceBytes) may
 * hold anything on entry: every byte the kernel reads from it is written first.
 */
export function depthwiseConv(d: usize): void {
  const ws = <usize>field(d, Slot.Workspace);
  memory.fill(ws, 0, HEAD);
  if (field(d, Slot.Layout) != 0) {
    forwardChannelsLast(d);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (direct3x3(d)) {
      forwardFirstDirect3x3(d);
      return;
    }
  }
  forwardChannelsFirst(d);
}

// ---------------------------------------------------------------------------------------------
// Vector helpers

/** The first `r` lanes (r in 1..4) of 4 floats at p, read exactly; other lanes are 0. */
// @ts-ignore: decorator
@inline function loadPart(p: usize, r: i32): v128 {
  if (r >= 4) return v128.load(p);
  if (r == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return r == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/** Writes the first `r` lanes (r >= 4: all) of v at p. */
// @ts-ignore: decorator
@inline function storePart(p: usize, v: v128, r: i32): void {
  if (r >= 4) { v128.store(p, v); return; }
  if (r == 1) { v128.store32_lane(p, v, 0); return; }
  v128.store64_lane(p, v, 0);
  if (r == 3) v128.store32_lane(p, v, 2, 8);
}

/** Stores the first `r` lanes of v at p, lane i at byte offset i * stride. */
// @ts-ignore: decorator
@inline function storeStrided(p: usize, v: v128, r: i32, stride: usize): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (r > 1) store<f32>(p + stride, f32x4.extract_lane(v, 1));
  if (r > 2) store<f32>(p + 2 * stride, f32x4.extract_lane(v, 2));
  if (r > 3) store<f32>(p + 3 * stride, f32x4.extract_lane(v, 3));
}

/**
 * Stores v to the workspace sink. Hot loops store a running sum there after each input row: V8
 * keeps wasm loads in program order with stores, so this stops its scheduler from hoisting every
 * load of an iteration to the top, which would need more than its 15 vector registers and spill.
 * The sink is never read.
 */
// @ts-ignore: decorator
@inline function order(sink: usize, v: v128): void {
  v128.store(sink, v);
}

/**
 * The fused activation (same definition as activate4 in simd.ts) with its parameters read from
 * memory at `c` (lo, hi, slope as f32), so they take no registers in the hot loops; `leaky`:
 * slope != 1. pmax/pmin are single instructions and keep a NaN input (it is their first operand).
 */
// @ts-ignore: decorator
@inline function act4(v: v128, c: usize, leaky: bool): v128 {
  if (leaky) v = v128.bitselect(v, f32x4.mul(v, v128.load32_splat(c, 8)), f32x4.gt(v, f32x4.splat(0)));
  return f32x4.pmin(f32x4.pmax(v, v128.load32_splat(c)), v128.load32_splat(c, 4));
}

// ---------------------------------------------------------------------------------------------
// Channels-first

/**
 * Channels-first depthwise convolution. Workspace after the head: tap tables (ROWS tables of
 * taps i32), the column offsets (KW i32), the row table (KD * RS i32), then the ring of KD * RS
 * slots (RS = ringRows), each SW phase rows of L floats (see ringRowFloats). The ring is
 * zero-filled here once; afterwards only the image columns of a slot are ever overwritten, so the
 * padding columns stay zero. For every input plane, output depth and pass of ROWS output rows,
 * the input rows the pass needs that the ring does not hold yet are copied in once; the m output
 * planes of that input channel are then computed from the ring.
 */
function forwardChannelsFirst(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const ac = d + (<usize>Slot.ActLo << 2);
  const leaky = slope != 1;

  const m = K / C;
  const taps = KD * KH * KW;
  const L = ringRowFloats(OW, KW, SW, DW);
  const RS = ringRows(KH, SH, DH);
  const phaseBytes = <usize>L << 2;
  const slotBytes = phaseBytes * SW;
  const ws = <usize>field(d, Slot.Workspace);
  const tab = ws + HEAD;
  const colOff = tab + (<usize>(ROWS * taps) << 2);
  const rowTab = colOff + (<usize>KW << 2);
  const ring = tab + align16(<usize>(ROWS * taps + KW + KD * RS) << 2);
  memory.fill(ring, 0, slotBytes * KD * RS);
  // Byte offset of tap column kw from a slot's start: phase (kw*DW) % SW, index (kw*DW) / SW.
  for (let kw = 0; kw < KW; kw++) {
    const pos = kw * DW;
    store<i32>(colOff + (<usize>kw << 2), <i32>(<usize>(pos % SW) * phaseBytes + (<usize>(pos / SW) << 2)));
  }

  const inPlane = <usize>ID * IH * IW, outPlane = <usize>OD * OH * OW;
  // Specialised row kernels (2-D, dilation 1 along W, stride 1 or 2 along W): 3x3 (the cases
  // the direct 3x3 path does not take), 5 wide with any number of rows.
  let kind = 0;
  if (KD == 1 && DW == 1 && SW <= 2) {
    if (KH == 3 && KW == 3) kind = 1;
    else if (KW == 5) kind = 3;
  }

  const bands = bandsFirst(d);
  const itemEnd = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < itemEnd; item++) {
    const plane = item / bands;
    const n = plane / C, c = plane - n * C;
    const span = bandRows(OH, item - plane * bands, bands);
    const ohBegin = <i32>span, ohEnd = <i32>(span >> 32);
    const xc = x + ((<usize>(n * C + c) * inPlane) << 2);
    for (let od = 0; od < OD; od++) {
      // Ring slot of padded row q (= input row q - PH) is q % RS; `loaded`: rows below are in.
      let loaded = ohBegin * SH, loadSlot = loaded % RS, topSlot = loadSlot;
      for (let oh = ohBegin; oh < ohEnd; oh += ROWS) {
        const rows = min(ROWS, ohEnd - oh);
        // Padded rows [first, end) feed this pass; copy those the ring does not hold yet.
        const first = oh * SH;
        const end = first + DH * (KH - 1) + 1 + SH * (rows - 1);
        if (loaded < first) {
          loadSlot += first - loaded;
          while (loadSlot >= RS) loadSlot -= RS;
          loaded = first;
        }
        for (; loaded < end; loaded++) {
          const ih = loaded - PH;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            const slot = ring + <usize>(kd * RS + loadSlot) * slotBytes;
            if (<u32>id < <u32>ID && <u32>ih < <u32>IH) {
              fillRingRow(slot, xc + ((<usize>(id * IH + ih) * IW) << 2), IW, PW, SW, L);
            } else {
              memory.fill(slot, 0, slotBytes);
            }
          }
          if (++loadSlot == RS) loadSlot = 0;
        }
        // Row table: slot address of padded row first + q of layer kd at entry kd * RS + q.
        for (let kd = 0; kd < KD; kd++) {
          let s = topSlot;
          for (let q = 0; q < end - first; q++) {
            store<i32>(rowTab + (<usize>(kd * RS + q) << 2), <i32>(ring + <usize>(kd * RS + s) * slotBytes));
            if (++s == RS) s = 0;
          }
        }
        topSlot += ROWS * SH;
        while (topSlot >= RS) topSlot -= RS;
        // Tap tables of the pass's rows: address of each tap's column for output column 0.
        for (let r = 0; r < rows; r++) {
          let t = tab + (<usize>(r * taps) << 2);
          for (let kd = 0; kd < KD; kd++) {
            for (let kh = 0; kh < KH; kh++) {
              const slot = load<i32>(rowTab + (<usize>(kd * RS + r * SH + kh * DH) << 2));
              for (let kw = 0; kw < KW; kw++, t += 4) {
                store<i32>(t, slot + load<i32>(colOff + (<usize>kw << 2)));
              }
            }
          }
        }
        for (let j = 0; j < m; j++) {
          const k = c * m + j;
          const y0 = y + ((<usize>(n * K + k) * outPlane + <usize>(od * OH + oh) * OW) << 2);
          const wk = w + (<usize>(k * taps) << 2);
          const bp = bias ? bias + (<usize>k << 2) : ws;
          if (ASC_FEATURE_SIMD) {
            for (let r = 0; r < rows; r++) {
              const yr = y0 + (<usize>(r * OW) << 2);
              const tr = tab + (<usize>(r * taps) << 2);
              if (kind == 1) {
                if (SW == 1) row3x3s1(yr, OW, tr, wk, bp, act, ac, leaky, ws + SINK);
                else row3x3s2(yr, OW, tr, phaseBytes, wk, bp, act, ac, leaky, ws + SINK);
              } else if (kind == 3) {
                if (SW == 1) rowsW5s1(yr, OW, tr, KH, wk, bp, act, ac, leaky);
                else rowsW5s2(yr, OW, tr, KH, phaseBytes, wk, bp, act, ac, leaky);
              } else {
                rowGeneric(yr, OW, tr, taps, wk, bp, act, ac, leaky);
              }
            }
          } else {
            const b = load<f32>(bp);
            for (let r = 0; r < rows; r++) {
              const yr = y0 + (<usize>(r * OW) << 2), tr = tab + (<usize>(r * taps) << 2);
              if (kind == 1) row3x3Scalar(yr, OW, tr, wk, b, act, lo, hi, slope);
              else rowScalar(yr, OW, tr, taps, wk, b, act, lo, hi, slope);
            }
          }
        }
      }
    }
  }
}

/**
 * Copies one input row of IW floats into a ring slot of S phase rows of L floats: padded
 * column q = iw + PW goes to phase q % S, index q / S (columns with index >= L are not needed).
 * Writes only the image columns; the slot's padding columns keep their zeros.
 */
export function fillRingRow(slot: usize, row: usize, IW: i32, PW: i32, S: i32, L: i32): void {
  const count = min(IW, S * L - PW);
  if (count <= 0) return;
  const phaseBytes = <usize>L << 2;
  let j = 0;
  if (S == 1) {
    const dst = slot + (<usize>PW << 2);
    if (ASC_FEATURE_SIMD) {
      for (; j + 8 <= count; j += 8) {
        const at = <usize>j << 2;
        v128.store(dst + at, v128.load(row + at));
        v128.store(dst + at, v128.load(row + at, 16), 16);
      }
      if (j + 4 <= count) {
        const at = <usize>j << 2;
        v128.store(dst + at, v128.load(row + at));
        j += 4;
      }
    }
    for (; j < count; j++) store<f32>(dst + (<usize>j << 2), load<f32>(row + (<usize>j << 2)));
    return;
  }
  if (S == 2) {
    if (PW & 1) {
      // Column 0 is odd in padded coordinates: it goes to phase 1; the rest pairs up evenly.
      store<f32>(slot + phaseBytes + (<usize>(PW >> 1) << 2), load<f32>(row));
      j = 1;
    }
    if (ASC_FEATURE_SIMD) {
      let src = row + (<usize>j << 2);
      let dst = slot + (<usize>((j + PW) >> 1) << 2);
      for (; j + 16 <= count; j += 16, src += 64, dst += 32) {
        const a = v128.load(src), b = v128.load(src, 16), c = v128.load(src, 32), e = v128.load(src, 48);
        v128.store(dst, f32x4.shuffle(a, b, 0, 2, 4, 6));
        v128.store(dst + phaseBytes, f32x4.shuffle(a, b, 1, 3, 5, 7));
        v128.store(dst, f32x4.shuffle(c, e, 0, 2, 4, 6), 16);
        v128.store(dst + phaseBytes, f32x4.shuffle(c, e, 1, 3, 5, 7), 16);
      }
      if (j + 8 <= count) {
        const a = v128.load(src), b = v128.load(src, 16);
        v128.store(dst, f32x4.shuffle(a, b, 0, 2, 4, 6));
        v128.store(dst + phaseBytes, f32x4.shuffle(a, b, 1, 3, 5, 7));
        src += 32; dst += 16; j += 8;
      }
      if (j + 4 <= count) {
        const a = v128.load(src);
        v128.store64_lane(dst, f32x4.shuffle(a, a, 0, 2, 1, 3), 0);
        v128.store64_lane(dst + phaseBytes, f32x4.shuffle(a, a, 1, 3, 0, 2), 0);
        j += 4;
      }
    }
    for (; j < count; j++) {
      const q = j + PW;
      store<f32>(slot + (q & 1 ? phaseBytes : 0) + (<usize>(q >> 1) << 2), load<f32>(row + (<usize>j << 2)));
    }
    return;
  }
  // Any other stride: walk phase and index along without dividing per column.
  let phase = PW % S, index = PW / S;
  for (; j < count; j++) {
    store<f32>(slot + <usize>phase * phaseBytes + (<usize>index << 2), load<f32>(row + (<usize>j << 2)));
    if (++phase == S) { phase = 0; index++; }
  }
}

/**
 * Channels-first 2-D 3x3 convolution with dilation 1 and equal strides S (1 or 2), two output rows
 * per pass. Most of each input row is read in place: the block of 4 outputs at ow = 4b reads padded
 * columns 4bS .. 4bS + 3S + 2, so blocks [bA, bB) whose columns all lie inside the image use a
 * pointer into the input row; the blocks at the edges read a ring slot holding the padded row
 * (only the edge columns are copied; the rest of a slot stays zero). Rows outside the image read
 * a zeroed slot. Stride 2 splits even and odd columns in registers.
 * Workspace after the head: ring pointers and in-place pointers of the pass's 3 + S rows, a
 * scratch output row (the second row of a one-row pass), the ring (3 + S rows of
 * directRowFloats floats). Reads only inside the input rows and the workspace.
 */
function forwardFirstDirect3x3(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const SD = field(d, Slot.StrideD), S = field(d, Slot.StrideW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const ac = d + (<usize>Slot.ActLo << 2);
  const leaky = fieldF(d, Slot.ActSlope) != 1;

  const m = K / C;
  const RS = 3 + S;
  const L = directRowFloats(OW, S);
  const slotBytes = <usize>L << 2;
  const ws = <usize>field(d, Slot.Workspace);
  // In-place pointer of the row in each ring slot, then the pass's ring and in-place pointers.
  const slotDir = ws + HEAD;
  const rt = slotDir + (<usize>RS << 2), dt = rt + (<usize>RS << 2);
  const scratch = ws + HEAD + align16(<usize>(3 * RS) << 2);
  const ring = scratch + (<usize>roundUp(OW, 4) << 2);
  memory.fill(ring, 0, slotBytes * RS);

  // Blocks [bA, bB) read in place; the ring holds padded columns [0, leftEnd) and [rightStart, L).
  const nb = (OW + 3) >> 2;
  const bA = min(nb, (PW + 4 * S - 1) / (4 * S));
  const room = IW + PW - 3 - 3 * S;
  const bB = max(bA, room < 0 ? 0 : min(OW >> 2, room / (4 * S) + 1));
  const leftEnd = min(L, bA > 0 ? 4 * S * (bA - 1) + 3 * S + 3 : 0);
  const rightStart = min(L, 4 * S * bB);
  // The image columns among those: padded columns [q0, q1) and [q2, q3). When the image is at
  // least EDGE columns wide and each edge needs at most EDGE of them, copy exactly the first and
  // the last EDGE image columns instead (the extra columns land where they belong anyway).
  const q0 = PW, q1 = max(q0, min(leftEnd, PW + IW));
  const q2 = max(rightStart, PW), q3 = max(q2, min(L, PW + IW));
  const fixedEdges = IW >= EDGE && PW + IW <= L && q1 - q0 <= EDGE && q3 - q2 <= EDGE && q3 == PW + IW;
  const rightSrc = <usize>(IW - EDGE) << 2, rightDst = <usize>(PW + IW - EDGE) << 2;
  const owA = min(OW, bA << 2), owB = max(owA, min(OW, bB << 2));

  const inPlane = <usize>ID * IH * IW, outPlane = <usize>OD * OH * OW;
  const rowBytes = <usize>OW << 2;
  const bands = bandsFirst(d);
  const itemEnd = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < itemEnd; item++) {
    const plane = item / bands;
    const n = plane / C, c = plane - n * C;
    const span = bandRows(OH, item - plane * bands, bands);
    const ohBegin = <i32>span, ohEnd = <i32>(span >> 32);
    const xc = x + ((<usize>(n * C + c) * inPlane) << 2);
    for (let od = 0; od < OD; od++) {
      const id = od * SD - PD;
      const depthInside = <u32>id < <u32>ID;
      // Padded row q (input row q - PH) lives in ring slot q % RS; rows below `loaded` are in.
      let loaded = ohBegin * S, loadSlot = loaded % RS, topSlot = loadSlot;
      for (let oh = ohBegin; oh < ohEnd; oh += ROWS) {
        const rows = min(ROWS, ohEnd - oh);
        const first = oh * S;
        const end = first + 3 + S * (rows - 1);
        if (loaded < first) {
          loadSlot += first - loaded;
          while (loadSlot >= RS) loadSlot -= RS;
          loaded = first;
        }
        for (; loaded < end; loaded++) {
          const ih = loaded - PH;
          const slot = ring + <usize>loadSlot * slotBytes;
          if (depthInside && <u32>ih < <u32>IH) {
            const row = xc + ((<usize>(id * IH + ih) * IW) << 2);
            if (fixedEdges) {
              copy12(slot + (<usize>PW << 2), row);
              copy12(slot + rightDst, row + rightSrc);
            } else {
              copyFloats(slot + (<usize>q0 << 2), row, q1 - q0);
              copyFloats(slot + (<usize>q2 << 2), row + (<usize>(q2 - PW) << 2), q3 - q2);
            }
            store<i32>(slotDir + (<usize>loadSlot << 2), <i32>(row - (<usize>PW << 2)));
          } else {
            memory.fill(slot, 0, slotBytes);
            store<i32>(slotDir + (<usize>loadSlot << 2), <i32>slot);
          }
          if (++loadSlot == RS) loadSlot = 0;
        }
        // Row tables of the pass, in row order (a one-row pass repeats its last row: the
        // second output row then goes to the scratch row).
        let s = topSlot;
        for (let q = 0; q < RS; q++) {
          store<i32>(rt + (<usize>q << 2), <i32>(ring + <usize>s * slotBytes));
          store<i32>(dt + (<usize>q << 2), load<i32>(slotDir + (<usize>s << 2)));
          if (q < end - first - 1 && ++s == RS) s = 0;
        }
        topSlot += ROWS * S;
        while (topSlot >= RS) topSlot -= RS;
        for (let j = 0; j < m; j++) {
          const k = c * m + j;
          const y0 = y + ((<usize>(n * K + k) * outPlane + <usize>(od * OH + oh) * OW) << 2);
          const y1 = rows == 2 ? y0 + rowBytes : scratch;
          const wk = w + (<usize>(k * 9) << 2);
          const bp = bias ? bias + (<usize>k << 2) : ws;
          if (S == 1) rows3x3s1(y0, y1, owA, owB, OW, rt, dt, wk, bp, act, ac, leaky, ws + SINK);
          else rows3x3s2(y0, y1, owA, owB, OW, rt, dt, wk, bp, act, ac, leaky, ws + SINK);
        }
      }
    }
  }
}

/** Columns copied for each edge of a row by the direct 3x3 path when the image is wide enough. */
const EDGE: i32 = 12;

/** Copies 12 floats (EDGE) between non-overlapping areas. */
// @ts-ignore: decorator
@inline function copy12(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    v128.store(dst, v128.load(src, 32), 32);
  }
}

/** Copies n floats (a few, typically) between non-overlapping areas; reads and writes exactly n. */
// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  if (n >= 4) {
    // Whole vectors, the last one overlapping the previous ones.
    const last = <usize>(n - 4) << 2;
    for (let at: usize = 0; at < last; at += 16) v128.store(dst + at, v128.load(src + at));
    v128.store(dst + last, v128.load(src + last));
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  }
}

/**
 * Outputs [ow0, ow1) (ow0 a multiple of 4) of two output rows y0, y1 of a 3x3 kernel, strides
 * 1 x 1: rt holds the addresses of padded column 0 of the 4 input rows they read (rows 0-2 for
 * y0, 1-3 for y1). Output ow reads columns ow .. ow + 2. The 9 weights stay in registers; each
 * input vector feeds both rows. `bp`: the bias (one f32), `ac`: lo, hi, slope. Reads columns
 * up to roundUp(ow1, 4) + 1; writes exactly the outputs [ow0, ow1) of each row.
 */
function rows3x3s1(
  y0: usize, y1: usize, owA: i32, owB: i32, OW: i32, rt: usize, dt: usize,
  wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize,
): void {
  const w0 = v128.load32_splat(wk), w1 = v128.load32_splat(wk, 4), w2 = v128.load32_splat(wk, 8);
  const w3 = v128.load32_splat(wk, 12), w4 = v128.load32_splat(wk, 16), w5 = v128.load32_splat(wk, 20);
  const w6 = v128.load32_splat(wk, 24), w7 = v128.load32_splat(wk, 28), w8 = v128.load32_splat(wk, 32);
  // Three segments of output columns: [0, owA) from rt, [owA, owB) from dt, [owB, OW) from rt.
  for (let seg = 0; seg < 3; seg++) {
    const ow0 = seg == 0 ? 0 : seg == 1 ? owA : owB;
    const ow1 = seg == 0 ? owA : seg == 1 ? owB : OW;
    const t = seg == 1 ? dt : rt;
    const r0 = <usize>load<i32>(t), r1 = <usize>load<i32>(t, 4), r2 = <usize>load<i32>(t, 8), r3 = <usize>load<i32>(t, 12);
  for (let ow = ow0; ow < ow1; ow += 4) {
    const off = <usize>ow << 2;
    const b = v128.load32_splat(bp);
    let p = r0 + off;
    let a = madd(v128.load(p), w0, b);
    a = madd(v128.load(p, 4), w1, a);
    a = madd(v128.load(p, 8), w2, a);
    order(sink, a);
    p = r1 + off;
    let x = v128.load(p);
    let e = madd(x, w0, b);
    a = madd(x, w3, a);
    x = v128.load(p, 4);
    e = madd(x, w1, e);
    a = madd(x, w4, a);
    x = v128.load(p, 8);
    e = madd(x, w2, e);
    a = madd(x, w5, a);
    order(sink, a);
    p = r2 + off;
    x = v128.load(p);
    e = madd(x, w3, e);
    a = madd(x, w6, a);
    x = v128.load(p, 4);
    e = madd(x, w4, e);
    a = madd(x, w7, a);
    x = v128.load(p, 8);
    e = madd(x, w5, e);
    a = madd(x, w8, a);
    if (act) a = act4(a, ac, leaky);
    const r = ow1 - ow;
    storePart(y0 + off, a, r);
    p = r3 + off;
    e = madd(v128.load(p), w6, e);
    e = madd(v128.load(p, 4), w7, e);
    e = madd(v128.load(p, 8), w8, e);
    if (act) e = act4(e, ac, leaky);
    storePart(y1 + off, e, r);
  }
  }
}

/**
 * As rows3x3s1 for strides 2 x 2 (rt: the 5 input rows, 0-2 for y0, 2-4 for y1). Output ow
 * reads padded columns 2ow .. 2ow + 2: for a block of 4 outputs, columns 2ow .. 2ow + 8 are loaded
 * as A (4), B (4) and one more float; tap 0 is the even lanes of A, B, tap 1 the odd lanes, tap 2
 * the even lanes shifted by one. Reads columns up to 2 * roundUp(ow1, 4) (and the 3 floats
 * after it are not read); writes exactly the outputs [ow0, ow1) of each row.
 */
function rows3x3s2(
  y0: usize, y1: usize, owA: i32, owB: i32, OW: i32, rt: usize, dt: usize,
  wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize,
): void {
  const w0 = v128.load32_splat(wk), w1 = v128.load32_splat(wk, 4), w2 = v128.load32_splat(wk, 8);
  const w3 = v128.load32_splat(wk, 12), w4 = v128.load32_splat(wk, 16), w5 = v128.load32_splat(wk, 20);
  const w6 = v128.load32_splat(wk, 24), w7 = v128.load32_splat(wk, 28), w8 = v128.load32_splat(wk, 32);
  for (let seg = 0; seg < 3; seg++) {
    const ow0 = seg == 0 ? 0 : seg == 1 ? owA : owB;
    const ow1 = seg == 0 ? owA : seg == 1 ? owB : OW;
    const t = seg == 1 ? dt : rt;
    const r0 = <usize>load<i32>(t), r1 = <usize>load<i32>(t, 4), r2 = <usize>load<i32>(t, 8);
    const r3 = <usize>load<i32>(t, 12), r4 = <usize>load<i32>(t, 16);
  for (let ow = ow0; ow < ow1; ow += 4) {
    const off = <usize>ow << 3;
    const b = v128.load32_splat(bp);
    let p = r0 + off;
    let A = v128.load(p), B = v128.load(p, 16);
    let ev = f32x4.shuffle(A, B, 0, 2, 4, 6);
    let a = madd(ev, w0, b);
    a = madd(f32x4.shuffle(A, B, 1, 3, 5, 7), w1, a);
    a = madd(f32x4.shuffle(ev, v128.load32_zero(p, 32), 1, 2, 3, 4), w2, a);
    order(sink, a);
    p = r1 + off;
    A = v128.load(p); B = v128.load(p, 16);
    ev = f32x4.shuffle(A, B, 0, 2, 4, 6);
    a = madd(ev, w3, a);
    a = madd(f32x4.shuffle(A, B, 1, 3, 5, 7), w4, a);
    a = madd(f32x4.shuffle(ev, v128.load32_zero(p, 32), 1, 2, 3, 4), w5, a);
    order(sink, a);
    p = r2 + off;
    A = v128.load(p); B = v128.load(p, 16);
    ev = f32x4.shuffle(A, B, 0, 2, 4, 6);
    a = madd(ev, w6, a);
    let e = madd(ev, w0, b);
    let x = f32x4.shuffle(A, B, 1, 3, 5, 7);
    a = madd(x, w7, a);
    e = madd(x, w1, e);
    x = f32x4.shuffle(ev, v128.load32_zero(p, 32), 1, 2, 3, 4);
    a = madd(x, w8, a);
    e = madd(x, w2, e);
    if (act) a = act4(a, ac, leaky);
    const at = <usize>ow << 2, r = ow1 - ow;
    storePart(y0 + at, a, r);
    p = r3 + off;
    A = v128.load(p); B = v128.load(p, 16);
    ev = f32x4.shuffle(A, B, 0, 2, 4, 6);
    e = madd(ev, w3, e);
    e = madd(f32x4.shuffle(A, B, 1, 3, 5, 7), w4, e);
    e = madd(f32x4.shuffle(ev, v128.load32_zero(p, 32), 1, 2, 3, 4), w5, e);
    order(sink, e);
    p = r4 + off;
    A = v128.load(p); B = v128.load(p, 16);
    ev = f32x4.shuffle(A, B, 0, 2, 4, 6);
    e = madd(ev, w6, e);
    e = madd(f32x4.shuffle(A, B, 1, 3, 5, 7), w7, e);
    e = madd(f32x4.shuffle(ev, v128.load32_zero(p, 32), 1, 2, 3, 4), w8, e);
    if (act) e = act4(e, ac, leaky);
    storePart(y1 + at, e, r);
  }
  }
}

/**
 * One output row of a 3x3 kernel, stride 1 along W (any stride and dilation along H): tab holds
 * the addresses of taps (kh, 0); taps (kh, 1) and (kh, 2) follow at +4 and +8 bytes.
 * Reads slot columns up to roundUp(OW, 4) + 1; writes exactly OW floats at y.
 */
function row3x3s1(y: usize, OW: i32, tab: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize): void {
  const r0 = <usize>load<i32>(tab), r1 = <usize>load<i32>(tab, 12), r2 = <usize>load<i32>(tab, 24);
  const w0 = v128.load32_splat(wk), w1 = v128.load32_splat(wk, 4), w2 = v128.load32_splat(wk, 8);
  const w3 = v128.load32_splat(wk, 12), w4 = v128.load32_splat(wk, 16), w5 = v128.load32_splat(wk, 20);
  const w6 = v128.load32_splat(wk, 24), w7 = v128.load32_splat(wk, 28), w8 = v128.load32_splat(wk, 32);
  for (let ow = 0; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    const p0 = r0 + off, p1 = r1 + off, p2 = r2 + off;
    let a = madd(v128.load(p0), w0, v128.load32_splat(bp));
    a = madd(v128.load(p0, 4), w1, a);
    a = madd(v128.load(p0, 8), w2, a);
    order(sink, a);
    a = madd(v128.load(p1), w3, a);
    a = madd(v128.load(p1, 4), w4, a);
    a = madd(v128.load(p1, 8), w5, a);
    order(sink, a);
    a = madd(v128.load(p2), w6, a);
    a = madd(v128.load(p2, 4), w7, a);
    a = madd(v128.load(p2, 8), w8, a);
    if (act) a = act4(a, ac, leaky);
    storePart(y + off, a, OW - ow);
  }
}

/**
 * One output row of a 3x3 kernel, stride 2 along W: tab holds the addresses of taps (kh, 0) in
 * phase 0; tap (kh, 1) is the same index in phase 1 (+pb bytes), tap (kh, 2) phase 0, +4 bytes.
 * Reads slot columns up to roundUp(OW, 4) + 1 of each phase; writes exactly OW floats at y.
 */
function row3x3s2(y: usize, OW: i32, tab: usize, pb: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize): void {
  const r0 = <usize>load<i32>(tab), r1 = <usize>load<i32>(tab, 12), r2 = <usize>load<i32>(tab, 24);
  const w0 = v128.load32_splat(wk), w1 = v128.load32_splat(wk, 4), w2 = v128.load32_splat(wk, 8);
  const w3 = v128.load32_splat(wk, 12), w4 = v128.load32_splat(wk, 16), w5 = v128.load32_splat(wk, 20);
  const w6 = v128.load32_splat(wk, 24), w7 = v128.load32_splat(wk, 28), w8 = v128.load32_splat(wk, 32);
  for (let ow = 0; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    const p0 = r0 + off, p1 = r1 + off, p2 = r2 + off;
    let a = madd(v128.load(p0), w0, v128.load32_splat(bp));
    a = madd(v128.load(p0 + pb), w1, a);
    a = madd(v128.load(p0, 4), w2, a);
    order(sink, a);
    a = madd(v128.load(p1), w3, a);
    a = madd(v128.load(p1 + pb), w4, a);
    a = madd(v128.load(p1, 4), w5, a);
    order(sink, a);
    a = madd(v128.load(p2), w6, a);
    a = madd(v128.load(p2 + pb), w7, a);
    a = madd(v128.load(p2, 4), w8, a);
    if (act) a = act4(a, ac, leaky);
    storePart(y + off, a, OW - ow);
  }
}

/**
 * One output row of a kernel 5 wide with `rows` rows (KH; KD == 1), stride 1 along W: tab holds
 * the address of tap (row, 0) at entry 5 * row; the other four follow at +4 .. +16 bytes.
 * 8 outputs per step (each weight loaded once for both halves), then 4 with a partial store.
 */
function rowsW5s1(y: usize, OW: i32, tab: usize, rows: i32, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
  let ow = 0;
  for (; ow + 8 <= OW; ow += 8) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp), a1 = a0;
    for (let r = 0; r < rows; r++) {
      const p = <usize>load<i32>(tab + <usize>(r * 20)) + off;
      const wr = wk + <usize>(r * 20);
      let v = v128.load32_splat(wr);
      a0 = madd(v128.load(p), v, a0); a1 = madd(v128.load(p, 16), v, a1);
      v = v128.load32_splat(wr, 4);
      a0 = madd(v128.load(p, 4), v, a0); a1 = madd(v128.load(p, 20), v, a1);
      v = v128.load32_splat(wr, 8);
      a0 = madd(v128.load(p, 8), v, a0); a1 = madd(v128.load(p, 24), v, a1);
      v = v128.load32_splat(wr, 12);
      a0 = madd(v128.load(p, 12), v, a0); a1 = madd(v128.load(p, 28), v, a1);
      v = v128.load32_splat(wr, 16);
      a0 = madd(v128.load(p, 16), v, a0); a1 = madd(v128.load(p, 32), v, a1);
    }
    if (act) { a0 = act4(a0, ac, leaky); a1 = act4(a1, ac, leaky); }
    v128.store(y + off, a0); v128.store(y + off, a1, 16);
  }
  for (; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp);
    for (let r = 0; r < rows; r++) {
      const p = <usize>load<i32>(tab + <usize>(r * 20)) + off;
      const wr = wk + <usize>(r * 20);
      a0 = madd(v128.load(p), v128.load32_splat(wr), a0);
      a0 = madd(v128.load(p, 4), v128.load32_splat(wr, 4), a0);
      a0 = madd(v128.load(p, 8), v128.load32_splat(wr, 8), a0);
      a0 = madd(v128.load(p, 12), v128.load32_splat(wr, 12), a0);
      a0 = madd(v128.load(p, 16), v128.load32_splat(wr, 16), a0);
    }
    if (act) a0 = act4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * As rowsW5s1 for stride 2 along W: taps 0, 2, 4 of a row are phase 0 at +0, +4, +8 bytes,
 * taps 1, 3 phase 1 (+pb bytes) at +0, +4 bytes, from the address in tab.
 */
function rowsW5s2(y: usize, OW: i32, tab: usize, rows: i32, pb: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
  let ow = 0;
  for (; ow + 8 <= OW; ow += 8) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp), a1 = a0;
    for (let r = 0; r < rows; r++) {
      const e = <usize>load<i32>(tab + <usize>(r * 20)) + off;
      const o = e + pb;
      const wr = wk + <usize>(r * 20);
      let v = v128.load32_splat(wr);
      a0 = madd(v128.load(e), v, a0); a1 = madd(v128.load(e, 16), v, a1);
      v = v128.load32_splat(wr, 4);
      a0 = madd(v128.load(o), v, a0); a1 = madd(v128.load(o, 16), v, a1);
      v = v128.load32_splat(wr, 8);
      a0 = madd(v128.load(e, 4), v, a0); a1 = madd(v128.load(e, 20), v, a1);
      v = v128.load32_splat(wr, 12);
      a0 = madd(v128.load(o, 4), v, a0); a1 = madd(v128.load(o, 20), v, a1);
      v = v128.load32_splat(wr, 16);
      a0 = madd(v128.load(e, 8), v, a0); a1 = madd(v128.load(e, 24), v, a1);
    }
    if (act) { a0 = act4(a0, ac, leaky); a1 = act4(a1, ac, leaky); }
    v128.store(y + off, a0); v128.store(y + off, a1, 16);
  }
  for (; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp);
    for (let r = 0; r < rows; r++) {
      const e = <usize>load<i32>(tab + <usize>(r * 20)) + off;
      const o = e + pb;
      const wr = wk + <usize>(r * 20);
      a0 = madd(v128.load(e), v128.load32_splat(wr), a0);
      a0 = madd(v128.load(o), v128.load32_splat(wr, 4), a0);
      a0 = madd(v128.load(e, 4), v128.load32_splat(wr, 8), a0);
      a0 = madd(v128.load(o, 4), v128.load32_splat(wr, 12), a0);
      a0 = madd(v128.load(e, 8), v128.load32_splat(wr, 16), a0);
    }
    if (act) a0 = act4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * One output row for any kernel, stride and dilation: tab[t] is the byte address of tap t's
 * column for output 0 (output ow reads it + 4 * ow). Reads slot columns up to roundUp(OW, 4)
 * past each tap's start; writes exactly OW floats at y.
 */
function rowGeneric(y: usize, OW: i32, tab: usize, taps: i32, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
  let ow = 0;
  for (; ow + 8 <= OW; ow += 8) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp), a1 = a0;
    for (let t = 0; t < taps; t++) {
      const p = <usize>load<i32>(tab + (<usize>t << 2)) + off;
      const v = v128.load32_splat(wk + (<usize>t << 2));
      a0 = madd(v128.load(p), v, a0);
      a1 = madd(v128.load(p, 16), v, a1);
    }
    if (act) { a0 = act4(a0, ac, leaky); a1 = act4(a1, ac, leaky); }
    v128.store(y + off, a0); v128.store(y + off, a1, 16);
  }
  for (; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp);
    for (let t = 0; t < taps; t++) {
      const p = <usize>load<i32>(tab + (<usize>t << 2)) + off;
      a0 = madd(v128.load(p), v128.load32_splat(wk + (<usize>t << 2)), a0);
    }
    if (act) a0 = act4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * Scalar form of rowGeneric (the scalar build), four outputs per step so each tap's address and
 * weight are loaded once for four; reads only columns below OW past each tap.
 */
function rowScalar(y: usize, OW: i32, tab: usize, taps: i32, wk: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32): void {
  let ow = 0;
  for (; ow + 4 <= OW; ow += 4) {
    const off = <usize>ow << 2;
    let a0 = b, a1 = b, a2 = b, a3 = b;
    for (let t = 0; t < taps; t++) {
      const p = <usize>load<i32>(tab + (<usize>t << 2)) + off;
      const v = load<f32>(wk + (<usize>t << 2));
      a0 += load<f32>(p) * v; a1 += load<f32>(p, 4) * v;
      a2 += load<f32>(p, 8) * v; a3 += load<f32>(p, 12) * v;
    }
    if (act) {
      a0 = activate1(a0, lo, hi, slope); a1 = activate1(a1, lo, hi, slope);
      a2 = activate1(a2, lo, hi, slope); a3 = activate1(a3, lo, hi, slope);
    }
    store<f32>(y + off, a0); store<f32>(y + off, a1, 4); store<f32>(y + off, a2, 8); store<f32>(y + off, a3, 12);
  }
  for (; ow < OW; ow++) {
    const off = <usize>ow << 2;
    let a = b;
    for (let t = 0; t < taps; t++) {
      a += load<f32>(<usize>load<i32>(tab + (<usize>t << 2)) + off) * load<f32>(wk + (<usize>t << 2));
    }
    if (act) a = activate1(a, lo, hi, slope);
    store<f32>(y + off, a);
  }
}

/**
 * Scalar 3x3 row (the scalar build; 2-D, dilation 1 along W, stride 1 or 2 along W): the 9
 * weights stay in locals; tab holds the 9 tap addresses (column 0), taps of a row are at the
 * same offsets from its first tap. Reads only columns below OW past each tap.
 */
function row3x3Scalar(y: usize, OW: i32, tab: usize, wk: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32): void {
  let r0 = <usize>load<i32>(tab), r1 = <usize>load<i32>(tab, 12), r2 = <usize>load<i32>(tab, 24);
  const c1 = <usize>load<i32>(tab, 4) - r0, c2 = <usize>load<i32>(tab, 8) - r0;
  const w0 = load<f32>(wk), w1 = load<f32>(wk, 4), w2 = load<f32>(wk, 8);
  const w3 = load<f32>(wk, 12), w4 = load<f32>(wk, 16), w5 = load<f32>(wk, 20);
  const w6 = load<f32>(wk, 24), w7 = load<f32>(wk, 28), w8 = load<f32>(wk, 32);
  for (let ow = 0; ow < OW; ow++, r0 += 4, r1 += 4, r2 += 4) {
    let a = b + w0 * load<f32>(r0) + w1 * load<f32>(r0 + c1) + w2 * load<f32>(r0 + c2);
    a += w3 * load<f32>(r1) + w4 * load<f32>(r1 + c1) + w5 * load<f32>(r1 + c2);
    a += w6 * load<f32>(r2) + w7 * load<f32>(r2 + c1) + w8 * load<f32>(r2 + c2);
    if (act) a = activate1(a, lo, hi, slope);
    store<f32>(y + (<usize>ow << 2), a);
  }
}

// ---------------------------------------------------------------------------------------------
// Channels-last

/**
 * Channels-last depthwise convolution. Workspace after the head: row table (KD*KH i32) then a
 * zero row of IW*C floats (+16 bytes), zero-filled here. For every output row the table holds,
 * per (kd, kh), the address of input column 0 of that row, or of the zero row when the row is in
 * the padding. Interior columns (every kw tap inside the image) run without bounds checks, one
 * block of 4 channels at a time over a tile of pixels: a 3x3 2-D kernel with the 9 weight vectors
 * in registers, two pixels per step sharing their common input columns; any other kernel four
 * pixels per step sharing each weight load. The other pixels clip the kw range per pixel. Reads
 * only inside the input (the last channel block of a pixel is read with partial loads).
 */
function forwardChannelsLast(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OD = field(d, Slot.OutD), OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const SD = field(d, Slot.StrideD), SH = field(d, Slot.StrideH), SW = field(d, Slot.StrideW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const PD = field(d, Slot.PadD), PH = field(d, Slot.PadH), PW = field(d, Slot.PadW);
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const w = <usize>field(d, Slot.Weights), bias = <usize>field(d, Slot.Bias);
  const act = field(d, Slot.HasActivation) != 0;
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const ac = d + (<usize>Slot.ActLo << 2);

  const m = K / C;
  const rows = KD * KH;
  const ws = <usize>field(d, Slot.Workspace);
  const tab = ws + HEAD;
  const zero = tab + align16(<usize>rows << 2);
  memory.fill(zero, 0, ((<usize>IW * C) << 2) + 16);
  const rowBytes = (<usize>IW * C) << 2;

  // Interior columns [owA, owB): every kw tap lands inside the image.
  const owA = min(OW, (PW + SW - 1) / SW);
  const lastStart = IW - 1 - (KW - 1) * DW + PW;
  const owB = lastStart < 0 ? 0 : min(OW, lastStart / SW + 1);
  const fast3x3 = KD == 1 && KH == 3 && KW == 3;

  const itemEnd = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < itemEnd; item++) {
    const oh = item % OH, plane = item / OH;
    const od = plane % OD, n = plane / OD;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * SD - PD + kd * DD;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * SH - PH + kh * DH;
        const inside = <u32>id < <u32>ID && <u32>ih < <u32>IH;
        const at = inside ? x + <usize>((n * ID + id) * IH + ih) * rowBytes : zero;
        store<i32>(tab + (<usize>(kd * KH + kh) << 2), <i32>at);
      }
    }
    const yrow = y + ((<usize>((n * OD + od) * OH + oh) * OW * K) << 2);
    if (ASC_FEATURE_SIMD) {
      if (owA < owB) {
        if (fast3x3) interior3x3(yrow, tab, w, bias, ws, C, m, owA, owB, SW, PW, DW, act, ac);
        else interiorAny(yrow, tab, w, bias, ws, C, m, owA, owB, rows, KW, SW, PW, DW, act, ac);
        pixelsClipped(yrow, tab, w, bias, C, m, 0, owA, rows, KW, IW, SW, PW, DW, act, lo, hi, slope, ac);
        pixelsClipped(yrow, tab, w, bias, C, m, owB, OW, rows, KW, IW, SW, PW, DW, act, lo, hi, slope, ac);
        continue;
      }
    }
    pixelsClipped(yrow, tab, w, bias, C, m, 0, OW, rows, KW, IW, SW, PW, DW, act, lo, hi, slope, ac);
  }
}

/** Bias of output channels (c0 + i) * m + j for the first r lanes (zeros elsewhere or without bias). */
// @ts-ignore: decorator
@inline function biasBlock(bias: usize, c0: i32, j: i32, m: i32, r: i32): v128 {
  if (!bias) return f32x4.splat(0);
  if (m == 1) return v128.load(bias + (<usize>c0 << 2));
  let v = f32x4.splat(0);
  const p = bias + (<usize>(c0 * m + j) << 2), s = <usize>m << 2;
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (r > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + s));
  if (r > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * s));
  if (r > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * s));
  return v;
}

/** Writes one pixel's result for a channel block: r contiguous lanes (m == 1) or every m-th float. */
// @ts-ignore: decorator
@inline function storeBlock(out: usize, v: v128, r: i32, m: i32): void {
  if (m == 1) storePart(out, v, r);
  else storeStrided(out, v, r, <usize>m << 2);
}

/**
 * Interior pixels [owA, owB) of one output row of a 2-D 3x3 channels-last kernel, for one block
 * of 4 input channels (r valid, r in 1..4) and one multiplier index j: the block's 9 weight
 * vectors stay in registers (bias and activation are read from memory: `bv` holds the bias
 * vector). `pairs` (inlined as a constant): 1 for dilation 1 and stride 1, 2 for dilation 1 and
 * stride 2 — several pixels per step then share their common input columns (stride 1: 5 columns
 * for 3 pixels, then 4 for a last pair; stride 2: 5 columns for 2 pixels) — and 0 for one pixel
 * per step (any stride and dilation).
 */
// @ts-ignore: decorator
@inline function interior3x3Block(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32, r: i32,
  owA: i32, owB: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool, pairs: i32,
): void {
  const pix = <usize>C << 2;
  const Cp = (C + 3) & ~3;
  const tapBytes = <usize>(m * Cp) << 2;
  const wb = w + (<usize>(j * Cp + c0) << 2);
  const sink = bv + 16;
  const w0 = v128.load(wb), w1 = v128.load(wb + tapBytes), w2 = v128.load(wb + 2 * tapBytes);
  const w3 = v128.load(wb + 3 * tapBytes), w4 = v128.load(wb + 4 * tapBytes), w5 = v128.load(wb + 5 * tapBytes);
  const w6 = v128.load(wb + 6 * tapBytes), w7 = v128.load(wb + 7 * tapBytes), w8 = v128.load(wb + 8 * tapBytes);
  const start = <usize>(owA * SW - PW) * pix + (<usize>c0 << 2);
  let p0 = <usize>load<i32>(tab) + start, p1 = <usize>load<i32>(tab, 4) + start, p2 = <usize>load<i32>(tab, 8) + start;
  const K = C * m;
  let out = yrow + (<usize>(owA * K + c0 * m + j) << 2);
  const outStep = <usize>K << 2;
  let ow = owA;
  if (pairs == 1) {
    const c1 = pix, c2 = pix * 2, c3 = pix * 3, c4 = pix * 4;
    for (; ow + 3 <= owB; ow += 3) {
      const b = v128.load(bv);
      let x = loadPart(p0, r);
      let a = madd(x, w0, b);
      x = loadPart(p0 + c1, r);
      a = madd(x, w1, a);
      let e = madd(x, w0, b);
      x = loadPart(p0 + c2, r);
      a = madd(x, w2, a);
      e = madd(x, w1, e);
      let g = madd(x, w0, b);
      x = loadPart(p0 + c3, r);
      e = madd(x, w2, e);
      g = madd(x, w1, g);
      g = madd(loadPart(p0 + c4, r), w2, g);
      order(sink, a); order(sink + 16, g);
      x = loadPart(p1, r);
      a = madd(x, w3, a);
      x = loadPart(p1 + c1, r);
      a = madd(x, w4, a);
      e = madd(x, w3, e);
      x = loadPart(p1 + c2, r);
      a = madd(x, w5, a);
      e = madd(x, w4, e);
      g = madd(x, w3, g);
      x = loadPart(p1 + c3, r);
      e = madd(x, w5, e);
      g = madd(x, w4, g);
      g = madd(loadPart(p1 + c4, r), w5, g);
      order(sink, a); order(sink + 16, g);
      x = loadPart(p2, r);
      a = madd(x, w6, a);
      x = loadPart(p2 + c1, r);
      a = madd(x, w7, a);
      e = madd(x, w6, e);
      x = loadPart(p2 + c2, r);
      a = madd(x, w8, a);
      e = madd(x, w7, e);
      g = madd(x, w6, g);
      x = loadPart(p2 + c3, r);
      e = madd(x, w8, e);
      g = madd(x, w7, g);
      g = madd(loadPart(p2 + c4, r), w8, g);
      if (act) { a = act4(a, ac, leaky); e = act4(e, ac, leaky); g = act4(g, ac, leaky); }
      storeBlock(out, a, r, m);
      storeBlock(out + outStep, e, r, m);
      storeBlock(out + outStep * 2, g, r, m);
      p0 += c3; p1 += c3; p2 += c3;
      out += outStep * 3;
    }
  }
  if (pairs != 0) {
    const c1 = pix, c2 = pix * 2, c3 = pix * 3, c4 = pix * 4;
    const s2 = pairs == 2;
    const step = s2 ? c4 : c2;
    for (; ow + 2 <= owB; ow += 2) {
      const b = v128.load(bv);
      let a = madd(loadPart(p0, r), w0, b);
      let x = loadPart(p0 + c1, r);
      a = madd(x, w1, a);
      let e: v128;
      if (s2) {
        x = loadPart(p0 + c2, r);
        a = madd(x, w2, a);
        e = madd(x, w0, b);
        e = madd(loadPart(p0 + c3, r), w1, e);
        e = madd(loadPart(p0 + c4, r), w2, e);
      } else {
        e = madd(x, w0, b);
        x = loadPart(p0 + c2, r);
        a = madd(x, w2, a);
        e = madd(x, w1, e);
        e = madd(loadPart(p0 + c3, r), w2, e);
      }
      order(sink, a); order(sink + 16, e);
      a = madd(loadPart(p1, r), w3, a);
      x = loadPart(p1 + c1, r);
      a = madd(x, w4, a);
      if (s2) {
        x = loadPart(p1 + c2, r);
        a = madd(x, w5, a);
        e = madd(x, w3, e);
        e = madd(loadPart(p1 + c3, r), w4, e);
        e = madd(loadPart(p1 + c4, r), w5, e);
      } else {
        e = madd(x, w3, e);
        x = loadPart(p1 + c2, r);
        a = madd(x, w5, a);
        e = madd(x, w4, e);
        e = madd(loadPart(p1 + c3, r), w5, e);
      }
      order(sink, a); order(sink + 16, e);
      a = madd(loadPart(p2, r), w6, a);
      x = loadPart(p2 + c1, r);
      a = madd(x, w7, a);
      if (s2) {
        x = loadPart(p2 + c2, r);
        a = madd(x, w8, a);
        e = madd(x, w6, e);
        e = madd(loadPart(p2 + c3, r), w7, e);
        e = madd(loadPart(p2 + c4, r), w8, e);
      } else {
        e = madd(x, w6, e);
        x = loadPart(p2 + c2, r);
        a = madd(x, w8, a);
        e = madd(x, w7, e);
        e = madd(loadPart(p2 + c3, r), w8, e);
      }
      if (act) { a = act4(a, ac, leaky); e = act4(e, ac, leaky); }
      storeBlock(out, a, r, m);
      storeBlock(out + outStep, e, r, m);
      p0 += step; p1 += step; p2 += step;
      out += outStep * 2;
    }
  }
  const dw1 = <usize>DW * pix, dw2 = dw1 * 2;
  const step = <usize>SW * pix;
  for (; ow < owB; ow++) {
    let a = madd(loadPart(p0, r), w0, v128.load(bv));
    a = madd(loadPart(p0 + dw1, r), w1, a);
    a = madd(loadPart(p0 + dw2, r), w2, a);
    order(sink, a);
    a = madd(loadPart(p1, r), w3, a);
    a = madd(loadPart(p1 + dw1, r), w4, a);
    a = madd(loadPart(p1 + dw2, r), w5, a);
    order(sink, a);
    a = madd(loadPart(p2, r), w6, a);
    a = madd(loadPart(p2 + dw1, r), w7, a);
    a = madd(loadPart(p2 + dw2, r), w8, a);
    if (act) a = act4(a, ac, leaky);
    storeBlock(out, a, r, m);
    p0 += step; p1 += step; p2 += step;
    out += outStep;
  }
}

/**
 * interior3x3Block over every channel block and multiplier index (full blocks specialised), in
 * tiles of pixels. A block touches one 64-byte line (16 channels) of each input pixel it reads;
 * the tile keeps those lines (3 rows) within about 32 KB, so the next blocks of the same lines
 * find them in the L1 cache (a bound on all C channels would cut wide rows into short loops).
 * The block's bias vector goes to the workspace (ws + 16) so the loops read it from memory.
 */
function interior3x3(
  yrow: usize, tab: usize, w: usize, bias: usize, ws: usize, C: i32, m: i32,
  owA: i32, owB: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize,
): void {
  const leaky = load<f32>(ac, 8) != 1;
  const bv = ws + 16;
  const full = C & ~3;
  const tile = max(8, (8192 / (3 * min(C, 16) * SW)) & ~1);
  for (let t0 = owA; t0 < owB; t0 += tile) {
    const t1 = min(owB, t0 + tile);
    for (let c0 = 0; c0 < full; c0 += 4) {
      for (let j = 0; j < m; j++) {
        v128.store(bv, biasBlock(bias, c0, j, m, 4));
        interior3x3Full(yrow, tab, w, bv, C, m, c0, j, t0, t1, SW, PW, DW, act, ac, leaky);
      }
    }
    if (full < C) {
      for (let j = 0; j < m; j++) {
        v128.store(bv, biasBlock(bias, full, j, m, C - full));
        interior3x3Tail(yrow, tab, w, bv, C, m, full, j, C - full, t0, t1, SW, PW, DW, act, ac, leaky);
      }
    }
  }
}

function interior3x3Full(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32,
  owA: i32, owB: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool,
): void {
  // The common case (multiplier 1, no activation) has loops of its own: with m and act constant
  // they keep the 9 weights in registers and store whole vectors.
  if (m == 1 && !act) {
    if (DW == 1 && SW == 1) interior3x3Block(yrow, tab, w, bv, C, 1, c0, 0, 4, owA, owB, 1, PW, 1, false, ac, false, 1);
    else if (DW == 1 && SW == 2) interior3x3Block(yrow, tab, w, bv, C, 1, c0, 0, 4, owA, owB, 2, PW, 1, false, ac, false, 2);
    else interior3x3Block(yrow, tab, w, bv, C, 1, c0, 0, 4, owA, owB, SW, PW, DW, false, ac, false, 0);
  } else if (DW == 1 && SW == 1) interior3x3Block(yrow, tab, w, bv, C, m, c0, j, 4, owA, owB, SW, PW, DW, act, ac, leaky, 1);
  else if (DW == 1 && SW == 2) interior3x3Block(yrow, tab, w, bv, C, m, c0, j, 4, owA, owB, SW, PW, DW, act, ac, leaky, 2);
  else interior3x3Block(yrow, tab, w, bv, C, m, c0, j, 4, owA, owB, SW, PW, DW, act, ac, leaky, 0);
}

function interior3x3Tail(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32, r: i32,
  owA: i32, owB: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool,
): void {
  interior3x3Block(yrow, tab, w, bv, C, m, c0, j, r, owA, owB, SW, PW, DW, act, ac, leaky, DW == 1 && SW <= 2 ? SW : 0);
}

/**
 * Interior pixels [owA, owB) of one channels-last output row for any kernel (rows = KD * KH
 * input rows from the row table, KW taps each), one block of 4 input channels (r valid) and one
 * multiplier index j at a time: four pixels per step, each tap's weight vector loaded once for
 * the four. `bv` holds the bias vector. Writes only those pixels' outputs of the block.
 */
// @ts-ignore: decorator
@inline function interiorAnyBlock(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32, r: i32,
  owA: i32, owB: i32, rows: i32, KW: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool,
): void {
  const pix = <usize>C << 2;
  const Cp = (C + 3) & ~3;
  const tapBytes = <usize>(m * Cp) << 2;
  const wj = w + (<usize>(j * Cp + c0) << 2);
  const dwBytes = <usize>DW * pix;
  const s1 = <usize>SW * pix, s2 = s1 * 2, s3 = s1 * 3;
  const K = C * m;
  const outStep = <usize>K << 2;
  const sink = bv + 16;
  let ow = owA;
  for (; ow + 4 <= owB; ow += 4) {
    const first = <usize>(ow * SW - PW) * pix + (<usize>c0 << 2);
    let a0 = v128.load(bv), a1 = a0, a2 = a0, a3 = a0;
    let wp = wj;
    for (let row = 0; row < rows; row++) {
      let p = <usize>load<i32>(tab + (<usize>row << 2)) + first;
      for (let kw = 0; kw < KW; kw++) {
        const wv = v128.load(wp);
        a0 = madd(loadPart(p, r), wv, a0);
        a1 = madd(loadPart(p + s1, r), wv, a1);
        a2 = madd(loadPart(p + s2, r), wv, a2);
        a3 = madd(loadPart(p + s3, r), wv, a3);
        p += dwBytes; wp += tapBytes;
      }
      order(sink, a0);
    }
    if (act) { a0 = act4(a0, ac, leaky); a1 = act4(a1, ac, leaky); a2 = act4(a2, ac, leaky); a3 = act4(a3, ac, leaky); }
    const out = yrow + ((<usize>ow * K + <usize>(c0 * m + j)) << 2);
    storeBlock(out, a0, r, m);
    storeBlock(out + outStep, a1, r, m);
    storeBlock(out + 2 * outStep, a2, r, m);
    storeBlock(out + 3 * outStep, a3, r, m);
  }
  for (; ow < owB; ow++) {
    let p0 = <usize>(ow * SW - PW) * pix + (<usize>c0 << 2);
    let a = v128.load(bv);
    let wp = wj;
    for (let row = 0; row < rows; row++) {
      let p = <usize>load<i32>(tab + (<usize>row << 2)) + p0;
      for (let kw = 0; kw < KW; kw++) {
        a = madd(loadPart(p, r), v128.load(wp), a);
        p += dwBytes; wp += tapBytes;
      }
    }
    if (act) a = act4(a, ac, leaky);
    storeBlock(yrow + ((<usize>ow * K + <usize>(c0 * m + j)) << 2), a, r, m);
  }
}

/**
 * interiorAnyBlock over every channel block and multiplier index, in tiles of pixels whose input
 * lines (rows x columns x 16 channels, see interior3x3) stay within about 32 KB; full channel
 * blocks are specialised.
 */
function interiorAny(
  yrow: usize, tab: usize, w: usize, bias: usize, ws: usize, C: i32, m: i32,
  owA: i32, owB: i32, rows: i32, KW: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize,
): void {
  const leaky = load<f32>(ac, 8) != 1;
  const bv = ws + 16;
  const full = C & ~3;
  const tile = max(8, (8192 / (rows * min(C, 16)) - (KW - 1) * DW) / SW & ~3);
  for (let t0 = owA; t0 < owB; t0 += tile) {
    const t1 = min(owB, t0 + tile);
    for (let c0 = 0; c0 < full; c0 += 4) {
      for (let j = 0; j < m; j++) {
        v128.store(bv, biasBlock(bias, c0, j, m, 4));
        interiorAnyFull(yrow, tab, w, bv, C, m, c0, j, t0, t1, rows, KW, SW, PW, DW, act, ac, leaky);
      }
    }
    if (full < C) {
      for (let j = 0; j < m; j++) {
        v128.store(bv, biasBlock(bias, full, j, m, C - full));
        interiorAnyTail(yrow, tab, w, bv, C, m, full, j, C - full, t0, t1, rows, KW, SW, PW, DW, act, ac, leaky);
      }
    }
  }
}

function interiorAnyFull(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32,
  owA: i32, owB: i32, rows: i32, KW: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool,
): void {
  interiorAnyBlock(yrow, tab, w, bv, C, m, c0, j, 4, owA, owB, rows, KW, SW, PW, DW, act, ac, leaky);
}

function interiorAnyTail(
  yrow: usize, tab: usize, w: usize, bv: usize, C: i32, m: i32, c0: i32, j: i32, r: i32,
  owA: i32, owB: i32, rows: i32, KW: i32, SW: i32, PW: i32, DW: i32, act: bool, ac: usize, leaky: bool,
): void {
  interiorAnyBlock(yrow, tab, w, bv, C, m, c0, j, r, owA, owB, rows, KW, SW, PW, DW, act, ac, leaky);
}

/**
 * Pixels [ow0, ow1) of one channels-last output row, any kernel: the kw range is clipped to the
 * image per pixel; rows come from the row table (the zero row for padding rows).
 */
function pixelsClipped(
  yrow: usize, tab: usize, w: usize, bias: usize, C: i32, m: i32, ow0: i32, ow1: i32,
  rows: i32, KW: i32, IW: i32, SW: i32, PW: i32, DW: i32,
  act: bool, lo: f32, hi: f32, slope: f32, ac: usize,
): void {
  const pix = <usize>C << 2;
  const K = C * m;
  const Cp = (C + 3) & ~3;
  const tapBytes = <usize>(m * Cp) << 2;
  const dwBytes = <usize>DW * pix;
  const leaky = slope != 1;
  for (let ow = ow0; ow < ow1; ow++) {
    const iw = ow * SW - PW;
    const kw0 = iw < 0 ? (DW - 1 - iw) / DW : 0;
    const kw1 = iw > IW - 1 ? 0 : min(KW, (IW - 1 - iw) / DW + 1);
    const out = yrow + ((<usize>ow * K) << 2);
    // Offset of the first used tap from a row's column 0 (>= 0 whenever kw0 < kw1).
    const first = <usize>(iw + kw0 * DW) * pix;
    if (ASC_FEATURE_SIMD) {
      for (let c0 = 0; c0 < C; c0 += 4) {
        const r = min(4, C - c0);
        for (let j = 0; j < m; j++) {
          let a = biasBlock(bias, c0, j, m, r);
          const wj = w + (<usize>(j * Cp + c0) << 2);
          for (let row = 0; row < rows; row++) {
            let p = <usize>load<i32>(tab + (<usize>row << 2)) + first + (<usize>c0 << 2);
            let wp = wj + <usize>(row * KW + kw0) * tapBytes;
            for (let kw = kw0; kw < kw1; kw++) {
              a = madd(loadPart(p, r), v128.load(wp), a);
              p += dwBytes; wp += tapBytes;
            }
          }
          if (act) a = act4(a, ac, leaky);
          storeBlock(out + (<usize>(c0 * m + j) << 2), a, r, m);
        }
      }
    } else {
      for (let c = 0; c < C; c++) {
        for (let j = 0; j < m; j++) {
          const k = c * m + j;
          let a: f32 = bias ? load<f32>(bias + (<usize>k << 2)) : 0;
          const wj = w + (<usize>(j * Cp + c) << 2);
          for (let row = 0; row < rows; row++) {
            let p = <usize>load<i32>(tab + (<usize>row << 2)) + first + (<usize>c << 2);
            let wp = wj + <usize>(row * KW + kw0) * tapBytes;
            for (let kw = kw0; kw < kw1; kw++) {
              a += load<f32>(p) * load<f32>(wp);
              p += dwBytes; wp += tapBytes;
            }
          }
          if (act) a = activate1(a, lo, hi, slope);
          store<f32>(out + (<usize>k << 2), a);
        }
      }
    }
  }
}
