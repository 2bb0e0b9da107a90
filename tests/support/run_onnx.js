// Runs an ONNX model in ONNX Runtime (the npm package onnxruntime-node) on inputs read from .npy
// files and writes its first output as a float32 .npy: the tests' independent runtime.
//   node run_onnx.js MODEL.onnx OUT.npy NAME=INPUT.npy...
// onnxruntime-node is found through NODE_PATH (the tests set it).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const kinds = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array]};

function readNpy(path) {
  const bytes = fs.readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  if (!(descr in kinds) || /'fortran_order':\s*True/.test(header)) throw new Error(`${path}: unsupported ${descr}`);
  const [type, Array] = kinds[descr];
  const data = bytes.subarray(10 + headerLength);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return new ort.Tensor(type, new Array(copy.buffer), shape);
}

function writeNpy(path, tensor) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${tensor.dims.join(', ')}${tensor.dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix.writeUInt8(1, 6);
  prefix.writeUInt8(0, 7);
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const [model, out, ...pairs] = process.argv.slice(2);
  const feeds = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    feeds[pair.slice(0, at)] = readNpy(pair.slice(at + 1));
  }
  const session = await ort.InferenceSession.create(model);
  const results = await session.run(feeds);
  writeNpy(out, results[session.outputNames[0]]);
}

main().catch((error) => {
  console.error(String(error.message || error).split('\n')[0]);
  process.exit(1);
});
