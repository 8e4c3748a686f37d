/**
 * ONNX conformance: every Conv / ConvTranspose case of the ONNX backend tests (node tests and
 * the PyTorch-converted models), read from the shared data folder next to the repository (never
 * copied into it). Each case runs through the public API and through the float64 reference, and
 * both must match the expected output given by ONNX.
 *
 * `onnxToOptions` below is also the documentation of how ONNX attributes translate to wasmconv
 * options.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { SHARED_DIR, expectClose, randomTensor, rng, sharedAvailable } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const ONNX_DIR = join(SHARED_DIR, 'conformance', 'onnx');
const FOLDERS = [ONNX_DIR, join(ONNX_DIR, 'pytorch-converted')];
const TOL = { atol: 1e-4, rtol: 1e-4 }; // the comparison the data's README suggests

interface OnnxTensor {
  name?: string;
  shape: number[];
  data: number[];
}
interface OnnxCase {
  name: string;
  op: 'Conv' | 'ConvTranspose';
  attributes: {
    auto_pad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
    dilations?: number[];
    group?: number;
    kernel_shape?: number[];
    pads?: number[];
    strides?: number[];
    output_padding?: number[];
    output_shape?: number[];
  };
  inputs: OnnxTensor[];
  outputs: OnnxTensor[];
}

type F32Tensor = { data: Float32Array; shape: number[] };

/** The options of the public API (the contract of conv*d / convTranspose*d). */
interface MappedOptions {
  bias?: Float32Array;
  stride?: number[];
  dilation?: number[];
  groups?: number;
  padding?: Array<[number, number]> | 'valid' | 'same';
  outputPadding?: number[];
  outputSize?: number[];
}

/**
 * When ONNX asks for a transposed-convolution output the API cannot produce directly (an
 * output_shape more than max(stride, dilation) - 1 past the natural size), the call is made with
 * the padding chosen in `onnxToOptions` and its result is placed at the start of a bias-filled
 * tensor of the requested shape: the positions it does not cover are the ones ONNX leaves at
 * the bias.
 */
interface Embed {
  shape: number[];
  bias: Float32Array | undefined;
}

interface Mapped {
  transposed: boolean;
  rank: number;
  options: MappedOptions;
  embed?: Embed;
}

const tensor = (t: OnnxTensor): F32Tensor => ({ data: Float32Array.from(t.data), shape: [...t.shape] });

/**
 * ONNX attributes -> wasmconv options.
 *
 * Conv:
 * - `strides`, `dilations`, `group` -> `stride`, `dilation`, `groups`; input B -> `bias`.
 * - `pads` = [x1_begin, ..., xn_begin, x1_end, ..., xn_end] -> `padding` as one [begin, end]
 *   pair per spatial axis.
 * - `auto_pad`: SAME_UPPER -> 'same' (ceil(in/stride) outputs, odd unit of padding at the end);
 *   SAME_LOWER -> the same total padding as explicit pairs, with the odd unit at the beginning;
 *   VALID -> 'valid'.
 *
 * ConvTranspose (W is [C, M/group, ...k]):
 * - `pads`, `strides`, `dilations`, `group`, B as for Conv; `output_padding` -> `outputPadding`.
 * - `output_shape` (or auto_pad SAME_*, whose target is in*stride): ONNX generates the pads from
 *   the total t = stride*(in-1) + output_padding + dk - out (dk = (k-1)*dilation + 1):
 *   SAME_UPPER begin = floor(t/2), otherwise begin = t - floor(t/2); end = t - begin.
 *   - t >= 0: padding [begin, end] and `outputSize` = out (the natural size plus output_padding).
 *   - t < 0 (out is larger than the scatter reaches, e.g. test_convtranspose_output_shape): the
 *     positions past the end receive only the bias. Taken as no padding with the extra positions
 *     all at the end: the spec's formula says so for t = -1 (the only negative total in the
 *     data); for t <= -2 its floor division would make the begin pad negative, while
 *     onnxruntime clamps the total to 0 and the ONNX Python reference keeps pads 0 unless
 *     auto_pad is SAME_*, both putting every extra position at the end. With padding [0, 0],
 *     `outputSize` = out does exactly that as long as out <= natural + max(stride, dilation) - 1,
 *     the most the API accepts (PyTorch's rule).
 *   - out beyond that limit: see `Embed`. The call uses padding [begin, max(0, full - begin - out)]
 *     (full = stride*(in-1) + dk, the scatter's reach), which covers every output position that
 *     receives a contribution, and its result goes at the start of a bias-filled tensor of the
 *     requested shape.
 */
