/**
 * Input preparation and packing for the 8-bit kernels.
 *
 * `padInput` copies the input once per run into zero-point-padded channels-first planes, so the
 * kernels never check bounds: a padded position holds x_zp, whose difference x - x_zp is 0, as
 * ONNX defines padding. The kernels work on a pixel grid whose rows are rounded up to a multiple
 * of 8 (OWr = roundUp(OW, 8)): every group of 8 pixels lies in one output row, so one input row
 * segment feeds it; the extra columns are computed and never stored.
 *
 * `packColumns` widens 8 pixels x 2 reductions at a time to i16 with the zero point subtracted:
 * a panel of 8 pixels holds, per reduction pair (k, k+1), the pairs (x[k][j], x[k+1][j]) for
 * j = 0..7 (32 bytes), what `i32x4.dot_i16x8_s` against a splat weight pair needs.
 */
import { QSlot } from './qdescriptor';

/**
 * Copies `planes` input planes (ID x IH x IW bytes) into padded planes of DP x HP x WP bytes at
 * `dst`, the input starting at (PD, PH, PW) and every other byte `zero`. The source is
 * channels-first (plane after plane) or, with `channelsLast`, N images of ID x IH x IW pixels of
 * `C` bytes (then `planes` = N * C and planes are taken channel by channel).
 */
export function padInput(
  src: usize, dst: usize, planes: i32, C: i32, channelsLast: bool, zero: i32,
  ID: i32, IH: i32, IW: i32, DP: i32, HP: i32, WP: i32, PD: i32, PH: i32, PW: i32,
): void {
  const plane = <usize>DP * HP * WP;
  memory.fill(dst, <u8>zero, plane * planes);
  const inPlane = <usize>ID * IH * IW;
  for (let p = 0; p < planes; p++) {
    const out = dst + <usize>p * plane + (<usize>(PD * HP + PH) * WP + PW);
    if (!channelsLast) {
      const from = src + <usize>p * inPlane;
      for (let d = 0; d < ID; d++) {
        for (let h = 0; h < IH; h++) {
          memory.copy(out + <usize>(d * HP + h) * WP, from + <usize>(d * IH + h) * IW, IW);
        }
      }
    } else {
      const n = p / C, c = p % C;
      const from = src + <usize>n * inPlane * C + c;
      for (let d = 0; d < ID; d++) {
        for (let h = 0; h < IH; h++) {
          const row = out + <usize>(d * HP + h) * WP;
          const at = from + <usize>(d * IH + h) * IW * C;
          for (let w = 0; w < IW; w++) store<u8>(row + w, load<u8>(at + <usize>w * C));
        }
      }
    }
  }
}

/** Pads the input of the descriptor at `d` into its padded planes (`padInput`). */
export function padQuantizedInput(d: usize): void {
  padInput(<usize>slot(d, QSlot.Input), <usize>slot(d, QSlot.Padded), slot(d, QSlot.Batch) * slot(d, QSlot.InChannels),
    slot(d, QSlot.InChannels), slot(d, QSlot.InputChannelsLast) != 0, slot(d, QSlot.InputZero),
    slot(d, QSlot.InD), slot(d, QSlot.InH), slot(d, QSlot.InW),
    slot(d, QSlot.PaddedD), slot(d, QSlot.PaddedH), slot(d, QSlot.PaddedW),
    slot(d, QSlot.PadD), slot(d, QSlot.PadH), slot(d, QSlot.PadW));
}

// @ts-ignore: decorator
@inline function slot(d: usize, s: QSlot): i32 { return load<i32>(d + (<usize>s << 2)); }

/**
 * Byte offsets, within one group's padded planes, of the first input tap of every reduction
 * k < Kp (K real ones; the padding reduction repeats the last offset, its weight is 0):
 * k = ((c * KD + kd) * KH + kh) * KW + kw -> c * plane + (kd * DD * HP + kh * DH) * WP + kw * DW.
 * Writes Kp i32 at `offsets`.
 */
