import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkgPath = fileURLToPath(new URL('../../package.json', import.meta.url));

/** covary's own version, from package.json (written into every artifact and report). */
export const COVARY_VERSION: string = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;

/** Root of the installed project (where models/ and package.json live). */
export const PROJECT_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));
