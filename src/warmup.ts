/**
 * Warm-up: V8 first runs a wasm function in its baseline compiler and has no on-stack
 * replacement for wasm, so a big first call would run entirely unoptimized. Small convolutions
 * of every kernel path at `ready()` trigger the optimizing tier before real work arrives.
 */
import { Plan } from './plan.ts';
import { QuantizedPlan } from './ops/quantized.ts';

export function warmUp(): void {
  const c = 16;
  const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01), shape });
  const pointwise = tensor([c, c, 1, 1]);
  // Winograd (3x3 stride 1), GEMM 3x3 stride 2 and 1x1, transposed, depthwise 3x3 stride 1 and 2
  // (separate row kernels), grouped (4 channels per group), fused separable: every kernel a plan can pick.
  const cases: Array<{ transposed: boolean; w: number[]; groups?: number; separable?: boolean; stride?: number }> = [
    { transposed: false, w: [c, c, 3, 3] },
    { transposed: false, w: [c, c, 3, 3], stride: 2 },
    { transposed: false, w: [c, c, 1, 1] },
    { transposed: true, w: [c, c, 2, 2] },
    { transposed: false, w: [c, 1, 3, 3], groups: c },
    { transposed: false, w: [c, 4, 3, 3], groups: c / 4 },
    { transposed: false, w: [c, 1, 3, 3], groups: c, stride: 2 },
    { transposed: false, w: [c, 1, 3, 3], groups: c, separable: true },
  ];
  for (const channelsLast of [false, true]) {
    for (const { transposed, w, groups, separable, stride } of cases) {
      const options = {
        layout: channelsLast ? 'NHWC' : 'NCHW', stride: stride ?? (transposed ? 2 : 1), padding: w[2] === 3 ? 1 : 0,
        groups, bias: new Float32Array(c), activation: 'relu',
      };
      const plan = new Plan({ fn: 'warmUp', rank: 2, transposed }, tensor(w), options, undefined, separable ? pointwise : undefined);
      const x = tensor(channelsLast ? [1, 12, 12, c] : [1, c, 12, 12]);
      for (let i = 0; i < 20; i++) plan.run(x);
      plan.dispose();
    }
  }
  // The 8-bit GEMM (3x3 stride 1 and 2) and depthwise kernels.
  const bytes = (shape: number[]) => ({ data: new Uint8Array(shape.reduce((a, b) => a * b, 1)).fill(3), shape, scale: 0.1, zeroPoint: 1 });
  const output = { scale: 1, zeroPoint: 0, type: 'uint8' };
  for (const [w, groups, stride] of [[[c, c, 3, 3], 1, 1], [[c, c, 3, 3], 1, 2], [[c, 1, 3, 3], c, 1], [[c, 1, 3, 3], c, 2]] as const) {
    const plan = new QuantizedPlan({ fn: 'warmUp', rank: 2, integer: false }, bytes([...w]), { padding: 1, groups, stride, output });
    const x = bytes([1, c, 20, 20]);
    for (let i = 0; i < 20; i++) plan.run(x);
    plan.dispose();
  }
}
