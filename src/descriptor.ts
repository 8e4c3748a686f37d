/**
 * Writing a job descriptor (assembly/descriptor.ts, the contract between the wrapper and the
 * kernels): the geometry of one run, the addresses of its blocks, the activation, and the
 * algorithm's blocking and slots of its own.
 */
import { Slot } from '../assembly/descriptor.ts';
import type { Arena } from './memory.ts';
import type { ConvSpec } from './spec.ts';
import type { Geometry } from './geometry.ts';
import type { Algorithm } from './algorithms/index.ts';
import { toThreeAxes } from './shape.ts';

/** The blocks a run reads: the packed weights of its kernel, the bias (0 without), the plan's descriptor. */
export interface PlanBlocks { weights: number; bias: number; descriptor: number }

/**
 * Writes the descriptor at `blocks.descriptor` for a run of `algorithm`'s kernel number `kernel`
 * on its geometry `g`, reading the input at `x` and writing the output at `y`, with workspace `ws`
 * and `threads` threads to block for.
 */
export function writeDescriptor(
  arena: Arena, spec: ConvSpec, algorithm: Algorithm, kernel: number, blocks: PlanBlocks, g: Geometry, x: number, y: number, ws: number,
  threads: number,
): void {
  const d = arena.i32(blocks.descriptor, Slot.Count);
  const f = arena.f32(blocks.descriptor, Slot.Count);
  const [iD, iH, iW] = toThreeAxes(g.inSpatial, 1);
  const [oD, oH, oW] = toThreeAxes(g.out, 1);
  const [kD, kH, kW] = toThreeAxes(g.kernel, 1);
  const [sD, sH, sW] = toThreeAxes(g.stride, 1);
  const [dD, dH, dW] = toThreeAxes(g.dilation, 1);
  const [pD, pH, pW] = toThreeAxes(g.pads.map((p) => p[0]), 0);
  d[Slot.Layout] = spec.channelsLast ? 1 : 0;
  d[Slot.Batch] = g.N;
  d[Slot.InChannels] = g.C;
  d[Slot.InD] = iD; d[Slot.InH] = iH; d[Slot.InW] = iW;
  d[Slot.OutChannels] = spec.outChannels;
  d[Slot.OutD] = oD; d[Slot.OutH] = oH; d[Slot.OutW] = oW;
  d[Slot.KernelD] = kD; d[Slot.KernelH] = kH; d[Slot.KernelW] = kW;
  d[Slot.StrideD] = sD; d[Slot.StrideH] = sH; d[Slot.StrideW] = sW;
  d[Slot.DilationD] = dD; d[Slot.DilationH] = dH; d[Slot.DilationW] = dW;
  d[Slot.PadD] = pD; d[Slot.PadH] = pH; d[Slot.PadW] = pW;
  d[Slot.Groups] = spec.groups;
  d[Slot.Input] = x; d[Slot.Output] = y;
  d[Slot.Weights] = blocks.weights; d[Slot.Bias] = blocks.bias;
  d[Slot.Workspace] = ws;
  const a = spec.activation;
  d[Slot.HasActivation] = a ? 1 : 0;
  f[Slot.ActLo] = a ? a.lo : -Infinity;
  f[Slot.ActHi] = a ? a.hi : Infinity;
  f[Slot.ActSlope] = a ? a.slope : 1;
  const { blockK, blockP } = algorithm.blocking(spec, g, threads, kernel);
  d[Slot.BlockK] = blockK;
  d[Slot.BlockP] = blockP;
  algorithm.writeSlots?.(spec, g, d, blocks.weights);
}
