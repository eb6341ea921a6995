import yargs, { type Argv } from 'yargs';
import { globalOptions, type GlobalArgs } from './options.ts';
import { CATALOG, lazyCommand } from './catalog.ts';
import { fromSystemError, isCovaryError, UsageError } from '../core/errors.ts';
import { COVARY_VERSION } from '../core/version.ts';

/** Parse and run one covary command line; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const commandLine = () => ['covary', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  const parser = (yargs(args) as unknown as Argv<GlobalArgs>)
    .scriptName('covary')
    .version(COVARY_VERSION)
    .options(globalOptions)
    // Every command is listed; only the one the command line names is loaded (catalog.ts).
    .command(CATALOG.map((entry) => lazyCommand(entry, commandLine)))
    .demandCommand(1, 'name a command (covary --help lists them)')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .check(numbersAreFinite, true)
    .fail((msg, err) => {
      // Throwing (not just printing) is what stops yargs from running the command anyway.
      if (isCovaryError(err)) throw err;
      throw new UsageError(oneLine(msg ?? err?.message ?? 'invalid command line'));
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    const known = isCovaryError(e) ? e : isYargsError(e) ? new UsageError(oneLine(e.message)) : fromSystemError(e);
    if (known) {
      process.stderr.write(`covary: error: ${known.toLine()}\n`);
      return known.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`covary: internal error: ${err?.stack ?? String(e)}\n`);
    return 1;
  }
  return 0;
}

/**
 * A yargs validation error that skipped `.fail()`: with a command's builder asynchronous (every
 * command's is: catalog.ts loads the command there), yargs rejects the parse with an option's
 * `coerce` error (e.g. parseSeed's) instead of passing it to `.fail()`. It is the same usage error.
 */
function isYargsError(e: unknown): e is Error {
  return e instanceof Error && e.name === 'YError';
}

/** yargs joins several messages with newlines; an error is one line. */
function oneLine(msg: string): string {
  const lines = msg.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines
    .map((l, i) => (i === 0 ? '' : lines[i - 1].endsWith(':') ? ' ' : '; ') + dropCamelTwins(l))
    .join('');
}

/** "Unknown arguments: dry-run, dryRun" names one mistake twice (yargs adds the camel-case alias). */
function dropCamelTwins(line: string): string {
  const m = /^(Unknown arguments?: )(.*)$/.exec(line);
  if (!m) return line;
  const names = m[2].split(', ');
  const kebab = new Set(names.filter((n) => n.includes('-')).map((n) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())));
  const kept = names.filter((n) => !kebab.has(n));
  return `Unknown argument${kept.length === 1 ? '' : 's'}: ${kept.join(', ')}`;
}

/** A number option given a non-number (`--permutations abc` parses to NaN) is refused, not run with NaN. */
function numbersAreFinite(argv: Record<string, unknown>): true {
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || /[A-Z]/.test(key)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new UsageError(`invalid --${key}: expected a finite number`);
    }
  }
  return true;
}
