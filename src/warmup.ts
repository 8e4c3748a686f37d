/**
 * Warm-up: V8 first runs a wasm function in its baseline compiler and has no on-stack
 * replacement for wasm, so a big first call would run entirely unoptimized. Small convolutions
 * of every kernel path at `ready()` trigger the optimizing tier before real work arrives.
 */
import { Plan } from './plan.ts';

export function warmUp(): void {
  const shapes = [
    { transposed: false, k: 3 },
    { transposed: false, k: 1 },
    { transposed: true, k: 2 },
  ];
  for (const channelsLast of [false, true]) {
    for (const { transposed, k } of shapes) {
      const c = 16;
      const w = { data: new Float32Array(c * c * k * k).fill(0.01), shape: [c, c, k, k] };
      const layout = channelsLast ? 'NHWC' : 'NCHW';
      const plan = new Plan({ fn: 'warmUp', rank: 2, transposed }, w,
        { layout, stride: transposed ? 2 : 1, padding: k === 3 ? 1 : 0, bias: new Float32Array(c), activation: 'relu' });
      const x = { data: new Float32Array(c * 12 * 12).fill(1), shape: channelsLast ? [1, 12, 12, c] : [1, c, 12, 12] };
      for (let i = 0; i < 20; i++) plan.run(x);
      plan.dispose();
    }
  }
}
