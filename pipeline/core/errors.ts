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
    return `${prefix}${this.message}${this.hint ? ` (${this.hint})` : ''}`;
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

export function isCovaryError(e: unknown): e is CovaryError {
  return e instanceof CovaryError;
}
