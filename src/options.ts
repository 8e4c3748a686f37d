/**
 * A convolution's weight and options, checked and turned into the typed spec a plan is made
 * from (src/spec.ts). Every message names the function, the option, what was expected and what
 * was given.
 */
import type { ConvKind, ConvSpec, PlanSpec, WeightTensor, Activation, PaddingMode } from './spec.ts';
import { describe, runtime } from './runtime.ts';
import { checkOptions, checkPositiveInt, checkNonNegativeInt, checkTensor, perAxis } from './validate.ts';
import { product, type Pads } from './shape.ts';
import { AXES, LAYOUTS, MAX_FLOATS } from './geometry.ts';
import { ALGORITHM_OPTIONS } from './algorithms/index.ts';
import { parseWeightLayout, toDefaultLayout } from './weightLayout.ts';

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];
const OPTIONS = ['bias', 'stride', 'padding', 'dilation', 'groups', 'layout', 'activation', 'flip', 'paddingMode', 'algorithm', 'weightLayout'];
const TRANSPOSED_OPTIONS = [...OPTIONS, 'outputPadding', 'outputSize'];

/**
 * The spec of a plan of `kind` with `weight` and `options` as the caller gave them. `runFn` names
 * the plan's runs in messages (default `<fn>(...).run`); `pointwise` (a checked `[Cout, Cin, 1, 1]`
 * tensor, with a depthwise `weight`) makes the plan of a depthwise-separable convolution, whose
 * bias and activation apply to the pointwise output.
 */
export function convSpec(
  kind: ConvKind, weight: unknown, options: unknown, extra: { runFn?: string; pointwise?: WeightTensor } = {},
): PlanSpec {
  const { fn, rank, transposed } = kind;
  const pointwise = extra.pointwise ?? null;
  // Each option is read once, here; the spec holds copies of everything (a plan is a snapshot of
  // its options: the caller may change or reuse its objects afterwards).
  const o = { ...checkOptions(fn, options, transposed ? TRANSPOSED_OPTIONS : OPTIONS) };
  const weightKind = transposed ? 'transposed' : 'forward';
  const weightLayout = parseWeightLayout(fn, o.weightLayout, weightKind, rank);
  weight = toDefaultLayout(fn, 'weight', weight, weightLayout, weightKind, rank);
  const wName = transposed ? `[in_channels, out_channels/groups, ${AXES[rank]}]` : `[out_channels, in_channels/groups, ${AXES[rank]}]`;
  const w = checkTensor(fn, 'weight', weight, rank + 2, wName);
  if (w.shape.some((s) => s === 0)) {
    throw new RangeError(`${fn}: argument 'weight' must have non-zero sizes ${wName}, got shape [${w.shape.join(', ')}]`);
  }
  // Checked before packing: a weight the 4 GiB memory cannot hold is never copied.
  for (const [name, t] of [['weight', w], ['pointwiseWeight', pointwise]] as const) {
    if (t && product(t.shape) > MAX_FLOATS) {
      throw new RangeError(`${fn}: argument '${name}' of shape [${t.shape.join(', ')}] has ${product(t.shape)} elements, more than the 2^30 float32 values a 4 GiB WebAssembly memory can hold`);
    }
  }
  const groups = o.groups === undefined ? 1 : checkPositiveInt(fn, 'groups', o.groups);
  const [w0, w1] = w.shape;
  if (w0 % groups !== 0) {
    const what = transposed ? 'input' : 'output';
    throw new RangeError(`${fn}: weight of shape [${w.shape.join(', ')}] has ${w0} ${what} channels, which is not divisible by groups=${groups}`);
  }
  const outChannels = pointwise ? pointwise.shape[0] : transposed ? w1 * groups : w0;
  const stride = perAxis(fn, 'stride', o.stride, rank, 1, checkPositiveInt);
  const dilation = perAxis(fn, 'dilation', o.dilation, rank, 1, checkPositiveInt);
  const padding = parsePadding(fn, o.padding, rank, transposed);

  const [first, last] = LAYOUTS[rank];
  if (o.layout !== undefined && o.layout !== first && o.layout !== last) {
    throw new TypeError(`${fn}: option 'layout' must be '${first}' (channels-first, the default) or '${last}' (channels-last), got ${describe(o.layout)}`);
  }
  if (o.flip !== undefined && typeof o.flip !== 'boolean') {
    throw new TypeError(`${fn}: option 'flip' must be a boolean, got ${describe(o.flip)}`);
  }
  if (o.paddingMode !== undefined && (typeof o.paddingMode !== 'string' || !PADDING_MODES.includes(o.paddingMode as PaddingMode))) {
    throw new TypeError(`${fn}: option 'paddingMode' must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(o.paddingMode)}`);
  }
  const paddingMode = (o.paddingMode ?? 'zeros') as PaddingMode;
  if (transposed && paddingMode !== 'zeros') {
    throw new RangeError(`${fn}: option 'paddingMode' must be 'zeros' for transposed convolution (only zero padding is defined for it), got '${paddingMode}'`);
  }
  let outputPadding: number[] | null = null;
  let outputSize: number[] | null = null;
  if (transposed) {
    if (o.outputPadding !== undefined && o.outputSize !== undefined) {
      throw new TypeError(`${fn}: options 'outputPadding' and 'outputSize' choose the same thing; give one of them, got both`);
    }
    // As PyTorch's output_size, it may start with the batch and channel sizes, which are ignored.
    const size = Array.isArray(o.outputSize) && o.outputSize.length === rank + 2 ? o.outputSize.slice(2) : o.outputSize;
    if (size !== undefined) outputSize = perAxis(fn, 'outputSize', size, rank, 0, checkPositiveInt);
    else {
      outputPadding = perAxis(fn, 'outputPadding', o.outputPadding, rank, 0, checkNonNegativeInt);
      outputPadding.forEach((p, i) => {
        if (p >= stride[i] && p >= dilation[i]) {
          throw new RangeError(`${fn}: option 'outputPadding' must be smaller than either stride or dilation on every axis, got outputPadding=${p}, stride=${stride[i]}, dilation=${dilation[i]} on axis ${i}`);
        }
      });
    }
  }
  const activation = parseActivation(fn, o.activation);
  const bias = parseBias(fn, o.bias, outChannels);
  // Before the algorithm option, as it always was: a call before ready() says so first.
  runtime(fn);
  const algorithm = parseAlgorithm(fn, o.algorithm);
  const spec: ConvSpec = {
    kind, runFn: extra.runFn ?? `${fn}(...).run`, weightShape: w.shape, kernel: w.shape.slice(2), groups,
    inChannels: transposed ? w0 : w1 * groups, outChannels, stride, dilation, padding, paddingMode, outputPadding,
    outputSize, channelsLast: o.layout === last, flip: o.flip === true, activation, bias,
    pointwiseShape: pointwise ? pointwise.shape : null, algorithm, weightLayout,
  };
  return { ...spec, weight: w, pointwise };
}

