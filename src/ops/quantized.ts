/**
 * 8-bit convolution with the semantics of ONNX `QLinearConv` (quantized in, quantized out) and
 * `ConvInteger` (8-bit in, int32 sums out), 1-D, 2-D and 3-D, through the integer GEMM of
 * assembly/qgemm.ts. A plan validates its options, subtracts the weight zero points and packs the
 * weights once; a run copies the input into wasm memory, where the kernel pads it (with the zero
 * point) into channels-first planes, computes on the calling thread, and the result is copied out.
 */
import { runtime, describe, currentGeneration, type Runtime } from '../runtime.ts';
import { samePads, convOutSize, product, toThreeAxes, type Pads } from '../shape.ts';
import { checkOptions, checkPositiveInt, checkNonNegativeInt, perAxis, checkShape } from '../validate.ts';
import { QSlot, QOut } from '../../assembly/qdescriptor.ts';

/** The 8-bit element types. */
export type QuantizedType = 'uint8' | 'int8';

/** A quantized tensor: real value = (data - zeroPoint) * scale. Results come back in this form. */
export interface QuantizedTensor {
  data: Uint8Array | Int8Array;
  shape: number[];
  scale: number;
  zeroPoint: number;
}

/** What functions accept as a quantized tensor (the weight may have one scale / zero point per output channel). */
export interface QuantizedTensorLike {
  data: Uint8Array | Int8Array;
  shape: readonly number[];
  scale: number | ArrayLike<number>;
  zeroPoint: number | ArrayLike<number>;
}

/** An 8-bit tensor for `integerConv*d` (ConvInteger): scale unused, zero point default 0. */
export interface IntegerTensorLike {
  data: Uint8Array | Int8Array;
  shape: readonly number[];
  zeroPoint?: number | ArrayLike<number>;
}

/** A fused activation as output bounds in the quantized domain: relu, relu6 or a clamp of real values. */
export type QuantizedActivation = 'none' | 'relu' | 'relu6' | { type: 'clamp'; min: number; max: number };

interface GeometryOptions<L extends string> {
  stride?: number | readonly number[];
  padding?: number | readonly number[] | readonly (readonly [number, number])[] | 'valid' | 'same';
  dilation?: number | readonly number[];
  groups?: number;
  layout?: L;
}

export interface QuantizedConvOptions<L extends string> extends GeometryOptions<L> {
  /** The output's quantization (required): y = saturate(round(sum * x.scale * w.scale / scale) + zeroPoint). */
  output: { scale: number; zeroPoint: number; type: QuantizedType };
  /** int32 bias per output channel, in units of x.scale * w.scale (as ONNX `B`). */
  bias?: Int32Array | null;
  activation?: QuantizedActivation;
}
export type IntegerConvOptions<L extends string> = GeometryOptions<L>;

export type QuantizedConv1dOptions = QuantizedConvOptions<'NCW' | 'NWC'>;
export type QuantizedConv2dOptions = QuantizedConvOptions<'NCHW' | 'NHWC'>;
export type QuantizedConv3dOptions = QuantizedConvOptions<'NCDHW' | 'NDHWC'>;
export type IntegerConv1dOptions = IntegerConvOptions<'NCW' | 'NWC'>;
export type IntegerConv2dOptions = IntegerConvOptions<'NCHW' | 'NHWC'>;
export type IntegerConv3dOptions = IntegerConvOptions<'NCDHW' | 'NDHWC'>;

/** A quantized convolution prepared once (weights validated and packed) and run many times. */
export interface QuantizedConvPlan {
  run(input: QuantizedTensorLike): QuantizedTensor;
  outputShape(inputShape: readonly number[]): number[];
  dispose(): void;
}

const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const AXES: Record<number, string> = { 1: 'W', 2: 'H, W', 3: 'D, H, W' };
const GEOMETRY_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'layout'];
const QUANTIZED_OPTIONS = [...GEOMETRY_OPTIONS, 'output', 'bias', 'activation'];
const RANGES: Record<QuantizedType, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
/**
 * Packed input pixels per block: the i16 block (BlockP * Kp * 2 bytes) stays near 128 KB, in L2,
 * while one weight panel at a time is in L1 (r3b, 128 -> 128 3x3: 32 KB blocks ran ~1.3x slower).
 */
const BLOCK_BYTES = 128 * 1024;
/** Most bytes of input or output one run takes (wasm32 addresses 4 GiB). */
const MAX_ELEMENTS = 2 ** 31;

