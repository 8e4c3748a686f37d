/**
 * Warm-up: V8 first runs a wasm function in its baseline compiler and has no on-stack
 * replacement for wasm, so a big first call would run entirely unoptimized. Small convolutions
 * of every kernel path at `ready()` (each algorithm's warm-up cases, both layouts) trigger the
 * optimizing tier before real work arrives.
 */
import { Plan } from './plan.ts';
import { convSpec } from './options.ts';
import { ALGORITHMS } from './algorithms/index.ts';

export function warmUp(): void {
  const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01), shape });
  for (const channelsLast of [false, true]) {
    for (const { warmUp: cases } of ALGORITHMS) {
      for (const { weight, transposed = false, stride = 1, groups, pointwise } of cases) {
        const c = transposed ? weight[1] * (groups ?? 1) : (pointwise ?? weight)[0];
        const options = {
          layout: channelsLast ? 'NHWC' : 'NCHW', stride, padding: weight[2] === 3 ? 1 : 0,
          groups, bias: new Float32Array(c), activation: 'relu',
        };
        const spec = convSpec({ fn: 'warmUp', rank: 2, transposed }, tensor(weight), options, { pointwise: pointwise && tensor(pointwise) });
        const plan = new Plan(spec);
        const x = tensor(channelsLast ? [1, 12, 12, 16] : [1, 16, 12, 12]);
        for (let i = 0; i < 20; i++) plan.run(x);
        plan.dispose();
      }
    }
  }
}
