// Worker-thread entry: plain JS so Node can start it, then the TypeScript worker via tsx.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
