import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A temp path beside `path`, so the final rename stays on one filesystem (and is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.covary-tmp-${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Write a file completely (fsync'd) under a temp name, then rename it into place. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}

/**
 * Build a directory under a temp name with `fill`, then move it into place in one rename.
 * An existing directory at `path` is replaced only after the new one is complete.
 */
export async function writeDirAtomic(path: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const trash = tempPathFor(path) + '-old';
  let moved = false;
  try {
    await rename(path, trash);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rename(tmp, path);
  if (moved) await rm(trash, { recursive: true, force: true });
}

/** Bytes of a typed array, without copying. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