function onnxToOptions(c: OnnxCase): Mapped {
  const a = c.attributes;
  const X = c.inputs[0];
  const W = c.inputs[1];
  const B = c.inputs[2];
  const rank = W.shape.length - 2;
  const spatialIn = X.shape.slice(2);
  const k = W.shape.slice(2);
  if (a.kernel_shape) expect(a.kernel_shape, `${c.name}: kernel_shape must equal W's spatial dims`).toEqual(k);
  const stride = a.strides ?? new Array(rank).fill(1);
  const dilation = a.dilations ?? new Array(rank).fill(1);
  const options: MappedOptions = { stride, dilation, groups: a.group ?? 1 };
  const bias = B ? Float32Array.from(B.data) : undefined;
  if (bias) options.bias = bias;
  const autoPad = a.auto_pad ?? 'NOTSET';
  const dk = k.map((kk, i) => (kk - 1) * dilation[i] + 1);
  const pairsFromPads = (pads: number[] | undefined): Array<[number, number]> =>
    k.map((_, i) => [pads?.[i] ?? 0, pads?.[i + rank] ?? 0]);

  if (c.op === 'Conv') {
    if (autoPad === 'SAME_UPPER') options.padding = 'same';
    else if (autoPad === 'VALID') options.padding = 'valid';
    else if (autoPad === 'SAME_LOWER') {
      options.padding = spatialIn.map((n, i) => {
        const out = Math.ceil(n / stride[i]);
        const t = Math.max(0, (out - 1) * stride[i] + dk[i] - n);
        const begin = Math.ceil(t / 2); // the odd unit at the beginning
        return [begin, t - begin] as [number, number];
      });
    } else options.padding = pairsFromPads(a.pads);
    return { transposed: false, rank, options };
  }

  // ConvTranspose
  const outputPadding = a.output_padding ?? new Array(rank).fill(0);
  const full = spatialIn.map((n, i) => stride[i] * (n - 1) + dk[i]); // the scatter's whole reach
  let target: number[] | undefined;
  if (a.output_shape) target = a.output_shape.slice(-rank); // spatial dims (a full shape also works)
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') target = spatialIn.map((n, i) => n * stride[i]);

  if (!target) {
    // Explicit pads (VALID: none): the plain PyTorch form.
    options.padding = autoPad === 'VALID' ? k.map(() => [0, 0] as [number, number]) : pairsFromPads(a.pads);
    if (outputPadding.some((p) => p !== 0)) options.outputPadding = outputPadding;
    return { transposed: true, rank, options };
  }

  const out = target;
  const pairs = full.map((f, i): [number, number] => {
    const t = f + outputPadding[i] - out[i];
    if (t < 0) return [0, 0]; // extra positions at the end, bias only
    const half = Math.floor(t / 2);
    const begin = autoPad === 'SAME_UPPER' ? half : t - half;
    return [begin, t - begin];
  });
  const direct = pairs.every(([b, e], i) => {
    const natural = full[i] - b - e;
    return out[i] - natural <= Math.max(stride[i], dilation[i]) - 1;
  });
  if (direct) {
    options.padding = pairs;
    options.outputSize = out;
    return { transposed: true, rank, options };
  }
  options.padding = pairs.map(([b], i) => [b, Math.max(0, full[i] - b - out[i])] as [number, number]);
  const embed: Embed = { shape: [X.shape[0], W.shape[1] * (a.group ?? 1), ...out], bias };
  return { transposed: true, rank, options, embed };
}

