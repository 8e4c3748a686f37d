/**
 * Warm-up: V8 first runs a wasm function in its baseline compiler and has no on-stack
 * replacement for wasm, so a big first call would run entirely unoptimized. Small convolutions
 * of every kernel path at `ready()` (each algorithm's warm-up cases, both layouts) trigger the
 * optimizing tier before real work arrives.
 */
import { Plan } from './plan.ts';
import { convSpec } from './options.ts';
import { ALGORITHMS } from './algorithms/index.ts';
import { QuantizedPlan } from './ops/quantized.ts';
import { releaseTables } from './fft.ts';
import { runtime } from './runtime.ts';

export function warmUp(): void {
  const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01), shape });
  for (const channelsLast of [false, true]) {
    for (const { warmUp: cases } of ALGORITHMS) {
      for (const { weight, size = 12, transposed = false, stride = 1, groups, pointwise, padding } of cases) {
        const c = transposed ? weight[1] * (groups ?? 1) : (pointwise ?? weight)[0];
        const options = {
          layout: channelsLast ? 'NHWC' : 'NCHW', stride, padding: padding ?? (weight[2] === 3 ? 1 : 0),
          groups, bias: new Float32Array(c), activation: 'relu',
        };
        const spec = convSpec({ fn: 'warmUp', rank: 2, transposed }, tensor(weight), options, { pointwise: pointwise && tensor(pointwise) });
        const plan = new Plan(spec);
        const x = tensor(channelsLast ? [1, size, size, 16] : [1, 16, size, size]);
        for (let i = 0; i < 20; i++) plan.run(x);
        plan.dispose();
      }
    }
  }
  // The 8-bit GEMM (3x3 stride 1 and 2) and depthwise kernels.
  const bytes = (shape: number[]) => ({ data: new Uint8Array(shape.reduce((a, b) => a * b, 1)).fill(3), shape, scale: 0.1, zeroPoint: 1 });
  const output = { scale: 1, zeroPoint: 0, type: 'uint8' };
  const c = 16;
  for (const [w, groups, stride] of [[[c, c, 3, 3], 1, 1], [[c, c, 3, 3], 1, 2], [[c, 1, 3, 3], c, 1], [[c, 1, 3, 3], c, 2]] as const) {
    const plan = new QuantizedPlan({ fn: 'warmUp', rank: 2, integer: false }, bytes([...w]), { padding: 1, groups, stride, output });
    const x = bytes([1, c, 20, 20]);
    for (let i = 0; i < 20; i++) plan.run(x);
    plan.dispose();
  }
  // The FFT's twiddle tables are made again on first need.
  releaseTables(runtime('warmUp'));
}
