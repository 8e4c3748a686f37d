// onnxruntime-web's QLinearConv (8-bit) on its WebAssembly execution provider, 1 thread:
// uint8 activations, int8 weights (bench/lib/quantize.mjs). `read` dequantizes the output.
import * as ort from 'onnxruntime-web';
import { quantizeWorkload, buildQLinearConvModel } from '../lib/quantize.mjs';

export async function init(options = {}) {
  ort.env.wasm.numThreads = options.threads ?? 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return { version: ort.env.versions.web, threads: ort.env.wasm.numThreads, dtype: 'uint8 x int8' };
}

export async function prepare(wl, data) {
  if (wl.op !== 'conv') throw new Error('8-bit: forward convolution only');
  const q = quantizeWorkload(wl, data);
  const session = await ort.InferenceSession.create(buildQLinearConvModel(wl, q), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = { X: new ort.Tensor('uint8', q.x.data, wl.xShape) };
  return {
    run: async () => (await session.run(feeds)).Y,
    read: (y) => Float32Array.from(y.data, (v) => (v - q.y.zeroPoint) * q.y.scale),
    bytes: (y) => y.data,
    dispose: () => session.release(),
  };
}