const dropped = new FinalizationRegistry<{ rt: Runtime; blocks: number[] }>(({ rt, blocks }) => {
  if (rt.generation === currentGeneration()) for (const b of blocks) rt.arena.release(b);
});

interface Kind {
  fn: string;
  rank: number;
  /** ConvInteger (int32 sums out) rather than QLinearConv. */
  integer: boolean;
}

function typeOf(data: unknown): QuantizedType | null {
  return data instanceof Uint8Array ? 'uint8' : data instanceof Int8Array ? 'int8' : null;
}

/** Checks a quantized tensor argument's data, shape and type. */
function checkData(fn: string, name: string, t: unknown, rank: number, form: string): { data: Uint8Array | Int8Array; shape: number[]; type: QuantizedType } {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new TypeError(`${fn}: argument '${name}' must be a quantized tensor { data: Uint8Array | Int8Array, shape, scale, zeroPoint } ${form}, got ${describe(t)}`);
  }
  const o = t as Record<string, unknown>;
  const shape = checkShape(fn, `${name}.shape`, o.shape, rank, form);
  const type = typeOf(o.data);
  if (!type) {
    throw new TypeError(`${fn}: argument '${name}' must have 'data' as a Uint8Array or an Int8Array (8-bit values), got ${describe(o.data)}`);
  }
  const data = o.data as Uint8Array | Int8Array;
  if (data.length !== product(shape)) {
    throw new RangeError(`${fn}: argument '${name}' has shape [${shape.join(', ')}] (${product(shape)} elements) but its data holds ${data.length} elements`);
  }
  return { data, shape, type };
}

function checkScale(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${what} must be a positive finite number, got ${describe(v)}`);
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${fn}: ${what} must be a positive finite number, got ${v}`);
  return v;
}

