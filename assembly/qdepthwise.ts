/**
 * Direct 8-bit depthwise convolution (groups = input channels, `GroupOutChannels` outputs per
 * channel), for the descriptor of qdescriptor.ts with:
 *  - Weights: per output channel, its KD * KH * KW taps as i16 (w - w_zp), channel after channel;
 *  - Bias / Multipliers indexed as the GEMM's (channel * roundUp(GroupOutChannels, 4) + j);
 *  - Workspace: 64 bytes.
 * The input is first copied into zero-point-padded planes (qpack.ts), so no tap is bounds-checked:
 * each output row is computed 16 pixels at a time, then 8 on the row-rounded grid (stride 1: one
 * load per tap; stride 2: twice the bytes, the even ones kept; other strides gathered), with
 * `i32x4.extmul_*_i16x8_s` against the splat tap, the zero point's share added once per channel. Sums are exact int32 (wrapping); the output
 * stage is qrequant.ts's; columns past OW are computed and not stored.
 */
import { QSlot, QOut } from './qdescriptor';
import { requantizeStore8, requantize1 } from './qrequant';
import { gather8, padQuantizedInput } from './qpack';


// @ts-ignore: decorator
@inline function slot(d: usize, s: QSlot): i32 { return load<i32>(d + (<usize>s << 2)); }

/** Computes the depthwise 8-bit convolution the descriptor at `d` describes. */
export function quantizedDepthwiseForward(d: usize): void {
  padQuantizedInput(d);
  const N = slot(d, QSlot.Batch), C = slot(d, QSlot.InChannels);
  const DP = slot(d, QSlot.PaddedD), HP = slot(d, QSlot.PaddedH), WP = slot(d, QSlot.PaddedW);
  const OD = slot(d, QSlot.OutD), OH = slot(d, QSlot.OutH), OW = slot(d, QSlot.OutW);
  const KD = slot(d, QSlot.KernelD), KH = slot(d, QSlot.KernelH), KW = slot(d, QSlot.KernelW);
  const SD = slot(d, QSlot.StrideD), SH = slot(d, QSlot.StrideH), SW = slot(d, QSlot.StrideW);
  const DD = slot(d, QSlot.DilationD), DH = slot(d, QSlot.DilationH), DW = slot(d, QSlot.DilationW);
  const mult = slot(d, QSlot.GroupOutChannels), Mp = (mult + 3) & ~3;
  const x = <usize>slot(d, QSlot.Padded), signed = slot(d, QSlot.InputSigned) != 0, xZero = slot(d, QSlot.InputZero);
  const weights = <usize>slot(d, QSlot.Weights), biases = <usize>slot(d, QSlot.Bias), mults = <usize>slot(d, QSlot.Multipliers);
  const y = <usize>slot(d, QSlot.Output), kind = slot(d, QSlot.OutputKind);
  const elem: usize = kind == QOut.Int32 ? 4 : 1;
  const cs = <usize>slot(d, QSlot.OutChannelStride), ps = <usize>slot(d, QSlot.OutPixelStride);
  const is = <usize>slot(d, QSlot.OutImageStride);
  const scratch = <usize>slot(d, QSlot.Workspace);
  const zero = slot(d, QSlot.OutputZero);
  const lo = <f32>(slot(d, QSlot.OutputLo) - zero), hi = <f32>(slot(d, QSlot.OutputHi) - zero);
  const taps = KD * KH * KW;
  const plane = <usize>DP * HP * WP;
  const OWr = (OW + 7) & ~7;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xc = x + (<usize>n * C + c) * plane;
      for (let j = 0; j < mult; j++) {
        const oc = c * mult + j;
        const w = weights + (<usize>oc * taps << 1);
        const bias = load<i32>(biases + (<usize>(c * Mp + j) << 2));
        const m = load<f32>(mults + (<usize>(c * Mp + j) << 2));
        const yc = y + (<usize>n * is + <usize>oc * cs) * elem;
        // The vector paths sum w * x and start from bias - x_zp * sum(w): the same int32 (mod 2^32).
        let wsum = 0;
        for (let t = 0; t < taps; t++) wsum += <i32>load<i16>(w + (<usize>t << 1));
        const start = bias - xZero * wsum;
        for (let od = 0; od < OD; od++) {
          for (let oh = 0; oh < OH; oh++) {
            const rowIn = xc + <usize>(od * SD * HP + oh * SH) * WP;
            const rowOut = <usize>(od * OH + oh) * OW;
            let ow = 0;
            if (ASC_FEATURE_SIMD) {
              // 16 pixels at a time: sum w * x, then the zero point's share (bias - x_zp * sum w, `start`).
              const mv = f32x4.splat(m), lov = f32x4.splat(lo), hiv = f32x4.splat(hi), zv = i32x4.splat(zero);
              for (; ow + 16 <= OW; ow += 16) {
                const base = rowIn + <usize>(ow * SW);
                let a0 = i32x4.splat(start), a1 = a0, a2 = a0, a3 = a0;
                let t = 0;
                for (let kd = 0; kd < KD; kd++) {
                  for (let kh = 0; kh < KH; kh++) {
                    const row = base + <usize>(kd * DD * HP + kh * DH) * WP;
                    for (let kw = 0; kw < KW; kw++, t++) {
                      const at = row + <usize>(kw * DW);
                      let v: v128;
                      if (SW == 1) v = v128.load(at);
                      else if (SW == 2) v = i8x16.shuffle(v128.load(at), v128.load(at, 16), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                      else v = gather16(at, SW);
                      const lo8 = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
                      const hi8 = signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
                      const wv = i16x8.splat(load<i16>(w + (<usize>t << 1)));
                      a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(lo8, wv));
                      a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(lo8, wv));
                      a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_s(hi8, wv));
                      a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_s(hi8, wv));
                    }
                  }
                }
                const out = yc + (rowOut + ow) * ps * elem;
                if (ps == 1 && kind == QOut.Int32) {
                  v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
                } else if (ps == 1) {
                  requantizeStore8(out, a0, a1, mv, lov, hiv, zv, kind == QOut.Uint8);
                  requantizeStore8(out + 8, a2, a3, mv, lov, hiv, zv, kind == QOut.Uint8);
                } else {
                  v128.store(scratch, a0); v128.store(scratch, a1, 16); v128.store(scratch, a2, 32); v128.store(scratch, a3, 48);
                  storePixels(scratch, out, 16, ps * elem, kind, m, lo, hi, zero);
                }
              }
            }
            for (; ow < OWr; ow += 8) {
              const base = rowIn + <usize>(ow * SW);
              const nr = min(8, OW - ow);
              const out = yc + (rowOut + ow) * ps * elem;
              if (ASC_FEATURE_SIMD) {
                let a0 = i32x4.splat(start), a1 = a0;
                let t = 0;
                for (let kd = 0; kd < KD; kd++) {
                  for (let kh = 0; kh < KH; kh++) {
                    const row = base + <usize>(kd * DD * HP + kh * DH) * WP;
                    for (let kw = 0; kw < KW; kw++, t++) {
                      const at = row + <usize>(kw * DW);
                      let v: v128;
                      if (SW == 1) v = v128.load64_zero(at);
                      else if (SW == 2) {
                        const b = v128.load(at);
                        v = i8x16.shuffle(b, b, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
                      } else v = gather8(at, SW);
                      v = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
                      const wv = i16x8.splat(load<i16>(w + (<usize>t << 1)));
                      a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(v, wv));
                      a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(v, wv));
                    }
                  }
                }
                if (nr == 8 && ps == 1) {
                  if (kind == QOut.Int32) {
                    v128.store(out, a0); v128.store(out, a1, 16);
                  } else {
                    requantizeStore8(out, a0, a1, f32x4.splat(m), f32x4.splat(lo), f32x4.splat(hi), i32x4.splat(zero), kind == QOut.Uint8);
                  }
                  continue;
                }
                v128.store(scratch, a0); v128.store(scratch, a1, 16);
              } else {
                for (let e = 0; e < 8; e++) {
                  let s = bias;
                  let t = 0;
                  for (let kd = 0; kd < KD; kd++) {
                    for (let kh = 0; kh < KH; kh++) {
                      const row = base + <usize>(kd * DD * HP + kh * DH) * WP + <usize>(e * SW);
                      for (let kw = 0; kw < KW; kw++, t++) {
                        const at = row + <usize>(kw * DW);
                        const v = (signed ? <i32>load<i8>(at) : <i32>load<u8>(at)) - xZero;
                        s += v * <i32>load<i16>(w + (<usize>t << 1));
                      }
                    }
                  }
                  store<i32>(scratch + (<usize>e << 2), s);
                }
              }
              storePixels(scratch, out, nr, ps * elem, kind, m, lo, hi, zero);
            }
          }
        }
      }
    }
  }
}

