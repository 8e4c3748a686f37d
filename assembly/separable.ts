/**
 * Fused depthwise-separable convolution: a depthwise convolution (channel multiplier M, any
 * kernel, stride, dilation, zero padding) whose output feeds a pointwise (1x1) convolution, one
 * block of output pixels at a time. The depthwise result of a block is computed straight into the
 * packed GEMM operand and consumed by the pointwise GEMM while it is in cache: the intermediate
 * tensor never exists in memory.
 *
 * Descriptor (see descriptor.ts): InChannels C; MidChannels = C * M; OutChannels = pointwise
 * outputs; Kernel/Stride/Dilation/Pad: the depthwise geometry; Weights: depthwise filters, packed
 * [MidChannels][taps] (channels-first) or [taps][MidChannels] (channels-last); PointwiseWeights:
 * packed like a 1x1 convolution's (4-row panels x MidChannels channels-first, 8-column panels
 * channels-last); Bias and activation apply to the final output. BlockK splits MidChannels.
 * Workspace (`separableConvWorkspaceBytes`, 16-byte aligned parts): the packed block (BlockK x
 * BlockP floats), pixel coordinates (16 bytes per pixel) and the GEMM's 128-byte tile scratch.
 * Writes only the output and the workspace; reads up to 64 bytes past an input row.
 */
import { Slot, TILE_COLS } from './descriptor';
import { field, fieldF, align16, roundUp } from './fields';
import { gemm, ACCUMULATE, BIAS_ROW, BIAS_COL, ACTIVATE } from './gemm';
import { madd } from './simd';
import { pixelCoords } from './pack';


/** Bytes of workspace `separableConv` needs for the descriptor at `d`. */
export function separableConvWorkspaceBytes(d: usize): usize {
  const bp = <usize>roundUp(field(d, Slot.BlockP), TILE_COLS);
  return align16(<usize>field(d, Slot.BlockK) * bp * 4) + bp * 16 + 128;
}

/** Work items of `separableConv`: one per image and block of BlockP output pixels. */
export function separableConvItems(d: usize): i32 {
  const P = field(d, Slot.OutD) * field(d, Slot.OutH) * field(d, Slot.OutW);
  const bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  return field(d, Slot.Batch) * ((P + bp - 1) / bp);
}

