/** Transposed convolution (the gradient of convolution with respect to its input): 1-D, 2-D, 3-D. */
import { Plan } from '../plan.ts';
import { convSpec } from '../options.ts';
import { oneShot, oneShotAsync } from './conv.ts';
import type {
  ConvPlan, ConvTranspose1dOptions, ConvTranspose2dOptions, ConvTranspose3dOptions, Tensor, TensorLike,
} from '../types.ts';

/** Plan of a 1-D transposed convolution: weight `[Cin, Cout/groups, kW]`. */
export function createConvTranspose1d(weight: TensorLike, options?: ConvTranspose1dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConvTranspose1d', rank: 1, transposed: true }, weight, options));
}
/** Plan of a 2-D transposed convolution: weight `[Cin, Cout/groups, kH, kW]`. */
export function createConvTranspose2d(weight: TensorLike, options?: ConvTranspose2dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConvTranspose2d', rank: 2, transposed: true }, weight, options));
}
/** Plan of a 3-D transposed convolution: weight `[Cin, Cout/groups, kD, kH, kW]`. */
export function createConvTranspose3d(weight: TensorLike, options?: ConvTranspose3dOptions): ConvPlan {
  return new Plan(convSpec({ fn: 'createConvTranspose3d', rank: 3, transposed: true }, weight, options));
}

/** 1-D transposed convolution of `x` `[N, Cin, W]` with `w` `[Cin, Cout/groups, kW]`. */
export function convTranspose1d(x: TensorLike, w: TensorLike, options?: ConvTranspose1dOptions): Tensor {
  return oneShot({ fn: 'convTranspose1d', rank: 1, transposed: true }, x, w, options);
}
/** 2-D transposed convolution of `x` `[N, Cin, H, W]` with `w` `[Cin, Cout/groups, kH, kW]`. */
export function convTranspose2d(x: TensorLike, w: TensorLike, options?: ConvTranspose2dOptions): Tensor {
  return oneShot({ fn: 'convTranspose2d', rank: 2, transposed: true }, x, w, options);
}
/** 3-D transposed convolution of `x` `[N, Cin, D, H, W]` with `w` `[Cin, Cout/groups, kD, kH, kW]`. */
export function convTranspose3d(x: TensorLike, w: TensorLike, options?: ConvTranspose3dOptions): Tensor {
  return oneShot({ fn: 'convTranspose3d', rank: 3, transposed: true }, x, w, options);
}

/** `convTranspose1d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function convTranspose1dAsync(x: TensorLike, w: TensorLike, options?: ConvTranspose1dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'convTranspose1dAsync', rank: 1, transposed: true }, x, w, options);
}
/** `convTranspose2d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function convTranspose2dAsync(x: TensorLike, w: TensorLike, options?: ConvTranspose2dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'convTranspose2dAsync', rank: 2, transposed: true }, x, w, options);
}
/** `convTranspose3d` computed on worker threads when there are any (see `ConvPlan.runAsync`). */
export function convTranspose3dAsync(x: TensorLike, w: TensorLike, options?: ConvTranspose3dOptions): Promise<Tensor> {
  return oneShotAsync({ fn: 'convTranspose3dAsync', rank: 3, transposed: true }, x, w, options);
}
