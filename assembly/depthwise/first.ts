/**
 * Channels-first depthwise convolution for any kernel, stride and dilation (see index.ts for the
 * contract), through a ring of phase-split padded rows (ring.ts) and per-row tap tables.
 */
import { Slot } from '../descriptor';
import { field, fieldF, align16 } from '../fields';
import { phaseRowFloats, columnOffsets, fillRingRow } from '../ring';
import { ROWS, HEAD, SINK, ringRows, bandsFirst, bandRows } from './layout';
import { row3x3s1, row3x3s2, rowsW5s1, rowsW5s2, rowGeneric, rowScalar, row3x3Scalar } from './rows';

/**
 * The row kernel a channels-first job uses, chosen once per call: specialised kernels for 2-D
 * jobs with dilation 1 and stride 1 or 2 along W, the generic tap-table kernel otherwise.
 */
const enum RowKernel {
  /** Any kernel, stride and dilation (rowGeneric; rowScalar in the scalar build). */
  Generic,
  /** 3x3 (row3x3s1 / row3x3s2; row3x3Scalar): the cases the direct 3x3 path does not take. */
  Taps3x3,
  /** 5 wide, any number of rows (rowsW5s1 / rowsW5s2). */
  Wide5,
}

/**
 * Channels-first depthwise convolution. Workspace after the head: tap tables (ROWS tables of
 * taps i32), the column offsets (KW i32), the row table (KD * RS i32), then the ring of KD * RS
 * slots (RS = ringRows), each SW phase rows of L floats (see phaseRowFloats in ring.ts). The ring is
 * zero-filled here once; afterwards only the image columns of a slot are ever overwritten, so the
 * padding columns stay zero. For every input plane, output depth and pass of ROWS output rows,
 * the input rows the pass needs that the ring does not hold yet are copied in once; the m output
 * planes of that input channel are then computed from the ring.
 */
export function forwardChannelsFirst(d: usize): void {
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
  const L = phaseRowFloats(OW, 4, KW, SW, DW);
  const RS = ringRows(KH, SH, DH);
  const phaseBytes = <usize>L << 2;
  const slotBytes = phaseBytes * SW;
  const ws = <usize>field(d, Slot.Workspace);
  const tab = ws + HEAD;
  const colOff = tab + (<usize>(ROWS * taps) << 2);
  const rowTab = colOff + (<usize>KW << 2);
  const ring = tab + align16(<usize>(ROWS * taps + KW + KD * RS) << 2);
  memory.fill(ring, 0, slotBytes * KD * RS);
  columnOffsets(colOff, KW, SW, DW, phaseBytes);

  const inPlane = <usize>ID * IH * IW, outPlane = <usize>OD * OH * OW;
  let kind = RowKernel.Generic;
  if (KD == 1 && DW == 1 && SW <= 2) {
    if (KH == 3 && KW == 3) kind = RowKernel.Taps3x3;
    else if (KW == 5) kind = RowKernel.Wide5;
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
              if (kind == RowKernel.Taps3x3) {
                if (SW == 1) row3x3s1(yr, OW, tr, wk, bp, act, ac, leaky, ws + SINK);
                else row3x3s2(yr, OW, tr, phaseBytes, wk, bp, act, ac, leaky, ws + SINK);
              } else if (kind == RowKernel.Wide5) {
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
              if (kind == RowKernel.Taps3x3) row3x3Scalar(yr, OW, tr, wk, b, act, lo, hi, slope);
              else rowScalar(yr, OW, tr, taps, wk, b, act, lo, hi, slope);
            }
          }
        }
      }
    }
  }
}
