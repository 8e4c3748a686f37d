// TensorFlow.js (tfjs-core 4.22) on the wasm backend (XNNPACK) or the plain-JS cpu backend.
//
// How each workload maps onto tfjs (checked on Node 20 with 4.22.0):
// - tfjs works channels-last: the input is converted to NHWC / NDHWC and the weights to
//   [...k, Cin, Cout] once, outside the timed calls; the output is converted back only for the
//   accuracy check. Its timed call is the op, the bias, `dataSync()` (the result as a JS array,
//   as ONNX Runtime returns it) and the dispose of the result.
// - 2-D conv: `tf.fused.conv2d` with the bias fused and explicit pads
//   `[[0,0],[top,bottom],[left,right],[0,0]]`. tfjs rejects stride > 1 together with dilation > 1.
// - depthwise (groups == Cin, any channel multiplier): `tf.fused.depthwiseConv2d`, explicit pads.
// - other groups: tfjs has no grouped convolution → n/a (emulating it with split/concat would time
//   something else).
// - 1-D conv: `tf.conv1d` with a numeric padding fails with a shape error in 4.22 ("Size(...)
//   must match the product of shape ...") and only takes 'same' / 'valid'; it is itself conv2d on
//   H = 1, so conv2d with H = 1 and explicit pads is used directly.
// - 3-D conv: `tf.conv3d` takes only 'same' or 'valid' padding. Symmetric pads that equal
//   TensorFlow's SAME padding use 'same', zero pads 'valid'; other pads are applied by `tf.pad`
//   inside the timed call (what a tfjs user would have to do). Bias: `tf.add`.
// - transposed 2-D / 1-D: `tf.conv2dTranspose` with explicit pads and an explicit outputShape
//   (the ONNX/PyTorch geometry, output padding included), bias by `tf.add`; it has no dilation and
//   no groups → n/a for those. A numeric pad gives wrong results (wasm) or a wrong output size
//   (cpu) in 4.22 when the kernel is not square (e.g. 2x3), so explicit pads are used always.
// - transposed 3-D: `tf.conv3dTranspose` with 'same' / 'valid' when that matches, else n/a.
// - Modes: resident keeps the input tensor in the backend for the whole workload (made once);
//   plain makes it from the (channels-last) JS array inside the timed call and disposes it after.
// - Production mode (tf.enableProdMode) is on: in 4.22 it only silences tfjs's console output.
import * as tf from '@tensorflow/tfjs-core';
import { NotAvailable } from '../lib/impls.mjs';
import { toChannelsFirst, toChannelsLast } from '../lib/workload.mjs';

export async function init(options) {
  const name = options.backend;
  tf.enableProdMode(); // silences the "install tfjs-node" banner of the cpu backend
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else throw new Error(`unknown tfjs backend '${name}'`);
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  const info = { version: tf.version_core, backend: tf.getBackend() };
  if (name === 'wasm') {
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.backend = `wasm (${info.simd ? 'SIMD' : 'no SIMD'}, XNNPACK)`;
  }
  return info;
}

/** conv weights [Cout, Cin/g, ...k] → tfjs filter [...k, Cin/g, Cout] (depthwise: [...k, Cin, mult]). */
function convFilter(wl, w) {
  const cig = wl.cin / wl.groups;
  const kVol = wl.k.reduce((a, b) => a * b, 1);
  const f = new Float32Array(w.length);
  for (let co = 0; co < wl.cout; co++) {
    for (let ci = 0; ci < cig; ci++) {
      for (let k = 0; k < kVol; k++) f[(k * cig + ci) * wl.cout + co] = w[(co * cig + ci) * kVol + k];
    }
  }
  return f;
}

/** transposed weights [Cin, Cout, ...k] → tfjs filter [...k, Cout, Cin]. */
function transposeFilter(wl, w) {
  const kVol = wl.k.reduce((a, b) => a * b, 1);
  const f = new Float32Array(w.length);
  for (let ci = 0; ci < wl.cin; ci++) {
    for (let co = 0; co < wl.cout; co++) {
      for (let k = 0; k < kVol; k++) f[(k * wl.cout + co) * wl.cin + ci] = w[(ci * wl.cout + co) * kVol + k];
    }
  }
  return f;
}

