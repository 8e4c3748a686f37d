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
  // No backend given: the one ready() picks on this Node, as a user gets it.
  await lib.ready(options.backend ? { backend: options.backend, threads: options.threads ?? 1 } : { threads: options.threads ?? 1 });
  if (options.backend && lib.backend() !== options.backend) {
    throw new Error(`asked for backend '${options.backend}', got '${lib.backend()}'`);
  }
  channelsLast = Boolean(options.channelsLast);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return { version: pkg.version, backend: lib.backend(), threads: lib.threads(), layout: channelsLast ? 'channels-last' : 'channels-first' };
}

/**
 * plain: `plan.run({ data, shape })` with the input a JavaScript Float32Array, the result a new
 * Float32Array per call (what a first use looks like). resident: the input is a wasm tensor made
 * once (as tfjs's resident input tensors) and the result is written into one JavaScript buffer
 * reused by every call, `plan.run(input, output)`.
 */
export async function prepare(wl, { x, w, b }, mode) {
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
  const shape = channelsLast ? [wl.n, ...wl.in, wl.cin] : wl.xShape;
  const data = channelsLast ? toChannelsLast(x, wl.xShape) : x;
  const read = (y) => (channelsLast ? toChannelsFirst(y.data, wl.yShape) : Float32Array.from(y.data));
  if (mode === 'plain') {
    const input = { data, shape };
    return { run: () => plan.run(input), read, dispose: () => plan.dispose() };
  }
  const input = lib.wasmTensor(shape, data);
  const output = new Float32Array(wl.yShape.reduce((p, v) => p * v, 1));
  return {
    run: () => plan.run(input, output),
    read,
    dispose: () => {
      plan.dispose();
      input.dispose();
    },
  };
}