function parseAlgorithm(fn: string, a: unknown): string {
  if (a === undefined || a === 'auto') return 'auto';
  const option = ALGORITHM_OPTIONS.find((o) => o.value === a);
  if (!option) {
    const values = ALGORITHM_OPTIONS.map((o) => ` or '${o.value}' (${o.meaning})`).join('');
    throw new TypeError(`${fn}: option 'algorithm' must be 'auto' (the plan chooses)${values}, got ${describe(a)}`);
  }
  return option.value;
}

function parsePadding(fn: string, p: unknown, rank: number, transposed: boolean): Pads | 'same' {
  const form = `a non-negative integer, ${rank} integers (one per spatial axis), ${rank} [begin, end] pairs${transposed ? '' : ", 'valid' or 'same'"}`;
  if (p === undefined || p === 'valid') return new Array(rank).fill(0).map(() => [0, 0]);
  if (p === 'same') {
    if (transposed) throw new RangeError(`${fn}: option 'padding' must be ${form}; 'same' is not defined for transposed convolution (use 'outputSize'), got 'same'`);
    return 'same';
  }
  if (typeof p === 'number') {
    checkNonNegativeInt(fn, 'padding', p);
    return new Array(rank).fill(0).map(() => [p, p]);
  }
  if (!Array.isArray(p)) throw new TypeError(`${fn}: option 'padding' must be ${form}, got ${describe(p)}`);
  if (p.length !== rank) throw new RangeError(`${fn}: option 'padding' must be ${form}, got ${p.length} value${p.length === 1 ? '' : 's'}: ${describe(p)}`);
  return p.map((e, i) => {
    if (Array.isArray(e)) {
      if (e.length !== 2) throw new RangeError(`${fn}: option 'padding[${i}]' must be a [begin, end] pair, got ${describe(e)}`);
      return [checkNonNegativeInt(fn, `padding[${i}][0]`, e[0]), checkNonNegativeInt(fn, `padding[${i}][1]`, e[1])];
    }
    const v = checkNonNegativeInt(fn, `padding[${i}]`, e);
    return [v, v];
  });
}

function parseActivation(fn: string, a: unknown): Activation | null {
  const forms = "'none', 'relu', 'relu6', 'leakyRelu', { type: 'leakyRelu', alpha } or { type: 'clamp', min, max }";
  if (a === undefined || a === 'none' || a === null) return null;
  if (a === 'relu') return { lo: 0, hi: Infinity, slope: 1 };
  if (a === 'relu6') return { lo: 0, hi: 6, slope: 1 };
  if (a === 'leakyRelu') return { lo: -Infinity, hi: Infinity, slope: 0.01 };
  if (typeof a === 'object' && a !== null && 'type' in a) {
    const o = a as Record<string, unknown>;
    if (o.type === 'leakyRelu') {
      const alpha = o.alpha === undefined ? 0.01 : o.alpha;
      if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
        throw new TypeError(`${fn}: option 'activation.alpha' must be a finite number (the slope for negative inputs), got ${describe(o.alpha)}`);
      }
      return { lo: -Infinity, hi: Infinity, slope: alpha };
    }
    if (o.type === 'clamp') {
      const { min, max } = o;
      if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) {
        throw new TypeError(`${fn}: option 'activation' { type: 'clamp' } needs numbers 'min' and 'max', got min=${describe(min)}, max=${describe(max)}`);
      }
      if (min > max) throw new RangeError(`${fn}: option 'activation' { type: 'clamp' } needs min <= max, got min=${min}, max=${max}`);
      return { lo: min, hi: max, slope: 1 };
    }
  }
  throw new TypeError(`${fn}: option 'activation' must be ${forms}, got ${describe(a)}`);
}

function parseBias(fn: string, b: unknown, channels: number): Float32Array | null {
  if (b === undefined || b === null) return null;
  let data: unknown = b;
  if (typeof b === 'object' && 'shape' in (b as object)) {
    const t = checkTensor(fn, 'bias', b, 1, `[${channels}]`);
    data = t.data;
  }
  if (typeof data !== 'object' || data === null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: option 'bias' must be a Float32Array (or a tensor) of ${channels} values, got ${describe(b)}`);
  }
  const arr = data as ArrayLike<number>;
  if (arr.length !== channels) {
    throw new RangeError(`${fn}: option 'bias' must hold one value per output channel (${channels}), got ${arr.length} values`);
  }
  return Float32Array.from(arr);
}
