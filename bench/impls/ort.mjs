// Shared by the two ONNX Runtime adapters: one InferenceSession per workload on a one-node model
// (Conv or ConvTranspose) whose weights and bias are initializers, so the runtime packs them once.
import { buildConvModel } from '../lib/onnx.mjs';

export async function prepareSession(ort, sessionOptions, wl, { x, w, b }) {
  const model = buildConvModel({
    op: wl.op,
    xShape: wl.xShape,
    yShape: wl.yShape,
    wShape: wl.wShape,
    w,
    b,
    stride: wl.stride,
    pad: wl.pad,
    dilation: wl.dilation,
    groups: wl.groups,
    outputPadding: wl.outputPadding,
  });
  const session = await ort.InferenceSession.create(model, sessionOptions);
  // The usual call: a fresh input tensor over the caller's array, a new output per call.
  return {
    run: async () => (await session.run({ X: new ort.Tensor('float32', x, wl.xShape) })).Y,
    read: (y) => Float32Array.from(y.data),
    dispose: () => session.release(),
  };
}
