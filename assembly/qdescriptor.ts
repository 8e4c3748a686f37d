/**
 * Layout of the descriptor of an 8-bit convolution, shared by the TypeScript wrapper and the
 * kernels (plain TypeScript both languages understand). 32-bit slots; slot `i` at byte `4 * i`.
 * Spatial sizes are three-dimensional (D, H, W): unused axes have size 1, kernel 1, stride 1,
 * dilation 1, padding 0. The kernels first copy the input into zero-point-padded channels-first
 * planes (qpack.ts `padInput`); the output's layout is given by its strides.
 */
export const enum QSlot {
  /** Byte address of the input (u8 or i8), its signedness (1: int8), zero point and layout (1: channels-last). */
  Input = 0, InputSigned, InputZero, InputChannelsLast,
  Batch, InChannels, InD, InH, InW,
  /** Padding before each spatial axis (the end padding follows from the padded sizes). */
  PadD, PadH, PadW,
  /**
   * The padded planes (Batch * InChannels of them): address and sizes, large enough for every
   * read of the kernels on the row-rounded output grid (see qpack.ts).
   */
  Padded, PaddedD, PaddedH, PaddedW,
  OutD, OutH, OutW,
  KernelD, KernelH, KernelW,
  StrideD, StrideH, StrideW,
  DilationD, DilationH, DilationW,
  /** Groups and output channels per group. */
  Groups, GroupOutChannels,
  /**
   * Packed weights: per group, ceil(GroupOutChannels / 4) panels of 4 rows; a panel holds, for
   * each pair of reductions (k, k+1), the 4 rows' (w - w_zp) as i16 pairs (16 bytes per pair).
   * The reduction k = ((c * KD + kd) * KH + kh) * KW + kw is padded with zeros to an even count.
   */
  Weights,
  /**
   * Per output channel, per group padded to a multiple of 4 (index g * roundUp(GroupOutChannels, 4) + m):
   * the int32 bias (address, never 0) and the float32 requantization multiplier (0 for int32 output).
   */
  Bias, Multipliers,
  /** Byte address of the output, its element kind (QOut), zero point and bounds (quantized domain). */
  Output, OutputKind, OutputZero, OutputLo, OutputHi,
  /** Output strides in elements: between channels, between pixels, between images. */
  OutChannelStride, OutPixelStride, OutImageStride,
  /** Output pixels per block (multiple of 8) and the workspace's byte address. */
  BlockP, Workspace,
  Count,
}

/** Output element kinds. */
export const enum QOut {
  Int32 = 0,
  Uint8 = 1,
  Int8 = 2,
}
