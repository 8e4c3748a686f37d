/**
 * Zero-padded row buffers split by column phase, shared by the channels-first direct kernels
 * (depthwise and grouped). For stride S, a slot holds S phase rows of L floats: phase p holds
 * padded columns p, p + S, p + 2S, ... (padded column q = input column q - PW), so every tap of a
 * block of adjacent outputs is one unaligned v128 load at a fixed offset, without bounds checks.
 * A slot is zero-filled once; afterwards only its image columns are written, so its padding
 * columns stay zero.
 */
import { roundUp } from './fields';

/**
 * Floats per phase row: every column a block of `block` adjacent outputs reads, for OW outputs of
 * a kernel KW wide (dilation DW, stride SW).
 */
export function phaseRowFloats(OW: i32, block: i32, KW: i32, SW: i32, DW: i32): i32 {
  return roundUp(roundUp(OW, block) + (KW - 1) * DW / SW, 4);
}

/**
 * Writes KW i32 at `table`: the byte offset of tap kw's column from a slot's start, phase
 * (kw * DW) % SW, index (kw * DW) / SW (`phaseBytes`: bytes per phase row).
 */
export function columnOffsets(table: usize, KW: i32, SW: i32, DW: i32, phaseBytes: usize): void {
  for (let kw = 0; kw < KW; kw++) {
    const pos = kw * DW;
    store<i32>(table + (<usize>kw << 2), <i32>(<usize>(pos % SW) * phaseBytes + (<usize>(pos / SW) << 2)));
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
