/**
 * Crash-consistent writes. A file is written under a temp name and renamed into place; a folder
 * (a benchmark, a report) is built as a fresh "generation" folder and published by atomically
 * replacing a symlink to it, so a reader sees the old folder or the new one, never a gap. Every
 * temp or generation name carries its writer's pid: what a dead writer left is swept later, what a
 * live one is still writing is left alone.
 */
import { lstat, mkdir, open, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { faultPoint, ownerPid } from './fault.ts';

const TMP_PREFIX = '.covary-tmp-';
const GEN_PREFIX = '.covary-gen-';
/** `<prefix><base>-<pid>-<8 hex>` with an optional `-old` (trash of the former two-rename scheme). */
const OWNED_RE = /^(?:\.covary-tmp-|\.covary-gen-)(.*)-(\d+)-[0-9a-f]{8}(?:-old)?$/;

function tag(): string {
  return `${ownerPid()}-${randomBytes(4).toString('hex')}`;
}

/** A temp path beside `path`, so the final rename stays on one filesystem (and is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `${TMP_PREFIX}${basename(path)}-${tag()}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp/generation name whose writer has died (or is this process, done with it). */
export function ownerIsGone(name: string, includeOwn = false): boolean {
  const m = OWNED_RE.exec(name);
  if (!m) return false;
  const pid = Number(m[2]);
  if (pid === ownerPid()) return includeOwn;
  return !isAlive(pid);
}

export async function removePath(path: string): Promise<void> {
  await faultPoint('remove', path);
  await rm(path, { recursive: true, force: true });
}

/** Remove temp files left in `dir` by writers that died (kill -9 between write and rename). */
export async function sweepDeadTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(TMP_PREFIX) && ownerIsGone(n)) await removePath(join(dir, n));
}

/** Write a file completely (fsync'd) under a temp name, then rename it into place. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    await faultPoint('write', path);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    await faultPoint('rename', path);
    await rename(tmp, path);
  } catch (e) {
    // A failed write (disk full, …) leaves nothing behind: the target keeps its old content.
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    // Writes through a file handle carry no path: name the file being written.
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err === 'object' && err.code && (!err.path || err.path === tmp)) err.path = path;
    throw e;
  }
}

/** The generation folder a published folder currently points to (null: none, or a legacy real folder). */
async function currentGeneration(path: string): Promise<string | null> {
  try {
    return basename(await readlink(path));
  } catch {
    return null;
  }
}

/**
 * Build a folder with `fill` in a fresh generation folder beside `path`, then publish it in one
 * step: a symlink at `path` is atomically replaced by one to the new generation. Readers see the
 * complete old folder or the complete new one. Older generations are removed afterwards (and by
 * any later publish, should this process die first).
 */
export async function writeDirAtomic(path: string, fill: (genDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(path);
  const base = basename(path);
  await mkdir(parent, { recursive: true });
  const gen = join(parent, `${GEN_PREFIX}${base}-${tag()}`);
  await mkdir(gen);
  try {
    await fill(gen);
  } catch (e) {
    await rm(gen, { recursive: true, force: true });
    throw e;
  }
  const link = tempPathFor(path);
  let movedAside: string | null = null;
  try {
    await faultPoint('symlink', link);
    await symlink(basename(gen), link);
    const existing = await lstat(path).catch(() => null);
    if (existing && !existing.isSymbolicLink()) {
      // A folder from before generations existed: move it aside (it is swept as a dead generation).
      movedAside = join(parent, `${GEN_PREFIX}${base}-${tag()}-old`);
      await faultPoint('rename', path);
      await rename(path, movedAside);
    }
    await faultPoint('rename', path);
    await rename(link, path);
  } catch (e) {
    if (movedAside) await rename(movedAside, path).catch(() => {});
    await rm(link, { force: true });
    await rm(gen, { recursive: true, force: true });
    throw e;
  }
  await sweepGenerations(path);
}

/** Remove generations of `path` that nothing points to and no live writer owns, and dead temps beside it. */
export async function sweepGenerations(path: string): Promise<void> {
  const parent = dirname(path);
  const base = basename(path);
  const current = await currentGeneration(path);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const m = OWNED_RE.exec(n);
    if (!m || m[1] !== base || n === current) continue;
    // Our own older generations are done with once the new one is published.
    if (ownerIsGone(n, n.startsWith(GEN_PREFIX))) await removePath(join(parent, n));
  }
}

/** Bytes of a typed array, without copying. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
