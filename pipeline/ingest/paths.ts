/**
 * Positional inputs → a list of files: plain files as given, folders walked recursively (hidden
 * entries skipped, sorted), globs expanded with tinyglobby. A path that exists is never treated as
 * a glob (HELM run folders contain characters like `[`, `,` and `=`).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { CovaryError, fromSystemError } from '../core/errors.ts';

const GLOB_CHARS = /[*?[\]{}]/;

async function kind(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch (e) {
    // Only a path that does not exist may be a glob; a symlink loop or a permission problem is said as such.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fromSystemError(e) ?? e;
  }
}

export async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (!seen.has(p)) (seen.add(p), out.push(p));
  };
  for (const p of paths) {
    const k = await kind(p);
    if (k === 'file') {
      add(p);
    } else if (k === 'dir') {
      const found = (await glob('**/*', { cwd: p, onlyFiles: true, dot: false, expandDirectories: false })).sort();
      if (!found.length) throw new CovaryError('folder holds no files', { file: p }, 'expected eval logs or score files inside');
      for (const f of found) add(join(p, f));
    } else if (GLOB_CHARS.test(p)) {
      const found = (await glob(p, { onlyFiles: true, dot: false, expandDirectories: false })).sort();
      if (!found.length) throw new CovaryError('no file matches this pattern', { file: p }, 'check the glob (quote it so the shell does not expand it)');
      for (const f of found) add(f);
    } else {
      throw new CovaryError('file not found', { file: p }, 'check the path');
    }
  }
  return out;
}
