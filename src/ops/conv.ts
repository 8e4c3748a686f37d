/** Forward convolution (cross-correlation, or true convolution with `flip`): 1-D, 2-D, 3-D. */
import { Plan } from '../plan.ts';
import { convSpec } from '../options.ts';
import type { ConvKind } from '../spec.ts';
import type {
  ConvPlan, Conv1dOptions, Conv2dOptions, Conv3dOptions, Tensor, TensorLike,
} from '../types.ts';

function oneShot(kind: ConvKind, x: TensorLike, w: TensorLike, options: object | undefined): Tensor {
  const plan = new Plan(convSpec(kind, w, options, { runFn: kind.fn }));
  try {
    return plan.run(x);
  } finally {
    plan.dispose();
  }
}

/** Plan of a 1-D convolution: weight `[Cout, Cin/groups, kW]`, input `[N, C, W]` (or `NWC`). */
export function createConv1d(weight: TensorLike, options?: Conv1dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConv1d', rank: 1, transposed: false }, weight, options));
}
/** Plan of a 2-D convolution: weight `[Cout, Cin/groups, kH, kW]`, input `[N, C, H, W]` (or `NHWC`). */
export function createConv2d(weight: TensorLike, options?: Conv2dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConv2d', rank: 2, transposed: false }, weight, options));
}
/** Plan of a 3-D convolution: weight `[Cout, Cin/groups, kD, kH, kW]`, input `[N, C, D, H, W]` (or `NDHWC`). */
export function createConv3d(weight: TensorLike, options?: Conv3dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConv3d', rank: 3, transposed: false }, weight, options));
}

/** 1-D convolution of `x` `[N, C, W]` with `w` `[Cout, Cin/groups, kW]`. */
export function conv1d(x: TensorLike, w: TensorLike, options?: Conv1dOptions): Tensor {
  return oneShot({ fn: 'conv1d', rank: 1, transposed: false }, x, w, options);
}
/** 2-D convolution of `x` `[N, C, H, W]` with `w` `[Cout, Cin/groups, kH, kW]`. */
export function conv2d(x: TensorLike, w: TensorLike, options?: Conv2dOptions): Tensor {
  return oneShot({ fn: 'conv2d', rank: 2, transposed: false }, x, w, options);
}
/** 3-D convolution of `x` `[N, C, D, H, W]` with `w` `[Cout, Cin/groups, kD, kH, kW]`. */
export function conv3d(x: TensorLike, w: TensorLike, options?: Conv3dOptions): Tensor {
  return oneShot({ fn: 'conv3d', rank: 3, transposed: false }, x, w, options);
}

async function oneShotAsync(kind: ConvKind, x: TensorLike, w: TensorLike, options: object | undefined): Promise<Tensor> {
  const plan = new Plan(convSpec(kind, w, options, { runFn: kind.fn }));
  try {
    return await plan.runAsync(x);
  } finally {
    plan.dispose();
  }
}

/** `conv1d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function conv1dAsync(x: TensorLike, w: TensorLike, options?: Conv1dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'conv1dAsync', rank: 1, transposed: false }, x, w, options);
}
/** `conv2d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function conv2dAsync(x: TensorLike, w: TensorLike, options?: Conv2dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'conv2dAsync', rank: 2, transposed: false }, x, w, options);
}
/** `conv3d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function conv3dAsync(x: TensorLike, w: TensorLike, options?: Conv3dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'conv3dAsync', rank: 3, transposed: false }, x, w, options);
}

export { oneShot, oneShotAsync };
