/**
 * The kernels' one export list. Every export is a function of byte addresses and integers:
 * no allocation, no exceptions, no mutable global state, so one module can serve several
 * threads on one shared memory.
 */
export { convForward, convForwardItems, convTransposed, convTransposedItems, workspaceBytes } from './conv';
export { depthwiseForward, depthwiseItems, depthwiseWorkspaceBytes } from './depthwise';
export { groupedForward, groupedItems, groupedWorkspaceBytes } from './grouped';
export { separableForward, separableItems } from './separable';
export { winogradForward, winogradItems, winogradWorkspaceBytes } from './winograd';
export { allFinite } from './finite';
export { phaseShuffle, depthWindows, signalRows, signalMerge } from './reorder';
export { fftComplex, realForwardSplit, realInverseSplit, realSpectrumMultiply, spectrumMultiply, realPack, realUnpack } from './fft';

/** First byte of linear memory free for the wrapper's arena. */
export function heapBase(): usize {
  return __heap_base;
}
