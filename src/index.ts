/**
 * wasmconv: every kind of convolution through WebAssembly SIMD kernels.
 * The one export list of the public API.
 */
export { ready } from './inline.ts';
export { reset, terminate, threads, backend, supportedBackends, memoryStats, BACKENDS } from './runtime.ts';
export type { Backend, ReadyOptions } from './runtime.ts';
export {
  conv1d, conv2d, conv3d, createConv1d, createConv2d, createConv3d, conv1dAsync, conv2dAsync, conv3dAsync,
} from './ops/conv.ts';
export {
  convTranspose1d, convTranspose2d, convTranspose3d,
  createConvTranspose1d, createConvTranspose2d, createConvTranspose3d,
  convTranspose1dAsync, convTranspose2dAsync, convTranspose3dAsync,
} from './ops/transpose.ts';
export {
  depthwiseConv1d, depthwiseConv2d, depthwiseConv3d, createDepthwiseConv1d, createDepthwiseConv2d, createDepthwiseConv3d,
  separableConv2d, createSeparableConv2d, spatiallySeparableConv2d, createSpatiallySeparableConv2d,
} from './ops/separable.ts';
export type { DepthwiseConv1dOptions, DepthwiseConv2dOptions, DepthwiseConv3dOptions, SeparableConv2dOptions } from './ops/separable.ts';
export { convolve, correlate, createConvolve, createCorrelate, createConvolveStream, createCorrelateStream } from './ops/signal.ts';
export { wasmTensor } from './tensor.ts';
export type { SignalOptions, SignalMode, SignalBoundary, SignalMethod, ConvolvePlanOptions, SignalPlan, SignalStream } from './ops/signal.ts';
export type * from './types.ts';
export {
  quantizedConv1d, quantizedConv2d, quantizedConv3d, createQuantizedConv1d, createQuantizedConv2d, createQuantizedConv3d,
  integerConv1d, integerConv2d, integerConv3d,
} from './ops/quantized.ts';
export type {
  QuantizedType, QuantizedTensor, QuantizedTensorLike, IntegerTensorLike, QuantizedActivation, QuantizedConvOptions,
  QuantizedConv1dOptions, QuantizedConv2dOptions, QuantizedConv3dOptions, IntegerConvOptions,
  IntegerConv1dOptions, IntegerConv2dOptions, IntegerConv3dOptions, QuantizedConvPlan,
} from './ops/quantized.ts';
