import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

it('the browser build stays within its size budget (npm run size)', () => {
  const script = fileURLToPath(new URL('../scripts/size.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [script]).toString();
  expect(out).toMatch(/within budget/);
});
