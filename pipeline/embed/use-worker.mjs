// Entry of an embedding worker thread. Plain JavaScript because a worker does not inherit the
// tsx loader of its parent: from the sources, register it here and load the TypeScript worker body;
// the compiled package (dist/) has the body as .js beside this file.
import { existsSync } from 'node:fs';

const source = new URL('./use-worker-body.ts', import.meta.url);
if (existsSync(source)) {
  (await import('tsx/esm/api')).register();
  await import(source.href);
} else {
  await import(new URL('./use-worker-body.js', import.meta.url).href);
}
