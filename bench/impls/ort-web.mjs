// onnxruntime-web on its WebAssembly execution provider: SIMD build, one thread, no proxy worker.
import * as ort from 'onnxruntime-web';
import { prepareSession } from './ort.mjs';

export async function init() {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return { version: ort.env.versions.web, threads: 1 };
}

export function prepare(wl, data) {
  return prepareSession(ort, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, wl, data);
}