/** Computes the fused depthwise-separable convolution the descriptor at `d` describes. */
export function separableConv(d: usize): void {
  const C = field(d, Slot.InChannels), K = field(d, Slot.OutChannels), mid = field(d, Slot.MidChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const OH = field(d, Slot.OutH), OW = field(d, Slot.OutW);
  const P = field(d, Slot.OutD) * OH * OW;
  const x = <usize>field(d, Slot.Input), y = <usize>field(d, Slot.Output);
  const pw = <usize>field(d, Slot.PointwiseWeights), bias = <usize>field(d, Slot.Bias);
  const lo = fieldF(d, Slot.ActLo), hi = fieldF(d, Slot.ActHi), slope = fieldF(d, Slot.ActSlope);
  const act = field(d, Slot.HasActivation) != 0 ? ACTIVATE : 0;
  const bk = field(d, Slot.BlockK), bp = roundUp(field(d, Slot.BlockP), TILE_COLS);
  const channelsLast = field(d, Slot.Layout) != 0;
  const inPlane = <usize>ID * IH * IW;
  const packed = <usize>field(d, Slot.Workspace);
  const coords = packed + align16(<usize>bk * bp * 4);
  const scratch = coords + <usize>bp * 16;
  const biasFlag = bias ? (channelsLast ? BIAS_COL : BIAS_ROW) : 0;
  const blocks = (P + bp - 1) / bp;
  const end = field(d, Slot.WorkEnd);
  for (let item = field(d, Slot.WorkBegin); item < end; item++) {
    const p0 = item % blocks * bp;
    const n = item / blocks;
    const nc = min(bp, P - p0);
    pixelCoords(coords, p0, nc, OH, OW, field(d, Slot.StrideD), field(d, Slot.StrideH), field(d, Slot.StrideW),
      field(d, Slot.PadD), field(d, Slot.PadH), field(d, Slot.PadW));
    for (let k0 = 0; k0 < mid; k0 += bk) {
      const kc = min(bk, mid - k0);
      const flags = (k0 == 0 ? biasFlag : ACCUMULATE) | (k0 + kc == mid ? act : 0);
      if (!channelsLast) {
        depthwiseColumns(d, x + ((<usize>n * C * inPlane) << 2), k0, kc, nc, coords, packed);
        gemm(K, nc, kc, pw + (<usize>k0 << 4), <usize>mid << 4, packed, <usize>kc << 5,
          y + ((<usize>n * K * P + p0) << 2), P, flags, bias, lo, hi, slope, scratch, true);
      } else {
        depthwiseRows(d, x + ((<usize>n * inPlane * C) << 2), k0, kc, nc, coords, packed);
        gemm(nc, K, kc, packed, <usize>kc << 4, pw + (<usize>k0 << 5), <usize>mid << 5,
          y + ((<usize>(n * P + p0) * K) << 2), K, flags, bias, lo, hi, slope, scratch, false);
      }
    }
  }
}

/**
 * Depthwise outputs of channels k0 .. k0+kc for the block's pixels, as B panels of 8 pixels
 * (channels-first input; weights [mid][taps]). A panel whose 8 pixels share one output row and
 * whose taps all fall inside the input (stride 1 or 2) is computed with vector loads.
 */
function depthwiseColumns(d: usize, x: usize, k0: i32, kc: i32, nc: i32, coords: usize, dst: usize): void {
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const mult = field(d, Slot.MidChannels) / field(d, Slot.InChannels);
  const w = <usize>field(d, Slot.Weights);
  const taps = KD * KH * KW;
  const plane = <usize>ID * IH * IW;
  const panels = (nc + 7) >> 3;
  const panelBytes = <usize>kc << 5;
  const spanD = (KD - 1) * DD, spanH = (KH - 1) * DH, spanW = (KW - 1) * DW;
  for (let kk = 0; kk < kc; kk++) {
    const m = k0 + kk;
    const xc = x + ((<usize>(m / mult) * plane) << 2);
    const wm = w + ((<usize>m * taps) << 2);
    let out = dst + (<usize>kk << 5);
    for (let q = 0; q < panels; q++, out += panelBytes) {
      const first = coords + (<usize>q << 7);
      const fast = load<i32>(first, 12);
      const d0 = load<i32>(first), h0 = load<i32>(first, 4), w0 = load<i32>(first, 8);
      if (ASC_FEATURE_SIMD) {
        const inside = fast != 0 && d0 >= 0 && d0 + spanD < ID && h0 >= 0 && h0 + spanH < IH && w0 >= 0
          && w0 + spanW + (fast == 1 ? 8 : 16) <= IW;
        if (inside) {
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
          let tap = 0;
          for (let kd = 0; kd < KD; kd++) {
            for (let kh = 0; kh < KH; kh++) {
              const row = xc + ((<usize>((d0 + kd * DD) * IH + h0 + kh * DH) * IW + w0) << 2);
              for (let kw = 0; kw < KW; kw++, tap++) {
                const wv = v128.load32_splat(wm + (<usize>tap << 2));
                const at = row + (<usize>(kw * DW) << 2);
                if (fast == 1) {
                  a0 = madd(wv, v128.load(at), a0);
                  a1 = madd(wv, v128.load(at, 16), a1);
                } else {
                  a0 = madd(wv, v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6), a0);
                  a1 = madd(wv, v128.shuffle<f32>(v128.load(at, 32), v128.load(at, 48), 0, 2, 4, 6), a1);
                }
              }
            }
          }
          v128.store(out, a0);
          v128.store(out, a1, 16);
          continue;
        }
      }
      for (let j = 0; j < 8; j++) {
        const i = (q << 3) + j;
        const v = i < nc ? depthwiseAt(d, coords + (<usize>i << 4), xc, 4, wm, 4) : 0;
        store<f32>(out + (<usize>j << 2), v);
      }
    }
  }
}

