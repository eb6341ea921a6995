#!/usr/bin/env node
// The published package runs the compiled JavaScript in dist/ (built on prepack). A source checkout
// runs the TypeScript sources through tsx, so there is no build step to forget; COVARY_DIST=1 makes
// a checkout run its dist/ instead (after `npm run build`), as the start-up benchmark does.
import { existsSync } from 'node:fs';

const source = new URL('../pipeline/cli/main.ts', import.meta.url);
let main;
if (existsSync(source) && process.env.COVARY_DIST !== '1') {
  (await import('tsx/esm/api')).register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
