/**
 * The command list `covary --help` prints, without loading any command's code. Each entry names a
 * command and says what it does; the module that implements it (its options, its stage, the
 * libraries the stage needs) is imported only when the command line names that command: yargs
 * calls a command's builder only then, and the builder here is where the import happens. So
 * `covary --help` and `covary schema` load yargs and this file, not the pipeline.
 *
 * The describe strings repeat the implementing modules' own; test/cli/catalog.test.ts loads every
 * entry and checks that the two agree, so a changed description fails there, naming this file.
 */
import type { Argv, CommandModule } from 'yargs';
import type { StageModule, StageName } from '../core/stage.ts';
import type { GlobalArgs } from './options.ts';

// Handlers take each command's own argument type; the catalog only passes them through.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<GlobalArgs, any>;

export interface CatalogEntry {
  /** yargs command string (name and positionals), exactly as the implementing module declares it. */
  command: string;
  describe: string;
  /** Imports the implementing module and returns the full command. */
  load(commandLine: () => string): Promise<AnyCommand>;
}

/** Each stage's module, imported on demand. */
const STAGE_LOADERS: Record<StageName, () => Promise<StageModule>> = {
  embed: async () => (await import('../embed/stage.ts')).stage,
  index: async () => (await import('../index/stage.ts')).stage,
  correlate: async () => (await import('../correlate/stage.ts')).stage,
  irt: async () => (await import('../irt/stage.ts')).stage,
  cluster: async () => (await import('../cluster/stage.ts')).stage,
  reweight: async () => (await import('../reweight/stage.ts')).stage,
  explain: async () => (await import('../explain/stage.ts')).stage,
  // The report stage is made knowing which analysis stages are built: stages.ts assembles that.
  report: async () => (await import('./stages.ts')).STAGES.find((s) => s.name === 'report')!,
};

/** What `covary <stage>` does, per stage, in pipeline order (as each stage module's `describe`). */
export const STAGE_DESCRIPTIONS: [StageName, string][] = [
  ['embed', 'Embed every prompt text with a local sentence encoder (cached by content across benchmarks)'],
  ['index', 'Nearest-neighbour graph of prompt embeddings (exact or HNSW, recall reported) and near-duplicate prompts'],
  ['correlate', 'Performance similarity between prompts and its significance under two nulls (column permutation; ability-preserving curveball / residual permutation)'],
  ['irt', 'Item response layer: unidimensional 2PL fit, Null C (one ability axis), cross-validated dimension, Yen\u2019s Q3 and residual groups'],
  ['cluster', 'Cluster prompts semantically (embeddings) and by performance; read given categories'],
  ['reweight', 'Re-weight prompts under alternative distributions and compare rankings against bootstrap noise'],
  ['explain', 'Explain prompt co-variation by semantic similarity and failure categories (tags, MRQAP, Mantel)'],
  ['report', 'Write reports/<bench>/report.md, report.json and figures/*.svg, and reports/index.md'],
];

export const CATALOG: CatalogEntry[] = [
  {
    command: 'ingest [paths..]',
    describe: 'Read per-prompt results (wide/long CSV or JSONL, or eval-harness logs) into a canonical benchmark',
    load: async (cl) => (await import('./commands/ingest.ts')).ingestCommand(cl) as AnyCommand,
  },
  ...STAGE_DESCRIPTIONS.map(
    ([name, describe]): CatalogEntry => ({
      command: name,
      describe,
      load: async (cl) => {
        const [{ stageCommand }, stage] = await Promise.all([import('./stage-command.ts'), STAGE_LOADERS[name]()]);
        return stageCommand(stage, cl) as AnyCommand;
      },
    }),
  ),
  {
    command: 'run [paths..]',
    describe: 'Run every stage in order (ingest when inputs are given, or --demo), reusing fresh results',
    load: async (cl) => (await import('./commands/run.ts')).runCommand(cl) as AnyCommand,
  },
  {
    command: 'demo',
    describe: 'Generate the synthetic demo benchmark (planted, documented structure) from a seed',
    load: async (cl) => (await import('./commands/demo.ts')).demoCommand(cl) as AnyCommand,
  },
  {
    command: 'cache',
    describe: 'Inspect, verify or clear the embedding cache (ls | verify [key] [--fix] | clear <key>|--all)',
    load: async () => (await import('./commands/cache.ts')).command,
  },
  {
    command: 'models',
    describe: 'List local embedding models, or distill a fast static ONNX model from the default encoder',
    load: async () => (await import('./commands/models.ts')).command,
  },
  {
    command: 'schema',
    describe: 'Print the JSON Schema of report.json (versioned; other tools can rely on it)',
    load: async () => (await import('./commands/schema.ts')).command,
  },
];

/**
 * A yargs command that shows the entry in the command list and imports the implementation only
 * when run (or asked for its own --help): the builder awaits the import, then applies the real
 * builder; the handler calls the real handler.
 */
export function lazyCommand(entry: CatalogEntry, commandLine: () => string): AnyCommand {
  let loaded: Promise<AnyCommand> | undefined;
  const load = () => (loaded ??= entry.load(commandLine));
  return {
    command: entry.command,
    describe: entry.describe,
    builder: async (y: Argv<GlobalArgs>) => {
      const { builder } = await load();
      if (typeof builder === 'function') return (await builder(y)) ?? y;
      return builder ? y.options(builder) : y;
    },
    handler: async (argv) => {
      await (await load()).handler(argv);
    },
  };
}
