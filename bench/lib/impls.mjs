// The implementations the benchmark can run. Each runs in its own child process (child.mjs) per
// Node binary, which imports `module`, calls its init(options) once, then
// prepare(workload, data, mode) per workload and API mode.
//
// To add one: write an adapter in impls/ (see README.md, "Adding an implementation") and an entry
// here. Fields:
//   module     adapter path, relative to bench/
//   options    passed to the adapter's init()
//   modes      the API modes it has: 'plain' (JS arrays in, a new array out: the library's usual
//              call) and/or 'resident' (input already in the library's own memory, output reused)
//   about      one line for the report
//   wasmconv   needs ../dist/index.js
//   variantOf  an explicit-backend variant of that implementation: skipped on a Node where it
//              would run the same backend as it (e.g. wasmconv-relaxed on Node 26)
//   relaxed    needs relaxed SIMD: gets --experimental-wasm-relaxed-simd where the Node needs it,
//              skipped where the Node lacks it
//   wasm       a WebAssembly peer: a candidate for the "best wasm peer" ratios
//   native     the native reference (the "/ native" ratio)
//   optional   not in the default set (ask with --impls)
//   networks   part of the default set of the networks benchmark
//   networkModes  the modes timed in the networks benchmark, if fewer than `modes`
//   capped     too slow for real budgets: timed in one round (see run.mjs)

export const IMPLS = {
  wasmconv: {
    module: './impls/wasmconv.mjs',
    options: { channelsLast: false },
    modes: ['plain', 'resident'],
    wasmconv: true,
    networks: true,
    about: 'wasmconv, the backend ready() picks on this Node (relaxed-simd where it is on by default, else simd), channels-first (NCHW)',
  },
  'wasmconv-simd': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'simd', channelsLast: false },
    modes: ['plain', 'resident'],
    wasmconv: true,
    variantOf: 'wasmconv',
    about: 'wasmconv, simd backend, channels-first',
  },
  'wasmconv-relaxed': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'relaxed-simd', channelsLast: false },
    modes: ['plain', 'resident'],
    wasmconv: true,
    variantOf: 'wasmconv',
    relaxed: true,
    about: 'wasmconv, relaxed-simd backend (fused multiply-add), channels-first',
  },
  'wasmconv-nhwc': {
    module: './impls/wasmconv.mjs',
    options: { channelsLast: true },
    modes: ['resident'],
    wasmconv: true,
    about: 'wasmconv, default backend, channels-last (NHWC) activations, weights [Cout, Cin/g, ...k]',
  },
  'wasmconv-scalar': {
    module: './impls/wasmconv.mjs',
    options: { backend: 'scalar', channelsLast: false },
    modes: ['plain', 'resident'],
    wasmconv: true,
    optional: true,
    about: 'wasmconv, scalar backend (no SIMD), channels-first',
  },
  // Two threads: compare with the multi-threaded peers only (ort-web-2t), never with the
  // single-threaded columns.
  'wasmconv-2t': {
    module: './impls/wasmconv.mjs',
    options: { channelsLast: false, threads: 2 },
    modes: ['plain', 'resident'],
    wasmconv: true,
    optional: true,
    about: 'wasmconv, default backend, channels-first, 2 threads (worker pool on a shared memory)',
  },
  'ort-web-2t': {
    module: './impls/ort-web.mjs',
    options: { threads: 2 },
    modes: ['plain'],
    optional: true,
    about: 'onnxruntime-web, wasm execution provider, SIMD, 2 threads',
  },
  'ort-web': {
    module: './impls/ort-web.mjs',
    options: {},
    modes: ['plain'],
    wasm: true,
    networks: true,
    about: 'onnxruntime-web, wasm execution provider, SIMD, 1 thread',
  },
  'tfjs-wasm': {
    module: './impls/tfjs.mjs',
    options: { backend: 'wasm' },
    modes: ['plain', 'resident'],
    networkModes: ['plain'],
    wasm: true,
    networks: true,
    about: 'TensorFlow.js, tfjs-backend-wasm (XNNPACK), SIMD, 1 thread, channels-last',
  },
  'tfjs-cpu': {
    module: './impls/tfjs.mjs',
    options: { backend: 'cpu' },
    modes: ['plain', 'resident'],
    optional: true,
    about: 'TensorFlow.js, tfjs-backend-cpu (plain JavaScript), channels-last',
  },
  'ort-node': {
    module: './impls/ort-node.mjs',
    options: {},
    modes: ['plain'],
    native: true,
    networks: true,
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
    modes: ['plain'],
    capped: true,
    about: 'plain JavaScript direct loops (the floor), timed in one round',
  },
};

export const MODES = ['plain', 'resident'];

export const DEFAULT_IMPLS = Object.keys(IMPLS).filter((name) => !IMPLS[name].optional);

/** The default implementations of the networks benchmark (many layers: the peers and wasmconv only). */
export const NETWORK_IMPLS = Object.keys(IMPLS).filter((name) => IMPLS[name].networks);

/** The wasm peers the "wasmconv / best wasm peer" ratio compares against. */
export const WASM_PEERS = Object.keys(IMPLS).filter((name) => IMPLS[name].wasm);

/** Thrown by an adapter when its library lacks the operation or a parameter: shown as n/a. */
export class NotAvailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotAvailable';
  }
}
