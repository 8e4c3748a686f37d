// wasmconv's 8-bit convolution (createQuantizedConv*d plans: ONNX QLinearConv semantics) on the
// same data as ort-web-q (bench/lib/quantize.mjs). `read` dequantizes the output.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quantizeWorkload } from '../lib/quantize.mjs';

const distUrl = new URL('../../dist/index.js', import.meta.url);
let lib;

export async function init(options) {
  if (!existsSync(fileURLToPath(distUrl))) throw new Error('dist/index.js is missing: run `npm run build` first');
  lib = await import(distUrl.href);
  await lib.ready({ backend: options.backend, threads: 1 });
  if (lib.backend() !== options.backend) throw new Error(`asked for backend '${options.backend}', got '${lib.backend()}'`);
  return { backend: lib.backend(), dtype: 'uint8 x int8' };
}

export async function prepare(wl, data) {
  if (wl.op !== 'conv') throw new Error('8-bit: forward convolution only');
  const q = quantizeWorkload(wl, data);
  const create = [null, lib.createQuantizedConv1d, lib.createQuantizedConv2d, lib.createQuantizedConv3d][wl.rank];
  const plan = create({ ...q.w, shape: wl.wShape }, {
    bias: q.b, stride: wl.stride, padding: wl.pad, dilation: wl.dilation, groups: wl.groups,
    output: { ...q.y, type: 'uint8' },
  });
  const x = { ...q.x, shape: wl.xShape };
  return {
    run: () => plan.run(x),
    read: (y) => Float32Array.from(y.data, (v) => (v - q.y.zeroPoint) * q.y.scale),
    bytes: (y) => y.data,
    dispose: () => plan.dispose(),
  };
}