/** Places `y` (channels-first) at the start of a bias-filled tensor of `e.shape`; parts falling outside are dropped. */
function embedInto(y: F32Tensor, e: Embed): F32Tensor {
  const [N, M, ...outS] = e.shape;
  const inS = y.shape.slice(2);
  const rank = outS.length;
  const pad3 = (v: number[], f: number) => [...new Array(3 - rank).fill(f), ...v];
  const [OD, OH, OW] = pad3(outS, 1);
  const [YD, YH, YW] = pad3(inS, 1);
  const data = new Float32Array(N * M * OD * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const base = (n * M + m) * OD * OH * OW;
      data.fill(e.bias ? e.bias[m] : 0, base, base + OD * OH * OW);
      for (let d = 0; d < YD; d++) {
        for (let h = 0; h < YH; h++) {
          for (let w = 0; w < YW; w++) {
            if (d >= OD || h >= OH || w >= OW) continue;
            data[base + (d * OH + h) * OW + w] = y.data[(((n * M + m) * YD + d) * YH + h) * YW + w];
          }
        }
      }
    }
  }
  return { data, shape: [...e.shape] };
}

type ApiFn = (x: F32Tensor, w: F32Tensor, o: MappedOptions) => F32Tensor;

function runLibrary(m: Mapped, x: F32Tensor, w: F32Tensor): F32Tensor {
  const conv = [wc.conv1d, wc.conv2d, wc.conv3d] as unknown as ApiFn[];
  const transposed = [wc.convTranspose1d, wc.convTranspose2d, wc.convTranspose3d] as unknown as ApiFn[];
  const fn = (m.transposed ? transposed : conv)[m.rank - 1];
  const y = fn(x, w, m.options);
  return m.embed ? embedInto(y, m.embed) : y;
}

function runReference(m: Mapped, x: F32Tensor, w: F32Tensor): F32Tensor {
  const y = m.transposed ? refConvTranspose(x, w, m.options) : refConv(x, w, m.options);
  return m.embed ? embedInto(y, m.embed) : y;
}

function loadCases(): Array<{ file: string; c: OnnxCase }> {
  const found: Array<{ file: string; c: OnnxCase }> = [];
  for (const dir of FOLDERS) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(dir, f);
      found.push({ file, c: JSON.parse(readFileSync(file, 'utf8')) as OnnxCase });
    }
  }
  return found;
}

const available = sharedAvailable();
if (!available) {
  console.warn(`[wasmconv tests] the ONNX conformance data at ${ONNX_DIR} was not found: the conformance suite is skipped`);
}
const cases = available ? loadCases() : [];

describe.skipIf(!available || !backendAvailable())(`ONNX conformance (${BACKEND} backend)`, () => {
  beforeAll(readyBackend);

  it('finds the 17 node tests and the 28 PyTorch-converted tests', () => {
    const inFolder = (d: string) => cases.filter(({ file }) => file.startsWith(d + '/') && !file.slice(d.length + 1).includes('/'));
    expect(inFolder(FOLDERS[0]).length).toBeGreaterThanOrEqual(17);
    expect(inFolder(FOLDERS[1]).length).toBeGreaterThanOrEqual(28);
  });

  for (const { c } of cases) {
    it(c.name, () => {
      const x = tensor(c.inputs[0]);
      const w = tensor(c.inputs[1]);
      const expected = tensor(c.outputs[0]);
      const mapped = onnxToOptions(c);
      // The reference (and this mapping) must reproduce ONNX...
      expectClose(runReference(mapped, x, w), expected, TOL, `${c.name}: reference`);
      // ...and so must the library.
      expectClose(runLibrary(mapped, x, w), expected, TOL, `${c.name}: wasmconv`);
    });
  }
});

/**
 * Mapping paths the ONNX data does not reach (SAME_LOWER with an odd total, a negative begin
 * pad, an output_shape far past the natural size), on synthetic ONNX-style cases. The oracle
 * is the reference run with ONNX's own generated pads (negative ones included) and the output
 * size ONNX would produce, which the reference's scatter accepts directly.
 */
