import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ entryPoints: [process.argv[2]||'src/url.ts'], bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true, write: false, metafile: true, external: ['node:*'], logLevel: 'error' });
const ins = r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs;
for (const [k, v] of Object.entries(ins).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) console.log(String(v.bytesInOutput).padStart(7), k);
console.log('total', r.outputFiles[0].contents.length, 'gz', gzipSync(r.outputFiles[0].contents, {level:9}).length);
