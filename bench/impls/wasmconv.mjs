// wasmconv through its public API, imported from the root package's ESM build (../dist/index.js).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toChannelsFirst, toChannelsLast } from '../lib/workload.mjs';

const distUrl = new URL('../../dist/index.js', import.meta.url);
let lib;
let channelsLast = false;

const LAYOUTS = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };

export async function init(options) {
  if (!existsSync(fileURLToPath(distUrl))) {
    throw new Error('dist/index.js is missing: run `npm run build` at the repository root first (`npm run bench` does)');
  }
  lib = await import(distUrl.href);
  await lib.ready({ backend: options.backend, threads: options.threads ?? 1 });
  if (lib.backend() !== options.backend) {
    throw new Error(`asked for backend '${options.backend}', got '${lib.backend()}'`);
  }
  channelsLast = Boolean(options.channelsLast);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return { version: pkg.version, backend: lib.backend(), threads: lib.threads(), layout: channelsLast ? 'channels-last' : 'channels-first' };
}

export async function prepare(wl, { x, w, b }) {
  const create = wl.op === 'conv'
    ? [null, lib.createConv1d, lib.createConv2d, lib.createConv3d][wl.rank]
    : [null, lib.createConvTranspose1d, lib.createConvTranspose2d, lib.createConvTranspose3d][wl.rank];
  const options = {
    bias: b,
    stride: wl.stride,
    padding: wl.pad,
    dilation: wl.dilation,
    groups: wl.groups,
    layout: LAYOUTS[wl.rank][channelsLast ? 1 : 0],
  };
  if (wl.op === 'convTranspose' && wl.outputPadding.some((v) => v !== 0)) options.outputPadding = wl.outputPadding;
  const plan = create({ data: w, shape: wl.wShape }, options);
  // The input lives in wasm memory (a wasm tensor, made once, as tfjs's resident tensors); the
  // result is copied out into one JavaScript buffer reused by every call, so the timed call
  // ends with the output in JavaScript, as every other implementation's does.
  const input = lib.wasmTensor(
    channelsLast ? [wl.n, ...wl.in, wl.cin] : wl.xShape,
    channelsLast ? toChannelsLast(x, wl.xShape) : x,
  );
  const output = new Float32Array(wl.yShape.reduce((p, v) => p * v, 1));
  return {
    run: () => plan.run(input, output),
    read: (y) => (channelsLast ? toChannelsFirst(y.data, wl.yShape) : Float32Array.from(y.data)),
    dispose: () => {
      plan.dispose();
      input.dispose();
    },
  };
}
