/**
 * Layout of the job descriptor shared by the TypeScript wrapper and the kernels.
 *
 * A descriptor is a block of 32-bit slots in linear memory; slot `i` lives at byte `4 * i`.
 * Integer slots hold sizes, counts and byte addresses; the activation slots (ActLo, ActHi,
 * ActSlope and the depthwise stage's DepthwiseActLo .. DepthwiseActSlope: the only f32 slots, see
 * `isF32Slot`) hold f32.
 * Spatial sizes are always three-dimensional (D, H, W): a 1-D problem uses D = H = 1,
 * a 2-D problem D = 1, with kernel size 1, stride 1, dilation 1 and padding 0 in unused dims.
 * This file is plain TypeScript understood by both AssemblyScript and the wrapper.
 */
export const enum Slot {
  /** 0: channels-first (N, C, D, H, W); 1: channels-last (N, D, H, W, C). */
  Layout = 0,
  Batch,
  InChannels,
  InD, InH, InW,
  OutChannels,
  OutD, OutH, OutW,
  KernelD, KernelH, KernelW,
  StrideD, StrideH, StrideW,
  DilationD, DilationH, DilationW,
  /** Padding before each spatial axis (the end padding follows from the output size). */
  PadD, PadH, PadW,
  Groups,
  /**
   * Byte addresses. Bias is 0 when absent, else the output channels' biases followed by at least
   * BIAS_PADDING zero floats (kernels read whole vectors and micro-tile rows of it).
   */
  Input, Output, Weights, Bias, Workspace,
  /**
   * Fused activation y = min(max(x > 0 ? x : x * slope, lo), hi), as f32: the activation triple,
   * in this order in consecutive slots (kernels read it by address from ActLo: lo at +0 bytes,
   * hi at +4, slope at +8; see `activateAt4` in simd.ts).
   */
  ActLo, ActHi, ActSlope,
  /** Nonzero when the activation slots must be applied. */
  HasActivation,
  /**
   * Blocking of the GEMM-based kernels, chosen by the wrapper (other kernels ignore both):
   *  - gemmConv, transposedConv: BlockK the reduction block (input channels x taps, or input
   *    channels), BlockP the block of pixels (output pixels; transposed: input pixels);
   *  - separableConv: BlockK the block of depthwise output channels (MidChannels), BlockP the
   *    block of output pixels;
   *  - winogradConv, winograd4Conv: BlockK the block of input channels, BlockP the block of
   *    output tiles (2x2, 4x4; also named `BlockTiles`).
   * BlockK is at least 1; BlockP is rounded up to a multiple of TILE_COLS by the kernels.
   */
  BlockK, BlockP,
  /**
   * The share of the job this call computes: work items [WorkBegin, WorkEnd) of the kernel's
   * `...Items` count. Items write disjoint parts of the output, so calls with disjoint ranges
   * (each with its own workspace) may run at the same time on one shared memory.
   */
  WorkBegin, WorkEnd,
  /** Fused depthwise-separable convolution only: depthwise output channels, pointwise weights address. */
  MidChannels, PointwiseWeights,
  /**
   * Fused depthwise-separable convolution only: the depthwise stage's own epilogue, applied to its
   * results before the pointwise GEMM reads them. DepthwiseBias: byte address of MidChannels
   * biases (0 when absent); DepthwiseActLo, DepthwiseActHi, DepthwiseActSlope: an activation
   * triple (f32, same definition and order as ActLo .. ActSlope); DepthwiseHasActivation: nonzero
   * when it must be applied.
   */
  DepthwiseBias, DepthwiseActLo, DepthwiseActHi, DepthwiseActSlope, DepthwiseHasActivation,
  Count,
  /** The Winograd kernels' name for BlockP: their pixel block is a block of output tiles. */
  BlockTiles = BlockP,
}

/** Rows of the GEMM micro-tile: A panels hold TILE_ROWS rows (channels-first: output channels). */
export const TILE_ROWS = 4;
/** Columns of the GEMM micro-tile: B panels hold TILE_COLS columns; pixel blocks are multiples of it. */
export const TILE_COLS = 8;
/** Zero floats after the last bias value (Slot.Bias): a vector or a micro-tile row read past K. */
export const BIAS_PADDING = 8;

/** Whether slot `slot` holds an f32 (an activation triple) rather than an i32. */
export function isF32Slot(slot: number): boolean {
  return (slot >= Slot.ActLo && slot <= Slot.ActSlope) || (slot >= Slot.DepthwiseActLo && slot <= Slot.DepthwiseActSlope);
}
