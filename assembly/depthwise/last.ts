/**
 * Channels-last depthwise convolution (see index.ts for the contract), vectorised across channels.
 */
import { Slot } from '../descriptor';
import { field, fieldF, align16 } from '../fields';
import { madd, activate1, activateAt4 } from '../simd';
import { loadPart, storePart, storeStrided, order } from '../lanes';
import { HEAD } from './layout';

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
export function forwardChannelsLast(d: usize): void {
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
      if (act) { a = activateAt4(a, ac, leaky); e = activateAt4(e, ac, leaky); g = activateAt4(g, ac, leaky); }
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
      if (act) { a = activateAt4(a, ac, leaky); e = activateAt4(e, ac, leaky); }
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
    if (act) a = activateAt4(a, ac, leaky);
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
    if (act) { a0 = activateAt4(a0, ac, leaky); a1 = activateAt4(a1, ac, leaky); a2 = activateAt4(a2, ac, leaky); a3 = activateAt4(a3, ac, leaky); }
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
    if (act) a = activateAt4(a, ac, leaky);
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
          if (act) a = activateAt4(a, ac, leaky);
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
