/** Small inline helpers every kernel uses to read its descriptor and lay out its workspace. */
import { Slot } from './descriptor';

/** The i32 slot of the descriptor at `d`. */
// @ts-ignore: decorator
@inline export function field(d: usize, slot: Slot): i32 { return load<i32>(d + (<usize>slot << 2)); }
/** The f32 slot of the descriptor at `d`. */
// @ts-ignore: decorator
@inline export function fieldF(d: usize, slot: Slot): f32 { return load<f32>(d + (<usize>slot << 2)); }
/** `n` rounded up to a multiple of 16. */
// @ts-ignore: decorator
@inline export function align16(n: usize): usize { return (n + 15) & ~<usize>15; }
/** `n` rounded up to a multiple of `m`. */
// @ts-ignore: decorator
@inline export function roundUp(n: i32, m: i32): i32 { return (n + m - 1) / m * m; }
