/**
 * The one error type the pipeline throws for anything a user can fix: bad input, missing
 * artifacts, bad options. It carries where the problem is so the CLI can print one line.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number | string;
  field?: string;
}

export class CovaryError extends Error {
  readonly location: ErrorLocation;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, location: ErrorLocation = {}, hint?: string, exitCode = 1) {
    super(message);
    this.name = 'CovaryError';
    this.location = location;
    this.hint = hint;
    this.exitCode = exitCode;
  }

  /** `file:line: column X: message (hint)` — the single line the CLI prints. */
  toLine(): string {
    const { file, line, column, field } = this.location;
    const where: string[] = [];
    if (file) where.push(line !== undefined ? `${file}:${line}` : file);
    else if (line !== undefined) where.push(`line ${line}`);
    if (column !== undefined) where.push(`column ${column}`);
    if (field !== undefined) where.push(`field "${field}"`);
    const prefix = where.length ? `${where.join(', ')}: ` : '';
    return escapeControls(`${prefix}${this.message}${this.hint ? ` (${this.hint})` : ''}`);
  }
}

/** Thrown by commands whose stage is not built yet, so they never pretend to work. */
export class NotBuiltError extends CovaryError {
  constructor(what: string) {
    super(`${what} is not built yet in this version of covary`, {}, undefined, 3);
    this.name = 'NotBuiltError';
  }
}

/** A command-line mistake (unknown option, invalid value): exit 2, before any work is done. */
export class UsageError extends CovaryError {
  constructor(message: string) {
    super(message, {}, 'see covary --help', 2);
    this.name = 'UsageError';
  }
}

/** Control, line-separator and bidirectional characters, which would break or disguise a one-line message. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escape what would break a message out of its one line (newlines in names, ids, paths; bidi overrides). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** What an operating-system error code means, in words a user can act on. */
const SYSTEM_CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, expected a file',
  EEXIST: 'already exists (a file stands where a folder is needed?)',
  ENOSPC: 'no space left on the device (disk full)',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links (a symlink loop)',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENOTEMPTY: 'folder not empty',
  EBUSY: 'resource busy',
  EXDEV: 'cannot move across file systems',
};

/** A file-system error (anything with an errno `code` and a `path`) as a one-line CovaryError; null otherwise. */
export function fromSystemError(e: unknown): CovaryError | null {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) return null;
  const cause = SYSTEM_CAUSES[err.code] ?? err.message.replace(/^E[A-Z]+: /, '').split(',')[0];
  const action = err.syscall ? ` (${err.syscall}${err.dest ? ` to ${err.dest}` : ''})` : '';
  return new CovaryError(`${cause} [${err.code}]${action}`, err.path ? { file: err.path } : {});
}

/** Run an option check; what it refuses is a usage error (exit 2), like a yargs one. */
export function checkOptions(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (isCovaryError(e)) throw new CovaryError(e.message, e.location, e.hint, 2);
    throw e;
  }
}

export function isCovaryError(e: unknown): e is CovaryError {
  return e instanceof CovaryError;
}