/** TensorFlow's SAME padding of a forward conv: [begin, end] per axis. */
function samePads(size, k, s, d) {
  return size.map((n, a) => {
    const out = Math.ceil(n / s[a]);
    const total = Math.max((out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

/** 'same' or 'valid' when one of them gives symmetric `pad`, else null. */
function namedPadding(wl, forwardIn) {
  if (wl.pad.every((p) => p === 0)) return 'valid';
  const same = samePads(forwardIn, wl.k, wl.stride, wl.dilation);
  return same.every(([b, e], a) => b === wl.pad[a] && e === wl.pad[a]) ? 'same' : null;
}

export async function prepare(wl, { x, w, b }, mode = 'resident') {
  const keep = []; // tensors resident for the whole workload
  const hold = (t) => (keep.push(t), t);
  const xl = toChannelsLast(x, wl.xShape);
  const lift = wl.rank === 1; // 1-D runs as 2-D with H = 1
  const spatialIn = lift ? [1, ...wl.in] : wl.in;
  const spatialOut = lift ? [1, ...wl.out] : wl.out;
  const kk = lift ? [1, ...wl.k] : wl.k;
  const stride = lift ? [1, ...wl.stride] : wl.stride;
  const dilation = lift ? [1, ...wl.dilation] : wl.dilation;
  const pads = lift ? [[0, 0], [wl.pad[0], wl.pad[0]]] : wl.pad.map((p) => [p, p]);
  const xShapeLast = [wl.n, ...spatialIn, wl.cin];
  const resident = mode !== 'plain';
  const xt = resident ? hold(tf.tensor(xl, xShapeLast)) : null;
  const bias = hold(tf.tensor1d(b));
  let op;
  try {
    op = makeOp();
  } catch (err) {
    keep.forEach((t) => t.dispose());
    throw err;
  }

  // The timed op, or NotAvailable when tfjs cannot express the workload.
  function makeOp() {
    if (wl.op === 'conv') {
      const filter = convFilter(wl, w);
      if (wl.stride.some((s) => s > 1) && wl.dilation.some((d) => d > 1)) {
        throw new NotAvailable('tfjs does not support stride > 1 together with dilation > 1');
      }
      if (wl.groups > 1 && !wl.depthwise) throw new NotAvailable('tfjs has no grouped convolution');
      if (wl.rank <= 2) {
        const explicit = [[0, 0], ...pads, [0, 0]];
        if (wl.depthwise) {
          const ft = hold(tf.tensor(filter, [...kk, wl.cin, wl.cout / wl.cin]));
          return (xt) => tf.fused.depthwiseConv2d({
            x: xt, filter: ft, strides: stride, pad: explicit, dataFormat: 'NHWC', dilations: dilation, bias,
          });
        } else {
          const ft = hold(tf.tensor(filter, [...kk, wl.cin, wl.cout]));
          return (xt) => tf.fused.conv2d({
            x: xt, filter: ft, strides: stride, pad: explicit, dataFormat: 'NHWC', dilations: dilation, bias,
          });
        }
      } else {
        if (wl.depthwise) throw new NotAvailable('tfjs has no 3-D depthwise convolution');
        const ft = hold(tf.tensor(filter, [...wl.k, wl.cin, wl.cout]));
        const named = namedPadding(wl, wl.in);
        if (named) {
          return (xt) => tf.add(tf.conv3d(xt, ft, wl.stride, named, 'NDHWC', wl.dilation), bias);
        } else {
          const padding = [[0, 0], ...pads, [0, 0]];
          return (xt) => tf.add(tf.conv3d(tf.pad(xt, padding), ft, wl.stride, 'valid', 'NDHWC', wl.dilation), bias);
        }
      }
    } else {
      if (wl.groups > 1) throw new NotAvailable('tfjs has no grouped transposed convolution');
      if (wl.dilation.some((d) => d > 1)) throw new NotAvailable('tfjs transposed convolutions have no dilation');
      const filter = transposeFilter(wl, w);
      const outShape = [wl.n, ...spatialOut, wl.cout];
      if (wl.rank <= 2) {
        const ft = hold(tf.tensor(filter, [...kk, wl.cout, wl.cin]));
        const explicit = [[0, 0], ...pads, [0, 0]];
        return (xt) => tf.add(tf.conv2dTranspose(xt, ft, outShape, stride, explicit), bias);
      } else {
        const ft = hold(tf.tensor(filter, [...wl.k, wl.cout, wl.cin]));
        const named = namedPadding(wl, wl.out);
        // The forward convolution of the output shape must give back the input shape.
        const forwardOk = wl.out.every((n, a) => wl.in[a] === (named === 'same'
          ? Math.ceil(n / wl.stride[a])
          : Math.floor((n - wl.dilation[a] * (wl.k[a] - 1) - 1) / wl.stride[a]) + 1));
        if (!named || !forwardOk) throw new NotAvailable('tfjs conv3dTranspose takes only same/valid padding');
        return (xt) => tf.add(tf.conv3dTranspose(xt, ft, outShape, wl.stride, named), bias);
      }
    }
  }

  return {
    run: resident
      ? () => {
        const y = tf.tidy(() => op(xt));
        const data = y.dataSync();
        y.dispose();
        return data;
      }
      : () => {
        const xp = tf.tensor(xl, xShapeLast);
        const y = tf.tidy(() => op(xp));
        xp.dispose();
        const data = y.dataSync();
        y.dispose();
        return data;
      },
    read: (data) => toChannelsFirst(data, wl.yShape),
    dispose: () => keep.forEach((t) => t.dispose()),
  };
}
