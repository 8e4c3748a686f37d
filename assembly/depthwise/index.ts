/**
 * Depthwise convolution: groups == input channels C, any channel multiplier m = K / C.
 * Output channel k = c * m + j reads input channel c only, with filter k (KD x KH x KW taps).
 * Direct kernels (no GEMM): the reduction per output is just the taps, so the work is laid out
 * to keep a filter's weights in registers and to share every input load between neighbouring
 * outputs.
 *
 * Layouts (descriptor slot Layout):
 *  - channels-first, input (N, C, ID, IH, IW), output (N, K, OD, OH, OW); weights packed [K][taps]
 *    (tap = (kd * KH + kh) * KW + kw). Vectorised across output columns, two output rows per pass
 *    (the input rows they share are loaded once). 2-D 3x3 with strides 1 or 2 (the common case)
 *    reads the input rows in place, with padded copies of the edge columns only; stride 2 splits
 *    even and odd columns in registers. Every other kernel, stride, dilation and 3-D copies each
 *    input row once into a ring of zero-padded rows split by column phase (for stride S, phase p
 *    holds padded columns p, p + S, p + 2S, ...), so every tap of 4 adjacent outputs is one
 *    unaligned v128 load without bounds checks.
 *  - channels-last, input (N, ID, IH, IW, C), output (N, OD, OH, OW, K); weights packed
 *    [taps][m][Cp] (Cp = C rounded up to 4, zero-filled): weight (tap, j, c) is filter c * m + j,
 *    so one v128 load gives a tap's weights for 4 consecutive input channels. Vectorised across
 *    channels; input rows outside the image read a zero row of the workspace, columns outside it
 *    are clipped per border pixel (interior pixels run without bounds checks).
 *
 * Bias: 0 when absent, else K floats padded by at least BIAS_PADDING (descriptor.ts) zeros. The
 * fused activation (activateAt4 of simd.ts, from the descriptor's activation triple) is applied
 * before the store. Spatial sizes are always 3-D (unused axes have size 1).
 * Every kernel is allocation-free and writes only the output and the workspace; none reads
 * outside the input, weights, bias, descriptor and workspace areas described here. The workspace
 * may hold anything on entry: the kernels write every workspace byte they read (the zero head,
 * the zeroed ring and zero row, the tables) before reading it. A call computes the work items
 * [WorkBegin, WorkEnd) of `depthwiseConvItems`; items write disjoint parts of the output, so calls
 * with disjoint ranges and their own workspaces may run at the same time.
 *
 * Files: this one (the exports and the choice of kernel), layout.ts (workspace head, ring sizes,
 * bands of rows), first.ts and rows.ts (channels-first through the ring of ring.ts, any
 * geometry), direct.ts (channels-first 3x3, strides 1 and 2, rows read in place), last.ts
 * (channels-last).
 */
import { Slot } from '../descriptor';
import { field, align16, roundUp } from '../fields';
import { phaseRowFloats } from '../ring';
import { ROWS, HEAD, ringRows, direct3x3, directRowFloats, bandsFirst } from './layout';
import { forwardChannelsFirst } from './first';
import { forwardFirstDirect3x3 } from './direct';
import { forwardChannelsLast } from './last';

/**
 * Bytes of workspace `depthwiseConv` needs for the descriptor at `d` (16-byte aligned parts):
 * a 64-byte head (HEAD), then channels-first direct 3x3: row tables (3 * (3 + S) i32), a scratch output
 * row and the ring (3 + S rows of directRowFloats); other channels-first jobs: tap tables
 * (ROWS * taps + KW + KD * ring rows i32) and the ring (KD * ringRows slots of SW phase rows of
 * ringRowFloats floats); channels-last: a row table (KD * KH i32) and one zero input row
 * (IW * C floats + 16 bytes).
 */
export function depthwiseConvWorkspaceBytes(d: usize): usize {
  const KD = field(d, Slot.KernelD), KH = field(d, Slot.KernelH), KW = field(d, Slot.KernelW);
  const OW = field(d, Slot.OutW);
  if (field(d, Slot.Layout) != 0) {
    const C = field(d, Slot.InChannels), IW = field(d, Slot.InW);
    return HEAD + align16(<usize>(KD * KH) << 2) + align16(((<usize>IW * C) << 2) + 16);
  }
  const SW = field(d, Slot.StrideW), DW = field(d, Slot.DilationW);
  const SH = field(d, Slot.StrideH), DH = field(d, Slot.DilationH);
  if (ASC_FEATURE_SIMD) {
    if (direct3x3(d)) {
      const rows = 3 + SW;
      return HEAD + align16(<usize>(3 * rows) << 2) + (<usize>roundUp(OW, 4) << 2)
        + ((<usize>rows * directRowFloats(OW, SW)) << 2);
    }
  }
  const L = phaseRowFloats(OW, 4, KW, SW, DW);
  const RS = ringRows(KH, SH, DH);
  const tables = ROWS * KD * KH * KW + KW + KD * RS;
  return HEAD + align16(<usize>tables << 2) + ((<usize>KD * RS * SW * L) << 2);
}

/**
 * Work items of `depthwiseConv`, each writing its own part of the output: channels-first one
 * per image, input channel and band of output rows (see bandsFirst; the item's m output planes,
 * rows of the band at every output depth); channels-last one per output row (image, depth, row).
 */
export function depthwiseConvItems(d: usize): i32 {
  if (field(d, Slot.Layout) != 0) return field(d, Slot.Batch) * field(d, Slot.OutD) * field(d, Slot.OutH);
  return field(d, Slot.Batch) * field(d, Slot.InChannels) * bandsFirst(d);
}

/**
 * Computes work items [WorkBegin, WorkEnd) of `depthwiseConvItems(d)` of the depthwise convolution the
 * descriptor at `d` describes (groups == InChannels). The workspace (depthwiseConvWorkspaceBytes) may
 * hold anything on entry: every byte the kernel reads from it is written first.
 */
export function depthwiseConv(d: usize): void {
  const ws = <usize>field(d, Slot.Workspace);
  memory.fill(ws, 0, HEAD);
  if (field(d, Slot.Layout) != 0) {
    forwardChannelsLast(d);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (direct3x3(d)) {
      forwardFirstDirect3x3(d);
      return;
    }
  }
  forwardChannelsFirst(d);
}
