// The implementations the benchmark can run. Each runs in its own child process (child.mjs),
// which imports `module` and calls its init(options) once, then prepare(workload, data) per workload.
//
// Fields: module (relative to bench/), options (passed to init), wasmconv (needs ../dist/index.js),
// relaxed (needs relaxed SIMD: Node 20 gets --experimental-wasm-relaxed-simd), optional (not in the
// default set), capped (too slow for real budgets: timed once, see run.mjs), wasm (a WebAssembly
// peer: candidates for the "best wasm peer" ratio).

export const IMPLS = {
  wasmconv: {
    module: './impls/wasmconv.mjs',
    options: { backend: 'simd', channelsLast: false },
    wasmconv: true,
    about: 'wasmconv, simd backend, channels-first (NCHW)',
  },
  'wasmconv-nhwc': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'simd', channelsLast: true },
    wasmconv: true,
    about: 'wasmconv, simd backend, channels-last (NHWC) activations, weights [Cout, Cin/g, ...k]',
  },
  'wasmconv-relaxed': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'relaxed-simd', channelsLast: false },
    wasmconv: true,
    relaxed: true,
    about: 'wasmconv, relaxed-simd backend (fused multiply-add), channels-first',
  },
  'wasmconv-scalar': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'scalar', channelsLast: false },
    wasmconv: true,
    optional: true,
    about: 'wasmconv, scalar backend (no SIMD), channels-first',
  },
  // Two threads: compare with the multi-threaded peers only (ort-web-2t), never with the
  // single-threaded columns.
  'wasmconv-2t': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'simd', channelsLast: false, threads: 2 },
    wasmconv: true,
    optional: true,
    about: 'wasmconv, simd backend, channels-first, 2 threads (worker pool on a shared memory)',
  },
  'ort-web-2t': {
    module: './impls/ort-web.mjs',
    options: { threads: 2 },
    optional: true,
    about: 'onnxruntime-web, wasm execution provider, SIMD, 2 threads',
  },
  'ort-web': {
    module: './impls/ort-web.mjs',
    options: {},
    wasm: true,
    about: 'onnxruntime-web, wasm execution provider, SIMD, 1 thread',
  },
  'tfjs-wasm': {
    module: './impls/tfjs.mjs',
    options: { backend: 'wasm' },
    wasm: true,
    about: 'TensorFlow.js, tfjs-backend-wasm (XNNPACK), SIMD, 1 thread, channels-last',
  },
  'tfjs-cpu': {
    module: './impls/tfjs.mjs',
    options: { backend: 'cpu' },
    optional: true,
    about: 'TensorFlow.js, tfjs-backend-cpu (plain JavaScript), channels-last',
  },
  'ort-node': {
    module: './impls/ort-node.mjs',
    options: {},
    about: 'onnxruntime-node, native CPU execution provider, 1 intra-op thread (the native reference)',
  },
  // 8-bit (QLinearConv, uint8 x int8) on the same quantized data (bench/lib/quantize.mjs); outputs are
  // dequantized, so they differ from the float reference by the quantization error: compare the two
  // with each other (bench/quantized.mjs checks their bytes are equal), not with the float columns.
  'wasmconv-q': { module: './impls/wasmconv-q.mjs', options: { backend: 'simd' }, wasmconv: true, optional: true, quantized: true, about: 'wasmconv 8-bit (QLinearConv), simd backend, 1 thread' },
  'ort-web-q': { module: './impls/ort-web-q.mjs', options: {}, optional: true, quantized: true, about: 'onnxruntime-web QLinearConv (8-bit), wasm execution provider, SIMD, 1 thread' },
  naive: {
    module: './impls/naive.mjs',
    options: {},
    capped: true,
    about: 'plain JavaScript direct loops (the floor), timed in one round',
  },
};

export const DEFAULT_IMPLS = Object.keys(IMPLS).filter((name) => !IMPLS[name].optional);

/** The wasm peers the "wasmconv / best wasm peer" ratio compares against. */
export const WASM_PEERS = Object.keys(IMPLS).filter((name) => IMPLS[name].wasm);

/** Thrown by an adapter when its library lacks the operation or a parameter: shown as n/a. */
export class NotAvailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotAvailable';
  }
}
