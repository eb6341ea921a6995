// Compiles pipeline/ to dist/ (the JavaScript the published package runs) and copies the plain
// .mjs worker entries beside their modules. Run by `npm run build` and on `prepack`.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'pipeline');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const visit = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) visit(p);
    else if (name.endsWith('.mjs')) cpSync(p, join(out, relative(src, p)));
  }
};
visit(src);
