// Entry of an embedding worker thread. Plain JavaScript because a worker does not inherit the
// tsx loader of its parent: register it here, then load the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./use-worker-body.ts');
