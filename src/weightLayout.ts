/**
 * The `weightLayout` option: the order of a weight's axes, so that weights stored by another
 * framework go in as they are. Letters: O the layer's output channels, I its input channels, and
 * D, H, W the kernel's axes (per group, the channel axis PyTorch divides by `groups`).
 *
 * | convolution | PyTorch / ONNX (default) | TensorFlow / Keras / tfjs | TFLite / XNNPACK |
 * | forward 1-D, 2-D, 3-D | OIW, OIHW, OIDHW | WIO, HWIO, DHWIO | OWI, OHWI, ODHWI |
 * | transposed | IOW, IOHW, IODHW | WOI, HWOI, DHWOI | OWI, OHWI, ODHWI |
 * | depthwise | OIW, OIHW, OIDHW (I = 1) | WIO, HWIO, DHWIO ([k..., C, multiplier]) | IWO, IHWO, IDHWO (I = 1) |
 *
 * A transposed weight's O is still the layer's output: tfjs' conv2dTranspose filter
 * `[kH, kW, outC, inC]` is 'HWOI', PyTorch's `[Cin, Cout/groups, kH, kW]` 'IOHW'.
 * Plans convert once, when they are created, to the default layout the kernels pack from.
 */
import { describe } from './runtime.ts';
import { checkTensor } from './validate.ts';
import type { TensorLike } from './types.ts';

export type WeightKind = 'forward' | 'transposed' | 'depthwise';

const SPATIAL: Record<number, string> = { 1: 'W', 2: 'HW', 3: 'DHW' };
const AXIS_NAMES: Record<string, string> = { D: 'kD', H: 'kH', W: 'kW' };

/** The accepted layouts of a kind and rank, the default (the kernels' own) first. */
export function weightLayouts(kind: WeightKind, rank: number): string[] {
  const k = SPATIAL[rank];
  if (kind === 'transposed') return [`IO${k}`, `${k}OI`, `O${k}I`];
  if (kind === 'depthwise') return [`OI${k}`, `${k}IO`, `I${k}O`];
  return [`OI${k}`, `${k}IO`, `O${k}I`];
}

/** How the axes of `layout` read, e.g. '[kH, kW, in_channels/groups, out_channels]'. */
export function weightAxes(kind: WeightKind, layout: string): string {
  const perGroup = kind === 'transposed' ? 'O' : 'I';
  const names = [...layout].map((a) => {
    if (AXIS_NAMES[a]) return AXIS_NAMES[a];
    if (kind === 'depthwise') {
      if (layout.endsWith('IO') && !layout.startsWith('I')) return a === 'I' ? 'channels' : 'depthMultiplier';
      return a === 'I' ? '1' : 'channels * depthMultiplier';
    }
    const name = a === 'O' ? 'out_channels' : 'in_channels';
    return a === perGroup ? `${name}/groups` : name;
  });
  return `[${names.join(', ')}]`;
}

/** Checks the option and returns the layout (the default when absent). */
export function parseWeightLayout(fn: string, layout: unknown, kind: WeightKind, rank: number): string {
  const allowed = weightLayouts(kind, rank);
  if (layout === undefined) return allowed[0];
  if (typeof layout !== 'string' || !allowed.includes(layout)) {
    const what = kind === 'forward' ? `a ${rank}-D convolution` : `a ${rank}-D ${kind} convolution`;
    throw new TypeError(`${fn}: option 'weightLayout' of ${what} must be one of ${allowed.map((l) => `'${l}'`).join(', ')}, got ${describe(layout)}`);
  }
  return layout;
}

/**
 * `weight` given in `layout`, as a tensor in the kind's default layout: the same tensor when it
 * is in that layout already, else a permuted copy. Depthwise weights come out `[C * M, 1, k...]`.
 */
export function toDefaultLayout(fn: string, name: string, weight: unknown, layout: string, kind: WeightKind, rank: number): TensorLike {
  const target = weightLayouts(kind, rank)[0];
  if (layout === target) return weight as TensorLike;
  const w = checkTensor(fn, name, weight, rank + 2, `${weightAxes(kind, layout)} (weightLayout '${layout}')`);
  let shape = w.shape;
  // TensorFlow's depthwise [k..., C, M] holds the same numbers as [k..., 1, C * M].
  if (kind === 'depthwise' && layout === weightLayouts(kind, rank)[1]) shape = [...shape.slice(0, rank), 1, shape[rank] * shape[rank + 1]];
  const from = [...layout];
  const order = [...target].map((axis) => from.indexOf(axis));
  const outShape = order.map((i) => shape[i]);
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  const readStrides = order.map((i) => strides[i]);
  const out = new Float32Array(w.data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let at = 0; at < out.length; at++) {
    let src = 0;
    for (let d = 0; d < index.length; d++) src += index[d] * readStrides[d];
    out[at] = w.data[src];
    for (let d = index.length - 1; d >= 0 && ++index[d] === outShape[d]; d--) index[d] = 0;
  }
  return { data: out, shape: outShape };
}
