// The long soak run: tests/soak.test.ts (the bounded soak the test suite runs for 15 s) for
// minutes, with a fresh seed that is printed for replay.
//
//   npm run soak                                  180 s, random seed
//   npm run soak -- --seconds 600 --seed 1234     longer, a given seed
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = { seconds: '180', seed: String(randomInt(2 ** 31 - 1)) };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split(/=(.*)/s, 2);
  const key = flag.replace(/^--/, '');
  if (!(key in args) || !flag.startsWith('--') || !/^\d+$/.test(inline ?? argv[i + 1] ?? '')) {
    console.error(`soak: unknown or incomplete argument '${argv[i]}'\nusage: node scripts/soak.mjs [--seconds N] [--seed S]`);
    process.exit(2);
  }
  args[key] = inline ?? argv[++i];
}
console.log(`soak: ${args.seconds} s, seed ${args.seed} (replay: npm run soak -- --seconds ${args.seconds} --seed ${args.seed})`);
const run = spawnSync('npx', ['vitest', 'run', 'tests/soak.test.ts', '--project', 'simd'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WASMCONV_SOAK_SECONDS: args.seconds, WASMCONV_SOAK_SEED: args.seed },
});
process.exit(run.status ?? 1);
