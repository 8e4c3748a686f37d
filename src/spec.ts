/**
 * What a plan is made of: the caller's weights and options, validated and copied into plain
 * typed values (src/options.ts makes them). A plan reads nothing else of the caller's: its spec
 * is the snapshot of its options.
 */
import type { Pads } from './shape.ts';

/** Which public family a plan belongs to. */
export interface ConvKind {
  /** Name used in messages, e.g. 'conv2d' or 'createConv2d'. */
  fn: string;
  rank: 1 | 2 | 3;
  transposed: boolean;
}

/** Fused activation as the kernels take it: y = min(max(x > 0 ? x : x * slope, lo), hi). */
export interface Activation { lo: number; hi: number; slope: number }

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** A weight tensor as given (checked; its data is read while the plan packs it). */
export interface WeightTensor { data: ArrayLike<number>; shape: number[] }

/** A convolution's validated options and shapes, without the weights' values. */
export interface ConvSpec {
  readonly kind: ConvKind;
  /** Name of `run` in messages, e.g. 'createConv2d(...).run' (one-shot functions: their own name). */
  readonly runFn: string;
  readonly weightShape: readonly number[];
  /** Spatial sizes of the kernel. */
  readonly kernel: readonly number[];
  readonly groups: number;
  /** Input and output channel counts of the whole convolution (separable: after the pointwise step). */
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padding: Pads | 'same';
  readonly paddingMode: PaddingMode;
  /** Transposed plans: one of the two, or neither (output padding 0). */
  readonly outputPadding: readonly number[] | null;
  readonly outputSize: readonly number[] | null;
  readonly channelsLast: boolean;
  /** Reverse the kernel's taps (true convolution instead of cross-correlation). */
  readonly flip: boolean;
  readonly activation: Activation | null;
  readonly bias: Float32Array | null;
  /** Depthwise-separable plans: the pointwise weight's shape `[Cout, mid, 1, 1]`; null otherwise. */
  readonly pointwiseShape: readonly number[] | null;
  /** 'auto', or the algorithm the `algorithm` option names (see src/algorithms/index.ts). */
  readonly algorithm: string;
  /** The layout the caller's weight was read in (src/weightLayout.ts); the spec's shapes are in the default one. */
  readonly weightLayout: string;
}

/** A plan's spec with the weights to pack: what `new Plan` takes. */
export interface PlanSpec extends ConvSpec {
  readonly weight: WeightTensor;
  /** Depthwise-separable plans: the pointwise weight, fused after the depthwise one. */
  readonly pointwise: WeightTensor | null;
}
