import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CovaryError } from '../../core/errors.ts';
import { ArtifactStore } from '../../core/store.ts';
import { clearCache, listCacheFolders, removeDamaged, verifyCacheFolder, type VerifyReport } from '../../embed/cache.ts';
import { printResult, type GlobalArgs } from '../context.ts';

type VerifyArgs = GlobalArgs & { key?: string; fix: boolean };
type ClearArgs = GlobalArgs & { key?: string; all: boolean };

function embeddingsRoot(argv: GlobalArgs): string {
  return new ArtifactStore(resolve(argv.dataDir)).cacheDir('embeddings');
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

const ls: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ls',
  describe: 'List the embedding cache: one folder per model (id + files\' hash)',
  handler: async (argv) => {
    const root = embeddingsRoot(argv);
    const folders = await listCacheFolders(root);
    const lines = folders.length
      ? [
          `embedding cache: ${root}`,
          ...folders.map(
            (f) =>
              `  ${f.key}  ${f.modelId ?? '(unknown model)'}  ${f.dims ?? '?'}-d  ${f.entries} vectors in ${f.shards} file${f.shards === 1 ? '' : 's'}  ${mb(f.bytes)}${f.temps ? `  (${f.temps} unfinished temp file${f.temps === 1 ? '' : 's'})` : ''}`,
          ),
        ]
      : [`embedding cache is empty (${root})`];
    printResult(argv, lines.join('\n'), { root, models: folders });
  },
};

const verify: CommandModule<GlobalArgs, VerifyArgs> = {
  command: 'verify [key]',
  describe: 'Check every cached vector against its checksums; name what is damaged',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('key', { type: 'string', describe: 'Only this model key (as listed by `covary cache ls`)' })
      .option('fix', { type: 'boolean', default: false, describe: 'Delete damaged cache files (their prompts are re-embedded next time)' }) as unknown as Argv<VerifyArgs>,
  handler: async (argv) => {
    const root = embeddingsRoot(argv);
    const keys = (await listCacheFolders(root)).map((f) => f.key);
    if (argv.key && !keys.includes(argv.key)) throw new CovaryError(`no embedding cache folder "${argv.key}"`, { file: root }, `\`covary cache ls\` lists: ${keys.join(', ') || 'none'}`);
    const reports: VerifyReport[] = [];
    for (const key of argv.key ? [argv.key] : keys) reports.push(await verifyCacheFolder(root, key));
    const problems = reports.flatMap((r) => r.problems);
    const lines: string[] = [];
    for (const r of reports) {
      lines.push(`${r.key}: ${r.entries} vectors in ${r.shards} files — ${r.problems.length ? `${r.problems.length} damaged` : 'ok'}`);
      for (const p of r.problems) {
        const which = p.entries.length ? `; damaged entries (text sha256): ${p.entries.slice(0, 5).join(', ')}${p.entries.length > 5 ? `, … ${p.entries.length - 5} more` : ''}` : '';
        lines.push(`  DAMAGED ${p.file}: ${p.problem}${which}`);
      }
    }
    if (!reports.length) lines.push('embedding cache is empty: nothing to verify');
    let removed = 0;
    if (argv.fix && problems.length) {
      removed = await removeDamaged(problems);
      lines.push(`removed ${removed} damaged file${removed === 1 ? '' : 's'} or folder${removed === 1 ? '' : 's'}; their prompts will be re-embedded when needed`);
      // Say "fixed" only for what a second look confirms.
      const left = await listCacheFolders(root);
      const remaining: VerifyReport[] = [];
      for (const f of left) if (!argv.key || f.key === argv.key) remaining.push(await verifyCacheFolder(root, f.key));
      const still = remaining.flatMap((r) => r.problems);
      if (still.length) throw new CovaryError(`${still.length} problem${still.length === 1 ? '' : 's'} remain after --fix (first: ${still[0].file}: ${still[0].problem})`, { file: root });
    }
    printResult(argv, lines.join('\n'), { root, reports, removed });
    if (problems.length && !argv.fix) {
      throw new CovaryError(`the embedding cache has ${problems.length} damaged file${problems.length === 1 ? '' : 's'} (listed above)`, { file: root }, '`covary cache verify --fix` removes them; embed re-computes what they held');
    }
  },
};

const clear: CommandModule<GlobalArgs, ClearArgs> = {
  command: 'clear [key]',
  describe: 'Delete one model\'s cached vectors (by key) or, with --all, every model\'s',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('key', { type: 'string', describe: 'Model key (as listed by `covary cache ls`)' })
      .option('all', { type: 'boolean', default: false, describe: 'Clear every model\'s cache' }) as unknown as Argv<ClearArgs>,
  handler: async (argv) => {
    const root = embeddingsRoot(argv);
    if (!argv.all && !argv.key) throw new CovaryError('covary cache clear needs a model key or --all', { field: 'key' }, '`covary cache ls` lists the keys');
    if (argv.all && argv.key) throw new CovaryError('give either a model key or --all, not both', { field: '--all' });
    const removed = await clearCache(root, argv.key ?? null, argv.all);
    if (!argv.all && removed.length === 0) {
      const keys = (await listCacheFolders(root)).map((f) => f.key);
      throw new CovaryError(`no embedding cache folder "${argv.key}"`, { file: root }, `\`covary cache ls\` lists: ${keys.join(', ') || 'none'}`);
    }
    printResult(argv, removed.length ? `cleared: ${removed.join(', ')}` : 'embedding cache was already empty', { root, removed });
  },
};

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'cache',
  describe: 'Inspect, verify or clear the embedding cache (ls | verify [key] [--fix] | clear <key>|--all)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(ls)
      .command(verify as unknown as CommandModule<GlobalArgs, GlobalArgs>)
      .command(clear as unknown as CommandModule<GlobalArgs, GlobalArgs>)
      .demandCommand(1, 'name a cache action: ls, verify or clear'),
  handler: () => {},
};