/** Bytes at p, p + s, ..., p + 15s in a vector. */
// @ts-ignore: decorator
@inline function gather16(p: usize, s: i32): v128 {
  const st = <usize>s;
  let v = gather8(p, s);
  v = v128.load8_lane(p + 8 * st, v, 8);
  v = v128.load8_lane(p + 9 * st, v, 9);
  v = v128.load8_lane(p + 10 * st, v, 10);
  v = v128.load8_lane(p + 11 * st, v, 11);
  v = v128.load8_lane(p + 12 * st, v, 12);
  v = v128.load8_lane(p + 13 * st, v, 13);
  v = v128.load8_lane(p + 14 * st, v, 14);
  return v128.load8_lane(p + 15 * st, v, 15);
}

/** Stores `count` sums from `scratch` to `out` (byte step `step`) as int32 or requantized bytes. */
function storePixels(scratch: usize, out: usize, count: i32, step: usize, kind: i32, m: f32, lo: f32, hi: f32, zero: i32): void {
  for (let e = 0; e < count; e++) {
    const s = load<i32>(scratch + (<usize>e << 2));
    const o = out + <usize>e * step;
    if (kind == QOut.Int32) store<i32>(o, s);
    else store<u8>(o, <u8>requantize1(s, m, lo, hi, zero));
  }
}
