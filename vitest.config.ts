import { defineConfig } from 'vitest/config';

// Kernel tests run once per wasm backend; the rest once. The relaxed-simd project starts its
// workers with the V8 flag Node 20 needs for relaxed SIMD.
const perBackend = ['tests/conv*.test.ts', 'tests/transpose*.test.ts', 'tests/conformance.test.ts', 'tests/depthwise.test.ts', 'tests/grouped.test.ts',
  'tests/signal.test.ts', 'tests/separable.test.ts', 'tests/layout.test.ts', 'tests/winograd.test.ts',
  'tests/fuzz.test.ts', 'tests/guards.test.ts', 'tests/special.test.ts', 'tests/tensor.test.ts', 'tests/growth.test.ts',
  'tests/snapshot.test.ts', 'tests/fft.test.ts', 'tests/quantized*.test.ts'];

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
          execArgv: ['--experimental-wasm-relaxed-simd'],
        },
      },
    ],
  },
});
