/**
 * Workspace layout and work split shared by the depthwise kernels (see index.ts for the contract).
 */
import { Slot } from '../descriptor';
import { field, roundUp } from '../fields';

/** Output rows per pass of the channels-first kernels (the input rows they share are loaded once). */
export const ROWS: i32 = 2;
/**
 * Bytes at the start of the workspace, written by every call before use: 16 zero bytes (the bias
 * of a plan without bias), a 16-byte bias vector (channels-last) and a 32-byte sink for the
 * ordering stores of the hot loops (see `order` in lanes.ts).
 */
export const HEAD: usize = 64;
/** Offset of the sink in the workspace. */
export const SINK: usize = 32;

/** Rows per kd layer of the channels-first ring: the input rows of one pass of ROWS output rows. */
// @ts-ignore: decorator
@inline export function ringRows(KH: i32, SH: i32, DH: i32): i32 {
  return DH * (KH - 1) + 1 + SH * (ROWS - 1);
}

/**
 * Whether the channels-first job takes the direct 3x3 path: a 2-D 3x3 kernel (KD == 1),
 * dilation 1 and equal strides 1 or 2 along H and W.
 */
export function direct3x3(d: usize): bool {
  const S = field(d, Slot.StrideW);
  return field(d, Slot.KernelD) == 1 && field(d, Slot.KernelH) == 3 && field(d, Slot.KernelW) == 3
    && field(d, Slot.DilationH) == 1 && field(d, Slot.DilationW) == 1
    && field(d, Slot.StrideH) == S && S <= 2;
}

/** Floats per ring row of the direct 3x3 path: padded columns up to the last block's reads. */
// @ts-ignore: decorator
@inline export function directRowFloats(OW: i32, S: i32): i32 {
  // Block b (outputs 4b .. 4b+3) reads padded columns 4bS .. 4bS + 3S + 2.
  return roundUp(4 * S * ((OW + 3) >> 2) - S + 3, 4);
}

/**
 * Output-row passes per band of a channels-first job: the rows of a plane are cut into bands only
 * when the job has fewer than 16 planes (N * C), so that every job has enough items for a few
 * threads while a band's setup (reloading the input rows it shares with the band above) stays
 * rare.
 */
export function bandsFirst(d: usize): i32 {
  const planes = field(d, Slot.Batch) * field(d, Slot.InChannels);
  const passes = (field(d, Slot.OutH) + ROWS - 1) / ROWS;
  return planes >= 16 ? 1 : min(passes, (16 + planes - 1) / planes);
}


/**
 * Output rows [begin, end) of band `band` of a channels-first plane: whole passes of ROWS rows,
 * `bands` bands of nearly equal numbers of passes.
 */
// @ts-ignore: decorator
@inline export function bandRows(OH: i32, band: i32, bands: i32): i64 {
  const passes = <i64>((OH + ROWS - 1) / ROWS);
  const begin = <i32>(ROWS * (<i64>band * passes / bands));
  const end = min(OH, <i32>(ROWS * (<i64>(band + 1) * passes / bands)));
  return (<i64>end << 32) | <i64>begin;
}
