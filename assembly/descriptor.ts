/**
 * Layout of the job descriptor shared by the TypeScript wrapper and the kernels.
 *
 * A descriptor is a block of 32-bit slots in linear memory; slot `i` lives at byte `4 * i`.
 * Integer slots hold sizes, counts and byte addresses; the three activation slots hold f32.
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
  /** Byte addresses. Bias is 0 when absent. */
  Input, Output, Weights, Bias, Workspace,
  /** Fused activation y = min(max(x > 0 ? x : x * slope, lo), hi), as f32. */
  ActLo, ActHi, ActSlope,
  /** Nonzero when the activation slots must be applied. */
  HasActivation,
  /** Reduction block (multiple of 1) and pixel block (multiple of 8) of the GEMM. */
  BlockK, BlockP,
  /**
   * The share of the job this call computes: work items [WorkBegin, WorkEnd) of the kernel's
   * `...Items` count. Items write disjoint parts of the output, so calls with disjoint ranges
   * (each with its own workspace) may run at the same time on one shared memory.
   */
  WorkBegin, WorkEnd,
  /** Fused depthwise-separable convolution only: depthwise output channels, pointwise weights address. */
  MidChannels, PointwiseWeights,
  Count,
}
