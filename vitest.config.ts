import { defineConfig } from 'vitest/config';

// Kernel tests run once per wasm backend; the rest once. On Node 20 the relaxed-simd project starts
// its workers with the V8 flag relaxed SIMD needs there; Node 22+ has it on by default and Node 26
// rejects the flag ("bad option"), so it is passed only when this engine lacks the feature.
const perBackend = ['tests/conv*.test.ts', 'tests/transpose*.test.ts', 'tests/conformance.test.ts', 'tests/depthwise.test.ts', 'tests/grouped.test.ts',
  'tests/signal.test.ts', 'tests/separable.test.ts', 'tests/layout.test.ts', 'tests/winograd.test.ts',
  'tests/fuzz.test.ts', 'tests/guards.test.ts', 'tests/special.test.ts', 'tests/tensor.test.ts', 'tests/growth.test.ts',
  'tests/snapshot.test.ts', 'tests/fft.test.ts', 'tests/fftconv.test.ts', 'tests/quantized*.test.ts', 'tests/parity.test.ts'];

// A module whose one function returns f32x4.relaxed_madd of three v128 constants.
const v128 = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const body = [0, ...v128, ...v128, ...v128, 0xfd, 0x85, 0x02, 0x0b];
const relaxedSimdProbe = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
  10, body.length + 2, 1, body.length, ...body]);
const relaxedSimdFlag = WebAssembly.validate(relaxedSimdProbe) ? [] : ['--experimental-wasm-relaxed-simd'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'simd', include: ['tests/**/*.test.ts'], env: { WASMCONV_BACKEND: 'simd' } } },
      { extends: true, test: { name: 'scalar', include: perBackend, env: { WASMCONV_BACKEND: 'scalar' } } },
      {
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: perBackend,
          env: { WASMCONV_BACKEND: 'relaxed-simd' },
          pool: 'forks',
          execArgv: relaxedSimdFlag,
        },
      },
    ],
  },
});
