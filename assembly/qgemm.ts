/**
 * 8-bit convolution through an integer GEMM: Y[m, p] = requantize(bias[m] + sum_k A[m][k] * B[k][p])
 * per group, with A the weights packed once by the wrapper and B the input columns packed per
 * block of pixels from the zero-point-padded input (qpack.ts), both as i16 with their zero points already subtracted, so the sums
 * are exactly ONNX's sum((x - x_zp) * (w - w_zp)) (int32, wrapping as int32 does).
 *
 * The micro-tile is 4 rows x 8 pixels: eight i32x4 accumulators; each step multiplies one pair of
 * reductions with `i32x4.dot_i16x8_s` (8 multiply-adds per instruction).
 *
 * Output (QOut): the int32 sums (ConvInteger), or uint8 / int8 requantized as ONNX QLinearConv:
 * fround(f32(sum) * multiplier[m]) rounded half to even (f32.nearest), plus the zero point, clamped
 * to [OutputLo, OutputHi] (the type's range narrowed by a fused activation). The same float32
 * operations run on every backend, so results are bit-identical across them.
 */
import { QSlot, QOut } from './qdescriptor';
import { padQuantizedInput, tapOffsets, packColumns } from './qpack';
import { requantizeStore8, requantize1 } from './qrequant';

// @ts-ignore: decorator
@inline function slot(d: usize, s: QSlot): i32 { return load<i32>(d + (<usize>s << 2)); }

/** Bytes of the tap offsets at the start of the workspace (Kp i32, padded to 16 bytes). */
// @ts-ignore: decorator
@inline function offsetsBytes(Kp: i32): usize { return (<usize>Kp * 4 + 15) & ~<usize>15; }

/**
 * Computes the 8-bit convolution the descriptor at `d` describes (all images, groups, pixels).
 * Workspace: the tap offsets (Kp i32, padded to 16 bytes), the packed block (BlockP * Kp i16),
 * a 4x8 i32 tile (128 bytes); BlockP is a multiple of 8.
 */
export function quantizedConvForward(d: usize): void {
  padQuantizedInput(d);
  const N = slot(d, QSlot.Batch), C = slot(d, QSlot.InChannels);
  const DP = slot(d, QSlot.PaddedD), HP = slot(d, QSlot.PaddedH), WP = slot(d, QSlot.PaddedW);
  const OD = slot(d, QSlot.OutD), OH = slot(d, QSlot.OutH), OW = slot(d, QSlot.OutW);
  const KD = slot(d, QSlot.KernelD), KH = slot(d, QSlot.KernelH), KW = slot(d, QSlot.KernelW);
  const G = slot(d, QSlot.Groups), Mg = slot(d, QSlot.GroupOutChannels);
  const signed = slot(d, QSlot.InputSigned) != 0, xZero = slot(d, QSlot.InputZero);
  const SD = slot(d, QSlot.StrideD), SH = slot(d, QSlot.StrideH), SW = slot(d, QSlot.StrideW);
  const Cg = C / G;
  const K = Cg * KD * KH * KW, Kp = (K + 1) & ~1;
  const Mp = (Mg + 3) & ~3;
  const OWr = (OW + 7) & ~7;
  const Pr = OD * OH * OWr;
  const bp = slot(d, QSlot.BlockP);
  const plane = <usize>DP * HP * WP;
  const offsets = <usize>slot(d, QSlot.Workspace);
  const packed = offsets + offsetsBytes(Kp);
  const scratch = packed + <usize>bp * Kp * 2;
  tapOffsets(offsets, K, Kp, <i32>plane, HP, WP, KD, KH, KW,
    slot(d, QSlot.DilationD), slot(d, QSlot.DilationH), slot(d, QSlot.DilationW));
  const x = <usize>slot(d, QSlot.Padded);
  const weights = <usize>slot(d, QSlot.Weights), bias = <usize>slot(d, QSlot.Bias);
  const mult = <usize>slot(d, QSlot.Multipliers);
  const y = <usize>slot(d, QSlot.Output), kind = slot(d, QSlot.OutputKind);
  const elem: usize = kind == QOut.Int32 ? 4 : 1;
  const cs = <usize>slot(d, QSlot.OutChannelStride), ps = <usize>slot(d, QSlot.OutPixelStride);
  const is = <usize>slot(d, QSlot.OutImageStride);
  const panelA = <usize>Kp << 3;
  const panelB = <usize>Kp << 4;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const xg = x + (<usize>n * C + <usize>g * Cg) * plane;
      const wg = weights + <usize>g * (<usize>Mp >> 2) * panelA;
      const yg = y + (<usize>n * is + <usize>g * Mg * cs) * elem;
      for (let p0 = 0; p0 < Pr; p0 += bp) {
        const nc = min(bp, Pr - p0);
        packColumns(xg, signed, xZero, HP, WP, OH, OWr, SD, SH, SW, Kp, offsets, p0, nc >> 3, packed);
        // One weight panel stays in L1 while the block's pixel panels stream from L2.
        for (let i = 0; i < Mg; i += 4) {
          const mr = min(4, Mg - i);
          const at = <usize>g * Mp + i;
          const pa = wg + <usize>(i >> 2) * panelA;
          for (let j = 0; j < nc; j += 8) {
            // The 8 grid pixels lie in one output row; columns past OW are not stored.
            const pp = p0 + j;
            const ow = pp % OWr;
            const pixel = <usize>(pp / OWr) * OW + ow;
            tile4x8(Kp, pa, packed + <usize>(j >> 3) * panelB, yg + (<usize>i * cs + pixel * ps) * elem,
              cs, ps, mr, min(8, OW - ow), bias + (at << 2), mult + (at << 2), d, scratch);
          }
        }
      }
    }
  }
}