describe.skipIf(!backendAvailable())(`ONNX attribute mapping beyond the data (${BACKEND} backend)`, () => {
  beforeAll(readyBackend);

  const r = rng(97);
  const onnxTensor = (shape: number[]): OnnxTensor => ({ shape, data: Array.from(randomTensor(r, shape).data) });
  const synth = (name: string, op: OnnxCase['op'], attributes: OnnxCase['attributes'], xs: number[], ws: number[], withBias: boolean): OnnxCase => {
    const cout = op === 'Conv' ? ws[0] : ws[1] * (attributes.group ?? 1);
    const inputs = [onnxTensor(xs), onnxTensor(ws)];
    if (withBias) inputs.push(onnxTensor([cout]));
    return { name, op, attributes, inputs, outputs: [] };
  };

  it('Conv SAME_LOWER with an odd total pad puts the extra unit at the beginning', () => {
    // in 6, k 4, stride 1: out 6, total pad 3 -> [2, 1] (SAME_UPPER would be [1, 2])
    const c = synth('same_lower', 'Conv', { auto_pad: 'SAME_LOWER' }, [1, 2, 6, 7], [3, 2, 4, 4], true);
    const m = onnxToOptions(c);
    expect(m.options.padding).toEqual([[2, 1], [2, 1]]);
    const x = tensor(c.inputs[0]);
    const w = tensor(c.inputs[1]);
    const expected = refConv(x, w, { padding: [[2, 1], [2, 1]], bias: tensor(c.inputs[2]).data });
    expectClose(runLibrary(m, x, w), expected, TOL, 'SAME_LOWER');
  });

  const transposeCases: Array<[string, OnnxCase['attributes'], number[], number[]]> = [
    // in 3, k 3, stride 2: natural 7; output_shape 12 is past 7 + (2 - 1): the embed path
    ['output_shape far past natural', { strides: [2], output_shape: [12] }, [1, 2, 3], [2, 3, 3]],
    // in 5, k 4, stride 2: natural 12; output_shape 9: t = 3 -> pads [2, 1]
    ['output_shape below natural, odd total', { strides: [2], output_shape: [9] }, [2, 3, 5], [3, 2, 4]],
    // SAME_UPPER, k 1, stride 3: target 9, natural 7, t = -2 -> no padding, 2 bias-only positions at the end
    ['SAME_UPPER with k < stride', { auto_pad: 'SAME_UPPER', strides: [3, 3] }, [1, 2, 3, 2], [2, 2, 1, 1]],
    // SAME_LOWER: t = 2*2 + 3 - 6 = 1 -> pads [1, 0] (SAME_UPPER: [0, 1])
    ['SAME_LOWER', { auto_pad: 'SAME_LOWER', strides: [2, 2] }, [2, 2, 3, 3], [2, 1, 3, 3]],
    // 3-D, groups, dilation, output_padding; totals -2, -4, -1, all past the API's limit: embed
    ['output_shape with dilation', { strides: [2, 1, 2], dilations: [1, 2, 2], output_padding: [1, 0, 1], output_shape: [9, 8, 11], group: 2 }, [1, 4, 3, 2, 3], [4, 1, 2, 2, 3]],
  ];
  const expectedPads: Record<string, Array<[number, number]>> = {
    'output_shape far past natural': [[0, 0]],
    'output_shape below natural, odd total': [[2, 1]],
    'SAME_UPPER with k < stride': [[0, 0], [0, 0]],
    SAME_LOWER: [[1, 0], [1, 0]],
    'output_shape with dilation': [[0, 0], [0, 0], [0, 0]],
  };
  for (const [name, attributes, xs, ws] of transposeCases) {
    it(`ConvTranspose ${name}`, () => {
      const c = synth(name, 'ConvTranspose', attributes, xs, ws, true);
      const m = onnxToOptions(c);
      expect(m.options.padding).toEqual(expectedPads[name]);
      expect(m.embed !== undefined, 'takes the embed path').toBe(name.startsWith('output_shape') && name !== 'output_shape below natural, odd total');
      const x = tensor(c.inputs[0]);
      const w = tensor(c.inputs[1]);
      // ONNX semantics directly: the generated pads (worked out above) and the requested output
      // size, which the reference's scatter takes as they are.
      const rank = ws.length - 2;
      const s = attributes.strides ?? new Array(rank).fill(1);
      const out = attributes.output_shape ?? xs.slice(2).map((n, i) => n * s[i]);
      const expected = refConvTranspose(x, w, {
        stride: s, dilation: attributes.dilations, groups: attributes.group ?? 1,
        padding: expectedPads[name], outputSize: out, bias: tensor(c.inputs[2]).data,
      });
      expect(expected.shape.slice(2)).toEqual(out);
      expectClose(runReference(m, x, w), expected, TOL, `${name}: mapping on the reference`);
      expectClose(runLibrary(m, x, w), expected, TOL, `${name}: wasmconv`);
    });
  }
});