function checkZero(fn: string, what: string, v: unknown, type: QuantizedType): number {
  const [lo, hi] = RANGES[type];
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${what} must be an integer from ${lo} to ${hi} (${type}), got ${describe(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${fn}: ${what} must be an integer from ${lo} to ${hi} (${type}), got ${v}`);
  return v;
}

/** A number or one number per output channel, checked by `check`, expanded to `count` values. */
function perChannel(fn: string, what: string, v: unknown, count: number, check: (what: string, v: unknown) => number): number[] {
  if (typeof v === 'number') return new Array(count).fill(check(what, v));
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    return [check(what, v)];
  }
  const a = Array.from(v as ArrayLike<unknown>);
  if (a.length !== count && a.length !== 1) {
    throw new RangeError(`${fn}: ${what} must be one number or one per output channel (${count}), got ${a.length} values`);
  }
  const checked = a.map((e, i) => check(`${what}[${i}]`, e));
  return a.length === 1 ? new Array(count).fill(checked[0]) : checked;
}

function parsePadding(fn: string, p: unknown, rank: number): Pads | 'same' {
  const form = `a non-negative integer, ${rank} integers (one per spatial axis), ${rank} [begin, end] pairs, 'valid' or 'same'`;
  if (p === undefined || p === 'valid') return new Array(rank).fill(0).map(() => [0, 0]);
  if (p === 'same') return 'same';
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

/** Round half to even (as ONNX's rounding). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/**
 * The output bounds [lo, hi] in the quantized domain: the type's range narrowed by the activation
 * (a real bound b becomes zeroPoint + round_half_even(b / scale), in float64).
 */
function outputBounds(fn: string, a: unknown, out: { scale: number; zeroPoint: number; type: QuantizedType }): [number, number] {
  const [tmin, tmax] = RANGES[out.type];
  const at = (real: number) => Math.min(tmax, Math.max(tmin, real === Infinity ? tmax : real === -Infinity ? tmin : out.zeroPoint + roundHalfEven(real / out.scale)));
  if (a === undefined || a === null || a === 'none') return [tmin, tmax];
  if (a === 'relu') return [at(0), tmax];
  if (a === 'relu6') return [at(0), at(6)];
  if (typeof a === 'object' && (a as { type?: unknown }).type === 'clamp') {
    const { min, max } = a as { min: unknown; max: unknown };
    if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) {
      throw new TypeError(`${fn}: option 'activation' { type: 'clamp' } needs numbers 'min' and 'max', got min=${describe(min)}, max=${describe(max)}`);
    }
    if (min > max) throw new RangeError(`${fn}: option 'activation' { type: 'clamp' } needs min <= max, got min=${min}, max=${max}`);
    return [at(min), at(max)];
  }
  throw new TypeError(`${fn}: option 'activation' must be 'none', 'relu', 'relu6' or { type: 'clamp', min, max } for a quantized convolution, got ${describe(a)}`);
}

export class QuantizedPlan implements QuantizedConvPlan {
  private readonly kind: Kind;
  private readonly runFn: string;
  private readonly rt: Runtime;
  private readonly channelsLast: boolean;
  private readonly groups: number;
  private readonly kernel: number[];
  private readonly stride: number[];
  private readonly dilation: number[];
  private readonly padding: Pads | 'same';
  private readonly weightShape: number[];
  private readonly weightType: QuantizedType;
  private readonly weightScales: number[];
  private readonly inChannels: number;
  private readonly outChannels: number;
  private readonly output: { scale: number; zeroPoint: number; type: QuantizedType } | null;
  private readonly bounds: [number, number];
  /** Rows per group padded to 4, and the reduction padded to 2. */
  private readonly rowsPadded: number;
  private readonly reduction: number;
  /** Depthwise (one input channel per group): the direct kernel of assembly/qdepthwise.ts. */
  private readonly depthwise: boolean;
  private readonly blocks: { weights: number; bias: number; multipliers: number; descriptor: number };
  /** x.scale the multipliers in wasm memory were computed for. */
  private multipliersFor = NaN;
  private disposed = false;

  constructor(kind: Kind, weight: unknown, options: unknown, runFn = `${kind.fn}(...).run`) {
    const { fn, rank, integer } = kind;
    this.kind = kind;
    this.runFn = runFn;
    const o = checkOptions(fn, options, integer ? GEOMETRY_OPTIONS : QUANTIZED_OPTIONS);
    const wForm = `[out_channels, in_channels/groups, ${AXES[rank]}]`;
    const w = checkData(fn, 'weight', weight, rank + 2, wForm);
    this.weightShape = w.shape;
    this.weightType = w.type;
    this.kernel = w.shape.slice(2);
    if (w.shape.some((s) => s === 0)) {
      throw new RangeError(`${fn}: argument 'weight' must have non-zero sizes ${wForm}, got shape [${w.shape.join(', ')}]`);
    }
    const [Cout, Cg] = w.shape;
    const wo = weight as Record<string, unknown>;
    const zeros = integer && wo.zeroPoint === undefined
      ? new Array(Cout).fill(0)
      : perChannel(fn, 'weight.zeroPoint', wo.zeroPoint, Cout, (what, v) => checkZero(fn, what, v, w.type));
    this.weightScales = integer ? [] : perChannel(fn, 'weight.scale', wo.scale, Cout, (what, v) => checkScale(fn, what, v));
    this.groups = o.groups === undefined ? 1 : checkPositiveInt(fn, 'groups', o.groups);
    if (Cout % this.groups !== 0) {
      throw new RangeError(`${fn}: weight of shape [${w.shape.join(', ')}] has ${Cout} output channels, which is not divisible by groups=${this.groups}`);
    }
    this.inChannels = Cg * this.groups;
    this.outChannels = Cout;
    this.stride = perAxis(fn, 'stride', o.stride, rank, 1, checkPositiveInt);
    this.dilation = perAxis(fn, 'dilation', o.dilation, rank, 1, checkPositiveInt);
    this.padding = parsePadding(fn, o.padding, rank);
    const [first, last] = LAYOUTS[rank];
    if (o.layout !== undefined && o.layout !== first && o.layout !== last) {
      throw new TypeError(`${fn}: option 'layout' must be '${first}' (channels-first, the default) or '${last}' (channels-last), got ${describe(o.layout)}`);
    }
    this.channelsLast = o.layout === last;

    this.output = null;
    let bias: Int32Array | null = null;
    if (!integer) {
      const out = o.output as Record<string, unknown> | undefined;
      if (out === undefined || out === null || typeof out !== 'object') {
        throw new TypeError(`${fn}: option 'output' must be { scale, zeroPoint, type: 'uint8' | 'int8' } (the output's quantization), got ${describe(out)}`);
      }
      if (out.type !== 'uint8' && out.type !== 'int8') {
        throw new TypeError(`${fn}: option 'output.type' must be 'uint8' or 'int8', got ${describe(out.type)}`);
      }
      const type = out.type;
      this.output = { scale: checkScale(fn, "option 'output.scale'", out.scale), zeroPoint: checkZero(fn, "option 'output.zeroPoint'", out.zeroPoint, type), type };
      if (o.bias !== undefined && o.bias !== null) {
        if (!(o.bias instanceof Int32Array)) throw new TypeError(`${fn}: option 'bias' must be an Int32Array of ${Cout} values (one per output channel, in units of x.scale * w.scale), got ${describe(o.bias)}`);
        if (o.bias.length !== Cout) throw new RangeError(`${fn}: option 'bias' must hold one value per output channel (${Cout}), got ${o.bias.length} values`);
        bias = o.bias;
      }
    }
    this.bounds = this.output ? outputBounds(fn, o.activation, this.output) : [0, 0];
    // Sums wrap as int32 arithmetic does (as ONNX Runtime's), past 33025 products of extreme values.
    const K = Cg * product(this.kernel);

    this.rt = runtime(fn);
    const arena = this.rt.arena;
    const G = this.groups, Mg = Cout / G;
    const Mp = Math.ceil(Mg / 4) * 4, Kp = K + (K & 1);
    this.rowsPadded = Mp;
    this.reduction = Kp;
    // Panels of 4 rows: for each reduction pair, 4 rows x (k, k+1) as i16 (see qdescriptor.ts).
    // One input channel per group: the direct depthwise kernel (weights [Cout][taps]), else the GEMM.
    this.depthwise = Cg === 1;
    const weights = arena.alloc(this.depthwise ? Cout * K * 2 : G * Mp * Kp * 2, 'packed 8-bit weights');
    const bytesPerChannel = arena.alloc(G * Mp * 4, 'bias');
    const multipliers = arena.alloc(G * Mp * 4, 'requantization multipliers');
    const descriptor = arena.alloc(QSlot.Count * 4, 'descriptor');
    const packed = new Int16Array(this.rt.kernels.memory.buffer, weights, this.depthwise ? Cout * K : G * Mp * Kp).fill(0);
    const biasView = this.rt.arena.i32(bytesPerChannel, G * Mp).fill(0);
    for (let g = 0; g < G; g++) {
      for (let m = 0; m < Mg; m++) {
        const oc = g * Mg + m;
        const panel = (g * Mp + (m & ~3)) * Kp;
        for (let k = 0; k < K; k++) {
          const v = w.data[oc * K + k] - zeros[oc];
          if (this.depthwise) packed[oc * K + k] = v;
          else packed[panel + (k >> 1) * 8 + (m & 3) * 2 + (k & 1)] = v;
        }
        biasView[g * Mp + m] = bias ? bias[oc] : 0;
      }
    }
    this.blocks = { weights, bias: bytesPerChannel, multipliers, descriptor };
    dropped.register(this, { rt: this.rt, blocks: [weights, bytesPerChannel, multipliers, descriptor] }, this);
  }

  outputShape(inputShape: readonly number[]): number[] {
    this.checkAlive();
    const fn = `${this.kind.fn}(...).outputShape`;
    return this.geometry(checkShape(fn, 'inputShape', inputShape, this.kind.rank + 2, this.inputForm()), fn).outShape;
  }

  run(input: unknown): QuantizedTensor {
    this.checkAlive();
    const fn = this.runFn;
    const { rank, integer } = this.kind;
    const x = checkData(fn, 'input', input, rank + 2, this.inputForm());
    const xo = input as Record<string, unknown>;
    const xZero = integer && xo.zeroPoint === undefined ? 0 : checkZero(fn, 'input.zeroPoint', xo.zeroPoint, x.type);
    const xScale = integer ? 1 : checkScale(fn, 'input.scale', xo.scale);
    const g = this.geometry(x.shape, fn);
    const outType = this.output ? this.output.type : 'int32';
    const outCount = product(g.outShape);
    const result = outType === 'uint8' ? new Uint8Array(outCount) : outType === 'int8' ? new Int8Array(outCount) : new Int32Array(outCount);
    if (outCount === 0 || product(x.shape) === 0) return this.wrap(result, g.outShape);
    const { arena, kernels } = this.rt;
    const elem = outType === 'int32' ? 4 : 1;
    const Kp = this.reduction;
    const [D, H, W] = toThreeAxes(g.spatial, 1);
    const [OD, OH, OW] = toThreeAxes(g.out, 1);
    const [KD, KH, KW] = toThreeAxes(this.kernel, 1);
    const [SD, SH, SW] = toThreeAxes(this.stride, 1);
    const [DD, DH, DW] = toThreeAxes(this.dilation, 1);
    const [PD, PH, PW] = toThreeAxes(g.pads.map((p) => p[0]), 0);
    // The padded planes hold every byte the kernels read on the output grid with rows rounded up
    // to 8 pixels: 8 bytes per row segment at stride 1, 16 at stride 2, 8 single bytes otherwise.
    const OWr = Math.ceil(OW / 8) * 8;
    const segment = SW === 1 ? 8 : SW === 2 ? 16 : 7 * SW + 1;
    const DP = Math.max(PD + D, (OD - 1) * SD + (KD - 1) * DD + 1);
    const HP = Math.max(PH + H, (OH - 1) * SH + (KH - 1) * DH + 1);
    const WP = Math.max(PW + W, (OWr - 8) * SW + (KW - 1) * DW + segment);
    const paddedBytes = g.N * g.C * DP * HP * WP;
    const gridPixels = OD * OH * OWr;
    const blockP = Math.max(8, Math.min(512, Math.floor(BLOCK_BYTES / (2 * Kp) / 8) * 8, gridPixels));
    if (paddedBytes > MAX_ELEMENTS) {
      throw new RangeError(`${fn}: input of shape [${x.shape.join(', ')}] padded to ${DP} x ${HP} x ${WP} per channel is too large for a 4 GiB WebAssembly memory; split the batch`);
    }
    const blocks: number[] = [];
    try {
      const inPtr = arena.alloc(x.data.length, 'the 8-bit input'); blocks.push(inPtr);
      const padded = arena.alloc(paddedBytes, 'the padded 8-bit input'); blocks.push(padded);
      const outPtr = arena.alloc(outCount * elem, 'the output'); blocks.push(outPtr);
      // Workspace: tap offsets, packed block, a 4x8 tile (see quantizedConvForward); depthwise: 64 bytes.
      const workBytes = this.depthwise ? 64 : Math.ceil(Kp / 4) * 16 + blockP * Kp * 2 + 128;
      const work = arena.alloc(workBytes, 'the workspace'); blocks.push(work);
      // Views are made after the last allocation (a growing memory detaches older ones).
      const d = this.blocks.descriptor;
      const slots = arena.i32(d, QSlot.Count);
      const src = x.type === 'int8' ? new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.length) : x.data;
      new Uint8Array(kernels.memory.buffer, inPtr, x.data.length).set(src);
      if (!integer && this.multipliersFor !== xScale) {
        const view = arena.f32(this.blocks.multipliers, this.groups * this.rowsPadded).fill(0);
        const Mg = this.outChannels / this.groups;
        const ys = Math.fround(this.output!.scale);
        for (let oc = 0; oc < this.outChannels; oc++) {
          view[Math.floor(oc / Mg) * this.rowsPadded + (oc % Mg)] = Math.fround(Math.fround(Math.fround(xScale) * Math.fround(this.weightScales[oc])) / ys);
        }
        this.multipliersFor = xScale;
      }
      const P = g.P;
      slots.fill(0);
      slots[QSlot.Input] = inPtr; slots[QSlot.InputSigned] = x.type === 'int8' ? 1 : 0; slots[QSlot.InputZero] = xZero;
      slots[QSlot.InputChannelsLast] = this.channelsLast ? 1 : 0;
      slots[QSlot.Batch] = g.N; slots[QSlot.InChannels] = g.C;
      slots[QSlot.InD] = D; slots[QSlot.InH] = H; slots[QSlot.InW] = W;
      slots[QSlot.PadD] = PD; slots[QSlot.PadH] = PH; slots[QSlot.PadW] = PW;
      slots[QSlot.Padded] = padded; slots[QSlot.PaddedD] = DP; slots[QSlot.PaddedH] = HP; slots[QSlot.PaddedW] = WP;
      slots[QSlot.OutD] = OD; slots[QSlot.OutH] = OH; slots[QSlot.OutW] = OW;
      slots[QSlot.KernelD] = KD; slots[QSlot.KernelH] = KH; slots[QSlot.KernelW] = KW;
      slots[QSlot.StrideD] = SD; slots[QSlot.StrideH] = SH; slots[QSlot.StrideW] = SW;
      slots[QSlot.DilationD] = DD; slots[QSlot.DilationH] = DH; slots[QSlot.DilationW] = DW;
      slots[QSlot.Groups] = this.groups; slots[QSlot.GroupOutChannels] = this.outChannels / this.groups;
      slots[QSlot.Weights] = this.blocks.weights; slots[QSlot.Bias] = this.blocks.bias; slots[QSlot.Multipliers] = this.blocks.multipliers;
      slots[QSlot.Output] = outPtr;
      slots[QSlot.OutputKind] = outType === 'int32' ? QOut.Int32 : outType === 'uint8' ? QOut.Uint8 : QOut.Int8;
      slots[QSlot.OutputZero] = this.output ? this.output.zeroPoint : 0;
      slots[QSlot.OutputLo] = this.bounds[0]; slots[QSlot.OutputHi] = this.bounds[1];
      slots[QSlot.OutChannelStride] = this.channelsLast ? 1 : P;
      slots[QSlot.OutPixelStride] = this.channelsLast ? this.outChannels : 1;
      slots[QSlot.OutImageStride] = this.outChannels * P;
      slots[QSlot.BlockP] = blockP; slots[QSlot.Workspace] = work;
      if (this.depthwise) kernels.quantizedDepthwiseForward(d);
      else kernels.quantizedConvForward(d);
      const buffer = kernels.memory.buffer;
      if (outType === 'int32') result.set(new Int32Array(buffer, outPtr, outCount));
      else new Uint8Array(result.buffer).set(new Uint8Array(buffer, outPtr, outCount));
      return this.wrap(result, g.outShape);
    } finally {
      for (const b of blocks) arena.release(b);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    dropped.unregister(this);
    if (this.rt.generation === currentGeneration()) {
      for (const b of Object.values(this.blocks)) this.rt.arena.release(b);
    }
  }

  private wrap(data: Uint8Array | Int8Array | Int32Array, shape: number[]): QuantizedTensor {
    if (!this.output) return { data, shape } as unknown as QuantizedTensor;
    return { data: data as Uint8Array | Int8Array, shape, scale: this.output.scale, zeroPoint: this.output.zeroPoint };
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error(`${this.runFn}: this plan was disposed; create a new one`);
    if (this.rt.generation !== currentGeneration()) {
      throw new Error(`${this.runFn}: this plan belongs to a wasmconv instance that was reset or switched backend; create it again after ready()`);
    }
  }

  private inputForm(): string {
    const rank = this.kind.rank;
    return `[${this.channelsLast ? ['N', ...AXES[rank].split(', '), 'C'].join(', ') : `N, C, ${AXES[rank]}`}]`;
  }

  private geometry(s: number[], fn: string) {
    const rank = this.kind.rank;
    const N = s[0];
    const C = this.channelsLast ? s[rank + 1] : s[1];
    const spatial = this.channelsLast ? s.slice(1, rank + 1) : s.slice(2);
    const layout = LAYOUTS[rank][this.channelsLast ? 1 : 0];
    if (spatial.some((v) => v < 1)) {
      throw new RangeError(`${fn}: argument 'input' must have spatial sizes of at least 1 (layout ${layout}), got shape [${s.join(', ')}]`);
    }
    if (C !== this.inChannels) {
      throw new RangeError(`${fn}: given groups=${this.groups}, weight of shape [${this.weightShape.join(', ')}], expected input of shape [${s.join(', ')}] (layout ${layout}) to have ${this.inChannels} channels (${this.weightShape[1]} per group), but got ${C} channels instead`);
    }
    const pads: Pads = this.padding === 'same'
      ? spatial.map((n, i) => samePads(n, this.kernel[i], this.stride[i], this.dilation[i]))
      : this.padding.map((p) => [p[0], p[1]] as [number, number]);
    spatial.forEach((n, i) => {
      if (n + pads[i][0] + pads[i][1] < this.dilation[i] * (this.kernel[i] - 1) + 1) {
        throw new RangeError(`${fn}: calculated padded input size per channel (${spatial.map((v, j) => v + pads[j][0] + pads[j][1]).join(' x ')}) is smaller than the dilated kernel size (${this.kernel.map((k, j) => this.dilation[j] * (k - 1) + 1).join(' x ')}): the kernel can't be larger than the padded input (input shape [${s.join(', ')}])`);
      }
    });
    const out = spatial.map((n, i) => convOutSize(n, this.kernel[i], this.stride[i], this.dilation[i], pads[i]));
    const outShape = this.channelsLast ? [N, ...out, this.outChannels] : [N, this.outChannels, ...out];
    if (product(s) > MAX_ELEMENTS || product(outShape) * (this.output ? 1 : 4) > MAX_ELEMENTS) {
      throw new RangeError(`${fn}: input of shape [${s.join(', ')}] with output shape [${outShape.join(', ')}] is too large for a 4 GiB WebAssembly memory; split the batch`);
    }
    return { N, C, spatial, out, pads, outShape, P: product(out), inPlane: product(spatial) };
  }
}

