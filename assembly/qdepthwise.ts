/**
 * Direct 8-bit depthwise convolution (groups = input channels, `GroupOutChannels` outputs per
 * channel), for the descriptor of qdescriptor.ts with:
 *  - Weights: per output channel, its KD * KH * KW taps as i16 (w - w_zp), channel after channel;
 *  - Bias / Multipliers indexed as the GEMM's (channel * roundUp(GroupOutChannels, 4) + j);
 *  - Workspace: 32 bytes.
 * Output rows are computed 8 pixels at a time where every tap of the 8 lies inside the input row
 * (stride 1: 8 bytes per tap; stride 2: 16 bytes, the even ones used), with
 * `i32x4.extmul_*_i16x8_s` against the splat tap; the other pixels one at a time. Sums are
 * exact int32 (wrapping); the output stage is qrequant.ts's. Never reads outside the input.
 */
import { QSlot, QOut } from './qdescriptor';
import { requantizeStore8, requantize1 } from './qrequant';

// @ts-ignore: decorator
@inline function slot(d: usize, s: QSlot): i32 { return load<i32>(d + (<usize>s << 2)); }

/** Computes the depthwise 8-bit convolution the descriptor at `d` describes. */
export function quantizedDepthwiseForward(d: usize): void {
  const N = slot(d, QSlot.Batch), C = slot(d, QSlot.InChannels);
  const ID = slot(d, QSlot.InD), IH = slot(d, QSlot.InH), IW = slot(d, QSlot.InW);
  const OD = slot(d, QSlot.OutD), OH = slot(d, QSlot.OutH), OW = slot(d, QSlot.OutW);
  const KD = slot(d, QSlot.KernelD), KH = slot(d, QSlot.KernelH), KW = slot(d, QSlot.KernelW);
  const SD = slot(d, QSlot.StrideD), SH = slot(d, QSlot.StrideH), SW = slot(d, QSlot.StrideW);
  const DD = slot(d, QSlot.DilationD), DH = slot(d, QSlot.DilationH), DW = slot(d, QSlot.DilationW);
  const PD = slot(d, QSlot.PadD), PH = slot(d, QSlot.PadH), PW = slot(d, QSlot.PadW);
  const mult = slot(d, QSlot.GroupOutChannels), Mp = (mult + 3) & ~3;
  const x = <usize>slot(d, QSlot.Input), signed = slot(d, QSlot.InputSigned) != 0, xZero = slot(d, QSlot.InputZero);
  const weights = <usize>slot(d, QSlot.Weights), biases = <usize>slot(d, QSlot.Bias), mults = <usize>slot(d, QSlot.Multipliers);
  const y = <usize>slot(d, QSlot.Output), kind = slot(d, QSlot.OutputKind);
  const elem: usize = kind == QOut.Int32 ? 4 : 1;
  const cs = <usize>slot(d, QSlot.OutChannelStride), ps = <usize>slot(d, QSlot.OutPixelStride);
  const is = <usize>slot(d, QSlot.OutImageStride);
  const scratch = <usize>slot(d, QSlot.Workspace);
  const zero = slot(d, QSlot.OutputZero);
  const lo = <f32>(slot(d, QSlot.OutputLo) - zero), hi = <f32>(slot(d, QSlot.OutputHi) - zero);
  const taps = KD * KH * KW;
  const plane = <usize>ID * IH * IW;
  // Output columns [owLo, ...) have every tap at or right of column 0; a block of 8 starting at
  // ow stays inside the row when ow * SW + `reach` < IW (bytes read by the last tap's load).
  const owLo = (PW + SW - 1) / SW;
  const reach = (KW - 1) * DW - PW + (SW == 1 ? 7 : 15);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xc = x + (<usize>n * C + c) * plane;
      for (let j = 0; j < mult; j++) {
        const oc = c * mult + j;
        const w = weights + (<usize>oc * taps << 1);
        const bias = load<i32>(biases + (<usize>(c * Mp + j) << 2));
        const m = load<f32>(mults + (<usize>(c * Mp + j) << 2));
        const yc = y + (<usize>n * is + <usize>oc * cs) * elem;
        for (let od = 0; od < OD; od++) {
          for (let oh = 0; oh < OH; oh++) {
            const rowOut = <usize>(od * OH + oh) * OW;
            const d0 = od * SD - PD, h0 = oh * SH - PH;
            let ow = 0;
            while (ow < OW) {
              if (ASC_FEATURE_SIMD) {
                if ((SW == 1 || SW == 2) && ow >= owLo && ow + 8 <= OW && ow * SW + reach < IW) {
                  let a0 = i32x4.splat(bias), a1 = i32x4.splat(bias);
                  const z = i16x8.splat(<i16>xZero);
                  for (let kd = 0; kd < KD; kd++) {
                    const dd = d0 + kd * DD;
                    if (<u32>dd >= <u32>ID) continue;
                    for (let kh = 0; kh < KH; kh++) {
                      const hh = h0 + kh * DH;
                      if (<u32>hh >= <u32>IH) continue;
                      const row = xc + <usize>(dd * IH + hh) * IW + <usize>(ow * SW - PW);
                      const wt = w + (<usize>((kd * KH + kh) * KW) << 1);
                      for (let kw = 0; kw < KW; kw++) {
                        const at = row + <usize>(kw * DW);
                        let v: v128;
                        if (SW == 1) v = v128.load64_zero(at);
                        else {
                          const b = v128.load(at);
                          v = i8x16.shuffle(b, b, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
                        }
                        v = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v), z);
                        const wv = i16x8.splat(load<i16>(wt + (<usize>kw << 1)));
                        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(v, wv));
                        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(v, wv));
                      }
                    }
                  }
                  const out = yc + (rowOut + ow) * ps * elem;
                  if (ps == 1 && kind == QOut.Int32) {
                    v128.store(out, a0); v128.store(out, a1, 16);
                  } else if (ps == 1) {
                    requantizeStore8(out, a0, a1, f32x4.splat(m), f32x4.splat(lo), f32x4.splat(hi), i32x4.splat(zero), kind == QOut.Uint8);
                  } else {
                    v128.store(scratch, a0); v128.store(scratch, a1, 16);
                    for (let e = 0; e < 8; e++) {
                      const s = load<i32>(scratch + (<usize>e << 2));
                      const o = out + <usize>e * ps * elem;
                      if (kind == QOut.Int32) store<i32>(o, s);
                      else store<u8>(o, <u8>requantize1(s, m, lo, hi, zero));
                    }
                  }
                  ow += 8;
                  continue;
                }
              }
              // One pixel, every tap bounds-checked.
              let s = bias;
              const w0 = ow * SW - PW;
              for (let kd = 0; kd < KD; kd++) {
                const dd = d0 + kd * DD;
                if (<u32>dd >= <u32>ID) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const hh = h0 + kh * DH;
                  if (<u32>hh >= <u32>IH) continue;
                  const row = xc + <usize>(dd * IH + hh) * IW;
                  const wt = w + (<usize>((kd * KH + kh) * KW) << 1);
                  for (let kw = 0; kw < KW; kw++) {
                    const ww = w0 + kw * DW;
                    if (<u32>ww >= <u32>IW) continue;
                    const at = row + <usize>ww;
                    const v = (signed ? <i32>load<i8>(at) : <i32>load<u8>(at)) - xZero;
                    s += v * <i32>load<i16>(wt + (<usize>kw << 1));
                  }
                }
              }
              const o = yc + (rowOut + ow) * ps * elem;
              if (kind == QOut.Int32) store<i32>(o, s);
              else store<u8>(o, <u8>requantize1(s, m, lo, hi, zero));
              ow++;
            }
          }
        }
      }
    }
  }
}
