// 8-bit versions of a workload's float data, the same for every 8-bit implementation, and a
// one-node ONNX QLinearConv model (uint8 activations, int8 weights per tensor, int32 bias).
//
// Quantization: x uint8 with scale 2/255 and zero point 128 (the data is uniform in [-1, 1));
// w int8 symmetric (zero point 0, scale max|w| / 127); bias int32 in units of x_scale * w_scale;
// y uint8 with zero point 128 and a scale that spreads the sums over the range. The outputs are
// dequantized by `read`, so they are close to, not equal to, the float reference.
import { Writer } from './onnx.mjs';

export function quantizeWorkload(wl, { x, w, b }) {
  const xScale = 2 / 255, xZero = 128;
  let wMax = 0;
  for (let i = 0; i < w.length; i++) wMax = Math.max(wMax, Math.abs(w[i]));
  const wScale = (wMax || 1) / 127;
  const xq = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) xq[i] = Math.min(255, Math.max(0, Math.round(x[i] / xScale) + xZero));
  const wq = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) wq[i] = Math.min(127, Math.max(-127, Math.round(w[i] / wScale)));
  const bq = b ? Int32Array.from(b, (v) => Math.round(v / (xScale * wScale))) : null;
  const fanIn = wl.wShape.slice(1).reduce((p, v) => p * v, 1);
  const yScale = Math.fround(xScale * wScale * Math.sqrt(fanIn) * 128);
  return {
    x: { data: xq, scale: Math.fround(xScale), zeroPoint: xZero },
    w: { data: wq, scale: Math.fround(wScale), zeroPoint: 0 },
    b: bq,
    y: { scale: yScale, zeroPoint: 128 },
  };
}

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6; // TensorProto.DataType
const ATTR_INT = 2, ATTR_INTS = 7;
const ELEMENT_BYTES = { [FLOAT]: 4, [UINT8]: 1, [INT8]: 1, [INT32]: 4 };

function attribute(n, name, value) {
  n.message(5, (a) => {
    a.string(1, name);
    if (Array.isArray(value)) { a.packedInts(8, value); a.int(20, ATTR_INTS); } else { a.int(3, value); a.int(20, ATTR_INT); }
  });
}

/** An initializer: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian). */
function initializer(g, name, type, dims, values) {
  g.message(5, (t) => {
    if (dims.length) t.packedInts(1, dims);
    t.int(2, type);
    t.string(8, name);
    const raw = new Uint8Array(values.length * ELEMENT_BYTES[type]);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) {
      if (type === FLOAT) view.setFloat32(i * 4, values[i], true);
      else if (type === INT32) view.setInt32(i * 4, values[i], true);
      else if (type === INT8) view.setInt8(i, values[i]);
      else view.setUint8(i, values[i]);
    }
    t.lenDelimited(9, raw);
  });
}

function valueInfo(g, field, name, type, dims) {
  g.message(field, (v) => {
    v.string(1, name);
    v.message(2, (ty) => ty.message(1, (tt) => {
      tt.int(1, type);
      tt.message(2, (shape) => { for (const d of dims) shape.message(1, (dim) => dim.int(1, d)); });
    }));
  });
}

/** Bytes of an ONNX model computing Y = QLinearConv(X, ...) with everything but X as initializers. */
export function buildQLinearConvModel(wl, q) {
  const inputs = ['X', 'x_scale', 'x_zero_point', 'W', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point'];
  if (q.b) inputs.push('B');
  const m = new Writer();
  m.int(1, 8);
  m.string(2, 'wasmconv-bench');
  m.message(7, (g) => {
    g.message(1, (n) => {
      for (const name of inputs) n.string(1, name);
      n.string(2, 'Y');
      n.string(3, 'qconv0');
      n.string(4, 'QLinearConv');
      attribute(n, 'kernel_shape', wl.k);
      attribute(n, 'strides', wl.stride);
      attribute(n, 'pads', [...wl.pad, ...wl.pad]);
      attribute(n, 'dilations', wl.dilation);
      attribute(n, 'group', wl.groups);
    });
    g.string(2, 'single_qlinearconv');
    initializer(g, 'x_scale', FLOAT, [], [q.x.scale]);
    initializer(g, 'x_zero_point', UINT8, [], [q.x.zeroPoint]);
    initializer(g, 'W', INT8, wl.wShape, q.w.data);
    initializer(g, 'w_scale', FLOAT, [], [q.w.scale]);
    initializer(g, 'w_zero_point', INT8, [], [q.w.zeroPoint]);
    initializer(g, 'y_scale', FLOAT, [], [q.y.scale]);
    initializer(g, 'y_zero_point', UINT8, [], [q.y.zeroPoint]);
    if (q.b) initializer(g, 'B', INT32, [q.b.length], q.b);
    valueInfo(g, 11, 'X', UINT8, wl.xShape);
    valueInfo(g, 12, 'Y', UINT8, wl.yShape);
  });
  m.message(8, (o) => { o.string(1, ''); o.int(2, 13); });
  return m.finish();
}
