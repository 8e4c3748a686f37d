/**
 * Row kernels of the channels-first depthwise convolution (first.ts): one output row of one
 * channel from a tap table of ring addresses (ring.ts). Vector kernels for the SIMD builds,
 * scalar ones for the scalar build. `bp`: the bias (one f32, or the workspace's zeros); `ac`: the
 * activation triple (see activateAt4); `sink`: see `order`.
 */
import { madd, activate1, activateAt4 } from '../simd';
import { storePart, order } from '../lanes';

/**
 * One output row of a 3x3 kernel, stride 1 along W (any stride and dilation along H): tab holds
 * the addresses of taps (kh, 0); taps (kh, 1) and (kh, 2) follow at +4 and +8 bytes.
 * Reads slot columns up to roundUp(OW, 4) + 1; writes exactly OW floats at y.
 */
export function row3x3s1(y: usize, OW: i32, tab: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize): void {
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
    if (act) a = activateAt4(a, ac, leaky);
    storePart(y + off, a, OW - ow);
  }
}

/**
 * One output row of a 3x3 kernel, stride 2 along W: tab holds the addresses of taps (kh, 0) in
 * phase 0; tap (kh, 1) is the same index in phase 1 (+pb bytes), tap (kh, 2) phase 0, +4 bytes.
 * Reads slot columns up to roundUp(OW, 4) + 1 of each phase; writes exactly OW floats at y.
 */
export function row3x3s2(y: usize, OW: i32, tab: usize, pb: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool, sink: usize): void {
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
    if (act) a = activateAt4(a, ac, leaky);
    storePart(y + off, a, OW - ow);
  }
}

/**
 * One output row of a kernel 5 wide with `rows` rows (KH; KD == 1), stride 1 along W: tab holds
 * the address of tap (row, 0) at entry 5 * row; the other four follow at +4 .. +16 bytes.
 * 8 outputs per step (each weight loaded once for both halves), then 4 with a partial store.
 */
export function rowsW5s1(y: usize, OW: i32, tab: usize, rows: i32, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
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
    if (act) { a0 = activateAt4(a0, ac, leaky); a1 = activateAt4(a1, ac, leaky); }
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
    if (act) a0 = activateAt4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * As rowsW5s1 for stride 2 along W: taps 0, 2, 4 of a row are phase 0 at +0, +4, +8 bytes,
 * taps 1, 3 phase 1 (+pb bytes) at +0, +4 bytes, from the address in tab.
 */
export function rowsW5s2(y: usize, OW: i32, tab: usize, rows: i32, pb: usize, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
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
    if (act) { a0 = activateAt4(a0, ac, leaky); a1 = activateAt4(a1, ac, leaky); }
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
    if (act) a0 = activateAt4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * One output row for any kernel, stride and dilation: tab[t] is the byte address of tap t's
 * column for output 0 (output ow reads it + 4 * ow). Reads slot columns up to roundUp(OW, 4)
 * past each tap's start; writes exactly OW floats at y.
 */
export function rowGeneric(y: usize, OW: i32, tab: usize, taps: i32, wk: usize, bp: usize, act: bool, ac: usize, leaky: bool): void {
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
    if (act) { a0 = activateAt4(a0, ac, leaky); a1 = activateAt4(a1, ac, leaky); }
    v128.store(y + off, a0); v128.store(y + off, a1, 16);
  }
  for (; ow < OW; ow += 4) {
    const off = <usize>ow << 2;
    let a0 = v128.load32_splat(bp);
    for (let t = 0; t < taps; t++) {
      const p = <usize>load<i32>(tab + (<usize>t << 2)) + off;
      a0 = madd(v128.load(p), v128.load32_splat(wk + (<usize>t << 2)), a0);
    }
    if (act) a0 = activateAt4(a0, ac, leaky);
    storePart(y + off, a0, OW - ow);
  }
}

/**
 * Scalar form of rowGeneric (the scalar build), four outputs per step so each tap's address and
 * weight are loaded once for four; reads only columns below OW past each tap.
 */
export function rowScalar(y: usize, OW: i32, tab: usize, taps: i32, wk: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32): void {
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
export function row3x3Scalar(y: usize, OW: i32, tab: usize, wk: usize, b: f32, act: bool, lo: f32, hi: f32, slope: f32): void {
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

