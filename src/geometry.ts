/**
 * Geometry of a run: from a plan's spec and an input shape, every size the kernel needs, with
 * the checks that the input fits the plan and the 4 GiB memory.
 */
import type { ConvSpec } from './spec.ts';
import { convOutSize, transposedOutSize, samePads, product, type Pads } from './shape.ts';
import { formatBytes } from './memory.ts';
import { weightAxes, weightLayouts } from './weightLayout.ts';

/** Layout names per rank: channels-first, channels-last. */
export const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
/** Spatial axes per rank, for messages. */
export const AXES: Record<number, string> = { 1: 'W', 2: 'H, W', 3: 'D, H, W' };

/** Most float32 values a 4 GiB (wasm32) memory holds. */
export const MAX_FLOATS = 2 ** 30;
/** Largest coordinate along an axis the kernels' 32-bit arithmetic holds. */
const MAX_COORDINATE = 2 ** 31 - 1;

export interface Geometry {
  N: number;
  /** The caller's spatial sizes. */
  spatial: number[];
  /** Spatial sizes of the input as stored in wasm memory (pre-padded for padding modes). */
  inSpatial: number[];
  out: number[];
  /** Padding the kernel applies (zero padding). */
  pads: Pads;
  /** Padding asked for, applied by the padding mode when it is not 'zeros'. */
  modePads: Pads;
  outShape: number[];
  /** Stride per axis as the kernels get it (1 along forward axes with a single output position). */
  stride: readonly number[];
  dilation: readonly number[];
  /** Input channels and kernel size as the kernel sees them. */
  C: number;
  kernel: readonly number[];
}

/** The input's dimensions in the spec's layout, for messages: e.g. '[N, C, H, W]'. */
export function inputForm(spec: ConvSpec): string {
  const rank = spec.kind.rank;
  return `[${spec.channelsLast ? ['N', ...AXES[rank].split(', '), 'C'].join(', ') : `N, C, ${AXES[rank]}`}]`;
}

