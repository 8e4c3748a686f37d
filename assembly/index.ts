/**
 * The kernels' one export list. Every export is a function of byte addresses and integers:
 * no allocation, no exceptions, no mutable global state, so one module can serve several
 * threads on one shared memory.
 */
export {
  gemmConv, gemmConvItems, gemmConvWorkspaceBytes, transposedConv, transposedConvItems, transposedConvWorkspaceBytes,
} from './conv';
export { depthwiseConv, depthwiseConvItems, depthwiseConvWorkspaceBytes } from './depthwise/index';
export { groupedConv, groupedConvItems, groupedConvWorkspaceBytes } from './grouped';
export { separableConv, separableConvItems, separableConvWorkspaceBytes } from './separable';
export { winogradConv, winogradConvItems, winogradConvWorkspaceBytes } from './winograd';
export { winograd4Conv, winograd4ConvItems, winograd4ConvWorkspaceBytes } from './winograd4';
export { allFinite } from './finite';
export { phaseShuffle, depthWindows, signalRows, signalMerge } from './reorder';
export { fftComplex, realForwardSplit, realInverseSplit, realSpectrumMultiply, spectrumMultiply, spectrumMultiplyAdd, realPack, realUnpack } from './fft';

/** First byte of linear memory free for the wrapper's arena. */
export function heapBase(): usize {
  return __heap_base;
}
export { quantizedConvForward } from './qgemm';
export { quantizedDepthwiseForward } from './qdepthwise';