function oneShot(kind: Kind, x: unknown, w: unknown, options: unknown): QuantizedTensor {
  const plan = new QuantizedPlan(kind, w, options, kind.fn);
  try {
    return plan.run(x);
  } finally {
    plan.dispose();
  }
}

/** Plan of a quantized 1-D convolution (ONNX QLinearConv): weight `[Cout, Cin/groups, kW]`. */
export function createQuantizedConv1d(weight: QuantizedTensorLike, options: QuantizedConv1dOptions): QuantizedConvPlan {
  return new QuantizedPlan({ fn: 'createQuantizedConv1d', rank: 1, integer: false }, weight, options);
}
/** Plan of a quantized 2-D convolution (ONNX QLinearConv): weight `[Cout, Cin/groups, kH, kW]`. */
export function createQuantizedConv2d(weight: QuantizedTensorLike, options: QuantizedConv2dOptions): QuantizedConvPlan {
  return new QuantizedPlan({ fn: 'createQuantizedConv2d', rank: 2, integer: false }, weight, options);
}
/** Plan of a quantized 3-D convolution (ONNX QLinearConv): weight `[Cout, Cin/groups, kD, kH, kW]`. */
export function createQuantizedConv3d(weight: QuantizedTensorLike, options: QuantizedConv3dOptions): QuantizedConvPlan {
  return new QuantizedPlan({ fn: 'createQuantizedConv3d', rank: 3, integer: false }, weight, options);
}
/** Quantized 1-D convolution of `x` `[N, C, W]` (or NWC) (ONNX QLinearConv). */
export function quantizedConv1d(x: QuantizedTensorLike, w: QuantizedTensorLike, options: QuantizedConv1dOptions): QuantizedTensor {
  return oneShot({ fn: 'quantizedConv1d', rank: 1, integer: false }, x, w, options);
}
/** Quantized 2-D convolution of `x` `[N, C, H, W]` (or NHWC) (ONNX QLinearConv). */
export function quantizedConv2d(x: QuantizedTensorLike, w: QuantizedTensorLike, options: QuantizedConv2dOptions): QuantizedTensor {
  return oneShot({ fn: 'quantizedConv2d', rank: 2, integer: false }, x, w, options);
}
/** Quantized 3-D convolution of `x` `[N, C, D, H, W]` (or NDHWC) (ONNX QLinearConv). */
export function quantizedConv3d(x: QuantizedTensorLike, w: QuantizedTensorLike, options: QuantizedConv3dOptions): QuantizedTensor {
  return oneShot({ fn: 'quantizedConv3d', rank: 3, integer: false }, x, w, options);
}
/** 8-bit 1-D convolution with int32 sums out (ONNX ConvInteger). */
export function integerConv1d(x: IntegerTensorLike, w: IntegerTensorLike, options?: IntegerConv1dOptions): { data: Int32Array; shape: number[] } {
  return oneShot({ fn: 'integerConv1d', rank: 1, integer: true }, x, w, options) as unknown as { data: Int32Array; shape: number[] };
}
/** 8-bit 2-D convolution with int32 sums out (ONNX ConvInteger). */
export function integerConv2d(x: IntegerTensorLike, w: IntegerTensorLike, options?: IntegerConv2dOptions): { data: Int32Array; shape: number[] } {
  return oneShot({ fn: 'integerConv2d', rank: 2, integer: true }, x, w, options) as unknown as { data: Int32Array; shape: number[] };
}
/** 8-bit 3-D convolution with int32 sums out (ONNX ConvInteger). */
export function integerConv3d(x: IntegerTensorLike, w: IntegerTensorLike, options?: IntegerConv3dOptions): { data: Int32Array; shape: number[] } {
  return oneShot({ fn: 'integerConv3d', rank: 3, integer: true }, x, w, options) as unknown as { data: Int32Array; shape: number[] };
}