/** Validates an input shape against the spec and works out every size of the run. */
export function geometry(spec: ConvSpec, shape: readonly number[], fn: string): Geometry {
  const { rank, transposed } = spec.kind;
  const { kernel, stride: strides, dilation, channelsLast } = spec;
  const s = [...shape];
  const N = s[0];
  const C = channelsLast ? s[rank + 1] : s[1];
  const spatial = channelsLast ? s.slice(1, rank + 1) : s.slice(2);
  const layout = LAYOUTS[rank][channelsLast ? 1 : 0];
  if (N < 1 || spatial.some((v) => v < 1)) {
    throw new RangeError(`${fn}: argument 'input' must have a batch size and spatial sizes of at least 1 (layout ${layout}), got shape [${s.join(', ')}]`);
  }
  if (C !== spec.inChannels) {
    const per = transposed ? '' : ` (${spec.weightShape[1]} per group)`;
    throw new RangeError(`${fn}: given groups=${spec.groups}, weight of shape [${spec.weightShape.join(', ')}], expected input of shape [${s.join(', ')}] (layout ${layout}) to have ${spec.inChannels} channels${per}, but got ${C} channels instead${weightLayoutNote(spec)}`);
  }
  const padding = spec.padding;
  const pads: Pads = padding === 'same'
    ? spatial.map((n, i) => samePads(n, kernel[i], strides[i], dilation[i]))
    : padding.map((p) => [p[0], p[1]] as [number, number]);
  let out: number[];
  if (!transposed) {
    spatial.forEach((n, i) => {
      const padded = n + pads[i][0] + pads[i][1];
      const span = dilation[i] * (kernel[i] - 1) + 1;
      if (padded < span) {
        throw new RangeError(`${fn}: calculated padded input size per channel (${spatial.map((v, j) => v + pads[j][0] + pads[j][1]).join(' x ')}) is smaller than the dilated kernel size (${kernel.map((k, j) => dilation[j] * (k - 1) + 1).join(' x ')}): the kernel can't be larger than the padded input (input shape [${s.join(', ')}])`);
      }
    });
    out = spatial.map((n, i) => convOutSize(n, kernel[i], strides[i], dilation[i], pads[i]));
    if (spec.paddingMode !== 'zeros') checkPaddingMode(fn, spec.paddingMode, spatial, pads);
  } else {
    const natural = spatial.map((n, i) => transposedOutSize(n, kernel[i], strides[i], dilation[i], pads[i]));
    if (spec.outputSize) {
      out = [...spec.outputSize];
      out.forEach((o, i) => {
        const most = natural[i] + Math.max(strides[i], dilation[i]) - 1;
        if (o < natural[i] || o > most) {
          throw new RangeError(`${fn}: option 'outputSize' [${out.join(', ')}] is not reachable for input shape [${s.join(', ')}]: axis ${i} must be between ${natural[i]} and ${most}, got ${o}`);
        }
      });
    } else out = natural.map((n, i) => n + spec.outputPadding![i]);
    if (out.some((v) => v < 1)) {
      throw new RangeError(`${fn}: the output would be empty (every spatial size must be at least 1): spatial size (${out.join(', ')}) for input shape [${s.join(', ')}], kernel [${kernel.join(', ')}], stride [${strides.join(', ')}], padding ${JSON.stringify(pads)}; reduce the padding`);
    }
  }
  const Cout = spec.outChannels;
  const outShape = channelsLast ? [N, ...out, Cout] : [N, Cout, ...out];
  // Padding modes other than zeros are applied while copying the input in.
  const prePad = !transposed && spec.paddingMode !== 'zeros';
  const inSpatial = prePad ? spatial.map((n, i) => n + pads[i][0] + pads[i][1]) : spatial;
  const kernelPads = prePad ? pads.map(() => [0, 0] as [number, number]) : pads;
  const elements = N * Math.max(C, Cout) * Math.max(product(inSpatial), product(out));
  if (elements > MAX_FLOATS) {
    throw new RangeError(`${fn}: input shape [${s.join(', ')}] needs tensors of ${elements} elements, more than the 2^30 float32 values a 4 GiB WebAssembly memory can hold`);
  }
  // Input and output together: exactly 4 GiB cannot fit either (the plan's weights use some of it).
  const bytes = 4 * (N * C * product(inSpatial) + N * Cout * product(out));
  if (bytes >= 4 * MAX_FLOATS) {
    throw new RangeError(`${fn}: input shape [${s.join(', ')}] needs ${formatBytes(bytes)} for the input and the output together, more than a 4 GiB WebAssembly memory can hold`);
  }
  // The kernels compute coordinates in 32 bits: every position along an axis must fit.
  spatial.forEach((n, i) => {
    const reach = transposed
      ? (n - 1) * strides[i] + dilation[i] * (kernel[i] - 1) + 1 + Math.max(pads[i][0], pads[i][1])
      : n + pads[i][0] + pads[i][1];
    if (reach > MAX_COORDINATE) {
      throw new RangeError(`${fn}: axis ${i} spans ${reach} positions for input shape [${s.join(', ')}] with stride [${strides.join(', ')}], dilation [${dilation.join(', ')}] and padding ${JSON.stringify(pads)}, more than the 2^31 - 1 the kernels' 32-bit coordinates reach; reduce the padding or stride`);
    }
  });
  // A stride along an axis with one output position changes nothing: 1 keeps the kernels' coordinates and workspace small.
  const stride = transposed ? strides : strides.map((v, i) => (out[i] === 1 ? 1 : v));
  return { N, spatial, inSpatial, out, pads: kernelPads, modePads: pads, outShape, stride, dilation, C, kernel };
}

/** Where a channel count may come from a weight read in the wrong layout: which one the plan read. */
function weightLayoutNote(spec: ConvSpec): string {
  const kind = spec.kind.transposed ? 'transposed' : 'forward';
  const [standard, tensorflow] = weightLayouts(kind, spec.kind.rank);
  const hint = spec.weightLayout === standard ? `; TensorFlow weights ${weightAxes(kind, tensorflow)} need weightLayout: '${tensorflow}'` : '';
  return ` (the weight was read in weightLayout '${spec.weightLayout}', ${weightAxes(kind, spec.weightLayout)}${hint})`;
}

function checkPaddingMode(fn: string, mode: string, spatial: number[], pads: Pads): void {
  spatial.forEach((n, i) => {
    const [b, e] = pads[i];
    if (mode === 'reflect' && (b >= n || e >= n)) {
      throw new RangeError(`${fn}: paddingMode 'reflect' needs padding smaller than the input size on every axis, got padding [${b}, ${e}] for size ${n} on axis ${i}`);
    }
    if (mode === 'circular' && (b > n || e > n)) {
      throw new RangeError(`${fn}: paddingMode 'circular' needs padding at most the input size on every axis, got padding [${b}, ${e}] for size ${n} on axis ${i}`);
    }
  });
}
