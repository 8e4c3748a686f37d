/**
 * Channels-first depthwise 3x3 convolution with dilation 1 and strides 1 or 2 (see index.ts for
 * the contract), reading most input rows in place.
 */
import { Slot } from '../descriptor';
import { field, fieldF, align16, roundUp } from '../fields';
import { madd, activateAt4, copy12, copyFloats } from '../simd';
import { storePart, order } from '../lanes';
import { ROWS, HEAD, SINK, directRowFloats, bandsFirst, bandRows } from './layout';

/** Columns copied for each edge of a row when the image is wide enough (the count `copy12` copies). */
const EDGE: i32 = 12;

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
export function forwardFirstDirect3x3(d: usize): void {
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
    if (act) a = activateAt4(a, ac, leaky);
    const r = ow1 - ow;
    storePart(y0 + off, a, r);
    p = r3 + off;
    e = madd(v128.load(p), w6, e);
    e = madd(v128.load(p, 4), w7, e);
    e = madd(v128.load(p, 8), w8, e);
    if (act) e = activateAt4(e, ac, leaky);
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
    if (act) a = activateAt4(a, ac, leaky);
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
    if (act) e = activateAt4(e, ac, leaky);
    storePart(y1 + at, e, r);
  }
  }
}