/**
 * One 4x8 tile: sums over Kp reductions (Kp / 2 pairs) of packed A (16 bytes per pair) and
 * packed B (32 bytes per pair), plus bias[0..4], then the output stage into `c` (channel stride
 * `cs`, pixel stride `ps` elements; only mr x nr elements written). Reads 4 biases and 4
 * multipliers even when mr < 4 (the wrapper pads them). `scratch`: 128 bytes.
 */
// @ts-ignore: decorator
@inline function tile4x8(
  Kp: i32, a: usize, b: usize, c: usize, cs: usize, ps: usize, mr: i32, nr: i32,
  bias: usize, mult: usize, d: usize, scratch: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    let pa = a, pb = b;
    for (let k = 0; k < Kp; k += 2) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a0 = v128.load32_splat(pa);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a0, b0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a0, b1));
      const a1 = v128.load32_splat(pa, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a1, b0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a1, b1));
      const a2 = v128.load32_splat(pa, 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a2, b0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a2, b1));
      const a3 = v128.load32_splat(pa, 12);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a3, b0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a3, b1));
      pa += 16; pb += 32;
    }
    const kind = slot(d, QSlot.OutputKind);
    if (mr == 4 && nr == 8 && ps == 1 && kind != QOut.Int32) {
      const zero = slot(d, QSlot.OutputZero);
      const lo = f32x4.splat(<f32>(slot(d, QSlot.OutputLo) - zero));
      const hi = f32x4.splat(<f32>(slot(d, QSlot.OutputHi) - zero));
      const z = i32x4.splat(zero);
      const u = kind == QOut.Uint8;
      let bv = v128.load32_splat(bias);
      requantizeStore8(c, i32x4.add(c00, bv), i32x4.add(c01, bv), v128.load32_splat(mult), lo, hi, z, u);
      bv = v128.load32_splat(bias, 4);
      requantizeStore8(c + cs, i32x4.add(c10, bv), i32x4.add(c11, bv), v128.load32_splat(mult, 4), lo, hi, z, u);
      bv = v128.load32_splat(bias, 8);
      requantizeStore8(c + 2 * cs, i32x4.add(c20, bv), i32x4.add(c21, bv), v128.load32_splat(mult, 8), lo, hi, z, u);
      bv = v128.load32_splat(bias, 12);
      requantizeStore8(c + 3 * cs, i32x4.add(c30, bv), i32x4.add(c31, bv), v128.load32_splat(mult, 12), lo, hi, z, u);
      return;
    }
    v128.store(scratch, c00); v128.store(scratch, c01, 16);
    v128.store(scratch, c10, 32); v128.store(scratch, c11, 48);
    v128.store(scratch, c20, 64); v128.store(scratch, c21, 80);
    v128.store(scratch, c30, 96); v128.store(scratch, c31, 112);
  } else {
    for (let i = 0; i < 4; i++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let pa = a + (<usize>i << 2), pb = b;
      for (let k = 0; k < Kp; k += 2) {
        const w0 = <i32>load<i16>(pa), w1 = <i32>load<i16>(pa, 2);
        s0 += w0 * <i32>load<i16>(pb) + w1 * <i32>load<i16>(pb, 2);
        s1 += w0 * <i32>load<i16>(pb, 4) + w1 * <i32>load<i16>(pb, 6);
        s2 += w0 * <i32>load<i16>(pb, 8) + w1 * <i32>load<i16>(pb, 10);
        s3 += w0 * <i32>load<i16>(pb, 12) + w1 * <i32>load<i16>(pb, 14);
        s4 += w0 * <i32>load<i16>(pb, 16) + w1 * <i32>load<i16>(pb, 18);
        s5 += w0 * <i32>load<i16>(pb, 20) + w1 * <i32>load<i16>(pb, 22);
        s6 += w0 * <i32>load<i16>(pb, 24) + w1 * <i32>load<i16>(pb, 26);
        s7 += w0 * <i32>load<i16>(pb, 28) + w1 * <i32>load<i16>(pb, 30);
        pa += 16; pb += 32;
      }
      const row = scratch + (<usize>i << 5);
      store<i32>(row, s0); store<i32>(row, s1, 4); store<i32>(row, s2, 8); store<i32>(row, s3, 12);
      store<i32>(row, s4, 16); store<i32>(row, s5, 20); store<i32>(row, s6, 24); store<i32>(row, s7, 28);
    }
  }
  storeTile(scratch, c, cs, ps, mr, nr, bias, mult, d);
}

