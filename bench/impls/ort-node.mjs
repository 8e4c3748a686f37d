// onnxruntime-node, the native CPU execution provider with one intra-op thread: the native reference.
import ort from 'onnxruntime-node';
import { prepareSession } from './ort.mjs';

export async function init() {
  ort.env.logLevel = 'error';
  return { version: ort.env.versions.node, backend: 'cpu execution provider (native)', threads: 1 };
}

export function prepare(wl, data) { // plain mode only
  return prepareSession(ort, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  }, wl, data);
}
