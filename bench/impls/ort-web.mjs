// onnxruntime-web on its WebAssembly execution provider: SIMD build, no proxy worker,
// `options.threads` threads (default 1).
import * as ort from 'onnxruntime-web';
import { prepareSession } from './ort.mjs';

export async function init(options = {}) {
  const threads = options.threads ?? 1;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return { version: ort.env.versions.web, backend: 'wasm execution provider (SIMD build)', threads };
}

export function prepare(wl, data) { // plain mode only
  return prepareSession(ort, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, wl, data);
}