/**
 * The output stage of a tile from its 4x8 i32 sums in `scratch` (row-major): mr x nr elements
 * to `c` with channel stride `cs` and pixel stride `ps` (elements), as int32 sums + bias or
 * requantized bytes (qrequant.ts).
 */
function storeTile(scratch: usize, c: usize, cs: usize, ps: usize, mr: i32, nr: i32, bias: usize, mult: usize, d: usize): void {
  const kind = slot(d, QSlot.OutputKind);
  if (kind == QOut.Int32) {
    for (let i = 0; i < mr; i++) {
      const bi = load<i32>(bias + (<usize>i << 2));
      for (let j = 0; j < nr; j++) {
        store<i32>(c + ((<usize>i * cs + <usize>j * ps) << 2), load<i32>(scratch + (<usize>(i * 8 + j) << 2)) + bi);
      }
    }
    return;
  }
  const zero = slot(d, QSlot.OutputZero);
  const lo = <f32>(slot(d, QSlot.OutputLo) - zero), hi = <f32>(slot(d, QSlot.OutputHi) - zero);
  for (let i = 0; i < mr; i++) {
    const bi = load<i32>(bias + (<usize>i << 2));
    const m = load<f32>(mult + (<usize>i << 2));
    for (let j = 0; j < nr; j++) {
      const s = load<i32>(scratch + (<usize>(i * 8 + j) << 2)) + bi;
      store<u8>(c + <usize>i * cs + <usize>j * ps, <u8>requantize1(s, m, lo, hi, zero));
    }
  }
}