export function tapOffsets(
  offsets: usize, K: i32, Kp: i32, plane: i32, HP: i32, WP: i32,
  KD: i32, KH: i32, KW: i32, DD: i32, DH: i32, DW: i32,
): void {
  let kw = 0, kh = 0, kd = 0, c = 0;
  for (let k = 0; k < K; k++) {
    store<i32>(offsets + (<usize>k << 2), c * plane + (kd * DD * HP + kh * DH) * WP + kw * DW);
    if (++kw == KW) { kw = 0; if (++kh == KH) { kh = 0; if (++kd == KD) { kd = 0; c++; } } }
  }
  for (let k = K; k < Kp; k++) store<i32>(offsets + (<usize>k << 2), load<i32>(offsets + (<usize>(K - 1) << 2)));
}

/**
 * Packs `panels` panels of 8 pixels of the row-rounded grid (OD x OH x OWr), starting at grid
 * pixel p0 (a multiple of 8), for the Kp reductions of `offsets`: dst[q][k / 2][j][k & 1] =
 * x[base(pixel 8q + j) + offsets[k]] - zero, where base = ((od * SD) * HP + oh * SH) * WP + ow * SW
 * in the group's padded planes at `x` (u8, or i8 when `signed`). Reads 8 bytes per row segment
 * (stride 1), 16 (stride 2) or 8 single bytes (other strides), all inside the padded planes
 * (the caller sizes them). Writes panels * Kp * 16 bytes.
 */
export function packColumns(
  x: usize, signed: bool, zero: i32, HP: i32, WP: i32, OH: i32, OWr: i32, SD: i32, SH: i32, SW: i32,
  Kp: i32, offsets: usize, p0: i32, panels: i32, dst: usize,
): void {
  const panelBytes = <usize>Kp << 4;
  for (let q = 0; q < panels; q++) {
    const pp = p0 + (q << 3);
    const ow = pp % OWr;
    const t = pp / OWr;
    const base = x + <usize>(((t / OH) * SD * HP + (t % OH) * SH) * WP + ow * SW);
    const out = dst + <usize>q * panelBytes;
    if (ASC_FEATURE_SIMD) {
      const z = i16x8.splat(<i16>zero);
      for (let k = 0; k < Kp; k += 2) {
        const a = base + <usize>load<i32>(offsets + (<usize>k << 2));
        const b = base + <usize>load<i32>(offsets + (<usize>k << 2), 4);
        let va: v128, vb: v128;
        if (SW == 1) {
          va = v128.load64_zero(a);
          vb = v128.load64_zero(b);
        } else if (SW == 2) {
          const la = v128.load(a), lb = v128.load(b);
          va = i8x16.shuffle(la, la, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
          vb = i8x16.shuffle(lb, lb, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
        } else {
          va = gather8(a, SW);
          vb = gather8(b, SW);
        }
        const wa = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(va) : i16x8.extend_low_i8x16_u(va), z);
        const wb = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(vb) : i16x8.extend_low_i8x16_u(vb), z);
        const o = out + (<usize>k << 4);
        v128.store(o, v128.shuffle<i16>(wa, wb, 0, 8, 1, 9, 2, 10, 3, 11));
        v128.store(o, v128.shuffle<i16>(wa, wb, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      }
    } else {
      for (let k = 0; k < Kp; k += 2) {
        const a = base + <usize>load<i32>(offsets + (<usize>k << 2));
        const b = base + <usize>load<i32>(offsets + (<usize>k << 2), 4);
        const o = out + (<usize>k << 4);
        for (let j = 0; j < 8; j++) {
          const at = <usize>(j * SW);
          const v0 = (signed ? <i32>load<i8>(a + at) : <i32>load<u8>(a + at)) - zero;
          const v1 = (signed ? <i32>load<i8>(b + at) : <i32>load<u8>(b + at)) - zero;
          store<i32>(o + (<usize>j << 2), (v0 & 0xffff) | (v1 << 16));
        }
      }
    }
  }
}

/** Bytes at p, p + s, ..., p + 7s in the low 8 lanes of a vector. */
// @ts-ignore: decorator
@inline export function gather8(p: usize, s: i32): v128 {
  const st = <usize>s;
  let v = v128.load8_splat(p);
  v = v128.load8_lane(p + st, v, 1);
  v = v128.load8_lane(p + 2 * st, v, 2);
  v = v128.load8_lane(p + 3 * st, v, 3);
  v = v128.load8_lane(p + 4 * st, v, 4);
  v = v128.load8_lane(p + 5 * st, v, 5);
  v = v128.load8_lane(p + 6 * st, v, 6);
  return v128.load8_lane(p + 7 * st, v, 7);
}
