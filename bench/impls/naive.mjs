// The floor: the direct loops of lib/workload.mjs in plain JavaScript, float32 output.
import { directConv, directConvTranspose } from '../lib/workload.mjs';

export async function init() {
  return { version: '-' };
}

export async function prepare(wl, { x, w, b }) {
  const fn = wl.op === 'conv' ? directConv : directConvTranspose;
  return {
    run: () => fn(wl, x, w, b, Float32Array),
    read: (y) => y,
    dispose: () => {},
  };
}