/**
 * Depthwise outputs of channels k0 .. k0+kc for the block's pixels, as A panels of 4 pixels
 * (channels-last input; weights [taps][mid]). With multiplier 1, 4 channels at a time are
 * computed as vectors (one per pixel) and transposed into the panel.
 */
function depthwiseRows(d: usize, x: usize, k0: i32, kc: i32, nc: i32, coords: usize, dst: usize): void {
  const C = field(d, Slot.InChannels), mid = field(d, Slot.MidChannels);
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const mult = mid / C;
  const w = <usize>field(d, Slot.Weights);
  const panels = (nc + 3) >> 2;
  for (let q = 0; q < panels; q++) {
    const out = dst + <usize>q * (<usize>kc << 4);
    let kk = 0;
    if (ASC_FEATURE_SIMD) {
      if (mult == 1 && (q << 2) + 4 <= nc) {
        for (; kk + 4 <= kc; kk += 4) {
          const m = k0 + kk;
          let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
          for (let j = 0; j < 4; j++) {
            const at = coords + (<usize>((q << 2) + j) << 4);
            const pd = load<i32>(at), ph = load<i32>(at, 4), pwv = load<i32>(at, 8);
            let acc = f32x4.splat(0);
            let tap = 0;
            for (let kd = 0; kd < KD; kd++) {
              const dd = pd + kd * DD;
              for (let kh = 0; kh < KH; kh++) {
                const hh = ph + kh * DH;
                for (let kw = 0; kw < KW; kw++, tap++) {
                  const ww = pwv + kw * DW;
                  if (<u32>dd < <u32>ID && <u32>hh < <u32>IH && <u32>ww < <u32>IW) {
                    const src = x + ((<usize>((dd * IH + hh) * IW + ww) * C + m) << 2);
                    acc = madd(v128.load(w + ((<usize>tap * mid + m) << 2)), v128.load(src), acc);
                  }
                }
              }
            }
            if (j == 0) s0 = acc; else if (j == 1) s1 = acc; else if (j == 2) s2 = acc; else s3 = acc;
          }
          const t0 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
          const o = out + (<usize>kk << 4);
          v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(o, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(o, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(o, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
        }
      }
    }
    for (; kk < kc; kk++) {
      const m = k0 + kk;
      const c = m / mult;
      for (let j = 0; j < 4; j++) {
        const i = (q << 2) + j;
        const v = i < nc
          ? depthwiseAt(d, coords + (<usize>i << 4), x + (<usize>c << 2), <usize>C << 2, w + (<usize>m << 2), <usize>mid << 2)
          : 0;
        store<f32>(out + ((<usize>kk << 4) + (<usize>j << 2)), v);
      }
    }
  }
}

/**
 * One depthwise output, scalar: the sum over taps of weight(tap) * input(tap position), where the
 * pixel's first tap position is at `at` (coords of pack.ts), input element (d, h, w) is at
 * `base + ((d * IH + h) * IW + w) * pixelBytes` and weight `tap` at `weights + tap * weightStep`.
 * Positions outside the input add nothing.
 */
function depthwiseAt(d: usize, at: usize, base: usize, pixelBytes: usize, weights: usize, weightStep: usize): f32 {
  const ID = field(d, Slot.InD), IH = field(d, Slot.InH), IW = field(d, Slot.InW);
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const DD = field(d, Slot.DilationD), DH = field(d, Slot.DilationH), DW = field(d, Slot.DilationW);
  const pd = load<i32>(at), ph = load<i32>(at, 4), pw = load<i32>(at, 8);
  let sum: f32 = 0;
  let tap = 0;
  for (let kd = 0; kd < KD; kd++) {
    const dd = pd + kd * DD;
    for (let kh = 0; kh < KH; kh++) {
      const hh = ph + kh * DH;
      for (let kw = 0; kw < KW; kw++, tap++) {
        const ww = pw + kw * DW;
        if (<u32>dd < <u32>ID && <u32>hh < <u32>IH && <u32>ww < <u32>IW) {
          sum += load<f32>(weights + <usize>tap * weightStep) * load<f32>(base + <usize>((dd * IH + hh) * IW + ww) * pixelBytes);
        }
      }
    }
  }
  return sum;
}
