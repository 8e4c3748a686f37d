/** Public types of wasmconv. */

/** A dense row-major float32 tensor. Anything with these two fields is accepted. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** What functions accept as a tensor: `data` may also be any array-like of numbers. */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/**
 * Padding: one number for every side of every spatial axis; one number per spatial axis
 * (symmetric); one `[begin, end]` pair per spatial axis; `'valid'` (none); or `'same'`
 * (output size ceil(in / stride), the odd unit at the end, as TensorFlow and ONNX SAME_UPPER).
 */
export type Padding = number | readonly number[] | readonly (readonly [number, number])[] | 'valid' | 'same';

/** How padded positions are filled (PyTorch's `padding_mode`). */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/**
 * A fused activation applied after the bias: 'relu', 'relu6', 'leakyRelu' (slope 0.01),
 * `{ type: 'leakyRelu', alpha }`, `{ type: 'clamp', min, max }`, or 'none'.
 */
export type Activation =
  | 'none'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | { type: 'leakyRelu'; alpha: number }
  | { type: 'clamp'; min: number; max: number };

/** Channels-first (the default, as PyTorch and ONNX) or channels-last (as TensorFlow). */
export type Layout1d = 'NCW' | 'NWC';
export type Layout2d = 'NCHW' | 'NHWC';
export type Layout3d = 'NCDHW' | 'NDHWC';

/**
 * The order of a weight's axes (`weightLayout`): O the layer's output channels, I its input
 * channels, D/H/W the kernel's axes. PyTorch / ONNX (the default), TensorFlow / Keras / tfjs,
 * TFLite / XNNPACK, in that order.
 */
export type WeightLayout1d = 'OIW' | 'WIO' | 'OWI';
export type WeightLayout2d = 'OIHW' | 'HWIO' | 'OHWI';
export type WeightLayout3d = 'OIDHW' | 'DHWIO' | 'ODHWI';
/** Transposed: PyTorch `[Cin, Cout/groups, ...k]` is 'IOHW'; tfjs conv2dTranspose `[kH, kW, outC, inC]` is 'HWOI'. */
export type TransposedWeightLayout1d = 'IOW' | 'WOI' | 'OWI';
export type TransposedWeightLayout2d = 'IOHW' | 'HWOI' | 'OHWI';
export type TransposedWeightLayout3d = 'IODHW' | 'DHWOI' | 'ODHWI';
/** Depthwise: PyTorch `[C * M, 1, kH, kW]` 'OIHW'; TensorFlow `[kH, kW, C, M]` 'HWIO'; TFLite `[1, kH, kW, C * M]` 'IHWO'. */
export type DepthwiseWeightLayout2d = 'OIHW' | 'HWIO' | 'IHWO';

/** Options shared by every convolution. */
export interface ConvOptionsBase<L extends string, W extends string = string> {
  /** Bias per output channel (`Float32Array` or a tensor of shape `[Cout]`). */
  bias?: ArrayLike<number> | TensorLike | null;
  /** Stride: one number for every spatial axis or one per axis. Default 1. */
  stride?: number | readonly number[];
  /** Padding, see `Padding`. Default 0. */
  padding?: Padding;
  /** Dilation (atrous rate): one number or one per axis. Default 1. */
  dilation?: number | readonly number[];
  /** Groups: a number dividing both channel counts. Default 1. */
  groups?: number;
  /** Activation layout (the weight's is `weightLayout`). */
  layout?: L;
  /**
   * Axis order of the weight (see `WeightLayout2d`). Default PyTorch's: `[Cout, Cin/groups, ...k]`
   * (transposed: `[Cin, Cout/groups, ...k]`). Converted once, when the plan is created.
   */
  weightLayout?: W;
  /** Fused activation. Default 'none'. */
  activation?: Activation;
  /** Flip the kernel along every spatial axis: true mathematical convolution instead of cross-correlation. */
  flip?: boolean;
}

export interface ConvOptions<L extends string, W extends string = string> extends ConvOptionsBase<L, W> {
  /** How padded positions are filled. Default 'zeros'. */
  paddingMode?: PaddingMode;
  /**
   * 'auto' (default): the plan picks the kernel (Winograd, direct depthwise, the FFT for long
   * kernels or the im2col GEMM); 'gemm': always the im2col GEMM, e.g. to compare kernels;
   * 'fft': the FFT (stride 1 only; a RangeError otherwise).
   */
  algorithm?: 'auto' | 'gemm' | 'fft';
}

export interface ConvTransposeOptions<L extends string, W extends string = string> extends ConvOptionsBase<L, W> {
  /** Extra size added at the end of each spatial axis of the output (below stride or dilation). */
  outputPadding?: number | readonly number[];
  /** The output's spatial size (as PyTorch's `output_size`), an alternative to `outputPadding`. */
  outputSize?: readonly number[];
  /** Only 'zeros' is defined for transposed convolution. */
  paddingMode?: 'zeros';
}

export type Conv1dOptions = ConvOptions<Layout1d, WeightLayout1d>;
export type Conv2dOptions = ConvOptions<Layout2d, WeightLayout2d>;
export type Conv3dOptions = ConvOptions<Layout3d, WeightLayout3d>;
export type ConvTranspose1dOptions = ConvTransposeOptions<Layout1d, TransposedWeightLayout1d>;
export type ConvTranspose2dOptions = ConvTransposeOptions<Layout2d, TransposedWeightLayout2d>;
export type ConvTranspose3dOptions = ConvTransposeOptions<Layout3d, TransposedWeightLayout3d>;

/**
 * A tensor in wasm memory (`wasmTensor(shape, data?)`): plans read it as input and write it as
 * output in place, without copying. `data` is a live view (read it again after other calls).
 * Keep it until the calls using it have settled; `dispose()` frees it.
 */
export interface WasmTensor extends Tensor {
  dispose(): void;
}

/** A convolution prepared once (weights validated and packed) and run many times. */
export interface ConvPlan {
  /**
   * Computes the convolution of `input`. The result's data is `output` when given (a Float32Array
   * of exactly the output's element count, reused across calls to skip an allocation; it may be
   * `input.data` itself), else a new array owned by the caller. `input` and `output` may be
   * `WasmTensor`s (an output one of exactly the output shape, returned as the result): they are
   * read and written in place, without copies.
   */
  run(input: TensorLike, output?: Float32Array | WasmTensor): Tensor;
  /**
   * Like `run`, but with threads (`ready({ threads })`) the work happens on worker threads and
   * the caller's event loop stays free; calls queue in order. Without threads it computes at once.
   * A given `output` is written when the promise settles; do not read it before.
   */
  runAsync(input: TensorLike, output?: Float32Array | WasmTensor): Promise<Tensor>;
  /** The output shape for an input shape (validates it). */
  outputShape(inputShape: readonly number[]): number[];
  /** Bytes of wasm workspace one run with this input shape uses (bounded: tiled, no full im2col). */
  workspaceBytes(inputShape: readonly number[]): number;
  /** Frees the packed weights. Using the plan afterwards throws. */
  dispose(): void;
}
